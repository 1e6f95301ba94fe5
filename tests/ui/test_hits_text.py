"""The hits dashboard's words and numbers as a user reads them on screen (and in a screenshot)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from textual.widgets import Static

from app.live.ranges import RangeKind
from app.ui.app import TinylyticsApp
from app.ui.screens.hits import HitsScreen
from app.ui.widgets.panels import PanelTable
from tests.ui.conftest import loaded, wait_for

Factory = Callable[..., TinylyticsApp]

SIZES = [(60, 20), (80, 24), (120, 40)]


def screenshot_runs(app: TinylyticsApp) -> list[str]:
    """The text runs of an SVG screenshot: each run is one style, and tools that read the
    picture (or a user copying from it) take each run on its own."""
    svg = app.export_screenshot()
    runs = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return [html.unescape(run).replace("\xa0", " ") for run in runs]


async def open_hits(app: TinylyticsApp, pilot: object) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))  # type: ignore[arg-type]
    await wait_for(pilot, loaded(app))  # type: ignore[arg-type]


def headline(app: TinylyticsApp) -> str:
    return str(app.screen.query_one("#headline", Static).content)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_hits_count_and_word_stay_together(
    app_factory: Factory, size: tuple[int, int]
) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=size) as pilot:
        await open_hits(app, pilot)
        total = app.session.hits_feed.data.series.total  # type: ignore[union-attr]
        runs = screenshot_runs(app)
        assert any(f"{total:,} hits" in run for run in runs), [r for r in runs if "hits" in r]


async def test_twelve_months_name_their_years(app_factory: Factory) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_hits(app, pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.state.range_kind is RangeKind.YEAR)
        await wait_for(pilot, lambda: "12 months" in headline(app))
        # The demo clock stands at 2026-11-20: 52 weeks back is 2025-11-22.
        text = headline(app)
        assert "Nov 22, 2025 to Nov 20, 2026" in text, text
        assert "against Nov 23, 2024 to Nov 21, 2025" in text, text
        chart = " ".join(screenshot_runs(app))
        assert "'25" in chart and "'26" in chart, chart


async def test_seven_days_in_this_year_have_no_years(app_factory: Factory) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_hits(app, pilot)
        text = headline(app)
        assert "Nov 14 to Nov 20" in text and "2026" not in text, text


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_full_share_is_not_cut(app_factory: Factory, size: tuple[int, int]) -> None:
    app = app_factory(site=456)
    app.state.set_filters((("path", "/"),))
    async with app.run_test(size=size) as pilot:
        await open_hits(app, pilot)
        pages = app.screen.query_one("#panel-path", PanelTable)
        await wait_for(pilot, lambda: pages.row_count == 1)
        await pilot.pause()
        assert pages.get_row_at(0)[1].plain == "100.0%"
        runs = screenshot_runs(app)
        assert any("100.0%" in run for run in runs), [r for r in runs if "100" in r]
