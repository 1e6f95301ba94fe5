"""The layout at 60x20, 80x24, 120x40 and 200x60: what stays on screen when room is short, and
what grows when there is more of it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from app.demo import DemoServer
from app.live.freshness import Freshness
from app.live.ranges import RangeKind
from app.ui.app import TinylyticsApp
from app.ui.screens.help import HelpScreen
from app.ui.screens.hits import HitsScreen
from app.ui.screens.sites import SitesScreen
from app.ui.widgets.footer import AppFooter
from app.ui.widgets.panels import PanelTable
from app.ui.widgets.status import StatusInfo, StatusLine, middle_cut
from app.ui.widgets.table import LiveTable
from tests.ui.conftest import loaded, screen_text, wait_for

Factory = Callable[..., TinylyticsApp]

SIZES = [(60, 20), (80, 24), (120, 40), (200, 60)]
ALWAYS = {"question_mark", "q", "1", "2", "3", "4", "5", "6"}


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def footer_keys(app: TinylyticsApp) -> list[FooterKey]:
    return list(app.screen.query_one(AppFooter).query(FooterKey))


def drawn(app: TinylyticsApp) -> str:
    """The status line as drawn (fitted to its width)."""
    return str(app.screen.query_one(StatusLine).content)


async def settle(pilot: Pilot[int], app: TinylyticsApp, screen: type) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, screen))
    await wait_for(pilot, loaded(app))
    await wait_for(pilot, lambda: bool(footer_keys(app)))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=size_id)
@pytest.mark.parametrize("site", [None, 456], ids=["sites", "hits"])
async def test_the_footer_keeps_help_quit_and_every_section(
    app_factory: Factory, size: tuple[int, int], site: int | None
) -> None:
    app = app_factory(site=site)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app, SitesScreen if site is None else HitsScreen)
        keys = footer_keys(app)
        width = size[0]
        inside = {k.key for k in keys if k.region.width and k.region.right <= width}
        assert inside >= ALWAYS, sorted(inside)
        # Side by side, none under another (the palette key is docked right).
        spans = sorted((k.region.x, k.region.right) for k in keys if k.region.width)
        for (_, right), (left, _) in itertools.pairwise(spans):
            assert right <= left, spans
        if width >= 120:
            # Room for every section's name.
            names = {str(k.description) for k in keys}
            assert {"Sites", "Hits", "Leaders", "Journeys", "Uptime", "Insights"} <= names


async def test_the_footer_follows_a_resize(app_factory: Factory) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot, app, HitsScreen)
        assert "r" in {k.key for k in footer_keys(app)}
        await pilot.resize_terminal(60, 20)
        await wait_for(pilot, lambda: all(k.region.right <= 60 for k in footer_keys(app)))
        assert {k.key for k in footer_keys(app)} >= ALWAYS


def panel_heights(app: TinylyticsApp) -> list[int]:
    return [p.outer_size.height for p in app.screen.query(PanelTable)]


async def test_panels_and_chart_grow_with_the_terminal(app_factory: Factory) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, HitsScreen)
        normal = panel_heights(app)
        chart = app.screen.query_one("#chart").outer_size.height
        assert set(normal) == {11}  # nine rows of each panel, as before
        await pilot.resize_terminal(200, 60)
        await wait_for(pilot, lambda: panel_heights(app) != normal)
        await pilot.pause()
        tall = panel_heights(app)
        assert min(tall) >= 16, tall
        assert app.screen.query_one("#chart").outer_size.height > chart
        # The Pages panel shows more of its rows, not blank ones.
        pages = app.screen.query_one("#panel-path", PanelTable)
        assert pages.row_count >= pages.size.height
        # No empty band between the panels and the status line.
        bottom = max(p.region.bottom for p in app.screen.query(PanelTable))
        assert app.screen.query_one(StatusLine).region.y - bottom <= 2


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=size_id)
async def test_short_terminals_keep_the_chart_and_scroll_the_panels(
    app_factory: Factory, size: tuple[int, int]
) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app, HitsScreen)
        assert app.screen.query_one("#chart").outer_size.height == 8
        assert set(panel_heights(app)) == {11}


async def test_the_sites_table_takes_the_height(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot, app, SitesScreen)
        table = app.screen.query_one(LiveTable)
        overview = app.screen.query_one("#sites-overview")
        # Header, status line and footer are the only other rows: the account's chart above
        # the table takes what its few sites leave, and no empty rows stay under them.
        assert table.outer_size.height + overview.outer_size.height >= 60 - 3
        assert table.outer_size.height <= table.row_count + 2


def headline_lines(app: TinylyticsApp) -> list[str]:
    content = app.screen.query_one("#headline", Static).content
    assert isinstance(content, Text)
    return content.plain.splitlines()


@pytest.mark.parametrize(
    ("size", "years"),
    [((120, 40), ("2025", "2026")), ((80, 24), ("2025", "2026")), ((60, 20), ("'25", "'26"))],
    ids=["120x40", "80x24", "60x20"],
)
async def test_the_twelve_months_headline_fits_and_names_its_years(
    app_factory: Factory, size: tuple[int, int], years: tuple[str, str]
) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app, HitsScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.state.range_kind is RangeKind.YEAR)
        await wait_for(
            pilot,
            lambda: (
                "12 months" in " ".join(headline_lines(app))
                or "12mo" in " ".join(headline_lines(app))
            ),
        )
        await wait_for(pilot, loaded(app))
        lines = headline_lines(app)
        assert len(lines) == 2
        room = size[0] - 2
        assert all(len(line) <= room for line in lines), lines
        # Both periods, with their years, whole: nothing cut off at the end.
        dates = lines[1]
        assert "…" not in dates and dates.count(years[0]) == 2 and years[1] in dates, dates
        assert "hits" in lines[0]


LONG_PATH = "/" + "/".join(f"section-{n}" for n in range(20)) + "/the-page-itself"


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=size_id)
async def test_a_long_filter_is_shortened_and_the_range_stays(
    app_factory: Factory, size: tuple[int, int]
) -> None:
    assert len(LONG_PATH) > 200
    app = app_factory(site=456)
    app.state.set_filters((("path", LONG_PATH),))
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app, HitsScreen)
        line = drawn(app)
        assert len(line) <= size[0] - 2, line
        assert line.startswith("Field N")  # the site, perhaps shortened
        assert re.search(r"· (last 7 days|7d) ·", line), line
        assert "updated" in line or "cached" in line, line
        # The filter's field and the end of its value, its middle cut.
        chip = re.search(r" path=/\S*…(\S+) ", line)
        assert chip and LONG_PATH.endswith(chip.group(1)), line


def test_middle_cut_keeps_the_field_and_the_end() -> None:
    assert middle_cut("path=/short", 20) == "path=/short"
    cut = middle_cut(f"path={LONG_PATH}", 24)
    assert len(cut) == 24 and cut.startswith("path=/") and cut.endswith("page-itself"), cut
    assert len(middle_cut("referrer=https://example.com/a/b", 5)) <= 5
    # Wide characters count as two cells.
    wide = middle_cut("path=/" + "語" * 30, 16)
    assert Text(wide).cell_len <= 16


async def test_paused_shows_how_old_the_data_is(app_factory: Factory) -> None:
    app = app_factory(site=456, frozen_monotonic=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app, HitsScreen)
        await pilot.press("p")
        await wait_for(pilot, lambda: "paused" in drawn(app))
        assert re.search(r"paused · data from \d+s ago", drawn(app)), drawn(app)


async def test_a_cold_year_says_what_it_costs_and_a_warm_one_does_not(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=457)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, HitsScreen)
        line = app.screen.query_one(StatusLine)
        seen: list[str] = []
        draw = line.update

        def recorded(text: Text, **kwargs: bool) -> None:
            seen.append(text.plain)
            draw(text, **kwargs)

        line.update = recorded  # type: ignore[method-assign,assignment]
        before = demo.stats.total
        await pilot.press("y")
        await wait_for(pilot, lambda: app.state.range_kind is RangeKind.YEAR)
        await wait_for(
            pilot, lambda: loaded(app)() and "12 months" in " ".join(headline_lines(app))
        )
        sent = demo.stats.total - before
        said = [s for s in seen if "requests" in s]
        assert said, seen
        estimate = int(re.search(r"loading ~(\d+) requests", said[0]).group(1))  # type: ignore[union-attr]
        assert estimate > 50 and abs(estimate - sent) <= sent // 5, (estimate, sent)
        # Said while it ran, and gone once it is done.
        assert "requests" not in drawn(app)

        await pilot.press("w")
        await wait_for(pilot, lambda: loaded(app)() and app.state.range_kind is RangeKind.WEEK)
        seen.clear()
        await pilot.press("y")
        await wait_for(pilot, lambda: app.state.range_kind is RangeKind.YEAR)
        await wait_for(pilot, loaded(app))
        assert not [s for s in seen if "requests" in s], seen


async def test_a_resize_while_in_another_section_is_followed(app_factory: Factory) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, HitsScreen)
        await pilot.press("1")
        await settle(pilot, app, SitesScreen)
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        await wait_for(pilot, lambda: min(panel_heights(app)) >= 16)
        assert all(k.region.right <= 200 for k in footer_keys(app))


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=size_id)
@pytest.mark.parametrize("key", ["t", "w", "m"])
async def test_every_range_headline_fits_without_a_cut(
    app_factory: Factory, size: tuple[int, int], key: str
) -> None:
    app = app_factory(site=457)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app, HitsScreen)
        await pilot.press(key)
        await wait_for(pilot, lambda: app.state.range_kind is RangeKind(key))
        await wait_for(pilot, loaded(app))
        await pilot.pause()
        lines = headline_lines(app)
        assert len(lines) == 2 and "hits" in lines[0], lines
        assert all(len(line) <= size[0] - 2 and "…" not in line for line in lines), lines


async def test_help_explains_the_load_cost_and_the_paused_age(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
    assert "loading ~105 requests" in text and "then slowed ×3" in text
    assert "left this hour" in text and "paused · data from 3m ago" in text


def test_a_retry_under_way_is_said_as_such_not_as_a_wait_of_no_seconds() -> None:
    now = 1000.0
    freshness = Freshness(updated_at=now - 30)
    line = StatusLine(
        freshness, StatusInfo, paused=lambda: False, api_use=lambda: "", monotonic=lambda: now
    )
    freshness.failed("offline", now + 9.5)
    assert "offline · retry in 9s · data from 30s ago" in line.compose_text(200).plain
    freshness.failed("offline", now + 0.4)  # due this second
    assert "offline · retrying… · data from 30s ago" in line.compose_text(200).plain
    freshness.loading = True  # the attempt is out
    assert "offline · retrying…" in line.compose_text(200).plain
    freshness.succeeded(now)
    assert "updated 0s ago" in line.compose_text(200).plain
