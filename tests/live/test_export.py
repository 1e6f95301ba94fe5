"""Reading a whole list for an export (app/live/export.py) against the demo server, without
Textual: every row the API has, a page at a time with progress, within the budget."""

from __future__ import annotations

import pytest

from app.demo import DemoServer
from app.export import ExportError
from app.live.dashboard import PANELS
from app.live.export import BoardList, Chunk, PanelList, ServerList
from app.live.ranges import RangeKind
from app.live.session import Session
from app.live.state import ViewState
from tests.live.test_feeds_panel import server_rows
from tests.live.watching import api, attach, session_on

BUSY = 457
PAGES = next(p for p in PANELS if p.name == "Pages")
REFERRERS = next(p for p in PANELS if p.name == "Referrers")


async def read_all(source: ServerList) -> list[Chunk]:
    return [chunk async for chunk in source.chunks()]


async def test_a_panel_is_read_whole_a_page_at_a_time(demo: DemoServer) -> None:
    everything = server_rows(demo, BUSY, PAGES, RangeKind.MONTH)
    assert len(everything) > 100  # three pages of 50 at least
    async with session_on(demo, site_id=BUSY, range_kind=RangeKind.MONTH) as session:
        chunks = await read_all(PanelList(session, PAGES, per_page=50))
    rows = [row for chunk in chunks for row in chunk.rows]
    assert [(value, hits) for value, hits, _ in rows] == everything
    # Progress: rows so far, of the server's count, page by page.
    assert [c.progress.rows for c in chunks] == [
        min(50 * n, len(everything)) for n in range(1, len(chunks) + 1)
    ]
    assert {c.progress.total for c in chunks} == {len(everything)}
    assert demo.stats.by_endpoint["hits"] == len(chunks) == -(-len(everything) // 50)


async def test_a_filtered_panel_reads_what_the_dashboard_shows(demo: DemoServer) -> None:
    everything = server_rows(demo, BUSY, REFERRERS, RangeKind.WEEK, country="DE")
    async with session_on(demo, site_id=BUSY) as session:
        session.state.add_filter("country", "DE")
        source = PanelList(session, REFERRERS)
        assert source.header == ("referrer", "hits", "unique_views")
        chunks = await read_all(source)
    assert [(v, h) for chunk in chunks for v, h, _ in chunk.rows] == everything


async def test_the_leaderboard_is_read_whole_with_its_ranks(demo: DemoServer) -> None:
    first = api(demo, f"sites/{BUSY}/leaderboard", per_page=1000)
    board = first["leaderboard"]
    assert first["pagination"]["total_pages"] == 1
    async with session_on(demo) as session:
        chunks = await read_all(BoardList(session, BUSY, per_page=100))
    rows = [row for chunk in chunks for row in chunk.rows]
    assert [r[0] for r in rows] == list(range(1, len(board) + 1))
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (e["path"], e["total_hits"], e["unique_hits"]) for e in board
    ]


async def test_an_export_that_would_spend_the_budget_is_refused_after_one_page(
    demo: DemoServer,
) -> None:
    # 20 an hour, 10 kept for the screens: 10 for the export, which needs more pages.
    session = Session(ViewState(site_id=BUSY, range_kind=RangeKind.MONTH), requests_per_hour=20)
    attach(session, demo)
    try:
        with pytest.raises(ExportError) as caught:
            await read_all(PanelList(session, PAGES, per_page=10))
    finally:
        await session.close()
    assert caught.value.message.startswith("Exporting all ")
    assert "left of this hour's API budget (20 an hour" in caught.value.message
    assert demo.stats.by_endpoint["hits"] == 1


async def test_without_a_connection_it_says_so(demo: DemoServer) -> None:
    async with session_on(demo, connect=False, site_id=BUSY) as session:
        with pytest.raises(ExportError) as caught:
            await read_all(PanelList(session, PAGES))
    assert caught.value.message.startswith("Not connected to the API yet")


async def test_a_panel_needs_a_site(demo: DemoServer) -> None:
    async with session_on(demo) as session:
        with pytest.raises(ExportError) as caught:
            PanelList(session, PAGES)
    assert caught.value.message == "Pick a site first."
