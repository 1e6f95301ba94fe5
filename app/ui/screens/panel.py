"""One top panel full-screen, with every row paged from the server as the user scrolls."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from app.live.dashboard import Panel, PanelRow
from app.live.feeds.panel import PanelFeed, Rows
from app.live.session import Session
from app.ui.screens.base import LiveScreen
from app.ui.text import clean
from app.ui.widgets.panels import PANEL_COLUMNS, panel_cells
from app.ui.widgets.status import StatusInfo
from app.ui.widgets.table import LiveTable


class PanelScreen(LiveScreen[Rows]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="panel.back"),
        Binding("f", "filter_by_row", "Filter", id="panel.filter"),
        Binding("n", "more", "More rows", id="panel.more"),
    ]

    def __init__(self, session: Session, panel: Panel) -> None:
        feed = session.panel_feed(panel)
        super().__init__(session, feed)
        self.rows_feed: PanelFeed = feed  # typed: `more()` is the panel's own intent
        self.panel = panel
        self._rows: tuple[PanelRow, ...] = ()

    def compose_body(self) -> ComposeResult:
        yield Static("", id="panel-title")
        yield LiveTable(PANEL_COLUMNS, id="panel-all")

    def on_mount(self) -> None:
        # LiveScreen's own on_mount runs after this one (Textual calls each class's handler).
        self.query_one(LiveTable).focus()

    def status_info(self) -> StatusInfo:
        return StatusInfo(
            site=self.site_label,
            range=self.state.range_kind.label,
            chips=[f"{field}={value}" for field, value in self.state.filters],
        )

    def show(self, data: Rows) -> None:
        self._rows = data.rows
        total = sum(r.hits or 0 for r in data.rows) if data.complete else 0
        shown = len(data.rows)
        title = f"{self.panel.name}: {shown:,} of {data.groups:,}"
        if shown < data.groups:
            title += "  (n or the end of the list loads more)"
        self.query_one("#panel-title", Static).update(title)
        denominator = total or max(1, sum(r.hits or 0 for r in data.rows))
        self.query_one(LiveTable).show(
            [(str(i), panel_cells(self.panel, r, denominator)) for i, r in enumerate(data.rows)]
        )

    def action_more(self) -> None:
        self.rows_feed.more()

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self._rows) - 5:
            self.action_more()

    def action_filter_by_row(self) -> None:
        key = self.query_one(LiveTable).selected_key
        if key is None or self.panel.filter_field is None:
            self.notify(f"The API cannot filter hits by {self.panel.name.lower()}.")
            return
        value = self._rows[int(key)].value
        if not value:
            self.notify("The API cannot filter direct or hidden referrers.")
            return
        field = self.panel.filter_field
        self.state.add_filter(field, value)
        self.notify(f"filtered by {field} = {clean(value)}", timeout=3, markup=False)
        self.app.pop_screen()
