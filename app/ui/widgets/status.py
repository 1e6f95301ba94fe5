"""The always-visible status line: site, range, filters, freshness, API use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual.widgets import Static

from app.durations import compact
from app.live.freshness import Freshness
from app.ui.text import clean


def ago(seconds: float) -> str:
    """An age or a wait as the status line says it: `12s`, `5m`, `3h`, `2d`."""
    return compact(seconds, parts=1)


@dataclass
class StatusInfo:
    site: str | None = None
    range: str | None = None
    chips: list[str] = field(default_factory=list)


class StatusLine(Static):
    """Redrawn once a second, but only written to the terminal when its text changes."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(
        self,
        freshness: Freshness,
        info: Callable[[], StatusInfo],
        *,
        paused: Callable[[], bool],
        api_use: Callable[[], str],
        monotonic: Callable[[], float],
    ) -> None:
        super().__init__("", id="status")
        self._freshness = freshness
        self._info = info
        self._paused = paused
        self._api_use = api_use
        self._monotonic = monotonic
        self._last = ""

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1.0, self.tick)

    def on_resize(self) -> None:
        self.tick()

    def tick(self) -> None:
        if not self.screen.is_current:
            return
        # Padding is one cell each side.
        text = self.compose_text(self.size.width - 2 if self.size.width > 2 else None)
        if text.plain != self._last:
            self._last = text.plain
            # One line, always: a layout pass would repaint the panels around it every second.
            self.update(text, layout=False)
            self.set_class(self._freshness.stale, "-stale")

    def compose_text(self, width: int | None = None) -> Text:
        """The line, fitted to `width` cells (the widget's own width when drawn)."""
        info = self._info()
        site = Text(clean(info.site), style="bold") if info.site else None
        range_ = Text(info.range) if info.range else None
        chips = [Text(f" {clean(chip)} ", style="reverse") for chip in info.chips]
        tail = [self._freshness_text()]
        if self._freshness.note:
            tail.append(Text(self._freshness.note))
        tail.append(Text(self._api_use(), style="dim"))

        def line() -> Text:
            head = [part for part in (site, range_) if part is not None]
            return Text(" · ").join([*head, *chips, *tail])

        text = line()
        if width is None or text.cell_len <= width:
            return text
        # Too narrow: freshness and API use matter most; the site and range are also in the
        # header and the headline. Drop the range, then shorten the site, then cut the end.
        range_ = None
        text = line()
        if site is not None and text.cell_len > width:
            room = max(8, site.cell_len - (text.cell_len - width))
            site.truncate(room, overflow="ellipsis")
            text = line()
        text.truncate(width, overflow="ellipsis")
        return text

    def _freshness_text(self) -> Text:
        f, now = self._freshness, self._monotonic()
        if self._paused():
            return Text("paused", style="bold yellow")
        if f.problem:
            text = f.problem
            if f.retry_at is not None:
                text += f" · retry in {ago(f.retry_at - now)}"
            if f.updated_at is not None:
                text += f" · data from {ago(now - f.updated_at)} ago"
            return Text(text, style="bold red")
        if f.loading and f.updated_at is None:
            return Text(f"loading {f.progress}".rstrip() + "…")
        if f.updated_at is None:
            return Text("waiting…")
        text = f"updated {ago(now - f.updated_at)} ago"
        if f.cached:
            text = f"cached, {ago(now - f.updated_at)} old"
        if f.loading:
            text = "refreshing… " + (f.progress + " " if f.progress else "") + f"({text})"
        return Text(text)
