"""Durations and ages in words: the one place that turns a number of seconds into text.

Two styles, one rule:

- `compact` is for where space is tight (status lines, table cells, ticking clocks):
  `53s`, `4m 07s`, `1h 02m`, `2d 3h`; with `parts=1`: `53s`, `4m`, `1h`, `2d`. Every part after
  the first is always shown, zero-padded where it is minutes or seconds, so that a ticking clock
  keeps its width (`20m 00s`).
- `words` is for prose: `45 seconds`, `1 minute`, `1 hour 5 minutes`, `2 days`. It stops at the
  first part that is zero (`2 days`, never `2 days 0 hours` nor `2 days 5 minutes`), and says
  `less than a minute` (or a second, an hour...) for what is under its smallest unit.

The rounding rule, for both styles and for ages, waits and countdowns alike: **floor to the
smallest unit shown**. `parts` is how many units at most (the largest non-zero one and those
right below it); `smallest` is the finest unit either style will show. So 4 min 59 s is `4m` with
`parts=1`, 1 h 59 min is `1 hour` with `words(..., parts=1)`, and a countdown with 0.4 s left
shows `0s` (a screen that counts down says "due now" under a second instead). Negative amounts
read as zero, as does NaN.

No Textual here, and nothing from app.ui or app.live: app.api uses this module too.
"""

from __future__ import annotations

import math
from typing import Final, Literal

Unit = Literal["day", "hour", "minute", "second"]

MINUTE: Final = 60
HOUR: Final = 3600
DAY: Final = 86400

# Largest first: (name, seconds, compact suffix).
_UNITS: Final[tuple[tuple[Unit, int, str], ...]] = (
    ("day", DAY, "d"),
    ("hour", HOUR, "h"),
    ("minute", MINUTE, "m"),
    ("second", 1, "s"),
)
_SIZE: Final[dict[Unit, int]] = {name: size for name, size, _ in _UNITS}
# Far beyond any real duration; keeps int() away from infinity.
_LONGEST: Final = 10**12


def whole_seconds(seconds: float) -> int:
    """The floored, non-negative whole seconds both styles start from (NaN reads as zero)."""
    if math.isnan(seconds):
        return 0
    return int(min(max(0.0, seconds), _LONGEST))


def _split(seconds: float, parts: int, smallest: Unit) -> list[tuple[int, Unit, str]]:
    """The counts to show, largest unit first: empty when under one `smallest` unit."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    finest = _SIZE[smallest]
    rest = whole_seconds(seconds) // finest * finest  # floor to the smallest unit shown
    shown: list[tuple[int, Unit, str]] = []
    for name, size, suffix in _UNITS:
        if size < finest or len(shown) == parts:
            break
        count, rest = divmod(rest, size)
        if count or shown:
            shown.append((count, name, suffix))
    return shown


def compact(seconds: float, *, parts: int = 2, smallest: Unit = "second") -> str:
    """`53s`, `4m 07s`, `1h 02m`, `2d 3h` (`parts=1`: `4m`, `1h`, `2d`); `0s` for nothing."""
    shown = _split(seconds, parts, smallest)
    if not shown:
        return f"0{_suffix(smallest)}"
    text = [f"{shown[0][0]}{shown[0][2]}"]
    for count, name, suffix in shown[1:]:
        text.append(f"{count:02d}{suffix}" if name in ("minute", "second") else f"{count}{suffix}")
    return " ".join(text)


def words(seconds: float, *, parts: int = 2, smallest: Unit = "second") -> str:
    """`45 seconds`, `1 hour 5 minutes`, `2 days`; `less than a minute` under `smallest`."""
    shown = _split(seconds, parts, smallest)
    if not shown:
        return f"less than {'an' if smallest == 'hour' else 'a'} {smallest}"
    text: list[str] = []
    for count, name, _ in shown:
        if not count:
            break  # "2 days 5 minutes" reads oddly, "2 days 0 hours" more so: stop at a gap
        text.append(f"{count} {name}" if count == 1 else f"{count} {name}s")
    return " ".join(text)


def _suffix(unit: Unit) -> str:
    return next(suffix for name, _, suffix in _UNITS if name == unit)
