"""Section 1: every site on one table."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Input

from app.live.overview import SiteRow
from app.live.session import Session
from app.ui import keys
from app.ui.screens.base import LiveScreen
from app.ui.text import clean, literal
from app.ui.widgets.search import SearchBox
from app.ui.widgets.spark import sparkline
from app.ui.widgets.status import StatusInfo
from app.ui.widgets.table import Cell, Column, LiveTable, number

# The numbers people watch come first, so that they survive an 80-column terminal: the label
# (the site owner's text, any length) is cut to what leaves Today to Trend on 80 columns.
LABEL_WIDTH = 30
URL_WIDTH = 40
COLUMNS = (
    Column("label", "Site", max_width=LABEL_WIDTH),
    # What `--site ID` and the config's `site` take: nowhere else on screen says it.
    Column("id", "ID"),
    Column("today", "Today"),
    Column("week", "7 days"),
    Column("change", "Δ 7d"),
    Column("trend", "Trend", 7),
    Column("lifetime", "Hits"),
    Column("unique", "Unique"),
    Column("uptime", "Uptime"),
    Column("state", "Status"),
    Column("url", "URL", max_width=URL_WIDTH),
)


def change_cell(change: float | None) -> Cell:
    if change is None:
        return Cell("", float("-inf"), justify="right")
    arrow, style = ("▲", "green") if change >= 0 else ("▼", "red")
    return Cell(Text(f"{arrow}{abs(change):.0f}%", style=style), change, justify="right")


def state_cell(row: SiteRow) -> Cell:
    parts = ["active" if row.active else "inactive"]
    if row.is_public:
        parts.append("public")
    return Cell(" ".join(parts))


def uptime_cell(state: str | None) -> Cell:
    style = {"up": "green", "down": "bold red"}.get(state or "", "dim")
    return Cell(Text(state or "–", style=style), state or "")


def cells(row: SiteRow) -> list[Text]:
    return [
        Cell(literal(row.label, empty="(no label)")),
        # Plain digits, as typed after `--site`: no thousands separator.
        Cell(str(row.id), row.id, justify="right"),
        number(row.today),
        number(row.last_7_days),
        change_cell(row.change),
        Cell(sparkline(row.daily), sum(row.daily)),
        number(row.lifetime_hits, missing="–"),
        number(row.lifetime_unique_hits),
        uptime_cell(row.uptime),
        state_cell(row),
        # The scheme says nothing worth a narrow column's first eight characters.
        Cell(literal(_bare(row.url))),
    ]


def _bare(url: str | None) -> str | None:
    if not url:
        return url
    for scheme in ("https://", "http://"):
        if url.lower().startswith(scheme):
            url = url[len(scheme) :]
    return url.rstrip("/") or url


class SitesScreen(LiveScreen[list[SiteRow]]):
    BINDINGS = list(keys.TABLES.bindings)

    def __init__(self, session: Session) -> None:
        super().__init__(session, session.sites_feed)
        session.sites_feed.visible_rows = self._visible_rows

    def compose_body(self) -> ComposeResult:
        yield SearchBox("filter sites: type, enter to keep, escape to clear")
        yield LiveTable(COLUMNS, id="sites")

    def on_mount(self) -> None:
        self.query_one(LiveTable).focus()

    @property
    def table(self) -> LiveTable:
        return self.query_one(LiveTable)

    def status_info(self) -> StatusInfo:
        shown, total = self.table.row_count, len(self.session.sites_feed.rows)
        info = StatusInfo(site=f"{total} sites" if shown == total else f"{shown} of {total} sites")
        query = self.query_one("#search", Input).value
        if query:
            info.chips.append(f"/{query}")
        return info

    def _visible_rows(self) -> list[int]:
        """The sites on screen, which the feed refreshes first and every time."""
        if not self.is_mounted:
            return []
        top = int(self.table.scroll_offset.y)
        rows = self.table.row_keys_in_order()[top : top + max(1, self.table.size.height - 1)]
        return [int(k) for k in rows]

    def show(self, data: list[SiteRow]) -> None:
        self.redraw()

    def redraw(self) -> None:
        query = clean(self.query_one("#search", Input).value).casefold()
        rows = [
            (str(row.id), cells(row))
            for row in self.session.sites_feed.rows
            if not query or query in f"{row.label} {row.url}".casefold()
        ]
        self.table.show(rows)

    # -- keys ------------------------------------------------------------------------------------

    def action_open(self) -> None:
        key = self.table.selected_key
        if key is not None:
            self.state.open_site(int(key))
            self.navigate("hits")
            self.ask_hits()

    def ask_hits(self) -> None:
        """Opening a site is asking for its dashboard: loaded even while paused."""
        self.session.hits_feed.ask()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self.table.sort_by(str(event.column_key.value))

    def action_sort_next(self) -> None:
        self.notify(f"sorted by {self.table.sort_next()}", timeout=2)

    def action_sort_reverse(self) -> None:
        self.table.reverse_sort()

    def action_search(self) -> None:
        self.query_one(SearchBox).open()

    def action_clear_search(self) -> None:
        self.query_one(SearchBox).close()
        self.table.focus()
        self.redraw()

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self.redraw()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.table.focus()
