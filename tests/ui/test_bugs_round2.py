"""Bugs of the round "Honest numbers, local time, and one way to use every table": a repaint
after `fg` and on ctrl+l, the dashboard reached from a screen pushed over it, the palette's
screenshot, the connect dialog after a good key, and switching site from the palette."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.command import CommandList, CommandPalette
from textual.driver import Driver
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from app.demo import DemoServer
from app.ui.app import TinylyticsApp
from app.ui.screens.first_run import FirstRunScreen
from app.ui.screens.hits import HitsScreen
from app.ui.screens.leaderboard import LeaderboardScreen
from app.ui.screens.sites import SitesScreen
from app.ui.screens.stream import LiveHitsScreen
from app.ui.widgets.status import StatusLine
from app.ui.widgets.table import LiveTable
from tests.ui.conftest import loaded, messages, notified, screen_text, wait_for

Factory = Callable[..., TinylyticsApp]
FIELD_NOTES = 456
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[A-Za-z]")


# -- 1. a full repaint after `fg`, and on ctrl+l ------------------------------------------------


def record_output(app: TinylyticsApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app sends to the terminal from now on, as plain text, one entry per update.

    A headless app writes nothing: the updates are caught on their way to the driver."""
    sent: list[str] = []
    display = app._display

    def catch(screen: Screen[Any], renderable: Any) -> None:
        render_segments = getattr(renderable, "render_segments", None)
        if render_segments is not None:
            console = Console(file=io.StringIO(), force_terminal=True, width=app.size.width)
            sent.append(ANSI.sub("", render_segments(console)))
        display(screen, renderable)

    monkeypatch.setattr(app, "_display", catch)
    return sent


def whole_screen(sent: list[str]) -> Callable[[], bool]:
    """The header, a row of the table and the footer were all sent again."""
    parts = ("tinylytics · Tomás Herrera", "Field Notes", "Commands")
    return lambda: any(all(part in update for part in parts) for update in sent)


async def settled_sites(pilot: Pilot[int], app: TinylyticsApp) -> None:
    await wait_for(pilot, loaded(app))
    await wait_for(pilot, lambda: "Field Notes" in screen_text(app))
    await pilot.pause(0.3)


async def test_resume_after_fg_repaints_the_whole_screen(
    app_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settled_sites(pilot, app)
        sent = record_output(app, monkeypatch)
        # What the driver posts once `fg` has put the terminal back in application mode.
        app.post_message(Driver.SignalResume())
        await wait_for(pilot, whole_screen(sent), timeout=5)


async def test_ctrl_l_redraws_the_whole_screen(
    app_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settled_sites(pilot, app)
        sent = record_output(app, monkeypatch)
        await pilot.press("ctrl+l")
        await wait_for(pilot, whole_screen(sent), timeout=5)


async def test_redraw_is_in_the_help(app_factory: Factory) -> None:
    app = app_factory(keymap={"redraw": "ctrl+g"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        text = screen_text(app)
        assert "Redraw the whole screen" in text
        assert "ctrl+g" in text


# -- 2. the dashboard, from a screen pushed over it ---------------------------------------------


async def test_leaderboard_from_live_hits_shows_the_filtered_dashboard(
    app_factory: Factory,
) -> None:
    app = app_factory(site=FIELD_NOTES)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LiveHitsScreen))
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaderboardScreen) and loaded(app)())
        table = app.screen.query_one("#leaderboard", LiveTable)
        table.move_cursor(row=table.get_row_index("path:/about"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        await wait_for(pilot, loaded(app))
        assert app.state.filters == (("path", "/about"),)
        assert "path=/about" in app.screen.query_one(StatusLine).compose_text().plain
        assert not any(isinstance(s, LiveHitsScreen) for s in app.screen_stack)


# -- 3. the palette's screenshot ----------------------------------------------------------------


async def palette_run(pilot: Pilot[int], app: TinylyticsApp, query: str, title: str) -> None:
    """Open the palette, search, and run the command whose title starts with `title`."""

    def titles() -> list[str]:
        screen = app.screen
        if not isinstance(screen, CommandPalette) or not screen.query(CommandList):
            return []
        found = screen.query_one(CommandList)
        options = (found.get_option_at_index(i).prompt for i in range(found.option_count))
        return [str(getattr(p, "plain", p)).split("\n")[0] for p in options]

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)
    await wait_for(pilot, lambda: bool(titles()) and titles()[0].startswith(title))
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))


