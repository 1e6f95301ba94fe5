"""Live hits: the newest hits of the current site as they arrive, newest on top, like `tail -f`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from app import localtime
from app.api import ApiError, Hit
from app.live.feeds.stream import Recent, StreamData
from app.live.hitcounts import HitFilters
from app.live.session import Session
from app.live.stream import hit_key
from app.ui.screens.tables import RANGE_KEYS, TABLE_BINDINGS, TableKeys, hidden
from app.ui.text import literal
from app.ui.widgets.search import SearchBox
from app.ui.widgets.status import StatusInfo, ago
from app.ui.widgets.table import Cell, Column, LiveTable

# Times are the user's local times: the title line names the zone.
COLUMNS = (
    Column("time", "Time", 8),
    # The room the fixed columns leave is shared, paths first; both are cut in the middle.
    Column("path", "Path", path=True, flex=3, min_width=16),
    Column("referrer", "Referrer", max_width=40, path=True, flex=2, min_width=12),
    # On a narrow terminal these give way to the path and referrer, the least read first.
    Column("country", "Country", 7, priority=4),
    Column("browser", "Browser", 9, priority=3),
    Column("platform", "Platform", 8, priority=2),
    Column("mobile", "Mobile", 6, priority=1),
)
MISSING = "–"


def referrer_text(value: str | None) -> Text:
    if value is None:
        return Text("(direct)", style="italic")
    if value == "":
        return Text("(hidden)", style="italic")
    # The scheme says little and costs a narrow column a third of its width.
    return literal(value.removeprefix("https://").removeprefix("http://"), empty="(hidden)")


def mobile_text(value: bool | None) -> Text:
    if value is None:
        return Text(MISSING, style="dim")
    return Text("yes" if value else "no")


def optional(value: str | None) -> Text:
    if not value:
        return Text(MISSING, style="dim")
    return literal(value)


def hit_cells(hit: Hit, arrival: int, today: date) -> list[Text]:
    """One row. The time sorts by arrival, so that hits of the same second keep their order."""
    stamp = localtime.local(hit.created_at)
    time = Text(localtime.clock(stamp, seconds=True), style="" if stamp.date() == today else "dim")
    return [
        Cell(time, arrival),
        Cell(literal(hit.path or hit.url, empty="(unknown)")),
        Cell(referrer_text(hit.referrer)),
        Cell(optional(hit.country)),
        Cell(optional(hit.browser_name)),
        Cell(optional(hit.platform_name)),
        Cell(mobile_text(hit.is_mobile)),
    ]


def filters_text(filters: HitFilters) -> Text:
    """Which of the dashboard's filters the hits follow; nothing when none."""
    params = filters.as_params()
    text = Text()
    if params:
        text.append(" · only ")
        for index, (name, value) in enumerate(params.items()):
            if index:
                text.append(", ")
            text.append(f"{name} ")
            text.append_text(literal(value, empty="(empty)"))
    return text


def recent_text(recent: Sequence[Recent]) -> Text:
    """ "Visitors now": hits of the last minutes, a lower bound where the held hits stop short."""
    text = Text()
    for index, window in enumerate(recent):
        text.append("Hits in the last " if index == 0 else " · ")
        text.append(f"{window.minutes} min: ")
        if window.complete:
            text.append(f"{window.count:,}", style="bold")
        else:
            text.append(f"{window.count:,}+", style="bold")
            text.append(f" ({window.minutes}+ min not all held)", style="dim")
    return text


