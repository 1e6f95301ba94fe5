"""The command palette (ctrl+p): switch site or account, theme, refresh interval, pause,
refresh now."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from app.durations import words
from app.live.state import REFRESH_STEPS
from app.ui.context import accounts_of, session_of
from app.ui.messages import Navigate
from app.ui.modes import section_of
from app.ui.text import clean

Command = tuple[str, str, Callable[[], object]]


class TinyCommands(Provider):
    def _commands(self) -> list[Command]:
        app = self.app
        session = session_of(app)
        state = session.state
        commands: list[Command] = []
        accounts = accounts_of(app)
        for name in accounts.others():
            commands.append(
                (
                    f"Switch account: {name}",
                    f"show this account's sites ({clean(accounts.base_url(name))})",
                    # Account names are letters, digits, - and _: safe inside the action.
                    partial(app.run_action, f"switch_account('{name}')"),
                )
            )
        for row in session.sites_feed.rows:
            title = f"Switch site: {clean(row.label)}  {clean(row.url)}  ID {row.id}"
            commands.append(
                (
                    title,
                    "show this site here (from Sites: on Hits)",
                    partial(self._open_site, row.id),
                )
            )
        commands.append(
            (
                "Resume live updates" if state.paused else "Pause live updates",
                "p",
                partial(app.run_action, "toggle_pause"),
            )
        )
        commands.append(("Refresh now", "r", partial(app.run_action, "refresh")))
        for seconds in REFRESH_STEPS:
            commands.append(
                (
                    f"Refresh every {words(seconds, parts=1)}",
                    "set the refresh interval (+ and - step through these)",
                    partial(app.run_action, f"set_interval({seconds})"),
                )
            )
        for name in sorted(app.available_themes):
            commands.append(
                (
                    f"Theme: {name}",
                    "use and remember this theme",
                    partial(setattr, app, "theme", name),
                )
            )
        marker = "braille" if state.chart_marker == "dot" else "dot"
        commands.append(
            (
                f"Chart markers: {marker}",
                "dot works with fonts without braille",
                partial(app.run_action, f"marker('{marker}')"),
            )
        )
        return commands

    def _open_site(self, site_id: int) -> None:
        """The same section for the other site: every section but Sites shows one site."""
        session = session_of(self.app)
        session.state.open_site(site_id)
        section = section_of(self.app.current_mode)
        if section == "sites":
            section = "hits"
            session.hits_feed.ask()
        self.app.post_message(Navigate(section))

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlight(matcher, title), callback, text=title, help=help_text)


def highlight(matcher: Matcher, title: str) -> Content:
    """The title as literal text with the matched characters marked.

    `Matcher.highlight` parses its candidate as markup: a site label like `[link=...]` would
    become a live link, and one that is not valid markup raises, which ends the whole search.
    Escaping first would not do either: the match offsets would then point into the escaped text.
    """
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    content = Content(title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
