"""The request budget of one key on this machine: its ledger is a table of the per-key cache.

Each copy of the app keeping its own budget would let two terminals on one key send twice the
share, and the API answers 429 past roughly a thousand an hour. So every request sent by any
process using the same key and base URL is a row of the cache's `requests` table, stamped with
the wall clock (monotonic clocks are not comparable between processes), and `acquire` counts
and inserts in one `BEGIN IMMEDIATE` transaction: two processes can never both take the last
slot. Rows leave as they leave the window, so a crashed process's requests age out as usual.

The file is a convenience, never a condition: while another instance holds it past the busy
timeout a request is counted in this process and written to the ledger with the next
transaction that finds it free; a cache that is closed or turned off (unwritable, broken) turns
this into the in-process budget, said once in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable

from app.api.budget import WINDOW, RequestBudget
from app.live.cache import CacheBusy, CacheOff, SqliteCache

log = logging.getLogger(__name__)

# After a busy file made a request count here only, requests within this many seconds do the
# same without trying the file (each try may hold the event loop for the busy timeout).
BUSY_BACKOFF = 2.0
# Pauses between tries of a busy file before a request is counted here instead.
BUSY_TRIES = 3
BUSY_PAUSE = 0.1


class LedgerBudget(RequestBudget):
    """A `RequestBudget` whose window holds every process's requests on this key.

    The in-process deque (the parent's) still records this process's own requests, on the same
    clock: it is what the budget falls back on, so that falling back starts from what this
    process knows rather than from zero.
    """

    def __init__(
        self,
        per_hour: int,
        cache: SqliteCache,
        *,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(per_hour, now=now, sleep=sleep)
        self.cache = cache
        self._monotonic = monotonic
        # This process's requests in the ledger: stamp -> rows, to refund one.
        self._rows: dict[float, list[int]] = {}
        # Counted here while the file was busy: written with the next transaction that can.
        self._unrecorded: list[float] = []
        self._busy_until = 0.0
        self._last_count = 0
        self._said_off = False
        self._said_busy = False

    def __repr__(self) -> str:
        where = "in this process" if self.falls_back() else "shared"
        return (
            f"LedgerBudget(per_hour={self.per_hour}, used_last_hour={self.used_last_hour()}, "
            f"{where})"
        )

    # -- where the ledger is -------------------------------------------------------------------

    def falls_back(self) -> bool:
        """Whether this budget is in-process now: the cache is closed or off."""
        if self.cache.closed:
            return True  # the account changed: its successor's budget takes over
        if self.cache.off:
            if not self._said_off:
                self._said_off = True
                log.warning(
                    "the request ledger in %s is unavailable: counting this app's requests "
                    "only (other copies of the app on this key are not counted)",
                    self.cache.path,
                )
            return True
        return False

    def _busy(self) -> bool:
        return self._monotonic() < self._busy_until

    def _query(self, body: Callable[[sqlite3.Connection], int]) -> int | None:
        """What a read of the ledger finds, or None when the file is busy or off."""
        if self.falls_back():
            return None
        try:
            return self.cache.at_once(body, write=False)
        except (CacheBusy, CacheOff):
            return None

    # -- counting ------------------------------------------------------------------------------

    def _horizon(self) -> float:
        return self._now() - WINDOW

    def _forget_old(self) -> None:
        super()._forget_old()
        horizon = self._horizon()
        self._unrecorded = [stamp for stamp in self._unrecorded if stamp > horizon]
        for stamp in [stamp for stamp in self._rows if stamp <= horizon]:
            del self._rows[stamp]

    def used_last_hour(self) -> int:
        """Requests sent in the last 3600 s by every process on this key (the status line's
        `API 37/h`); while the file is busy, the last count seen."""
        self._forget_old()
        horizon = self._horizon()
        count = self._query(
            lambda db: int(
                db.execute("SELECT COUNT(*) FROM requests WHERE at > ?", (horizon,)).fetchone()[0]
            )
        )
        if count is None:
            if self.falls_back():
                return super().used_last_hour()
            return max(self._last_count, len(self._sent))
        self._last_count = count + len(self._unrecorded)
        return self._last_count

    def seconds_until_available(self, count: int = 1) -> float:
        self._forget_old()
        if self.falls_back():
            return super().seconds_until_available(count)
        count = min(max(1, count), self.per_hour)
        used = self.used_last_hour()
        if used + count <= self.per_hour:
            return 0.0
        stamps = self._stamps()
        if stamps is None:
            # Busy: judged on this process's own requests and the last count seen.
            return super().seconds_until_available(count) if used < self.per_hour else 1.0
        return self._wait(stamps, count)

    def _stamps(self) -> list[float] | None:
        """Every request in the window, oldest first, or None while the file is busy."""
        if self.falls_back():
            return None
        horizon = self._horizon()
        try:
            rows = self.cache.at_once(
                lambda db: db.execute(
                    "SELECT at FROM requests WHERE at > ? ORDER BY at", (horizon,)
                ).fetchall(),
                write=False,
            )
        except (CacheBusy, CacheOff):
            return None
        return sorted([float(at) for (at,) in rows] + self._unrecorded)

    def _wait(self, stamps: list[float], count: int) -> float:
        """Seconds until `count` more fit in the window holding `stamps` (oldest first)."""
        if len(stamps) + count <= self.per_hour:
            return 0.0
        # The last request that must leave the window before `count` more fit in it. A stamp
        # from a clock set back counts as now: never a wait longer than the window.
        blocking = min(stamps[len(stamps) + count - self.per_hour - 1], self._now())
        return max(0.0, blocking + WINDOW - self._now())

    # -- taking and giving back ----------------------------------------------------------------

    def _take(self, db: sqlite3.Connection) -> tuple[float, int | None, float]:
        """In the ledger's transaction: old rows out, waiting rows in, then one more row if it
        fits. Returns (stamp, row or None, wait)."""
        now = self._now()
        db.execute("DELETE FROM requests WHERE at <= ?", (now - WINDOW,))
        db.executemany("INSERT INTO requests (at) VALUES (?)", [(s,) for s in self._unrecorded])
        used = int(
            db.execute("SELECT COUNT(*) FROM requests WHERE at > ?", (now - WINDOW,)).fetchone()[0]
        )
        if used < self.per_hour:
            row = db.execute("INSERT INTO requests (at) VALUES (?)", (now,)).lastrowid
            return now, row, 0.0
        offset = used - self.per_hour
        blocking = db.execute(
            "SELECT at FROM requests WHERE at > ? ORDER BY at LIMIT 1 OFFSET ?",
            (now - WINDOW, offset),
        ).fetchone()
        wait = 1.0 if blocking is None else max(0.0, min(float(blocking[0]), now) + WINDOW - now)
        return now, None, max(wait, 0.001)

    async def acquire(self) -> float:
        """Wait until one more request fits in every process's window, then count it."""
        async with self._lock:
            tries = 0
            while True:
                if self.falls_back() or self._busy():
                    wait = super().seconds_until_available()
                    if wait <= 0:
                        return self._count_here()
                    await self._sleep(wait)
                    continue
                try:
                    stamp, row, wait = self.cache.at_once(self._take, write=True)
                except CacheOff:
                    continue  # falls back from now on (and says so once)
                except CacheBusy:
                    tries += 1
                    if tries < BUSY_TRIES:
                        await self._sleep(BUSY_PAUSE)
                        continue
                    self._busy_until = self._monotonic() + BUSY_BACKOFF
                    if not self._said_busy:
                        self._said_busy = True
                        log.warning(
                            "the request ledger in %s is busy: counting requests in this app "
                            "until it is free",
                            self.cache.path,
                        )
                    continue
                self._unrecorded.clear()
                if row is not None:
                    self._rows.setdefault(stamp, []).append(row)
                    self._sent.append(stamp)
                    return stamp
                await self._sleep(wait)

    def _count_here(self) -> float:
        stamp = self._now()
        self._sent.append(stamp)
        if not self.falls_back():
            self._unrecorded.append(stamp)
        return stamp

    def refund(self, stamp: float) -> None:
        super().refund(stamp)
        if stamp in self._unrecorded:
            self._unrecorded.remove(stamp)
        rows = self._rows.get(stamp)
        if not rows:
            return
        row = rows.pop()
        if not rows:
            del self._rows[stamp]
        if self.falls_back():
            return

        def delete(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM requests WHERE id = ?", (row,))

        # Busy or off, the row ages out within the hour: one request too many, never too few.
        with contextlib.suppress(CacheBusy, CacheOff):
            self.cache.at_once(delete, write=True)
