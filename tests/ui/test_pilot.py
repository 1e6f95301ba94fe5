"""The app driven by keys against the demo server over real HTTP: what the user sees."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input

from app.demo import DemoServer
from app.live.ranges import RangeKind
from app.ui.app import TinylyticsApp
from app.ui.screens.first_run import FirstRunScreen
from app.ui.screens.help import HelpScreen
from app.ui.screens.hits import HitsScreen
from app.ui.screens.panel import PanelScreen
from app.ui.screens.sites import SitesScreen
from app.ui.widgets.panels import PanelTable
from app.ui.widgets.search import SearchBox
from app.ui.widgets.status import StatusLine
from app.ui.widgets.table import LiveTable
from tests.ui.conftest import loaded, messages, notified, screen_text, shows, wait_for

Factory = Callable[..., TinylyticsApp]


def status(app: TinylyticsApp) -> str:
    return app.screen.query_one(StatusLine).compose_text().plain


async def test_sites_lists_every_site_of_the_account(
    app_factory: Factory, demo: DemoServer
) -> None:
    import httpx

    expected = httpx.get(
        demo.base_url + "sites", headers={"Authorization": "Bearer tly-ro-demo", "User-Agent": "t"}
    ).json()["sites"]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await wait_for(pilot, lambda: all(r.today is not None for r in app.session.sites_feed.rows))
        table = app.screen.query_one(LiveTable)
        assert table.row_count == len(expected)
        text = screen_text(app)
        for site in expected:
            assert site["label"] in text
            assert f"{site['lifetime_hits']:,}" in text or site["lifetime_hits"] < 0
        assert "updated" in status(app)
        assert f"{len(expected)} sites" in status(app)


async def test_sort_and_search(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        table = app.screen.query_one(LiveTable)
        labels = {str(r.id): r.label for r in app.session.sites_feed.rows}
        await pilot.press("s")  # by label, A to Z
        order = [labels[k] for k in table.row_keys_in_order()]
        assert order == sorted(order, key=str.casefold)
        await pilot.press("S")
        order = [labels[k] for k in table.row_keys_in_order()]
        assert order == sorted(order, key=str.casefold, reverse=True)

        urls = {str(r.id): r.url for r in app.session.sites_feed.rows}
        query = sorted(labels.values())[0][:4].lower()
        await pilot.press("slash")
        await pilot.press(*query)
        await pilot.pause()
        shown = table.row_keys_in_order()
        assert shown
        assert all(query in f"{labels[k]} {urls[k]}".lower() for k in shown)
        assert len(shown) < len(labels)
        assert f"/{query}" in status(app)
        await pilot.press("enter")  # keep the filter, back to the table
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == len(labels)


async def test_enter_opens_the_hits_dashboard_of_the_selected_site(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("down")
        key = app.screen.query_one(LiveTable).selected_key
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        await wait_for(pilot, loaded(app))
        assert str(app.state.site_id) == key
        text = screen_text(app)
        assert "hits, last 7 days" in text
        for name in ("Pages", "Referrers", "Countries", "Browsers", "Platforms"):
            assert any(
                t.border_title and t.border_title.startswith(name)
                for t in app.screen.query(PanelTable)
            )


async def test_ranges_switch_the_whole_dashboard(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        for key, kind, words in (
            ("t", RangeKind.DAY, "last 24 hours"),
            ("m", RangeKind.MONTH, "last 30 days"),
            ("y", RangeKind.YEAR, "last 12 months"),
            ("w", RangeKind.WEEK, "last 7 days"),
        ):
            await pilot.press(key)
            await wait_for(pilot, shows(app, f"hits, {words}"))
            assert app.state.range_kind is kind
            assert words in status(app)


async def test_filter_from_a_panel_row_and_escape(app_factory: Factory) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        pages = app.screen.query_one("#panel-path", PanelTable)
        pages.focus()
        await pilot.pause()
        _, top_path = pages.selected_value
        assert top_path
        await pilot.press("f")
        await wait_for(pilot, lambda: app.state.filters == (("path", top_path),))
        await wait_for(pilot, loaded(app))
        assert f"path={top_path}" in status(app)
        # Every page row now is that path.
        assert set(pages.values.values()) == {top_path}
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.state.filters)
        assert "path=" not in status(app)


async def test_enter_on_a_panel_shows_all_rows(app_factory: Factory) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        app.screen.query_one("#panel-path", PanelTable).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PanelScreen))
        await wait_for(pilot, loaded(app))
        assert app.screen.query_one(LiveTable).row_count > 10
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))


async def test_pause_stops_live_updates_not_what_the_user_asks_for(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("p")
        assert app.state.paused
        assert "paused" in status(app)
        app.state.refresh_interval = 0.1  # were it live, this would poll many times below
        before = demo.stats.total
        await pilot.pause(0.5)
        assert demo.stats.total == before

        # Asking is not live updating: `r` and a range key fetch once, and it stays paused.
        await pilot.press("r")
        await wait_for(pilot, lambda: demo.stats.total > before)
        await wait_for(pilot, loaded(app))
        await pilot.press("m")
        await wait_for(pilot, lambda: "last 30 days" in screen_text(app) and loaded(app)())
        assert app.state.paused and "paused" in status(app)
        asked = demo.stats.total
        await pilot.pause(0.5)
        assert demo.stats.total == asked

        await pilot.press("p")
        await wait_for(pilot, lambda: demo.stats.total > asked)


async def test_a_spent_budget_waits_visibly_and_keeps_the_data(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=456, requests_per_hour=30)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, loaded(app))
        shown = screen_text(app)
        for _ in range(10):  # each refresh spends a few of the 30
            if "API budget spent" in status(app):
                break
            await pilot.press("r")
            await wait_for(pilot, lambda: not app.screen.freshness.loading)  # type: ignore[attr-defined]
        assert "API budget spent · retry in 59m" in status(app)
        assert app.session.budget.used_last_hour() <= 30  # never past the share
        sent = demo.stats.total
        await pilot.press("r")
        await pilot.pause(0.3)
        assert demo.stats.total == sent  # nothing started that the budget cannot finish
        await wait_for(pilot, notified(app, "API budget (30 requests an hour) is spent"))
        # The last data stays on screen.
        headline = next(line for line in shown.splitlines() if "hits, last 7 days" in line)
        assert headline in screen_text(app)


async def test_at_80_columns_the_status_line_keeps_freshness_and_api_use(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, loaded(app))
        demo.settings.drop_rate = 1.0
        await pilot.press("r")
        line = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "offline" in str(line.content), timeout=30)
        drawn = str(line.content)
        assert len(drawn) <= 78
        assert "offline · retry in" in drawn and "data from" in drawn
        assert drawn.endswith("/h")  # API use, last and whole
        await pilot.resize_terminal(140, 30)
        await wait_for(pilot, lambda: "last 7 days" in str(line.content))


async def test_refresh_interval_keys(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        start = app.state.refresh_interval
        await pilot.press("minus")
        assert app.state.refresh_interval > start
        await pilot.press("plus")
        await pilot.press("plus")
        assert app.state.refresh_interval < start


async def test_failure_keeps_data_and_recovers(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        before = screen_text(app)
        demo.settings.error_rate = 1.0
        demo.settings.error_status = 502
        await pilot.press("r")
        await wait_for(pilot, lambda: "server error 502" in status(app), timeout=30)
        assert "retry in" in status(app)
        # The last good numbers stay on screen.
        assert "hits, last 7 days" in screen_text(app)
        assert app.screen.query_one(StatusLine).has_class("-stale")
        demo.settings.error_rate = 0.0
        await pilot.press("r")
        await wait_for(pilot, lambda: "updated" in status(app), timeout=30)
        assert not app.screen.query_one(StatusLine).has_class("-stale")
        assert before


async def test_first_run_wrong_key_then_good_key_saved_0600(
    app_factory: Factory, tmp_path: Path
) -> None:
    app = app_factory(key=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        field = app.screen.query_one("#key", Input)
        field.value = "tly-ro-wrong"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "not accepted" in screen_text(app))
        assert "tly-ro-wrong" not in screen_text(app)
        field.value = "tly-ro-demo"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Key accepted" in screen_text(app))
        assert "subscription active" in screen_text(app)
        await pilot.click("#save")
        await wait_for(pilot, lambda: isinstance(app.screen, SitesScreen))
        await wait_for(pilot, loaded(app))
    config = tmp_path / "config.toml"
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o600
    assert 'api_key = "tly-ro-demo"' in config.read_text()


async def test_first_run_offers_the_demo(app_factory: Factory) -> None:
    app = app_factory(key=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        await pilot.click("#demo")
        await wait_for(pilot, lambda: isinstance(app.screen, SitesScreen))
        await wait_for(pilot, loaded(app))


async def test_key_that_stops_working_returns_to_first_run(
    app_factory: Factory, demo: DemoServer
) -> None:
    demo.settings.html_for_bad_key = True
    app = app_factory(key="tly-ro-revoked")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        assert "API key was not accepted" in screen_text(app)
        assert "Traceback" not in screen_text(app)


async def test_help_lists_every_group(app_factory: Factory) -> None:
    app = app_factory(keymap={"refresh": "ctrl+r"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for title in ("Sections", "Hits dashboard", "Tables", "Live updates", "App"):
            assert title in text
        assert "ctrl+r" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keymap_remaps_a_binding(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=456, keymap={"pause": "x"})
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("x")
        assert app.state.paused
        await pilot.press("p")
        assert app.state.paused  # p no longer pauses


async def test_site_sections_ask_for_a_site_first(app_factory: Factory) -> None:
    app = app_factory()
    app.state.paused = True  # nothing loads, so no site gets picked
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("3")
        await wait_for(pilot, notified(app, "Pick a site first"))
        assert isinstance(app.screen, SitesScreen)


async def test_theme_is_remembered(app_factory: Factory, tmp_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert 'theme = "nord"' in (tmp_path / "config.toml").read_text()


async def test_hostile_strings_are_shown_literally(app_factory: Factory, demo: DemoServer) -> None:
    demo.settings.hostile_strings = True
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        text = screen_text(app)
        assert "\x1b" not in text
        assert "[" in text  # markup shown as characters, not applied


async def test_command_palette_switches_site(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"burrow")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        assert app.state.site_id == 457
        await wait_for(pilot, loaded(app))
        assert "Burrow Docs" in status(app)


async def test_hidden_screens_do_not_poll(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, SitesScreen))
        await wait_for(pilot, loaded(app))
        demo.stats.reset()
        await pilot.press("r")
        await wait_for(pilot, lambda: demo.stats.total > 0)
        await wait_for(pilot, loaded(app))
        await pilot.pause(0.5)
        # Only the Sites screen asked: no hits dashboard requests (grouped panels) were made.
        grouped_calls = demo.stats.by_endpoint.get("hits", 0)
        sites_calls = demo.stats.by_endpoint.get("sites", 0)
        assert sites_calls == 1
        assert grouped_calls <= len(app.session.sites_feed.rows)  # one "today" count per site


async def test_cursor_stays_on_its_row_across_refreshes(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        table = app.screen.query_one(LiveTable)
        await pilot.press("s")  # sorted by name
        await pilot.press("down", "down")
        chosen = table.selected_key
        await pilot.press("r")
        await pilot.pause(0.2)
        await wait_for(pilot, loaded(app))
        assert table.selected_key == chosen


async def test_chart_is_redrawn_only_when_its_data_changes(app_factory: Factory) -> None:
    from app.ui.widgets.chart import HitsChart

    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        chart = app.screen.query_one(HitsChart)
        draws = chart.draws
        await pilot.press("r")
        await pilot.pause(0.2)
        await wait_for(pilot, loaded(app))
        assert chart.draws == draws  # the frozen demo clock: nothing new, nothing redrawn
        await pilot.press("m")
        await wait_for(pilot, lambda: "hits, last 30 days" in screen_text(app))
        assert chart.draws > draws


async def test_dropped_connections_show_offline_then_recover(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, loaded(app))
        demo.settings.drop_rate = 1.0
        await pilot.press("r")
        await wait_for(pilot, lambda: "offline" in status(app), timeout=60)
        assert "retry in" in status(app)
        assert "hits, last 7 days" in screen_text(app)
        demo.settings.drop_rate = 0.0
        await pilot.press("r")
        await wait_for(pilot, lambda: "updated" in status(app), timeout=60)
        await wait_for(pilot, notified(app, "Connection to the API is back"))
        assert sum("Lost the API" in m for m in messages(app)) == 1
        assert sum("back" in m for m in messages(app)) == 1


async def test_a_bug_in_a_screen_is_one_line_and_the_loop_lives_on(
    app_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def broken(self: HitsScreen, data: object) -> None:
        calls.append(1)
        raise KeyError("boom")

    monkeypatch.setattr(HitsScreen, "show", broken)
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: bool(calls))
        await wait_for(pilot, notified(app, "Internal error: KeyError"))
        assert "internal error" in str(app.screen.query_one(StatusLine).render())
        await pilot.press("r")
        await wait_for(pilot, lambda: len(calls) >= 2)
        await pilot.pause(0.2)
        # The same bug again is not told twice.
        assert sum(m.startswith("Internal error") for m in messages(app)) == 1


async def test_the_hidden_search_box_never_takes_the_focus(app_factory: Factory) -> None:
    # A screen focuses its first focusable widget as it starts: a key typed then (a quick `q`)
    # went to the hidden box and became a search nobody could see, instead of quitting.
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        box = app.screen.query_one(SearchBox)
        assert not box.focusable
        await pilot.press("slash")
        assert box.focusable and box.has_focus
        await pilot.press("escape")
        assert not box.focusable and not box.has_focus
