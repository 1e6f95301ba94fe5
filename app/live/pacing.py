"""How much to stretch refresh intervals so the app stays within its share of the API budget.

The limiter in app.api.budget never lets a request past the hourly share; this keeps the app
from ever reaching it in the first place, by polling less often as the share fills up.
"""

from __future__ import annotations

from app.api import RequestBudget

# Below this share of the budget used in the last hour, intervals are what the user asked for.
RELAXED_UP_TO = 0.5
MOST_STRETCH = 60.0


def stretch(budget: RequestBudget, extra: int = 0) -> float:
    """1.0 while at most half the share was used in the last hour; then growing: x2 at 75 %,
    x5 at 90 %, at most x60. `extra`: as it will be once that many more requests are sent."""
    used = (budget.used_last_hour() + extra) / budget.per_hour
    if used <= RELAXED_UP_TO:
        return 1.0
    headroom = max(1.0 - used, (1.0 - RELAXED_UP_TO) / MOST_STRETCH)
    return min(MOST_STRETCH, (1.0 - RELAXED_UP_TO) / headroom)


def reserve(budget: RequestBudget) -> int:
    """Requests a screen wants left in the hour before it starts a refresh (a steady refresh
    costs about 6): below that, it waits for the window to free up rather than stall halfway
    in the limiter with "refreshing…" on screen."""
    return min(budget.per_hour, max(10, budget.per_hour // 50))


def budget_wait(budget: RequestBudget) -> float:
    """Seconds until a refresh may start within the budget; 0 when it may start now."""
    return budget.seconds_until_available(reserve(budget))


def on_the_beat(wait: float, beat: float, wall: float) -> float:
    """`wait` moved to the nearest tick of a wall-clock grid `beat` seconds apart (so by at most
    half a beat). Copies of the app showing the same screen at the same interval then refresh at
    the same moment and share its answers, however far apart they started: left to their own
    phases, four copies asked four times as much and had their intervals stretched."""
    if beat <= 0:
        return wait
    tick = round((wall + wait) / beat) * beat
    return max(0.0, tick - wall)
