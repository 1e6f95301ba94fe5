"""Numbers and dates out of range, sent by the hostile API over real HTTP: what a user reads.

Counts of 2**64 or -5, a NaN or infinite percentage, dates in the year 1 or 9999 used to raise
OverflowError in the cache and the watcher, and the status line said "internal error" on every
refresh. Now such a value is unknown ("–", "unknown") or, when it is the very count a screen is
about, the answer is refused with a one-line message; nothing out of range reaches the cache.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from app.ui.app import TinylyticsApp
from app.ui.screens.insights import InsightsScreen
from app.ui.screens.leaderboard import LeaderboardScreen
from app.ui.screens.uptime import UptimeScreen
from app.ui.widgets.status import StatusLine
from tests.hostile import HostileServer
from tests.ui.conftest import loaded, make_app, messages, screen_text, settled, wait_for

SITE = 456
OVERFLOW = 2**64
INFINITE = 1e999  # what a JSON decoder makes of 1e999
# What must never reach the screen, whatever the API sends.
NONSENSE = ("nan", "inf%", "18,446,744", "18446744", "-5", "9999", "2912", "Internal error")

Edit = Callable[[str, dict[str, str], dict[str, Any]], None]


def hostile_app(
    hostile: HostileServer, tmp_path: Path, *, watch_uptime: bool = False
) -> TinylyticsApp:
    """The app on the hostile API, open on the site these tests lie about."""
    return make_app(hostile, tmp_path, site=SITE, watch_uptime=watch_uptime)


def lying(hostile: HostileServer, edit: Edit) -> None:
    def mutate(path: str, query: dict[str, str], data: Any) -> Any:
        if isinstance(data, dict):
            edit(path, query, data)
        return data

    hostile.mutate = mutate


def status(app: TinylyticsApp) -> str:
    return app.screen.query_one(StatusLine).compose_text().plain


def assert_sane(app: TinylyticsApp) -> None:
    shown = screen_text(app) + "\n" + status(app) + "\n" + "\n".join(messages(app))
    for bad in NONSENSE:
        assert bad not in shown, (bad, shown)
    assert "internal error" not in status(app).lower()


def cache_file(app: TinylyticsApp) -> Path:
    cache = app.session.cache
    assert cache is not None
    return cache.path


def stored_numbers(path: Path) -> list[int]:
    """Every count the cache file holds: span counts, hour counts and numbers in snapshots."""
    found: list[int] = []

    def walk(value: Any) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int):
            found.append(value)
        elif isinstance(value, float):
            assert value == value and abs(value) != float("inf"), value
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    with sqlite3.connect(path) as db:
        found += [row[0] for row in db.execute("SELECT count FROM spans")]
        for (counts,) in db.execute("SELECT counts FROM hours"):
            walk(json.loads(counts))
        for (data,) in db.execute("SELECT data FROM snapshots"):
            walk(json.loads(data))
    return found


async def open_section(pilot: Pilot[int], app: TinylyticsApp, key: str, kind: type) -> None:
    await wait_for(pilot, settled(app), timeout=60)
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, kind) and settled(app)(), timeout=30)


async def test_hits_with_overflowing_unique_views_show_no_number_for_them(
    hostile_api: HostileServer, tmp_path: Path
) -> None:
    def edit(path: str, query: dict[str, str], data: dict[str, Any]) -> None:
        if query.get("group_by") == "path":
            for row in data["grouped_hits"]:
                row["unique_views"] = OVERFLOW

    lying(hostile_api, edit)
    app = hostile_app(hostile_api, tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, loaded(app), timeout=60)
        text = screen_text(app)
        assert " hits, last 7 days" in text
        # The sum of ten 2**64s would have been shown as the unique views.
        assert "unique views" not in text
        assert_sane(app)
        path = cache_file(app)
    assert max(stored_numbers(path), default=0) < 2**53


async def test_hits_with_a_negative_grouped_count_show_it_as_unknown(
    hostile_api: HostileServer, tmp_path: Path
) -> None:
    """One nonsense count is one unknown cell: the rest of the dashboard is still there."""

    def edit(path: str, query: dict[str, str], data: dict[str, Any]) -> None:
        if query.get("group_by") in ("path", "country") and data["grouped_hits"]:
            data["grouped_hits"][0]["hit_count"] = -5

    lying(hostile_api, edit)
    app = hostile_app(hostile_api, tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, loaded(app), timeout=60)
        pages = app.screen.query_one("#panel-path", DataTable)
        await wait_for(pilot, lambda: pages.row_count > 1)
        first = [str(cell) for cell in pages.get_row_at(0)]
        assert first[:2] == ["–", "–"], first
        second = [str(cell) for cell in pages.get_row_at(1)]
        assert second[0].replace(",", "").isdigit() and second[1].endswith("%"), second
        assert " hits, last 7 days" in screen_text(app)
        assert "unexpected" not in status(app)
        assert_sane(app)
        path = cache_file(app)
    assert all(0 <= n < 2**53 for n in stored_numbers(path))


async def test_uptime_with_nan_and_dates_off_the_calendar(
    hostile_api: HostileServer, tmp_path: Path
) -> None:
    def edit(path: str, query: dict[str, str], data: dict[str, Any]) -> None:
        if not path.endswith("/uptime"):
            return
        monitor = data["monitor"]
        monitor["uptime"] = "NaN"
        monitor["next_check_at"] = "9999-12-31T23:59:59Z"
        monitor["ssl"]["expires_at"] = "9999-12-31T23:59:59Z"
        monitor["ssl"]["days_until_expiry"] = None
        monitor["period"] = INFINITE
        for downtime in data["downtimes"]:
            downtime["started_at"] = "0001-01-01T00:00:00Z"
        data["summary"]["total_downtimes"] = -5

    lying(hostile_api, edit)
    # The watcher reads the same answers: its schedule must not overflow either.
    app = hostile_app(hostile_api, tmp_path, watch_uptime=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await open_section(pilot, app, "5", UptimeScreen)
        await wait_for(pilot, loaded(app))
        text = screen_text(app)
        assert "Uptime unknown" in text
        assert "SSL     valid · expiry not known" in text
        history = [line for line in text.splitlines() if " | " in line]
        assert history and all(line.startswith("– | ") for line in history), history
        assert " in all" not in text  # the count of downtimes is unknown
        # A refresh keeps it so, and the watcher's polls raise nothing either.
        await pilot.press("r")
        await wait_for(pilot, loaded(app))
        await pilot.pause(0.5)
        assert_sane(app)


async def test_leaderboard_with_infinite_shares_shows_dashes(
    hostile_api: HostileServer, tmp_path: Path
) -> None:
    def edit(path: str, query: dict[str, str], data: dict[str, Any]) -> None:
        if path.endswith("/leaderboard"):
            for row in data["leaderboard"]:
                row["percentage"] = INFINITE
                row["unique_hits"] = OVERFLOW

    lying(hostile_api, edit)
    app = hostile_app(hostile_api, tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await open_section(pilot, app, "3", LeaderboardScreen)
        await wait_for(pilot, loaded(app))
        rows = [line for line in screen_text(app).splitlines() if line.startswith("1 | ")]
        assert rows, screen_text(app)
        _, hits, unique, share, bar, _ = rows[0].split(" | ")
        assert hits.replace(",", "").isdigit()
        assert (unique, share, bar) == ("–", "–", "")
        assert_sane(app)
        path = cache_file(app)
    assert max(stored_numbers(path), default=0) < 2**53


async def test_insights_with_dates_before_and_after_the_calendar(
    hostile_api: HostileServer, tmp_path: Path
) -> None:
    def edit(path: str, query: dict[str, str], data: dict[str, Any]) -> None:
        if path.endswith("/insights"):
            # Before the first instant UTC can hold: astimezone() overflowed here.
            data["site"]["next_insight_job_scheduled_at"] = "0001-01-01T00:00:00+14:00"
            for insight in data["insights"]:
                insight["generated_at"] = "9999-12-31T23:59:59Z"

    lying(hostile_api, edit)
    app = hostile_app(hostile_api, tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await open_section(pilot, app, "6", InsightsScreen)
        await wait_for(pilot, loaded(app))
        text = screen_text(app)
        assert "AI insights on" in text
        assert "Traffic patterns" in text
        assert_sane(app)
