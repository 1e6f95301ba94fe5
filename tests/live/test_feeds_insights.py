"""The Insights feed against the demo server, without Textual: which page of insights a user
gets, what that costs, when it is asked again, and what a 403 or 404 turns into."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from app.demo import BASIC_KEY, DEMO_KEY, DemoServer
from app.live.feeds import insights
from app.live.feeds.insights import InsightsData
from app.live.feeds.paged import Unavailable
from app.live.monitor import CHECK_GRACE, INSIGHT_WAIT, LASTING_WAIT
from app.live.session import Session
from tests.live.watching import Watching, api, attach, demo_session, eventually

SITE, OTHER_SITE, DISABLED_SITE, UNKNOWN_SITE = 456, 457, 459, 999
Answer = InsightsData | Unavailable


@pytest.fixture
async def session(demo: DemoServer) -> AsyncIterator[Session]:
    """Not connected yet: a test connects it with the key it needs, or `watching` does."""
    session, _ = demo_session(demo, connect=False, site_id=SITE, refresh_interval=600.0)
    yield session
    await session.close()


@pytest.fixture
def three_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of three insights."""
    monkeypatch.setattr(insights, "PAGE", 3)


@pytest.fixture
async def watching(session: Session, demo: DemoServer) -> AsyncIterator[Watching[Answer]]:
    attach(session, demo)
    async with Watching(session.insights_feed) as watching:
        yield watching


async def test_the_newest_insights_name_their_site(
    session: Session, demo: DemoServer, watching: Watching[Answer]
) -> None:
    expected = api(demo, f"sites/{SITE}/insights", per_page=insights.PAGE)
    data = await watching.answer()
    assert isinstance(data, InsightsData)
    assert (data.site_id, data.page) == (SITE, 1)
    assert [i.id for i in data.answer.insights] == [i["id"] for i in expected["insights"]]
    assert data.pages == expected["pagination"]["total_pages"]
    # The answer names its site: the header needs no request of its own.
    assert session.sites.label(SITE) == expected["site"]["label"]
    assert demo.stats.by_endpoint["insights"] == 1
    assert demo.stats.by_endpoint["site"] == 0


async def test_asked_again_within_the_hour_whatever_the_interval(
    session: Session, demo: DemoServer, watching: Watching[Answer]
) -> None:
    session.state.set_interval(10.0)
    data = await watching.answer()
    # The next job is 10.5 hours away: look again within the hour, not every 10 seconds.
    assert session.insights_feed.interval(data) == INSIGHT_WAIT
    assert session.insights_feed.PACED_BY == "the daily insights schedule"


async def test_asked_again_when_the_next_job_has_run(
    session: Session, demo: DemoServer, watching: Watching[Answer]
) -> None:
    answer = api(demo, f"sites/{SITE}/insights", per_page=1)
    next_job = datetime.fromisoformat(answer["site"]["next_insight_job_scheduled_at"])
    demo.clock.advance((next_job - demo.clock.now()).total_seconds() - 600)
    data = await watching.answer()
    assert session.insights_feed.interval(data) == pytest.approx(600 + CHECK_GRACE)


async def test_older_and_newer_page_through_the_server(
    session: Session, demo: DemoServer, three_a_page: None, watching: Watching[Answer]
) -> None:
    pages = [api(demo, f"sites/{SITE}/insights", page=n, per_page=3) for n in (1, 2)]
    total = pages[0]["pagination"]["total_pages"]
    assert total >= 3
    feed = session.insights_feed
    await watching.answer()
    assert feed.pages == total
    assert not feed.newer()
    assert feed.older()
    data = await watching.answer(2)
    assert isinstance(data, InsightsData)
    assert data.page == 2
    assert [i.id for i in data.answer.insights] == [i["id"] for i in pages[1]["insights"]]
    assert feed.newer()
    back = await watching.answer(3)
    assert isinstance(back, InsightsData)
    assert [i.id for i in back.answer.insights] == [i["id"] for i in pages[0]["insights"]]
    assert demo.stats.by_endpoint["insights"] == 3


async def test_a_shorter_list_shows_its_last_page(
    session: Session,
    demo: DemoServer,
    three_a_page: None,
    watching: Watching[Answer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = session.insights_feed
    await watching.answer()
    for n in (2, 3):
        assert feed.older()
        await watching.answer(n)
    # Fifty to a page (the most the API gives), the list has fewer pages than three.
    last = api(demo, f"sites/{SITE}/insights", per_page=50)["pagination"]["total_pages"]
    assert last < 3
    monkeypatch.setattr(insights, "PAGE", 50)
    feed.ask()
    data = await watching.answer(4)
    assert isinstance(data, InsightsData)
    assert (data.page, data.pages) == (last, last)
    assert feed.page == last
    # The answer for page three, past the end now, was never shown.
    assert [a.page for a in watching.answers() if isinstance(a, InsightsData)] == [1, 2, 3, last]


async def test_another_site_starts_from_page_one(
    session: Session, demo: DemoServer, three_a_page: None, watching: Watching[Answer]
) -> None:
    feed = session.insights_feed
    await watching.answer()
    assert feed.older()
    await watching.answer(2)
    session.state.open_site(OTHER_SITE)
    assert feed.current is None
    assert feed.page == 1
    data = await watching.answer(3)
    assert isinstance(data, InsightsData)
    assert (data.site_id, data.page) == (OTHER_SITE, 1)


async def test_another_site_picked_mid_flight_drops_the_answer_on_its_way(
    session: Session, demo: DemoServer
) -> None:
    demo.settings.latency = 0.5
    attach(session, demo)
    async with Watching(session.insights_feed) as watching:
        await eventually(lambda: session.budget.used_last_hour() >= 1)  # the request has left
        session.state.open_site(OTHER_SITE)
        data = await watching.answer()
        assert isinstance(data, InsightsData)
        assert data.site_id == OTHER_SITE
        await asyncio.sleep(0.6)
        assert [a.site_id for a in watching.answers()] == [OTHER_SITE]
        assert not session.sites.knows(SITE)  # the dropped answer taught nothing either


async def test_a_site_with_insights_off_has_none_and_no_schedule(
    session: Session, demo: DemoServer
) -> None:
    session.state.open_site(DISABLED_SITE)
    attach(session, demo)
    async with Watching(session.insights_feed) as watching:
        data = await watching.answer()
        assert isinstance(data, InsightsData)
        assert data.answer.insights == []
        assert data.answer.site is not None and data.answer.site.insights_enabled is False
        assert session.insights_feed.interval(data) == INSIGHT_WAIT
        assert not session.insights_feed.older()


@pytest.mark.parametrize(
    ("key", "site", "expected"),
    [
        pytest.param(
            DEMO_KEY, UNKNOWN_SITE, Unavailable(UNKNOWN_SITE, False, "Site not found"), id="404"
        ),
        pytest.param(
            BASIC_KEY,
            SITE,
            Unavailable(SITE, True, "AI insights requires a plan that includes it"),
            id="403-plan",
        ),
    ],
)
async def test_what_is_not_there_is_an_answer_asked_again_rarely(
    session: Session, demo: DemoServer, key: str, site: int, expected: Unavailable
) -> None:
    session.state.open_site(site)
    attach(session, demo, key)
    feed = session.insights_feed
    async with Watching(feed) as watching:
        data = await watching.answer()
        assert data == expected
        # An answer, not an outage: nothing stale, nothing to retry soon, no page to go to.
        assert feed.freshness.problem is None
        assert feed.interval(data) == LASTING_WAIT
        assert not feed.older()
