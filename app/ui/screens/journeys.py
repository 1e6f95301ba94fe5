"""Section 4: how visitors move through the current site.

Two views of the same fetched journeys, switched with `c`: the list (summary, top entry and exit
pages, the newest journeys; `enter` opens one as a timeline) and the common paths (the most
frequent page-to-page steps and the pages journeys end on, with exit rates so that drop-off points
stand out). A toggle rather than side by side: at 120 columns each view already needs the width
for its paths, and at 80x24 either one alone is just readable.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable

from app import localtime
from app.api import ApiError, PathVisitors, UserJourney
from app.live.feeds.journeys import JourneysFeed
from app.live.journeys import (
    CommonPaths,
    Journeys,
    Leave,
    Step,
    common_paths,
    duration_seconds,
    journey_key,
    started_at,
)
from app.live.ranges import DayRange, RangeKind, span_words
from app.live.session import Session
from app.ui.keys import KeyGroup
from app.ui.screens.journey import TIMELINE_BINDINGS, JourneyScreen, journey_duration, range_words
from app.ui.screens.tables import RANGE_KEYS, TABLE_BINDINGS, RangedKeys, hidden
from app.ui.text import clean, literal
from app.ui.widgets.phrases import Facts, Phrases
from app.ui.widgets.search import SearchBox
from app.ui.widgets.status import StatusInfo
from app.ui.widgets.table import SERVER_TEXT, Cell, Column, LiveTable, number, route

# The shared range keys; 12 months stays out of the footer and says why when pressed: journeys
# cover at most 30 days (`journey_span`). Nor is there a comparison here (`v`).
OUT_OF_FOOTER = ("range.year", "range.compare")
RANGE_BINDINGS = (
    *(b for b in RANGE_KEYS if b.id not in OUT_OF_FOOTER),
    *hidden(b for b in RANGE_KEYS if b.id in OUT_OF_FOOTER),
)

LIST_BINDINGS = (
    Binding("enter", "open", "Timeline", id="journeys.open"),
    Binding("c", "toggle_paths", "Common paths", id="journeys.paths"),
    Binding("f", "page_hits", "Hits of page", id="journeys.filter", show=False),
    Binding("n", "more", "More journeys", id="journeys.more", show=False),
)
KEYS = KeyGroup("Journeys", (*LIST_BINDINGS, *TIMELINE_BINDINGS))

HELP_TEXT: dict[str, str] = {
    "journeys.open": "Open the selected journey as a timeline",
    "journeys.paths": "Switch between the journey list and the common paths",
    "journeys.filter": "Hits dashboard of the selected page (top entry/exit pages, exits)",
    "journeys.more": "Load 50 more journeys (also at the end of the list)",
    "journey.back": "Back from a journey's timeline to the list",
    "journey.filter": "Hits dashboard of the timeline's selected page",
}

# Fixed widths: the paths get the rest from the first paint on, and nothing jumps on a refresh.
# Paths are cut in the middle (entry and exit each keep both ends); on a narrow terminal the
# visitor and the counts give way to them.
LIST_COLUMNS = (
    Column("start", "Started", 12),
    Column("visitor", "Visitor", 12, priority=1),
    Column("pages", "Pages", 5, priority=3),
    Column("time", "Time", 6, priority=2),
    Column("path", "Entry → exit", max_width=SERVER_TEXT, path=True, min_width=20),
)
TOP_COLUMNS = (
    Column("visitors", "Visitors", 8),
    Column("share", "Share", 5, priority=1),
    Column("path", "Page", max_width=SERVER_TEXT, path=True),
)
STEP_COLUMNS = (
    Column("count", "Times", 6),
    Column("share", "Share", 5, priority=1),
    Column("step", "From → to", max_width=SERVER_TEXT, path=True, min_width=20),
)
LEAVE_COLUMNS = (
    Column("exits", "Exits", 6),
    Column("rate", "Exit rate", 9),
    Column("views", "Views", 6, priority=1),
    Column("path", "Page", max_width=SERVER_TEXT, path=True, min_width=16),
)

# Fewer views than this and a rate says little: it is not singled out.
MIN_VIEWS_TO_STRESS = 5


def _count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def percent(share: float, *, style: str = "") -> Cell:
    return Cell(Text(f"{share * 100:.0f}%", style=style), share, justify="right")


def summary_text(data: Journeys, paths: CommonPaths, *, paths_view: bool) -> Facts:
    summary = data.summary
    counts: list[Text] = []
    if summary is None:
        counts.append(Text("no summary in the answer", style="dim"))
    else:
        rate = summary.bounce_rate
        for value, words in (
            (_count(summary.total_visitors), " visitors"),
            (_count(summary.multi_page_visitors), " multi-page"),
            (_count(summary.single_page_visitors), " single-page"),
        ):
            counts.append(Text(value, style="bold").append(words))
        counts.append(Text("bounce rate ").append("–" if rate is None else f"{rate:.1f}%", "bold"))
    span = data.span
    # Days chosen may be of another year: they name it.
    days = (
        span_words(span.first, span.last)
        if isinstance(span.asked, DayRange)
        else f"{span.first:%b %d} to {span.last:%b %d}"
    )
    about = [Text(f"{days} (UTC days), times {localtime.zone_name()}", style="dim")]
    if span.note and isinstance(span.asked, DayRange):
        about.append(Text(span.note, style="yellow"))
    if paths_view:
        held = f"common paths of {paths.journeys:,} of {data.total:,} journeys"
        about += [Text(held, style="dim"), Text("c: list", style="dim")]
    else:
        held = f"{len(data.journeys):,} of {data.total:,} journeys"
        about += [Text(held, style="dim"), Text("c: common paths", style="dim")]
    return [counts, about]


def journey_cells(journey: UserJourney) -> list[Text]:
    start = started_at(journey)
    started = (
        Cell("–", "") if start is None else Cell(localtime.day_and_time(start), start.isoformat())
    )
    count = journey.page_count if journey.page_count is not None else len(journey.pages)
    entry = literal(journey.entry_page, empty="(unknown)")
    entry_exit = route(entry, literal(journey.exit_page, empty="(unknown)"))
    seconds = duration_seconds(journey)
    return [
        started,
        Cell(literal(journey.visitor_hash, empty="–")),
        number(count),
        Cell(journey_duration(journey), -1 if seconds is None else seconds, justify="right"),
        entry_exit,
    ]


def _pages_text(journey: UserJourney) -> str:
    """Every page of the journey, for the search: journeys through a page, not only from or to."""
    return " ".join(clean(page.path) for page in journey.pages if page.path)


def top_cells(row: PathVisitors, total: int | None) -> list[Text]:
    share = (row.visitors or 0) / total if total else 0.0
    return [number(row.visitors, missing="–"), percent(share), Cell(literal(row.path, empty="–"))]


def step_cells(step: Step) -> list[Text]:
    step_text = route(
        literal(step.source, empty="(unknown)"), literal(step.target, empty="(unknown)")
    )
    return [number(step.count), percent(step.share), step_text]


def rate_style(leave: Leave) -> str:
    if leave.views < MIN_VIEWS_TO_STRESS:
        return "dim"
    if leave.rate >= 0.6:
        return "bold red"
    if leave.rate >= 0.4:
        return "yellow"
    return ""


def leave_cells(leave: Leave) -> list[Text]:
    return [
        number(leave.exits),
        percent(leave.rate, style=rate_style(leave)),
        number(leave.views),
        Cell(literal(leave.path, empty="(unknown)")),
    ]


def panel(columns: tuple[Column, ...], id: str, title: str, *, header: bool = True) -> LiveTable:
    table = LiveTable(columns, id=id, classes="journeys-panel", title=title)
    table.show_header = header
    return table


LIST_TITLE = "Journeys (multi-page visitors)"


class JourneysScreen(RangedKeys[Journeys]):
    feed: JourneysFeed
    DEFAULT_CSS = """
    JourneysScreen #journeys-headline { height: auto; padding: 0 1; }
    JourneysScreen .journeys-panel {
        border: round $primary 40%; border-title-color: $text;
        overflow-x: hidden; scrollbar-size-vertical: 1;
    }
    JourneysScreen .journeys-panel:focus { border: round $accent; }
    JourneysScreen #journeys-main { height: 1fr; padding: 0 1; }
    JourneysScreen #journeys-top { height: 7; }
    JourneysScreen #journeys-top > LiveTable { width: 1fr; height: 100%; }
    JourneysScreen #journeys-list { height: 1fr; }
    JourneysScreen #journeys-paths { height: 1fr; padding: 0 1; layout: horizontal; }
    JourneysScreen #journeys-paths > LiveTable { width: 1fr; height: 1fr; }
    JourneysScreen.-narrow #journeys-paths { layout: vertical; }
    """
    BINDINGS = [*RANGE_BINDINGS, *LIST_BINDINGS, *TABLE_BINDINGS]

    def __init__(self, session: Session) -> None:
        super().__init__(session, session.journeys_feed)
        self.data: Journeys | None = None  # what is on screen
        self.paths_view = False
        self._paths = common_paths(())
        self._journeys: dict[str, UserJourney] = {}
        # Per table of pages (top entries, top exits, leaves): row key → path, for `f`.
        self._page_paths: dict[str, dict[str, str | None]] = {}

    def compose_body(self) -> ComposeResult:
        yield SearchBox("journeys through a page or of a visitor: type, escape to clear")
        yield Phrases([[Text("loading…", style="dim")]], id="journeys-headline")
        with Vertical(id="journeys-main"):
            with Horizontal(id="journeys-top"):
                yield panel(TOP_COLUMNS, "journeys-entries", "Top entry pages", header=False)
                yield panel(TOP_COLUMNS, "journeys-exits", "Top exit pages", header=False)
            journeys = panel(LIST_COLUMNS, "journeys-list", LIST_TITLE)
            # Newest first, also for journeys that arrive later.
            journeys.sort_column, journeys.sort_reverse = "start", True
            yield journeys
        with Horizontal(id="journeys-paths"):
            yield panel(STEP_COLUMNS, "journeys-steps", "Most frequent steps")
            yield panel(LEAVE_COLUMNS, "journeys-leaves", "Where visitors leave")

    def on_mount(self) -> None:
        self.query_one("#journeys-paths").display = False
        self.table("journeys-list").focus()

    def table(self, name: str) -> LiveTable:
        return self.query_one(f"#{name}", LiveTable)

    def status_info(self) -> StatusInfo:
        span = self.feed.span()
        words = range_words(span)
        if span.note and isinstance(span.asked, DayRange):
            words = f"{span.kind.label} (30 days at most)"
        info = StatusInfo(site=self.site_label, range=words)
        if chip := self.search_chip():
            info.chips.append(chip)
        return info

    def show(self, data: Journeys) -> None:
        self.data = data
        self._paths = common_paths(data.journeys)
        self._journeys = {journey_key(j): j for j in data.journeys}
        total = data.summary.total_visitors if data.summary else None
        insights = data.insights
        for name, rows in (
            ("journeys-entries", insights.top_entry_pages if insights else []),
            ("journeys-exits", insights.top_exit_pages if insights else []),
        ):
            self._page_paths[name] = {str(i): row.path for i, row in enumerate(rows)}
            self.table(name).show([(str(i), top_cells(r, total)) for i, r in enumerate(rows)])
        self._fill_list()
        leaves = self._paths.leaves
        self._page_paths["journeys-leaves"] = {str(i): leave.path for i, leave in enumerate(leaves)}
        self.table("journeys-steps").show(
            [(str(i), step_cells(s)) for i, s in enumerate(self._paths.steps)]
        )
        self.table("journeys-leaves").show(
            [(str(i), leave_cells(leave)) for i, leave in enumerate(leaves)]
        )
        self._headline()

    def _fill_list(self) -> None:
        """The journeys held; the `/` search finds them by any page they went through too."""
        table = self.table("journeys-list")
        table.server_total = self.data.total if self.data is not None else None
        table.show(
            [(key, journey_cells(j)) for key, j in self._journeys.items()],
            extra={key: _pages_text(j) for key, j in self._journeys.items()},
        )

    def _headline(self) -> None:
        if self.data is None:
            return
        facts = summary_text(self.data, self._paths, paths_view=self.paths_view)
        self.query_one("#journeys-headline", Phrases).show(facts)

    def failed(self, error: ApiError) -> None:
        if self.data is None:
            error_text = Text(error.message, style="red")
            self.query_one("#journeys-headline", Phrases).show([[error_text]])

    # -- keys ------------------------------------------------------------------------------------

    def action_range(self, code: str) -> None:
        if RangeKind(code) is RangeKind.YEAR:
            self.refuse("Journeys cover at most 30 days: no 12 months here.")
            return
        self.state.set_range(RangeKind(code))

    def action_compare(self) -> None:
        self.refuse("Journeys compare nothing: v compares periods on the hits dashboard (2).")

    def target_table(self) -> LiveTable | None:
        focused = self.focused
        if isinstance(focused, LiveTable):
            return focused
        return self.table("journeys-steps" if self.paths_view else "journeys-list")

    def action_toggle_paths(self) -> None:
        # The search stays with the table it narrows; its box goes with the view.
        if self.search_box is not None and self.search_box.display:
            self.action_clear_search()
        self.paths_view = not self.paths_view
        self.query_one("#journeys-main").display = not self.paths_view
        self.query_one("#journeys-paths").display = self.paths_view
        self.table("journeys-steps" if self.paths_view else "journeys-list").focus()
        self._headline()

    def action_open(self) -> None:
        if self.focused is not self.table("journeys-list"):
            return
        key = self.table("journeys-list").selected_key
        journey = self._journeys.get(key) if key is not None else None
        if journey is not None and self.data is not None:
            self.app.push_screen(JourneyScreen(self.session, journey, self.data.span))

    def action_page_hits(self) -> None:
        focused: Widget | None = self.focused
        name = focused.id if focused is not None else None
        if name not in self._page_paths or not isinstance(focused, LiveTable):
            self.notify("Move to a table of pages (tab), then press f.", timeout=3)
            return
        key = focused.selected_key
        path = self._page_paths[name].get(key) if key is not None else None
        if not path:
            self.notify("This row has no page to filter by.", timeout=3)
            return
        self.state.set_filters((("path", path),))
        self.navigate("hits")

    def action_more(self) -> None:
        if self.feed.more():
            return
        if self.data is not None and not self.data.more_available:
            held = len(self.data.journeys)
            why = "all of them" if held >= self.data.total else "the most this screen keeps"
            self.notify(f"{held:,} journeys loaded: {why}.", timeout=3)

    @on(DataTable.RowSelected, "#journeys-list")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    @on(DataTable.RowHighlighted, "#journeys-list")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - 5:
            self.feed.more()
