"""Section 2: the hits dashboard of one site."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import DataTable, Static

from app import localtime
from app.api import ApiError
from app.live.dashboard import PANEL_ROWS, PANELS, Dashboard
from app.live.ranges import Bucket, Compare, DayRange, Period, Range, RangeKind, Window
from app.live.session import Session
from app.ui import keys
from app.ui.screens.tables import TABLE_BINDINGS, RangedKeys, hidden
from app.ui.text import clean
from app.ui.widgets.chart import CURRENT_COLOUR, ChartData, HitsChart
from app.ui.widgets.panels import PanelTable
from app.ui.widgets.status import StatusInfo
from app.ui.widgets.table import LiveTable

if TYPE_CHECKING:
    from app.opener import Selection
    from app.ui.screens.export import Export


def bucket_label(window: Window, bucket: Bucket) -> str:
    if window.hourly:
        # Hourly buckets are local hours (the headline names the zone); days are UTC days.
        return localtime.clock(bucket.start)
    if window.weekly:
        # Weekly buckets over months: the month and year read better than a day, and every
        # label the chart picks names its year ("Nov '25"), short enough to fit a tick.
        return f"{bucket.start:%b '%y}"
    return f"{bucket.start:%b} {bucket.start.day}"


def period_days(period: Period, this_year: int) -> str:
    """First to last UTC day; years are named once the period leaves the current year."""
    first, last = period.first_day, period.last_day
    if first == last:
        return (
            f"{first:%b %d}" if first.year == this_year else f"{first:%b} {first.day}, {first.year}"
        )
    if first.year == last.year == this_year:
        return f"{first:%b %d} to {last:%b %d}"
    return f"{first:%b} {first.day}, {first.year} to {last:%b} {last.day}, {last.year}"


def chart_labels(window: Window) -> tuple[str, ...]:
    """Bucket labels; the newest bucket is still filling when the range runs to now, and its
    label says so."""
    labels = [bucket_label(window, b) for b in window.current.buckets]
    if labels and window.ongoing:
        labels[-1] = "now" if window.hourly else "so far"
    return tuple(labels)


# How far back the previous period's same moment is, and what a complete bucket is.
BEFORE = {
    RangeKind.DAY: ("yesterday", "complete hours, this hour left out"),
    RangeKind.WEEK: ("a week before", "complete days, today left out"),
    RangeKind.MONTH: ("30 days before", "complete days, today left out"),
    RangeKind.YEAR: ("52 weeks before", "complete weeks, this week left out"),
}
# The comparison of any range with the same period a year earlier.
A_YEAR_EARLIER = "a year earlier"


def before_words(window: Window) -> str:
    """How far back the period compared with is: `a week before`, `5 days before`, `a year
    earlier`."""
    if window.compare is Compare.YEAR:
        return A_YEAR_EARLIER
    kind = window.kind
    if isinstance(kind, RangeKind):
        return BEFORE[kind][0]
    return "the day before" if kind.days == 1 else f"{kind.days} days before"


def complete_words(window: Window) -> str:
    """The complete buckets compared when the one in progress cannot be (a day too busy)."""
    if window.hourly:
        return "complete hours, this hour left out"
    if window.weekly:
        return "complete weeks, this week left out"
    return "complete days, today left out"


def ghost_words(window: Window) -> str:
    """What the chart's grey line is."""
    return A_YEAR_EARLIER if window.compare is Compare.YEAR else "previous"


def compared_words(data: Dashboard) -> str:
    """The span the change is measured against, equal to this period's: `to the same time a
    week before`, `in the 31 days before` (a range that ended), or `over the same complete
    days, today left out`."""
    compared = data.series.compared
    window = data.window
    before = before_words(window)
    if compared is not None and not compared.same_moment:
        complete, left_out = complete_words(window).split(", ")
        earlier = f" {A_YEAR_EARLIER}" if window.compare is Compare.YEAR else ""
        return f"over the same {complete}{earlier}, {left_out}"
    if not window.ongoing:
        if window.compare is Compare.YEAR:
            return f"in the same days {A_YEAR_EARLIER}"
        kind = window.kind
        days = kind.days if isinstance(kind, DayRange) else len(window.previous.buckets)
        return "in the day before" if days == 1 else f"in the {days} days before"
    return f"to the same time {before}"


def days_note(window: Window) -> str:
    """What the dates of a range of days are: `UTC days, today so far`."""
    note = "UTC day" if window.current.first_day == window.current.last_day else "UTC days"
    if window.ongoing:
        note += ", today so far"
    if window.hourly:
        note += f", times in {localtime.zone_name()}"
    return note


