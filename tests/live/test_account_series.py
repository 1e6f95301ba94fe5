"""The Sites screen's account over a range: every site's series, the account's total and change,
and what a refresh costs, against the demo server (5 sites, and grown to 50).

Expected numbers come from each site's series as the hits dashboard counts it (a HitCounter of
its own, on a client of its own), not from the code under test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.api import RequestBudget, TinylyticsClient
from app.demo import DEMO_KEY, Clock, DemoServer
from app.live.account_series import coarse
from app.live.hitcounts import HitCounter, Series
from app.live.overview import SitesOverview
from app.live.ranges import Compare, Comparison, RangeKind, window
from app.live.session import Session
from app.live.site_schedule import MAX_AGE, per_refresh_cap
from tests.conftest import DEMO_NOW
from tests.hostile import HostileServer
from tests.live.watching import session_on


@pytest.fixture
def fifty() -> Iterator[DemoServer]:
    """The demo account grown to 50 sites (45 made up, with a long tail of traffic)."""
    with DemoServer(seed=42, scale=1.0, sites=50, clock=Clock(DEMO_NOW, frozen=True)) as server:
        yield server


async def refresh(session: Session, demo: DemoServer) -> int:
    """One refresh of the Sites screen's feed, as its loop runs it; the requests it sent."""
    feed = session.sites_feed
    assert session.api is not None
    demo.stats.reset()
    await feed.fetch(session.api, feed.key())
    return demo.stats.total


async def dashboard_series(demo: DemoServer, kind: RangeKind) -> dict[int, Series]:
    """Each site's series over `kind`, counted as the hits dashboard counts one site."""
    async with TinylyticsClient(DEMO_KEY, demo.base_url, budget=RequestBudget(10_000)) as client:
        counter = HitCounter(client, now=demo.clock.now)
        sites = (await client.sites()).sites
        span = window(kind, demo.clock.now())
        found = {site.id: await counter.series(site.id, span) for site in sites}
    demo.stats.reset()
    return found


@pytest.mark.parametrize("kind", [RangeKind.WEEK, RangeKind.MONTH, RangeKind.DAY])
async def test_the_account_is_the_sum_of_its_sites(demo: DemoServer, kind: RangeKind) -> None:
    async with session_on(demo) as session:
        session.state.set_range(kind)
        await refresh(session, demo)
        view = session.sites_feed.account_view()
    expected = await dashboard_series(demo, kind)
    assert view is not None and view.complete and view.sites == len(expected)
    assert view.total == sum(s.total for s in expected.values()) > 0
    per_bucket = [
        sum(column) for column in zip(*(s.current for s in expected.values()), strict=True)
    ]
    assert list(view.series.current) == per_bucket
    assert {line.site_id: line.counts for line in view.lines} == {
        site: s.current for site, s in expected.items()
    }
    # The change is the dashboard's like-for-like comparison, summed over the sites: the
    # comparison period counted as one span gives each site the same comparison.
    parts = [s.compared for s in expected.values() if s.compared is not None]
    summed = Comparison(sum(c.current for c in parts), sum(c.previous for c in parts))
    assert view.compared == summed
    assert view.change == summed.change is not None


async def test_the_comparison_period_as_one_span_compares_alike(demo: DemoServer) -> None:
    """`coarse` asks one count for the comparison period: the same comparison as its buckets."""
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        for kind in (RangeKind.MONTH, RangeKind.YEAR):
            span = window(kind, demo.clock.now(), compare=Compare.PREVIOUS)
            whole = await HitCounter(client, now=demo.clock.now).series(457, span)
            one = await HitCounter(client, now=demo.clock.now).series(457, coarse(span))
            assert len(one.previous) == 1
            assert one.current == whole.current
            assert one.compared == whole.compared is not None


async def test_the_last_7_days_cost_nothing_more_than_the_table(demo: DemoServer) -> None:
    async with session_on(demo) as session:
        with_chart = await refresh(session, demo)
        view = session.sites_feed.account_view()
        rows = session.sites_feed.rows
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        demo.stats.reset()
        await SitesOverview(
            client, HitCounter(client, now=demo.clock.now), now=demo.clock.now
        ).refresh()
        table_alone = demo.stats.total
    assert with_chart == table_alone
    assert view is not None and view.complete
    assert view.total == sum(row.last_7_days or 0 for row in rows)
    assert {line.site_id: line.counts for line in view.lines} == {row.id: row.daily for row in rows}


