"""What a newcomer meets first: the Sites screen says each site's ID (what `--site` takes), and
the README says where to get a key, how to install the command, and where its files live."""

from __future__ import annotations

import logging
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from platformdirs.macos import MacOS

import app.logs
from app.config import default_config_path
from app.demo import DEMO_KEY, DemoServer
from app.live.cache import cache_namespace, default_cache_path
from app.logs import setup_file_logging
from app.ui.app import TinylyticsApp
from app.ui.screens.first_run import INTRO
from app.ui.screens.hits import HitsScreen
from app.ui.screens.sites import SitesScreen
from app.ui.widgets.status import StatusLine
from app.ui.widgets.table import LiveTable
from tests.ui.conftest import loaded, wait_for
from tests.ui.test_hostile_text import rendered

Factory = Callable[..., TinylyticsApp]
ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
APP = "tinylytics-tui"


def account_sites(demo: DemoServer) -> list[dict[str, object]]:
    """The account's sites as the API lists them, asked over HTTP apart from the app."""
    answer = httpx.get(
        demo.base_url + "sites", headers={"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": "t"}
    )
    sites: list[dict[str, object]] = answer.json()["sites"]
    return sites


async def test_sites_screen_shows_each_site_id_with_the_numbers_at_80_columns(
    app_factory: Factory, demo: DemoServer
) -> None:
    sites = account_sites(demo)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, loaded(app))
        assert isinstance(app.screen, SitesScreen)
        table = app.screen.query_one(LiveTable)
        await wait_for(pilot, lambda: table.row_count == len(sites))
        await pilot.pause()
        lines = rendered(table)
        header = lines[0]
        # The trend gives way on 80 columns (tests/ui/test_tables.py); the ID stays.
        for title in ("Site", "ID", "Today", "7 days", "Δ 7d", "Uptime"):
            assert f" {title} " in f"{header} ", (title, header)
        for site in sites:
            label = str(site["label"])
            row = next(line for line in lines if line.strip().startswith(label))
            # The ID right after the label, as digits `--site` takes (no thousands separator).
            assert row.split(label, 1)[1].split()[0] == str(site["id"]), row


async def test_the_id_on_the_sites_screen_is_what_site_opens(
    app_factory: Factory, demo: DemoServer
) -> None:
    label = "Burrow Docs"
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        lines = rendered(app.screen.query_one(LiveTable))
        row = next(line for line in lines if line.strip().startswith(label))
        shown_id = row.split(label, 1)[1].split()[0]

    opened = app_factory(site=int(shown_id))
    async with opened.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(opened))
        assert isinstance(opened.screen, HitsScreen)
        assert label in opened.screen.query_one(StatusLine).compose_text().plain


def squeeze(text: str) -> str:
    """Text without its white space: the README wraps its lines anywhere."""
    return re.sub(r"\s+", "", text)


def as_home(path: Path | str, home: Path) -> str:
    return "~/" + str(Path(path).relative_to(home))


def test_readme_says_where_to_get_a_key_and_that_the_first_run_screen_saves_it() -> None:
    where = re.search(r"\(([^)]*API Key)\)", INTRO)
    assert where is not None
    # The README and the app's own first-run screen give the same place in Tinylytics.
    assert squeeze(where.group(1)) in squeeze(README.replace("*", ""))
    assert "first-run screen" in README
    assert "Save to config (0600)" in README


def test_readme_says_how_to_install_and_uninstall() -> None:
    assert "pipx install ." in README
    assert f"pipx uninstall {APP}" in README
    assert "pip install --user ." in README


def default_log_file(monkeypatch: pytest.MonkeyPatch) -> Path | None:
    """Where the app's logging goes by default; the test process's logging is left as it was."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    monkeypatch.setattr(app.logs, "_path", app.logs.log_path())
    try:
        return setup_file_logging()
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)


def test_readme_paths_are_where_the_app_writes_on_linux_and_macos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mac = MacOS(APP, appauthor=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "TINYLYTICS_TUI_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    mac_paths = [
        f"{as_home(mac.user_config_dir, tmp_path)}/config.toml",
        f"{as_home(mac.user_cache_dir, tmp_path)}/",
        f"{as_home(mac.user_log_dir, tmp_path)}/app.log",
    ]
    for path in mac_paths:
        assert f"`{path}`" in README, path
    if sys.platform != "linux":
        pytest.skip("the app's own Linux paths are only computed on Linux")
    log = default_log_file(monkeypatch)
    assert log is not None
    linux_paths = [
        as_home(default_config_path(), tmp_path),
        as_home(default_cache_path("x").parent, tmp_path) + "/",
        as_home(log, tmp_path),
    ]
    for path in linux_paths:
        assert f"`{path}`" in README, path


def test_readme_names_the_demo_cache_file_and_how_to_forget_everything() -> None:
    demo_file = default_cache_path(cache_namespace("demo", DEMO_KEY)).name
    assert f"`{demo_file}`" in README
    forget = next(line for line in README.splitlines() if line.lstrip().startswith("rm -rf ~/."))
    assert shlex.split(forget.split("#")[0])[2:] == [
        f"~/.config/{APP}",
        f"~/.cache/{APP}",
        f"~/.local/state/{APP}",
    ]


def test_license_file_is_the_mit_license_that_pyproject_declares() -> None:
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License")
    assert "Copyright (c) 2026 the tinylytics-tui authors" in license_text
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    command = next(line for line in README.splitlines() if line.endswith("pytest -n 2"))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()
