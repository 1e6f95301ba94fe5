"""Hits over time, built from the API at the lowest request cost.

The API has no time series. Two ways give one:
- raw hits (1000 per page), bucketed here by UTC hour: cost ceil(hits / 1000);
- one `per_page=1` request per bucket, reading `pagination.total_count`: cost one per bucket.
Each chart takes whichever is cheaper, decided from the first page of raw hits. Completed UTC days
never change, so their counts are kept and a refresh only asks for what can still move.

Raw hits are counted by UTC hour, and to the minute where a bucket or a comparison needs it: an
hourly bucket on local hours half an hour off UTC, or the previous period cut at the same moment.

Like for like: the current period runs to now, so its change is measured against the previous
period up to the same moment (`Window.cut`), not against whole days (at 04:00 four hours of
today against a whole day a week ago would always read as a drop). The API counts whole UTC days
only, so the part of a day before the cut is counted from that day's raw hits, read once: the
day is complete, its hourly counts are kept on disk with the others and its minutes in memory for
the session, so a refresh costs nothing more than before (one request for today). Reading a day
costs one request per 1000 of its hits; for a day busier than `CUT_PAGES` pages that would be
dear, so such a site is compared over complete buckets only (today, or this hour, left out on
both sides; `Comparison.same_moment` is False and the screen says so).
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
from app.live.ranges import Bucket, Comparison, Window, days_between, midnight

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
# Recent complete days whose counts give a site's hits per day, to guess what raw pages cost.
RATE_DAYS = 14
DAY = timedelta(days=1)
MINUTES = 24 * 60
# Pages of one complete day worth reading to count part of it (for a like-for-like change):
# 10,000 hits, read once a session. A busier day is compared over complete buckets instead.
CUT_PAGES = 10
# Complete days whose minute counts are kept in memory (6 KB each): every site's cut day and the
# hourly chart's days, for a few ranges and filters.
MINUTE_DAYS = 256

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
    # The change's basis: equal spans of both periods (None: not known, as in an old snapshot).
    compared: Comparison | None = None

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
    """Count hits into the UTC days of `into` (other days are left out): by hour into a list of
    24, by minute into a list of 1440."""
    for hit in hits:
        stamp = hit.created_at.astimezone(UTC)
        slots = into.get(stamp.date())
        if slots is not None:
            slots[(stamp.hour * 60 + stamp.minute) * len(slots) // MINUTES] += 1


def by_hour(minutes: list[int]) -> list[int]:
    return [sum(minutes[h * 60 : (h + 1) * 60]) for h in range(24)]


@dataclass(frozen=True)
class DayPart:
    """Minutes [start, end) of one UTC day."""

    day: date
    start: int
    end: int

    @property
    def hourly(self) -> bool:
        """Whole hours: hourly counts are enough."""
        return self.start % 60 == 0 and self.end % 60 == 0


@dataclass(frozen=True)
class Pieces:
    """An interval as parts of single UTC days and runs of whole UTC days."""

    parts: tuple[DayPart, ...]
    runs: tuple[tuple[date, date], ...]


def split(start: datetime, end: datetime) -> Pieces:
    """[start, end) in UTC days, to the minute (seconds are dropped from both ends)."""
    start = start.astimezone(UTC).replace(second=0, microsecond=0)
    end = end.astimezone(UTC).replace(second=0, microsecond=0)
    if end <= start:
        return Pieces((), ())
    first, last = start.date(), end.date()
    head, tail = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    if first == last:
        return Pieces((DayPart(first, head, tail),), ())
    parts: list[DayPart] = []
    if head:
        parts.append(DayPart(first, head, MINUTES))
        first += timedelta(days=1)
    if tail:
        parts.append(DayPart(last, 0, tail))
    runs = ((first, last - timedelta(days=1)),) if first < last else ()
    return Pieces(tuple(parts), runs)


@dataclass
class _Today:
    """Today's counts by minute as last read, so that a refresh reads only the hits since."""

    day: date
    minutes: list[int]
    total: int  # hits of `day` counted into `minutes`
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
    minutes: dict[date, list[int]] = field(default_factory=dict)
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
        # Minute counts of complete days read this session, least recently used first.
        self._minutes: dict[tuple[str, date], list[int]] = {}
        # Complete days too busy to read for a like-for-like cut (see CUT_PAGES).
        self._too_busy: set[tuple[str, date]] = set()

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
        half = len(window.previous.buckets)
        method = "cached"
        if window.hourly:
            pieces = [split(b.start, b.end) for b in buckets]
            cut = window.cut
            # The previous hour cut at the same minute: counted in the same read if it is one.
            extra = split(window.previous.buckets[-1].start, cut).parts if cut else ()
            parts = [p for each in pieces for p in each.parts]
            method = await self._read_parts(site_id, filters, run, parts, extra, progress)
            counts = [self._pieces_count(run, p) or 0 for p in pieces]
            current_days = days_between(window.current.first_day, window.current.last_day)
            days_total = sum(sum(self._hours(run, d) or ()) for d in current_days)
        else:
            needed = [b for b in buckets if self._known_count(run, b) is None]
            if needed:
                # The day the previous period is cut in, by minute if it is read anyway.
                fine = {window.cut.date()} if window.cut else set()
                method = await self._fill(site_id, filters, run, needed, progress, fine)
            counts = [self._known_count(run, b) or 0 for b in buckets]
            days_total = sum(counts[half:])
        compared = await self._compare(site_id, filters, run, window, counts[:half], counts[half:])
        return Series(
            tuple(counts[half:]), tuple(counts[:half]), run.requests, method, days_total, compared
        )

    async def _compare(
        self,
        site_id: int,
        filters: HitFilters,
        run: _Pass,
        window: Window,
        previous: list[int],
        current: list[int],
    ) -> Comparison | None:
        """The current period to now against the previous one to its cut: its complete buckets
        before the cut, and the part of the bucket the cut falls in."""
        cut = window.cut
        if cut is None:
            return None
        same = 0
        for bucket, count in zip(window.previous.buckets, previous, strict=True):
            if bucket.end <= cut:
                same += count
            elif bucket.start < cut:
                part = await self._span_count(site_id, filters, run, split(bucket.start, cut))
                if part is None:
                    # Too busy a day to read: complete buckets only, on both sides.
                    return Comparison(sum(current[:-1]), sum(previous[:-1]), same_moment=False)
                same += part
        return Comparison(sum(current), same)

    # -- what is known ------------------------------------------------------------------------

    def _is_final(self, last_day: date) -> bool:
        return self._now() >= midnight(last_day + timedelta(days=1)) + SETTLE

    def _hours(self, run: _Pass, day: date) -> list[int] | None:
        hours = run.hours.get(day) or self._store.hours(run.key, day)
        if hours is None:
            minutes = self._minutes_of(run, day)
            hours = by_hour(minutes) if minutes is not None else None
        return hours

    def _minutes_of(self, run: _Pass, day: date) -> list[int] | None:
        if day in run.minutes:
            return run.minutes[day]
        minutes = self._minutes.pop((run.key, day), None)
        if minutes is not None:
            self._minutes[(run.key, day)] = minutes  # now the most recently used
        return minutes

    def _keep_minutes(self, key: str, day: date, minutes: list[int]) -> None:
        self._minutes.pop((key, day), None)
        self._minutes[(key, day)] = minutes
        while len(self._minutes) > MINUTE_DAYS:
            del self._minutes[next(iter(self._minutes))]

    def _part_count(self, run: _Pass, part: DayPart) -> int | None:
        if part.hourly:
            hours = self._hours(run, part.day)
            if hours is not None:
                return sum(hours[part.start // 60 : part.end // 60])
        minutes = self._minutes_of(run, part.day)
        return sum(minutes[part.start : part.end]) if minutes is not None else None

    def _days_count(self, run: _Pass, first: date, last: date) -> int | None:
        per_day = [self._hours(run, d) for d in days_between(first, last)]
        if all(h is not None for h in per_day):
            return sum(sum(h) for h in per_day if h is not None)
        span = (first, last)
        if span in run.spans:
            return run.spans[span]
        return self._store.span(run.key, *span)

    def _pieces_count(self, run: _Pass, pieces: Pieces) -> int | None:
        counts = [self._part_count(run, p) for p in pieces.parts]
        counts += [self._days_count(run, *r) for r in pieces.runs]
        known = [c for c in counts if c is not None]
        return sum(known) if len(known) == len(counts) else None

    def _known_count(self, run: _Pass, bucket: Bucket) -> int | None:
        return self._days_count(run, bucket.first_day, bucket.last_day)

    # -- fetching ---------------------------------------------------------------------------

    async def _read_parts(
        self,
        site_id: int,
        filters: HitFilters,
        run: _Pass,
        parts: list[DayPart],
        extra: Iterable[DayPart],
        progress: Progress | None,
    ) -> str:
        """Read the raw hits of the days whose `parts` are not known (today's new hits only,
        when it is the one); `extra` parts are counted too if their day is read anyway."""
        missing = [p for p in parts if self._part_count(run, p) is None]
        if not missing:
            return "cached"
        days = sorted({p.day for p in missing})
        if days == [self._now().date()] and await self._read_new(site_id, filters, run):
            return "new hits"
        fine = {p.day for p in [*missing, *extra] if not p.hourly and p.day in days}
        await self._fetch_raw(site_id, filters, run, days, progress, fine=fine)
        return "raw"

    async def _span_count(
        self, site_id: int, filters: HitFilters, run: _Pass, pieces: Pieces
    ) -> int | None:
        """Hits in `pieces`, reading what is not known: the raw hits of a part's day, a count
        per run of whole days. None when a day is too busy to read (see CUT_PAGES)."""
        for part in pieces.parts:
            if self._part_count(run, part) is None and not await self._read_day(
                site_id, filters, run, part.day, fine=not part.hourly
            ):
                return None
        runs = [r for r in pieces.runs if self._days_count(run, *r) is None]
        if runs:
            whole = [Bucket(midnight(a), midnight(b + timedelta(days=1))) for a, b in runs]
            await self._fetch_counts(site_id, filters, run, whole, None)
        return self._pieces_count(run, pieces)

    async def _read_day(
        self, site_id: int, filters: HitFilters, run: _Pass, day: date, *, fine: bool
    ) -> bool:
        """Count one day's raw hits (by minute if `fine`); False if it has too many to read."""
        if (run.key, day) in self._too_busy:
            return False
        probe = await self._hits_page(site_id, filters, run, (day, day), 1)
        if _plan(probe, MAX_RAW_PAGES).pages > CUT_PAGES:
            if len(self._too_busy) >= MINUTE_DAYS:
                self._too_busy.clear()
            self._too_busy.add((run.key, day))
            return False
        return await self._fetch_raw(
            site_id,
            filters,
            run,
            [day],
            None,
            probe=probe,
            cap=CUT_PAGES,
            fine={day} if fine else set(),
        )

    async def _fill(
        self,
        site_id: int,
        filters: HitFilters,
        run: _Pass,
        needed: list[Bucket],
        progress: Progress | None,
        fine: set[date],
    ) -> str:
        """Fetch what `needed` lacks, raw or by counts, whichever costs fewer requests (by
        minute for the days in `fine`, if raw)."""
        if len(needed) == 1:
            await self._fetch_counts(site_id, filters, run, needed, progress)
            return "counts"
        days = sorted({d for b in needed for d in days_between(b.first_day, b.last_day)})
        spans = chunks(days)
        # Probe the most recent span: it is usually the busiest, so the estimate errs high.
        probe = await self._hits_page(site_id, filters, run, spans[-1], 1)
        days_probed: float = (spans[-1][1] - spans[-1][0]).days + 1
        now = self._now()
        if spans[-1][1] == now.date():
            # Today so far is part of a day: as a whole one it would make the span look quieter
            # than it is (and a long read raw, dearer than counting, look cheaper).
            days_probed -= 1 - max(now - midnight(now.date()), timedelta(minutes=30)) / DAY
        # Hits a day from the probe's count (its pages would round a few hits up to a whole
        # page), and the pages each span takes at that rate, as `cost_of` guesses them.
        per_day = _plan(probe, MAX_RAW_PAGES).total_count / days_probed
        estimate = sum(
            max(1, math.ceil(per_day * ((last - first).days + 1) / RAW_PAGE))
            for first, last in spans
        )
        # A span with more pages than this is cheaper by counts, whatever it claims.
        cap = 2 * len(needed)
        if estimate <= len(needed) and await self._fetch_raw(
            site_id, filters, run, days, progress, probe=probe, cap=cap, fine=fine
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
        fine: set[date] | frozenset[date] = frozenset(),
    ) -> bool:
        """Read every hit of `days` and count them by hour, and by minute for the days in
        `fine` (and today); `probe` is page 1 of the last span.

        At most `cap` pages a span: False when a span went on beyond them (its counts are then
        kept for this answer only, never as final)."""
        fetched_at = self._now()
        today = fetched_at.date()
        by_minute = {d for d in days if d in fine or d == today}
        # Minute counts where they are needed, hourly ones elsewhere: a year of days by minute
        # would be half a million numbers.
        hours = {d: [0] * (MINUTES if d in by_minute else 24) for d in days}
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
            hourly = by_hour(counts) if len(counts) == MINUTES else counts
            final = whole and fetched_at >= midnight(day + timedelta(days=1)) + SETTLE
            if final:
                self._store.put_hours(run.key, day, hourly)
            else:
                run.hours[day] = hourly
            if len(counts) == MINUTES:
                run.minutes[day] = counts
                if final:
                    self._keep_minutes(run.key, day, counts)
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
        minutes = list(kept.minutes)
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
        bucket_hits(fresh, {today: minutes})
        run.minutes[today] = minutes
        run.hours[today] = by_hour(minutes)
        self._keep_today(run.key, _Today(today, minutes, total, kept.counted_at))
        return True

    # -- what a series would cost -----------------------------------------------------------

    def cost_of(
        self,
        site_id: int,
        window: Window,
        filters: HitFilters | None = None,
        *,
        most_hits: int | None = None,
    ) -> int:
        """About how many requests `series()` would send for `window` now, judged from what is
        kept; sends none. Raw pages are guessed from the hits per day of the recent days already
        counted (the Sites table and the 7-day view count the last two weeks); with none counted,
        from `most_hits` (the site's lifetime hits, if known), else the cost of counting bucket
        by bucket: what a busy site pays, and more than a quiet one does."""
        run = _Pass(store_key(site_id, filters or HitFilters()))
        buckets = window.previous.buckets + window.current.buckets
        if window.hourly:
            # The days of the buckets only: a year-earlier comparison is a year away.
            days = sorted({d for b in buckets for d in days_between(b.first_day, b.last_day)})
            missing = [d for d in days if self._hours(run, d) is None]
            if not missing:
                return 0
            if missing == [self._now().date()] and run.key in self._today:
                return 1  # the hits since the last read
            pages = self._raw_pages(run, missing)
            return len(chunks(missing)) if pages is None else pages
        needed = [b for b in buckets if self._known_count(run, b) is None]
        if len(needed) <= 1:
            return len(needed)
        days = sorted({d for b in needed for d in days_between(b.first_day, b.last_day)})
        pages = self._raw_pages(run, days)
        if pages is None and most_hits is not None:
            # Every hit the site ever had, read raw: a bound, not a guess.
            pages = math.ceil(most_hits / RAW_PAGE) + len(chunks(days))
        # As `_fill` decides: one probe, then raw pages if fewer than the buckets, else counts.
        if pages is not None and pages <= len(needed):
            return pages
        return 1 + len(needed)

    def _raw_pages(self, run: _Pass, days: list[date]) -> int | None:
        """Pages of raw hits `days` would take, at the rate of the last complete days counted;
        None when none of them is."""
        today = self._now().date()
        recent = [today - timedelta(days=n) for n in range(1, RATE_DAYS + 1)]
        counts = [self._known_count(run, Bucket(midnight(d), midnight(d) + DAY)) for d in recent]
        known = [c for c in counts if c is not None]
        if not known:
            return None
        per_day = sum(known) / len(known)
        spans = chunks(days)
        return sum(
            max(1, math.ceil(per_day * ((last - first).days + 1) / RAW_PAGE))
            for first, last in spans
        )


def _plan(answer: HitsResponse, cap: int) -> PagingPlan:
    """What to read of a span of raw hits, from its first page."""
    paging = answer.pagination
    size = page_size(RAW_PAGE, paging.per_page)
    return pages_to_read(paging.total_count, paging.total_pages, size, cap)
