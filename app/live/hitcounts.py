"""Hits over time, built from the API at the lowest request cost.

The API has no time series. Two ways give one:
- raw hits (1000 per page), bucketed here by UTC hour: cost ceil(hits / 1000);
- one `per_page=1` request per bucket, reading `pagination.total_count`: cost one per bucket.
Each chart takes whichever is cheaper, decided from the first page of raw hits. Completed UTC days
never change, so their counts are kept and a refresh only asks for what can still move.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from app.live.paging import (
    Ending,
    PagingPlan,
    PagingReport,
    Warn,
    page_size,
    pages_to_read,
    read_pages,
)
from app.live.ranges import Bucket, Window, days_between, midnight

if TYPE_CHECKING:
    from app.api import Hit, HitsResponse
    from app.live.api import LiveApi

# The API's per-request cap on a date range.
MAX_SPAN_DAYS = 365
RAW_PAGE = 1000
# Raw pages one read of the hourly chart may cost, whatever the server claims (200,000 hits in
# the few days it covers; the counts of a busier site are those of the pages read).
MAX_RAW_PAGES = 200
# Pages of new hits worth reading before a full read of today is the better deal.
MAX_NEW_PAGES = 4
# A day is final once it ended this long before it was fetched (hits may be recorded late).
SETTLE = timedelta(minutes=5)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class HitFilters:
    """The dashboard's filters, sent to the API as they are."""

    path: str | None = None
    referrer: str | None = None
    country: str | None = None

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v is not None}

    def __bool__(self) -> bool:
        return bool(self.as_params())


@dataclass(frozen=True)
class Series:
    """Counts per bucket for a window's current and previous periods."""

    current: tuple[int, ...]
    previous: tuple[int, ...]
    requests: int
    method: str  # "raw", "counts" or "cached"
    # Hits over the whole UTC days the current period touches (the span the API's grouped
    # answers cover); differs from `total` only for the hourly range.
    days_total: int = 0

    @property
    def total(self) -> int:
        return sum(self.current)

    @property
    def previous_total(self) -> int:
        return sum(self.previous)


class CountStore(Protocol):
    """Where final counts are kept: in memory, or on disk by the cache layer."""

    def hours(self, key: str, day: date) -> list[int] | None: ...
    def put_hours(self, key: str, day: date, hours: list[int]) -> None: ...
    def span(self, key: str, first: date, last: date) -> int | None: ...
    def put_span(self, key: str, first: date, last: date, count: int) -> None: ...


@dataclass
class MemoryCountStore:
    _hours: dict[tuple[str, date], list[int]] = field(default_factory=dict)
    _spans: dict[tuple[str, date, date], int] = field(default_factory=dict)

    def hours(self, key: str, day: date) -> list[int] | None:
        return self._hours.get((key, day))

    def put_hours(self, key: str, day: date, hours: list[int]) -> None:
        self._hours[(key, day)] = hours

    def span(self, key: str, first: date, last: date) -> int | None:
        return self._spans.get((key, first, last))

    def put_span(self, key: str, first: date, last: date, count: int) -> None:
        self._spans[(key, first, last)] = count


def store_key(site_id: int, filters: HitFilters) -> str:
    parts = [str(site_id)] + [f"{k}={v}" for k, v in sorted(filters.as_params().items())]
    return "|".join(parts)


def chunks(days: list[date]) -> list[tuple[date, date]]:
    """Contiguous runs of days, each at most MAX_SPAN_DAYS long."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + timedelta(days=1):
            first = runs[-1][0]
            if (day - first).days < MAX_SPAN_DAYS:
                runs[-1] = (first, day)
                continue
        runs.append((day, day))
    return runs


def bucket_hits(hits: Iterable[Hit], into: dict[date, list[int]]) -> None:
    """Count hits into the hourly counts of the days in `into` (other days are left out)."""
    for hit in hits:
        stamp = hit.created_at.astimezone(UTC)
        day = into.get(stamp.date())
        if day is not None:
            day[stamp.hour] += 1


@dataclass
class _Today:
    """Today's hourly counts as last read, so that a refresh reads only the hits since."""

    day: date
    hours: list[int]
    total: int  # hits of `day` counted into `hours`
    counted_at: datetime  # of the last full read


# Today's counts are kept for this many (site, filters) keys: a few dashboards' worth.
TODAY_KEYS = 16
# Hits arriving while a many-page read runs shift the pages under it, so a full read can be off
# by a few; the counts are read whole again this often rather than carry that until midnight.
RECOUNT = timedelta(minutes=15)


@dataclass
class _Pass:
    """What one call learned that may still change (today): used for this answer only."""

    key: str
    hours: dict[date, list[int]] = field(default_factory=dict)
    spans: dict[tuple[date, date], int] = field(default_factory=dict)
    requests: int = 0


