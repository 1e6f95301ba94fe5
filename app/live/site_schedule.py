"""Which sites the Sites screen counts in one refresh, and how many requests that may cost.

Counting every site every refresh costs one request a site (today's count): 3000 an hour for
50 sites at the default minute, against a share of 600. Three rules keep an account of many
sites within its share:

- **what moved**: the site list (`/sites`, one request a refresh, asked anyway for the table)
  carries every site's lifetime hits. A site whose lifetime count has not moved since its numbers
  were counted has no new hits: its numbers stand, and it costs nothing. Numbers are read again
  at least every MAX_AGE anyway: the comparison's cut moves on with the clock, and a service
  whose lifetime count lagged would be caught (`SitesOverview` stops trusting it then);
- **a cap per refresh** (`per_refresh_cap`): half the hour's share spread over the refreshes of
  an hour, the list's request included (4 per-site requests a minute at 600/h). What does not
  fit waits for the next refresh, oldest first: a round robin, rows on screen first;
- **loading what was never counted** (the rows on screen aside, which always load) may go beyond
  the cap while the hour's share is at most three quarters used (refreshes of every screen then
  run at most twice as far apart, `app.live.pacing.stretch`); the rest waits for the refreshes
  after, as the hour's window frees up.

Every request goes through the client (the budget, the answers shared between callers) and the
hit counter (the cache of completed UTC days), so a count costs what is new.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.live.pacing import stretch

if TYPE_CHECKING:
    from app.api import RequestBudget

# Ranks, lowest first: rows on screen; the chart's lines (the biggest sites and the selected
# one); the rest (rows off screen, the sites the chart sums as "others"); read again for age.
ON_SCREEN, CHART, REST, AGED = range(4)
# The Sites screen's share of the hour's budget in steady refreshes: where pacing starts to
# stretch every screen's interval (`app.live.pacing.RELAXED_UP_TO`).
SHARE = 0.5
# Loading new numbers goes on while refreshes would be stretched at most this much.
LOAD_STRETCH = 2.0
# Numbers are read again at least this often, moved or not.
MAX_AGE = 3600.0
NEVER = float("-inf")


@dataclass(frozen=True)
class Counted:
    """What a site's numbers were counted against."""

    lifetime: int | None  # the site's lifetime hits in the list read before the count
    at: float  # monotonic seconds


def moved(counted: Counted, lifetime: int | None) -> bool:
    """New hits since `counted`, as far as the list can tell (unknown counts as moved)."""
    return lifetime is None or counted.lifetime is None or lifetime != counted.lifetime


@dataclass(frozen=True)
class Due:
    """One site's numbers to count: a row of the table or a line of the chart."""

    rank: int
    since: float  # monotonic time of the last count (NEVER): the oldest goes first
    # Requests expected, judged from the cache (`HitCounter.cost_of`): asked only of the items
    # a refresh gets to (for a year of days not yet kept it reads the cache for each day).
    cost: Callable[[], int]
    run: Callable[[], Awaitable[object]]
    new: bool = False  # never counted for what it counts now
    always: bool = False  # whatever the cap (the rows on screen, the first time)


def per_refresh_cap(budget: RequestBudget, interval: float) -> int:
    """Per-site requests one refresh may send: SHARE of the hour's budget spread over the
    refreshes of an hour at `interval`, less the list's own request; at least 2."""
    per_refresh = SHARE * budget.per_hour * max(1.0, interval) / 3600
    return max(2, math.floor(per_refresh) - 1)


class Allowance:
    """What one refresh may still send; `cap=None` sends everything due (a refresh by hand,
    a test)."""

    def __init__(self, cap: int | None = None, budget: RequestBudget | None = None) -> None:
        self.cap = cap
        self.budget = budget
        self.spent = 0  # requests sent, as the budget counted them (shared answers are free)
        self.deferred = 0  # items left for a later refresh

    def allows(self, item: Due, cost: int) -> bool:
        if self.cap is None or item.always:
            return True
        if self.spent + cost <= self.cap:
            return True
        if item.new:
            return self._loads(cost)
        # A steady refresh always moves on by one.
        return self.spent == 0

    def _loads(self, cost: int) -> bool:
        """The load rule: new numbers while the share stays at most three quarters used."""
        return self.budget is not None and stretch(self.budget, extra=cost) <= LOAD_STRETCH

    @property
    def spent_all(self) -> bool:
        """Nothing more fits, not even one request: the rest need not be weighed."""
        return self.cap is not None and self.spent >= self.cap and not self._loads(1)

    async def spend(self, items: list[Due]) -> None:
        """Run the items it allows, by rank and then oldest first."""
        for item in sorted(items, key=lambda i: (i.rank, i.since)):
            if self.spent_all and not item.always:
                self.deferred += 1
                continue
            cost = item.cost()
            if not self.allows(item, cost):
                self.deferred += 1
                continue
            before = self.budget.used_last_hour() if self.budget is not None else 0
            await item.run()
            if self.budget is not None:
                self.spent += max(0, self.budget.used_last_hour() - before)
            else:
                self.spent += cost
