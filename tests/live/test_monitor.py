"""The Uptime and Insights sections' arithmetic: expiries, downtimes, when to poll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.api import Downtime
from app.live.monitor import (
    CHECK_GRACE,
    INSIGHT_OVERDUE_WAIT,
    INSIGHT_WAIT,
    MAX_WAIT,
    MIN_WAIT,
    OVERDUE_WAIT,
    Level,
    check_poll_in,
    down_since,
    downtime_seconds,
    expiry,
    insight_poll_in,
    is_ongoing,
)

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


def test_expiry_within_fourteen_days_is_soon() -> None:
    assert expiry(None, 9, now=NOW).level is Level.SOON
    assert expiry(None, 14, now=NOW).level is Level.SOON
    assert expiry(None, 15, now=NOW).level is Level.OK


def test_expiry_counts_days_from_the_date_when_the_api_does_not() -> None:
    item = expiry(NOW + timedelta(days=10, hours=3), None, now=NOW)
    assert item.days_left == 10
    assert item.level is Level.SOON


def test_expired_by_flag_by_days_or_by_date() -> None:
    assert expiry(None, 3, now=NOW, expired=True).level is Level.EXPIRED
    assert expiry(None, -1, now=NOW).level is Level.EXPIRED
    # A stale answer still says "valid, 2 days left": the date has passed all the same.
    past = expiry(NOW - timedelta(hours=1), 2, now=NOW, expired=False, expiring_soon=True)
    assert past.level is Level.EXPIRED


def test_the_servers_own_warning_counts() -> None:
    assert expiry(None, 25, now=NOW, expiring_soon=True).level is Level.SOON


def test_nothing_known_is_unknown() -> None:
    assert expiry(None, None, now=NOW).level is Level.UNKNOWN


def downtime(**fields: object) -> Downtime:
    return Downtime.model_validate(fields)


def test_down_since_is_the_start_of_the_ongoing_downtime() -> None:
    rows = [
        downtime(started_at="2026-11-20T14:14:53.000Z", ended_at=None, ongoing=True),
        downtime(started_at="2026-11-09T00:33:53Z", ended_at="2026-11-09T00:36:53Z"),
    ]
    assert down_since(rows) == datetime(2026, 11, 20, 14, 14, 53, tzinfo=UTC)
    assert down_since(rows[1:]) is None


def test_a_downtime_without_an_end_or_flag_is_ongoing() -> None:
    row = downtime(started_at="2026-11-20T14:00:00Z")
    assert is_ongoing(row)
    assert downtime_seconds(row, NOW) == 1800


def test_downtime_seconds_measures_rather_than_trusting_words() -> None:
    row = downtime(
        started_at="2026-11-09T00:33:53Z",
        ended_at="2026-11-09T00:36:53Z",
        duration=999,
        duration_in_words="17 minutes",
        ongoing=False,
    )
    assert downtime_seconds(row, NOW) == 180
    assert downtime_seconds(downtime(duration="4583052", ongoing=False), NOW) == 4583052
    assert downtime_seconds(downtime(ongoing=False), NOW) is None


def test_poll_just_after_the_next_check() -> None:
    assert check_poll_in(NOW + timedelta(seconds=53), NOW, fallback=60) == 53 + CHECK_GRACE
    assert check_poll_in(NOW + timedelta(hours=5), NOW, fallback=60) == MAX_WAIT


def test_poll_without_a_hint_uses_the_refresh_interval() -> None:
    assert check_poll_in(None, NOW, fallback=120) == 120
    assert check_poll_in(None, NOW, fallback=1) == MIN_WAIT


def test_an_overdue_check_is_retried_soon_but_not_in_a_loop() -> None:
    late = NOW - timedelta(seconds=10)
    assert check_poll_in(late, NOW, fallback=600) == OVERDUE_WAIT
    assert check_poll_in(late, NOW, fallback=15) == 15
    assert check_poll_in(NOW - timedelta(days=3), NOW, fallback=600) >= MIN_WAIT


def test_insights_poll_at_the_job_or_hourly() -> None:
    assert insight_poll_in(NOW + timedelta(minutes=10), NOW) == 600 + CHECK_GRACE
    assert insight_poll_in(NOW + timedelta(hours=10), NOW) == INSIGHT_WAIT
    assert insight_poll_in(None, NOW) == INSIGHT_WAIT
    assert insight_poll_in(NOW - timedelta(minutes=1), NOW) == INSIGHT_OVERDUE_WAIT
