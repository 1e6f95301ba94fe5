"""How the leaderboard looks at 120x40 and 80x24, with the demo's clock and seed frozen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from app.demo import DemoServer
from app.ui.app import TinylyticsApp
from app.ui.screens.leaderboard import LeaderboardScreen
from tests.ui.conftest import loaded, wait_for

Factory = Callable[..., TinylyticsApp]
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]
SITE = 457


def settle(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Open the leaderboard, press `keys`, and wait until the board on screen is the one
    asked for and nothing is loading."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TinylyticsApp)
        # Request counts depend on task timing; the pictures are about layout and data.
        app.session.api_use = lambda: "API n/h"  # type: ignore[method-assign]
        # Toasts from app-wide work (alerts) come when they come: not this picture's subject.
        app.notify = lambda *args, **kwargs: None  # type: ignore[method-assign]
        await wait_for(pilot, loaded(app))
        await pilot.press("3", *keys)

        def settled() -> bool:
            screen = app.screen
            return (
                isinstance(screen, LeaderboardScreen)
                and screen.board is not None
                and screen.board.path_filter == screen.feed.path_filter
                and not screen.feed.pages.missing()
                and loaded(app)()
            )

        await wait_for(pilot, settled)
        app.clear_notifications()
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_leaderboard(snap_compare: Any, app_factory: Factory, size: tuple[int, int]) -> None:
    assert snap_compare(app_factory(site=SITE), terminal_size=size, run_before=settle())


def test_leaderboard_filtered(snap_compare: Any, app_factory: Factory) -> None:
    keys = ("slash", *"reference", "enter")
    assert snap_compare(app_factory(site=SITE), terminal_size=(80, 24), run_before=settle(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_leaderboard_hostile(
    snap_compare: Any, app_factory: Factory, demo: DemoServer, size: tuple[int, int]
) -> None:
    demo.settings.hostile_strings = True
    assert snap_compare(app_factory(site=460), terminal_size=size, run_before=settle())
