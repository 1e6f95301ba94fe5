"""Make screenshots/*.svg from the demo: every screen at 120x40, with a frozen clock and seed.

Run: .venv/bin/python scripts/screenshots.py   (then look at them: rsvg-convert -o x.png x.svg)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from app.config import Settings  # noqa: E402
from app.demo import DEMO_KEY, Clock, DemoServer  # noqa: E402
from app.ui.app import TinylyticsApp  # noqa: E402
from app.ui.screens.base import LiveScreen  # noqa: E402

FROZEN = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
OUT = ROOT / "screenshots"


async def settle(pilot, app: TinylyticsApp) -> None:  # type: ignore[no-untyped-def]
    for _ in range(300):
        screen = app.screen
        if (
            isinstance(screen, LiveScreen)
            and screen.freshness.updated_at
            and not screen.freshness.loading
        ):
            break
        await pilot.pause(0.05)
    await pilot.pause(0.3)


async def shoot(
    server: DemoServer,
    config: Path,
    name: str,
    keys: list[str],
    size: tuple[int, int],
    site: int | None = None,
) -> None:
    settings = Settings(
        api_key=SecretStr(DEMO_KEY),
        base_url=server.base_url,
        config_path=config,
        site=site,
        cache=False,
        timezone="UTC",
    )
    app = TinylyticsApp(settings, now=server.clock.now, monotonic=lambda: 1000.0, persist=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        for key in keys:
            await pilot.press(key)
            await settle(pilot, app)
        # The uptime watcher's first pass fills the Sites column; its toasts are not the picture.
        await pilot.pause(1.0)
        app.api_use = lambda: "API 12/h"  # type: ignore[method-assign]
        app.clear_notifications()
        await pilot.pause(0.3)
        app.save_screenshot(str(OUT / f"{name}.svg"))
    print(f"screenshots/{name}.svg")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    with (
        DemoServer(clock=Clock(FROZEN, frozen=True)) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = Path(tmp) / "config.toml"
        await shoot(server, config, "sites", [], (120, 40))
        await shoot(server, config, "hits", ["enter"], (120, 40))
        await shoot(server, config, "hits-24h", ["down", "enter", "t"], (120, 40))
        await shoot(server, config, "help", ["question_mark"], (120, 40))
        await shoot(server, config, "hits-80x24", ["enter"], (80, 24))
        await shoot(server, config, "leaderboard", ["3"], (120, 40), site=457)
        await shoot(server, config, "journeys", ["4"], (120, 40), site=456)
        await shoot(server, config, "common-paths", ["4", "c"], (120, 40), site=456)
        await shoot(server, config, "uptime", ["5"], (120, 40), site=458)
        await shoot(server, config, "insights", ["6"], (120, 40), site=456)
        await shoot(server, config, "live-hits", ["l"], (120, 40), site=457)
        await shoot(server, config, "range-dialog", ["d"], (120, 40), site=457)
        await shoot(server, config, "sites-80x24", [], (80, 24))


if __name__ == "__main__":
    asyncio.run(main())
