"""Section 1: every site on one table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable

from app.live.overview import SiteRow
from app.live.session import Session
from app.ui import keys
from app.ui.screens.sites_overview import AccountOverview
from app.ui.screens.tables import RANGE_KEYS, RangedKeys, hidden
from app.ui.text import literal
from app.ui.widgets.search import SearchBox
from app.ui.widgets.spark import sparkline
from app.ui.widgets.status import StatusInfo
from app.ui.widgets.table import Cell, Column, LiveTable, number

if TYPE_CHECKING:
    from app.opener import Selection
    from app.ui.screens.export import Export

# The label (the site owner's text, any length) is cut to 30 cells. On a narrow terminal the
# columns give way by importance: whether a site is up and today's numbers stay; the URL, unique
# hits and the trend go first.
LABEL_WIDTH = 30
URL_WIDTH = 40
COLUMNS = (
    Column("label", "Site", max_width=LABEL_WIDTH),
    # What `--site ID` and the config's `site` take: nowhere else on screen says it.
    Column("id", "ID", priority=6),
    Column("today", "Today"),
    Column("week", "7 days", priority=8),
    Column("change", "Δ 7d", priority=7),
    Column("trend", "Trend", 7, priority=3),
    Column("lifetime", "Hits", priority=5),
    Column("unique", "Unique", priority=2),
    Column("uptime", "Uptime"),
    Column("state", "Status", priority=4),
    Column("url", "URL", max_width=URL_WIDTH, priority=1, path=True, min_width=12),
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


# What `e` writes of each site: the API's fields and the app's counts, as data (the table's
# cells are cut to fit and say "–" for unknown).
EXPORT_FIELDS = (
    "id",
    "label",
    "url",
    "today",
    "last_7_days",
    "previous_7_days",
    "lifetime_hits",
    "lifetime_unique_hits",
    "uptime",
    "active",
    "is_public",
)


def _bare(url: str | None) -> str | None:
    if not url:
        return url
    for scheme in ("https://", "http://"):
        if url.lower().startswith(scheme):
            url = url[len(scheme) :]
    return url.rstrip("/") or url


class SitesScreen(RangedKeys[list[SiteRow]]):
    BINDINGS = [*keys.TABLES.bindings, *hidden(RANGE_KEYS)]

    def __init__(self, session: Session) -> None:
        super().__init__(session, session.sites_feed)
        session.sites_feed.visible_rows = self._visible_rows
        session.sites_feed.selected_row = self._selected_site

    def compose_body(self) -> ComposeResult:
        # The account over the range (the range keys' and the dialog's), above the table.
        yield AccountOverview(id="sites-overview")
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
        if chip := self.search_chip():
            info.chips.append(chip)
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
        self.table.show([(str(row.id), cells(row)) for row in self.session.sites_feed.rows])
        self.overview.fit(self.size.height, len(self.session.sites_feed.rows))
        self.show_overview()

    # -- the account over the range: headline and chart ------------------------------------------

    @property
    def overview(self) -> AccountOverview:
        return self.query_one(AccountOverview)

    def _selected_site(self) -> int | None:
        key = self.table.selected_key if self.is_mounted else None
        return int(key) if key is not None else None

    def show_overview(self) -> None:
        feed = self.session.sites_feed
        self.overview.show(
            feed.account_view(),
            self.session.sites.label,
            self._selected_site(),
            self.state.chart_marker,
        )

    def on_resize(self) -> None:
        self.overview.fit(self.size.height, len(self.session.sites_feed.rows))
        self.show_overview()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.overview.select(self._selected_site())

    def _rows_shown(self) -> list[SiteRow]:
        """The sites the table lists (the search applies), in its order."""
        by_id = {str(row.id): row for row in self.session.sites_feed.rows}
        return [by_id[key] for key in self.table.row_keys_in_order() if key in by_id]

    def export_source(self) -> Export:
        from app.export import Table
        from app.ui.screens.export import Export

        records = tuple(tuple(getattr(r, f) for f in EXPORT_FIELDS) for r in self._rows_shown())
        return Export("sites", Table(EXPORT_FIELDS, records))

    def selection(self) -> Selection | None:
        from app.opener import Selection

        key = self.table.selected_key
        row = next((r for r in self.session.sites_feed.rows if str(r.id) == key), None)
        return None if row is None else Selection("URL", row.url, row.url)

    # -- keys ------------------------------------------------------------------------------------

    def action_open(self) -> None:
        key = self.table.selected_key
        if key is not None:
            self.state.open_site(int(key))
            self.navigate("hits")
            self.ask_hits()

    def range_changed(self) -> None:
        self.show_overview()
        self.ask()

    def ask_hits(self) -> None:
        """Opening a site is asking for its dashboard: loaded even while paused."""
        self.session.hits_feed.ask()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()
