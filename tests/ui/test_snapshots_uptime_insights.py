"""How Uptime (5) and Insights (6) look at 120x40 and 80x24, with the demo's clock and seed
frozen: a down site, an up site, a site without a monitor, insights, and insights without the
plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from app.demo import BASIC_KEY
from app.ui.app import TinylyticsApp
from app.ui.screens.base import LiveScreen
from app.ui.screens.insights import InsightsScreen
from app.ui.screens.uptime import UptimeScreen
from tests.ui.conftest import loaded, wait_for

Factory = Callable[..., TinylyticsApp]
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


def settle(key: str, screen_type: type[LiveScreen[Any]]) -> Callable[[Pilot[Any]], Any]:
    """Let the hits dashboard the app opens on finish (it sets the header), open the section,
    and wait until its answer is on screen."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TinylyticsApp)
        # Request counts depend on task timing; the pictures are about layout and data.
        app.session.api_use = lambda: "API n/h"  # type: ignore[method-assign]
        # Toasts from app-wide work (uptime alerts) come when they come: not these pictures.
        app.notify = lambda *args, **kwargs: None  # type: ignore[method-assign]

        def hits_done() -> bool:
            screen = app.screen
            return (
                isinstance(screen, LiveScreen)
                and bool(app.session.account)
                and not screen.freshness.loading
                and (
                    screen.freshness.updated_at is not None or screen.freshness.problem is not None
                )
            )

        await wait_for(pilot, hits_done, timeout=60)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, screen_type) and loaded(app)())
        app.clear_notifications()
        await pilot.pause(0.3)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_uptime_down(snap_compare: Any, app_factory: Factory, size: tuple[int, int]) -> None:
    app = app_factory(site=458)
    assert snap_compare(app, terminal_size=size, run_before=settle("5", UptimeScreen))


@pytest.mark.parametrize("size", SIZES)
def test_uptime_up(snap_compare: Any, app_factory: Factory, size: tuple[int, int]) -> None:
    app = app_factory(site=456)
    assert snap_compare(app, terminal_size=size, run_before=settle("5", UptimeScreen))


@pytest.mark.parametrize("size", SIZES)
def test_uptime_no_monitor(snap_compare: Any, app_factory: Factory, size: tuple[int, int]) -> None:
    app = app_factory(site=459)
    assert snap_compare(app, terminal_size=size, run_before=settle("5", UptimeScreen))


@pytest.mark.parametrize("size", SIZES)
def test_insights(snap_compare: Any, app_factory: Factory, size: tuple[int, int]) -> None:
    app = app_factory(site=456)
    assert snap_compare(app, terminal_size=size, run_before=settle("6", InsightsScreen))


@pytest.mark.parametrize("size", SIZES)
def test_insights_without_the_plan(
    snap_compare: Any, app_factory: Factory, size: tuple[int, int]
) -> None:
    app = app_factory(site=456, key=BASIC_KEY)
    assert snap_compare(app, terminal_size=size, run_before=settle("6", InsightsScreen))
