"""How the Journeys section looks (list, one journey's timeline, common paths), at 120x40 and
80x24, with the demo's clock and seed frozen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from app.ui.app import TinylyticsApp
from tests.ui.conftest import loaded, wait_for

Factory = Callable[..., TinylyticsApp]
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]
BLOG = 456


def settle(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TinylyticsApp)
        # Request counts depend on task timing; the pictures are about layout and data.
        app.session.api_use = lambda: "API n/h"  # type: ignore[method-assign]
        # Toasts from app-wide work (uptime alerts) come when they come: not these pictures'.
        app.notify = lambda *args, **kwargs: None  # type: ignore[method-assign]
        await wait_for(pilot, loaded(app), timeout=60)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.3)
            await wait_for(pilot, loaded(app), timeout=60)
        app.clear_notifications()
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_journeys_list(snap_compare: Any, app_factory: Factory, size: tuple[int, int]) -> None:
    app = app_factory(site=BLOG)
    assert snap_compare(app, terminal_size=size, run_before=settle("4"))


@pytest.mark.parametrize("size", SIZES)
def test_journey_timeline(snap_compare: Any, app_factory: Factory, size: tuple[int, int]) -> None:
    # The second journey of the list: eight pages.
    app = app_factory(site=BLOG)
    assert snap_compare(app, terminal_size=size, run_before=settle("4", "down", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_journeys_common_paths(
    snap_compare: Any, app_factory: Factory, size: tuple[int, int]
) -> None:
    app = app_factory(site=BLOG)
    assert snap_compare(app, terminal_size=size, run_before=settle("4", "c"))
