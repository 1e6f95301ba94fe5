"""User journeys: a bounded, budget-aware feed of the newest journeys, and what they say together.

The API lists journeys newest first, at most 50 per request, and repeats the range's summary and
top entry/exit pages on every page. It has no way to ask "what changed since", so the feed keeps
what it fetched and, on each refresh, asks for page 1 only: when the newest page overlaps what is
held and the total grew by exactly the journeys that appeared on top, the rest is still right and
is kept. Otherwise (more than a page arrived, something changed further down, a new range) it
reads the pages again. It holds the first few pages, enough for the common paths, and more only
as the user scrolls, never more than `MAX_PAGES`.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Final

from app.api import JourneyInsights, JourneySummary, UserJourney, UserJourneysResponse
from app.live.paging import (
    Ending,
    PagingPlan,
    PagingReport,
    Warn,
    page_size,
    pages_to_read,
    read_pages,
)
from app.live.ranges import DayRange, Range, RangeKind, resolve, window

if TYPE_CHECKING:
    from app.live.api import LiveApi

PER_PAGE: Final = 50  # the endpoint's cap
SAMPLE_PAGES: Final = 4  # first load: the 200 newest journeys, the common paths' sample
MAX_PAGES: Final = 20  # never hold more than 1,000 journeys, however far the user scrolls
# Changes below page 1 that leave the total alone (a session that grew) are caught this late.
RELOAD_AFTER: Final = 1800.0


# -- ranges ------------------------------------------------------------------------------------


# Journeys cover at most this many days: longer ranges show their last 30.
JOURNEY_DAYS: Final = 30


@dataclass(frozen=True)
class JourneySpan:
    """The UTC days asked for. `asked` is the shared range, `kind` the one shown: journeys
    cover at most 30 days, so 12 months becomes 30 days, and longer days their last 30."""

    asked: Range
    kind: Range
    first: date
    last: date

    @property
    def substituted(self) -> bool:
        return self.asked != self.kind

    @property
    def note(self) -> str | None:
        """Why the days shown are not the range's, in a few words."""
        if not self.substituted:
            return None
        return f"journeys cover at most {JOURNEY_DAYS} days: the last {JOURNEY_DAYS} shown"


def journey_span(kind: Range, now: datetime) -> JourneySpan:
    chosen = resolve(kind, now.date())
    shown: Range
    if chosen is RangeKind.YEAR:
        shown = RangeKind.MONTH
    elif isinstance(chosen, DayRange) and chosen.days > JOURNEY_DAYS:
        shown = DayRange(chosen.last - timedelta(days=JOURNEY_DAYS - 1), chosen.last)
    else:
        shown = chosen
    current = window(shown, now).current
    return JourneySpan(chosen, shown, current.first_day, current.last_day)


# -- one journey -------------------------------------------------------------------------------


def journey_key(journey: UserJourney) -> str:
    """Who and when it began: stays the same while a session in progress gains pages."""
    first = journey.pages[0] if journey.pages else None
    at = first.visited_at.isoformat() if first and first.visited_at else ""
    entry = journey.entry_page or (first.path if first else None) or ""
    return f"{journey.visitor_hash or ''}\x00{at}\x00{entry}"


def started_at(journey: UserJourney) -> datetime | None:
    return next((p.visited_at for p in journey.pages if p.visited_at), None)


def duration_seconds(journey: UserJourney) -> float | None:
    """From the first page to the last, when both times are known."""
    times = [p.visited_at for p in journey.pages if p.visited_at]
    if len(times) < 2:
        return 0.0 if times else None
    return (times[-1] - times[0]).total_seconds()


@dataclass(frozen=True)
class Visit:
    """One page of a journey's timeline."""

    number: int
    path: str | None
    at: datetime | None
    offset: float | None  # seconds since the first page
    stay: float | None  # seconds until the next page; None for the exit or when unknown


def timeline(journey: UserJourney) -> tuple[Visit, ...]:
    start = started_at(journey)
    pages = journey.pages
    visits = []
    for number, page in enumerate(pages, 1):
        offset = (page.visited_at - start).total_seconds() if page.visited_at and start else None
        following = pages[number].visited_at if number < len(pages) else None
        stay = (
            (following - page.visited_at).total_seconds() if following and page.visited_at else None
        )
        visits.append(Visit(number, page.path, page.visited_at, offset, stay))
    return tuple(visits)


