"""The hits dashboard of one site: headline, chart series and top panels, for a range and
filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.live.dashboard import Dashboard, dashboard_cost, load_dashboard
from app.live.feed import Feed
from app.live.hitcounts import SETTLE, HitFilters
from app.live.pacing import stretch
from app.live.ranges import DAY, Compare, DayRange, Range, RangeKind, midnight

if TYPE_CHECKING:
    from app.live.api import LiveApi
    from app.live.session import Session

# What the dashboard asks: site, range, what it is compared with, filters.
HitsKey = tuple[int, Range, Compare, HitFilters]

# A load expected to cost this many requests or more is said while it runs: a refresh of a
# cached range costs about 6, a cold 12 months of a busy site about 110.
MANY_REQUESTS = 20
# A range that ended (and settled) has nothing new to ask for: it is refreshed when asked (`r`,
# another range), and otherwise this rarely.
FINISHED_WAIT = 6 * 3600.0


def range_code(chosen: Range) -> str:
    """How a snapshot's key spells a range: `w`, `last month`, `2026-01-01..2026-01-31`."""
    if isinstance(chosen, RangeKind):
        return chosen.value
    if chosen.preset is not None:
        return chosen.preset.value
    return f"{chosen.first}..{chosen.last}"


@dataclass(frozen=True)
class LoadCost:
    """What a load was expected to cost when it started."""

    requests: int  # about how many requests it sends
    slowed: float  # how much refreshes are stretched once they are sent (1.0: not at all)
    left: int  # requests the hour's share had left when it started

    @property
    def many(self) -> bool:
        return self.requests >= MANY_REQUESTS


class HitsFeed(Feed[HitsKey, Dashboard]):
    SNAPSHOT = Dashboard
    ON_THE_BEAT = True

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._cost: tuple[HitsKey, LoadCost] | None = None

    def key(self) -> HitsKey | None:
        state = self.session.state
        if state.site_id is None:
            return None
        return (state.site_id, state.range, state.compare, state.hit_filters)

    def snapshot_key(self, key: HitsKey) -> str:
        site_id, kind, compare, filters = key
        chosen = ",".join(f"{f}={v}" for f, v in sorted(filters.as_params().items()))
        against = "" if compare is Compare.PREVIOUS else f":{compare.value}"
        return f"hits:{site_id}:{range_code(kind)}{against}:{chosen}"

    async def fetch(self, api: LiveApi, key: HitsKey) -> Dashboard:
        site_id, kind, compare, filters = key
        counter = self.session.counter
        assert counter is not None
        self._expect(key)
        try:
            await self.name_site(api, site_id)
            return await load_dashboard(
                api,
                counter,
                site_id,
                kind,
                filters,
                compare=compare,
                now=self.session.now,
                progress=self._progress,
            )
        finally:
            self._cost = None

    def next_in(self, data: Dashboard) -> float:
        interval = super().next_in(data)
        kind, now = data.window.kind, self.session.now()
        if not isinstance(kind, DayRange) or now < data.window.current.end + SETTLE:
            return interval
        wait = FINISHED_WAIT
        if kind.preset is not None:
            # A preset's days move at UTC midnight ("yesterday" is another day): looked at then.
            wait = min(wait, (midnight(now.date() + DAY) + SETTLE - now).total_seconds())
        return max(interval, wait)

    def _progress(self, done: int, total: int) -> None:
        self.freshness.progress = f"{done}/{total}"

    # -- what a load costs ----------------------------------------------------------------------

    def load_cost(self) -> LoadCost | None:
        """What the load under way was expected to cost when it started; None while idle.

        Judged from what the cache holds, before the first request of the load (the status
        line asks as the load begins): nothing is sent to know it."""
        if not self.freshness.loading:
            return None
        key = self.key()
        return None if key is None else self._expect(key)

    def _expect(self, key: HitsKey) -> LoadCost | None:
        if self._cost is not None and self._cost[0] == key:
            return self._cost[1]
        counter = self.session.counter
        if counter is None:
            return None
        site_id, kind, compare, filters = key
        lifetime = next(
            (r.lifetime_hits for r in self.session.sites_feed.rows if r.id == site_id), None
        )
        requests = dashboard_cost(
            counter,
            site_id,
            kind,
            filters,
            compare=compare,
            now=self.session.now,
            most_hits=lifetime,
        )
        if not self.session.sites.knows(site_id):
            requests += 1  # its name, asked once
        budget = self.session.budget
        cost = LoadCost(requests, stretch(budget, extra=requests), budget.remaining())
        self._cost = (key, cost)
        return cost
