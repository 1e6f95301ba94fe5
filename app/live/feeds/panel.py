"""One top panel full-screen: every row, paged from the server as the user asks for more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.live.dashboard import Panel, PanelRow, grouped, panel_rows
from app.live.feed import Feed
from app.live.hitcounts import HitFilters
from app.live.paging import Ending, PagingReport, page_size, pages_to_read
from app.live.ranges import Range, window

if TYPE_CHECKING:
    from app.live.api import LiveApi
    from app.live.session import Session

PAGE = 100
# Rows a panel shows at most (5,000), whatever the server claims: `more()` stops there.
MAX_PAGES = 50

# What the panel asks: site, range, filters, and how many pages of rows are wanted.
PanelKey = tuple[int, Range, HitFilters, int]


@dataclass(frozen=True)
class Rows:
    rows: tuple[PanelRow, ...]
    groups: int  # how many distinct values the server has
    pages: int  # how many pages the server has
    complete: bool = True  # every page was read: the rows' hits are the panel's total


class PanelFeed(Feed[PanelKey, Rows]):
    """Starts with one page; `more()` asks for the next one."""

    ON_THE_BEAT = True

    def __init__(self, session: Session, panel: Panel) -> None:
        super().__init__(session)
        self.panel = panel
        self.pages = 1  # pages wanted
        # Told once when the server's paging of the panel looks wrong.
        self.paging = PagingReport(session.paging_looks_wrong)

    def key(self) -> PanelKey | None:
        state = self.session.state
        if state.site_id is None:
            return None
        return (state.site_id, state.range, state.hit_filters, self.pages)

    def more(self) -> bool:
        """One more page of rows, when the server has one; False when all are there."""
        if self.data is None or self.pages >= self.data.pages:
            return False
        self.pages += 1
        self.ask()
        return True

    def everything(self) -> bool:
        """Every page the server has (up to MAX_PAGES), for a search through all the rows; False
        when they are all wanted already."""
        if self.data is None or self.pages >= min(self.data.pages, MAX_PAGES):
            return False
        self.pages = min(self.data.pages, MAX_PAGES)
        self.ask()
        return True

    async def fetch(self, api: LiveApi, key: PanelKey) -> Rows:
        site_id, kind, filters, wanted = key
        span = window(kind, self.session.now())
        rows: list[PanelRow] = []
        groups, pages = 0, 1
        # One page after the other, never more than wanted: the user asks for each with `more()`.
        for page in range(1, min(wanted, MAX_PAGES) + 1):
            answer = await grouped(
                api, site_id, self.panel, span, filters, page=page, per_page=PAGE
            )
            rows.extend(panel_rows(answer))
            paging = answer.pagination
            size = page_size(PAGE, paging.per_page)
            plan = pages_to_read(paging.total_count, paging.total_pages, size, MAX_PAGES)
            groups, pages = paging.total_count, plan.last
            self.paging.check(f"the {self.panel.name} panel", plan)
            got = len(answer.grouped_hits)
            if got < size:
                # The list ends here, whatever the numbers said.
                self.paging.check(f"the {self.panel.name} panel", plan, Ending(page, got))
                pages = page if got or page == 1 else page - 1
                groups = len(rows)
                break
            if page >= pages:
                break
        return Rows(tuple(rows), groups, pages, complete=wanted >= pages)
