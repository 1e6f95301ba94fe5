from __future__ import annotations

import pytest

from app.api import RequestBudget
from app.live.pacing import stretch


async def used(per_hour: int, count: int) -> RequestBudget:
    budget = RequestBudget(per_hour=per_hour)
    for _ in range(count):
        await budget.acquire()
    return budget


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 1.0), (300, 1.0), (450, 2.0), (540, 5.0), (600, 20.0)],
)
async def test_intervals_stretch_as_the_share_fills(count: int, expected: float) -> None:
    assert stretch(await used(600, count)) == pytest.approx(expected)