# -- common paths ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """Visitors going from one page straight to another."""

    source: str | None
    target: str | None
    count: int
    views: int  # views of `source` in the sample

    @property
    def share(self) -> float:
        """Of the views of `source`, how many went on to `target` (0 to 1)."""
        return self.count / self.views if self.views else 0.0


@dataclass(frozen=True)
class Leave:
    """Journeys that ended on a page: where visitors drop off."""

    path: str | None
    exits: int
    views: int  # views of the page in the sample

    @property
    def rate(self) -> float:
        """Of the views of the page, how many were the visitor's last (0 to 1)."""
        return self.exits / self.views if self.views else 0.0


@dataclass(frozen=True)
class CommonPaths:
    journeys: int  # journeys in the sample (those with at least one page)
    views: int  # page views in the sample
    steps: tuple[Step, ...]
    leaves: tuple[Leave, ...]


def _path_order(path: str | None) -> str:
    return path or ""


def common_paths(journeys: Iterable[UserJourney], *, limit: int = 30) -> CommonPaths:
    """The most frequent page-to-page steps and the pages journeys end on.

    Every view of a page is followed by exactly one step or by the exit, so a page's step shares
    and its exit rate add up to one: a high exit rate is a drop-off point.
    """
    views: Counter[str | None] = Counter()
    steps: Counter[tuple[str | None, str | None]] = Counter()
    exits: Counter[str | None] = Counter()
    sampled = 0
    for journey in journeys:
        paths = [page.path for page in journey.pages]
        if not paths:
            continue
        sampled += 1
        views.update(paths)
        steps.update(pairwise(paths))
        exits[paths[-1]] += 1
    ranked_steps = sorted(
        steps.items(), key=lambda kv: (-kv[1], _path_order(kv[0][0]), _path_order(kv[0][1]))
    )
    ranked_exits = sorted(exits.items(), key=lambda kv: (-kv[1], _path_order(kv[0])))
    return CommonPaths(
        journeys=sampled,
        views=sum(views.values()),
        steps=tuple(Step(a, b, n, views[a]) for (a, b), n in ranked_steps[:limit]),
        leaves=tuple(Leave(path, n, views[path]) for path, n in ranked_exits[:limit]),
    )


# -- the feed ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Journeys:
    site_id: int
    span: JourneySpan
    journeys: tuple[UserJourney, ...]
    total: int  # journeys the API lists for the span (multi-page visitors)
    summary: JourneySummary | None
    insights: JourneyInsights | None

    @property
    def more_available(self) -> bool:
        return len(self.journeys) < min(self.total, MAX_PAGES * PER_PAGE)


def _merged(rows: Sequence[UserJourney], more: Iterable[UserJourney]) -> list[UserJourney]:
    """`rows` then whatever of `more` is not among them yet (pages overlap once rows shift)."""
    seen = {journey_key(j) for j in rows}
    result = list(rows)
    for journey in more:
        key = journey_key(journey)
        if key not in seen:
            seen.add(key)
            result.append(journey)
    return result


