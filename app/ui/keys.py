"""Every key binding, in one place: the app, the screens and the help screen read them here.

Each binding has an id, so the config's `[keymap]` table can remap it (`refresh = "ctrl+r"`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class KeyGroup:
    title: str
    bindings: tuple[Binding, ...]


SECTIONS = KeyGroup(
    "Sections",
    (
        Binding("1", "section('sites')", "Sites", id="section.sites"),
        Binding("2", "section('hits')", "Hits", id="section.hits"),
        Binding("3", "section('leaderboard')", "Leaders", id="section.leaderboard"),
        Binding("4", "section('journeys')", "Journeys", id="section.journeys"),
        Binding("5", "section('uptime')", "Uptime", id="section.uptime"),
        Binding("6", "section('insights')", "Insights", id="section.insights"),
    ),
)

LIVE = KeyGroup(
    "Live updates",
    (
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("p", "toggle_pause", "Pause", id="pause"),
        Binding("plus,equals_sign", "faster", "Faster", id="faster", show=False, key_display="+"),
        Binding("minus", "slower", "Slower", id="slower", show=False, key_display="-"),
    ),
)

APP = KeyGroup(
    "App",
    (
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("ctrl+p", "command_palette", "Commands", id="palette", show=False),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", id="quit.ctrl", show=False, priority=True),
        Binding("ctrl+z", "suspend_process", "Suspend", id="suspend", show=False),
        Binding("ctrl+l", "redraw", "Redraw", id="redraw", show=False),
    ),
)

RANGES = KeyGroup(
    "Hits dashboard",
    (
        Binding("t", "range('t')", "24h", id="range.day"),
        Binding("w", "range('w')", "7d", id="range.week"),
        Binding("m", "range('m')", "30d", id="range.month"),
        Binding("y", "range('y')", "12mo", id="range.year"),
        # Out of the footer (help lists them): at 120 columns it has no cell left for them
        # beside the section names.
        Binding("d", "range_dialog", "Dates", id="range.custom", show=False),
        Binding("v", "compare", "Compare", id="range.compare", show=False),
        Binding("f", "filter_by_row", "Filter", id="filter.add"),
        Binding("escape", "remove_filter", "Unfilter", id="filter.remove", show=False),
        Binding("enter", "open_panel", "Open panel", id="panel.open", show=False),
        Binding("l", "stream", "Live hits", id="stream"),
    ),
)

TABLES = KeyGroup(
    "Tables",
    (
        Binding("enter", "open", "Open", id="open"),
        Binding("slash", "search", "Search", id="search", key_display="/"),
        Binding("s", "sort_next", "Sort", id="sort.next"),
        Binding("S", "sort_reverse", "Reverse sort", id="sort.reverse", show=False),
        Binding("home,g", "first", "First row", id="table.first", show=False),
        Binding("end,G", "last", "Last row", id="table.last", show=False),
        Binding("escape", "clear_search", "Clear search", id="search.clear", show=False),
    ),
)

# On every section's tables and panels (the bindings of LiveScreen); `c` is also Journeys' own
# key for its common paths, which wins there.
EXPORT = KeyGroup(
    "Export and copy",
    (
        Binding("e", "export", "Export", id="export", show=False),
        Binding("c", "copy_row", "Copy", id="copy", show=False),
        Binding("o", "open_url", "Open in browser", id="open.url", show=False),
    ),
)

ALL_GROUPS: tuple[KeyGroup, ...] = (SECTIONS, RANGES, TABLES, EXPORT, LIVE, APP)

# Longer words for the help screen than the footer has room for.
HELP: dict[str, str] = {
    "section.sites": "Sites: every site on one table",
    "section.hits": "Hits dashboard of the current site",
    "section.leaderboard": "Leaderboard: the site's pages of all time",
    "section.journeys": "Journeys: how visitors move through the site",
    "section.uptime": "Uptime monitor, SSL and domain of the current site",
    "section.insights": "Insights written from the site's numbers",
    "range.day": "Last 24 hours, hourly",
    "range.week": "Last 7 days, daily",
    "range.month": "Last 30 days, daily",
    "range.year": "Last 12 months, weekly",
    "range.custom": "Any dates: a start and an end day, or a preset (today, last month, …)",
    "range.compare": "Compare with the previous period, or the same period a year earlier",
    "filter.add": "Filter the dashboard by the selected row (pages, referrers, countries)",
    "filter.remove": "Remove the last filter",
    "panel.open": "Open the selected panel with all its rows",
    "stream": "Live hits: the newest hits as they arrive, like tail -f",
    "stream.back": "Back to the dashboard",
    "open": "Open the selected row (a site; on the leaderboard, its hits dashboard)",
    "search": "Search the table (on the leaderboard, enter asks the server)",
    "sort.next": "Sort by the next column (an arrow in its header)",
    "sort.reverse": "Reverse the sort order",
    "table.first": "First row (on the leaderboard, rank 1)",
    "table.last": "Last row (of those loaded, on tables the server pages)",
    "search.clear": "Clear the search",
    "export": "Export every row of the table or panel to a CSV or JSON file",
    "copy": "Copy the selected row's URL, path or text to the clipboard (works over SSH)",
    "open.url": "Open the selected site, page or referrer in the browser (over SSH: copy it)",
    "refresh": "Refresh now (also while paused; retries at once when offline)",
    "pause": "Pause or resume live updates (what you ask for still loads)",
    "faster": "Refresh more often",
    "slower": "Refresh less often",
    "help": "This help",
    "palette": "Command palette: switch site, theme, refresh interval, pause",
    "quit": "Quit",
    "quit.ctrl": "Quit",
    "suspend": "Suspend to the shell (fg to come back)",
    "redraw": "Redraw the whole screen (after another program wrote over it)",
}
