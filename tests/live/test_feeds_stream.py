"""The live hits feed against the demo server, without Textual: what the user would see, what
it costs, and that a site changed while a refresh runs drops that refresh's answer."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from app.api import Hit, HitsResponse
from app.demo import DEMO_KEY, DemoServer
from app.live.feeds.stream import CADENCE, StreamData, StreamFeed, recent_counts
from app.live.hitcounts import HitFilters
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


def api_hits(demo: DemoServer, site: int, **params: str | int) -> list[Hit]:
    """The newest hits of today and yesterday as the API answers them (newest first)."""
    today = demo.clock.now().date()
    answer = api(
        demo,
        f"sites/{site}/hits",
        start_date=(today - timedelta(days=1)).isoformat(),
        end_date=today.isoformat(),
        per_page=1000,
        **params,
    )
    return HitsResponse.model_validate(answer).hits


def arrived_within(hits: list[Hit], now: datetime, minutes: int) -> int:
    return sum(1 for hit in hits if now - timedelta(minutes=minutes) <= hit.created_at <= now)


async def test_it_polls_on_its_own_fast_cadence_stretched_by_the_budget(demo: DemoServer) -> None:
    async with session_on(demo, site_id=BUSY) as session:
        feed = session.stream_feed
        assert session.state.refresh_interval == 60.0
        async with Watching(feed) as watching:
            data = await watching.answer()
        assert feed.next_in(data) == CADENCE == 10.0
        assert feed.interval(data) == session.paced(CADENCE)
        assert feed.PACED_BY == "its own 10 s cadence"
        # The budget's pacing still applies: half the hour's share spent stretches it.
        for _ in range(session.budget.per_hour * 3 // 4):
            await session.budget.acquire()
        assert feed.interval(data) >= 2 * CADENCE


async def test_a_filtered_stream_asks_with_the_filter_and_holds_only_its_hits(
    demo: DemoServer,
) -> None:
    path = "/install"
    async with session_on(demo, site_id=BUSY) as session:
        session.state.add_filter("path", path)
        feed = session.stream_feed
        assert feed.key() == (BUSY, HitFilters(path=path))
        expected = api_hits(demo, BUSY, path=path)
        assert 0 < len(expected) < 500  # the filter narrows: the server applied it
        async with Watching(feed) as watching:
            got = await watching.answer()
            assert got.filters == HitFilters(path=path)
            assert {hit.path for hit in got.hits} == {path}
            assert ids(got) == [str(hit.id) for hit in expected]
            assert hit_requests(demo) == 1

            # A refresh with nothing new is one request.
            before = hit_requests(demo)
            feed.ask()
            again = await watching.answer(2)
            assert again.new == 0 and ids(again) == ids(got)
            assert hit_requests(demo) - before == 1

            # Without the filter: the site's own stream, all paths.
            session.state.set_filters(())
            unfiltered = await watching.next(lambda d: not d.kept and not d.filters)
            assert ids(unfiltered) == newest_ids(demo, BUSY)
            assert len({hit.path for hit in unfiltered.hits}) > 1
        streams = session.streams
        assert streams is not None
        assert streams.for_site(BUSY) is not streams.for_site(BUSY, HitFilters(path=path))
        assert streams.for_site(BUSY, HitFilters(path=path)).filters == HitFilters(path=path)


async def test_filtered_hits_stay_out_of_the_cache(demo: DemoServer) -> None:
    path = "/install"
    async with session_on(demo, connect=False, site_id=BUSY) as first:
        with_cache(first, demo).state.add_filter("path", path)
        async with Watching(first.stream_feed) as watching:
            await watching.answer()
    async with session_on(demo, connect=False, site_id=BUSY) as again:
        with_cache(again, demo).state.toggle_pause()
        feed = again.stream_feed
        feed.show()
        # The unfiltered stream kept nothing: the filtered hits did not go to the store.
        assert feed.restore() is None


async def test_the_last_5_and_30_minutes_match_the_api(demo: DemoServer) -> None:
    now = demo.clock.now()
    async with session_on(demo, site_id=BUSY) as session:
        expected = api_hits(demo, BUSY)
        async with Watching(session.stream_feed) as watching:
            got = await watching.answer()
    five, thirty = got.recent
    assert (five.minutes, thirty.minutes) == (5, 30)
    assert five.count == arrived_within(expected, now, 5) > 0
    assert thirty.count == arrived_within(expected, now, 30) > five.count
    # The 500 hits held reach back further than 30 minutes on the busy site.
    assert five.complete and thirty.complete


def test_a_held_window_short_of_30_minutes_is_said(demo: DemoServer) -> None:
    hits = api_hits(demo, BUSY)
    now = demo.clock.now()
    assert arrived_within(hits, now, 30) > 20
    # Only the newest 20 held: they do not reach back 30 minutes.
    five, thirty = recent_counts(hits[:20], now, keep=20)
    assert five.complete and five.count == arrived_within(hits, now, 5)
    assert not thirty.complete and thirty.count == 20
    # Fewer than `keep` held: the stream holds all of today and yesterday.
    assert all(r.complete for r in recent_counts(hits[:20], now, keep=500))
