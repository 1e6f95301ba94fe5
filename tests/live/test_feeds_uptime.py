"""The Uptime feed against the demo server, without Textual: which page of the history a user
gets, what that costs, when it is asked again, and what a 403 or 404 turns into."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from app.demo import BASIC_KEY, DEMO_KEY, DemoServer
from app.live.feeds import uptime
from app.live.feeds.paged import Unavailable
from app.live.feeds.uptime import UptimeData
from app.live.monitor import CHECK_GRACE, LASTING_WAIT
from app.live.session import Session
from tests.live.watching import Watching, api, attach, demo_session, eventually, session_on

DOWN_SITE, UP_SITE, NO_MONITOR_SITE = 458, 456, 459
Answer = UptimeData | Unavailable


@pytest.fixture
async def session(demo: DemoServer) -> AsyncIterator[Session]:
    """Not connected yet: a test connects it with the key it needs, or `watching` does."""
    session, _ = demo_session(demo, connect=False, site_id=DOWN_SITE, refresh_interval=600.0)
    yield session
    await session.close()


@pytest.fixture
def three_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of three downtimes: the down site's history is three pages long."""
    monkeypatch.setattr(uptime, "PAGE", 3)


@pytest.fixture
async def watching(session: Session, demo: DemoServer) -> AsyncIterator[Watching[Answer]]:
    attach(session, demo)
    async with Watching(session.uptime_feed) as watching:
        yield watching


async def test_a_down_site_its_newest_downtimes_and_its_name(
    session: Session, demo: DemoServer, watching: Watching[Answer]
) -> None:
    expected = api(demo, f"sites/{DOWN_SITE}/uptime", per_page=uptime.PAGE)
    site = api(demo, f"sites/{DOWN_SITE}")["site"]
    data = await watching.answer()
    assert isinstance(data, UptimeData)
    assert (data.site_id, data.page) == (DOWN_SITE, 1)
    assert data.head.monitor.is_down
    assert [d.id for d in data.history.downtimes] == [d["id"] for d in expected["downtimes"]]
    assert session.sites.label(DOWN_SITE) == site["label"]
    # Page one is the head and the history in one request; the site's name takes one more.
    assert demo.stats.by_endpoint["uptime"] == 1
    assert demo.stats.by_endpoint["site"] == 1
    assert session.uptime_feed.current is data
    assert session.uptime_feed.page == 1


async def test_asked_again_when_the_next_check_has_reported(
    session: Session, demo: DemoServer, watching: Watching[Answer]
) -> None:
    monitor = api(demo, f"sites/{DOWN_SITE}/uptime")["monitor"]
    next_check = datetime.fromisoformat(monitor["next_check_at"].replace("Z", "+00:00"))
    data = await watching.answer()
    expected = (next_check - demo.clock.now()).total_seconds() + CHECK_GRACE
    assert session.uptime_feed.interval(data) == pytest.approx(expected)
    assert session.uptime_feed.interval(data) < session.state.refresh_interval
    assert session.uptime_feed.PACED_BY == "the monitor's checks"


async def test_older_and_newer_page_through_the_server(
    session: Session, demo: DemoServer, three_a_page: None, watching: Watching[Answer]
) -> None:
    pages = [api(demo, f"sites/{DOWN_SITE}/uptime", page=n, per_page=3) for n in (1, 2, 3)]
    assert pages[0]["pagination"]["total_pages"] == 3
    feed = session.uptime_feed
    first = await watching.answer()
    assert isinstance(first, UptimeData)
    assert feed.pages == 3
    assert not feed.newer()  # the first page has nothing newer
    for n in (2, 3):
        demo.stats.reset()
        assert feed.older()
        assert feed.page == n
        data = await watching.answer(n)
        assert isinstance(data, UptimeData)
        assert data.page == n
        assert [d.id for d in data.history.downtimes] == [
            d["id"] for d in pages[n - 1]["downtimes"]
        ]
        # The monitor's state is page one's, whatever page of history is on show.
        assert data.head.monitor.is_down
        assert demo.stats.by_endpoint["uptime"] == 2
    assert not feed.older()  # the last page has nothing older
    assert feed.newer()
    back = await watching.answer(4)
    assert isinstance(back, UptimeData)
    assert back.page == 2


