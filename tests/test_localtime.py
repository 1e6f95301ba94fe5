"""The user's zone: from the `timezone` setting, else from TZ (the system's); bad names refused in
one line; every helper writes local times."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import localtime
from app.config import ConfigError, load_settings

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def test_the_setting_names_the_zone() -> None:
    localtime.use("Asia/Kolkata")
    assert localtime.zone_name() == "Asia/Kolkata"
    assert localtime.clock(NOON) == "17:30"
    assert localtime.clock(NOON, seconds=True) == "17:30:00"
    assert localtime.abbreviation(NOON) == "IST"
    assert localtime.utc_offset(NOON) == timedelta(hours=5, minutes=30)


def test_the_setting_wins_over_tz() -> None:
    localtime.use("Asia/Kolkata", {"TZ": "America/New_York"})
    assert localtime.zone_name() == "Asia/Kolkata"


@pytest.mark.parametrize("value", ["America/New_York", ":America/New_York"])
def test_without_a_setting_tz_is_followed(value: str) -> None:
    localtime.use(None, {"TZ": value})
    assert localtime.zone_name() == "America/New_York"
    assert localtime.clock(NOON) == "07:00"
    # Daylight saving follows the date shown, not today's.
    assert localtime.abbreviation(NOON) == "EST"
    assert localtime.abbreviation(SUMMER) == "EDT"


def test_tz_as_a_zone_file_path() -> None:
    path = Path("/usr/share/zoneinfo/Europe/Berlin")
    if not path.exists():
        pytest.skip("no zone files on this system")
    localtime.use(None, {"TZ": str(path)})
    assert localtime.clock(NOON) == "13:00"


def test_an_empty_tz_is_utc_and_utc_is_named_so() -> None:
    localtime.use(None, {"TZ": ""})
    assert localtime.clock(NOON) == "12:00"
    assert localtime.zone_name() == "UTC"
    localtime.use("Etc/UTC")
    assert localtime.zone_name() == "UTC"


def test_a_tz_rule_the_zone_database_does_not_know_falls_back_to_the_process() -> None:
    # A POSIX rule: only the C library reads it. The process's own local time is used then,
    # whatever it is; nothing fails.
    assert localtime.system_zone({"TZ": "XYZ-3"}) is None
    localtime.use(None, {"TZ": "XYZ-3"})
    assert localtime.local(NOON) == NOON.astimezone()


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "", "../../etc/passwd", "/etc/localtime", "x" * 500, "Europe/"]
)
def test_an_unknown_zone_is_one_clear_line(name: str) -> None:
    with pytest.raises(localtime.ZoneError) as caught:
        localtime.use(name or " ")
    message = caught.value.message
    assert message.startswith("unknown time zone ")
    assert "\n" not in message and len(message) < 200
    assert "IANA" in message


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def test_the_config_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'timezone = "Europe/Berlin"\n')
    assert load_settings({"config": str(path)}, {}).timezone == "Europe/Berlin"
    assert load_settings({"config": str(write_config(tmp_path, ""))}, {}).timezone is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('refresh = 60\ntimezone = "Mars/Olympus"\n', "line 2: unknown time zone 'Mars/Olympus'"),
        ("timezone = 5\n", "line 1: timezone must be str"),
    ],
)
def test_a_bad_config_key_stops_the_start_in_one_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings({"config": str(path)}, {})
    assert expected in caught.value.message
    assert "\n" not in caught.value.message


def test_moments_carry_as_much_date_as_needed_and_their_zone() -> None:
    localtime.use("Asia/Kolkata")
    # 20:00 UTC is already tomorrow in Kolkata: the date is local too.
    evening = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    assert localtime.moment(evening - timedelta(minutes=5), evening) == "01:25:00 IST"
    assert localtime.moment(NOON, evening) == "Nov 20, 17:30 IST"
    assert localtime.moment(NOON - timedelta(days=365), evening) == "Nov 20, 2025, 17:30 IST"
    assert localtime.day_and_time(evening) == "Nov 21 01:30"


def test_offsets_without_an_abbreviation_are_written_as_offsets() -> None:
    localtime.use("Asia/Kathmandu")  # +05:45, abbreviated "+0545" by the zone database
    assert localtime.abbreviation(NOON) == "UTC+05:45"
    assert localtime.offset_text(timedelta(hours=-3)) == "UTC-03"
    assert localtime.offset_text(timedelta(0)) == "UTC"


def test_a_naive_time_is_taken_as_utc() -> None:
    localtime.use("Asia/Kolkata")
    assert localtime.clock(NOON.replace(tzinfo=None)) == "17:30"
