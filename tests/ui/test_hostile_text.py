"""Text from the server stays text: site labels in the command palette and in the Sites table.

The labels come from the demo server over real HTTP. With `hostile_strings` on it serves the
labels of `HOSTILE_LABELS`; a test swaps in the label it needs for the length of the test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget

from app.demo import DemoServer
from app.demo.catalog import HOSTILE_LABELS
from app.ui.app import TinylyticsApp
from app.ui.screens.hits import HitsScreen
from app.ui.screens.sites import SitesScreen
from app.ui.widgets.table import Cell, LiveTable, cut
from tests.ui.conftest import loaded, wait_for

Factory = Callable[..., TinylyticsApp]

LINK = "[link='https://evil.example/phish']Clickme[/link]"
LOUD = "[bold red on yellow]Loud[/]"
SITE_IDS = (456, 457, 458, 459, 460)


@pytest.fixture
def labels(demo: DemoServer, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Serve these labels for these sites; the other sites keep their hostile labels."""

    def serve(**by_site: str) -> None:
        demo.settings.hostile_strings = True
        for site, label in by_site.items():
            monkeypatch.setitem(HOSTILE_LABELS, int(site.removeprefix("site")), label)

    return serve


def rendered(widget: Widget) -> list[str]:
    """The lines the widget sends to the terminal, as the characters a user reads."""
    return ["".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height)]


def options(app: TinylyticsApp) -> list[Content]:
    """The palette's options (prompt and help), or none while the palette is not up."""
    if not isinstance(app.screen, CommandPalette):
        return []
    found = app.screen.query(CommandList)
    if not found:
        return []
    command_list = found.first()
    prompts = (command_list.get_option_at_index(i).prompt for i in range(command_list.option_count))
    return [p for p in prompts if isinstance(p, Content)]


def titles(app: TinylyticsApp) -> list[str]:
    return [option.plain.split("\n")[0] for option in options(app)]


async def search(pilot: Pilot[int], app: TinylyticsApp, query: str, expected: str) -> None:
    """Type `query` into the palette and wait until an option starting with `expected` shows."""
    await pilot.press(*query)
    await wait_for(pilot, lambda: any(t.startswith(expected) for t in titles(app)))


async def open_palette(pilot: Pilot[int], app: TinylyticsApp) -> None:
    await wait_for(pilot, loaded(app))
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: bool(options(app)))


async def test_palette_shows_markup_in_labels_as_typed(
    app_factory: Factory, labels: Callable[..., None]
) -> None:
    labels(site456=LINK, site457=LOUD)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_palette(pilot, app)
        await search(pilot, app, "switch site", "Switch site: ")
        await wait_for(pilot, lambda: len([t for t in titles(app) if "Switch site" in t]) == 5)
        shown = titles(app)
        assert f"Switch site: {LINK}  https://fieldnotes.blog  ID 456" in shown
        assert f"Switch site: {LOUD}  https://docs.burrow.dev  ID 457" in shown
        # The label's markup was not applied: no link and no colours of its own.
        for option in options(app):
            for span in option.spans:
                assert "link" not in str(span.style) and "yellow" not in str(span.style)
        # The default hostile label of site 460 holds ESC sequences: none reaches the terminal.
        assert not any("\x1b" in t for t in shown)
        assert any(t.startswith("Switch site: [red]pixelmoss[/red] ") for t in shown)
        palette_lines = rendered(app.screen.query_one(CommandList))
        assert any("[link='https://evil.e" in line for line in palette_lines)
        for y in range(app.screen.query_one(CommandList).size.height):
            for segment in app.screen.query_one(CommandList).render_line(y):
                assert segment.style is None or not segment.style.link


async def test_palette_finds_a_bracketed_label(
    app_factory: Factory, labels: Callable[..., None]
) -> None:
    labels(site457=LOUD)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_palette(pilot, app)
        await search(pilot, app, "[bold", f"Switch site: {LOUD}")
        assert [t for t in titles(app) if t.startswith("Switch site")] == [
            f"Switch site: {LOUD}  https://docs.burrow.dev  ID 457"
        ]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        assert app.state.site_id == 457


@pytest.mark.parametrize("bad", ["[/bold]x", "[unclosed", "[link=]x[/link][/]"])
async def test_invalid_markup_label_does_not_break_searching(
    app_factory: Factory, labels: Callable[..., None], bad: str
) -> None:
    # The first site of the list: before the fix, it ended every search that reached it.
    labels(site456=bad)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_palette(pilot, app)
        await search(pilot, app, "switch", "Switch site: ")
        await wait_for(pilot, lambda: len([t for t in titles(app) if "Switch site" in t]) == 5)
        assert f"Switch site: {bad}  https://fieldnotes.blog  ID 456" in titles(app)
        await pilot.press(*["backspace"] * len("switch"))
        await search(pilot, app, "kettle", "Switch site: Kettle & Crumb")
        await pilot.press(*["backspace"] * len("kettle"))
        # A search that matches the bad label and commands listed after it finds them all.
        await search(pilot, app, "e", "Theme: ")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_long_label_leaves_the_numbers_on_screen(
    app_factory: Factory, labels: Callable[..., None], size: tuple[int, int]
) -> None:
    long_label = ("a very long label " * 30)[:500]
    labels(site456=long_label)
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, loaded(app))
        assert isinstance(app.screen, SitesScreen)
        table = app.screen.query_one(LiveTable)
        await wait_for(pilot, lambda: "456" in table.rows)
        await pilot.pause()
        lines = rendered(table)
        header = lines[0]
        # Whole, with the cell padding on both sides: not cut at the right edge. Which columns
        # give way on a narrow terminal is the columns' importance (whether a site is up and
        # today's numbers stay).
        titles = ("Site", "ID", "Today", "7 days", "Δ 7d", "Hits", "Uptime")
        for title in (*titles, "Trend", "Unique") if size[0] >= 120 else titles:
            assert f" {title} " in f"{header} ", (title, header)
        row = next(line for line in lines if line.strip().startswith("a very long label"))
        assert "…" in row
        today, week = (str(table.get_cell("456", key)) for key in ("today", "week"))
        assert today.strip() and week.strip()
        assert row.split("…", 1)[1].split()[:3] == ["456", today, week]


def test_cut_keeps_short_cells_and_sorts_long_ones_by_their_whole_text() -> None:
    short = Cell("short")
    assert cut(short, 22) is short
    long = Cell("Tern — 発売リスト — " + "a very long label " * 8)
    shown = cut(long, 22)
    assert shown.cell_len <= 22 and shown.plain.endswith("…")
    assert isinstance(shown, Cell) and shown.sort_value == long.sort_value
    assert long.cell_len > 22  # the caller's cell is left whole
    styled = cut(Text("x" * 30, style="bold"), 10)
    assert styled.plain == "x" * 9 + "…" and styled.style == "bold"
