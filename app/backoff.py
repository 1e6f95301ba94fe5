"""The one backoff policy: how long to wait after the n-th failure in a row.

Exponential from a first wait, capped, with jitter so that many clients (or many feeds of one
app) that failed together do not come back together. The exponent is bounded so that a very
long outage cannot overflow a float or a timedelta.
"""

from __future__ import annotations

import random

# A wait is drawn from [JITTER_LOW, JITTER_HIGH] times the exponential step.
JITTER_LOW = 0.8
JITTER_HIGH = 1.2
_MAX_EXPONENT = 30


def step(failures: int, *, first: float, cap: float) -> float:
    """The wait after `failures` failures in a row, without jitter: first, 2 x first, ...,
    never more than `cap`."""
    exponent = min(max(0, failures - 1), _MAX_EXPONENT)
    return min(cap, first * 2.0**exponent)


def delay(failures: int, *, first: float, cap: float) -> float:
    """`step()` with jitter (between 0.8 and 1.2 times)."""
    return step(failures, first=first, cap=cap) * random.uniform(JITTER_LOW, JITTER_HIGH)


def full_jitter(attempt: int, *, first: float, cap: float) -> float:
    """Anywhere from 0 to the step: for quick retries inside one request, where spreading
    clients out matters more than waiting a minimum."""
    return random.uniform(0.0, step(attempt + 1, first=first, cap=cap))
