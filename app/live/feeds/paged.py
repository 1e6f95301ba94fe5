"""Sections of the current site whose list the server pages (uptime history, insights).

The feed keeps the page wanted (`]` older, `[` newer; page one again for another site) and turns
a 403 or 404 into an answer, `Unavailable`: a site without the feature, or an account without the
plan, is a state to show, asked about again rarely, not an outage to retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from app.api import NotFound, SubscriptionRequired
from app.live.feed import Feed
from app.live.monitor import LASTING_WAIT
from app.live.paging import Ending, PagingPlan, PagingReport, page_size, pages_to_read

if TYPE_CHECKING:
    from app.api import Pagination
    from app.live.api import LiveApi
    from app.live.session import Session

# What a paged section asks: site and page.
PageKey = tuple[int, int]
# Pages of a list anyone steps through with `]`, whatever the server claims.
MAX_PAGES = 1000


@dataclass(frozen=True)
class Listed:
    """What one page tells of its list: how many pages can be believed, and why."""

    pages: int
    plan: PagingPlan
    end: Ending | None  # the page was short: the list ends on it (or before, when empty)


def listed(page: int, rows: int, told: Pagination, asked: int) -> Listed:
    """The pages of a list as page `page` (holding `rows` rows, `asked` per page) shows it:
    what both of the server's numbers allow, and no further than a short page."""
    size = page_size(asked, told.per_page)
    plan = pages_to_read(told.total_count, told.total_pages, size, MAX_PAGES)
    if rows < size:
        return Listed(page if rows or page == 1 else page - 1, plan, Ending(page, rows))
    return Listed(plan.last, plan, None)


@dataclass(frozen=True)
class Unavailable:
    """An answer that stays true until someone changes the account: no monitor (404), or no
    plan that includes the feature (403). Shown as a panel, not as an outage."""

    site_id: int
    plan: bool  # True: 403, the plan; False: 404, nothing there
    message: str


def unavailable(error: NotFound | SubscriptionRequired, site_id: int) -> Unavailable:
    return Unavailable(site_id, isinstance(error, SubscriptionRequired), error.message)


class PageOfSite(Protocol):
    """One page of a site's list, as the server paged it."""

    @property
    def site_id(self) -> int: ...

    @property
    def page(self) -> int: ...

    @property
    def pages(self) -> int: ...


D = TypeVar("D", bound=PageOfSite)


class SitePagedFeed(Feed[PageKey, D | Unavailable], Generic[D]):
    """Subclasses give `fetch_page()` and `poll_in()`."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        # The page wanted, and for which site: another site starts from page one.
        self._at: tuple[int | None, int] = (None, 1)
        # Told once when the server's paging of this list looks wrong.
        self.paging = PagingReport(session.paging_looks_wrong)
        # The page a short answer showed the list to end on, and for which site: page one
        # alone cannot tell when the server's numbers lie.
        self._end: tuple[int, int] | None = None

    # -- what subclasses give ------------------------------------------------------------------

    async def fetch_page(self, api: LiveApi, site_id: int, page: int) -> D:
        raise NotImplementedError

    def poll_in(self, data: D) -> float:
        """Seconds until the server can have something new for `data`'s site."""
        raise NotImplementedError

    # -- what screens read -----------------------------------------------------------------------

    @property
    def page(self) -> int:
        """The page wanted now (the one on show, or on its way)."""
        site, page = self._at
        return page if site is not None and site == self.session.state.site_id else 1

    @property
    def current(self) -> D | Unavailable | None:
        """The last answer, if it is about the site picked now (a previous site's is not)."""
        data = self.data
        if data is None or data.site_id != self.session.state.site_id:
            return None
        return data

    @property
    def shown(self) -> D | None:
        """The page of the list on show for the current site, if there is one."""
        data = self.current
        return None if data is None or isinstance(data, Unavailable) else data

    @property
    def pages(self) -> int:
        shown = self.shown
        if shown is None:
            return 1
        end = self._end
        return min(shown.pages, end[1]) if end and end[0] == shown.site_id else shown.pages

    # -- intents ---------------------------------------------------------------------------------

    def older(self) -> bool:
        """`]`: the next page of the list; False when there is none."""
        return self._go(self.page + 1)

    def newer(self) -> bool:
        """`[`: the previous page of the list; False on the first."""
        return self._go(self.page - 1)

    def _go(self, page: int) -> bool:
        site_id = self.session.state.site_id
        if site_id is None or self.shown is None or not 1 <= page <= self.pages:
            return False
        self._at = (site_id, page)
        self.ask()
        return True

    # -- the feed --------------------------------------------------------------------------------

    def wake(self) -> None:
        # Every change of the view state wakes the feed: another site starts from page one,
        # and coming back to this one later does too.
        if self._at[0] != self.session.state.site_id:
            self._at = (None, 1)
        super().wake()

    def key(self) -> PageKey | None:
        site_id = self.session.state.site_id
        return None if site_id is None else (site_id, self.page)

    async def fetch(self, api: LiveApi, key: PageKey) -> D | Unavailable:
        site_id, page = key
        try:
            data = await self.fetch_page(api, site_id, page)
        except (NotFound, SubscriptionRequired) as error:
            return unavailable(error, site_id)
        if data.pages <= page:
            self._end = (site_id, data.pages)
        elif self._end is not None and self._end[0] == site_id and page >= self._end[1]:
            self._end = None  # the list grew past where it ended
        if page > data.pages and self._at == (site_id, page):
            # The list got shorter than the page on show: its last page is wanted now. This
            # answer no longer fits the key, so it is set aside and that page asked at once.
            self._at = (site_id, data.pages)
        return data

    def next_in(self, data: D | Unavailable) -> float:
        if isinstance(data, Unavailable):
            # Changes by hand only (a monitor set up, a plan bought): look again rarely.
            return LASTING_WAIT
        return self.poll_in(data)
