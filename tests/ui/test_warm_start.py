"""A restart paints the last known data at once, marked with its age; --no-cache keeps nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import platformdirs

from app.demo import DemoServer
from app.secret import Secret
from app.ui.app import TinylyticsApp
from app.ui.screens.hits import HitsScreen
from app.ui.screens.sites import SitesScreen
from app.ui.widgets.status import StatusLine
from tests.ui.conftest import loaded, screen_text, wait_for

Factory = Callable[..., TinylyticsApp]


def cache_files() -> list[str]:
    root = Path(platformdirs.user_cache_dir("tinylytics-tui", appauthor=False))
    return sorted(os.listdir(root)) if root.exists() else []


def status(app: TinylyticsApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def test_a_restart_paints_the_last_dashboard_before_asking(
    app_factory: Factory, demo: DemoServer
) -> None:
    first = app_factory(site=456)
    async with first.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(first))
        shown = screen_text(first)
    assert "hits, last 7 days" in shown
    assert cache_files()

    # Two hours later, with the API gone: the last dashboard is there, and says how old it is.
    demo.clock.advance(2 * 3600)
    demo.settings.drop_rate = 1.0
    again = app_factory(site=456, frozen_monotonic=False)
    # The HTTP client is built after the first frame: what the screen holds by then is what the
    # first frame showed.
    before_client: list[str] = []
    connect = again.connect

    def watched_connect(key: Secret, base_url: str) -> None:
        before_client.append(screen_text(again))
        connect(key, base_url)

    again.connect = watched_connect  # type: ignore[method-assign]
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(before_client))
        assert isinstance(again.screen, HitsScreen)
        headline = next(line for line in shown.splitlines() if "hits, last 7 days" in line)
        assert headline in before_client[0]
        assert headline in screen_text(again)
        await wait_for(pilot, lambda: "offline" in status(again), timeout=30)
        assert "data from 2h" in status(again)


async def test_the_sites_table_comes_back_from_the_cache(
    app_factory: Factory, demo: DemoServer
) -> None:
    first = app_factory()
    async with first.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(first))
        await wait_for(pilot, lambda: "Burrow Docs" in screen_text(first))
    again = app_factory(frozen_monotonic=False)
    again.state.paused = True  # nothing is asked: whatever shows came from the cache
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "Burrow Docs" in screen_text(again))
        assert isinstance(again.screen, SitesScreen)
        assert "paused" in status(again)


async def test_no_cache_keeps_nothing_on_disk(app_factory: Factory) -> None:
    app = app_factory(site=456, cache=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
    assert cache_files() == []


async def test_the_header_names_the_site_from_the_kept_sites_table(
    app_factory: Factory, demo: DemoServer
) -> None:
    first = app_factory()
    async with first.run_test(size=(120, 40)) as pilot:
        # The whole refresh, not its first row: the table is kept once every row is in.
        await wait_for(pilot, loaded(first))
        await wait_for(pilot, lambda: "Field Notes" in screen_text(first))
    demo.settings.drop_rate = 1.0  # the API is gone: the name can only come from the cache
    again = app_factory(site=456)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "offline" in status(again), timeout=30)
        assert again.sub_title == "Field Notes"
        assert status(again).startswith("Field Notes · last 7 days")
