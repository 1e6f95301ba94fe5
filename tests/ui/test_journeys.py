"""The Journeys section (`4`) driven by keys against the demo server: what the user sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from textual.content import Content
from textual.pilot import Pilot

from app.api import UserJourney
from app.demo import DEMO_KEY, DemoServer
from app.durations import compact
from app.live.journeys import (
    PER_PAGE,
    SAMPLE_PAGES,
    common_paths,
    journey_key,
    journey_span,
)
from app.live.ranges import RangeKind
from app.ui.app import TinylyticsApp
from app.ui.screens.hits import HitsScreen
from app.ui.screens.journey import JourneyScreen
from app.ui.screens.journeys import JourneysScreen
from app.ui.screens.sites import SitesScreen
from app.ui.widgets.status import StatusLine
from app.ui.widgets.table import LiveTable
from tests.ui.conftest import loaded, screen_text, shows, wait_for

Factory = Callable[..., TinylyticsApp]
HEADERS = {"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": "tests"}
BLOG, DOCS = 456, 457


def status(app: TinylyticsApp) -> str:
    return app.screen.query_one(StatusLine).compose_text().plain


def data_text(app: TinylyticsApp) -> str:
    """What the screen shows, less the status line (whose freshness and API use move)."""
    line = str(app.screen.query_one(StatusLine).content)
    return screen_text(app).replace(line, "")


def answer(demo: DemoServer, site: int, kind: RangeKind, page: int = 1) -> dict[str, Any]:
    """What the API says for the range, straight from the server."""
    span = journey_span(kind, demo.clock.now())
    response = httpx.get(
        f"{demo.base_url}sites/{site}/user_journeys",
        params={
            "start_date": span.first.isoformat(),
            "end_date": span.last.isoformat(),
            "page": page,
            "per_page": PER_PAGE,
        },
        headers=HEADERS,
        timeout=60,
    )
    result: dict[str, Any] = response.json()
    return result


def summary_words(body: dict[str, Any]) -> list[str]:
    s = body["summary"]
    return [
        f"{s['total_visitors']:,} visitors",
        f"{s['multi_page_visitors']:,} multi-page",
        f"{s['single_page_visitors']:,} single-page",
        f"bounce rate {s['bounce_rate']:.1f}%",
    ]


def table(app: TinylyticsApp, name: str) -> LiveTable:
    return app.screen.query_one(f"#{name}", LiveTable)


def column(app: TinylyticsApp, name: str, index: int) -> list[str]:
    t = table(app, name)
    return [str(t.get_row_at(i)[index]) for i in range(t.row_count)]


async def open_journeys(pilot: Pilot[int], app: TinylyticsApp) -> JourneysScreen:
    await pilot.press("4")
    await wait_for(pilot, lambda: isinstance(app.screen, JourneysScreen))
    await wait_for(pilot, loaded(app), timeout=60)
    screen = app.screen
    assert isinstance(screen, JourneysScreen)
    return screen


async def test_summary_top_pages_and_list_match_the_api(
    app_factory: Factory, demo: DemoServer
) -> None:
    body = answer(demo, DOCS, RangeKind.WEEK)
    app = app_factory(site=DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_journeys(pilot, app)
        text = screen_text(app)
        for words in summary_words(body):
            assert words in text
        total = body["pagination"]["total_count"]
        sample = SAMPLE_PAGES * PER_PAGE
        assert total > sample
        assert f"{sample} of {total:,} journeys" in text
        assert "last 7 days" in status(app)
        assert column(app, "journeys-entries", 2) == [
            p["path"] for p in body["insights"]["top_entry_pages"]
        ]
        assert column(app, "journeys-entries", 0) == [
            f"{p['visitors']:,}" for p in body["insights"]["top_entry_pages"]
        ]
        assert column(app, "journeys-exits", 2) == [
            p["path"] for p in body["insights"]["top_exit_pages"]
        ]
        # The list: newest first, as the API lists them.
        journeys = table(app, "journeys-list")
        assert journeys.row_count == sample
        first = UserJourney.model_validate(body["user_journeys"][0])
        last = UserJourney.model_validate(body["user_journeys"][-1])
        keys = journeys.row_keys_in_order()
        assert keys[0] == journey_key(first)
        assert keys.index(journey_key(last)) == PER_PAGE - 1
        row = [str(c) for c in journeys.get_row_at(0)]
        assert row[1] == first.visitor_hash
        assert row[2] == str(first.page_count)
        assert row[3] == first.session_duration
        assert row[4] == f"{first.entry_page} → {first.exit_page}"


async def test_ranges_change_the_request(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_journeys(pilot, app)
        for key, kind in (("t", RangeKind.DAY), ("m", RangeKind.MONTH), ("w", RangeKind.WEEK)):
            body = answer(demo, BLOG, kind)
            await pilot.press(key)
            assert app.state.range_kind is kind
            words = summary_words(body)
            await wait_for(pilot, shows(app, *words))
            assert kind.label in status(app)
            span = journey_span(kind, demo.clock.now())
            assert f"{span.first:%b %d} to {span.last:%b %d} (UTC days)" in screen_text(app)
            total = body["pagination"]["total_count"]
            assert table(app, "journeys-list").row_count == min(total, SAMPLE_PAGES * PER_PAGE)


async def test_twelve_months_become_thirty_days_and_say_so(
    app_factory: Factory, demo: DemoServer
) -> None:
    body = answer(demo, BLOG, RangeKind.MONTH)
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        await pilot.press("y")  # on the hits dashboard
        assert app.state.range_kind is RangeKind.YEAR
        await open_journeys(pilot, app)
        await pilot.press("y")  # not a journeys key: nothing changes
        assert app.state.range_kind is RangeKind.YEAR
        text = screen_text(app)
        for words in summary_words(body):
            assert words in text
        assert "last 30 days (no 12 months for journeys)" in status(app)


async def test_enter_opens_the_timeline_and_escape_goes_back(
    app_factory: Factory, demo: DemoServer
) -> None:
    body = answer(demo, BLOG, RangeKind.WEEK)
    # A journey of several pages, to see offsets grow.
    row = next(r for r in body["user_journeys"] if r["page_count"] >= 4)
    journey = UserJourney.model_validate(row)
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_journeys(pilot, app)
        listed = table(app, "journeys-list")
        listed.move_cursor(row=listed.get_row_index(journey_key(journey)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JourneyScreen))
        await wait_for(pilot, loaded(app))
        text = screen_text(app)
        assert f"Visitor {journey.visitor_hash}" in text
        assert f"{journey.page_count} pages" in text
        timeline = table(app, "journey-timeline")
        assert timeline.row_count == len(row["pages"])
        assert column(app, "journey-timeline", 4) == [p["path"] for p in row["pages"]]
        start = journey.pages[0].visited_at
        assert start is not None
        expected = []
        for page in journey.pages:
            assert page.visited_at is not None
            expected.append("+" + compact((page.visited_at - start).total_seconds()))
        offsets = column(app, "journey-timeline", 2)
        assert offsets == expected and offsets[0] == "+0s"
        assert column(app, "journey-timeline", 1)[0] == f"{start:%H:%M:%S}"
        assert column(app, "journey-timeline", 3)[-1] == "exit"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert listed.selected_key == journey_key(journey)


async def test_a_timeline_of_another_site_is_left(app_factory: Factory) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_journeys(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JourneyScreen))
        app.state.open_site(DOCS)
        app.action_section("hits")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        await pilot.press("4")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, loaded(app), timeout=60)
        assert screen.data is not None and screen.data.site_id == DOCS


async def test_common_paths_show_steps_and_exits(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_journeys(pilot, app)
        assert screen.data is not None
        paths = common_paths(screen.data.journeys)
        assert not screen.query_one("#journeys-paths").display
        await pilot.press("c")
        await pilot.pause()
        assert screen.query_one("#journeys-paths").display
        assert not screen.query_one("#journeys-main").display
        assert "common paths of" in screen_text(app)
        top = paths.steps[0]
        steps = column(app, "journeys-steps", 2)
        assert steps[0] == f"{top.source} → {top.target}"
        assert column(app, "journeys-steps", 0)[0] == str(top.count)
        leaves = paths.leaves
        assert column(app, "journeys-leaves", 3) == [leave.path for leave in leaves]
        assert column(app, "journeys-leaves", 1)[0] == f"{leaves[0].rate * 100:.0f}%"
        # Every multi-page journey ends somewhere: the exits add up to the sample.
        assert sum(int(x.replace(",", "")) for x in column(app, "journeys-leaves", 0)) <= (
            paths.journeys
        )
        assert app.screen.focused is table(app, "journeys-steps")
        await pilot.press("c")
        await pilot.pause()
        assert screen.query_one("#journeys-main").display
        assert app.screen.focused is table(app, "journeys-list")


async def test_scrolling_to_the_end_loads_more(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_journeys(pilot, app)
        sample = SAMPLE_PAGES * PER_PAGE
        listed = table(app, "journeys-list")
        assert listed.row_count == sample
        sent = screen.feed.requests
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: listed.row_count == sample + PER_PAGE)
        assert f"{sample + PER_PAGE} of" in screen_text(app)
        # Page 1 for what is new, and the one page after what is held.
        assert screen.feed.requests - sent == 2


async def test_refresh_costs_one_request(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_journeys(pilot, app)
        before = data_text(app)
        sent = screen.feed.requests
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.feed.requests > sent)
        await wait_for(pilot, loaded(app))
        assert screen.feed.requests - sent == 1
        assert data_text(app) == before


async def test_hidden_journeys_do_not_poll(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_journeys(pilot, app)
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, SitesScreen))
        await wait_for(pilot, loaded(app))
        demo.stats.reset()
        await pilot.press("r")
        await wait_for(pilot, lambda: demo.stats.total > 0)
        await wait_for(pilot, loaded(app))
        await pilot.pause(0.5)
        assert demo.stats.by_endpoint.get("user_journeys", 0) == 0


async def test_hostile_strings_are_literal(app_factory: Factory, demo: DemoServer) -> None:
    demo.settings.hostile_strings = True
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_journeys(pilot, app)
        text = screen_text(app)
        assert "/[b]bold[/b]-post" in text  # markup shown as characters, not applied
        await pilot.press("c")
        await pilot.pause()
        text += screen_text(app)
        assert screen.data is not None
        hostile = next(
            j
            for j in screen.data.journeys
            if any(p.path and ("[" in p.path or "\x1b" in p.path) for p in j.pages)
        )
        await pilot.press("c")
        listed = table(app, "journeys-list")
        listed.move_cursor(row=listed.get_row_index(journey_key(hostile)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JourneyScreen))
        await wait_for(pilot, loaded(app))
        text += screen_text(app)
        assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
        assert "[" in screen_text(app)


async def test_failures_keep_the_last_data(app_factory: Factory, demo: DemoServer) -> None:
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_journeys(pilot, app)
        rows = table(app, "journeys-list").row_count
        before = data_text(app)
        demo.settings.error_rate = 1.0
        demo.settings.error_status = 502
        await pilot.press("r")
        await wait_for(pilot, lambda: "server error 502" in status(app), timeout=30)
        assert "retry in" in status(app)
        assert data_text(app) == before
        assert table(app, "journeys-list").row_count == rows
        assert app.screen.query_one(StatusLine).has_class("-stale")
        demo.settings.error_rate = 0.0
        await pilot.press("r")
        await wait_for(pilot, lambda: "updated" in status(app), timeout=30)
        assert not app.screen.query_one(StatusLine).has_class("-stale")


async def test_unknown_site_is_a_message_not_a_crash(app_factory: Factory) -> None:
    app = app_factory(site=999)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, JourneysScreen))
        await wait_for(pilot, lambda: "not found" in status(app), timeout=30)
        assert "not found" in screen_text(app).lower()


async def test_f_on_a_top_page_opens_its_hits(app_factory: Factory, demo: DemoServer) -> None:
    body = answer(demo, BLOG, RangeKind.WEEK)
    app = app_factory(site=BLOG)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_journeys(pilot, app)
        await pilot.press("f")  # on the list: says where to go instead
        assert isinstance(app.screen, JourneysScreen)
        table(app, "journeys-exits").focus()
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, HitsScreen))
        assert app.state.filters == (("path", body["insights"]["top_exit_pages"][0]["path"]),)


async def test_slash_narrows_the_list_to_journeys_through_a_page(
    app_factory: Factory, demo: DemoServer
) -> None:
    app = app_factory(site=DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_journeys(pilot, app)
        held = list(screen._journeys.values())
        page = "/install"
        through = [j for j in held if any(page in (p.path or "") for p in j.pages)]
        assert 0 < len(through) < len(held)
        await pilot.press("slash", *page)
        shown = table(app, "journeys-list")
        assert sorted(shown.row_keys_in_order()) == sorted(journey_key(j) for j in through)
        # The list holds the newest journeys only, and says so.
        assert screen.data is not None and screen.data.total > len(held)
        words = f"{len(through)} of the {len(held)} loaded match “{page}”"
        assert words in str(shown.border_title)
        assert f"/{page}" in status(app)
        await pilot.press("enter")  # back to the list, the search kept
        assert shown.has_focus and shown.row_count == len(through)
        await pilot.press("escape")
        assert shown.row_count == len(held)
        assert "match" not in str(shown.border_title)
        assert f"/{page}" not in status(app)


async def test_s_sorts_the_list(app_factory: Factory) -> None:
    app = app_factory(site=DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_journeys(pilot, app)
        await pilot.press("s", "s")  # from started: visitor, then pages (most first)
        counts = [int(c) for c in column(app, "journeys-list", 2)]
        assert counts == sorted(counts, reverse=True)
        await pilot.press("S")
        counts = [int(c) for c in column(app, "journeys-list", 2)]
        assert counts == sorted(counts)


async def test_a_search_with_markup_is_literal(app_factory: Factory) -> None:
    app = app_factory(site=DOCS)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_journeys(pilot, app)
        await pilot.press("slash", *"[b]x[/b]")
        shown = table(app, "journeys-list")
        assert shown.row_count == 0
        title = Content.from_markup(str(shown.border_title)).plain  # as drawn on the border
        assert title.endswith("0 of the 200 loaded match “[b]x[/b]”")
