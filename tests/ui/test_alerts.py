"""Alerts from any screen: the uptime watcher's notifications, the bell, the Sites column."""

from __future__ import annotations

from collections.abc import Callable

from app.demo import DemoServer
from app.ui.app import TinylyticsApp
from app.ui.screens.sites import SitesScreen
from app.ui.widgets.table import LiveTable
from tests.ui.conftest import loaded, messages, wait_for

Factory = Callable[..., TinylyticsApp]


def uptime_column(app: TinylyticsApp) -> dict[str, str]:
    table = app.screen.query_one(LiveTable)
    return {str(key.value): str(table.get_cell(key, "uptime")) for key in table.rows}


async def test_a_site_going_down_and_coming_back_alerts_once_each(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(watch_uptime=True)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, loaded(app))
        # Already down when the app starts: said once, with the bell.
        await wait_for(pilot, lambda: any("Kettle & Crumb is down" in m for m in messages(app)))
        assert bells
        expected = {"456": "up", "458": "down", "459": "no monitor"}
        await wait_for(pilot, lambda: expected.items() <= uptime_column(app).items(), timeout=30)

        # The user is elsewhere when Field Notes goes down.
        await pilot.press("2")
        demo.settings.forced_down = [456]
        assert app.session.watcher is not None and app.session.api is not None
        demo.clock.advance(app.session.watcher.seconds_until_due() + 400)
        # Minutes passed on the demo's clock but not on the client's: let it ask again.
        app.session.api.forget_recent()
        app.session.alerts_feed.wake()
        await wait_for(pilot, lambda: any("Field Notes is down" in m for m in messages(app)))

        demo.settings.forced_down = []
        demo.clock.advance(app.session.watcher.seconds_until_due() + 400)
        app.session.api.forget_recent()
        app.session.alerts_feed.wake()
        await wait_for(pilot, lambda: any("Field Notes is back" in m for m in messages(app)))
        assert sum("Field Notes is down" in m for m in messages(app)) == 1

        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, SitesScreen))
        await wait_for(pilot, lambda: uptime_column(app).get("456") == "up")


async def test_the_bell_can_be_turned_off(app_factory: Factory) -> None:
    app = app_factory(bell=False, watch_uptime=True)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: any("is down" in m for m in messages(app)))
        assert not bells