def headline(data: Dashboard) -> Text:
    series = data.series
    window = data.window
    text = Text(no_wrap=True, overflow="ellipsis")
    # One run for number and word: a screenshot keeps each styled run apart, and a run that
    # starts with its space loses it when read back ("1,012hits").
    text.append(f"{series.total:,} hits", style="bold")
    text.append(f", {window.label}")
    change = data.change
    if change is not None:
        arrow, style = ("▲", "green") if change >= 0 else ("▼", "red")
        text.append(f"   {arrow} {abs(change):.0f}%", style=f"bold {style}")
        against = series.compared.previous if series.compared else 0
        text.append(f" vs {against:,} {compared_words(data)}", style="dim")
    elif series.compared is not None:
        # No hits in the span compared: there is no ratio to give.
        text.append(f"   no hits {compared_words(data)}", style="dim")
    if data.unique_views is not None:
        text.append(f"   {data.unique_views:,} unique views", style="bold")
    text.append("\n")
    text.append("━ this period", style=CURRENT_COLOUR)
    text.append(f" ┈ {ghost_words(window)}", style="grey50")
    text.append(" · ", style="dim")
    current, previous = window.current, window.previous
    this_year = data.fetched_at.year
    if window.kind is RangeKind.DAY:
        year = window.compare is Compare.YEAR
        before = "the same hours a year earlier" if year else "the 24 hours before"
        text.append(
            # The panels count whole UTC days: each says so under it (`panel_subtitle`).
            f"{localtime.day_and_time(current.start)} to now, times in {localtime.zone_name()}, "
            f"against {before}",
            style="dim",
        )
    else:
        text.append(
            f"{period_days(current, this_year)} ({days_note(window)}), "
            f"against {period_days(previous, this_year)}{cut_words(data)}",
            style="dim",
        )
    return text


def cut_words(data: Dashboard) -> str:
    """Where the period compared with is cut, when it is (` 14:30 UTC`)."""
    cut = data.window.cut
    compared = data.series.compared
    if cut is None or compared is None or not compared.same_moment or not data.window.ongoing:
        return ""
    return f" {cut:%H:%M} UTC"


def panel_subtitle(data: Dashboard) -> str:
    """Under each panel, its window where it is not the chart's: the API groups hits by whole
    UTC days, so in the 24-hour view the panels count from yesterday's UTC midnight."""
    if data.window.kind is not RangeKind.DAY:
        return ""
    return f"since {data.window.current.first_day:%b %d} 00:00 UTC"


# -- narrow terminals: the headline's shorter forms ----------------------------------------------

SHORT_RANGE = {
    RangeKind.DAY: "24h",
    RangeKind.WEEK: "7d",
    RangeKind.MONTH: "30d",
    RangeKind.YEAR: "12mo",
}


def short_range(chosen: Range) -> str:
    """A range in a few cells: `7d`, `last month`, `Oct 1–Nov 15`."""
    if isinstance(chosen, RangeKind):
        return SHORT_RANGE[chosen]
    if chosen.preset is not None:
        return chosen.preset.label
    first, last = chosen.first, chosen.last
    if first == last:
        return f"{first:%b} {first.day} '{first:%y}"
    if first.year != last.year:
        return f"{first:%b} {first.day} '{first:%y}–{last:%b} {last.day} '{last:%y}"
    return f"{first:%b} {first.day}–{last:%b} {last.day} '{last:%y}"


def fit_headline(data: Dashboard, width: int) -> Text:
    """The headline's two lines, each in the fullest form that fits `width` cells: narrow
    terminals get shorter words, never fewer years."""
    full = headline(data).split("\n")
    lines = []
    for index, forms in enumerate((_counts_forms(data), _dates_forms(data))):
        candidates = [full[index], *forms] if index < len(full) else forms
        chosen = next((c for c in candidates if c.cell_len <= width), candidates[-1])
        lines.append(chosen)
    text = Text("\n").join(lines)
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


def _counts_forms(data: Dashboard) -> list[Text]:
    """The first line shorter and shorter: the change without its words, then the uniques
    left out, then the range in a few letters."""
    series = data.series
    change = data.change
    compared = series.compared.previous if series.compared else series.previous_total

    def form(range_words: str, *, against: bool, uniques: bool) -> Text:
        text = Text()
        text.append(f"{series.total:,} hits", style="bold")
        text.append(f", {range_words}")
        if change is not None:
            arrow, style = ("▲", "green") if change >= 0 else ("▼", "red")
            text.append(f"  {arrow} {abs(change):.0f}%", style=f"bold {style}")
            if against:
                text.append(f" vs {compared:,}", style="dim")
                if data.window.compare is Compare.YEAR:
                    text.append(f" {A_YEAR_EARLIER}", style="dim")
        if uniques and data.unique_views is not None:
            text.append(f"  {data.unique_views:,} unique", style="bold")
        return text

    label, short = data.window.label, short_range(data.window.kind)
    return [
        form(label, against=True, uniques=True),
        form(label, against=False, uniques=True),
        form(label, against=False, uniques=False),
        form(short, against=False, uniques=False),
    ]


