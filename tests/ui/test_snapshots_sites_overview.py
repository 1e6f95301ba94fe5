"""How the Sites screen's account overview looks at 120x40: another range and a highlighted
line, with the demo's clock and seed frozen (and the time zone UTC, as `make_app` sets)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from app.ui.app import TinylyticsApp
from tests.ui.conftest import loaded, wait_for

Factory = Callable[..., TinylyticsApp]


def settle(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TinylyticsApp)
        # Request counts depend on task timing; the pictures are about layout and data.
        app.session.api_use = lambda: "API n/h"  # type: ignore[method-assign]
        # Toasts from app-wide work (alerts) come when they come: not this picture's subject.
        app.notify = lambda *args, **kwargs: None  # type: ignore[method-assign]
        await wait_for(pilot, loaded(app))
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2)
            await wait_for(pilot, loaded(app))
        app.clear_notifications()
        await pilot.pause(0.3)

    return run_before


def test_sites_30_days_third_row_highlighted(snap_compare: Any, app_factory: Factory) -> None:
    assert snap_compare(
        app_factory(), terminal_size=(120, 40), run_before=settle("m", "down", "down")
    )
