"""What a load will cost, judged before it is sent: no request to know it, and close to what the
load then sends (the status line says it while a costly load runs)."""

from __future__ import annotations

import pytest

from app.api import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer
from app.live.dashboard import PANELS, dashboard_cost, load_dashboard
from app.live.feeds.hits import MANY_REQUESTS
from app.live.hitcounts import HitCounter, HitFilters
from app.live.ranges import RangeKind, window
from tests.live.watching import session_on

BUSY, QUIET = 457, 460  # about 1,000 and 8 hits a day in the demo


def close_to(estimate: int, sent: int) -> bool:
    """An estimate worth showing with a `~`: within a fifth, or a few requests."""
    return abs(estimate - sent) <= max(4, sent // 5)


async def test_judging_a_cost_sends_nothing(demo: DemoServer) -> None:
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        before = demo.stats.total
        for kind in RangeKind:
            assert counter.cost_of(BUSY, window(kind, demo.clock.now())) >= 1
        assert dashboard_cost(counter, BUSY, RangeKind.YEAR, HitFilters(), now=demo.clock.now)
        assert demo.stats.total == before


@pytest.mark.parametrize("site", [BUSY, 456])
async def test_a_cold_year_costs_about_what_was_said(demo: DemoServer, site: int) -> None:
    now = demo.clock.now()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        # The 7-day view first, as a user opens a site: its days give the hits per day.
        await counter.series(site, window(RangeKind.WEEK, now))
        year = window(RangeKind.YEAR, now)
        said = counter.cost_of(site, year)
        before = demo.stats.total
        series = await counter.series(site, year)
        sent = demo.stats.total - before
        assert series.requests == sent
        assert said > 50 and close_to(said, sent), (said, sent)
        # Then it is cached: the week still filling is all that is asked again.
        again = counter.cost_of(site, year)
        before = demo.stats.total
        await counter.series(site, year)
        assert again == demo.stats.total - before == 1


async def test_a_quiet_site_is_cheap_and_said_so(demo: DemoServer) -> None:
    now = demo.clock.now()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        await counter.series(QUIET, window(RangeKind.WEEK, now))
        year = window(RangeKind.YEAR, now)
        said = counter.cost_of(QUIET, year)
        before = demo.stats.total
        await counter.series(QUIET, year)
        sent = demo.stats.total - before
        assert close_to(said, sent), (said, sent)
        # Raw pages, not one request per week: too cheap to be worth a word on the status line.
        assert said + len(PANELS) < MANY_REQUESTS


async def test_with_nothing_counted_the_lifetime_hits_bound_it(demo: DemoServer) -> None:
    now = demo.clock.now()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        lifetime = (await client.site(QUIET)).site.lifetime_hits
        assert lifetime is not None
        counter = HitCounter(client, now=demo.clock.now)
        year = window(RangeKind.YEAR, now)
        # Nothing known: one request per week, and the probe (what a busy site costs).
        unknown = counter.cost_of(QUIET, year)
        assert unknown == 1 + 2 * 52
        bounded = counter.cost_of(QUIET, year, most_hits=lifetime)
        before = demo.stats.total
        await counter.series(QUIET, year)
        sent = demo.stats.total - before
        assert sent <= bounded < unknown and close_to(bounded, sent), (bounded, sent)


async def test_the_hourly_view_costs_the_new_hits_once_read(demo: DemoServer) -> None:
    now = demo.clock.now()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        day = window(RangeKind.DAY, now)
        await counter.series(BUSY, day)
        said = counter.cost_of(BUSY, day)
        before = demo.stats.total
        await counter.series(BUSY, day)
        assert said == demo.stats.total - before == 1


async def test_the_feed_says_a_cold_year_and_what_it_does_to_the_budget(
    demo: DemoServer,
) -> None:
    async with session_on(demo, site_id=BUSY, range_kind=RangeKind.YEAR) as session:
        session.budget.per_hour = 100
        feed = session.hits_feed
        assert feed.load_cost() is None  # nothing loading, nothing said
        feed.freshness.loading = True  # as the loop sets it, before its first request
        cost = feed.load_cost()
        assert cost is not None and cost.many
        # Its name (one request, once), the 104 weeks and the probe, the five panels.
        assert cost.requests == 1 + 105 + len(PANELS)
        assert cost.left == 100 and cost.slowed == 60.0
        api, counter = session.api, session.counter
        assert api is not None and counter is not None
        # Judged once, as the load starts: what the load then learns does not change it.
        session.budget.per_hour = 1000
        before = demo.stats.total
        await load_dashboard(api, counter, BUSY, RangeKind.YEAR, HitFilters(), now=demo.clock.now)
        sent = demo.stats.total - before
        assert feed.load_cost() == cost
        assert close_to(cost.requests - 1, sent), (cost, sent)
