"""One journey as a timeline: every page with its time offset from the first (pushed screen).

Its feed refreshes through the list's pager, so a session still in progress grows here too, at
the cost of the list's own refresh (about one request), and only while it is the visible screen.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from app import localtime
from app.api import UserJourney
from app.durations import compact
from app.live.feeds.journeys import JourneyFeed, JourneyTimeline
from app.live.journeys import (
    JourneySpan,
    Visit,
    duration_seconds,
    journey_key,
    started_at,
    timeline,
)
from app.live.ranges import RangeKind
from app.live.session import Session
from app.ui.screens.tables import RANGE_KEYS, TABLE_BINDINGS, TableKeys, hidden
from app.ui.text import literal
from app.ui.widgets.search import SearchBox
from app.ui.widgets.status import StatusInfo
from app.ui.widgets.table import SERVER_TEXT, Cell, Column, LiveTable

TIMELINE_BINDINGS = (
    Binding("escape", "app.pop_screen", "Back", id="journey.back"),
    Binding("f", "page_hits", "Hits of page", id="journey.filter"),
)

COLUMNS = (
    Column("number", "#", 3),
    Column("at", "Time", 12),
    Column("offset", "Offset", 9),
    Column("stay", "Stayed", 9),
    Column("path", "Page", max_width=SERVER_TEXT, path=True),
)


def range_words(span: JourneySpan) -> str:
    if span.substituted and span.asked is RangeKind.YEAR:
        return f"{span.kind.label} (no 12 months for journeys)"
    return span.kind.label


def journey_duration(journey: UserJourney) -> Text:
    """The API's own words ("8m") when it sent them, else worked out from the pages."""
    if journey.session_duration:
        return literal(journey.session_duration)
    seconds = duration_seconds(journey)
    return Text(compact(seconds) if seconds is not None else "–")


def visit_cells(visit: Visit, *, first_day: date | None, last: bool) -> list[Text]:
    if visit.at is None or first_day is None:
        at = Cell("–", "")
    else:
        # The headline gives the (local) day it started; a visit past midnight says how many
        # days on.
        later = (localtime.local(visit.at).date() - first_day).days
        shown = localtime.clock(visit.at, seconds=True) + (f" +{later}d" if later else "")
        at = Cell(shown, visit.at.isoformat())
    offset = Cell("–" if visit.offset is None else "+" + compact(visit.offset), justify="right")
    if visit.stay is not None:
        stay = Cell(compact(visit.stay), visit.stay, justify="right")
    elif last:
        stay = Cell(Text("exit", style="dim italic"), justify="right")
    else:
        stay = Cell("–", justify="right")
    return [
        Cell(str(visit.number), visit.number, justify="right"),
        at,
        offset,
        stay,
        Cell(literal(visit.path, empty="(unknown)")),
    ]


def headline(journey: UserJourney, gone: bool) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("Visitor ", style="bold")
    text.append_text(literal(journey.visitor_hash, empty="(anonymous)", style="bold"))
    count = journey.page_count if journey.page_count is not None else len(journey.pages)
    text.append(f" · {count:,} pages · ")
    text.append_text(journey_duration(journey))
    start = started_at(journey)
    if start is not None:
        # The zone is named here once; the timeline's times are in it.
        text.append(
            f" · started {localtime.day_and_time(start, seconds=True)} "
            f"{localtime.abbreviation(start)}"
        )
    text.append("\nentry ", style="dim")
    text.append_text(literal(journey.entry_page, empty="(unknown)"))
    text.append(" → exit ", style="dim")
    text.append_text(literal(journey.exit_page, empty="(unknown)"))
    if gone:
        text.append("  (no longer among the newest journeys: as last seen)", style="yellow")
    return text


class JourneyScreen(TableKeys[JourneyTimeline]):
    feed: JourneyFeed
    DEFAULT_CSS = """
    JourneyScreen #journey-headline { height: 2; padding: 0 1; }
    JourneyScreen #journey-timeline {
        height: 1fr; margin: 0 1; border: round $primary 40%; border-title-color: $text;
        overflow-x: hidden; scrollbar-size-vertical: 1;
    }
    JourneyScreen #journey-timeline:focus { border: round $accent; }
    """
    BINDINGS = [
        # Escape clears a search first, then goes back.
        *(b for b in TABLE_BINDINGS if b.id == "search.clear"),
        *TIMELINE_BINDINGS,
        *(b for b in TABLE_BINDINGS if b.id != "search.clear"),
        *hidden(RANGE_KEYS),
    ]
    RANGE_REASON = "A journey's timeline has no range: escape goes back to the list."

    def __init__(self, session: Session, journey: UserJourney, span: JourneySpan) -> None:
        """`journey` as the list shows it, of the list's `span`."""
        super().__init__(session, session.journey_feed(journey_key(journey)))
        self.journey = journey
        self.span = span
        self.gone = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="journey-headline")
        yield SearchBox("pages containing: type, escape to clear")
        yield LiveTable(COLUMNS, id="journey-timeline", title="Timeline")

    def on_mount(self) -> None:
        self._draw()
        self.query_one(LiveTable).focus()

    def on_screen_resume(self) -> None:
        if self.state.site_id != self.feed.site_id:
            # Another site was opened meanwhile: this journey is not of the site shown.
            self.call_later(self._leave)

    def _leave(self) -> None:
        if self.is_current:
            self.dismiss()

    def status_info(self) -> StatusInfo:
        return StatusInfo(site=self.site_label, range=range_words(self.span))

    def show(self, data: JourneyTimeline) -> None:
        self.gone = data.journey is None
        if data.journey is not None:
            self.journey = data.journey
            self.span = data.span
        self._draw()

    def _draw(self) -> None:
        self.query_one("#journey-headline", Static).update(headline(self.journey, self.gone))
        visits = timeline(self.journey)
        start = started_at(self.journey)
        first_day = localtime.local(start).date() if start else None
        self.query_one(LiveTable).show(
            [
                (str(v.number), visit_cells(v, first_day=first_day, last=v.number == len(visits)))
                for v in visits
            ]
        )

    # -- keys ------------------------------------------------------------------------------------

    def action_page_hits(self) -> None:
        key = self.query_one(LiveTable).selected_key
        pages = self.journey.pages
        if key is None or not 0 < int(key) <= len(pages):
            return
        path = pages[int(key) - 1].path
        if not path:
            self.notify("This page has no path to filter by.", timeout=3)
            return
        self.state.set_filters((("path", path),))
        self.navigate("hits")
