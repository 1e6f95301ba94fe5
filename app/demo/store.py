"""Caches of generated days, and read-only views of one day (complete, or up to a second).

A day is a pure function of (seed, site, scale, date), so caches are shared by every World in
the process: tests that start a fresh server each time do not regenerate the same days.
Per-day aggregates are small and kept for good; the bulky parts (session codes, time-ordered
hits) live in size-bounded LRU caches and are regenerated, identically, when needed again.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from functools import cached_property
from typing import Protocol, TypeVar

from app.demo.days import Day, DayHits, take
from app.demo.traffic import COUNTRY_CODES, DEVICES, REFERRER_NAMES, SiteTraffic

T = TypeVar("T")
DayKey = tuple[tuple[int, int, float], date]


class _Lru:
    """An LRU cache bounded by the total weight (hits) of what it holds."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.weight = 0
        self.items: OrderedDict[DayKey, tuple[object, int]] = OrderedDict()

    def get(self, key: DayKey) -> object | None:
        entry = self.items.get(key)
        if entry is None:
            return None
        self.items.move_to_end(key)
        return entry[0]

    def put(self, key: DayKey, value: object, weight: int) -> None:
        self.items[key] = (value, weight)
        self.weight += weight
        while self.weight > self.capacity and len(self.items) > 1:
            _, (_, w) = self.items.popitem(last=False)
            self.weight -= w

    def clear(self) -> None:
        self.items.clear()
        self.weight = 0


class DayStore:
    def __init__(self, max_day_hits: int = 6_000_000, max_materialized_hits: int = 2_500_000):
        self.lock = threading.RLock()
        self._days = _Lru(max_day_hits)
        self._hits = _Lru(max_materialized_hits)
        self._plans: dict[DayKey, tuple[int, int, int]] = {}
        self._aggs: dict[tuple[DayKey, str], object] = {}
        self._partials: dict[DayKey, PartialView] = {}

    def clear(self) -> None:
        with self.lock:
            self._days.clear()
            self._hits.clear()
            self._plans.clear()
            self._aggs.clear()
            self._partials.clear()

    def day(self, traffic: SiteTraffic, when: date) -> Day:
        key = (traffic.cache_key, when)
        with self.lock:
            day = self._days.get(key)
            if not isinstance(day, Day):
                day = Day(traffic, when)
                self._days.put(key, day, day.total + 1)
                self._plans[key] = (day.total, day.sessions, day.multi)
            return day

    def plan(self, traffic: SiteTraffic, when: date) -> tuple[int, int, int]:
        """(hits, sessions, multi-page sessions) of a complete day."""
        key = (traffic.cache_key, when)
        with self.lock:
            plan = self._plans.get(key)
            if plan is None:
                self.day(traffic, when)
                plan = self._plans[key]
            return plan

    def hits(self, traffic: SiteTraffic, when: date) -> DayHits:
        key = (traffic.cache_key, when)
        with self.lock:
            hits = self._hits.get(key)
            if not isinstance(hits, DayHits):
                hits = DayHits(self.day(traffic, when))
                self._hits.put(key, hits, len(hits.times) + 1)
            return hits

    def aggregate(
        self, traffic: SiteTraffic, when: date, name: str, compute: Callable[[Day], T]
    ) -> T:
        key = ((traffic.cache_key, when), name)
        with self.lock:
            if key in self._aggs:
                return self._aggs[key]  # type: ignore[return-value]
            value = compute(self.day(traffic, when))
            self._aggs[key] = value
            return value

    def partial(self, traffic: SiteTraffic, when: date, second: int) -> PartialView:
        """Today up to `second`; the latest one is kept, as a frozen or slow clock asks for
        the same cut again and again."""
        key = (traffic.cache_key, when)
        with self.lock:
            view = self._partials.get(key)
            if view is None or view.second != second:
                view = PartialView(self, traffic, when, second)
                self._partials[key] = view
            return view


STORE = DayStore()


class DayView(Protocol):
    """What one day offers queries: totals, counters indexed by code, and the hits."""

    traffic: SiteTraffic
    date: date
    total: int  # hits visible in this view

    @property
    def sessions(self) -> int: ...
    @property
    def multi(self) -> int: ...

    def day(self) -> Day: ...
    def hits(self) -> DayHits: ...
    def path_counts(self) -> Sequence[int]: ...
    def attr_counts(self) -> tuple[Sequence[int], Sequence[int], Sequence[int]]: ...
    def path_unique(self) -> Sequence[int]: ...
    def entry_exit_counts(self) -> tuple[Sequence[int], Sequence[int]]: ...
    def hour_counts(self) -> Sequence[int]: ...
    def session_counts(self) -> dict[int, int]: ...


