"""The polling machinery every feed shares, through the Sites, Hits and alert feeds, against the
demo server over loopback and without Textual: what a user would get, and what it costs."""

from __future__ import annotations

import asyncio

import httpx

from app.api.client import TinylyticsClient
from app.demo import DemoServer
from app.live.dashboard import Dashboard
from app.live.feed import BUDGET_SPENT
from app.live.overview import SiteRow
from app.live.ranges import RangeKind
from app.live.session import AlertRaised, Notice, Session
from app.live.state import ViewState
from app.live.watcher import Alert
from app.secret import Secret
from tests.conftest import DEMO_HEADERS
from tests.live.watching import Watching, demo_session

SITE = 456


def api_sites(demo: DemoServer) -> list[dict[str, object]]:
    sites: list[dict[str, object]] = httpx.get(
        demo.base_url + "sites", headers=DEMO_HEADERS
    ).json()["sites"]
    demo.stats.reset()
    return sites


async def test_the_sites_feed_lists_every_site_and_picks_the_first(demo: DemoServer) -> None:
    expected = api_sites(demo)
    session, _ = demo_session(demo)
    watching: Watching[list[SiteRow]] = Watching(session.sites_feed)
    rows = await watching.answer()
    assert [row.id for row in rows] == [site["id"] for site in expected]
    assert all(row.today is not None and row.last_7_days is not None for row in rows)
    # The first site is the one shown until the user picks another; every site has its name.
    assert session.state.site_id == expected[0]["id"]
    assert [session.sites.label(row.id) for row in rows] == [site["label"] for site in expected]
    # Rows arrived one by one while the refresh ran (the table fills site by site).
    assert sum(u.partial for u in watching.updates) >= len(rows)
    await watching.stop()
    await session.close()


async def test_the_hits_feed_answers_for_the_site_range_and_filters(demo: DemoServer) -> None:
    session, _ = demo_session(demo, site_id=SITE)
    watching: Watching[Dashboard] = Watching(session.hits_feed)
    first = await watching.answer()
    assert (first.site_id, first.window.kind) == (SITE, RangeKind.WEEK)
    top_path = first.panels[0].rows[0].value
    assert top_path
    session.state.add_filter("path", top_path)
    narrowed = await watching.answer(2)
    assert narrowed.filters.path == top_path
    # Every row of the Pages panel is the filtered path, and the total is its share.
    assert [row.value for row in narrowed.panels[0].rows] == [top_path]
    assert 0 < narrowed.series.total < first.series.total
    await watching.stop()
    await session.close()


async def test_a_new_range_cancels_the_answer_on_its_way(demo: DemoServer) -> None:
    """The user presses `m` while the 7-day answer is on its way: the old answer never reaches
    the screen, and the new one comes without waiting for the old one to finish."""
    session, _ = demo_session(demo, site_id=SITE)
    demo.settings.latency = 0.3
    watching: Watching[Dashboard] = Watching(session.hits_feed)
    await watching.until(lambda: session.hits_feed.freshness.loading)
    session.state.set_range(RangeKind.MONTH)
    answer = await watching.answer(timeout=30)
    assert answer.window.kind is RangeKind.MONTH
    assert [a.window.kind for a in watching.answers()] == [RangeKind.MONTH]
    await watching.stop()
    await session.close()


async def test_paused_asks_nothing_by_itself_but_a_request_is_served(demo: DemoServer) -> None:
    session, _ = demo_session(demo, site_id=SITE, refresh_interval=0.05)
    watching: Watching[Dashboard] = Watching(session.hits_feed)
    await watching.answer()
    session.state.toggle_pause()
    await asyncio.sleep(0.3)  # were it live, this would refresh several times
    demo.stats.reset()
    await asyncio.sleep(0.5)
    assert demo.stats.total == 0
    assert len(watching.answers()) <= 2  # at most the refresh that was already running
    count = len(watching.answers())
    session.hits_feed.ask()
    await watching.answer(count + 1)
    assert demo.stats.total > 0
    await watching.stop()
    await session.close()


async def test_a_spent_budget_waits_visibly_without_asking(demo: DemoServer) -> None:
    session, _ = demo_session(demo, site_id=SITE)
    for _ in range(session.budget.per_hour):
        await session.budget.acquire()
    demo.stats.reset()
    feed = session.hits_feed
    watching: Watching[Dashboard] = Watching(feed)
    await watching.until(lambda: feed.freshness.problem == BUDGET_SPENT)
    assert feed.freshness.retry_at is not None
    assert demo.stats.total == 0
    await watching.stop()
    await session.close()


async def test_an_outage_is_said_once_backs_off_and_recovers(demo: DemoServer) -> None:
    session, events = demo_session(demo, site_id=SITE)
    feed = session.hits_feed
    watching: Watching[Dashboard] = Watching(feed)
    await watching.answer()
    demo.settings.drop_rate = 1.0
    session.refresh_now()
    feed.ask()
    await watching.until(lambda: feed.freshness.problem == "offline", timeout=30)
    assert feed.freshness.retry_at is not None and feed.data is not None  # the data stays
    notices = [e.text for e in events if isinstance(e, Notice)]
    assert sum("Lost the API" in text for text in notices) == 1
    demo.settings.drop_rate = 0.0
    feed.ask()
    await watching.answer(2, timeout=30)
    assert feed.freshness.problem is None
    assert any(isinstance(e, Notice) and "Connection to the API is back" in e.text for e in events)
    await watching.stop()
    await session.close()


async def test_kept_data_paints_before_the_api_exists(demo: DemoServer) -> None:
    key = Secret("tly-ro-demo")
    first, _ = demo_session(demo, site_id=SITE, connect=False)
    first.open_cache(key, "demo")
    first.attach(TinylyticsClient(key.get_secret_value(), demo.base_url, budget=first.budget))
    watching: Watching[Dashboard] = Watching(first.hits_feed)
    fresh = await watching.answer()
    await watching.stop()
    await first.close()

    again = Session(ViewState(site_id=SITE), now=demo.clock.now)
    again.open_cache(key, "demo")
    kept = again.hits_feed.restore()
    assert again.api is None
    assert kept is not None and kept.kept and kept.data == fresh
    assert again.hits_feed.freshness.cached
    await again.close()


async def test_the_alert_feed_tells_a_site_going_down(demo: DemoServer) -> None:
    session, events = demo_session(demo)
    watching: Watching[tuple[Alert, ...]] = Watching(session.alerts_feed)
    await watching.answer()
    told = [e.alert.message for e in events if isinstance(e, AlertRaised)]
    assert any("Kettle & Crumb is down" in message for message in told)
    assert session.watcher is not None
    states = {site_id: s.summary for site_id, s in session.watcher.states.items()}
    assert states[458] == "down" and states[456] == "up"
    await watching.stop()
    await session.close()


async def test_site_names_come_back_from_the_cache_before_the_api(demo: DemoServer) -> None:
    key = Secret("tly-ro-demo")
    first, _ = demo_session(demo, connect=False)
    first.open_cache(key, "demo")
    first.attach(TinylyticsClient(key.get_secret_value(), demo.base_url, budget=first.budget))
    watching: Watching[list[SiteRow]] = Watching(first.sites_feed)
    await watching.answer()
    await watching.stop()
    await first.close()

    again = Session(ViewState(site_id=SITE), now=demo.clock.now)
    assert again.sites.label(SITE) == f"site {SITE}"
    again.open_cache(key, "demo")
    assert again.sites.label(SITE) == "Field Notes"
    await again.close()
