"""Every table works the same way: `/` narrows, `s`/`S` sort with an arrow in the header,
home/end and g/G go to the first and last row; columns give way by importance on a narrow
terminal; paths are cut in the middle. Driven by keys against the demo server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static
from textual.widgets.data_table import ColumnKey

from app.live.ranges import RangeKind
from app.ui.app import TinylyticsApp
from app.ui.screens.hits import HitsScreen
from app.ui.screens.insights import InsightsScreen
from app.ui.screens.journeys import JourneysScreen
from app.ui.screens.leaderboard import LeaderboardScreen
from app.ui.screens.panel import PanelScreen
from app.ui.screens.sites import SitesScreen
from app.ui.screens.stream import LiveHitsScreen
from app.ui.screens.uptime import UptimeScreen
from app.ui.widgets.panels import PanelTable
from app.ui.widgets.search import SearchBox
from app.ui.widgets.table import ASCENDING, DESCENDING, Cell, LiveTable, PathCell, cut_middle, route
from tests.ui.conftest import loaded, messages, notified, settled, wait_for

Factory = Callable[..., TinylyticsApp]
BLOG, DOCS, DOWN = 456, 457, 458


# -- helpers ------------------------------------------------------------------------------------


def rendered(widget: Widget) -> list[str]:
    """The lines the widget sends to the terminal, as the characters a user reads."""
    return ["".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height)]


def headers(table: LiveTable) -> list[str]:
    return [str(column.label) for column in table.ordered_columns]


def column(table: LiveTable, key: str) -> list[Any]:
    """The sort values of a column, top to bottom, as the table shows them."""
    values = []
    for row in table.row_keys_in_order():
        cell = table.get_cell(row, key)
        values.append(cell.sort_value if isinstance(cell, Cell) else str(cell))
    return values


def texts(table: LiveTable, key: str) -> list[str]:
    return [str(table.get_cell(row, key)) for row in table.row_keys_in_order()]


def rarer(table: LiveTable, key: str) -> str:
    """A value of the column that some rows do not hold: a search for it narrows the table."""
    values = texts(table, key)
    words = [word for value in values for word in value.split(" → ")]
    return next(w for w in words if sum(w in v for v in values) < len(values))


def ordered(values: list[Any], *, reverse: bool) -> bool:
    return values == sorted(values, reverse=reverse)


async def type_search(pilot: Pilot[int], query: str) -> None:
    await pilot.press("slash")
    box = pilot.app.screen.query_one(SearchBox)
    await wait_for(pilot, lambda: box.has_focus)
    await pilot.press(*query)
    await wait_for(pilot, lambda: box.value == query)


async def check_sorting(pilot: Pilot[int], table: LiveTable) -> None:
    """`s` sorts by the next column (its header gets an arrow, the rows follow), `S` reverses."""
    table.focus()
    await pilot.pause()
    before = table.sort_column
    await pilot.press("s")
    key = table.sort_column
    assert key is not None and key != before
    label = next(h for h in headers(table) if h.endswith((ASCENDING, DESCENDING)))
    arrow = label[-1]
    assert ordered(column(table, key), reverse=arrow == DESCENDING), (key, column(table, key))
    # Only the sorted column has an arrow.
    assert sum(h.endswith((ASCENDING, DESCENDING)) for h in headers(table)) == 1
    await pilot.press("S")
    assert table.sort_column == key
    flipped = next(h for h in headers(table) if h.endswith((ASCENDING, DESCENDING)))
    assert flipped[-1] != arrow
    assert ordered(column(table, key), reverse=flipped[-1] == DESCENDING)
    assert any("sorted by" in m for m in messages(pilot.app))  # type: ignore[arg-type]


async def check_first_and_last(pilot: Pilot[int], table: LiveTable) -> None:
    """home/end and g/G put the cursor on the first and last rows. Rows that arrive sort in
    where they belong and the cursor stays on its row, so a refresh landing between a key and
    the check would move the row under test: live updates are paused for it."""
    app = pilot.app
    assert isinstance(app, TinylyticsApp)
    if not app.state.paused:
        app.state.toggle_pause()
    await wait_for(pilot, settled(app))
    table.focus()
    await pilot.pause()
    assert table.row_count > 2
    for last, first in (("end", "home"), ("G", "g")):
        await pilot.press(last)
        await wait_for(pilot, lambda: table.cursor_row == table.row_count - 1)
        await pilot.press(first)
        await wait_for(pilot, lambda: table.cursor_row == 0)


async def check_search(pilot: Pilot[int], table: LiveTable, query: str) -> None:
    """`/` narrows the table to the rows holding the words typed; escape shows them all."""
    table.focus()
    await pilot.pause()
    assert table.row_count == table.total
    await type_search(pilot, query)
    # (A table the server pages may load more rows for the search meanwhile.)
    await wait_for(pilot, lambda: 0 < table.row_count < table.total)
    for row in table.row_keys_in_order():
        text = " ".join(str(c) for c in table.get_row(row)).casefold()
        assert query.casefold() in text or query.casefold() in table._haystacks[row], row
    await pilot.press("escape")
    await wait_for(pilot, lambda: table.row_count == table.total)
    assert table.has_focus


# -- the cut in the middle ----------------------------------------------------------------------


def test_a_path_cut_in_the_middle_keeps_both_ends() -> None:
    path = Text("/products/privacy-headphones-review", style="bold")
    short = cut_middle(path, 20)
    assert short.cell_len == 20
    assert short.plain.startswith("/products")
    assert short.plain.endswith("headphones-review"[-10:])
    assert "…" in short.plain and short.style == "bold"
    assert cut_middle(path, 100) is path
    # Wide characters count as two cells.
    wide = cut_middle(Text("/発売/リスト/ページ"), 9)
    assert wide.cell_len <= 9 and wide.plain.endswith("ジ")


def test_a_route_cuts_each_path_and_sorts_by_all_of_it() -> None:
    cell = route(Text("/docs/getting-started/install"), Text("/pricing"))
    drawn = cell.fitted(24).plain
    assert len(drawn) <= 24
    entry, exit_ = drawn.split(" → ")
    assert exit_ == "/pricing"  # short enough to stay whole
    assert entry == "/docs/…nstall"  # both ends of the entry, in the room the exit leaves
    assert cell.sort_value == "/docs/getting-started/install → /pricing"
    # As a table draws it: rendered at its column's width.
    console = Console(width=80)
    lines = console.render_lines(cell, console.options.update_width(24))
    assert "".join(segment.text for segment in lines[0]).rstrip() == drawn
    assert PathCell.of(cell) is cell


# -- Sites --------------------------------------------------------------------------------------


async def test_sites_search_sort_and_move(app_factory: Factory) -> None:
    app = app_factory(watch_uptime=True)  # the Uptime column says which site is down
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        table = app.screen.query_one(LiveTable)
        await wait_for(pilot, lambda: "down" in texts(table, "uptime"))
        await check_sorting(pilot, table)
        await check_first_and_last(pilot, table)
        # The search keeps the cursor on its row while it matches.
        table.move_cursor(row=table.get_row_index(str(DOWN)))
        await check_search(pilot, table, "down")
        assert table.selected_key == str(DOWN)
        await type_search(pilot, "kettle")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert table.selected_key == str(DOWN)
        assert "1 of 5 sites" in app.screen.status_info().site  # type: ignore[attr-defined]


async def test_a_range_key_on_sites_changes_the_account_overview(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.state.range_kind is RangeKind.YEAR)
        headline = app.screen.query_one("#sites-headline", Static)
        await wait_for(pilot, lambda: "hits, last 12 months" in str(headline.content))


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
async def test_sites_keep_the_uptime_of_a_down_site_when_narrow(
    app_factory: Factory, size: tuple[int, int]
) -> None:
    app = app_factory(watch_uptime=True)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, loaded(app))
        table = app.screen.query_one(LiveTable)
        await wait_for(pilot, lambda: "down" in texts(table, "uptime"))
        await pilot.pause()
        lines = rendered(table)
        header = lines[0]
        for title in ("Site", "Today", "Uptime"):
            assert f" {title} " in f"{header} ", (title, header)
        assert "URL" not in header and "Unique" not in header and "Trend" not in header
        kettle = next(line for line in lines if "Kettle & Crumb" in line)
        assert kettle.split()[-1] == "down"
        # Every line fits: nothing is drawn past the right edge.
        assert all(len(line.rstrip()) <= size[0] for line in lines)


async def test_columns_come_back_when_there_is_room(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, loaded(app))
        table = app.screen.query_one(LiveTable)
        await wait_for(pilot, lambda: table.row_count == 5)
        assert "unique" in table.hidden_columns and "url" in table.hidden_columns
        table.move_cursor(row=3)
        chosen = table.selected_key
        await pilot.resize_terminal(200, 40)
        await wait_for(pilot, lambda: not table.hidden_columns)
        assert table.selected_key == chosen
        assert "fieldnotes.blog" in "\n".join(rendered(table))
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "url" in table.hidden_columns)
        assert table.selected_key == chosen


# -- the hits dashboard's panels, and one full-screen -------------------------------------------


async def open_pages_panel(pilot: Pilot[int], app: TinylyticsApp) -> LiveTable:
    await wait_for(pilot, loaded(app))
    app.screen.query_one("#panel-path", PanelTable).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PanelScreen) and loaded(app)())
    return app.screen.query_one("#panel-all", LiveTable)


async def test_full_screen_panel_search_sort_and_move(app_factory: Factory) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_pages_panel(pilot, app)
        await check_search(pilot, table, "posts")
        await type_search(pilot, "posts")
        title = str(app.screen.query_one("#panel-title", Static).content)
        assert f"{table.row_count} of {table.total} match “posts”" in title
        await pilot.press("escape")  # clears the search
        assert isinstance(app.screen, PanelScreen)
        await check_sorting(pilot, table)
        await check_first_and_last(pilot, table)
        await pilot.press("escape")  # nothing to clear: back
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))


async def test_slash_on_a_dashboard_panel_searches_all_its_rows(app_factory: Factory) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        panel = app.screen.query_one("#panel-path", PanelTable)
        panel.focus()
        await pilot.press("s")  # the dashboard's panels sort too; the title says how
        assert f"by Hits {DESCENDING}" in str(panel.border_title)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, PanelScreen) and loaded(app)())
        box = app.screen.query_one(SearchBox)
        await wait_for(pilot, lambda: box.has_focus)
        table = app.screen.query_one("#panel-all", LiveTable)
        assert table.total > 10  # every row, not the dashboard's top ten
        await pilot.press(*"rust")
        await wait_for(pilot, lambda: 0 < table.row_count < table.total)
        assert all("rust" in t for t in texts(table, "value"))


async def test_a_long_path_keeps_its_end_when_cut(app_factory: Factory) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(40, 20)) as pilot:
        table = await open_pages_panel(pilot, app)
        longest = max(texts(table, "value"), key=len)
        width = table.columns[ColumnKey("value")].width
        assert len(longest) > width  # the terminal is too narrow for it
        key = next(
            k for k in table.row_keys_in_order() if str(table.get_cell(k, "value")) == longest
        )
        table.move_cursor(row=table.get_row_index(key))
        await pilot.pause()
        drawn = cut_middle(Text(longest), width).plain
        head, tail = drawn.split("…")
        assert longest.startswith(head) and longest.endswith(tail) and len(tail) >= len(head)
        assert any(line.rstrip().endswith(drawn) for line in rendered(table))
        # The table still holds, sorts and searches the whole path.
        assert str(table.get_cell(key, "value")) == longest


# -- the leaderboard ----------------------------------------------------------------------------


def searched(screen: LeaderboardScreen, path: str | None) -> Callable[[], bool]:
    return lambda: screen.board is not None and screen.board.path_filter == path


async def test_leaderboard_search_sort_and_move(app_factory: Factory) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, settled(app), timeout=60)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, LeaderboardScreen) and loaded(app)())
        screen = app.screen
        assert isinstance(screen, LeaderboardScreen)
        table = screen.table
        assert f"# {ASCENDING}" in headers(table)  # the server's ranking, said in the header
        await pilot.press("t")
        await wait_for(pilot, notified(app, "all time"))
        # The table holds a few pages of the board: enter asks the server for every path that
        # matches.
        await type_search(pilot, "posts")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: screen.board is not None and screen.board.path_filter == "posts"
        )
        await wait_for(pilot, loaded(app))
        assert all("posts" in t for t in texts(table, "path"))
        assert table.row_count == table.total
        await check_sorting(pilot, table)
        await check_first_and_last(pilot, table)
        await pilot.press("escape")
        await wait_for(pilot, searched(screen, None))


# -- journeys -----------------------------------------------------------------------------------


async def open_journeys(pilot: Pilot[int], app: TinylyticsApp) -> JourneysScreen:
    await wait_for(pilot, settled(app), timeout=60)
    await pilot.press("4")
    await wait_for(pilot, lambda: isinstance(app.screen, JourneysScreen) and loaded(app)(), 60)
    screen = app.screen
    assert isinstance(screen, JourneysScreen)
    return screen


async def load_every_journey(pilot: Pilot[int], screen: JourneysScreen) -> None:
    def landed() -> bool:
        data = screen.data
        return data is not None and len(data.journeys) >= min(screen.feed.pager.wanted, data.total)

    while screen.feed.more():
        await wait_for(pilot, landed)


async def test_journeys_list_search_sort_and_move(app_factory: Factory) -> None:
    app = app_factory(site=DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_journeys(pilot, app)
        table = screen.table("journeys-list")
        assert f"Started {DESCENDING}" in headers(table)
        await check_search(pilot, table, "/install")
        await check_sorting(pilot, table)
        # The list loads 50 more as the cursor nears its end: held whole, `end` loads nothing.
        await load_every_journey(pilot, screen)
        await check_first_and_last(pilot, table)
        range_before = app.state.range_kind
        await pilot.press("y")
        await wait_for(pilot, notified(app, "Journeys cover at most 30 days"))
        assert app.state.range_kind is range_before


async def test_common_paths_sort_and_search(app_factory: Factory) -> None:
    app = app_factory(site=DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_journeys(pilot, app)
        await pilot.press("c")
        steps = screen.table("journeys-steps")
        await wait_for(pilot, lambda: steps.has_focus)
        await check_sorting(pilot, steps)
        await check_first_and_last(pilot, steps)
        await check_search(pilot, steps, rarer(steps, "step"))
        leaves = screen.table("journeys-leaves")
        await check_sorting(pilot, leaves)


# -- uptime, insights, live hits ----------------------------------------------------------------


async def test_downtimes_search_sort_and_move(app_factory: Factory) -> None:
    app = app_factory(site=DOWN)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, settled(app), timeout=60)
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(app.screen, UptimeScreen) and loaded(app)())
        table = app.screen.query_one("#uptime-history", LiveTable)
        await wait_for(pilot, lambda: table.row_count > 2)
        error = texts(table, "error")[0].split()[0]
        await check_search(pilot, table, error)
        await check_sorting(pilot, table)
        await check_first_and_last(pilot, table)
        await pilot.press("w")
        await wait_for(pilot, notified(app, "Uptime has no range"))


async def test_insights_search_sort_and_move(app_factory: Factory) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, settled(app), timeout=60)
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, InsightsScreen) and loaded(app)())
        table = app.screen.query_one("#insights-list", LiveTable)
        await wait_for(pilot, lambda: table.row_count > 2)
        dates = column(table, "date")
        assert dates == sorted(dates, reverse=True)  # newest first, as the server lists them
        word = texts(table, "summary")[0].split()[0]
        await check_search(pilot, table, word)
        await check_sorting(pilot, table)
        await check_first_and_last(pilot, table)


async def test_live_hits_search_sort_and_move(app_factory: Factory) -> None:
    app = app_factory(site=DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LiveHitsScreen) and loaded(app)())
        table = app.screen.query_one("#stream", LiveTable)
        assert f"Time {DESCENDING}" in headers(table)
        await check_search(pilot, table, rarer(table, "path"))
        await check_sorting(pilot, table)
        await check_first_and_last(pilot, table)
        await pilot.press("escape")  # nothing to clear: back to the dashboard
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))


async def test_keys_without_a_table_say_why(app_factory: Factory) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        app.screen.set_focus(None)
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, notified(app, "Move to a table (tab), then press s."))
        assert isinstance(app.screen, HitsScreen)
        assert not isinstance(app.screen, SitesScreen)
