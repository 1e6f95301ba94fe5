"""The whole app on a hostile API (tests/hostile.py): what a user notices. Requests stay
bounded, the status line says what is wrong in a few words, nothing freezes: `q` quits at once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app.ui.app import TinylyticsApp
from app.ui.widgets.status import StatusLine
from tests.hostile import HostileServer, deep_json
from tests.ui.conftest import loaded, make_app, messages, notified, settled, wait_for

SITE = 460  # the smallest demo site: an honest 12-month read is a few pages
LIE = 10**9
# `q` must end the app well within this, whatever is in flight.
QUIT_WITHIN = 5.0


def status(app: TinylyticsApp) -> str:
    return app.screen.query_one(StatusLine).compose_text().plain


def lie_about_pages(path: str, query: dict[str, str], data: Any) -> Any:
    if path.endswith("/hits") and isinstance(data, dict) and "pagination" in data:
        data["pagination"]["total_pages"] = LIE
        data["pagination"]["total_count"] = LIE * 1000
    return data


async def quits_quickly(app: TinylyticsApp, pilot: Any) -> float:
    loop = asyncio.get_running_loop()
    start = loop.time()
    await pilot.press("q")
    async with asyncio.timeout(QUIT_WITHIN):
        while app.is_running:
            await pilot.pause(0.02)
    return loop.time() - start


async def test_lying_pages_on_the_year_view_stay_bounded(
    hostile_api: HostileServer, tmp_path: Path
) -> None:
    app = make_app(hostile_api, tmp_path, site=SITE)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, loaded(app), timeout=30)
        hostile_api.mutate = lie_about_pages
        hostile_api.requests = 0
        await pilot.press("y")
        await wait_for(pilot, lambda: "12 months" in status(app) and loaded(app)(), timeout=30)
        await wait_for(pilot, notified(app, "paging"))
        assert sum("paging" in m for m in messages(app)) == 1
        # An honest 12-month load of this site is about 110 requests; a billion pages is not.
        assert hostile_api.requests < 250
        assert "internal error" not in status(app).lower()
        await pilot.press("w")
        await pilot.press("y")
        await pilot.pause(0.2)
        assert await quits_quickly(app, pilot) < QUIT_WITHIN


async def test_a_trickling_server_is_offline_not_frozen(
    hostile_api: HostileServer, tmp_path: Path
) -> None:
    app = make_app(hostile_api, tmp_path, site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app), timeout=30)
        hostile_api.trickle = 1.0
        await pilot.press("r")
        # The client's deadline (4 x its 15 s timeout at most) ends each attempt; the screen
        # keeps its data meanwhile, and `q` does not wait for any of it.
        await pilot.pause(0.5)
        assert "refreshing" in status(app)
        assert await quits_quickly(app, pilot) < QUIT_WITHIN


async def test_huge_and_deep_answers_are_an_unexpected_answer(
    hostile_api: HostileServer, tmp_path: Path
) -> None:
    app = make_app(hostile_api, tmp_path, site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app), timeout=30)
        for mode in ("huge", "deep"):
            hostile_api.reset()
            if mode == "huge":
                hostile_api.huge = 50 * 1024 * 1024
            else:
                hostile_api.body = deep_json(100_000)
            await pilot.press("r")
            await wait_for(pilot, settled(app), timeout=30)
            await wait_for(
                pilot, lambda: "unexpected answer from the server" in status(app), timeout=30
            )
            assert "internal error" not in status(app).lower()
            assert "hits, last 7 days" in str(app.screen.query_one("#headline").render())
        assert await quits_quickly(app, pilot) < QUIT_WITHIN