def _dates_forms(data: Dashboard) -> list[Text]:
    """The second line shorter and shorter: each line's style next to its own dates, then
    years as 'yy, then without "against"."""
    window = data.window
    current, previous = window.current, window.previous
    this_year = data.fetched_at.year
    year = window.compare is Compare.YEAR

    def form(now: str, before: str, *, note: str = "", against: str = " against") -> Text:
        text = Text()
        text.append("━", style=CURRENT_COLOUR)
        text.append(f" {now}{note}", style="dim")
        text.append(" ┈", style="grey50")
        text.append(f"{against} {before}", style="dim")
        return text

    if window.kind is RangeKind.DAY:
        first = current.buckets[0].start
        zone, start = localtime.abbreviation(first), localtime.clock(first)
        before = A_YEAR_EARLIER if year else "the 24 hours before"
        shorter = A_YEAR_EARLIER if year else "24 hours before"
        return [
            form(f"{localtime.day_and_time(first)} to now, {zone}", before),
            form(f"{start} to now, {zone}", before),
            form(f"since {start} {zone}", shorter, against=""),
        ]
    now, before = period_days(current, this_year), period_days(previous, this_year)
    now_short, before_short = short_days(current, this_year), short_days(previous, this_year)
    # The grey line's name goes with the dates when it is not the period just before.
    against = f" {A_YEAR_EARLIER}," if year else " against"
    return [
        form(now, before, note=f" ({days_note(window)})", against=against),
        form(now, before, against=against),
        form(now_short, before_short, against=against),
        form(now_short, before_short, against=""),
    ]


def short_days(period: Period, this_year: int) -> str:
    """`period_days` in fewer cells, `Nov 22 '25–Nov 20 '26`: the years still named."""
    first, last = period.first_day, period.last_day
    if first.year == last.year == this_year:
        return f"{first:%b} {first.day}–{last:%b} {last.day}"
    return f"{first:%b} {first.day} '{first:%y}–{last:%b} {last.day} '{last:%y}"


# -- the chart's and the panels' heights ---------------------------------------------------------

# Rows that are neither the chart nor the panels: header, headline (2), status line, footer.
FIXED_ROWS = 5
CHART_ROWS, SHORT_CHART_ROWS = 12, 8
# A row of panels keeps nine of its rows in view, and grows until it shows all it holds.
PANEL_MIN, PANEL_MAX = 11, PANEL_ROWS + 2


