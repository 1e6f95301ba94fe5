"""One top panel full-screen, with every row paged from the server as the user scrolls."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from app.live.dashboard import Panel, PanelRow, grouped, panel_rows
from app.live.ranges import window
from app.ui.screens.base import LiveScreen
from app.ui.screens.hits import PANEL_COLUMNS, panel_cells
from app.ui.widgets.status import StatusInfo
from app.ui.widgets.table import LiveTable

PAGE = 100


@dataclass(frozen=True)
class Rows:
    rows: tuple[PanelRow, ...]
    groups: int
    pages: int


class PanelScreen(LiveScreen[Rows]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="panel.back"),
        Binding("f", "filter_by_row", "Filter", id="panel.filter"),
        Binding("n", "more", "More rows", id="panel.more"),
    ]

    def __init__(self, panel: Panel) -> None:
        super().__init__()
        self.panel = panel
        self._pages = 1
        self._rows: tuple[PanelRow, ...] = ()
        self._total_pages = 1

    def compose_body(self) -> ComposeResult:
        yield Static("", id="panel-title")
        yield LiveTable(PANEL_COLUMNS, id="panel-all")

    def on_mount(self) -> None:
        self.query_one(LiveTable).focus()

    def status_info(self) -> StatusInfo:
        return StatusInfo(
            site=self.tiny.site_label,
            range=self.tiny.range_kind.label,
            chips=[f"{field}={value}" for field, value in self.tiny.filters],
        )

    def ready(self) -> bool:
        return super().ready() and self.tiny.site_id is not None

    async def fetch(self) -> Rows:
        client, site_id = self.tiny.client, self.tiny.site_id
        assert client is not None and site_id is not None
        span = window(self.tiny.range_kind, self.tiny.now())
        rows: list[PanelRow] = []
        groups, pages = 0, 1
        for page in range(1, self._pages + 1):
            answer = await grouped(
                client, site_id, self.panel, span, self.tiny.hit_filters, page=page, per_page=PAGE
            )
            rows.extend(panel_rows(answer))
            groups, pages = answer.pagination.total_count, answer.pagination.total_pages
            if page >= pages:
                break
        return Rows(tuple(rows), groups, pages)

    def show(self, data: Rows) -> None:
        self._rows, self._total_pages = data.rows, data.pages
        total = sum(r.hits for r in data.rows) if self._pages >= data.pages else 0
        shown = len(data.rows)
        title = f"{self.panel.name}: {shown:,} of {data.groups:,}"
        if shown < data.groups:
            title += "  (n or the end of the list loads more)"
        self.query_one("#panel-title", Static).update(title)
        denominator = total or max(1, sum(r.hits for r in data.rows))
        self.query_one(LiveTable).show(
            [(str(i), panel_cells(self.panel, r, denominator)) for i, r in enumerate(data.rows)]
        )

    def action_more(self) -> None:
        if self._pages < self._total_pages:
            self._pages += 1
            self.ask()

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
        self.tiny.add_filter(self.panel.filter_field, value)
        self.app.pop_screen()
