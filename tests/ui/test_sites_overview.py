"""The Sites screen's account overview (pilot): the headline's total and change, the chart's
lines and the one under the table's cursor, the range keys, and small terminals.

Expected numbers come from the API through a hit counter of the test's own, as the hits
dashboard counts each site."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from app.api import RequestBudget, TinylyticsClient
from app.demo import DEMO_KEY, Clock, DemoServer
from app.live.account_series import TOP_LINES
from app.live.hitcounts import HitCounter, Series
from app.live.ranges import Compare, Comparison, RangeKind, window
from app.ui.app import TinylyticsApp
from app.ui.screens.sites import SitesScreen
from app.ui.widgets.sites_chart import SitesChart
from tests.conftest import DEMO_NOW
from tests.ui.conftest import loaded, make_app, wait_for

Factory = Callable[..., TinylyticsApp]


@pytest.fixture
def fifty() -> Iterator[DemoServer]:
    """The demo account grown to 50 sites (45 made up, with a long tail of traffic)."""
    with DemoServer(seed=42, scale=1.0, sites=50, clock=Clock(DEMO_NOW, frozen=True)) as server:
        yield server


async def site_series(
    demo: DemoServer, kind: RangeKind, compare: Compare = Compare.PREVIOUS
) -> dict[int, Series]:
    async with TinylyticsClient(DEMO_KEY, demo.base_url, budget=RequestBudget(10_000)) as client:
        counter = HitCounter(client, now=demo.clock.now)
        span = window(kind, demo.clock.now(), compare=compare)
        sites = (await client.sites()).sites
        return {site.id: await counter.series(site.id, span) for site in sites}


def expected_words(series: dict[int, Series], label: str) -> tuple[str, str]:
    """The headline's total and change, as the hits dashboard writes them."""
    parts = [s.compared for s in series.values() if s.compared is not None]
    change = Comparison(sum(c.current for c in parts), sum(c.previous for c in parts)).change
    assert change is not None
    arrow = "▲" if change >= 0 else "▼"
    total = sum(s.total for s in series.values())
    return f"{total:,} hits, {label}", f"{arrow} {abs(change):.0f}%"


def headline(app: TinylyticsApp) -> str:
    return str(app.screen.query_one("#sites-headline", Static).content)


def chart(app: TinylyticsApp) -> SitesChart:
    return app.screen.query_one(SitesChart)


def sites_screen(app: TinylyticsApp) -> SitesScreen:
    screen = app.screen
    assert isinstance(screen, SitesScreen)
    return screen


async def test_the_headline_gives_the_account_total_and_change(
    app_factory: Factory, demo: DemoServer
) -> None:
    expected = await site_series(demo, RangeKind.WEEK)
    total, change = expected_words(expected, "last 7 days")
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await wait_for(pilot, lambda: total in headline(app))
        words = headline(app)
        assert change in words
        assert "to the same time a week before" in words
        # The legend names every line with its colour; five sites: no "others".
        assert "Burrow Docs" in words and "others" not in words
        data = chart(app).data
        assert data is not None and len(data.lines) == len(expected) and data.others is None


async def test_the_row_under_the_cursor_is_the_highlighted_line(
    fifty: DemoServer, tmp_path: Path
) -> None:
    app = make_app(fifty, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app), timeout=60)
        screen = sites_screen(app)
        view = screen.session.sites_feed.account_view()
        assert view is not None and view.complete
        top = [line.site_id for line in view.lines[:TOP_LINES]]
        data = chart(app).data
        assert data is not None and data.others is not None
        assert [line.site_id for line in data.lines] == top
        first = screen.table.selected_key
        assert first is not None and data.selected == int(first)
        # A refresh with nothing new does not plot again.
        draws = chart(app).draws
        await pilot.press("r")
        await wait_for(pilot, loaded(app))
        assert chart(app).draws == draws
        # Down to a small site, summed with the others until now: it gets a line of its own.
        keys = screen.table.row_keys_in_order()
        small = next(i for i, key in enumerate(keys) if int(key) not in top)
        await pilot.press(*["down"] * small)
        await wait_for(pilot, lambda: chart(app).data is not data)
        moved = chart(app).data
        assert moved is not None and moved.selected == int(keys[small])
        assert [line.site_id for line in moved.lines] == [*top, int(keys[small])]
        own = moved.lines[-1]
        assert own.selected and own.counts == next(
            line.counts for line in view.lines if line.site_id == int(keys[small])
        )
        # The others no longer count it.
        assert moved.others is not None and data.others is not None
        assert sum(moved.others) == sum(data.others) - sum(own.counts)
        # At most one plot a cursor move.
        assert draws < chart(app).draws <= draws + small
        assert f"{view.sites - TOP_LINES - 1} others" in headline(app)


async def test_range_keys_change_the_overview(app_factory: Factory, demo: DemoServer) -> None:
    month = expected_words(await site_series(demo, RangeKind.MONTH), "last 30 days")
    day = expected_words(await site_series(demo, RangeKind.DAY), "last 24 hours")
    year_ago = await site_series(demo, RangeKind.MONTH, Compare.YEAR)
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        await pilot.press("m")
        await wait_for(pilot, lambda: month[0] in headline(app))
        assert month[1] in headline(app)
        data = chart(app).data
        assert data is not None and len(data.labels) == 30 and data.labels[-1] == "so far"
        await pilot.press("t")
        await wait_for(pilot, lambda: day[0] in headline(app))
        assert day[1] in headline(app)
        data = chart(app).data
        assert data is not None and len(data.labels) == 24 and data.labels[-1] == "now"
        # v: the same days a year earlier; the change is measured against them.
        await pilot.press("m", "v")
        compared = expected_words(year_ago, "last 30 days")
        await wait_for(pilot, lambda: compared[1] in headline(app) and "a year" in headline(app))
        assert app.state.compare is Compare.YEAR
        # The table's own columns stay the last 7 days.
        labels = [column.label for column in sites_screen(app).table.declared_columns]
        assert "7 days" in labels


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_small_terminals_keep_rows_of_the_table(
    fifty: DemoServer, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(fifty, tmp_path)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, loaded(app), timeout=60)
        await pilot.pause()
        screen = sites_screen(app)
        shown = screen.table.size.height - 1  # less its header
        assert shown >= 8
        assert chart(app).display and chart(app).size.height >= 6
        # A short terminal: the chart goes, the table keeps the rows.
        await pilot.resize_terminal(size[0], 16)
        await pilot.pause()
        assert not chart(app).display
        assert screen.table.size.height - 1 >= 9


async def test_a_tall_terminal_grows_the_chart(fifty: DemoServer, tmp_path: Path) -> None:
    app = make_app(fifty, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app), timeout=60)
        await pilot.pause()
        at_40 = chart(app).size.height
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert chart(app).size.height > at_40
        assert sites_screen(app).table.size.height - 1 >= 30
