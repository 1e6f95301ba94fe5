"""A request budget shared by every client of one key: never more than N requests per hour."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable

WINDOW = 3600.0


class RequestBudget:
    """A sliding-window limiter, and the ledger of requests sent in the last hour.

    The provider allows about 1000 requests per hour per key (docs/api-notes.md) and a
    dashboard may be left open for days, so the limit is enforced here, before sending, for every
    client that shares this budget; retries pass through it too. `now` and `sleep` are injectable
    so that tests can move time instead of waiting for it.

    This ledger is one process's. The app uses `app.live.ledger.LedgerBudget`, the same budget
    with its ledger in the per-key cache, so that every copy of the app on one key counts
    against one window; this class is what that one falls back on without a cache.
    """

    def __init__(
        self,
        per_hour: int = 1000,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_hour < 1:
            raise ValueError("per_hour must be at least 1")
        self.per_hour = per_hour
        self._now = now
        self._sleep = sleep
        self._sent: deque[float] = deque()
        # Waiters queue in arrival order instead of racing for the slot that frees up.
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"RequestBudget(per_hour={self.per_hour}, used_last_hour={self.used_last_hour()})"

    def _forget_old(self) -> None:
        horizon = self._now() - WINDOW
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()

    def used_last_hour(self) -> int:
        """Requests sent in the last 3600 s: the status line's `API 37/h`."""
        self._forget_old()
        return len(self._sent)

    def remaining(self) -> int:
        return max(0, self.per_hour - self.used_last_hour())

    def seconds_until_available(self, count: int = 1) -> float:
        """How long until `count` more requests may be sent (0 when they may be sent now)."""
        self._forget_old()
        count = min(max(1, count), self.per_hour)
        if len(self._sent) + count <= self.per_hour:
            return 0.0
        # The last request that must leave the window before `count` more fit in it.
        blocking = self._sent[len(self._sent) + count - self.per_hour - 1]
        return max(0.0, blocking + WINDOW - self._now())

    async def acquire(self) -> float:
        """Wait until one more request fits in the window, then count it as sent; returns the
        stamp it was counted under (for `refund`)."""
        async with self._lock:
            wait = self.seconds_until_available()
            while wait > 0:
                await self._sleep(wait)
                wait = self.seconds_until_available()
            stamp = self._now()
            self._sent.append(stamp)
            return stamp

    def refund(self, stamp: float) -> None:
        """Uncount a request that never reached the server (no connection could be made): an
        outage must not use up the hour's share, nor show as API use."""
        with contextlib.suppress(ValueError):  # already out of the window
            self._sent.remove(stamp)
