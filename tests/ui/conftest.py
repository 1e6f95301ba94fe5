"""Building the app against the demo server, with a frozen clock for stable pictures."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot

from app.config import Settings
from app.demo import DEMO_KEY, DemoServer
from app.secret import Secret
from app.ui.app import TinylyticsApp
from app.ui.screens.base import LiveScreen
from tests.hostile import HostileServer

FROZEN = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


def make_app(
    server: DemoServer | HostileServer,
    tmp_path: Path,
    *,
    key: str | None = DEMO_KEY,
    site: int | None = None,
    frozen_monotonic: bool = True,
    watch_uptime: bool = False,
    **overrides: object,
) -> TinylyticsApp:
    """The app on the demo server. The uptime watcher is off unless asked for: its alerts are
    timed toasts that would land in pictures and its requests in request counts."""
    # Pictures and texts must not depend on the machine's zone: UTC unless a test picks one.
    overrides.setdefault("timezone", "UTC")
    settings = Settings(
        api_key=Secret(key) if key else None,
        base_url=server.base_url,
        site=site,
        config_path=tmp_path / "config.toml",
        **overrides,  # type: ignore[arg-type]
    )
    return TinylyticsApp(
        settings,
        now=server.clock.now,
        monotonic=(lambda: 1000.0) if frozen_monotonic else None,
        persist=True,
        on_demo=lambda: (server.base_url, DEMO_KEY),
        watch_uptime=watch_uptime,
    )


@pytest.fixture
def app_factory(demo: DemoServer, tmp_path: Path) -> Callable[..., TinylyticsApp]:
    def build(**kwargs: object) -> TinylyticsApp:
        return make_app(demo, tmp_path, **kwargs)  # type: ignore[arg-type]

    return build


async def wait_for(pilot: Pilot[int], condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app work until `condition` holds (the data arrived), or fail the test."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)
    await pilot.pause()


def loaded(app: TinylyticsApp) -> Callable[[], bool]:
    def check() -> bool:
        screen = app.screen
        return (
            isinstance(screen, LiveScreen)
            and screen.freshness.updated_at is not None
            and not screen.freshness.loading
        )

    return check


def settled(app: TinylyticsApp) -> Callable[[], bool]:
    """The current screen is done with its load, whether it worked or not."""

    def check() -> bool:
        screen = app.screen
        return (
            isinstance(screen, LiveScreen)
            and not screen.freshness.loading
            and (screen.freshness.updated_at is not None or screen.freshness.problem is not None)
        )

    return check


def messages(app: TinylyticsApp) -> list[str]:
    """The notifications on screen (a notification arrives as a message: wait for it)."""
    return [str(n.message) for n in app._notifications]


def notified(app: TinylyticsApp, text: str) -> Callable[[], bool]:
    return lambda: any(text in message for message in messages(app))


def shows(app: TinylyticsApp, *texts: str) -> Callable[[], bool]:
    """Every one of `texts` is on the current screen."""
    return lambda: all(text in screen_text(app) for text in texts)


def screen_text(app: TinylyticsApp) -> str:
    """Everything the widgets of the current screen hold, as plain text (what a user reads)."""
    from rich.console import Console
    from textual.widgets import DataTable, Static

    console = Console(width=200, record=True, file=io.StringIO())
    parts: list[str] = []
    for widget in app.screen.query("*"):
        if isinstance(widget, Static):
            content = widget.content
            if isinstance(content, (str, Text, Content)):
                parts.append(str(content))
            else:
                console.print(content)
                parts.append(console.export_text())
        elif isinstance(widget, DataTable):
            for row in range(widget.row_count):
                parts.append(" | ".join(str(c) for c in widget.get_row_at(row)))
    return "\n".join(parts)
