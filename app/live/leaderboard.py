"""The leaderboard of one site: a window of a few pages held around the user's cursor, and when
to ask again (the server recomputes the board when its `cache_info.expires_at` passes).

The whole board can hold thousands of paths; only `max_pages` pages of it are ever kept. The
window grows a page at a time as the cursor nears its end, and drops a page at the other end
once it holds `max_pages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app import localtime
from app.api import LeaderboardResponse
from app.durations import MINUTE, words
from app.live.paging import Ending, PagingReport, Warn, page_size, pages_to_read

if TYPE_CHECKING:
    from app.live.api import LiveApi

PAGE_SIZE = 50
MAX_PAGES = 4
# Rows from either end of what is held at which the next page is asked for.
NEAR_EDGE = 10
# After expires_at, the server's next answer is computed afresh: a few seconds' slack for clocks.
EXPIRY_SLACK = 5.0
# Bounds of the wait: an expiry already past (or a clock ahead of the server's) must not make a
# tight loop, and a far-off one must not stop the board from ever refreshing.
MIN_WAIT = 30.0
MAX_WAIT = 6 * 3600.0
# A server whose pages keep disagreeing about when they were cached must not keep us asking.
MAX_PASSES = 3
# Pages of a board anyone scrolls through (100,000 paths), whatever the server claims.
MAX_BOARD_PAGES = 2000


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    path: str | None
    total_hits: int | None  # None: the server's count was nonsense (shown as unknown)
    unique_hits: int | None
    percentage: float | None  # share of the site's traffic, 15.2 meaning 15.2 %


@dataclass(frozen=True)
class Board:
    """What the screen shows: the rows held, and what the server said about the whole board."""

    site_id: int
    path_filter: str | None
    rows: tuple[LeaderRow, ...]
    total_count: int  # paths on the whole board (matching the filter)
    top_share: float | None  # the first row's share, the scale of the bars
    site_label: str | None
    cached_at: datetime | None
    expires_at: datetime | None
    complete: bool = True  # False: the user changed site or filter while this was loading

    @property
    def first_rank(self) -> int:
        return self.rows[0].rank if self.rows else 0

    @property
    def last_rank(self) -> int:
        return self.rows[-1].rank if self.rows else 0


@dataclass(frozen=True)
class _Page:
    rows: tuple[LeaderRow, ...]
    cached_at: datetime | None
    expires_at: datetime | None


def _rows(answer: LeaderboardResponse, page: int) -> tuple[LeaderRow, ...]:
    # Ranks from the server's own page size, in case it answered with fewer rows than asked.
    per_page = answer.pagination.per_page or len(answer.leaderboard)
    first = (page - 1) * per_page + 1
    return tuple(
        LeaderRow(first + i, e.path, e.total_hits, e.unique_hits, e.percentage)
        for i, e in enumerate(answer.leaderboard)
    )


class LeaderboardPages:
    """The pages kept of one (site, path filter) board. Not thread-safe; one event loop."""

    def __init__(
        self, *, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES, warn: Warn | None = None
    ) -> None:
        self.page_size = page_size
        self.max_pages = max_pages
        # Told once when the server's paging of the board looks wrong.
        self.paging = PagingReport(warn)
        self.site_id: int | None = None
        self.path_filter: str | None = None
        self._reset()

    def _reset(self) -> None:
        self._pages: dict[int, _Page] = {}
        self.first = 1  # the window of pages wanted, inclusive
        self.last = 1
        self.total_pages: int | None = None
        # The page a short or empty answer showed the board to end on, whatever it claims.
        self._end: int | None = None
        self.total_count = 0
        self.top_share: float | None = None
        self.site_label: str | None = None

    @property
    def key(self) -> tuple[int | None, str | None]:
        return self.site_id, self.path_filter

    def target(self, site_id: int, path_filter: str | None) -> bool:
        """Point at a board; True (and nothing kept) when it is another one than before."""
        path_filter = path_filter or None
        if (site_id, path_filter) == self.key:
            return False
        self.site_id, self.path_filter = site_id, path_filter
        self._reset()
        return True

    def window(self) -> range:
        return range(self.first, self.last + 1)

    def missing(self) -> list[int]:
        return [p for p in self.window() if p not in self._pages]

    @property
    def cached_at(self) -> datetime | None:
        stamps = [p.cached_at for p in self._pages.values() if p.cached_at is not None]
        return max(stamps, default=None)

    @property
    def expires_at(self) -> datetime | None:
        stamps = [p.expires_at for p in self._pages.values() if p.expires_at is not None]
        return min(stamps, default=None)

    def due(self, now: datetime) -> bool:
        """Whether the server has computed (or will compute, when asked) a newer board."""
        expires = self.expires_at
        return expires is not None and now >= expires

    # -- following the cursor ----------------------------------------------------------------

    def _held(self) -> tuple[int, int]:
        ranks = [r.rank for p in self.window() if p in self._pages for r in self._pages[p].rows]
        return (min(ranks), max(ranks)) if ranks else (0, 0)

    def follow(self, rank: int) -> bool:
        """The cursor is on `rank`: move the window one page towards it if it nears an end.
        True when a page is now wanted that is not held."""
        if self.missing() or self.total_pages is None:
            return False  # one page at a time, and only once the board's size is known
        low, high = self._held()
        if rank > high - NEAR_EDGE and self.last < self.total_pages:
            self.last += 1
            self.first = max(self.first, self.last - self.max_pages + 1)
        elif rank < low + NEAR_EDGE and self.first > 1:
            self.first -= 1
            self.last = min(self.last, self.first + self.max_pages - 1)
        else:
            return False
        self._trim()
        return bool(self.missing())

    def to_top(self) -> bool:
        """Back to the first page; True when it has to be fetched again."""
        self.first = self.last = 1
        self._trim()
        return bool(self.missing())

    def _trim(self) -> None:
        for page in [p for p in self._pages if p not in self.window()]:
            del self._pages[page]

    # -- loading -------------------------------------------------------------------------------

    async def load(self, client: LiveApi, *, reload: bool) -> Board:
        """Fetch the pages of the window not held (every one of them when `reload`), and again
        any page cached at another time than the newest: they belong to an older board."""
        site_id, path_filter = self.site_id, self.path_filter
        assert site_id is not None
        stale = set(self.window()) if reload else set()
        for _ in range(MAX_PASSES):
            todo = [p for p in self.window() if p in stale or p not in self._pages]
            if not todo:
                break
            for page in todo:
                if page not in self.window():
                    continue  # the board shrank under the window, or the cursor moved on
                answer = await client.leaderboard(
                    site_id, path=path_filter, page=page, per_page=self.page_size
                )
                if self.key != (site_id, path_filter):
                    return self._board(site_id, path_filter, complete=False)
                self._store(page, answer)
            newest = self.cached_at
            stale = {p for p in self.window() if self._pages[p].cached_at != newest}
        return self._board(site_id, path_filter)

    def _store(self, page: int, answer: LeaderboardResponse) -> None:
        cache = answer.cache_info
        rows = _rows(answer, page)
        self._pages[page] = _Page(
            rows,
            cache.cached_at if cache else None,
            cache.expires_at if cache else None,
        )
        self.total_count = answer.pagination.total_count
        self.total_pages = self._pages_now(page, answer)
        if page == 1:
            self.top_share = rows[0].percentage if rows else None
        if answer.site is not None and answer.site.id == self.site_id:
            self.site_label = answer.site.label or answer.site.url
        # The board may have shrunk: keep the window on pages that exist.
        self.last = min(self.last, self.total_pages)
        self.first = max(1, min(self.first, self.last))
        self._trim()

    def _pages_now(self, page: int, answer: LeaderboardResponse) -> int:
        """The board's pages as far as they can be believed: what both of the server's numbers
        allow, and no further than a short page showed it to end."""
        paging = answer.pagination
        size = page_size(self.page_size, paging.per_page)
        plan = pages_to_read(paging.total_count, paging.total_pages, size, MAX_BOARD_PAGES)
        rows = len(answer.leaderboard)
        if rows < size:
            self._end = page if rows else max(1, page - 1)
            self.paging.check("the leaderboard", plan, Ending(page, rows))
        elif self._end is not None and page >= self._end:
            self._end = None  # the board grew past where it ended
        self.paging.check("the leaderboard", plan)
        return min(plan.last, self._end or plan.last)

    def _board(self, site_id: int, path_filter: str | None, *, complete: bool = True) -> Board:
        rows: tuple[LeaderRow, ...] = ()
        if complete:
            for page in self.window():
                if page in self._pages:
                    rows += self._pages[page].rows
        return Board(
            site_id=site_id,
            path_filter=path_filter,
            rows=rows,
            total_count=self.total_count,
            top_share=self.top_share,
            site_label=self.site_label,
            cached_at=self.cached_at,
            expires_at=self.expires_at,
            complete=complete,
        )


# -- when to ask again, and how to say it ------------------------------------------------------


def next_poll_in(expires_at: datetime | None, now: datetime, fallback: float) -> float:
    """Seconds until the next poll: just after the server's copy expires, when it says when."""
    if expires_at is None:
        return fallback
    wait = (expires_at - now).total_seconds() + EXPIRY_SLACK
    return min(MAX_WAIT, max(MIN_WAIT, wait))


def _age(seconds: float) -> str:
    if seconds < MINUTE:
        return "just now"
    return f"{words(seconds, parts=1, smallest='minute')} ago"


def cache_note(cached_at: datetime | None, expires_at: datetime | None, now: datetime) -> str:
    """`cached 12 minutes ago · next update 14:00 CET`, from the server's cache_info (the
    update's time in the user's zone)."""
    return " · ".join(cache_facts(cached_at, expires_at, now))


def cache_facts(
    cached_at: datetime | None, expires_at: datetime | None, now: datetime
) -> list[str]:
    """The cache note's facts, each to be kept whole on a line."""
    parts: list[str] = []
    if cached_at is not None:
        parts.append(f"cached {_age((now - cached_at).total_seconds())}")
    if expires_at is not None:
        if now >= expires_at:
            parts.append("update due")
        else:
            zone = localtime.abbreviation(expires_at)
            parts.append(f"next update {localtime.clock(expires_at)} {zone}")
    return parts
