"""The live hit stream, driven by keys against the demo server: what the user sees."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from textual.widgets import Static

from app.demo import DEMO_KEY, DemoServer
from app.ui.app import TinylyticsApp
from app.ui.screens.hits import HitsScreen
from app.ui.screens.stream import LiveHitsScreen
from app.ui.widgets.status import StatusLine
from app.ui.widgets.table import LiveTable
from tests.ui.conftest import loaded, screen_text, wait_for

Factory = Callable[..., TinylyticsApp]
HEADERS = {"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": "tests"}
BUSY = 457
QUIET = 456


def newest(demo: DemoServer, site: int, count: int = 1000, **filters: str) -> list[dict[str, Any]]:
    """The newest hits of today and yesterday straight from the server (newest first)."""
    today = demo.clock.now().date()
    answer = httpx.get(
        f"{demo.base_url}sites/{site}/hits",
        params={
            "start_date": (today - timedelta(days=1)).isoformat(),
            "end_date": today.isoformat(),
            "per_page": count,
            **filters,
        },
        headers=HEADERS,
    ).json()
    return list(answer["hits"])


def table(app: TinylyticsApp) -> LiveTable:
    return app.screen.query_one("#stream", LiveTable)


def title(app: TinylyticsApp) -> str:
    screen = app.screen
    assert isinstance(screen, LiveHitsScreen)
    return str(screen.title_line.content)


def top_keys(app: TinylyticsApp, n: int) -> list[str]:
    return table(app).row_keys_in_order()[:n]


def clock_text(row: dict[str, Any]) -> str:
    return datetime.fromisoformat(row["created_at"]).astimezone(UTC).strftime("%H:%M:%S")


async def test_rows_appear_newest_on_top(app_factory: Factory, demo: DemoServer) -> None:
    expected = newest(demo, BUSY)
    app = app_factory(site=BUSY)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(LiveHitsScreen(app.session))
        await wait_for(pilot, loaded(app))
        assert isinstance(app.screen, LiveHitsScreen)
        assert table(app).row_count == 500
        assert top_keys(app, 500) == [str(r["id"]) for r in expected[:500]]
        # Newest first: the time column's header carries the sort's arrow.
        assert "Time ▼" in [str(c.label) for c in table(app).columns.values()]
        assert "times in UTC" in title(app)  # the app's zone, pinned by make_app
        assert "newest 500 hits" in title(app)
        assert "+" not in title(app)  # the first load is not news
        top = expected[0]
        first_row = " | ".join(str(c) for c in table(app).get_row_at(0))
        assert clock_text(top) in first_row and top["path"] in first_row
        direct = next(r for r in expected[:500] if r["referrer"] is None)
        direct_row = " | ".join(str(c) for c in table(app).get_row(str(direct["id"])))
        assert "(direct)" in direct_row
        # Hits with fields the server left out still show, with a dash for what is missing.
        bare = next(r for r in expected[:500] if r["platform_name"] is None)
        bare_row = [str(c) for c in table(app).get_row(str(bare["id"]))]
        assert bare_row[0] == clock_text(bare) and bare_row[5] == "–"
        assert bare_row[6] == ("–" if bare["is_mobile"] is None else "no")
        assert "live hits" in app.screen.query_one(StatusLine).compose_text().plain


async def test_new_hits_arrive_on_top_after_r(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=BUSY)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(LiveHitsScreen(app.session))
        await wait_for(pilot, loaded(app))
        before = top_keys(app, 500)
        demo.clock.advance(20 * 60)
        expected = [str(r["id"]) for r in newest(demo, BUSY)[:500]]
        arrived = expected[: expected.index(before[0])]
        assert arrived
        await pilot.press("r")
        await wait_for(pilot, lambda: top_keys(app, 1) == expected[:1])
        assert top_keys(app, 500) == expected
        assert table(app).row_count == 500
        # The cursor was on the newest row: it follows the stream.
        assert table(app).selected_key == expected[0]
        assert f"+{len(arrived)} new" in title(app)
        # What is new stays in view on a narrow terminal: the dim note is what gives way.
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        line = app.screen.query_one("#stream-title", Static).render_line(0)
        drawn = "".join(segment.text for segment in line)
        assert f"+{len(arrived)} new" in drawn and drawn.rstrip().endswith("…"), drawn


async def test_the_cursor_stays_on_its_hit_away_from_the_top(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=BUSY)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(LiveHitsScreen(app.session))
        await wait_for(pilot, loaded(app))
        await pilot.press("down", "down", "down")
        chosen = table(app).selected_key
        demo.clock.advance(20 * 60)
        top = str(newest(demo, BUSY, 1)[0]["id"])
        await pilot.press("r")
        await wait_for(pilot, lambda: top_keys(app, 1) == [top])
        assert table(app).selected_key == chosen


async def test_hostile_strings_are_shown_literally(app_factory: Factory, demo: DemoServer) -> None:
    demo.settings.hostile_strings = True
    app = app_factory(site=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(LiveHitsScreen(app.session))
        await wait_for(pilot, loaded(app))
        text = screen_text(app)
        # Markup stays text, escape sequences lose their ESC, nothing is interpreted.
        assert "/posts/[link=http://evil.example]free-prize[/link]" in text
        assert "/[b]bold[/b]-post" in text
        assert "[link=http://evil.example]trusted[/link]" in text
        assert "evil.example/\N{REPLACEMENT CHARACTER}[2J\N{REPLACEMENT CHARACTER}[H" in text
        assert "пример.рф/ссылка" in text
        assert "\x1b" not in text
        assert isinstance(app.screen, LiveHitsScreen)


async def test_a_restart_paints_the_cached_hits_at_once(
    app_factory: Factory, demo: DemoServer
) -> None:
    # Both runs use the same cache: the key's, in the test's own cache folder.
    first = app_factory(site=QUIET)
    async with first.run_test(size=(120, 40)) as pilot:
        # The streams come with the API, built after the first frame.
        await wait_for(pilot, lambda: first.session.streams is not None)
        assert first.session.streams is not None and first.session.streams.store is not None
        first.push_screen(LiveHitsScreen(first.session))
        await wait_for(pilot, loaded(first))
        shown = top_keys(first, 500)
        assert first.session.cache is not None
        cache_file = first.session.cache.path
    demo.clock.advance(15 * 60)
    # The answers the first run offered other processes are as old as the 15 minutes passed.
    with sqlite3.connect(cache_file) as db:
        db.execute("UPDATE answers SET fetched_at = fetched_at - 900, keep_until = 0")

    again = app_factory(site=QUIET)
    async with again.run_test(size=(120, 40)) as pilot:
        # Paused: no request is made, so what shows can only come from the cache.
        again.state.paused = True
        await wait_for(pilot, lambda: again.session.streams is not None)
        again.push_screen(LiveHitsScreen(again.session))
        await pilot.pause()
        assert isinstance(again.screen, LiveHitsScreen)
        assert top_keys(again, 500) == shown
        assert f"{len(shown)} hits from the cache, as of 15m ago · refreshing" in title(again)

        # The refresh fails: the cached hits stay, still marked with their age.
        demo.settings.error_status, demo.settings.error_rate = 404, 1.0
        await pilot.press("p")
        status = again.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "not found" in status.compose_text().plain)
        assert top_keys(again, 500) == shown
        assert title(again) == f"{len(shown)} hits from the cache, as of 15m ago"

        demo.settings.error_rate = 0.0
        await pilot.press("r")
        await wait_for(pilot, loaded(again))
        assert "from the cache" not in title(again)
        assert "Live · newest" in title(again)
        rows = top_keys(again, 500)
        assert rows[len(rows) - len(shown) :] == shown


async def test_escape_goes_back_to_the_dashboard(app_factory: Factory) -> None:
    app = app_factory(site=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(LiveHitsScreen(app.session))
        await wait_for(pilot, loaded(app))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HitsScreen)


async def test_an_unknown_site_says_so(app_factory: Factory) -> None:
    app = app_factory(site=99999)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(LiveHitsScreen(app.session))
        await wait_for(pilot, lambda: "not found" in screen_text(app).lower())
        assert table(app).row_count == 0
        assert "not found" in app.screen.query_one(StatusLine).compose_text().plain


async def test_l_follows_the_dashboards_path_filter_and_counts_the_last_minutes(
    app_factory: Factory, demo: DemoServer
) -> None:
    path = "/install"
    expected = newest(demo, BUSY, path=path)
    assert 0 < len(expected) < 500 and {r["path"] for r in expected} == {path}
    now = demo.clock.now()

    app = app_factory(site=BUSY)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        assert isinstance(app.screen, HitsScreen)
        app.state.add_filter("path", path)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LiveHitsScreen) and loaded(app)())
        rows = table(app).row_keys_in_order()
        assert rows == [str(r["id"]) for r in expected]
        assert {str(table(app).get_row_at(i)[1]) for i in range(len(rows))} == {path}
        assert f"Live · only path {path} · newest {len(rows)} hits" in title(app)
        screen = app.screen
        assert isinstance(screen, LiveHitsScreen)
        filtered = [datetime.fromisoformat(r["created_at"]) for r in expected]
        five = sum(1 for t in filtered if now - timedelta(minutes=5) <= t <= now)
        thirty = sum(1 for t in filtered if now - timedelta(minutes=30) <= t <= now)
        assert five <= thirty and thirty > 0
        assert str(screen.recent_line.content) == (
            f"Hits in the last 5 min: {five} · 30 min: {thirty}"
        )
