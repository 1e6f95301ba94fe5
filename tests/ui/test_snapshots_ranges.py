"""How the range dialog looks over the hits dashboard, with the demo's clock and seed frozen and
the time zone pinned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from app.ui.app import TinylyticsApp
from app.ui.screens.range_dialog import RangeDialog
from tests.ui.conftest import loaded, wait_for

Factory = Callable[..., TinylyticsApp]


def test_range_dialog(snap_compare: Any, app_factory: Factory) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TinylyticsApp)
        # Request counts depend on task timing; the picture is about the dialog.
        app.session.api_use = lambda: "API n/h"  # type: ignore[method-assign]
        await wait_for(pilot, loaded(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, RangeDialog))
        # The cursor blinks every 0.5 s: a picture would catch it either way.
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause(0.2)

    app = app_factory(site=456, timezone="Europe/Berlin")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
