"""Bounded work, whatever the server says about its paging.

A hostile server (real HTTP on loopback, in front of the demo) claims `total_pages = 10**9` and a
huge `total_count` on real data: every paginated read must ask for a bounded number of pages,
show the honest part (what the server really sent), say once that the paging looks wrong, and
finish. An empty or short page ends a read.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from app.api.client import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer
from app.live.dashboard import PANELS
from app.live.feeds.insights import InsightsData, InsightsFeed
from app.live.feeds.paged import Unavailable
from app.live.feeds.uptime import UptimeData, UptimeFeed
from app.live.hitcounts import HitCounter, Series
from app.live.journeys import MAX_PAGES as JOURNEY_PAGES
from app.live.journeys import PER_PAGE as JOURNEY_PAGE
from app.live.journeys import JourneyFeed, journey_span
from app.live.leaderboard import LeaderboardPages
from app.live.paging import WINDOW, pages_to_read
from app.live.ranges import RangeKind, window
from app.live.session import Event, Notice, Session
from app.live.stream import KEEP as STREAM_KEEP
from app.live.stream import HitStream
from tests.conftest import DEMO_NOW
from tests.hostile import HostileServer
from tests.live.watching import Watching, demo_session

SMALL = 460  # a site small enough for the 12-month chart to read raw hits
LIE_PAGES = 10**9
LIE_COUNT = 10**12
# A read is done well within this, lying server or not (it used to freeze the loop for good).
BOUNDED = 30.0

Mutate = Callable[[str, dict[str, str], Any], Any]


def lie(where: Callable[[str, dict[str, str]], bool]) -> Mutate:
    """Claim a billion pages and a trillion rows on the answers `where` picks; rows stay real."""

    def mutate(path: str, query: dict[str, str], body: Any) -> Any:
        if where(path, query) and isinstance(body, dict) and "pagination" in body:
            body["pagination"]["total_pages"] = LIE_PAGES
            body["pagination"]["total_count"] = LIE_COUNT
        return body

    return mutate


def endpoint(name: str) -> Callable[[str, dict[str, str]], bool]:
    return lambda path, query: path.endswith(name)


@pytest.fixture
async def client(hostile_api: HostileServer) -> AsyncIterator[TinylyticsClient]:
    async with TinylyticsClient(DEMO_KEY, hostile_api.base_url) as api:
        yield api


def sent(server: HostileServer) -> int:
    """Requests that reached the server since the last call."""
    count, server.requests = server.requests, 0
    return count


async def bounded(work: Any) -> Any:
    async with asyncio.timeout(BOUNDED):
        return await work


def test_plan_never_trusts_total_pages_alone() -> None:
    assert pages_to_read(5_285, 6, 1000, 200).last == 6
    lying = pages_to_read(5_285, LIE_PAGES, 1000, 200)
    assert (lying.last, lying.disagrees) == (6, True)
    both = pages_to_read(LIE_COUNT, LIE_PAGES, 1000, 200)
    assert (both.last, both.disagrees) == (200, False)
    assert pages_to_read(0, 0, 1000, 200).last == 1


# -- chart hits (HitCounter, the 12-month view) ---------------------------------------------------


def old_raw_span(path: str, query: dict[str, str]) -> bool:
    # Raw pages of the previous year only: the probe of the recent year stays honest, so the
    # counter reads raw hits and meets the lie on the old span.
    return (
        path.endswith("/hits")
        and query.get("per_page") == "1000"
        and query.get("start_date", "9") < "2025-11-21"
    )


async def chart(api: TinylyticsClient, warn: list[str] | None = None) -> Series:
    counter = HitCounter(api, now=lambda: DEMO_NOW, warn=None if warn is None else warn.append)
    return await counter.series(SMALL, window(RangeKind.YEAR, DEMO_NOW))


async def test_chart_with_lying_pages_reads_the_honest_pages(
    hostile_api: HostileServer, client: TinylyticsClient
) -> None:
    honest = await chart(client)
    assert honest.method == "raw"
    honest_requests = sent(hostile_api)

    hostile_api.mutate = lie(old_raw_span)
    warnings: list[str] = []
    lied = await bounded(chart(client, warnings))

    # The last page of the old span is short: reading stops there, a window's worth at most
    # beyond what the honest server cost.
    assert sent(hostile_api) <= honest_requests + WINDOW - 1
    assert (lied.current, lied.previous) == (honest.current, honest.previous)
    assert len(warnings) == 1
    assert "paging of hits looks wrong" in warnings[0]
    assert "\n" not in warnings[0]


async def test_chart_warns_once_across_refreshes(
    hostile_api: HostileServer, client: TinylyticsClient
) -> None:
    hostile_api.mutate = lie(old_raw_span)
    warnings: list[str] = []
    counter = HitCounter(client, now=lambda: DEMO_NOW, warn=warnings.append)
    for kind in (RangeKind.YEAR, RangeKind.MONTH, RangeKind.YEAR):
        await bounded(counter.series(SMALL, window(kind, DEMO_NOW)))
    assert len(warnings) == 1


async def test_chart_pages_full_forever_cost_a_capped_read(
    hostile_api: HostileServer, client: TinylyticsClient
) -> None:
    """A server repeating full pages, numbers consistent: the cap ends the raw read, and the
    chart is counted by buckets instead (24 of them), never by a billion pages."""
    pages: dict[str, Any] = {}

    def full_forever(path: str, query: dict[str, str], body: Any) -> Any:
        if not old_raw_span(path, query):
            return body
        first = pages.setdefault(query.get("start_date", ""), body)
        paging = {"per_page": 1000, "total_count": LIE_PAGES * 1000, "total_pages": LIE_PAGES}
        return {"hits": first["hits"], "pagination": paging}

    hostile_api.mutate = full_forever
    buckets = len(window(RangeKind.YEAR, DEMO_NOW).current.buckets) * 2
    series = await bounded(chart(client))
    # Probe, the recent span's pages, at most the cap (2 per bucket) and a window of the old
    # span's, then one count per bucket.
    assert sent(hostile_api) <= 1 + 10 + 2 * buckets + WINDOW + buckets
    assert series.method == "counts"


@pytest.mark.parametrize("kind", ["empty", "short"])
async def test_chart_read_stops_at_an_empty_or_short_page(
    hostile_api: HostileServer, client: TinylyticsClient, kind: str
) -> None:
    def cut_at_page_three(path: str, query: dict[str, str], body: Any) -> Any:
        if old_raw_span(path, query) and query.get("page") == "3":
            body["hits"] = [] if kind == "empty" else body["hits"][:10]
        return body

    hostile_api.mutate = cut_at_page_three
    warnings: list[str] = []
    await bounded(chart(client, warnings))
    old_pages = [int(q.get("page", "1")) for p, q in hostile_api.paths if old_raw_span(p, q)]
    # Pages 4 to 6 may have been in flight with page 3; nothing after.
    assert max(old_pages) <= 3 + WINDOW - 1
    assert len(warnings) == 1


# -- live hits (HitStream, the stream feed) -------------------------------------------------------


async def test_stream_with_lying_pages_stops_at_the_short_page(
    hostile_api: HostileServer, client: TinylyticsClient, demo: DemoServer
) -> None:
    honest = HitStream(client, SMALL, now=demo.clock.now)
    expected = await honest.refresh()
    assert sent(hostile_api) == 1

    hostile_api.mutate = lie(endpoint("/hits"))
    warnings: list[str] = []
    stream = HitStream(client, SMALL, now=demo.clock.now, warn=warnings.append)
    new = await bounded(stream.refresh())
    assert sent(hostile_api) == 1
    assert new == expected
    await bounded(stream.refresh())  # nothing new: one request, nothing said again
    assert sent(hostile_api) == 1
    assert len(warnings) == 1
    assert "paging of live hits looks wrong" in warnings[0]


async def test_stream_pages_full_forever_read_what_keep_needs(
    hostile_api: HostileServer, client: TinylyticsClient, demo: DemoServer
) -> None:
    """Every page the same full page, numbers consistent: a refresh stops at the cap."""
    first: list[Any] = []

    def same_page(path: str, query: dict[str, str], body: Any) -> Any:
        if not path.endswith("/hits"):
            return body
        if not first:
            first.append(body["hits"][:100])
        size = int(query["per_page"])
        rows = (first[0] * (size // len(first[0]) + 1))[:size]
        pagination = {"per_page": size, "total_count": LIE_PAGES * size, "total_pages": LIE_PAGES}
        return {"hits": rows, "pagination": {"current_page": 1, **pagination}}

    hostile_api.mutate = same_page
    stream = HitStream(client, 457, now=demo.clock.now)
    await bounded(stream.refresh())
    assert sent(hostile_api) <= 2 * math.ceil(STREAM_KEEP / STREAM_KEEP) + 1


async def test_stream_feed_on_a_lying_server(
    hostile_api: HostileServer, demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile_api.mutate = lie(endpoint("/hits"))
    session, _ = demo_session(demo, connect=False, site_id=SMALL)
    warnings: list[str] = []
    session.attach(TinylyticsClient(DEMO_KEY, hostile_api.base_url, budget=session.budget))
    assert session.streams is not None
    monkeypatch.setattr(session.streams.paging, "warn", warnings.append)
    try:
        async with Watching(session.stream_feed) as watching:
            data = await watching.answer()
            await asyncio.sleep(2)  # what used to be a few hundred requests
        assert data.hits
        hits_requests = [p for p, _ in hostile_api.paths if p.endswith("/hits")]
        assert len(hits_requests) <= 3
        assert len(warnings) == 1
    finally:
        await session.close()


# -- panels, leaderboard, journeys, uptime, insights ----------------------------------------------


def told(session: Session) -> list[str]:
    """The paging notices the session tells its listeners (the app shows each one)."""
    warnings: list[str] = []

    def heard(event: Event) -> None:
        if isinstance(event, Notice) and "paging" in event.text:
            warnings.append(event.text)

    session.listen(heard)
    return warnings


async def test_panel_with_lying_pages(
    hostile_api: HostileServer, demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, _ = demo_session(demo, connect=False, site_id=SMALL)
    warnings = told(session)
    async with TinylyticsClient(DEMO_KEY, hostile_api.base_url) as api:
        key = (SMALL, RangeKind.YEAR, session.state.hit_filters, 60)
        honest = await session.panel_feed(PANELS[0]).fetch(api, key)
        honest_requests = sent(hostile_api)
        hostile_api.mutate = lie(endpoint("/hits"))
        feed = session.panel_feed(PANELS[0])
        rows = await bounded(feed.fetch(api, key))
    assert sent(hostile_api) <= honest_requests
    assert (rows.rows, rows.groups, rows.pages) == (honest.rows, honest.groups, honest.pages)
    assert rows.complete
    assert len(warnings) == 1
    await session.close()


async def test_leaderboard_with_lying_pages(
    hostile_api: HostileServer, client: TinylyticsClient
) -> None:
    honest = LeaderboardPages()
    honest.target(SMALL, None)
    honest_board = await honest.load(client, reload=True)
    sent(hostile_api)

    hostile_api.mutate = lie(endpoint("/leaderboard"))
    warnings: list[str] = []
    pages = LeaderboardPages(warn=warnings.append)
    pages.target(SMALL, None)
    board = await bounded(pages.load(client, reload=True))
    assert board.rows == honest_board.rows
    assert pages.total_pages == honest.total_pages
    # The cursor on the last row moves the window no further than the honest board.
    for _ in range(10):
        if pages.follow(board.last_rank):
            board = await bounded(pages.load(client, reload=False))
    assert pages.last <= (honest.total_pages or 1)
    assert sent(hostile_api) <= 1 + 10
    assert len(warnings) == 1


async def test_journeys_with_lying_pages(
    hostile_api: HostileServer, client: TinylyticsClient
) -> None:
    span = journey_span(RangeKind.MONTH, DEMO_NOW)
    honest = await JourneyFeed().refresh(client, SMALL, span)
    honest_requests = sent(hostile_api)

    hostile_api.mutate = lie(endpoint("/user_journeys"))
    warnings: list[str] = []
    pager = JourneyFeed(warn=warnings.append)
    pager.wanted = JOURNEY_PAGES * JOURNEY_PAGE
    listed = await bounded(pager.refresh(client, SMALL, span))
    assert (
        sent(hostile_api) <= max(honest_requests, len(honest.journeys) // JOURNEY_PAGE + 1) + WINDOW
    )
    assert listed.journeys[: len(honest.journeys)] == honest.journeys
    assert len(warnings) == 1


@pytest.mark.parametrize("section", ["uptime", "insights"])
async def test_paged_sections_with_lying_pages(
    hostile_api: HostileServer, demo: DemoServer, monkeypatch: pytest.MonkeyPatch, section: str
) -> None:
    session, _ = demo_session(demo, connect=False)
    async with TinylyticsClient(DEMO_KEY, hostile_api.base_url) as api:
        kind = UptimeFeed if section == "uptime" else InsightsFeed
        feed: UptimeFeed | InsightsFeed = kind(session)
        site = 0
        for candidate in (456, 457, 458, 459, 460):
            if not isinstance(await feed.fetch(api, (candidate, 1)), Unavailable):
                site = candidate
                break
        honest = await feed.fetch(api, (site, 1))
        assert isinstance(honest, UptimeData | InsightsData)
        sent(hostile_api)

        hostile_api.mutate = lie(endpoint(f"/{section}"))
        warnings = told(session)
        feed = kind(session)  # the notice hook is looked up when a feed is made
        session.state.open_site(site)
        shown = await bounded(feed.fetch(api, (site, honest.pages)))
        if shown.pages > honest.pages:
            # A full last page: where the list ends shows on the next (empty) one.
            shown = await bounded(feed.fetch(api, (site, honest.pages + 1)))
        again = await bounded(feed.fetch(api, (site, 1)))
    assert isinstance(shown, UptimeData | InsightsData)
    assert isinstance(again, UptimeData | InsightsData)
    # The last honest page is short (or the only one): the list ends there, and the user
    # steps no further than it.
    assert shown.pages == honest.pages
    feed.data = again  # on show, as the feed's loop would keep it
    assert feed.pages == honest.pages
    assert sent(hostile_api) <= 6
    assert len(warnings) == 1
    await session.close()
