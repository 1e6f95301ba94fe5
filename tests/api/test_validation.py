"""Checks made before sending: each mistake gets a BadRequest that says what to do instead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.api import BadRequest, validation


@pytest.mark.parametrize(("value", "expected"), [(456, 456), ("456", 456), (" 7 ", 7), (1, 1)])
def test_numeric_site_ids(value: int | str, expected: int) -> None:
    assert validation.site_id(value) == expected


@pytest.mark.parametrize("value", ["abc123", "", "12a", "-3", "4.5", "١٢٣", 0, -1, True])
def test_anything_else_is_not_a_site_id(value: int | str) -> None:
    with pytest.raises(BadRequest) as caught:
        validation.site_id(value)
    assert caught.value.status is None


def test_a_uid_gets_an_explanation() -> None:
    with pytest.raises(BadRequest, match="numeric id") as caught:
        validation.site_id("abc123")
    assert "abc123" in caught.value.message and "uid" in caught.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        (date(2026, 2, 28), date(2026, 2, 28)),
        (datetime(2026, 11, 20, 23, 30, tzinfo=timezone(timedelta(hours=-5))), date(2026, 11, 21)),
        (datetime(2026, 11, 20, 23, 30), date(2026, 11, 20)),
        (None, None),
    ],
)
def test_days(value: date | str | None, expected: date | None) -> None:
    assert validation.day(value, "start_date") == expected


@pytest.mark.parametrize("value", ["20261120", "2026-W47-5", "2026-02-30", "yesterday", "2026-1-2"])
def test_days_must_be_iso_calendar_dates(value: str) -> None:
    with pytest.raises(BadRequest, match="start_date must be a date as YYYY-MM-DD"):
        validation.day(value, "start_date")


def test_a_range_of_365_days_is_allowed_366_is_not() -> None:
    first = date(2025, 11, 21)
    assert validation.date_range(first, first + timedelta(days=364)) == (
        first,
        first + timedelta(days=364),
    )
    with pytest.raises(BadRequest, match="366 days") as caught:
        validation.date_range(first, first + timedelta(days=365))
    assert "at most 365" in caught.value.message


def test_one_day_and_open_ranges() -> None:
    assert validation.date_range("2026-11-20", "2026-11-20") == (date(2026, 11, 20),) * 2
    assert validation.date_range("2020-01-01", None) == (date(2020, 1, 1), None)
    assert validation.date_range(None, None) == (None, None)


def test_end_before_start() -> None:
    with pytest.raises(BadRequest, match="before start_date"):
        validation.date_range("2026-11-20", "2026-11-19")


@pytest.mark.parametrize(
    ("endpoint", "asked", "sent"),
    [
        ("hits", 5000, 1000),
        ("hits", 1000, 1000),
        ("leaderboard", 1001, 1000),
        ("user_journeys", 100, 50),
        ("insights", 51, 50),
        ("uptime", 500, 50),
        ("uptime", 25, 25),
        ("hits", 0, 1),
        ("hits", -4, 1),
    ],
)
def test_per_page_is_clamped_per_endpoint(endpoint: str, asked: int, sent: int) -> None:
    assert validation.per_page(asked, endpoint) == sent


@pytest.mark.parametrize("value", [0, -1, True, "2"])
def test_page_starts_at_one(value: int) -> None:
    with pytest.raises(BadRequest, match="page"):
        validation.page(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("path", "path"),
        ("country", "country"),
        ("referrer", "referrer"),
        ("browsername", "browsername"),
        ("platformname", "platformname"),
        ("browser_name", "browsername"),
        ("platform_name", "platformname"),
        (" Country ", "country"),
    ],
)
def test_group_by(value: str, expected: str) -> None:
    assert validation.group_by(value) == expected


def test_unknown_group_by_lists_the_choices() -> None:
    with pytest.raises(BadRequest, match="path, country, referrer, browsername, platformname"):
        validation.group_by("city")


def test_empty_filters_are_no_filters() -> None:
    assert validation.text("") is None
    assert validation.text(None) is None
    assert validation.text("/blog") == "/blog"


def test_messages_quote_long_input_briefly() -> None:
    with pytest.raises(BadRequest) as caught:
        validation.site_id("x" * 500)
    assert len(caught.value.message) < 160


def test_datetime_days_are_utc_days() -> None:
    late = datetime(2026, 11, 20, 23, 59, tzinfo=UTC)
    assert validation.day(late, "end_date") == date(2026, 11, 20)
