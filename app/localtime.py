"""The user's time zone, and every clock time the app shows.

The zone is, first found: the `timezone` setting (an IANA name such as `Europe/Berlin`), the
system's (`TZ`, then /etc/localtime), the process's own local time rules. The app sets it once
at start (`use`); the live layer reads it to build hourly buckets on local hours, the screens to
write times. A time of day is always shown with its zone named nearby (`14:30 CET`, a column
headed `Time CET`).

Days stay UTC days where the API counts UTC days (its date filters are whole UTC days): such a
day or bucket is labelled `UTC` by whoever shows it, never silently shifted to a local date.

No Textual, nothing from app.ui or app.live: both use this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A name longer than this is no IANA zone, and is quoted shortened.
_MAX_NAME = 60
_EXAMPLE = "an IANA name such as Europe/Berlin, America/New_York or UTC"


class ZoneError(ValueError):
    """An unknown zone name; `message` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def named(name: str) -> ZoneInfo:
    """The zone called `name`, or ZoneError with a one-line message."""
    key = name.strip()
    # ZoneInfo takes relative paths under its database: refuse what cannot be a zone's key.
    if not key or len(key) > _MAX_NAME or key.startswith(("/", ".")) or ".." in key:
        raise ZoneError(f"unknown time zone {name[:_MAX_NAME]!r} ({_EXAMPLE})")
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ZoneError(f"unknown time zone {name[:_MAX_NAME]!r} ({_EXAMPLE})") from None


def zone_problem(name: str) -> str | None:
    """What is wrong with a zone name, for the settings' one-line errors; None when it is known."""
    try:
        named(name)
    except ZoneError as exc:
        return exc.message
    return None


def system_zone(environ: Mapping[str, str] | None = None) -> tzinfo | None:
    """The system's zone: `TZ` (a zone name, `:name` or a zone file's path), else the zone
    /etc/localtime links to. None: only the process's own local rules know (a POSIX `TZ` rule
    such as `CET-1CEST`, an unlinked /etc/localtime), and `datetime.astimezone()` follows them."""
    env = os.environ if environ is None else environ
    value = env.get("TZ")
    if value is not None:
        value = value.removeprefix(":")
        if not value:
            return UTC  # TZ set but empty means UTC to the C library
        if value.startswith("/"):
            return _from_file(Path(value))
        try:
            return named(value)
        except ZoneError:
            return None
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return None
    _, found, key = target.partition("zoneinfo/")
    if found:
        try:
            return named(key)
        except ZoneError:
            pass
    return _from_file(Path("/etc/localtime").parent / target)


def _from_file(path: Path) -> tzinfo | None:
    try:
        with path.open("rb") as handle:
            return ZoneInfo.from_file(handle, key=path.name)
    except (OSError, ValueError):
        return None


# The zone in use; None: the process's local rules (see `system_zone`).
_zone: tzinfo | None = system_zone()


def use(name: str | None, environ: Mapping[str, str] | None = None) -> None:
    """Show times in the zone `name` (the setting), or with None in the system's zone.

    Raises ZoneError for an unknown name (the settings check it first)."""
    global _zone
    _zone = named(name) if name else system_zone(environ)


def zone() -> tzinfo | None:
    return _zone


# Other names of UTC, as a system may spell it (/etc/localtime is often Etc/UTC).
_UTC_NAMES = frozenset(
    {"Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu"}
)


def zone_name() -> str:
    """The zone as the user knows it: its IANA name (`Europe/Berlin`), else its abbreviation."""
    if _zone is UTC:
        return "UTC"
    key = getattr(_zone, "key", None)
    if isinstance(key, str) and key:
        return "UTC" if key in _UTC_NAMES else key
    return abbreviation(datetime.now(UTC))


def local(when: datetime) -> datetime:
    """`when` in the user's zone; a naive time is taken to be UTC, as the API's are."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(_zone)


def abbreviation(when: datetime) -> str:
    """The zone's short name at `when` (`CET` in winter, `CEST` in summer), else its offset."""
    moment = local(when)
    name = moment.tzname()
    if name and not name.startswith(("+", "-")):
        return name
    return offset_text(moment.utcoffset() or timedelta(0))


def offset_text(offset: timedelta) -> str:
    """`UTC+05:30`, `UTC-03`, `UTC`."""
    minutes = round(offset.total_seconds() / 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}" + (f":{rest:02d}" if rest else "")


def utc_offset(when: datetime) -> timedelta:
    return local(when).utcoffset() or timedelta(0)


def clock(when: datetime, *, seconds: bool = False) -> str:
    """The local time of day: `14:30`, or `14:30:05`."""
    return f"{local(when):%H:%M:%S}" if seconds else f"{local(when):%H:%M}"


def day_and_time(when: datetime, *, seconds: bool = False) -> str:
    """`Nov 20 14:30` (or with seconds), local."""
    moment = local(when)
    return f"{moment:%b %d} {clock(moment, seconds=seconds)}"


def moment(when: datetime, now: datetime) -> str:
    """A local time with as much of the date as is needed to place it, and its zone:
    `14:30:05 CET` today, `Nov 3, 09:12 CET` this year, `Nov 3, 2025, 09:12 CET` before."""
    at, today = local(when), local(now)
    zone_word = abbreviation(when)
    if at.date() == today.date():
        return f"{at:%H:%M:%S} {zone_word}"
    if at.year == today.year:
        return f"{at:%b} {at.day}, {at:%H:%M} {zone_word}"
    return f"{at:%b} {at.day}, {at.year}, {at:%H:%M} {zone_word}"
