"""The journeys feeds (the list and one journey's timeline) against the demo server, without
Textual: what they ask, and what a user would see."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.api import UserJourney
from app.demo import DemoServer
from app.live.feeds.journeys import JourneyFeed, JourneysFeed
from app.live.journeys import PER_PAGE, SAMPLE_PAGES, journey_key, journey_span
from app.live.ranges import RangeKind
from tests.live.watching import Watching, api, session_on

BLOG, DOCS = 456, 457
WAIT = 30.0  # a list is several requests


def sent(demo: DemoServer) -> int:
    return demo.stats.by_endpoint["user_journeys"]


def first_page(demo: DemoServer, site: int, kind: RangeKind) -> Any:
    span = journey_span(kind, demo.clock.now())
    return api(
        demo,
        f"sites/{site}/user_journeys",
        start_date=span.first.isoformat(),
        end_date=span.last.isoformat(),
        per_page=PER_PAGE,
    )


async def test_the_list_holds_the_sample_and_refreshes_with_one_request(
    demo: DemoServer,
) -> None:
    body = first_page(demo, DOCS, RangeKind.WEEK)
    async with session_on(demo, site_id=DOCS) as session:
        feed = session.journeys_feed
        assert isinstance(feed, JourneysFeed)
        async with Watching(feed, timeout=WAIT) as watching:
            data = await watching.next()
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
            again = await watching.next()
            assert sent(demo) == SAMPLE_PAGES + 1
            assert again.journeys == data.journeys

            assert feed.more()  # `n`: 50 more
            assert not feed.more()  # one page at a time, until it has come
            more = await watching.next()
            assert len(more.journeys) == (SAMPLE_PAGES + 1) * PER_PAGE
            assert sent(demo) == SAMPLE_PAGES + 3  # page 1 for what is new, and the next page
            assert more.more_available


async def test_more_says_no_when_everything_is_held(demo: DemoServer) -> None:
    async with session_on(demo, site_id=BLOG) as session:
        session.state.set_range(RangeKind.DAY)
        feed = session.journeys_feed
        async with Watching(feed, timeout=WAIT) as watching:
            data = await watching.next()
            assert data.total <= SAMPLE_PAGES * PER_PAGE
            assert len(data.journeys) == data.total and not data.more_available
            assert not feed.more()


async def test_a_range_changed_while_loading_discards_the_old_answer(demo: DemoServer) -> None:
    demo.settings.latency = 0.5
    async with session_on(demo, site_id=BLOG) as session:
        feed = session.journeys_feed
        async with Watching(feed, timeout=WAIT) as watching:
            await asyncio.sleep(0.2)  # the week's first page is on its way
            assert feed.freshness.loading
            session.state.set_range(RangeKind.DAY)
            shown = await watching.answer()
            assert [data.span.kind for data in watching.answers()] == [RangeKind.DAY]
            assert feed.data is shown


async def test_twelve_months_ask_for_thirty_days(demo: DemoServer) -> None:
    async with session_on(demo, site_id=BLOG) as session:
        session.state.set_range(RangeKind.YEAR)
        async with Watching(session.journeys_feed, timeout=WAIT) as watching:
            data = await watching.next()
            assert data.span.asked is RangeKind.YEAR and data.span.kind is RangeKind.MONTH
            assert data.span.substituted


async def test_a_timeline_follows_its_journey_through_the_lists_pager(demo: DemoServer) -> None:
    async with session_on(demo, site_id=BLOG) as session:
        listing = session.journeys_feed
        async with Watching(listing, timeout=WAIT) as watching:
            data = await watching.next()
        listing.hide()
        journey = next(j for j in data.journeys if len(j.pages) >= 4)
        timeline = session.journey_feed(journey_key(journey))
        assert isinstance(timeline, JourneyFeed)
        assert timeline.site_id == BLOG
        async with Watching(timeline, timeout=WAIT) as seen:
            before = sent(demo)
            found = await seen.next()
            assert found.journey == journey and found.span == data.span
            assert sent(demo) == before + 1  # the list's refresh: page 1 on top of what is held

            # Another site: this journey has no timeline there, nothing is asked.
            session.state.open_site(DOCS)
            assert timeline.key() is None
            with pytest.raises(TimeoutError):
                await seen.next(timeout=0.3)
            assert sent(demo) == before + 1


async def test_a_journey_gone_from_the_list_is_none(demo: DemoServer) -> None:
    async with (
        session_on(demo, site_id=BLOG) as session,
        Watching(JourneyFeed(session, "nobody\x00\x00/"), timeout=WAIT) as seen,
    ):
        found = await seen.next()
        assert found.journey is None and found.site_id == BLOG


async def test_a_hidden_list_asks_nothing(demo: DemoServer) -> None:
    async with session_on(demo, site_id=BLOG) as session:
        feed = session.journeys_feed
        assert not feed.visible
        async with Watching(feed, show=False) as watching:
            with pytest.raises(TimeoutError):
                await watching.next(timeout=0.3)
            assert sent(demo) == 0
