"""The change against the previous period compares equal spans, at the demo server's 04:00 UTC.

Every expected number is counted here from the API itself (raw hits with their timestamps, or a
day span's `total_count`), not from the code under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.api import TinylyticsClient
from app.demo import DEMO_KEY, Clock, DemoServer
from app.live import hitcounts
from app.live.hitcounts import HitCounter
from app.live.overview import SitesOverview
from app.live.ranges import RangeKind, Window, window
from tests.conftest import DEMO_HEADERS

# Four hours into a Friday: the old comparison set them against a whole Friday a week before.
EARLY = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
# Not on a whole minute or hour: the cut falls inside an hour of the day a week ago.
ODD = datetime(2026, 11, 20, 4, 17, 40, tzinfo=UTC)
DOCS, BLOG = 457, 456


@pytest.fixture
def early() -> Iterator[DemoServer]:
    with DemoServer(seed=42, scale=1.0, clock=Clock(EARLY, frozen=True)) as server:
        yield server


def stamps(demo: DemoServer, site: int, first: date, last: date) -> list[datetime]:
    """Every hit's time in the UTC days `first` to `last`, read page by page."""
    found: list[datetime] = []
    with httpx.Client(base_url=demo.base_url, headers=DEMO_HEADERS, timeout=30) as client:
        page = 1
        while True:
            answer = client.get(
                f"sites/{site}/hits",
                params={"start_date": str(first), "end_date": str(last), "page": page},
            ).json()
            found += [datetime.fromisoformat(h["created_at"]) for h in answer["hits"]]
            if page >= answer["pagination"]["total_pages"]:
                return found
            page += 1


def day_count(demo: DemoServer, site: int, first: date, last: date) -> int:
    answer = httpx.get(
        f"{demo.base_url}sites/{site}/hits",
        params={"start_date": str(first), "end_date": str(last), "per_page": 1},
        headers=DEMO_HEADERS,
    ).json()
    return int(answer["pagination"]["total_count"])


def between(hits: list[datetime], start: datetime, end: datetime) -> int:
    return sum(start <= hit < end for hit in hits)


def previous_to_cut(demo: DemoServer, site: int, span: Window) -> int:
    """The previous period up to its cut (to the minute): whole days by their count, parts of
    days from their hits."""
    assert span.cut is not None
    cut = span.cut.replace(second=0, microsecond=0)
    midnight = datetime.combine(cut.date(), time(0), UTC)
    start, counted = span.previous.start, 0
    if start < midnight:
        last = cut.date() - timedelta(days=1)
        if start.time() == time(0):
            counted = day_count(demo, site, start.date(), last)
        else:
            counted = between(stamps(demo, site, start.date(), last), start, midnight)
        start = midnight
    return counted + between(stamps(demo, site, cut.date(), cut.date()), start, cut)


@pytest.mark.parametrize("kind", [RangeKind.WEEK, RangeKind.MONTH, RangeKind.DAY])
async def test_the_previous_period_is_cut_at_the_same_moment(
    early: DemoServer, kind: RangeKind
) -> None:
    span = window(kind, EARLY)
    assert span.cut == EARLY - (span.current.start - span.previous.start)
    async with TinylyticsClient(DEMO_KEY, early.base_url) as client:
        series = await HitCounter(client, now=early.clock.now).series(DOCS, span)
    compared = series.compared
    assert compared is not None and compared.same_moment
    assert compared.current == series.total
    assert compared.previous == previous_to_cut(early, DOCS, span)
    # The whole previous period is still what the grey line shows.
    assert series.previous_total > compared.previous


async def test_steady_traffic_shows_no_drop_at_four_in_the_morning(early: DemoServer) -> None:
    """Four hours of today against a whole day a week before read as a drop of about a sixth
    on every site; against the same four hours they read as steady."""
    async with TinylyticsClient(DEMO_KEY, early.base_url) as client:
        counter = HitCounter(client, now=early.clock.now)
        rows = await SitesOverview(client, counter, now=early.clock.now).refresh()
    docs = next(row for row in rows if row.id == DOCS)
    assert docs.change is not None and abs(docs.change) < 5, docs.change
    # What the old comparison said, for the same numbers: the bias this test guards against.
    assert docs.last_7_days is not None and docs.previous_7_days is not None
    assert (docs.last_7_days - docs.previous_7_days) / docs.previous_7_days * 100 < -10
    for row in rows:
        assert row.compared is not None and row.compared.current == row.last_7_days


async def test_the_cut_counts_to_the_minute_and_a_refresh_costs_no_more() -> None:
    with DemoServer(seed=42, scale=1.0, clock=Clock(ODD, frozen=True)) as demo:
        span = window(RangeKind.WEEK, ODD)
        async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
            counter = HitCounter(client, now=demo.clock.now)
            first = await counter.series(DOCS, span)
            again = await counter.series(DOCS, span)
        assert first.compared is not None
        assert first.compared.previous == previous_to_cut(demo, DOCS, span)
        assert again.compared == first.compared
        # Only today's count can still change: the day a week ago is counted for the session.
        assert again.requests == 1


async def test_twelve_months_cut_inside_their_last_week(early: DemoServer) -> None:
    span = window(RangeKind.YEAR, EARLY)
    assert span.cut is not None and span.cut.date() == EARLY.date() - timedelta(days=364)
    async with TinylyticsClient(DEMO_KEY, early.base_url) as client:
        series = await HitCounter(client, now=early.clock.now).series(BLOG, span)
    assert series.compared is not None and series.compared.same_moment
    assert series.compared.previous == previous_to_cut(early, BLOG, span)


async def test_a_day_too_busy_to_read_is_compared_over_complete_days(
    early: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the docs site had more hits a day than the app will read to cut one.
    monkeypatch.setattr(hitcounts, "CUT_PAGES", 1)
    span = window(RangeKind.WEEK, EARLY)
    async with TinylyticsClient(DEMO_KEY, early.base_url) as client:
        counter = HitCounter(client, now=early.clock.now)
        series = await counter.series(DOCS, span)
        again = await counter.series(DOCS, span)
    compared = series.compared
    assert compared is not None and not compared.same_moment
    assert compared.current == sum(series.current[:-1])
    assert compared.previous == sum(series.previous[:-1])
    assert again.compared == compared
    assert again.requests == 1  # the busy day is not probed again


async def test_hourly_buckets_follow_local_hours_half_an_hour_off_utc(demo: DemoServer) -> None:
    """In Asia/Kolkata (UTC+05:30) each hour bucket starts at half past a UTC hour, and its
    count is the hits of exactly that hour."""
    now = demo.clock.now()
    span = window(RangeKind.DAY, now, ZoneInfo("Asia/Kolkata"))
    assert all(b.start.minute == 30 for b in span.current.buckets)
    assert span.current.buckets[-1].start <= now < span.current.buckets[-1].end
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        series = await HitCounter(client, now=demo.clock.now).series(BLOG, span)
    hits = stamps(demo, BLOG, span.previous.first_day, span.current.last_day)
    assert list(series.current) == [between(hits, b.start, b.end) for b in span.current.buckets]
    assert list(series.previous) == [between(hits, b.start, b.end) for b in span.previous.buckets]
    assert series.compared is not None
    assert series.compared.previous == between(hits, span.previous.start, span.cut or now)