class JourneyFeed:
    """The newest journeys of one site and span, refreshed at the cost of about one request."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, warn: Warn | None = None
    ) -> None:
        self._clock = clock
        # Told once when the server's paging of journeys looks wrong.
        self.paging = PagingReport(warn)
        # A pushed timeline and the list share one feed; their refreshes must not interleave.
        self._lock = asyncio.Lock()
        self._key: tuple[int, date, date] | None = None
        self._rows: list[UserJourney] = []
        self._keys: dict[str, int] = {}  # journey key → its index in `_rows`
        self._total = 0
        self._loaded_at: float | None = None
        self.wanted = SAMPLE_PAGES * PER_PAGE
        self.requests = 0  # sent by this feed, for tests and benchmarks

    def want_more(self) -> bool:
        """Ask for one more page on the next refresh; False when there is nothing more to ask."""
        limit = min(self._total, MAX_PAGES * PER_PAGE)
        if self.wanted > len(self._rows) or len(self._rows) >= limit:
            return False
        self.wanted = min(limit, len(self._rows) + PER_PAGE)
        return True

    async def refresh(self, client: LiveApi, site_id: int, span: JourneySpan) -> Journeys:
        async with self._lock:
            key = (site_id, span.first, span.last)
            if key != self._key:
                self._key, self._rows, self._keys, self._total = key, [], {}, 0
                self.wanted = SAMPLE_PAGES * PER_PAGE
            elif self._loaded_at is not None and self._clock() - self._loaded_at > RELOAD_AFTER:
                self._rows, self._keys = [], {}
            first = await self._page(client, site_id, span, 1)
            fresh = _merged([], first.user_journeys)
            total = first.pagination.total_count
            plan = _plan(first)
            self.paging.check("journeys", plan)
            # The list ends where a page comes back short, whatever the server's numbers say.
            ended = len(first.user_journeys) < plan.size
            if ended:
                self.paging.check("journeys", plan, Ending(1, len(first.user_journeys)))
            last_page = 1 if ended else plan.last
            rows = self._stitched(fresh, total)
            # A busy site: more than a page arrived since the last refresh. Read on until the new
            # pages reach what is held, while that stays cheaper than reading it all again.
            read = 1
            while rows is None and read < min(last_page, len(self._rows) // PER_PAGE):
                if any(journey_key(j) in self._keys for j in fresh):
                    break  # they met, yet did not fit: something changed further down
                read += 1
                more = await self._page(client, site_id, span, read)
                fresh = _merged(fresh, more.user_journeys)
                rows = self._stitched(fresh, total)
                if len(more.user_journeys) < plan.size:
                    self.paging.check("journeys", plan, Ending(read, len(more.user_journeys)))
                    last_page = read
                    break
            if rows is None:
                rows = fresh
                self._loaded_at = self._clock()
            limit = min(self.wanted, total, MAX_PAGES * PER_PAGE)
            while len(rows) < limit:
                # Rows may have shifted by a few since the pages were read: overlap, never a gap.
                pages = range(len(rows) // PER_PAGE + 1, min(last_page, -(-limit // PER_PAGE)) + 1)
                if not pages:
                    break
                answers, ending = await self._pages(client, site_id, span, pages, plan)
                before = len(rows)
                rows = _merged(rows, (j for answer in answers for j in answer.user_journeys))
                if ending is not None or len(rows) == before:
                    break
            self._rows, self._total = rows[: MAX_PAGES * PER_PAGE], total
            self._keys = {journey_key(j): i for i, j in enumerate(self._rows)}
            return Journeys(site_id, span, tuple(self._rows), total, first.summary, first.insights)

    def _stitched(self, fresh: list[UserJourney], total: int) -> list[UserJourney] | None:
        """Page 1 on top of what is held, or None when what is held can't be trusted."""
        if not self._rows or not fresh:
            return None
        if len(fresh) >= total:
            return fresh
        i = self._keys.get(journey_key(fresh[-1]))
        if i is None:
            return None
        arrived = len(fresh) - (i + 1)
        # The total tells whether anything changed out of sight (further down, or removed).
        if arrived < 0 or total - self._total != arrived:
            return None
        return _merged(fresh, self._rows[i + 1 :])

    async def _page(
        self, client: LiveApi, site_id: int, span: JourneySpan, page: int
    ) -> UserJourneysResponse:
        self.requests += 1
        return await client.user_journeys(
            site_id, start_date=span.first, end_date=span.last, page=page, per_page=PER_PAGE
        )

    async def _pages(
        self, client: LiveApi, site_id: int, span: JourneySpan, pages: range, plan: PagingPlan
    ) -> tuple[list[UserJourneysResponse], Ending | None]:
        """`pages` in order, a few at a time, up to the first short one (where the list ends)."""
        answers: list[UserJourneysResponse] = []

        def take(number: int, answer: UserJourneysResponse) -> bool:
            answers.append(answer)
            return False

        ending = await read_pages(
            lambda number: self._page(client, site_id, span, number),
            pages,
            rows=lambda answer: len(answer.user_journeys),
            size=plan.size,
            take=take,
        )
        if ending is not None:
            self.paging.check("journeys", plan, ending)
        return answers, ending


def _plan(first: UserJourneysResponse) -> PagingPlan:
    """What to read of the journeys, from page 1: never beyond `MAX_PAGES`."""
    paging = first.pagination
    size = page_size(PER_PAGE, paging.per_page)
    return pages_to_read(paging.total_count, paging.total_pages, size, MAX_PAGES)