async def test_a_shorter_history_shows_its_last_page(
    session: Session,
    demo: DemoServer,
    three_a_page: None,
    watching: Watching[Answer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = session.uptime_feed
    await watching.answer()
    assert feed.older()
    await watching.answer(2)
    # Three to a page made three pages; ten to a page, the history has one page only.
    monkeypatch.setattr(uptime, "PAGE", 10)
    feed.ask()
    data = await watching.answer(3)
    assert isinstance(data, UptimeData)
    assert (data.page, data.pages) == (1, 1)
    assert feed.page == 1
    # The answer for page two, past the end now, was never shown.
    assert [a.page for a in watching.answers() if isinstance(a, UptimeData)] == [1, 2, 1]


async def test_another_site_starts_from_page_one(
    session: Session, demo: DemoServer, three_a_page: None, watching: Watching[Answer]
) -> None:
    feed = session.uptime_feed
    await watching.answer()
    assert feed.older()
    await watching.answer(2)
    session.state.open_site(UP_SITE)
    # The previous site's answer is not this site's, even before the new one arrives.
    assert feed.current is None
    assert feed.page == 1
    data = await watching.answer(3)
    assert isinstance(data, UptimeData)
    assert (data.site_id, data.page) == (UP_SITE, 1)
    assert not data.head.monitor.is_down
    # Back to the first site: page one again, not the page left.
    session.state.open_site(DOWN_SITE)
    again = await watching.answer(4)
    assert isinstance(again, UptimeData)
    assert (again.site_id, again.page) == (DOWN_SITE, 1)


async def test_another_site_picked_mid_flight_drops_the_answer_on_its_way(
    session: Session, demo: DemoServer
) -> None:
    demo.settings.latency = 0.5
    attach(session, demo)
    async with Watching(session.uptime_feed) as watching:
        # The first site's request has left: pick another one while it is on its way.
        await eventually(lambda: session.budget.used_last_hour() >= 1)
        session.state.open_site(UP_SITE)
        data = await watching.answer()
        assert isinstance(data, UptimeData)
        assert data.site_id == UP_SITE
        await asyncio.sleep(0.6)
        assert [a.site_id for a in watching.answers()] == [UP_SITE]
        assert session.uptime_feed.data is data


@pytest.mark.parametrize(
    ("key", "site", "expected"),
    [
        pytest.param(
            DEMO_KEY,
            NO_MONITOR_SITE,
            Unavailable(NO_MONITOR_SITE, False, "No uptime monitor for this site"),
            id="404-no-monitor",
        ),
        pytest.param(
            BASIC_KEY,
            DOWN_SITE,
            Unavailable(DOWN_SITE, True, "Uptime monitoring requires a plan that includes it"),
            id="403-plan",
        ),
    ],
)
async def test_what_is_not_there_is_an_answer_asked_again_rarely(
    session: Session, demo: DemoServer, key: str, site: int, expected: Unavailable
) -> None:
    session.state.open_site(site)
    attach(session, demo, key)
    feed = session.uptime_feed
    async with Watching(feed) as watching:
        data = await watching.answer()
        assert data == expected
        # An answer, not an outage: nothing stale, nothing to retry soon.
        assert feed.freshness.problem is None
        assert feed.interval(data) == LASTING_WAIT
        assert not feed.older()
        assert feed.pages == 1
        assert demo.stats.by_endpoint["site"] == 0  # nothing to name from a 403 or a 404


async def test_nothing_is_asked_without_a_site(demo: DemoServer) -> None:
    async with session_on(demo) as session:
        feed = session.uptime_feed
        assert feed.key() is None
        async with Watching(feed) as watching:
            await asyncio.sleep(0.2)
        assert watching.answers() == []
        assert demo.stats.by_endpoint["uptime"] == 0
