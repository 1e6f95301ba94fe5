"""The full-screen panel's feed against the demo server, without Textual: every row, a page
at a time as the user asks for more, for the site, range and filters of the moment."""

from __future__ import annotations

import asyncio
from typing import Any

from app.demo import DemoServer
from app.live.dashboard import PANELS, Panel
from app.live.feeds.panel import PAGE, PanelFeed, Rows
from app.live.ranges import RangeKind, window
from tests.live.watching import Watching, api, session_on

BUSY = 457
QUIET = 456
PAGES = next(p for p in PANELS if p.name == "Pages")
COUNTRIES = next(p for p in PANELS if p.name == "Countries")


def server_rows(
    demo: DemoServer, site: int, panel: Panel, kind: RangeKind, **filters: str
) -> list[tuple[str | None, int]]:
    """Every row of a panel straight from the server: (value, hits), in the server's order."""
    span = window(kind, demo.clock.now())
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = api(
            demo,
            f"sites/{site}/hits",
            grouped="true",
            group_by=panel.group_by,
            start_date=span.current.first_day.isoformat(),
            end_date=span.current.last_day.isoformat(),
            per_page=PAGE,
            page=page,
            **filters,
        )
        rows.extend(answer["grouped_hits"])
        if page >= answer["pagination"]["total_pages"]:
            break
        page += 1
    key = {"browsername": "browser_name", "platformname": "platform_name"}.get(
        panel.group_by, panel.group_by
    )
    return [(r[key], r["hit_count"]) for r in rows]


def shown(data: Rows) -> list[tuple[str | None, int | None]]:
    return [(r.value, r.hits) for r in data.rows]


def hit_requests(demo: DemoServer) -> int:
    return demo.stats.by_endpoint["hits"]


async def test_a_page_at_a_time_until_every_row(demo: DemoServer) -> None:
    everything = server_rows(demo, BUSY, PAGES, RangeKind.WEEK)
    assert len(everything) > 2 * PAGE  # three pages
    async with session_on(demo, site_id=BUSY) as session:
        feed = session.panel_feed(PAGES)
        assert isinstance(feed, PanelFeed)
        async with Watching(feed) as watching:
            before = hit_requests(demo)
            first = await watching.answer()
            assert hit_requests(demo) - before == 1
            assert shown(first) == everything[:PAGE]
            assert first.groups == len(everything)
            assert first.pages == 3 and not first.complete

            assert feed.more()
            second = await watching.answer(2)
            assert shown(second) == everything[: 2 * PAGE]
            assert not second.complete

            assert feed.more()
            third = await watching.answer(3)
            assert shown(third) == everything
            assert third.complete
            # Everything is there: no more to ask for.
            assert not feed.more()
            assert feed.pages == 3


async def test_one_page_is_complete(demo: DemoServer) -> None:
    everything = server_rows(demo, QUIET, COUNTRIES, RangeKind.WEEK)
    async with session_on(demo, site_id=QUIET) as session:
        feed = session.panel_feed(COUNTRIES)
        async with Watching(feed) as watching:
            got = await watching.answer()
            assert shown(got) == everything
            assert got.pages == 1 and got.complete
            assert not feed.more()


async def test_range_and_filters_of_the_moment(demo: DemoServer) -> None:
    async with (
        session_on(
            demo, site_id=QUIET, range_kind=RangeKind.MONTH, filters=(("country", "US"),)
        ) as session,
        Watching(session.panel_feed(PAGES)) as watching,
    ):
        got = await watching.answer()
        expected = server_rows(demo, QUIET, PAGES, RangeKind.MONTH, country="US")
        assert expected and expected != server_rows(demo, QUIET, PAGES, RangeKind.MONTH)
        assert shown(got) == expected[:PAGE]
        assert got.groups == len(expected)


async def test_no_site_no_request(demo: DemoServer) -> None:
    async with session_on(demo, site_id=None) as session:
        feed = session.panel_feed(PAGES)
        async with Watching(feed) as watching:
            before = demo.stats.total
            await asyncio.sleep(0.5)
            assert watching.answers() == []
            assert feed.key() is None and feed.data is None
            assert not feed.more()
            assert demo.stats.total == before


async def test_a_range_changed_mid_flight_drops_the_old_answer(demo: DemoServer) -> None:
    demo.settings.latency = 0.5
    async with session_on(demo, site_id=BUSY) as session:
        feed = session.panel_feed(COUNTRIES)
        async with Watching(feed) as watching:
            await watching.until(lambda: feed.freshness.loading)
            # The week's rows are on their way: the user asks for the last 24 hours.
            session.state.set_range(RangeKind.DAY)
            got = await watching.answer()
            demo.settings.latency = 0.0
            day = server_rows(demo, BUSY, COUNTRIES, RangeKind.DAY)
            week = server_rows(demo, BUSY, COUNTRIES, RangeKind.WEEK)
            assert day != week
            assert shown(got) == day
            assert len(watching.answers()) == 1  # the week's never shows
            assert feed.data is got


async def test_more_mid_flight_drops_the_shorter_answer(demo: DemoServer) -> None:
    async with session_on(demo, site_id=BUSY) as session:
        feed = session.panel_feed(PAGES)
        async with Watching(feed) as watching:
            first = await watching.answer()
            assert len(first.rows) == PAGE
            demo.settings.latency = 0.5
            feed.ask()  # `r`: the first page again
            await watching.until(lambda: feed.freshness.loading)
            # While it is on its way the user scrolls to the end: two pages wanted now.
            assert feed.more()
            got = await watching.answer(2)
            demo.settings.latency = 0.0
            assert len(got.rows) == 2 * PAGE
            assert len(watching.answers()) == 2  # the one page asked again never shows
