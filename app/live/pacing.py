"""How much to stretch refresh intervals so the app stays within its share of the API budget.

The limiter in app.api.budget never lets a request past the hourly share; this keeps the app
from ever reaching it in the first place, by polling less often as the share fills up.
"""

from __future__ import annotations

from app.api import RequestBudget

# Below this share of the budget used in the last hour, intervals are what the user asked for.
RELAXED_UP_TO = 0.5
MOST_STRETCH = 20.0


def stretch(budget: RequestBudget) -> float:
    """1.0 while at most half the share was used in the last hour; then growing: x2 at 75 %,
    x5 at 90 %, at most x20."""
    used = budget.used_last_hour() / budget.per_hour
    if used <= RELAXED_UP_TO:
        return 1.0
    headroom = max(1.0 - used, (1.0 - RELAXED_UP_TO) / MOST_STRETCH)
    return min(MOST_STRETCH, (1.0 - RELAXED_UP_TO) / headroom)
