"""Every site's hits over the range and the account's total with its change: the Sites screen's
chart and headline.

The chart draws each site's series over the range the user chose (`window(state.range, ...)`),
the biggest few as lines and the rest summed; the headline gives the account's total and its
change against the comparison period. The change is the hits dashboard's own (`Series.compared`,
like for like, and `Comparison.change`), summed over the sites: each site's comparison covers
equal spans of its two periods, so the sum does too.

What it costs, on top of the table's rows (the rules are `app.live.site_schedule`'s):

- **the last 7 days against the 7 before**, the table's own numbers: nothing. The rows are the
  per-site series (`SiteRow.daily`, `SiteRow.compared`);
- **any other range**: each site's series, from the shared `HitCounter`, whose completed UTC days
  are kept on disk, and whose comparison period is counted as one span (`coarse`): the chart
  draws this period only. A first load costs the range's days not yet kept (the biggest sites
  first, under the load rule); after it a site costs about one request (the bucket still
  filling) when the site list shows it moved: the chart's lines at any refresh, the sites it
  sums as "others" at most every OTHERS_MAX_AGE. A range that ended costs nothing once loaded.

Measured by `bench/sites_overview.py` (50 demo sites at scale 3, clock at real speed, default
refresh and budget, each range in a fresh app with a cold cache): a refresh of the Sites screen
costs the site list and at most 4 counts (the cap; 2 to 5 requests on average, by range), so at
most 300 an hour, 100 to 240 measured. A first load, the table's rows and the uptime watcher's
first pass included, costs about 200 requests for the last 7 days, 390 for 30 days and 300 for 24
hours; a cold 12 months of 50 sites (about 600 for the chart alone) stops at the load rule with
11 sites still to count, and fills in as the hour's window moves on.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from app.live.hitcounts import Series
from app.live.ranges import Bucket, Compare, Comparison, Period, Range, RangeKind, Window, window
from app.live.site_schedule import AGED, CHART, MAX_AGE, NEVER, REST, Counted, Due, moved

if TYPE_CHECKING:
    from app.live.hitcounts import HitCounter
    from app.live.overview import SiteRow

# The chart's lines: the biggest sites of the range; the rest are summed as one.
TOP_LINES = 5
# The sites summed as "others" are counted again at most this often, moved or not.
OTHERS_MAX_AGE = 10 * 60.0
# Ranges whose lines are kept, so that going back to one costs only what moved.
KEPT_RANGES = 4

AccountKey = tuple[Range, Compare]


@dataclass(frozen=True)
class SiteLine:
    """One site's hits per bucket of the view's window, and its change."""

    site_id: int
    counts: tuple[int, ...]
    compared: Comparison | None

    @property
    def total(self) -> int:
        return sum(self.counts)


def summed(comparisons: Iterable[Comparison]) -> Comparison | None:
    """Several sites' comparisons as one: at the same moment only if every one is."""
    parts = list(comparisons)
    if not parts:
        return None
    return Comparison(
        sum(c.current for c in parts),
        sum(c.previous for c in parts),
        same_moment=all(c.same_moment for c in parts),
    )


def bucket_sums(lines: Iterable[SiteLine], width: int) -> tuple[int, ...]:
    sums = [0] * width
    for line in lines:
        for index, count in enumerate(line.counts):
            sums[index] += count
    return tuple(sums)


@dataclass(frozen=True)
class ChartLines:
    """What the chart draws: the lines, biggest first, and the rest summed."""

    lines: tuple[SiteLine, ...]
    others: tuple[int, ...]  # per bucket
    others_sites: int  # how many sites `others` sums


@dataclass(frozen=True)
class AccountView:
    """The account over one range: every site counted so far."""

    window: Window
    lines: tuple[SiteLine, ...]  # biggest total first
    sites: int  # sites in the account
    at: datetime  # when the view was made (the year the headline's dates are read in)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def compared(self) -> Comparison | None:
        return summed(line.compared for line in self.lines if line.compared is not None)

    @property
    def change(self) -> float | None:
        compared = self.compared
        return compared.change if compared is not None else None

    @property
    def counted(self) -> int:
        return len(self.lines)

    @property
    def complete(self) -> bool:
        return self.counted >= self.sites

    @property
    def series(self) -> Series:
        """The account as one series, as the hits dashboard's headline reads it."""
        current = bucket_sums(self.lines, len(self.window.current.buckets))
        return Series(current, (), 0, "cached", sum(current), self.compared)

    def chart(self, top: int = TOP_LINES, selected: int | None = None) -> ChartLines:
        """The `top` biggest sites as lines, the selected one too wherever it ranks, the rest
        summed."""
        shown = list(self.lines[:top])
        picked = next((line for line in self.lines if line.site_id == selected), None)
        if picked is not None and picked not in shown:
            shown.append(picked)
        rest = [line for line in self.lines if line not in shown]
        width = len(self.window.current.buckets)
        return ChartLines(tuple(shown), bucket_sums(rest, width), len(rest))


def from_rows(chosen: Range, compare: Compare) -> bool:
    """The range the table counts anyway: its rows are the chart's series."""
    return chosen is RangeKind.WEEK and compare is Compare.PREVIOUS


def coarse(span: Window) -> Window:
    """`span` with its comparison period as one bucket: the chart draws this period's buckets
    only, and the change needs the other period's hits up to its cut, one count instead of one
    a bucket. Hourly windows stay (their comparison comes from the same raw hits)."""
    if span.hourly or len(span.previous.buckets) <= 1:
        return span
    whole = Period((Bucket(span.previous.start, span.previous.end),))
    return replace(span, previous=whole)


