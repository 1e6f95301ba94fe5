"""Time ranges of the dashboard and their buckets.

The API filters by whole UTC days, so every range is described twice: as the exact window the
user sees (the last 24 hours, the last 7 UTC days including today, ...) and as the UTC days that
must be asked for to cover it.

A range is one of the four rolling presets (`RangeKind`: the last 24 hours, 7 days, 30 days, 12
months) or a `DayRange`: UTC days from a first to a last, both included, typed or chosen from a
calendar preset (`DayPreset`: today, last month, ...). A calendar preset moves with the clock
(`resolve`); typed dates stay. Either way a range covers at most the API's 365 days.

Day buckets are UTC days, because that is what the API counts. The 24-hour preset's hourly
buckets are built from raw hits, so they follow the user's local hours (`app.localtime`): in a
zone half an hour off UTC they start at half past a UTC hour. A day range is its UTC days
exactly, also when hourly (one or two days), so that its chart and its panels count the same
hits. Its buckets fit its length: hours up to 2 days, days up to 92 (a quarter), weeks beyond.

A range that reaches today has a newest bucket still filling. The comparison period has the
same buckets, moved back by the range's length (the previous period) or by a year (the same
period a year earlier, `Compare`); either is compared like for like: up to `Window.cut`, the
moment of the comparison period as far into it as now is into the current.
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from app import localtime

# The longest range the API takes in one request (docs/api-notes.md).
MAX_DAYS = 365
# A day range of up to this many days is charted by hour, up to DAILY_DAYS by day, beyond by week.
HOURLY_DAYS = 2
DAILY_DAYS = 92
# The earliest day a range may start on: the API's dates are sane from 2000 on.
EARLIEST = date(2000, 1, 1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)


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


class DayPreset(enum.Enum):
    """Calendar ranges of UTC days, as of the day they are looked at (`preset_range`)."""

    TODAY = "today"
    YESTERDAY = "yesterday"
    THIS_WEEK = "this week"
    LAST_WEEK = "last week"
    THIS_MONTH = "this month"
    LAST_MONTH = "last month"
    LAST_90_DAYS = "last 90 days"
    THIS_YEAR = "this year"
    LAST_YEAR = "last year"

    @property
    def label(self) -> str:
        return self.value


class Compare(enum.Enum):
    """What the current period is measured against."""

    PREVIOUS = "previous"  # the period of the same length just before
    YEAR = "year"  # the same period a year earlier


@dataclass(frozen=True)
class DayRange:
    """UTC days `first` to `last`, both included."""

    first: date
    last: date
    # The calendar preset it was chosen as: its days move with the clock (`resolve`).
    preset: DayPreset | None = None
    # The first day asked for, when the range was cut to the API's 365 days.
    clipped_from: date | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """`last month`, or the dates: `Oct 1–31, 2026`."""
        return self.preset.label if self.preset is not None else self.dates

    @property
    def dates(self) -> str:
        return span_words(self.first, self.last)

    @property
    def clip_note(self) -> str | None:
        """One line, when the range was cut to the API's limit."""
        if self.clipped_from is None:
            return None
        return (
            f"{MAX_DAYS} days at most (the API's limit): from {day_words(self.first)}, "
            f"not {day_words(self.clipped_from)}"
        )


# What the dashboard shows: a rolling preset or UTC days.
Range = RangeKind | DayRange


