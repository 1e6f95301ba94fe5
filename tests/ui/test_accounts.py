"""Several accounts in one app: each its own session and cache file, switched from the palette;
a hidden account's feeds idle, and switching back finds its data as it was left."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input

from app.config import Account, Settings, load_settings
from app.demo import DEMO_KEY, Clock, DemoServer
from app.secret import Secret
from app.ui.app import TinylyticsApp
from app.ui.screens.first_run import FirstRunScreen
from app.ui.screens.sites import SitesScreen
from app.ui.widgets.status import StatusLine
from tests.conftest import DEMO_NOW
from tests.ui.conftest import loaded, messages, notified, screen_text, wait_for

# The demo server of seed 42 belongs to Tomás Herrera; seed 7's to Jonas Becker.
FIRST_USER, WORK_USER = "Tomás Herrera", "Jonas Becker"


@pytest.fixture
def work_server() -> Iterator[DemoServer]:
    """A second demo account: another seed, so another user and other counts."""
    server = DemoServer(seed=7, scale=1.0, clock=Clock(DEMO_NOW, frozen=True))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def work_key_file(tmp_path: Path, text: str = DEMO_KEY) -> Path:
    path = tmp_path / "work.key"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def two_accounts(demo: DemoServer, work: DemoServer, tmp_path: Path) -> TinylyticsApp:
    """The default account (key in the config) on one server, `work` (key in a file, read when
    first used) on the other."""
    key = Secret(DEMO_KEY)
    accounts = (
        Account("default", demo.base_url, api_key=key, key_source="api_key in config.toml"),
        Account("work", work.base_url, api_key_file=tmp_path / "work.key", key_source="file"),
    )
    settings = Settings(
        api_key=key,
        base_url=demo.base_url,
        account="default",
        accounts=accounts,
        config_path=tmp_path / "config.toml",
    )
    return TinylyticsApp(
        settings, now=demo.clock.now, monotonic=lambda: 1000.0, persist=False, watch_uptime=False
    )


def titles(app: TinylyticsApp) -> list[str]:
    screen = app.screen
    if not isinstance(screen, CommandPalette) or not screen.query(CommandList):
        return []
    found = screen.query_one(CommandList)
    options = (found.get_option_at_index(i).prompt for i in range(found.option_count))
    return [str(getattr(p, "plain", p)).split("\n")[0] for p in options]


async def palette(pilot: Pilot[int], app: TinylyticsApp, query: str) -> list[str]:
    """Open the palette and search; the titles shown once the search has answered."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*query)
    await wait_for(pilot, lambda: bool(titles(app)))
    return titles(app)


async def switch(pilot: Pilot[int], app: TinylyticsApp, name: str) -> None:
    shown = await palette(pilot, app, f"switch account {name}")
    assert shown[0] == f"Switch account: {name}"
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))


def status(app: TinylyticsApp) -> str:
    return app.screen.query_one(StatusLine).compose_text().plain


def cache_files() -> list[Path]:
    root = Path(os.environ["XDG_CACHE_HOME"])
    return sorted(root.rglob("cache-*.sqlite3"))


