"""The command palette (ctrl+p): switch site, theme, refresh interval, pause, refresh now."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from app.ui.text import clean

if TYPE_CHECKING:
    from app.ui.app import TinylyticsApp

Command = tuple[str, str, Callable[[], object]]


class TinyCommands(Provider):
    def _commands(self) -> list[Command]:
        from app.ui.app import REFRESH_STEPS, TinylyticsApp, _duration

        app = self.app
        assert isinstance(app, TinylyticsApp)
        commands: list[Command] = []
        for row in app.overview_rows():
            title = f"Switch site: {clean(row.label)}  {clean(row.url)}"
            commands.append(
                (title, "open this site's hits dashboard", partial(app.open_site, row.id))
            )
        commands.append(
            (
                "Resume live updates" if app.paused else "Pause live updates",
                "p",
                app.action_toggle_pause,
            )
        )
        commands.append(("Refresh now", "r", app.action_refresh))
        for seconds in REFRESH_STEPS:
            commands.append(
                (
                    f"Refresh every {_duration(seconds)}",
                    "set the refresh interval (+ and - step through these)",
                    partial(app.set_refresh_interval, seconds),
                )
            )
        for name in sorted(app.available_themes):
            commands.append(
                (f"Theme: {name}", "use and remember this theme", partial(_theme, app, name))
            )
        marker = "braille" if app.chart_marker == "dot" else "dot"
        commands.append(
            (
                f"Chart markers: {marker}",
                "dot works with fonts without braille",
                partial(_marker, app, marker),
            )
        )
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


def _theme(app: TinylyticsApp, name: str) -> None:
    app.theme = name


def _marker(app: TinylyticsApp, marker: str) -> None:
    app.chart_marker = marker
    app.action_refresh()
