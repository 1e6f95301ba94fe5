"""How the API writes times and durations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def iso_seconds(when: datetime) -> str:
    """`2023-06-04T14:22:00Z`: hits, sites, journeys, leaderboard cache."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(when: datetime) -> str:
    """`2025-10-16T08:20:27.902Z`: insights and uptime."""
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def stamp_of_day(day: date, second: int) -> str:
    """`iso_seconds(at_second(day, second))`, without datetime objects: raw hits are written
    by the thousand."""
    hours, rest = divmod(second, 3600)
    return f"{day.isoformat()}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


def at_second(day: date, second: int) -> datetime:
    return datetime.combine(day, time(tzinfo=UTC)) + timedelta(seconds=second)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(tzinfo=UTC))


def session_duration(seconds: int) -> str:
    """`45s`, `8m`, `1h 5m`."""
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h {seconds % 3600 // 60}m"


def duration_in_words(seconds: float) -> str:
    """How the uptime API words a downtime: the contract's example says "53 days" for
    4,583,052 seconds, so days stay days (no "about 2 months")."""
    minutes = round(seconds / 60)
    if seconds < 60:
        return "less than a minute"
    if minutes < 60:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours = round(seconds / 3600)
    if seconds < 86400 - 1800:
        return "about 1 hour" if hours == 1 else f"about {hours} hours"
    days = round(seconds / 86400)
    return "1 day" if days == 1 else f"{days} days"


def clock_hour(hour: int) -> str:
    """`2:00 PM`."""
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:00 {suffix}"
