"""Section 6 against the demo over real HTTP: the insights a user reads, and their settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static

from app.demo import BASIC_KEY, UNSUBSCRIBED_KEY, DemoServer
from app.live.monitor import INSIGHT_WAIT
from app.ui.app import TinylyticsApp
from app.ui.screens import insights
from app.ui.screens.insights import InsightsScreen
from app.ui.widgets.status import StatusLine
from app.ui.widgets.table import LiveTable
from tests.conftest import DEMO_HEADERS
from tests.ui.conftest import loaded, settled, wait_for

Factory = Callable[..., TinylyticsApp]
SITE, DISABLED_SITE, HOSTILE_SITE = 456, 459, 460
CARDS = ("traffic_patterns", "best_content", "recommendations")


def api(demo: DemoServer, path: str, **params: str | int) -> Any:
    """What the API itself answers, to compare the screen with."""
    return httpx.get(demo.base_url + path, params=params, headers=DEMO_HEADERS).json()


async def open_insights(pilot: Pilot[int], app: TinylyticsApp) -> InsightsScreen:
    # The hits dashboard opens first: let its load finish, so that its requests do not
    # queue ahead of this section's (and fail slowly when a test injects failures).
    await wait_for(pilot, settled(app), timeout=60)
    await pilot.press("6")
    await wait_for(pilot, lambda: isinstance(app.screen, InsightsScreen) and loaded(app)())
    screen = app.screen
    assert isinstance(screen, InsightsScreen)
    return screen


def card(screen: InsightsScreen, field: str) -> Text:
    content = screen.query_one(f"#card-{field}", Static).content
    assert isinstance(content, Text)
    return content


def cards_title(screen: InsightsScreen) -> str:
    return Text.from_markup(screen.query_one("#insights-cards").border_title or "").plain


def shown(screen: InsightsScreen, name: str) -> str:
    static = screen.query_one(name, Static)
    assert static.display
    return str(static.content)


def status(app: TinylyticsApp) -> str:
    return app.screen.query_one(StatusLine).compose_text().plain


async def test_the_latest_insight_reads_as_the_api_wrote_it(
    app_factory: Factory, demo: DemoServer
) -> None:
    answer = api(demo, f"sites/{SITE}/insights", per_page=10)
    latest = answer["insights"][0]
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        for field in CARDS:
            assert card(screen, field).plain == latest[field]
        assert cards_title(screen) == f"{latest['formatted_insights_date']} · latest"
        settings = shown(screen, "#insights-settings")
        assert settings.startswith("AI insights on · daily reports on")
        assert "next Nov 21, 01:00 UTC (in 10h 30m)" in settings
        table = screen.query_one(LiveTable)
        assert table.row_count == len(answer["insights"])
        assert str(table.get_row_at(0)[0]) == "Nov 20, 2026"


async def test_an_older_insight_opens_from_the_list(app_factory: Factory, demo: DemoServer) -> None:
    second = api(demo, f"sites/{SITE}/insights", per_page=10)["insights"][1]
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        await pilot.press("down")
        await wait_for(pilot, lambda: card(screen, "recommendations").plain != "")
        await wait_for(pilot, lambda: cards_title(screen) == second["formatted_insights_date"])
        for field in CARDS:
            assert card(screen, field).plain == second[field]


async def test_older_insights_page_from_the_server(app_factory: Factory, demo: DemoServer) -> None:
    page_two = api(demo, f"sites/{SITE}/insights", page=2, per_page=10)
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        table = screen.query_one(LiveTable)
        pages = page_two["pagination"]["total_pages"]
        assert f"page 1/{pages}" in (table.border_title or "")
        assert screen.check_action("newer", ()) is None  # dimmed on the first page
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: f"page 2/{pages}" in (table.border_title or ""))
        first = page_two["insights"][0]
        assert cards_title(screen) == first["formatted_insights_date"]  # not "latest"
        assert card(screen, "best_content").plain == first["best_content"]
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: f"page 1/{pages}" in (table.border_title or ""))
        assert cards_title(screen).endswith("· latest")


async def test_no_insights_says_so(app_factory: Factory) -> None:
    app = app_factory(site=DISABLED_SITE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_insights(pilot, app)
        panel = shown(screen, "#insights-panel")
        assert panel.startswith("No insights yet.")
        assert "turned off for this site" in panel
        assert shown(screen, "#insights-settings").startswith("AI insights are off")
        assert not screen.query_one("#insights-main").display
        assert screen.check_action("older", ()) is False
        assert screen.feed.interval(screen.feed.data) == INSIGHT_WAIT


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (UNSUBSCRIBED_KEY, "API access requires an active subscription"),
        (BASIC_KEY, "AI insights requires a plan that includes it"),
    ],
)
async def test_no_plan_gets_a_panel(app_factory: Factory, key: str, message: str) -> None:
    app = app_factory(site=SITE, key=key)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        panel = shown(screen, "#insights-panel")
        assert "AI insights needs a paid Tinylytics plan." in panel
        assert message in panel
        assert not screen.query_one("#insights-main").display
        assert "needs a paid plan" in status(app)


async def test_interval_waits_for_the_next_job_or_an_hour(app_factory: Factory) -> None:
    app = app_factory(site=SITE, refresh=10)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        # The next job is 10.5 hours away: look again within the hour, not every 10 seconds.
        assert screen.feed.interval(screen.feed.data) == INSIGHT_WAIT


async def test_hostile_insight_text_is_literal(app_factory: Factory, demo: DemoServer) -> None:
    demo.settings.hostile_strings = True
    latest = api(demo, f"sites/{SITE}/insights")["insights"][0]
    assert "[b]bold[/b]" in latest["best_content"]
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        text = card(screen, "best_content")
        assert text.plain == latest["best_content"]
        assert not text.spans  # "[b]" stayed characters, nothing turned bold


async def test_escape_sequences_in_insight_text_are_neutralised(
    app_factory: Factory, demo: DemoServer
) -> None:
    demo.settings.hostile_strings = True
    latest = api(demo, f"sites/{HOSTILE_SITE}/insights")["insights"][0]
    assert "\x1b]8;;" in latest["best_content"]
    app = app_factory(site=HOSTILE_SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        text = card(screen, "best_content").plain
        assert "click-me" in text
        assert not any(ch in text for ch in "\x1b\x07")
        assert "[red]pixelmoss[/red]" in status(app)


def test_long_ai_text_is_wrapped_not_cut() -> None:
    paragraph = "All good. " * 120  # 1,200 characters: more than one line of clean() allows
    text = insights.prose(paragraph + "\n\x1b[2Jsecond paragraph")
    assert text.plain.splitlines()[0].strip() == paragraph.strip()
    assert text.plain.endswith("\N{REPLACEMENT CHARACTER}[2Jsecond paragraph")
    assert len(text.plain.splitlines()) == 2
    assert not text.no_wrap


async def test_a_failure_keeps_the_last_insight(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_insights(pilot, app)
        before = card(screen, "traffic_patterns").plain
        demo.settings.error_rate = 1.0
        demo.settings.error_status = 502
        await pilot.press("r")
        await wait_for(pilot, lambda: "server error 502" in status(app), timeout=30)
        assert card(screen, "traffic_patterns").plain == before
        assert screen.query_one("#insights-main").display
        assert screen.query_one(StatusLine).has_class("-stale")
