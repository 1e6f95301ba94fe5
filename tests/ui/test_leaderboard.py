"""The leaderboard (section 3) driven by keys against the demo server: what the user sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from rich.text import Text
from textual.pilot import Pilot

from app.demo import UNSUBSCRIBED_KEY, DemoServer
from app.demo.catalog import HOSTILE_PATHS
from app.live.leaderboard import MAX_PAGES, MIN_WAIT, PAGE_SIZE
from app.ui.app import TinylyticsApp
from app.ui.screens.hits import HitsScreen
from app.ui.screens.leaderboard import KEYS, LeaderboardScreen
from app.ui.text import clean
from app.ui.widgets.status import StatusLine
from app.ui.widgets.table import SERVER_TEXT, LiveTable, cut_middle
from tests.conftest import DEMO_HEADERS
from tests.ui.conftest import loaded, notified, screen_text, wait_for

Factory = Callable[..., TinylyticsApp]
SITE = 457  # Burrow Docs: 273 paths, six pages of 50


def board(demo: DemoServer, **params: Any) -> dict[str, Any]:
    """The server's own answer, to compare with what the screen shows."""
    answer = httpx.get(
        f"{demo.base_url}sites/{SITE}/leaderboard", params=params, headers=DEMO_HEADERS
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    demo.stats.reset()  # count only the app's requests
    return result


def status(app: TinylyticsApp) -> str:
    return app.screen.query_one(StatusLine).compose_text().plain


def screen(app: TinylyticsApp) -> LeaderboardScreen:
    current = app.screen
    assert isinstance(current, LeaderboardScreen)
    return current


def table(app: TinylyticsApp) -> LiveTable:
    return app.screen.query_one("#leaderboard", LiveTable)


def paths_shown(app: TinylyticsApp) -> list[str]:
    shown = table(app)
    return [str(shown.get_row_at(i)[-1]) for i in range(shown.row_count)]


def drawn(path: str) -> str:
    """A path as the leaderboard holds it: cut in the middle when very long."""
    return cut_middle(Text(clean(path)), SERVER_TEXT).plain


def requests(demo: DemoServer) -> int:
    return demo.stats.by_endpoint["leaderboard"]


async def open_leaderboard(pilot: Pilot[int]) -> None:
    app = pilot.app
    assert isinstance(app, TinylyticsApp)
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(app.screen, LeaderboardScreen))
    await wait_for(pilot, lambda: screen(app).board is not None and loaded(app)())


async def test_table_fills_with_the_all_time_ranking(
    app_factory: Factory, demo: DemoServer
) -> None:
    expected = board(demo, per_page=PAGE_SIZE)
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        shown = table(app)
        assert shown.row_count == PAGE_SIZE
        first = shown.get_row_at(0)
        top = expected["leaderboard"][0]
        assert [str(c) for c in first[:4]] == [
            "1",
            f"{top['total_hits']:,}",
            f"{top['unique_hits']:,}",
            f"{top['percentage']:.1f}%",
        ]
        assert str(first[4]) == "█" * 10  # the leader fills its bar
        assert paths_shown(app) == [r["path"] for r in expected["leaderboard"]]
        text = screen_text(app)
        total = expected["pagination"]["total_count"]
        assert f"rows 1–{PAGE_SIZE} of {total:,} paths" in text
        assert "cached just now · next update 15:30 UTC" in text
        assert "Burrow Docs" in status(app) and "all time" in status(app)
        assert requests(demo) == 1


