"""Times on screen are in the user's zone, and say which: with `timezone = "Asia/Kolkata"`
(UTC+05:30) the demo's 14:30 UTC reads 20:00. These tests do not depend on the machine's zone:
the setting picks one. The 24-hour view's numbers add up and its panels name their window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from app.demo import DemoServer
from app.live import hitcounts
from app.live.journeys import started_at
from app.live.ranges import RangeKind
from app.ui.app import TinylyticsApp
from app.ui.screens.hits import HitsScreen
from app.ui.screens.journey import JourneyScreen
from app.ui.screens.journeys import JourneysScreen
from app.ui.screens.leaderboard import LeaderboardScreen
from app.ui.screens.stream import LiveHitsScreen
from app.ui.screens.uptime import UptimeScreen
from app.ui.widgets.chart import HitsChart
from app.ui.widgets.panels import PanelTable
from app.ui.widgets.table import LiveTable
from tests.conftest import DEMO_HEADERS
from tests.ui.conftest import loaded, screen_text, settled, wait_for

Factory = Callable[..., TinylyticsApp]
KOLKATA = timedelta(hours=5, minutes=30)
BLOG, DOCS, DOWN = 456, 457, 458


def kolkata(app_factory: Factory, site: int) -> TinylyticsApp:
    return app_factory(site=site, timezone="Asia/Kolkata")


def headline(app: TinylyticsApp) -> str:
    return str(app.screen.query_one("#headline", Static).content)


async def open_24_hours(pilot: Pilot[int], app: TinylyticsApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen) and loaded(app)())
    await pilot.press("t")
    await wait_for(
        pilot,
        lambda: (
            (data := app.session.hits_feed.data) is not None
            and data.window.kind is RangeKind.DAY
            and loaded(app)()
        ),
    )


async def test_the_24_hour_chart_is_on_local_hours_and_names_the_zone(
    app_factory: Factory,
) -> None:
    app = kolkata(app_factory, BLOG)
    async with app.run_test(size=(140, 44)) as pilot:
        await open_24_hours(pilot, app)
        chart = app.screen.query_one(HitsChart)
        assert chart._data is not None
        # 14:30 UTC is 20:00 in Kolkata: the 24 hours start at 21:00 yesterday, local.
        assert chart._data.labels[0] == "21:00"
        assert chart._data.labels[-2] == "19:00"
        text = headline(app)
        assert "Nov 19 21:00 to now" in text and "Asia/Kolkata" in text, text


async def test_the_24_hour_view_adds_up_and_its_panels_say_their_window(
    app_factory: Factory,
) -> None:
    app = app_factory(site=DOCS)
    async with app.run_test(size=(140, 44)) as pilot:
        await open_24_hours(pilot, app)
        chart = app.screen.query_one(HitsChart)
        assert chart._data is not None
        text = headline(app)
        # The headline's number is the chart's buckets, hour by hour.
        assert text.startswith(f"{sum(chart._data.current):,} hits, last 24 hours"), text
        assert "to the same time yesterday" in text, text
        # The panels count whole UTC days (the API groups by day): each says since when.
        panels = list(app.screen.query(PanelTable))
        assert len(panels) == 5
        assert {str(p.border_subtitle) for p in panels} == {"since Nov 19 00:00 UTC"}
        await pilot.press("w")
        await wait_for(
            pilot,
            lambda: (
                (data := app.session.hits_feed.data) is not None
                and data.window.kind is RangeKind.WEEK
                and loaded(app)()
            ),
        )
        # Over whole UTC days the panels cover the chart's window: nothing to add.
        assert {str(p.border_subtitle) for p in app.screen.query(PanelTable)} == {""}


async def test_live_hits_are_local_times(app_factory: Factory, demo: DemoServer) -> None:
    today = demo.clock.now().date()
    answer = httpx.get(
        f"{demo.base_url}sites/{DOCS}/hits",
        params={"start_date": str(today - timedelta(days=1)), "end_date": str(today)},
        headers=DEMO_HEADERS,
    ).json()
    newest = datetime.fromisoformat(answer["hits"][0]["created_at"])
    app = kolkata(app_factory, DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, settled(app), timeout=60)
        app.push_screen(LiveHitsScreen(app.session))
        await wait_for(pilot, lambda: isinstance(app.screen, LiveHitsScreen) and loaded(app)())
        table = app.screen.query_one("#stream", LiveTable)
        first = str(table.get_row_at(0)[0])
        assert first == f"{newest + KOLKATA:%H:%M:%S}"
        assert "times in Asia/Kolkata" in screen_text(app)


async def test_uptime_checks_and_downtimes_are_local(app_factory: Factory) -> None:
    app = kolkata(app_factory, DOWN)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, settled(app), timeout=60)
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, UptimeScreen) and loaded(app)())
        text = screen_text(app)
        # 14:14:53 and 14:29:53 UTC.
        assert "DOWN since 19:44:53 IST, for 15 minutes" in text, text
        assert "Last check 19:59:53 IST" in text, text
        assert "Downtime history (Asia/Kolkata)" in text
        history = app.screen.query_one(LiveTable)
        assert str(history.get_row_at(0)[0]) == "2026-11-20 19:44"


async def test_the_leaderboards_next_update_is_local(app_factory: Factory) -> None:
    app = kolkata(app_factory, DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, settled(app), timeout=60)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaderboardScreen) and loaded(app)())
        # The board expires at 15:30 UTC.
        await wait_for(pilot, lambda: "next update 21:00 IST" in screen_text(app))


async def test_journeys_start_at_local_times(app_factory: Factory) -> None:
    app = kolkata(app_factory, DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, settled(app), timeout=60)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, JourneysScreen))
        await wait_for(pilot, loaded(app), timeout=60)
        screen = app.screen
        assert isinstance(screen, JourneysScreen)
        data = screen.feed.data
        assert data is not None and data.journeys
        start = started_at(data.journeys[0])
        assert start is not None
        list_table = screen.query_one("#journeys-list", LiveTable)
        cells = [str(list_table.get_row_at(i)[0]) for i in range(list_table.row_count)]
        assert f"{start + KOLKATA:%b %d %H:%M}" in cells
        assert "(UTC days), times Asia/Kolkata" in screen_text(app)


async def test_a_journeys_timeline_is_local_and_names_the_zone(app_factory: Factory) -> None:
    app = kolkata(app_factory, DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, settled(app), timeout=60)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, JourneysScreen) and loaded(app)())
        listed = app.screen.query_one("#journeys-list", LiveTable)
        listed.focus()
        listed.move_cursor(row=0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JourneyScreen) and loaded(app)())
        screen = app.screen
        assert isinstance(screen, JourneyScreen)
        start = started_at(screen.journey)
        assert start is not None
        local = start + KOLKATA
        assert f"started {local:%b %d %H:%M:%S} IST" in screen_text(app)
        timeline = screen.query_one("#journey-timeline", LiveTable)
        assert str(timeline.get_row_at(0)[1]).startswith(f"{local:%H:%M:%S}")


async def test_a_comparison_over_complete_days_says_so(
    app_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the docs site had too many hits a day to count part of one (see hitcounts).
    monkeypatch.setattr(hitcounts, "CUT_PAGES", 1)
    app = app_factory(site=DOCS)
    async with app.run_test(size=(140, 44)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen) and loaded(app)())
        data = app.session.hits_feed.data
        assert data is not None and data.series.compared is not None
        assert not data.series.compared.same_moment
        text = headline(app)
        assert (
            f"vs {data.series.compared.previous:,} over the same complete days, today left out"
            in text
        ), text