async def test_switching_accounts_shows_the_other_accounts_sites_and_back(
    demo: DemoServer, work_server: DemoServer, tmp_path: Path
) -> None:
    work_key_file(tmp_path)
    app = two_accounts(demo, work_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await wait_for(pilot, lambda: FIRST_USER in app.title)
        first, first_screen = app.session, app.screen
        assert status(app).startswith("@default · ")
        assert len(cache_files()) == 1
        assert work_server.stats.total == 0  # the other account's key is not used until asked

        await switch(pilot, app, "work")
        await wait_for(pilot, lambda: isinstance(app.screen, SitesScreen) and loaded(app)())
        await wait_for(pilot, lambda: WORK_USER in app.title)
        work = app.session
        assert work is not first and app.screen is not first_screen
        assert status(app).startswith("@work · ")
        assert "Field Notes" in screen_text(app)
        # Two accounts, two sessions, two budgets, two cache files on disk.
        assert work.budget is not first.budget
        assert work.cache is not None and first.cache is not None
        assert work.cache.path != first.cache.path
        assert [p.name for p in cache_files()] == sorted(
            p.name for p in (work.cache.path, first.cache.path)
        )
        # The hidden account's feeds idle: a refresh here asks the work server only.
        assert not first.sites_feed.visible
        asked_first = demo.stats.total
        asked_work = work_server.stats.by_endpoint.get("sites", 0)
        await pilot.press("r")
        await wait_for(pilot, lambda: work_server.stats.by_endpoint.get("sites", 0) > asked_work)
        await wait_for(pilot, loaded(app))
        assert demo.stats.total == asked_first

        await switch(pilot, app, "default")
        # The first account's own screen, with its data: nothing to wait for.
        assert app.session is first and app.screen is first_screen
        assert first.sites_feed.visible and not work.sites_feed.visible
        assert "Field Notes" in screen_text(app)
        assert status(app).startswith("@default · ")
        await wait_for(pilot, lambda: FIRST_USER in app.title)


async def test_the_palette_offers_only_the_other_account(
    demo: DemoServer, work_server: DemoServer, tmp_path: Path
) -> None:
    work_key_file(tmp_path)
    app = two_accounts(demo, work_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        shown = await palette(pilot, app, "switch account")
        assert [t for t in shown if t.startswith("Switch account")] == ["Switch account: work"]


async def test_one_account_has_no_account_to_switch_to(demo: DemoServer, tmp_path: Path) -> None:
    settings = Settings(
        api_key=Secret(DEMO_KEY), base_url=demo.base_url, config_path=tmp_path / "config.toml"
    )
    app = TinylyticsApp(settings, now=demo.clock.now, persist=False, watch_uptime=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        assert not status(app).startswith("@")
        shown = await palette(pilot, app, "account")
        assert not [t for t in shown if t.startswith("Switch account")]


async def test_a_broken_key_file_of_another_account_is_said_when_switched_to(
    demo: DemoServer, work_server: DemoServer, tmp_path: Path
) -> None:
    app = two_accounts(demo, work_server, tmp_path)  # no work.key yet
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        first_screen = app.screen
        await switch(pilot, app, "work")
        missing = f"account work: API key file {tmp_path / 'work.key'} does not exist"
        await wait_for(pilot, notified(app, missing))
        assert app.screen is first_screen and app.accounts.current == "default"

        # Readable by others: refused, with the chmod that fixes it.
        key_file = work_key_file(tmp_path)
        os.chmod(key_file, 0o644)
        await switch(pilot, app, "work")
        await wait_for(pilot, notified(app, f"chmod 600 {key_file}"))
        assert app.screen is first_screen
        assert work_server.stats.total == 0

        os.chmod(key_file, 0o600)
        await switch(pilot, app, "work")
        await wait_for(pilot, lambda: WORK_USER in app.title)
        assert app.screen is not first_screen
        assert all("\n" not in m for m in messages(app))


async def test_a_rejected_key_of_an_account_is_asked_for_and_saved_in_its_table(
    demo: DemoServer, work_server: DemoServer, tmp_path: Path
) -> None:
    work_key_file(tmp_path, "tly-ro-wrong")
    app = two_accounts(demo, work_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await switch(pilot, app, "work")
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        assert "account work" in str(app.screen.query_one("Vertical").border_title)
        # Its key is read from a file: the new one goes there, not beside it in the config.
        assert not app.screen.query("#save")


async def test_a_new_key_for_an_account_is_saved_in_its_own_table(
    demo: DemoServer, work_server: DemoServer, tmp_path: Path
) -> None:
    key = Secret(DEMO_KEY)
    config = tmp_path / "config.toml"
    settings = Settings(
        api_key=key,
        base_url=demo.base_url,
        accounts=(
            Account("default", demo.base_url, api_key=key),
            Account("work", work_server.base_url, api_key=Secret("tly-ro-revoked")),
        ),
        config_path=config,
    )
    app = TinylyticsApp(
        settings, now=demo.clock.now, monotonic=lambda: 1000.0, persist=False, watch_uptime=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await switch(pilot, app, "work")
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        app.screen.query_one("#key", Input).value = DEMO_KEY
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Key accepted" in screen_text(app))
        assert WORK_USER in screen_text(app)  # checked against the work account's server
        await pilot.click("#save")
        await wait_for(pilot, lambda: WORK_USER in app.title)
    text = config.read_text(encoding="utf-8")
    assert "[accounts.work]" in text and "api_key" in text
    saved = load_settings({"config": str(config), "account": "work"}, {})
    assert saved.api_key is not None and saved.api_key.get_secret_value() == DEMO_KEY
    # Only work is in the file: the default account's key was not saved with it.
    assert [a.name for a in saved.accounts] == ["work"]
