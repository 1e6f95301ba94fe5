from __future__ import annotations

import pytest

from app.api import RequestBudget
from app.live.pacing import budget_wait, reserve, stretch


async def used(per_hour: int, count: int) -> RequestBudget:
    budget = RequestBudget(per_hour=per_hour)
    for _ in range(count):
        await budget.acquire()
    return budget


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 1.0), (300, 1.0), (450, 2.0), (540, 5.0), (600, 60.0)],
)
async def test_intervals_stretch_as_the_share_fills(count: int, expected: float) -> None:
    assert stretch(await used(600, count)) == pytest.approx(expected)


async def test_a_refresh_waits_while_less_than_the_reserve_is_left() -> None:
    budget = await used(600, 600 - reserve(budget=RequestBudget(600)))
    assert reserve(budget) == 12
    assert budget_wait(budget) == 0.0  # exactly the reserve is left
    await budget.acquire()
    # One more and the oldest request must leave the hour first: about an hour from now.
    assert 3590 < budget_wait(budget) <= 3600
