"""The live hits feed against the demo server, without Textual: what the user would see, what
it costs, and that a site changed while a refresh runs drops that refresh's answer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from app.demo import DEMO_KEY, DemoServer
from app.live.feeds.stream import StreamData, StreamFeed
from app.live.session import Session
from app.secret import Secret
from tests.live.watching import Watching, api, attach, session_on

BUSY = 457
QUIET = 456


def newest_ids(demo: DemoServer, site: int, count: int = 500) -> list[str]:
    """The ids of the newest hits of today and yesterday, straight from the server."""
    today = demo.clock.now().date()
    answer = api(
        demo,
        f"sites/{site}/hits",
        start_date=(today - timedelta(days=1)).isoformat(),
        end_date=today.isoformat(),
        per_page=count,
    )
    return [str(r["id"]) for r in answer["hits"]]


def ids(data: StreamData) -> list[str]:
    return [str(hit.id) for hit in data.hits]


def hit_requests(demo: DemoServer) -> int:
    return demo.stats.by_endpoint["hits"]


def with_cache(session: Session, demo: DemoServer) -> Session:
    """`session` (not connected yet) with the key's cache (in the test's own cache folder)."""
    session.open_cache(Secret(DEMO_KEY), demo.base_url)
    attach(session, demo)
    return session


async def test_the_newest_hits_newest_first_in_one_request(demo: DemoServer) -> None:
    async with session_on(demo, site_id=BUSY) as session:
        feed = session.stream_feed
        assert isinstance(feed, StreamFeed)
        assert feed.restore() is None  # nothing held yet, no cache
        before = hit_requests(demo)
        async with Watching(feed) as watching:
            first = await watching.answer()
            # (Counted before the test's own look at the server below.)
            assert hit_requests(demo) - before == 1
            assert first.site_id == BUSY and not first.kept
            assert ids(first) == newest_ids(demo, BUSY)
            assert len(first.hits) == 500
            assert first.synced_at == demo.clock.now()
            assert feed.data == first

            # Nothing new: one request, no news.
            before = hit_requests(demo)
            feed.ask()
            again = await watching.answer(2)
            assert again.new == 0
            assert ids(again) == ids(first)
            assert hit_requests(demo) - before == 1

            # Twenty minutes later: what arrived is on top, counted as new.
            demo.clock.advance(20 * 60)
            expected = newest_ids(demo, BUSY)
            arrived = expected.index(ids(first)[0])
            assert arrived > 0
            feed.ask()
            later = await watching.answer(3)
            assert ids(later) == expected
            assert later.new == arrived
            # Nothing was painted as kept in between: the stream held only answers.
            assert [u for u in watching.updates if u.kept] == []


async def test_no_site_no_request(demo: DemoServer) -> None:
    async with session_on(demo, site_id=None) as session:
        feed = session.stream_feed
        before = demo.stats.total
        async with Watching(feed) as watching:
            await asyncio.sleep(0.5)
            assert watching.data() == []
            assert feed.key() is None and feed.data is None and feed.restore() is None
            assert demo.stats.total == before


async def test_a_site_changed_mid_flight_drops_the_old_answer(demo: DemoServer) -> None:
    demo.settings.latency = 0.5
    async with session_on(demo, site_id=BUSY) as session:
        feed = session.stream_feed
        async with Watching(feed) as watching:
            await watching.until(lambda: feed.freshness.loading)
            # The busy site's answer is on its way: the user opens the quiet one.
            session.state.open_site(QUIET)
            got = await watching.answer()
            assert got.site_id == QUIET
            assert [a.site_id for a in watching.answers()] == [QUIET]
            demo.settings.latency = 0.0
            assert ids(got) == newest_ids(demo, QUIET)
            assert feed.data is got


async def test_a_new_session_paints_the_cached_hits_and_asks_nothing_while_paused(
    demo: DemoServer,
) -> None:
    async with (
        session_on(demo, connect=False, site_id=QUIET) as first,
        Watching(with_cache(first, demo).stream_feed) as watching,
    ):
        shown = await watching.answer()
    demo.clock.advance(15 * 60)

    async with session_on(demo, connect=False, site_id=QUIET) as again:
        with_cache(again, demo).state.toggle_pause()
        feed = again.stream_feed
        # What the screen paints as it opens: the cached hits, with their age.
        feed.show()
        kept = feed.restore()
        assert kept is not None and kept.kept and kept.data is not None
        assert kept.data.kept and kept.data.new == 0
        assert ids(kept.data) == ids(shown)
        assert kept.data.synced_at == demo.clock.now() - timedelta(minutes=15)
        assert feed.restore() is None  # once
        before = demo.stats.total
        async with Watching(feed) as watching:
            # Paused, the cached hits count as shown: nothing is asked by itself.
            await asyncio.sleep(0.5)
            assert watching.data() == []
            assert demo.stats.total == before
            assert feed.freshness.updated_at is None  # the title, not the status line, says how old

            # Another screen opening it paints them again.
            feed.hide()
            feed.show()
            painted = feed.restore()
            assert painted is not None and painted.data is not None
            assert ids(painted.data) == ids(shown)

            # Asked for (`r`): fetched although paused, the cached hits below what is new.
            feed.ask()
            fresh = await watching.answer()
            assert not fresh.kept
            new = fresh.new
            assert ids(fresh)[new:] == ids(shown)[: len(fresh.hits) - new]
            assert ids(fresh) == newest_ids(demo, QUIET)