async def test_nothing_new_costs_the_site_list_alone(demo: DemoServer) -> None:
    async with session_on(demo) as session:
        session.state.set_range(RangeKind.MONTH)
        await refresh(session, demo)
        # The demo's clock stands still: no site has a new hit.
        assert await refresh(session, demo) == 1
        assert demo.stats.by_endpoint == {"sites": 1}


@pytest.mark.parametrize("kind", [RangeKind.WEEK, RangeKind.MONTH])
async def test_a_refresh_of_50_sites_costs_at_most_the_cap(
    fifty: DemoServer, kind: RangeKind
) -> None:
    async with session_on(fifty) as session:
        session.state.set_range(kind)
        first = await refresh(session, fifty)
        view = session.sites_feed.account_view()
        assert view is not None and view.complete and view.sites == 50
        cap = per_refresh_cap(session.budget, session.state.refresh_interval)
        assert first > 1 + cap  # the first load is not held to the cap
        # Ten minutes of traffic: most of the big sites and some small ones moved.
        fifty.clock.advance(600)
        steady = await refresh(session, fifty)
        allowance = session.sites_feed.allowance
        assert allowance is not None and allowance.deferred > 0  # more moved than the cap holds
        assert 1 < steady <= 1 + cap
        # What was left waits for the next refreshes, oldest first; each one is held to the cap.
        counted = 0
        for _ in range(20):
            cost = await refresh(session, fifty)
            assert cost <= 1 + cap
            counted += cost - 1
            if session.sites_feed.allowance and not session.sites_feed.allowance.deferred:
                break
        assert counted > 0
        assert session.sites_feed.allowance is not None
        assert session.sites_feed.allowance.deferred == 0


async def test_sites_that_moved_are_counted_again(demo: DemoServer) -> None:
    async with session_on(demo) as session:
        session.state.set_range(RangeKind.MONTH)
        await refresh(session, demo)
        before = session.sites_feed.account_view()
        demo.clock.advance(600)
        await refresh(session, demo)
        after = session.sites_feed.account_view()
    assert before is not None and after is not None
    # The busiest site had new hits in ten minutes, and the account's total shows them.
    expected = await dashboard_series(demo, RangeKind.MONTH)
    assert after.total == sum(s.total for s in expected.values()) > before.total


class Ticks:
    """A monotonic clock the test moves (the overview's ages)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_site_list_that_lags_is_no_longer_trusted(
    demo: DemoServer, hostile_api: HostileServer
) -> None:
    """A service whose lifetime counts stand still: the hourly recount finds the hits they
    missed, and from then on the rows on screen are counted every refresh."""
    frozen: dict[int, object] = {}

    def stale_list(path: str, query: dict[str, str], body: object) -> object:
        if path == "sites" and isinstance(body, dict):
            for site in body["sites"]:
                site["lifetime_hits"] = frozen.setdefault(site["id"], site["lifetime_hits"])
        return body

    hostile_api.mutate = stale_list
    ticks = Ticks()
    async with TinylyticsClient(DEMO_KEY, hostile_api.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        overview = SitesOverview(client, counter, now=demo.clock.now, monotonic=ticks)
        await overview.refresh()
        demo.clock.advance(2 * 3600)
        demo.stats.reset()
        await overview.refresh()
        assert demo.stats.by_endpoint == {"sites": 1}  # nothing moved, as far as the list says
        assert overview.list_moves
        ticks.now += MAX_AGE
        await overview.refresh()
        assert not overview.list_moves
        rows = {row.id: row for row in overview.rows}
        demo.clock.advance(600)
        demo.stats.reset()
        await overview.refresh()
        # Every row counted again, though the list still says nothing moved.
        assert demo.stats.by_endpoint.get("hits", 0) >= len(rows)
    assert rows[457].today is not None


async def test_an_honest_site_list_stays_trusted(demo: DemoServer) -> None:
    ticks = Ticks()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        overview = SitesOverview(client, counter, now=demo.clock.now, monotonic=ticks)
        await overview.refresh()
        demo.clock.advance(2 * 3600)
        ticks.now += MAX_AGE
        await overview.refresh()
        assert overview.list_moves
