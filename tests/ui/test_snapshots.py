"""How each screen looks (the hits dashboard is left to pilot tests for now: its pictures
were not yet stable from run to run), at 120x40 and 80x24, with the demo's clock and seed frozen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from app.demo import DemoServer
from app.ui.app import TinylyticsApp
from tests.ui.conftest import loaded, wait_for

Factory = Callable[..., TinylyticsApp]
SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


def settle(*keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TinylyticsApp)
        # Request counts depend on task timing; the pictures are about layout and data.
        app.session.api_use = lambda: "API n/h"  # type: ignore[method-assign]
        await wait_for(pilot, loaded(app))
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.3)
            if key != "question_mark":
                await wait_for(pilot, loaded(app))
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_sites(snap_compare: Any, app_factory: Factory, size: tuple[int, int]) -> None:
    assert snap_compare(app_factory(), terminal_size=size, run_before=settle())


def test_help(snap_compare: Any, app_factory: Factory) -> None:
    assert snap_compare(app_factory(), terminal_size=(120, 40), run_before=settle("question_mark"))


def test_first_run(snap_compare: Any, app_factory: Factory) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause(0.3)
        # The cursor blinks every 0.5 s: on a slow machine the picture caught it hidden.
        key_input = pilot.app.screen.query_one("#key", Input)
        key_input.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app_factory(key=None), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_hostile_sites(
    snap_compare: Any, app_factory: Factory, demo: DemoServer, size: tuple[int, int]
) -> None:
    demo.settings.hostile_strings = True
    assert snap_compare(app_factory(), terminal_size=size, run_before=settle())


@pytest.mark.parametrize("size", SIZES)
def test_hits(snap_compare: Any, app_factory: Factory, size: tuple[int, int]) -> None:
    assert snap_compare(app_factory(site=456), terminal_size=size, run_before=settle())


def test_hits_24h_filtered(snap_compare: Any, app_factory: Factory) -> None:
    app = app_factory(site=457)
    app.state.filters = (("country", "DE"),)
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle("t"))
