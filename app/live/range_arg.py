"""A time range as a user types it on the command line (`--range 7d`), read in one place.

The dashboard's four rolling presets, or UTC days `YYYY-MM-DD..YYYY-MM-DD` (both included): the
start not after the end, at most the API's 365 days, and nothing after today. A longer span is
refused rather than cut: a script asking for a calendar year of 366 days must not get 365 of
them while believing it has all (the range dialog cuts its presets instead, and says so).
"""

from __future__ import annotations

from datetime import date

from app.live.ranges import DayRange, Range, RangeKind, days_problem

# What each preset is called on the command line, in the order help lists them.
PRESETS: dict[str, RangeKind] = {
    "24h": RangeKind.DAY,
    "7d": RangeKind.WEEK,
    "30d": RangeKind.MONTH,
    "12mo": RangeKind.YEAR,
}
# How much of a rejected value a message quotes.
_QUOTED = 40
DAYS_FORM = "YYYY-MM-DD..YYYY-MM-DD"


def range_words() -> str:
    """The accepted spellings, for help and messages: `24h, 7d, 30d, 12mo or YYYY-...`."""
    return f"{', '.join(PRESETS)} or {DAYS_FORM}"


def range_name(kind: Range) -> str:
    """How the command line spells a range (`7d`, `2026-01-01..2026-01-31`), the inverse of
    `parse_range`; a calendar preset by the days it covers."""
    if isinstance(kind, DayRange):
        return f"{kind.first.isoformat()}..{kind.last.isoformat()}"
    return next(name for name, preset in PRESETS.items() if preset is kind)


def parse_range(text: str, today: date | None = None) -> Range:
    """The range `text` names; ValueError with a one-line message when it names none. Days
    after `today` are refused when it is given (the command line knows its clock late)."""
    cleaned = text.strip().lower()
    kind = PRESETS.get(cleaned)
    if kind is not None:
        return kind
    start, dots, end = cleaned.partition("..")
    if not dots:
        raise ValueError(f"{text[:_QUOTED]!r} is not a range: use {range_words()}")
    first, last = _day(start, text), _day(end, text)
    problem = days_problem(first, last, today or last)
    if problem:
        raise ValueError(f"{text[:_QUOTED]!r}: {problem}")
    return DayRange(first, last)


def future_problem(kind: Range, today: date) -> str | None:
    """Why a range read without the clock cannot be asked for on `today` (days to come)."""
    if isinstance(kind, DayRange) and kind.last > today:
        return f"--range {range_name(kind)}: {kind.last} is in the future: today is {today} (UTC)"
    return None


def _day(part: str, text: str) -> date:
    try:
        if len(part.strip()) != len("YYYY-MM-DD"):
            raise ValueError
        return date.fromisoformat(part.strip())
    except ValueError:
        raise ValueError(
            f"{text[:_QUOTED]!r}: {part.strip()[:_QUOTED]!r} is not a date ({DAYS_FORM})"
        ) from None
