"""Every row of a list the server pages (a panel's groups, the leaderboard), for an export.

Screens hold a window of such a list (a panel's first pages, the pages of the board around the
cursor); an export wants all of it. It pages on its own, here, rather than through the section's
feed: what is on screen stays as it is and the feed keeps its pace. The requests go through the
session's API, so the budget counts them; an export that would spend the hour's share is refused
before it starts (or stopped, if the screens spent it meanwhile) instead of stalling in the
limiter. The caller iterates `chunks()`: one chunk a page, with the progress so far; cancelling
the task that iterates cancels the request in flight.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.durations import compact
from app.export import ExportError, Value
from app.live.dashboard import Panel, grouped
from app.live.leaderboard import _rows as ranked_rows
from app.live.pacing import reserve
from app.live.paging import Ending, PagingReport, page_size, pages_to_read
from app.live.ranges import window

if TYPE_CHECKING:
    from app.api import Pagination
    from app.live.api import LiveApi
    from app.live.session import Session

# Rows asked for a page: the most /hits and /leaderboard give (docs/api-notes.md).
PAGE = 1000
# Pages read at most, whatever the server claims (the budget stops a real list far sooner).
MAX_PAGES = 1000

Rows = tuple[tuple[Value, ...], ...]


@dataclass(frozen=True)
class Progress:
    rows: int  # rows read so far
    total: int  # rows the list holds, as the server counts them (at least `rows`)


@dataclass(frozen=True)
class Chunk:
    rows: Rows
    progress: Progress


class ServerList:
    """A list read whole, a page at a time. Subclasses give `what`, `header` and `page()`."""

    what = "rows"  # what the list is, for file names and messages ("pages", "leaderboard")
    header: tuple[str, ...] = ()

    def __init__(self, session: Session, *, per_page: int | None = None) -> None:
        self.session = session
        # Read when the export starts, so that a test can ask for smaller pages.
        self.per_page = per_page
        self.paging = PagingReport(session.paging_looks_wrong)

    async def page(self, api: LiveApi, number: int, per_page: int) -> tuple[Rows, Pagination]:
        raise NotImplementedError

    async def chunks(self) -> AsyncIterator[Chunk]:
        api = self.session.api
        if api is None:
            raise ExportError("Not connected to the API yet: try again in a moment.")
        asked = self.per_page or PAGE
        self._check_budget()
        rows, told = await self.page(api, 1, asked)
        size = page_size(asked, told.per_page)
        plan = pages_to_read(told.total_count, told.total_pages, size, MAX_PAGES)
        total = plan.total_count
        self._afford(plan.last - 1, total)
        read, number = len(rows), 1
        yield Chunk(rows, Progress(read, max(total, read)))
        while len(rows) >= size and number < plan.last:
            number += 1
            self._check_budget(read, total)
            rows, _ = await self.page(api, number, asked)
            read += len(rows)
            yield Chunk(rows, Progress(read, max(total, read)))
        # A short page ends the list, whatever the numbers said; a lie is told once.
        self.paging.check(self.what, plan, Ending(number, len(rows)) if len(rows) < size else None)

    # -- the budget -------------------------------------------------------------------------------

    def _left(self) -> int:
        """Requests this export may still send: the hour's share, less what the screens keep
        in reserve for their own refreshes."""
        budget = self.session.budget
        return max(0, budget.remaining() - reserve(budget))

    def _afford(self, pages: int, total: int) -> None:
        left = self._left()
        if pages > left:
            per_hour = self.session.budget.per_hour
            raise ExportError(
                f"Exporting all {total:,} rows takes {pages + 1:,} requests; {left:,} are left "
                f"of this hour's API budget ({per_hour:,} an hour, requests_per_hour in the "
                "config file)."
            )

    def _check_budget(self, read: int = 0, total: int = 0) -> None:
        """Before each request: stop when the hour's share is spent (the screens spent it, or
        another copy of the app) rather than wait in the limiter."""
        if self._left() > 0:
            return
        budget = self.session.budget
        wait = compact(budget.seconds_until_available(reserve(budget) + 1), parts=1)
        if read:
            raise ExportError(
                f"This hour's API budget ran out after {read:,} of {total:,} rows; "
                f"try again in {wait}."
            )
        raise ExportError(f"This hour's API budget is spent; try again in {wait}.")


class PanelList(ServerList):
    """Every group of a top panel, for the site, range and filters on screen when it was made."""

    def __init__(self, session: Session, panel: Panel, *, per_page: int | None = None) -> None:
        super().__init__(session, per_page=per_page)
        state = session.state
        if state.site_id is None:
            raise ExportError("Pick a site first.")
        self.panel = panel
        self.what = panel.name.lower()
        self.site_id = state.site_id
        self.filters = state.hit_filters
        # One window for every page: a day that turns midway must not mix two ranges.
        self.span = window(state.range, session.now())
        self.header = (panel.group_by, "hits", "unique_views")

    async def page(self, api: LiveApi, number: int, per_page: int) -> tuple[Rows, Pagination]:
        answer = await grouped(
            api, self.site_id, self.panel, self.span, self.filters, page=number, per_page=per_page
        )
        rows = tuple((r.value, r.hit_count, r.unique_views) for r in answer.grouped_hits)
        return rows, answer.pagination


class BoardList(ServerList):
    """The whole leaderboard of a site (the paths containing `path_filter`, if given)."""

    what = "leaderboard"
    header = ("rank", "path", "total_hits", "unique_hits", "percentage")

    def __init__(
        self,
        session: Session,
        site_id: int,
        path_filter: str | None = None,
        *,
        per_page: int | None = None,
    ) -> None:
        super().__init__(session, per_page=per_page)
        self.site_id = site_id
        self.path_filter = path_filter

    async def page(self, api: LiveApi, number: int, per_page: int) -> tuple[Rows, Pagination]:
        answer = await api.leaderboard(
            self.site_id, path=self.path_filter, page=number, per_page=per_page
        )
        rows = tuple(
            (r.rank, r.path, r.total_hits, r.unique_hits, r.percentage)
            for r in ranked_rows(answer, number)
        )
        return rows, answer.pagination
