"""Section 5 against the demo over real HTTP: what a user reads about a site's uptime."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from app.api import Downtime, Monitor, Pagination, UptimeResponse
from app.demo import BASIC_KEY, UNSUBSCRIBED_KEY, DemoServer
from app.live.api import LiveApi
from app.live.feeds import uptime
from app.live.feeds.paged import PageKey, Unavailable
from app.live.feeds.uptime import UptimeData
from app.live.monitor import CHECK_GRACE
from app.ui.app import TinylyticsApp
from app.ui.screens.uptime import UptimeScreen, certs_text, history_rows, state_text
from app.ui.widgets.phrases import pack
from app.ui.widgets.status import StatusLine
from app.ui.widgets.table import LiveTable
from tests.conftest import DEMO_HEADERS
from tests.ui.conftest import loaded, screen_text, settled, wait_for

Factory = Callable[..., TinylyticsApp]
DOWN_SITE, UP_SITE, SSL_SITE, NO_MONITOR_SITE, HOSTILE_SITE = 458, 456, 457, 459, 460


async def open_uptime(pilot: Pilot[int], app: TinylyticsApp) -> UptimeScreen:
    # The hits dashboard opens first: let its load finish, so that its requests do not
    # queue ahead of this section's (and fail slowly when a test injects failures).
    await wait_for(pilot, settled(app), timeout=60)
    await pilot.press("5")
    await wait_for(pilot, lambda: isinstance(app.screen, UptimeScreen) and loaded(app)())
    screen = app.screen
    assert isinstance(screen, UptimeScreen)
    return screen


def api(demo: DemoServer, path: str, **params: str | int) -> Any:
    """What the API itself answers, to compare the screen with."""
    return httpx.get(demo.base_url + path, params=params, headers=DEMO_HEADERS).json()


def shown(screen: UptimeScreen, name: str) -> str:
    static = screen.query_one(name, Static)
    assert static.display
    return str(static.content)


def status(app: TinylyticsApp) -> str:
    return app.screen.query_one(StatusLine).compose_text().plain


def table_rows(screen: UptimeScreen) -> list[list[str]]:
    table = screen.query_one(LiveTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def styles_at(text: Text, fragment: str) -> set[str]:
    start = text.plain.index(fragment)
    return {str(s.style) for s in text.spans if s.start <= start < s.end}


async def test_a_down_site_says_since_when_with_code_and_error(
    app_factory: Factory, demo: DemoServer
) -> None:
    monitor = api(demo, f"sites/{DOWN_SITE}/uptime")["monitor"]
    assert monitor["is_down"]
    app = app_factory(site=DOWN_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)
        state = shown(screen, "#uptime-state")
        assert "DOWN since 14:14:53 UTC, for 15 minutes" in state
        assert f"HTTP {monitor['last_status_code']}" in state
        assert monitor["last_error_message"] in state
        assert "UP" not in state
        checks = shown(screen, "#uptime-checks")
        assert f"Uptime {monitor['uptime']}%" in checks
        assert "checked every 1 minute" in checks
        assert "auto-paused: no" in checks
        assert "Last check 14:29:53 UTC (7s ago)" in checks
        assert "next check in 53s" in checks
        first = table_rows(screen)[0]
        assert first[:3] == ["2026-11-20 14:14", "ongoing", "15 minutes"]
        assert "1 ongoing" in shown(screen, "#uptime-history-title")


async def test_an_up_site_shows_up_and_its_uptime(app_factory: Factory, demo: DemoServer) -> None:
    answer = api(demo, f"sites/{UP_SITE}/uptime")
    app = app_factory(site=UP_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)
        state = shown(screen, "#uptime-state")
        assert state.startswith("● UP")
        assert "DOWN" not in state
        assert f"Uptime {answer['monitor']['uptime']}%" in shown(screen, "#uptime-checks")
        rows = table_rows(screen)
        assert len(rows) == len(answer["downtimes"])
        assert [r[3].removesuffix(" · partial") for r in rows] == [
            d["error"] for d in answer["downtimes"]
        ]
        summary = answer["summary"]
        title = shown(screen, "#uptime-history-title")
        assert f"{summary['total_downtimes']} in all" in title
        assert "none ongoing" in title


async def test_a_site_without_a_monitor_gets_a_panel(app_factory: Factory) -> None:
    app = app_factory(site=NO_MONITOR_SITE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_uptime(pilot, app)
        panel = shown(screen, "#uptime-panel")
        assert "No uptime monitor for this site." in panel
        assert "The API answered: No uptime monitor for this site" in panel
        assert not screen.query_one("#uptime-top").display
        assert not screen.query_one(LiveTable).display
        assert "no uptime monitor" in status(app)
        assert "not found" not in status(app)  # an answer, not an outage
        assert not screen.query_one(StatusLine).has_class("-stale")


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (UNSUBSCRIBED_KEY, "API access requires an active subscription"),
        (BASIC_KEY, "Uptime monitoring requires a plan that includes it"),
    ],
)
async def test_no_plan_gets_a_panel(app_factory: Factory, key: str, message: str) -> None:
    app = app_factory(site=UP_SITE, key=key)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)
        panel = shown(screen, "#uptime-panel")
        assert "Uptime monitoring needs a paid Tinylytics plan." in panel
        assert message in panel
        assert "needs a paid plan" in status(app)


async def test_ssl_expiring_soon_is_flagged(app_factory: Factory) -> None:
    app = app_factory(site=SSL_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)
        certs = screen.query_one("#uptime-certs", Static).content
        assert isinstance(certs, Text)
        assert "SSL     valid · expires Nov 30, 2026 · 9 days left · expiring soon" in certs.plain
        assert "bold yellow" in styles_at(certs, "9 days left")
        domain = certs.plain.splitlines()[1]
        assert "expiring soon" not in domain


async def test_a_healthy_certificate_is_not_flagged(app_factory: Factory) -> None:
    app = app_factory(site=UP_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)
        certs = screen.query_one("#uptime-certs", Static).content
        assert isinstance(certs, Text)
        assert "expiring soon" not in certs.plain
        assert "days left" in certs.plain
        assert "bold yellow" not in styles_at(certs, "days left")


async def test_history_pages_through_the_server(
    app_factory: Factory, demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uptime, "PAGE", 3)
    pages = [api(demo, f"sites/{DOWN_SITE}/uptime", page=n, per_page=3) for n in (1, 2, 3)]
    assert pages[0]["pagination"]["total_pages"] == 3
    app = app_factory(site=DOWN_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)

        def on_page(n: int) -> Callable[[], bool]:
            def check() -> bool:
                title = str(screen.query_one("#uptime-history-title", Static).content)
                return f"page {n} of 3" in title and "loading" not in title

            return check

        await wait_for(pilot, on_page(1))
        assert [r[0] for r in table_rows(screen)] == [
            f"{d['started_at'][:10]} {d['started_at'][11:16]}" for d in pages[0]["downtimes"]
        ]
        for n in (2, 3, 3):  # the third press is at the end: nothing changes
            await pilot.press("right_square_bracket")
            await wait_for(pilot, on_page(n))
            errors = [r[3].removesuffix(" · partial") for r in table_rows(screen)]
            assert errors == [d["error"] for d in pages[n - 1]["downtimes"]]
        # The state is the monitor's, whatever page of history is on show.
        assert "DOWN since 14:14:53 UTC" in shown(screen, "#uptime-state")
        await pilot.press("left_square_bracket")
        await wait_for(pilot, on_page(2))
        assert screen.check_action("older", ()) is True
        assert screen.check_action("newer", ()) is True


async def test_interval_follows_next_check_at(app_factory: Factory, demo: DemoServer) -> None:
    monitor = api(demo, f"sites/{DOWN_SITE}/uptime")["monitor"]
    next_check = datetime.fromisoformat(monitor["next_check_at"].replace("Z", "+00:00"))
    app = app_factory(site=DOWN_SITE, refresh=600)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)
        expected = (next_check - demo.clock.now()).total_seconds() + CHECK_GRACE
        interval = screen.feed.interval(screen.feed.data)
        assert interval == pytest.approx(expected)
        assert interval < app.state.refresh_interval


async def test_countdown_ticks_without_requests(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=DOWN_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)
        assert "next check in 53s" in shown(screen, "#uptime-checks")
        # The app's alert watcher asks about uptime on its own schedule: count this screen's
        # requests where they are made.
        fetches: list[int] = []
        feed = screen.feed
        fetch = feed.fetch

        async def counted(api: LiveApi, key: PageKey) -> UptimeData | Unavailable:
            fetches.append(1)
            return await fetch(api, key)

        feed.fetch = counted  # type: ignore[method-assign]
        demo.clock.advance(10)
        await wait_for(pilot, lambda: "next check in 43s" in shown(screen, "#uptime-checks"))
        assert "(17s ago)" in shown(screen, "#uptime-checks")
        assert not fetches


async def test_a_failure_keeps_the_last_data(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=DOWN_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)
        rows = table_rows(screen)
        demo.settings.error_rate = 1.0
        demo.settings.error_status = 503
        await pilot.press("r")
        await wait_for(pilot, lambda: "server error 503" in status(app), timeout=30)
        assert "DOWN since" in shown(screen, "#uptime-state")
        assert table_rows(screen) == rows
        assert screen.query_one(StatusLine).has_class("-stale")
        assert not screen.query_one("#uptime-panel").display


async def test_hostile_label_is_literal(app_factory: Factory, demo: DemoServer) -> None:
    demo.settings.hostile_strings = True
    app = app_factory(site=HOSTILE_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_uptime(pilot, app)
        line = status(app)
        assert "[red]pixelmoss[/red]" in line
        assert "\x1b" not in line
        assert "● UP" in screen_text(app)


def test_hostile_strings_in_an_answer_render_literally() -> None:
    now = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    hostile = "[b]bold[/b] \x1b[31mred\x1b[0m [@click=app.quit]x[/]"
    monitor = Monitor.model_validate(
        {
            "is_down": True,
            "last_status_code": 502,
            "last_error_message": hostile,
            "ssl": None,
            "domain": {"expires_at": "2027-01-01T00:00:00Z", "source": hostile},
        }
    )
    downtime = Downtime.model_validate(
        {"started_at": "2026-11-20T14:00:00Z", "ongoing": True, "error": hostile}
    )
    answer = UptimeResponse(monitor=monitor, downtimes=[downtime], pagination=Pagination())
    state = pack(state_text(UptimeData(DOWN_SITE, 1, answer, answer), now), 0)
    certs = certs_text(monitor, now)
    error_cell = history_rows([downtime], now)[0][1][3]
    for text in (state, certs, error_cell):
        assert "\x1b" not in text.plain
        assert "[b]bold[/b]" in text.plain
        assert "[@click=app.quit]x[/]" in text.plain
        # Only the styles the screen chose: the markup in the text was not interpreted.
        assert styles_at(text, "bold[/b]") <= {"red", "dim"}


def test_facts_break_between_them_never_inside_one() -> None:
    facts = [
        [Text("Uptime 99.98%"), Text("checked every 5 minutes"), Text("auto-paused: no")],
        [Text("Last check 14:35:34 UTC (2m 17s ago)"), Text("next check in 2m 42s")],
    ]
    assert pack(facts, 200).plain.splitlines() == [
        "Uptime 99.98% · checked every 5 minutes · auto-paused: no",
        "Last check 14:35:34 UTC (2m 17s ago) · next check in 2m 42s",
    ]
    assert pack(facts, 54).plain.splitlines() == [
        "Uptime 99.98% · checked every 5 minutes",
        "auto-paused: no",
        "Last check 14:35:34 UTC (2m 17s ago)",
        "next check in 2m 42s",
    ]


async def test_a_narrow_monitor_box_keeps_each_fact_on_one_line(app_factory: Factory) -> None:
    app = app_factory(site=UP_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_uptime(pilot, app)
        checks = screen.query_one("#uptime-checks", Static)
        await wait_for(pilot, lambda: "next check" in shown(screen, "#uptime-checks"))
        # The box is half of 120 columns: what is drawn, line by line, never splits a fact.
        drawn = ["".join(s.text for s in checks.render_line(y)).strip() for y in range(4)]
        starts = ("Uptime ", "checked every ", "auto-paused: ", "Last check ", "next check ")
        parts = [part for line in drawn if line for part in line.split(" · ")]
        assert [p.startswith(starts) for p in parts] == [True] * 5, drawn
        assert "auto-paused: no" in parts, drawn
        assert re.fullmatch(r"next check in \d+s", parts[-1]), drawn
