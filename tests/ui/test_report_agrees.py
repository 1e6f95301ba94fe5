"""The report's numbers are the dashboard's: `tinylytics-tui report` and the hits screen, on the
same demo server and clock, say the same total, change and top pages.

The report runs first, without the cache (`--no-cache`), so that the app cannot simply read
back what the report kept: both ask the server.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from app.cli import main
from app.demo import DEMO_KEY, DemoServer
from app.ui.widgets.panels import PanelTable
from tests.ui.conftest import loaded, make_app, wait_for

SITE = 456
HEADLINE = re.compile(
    r"^([\d,]+) hits, (last (?:24 hours|7 days|30 days|12 months))(?:   ([▲▼]) (\d+)%)?(?:\s|$)"
)


def report(
    demo: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str
) -> list[dict[str, Any]]:
    key = tmp_path / "key"
    key.write_text(DEMO_KEY)
    key.chmod(0o600)
    args = ["--no-cache", "report", *argv, "--site", str(SITE), "--format", "json"]
    args += ["--base-url", demo.base_url, "--api-key-file", str(key)]
    capsys.readouterr()
    assert main(args, now=demo.clock.now) == 0
    records: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return records


def shown_headline(app: Any) -> tuple[int, str, int | None]:
    text = str(app.screen.query_one("#headline", Static).content)
    found = HEADLINE.match(text)
    assert found, text
    total, words, arrow, percent = found.groups()
    change = None if percent is None else int(percent) * (1 if arrow == "▲" else -1)
    return int(total.replace(",", "")), words, change


def shown_pages(app: Any) -> list[tuple[str, int]]:
    table = app.screen.query_one("#panel-path", PanelTable)
    rows = []
    for index in range(table.row_count):
        hits, _share, value = table.get_row_at(index)
        rows.append((str(value), int(str(hits).replace(",", ""))))
    return rows


async def test_the_report_and_the_screen_agree(
    demo: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # In a thread: the report runs its own event loop, as the command does.
    week = await asyncio.to_thread(report, demo, tmp_path, capsys, "summary")
    day = await asyncio.to_thread(report, demo, tmp_path, capsys, "summary", "--range", "24h")
    pages = await asyncio.to_thread(report, demo, tmp_path, capsys, "pages")

    app = make_app(demo, tmp_path, site=SITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        total, words, change = shown_headline(app)
        top = shown_pages(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: "last 24 hours" in shown_headline(app)[1])
        await wait_for(pilot, loaded(app))
        day_total, _, day_change = shown_headline(app)

    (summary,) = week
    assert words == "last 7 days"
    assert summary["hits"] == total > 0
    assert summary["change_percent"] is not None and change is not None
    assert round(abs(summary["change_percent"])) == abs(change)
    assert (summary["change_percent"] >= 0) == (change >= 0)

    (summary_day,) = day
    assert summary_day["hits"] == day_total > 0
    if day_change is not None:
        assert round(abs(summary_day["change_percent"])) == abs(day_change)

    # The panel's top rows, in order, with the same counts.
    assert len(top) >= 5
    assert [(row["path"], row["hits"]) for row in pages[: len(top)]] == top
