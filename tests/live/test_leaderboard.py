"""The leaderboard's pages and schedule, against the demo server: which pages are held, what
they cost, and when to ask again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.api import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer
from app.live.leaderboard import (
    EXPIRY_SLACK,
    MAX_WAIT,
    MIN_WAIT,
    LeaderboardPages,
    cache_note,
    next_poll_in,
)
from tests.conftest import DEMO_HEADERS

SITE = 457
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
async def client(demo: DemoServer) -> AsyncIterator[TinylyticsClient]:
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as api:
        yield api


def server_total(demo: DemoServer, **params: str) -> int:
    answer = httpx.get(
        f"{demo.base_url}sites/{SITE}/leaderboard",
        params={"per_page": "1", **params},
        headers=DEMO_HEADERS,
    )
    total = int(answer.json()["pagination"]["total_count"])
    demo.stats.reset()
    return total


def requests(demo: DemoServer) -> int:
    return demo.stats.by_endpoint["leaderboard"]


# -- the schedule ------------------------------------------------------------------------------


def test_next_poll_is_just_after_expiry() -> None:
    assert next_poll_in(NOON + timedelta(minutes=20), NOON, 60.0) == 20 * 60 + EXPIRY_SLACK


def test_next_poll_without_a_hint_uses_the_refresh_interval() -> None:
    assert next_poll_in(None, NOON, 60.0) == 60.0


def test_next_poll_is_bounded_both_ways() -> None:
    # Expired already (or the server's clock behind ours): not a tight loop.
    assert next_poll_in(NOON - timedelta(hours=1), NOON, 60.0) == MIN_WAIT
    # A bogus far future: the board still refreshes some day.
    assert next_poll_in(NOON + timedelta(days=400), NOON, 60.0) == MAX_WAIT


@pytest.mark.parametrize(
    ("cached", "expires", "note"),
    [
        (NOON, NOON + timedelta(hours=1), "cached just now · next update 13:00 UTC"),
        (
            NOON - timedelta(minutes=12),
            NOON + timedelta(minutes=48),
            "cached 12 minutes ago · next update 12:48 UTC",
        ),
        (NOON - timedelta(hours=3), NOON - timedelta(hours=2), "cached 3 hours ago · update due"),
        (None, NOON + timedelta(hours=1), "next update 13:00 UTC"),
        (None, None, ""),
    ],
)
def test_cache_note(cached: datetime | None, expires: datetime | None, note: str) -> None:
    assert cache_note(cached, expires, NOON) == note


# -- the pages ---------------------------------------------------------------------------------


async def test_first_load_is_one_page_ranked_from_one(
    demo: DemoServer, client: TinylyticsClient
) -> None:
    total = server_total(demo)
    pages = LeaderboardPages(page_size=50, max_pages=3)
    pages.target(SITE, None)
    board = await pages.load(client, reload=False)
    assert [r.rank for r in board.rows] == list(range(1, 51))
    assert board.total_count == total
    assert board.site_label == "Burrow Docs"
    assert board.top_share == board.rows[0].percentage
    assert board.cached_at == demo.clock.now()
    assert board.expires_at == demo.clock.now() + timedelta(hours=1)
    assert requests(demo) == 1
    # Nothing missing, nothing due: another load costs nothing.
    await pages.load(client, reload=False)
    assert requests(demo) == 1
    await pages.load(client, reload=True)
    assert requests(demo) == 2


async def test_following_the_cursor_keeps_a_window_of_pages(
    demo: DemoServer, client: TinylyticsClient
) -> None:
    total = server_total(demo)
    pages = LeaderboardPages(page_size=50, max_pages=3)
    pages.target(SITE, None)
    board = await pages.load(client, reload=False)
    assert not pages.follow(board.rows[20].rank)  # the middle of what is held
    while board.last_rank < total:
        assert pages.follow(board.last_rank)
        assert not pages.follow(board.last_rank)  # one page at a time
        board = await pages.load(client, reload=False)
        assert len(board.rows) <= 150
        ranks = [r.rank for r in board.rows]
        assert ranks == list(range(ranks[0], ranks[0] + len(ranks)))
    assert board.last_rank == total
    assert not pages.follow(total)  # the end: nothing more to ask for
    assert board.first_rank == 151 and pages.window() == range(4, 7)
    assert requests(demo) == 6  # each page once

    assert pages.follow(board.first_rank)  # back up: page 3 again, page 6 dropped
    board = await pages.load(client, reload=False)
    assert (board.first_rank, board.last_rank) == (101, 250)

    assert pages.to_top()
    board = await pages.load(client, reload=False)
    assert (board.first_rank, board.last_rank) == (1, 50)
    assert requests(demo) == 8


async def test_the_path_filter_goes_to_the_server(
    demo: DemoServer, client: TinylyticsClient
) -> None:
    expected = server_total(demo, path="reference")
    pages = LeaderboardPages()
    pages.target(SITE, None)
    await pages.load(client, reload=False)
    assert pages.target(SITE, "REFERENCE")
    assert pages.missing() == [1]
    board = await pages.load(client, reload=False)
    assert board.path_filter == "REFERENCE"
    assert board.total_count == expected
    assert all("reference" in (r.path or "").casefold() for r in board.rows)
    assert not pages.target(SITE, "REFERENCE")  # the same board: nothing dropped
    assert pages.target(SITE, "")  # an empty filter is no filter
    assert pages.path_filter is None


async def test_pages_of_an_older_computation_are_fetched_again(
    demo: DemoServer, client: TinylyticsClient
) -> None:
    pages = LeaderboardPages(page_size=50)
    pages.target(SITE, None)
    board = await pages.load(client, reload=False)
    first = board.cached_at
    demo.clock.advance(3700)  # the server's copy expires; its next answer is a new board
    assert pages.due(demo.clock.now())
    assert pages.follow(board.last_rank)
    board = await pages.load(client, reload=False)
    # Page 2 came from the new board, so page 1 was asked again rather than mixing the two.
    assert requests(demo) == 3
    assert board.cached_at == demo.clock.now() != first
    assert len(board.rows) == 100
    assert not pages.due(demo.clock.now())


async def test_a_load_overtaken_by_a_new_filter_says_so(
    demo: DemoServer, client: TinylyticsClient
) -> None:
    demo.settings.latency = 0.3
    pages = LeaderboardPages()
    pages.target(SITE, None)
    loading = asyncio.create_task(pages.load(client, reload=False))
    await asyncio.sleep(0.05)
    pages.target(SITE, "guide")
    board = await loading
    assert not board.complete and board.rows == ()
    assert board.path_filter is None
    assert pages.missing() == [1]  # the new board is still wanted
