"""The hits dashboard of one site: headline, chart series and top panels, for a range and
filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.live.dashboard import Dashboard, load_dashboard
from app.live.feed import Feed
from app.live.hitcounts import HitFilters
from app.live.ranges import RangeKind

if TYPE_CHECKING:
    from app.live.api import LiveApi

# What the dashboard asks: site, range, filters.
HitsKey = tuple[int, RangeKind, HitFilters]


class HitsFeed(Feed[HitsKey, Dashboard]):
    SNAPSHOT = Dashboard

    def key(self) -> HitsKey | None:
        state = self.session.state
        if state.site_id is None:
            return None
        return (state.site_id, state.range_kind, state.hit_filters)

    def snapshot_key(self, key: HitsKey) -> str:
        site_id, kind, filters = key
        chosen = ",".join(f"{f}={v}" for f, v in sorted(filters.as_params().items()))
        return f"hits:{site_id}:{kind.value}:{chosen}"

    async def fetch(self, api: LiveApi, key: HitsKey) -> Dashboard:
        site_id, kind, filters = key
        counter = self.session.counter
        assert counter is not None
        await self.name_site(api, site_id)
        return await load_dashboard(
            api, counter, site_id, kind, filters, now=self.session.now, progress=self._progress
        )

    def _progress(self, done: int, total: int) -> None:
        self.freshness.progress = f"{done}/{total}"