def dashboard_layout(height: int, columns: int, *, short: bool) -> tuple[int, int]:
    """The chart's height and each row of panels' on a screen `height` rows tall.

    Below what both need, the chart keeps its height and the panels scroll as a group. Above
    it, the room left is shared between the chart and each row of panels, the panels up to
    the rows they hold, and the chart takes the rest."""
    rows = math.ceil(len(PANELS) / columns)
    body = height - FIXED_ROWS
    chart = SHORT_CHART_ROWS if short else CHART_ROWS
    spare = body - chart - rows * PANEL_MIN
    if spare <= 0:
        return chart, PANEL_MIN
    panel = min(PANEL_MAX, PANEL_MIN + spare // (rows + 1))
    return body - rows * panel, panel


class HitsScreen(RangedKeys[Dashboard]):
    # The panels' table keys work, out of the footer (it is the ranges' here); `/` opens the
    # focused panel full-screen to search all of its rows, not just the top ten.
    BINDINGS = [
        *keys.RANGES.bindings,
        *hidden(b for b in TABLE_BINDINGS if b.id != "search.clear"),
    ]
    # The headline is fitted to the width (`fit_headline`): a line that wrapped would push the
    # dates off its two rows.
    DEFAULT_CSS = """
    HitsScreen #headline { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, session: Session) -> None:
        super().__init__(session, session.hits_feed)
        self._shown: Dashboard | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="headline")
        yield HitsChart(id="chart")
        with Grid(id="panels"):
            for panel in PANELS:
                yield PanelTable(panel)

    def on_mount(self) -> None:
        if self.feed.data is None:
            self.query_one("#headline", Static).update(Text("loading…", style="dim"))

    def status_info(self) -> StatusInfo:
        chosen = self.state.range
        against = [A_YEAR_EARLIER] if self.state.compare is Compare.YEAR else []
        return StatusInfo(
            site=self.site_label,
            range=chosen.label,
            chips=[*against, *(f"{field}={value}" for field, value in self.state.filters)],
            short_range=short_range(chosen),
            load_cost=self.load_cost_words(),
        )

    def load_cost_words(self) -> str | None:
        """While a load that costs many requests runs: what it costs, as the live layer judged
        it before sending the first (`~110 requests, then slowed ×3`)."""
        cost = self.session.hits_feed.load_cost()
        if cost is None or not cost.many:
            return None
        words = f"~{cost.requests} requests"
        if cost.requests > cost.left:
            # The limiter holds the rest back until the hour's window frees up.
            words += f", {cost.left} left this hour"
        elif cost.slowed >= 1.5:  # the threshold of the API use's `slowed ×n`
            words += f", then slowed ×{cost.slowed:.0f}"
        return words

    # -- layout: the chart and the panels share what the terminal's height leaves -------------

    def on_resize(self) -> None:
        narrow, short = self.has_class("-narrow"), self.has_class("-short")
        chart, panel = dashboard_layout(self.size.height, 2 if narrow else 3, short=short)
        self.query_one(HitsChart).styles.height = chart
        self.query_one("#panels", Grid).styles.grid_rows = str(panel)
        self._show_headline()

    def _show_headline(self) -> None:
        if self._shown is None:
            return
        line = self.query_one("#headline", Static)
        # Padding is one cell each side.
        width = (line.size.width or self.size.width) - 2
        line.update(fit_headline(self._shown, width))

    def show(self, data: Dashboard) -> None:
        self._shown = data
        self._show_headline()
        labels = chart_labels(data.window)
        self.query_one(HitsChart).show(
            ChartData(
                labels,
                data.series.current,
                data.series.previous,
                self.state.chart_marker,
                filling=data.window.ongoing,
            )
        )
        total = data.series.days_total
        covers = panel_subtitle(data)
        for panel_data in data.panels:
            table = self.query_one(f"#panel-{panel_data.panel.group_by}", PanelTable)
            table.show_panel(panel_data, total)
            table.border_subtitle = covers

    def failed(self, error: ApiError) -> None:
        if self.freshness.updated_at is None:
            self.query_one("#headline", Static).update(Text(error.message, style="red"))

    # -- keys ------------------------------------------------------------------------------------

    def _focused_panel(self) -> PanelTable | None:
        focused = self.focused
        return focused if isinstance(focused, PanelTable) else None

    def export_source(self) -> Export | None:
        """The focused panel's every row, paged from the server (it shows the top ten)."""
        from app.live.export import PanelList
        from app.ui.screens.export import Export

        table = self._focused_panel()
        if table is None:
            return None
        source = PanelList(self.session, table.panel)
        return Export(source.what, source, self.site_label)

    def selection(self) -> Selection | None:
        from app.opener import grouped_selection

        table = self._focused_panel()
        site_id = self.state.site_id
        if table is None or site_id is None:
            return None
        found, value = table.selected_value
        if not found:
            return None
        return grouped_selection(table.panel.group_by, value, self.session.sites.url(site_id))

    def action_filter_by_row(self) -> None:
        table = self._focused_panel()
        if table is None:
            self.notify("Move to the Pages, Referrers or Countries panel (tab), then press f.")
            return
        found, value = table.selected_value
        if not found:
            return
        field = table.panel.filter_field
        if field is None:
            self.notify(f"The API cannot filter hits by {table.panel.name.lower()}.")
            return
        if not value:
            self.notify("The API cannot filter direct or hidden referrers.")
            return
        self.state.add_filter(field, value)
        self.notify(f"filtered by {field} = {clean(value)}", timeout=3, markup=False)
        self.ask()

    def action_remove_filter(self) -> None:
        if self.state.remove_last_filter():
            self.ask()

    def action_stream(self) -> None:
        from app.ui.screens.stream import LiveHitsScreen

        self.app.push_screen(LiveHitsScreen(self.session))

    def action_open_panel(self, search: bool = False) -> None:
        table = self._focused_panel()
        if table is not None:
            from app.ui.screens.panel import PanelScreen

            self.app.push_screen(PanelScreen(self.session, table.panel, search=search))

    def search_elsewhere(self, table: LiveTable) -> None:
        self.action_open_panel(search=True)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_panel()
