"""The live hit stream against the demo server: the newest hits, each once, at the promised cost,
whichever order the server sends them in, and kept across restarts by the cache."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.api import Hit, HitsResponse, ServerError, TinylyticsClient
from app.demo import DEMO_KEY, DemoServer
from app.live.cache import SqliteCache
from app.live.stream import HitStream, HitStreams, detect_order, hit_key

HEADERS = {"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": "tests"}
# The demo's busiest site: 2,000+ hits today and yesterday, so several pages of 500.
BUSY = 457
QUIET = 456


def truth(demo: DemoServer, site: int) -> list[tuple[datetime, int]]:
    """Every hit of today and yesterday (UTC) straight from the server, newest first."""
    today = demo.clock.now().date()
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = httpx.get(
            f"{demo.base_url}sites/{site}/hits",
            params={
                "start_date": (today - timedelta(days=1)).isoformat(),
                "end_date": today.isoformat(),
                "per_page": 1000,
                "page": page,
            },
            headers=HEADERS,
        ).json()
        rows.extend(answer["hits"])
        if page >= answer["pagination"]["total_pages"]:
            break
        page += 1
    hits = [(datetime.fromisoformat(r["created_at"]), int(r["id"])) for r in rows]
    return sorted(hits, reverse=True)


def ids(hits: list[Hit]) -> list[int]:
    return [int(h.id) for h in hits if h.id is not None]


def files(folder: Path, pattern: str) -> list[Path]:
    return list(folder.glob(pattern))


def hit_requests(demo: DemoServer) -> int:
    return demo.stats.by_endpoint["hits"]


@pytest.fixture
async def client(demo: DemoServer) -> AsyncIterator[TinylyticsClient]:
    async with TinylyticsClient(DEMO_KEY, demo.base_url, max_retries=0) as client:
        yield client


def stream(client: TinylyticsClient, demo: DemoServer, site: int = BUSY, **kw: Any) -> HitStream:
    return HitStream(client, site, now=demo.clock.now, **kw)


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_first_refresh_returns_the_newest_hits(
    demo: DemoServer, client: TinylyticsClient, order: str
) -> None:
    demo.settings.hits_order = order
    expected = [i for _, i in truth(demo, BUSY)]
    assert len(expected) > 1000
    live = stream(client, demo)
    before = hit_requests(demo)
    new = await live.refresh()
    assert ids(new) == expected[:500]
    assert ids(live.hits) == expected[:500]
    assert live.order == order
    # Newest first: one page. Oldest first: page 1 tells, then the last two pages.
    assert hit_requests(demo) - before == live.requests == (1 if order == "desc" else 3)


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_new_hits_come_exactly_once_and_nothing_new_costs_one_request(
    demo: DemoServer, client: TinylyticsClient, order: str
) -> None:
    demo.settings.hits_order = order
    live = stream(client, demo)
    await live.refresh()
    known = set(ids(live.hits))

    before = hit_requests(demo)
    assert await live.refresh() == []
    assert hit_requests(demo) - before == 1

    demo.clock.advance(20 * 60)
    expected = [i for _, i in truth(demo, BUSY) if i > max(known)]
    assert expected, "the demo should have had visitors in 20 minutes"
    new = await live.refresh()
    assert ids(new) == expected
    assert ids(live.hits)[: len(new)] == expected
    assert len(live.hits) == 500

    before = hit_requests(demo)
    assert await live.refresh() == []
    assert hit_requests(demo) - before == 1


async def test_a_quiet_site_with_one_page_is_read_whole(
    demo: DemoServer, client: TinylyticsClient
) -> None:
    expected = [i for _, i in truth(demo, QUIET)]
    assert len(expected) < 500
    live = stream(client, demo, site=QUIET)
    assert ids(await live.refresh()) == expected
    assert live.requests == 1


class Advancing(TinylyticsClient):
    """A real client whose every page takes a minute of the demo's time, so that new hits
    arrive while a refresh reads its pages: newest first, the pages shift under it."""

    def __init__(self, demo: DemoServer) -> None:
        super().__init__(DEMO_KEY, demo.base_url, max_retries=0)
        self.demo = demo

    async def hits(self, id: int | str, **kwargs: Any) -> HitsResponse:
        answer = await super().hits(id, **kwargs)
        self.demo.clock.advance(60)
        return answer


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_no_hit_is_returned_twice_while_pages_shift(demo: DemoServer, order: str) -> None:
    demo.settings.hits_order = order
    async with Advancing(demo) as client:
        # Pages of 8: each refresh after 20 minutes reads several, with hits arriving between.
        live = HitStream(client, BUSY, now=demo.clock.now, keep=300, step=8)
        returned: list[int] = []
        pages = 0
        for _ in range(4):
            returned += ids(await live.refresh())
            pages += live.requests
            demo.clock.advance(20 * 60)
        assert pages > 12
        assert len(returned) == len(set(returned))
        shown = ids(live.hits)
        assert len(shown) == len(set(shown)) == 300
        # Everything the server had up to the newest hit returned, newest first: no gap.
        newest = max(returned)
        assert shown == [i for _, i in truth(demo, BUSY) if i <= newest][:300]


async def test_the_server_changing_its_order_is_noticed(
    demo: DemoServer, client: TinylyticsClient
) -> None:
    live = stream(client, demo)
    await live.refresh()
    assert live.order == "desc"
    known = set(ids(live.hits))
    demo.settings.hits_order = "asc"
    demo.clock.advance(15 * 60)
    expected = [i for _, i in truth(demo, BUSY) if i > max(known)]
    assert ids(await live.refresh()) == expected
    assert str(live.order) == "asc"  # str(): mypy still holds the "desc" asserted above
    assert await live.refresh() == []


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_midnight_moves_the_window_without_losing_hits(
    demo: DemoServer, client: TinylyticsClient, order: str
) -> None:
    demo.settings.hits_order = order
    demo.clock.set(datetime(2026, 11, 20, 23, 40, tzinfo=UTC))
    live = stream(client, demo)
    await live.refresh()
    known = set(ids(live.hits))
    demo.clock.set(datetime(2026, 11, 21, 0, 40, tzinfo=UTC))
    # The window is now Nov 20-21: what crossed midnight is still in it.
    expected = [i for _, i in truth(demo, BUSY) if i > max(known)]
    assert expected
    assert ids(await live.refresh()) == expected
    assert await live.refresh() == []


async def test_a_failed_refresh_changes_nothing(demo: DemoServer, client: TinylyticsClient) -> None:
    live = stream(client, demo)
    await live.refresh()
    before = ids(live.hits)
    demo.clock.advance(600)
    demo.settings.error_rate = 1.0
    with pytest.raises(ServerError):
        await live.refresh()
    assert ids(live.hits) == before
    demo.settings.error_rate = 0.0
    new = await live.refresh()
    assert new and ids(live.hits) == ids(new) + before[: 500 - len(new)]


async def test_hits_survive_a_restart_through_the_cache(
    demo: DemoServer, client: TinylyticsClient, tmp_path: Path
) -> None:
    demo.settings.hits_order = "asc"
    path = tmp_path / "cache.sqlite3"
    first = stream(client, demo, store=SqliteCache(path))
    await first.refresh()
    demo.clock.advance(600)
    await first.refresh()
    synced = first.synced_at

    again = stream(client, demo, store=SqliteCache(path))
    # Before any request: what the last session saw, and when.
    assert ids(again.hits) == ids(first.hits)
    assert again.from_store and again.synced_at == synced
    assert again.order == "asc"
    before = hit_requests(demo)
    assert await again.refresh() == []
    assert not again.from_store
    # The order was remembered, not learnt again; the newest page is found from page 1.
    assert hit_requests(demo) - before == 2

    demo.clock.advance(600)
    new = await again.refresh()
    assert new and not set(ids(new)) & set(ids(first.hits))


async def test_without_a_cache_nothing_is_kept(
    demo: DemoServer, client: TinylyticsClient, tmp_path: Path
) -> None:
    first = stream(client, demo, store=None)
    await first.refresh()
    again = stream(client, demo, store=None)
    assert again.hits == [] and again.synced_at is None and not again.from_store
    assert not files(tmp_path, "*")


async def test_a_corrupt_cache_file_is_moved_aside(
    demo: DemoServer, client: TinylyticsClient, tmp_path: Path
) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    live = stream(client, demo, store=SqliteCache(path))
    assert live.hits == []
    await live.refresh()
    assert files(tmp_path, "cache.sqlite3.broken-*")
    assert len(stream(client, demo, store=SqliteCache(path)).hits) == 500


async def test_retention_drops_hits_of_old_days(
    demo: DemoServer, client: TinylyticsClient, tmp_path: Path
) -> None:
    path = tmp_path / "cache.sqlite3"
    today = demo.clock.now().date()
    await stream(client, demo, store=SqliteCache(path, today=lambda: today)).refresh()
    kept = SqliteCache(path, retention_days=3, today=lambda: today + timedelta(days=2))
    assert len(stream(client, demo, store=kept).hits) == 500
    # Three days on, yesterday's hits are past a retention of three days; today's are not.
    later = SqliteCache(path, retention_days=3, today=lambda: today + timedelta(days=3))
    hits = stream(client, demo, store=later).hits
    assert hits and all(h.created_at.date() == today for h in hits)
    gone = SqliteCache(path, retention_days=3, today=lambda: today + timedelta(days=9))
    assert stream(client, demo, store=gone).hits == []


def test_streams_are_one_per_site(demo: DemoServer) -> None:
    client = TinylyticsClient(DEMO_KEY, demo.base_url)
    streams = HitStreams(client)
    assert streams.for_site(BUSY) is streams.for_site(BUSY)
    assert streams.for_site(QUIET) is not streams.for_site(BUSY)


def test_order_detection() -> None:
    def at(second: int) -> Hit:
        return Hit(created_at=datetime(2026, 11, 20, 14, 0, second, tzinfo=UTC))

    assert detect_order([at(5), at(3), at(1)]) == "desc"
    assert detect_order([at(1), at(3), at(5)]) == "asc"
    assert detect_order([at(1), at(1)]) is None
    assert detect_order([at(1)]) is None
    assert detect_order([]) is None


def test_hits_without_an_id_still_have_one_identity() -> None:
    stamp = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    bare = Hit(created_at=stamp)
    assert hit_key(bare) == hit_key(Hit(created_at=stamp))
    assert hit_key(bare) != hit_key(Hit(created_at=stamp, path="/a"))
    assert hit_key(Hit(id=7, created_at=stamp)) == "7"
