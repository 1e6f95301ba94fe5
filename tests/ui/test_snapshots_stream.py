"""How the live hit stream looks, at 120x40 and 80x24, with the demo's clock and seed frozen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from app.config import Settings
from app.demo import DEMO_KEY, DemoServer
from app.secret import Secret
from app.ui.app import TinylyticsApp
from app.ui.screens.stream import LiveHitsScreen
from tests.ui.conftest import loaded, wait_for

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]
QUIET = 456


def quiet_app(demo: DemoServer, tmp_path: Path) -> TinylyticsApp:
    """The app of tests/ui/conftest.py's `make_app`, without the uptime watcher: its alerts
    (toasts with a timeout) would come and go in the picture."""
    settings = Settings(
        api_key=Secret(DEMO_KEY),
        base_url=demo.base_url,
        site=QUIET,
        config_path=tmp_path / "config.toml",
        timezone="UTC",  # the pictures must not depend on the machine's zone
    )
    return TinylyticsApp(
        settings,
        now=demo.clock.now,
        monotonic=lambda: 1000.0,
        persist=False,
        watch_uptime=False,
    )


def settle() -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TinylyticsApp)
        # Request counts depend on task timing; the pictures are about layout and data.
        app.session.api_use = lambda: "API n/h"  # type: ignore[method-assign]
        await wait_for(pilot, loaded(app))
        app.push_screen(LiveHitsScreen(app.session))
        await wait_for(pilot, lambda: isinstance(app.screen, LiveHitsScreen) and loaded(app)())
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_live_hits(
    snap_compare: Any, demo: DemoServer, tmp_path: Path, size: tuple[int, int]
) -> None:
    assert snap_compare(quiet_app(demo, tmp_path), terminal_size=size, run_before=settle())
