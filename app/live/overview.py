"""The Sites screen's numbers: one row per site, filled site by site."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.live.ranges import RangeKind, window

if TYPE_CHECKING:
    from app.api import SiteSummary
    from app.live.api import LiveApi
    from app.live.hitcounts import HitCounter

# Lifetime unique hits and visibility come from one request per site: ask rarely.
DETAIL_MAX_AGE = 15 * 60.0
# Rows scrolled out of view are refreshed this rarely, so many sites don't eat the budget.
HIDDEN_MAX_AGE = 10 * 60.0


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
    daily: tuple[int, ...] = ()
    uptime: str | None = None  # "up", "down", "no monitor" (from the uptime watcher)

    @property
    def change(self) -> float | None:
        """Change of the last 7 days against the 7 before, in percent."""
        if self.last_7_days is None or not self.previous_7_days:
            return None
        return (self.last_7_days - self.previous_7_days) / self.previous_7_days * 100


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
    ) -> None:
        self._client = client
        self._counter = counter
        self._now = now
        self._rows: dict[int, SiteRow] = {}
        self._detail_at: dict[int, float] = {}
        self._counted_at: dict[int, float] = {}
        self._uptime: dict[int, str | None] = {}

    @property
    def rows(self) -> list[SiteRow]:
        # Uptime comes from the watcher, on its own schedule: joined in when read.
        return [replace(row, uptime=self._uptime.get(row.id)) for row in self._rows.values()]

    async def refresh(
        self,
        visible_first: list[int] | None = None,
        on_row: Callable[[SiteRow], None] | None = None,
    ) -> list[SiteRow]:
        """Refresh the list, then each site's numbers.

        `visible_first` (the rows on screen) are refreshed first and every time; the others only
        when their numbers are older than HIDDEN_MAX_AGE. With no hint every row is visible.
        """
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
        visible = set(visible_first) if visible_first else set(fresh)
        order = sorted(fresh, key=lambda i: (i not in visible, list(fresh).index(i)))
        for site_id in order:
            age = time.monotonic() - self._counted_at.get(site_id, -HIDDEN_MAX_AGE)
            if site_id not in visible and age < HIDDEN_MAX_AGE:
                continue
            row = await self._refresh_row(self._rows[site_id])
            self._counted_at[site_id] = time.monotonic()
            self._rows[site_id] = row
            if on_row:
                on_row(row)
        return self.rows

    async def _refresh_row(self, row: SiteRow) -> SiteRow:
        series = await self._counter.series(row.id, window(RangeKind.WEEK, self._now()))
        row = replace(
            row,
            today=series.current[-1],
            last_7_days=series.total,
            previous_7_days=series.previous_total,
            daily=series.current,
        )
        if time.monotonic() - self._detail_at.get(row.id, -DETAIL_MAX_AGE) >= DETAIL_MAX_AGE:
            detail = (await self._client.site(row.id)).site
            self._detail_at[row.id] = time.monotonic()
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