class HitCounter:
    """Counts of hits per bucket for one client, shared by every screen that charts hits."""

    def __init__(
        self,
        client: LiveApi,
        *,
        store: CountStore | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        concurrency: int = 4,
        warn: Warn | None = None,
    ) -> None:
        self._client = client
        # Told once when the server's paging of hits looks wrong.
        self.paging = PagingReport(warn)
        self._store: CountStore = store or MemoryCountStore()
        self._now = now
        self._limit = asyncio.Semaphore(concurrency)
        self._today: dict[str, _Today] = {}

    async def series(
        self,
        site_id: int,
        window: Window,
        filters: HitFilters | None = None,
        progress: Progress | None = None,
    ) -> Series:
        filters = filters or HitFilters()
        run = _Pass(store_key(site_id, filters))
        buckets = window.previous.buckets + window.current.buckets
        method = "cached"
        if window.hourly:
            days = days_between(buckets[0].first_day, buckets[-1].last_day)
            missing = [d for d in days if self._store.hours(run.key, d) is None]
            if missing == [self._now().date()] and await self._read_new(site_id, filters, run):
                method = "new hits"
            elif missing:
                await self._fetch_raw(site_id, filters, run, missing, progress)
                method = "raw"
            counts = [self._hourly_count(run, b) for b in buckets]
            current_days = days_between(window.current.first_day, window.current.last_day)
            days_total = sum(sum(self._hours(run, d) or ()) for d in current_days)
        else:
            needed = [b for b in buckets if self._known_count(run, b) is None]
            if needed:
                method = await self._fill(site_id, filters, run, needed, progress)
            counts = [self._known_count(run, b) or 0 for b in buckets]
        half = len(window.previous.buckets)
        if not window.hourly:
            days_total = sum(counts[half:])
        return Series(tuple(counts[half:]), tuple(counts[:half]), run.requests, method, days_total)

    # -- what is known ------------------------------------------------------------------------

    def _is_final(self, last_day: date) -> bool:
        return self._now() >= midnight(last_day + timedelta(days=1)) + SETTLE

    def _hours(self, run: _Pass, day: date) -> list[int] | None:
        return run.hours.get(day) or self._store.hours(run.key, day)

    def _hourly_count(self, run: _Pass, bucket: Bucket) -> int:
        hours = self._hours(run, bucket.first_day)
        return hours[bucket.start.hour] if hours else 0

    def _known_count(self, run: _Pass, bucket: Bucket) -> int | None:
        per_day = [self._hours(run, d) for d in days_between(bucket.first_day, bucket.last_day)]
        if all(h is not None for h in per_day):
            return sum(sum(h) for h in per_day if h is not None)
        span = (bucket.first_day, bucket.last_day)
        if span in run.spans:
            return run.spans[span]
        return self._store.span(run.key, *span)

    # -- fetching ---------------------------------------------------------------------------

    async def _fill(
        self,
        site_id: int,
        filters: HitFilters,
        run: _Pass,
        needed: list[Bucket],
        progress: Progress | None,
    ) -> str:
        """Fetch what `needed` lacks, raw or by counts, whichever costs fewer requests."""
        if len(needed) == 1:
            await self._fetch_counts(site_id, filters, run, needed, progress)
            return "counts"
        days = sorted({d for b in needed for d in days_between(b.first_day, b.last_day)})
        spans = chunks(days)
        # Probe the most recent span: it is usually the busiest, so the estimate errs high.
        probe = await self._hits_page(site_id, filters, run, spans[-1], 1)
        days_probed = (spans[-1][1] - spans[-1][0]).days + 1
        estimate = math.ceil(_plan(probe, MAX_RAW_PAGES).pages * len(days) / days_probed)
        # A span with more pages than this is cheaper by counts, whatever it claims.
        cap = 2 * len(needed)
        if estimate <= len(needed) and await self._fetch_raw(
            site_id, filters, run, days, progress, probe=probe, cap=cap
        ):
            return "raw"
        await self._fetch_counts(site_id, filters, run, needed, progress)
        return "counts"

    async def _hits_page(
        self,
        site_id: int,
        filters: HitFilters,
        run: _Pass,
        span: tuple[date, date],
        page: int,
        per_page: int = RAW_PAGE,
    ) -> HitsResponse:
        async with self._limit:
            run.requests += 1
            return await self._client.hits(
                site_id,
                start_date=span[0],
                end_date=span[1],
                page=page,
                per_page=per_page,
                **filters.as_params(),
            )

    async def _fetch_counts(
        self,
        site_id: int,
        filters: HitFilters,
        run: _Pass,
        buckets: list[Bucket],
        progress: Progress | None,
    ) -> None:
        done = 0

        async def one(bucket: Bucket) -> None:
            nonlocal done
            span = (bucket.first_day, bucket.last_day)
            answer = await self._hits_page(site_id, filters, run, span, 1, per_page=1)
            count = answer.pagination.total_count
            if self._is_final(bucket.last_day):
                self._store.put_span(run.key, span[0], span[1], count)
            else:
                run.spans[span] = count
            done += 1
            if progress:
                progress(done, len(buckets))

        await asyncio.gather(*(one(b) for b in buckets))

    async def _fetch_raw(
        self,
        site_id: int,
        filters: HitFilters,
        run: _Pass,
        days: list[date],
        progress: Progress | None,
        probe: HitsResponse | None = None,
        cap: int = MAX_RAW_PAGES,
    ) -> bool:
        """Read every hit of `days` and count them by hour; `probe` is page 1 of the last span.

        At most `cap` pages a span: False when a span went on beyond them (its counts are then
        kept for this answer only, never as final)."""
        fetched_at = self._now()
        hours = {d: [0] * 24 for d in days}
        spans = chunks(days)
        whole = True
        for index, span in enumerate(spans):
            page_one = probe if index == len(spans) - 1 else None
            if page_one is None:
                page_one = await self._hits_page(site_id, filters, run, span, 1)
            whole = (
                await self._read_span(site_id, filters, run, span, page_one, hours, cap) and whole
            )
            if progress:
                progress(index + 1, len(spans))
        if not whole and probe is not None:
            return False  # the caller counts by buckets instead
        for day, counts in hours.items():
            if whole and fetched_at >= midnight(day + timedelta(days=1)) + SETTLE:
                self._store.put_hours(run.key, day, counts)
            else:
                run.hours[day] = counts
        today = fetched_at.date()
        if today in hours and whole:
            counts = list(hours[today])
            self._keep_today(run.key, _Today(today, counts, sum(counts), fetched_at))
        return whole

    async def _read_span(
        self,
        site_id: int,
        filters: HitFilters,
        run: _Pass,
        span: tuple[date, date],
        page_one: HitsResponse,
        hours: dict[date, list[int]],
        cap: int,
    ) -> bool:
        """Count the hits of one span's pages into `hours`, page one given; False when the span
        went on beyond `cap` pages."""
        bucket_hits(page_one.hits, hours)
        size = page_size(RAW_PAGE, page_one.pagination.per_page)
        plan = _plan(page_one, cap)
        if len(page_one.hits) < size:
            self.paging.check("hits", plan, Ending(1, len(page_one.hits)))
            return True

        def take(number: int, answer: HitsResponse) -> bool:
            # Counted as they arrive so that a long span never sits in memory whole.
            bucket_hits(answer.hits, hours)
            return False

        ended = await read_pages(
            lambda n: self._hits_page(site_id, filters, run, span, n),
            range(2, plan.last + 1),
            rows=lambda answer: len(answer.hits),
            size=size,
            take=take,
        )
        self.paging.check("hits", plan, ended)
        return ended is not None or plan.last >= plan.pages

    def _keep_today(self, key: str, today: _Today) -> None:
        self._today.pop(key, None)
        self._today[key] = today
        while len(self._today) > TODAY_KEYS:
            del self._today[next(iter(self._today))]

    async def _read_new(self, site_id: int, filters: HitFilters, run: _Pass) -> bool:
        """Today's hours from what was read before plus the hits since: one request while fewer
        than a page of hits arrived (newest first), a few when the server lists oldest first.
        False when that cannot be done (nothing kept, or it would cost as much as a full read).
        """
        kept = self._today.get(run.key)
        today = self._now().date()
        if kept is None or kept.day != today or self._now() - kept.counted_at > RECOUNT:
            return False
        span = (today, today)
        first = await self._hits_page(site_id, filters, run, span, 1)
        total = first.pagination.total_count
        new = total - kept.total
        rows = first.hits
        if new < 0 or len(rows) < 2:
            return False
        newest_first = rows[0].created_at >= rows[-1].created_at
        hours = list(kept.hours)
        if newest_first:
            if new > len(rows):
                return False
            fresh = rows[:new]
        else:
            # Oldest first: the new hits are the rows after the ones already counted.
            size = max(first.pagination.per_page, len(rows))
            pages = range(kept.total // size + 1, (total - 1) // size + 2) if new else range(0)
            if len(pages) >= first.pagination.total_pages or len(pages) > MAX_NEW_PAGES:
                return False
            fresh = []
            for number in pages:
                page = (
                    first
                    if number == 1
                    else await self._hits_page(site_id, filters, run, span, number)
                )
                offset = (number - 1) * size
                fresh += [h for i, h in enumerate(page.hits, offset) if i >= kept.total]
                if len(page.hits) < size:
                    break  # the list ends here, whatever the total said
        bucket_hits(fresh, {today: hours})
        run.hours[today] = hours
        self._keep_today(run.key, _Today(today, hours, total, kept.counted_at))
        return True


def _plan(answer: HitsResponse, cap: int) -> PagingPlan:
    """What to read of a span of raw hits, from its first page."""
    paging = answer.pagination
    size = page_size(RAW_PAGE, paging.per_page)
    return pages_to_read(paging.total_count, paging.total_pages, size, cap)
