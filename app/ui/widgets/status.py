"""The always-visible status line: site, range, filters, freshness, API use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.cells import cell_len
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
    short_range: str | None = None  # the range in a few cells ("12mo"), for a narrow line
    # What the load under way costs, said while it runs ("~105 requests").
    load_cost: str | None = None


# A filter chip is never cut to less than this (cells, its padding included): `path=/…/end`.
CHIP_MIN = 12
SITE_MIN = 8
RANGE_MIN = 12
ACCOUNT_MAX = 12


def middle_cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, its middle replaced by `…`: a filter's field and the
    end of its value (where a path names its page) both stay."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    # The field is what comes before `=` (`path=/…`), or before the last space (`path
    # contains …`): kept whole when it leaves room for some of the value.
    field_, sep, value = text.partition("=")
    if not sep:
        field_, sep, value = text.rpartition(" ")
    head = field_ + sep if sep and cell_len(field_ + sep) + 3 <= width else ""
    room = width - cell_len(head) - 1
    rest = value if head else text
    # A third of the room for the value's start, the rest for its end.
    start = _cells_from_start(rest, room // 3)
    end = _cells_from_end(rest, room - cell_len(start))
    return f"{head}{start}…{end}"


def _cells_from_start(text: str, cells: int) -> str:
    taken, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > cells:
            break
        taken.append(char)
    return "".join(taken)


def _cells_from_end(text: str, cells: int) -> str:
    return _cells_from_start(text[::-1], cells)[::-1]


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
        account: Callable[[], str] = lambda: "",
    ) -> None:
        super().__init__("", id="status")
        self._account = account
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
        """The line, fitted to `width` cells (the widget's own width when drawn).

        Site, range and freshness are what the line is for: when it is too narrow, the filters
        are shortened in their middle first, then the account, the range (to its short form),
        the freshness' details in brackets and the site; only then is the end cut (the API use
        first). The filters get back whatever room those steps freed."""
        info = self._info()
        # Which account, when there are several: the same site may be in both.
        label = self._account()
        account = Text(f"@{clean(label)}", style="italic") if label else None
        site = Text(clean(info.site), style="bold") if info.site else None
        range_ = Text(info.range) if info.range else None
        chip_texts = [clean(chip) for chip in info.chips]
        chips = [_chip(chip) for chip in chip_texts]
        fresh = self._freshness_text(info)

        def line() -> Text:
            tail = [fresh]
            if self._freshness.note:
                tail.append(Text(self._freshness.note))
            tail.append(Text(self._api_use(), style="dim"))
            head = [part for part in (account, site, range_) if part is not None]
            return Text(" · ").join([*head, *chips, *tail])

        text = line()
        if width is None or text.cell_len <= width:
            return text
        if chips:
            over = text.cell_len - width
            chips = _shorter_chips(chip_texts, over)
            text = line()
        if account is not None and text.cell_len > width:
            account.truncate(ACCOUNT_MAX, overflow="ellipsis")
            text = line()
        if range_ is not None and info.short_range and text.cell_len > width:
            range_ = Text(info.short_range)
            text = line()
        if fresh.cell_len and text.cell_len > width:
            fresh = self._freshness_text(info, short=True)
            text = line()
        if site is not None and text.cell_len > width:
            room = max(SITE_MIN, site.cell_len - (text.cell_len - width))
            site.truncate(room, overflow="ellipsis")
            text = line()
        if range_ is not None and text.cell_len > width:
            # A range without a short form ("last 30 days (no 12 months for journeys)").
            room = max(RANGE_MIN, range_.cell_len - (text.cell_len - width))
            range_.truncate(room, overflow="ellipsis")
            text = line()
        if account is not None and text.cell_len > width:
            account = None  # the header names it too
            text = line()
        if chips and text.cell_len < width:
            # What the later steps freed goes back to the filters.
            chips = [_chip(chip) for chip in chip_texts]  # whole, to measure the line
            chips = _shorter_chips(chip_texts, line().cell_len - width)
            text = line()
        text.truncate(width, overflow="ellipsis")
        return text

    def _freshness_text(self, info: StatusInfo, *, short: bool = False) -> Text:
        """How fresh the data shown is; `short` leaves out what is said in brackets."""
        f, now = self._freshness, self._monotonic()
        age = None if f.updated_at is None else ago(now - f.updated_at)
        if self._paused():
            # Paused data grows old: its age stays on the line.
            parts = [Text("paused", style="bold yellow")]
            if f.loading:
                parts.append(self._loading_text(info, short=True))
            elif f.problem:
                parts.append(Text(f.problem, style="bold red"))
            if age is not None:
                parts.append(Text(f"data from {age} ago"))
            return Text(" · ").join(parts)
        if f.problem:
            text = f.problem
            if f.retry_at is not None:
                wait = f.retry_at - now
                # The attempt under way (or due this second) is not a wait of "0s".
                text += " · retrying…" if f.loading or wait < 1 else f" · retry in {ago(wait)}"
            if age is not None:
                text += f" · data from {age} ago"
            return Text(text, style="bold red")
        if f.loading and age is None:
            return self._loading_text(info, short=short)
        if age is None:
            return Text("waiting…")
        shown = f"cached, {age} old" if f.cached else f"updated {age} ago"
        if not f.loading:
            return Text(shown)
        loading = self._loading_text(info, short=short, word="refreshing")
        return loading if short else loading.append(f" ({shown})")

    def _loading_text(self, info: StatusInfo, *, short: bool, word: str = "loading") -> Text:
        """`loading 12/60…`; for a costly load, what it costs: `loading ~105 requests
        (12/104)…`."""
        f = self._freshness
        if info.load_cost:
            text = Text(f"loading {info.load_cost}", style="bold yellow")
            if f.progress and not short:
                text.append(f" ({f.progress})")
            return text.append("…")
        if word == "loading":
            return Text(f"loading {f.progress}".rstrip() + "…")
        return Text(f"{word}… {f.progress}".rstrip())


def _chip(text: str) -> Text:
    return Text(f" {text} ", style="reverse")


def _shorter_chips(chips: list[str], over: int) -> list[Text]:
    """The filter chips, cut in their middle by `over` cells in all, longest first, none below
    CHIP_MIN."""
    widths = [cell_len(chip) + 2 for chip in chips]
    while over > 0:
        longest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[longest] <= CHIP_MIN:
            break
        step = min(over, widths[longest] - CHIP_MIN)
        widths[longest] -= step
        over -= step
    return [_chip(middle_cut(chip, w - 2)) for chip, w in zip(chips, widths, strict=True)]
