"""The demo world's clock: real time by default; tests freeze, set or fast-forward it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    """`now()` = start + (elapsed real time × speed) + advances. Thread-safe."""

    def __init__(
        self, start: datetime | None = None, *, frozen: bool = False, speed: float = 1.0
    ) -> None:
        self._lock = threading.Lock()
        self._base = _utc(start or datetime.now(UTC))
        self._real = time.monotonic()
        self._frozen = frozen
        self._speed = speed

    def now(self) -> datetime:
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> datetime:
        if self._frozen:
            return self._base
        elapsed = (time.monotonic() - self._real) * self._speed
        return self._base + timedelta(seconds=elapsed)

    def _rebase(self, when: datetime) -> None:
        self._base, self._real = when, time.monotonic()

    def set(self, when: datetime) -> None:
        with self._lock:
            self._rebase(_utc(when))

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._rebase(self._now_locked() + timedelta(seconds=seconds))

    def freeze(self) -> None:
        with self._lock:
            self._rebase(self._now_locked())
            self._frozen = True

    def unfreeze(self) -> None:
        with self._lock:
            self._rebase(self._now_locked())
            self._frozen = False

    @property
    def frozen(self) -> bool:
        return self._frozen

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        with self._lock:
            self._rebase(self._now_locked())
            self._speed = value


def _utc(when: datetime) -> datetime:
    """Aware and in UTC; a naive time is taken to be UTC already (not the machine's zone)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
