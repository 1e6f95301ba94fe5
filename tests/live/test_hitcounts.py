"""Hits over time from the demo server: right numbers, at the promised request cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from app.api import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer
from app.demo.clock import Clock
from app.live.hitcounts import RECOUNT, HitCounter, HitFilters, chunks
from app.live.ranges import RangeKind, window
from tests.conftest import DEMO_NOW

HEADERS = {"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": "tests"}


def truth(demo: DemoServer, site: int, first: str, last: str, **filters: str) -> int:
    """The count straight from the server, for comparison."""
    answer = httpx.get(
        f"{demo.base_url}sites/{site}/hits",
        params={"start_date": first, "end_date": last, "per_page": 1, **filters},
        headers=HEADERS,
    )
    return int(answer.json()["pagination"]["total_count"])


def sites(demo: DemoServer) -> list[dict[str, object]]:
    answer = httpx.get(f"{demo.base_url}sites", headers=HEADERS).json()
    return list(answer["sites"])


def test_window_shapes() -> None:
    now = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    day = window(RangeKind.DAY, now)
    assert len(day.current.buckets) == 24 and len(day.previous.buckets) == 24
    assert day.current.end == datetime(2026, 11, 20, 15, tzinfo=UTC)
    assert day.previous.end == day.current.start
    week = window(RangeKind.WEEK, now)
    assert [b.first_day.day for b in week.current.buckets] == list(range(14, 21))
    assert week.previous.last_day == week.current.first_day - timedelta(days=1)
    year = window(RangeKind.YEAR, now)
    assert len(year.current.buckets) == 52
    assert year.current.last_day == now.date()
    assert (year.current.last_day - year.current.first_day).days == 363


def test_chunks_split_runs_at_the_api_limit() -> None:
    start = datetime(2025, 1, 1).date()
    days = [start + timedelta(days=i) for i in range(400)]
    runs = chunks(days[:10] + days[20:400])
    assert runs[0] == (days[0], days[9])
    assert (runs[1][1] - runs[1][0]).days + 1 == 365
    assert runs[2][1] == days[399]


async def test_week_series_matches_the_server_and_then_costs_one_request(demo: DemoServer) -> None:
    now = demo.clock.now()
    for site in sites(demo):
        site_id = int(str(site["id"]))
        async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
            counter = HitCounter(client, now=demo.clock.now)
            span = window(RangeKind.WEEK, now)
            first = await counter.series(site_id, span)
            expected = [
                truth(demo, site_id, str(b.first_day), str(b.last_day))
                for b in span.current.buckets
            ]
            assert list(first.current) == expected
            assert first.previous_total == truth(
                demo, site_id, str(span.previous.first_day), str(span.previous.last_day)
            )
            again = await counter.series(site_id, span)
            assert again.current == first.current
            # Only today's bucket can still change.
            assert again.requests == 1


async def test_hourly_series_adds_up(demo: DemoServer) -> None:
    site_id = int(str(sites(demo)[0]["id"]))
    now = demo.clock.now()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        span = window(RangeKind.DAY, now)
        series = await counter.series(site_id, span)
        assert series.method == "raw"
        today = truth(demo, site_id, str(now.date()), str(now.date()))
        hours_today = sum(
            c
            for b, c in zip(span.current.buckets, series.current, strict=True)
            if b.first_day == now.date()
        )
        assert hours_today == today
        assert series.days_total == truth(
            demo, site_id, str(span.current.first_day), str(span.current.last_day)
        )


async def test_filters_are_sent(demo: DemoServer) -> None:
    site_id = int(str(sites(demo)[0]["id"]))
    now = demo.clock.now()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        span = window(RangeKind.MONTH, now)
        unfiltered = await counter.series(site_id, span)
        only_us = await counter.series(site_id, span, HitFilters(country="US"))
        assert 0 < only_us.total < unfiltered.total
        assert only_us.total == truth(
            demo, site_id, str(span.current.first_day), str(span.current.last_day), country="US"
        )


async def test_cheaper_method_is_chosen(demo: DemoServer) -> None:
    """A small site is read raw; counting per bucket wins when pages would outnumber buckets."""
    now = demo.clock.now()
    by_size = sorted(sites(demo), key=lambda s: int(str(s["lifetime_hits"])))
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        span = window(RangeKind.MONTH, now)
        small = await counter.series(int(str(by_size[0]["id"])), span)
        assert small.method == "raw"
        assert small.requests <= 5


async def test_a_24_hour_refresh_reads_only_the_new_hits() -> None:
    """Today's hours are kept between refreshes: the busiest site's 24 hours refresh with one
    request (newest first) or the last page or two (oldest first), and match a full read."""
    with DemoServer(seed=42, scale=3.0, clock=Clock(DEMO_NOW, frozen=True)) as demo:
        await _reads_only_the_new_hits(demo)


async def _reads_only_the_new_hits(demo: DemoServer) -> None:
    site_id = max(sites(demo), key=lambda s: int(str(s["lifetime_hits"])))["id"]
    assert isinstance(site_id, int)
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        first = await counter.series(site_id, window(RangeKind.DAY, demo.clock.now()))
        today = truth(demo, site_id, str(demo.clock.now().date()), str(demo.clock.now().date()))
        assert first.method == "raw" and first.requests > today // 1000 >= 1

        for order in ("desc", "asc"):
            demo.settings.hits_order = order
            demo.clock.advance(6 * 60)
            now = demo.clock.now()
            span = window(RangeKind.DAY, now)
            again = await counter.series(site_id, span)
            fresh = await HitCounter(client, now=demo.clock.now).series(site_id, span)
            assert again.method == "new hits"
            assert again.current == fresh.current and again.previous == fresh.previous
            assert again.current != first.current  # new hits did arrive
            assert again.requests == 1 if order == "desc" else again.requests <= 3
            assert again.requests < fresh.requests

        # Now and then today is read whole again, so that a read that raced new hits is not
        # carried until midnight.
        demo.clock.advance(RECOUNT.total_seconds())
        assert (
            await counter.series(site_id, window(RangeKind.DAY, demo.clock.now()))
        ).method == "raw"
