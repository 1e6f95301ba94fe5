"""Durations in words: the two styles of app.durations and their one rounding rule (floor)."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.durations import DAY, HOUR, MINUTE, compact, whole_seconds, words


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0s"),
        (-4, "0s"),
        (0.2, "0s"),  # floored: a countdown's screen says "due now" under a second instead
        (53, "53s"),
        (59.99, "59s"),
        (247, "4m 07s"),
        (380, "6m 20s"),
        (20 * MINUTE, "20m 00s"),  # a ticking clock keeps its width
        (3720, "1h 02m"),
        (HOUR + 125, "1h 02m"),
        (90000, "1d 1h"),
        (2 * DAY + 3 * HOUR, "2d 3h"),
        (2 * DAY + 3 * HOUR + 59 * MINUTE, "2d 3h"),
    ],
)
def test_compact(seconds: float, expected: str) -> None:
    assert compact(seconds) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0s"),
        (12, "12s"),
        (5 * MINUTE + 59, "5m"),
        (15 * MINUTE, "15m"),
        (3 * HOUR + 20 * MINUTE, "3h"),
        (2 * DAY + 23 * HOUR, "2d"),
    ],
)
def test_compact_one_part(seconds: float, expected: str) -> None:
    assert compact(seconds, parts=1) == expected


def test_compact_smallest_unit() -> None:
    assert compact(59, smallest="minute") == "0m"
    assert compact(HOUR + 59 * MINUTE + 59, smallest="minute") == "1h 59m"
    assert compact(3 * DAY + 5 * HOUR, parts=3, smallest="minute") == "3d 5h 00m"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "less than a minute"),
        (59.9, "less than a minute"),
        (-5, "less than a minute"),
        (60, "1 minute"),
        (900, "15 minutes"),
        (3600, "1 hour"),
        (3900, "1 hour 5 minutes"),
        (2 * 3600 + 59, "2 hours"),
        (86400, "1 day"),
        (2 * 86400 + 300, "2 days"),  # no "0 hours" in between, and no "5 minutes" after a gap
        (4583052, "53 days 1 hour"),  # the contract's example, "53 days" in its words
    ],
)
def test_words_to_the_minute(seconds: float, expected: str) -> None:
    assert words(seconds, smallest="minute") == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.5, "less than a second"),
        (1, "1 second"),
        (45, "45 seconds"),
        (120, "2 minutes"),
        (150, "2 minutes 30 seconds"),
        (5400, "1 hour 30 minutes"),
        (HOUR + 59, "1 hour"),
    ],
)
def test_words(seconds: float, expected: str) -> None:
    assert words(seconds) == expected


def test_words_one_part() -> None:
    assert words(119 * MINUTE, parts=1, smallest="minute") == "1 hour"
    assert words(12 * MINUTE + 59, parts=1) == "12 minutes"
    assert words(30 * MINUTE, smallest="hour") == "less than an hour"


def test_odd_numbers_read_as_zero_or_very_long() -> None:
    assert compact(math.nan) == "0s"
    assert words(-math.inf) == "less than a second"
    assert compact(math.inf, parts=1).endswith("d")
    assert whole_seconds(59.999) == 59


def test_parts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="parts"):
        compact(5, parts=0)


_COMPACT = {"d": DAY, "h": HOUR, "m": MINUTE, "s": 1}
_WORDS = {"day": DAY, "hour": HOUR, "minute": MINUTE, "second": 1}


def _compact_seconds(text: str) -> int:
    return sum(int(n) * _COMPACT[u] for n, u in re.findall(r"(\d+)([dhms])", text))


def _words_seconds(text: str) -> int:
    return sum(int(n) * _WORDS[u] for n, u in re.findall(r"(\d+) (day|hour|minute|second)", text))


@given(st.floats(min_value=0, max_value=400 * DAY), st.integers(min_value=1, max_value=4))
def test_both_styles_floor_to_the_smallest_unit_shown(seconds: float, parts: int) -> None:
    short, long = compact(seconds, parts=parts), words(seconds, parts=parts)
    # What is shown never exceeds the duration, and is less than one smallest unit short of it.
    shown = _compact_seconds(short)
    finest = _COMPACT[short[-1]]  # the last unit shown
    assert shown <= seconds < shown + finest
    assert _words_seconds(long) <= seconds
    # The two styles agree up to the first zero part, where words stops.
    assert _words_seconds(long) <= shown
