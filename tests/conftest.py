"""Shared fixtures: a real demo server on loopback with a frozen clock, fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from app import localtime
from app.demo import DEMO_KEY, Clock, DemoServer
from tests.hostile import HostileServer, hostile

# The instant every test world stands still at (a Friday afternoon, UTC).
DEMO_NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
DEMO_HEADERS = {"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": "tinylytics-tui-tests"}


# The slow tiers, marked so that they can be chosen or left out (`-m "not ui and not e2e"` runs
# everything that needs neither Textual's pilot nor a terminal):
# - ui: the whole app driven through Textual's pilot; snapshot: its SVG pictures (also ui);
# - e2e: the installed wheel, the real command in tmux or a pty.
TIERS = {"tests/ui/": ("ui",), "tests/test_e2e_tmux.py": ("e2e",)}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for prefix, marks in TIERS.items():
            if prefix in item.nodeid:
                for mark in marks:
                    item.add_marker(mark)
                if "snap_compare" in getattr(item, "fixturenames", ()):
                    item.add_marker("snapshot")


@pytest.fixture(autouse=True)
def private_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's cache, logs or config."""
    home = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))


@pytest.fixture(autouse=True)
def utc_times() -> Iterator[None]:
    """Times are shown in UTC unless a test picks a zone: no test depends on the machine's."""
    localtime.use("UTC")
    yield
    localtime.use("UTC")


@pytest.fixture
def demo() -> Iterator[DemoServer]:
    """A started demo server: seed 42, scale 1, clock frozen at DEMO_NOW.

    Function scope is cheap: the world is generated lazily and generated days are shared
    between servers of the same seed and scale.
    """
    server = DemoServer(seed=42, scale=1.0, clock=Clock(DEMO_NOW, frozen=True))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def demo_url(demo: DemoServer) -> str:
    """The demo API's base URL, with its trailing slash."""
    return demo.base_url


@pytest.fixture
def demo_key() -> str:
    return DEMO_KEY


@pytest.fixture
def demo_http(demo: DemoServer) -> Iterator[httpx.Client]:
    """A plain httpx client for the demo API: base URL, bearer key and User-Agent set."""
    with httpx.Client(base_url=demo.base_url, headers=DEMO_HEADERS, timeout=30.0) as client:
        yield client


@pytest.fixture
def hostile_api(demo: DemoServer) -> Iterator[HostileServer]:
    """A hostile API on loopback in front of the demo server (see tests/hostile.py)."""
    with hostile(demo) as server:
        yield server
