"""Section 2: the hits dashboard of one site."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import DataTable, Static

from app.api import ApiError
from app.live.dashboard import PANELS, Dashboard
from app.live.ranges import Bucket, Period, RangeKind, Window
from app.live.session import Session
from app.ui import keys
from app.ui.screens.base import LiveScreen
from app.ui.text import clean
from app.ui.widgets.chart import CURRENT_COLOUR, ChartData, HitsChart
from app.ui.widgets.panels import PanelTable
from app.ui.widgets.status import StatusInfo


def bucket_label(window: Window, bucket: Bucket) -> str:
    if window.hourly:
        return bucket.start.strftime("%H:00")
    if window.kind is RangeKind.YEAR:
        # Weekly buckets over a year: the month and year read better than a day, and every
        # label the chart picks names its year ("Nov '25"), short enough to fit a tick.
        return f"{bucket.start:%b '%y}"
    return f"{bucket.start:%b} {bucket.start.day}"


def period_days(period: Period, this_year: int) -> str:
    """First to last UTC day; years are named once the period leaves the current year."""
    first, last = period.first_day, period.last_day
    if first.year == last.year == this_year:
        return f"{first:%b %d} to {last:%b %d}"
    return f"{first:%b} {first.day}, {first.year} to {last:%b} {last.day}, {last.year}"


def chart_labels(window: Window) -> tuple[str, ...]:
    """Bucket labels; the newest bucket is still filling, and its label says so."""
    labels = [bucket_label(window, b) for b in window.current.buckets]
    if labels:
        labels[-1] = "now" if window.hourly else "so far"
    return tuple(labels)


def headline(data: Dashboard) -> Text:
    series = data.series
    text = Text(no_wrap=True, overflow="ellipsis")
    # One run for number and word: a screenshot keeps each styled run apart, and a run that
    # starts with its space loses it when read back ("1,012hits").
    text.append(f"{series.total:,} hits", style="bold")
    text.append(f", {data.window.kind.label}")
    change = data.change
    if change is not None:
        arrow, style = ("▲", "green") if change >= 0 else ("▼", "red")
        text.append(f"   {arrow} {abs(change):.0f}%", style=f"bold {style}")
        text.append(f" vs previous period ({series.previous_total:,})", style="dim")
    elif series.previous_total == 0:
        text.append("   no hits in the previous period", style="dim")
    if data.unique_views is not None:
        text.append(f"   {data.unique_views:,} unique views", style="bold")
    text.append("\n")
    text.append("━ this period", style=CURRENT_COLOUR)
    text.append(" ┈ previous", style="grey50")
    text.append(" · ", style="dim")
    current, previous = data.window.current, data.window.previous
    # The current period ends today, so its last day gives the current year.
    this_year = current.last_day.year
    if data.window.hourly:
        text.append(
            f"{current.start:%b %d %H:00} to now, against the 24 hours before · panels cover "
            f"UTC days {period_days(current, this_year)}",
            style="dim",
        )
    else:
        text.append(
            f"{period_days(current, this_year)} (UTC days, today so far), "
            f"against {period_days(previous, this_year)}",
            style="dim",
        )
    return text


class HitsScreen(LiveScreen[Dashboard]):
    BINDINGS = list(keys.RANGES.bindings)

    def __init__(self, session: Session) -> None:
        super().__init__(session, session.hits_feed)

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
        return StatusInfo(
            site=self.site_label,
            range=self.state.range_kind.label,
            chips=[f"{field}={value}" for field, value in self.state.filters],
        )

    def show(self, data: Dashboard) -> None:
        self.query_one("#headline", Static).update(headline(data))
        labels = chart_labels(data.window)
        self.query_one(HitsChart).show(
            ChartData(labels, data.series.current, data.series.previous, self.state.chart_marker)
        )
        total = data.series.days_total
        for panel_data in data.panels:
            table = self.query_one(f"#panel-{panel_data.panel.group_by}", PanelTable)
            table.show_panel(panel_data, total)

    def failed(self, error: ApiError) -> None:
        if self.freshness.updated_at is None:
            self.query_one("#headline", Static).update(Text(error.message, style="red"))

    # -- keys ------------------------------------------------------------------------------------

    def action_range(self, code: str) -> None:
        self.state.set_range(RangeKind(code))
        self.ask()

    def _focused_panel(self) -> PanelTable | None:
        focused = self.focused
        return focused if isinstance(focused, PanelTable) else None

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

    def action_open_panel(self) -> None:
        table = self._focused_panel()
        if table is not None:
            from app.ui.screens.panel import PanelScreen

            self.app.push_screen(PanelScreen(self.session, table.panel))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_panel()