class LiveHitsScreen(TableKeys[StreamData]):
    """Pushed from the hits dashboard; the session's stream feed keeps the current site's newest
    hits (with the cache, across restarts)."""

    BINDINGS = [
        # Escape clears a search first, then goes back.
        *(b for b in TABLE_BINDINGS if b.id == "search.clear"),
        Binding("escape", "app.pop_screen", "Back", id="stream.back"),
        *(b for b in TABLE_BINDINGS if b.id != "search.clear"),
        *hidden(RANGE_KEYS),
    ]
    RANGE_REASON = "Live hits are the newest hits as they come: they have no range."
    DEFAULT_CSS = """
    LiveHitsScreen #stream-title {
        height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    LiveHitsScreen #stream-recent { height: 1; padding: 0 1; }
    LiveHitsScreen #stream { height: 1fr; overflow-x: hidden; }
    """

    def __init__(self, session: Session) -> None:
        super().__init__(session, session.stream_feed)
        # Arrival numbers by hit key (newer is larger): the table's order, newest on top.
        self._arrival: dict[str, int] = {}
        self._arrivals = 0
        # The last data drawn: what the title says when a refresh fails.
        self._shown: StreamData | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="stream-title")
        yield Static("", id="stream-recent")
        yield SearchBox("hits containing: type, escape to clear")
        yield LiveTable(COLUMNS, id="stream")

    @property
    def table(self) -> LiveTable:
        return self.query_one("#stream", LiveTable)

    @property
    def title_line(self) -> Static:
        return self.query_one("#stream-title", Static)

    @property
    def recent_line(self) -> Static:
        return self.query_one("#stream-recent", Static)

    def on_mount(self) -> None:
        # LiveScreen's own on_mount, which starts the feed's loop, runs after this one.
        self.table.sort_column, self.table.sort_reverse = "time", True
        self.table.focus()
        # What the stream holds (the last session's hits, from the cache) is painted by
        # LiveScreen.on_mount, marked with its age while the refresh runs.
        self.title_line.update(Text("loading the newest hits…", style="dim"))

    def status_info(self) -> StatusInfo:
        info = StatusInfo(site=self.site_label, range="live hits")
        if note := self.table.search_note():
            info.chips.append(note.plain)
        return info

    def show(self, data: StreamData) -> None:
        shown = self._shown
        if data.kept and shown is not None and not shown.kept and shown.site_id == data.site_id:
            # Back from a screen that covered this one: the live hits stay as they are.
            return
        # The first answer on an empty table is not news.
        news = data.new if self.table.row_count else 0
        self._paint(data.hits)
        if data.kept:
            self.title_line.update(self._cached_title(data, refreshing=True))
        else:
            self.title_line.update(self._live_title(data, news))
        # Kept hits' counts would be as of their old clock: said with the next answer.
        self.recent_line.update(recent_text(data.recent))
        self._shown = data

    def failed(self, error: ApiError) -> None:
        if self.freshness.updated_at is not None:
            return
        if self._shown is not None and self._shown.kept:
            # The cached hits stay, still marked with their age; the status line says why.
            self.title_line.update(self._cached_title(self._shown, refreshing=False))
        else:
            self.title_line.update(Text(error.message, style="red"))

    def _paint(self, hits: Sequence[Hit]) -> None:
        today = localtime.local(self.session.now()).date()
        rows: list[tuple[str, Hit]] = []
        seen: set[str] = set()
        for hit in hits:
            key = hit_key(hit)
            if key not in seen:
                seen.add(key)
                rows.append((key, hit))
        for key, _ in reversed(rows):
            if key not in self._arrival:
                self._arrivals += 1
                self._arrival[key] = self._arrivals
        # Only what is shown is remembered: bounded like the stream.
        self._arrival = {key: self._arrival[key] for key, _ in rows}
        table = self.table
        # On the newest row the cursor follows what arrives; elsewhere it stays on its hit.
        following = table.cursor_row == 0
        table.show([(key, hit_cells(hit, self._arrival[key], today)) for key, hit in rows])
        if following and table.row_count:
            table.move_cursor(row=0, animate=False)

    def _cached_title(self, data: StreamData, *, refreshing: bool) -> Text:
        text = Text(f"{len(data.hits):,} hits from the cache", style="bold yellow")
        text.append_text(filters_text(data.filters))
        if data.synced_at is not None:
            age = (self.session.now() - data.synced_at).total_seconds()
            text.append(f", as of {ago(age)} ago", style="yellow")
        if refreshing:
            text.append(" · refreshing…", style="dim")
        return text

    def _live_title(self, data: StreamData, news: int) -> Text:
        if not data.hits:
            text = Text("No hits today or yesterday (UTC) yet")
            text.append_text(filters_text(data.filters))
            text.append(": new ones appear here as they come.")
            return text
        # One line, most important first: on a narrow terminal the end is what is cut.
        text = Text("Live", style="bold")
        text.append_text(filters_text(data.filters))
        text.append(f" · newest {len(data.hits):,} hits")
        if news:
            text.append(f" · +{news:,} new", style="bold green")
        text.append(
            f" · times in {localtime.zone_name()}, earlier days than today dimmed", style="dim"
        )
        return text
