"""Callers asking the same question share one request (and, if asked to, its answer a while)."""

from __future__ import annotations

import asyncio

import pytest

from app.api import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer


async def test_concurrent_identical_questions_cost_one_request(demo: DemoServer) -> None:
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        demo.stats.reset()
        first, second, other = await asyncio.gather(
            client.hits(456, per_page=1),
            client.hits(456, per_page=1),
            client.hits(457, per_page=1),
        )
        assert demo.stats.total == 2
        assert first.pagination.total_count == second.pagination.total_count
        assert other.pagination.total_count != first.pagination.total_count
        # Without a sharing window, a later identical question asks again.
        await client.hits(456, per_page=1)
        assert demo.stats.total == 3


async def test_a_recent_answer_is_shared_until_a_refresh_is_asked_for(demo: DemoServer) -> None:
    async with TinylyticsClient(DEMO_KEY, demo.base_url, share_seconds=60) as client:
        demo.stats.reset()
        await client.sites()
        again = await client.sites()
        assert demo.stats.total == 1
        # Each caller gets its own copy: changing one answer does not change another's.
        again.sites.clear()
        assert (await client.sites()).sites
        client.forget_recent()
        await client.sites()
        assert demo.stats.total == 2


async def test_a_caller_giving_up_does_not_cancel_the_others(demo: DemoServer) -> None:
    demo.settings.latency = 0.3
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        demo.stats.reset()
        quitter = asyncio.create_task(client.me())
        stayer = asyncio.create_task(client.me())
        await asyncio.sleep(0.1)
        quitter.cancel()
        me = await stayer
        assert me.user is not None
        assert demo.stats.total == 1


async def test_a_large_answer_is_not_held_for_sharing(demo: DemoServer) -> None:
    """A page of 1,000 raw hits (~250 KB) is asked again rather than held: a cold 12-month load
    reads a hundred of them within the window, and holding them grew the app by 70 MB."""
    async with TinylyticsClient(DEMO_KEY, demo.base_url, share_seconds=60) as client:
        demo.stats.reset()
        for _ in range(2):
            await client.hits(457, per_page=1000)
        assert demo.stats.total == 2
        for _ in range(2):
            await client.hits(457, per_page=10)
        assert demo.stats.total == 3


async def test_what_is_held_for_sharing_is_bounded_by_size(
    demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.api.client as client_module

    async with TinylyticsClient(DEMO_KEY, demo.base_url, share_seconds=60) as client:
        await client.hits(456, per_page=100, page=1)
        one = client._recent_bytes  # the size of that page's body
        # Room for about two such answers: the oldest goes first.
        monkeypatch.setattr(client_module, "MAX_SHARED_BYTES", 2 * one + one // 2)
        client.forget_recent()
        demo.stats.reset()
        for page in (1, 2, 3):
            await client.hits(456, per_page=100, page=page)
        await client.hits(456, per_page=100, page=3)
        await client.hits(456, per_page=100, page=2)
        assert demo.stats.total == 3  # pages 2 and 3 were held
        await client.hits(456, per_page=100, page=1)
        assert demo.stats.total == 4  # page 1 had made room
