"""One top panel full-screen, with every row paged from the server as the user scrolls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from app.live.dashboard import Panel, PanelRow
from app.live.feeds.panel import PanelFeed, Rows
from app.live.session import Session
from app.ui.screens.tables import RANGE_KEYS, TABLE_BINDINGS, RangedKeys, hidden
from app.ui.text import clean
from app.ui.widgets.panels import PANEL_COLUMNS, panel_cells
from app.ui.widgets.search import SearchBox
from app.ui.widgets.status import StatusInfo
from app.ui.widgets.table import LiveTable

if TYPE_CHECKING:
    from app.opener import Selection
    from app.ui.screens.export import Export


class PanelScreen(RangedKeys[Rows]):
    BINDINGS = [
        # Escape clears a search first, then goes back.
        *(b for b in TABLE_BINDINGS if b.id == "search.clear"),
        Binding("escape", "app.pop_screen", "Back", id="panel.back"),
        Binding("f", "filter_by_row", "Filter", id="panel.filter"),
        Binding("n", "more", "More rows", id="panel.more"),
        *(b for b in TABLE_BINDINGS if b.id != "search.clear"),
        # The same panel over another range, as on the dashboard.
        *hidden(RANGE_KEYS),
    ]

    def __init__(self, session: Session, panel: Panel, *, search: bool = False) -> None:
        """`search`: open with the search box (`/` on a dashboard panel)."""
        feed = session.panel_feed(panel)
        super().__init__(session, feed)
        self.rows_feed: PanelFeed = feed  # typed: `more()` is the panel's own intent
        self.panel = panel
        self._rows: tuple[PanelRow, ...] = ()
        self._data: Rows | None = None
        self._search_at_start = search

    def compose_body(self) -> ComposeResult:
        yield SearchBox(f"{self.panel.name.lower()} containing: type, escape to clear")
        yield Static("", id="panel-title")
        yield LiveTable(PANEL_COLUMNS, id="panel-all")

    @property
    def table(self) -> LiveTable:
        return self.query_one("#panel-all", LiveTable)

    def on_mount(self) -> None:
        # LiveScreen's own on_mount runs after this one (Textual calls each class's handler).
        self.table.focus()
        if self._search_at_start:
            self.open_search(self.table)

    def status_info(self) -> StatusInfo:
        return StatusInfo(
            site=self.site_label,
            range=self.state.range.label,
            chips=[f"{field}={value}" for field, value in self.state.filters],
        )

    def show(self, data: Rows) -> None:
        self._rows, self._data = data.rows, data
        total = sum(r.hits or 0 for r in data.rows) if data.complete else 0
        denominator = total or max(1, sum(r.hits or 0 for r in data.rows))
        self.table.server_total = data.groups
        self.table.show(
            [(str(i), panel_cells(self.panel, r, denominator)) for i, r in enumerate(data.rows)]
        )
        self._title()

    def _title(self) -> None:
        data = self._data
        if data is None:
            return
        held = len(data.rows)
        title = Text(f"{self.panel.name}: {held:,} of {data.groups:,}")
        note = self.table.search_note()
        if note is not None:
            title.append(" · ").append_text(note)
            if held < data.groups:
                title.append(" · loading the rest…", style="dim")
        elif held < data.groups:
            title.append("  (n or the end of the list loads more)")
        self.query_one("#panel-title", Static).update(title)

    def searched(self, table: LiveTable) -> None:
        # A search looks through every row: the pages not read yet are asked for (once).
        if table.search_query:
            self.rows_feed.everything()
        self._title()
        super().searched(table)

    def action_compare(self) -> None:
        self.refuse("A panel compares nothing: v compares periods on the hits dashboard.")

    def export_source(self) -> Export:
        """Every row of the panel, paged from the server (the table holds those read so far)."""
        from app.live.export import PanelList
        from app.ui.screens.export import Export

        source = PanelList(self.session, self.panel)
        return Export(source.what, source, self.site_label)

    def selection(self) -> Selection | None:
        from app.opener import grouped_selection

        key = self.table.selected_key
        site_id = self.state.site_id
        if key is None or site_id is None:
            return None
        value = self._rows[int(key)].value
        return grouped_selection(self.panel.group_by, value, self.session.sites.url(site_id))

    def action_more(self) -> None:
        self.rows_feed.more()

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self._rows) - 5:
            self.action_more()

    def action_filter_by_row(self) -> None:
        key = self.table.selected_key
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
