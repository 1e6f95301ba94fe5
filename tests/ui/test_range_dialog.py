"""The range dialog (`d`) and the comparison key (`v`) as a user meets them: the dialog's dates,
its keys, its presets and its one-line reasons, and the dashboard that follows.

The demo clock stands at Friday 2026-11-20 14:30 UTC."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from app.demo import Clock, DemoServer
from app.live.ranges import Compare, DayPreset, DayRange, RangeKind
from app.ui.app import TinylyticsApp
from app.ui.screens.hits import HitsScreen
from app.ui.screens.range_dialog import RangeDialog
from tests.conftest import DEMO_HEADERS
from tests.ui.conftest import loaded, make_app, notified, wait_for

Factory = Callable[..., TinylyticsApp]
SITE = 456
OCTOBER = DayRange(date(2026, 10, 1), date(2026, 10, 31))


def headline(app: TinylyticsApp) -> str:
    return str(app.screen.query_one("#headline", Static).content)


def dialog(app: TinylyticsApp) -> RangeDialog:
    screen = app.screen
    assert isinstance(screen, RangeDialog), screen
    return screen


def dates(app: TinylyticsApp) -> tuple[str, str]:
    shown = dialog(app)
    return shown.start_input.value, shown.end_input.value


def summary(app: TinylyticsApp) -> str:
    return str(dialog(app).query_one("#range-summary", Static).content)


def api_count(demo: DemoServer, first: date, last: date) -> int:
    answer = httpx.get(
        f"{demo.base_url}sites/{SITE}/hits",
        params={"start_date": str(first), "end_date": str(last), "per_page": 1},
        headers=DEMO_HEADERS,
    ).json()
    return int(answer["pagination"]["total_count"])


async def open_dialog(pilot: Pilot[int], app: TinylyticsApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
    await wait_for(pilot, loaded(app))
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, RangeDialog))


async def type_into(pilot: Pilot[int], field: Input, text: str) -> None:
    field.focus()
    await pilot.pause()
    await pilot.press("ctrl+u")  # the input's own key: everything before the cursor goes
    field.cursor_position = len(field.value)
    await pilot.press("ctrl+u", *text)


async def test_d_opens_the_range_shown_and_escape_changes_nothing(app_factory: Factory) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        before = headline(app)
        await open_dialog(pilot, app)
        # The last 7 days, as days.
        assert dates(app) == ("2026-11-14", "2026-11-20")
        assert "Nov 14–20, 2026: 7 days, a point per day" in summary(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        assert app.state.range is RangeKind.WEEK
        assert headline(app) == before and "last 7 days" in before


async def test_typed_dates_are_shown_with_their_hits(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dialog(pilot, app)
        shown = dialog(app)
        await type_into(pilot, shown.start_input, "2026-10-01")
        await type_into(pilot, shown.end_input, "2026-10-31")
        assert "Oct 1–31, 2026: 31 days, a point per day" in summary(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        assert app.state.range == OCTOBER
        await wait_for(pilot, lambda: "Oct 1–31, 2026" in headline(app))
        await wait_for(pilot, loaded(app))
        expected = api_count(demo, OCTOBER.first, OCTOBER.last)
        text = headline(app)
        assert f"{expected:,} hits, Oct 1–31, 2026" in text, text
        # A range that ended: compared whole with the 31 days before, no "so far".
        assert "in the 31 days before" in text and "so far" not in text, text
        assert "Oct 01 to Oct 31 (UTC days)" in text, text


async def test_the_arrow_keys_move_the_focused_date(app_factory: Factory) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dialog(pilot, app)
        await pilot.press("down")
        assert dates(app) == ("2026-11-13", "2026-11-20")
        await pilot.press("shift+down")
        assert dates(app) == ("2026-11-06", "2026-11-20")
        await pilot.press("pagedown")
        assert dates(app) == ("2026-10-06", "2026-11-20")
        await pilot.press("up")
        assert dates(app) == ("2026-10-07", "2026-11-20")
        # The end: not past today.
        dialog(app).end_input.focus()
        await pilot.press("up", "shift+up", "pageup")
        assert dates(app) == ("2026-10-07", "2026-11-20")
        await pilot.press("down")
        assert dates(app) == ("2026-10-07", "2026-11-19")
        assert "Oct 7 to Nov 19, 2026: 44 days, a point per day" in summary(app)
        # The keys are said in the dialog.
        keys = str(dialog(app).query_one("#range-keys", Static).content)
        assert "↑↓ a day · shift+↑↓ a week · pgup/pgdn a month" in keys


async def test_a_preset_fills_the_dates_and_follows_the_clock(app_factory: Factory) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dialog(pilot, app)
        await pilot.press("tab", "tab")  # from, to, then the presets
        await pilot.press("down")
        assert dates(app) == ("2026-11-20", "2026-11-20")  # today
        assert "1 day, a point per hour" in summary(app)
        await pilot.press(*["down"] * 5)
        assert dates(app) == ("2026-10-01", "2026-10-31")  # last month
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        chosen = app.state.range
        assert isinstance(chosen, DayRange) and chosen.preset is DayPreset.LAST_MONTH
        await wait_for(pilot, lambda: "hits, last month" in headline(app))
        # Opened again, it starts from the preset.
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, RangeDialog))
        assert dates(app) == ("2026-10-01", "2026-10-31")


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        ("2026-13-01", "2026-11-20", "the start: 2026-13-01 is not a date (YYYY-MM-DD)"),
        ("2026-11-01", "2026-11", "the end: 2026-11 is not a date (YYYY-MM-DD)"),
        ("2026-11-10", "2026-11-01", "the start (2026-11-10) is after the end (2026-11-01)"),
        ("2026-11-01", "2026-11-21", "2026-11-21 is in the future: today is 2026-11-20 (UTC)"),
        ("2025-01-01", "2026-11-20", "689 days is too long: the API takes at most 365"),
    ],
)
async def test_a_bad_range_says_why_in_the_dialog(
    app_factory: Factory, start: str, end: str, says: str
) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(pilot, app)
        shown = dialog(app)
        await type_into(pilot, shown.start_input, start)
        await type_into(pilot, shown.end_input, end)
        # Not while typing: a half-written date is no mistake yet.
        assert "not a date" not in summary(app) and "too long" not in summary(app)
        await pilot.press("enter")
        assert isinstance(app.screen, RangeDialog)
        line = summary(app)
        assert line == says, line
        assert app.state.range is RangeKind.WEEK


async def test_v_switches_what_the_change_is_against(app_factory: Factory) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        assert "to the same time a week before" in headline(app)
        assert "┈ previous" in headline(app)
        await pilot.press("v")
        await wait_for(pilot, notified(app, "Compared with the same period a year earlier."))
        assert app.state.compare is Compare.YEAR
        await wait_for(pilot, lambda: "to the same time a year earlier" in headline(app))
        text = headline(app)
        assert "┈ a year earlier" in text and "Nov 14, 2025 to Nov 20, 2025" in text, text
        await pilot.press("v")
        await wait_for(pilot, notified(app, "Compared with the previous 7 days."))
        await wait_for(pilot, lambda: "to the same time a week before" in headline(app))


async def test_the_range_keys_say_why_where_there_is_no_range_or_comparison(
    app_factory: Factory,
) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("3")  # the leaderboard counts all time
        await wait_for(pilot, loaded(app))
        await pilot.press("d")
        await wait_for(pilot, notified(app, "The leaderboard counts all time: it has no range."))
        assert not isinstance(app.screen, RangeDialog)
        await pilot.press("4")
        await wait_for(pilot, loaded(app))
        await pilot.press("v")
        await wait_for(pilot, notified(app, "Journeys compare nothing"))
        assert app.state.compare is Compare.PREVIOUS
        await pilot.press("d")  # journeys have a range: the dialog opens
        await wait_for(pilot, lambda: isinstance(app.screen, RangeDialog))


async def test_the_command_line_range_is_the_first_one_shown(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=SITE, range="2026-10-01..2026-10-31")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        assert app.state.range == OCTOBER
        expected = api_count(demo, OCTOBER.first, OCTOBER.last)
        await wait_for(pilot, lambda: f"{expected:,} hits, Oct 1–31, 2026" in headline(app))


@pytest.fixture
def in_2025(tmp_path: Path) -> Iterator[DemoServer]:
    """A world whose clock stands in 2025: last year, 2024, had 366 days."""
    clock = Clock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC), frozen=True)
    with DemoServer(seed=42, scale=1.0, clock=clock) as server:
        yield server


async def test_a_leap_year_is_cut_to_365_days_with_one_line(
    in_2025: DemoServer, tmp_path: Path
) -> None:
    app = make_app(in_2025, tmp_path, site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dialog(pilot, app)
        await pilot.press("tab", "tab", *["down"] * 9)  # last year
        assert dates(app) == ("2024-01-02", "2024-12-31")
        note = "365 days at most (the API's limit): from Jan 2, 2024, not Jan 1, 2024"
        assert summary(app).splitlines()[-1] == note
        await pilot.press("enter")
        await wait_for(pilot, notified(app, f"last year: {note}."))
        await wait_for(pilot, lambda: "hits, last year" in headline(app))