def _hour_counts(hits: DayHits, limit: int) -> list[int]:
    hours = Counter(t // 3600 for t in hits.times[:limit])
    return [hours.get(h, 0) for h in range(24)]


class FullView:
    """A completed day: aggregates come from the cheap generators and are kept."""

    def __init__(self, store: DayStore, traffic: SiteTraffic, when: date) -> None:
        self.store = store
        self.traffic = traffic
        self.date = when
        self.total, self.sessions, self.multi = store.plan(traffic, when)

    def day(self) -> Day:
        return self.store.day(self.traffic, self.date)

    def hits(self) -> DayHits:
        return self.store.hits(self.traffic, self.date)

    def path_counts(self) -> Sequence[int]:
        return self.store.aggregate(self.traffic, self.date, "paths", Day.path_counts)

    def attr_counts(self) -> tuple[Sequence[int], Sequence[int], Sequence[int]]:
        return self.store.aggregate(self.traffic, self.date, "attrs", Day.attr_counts)

    def path_unique(self) -> Sequence[int]:
        return self.store.aggregate(self.traffic, self.date, "unique", Day.path_unique)

    def entry_exit_counts(self) -> tuple[Sequence[int], Sequence[int]]:
        return self.store.aggregate(self.traffic, self.date, "entry_exit", Day.entry_exit_counts)

    def hour_counts(self) -> Sequence[int]:
        return self.store.aggregate(
            self.traffic, self.date, "hours", lambda d: _hour_counts(self.hits(), d.total)
        )

    def session_counts(self) -> dict[int, int]:
        day = self.day()
        return {s: g.pages for g in day.groups for s in range(g.first, g.end)}


class PartialView:
    """Today: the hits up to now, computed from the time-ordered hits."""

    def __init__(self, store: DayStore, traffic: SiteTraffic, when: date, second: int) -> None:
        self.store = store
        self.traffic = traffic
        self.date = when
        self.second = second
        self._hits = store.hits(traffic, when)
        self.total = self._hits.count_until(second)
        self._sessions = self._hits.sessions[: self.total]
        self._paths = self._hits.paths[: self.total]

    @cached_property
    def _session_counts(self) -> dict[int, int]:
        return dict(Counter(self._sessions))

    @property
    def sessions(self) -> int:
        return len(self._session_counts)

    @cached_property
    def multi(self) -> int:
        return sum(1 for c in self._session_counts.values() if c > 1)

    def day(self) -> Day:
        return self._hits.day

    def hits(self) -> DayHits:
        return self._hits

    def path_counts(self) -> Sequence[int]:
        counts = Counter(self._paths)
        return [counts.get(i, 0) for i in range(len(self.traffic.paths))]

    def attr_counts(self) -> tuple[Sequence[int], Sequence[int], Sequence[int]]:
        sessions = list(self._sessions)
        result: list[list[int]] = []
        for codes, size in zip(
            self.day().attrs, (len(REFERRER_NAMES), len(COUNTRY_CODES), len(DEVICES)), strict=False
        ):
            counts = Counter(take(codes, sessions))
            result.append([counts.get(i, 0) for i in range(size)])
        return result[0], result[1], result[2]

    def path_unique(self) -> Sequence[int]:
        counts = Counter(p for _, p in set(zip(self._sessions, self._paths, strict=False)))
        return [counts.get(i, 0) for i in range(len(self.traffic.paths))]

    def entry_exit_counts(self) -> tuple[Sequence[int], Sequence[int]]:
        n = len(self.traffic.paths)
        # Hits are in time order: the last write per session is its exit, reversed its entry.
        exits = dict(zip(self._sessions, self._paths, strict=False))
        entries = dict(zip(reversed(self._sessions), reversed(self._paths), strict=False))
        entry_counts, exit_counts = Counter(entries.values()), Counter(exits.values())
        return (
            [entry_counts.get(i, 0) for i in range(n)],
            [exit_counts.get(i, 0) for i in range(n)],
        )

    def hour_counts(self) -> Sequence[int]:
        return _hour_counts(self._hits, self.total)

    def session_counts(self) -> dict[int, int]:
        return self._session_counts