def aligned(
    starts: Sequence[datetime], counts: Sequence[int], to: Sequence[datetime]
) -> tuple[int, ...]:
    """Counts of buckets starting at `starts`, on the buckets starting at `to`.

    Buckets the site was not counted for are newer than its count; while the site has not
    moved they had no hits (0). Buckets that moved whole (the weeks of 12 months start a day
    later each day) are matched from the newest until the site is counted again."""
    if tuple(starts) == tuple(to):
        return tuple(counts)
    by_start = dict(zip(starts, counts, strict=True))
    if any(start in by_start for start in to):
        return tuple(by_start.get(start, 0) for start in to)
    padded = [0] * len(to) + list(counts)
    return tuple(padded[len(padded) - len(to) :])


def _ranked(lines: Iterable[SiteLine]) -> tuple[SiteLine, ...]:
    return tuple(sorted(lines, key=lambda line: (-line.total, line.site_id)))


def week_view(rows: Sequence[SiteRow], span: Window, at: datetime) -> AccountView:
    """The last 7 days from the table's rows (no request): each row's days end today."""
    width = len(span.current.buckets)
    lines = [SiteLine(row.id, row.daily, row.compared) for row in rows if len(row.daily) == width]
    return AccountView(span, _ranked(lines), len(rows), at)


@dataclass(frozen=True)
class _Kept:
    starts: tuple[datetime, ...]
    counts: tuple[int, ...]
    compared: Comparison | None
    counted: Counted


class AccountSeries:
    """Each site's series for the ranges looked at, counted as `app.live.site_schedule` says."""

    def __init__(
        self,
        counter: HitCounter,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.counter = counter
        self._now = now
        self._monotonic = monotonic
        self._kept: OrderedDict[AccountKey, dict[int, _Kept]] = OrderedDict()

    def window(self, chosen: Range, compare: Compare) -> Window:
        return window(chosen, self._now(), compare=compare)

    def _lines(self, key: AccountKey) -> dict[int, _Kept]:
        lines = self._kept.pop(key, None) or {}
        self._kept[key] = lines  # now the most recently used
        while len(self._kept) > KEPT_RANGES:
            self._kept.popitem(last=False)
        return lines

    def view(self, chosen: Range, compare: Compare, rows: Sequence[SiteRow]) -> AccountView:
        span = self.window(chosen, compare)
        if from_rows(chosen, compare):
            return week_view(rows, span, self._now())
        starts = tuple(b.start for b in span.current.buckets)
        kept = self._kept.get((chosen, compare), {})
        lines = [
            SiteLine(row.id, aligned(k.starts, k.counts, starts), k.compared)
            for row in rows
            if (k := kept.get(row.id)) is not None
        ]
        return AccountView(span, _ranked(lines), len(rows), self._now())

    def due(
        self,
        chosen: Range,
        compare: Compare,
        rows: Sequence[SiteRow],
        listed: Mapping[int, int | None],
        *,
        trust_list: bool = True,
        selected: int | None = None,
        on_line: Callable[[], None] | None = None,
    ) -> list[Due]:
        """The sites whose series want counting for this range: never counted, moved (the
        chart's lines and the selected site at once, the others at most every OTHERS_MAX_AGE),
        or older than MAX_AGE."""
        if from_rows(chosen, compare):
            return []
        key = (chosen, compare)
        span = coarse(self.window(chosen, compare))
        starts = tuple(b.start for b in span.current.buckets)
        kept = self._lines(key)
        chart = self._chart_sites(kept, rows, selected)
        now = self._monotonic()
        items = []
        for row in rows:
            line = kept.get(row.id)
            lifetime = listed.get(row.id)
            rank: int | None = CHART if row.id in chart else REST
            new = line is None or not set(line.starts) & set(starts)
            if line is not None and not new:
                age = now - line.counted.at
                if not span.ongoing and line.starts == starts:
                    rank = None  # a range that ended: its counts are final
                elif not trust_list or moved(line.counted, lifetime):
                    if rank == REST and age < OTHERS_MAX_AGE:
                        rank = None
                else:
                    rank = AGED if age >= MAX_AGE else None
            if rank is None:
                continue
            items.append(
                Due(
                    rank,
                    NEVER if line is None else line.counted.at,
                    partial(self.counter.cost_of, row.id, span, most_hits=row.lifetime_hits),
                    partial(self._count, key, row.id, lifetime, on_line),
                    new=new,
                )
            )
        return items

    def _chart_sites(
        self, kept: Mapping[int, _Kept], rows: Sequence[SiteRow], selected: int | None
    ) -> set[int]:
        """The sites drawn as lines (the biggest of the range as counted), those likely to be
        (the biggest of the last 7 days, known from the rows) and the selected one."""
        by_range = sorted(kept, key=lambda site: -sum(kept[site].counts))[:TOP_LINES]
        by_week = sorted(rows, key=lambda row: -(row.last_7_days or 0))[:TOP_LINES]
        chosen = {*by_range, *(row.id for row in by_week)}
        if selected is not None:
            chosen.add(selected)
        return chosen

    async def _count(
        self,
        key: AccountKey,
        site_id: int,
        lifetime: int | None,
        on_line: Callable[[], None] | None,
    ) -> None:
        full = self.window(*key)
        span = coarse(full)
        series = await self.counter.series(site_id, span)
        compared = series.compared
        if span is not full and compared is not None and not compared.same_moment:
            # A day too busy to cut at the same moment: complete buckets need the other
            # period's own buckets.
            series = await self.counter.series(site_id, full)
        starts = tuple(b.start for b in full.current.buckets)
        counted = Counted(lifetime, self._monotonic())
        self._lines(key)[site_id] = _Kept(starts, series.current, series.compared, counted)
        if on_line:
            on_line()
