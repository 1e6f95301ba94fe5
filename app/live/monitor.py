"""What the Uptime and Insights sections compute from their answers: no Textual here.

How close a certificate or domain is to expiring, when a downtime began, and when to ask again
(durations in words are `app.durations`): uptime checks run on the monitor's own schedule
(`next_check_at`) and insights are written by a daily job (`next_insight_job_scheduled_at`), so
polling sooner than those hints only spends the request budget on answers that cannot have
changed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from app.api import Downtime

# A check's result reaches the API a moment after the check itself.
CHECK_GRACE = 5.0
# Never closer than this, whatever the hint says (a clock skewed against the server's).
MIN_WAIT = 5.0
# A monitor checked hourly still gets a look now and then; an insight job an hour away too.
MAX_WAIT = 3600.0
# An insight appears some minutes after its job starts: hourly polls find it within the hour.
INSIGHT_WAIT = 3600.0
# A check or a job that is due but not reported yet: look again soon, not in a tight loop.
OVERDUE_WAIT = 30.0
INSIGHT_OVERDUE_WAIT = 600.0
# Lasting answers (no monitor, no plan) are rechecked this rarely: they change by hand.
LASTING_WAIT = 900.0
SOON_DAYS = 14


# -- certificates and domains -------------------------------------------------------------------


class Level(Enum):
    OK = "ok"
    SOON = "soon"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Expiry:
    expires_at: datetime | None
    days_left: int | None
    level: Level


def expiry(
    expires_at: datetime | None,
    days_left: int | None,
    *,
    now: datetime,
    expired: bool | None = None,
    expiring_soon: bool | None = None,
    soon_days: int = SOON_DAYS,
) -> Expiry:
    """How close an expiry is. The server's own flags count too (it warns about domains a month
    ahead); so does the date itself, which stays right when a cached answer's flags are late."""
    if days_left is None and expires_at is not None:
        days_left = math.floor((expires_at - now).total_seconds() / 86400)
    if (
        expired
        or (expires_at is not None and expires_at <= now)
        or (days_left is not None and days_left < 0)
    ):
        level = Level.EXPIRED
    elif expiring_soon or (days_left is not None and days_left <= soon_days):
        level = Level.SOON
    elif days_left is not None:
        level = Level.OK
    else:
        level = Level.UNKNOWN
    return Expiry(expires_at, days_left, level)


# -- downtimes ----------------------------------------------------------------------------------


def is_ongoing(downtime: Downtime) -> bool:
    if downtime.ongoing is not None:
        return downtime.ongoing
    return downtime.ended_at is None and downtime.started_at is not None


def down_since(downtimes: Sequence[Downtime]) -> datetime | None:
    """When the downtime still going on began (the newest one, if the list has several)."""
    starts = [d.started_at for d in downtimes if is_ongoing(d) and d.started_at is not None]
    return max(starts) if starts else None


def downtime_seconds(downtime: Downtime, now: datetime) -> float | None:
    """How long it lasted, or has lasted so far: measured, since the API's words lag."""
    if downtime.started_at is not None:
        end = downtime.ended_at or (now if is_ongoing(downtime) else None)
        if end is not None:
            return max(0.0, (end - downtime.started_at).total_seconds())
    if downtime.duration is not None:
        return float(downtime.duration)
    return None


# -- when to ask again --------------------------------------------------------------------------


def check_poll_in(next_check_at: datetime | None, now: datetime, *, fallback: float) -> float:
    """Seconds until the poll that sees the next check's result.

    Without a hint (monitor disabled) there is nothing to aim at: the user's refresh interval
    applies. A hint already past (the result is late, or the monitor auto-paused) is retried
    every half minute at most.
    """
    if next_check_at is None:
        return _clamp(fallback)
    wait = (next_check_at - now).total_seconds() + CHECK_GRACE
    if wait < MIN_WAIT:
        return _clamp(min(fallback, OVERDUE_WAIT))
    return _clamp(wait)


def insight_poll_in(next_job_at: datetime | None, now: datetime) -> float:
    """Seconds until the next look at the insights: when the job runs, or within the hour."""
    if next_job_at is None:
        return INSIGHT_WAIT
    wait = (next_job_at - now).total_seconds() + CHECK_GRACE
    if wait < MIN_WAIT:
        # The job is running (or the answer is stale): its insight takes minutes to write.
        return INSIGHT_OVERDUE_WAIT
    return min(wait, INSIGHT_WAIT)


def _clamp(seconds: float) -> float:
    return min(MAX_WAIT, max(MIN_WAIT, seconds))
