"""The hits dashboard's numbers: headline, chart series and top panels for one site."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

# At run time, not only for type checking: a Dashboard's fields are read by pydantic when a
# kept snapshot is loaded.
from app.live.hitcounts import HitCounter, HitFilters, Progress, Series
from app.live.paging import Ending, PagingReport, page_size, pages_to_read
from app.live.ranges import Compare, Range, Window, window

if TYPE_CHECKING:
    from app.api import GroupedHitsResponse
    from app.live.api import LiveApi


@dataclass(frozen=True)
class Panel:
    """One top panel: the API's grouping and what the user calls it."""

    name: str
    group_by: str
    filter_field: str | None  # the hits filter a row of this panel sets, if any


PANELS: tuple[Panel, ...] = (
    Panel("Pages", "path", "path"),
    Panel("Referrers", "referrer", "referrer"),
    Panel("Countries", "country", "country"),
    Panel("Browsers", "browsername", None),
    Panel("Platforms", "platformname", None),
)
PANEL_ROWS = 20


@dataclass(frozen=True)
class PanelRow:
    value: str | None
    hits: int | None  # None: the server's count was nonsense (shown as unknown)
    unique: int | None


@dataclass(frozen=True)
class PanelData:
    panel: Panel
    rows: tuple[PanelRow, ...]
    groups: int  # how many distinct values the server has


@dataclass(frozen=True)
class Dashboard:
    site_id: int
    window: Window
    filters: HitFilters
    series: Series
    panels: tuple[PanelData, ...]
    fetched_at: datetime

    @property
    def change(self) -> float | None:
        """Against the previous period over the same span (`Series.compared`)."""
        compared = self.series.compared
        return compared.change if compared is not None else None

    @property
    def unique_views(self) -> int | None:
        """Unique views, when the server's page grouping carries them (docs/api-notes.md)."""
        pages = self.panels[0].rows if self.panels else ()
        uniques = [r.unique for r in pages if r.unique is not None]
        return sum(uniques) if uniques and len(uniques) == len(pages) else None


def panel_rows(answer: GroupedHitsResponse) -> tuple[PanelRow, ...]:
    return tuple(PanelRow(r.value, r.hit_count, r.unique_views) for r in answer.grouped_hits)


async def grouped(
    client: LiveApi,
    site_id: int,
    panel: Panel,
    span: Window,
    filters: HitFilters,
    *,
    page: int = 1,
    per_page: int = PANEL_ROWS,
) -> GroupedHitsResponse:
    return await client.grouped_hits(
        site_id,
        panel.group_by,
        start_date=span.current.first_day,
        end_date=span.current.last_day,
        page=page,
        per_page=per_page,
        **filters.as_params(),
    )


async def load_dashboard(
    client: LiveApi,
    counter: HitCounter,
    site_id: int,
    kind: Range,
    filters: HitFilters,
    *,
    compare: Compare = Compare.PREVIOUS,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    progress: Progress | None = None,
) -> Dashboard:
    at = now()
    span = window(kind, at, compare=compare)
    series, answers = await asyncio.gather(
        counter.series(site_id, span, filters, progress),
        asyncio.gather(*(grouped(client, site_id, p, span, filters) for p in PANELS)),
    )
    panels = tuple(
        PanelData(p, panel_rows(a), _groups(a, counter.paging))
        for p, a in zip(PANELS, answers, strict=True)
    )
    return Dashboard(site_id, span, filters, series, panels, at)


def dashboard_cost(
    counter: HitCounter,
    site_id: int,
    kind: Range,
    filters: HitFilters,
    *,
    compare: Compare = Compare.PREVIOUS,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    most_hits: int | None = None,
) -> int:
    """About how many requests `load_dashboard` would send now (none are sent to know): the
    chart's series, from what the cache holds, and one per panel."""
    span = window(kind, now(), compare=compare)
    return counter.cost_of(site_id, span, filters, most_hits=most_hits) + len(PANELS)


def _groups(answer: GroupedHitsResponse, paging: PagingReport) -> int:
    """How many values a panel has: the server's count, unless its first page ended the list."""
    told = answer.pagination
    size = page_size(PANEL_ROWS, told.per_page)
    plan = pages_to_read(told.total_count, told.total_pages, size, 1)
    rows = len(answer.grouped_hits)
    if rows < size:
        paging.check("the top panels", plan, Ending(1, rows))
        return rows
    paging.check("the top panels", plan)
    return told.total_count
