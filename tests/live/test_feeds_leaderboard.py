"""The leaderboard's feed against the demo server, without Textual: what it asks, and when."""

from __future__ import annotations

import asyncio

import pytest

from app.demo import DemoServer
from app.live.feeds.leaderboard import LeaderboardFeed
from app.live.leaderboard import MIN_WAIT, PAGE_SIZE, Board
from tests.live.watching import Watching, api, session_on

SITE = 457  # Burrow Docs: 273 paths, six pages of 50


def requests(demo: DemoServer) -> int:
    return demo.stats.by_endpoint["leaderboard"]


async def settled(watching: Watching[Board]) -> Board:
    """The next board once nothing is wanted that is not held."""
    feed = watching.feed
    assert isinstance(feed, LeaderboardFeed)
    return await watching.next(lambda board: not feed.pages.missing())


async def test_first_board_is_one_page_and_names_the_site(demo: DemoServer) -> None:
    expected = api(demo, f"sites/{SITE}/leaderboard", per_page=PAGE_SIZE)
    async with session_on(demo, site_id=SITE) as session:
        feed = session.leaderboard_feed
        assert isinstance(feed, LeaderboardFeed)
        async with Watching(feed) as watching:
            board = await watching.next()
            rows = expected["leaderboard"]
            assert isinstance(rows, list)
            assert [r.path for r in board.rows] == [r["path"] for r in rows]
            assert (board.first_rank, board.last_rank) == (1, PAGE_SIZE)
            assert board.total_count == 273 and board.path_filter is None
            assert requests(demo) == 1
            assert session.sites.label(SITE) == "Burrow Docs"
            assert feed.data is board


async def test_coming_back_costs_nothing_and_r_reloads_every_page(demo: DemoServer) -> None:
    async with session_on(demo, site_id=SITE) as session:
        feed = session.leaderboard_feed
        async with Watching(feed) as watching:
            await watching.next()
            feed.follow(PAGE_SIZE - 5)  # near the end of page 1: page 2 is wanted
            board = await settled(watching)
            assert (board.first_rank, board.last_rank) == (1, 2 * PAGE_SIZE)
            assert requests(demo) == 2

            feed.hide()
            session.state.set_interval(30.0)  # what changes while hidden reloads nothing
            assert session.api is not None
            session.api.forget_recent()
            feed.show()
            again = await watching.next()
            assert again.rows == board.rows
            assert requests(demo) == 2  # the server's copy is current: nothing asked

            feed.ask()  # `r`: every page held, again
            await watching.next()
            assert requests(demo) == 4


async def test_scrolling_fetches_missing_pages_even_while_paused(demo: DemoServer) -> None:
    async with session_on(demo, site_id=SITE) as session:
        feed = session.leaderboard_feed
        async with Watching(feed) as watching:
            await watching.next()
            session.state.toggle_pause()
            feed.follow(PAGE_SIZE - 5)
            board = await settled(watching)
            assert board.last_rank == 2 * PAGE_SIZE
            assert requests(demo) == 2
            assert session.state.paused

            assert not feed.to_top()  # rank 1 is held: nothing to fetch (page 2 is let go)

            # On to page 5: the window holds four pages, page 1 is dropped.
            while board.first_rank == 1:
                feed.follow(board.last_rank - 5)
                board = await settled(watching)
            assert (board.first_rank, board.last_rank) == (PAGE_SIZE + 1, 5 * PAGE_SIZE)
            assert requests(demo) == 6  # page 2 again, then 3, 4 and 5
            assert feed.to_top()  # rank 1 again: asked for at once, still paused
            board = await settled(watching)
            assert (board.first_rank, board.last_rank) == (1, PAGE_SIZE)
            assert requests(demo) == 7


async def test_search_asks_the_server_and_another_site_forgets_it(demo: DemoServer) -> None:
    expected = api(demo, f"sites/{SITE}/leaderboard", path="guide", per_page=1)["pagination"]
    assert isinstance(expected, dict)
    async with session_on(demo, site_id=SITE) as session:
        feed = session.leaderboard_feed
        async with Watching(feed) as watching:
            await watching.next()
            assert feed.search("guide")
            assert not feed.search("guide")  # the same search again: nothing new
            board = await watching.next(lambda b: b.path_filter == "guide")
            assert board.total_count == expected["total_count"]
            assert board.rows and all("guide" in (r.path or "") for r in board.rows)
            assert feed.key() == (SITE, "guide")

            session.state.open_site(456)
            assert feed.path_filter is None and feed.key() == (456, None)
            other = await watching.next()
            assert other.site_id == 456 and other.path_filter is None


async def test_a_search_typed_while_loading_discards_the_old_answer(demo: DemoServer) -> None:
    demo.settings.latency = 0.5
    async with session_on(demo, site_id=SITE) as session:
        feed = session.leaderboard_feed
        async with Watching(feed) as watching:
            await asyncio.sleep(0.2)  # the whole board's first page is on its way
            assert feed.freshness.loading
            feed.search("guide")
            shown = await watching.next()
            assert [b.path_filter for b in watching.data()] == ["guide"]
            assert feed.data is shown


async def test_the_next_poll_follows_the_servers_cache(demo: DemoServer) -> None:
    async with session_on(demo, site_id=SITE) as session:
        feed = session.leaderboard_feed
        async with Watching(feed) as watching:
            board = await watching.next()
            assert feed.interval(board) == pytest.approx(3600 + 5)  # cached 14:30, expires 15:30
            demo.clock.advance(50 * 60)
            assert feed.interval(board) == pytest.approx(600 + 5)
            demo.clock.advance(11 * 60)  # the server's copy has expired
            assert feed.interval(board) == MIN_WAIT
            assert feed.PACED_BY == "the server's hourly cache"

            # Due: the next round asks again, although nothing was asked for (coming back to
            # the section asks for nothing else).
            feed.hide()
            feed.show()
            fresh = await watching.next(lambda b: b.cached_at != board.cached_at)
            assert requests(demo) == 2
            assert feed.interval(fresh) == pytest.approx(3600 + 5)


async def test_no_site_no_request(demo: DemoServer) -> None:
    async with session_on(demo, site_id=None) as session:
        feed = session.leaderboard_feed
        feed.show()
        assert feed.key() is None
        assert not feed.search("guide")
        async with Watching(feed) as watching:
            with pytest.raises(TimeoutError):
                await watching.next(timeout=0.3)
            assert requests(demo) == 0
