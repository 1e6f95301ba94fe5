"""The Sites screen's numbers: one row per site, filled site by site.

A refresh lists the sites (one request) and counts the rows that have something new: see
`app.live.site_schedule` for which rows, in which order, and how many a refresh may cost."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from typing import TYPE_CHECKING

# At run time: a SiteRow's fields are read when a kept snapshot is loaded.
from app.live.ranges import Comparison, RangeKind, window
from app.live.site_schedule import (
    AGED,
    MAX_AGE,
    NEVER,
    ON_SCREEN,
    REST,
    Allowance,
    Counted,
    Due,
    moved,
)

if TYPE_CHECKING:
    from app.api import SiteSummary
    from app.live.api import LiveApi
    from app.live.hitcounts import HitCounter

# Lifetime unique hits and visibility come from one request per site: ask rarely.
DETAIL_MAX_AGE = 15 * 60.0
# Rows scrolled out of view are refreshed this rarely, so many sites don't eat the budget.
HIDDEN_MAX_AGE = 10 * 60.0
# Hits a count may find beyond what the list said, before the list is taken to lag: a hit may
# land between the list's request and the count's.
LAG_SLACK = 2


@dataclass(frozen=True)
class SiteRow:
    id: int
    label: str
    url: str
    lifetime_hits: int | None  # None: not sent, or nonsense (shown as unknown)
    active: bool
    lifetime_unique_hits: int | None = None
    is_public: bool | None = None
    today: int | None = None
    last_7_days: int | None = None
    previous_7_days: int | None = None
    daily: tuple[int, ...] = ()  # the last 7 UTC days; the last one, today, is still filling
    uptime: str | None = None  # "up", "down", "no monitor" (from the uptime watcher)
    # The last 7 days against the 7 before over the same span: up to now and up to the same
    # moment a week ago (or complete days only, for a day too busy to read; see hitcounts).
    compared: Comparison | None = None
    # The UTC day `daily` ends on (None in a snapshot kept by an older version).
    counted_on: date | None = None

    @property
    def change(self) -> float | None:
        """Change of the last 7 days against the 7 before, like for like, in percent."""
        return self.compared.change if self.compared is not None else None


def rolled(row: SiteRow, today: date) -> SiteRow:
    """A row counted on an earlier day, moved on to `today`: the days since had no hits as far
    as it knows (a row with new hits is counted again soon). Its change waits for that count."""
    if row.counted_on is None or row.counted_on >= today or not row.daily:
        return row
    days = (today - row.counted_on).days
    daily = (row.daily + (0,) * days)[-len(row.daily) :]
    return replace(row, daily=daily, today=daily[-1], last_7_days=sum(daily), counted_on=today)


def row_from_summary(site: SiteSummary) -> SiteRow:
    return SiteRow(
        id=site.id,
        label=site.label or "",
        url=site.url or "",
        lifetime_hits=site.lifetime_hits,
        active=bool(site.active),
        lifetime_unique_hits=site.lifetime_unique_hits,
        is_public=site.is_public,
    )


class SitesOverview:
    """Keeps the rows of every site fresh at a bounded request cost."""

    def __init__(
        self,
        client: LiveApi,
        counter: HitCounter,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._counter = counter
        self._now = now
        self._monotonic = monotonic
        self._rows: dict[int, SiteRow] = {}
        self._detail_at: dict[int, float] = {}
        self._counted: dict[int, Counted] = {}
        self._uptime: dict[int, str | None] = {}
        # Each site's lifetime hits in the last list: what moved since its count.
        self.listed: dict[int, int | None] = {}
        # Whether the list's lifetime counts move with new hits; False once a count found hits
        # the list had not shown, and then every row on screen is counted every refresh.
        self.list_moves = True

    @property
    def rows(self) -> list[SiteRow]:
        # Uptime comes from the watcher, on its own schedule: joined in when read.
        today = self._now().date()
        return [
            replace(rolled(row, today), uptime=self._uptime.get(row.id))
            for row in self._rows.values()
        ]

    async def refresh(
        self,
        visible_first: list[int] | None = None,
        on_row: Callable[[SiteRow], None] | None = None,
        allowance: Allowance | None = None,
    ) -> list[SiteRow]:
        """Refresh the list, then the numbers of the rows with something new.

        `visible_first` (the rows on screen) go first; the others at most every HIDDEN_MAX_AGE.
        With no hint every row is visible; with no `allowance` every row due is counted.
        """
        await self.list_sites()
        await (allowance or Allowance()).spend(self.due_rows(visible_first, on_row))
        return self.rows

    async def list_sites(self) -> None:
        """The site list (one request): labels, lifetime hits, and so which sites moved."""
        answer = await self._client.sites()
        fresh: dict[int, SiteRow] = {}
        for site in answer.sites:
            known = self._rows.get(site.id)
            base = row_from_summary(site)
            if known is not None:
                base = replace(
                    known,
                    label=base.label,
                    url=base.url,
                    lifetime_hits=base.lifetime_hits,
                    active=base.active,
                )
            fresh[site.id] = base
        self._rows = fresh
        self.listed = {site.id: site.lifetime_hits for site in answer.sites}

    def due_rows(
        self,
        visible_first: list[int] | None = None,
        on_row: Callable[[SiteRow], None] | None = None,
    ) -> list[Due]:
        """The rows to count, in list order: the rows on screen never counted always, the
        others as `app.live.site_schedule` says."""
        visible = set(visible_first) if visible_first else set(self._rows)
        today = self._now().date()
        items = []
        for site_id, row in self._rows.items():
            counted = self._counted.get(site_id)
            shown = site_id in visible
            rank = self._row_rank(row, counted, shown=shown, today=today)
            if rank is None:
                continue
            new = counted is None
            items.append(
                Due(
                    rank,
                    NEVER if counted is None else counted.at,
                    partial(self._row_cost, row),
                    partial(self._count, site_id, on_row),
                    new=new,
                    always=new and shown,
                )
            )
        return items

    def _row_rank(
        self, row: SiteRow, counted: Counted | None, *, shown: bool, today: date
    ) -> int | None:
        """How urgently a row wants counting; None: its numbers stand."""
        if counted is None or row.counted_on != today:
            return ON_SCREEN if shown else REST
        age = self._monotonic() - counted.at
        if not self.list_moves or moved(counted, self.listed.get(row.id)):
            if shown:
                return ON_SCREEN
            return REST if age >= HIDDEN_MAX_AGE else None
        return AGED if age >= MAX_AGE else None

    def _row_cost(self, row: SiteRow) -> int:
        cost = self._counter.cost_of(
            row.id, window(RangeKind.WEEK, self._now()), most_hits=row.lifetime_hits
        )
        return cost + (self._monotonic() - self._detail_at.get(row.id, NEVER) >= DETAIL_MAX_AGE)

    async def _count(self, site_id: int, on_row: Callable[[SiteRow], None] | None) -> None:
        listed = self.listed.get(site_id)
        before, counted = self._rows[site_id], self._counted.get(site_id)
        row = await self._refresh_row(before)
        self._counted[site_id] = Counted(listed, self._monotonic())
        if (
            counted is not None
            and self.list_moves
            and not moved(counted, listed)
            and before.counted_on == row.counted_on
            and (row.today or 0) > (before.today or 0) + LAG_SLACK
        ):
            # Read again for its age: hits the list's lifetime count never showed.
            self.list_moves = False
        self._rows[site_id] = row
        if on_row:
            on_row(row)

    async def _refresh_row(self, row: SiteRow) -> SiteRow:
        span = window(RangeKind.WEEK, self._now())
        series = await self._counter.series(row.id, span)
        row = replace(
            row,
            today=series.current[-1],
            last_7_days=series.total,
            previous_7_days=series.previous_total,
            daily=series.current,
            compared=series.compared,
            counted_on=span.current.last_day,
        )
        if self._monotonic() - self._detail_at.get(row.id, NEVER) >= DETAIL_MAX_AGE:
            detail = (await self._client.site(row.id)).site
            self._detail_at[row.id] = self._monotonic()
            row = replace(
                row,
                lifetime_hits=(
                    row.lifetime_hits if detail.lifetime_hits is None else detail.lifetime_hits
                ),
                lifetime_unique_hits=detail.lifetime_unique_hits,
                is_public=detail.is_public,
            )
        return row

    def restore(self, rows: list[SiteRow]) -> None:
        """Rows kept from the last run: shown until the first refresh replaces them."""
        if not self._rows:
            self._rows = {row.id: row for row in rows}
            for row in rows:
                self._uptime.setdefault(row.id, row.uptime)

    def set_uptime(self, site_id: int, state: str | None) -> None:
        """The uptime watcher's word for a site; kept across refreshes of the list."""
        self._uptime[site_id] = state
