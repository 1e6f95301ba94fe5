"""Journeys from the demo server: the feed's rows and request cost, the common paths, timelines."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

import httpx
import pytest

from app.api import JourneyPage, ServerError, TinylyticsClient, UserJourney
from app.demo import DEMO_KEY, DemoServer
from app.live.journeys import (
    MAX_PAGES,
    PER_PAGE,
    SAMPLE_PAGES,
    JourneyFeed,
    JourneySpan,
    common_paths,
    journey_key,
    journey_span,
    timeline,
)
from app.live.ranges import RangeKind

HEADERS = {"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": "tests"}
BLOG, DOCS = 456, 457  # the demo's small blog and its busiest site


def raw_page(demo: DemoServer, site: int, span: JourneySpan, page: int) -> dict[str, Any]:
    """One page straight from the server, for comparison."""
    answer = httpx.get(
        f"{demo.base_url}sites/{site}/user_journeys",
        params={
            "start_date": span.first.isoformat(),
            "end_date": span.last.isoformat(),
            "page": page,
            "per_page": PER_PAGE,
        },
        headers=HEADERS,
        timeout=60,
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def raw_keys(demo: DemoServer, site: int, span: JourneySpan, pages: int) -> list[str]:
    keys = []
    for page in range(1, pages + 1):
        for row in raw_page(demo, site, span, page)["user_journeys"]:
            keys.append(journey_key(UserJourney.model_validate(row)))
    return keys


def test_spans() -> None:
    now = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    day = journey_span(RangeKind.DAY, now)
    # The last 24 hours reach into yesterday: both UTC days are asked for.
    assert (day.first, day.last) == (date(2026, 11, 19), date(2026, 11, 20))
    assert journey_span(RangeKind.WEEK, now).first == date(2026, 11, 14)
    month = journey_span(RangeKind.MONTH, now)
    assert (month.first, month.last) == (date(2026, 10, 22), date(2026, 11, 20))
    year = journey_span(RangeKind.YEAR, now)
    assert year.kind is RangeKind.MONTH and year.substituted
    assert (year.first, year.last) == (month.first, month.last)


async def test_first_load_reads_the_sample_then_refreshes_with_one_request(
    demo: DemoServer,
) -> None:
    span = journey_span(RangeKind.MONTH, demo.clock.now())
    feed = JourneyFeed()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        data = await feed.refresh(client, DOCS, span)
        first = raw_page(demo, DOCS, span, 1)
        assert data.total == first["pagination"]["total_count"] > SAMPLE_PAGES * PER_PAGE
        assert data.summary is not None
        assert data.summary.model_dump() == first["summary"]
        assert feed.requests == SAMPLE_PAGES
        # The newest journeys, in the API's order, each once.
        assert [journey_key(j) for j in data.journeys] == raw_keys(demo, DOCS, span, SAMPLE_PAGES)

        feed.requests = 0
        again = await feed.refresh(client, DOCS, span)
        assert feed.requests == 1
        assert again.journeys == data.journeys

        assert feed.want_more()
        assert not feed.want_more()  # one page at a time, until it has come
        more = await feed.refresh(client, DOCS, span)
        assert feed.requests == 3
        assert len(more.journeys) == (SAMPLE_PAGES + 1) * PER_PAGE
        assert [journey_key(j) for j in more.journeys] == raw_keys(
            demo, DOCS, span, SAMPLE_PAGES + 1
        )


@pytest.mark.parametrize(
    ("minutes", "requests"),
    [
        # Page 1 overlaps what is held and the total grew by what appeared on top.
        pytest.param(20, 1, id="stitched"),
        # More than a page arrived: read on until the new pages meet what is held.
        pytest.param(120, 2, id="read-on"),
        # As many pages arrived as are held: the sample is simply read again.
        pytest.param(8 * 60, SAMPLE_PAGES, id="reloaded"),
    ],
)
async def test_new_journeys_arrive_on_top(demo: DemoServer, minutes: int, requests: int) -> None:
    span = journey_span(RangeKind.WEEK, demo.clock.now())
    feed = JourneyFeed()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        before = await feed.refresh(client, DOCS, span)
        demo.clock.advance(minutes * 60)  # the same UTC days, more visitors
        feed.requests = 0
        after = await feed.refresh(client, DOCS, span)
    assert after.total > before.total
    assert feed.requests == requests
    # What the feed holds is what a full read gives now, whatever it cost to get there.
    keys = [journey_key(j) for j in after.journeys]
    assert len(keys) >= SAMPLE_PAGES * PER_PAGE
    assert keys == raw_keys(demo, DOCS, span, -(-len(keys) // PER_PAGE))[: len(keys)]


async def test_a_failed_refresh_keeps_what_is_held(demo: DemoServer) -> None:
    span = journey_span(RangeKind.WEEK, demo.clock.now())
    feed = JourneyFeed()
    async with TinylyticsClient(DEMO_KEY, demo.base_url, max_retries=0) as client:
        before = await feed.refresh(client, DOCS, span)
        demo.settings.error_rate, demo.settings.error_status = 1.0, 502
        with pytest.raises(ServerError):
            await feed.refresh(client, DOCS, span)
        demo.settings.error_rate = 0.0
        feed.requests = 0
        after = await feed.refresh(client, DOCS, span)
    assert after.journeys == before.journeys
    assert feed.requests == 1


async def test_held_journeys_are_bounded(demo: DemoServer) -> None:
    span = journey_span(RangeKind.MONTH, demo.clock.now())
    feed = JourneyFeed()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        await feed.refresh(client, DOCS, span)
        feed.wanted = 100_000  # as if the user kept scrolling
        feed.requests = 0
        data = await feed.refresh(client, DOCS, span)
    assert data.total > MAX_PAGES * PER_PAGE
    assert len(data.journeys) == MAX_PAGES * PER_PAGE
    # Page 1, then only the pages not held yet.
    assert feed.requests == 1 + MAX_PAGES - SAMPLE_PAGES
    assert not data.more_available and not feed.want_more()


async def test_a_new_range_starts_over(demo: DemoServer) -> None:
    now = demo.clock.now()
    feed = JourneyFeed()
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        week = await feed.refresh(client, BLOG, journey_span(RangeKind.WEEK, now))
        day_span = journey_span(RangeKind.DAY, now)
        day = await feed.refresh(client, BLOG, day_span)
    assert day.span == day_span
    assert day.total == raw_page(demo, BLOG, day_span, 1)["pagination"]["total_count"]
    assert day.total < week.total
    assert {journey_key(j) for j in day.journeys} == set(
        raw_keys(demo, BLOG, day_span, -(-day.total // PER_PAGE))
    )


def test_common_paths_of_real_journeys(demo: DemoServer) -> None:
    span = journey_span(RangeKind.MONTH, demo.clock.now())
    rows = [r for p in (1, 2, 3) for r in raw_page(demo, DOCS, span, p)["user_journeys"]]
    journeys = [UserJourney.model_validate(r) for r in rows]
    paths = common_paths(journeys, limit=100_000)

    # Counted independently from the raw JSON.
    steps: Counter[tuple[str, str]] = Counter()
    views: Counter[str] = Counter()
    exits: Counter[str] = Counter(r["exit_page"] for r in rows)
    for row in rows:
        names = [p["path"] for p in row["pages"]]
        views.update(names)
        steps.update(pairwise(names))
    assert paths.journeys == len(rows)
    assert paths.views == sum(views.values())
    assert {(s.source, s.target): s.count for s in paths.steps} == dict(steps)
    assert {leave.path: leave.exits for leave in paths.leaves} == dict(exits)
    # Most frequent first.
    counts = [s.count for s in paths.steps]
    assert counts == sorted(counts, reverse=True)
    assert paths.steps[0].count == max(steps.values())
    # Every view is followed by one step or by the exit: a page's shares and exit rate add to 1.
    for page in views:
        going_on = sum(s.share for s in paths.steps if s.source == page)
        leaving = next((leave.rate for leave in paths.leaves if leave.path == page), 0.0)
        assert going_on + leaving == pytest.approx(1.0)


def test_common_paths_limit_and_empty() -> None:
    assert common_paths([]).steps == () and common_paths([]).journeys == 0
    at = datetime(2026, 11, 20, 10, tzinfo=UTC)
    many = [
        UserJourney(pages=[JourneyPage(path=f"/a{i}", visited_at=at), JourneyPage(path="/b")])
        for i in range(40)
    ]
    paths = common_paths(many, limit=5)
    assert len(paths.steps) == 5 and len(paths.leaves) == 1
    assert paths.leaves[0].path == "/b" and paths.leaves[0].rate == 1.0


def test_timeline_offsets_of_real_journeys(demo: DemoServer) -> None:
    span = journey_span(RangeKind.WEEK, demo.clock.now())
    rows = raw_page(demo, BLOG, span, 1)["user_journeys"]
    assert rows
    for row in rows:
        journey = UserJourney.model_validate(row)
        visits = timeline(journey)
        assert [v.path for v in visits] == [p["path"] for p in row["pages"]]
        assert visits[0].offset == 0
        start = datetime.fromisoformat(row["pages"][0]["visited_at"])
        for visit, page in zip(visits, row["pages"], strict=True):
            assert visit.offset == (datetime.fromisoformat(page["visited_at"]) - start).seconds
        assert visits[-1].stay is None
        assert sum(v.stay or 0 for v in visits) == visits[-1].offset