async def test_scrolling_pages_from_the_server_and_keeps_a_bounded_window(
    app_factory: Factory, demo: DemoServer
) -> None:
    total = board(demo, per_page=1)["pagination"]["total_count"]
    last_page = board(demo, per_page=PAGE_SIZE, page=-(-total // PAGE_SIZE))["leaderboard"]
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        shown = table(app)
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: shown.row_count == 2 * PAGE_SIZE)
        assert f"rows 1–{2 * PAGE_SIZE} of {total:,}" in screen_text(app)
        # To the end of the board: never more than MAX_PAGES pages held.
        largest = 0
        while last_page[-1]["path"] not in paths_shown(app):
            before = requests(demo)
            await pilot.press("ctrl+end")
            await wait_for(pilot, lambda b=before: requests(demo) > b)  # type: ignore[misc]
            await wait_for(pilot, loaded(app))
            largest = max(largest, shown.row_count)
        assert largest <= MAX_PAGES * PAGE_SIZE
        first_held = (-(-total // PAGE_SIZE) - MAX_PAGES) * PAGE_SIZE + 1
        assert f"rows {first_held}–{total} of {total}" in screen_text(app)
        assert str(shown.get_row_at(0)[0]) == f"{first_held}"
        # The cursor stayed on the row it was on (the last before the final page came), and
        # that row is still on screen although the pages above it were dropped.
        pages = -(-total // PAGE_SIZE)
        assert str(shown.get_row_at(shown.cursor_row)[0]) == f"{(pages - 1) * PAGE_SIZE}"
        top = int(shown.scroll_offset.y)
        assert top <= shown.cursor_row < top + shown.scrollable_content_region.height - 1
        # Each page was asked for once: scrolling never reloads what is held.
        assert requests(demo) == pages

        # Back up: the dropped pages come back as the cursor nears the top of the window.
        await pilot.press("ctrl+home")
        await wait_for(pilot, lambda: str(shown.get_row_at(0)[0]) == f"{first_held - PAGE_SIZE}")

        await pilot.press("g")  # rank 1, at once
        await wait_for(pilot, lambda: str(shown.get_row_at(0)[0]) == "1")
        await wait_for(pilot, loaded(app))
        assert shown.cursor_row == 0
        assert f"rows 1–{PAGE_SIZE} of {total}" in screen_text(app)


async def test_scrolling_pages_while_paused(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        await pilot.press("p")
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: table(app).row_count == 2 * PAGE_SIZE)
        assert app.state.paused


async def test_slash_filters_paths_on_the_server_and_counts_matches(
    app_factory: Factory, demo: DemoServer
) -> None:
    expected = board(demo, path="guide", per_page=1)["pagination"]["total_count"]
    everything = board(demo, per_page=1)["pagination"]["total_count"]
    assert 0 < expected < everything
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        await pilot.press("slash", *"GUIDE", "enter")
        await wait_for(pilot, lambda: "paths match" in screen_text(app))
        await wait_for(pilot, loaded(app))
        assert f"of {expected} paths match “GUIDE”" in screen_text(app)
        shown = paths_shown(app)
        assert shown and all("guide" in p.casefold() for p in shown)
        assert "path contains GUIDE" in status(app)

        await pilot.press("slash", *"zz-nothing", "enter")  # the old search is replaced
        await wait_for(pilot, lambda: "no path contains" in screen_text(app))
        assert "no path contains “zz-nothing”" in screen_text(app)
        assert table(app).row_count == 0

        await pilot.press("escape")
        await wait_for(pilot, lambda: f"of {everything} paths" in screen_text(app))
        assert "path contains" not in status(app)
        assert table(app).row_count == PAGE_SIZE


async def test_enter_opens_the_hits_dashboard_filtered_to_the_path(app_factory: Factory) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        await pilot.press("down")
        path = paths_shown(app)[1]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        assert app.state.filters == (("path", path),)
        assert f"path={path}" in status(app)


async def test_next_poll_is_when_the_servers_copy_expires(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        lb = screen(app)
        assert lb.feed.interval() == pytest.approx(3600 + 5)  # cached at 14:30, expires 15:30
        demo.clock.advance(50 * 60)
        assert lb.feed.interval() == pytest.approx(600 + 5)
        lb._show_summary()  # what the half-minute redraw does
        assert "cached 50 minutes ago · next update 15:30 UTC" in screen_text(app)

        demo.clock.advance(11 * 60)  # 15:31: the server's copy has expired
        assert lb.feed.interval() == MIN_WAIT
        lb._show_summary()
        assert "update due" in screen_text(app)
        before = requests(demo)
        await pilot.press("r")
        await wait_for(pilot, lambda: "next update 16:31 UTC" in screen_text(app))
        assert requests(demo) == before + 1
        assert "cached just now" in screen_text(app)
        assert lb.feed.interval() == pytest.approx(3600 + 5)


async def test_plus_says_the_server_cache_sets_this_screens_pace(app_factory: Factory) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        await pilot.press("plus")
        await wait_for(pilot, notified(app, "This screen follows the server's hourly cache."))
        assert screen(app).feed.interval() > app.state.refresh_interval


async def test_coming_back_costs_nothing_but_r_asks_again(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        before = requests(demo)
        await pilot.press("1")
        await wait_for(pilot, loaded(app))
        # The client shares answers for a few seconds: make any request reach the server.
        assert app.session.api is not None
        app.session.api.forget_recent()
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaderboardScreen))
        await wait_for(pilot, loaded(app))
        assert requests(demo) == before
        await pilot.press("r")
        await wait_for(pilot, lambda: requests(demo) == before + 1)
        await wait_for(pilot, loaded(app))
        assert table(app).row_count == PAGE_SIZE


async def test_hostile_paths_are_shown_literally(app_factory: Factory, demo: DemoServer) -> None:
    demo.settings.hostile_strings = True
    everything = board(demo, per_page=1000)["leaderboard"]
    # As drawn: every character literal, a very long path cut at the column's width.
    planted = {drawn(r["path"]) for r in everything if r["path"] in HOSTILE_PATHS}
    assert len(planted) >= 5
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        # A filter typed with markup in it goes to the server as it is, and comes back literal.
        await pilot.press("slash", *"[b]", "enter")
        await wait_for(pilot, lambda: "path matches" in screen_text(app))
        assert paths_shown(app) == ["/[b]bold[/b]-post"]
        assert "of 1 path matches “[b]”" in screen_text(app)
        assert "path contains [b]" in status(app)

        await pilot.press("escape")
        await wait_for(pilot, lambda: "path contains" not in status(app))
        await wait_for(pilot, lambda: table(app).row_count == PAGE_SIZE)
        # Through the whole board: every planted path shown as its characters, none interpreted.
        seen = set(paths_shown(app))
        while drawn(everything[-1]["path"]) not in seen:
            before = requests(demo)
            await pilot.press("ctrl+end")
            await wait_for(pilot, lambda b=before: requests(demo) > b)  # type: ignore[misc]
            await wait_for(pilot, loaded(app))
            seen.update(paths_shown(app))
            assert not any("\x1b" in p or "\x00" in p for p in paths_shown(app))
        assert planted <= seen
        assert app.is_running


async def test_server_failure_keeps_the_last_board(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_leaderboard(pilot)
        rows_before = paths_shown(app)
        demo.settings.error_rate = 1.0
        demo.settings.error_status = 502
        await pilot.press("r")
        await wait_for(pilot, lambda: screen(app).freshness.problem is not None)
        await pilot.pause()
        assert "server error 502" in status(app)
        assert paths_shown(app) == rows_before
        assert "rows 1–50 of 273 paths" in screen_text(app)

        # A search that fails says so, and the previous list stays.
        await pilot.press("slash", *"guide", "enter")
        await wait_for(pilot, lambda: "could not search" in screen_text(app))
        assert "showing the previous list" in screen_text(app)
        assert paths_shown(app) == rows_before


@pytest.mark.parametrize(
    ("site", "key", "words"),
    [
        (999, None, "Site not found"),
        (SITE, "tly-ro-unsubscribed", "subscription"),
    ],
    ids=["404", "403"],
)
async def test_lasting_failures_show_a_panel(
    app_factory: Factory, site: int, key: str | None, words: str
) -> None:
    app = app_factory(site=site, **({"key": UNSUBSCRIBED_KEY} if key else {}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaderboardScreen))
        await wait_for(pilot, lambda: screen(app).freshness.problem is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "The leaderboard could not be loaded." in text
        assert words in text
        assert table(app).row_count == 0


def test_keys_reuse_the_table_bindings() -> None:
    from app.ui import keys

    by_id = {b.id: b for b in KEYS.bindings}
    for shared in ("open", "search", "search.clear"):
        assert any(by_id[shared] is b for b in keys.TABLES.bindings)
    assert all(b.id for b in KEYS.bindings)
