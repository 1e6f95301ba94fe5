"""Time ranges of the dashboard and their buckets.

The API filters by whole UTC days, so every range is described twice: as the exact window the
user sees (the last 24 hours, the last 7 UTC days including today, ...) and as the UTC days that
must be asked for to cover it.
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


class RangeKind(enum.Enum):
    DAY = "t"
    WEEK = "w"
    MONTH = "m"
    YEAR = "y"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    RangeKind.DAY: "last 24 hours",
    RangeKind.WEEK: "last 7 days",
    RangeKind.MONTH: "last 30 days",
    RangeKind.YEAR: "last 12 months",
}


@dataclass(frozen=True)
class Bucket:
    """One point of a chart: the half-open interval [start, end) in UTC."""

    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        # `end` is exclusive; a bucket ending at midnight covers the day before.
        return (self.end - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class Period:
    buckets: tuple[Bucket, ...]

    @property
    def start(self) -> datetime:
        return self.buckets[0].start

    @property
    def end(self) -> datetime:
        return self.buckets[-1].end

    @property
    def first_day(self) -> date:
        return self.buckets[0].first_day

    @property
    def last_day(self) -> date:
        return self.buckets[-1].last_day

    def days(self) -> list[date]:
        return days_between(self.first_day, self.last_day)


@dataclass(frozen=True)
class Window:
    kind: RangeKind
    current: Period
    previous: Period

    @property
    def hourly(self) -> bool:
        return self.kind is RangeKind.DAY


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def window(kind: RangeKind, now: datetime) -> Window:
    """The buckets of `kind` ending now, and the same number of buckets just before them."""
    now = now.astimezone(UTC)
    if kind is RangeKind.DAY:
        # 24 hourly buckets; the last is the hour in progress.
        top = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        step, count = timedelta(hours=1), 24
    else:
        top = midnight(now.date() + timedelta(days=1))
        step, count = {
            RangeKind.WEEK: (timedelta(days=1), 7),
            RangeKind.MONTH: (timedelta(days=1), 30),
            RangeKind.YEAR: (timedelta(days=7), 52),
        }[kind]
    edges = [top - step * i for i in range(2 * count, -1, -1)]
    buckets = [Bucket(a, b) for a, b in itertools.pairwise(edges)]
    return Window(kind, Period(tuple(buckets[count:])), Period(tuple(buckets[:count])))