def day_words(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def span_words(first: date, last: date) -> str:
    """`Oct 1–31, 2026`, `Oct 1 to Nov 15, 2026`, `Dec 1, 2025 to Jan 31, 2026`."""
    if first == last:
        return day_words(first)
    if first.year != last.year:
        return f"{day_words(first)} to {day_words(last)}"
    if first.month != last.month:
        return f"{first:%b} {first.day} to {last:%b} {last.day}, {last.year}"
    return f"{first:%b} {first.day}–{last.day}, {last.year}"


def range_label(chosen: Range) -> str:
    return chosen.label


def clipped(first: date, last: date, preset: DayPreset | None = None) -> DayRange:
    """`first` to `last`, its earliest days left out beyond the API's 365 (and said so)."""
    if (last - first).days < MAX_DAYS:
        return DayRange(first, last, preset)
    return DayRange(last - timedelta(days=MAX_DAYS - 1), last, preset, clipped_from=first)


def preset_range(preset: DayPreset, today: date) -> DayRange:
    """The UTC days `preset` stands for on `today`. Weeks begin on Monday; a year longer than
    the API's 365 days (a leap year) loses its first day (`DayRange.clip_note` says so)."""
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    month_before = (month - DAY).replace(day=1)
    spans = {
        DayPreset.TODAY: (today, today),
        DayPreset.YESTERDAY: (today - DAY, today - DAY),
        DayPreset.THIS_WEEK: (monday, today),
        DayPreset.LAST_WEEK: (monday - WEEK, monday - DAY),
        DayPreset.THIS_MONTH: (month, today),
        DayPreset.LAST_MONTH: (month_before, month - DAY),
        DayPreset.LAST_90_DAYS: (today - timedelta(days=89), today),
        DayPreset.THIS_YEAR: (date(today.year, 1, 1), today),
        DayPreset.LAST_YEAR: (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    first, last = spans[preset]
    return clipped(first, last, preset)


def days_problem(first: date, last: date, today: date) -> str | None:
    """Why UTC days `first` to `last` are not a range the API can be asked for, in one line."""
    if first > last:
        return f"the start ({first}) is after the end ({last})"
    if last > today:
        return f"{last} is in the future: today is {today} (UTC)"
    if first < EARLIEST:
        return f"{first} is too early: ranges start in {EARLIEST.year} at the earliest"
    days = (last - first).days + 1
    if days > MAX_DAYS:
        return f"{days} days is too long: the API takes at most {MAX_DAYS}"
    return None


def resolve(chosen: Range, today: date) -> Range:
    """The range as of `today`: a calendar preset's days move with the clock."""
    if isinstance(chosen, DayRange) and chosen.preset is not None:
        return preset_range(chosen.preset, today)
    return chosen


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
    # The range, as of `now` (a calendar preset's days resolved).
    kind: Range
    current: Period
    # The period compared with: the one before, or a year earlier (`compare`).
    previous: Period
    # The moment the current period runs to: now, or its end when it ended before now (None in
    # a snapshot kept by an older version).
    now: datetime | None = None
    compare: Compare = Compare.PREVIOUS

    @property
    def step(self) -> timedelta:
        # The newest bucket is whole-sized; a day range's oldest week may be short.
        last = self.current.buckets[-1]
        return last.end - last.start

    @property
    def hourly(self) -> bool:
        return self.step <= HOUR

    @property
    def weekly(self) -> bool:
        return self.step >= WEEK

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def ongoing(self) -> bool:
        """The current period runs to now: its newest bucket is still filling."""
        return self.now is None or self.now < self.current.end

    @property
    def cut(self) -> datetime | None:
        """The moment as far into the comparison period as `now` is into the current one: the
        comparison period up to here is the like-for-like comparison."""
        if self.now is None:
            return None
        return self.now - (self.current.start - self.previous.start)


@dataclass(frozen=True)
class Comparison:
    """The change against the comparison period, over equal spans.

    `same_moment`: the current period up to now against the comparison period up to its `cut`
    (the same moment as far into it). Otherwise complete buckets only: the filling one (today,
    this hour, this week) is left out on both sides, and the screen says so."""

    current: int
    previous: int
    same_moment: bool = True

    @property
    def change(self) -> float | None:
        """In percent; None when the previous span had no hits (no ratio to give)."""
        if not self.previous:
            return None
        return (self.current - self.previous) / self.previous * 100


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def a_year_before(moment: datetime) -> datetime:
    """The same date and time a year earlier; February 29 becomes February 28."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


def window(
    kind: Range,
    now: datetime,
    zone: tzinfo | None = None,
    compare: Compare = Compare.PREVIOUS,
) -> Window:
    """The buckets of range `kind` as of `now`, and the same buckets of the period compared
    with: the one just before (as long as the range), or a year earlier.

    The 24-hour preset's hourly buckets follow the local hours of `zone` (by default the
    user's, `app.localtime`)."""
    now = now.astimezone(UTC)
    chosen = resolve(kind, now.date())
    if isinstance(chosen, DayRange):
        current = _day_buckets(chosen, now)
        length = timedelta(days=chosen.days)
    else:
        current, length = _preset_buckets(chosen, now, zone)
    shift = (
        length
        if compare is Compare.PREVIOUS
        else current[0].start - a_year_before(current[0].start)
    )
    previous = [Bucket(b.start - shift, b.end - shift) for b in current]
    runs_to = min(now, current[-1].end)
    return Window(chosen, Period(tuple(current)), Period(tuple(previous)), runs_to, compare)


def _preset_buckets(
    kind: RangeKind, now: datetime, zone: tzinfo | None
) -> tuple[list[Bucket], timedelta]:
    """The buckets of a rolling preset, ending with the one now is in, and their span."""
    if kind is RangeKind.DAY:
        # 24 hourly buckets; the last is the hour in progress. Local hours start where the
        # zone's offset puts them; every zone's offset is whole quarter hours, and a change of
        # offset in the window (daylight saving) moves them by whole hours (or half, on Lord
        # Howe Island, whose buckets then straddle a local hour: acceptable).
        local = now.astimezone(zone) if zone is not None else localtime.local(now)
        offset = local.utcoffset() or timedelta(0)
        shifted = now + offset
        top = shifted.replace(minute=0, second=0, microsecond=0) + HOUR - offset
        step, count = HOUR, 24
    else:
        top = midnight(now.date() + DAY)
        step, count = {
            RangeKind.WEEK: (DAY, 7),
            RangeKind.MONTH: (DAY, 30),
            RangeKind.YEAR: (WEEK, 52),
        }[kind]
    edges = [top - step * i for i in range(count, -1, -1)]
    return [Bucket(a, b) for a, b in itertools.pairwise(edges)], step * count


def step_of(days: int) -> timedelta:
    """The bucket that fits a range of `days` days: an hour, a day or a week."""
    if days <= HOURLY_DAYS:
        return HOUR
    return DAY if days <= DAILY_DAYS else WEEK


def _day_buckets(days: DayRange, now: datetime) -> list[Bucket]:
    """Buckets that fit the days' length: UTC hours, days, or weeks counted back from the last
    day (the oldest week then may be short, and starts on the first day)."""
    start, end = midnight(days.first), midnight(days.last + DAY)
    step = step_of(days.days)
    if step == HOUR:
        # Up to the hour in progress: the hours after it cannot have hits yet.
        this_hour = now.replace(minute=0, second=0, microsecond=0) + HOUR
        stop = max(start + HOUR, min(end, this_hour))
        edges = _steps(start, stop, HOUR)
    elif step == DAY:
        edges = _steps(start, end, DAY)
    else:
        back = [end - WEEK * i for i in range(days.days // 7 + 1)]
        edges = sorted({start, *(edge for edge in back if edge >= start)})
    return [Bucket(a, b) for a, b in itertools.pairwise(edges)]


def _steps(start: datetime, stop: datetime, step: timedelta) -> list[datetime]:
    """`start`, `start + step`, ... up to and including `stop`."""
    count = round((stop - start) / step)
    return [start + step * i for i in range(count + 1)]