@pytest.fixture
def no_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home without a Downloads folder (a server's), and a working directory of its own."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(home / "Downloads"))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    return here


SHOT_NAME = re.compile(r"tinylytics-\d{4}-\d\d-\d\dT\d{6}\.svg")


def files_in(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


async def test_screenshot_without_downloads_lands_in_the_current_directory(
    app_factory: Factory, no_downloads: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await palette_run(pilot, app, "screenshot", "Screenshot")
        await wait_for(pilot, notified(app, "screenshot"), timeout=10)
        saved = files_in(no_downloads)
        assert len(saved) == 1, messages(app)
        shot = saved[0]
        assert SHOT_NAME.fullmatch(shot.name), shot.name
        assert shot.read_text(encoding="utf-8").startswith("<svg")
        assert any(str(shot) in m for m in messages(app)), messages(app)
        assert not any("Failed" in m for m in messages(app))


async def test_screenshot_goes_to_downloads_when_there_is_one(
    app_factory: Factory, no_downloads: Path
) -> None:
    downloads = no_downloads.parent / "home" / "Downloads"
    downloads.mkdir()
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await palette_run(pilot, app, "screenshot", "Screenshot")
        await wait_for(pilot, notified(app, str(downloads)), timeout=10)
        [shot] = files_in(downloads)
        assert SHOT_NAME.fullmatch(shot.name), shot.name
        assert not files_in(no_downloads)


async def test_screenshot_that_cannot_be_written_says_why(
    app_factory: Factory, no_downloads: Path
) -> None:
    # A folder that is not there: the reason is said, on one line, with the place.
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        app.deliver_screenshot(path=str(no_downloads / "missing"))
        await wait_for(pilot, notified(app, "Could not save the screenshot"), timeout=10)
        [message] = [m for m in messages(app) if "screenshot" in m]
        assert str(no_downloads / "missing") in message
        assert "\n" not in message


# -- 4. the connect dialog after a good key -----------------------------------------------------


async def test_connect_dialog_drops_the_rejection_once_a_key_is_accepted(
    app_factory: Factory,
) -> None:
    app = app_factory(key="tly-ro-revoked")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        await wait_for(pilot, lambda: "API key was not accepted" in screen_text(app))
        app.screen.query_one("#key", Input).value = "tly-ro-demo"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Key accepted" in screen_text(app))
        assert "not accepted" not in screen_text(app)


# -- 5. switching site from the palette ---------------------------------------------------------


def site_id(app: TinylyticsApp, label: str) -> int:
    return next(row.id for row in app.session.sites_feed.rows if row.label == label)


async def test_switching_site_keeps_the_section(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await wait_for(pilot, lambda: len(app.session.sites_feed.rows) == 5)
        kettle = site_id(app, "Kettle & Crumb")
        app.state.open_site(FIELD_NOTES)
        await pilot.press("5")
        await wait_for(pilot, lambda: app.current_mode == "uptime")
        uptime = app.screen
        await palette_run(pilot, app, "switch site kettle", "Switch site: Kettle")
        await wait_for(pilot, lambda: app.state.site_id == kettle)
        await pilot.pause(0.2)
        assert app.current_mode == "uptime"
        assert app.screen is uptime
        assert "Kettle & Crumb" in app.sub_title


async def test_switching_site_from_sites_opens_hits(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await wait_for(pilot, lambda: len(app.session.sites_feed.rows) == 5)
        assert isinstance(app.screen, SitesScreen)
        kettle = site_id(app, "Kettle & Crumb")
        await palette_run(pilot, app, "switch site kettle", "Switch site: Kettle")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        assert app.state.site_id == kettle
