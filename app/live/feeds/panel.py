"""One top panel full-screen: every row, paged from the server as the user asks for more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.live.dashboard import Panel, PanelRow, grouped, panel_rows
from app.live.feed import Feed
from app.live.hitcounts import HitFilters
from app.live.ranges import RangeKind, window

if TYPE_CHECKING:
    from app.live.api import LiveApi
    from app.live.session import Session

PAGE = 100

# What the panel asks: site, range, filters, and how many pages of rows are wanted.
PanelKey = tuple[int, RangeKind, HitFilters, int]


@dataclass(frozen=True)
class Rows:
    rows: tuple[PanelRow, ...]
    groups: int  # how many distinct values the server has
    pages: int  # how many pages the server has
    complete: bool = True  # every page was read: the rows' hits are the panel's total


class PanelFeed(Feed[PanelKey, Rows]):
    """Starts with one page; `more()` asks for the next one."""

    def __init__(self, session: Session, panel: Panel) -> None:
        super().__init__(session)
        self.panel = panel
        self.pages = 1  # pages wanted

    def key(self) -> PanelKey | None:
        state = self.session.state
        if state.site_id is None:
            return None
        return (state.site_id, state.range_kind, state.hit_filters, self.pages)

    def more(self) -> bool:
        """One more page of rows, when the server has one; False when all are there."""
        if self.data is None or self.pages >= self.data.pages:
            return False
        self.pages += 1
        self.ask()
        return True

    async def fetch(self, api: LiveApi, key: PanelKey) -> Rows:
        site_id, kind, filters, wanted = key
        span = window(kind, self.session.now())
        rows: list[PanelRow] = []
        groups, pages = 0, 1
        for page in range(1, wanted + 1):
            answer = await grouped(
                api, site_id, self.panel, span, filters, page=page, per_page=PAGE
            )
            rows.extend(panel_rows(answer))
            groups, pages = answer.pagination.total_count, answer.pagination.total_pages
            if page >= pages:
                break
        return Rows(tuple(rows), groups, pages, complete=wanted >= pages)
