"""The journeys feeds (the list and one journey's timeline) against the demo server, without
Textual: what they ask, and what a user would see."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any, TypeVar

import httpx
import pytest

from app.api import UserJourney
from app.api.client import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer
from app.live.feed import Feed, Update
from app.live.feeds.journeys import JourneyFeed, JourneysFeed
from app.live.journeys import PER_PAGE, SAMPLE_PAGES, Journeys, journey_key, journey_span
from app.live.ranges import RangeKind
from app.live.session import Session
from app.live.state import ViewState
from tests.conftest import DEMO_HEADERS

BLOG, DOCS = 456, 457
T = TypeVar("T")


def watching(feed: Feed[Any, T]) -> AsyncGenerator[Update[T], None]:
    """The feed's updates, closed by the test when done."""
    updates = feed.watch()
    assert isinstance(updates, AsyncGenerator)
    return updates


def session_of(demo: DemoServer, site: int | None = DOCS) -> Session:
    session = Session(ViewState(site_id=site), now=demo.clock.now, cache=False)
    session.attach(TinylyticsClient(DEMO_KEY, demo.base_url, budget=session.budget))
    return session


def sent(demo: DemoServer) -> int:
    return demo.stats.by_endpoint["user_journeys"]


def first_page(demo: DemoServer, site: int, kind: RangeKind) -> dict[str, Any]:
    span = journey_span(kind, demo.clock.now())
    answer = httpx.get(
        f"{demo.base_url}sites/{site}/user_journeys",
        params={
            "start_date": span.first.isoformat(),
            "end_date": span.last.isoformat(),
            "per_page": PER_PAGE,
        },
        headers=DEMO_HEADERS,
        timeout=60,
    )
    answer.raise_for_status()
    body: dict[str, Any] = answer.json()
    demo.stats.reset()  # count only the feeds' requests
    return body


async def next_data(
    updates: AsyncIterator[Update[T]], fits: Callable[[T], bool] = lambda data: True
) -> T:
    async with asyncio.timeout(30):
        async for update in updates:
            if update.data is not None and fits(update.data):
                return update.data
    raise AssertionError("the feed stopped")


async def test_the_list_holds_the_sample_and_refreshes_with_one_request(
    demo: DemoServer,
) -> None:
    body = first_page(demo, DOCS, RangeKind.WEEK)
    session = session_of(demo)
    feed = session.journeys_feed
    assert isinstance(feed, JourneysFeed)
    feed.show()
    updates = watching(feed)
    try:
        data = await next_data(updates)
        assert data.site_id == DOCS and data.span == feed.span()
        assert data.span.kind is RangeKind.WEEK
        assert data.total == body["pagination"]["total_count"] > SAMPLE_PAGES * PER_PAGE
        assert len(data.journeys) == SAMPLE_PAGES * PER_PAGE
        newest = UserJourney.model_validate(body["user_journeys"][0])
        assert journey_key(data.journeys[0]) == journey_key(newest)
        assert data.summary is not None
        assert data.summary.total_visitors == body["summary"]["total_visitors"]
        assert sent(demo) == SAMPLE_PAGES == feed.requests
        assert session.sites.label(DOCS) == "Burrow Docs"

        feed.ask()  # `r`
        again = await next_data(updates)
        assert sent(demo) == SAMPLE_PAGES + 1
        assert again.journeys == data.journeys

        assert feed.more()  # `n`: 50 more
        assert not feed.more()  # one page at a time, until it has come
        more = await next_data(updates)
        assert len(more.journeys) == (SAMPLE_PAGES + 1) * PER_PAGE
        assert sent(demo) == SAMPLE_PAGES + 3  # page 1 for what is new, and the next page
        assert more.more_available
    finally:
        await updates.aclose()
        await session.close()


async def test_more_says_no_when_everything_is_held(demo: DemoServer) -> None:
    session = session_of(demo, site=BLOG)
    session.state.set_range(RangeKind.DAY)
    feed = session.journeys_feed
    feed.show()
    updates = watching(feed)
    try:
        data = await next_data(updates)
        assert data.total <= SAMPLE_PAGES * PER_PAGE
        assert len(data.journeys) == data.total and not data.more_available
        assert not feed.more()
    finally:
        await updates.aclose()
        await session.close()


async def test_a_range_changed_while_loading_discards_the_old_answer(demo: DemoServer) -> None:
    demo.settings.latency = 0.5
    session = session_of(demo, site=BLOG)
    feed = session.journeys_feed
    feed.show()
    updates = watching(feed)
    shown: list[Journeys] = []

    async def collect() -> None:
        async for update in updates:
            if update.data is not None:
                shown.append(update.data)
                return

    try:
        task = asyncio.ensure_future(collect())
        await asyncio.sleep(0.2)  # the week's first page is on its way
        assert feed.freshness.loading
        session.state.set_range(RangeKind.DAY)
        async with asyncio.timeout(30):
            await task
        assert [data.span.kind for data in shown] == [RangeKind.DAY]
        assert feed.data is shown[0]
    finally:
        await updates.aclose()
        await session.close()


async def test_twelve_months_ask_for_thirty_days(demo: DemoServer) -> None:
    session = session_of(demo, site=BLOG)
    session.state.set_range(RangeKind.YEAR)
    feed = session.journeys_feed
    feed.show()
    updates = watching(feed)
    try:
        data = await next_data(updates)
        assert data.span.asked is RangeKind.YEAR and data.span.kind is RangeKind.MONTH
        assert data.span.substituted
    finally:
        await updates.aclose()
        await session.close()


async def test_a_timeline_follows_its_journey_through_the_lists_pager(demo: DemoServer) -> None:
    session = session_of(demo, site=BLOG)
    listing = session.journeys_feed
    listing.show()
    updates = watching(listing)
    try:
        data = await next_data(updates)
    finally:
        await updates.aclose()
    listing.hide()
    journey = next(j for j in data.journeys if len(j.pages) >= 4)
    timeline = session.journey_feed(journey_key(journey))
    assert isinstance(timeline, JourneyFeed)
    assert timeline.site_id == BLOG
    timeline.show()
    seen = watching(timeline)
    try:
        before = sent(demo)
        found = await next_data(seen)
        assert found.journey == journey and found.span == data.span
        assert sent(demo) == before + 1  # the list's refresh: page 1 on top of what is held

        # Another site: this journey has no timeline there, nothing is asked.
        session.state.open_site(DOCS)
        assert timeline.key() is None
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await next_data(seen)
        assert sent(demo) == before + 1
    finally:
        await seen.aclose()
        await session.close()


async def test_a_journey_gone_from_the_list_is_none(demo: DemoServer) -> None:
    session = session_of(demo, site=BLOG)
    timeline = JourneyFeed(session, "nobody\x00\x00/")
    timeline.show()
    seen = watching(timeline)
    try:
        found = await next_data(seen)
        assert found.journey is None and found.site_id == BLOG
    finally:
        await seen.aclose()
        await session.close()


async def test_a_hidden_list_asks_nothing(demo: DemoServer) -> None:
    session = session_of(demo, site=BLOG)
    feed = session.journeys_feed
    assert not feed.visible
    updates = watching(feed)
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await next_data(updates)
        assert sent(demo) == 0
    finally:
        await updates.aclose()
        await session.close()
