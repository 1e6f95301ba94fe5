"""Pydantic models of every whole response of the Tinylytics API.

Tolerant by design (docs/api-notes.md): unknown fields are ignored, whatever the live service has
been seen to leave out or null is optional, timestamps parse with or without milliseconds into
aware UTC datetimes, `uptime` arrives as a string, grouped rows come in two shapes, `GET /sites/:id`
may or may not wrap the site, and a missing pagination block means a single page. What is
essential (the rows themselves, a site's id, a hit's time, a row's count) stays required: an answer
without them is not API data and must fail loudly rather than show "0 hits".

Numbers and dates out of range (a count of 2**64 or -5, a NaN or infinite percentage, a date in
the year 1 or 9999) are stopped here, before they reach SQLite, date arithmetic or the screen: an
optional one becomes None (shown as unknown), an essential one fails the answer. Each field that
ever held such a value is logged once, not on every refresh.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.api.errors import one_line

log = logging.getLogger(__name__)

# Counts above this lose precision as floats (JSON numbers) and say nothing true anyway.
MAX_COUNT = 2**53
# Dates outside this window are not the API's: they only overflow arithmetic further on.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# Durations (seconds) and days left: bounded by that window.
MAX_SECONDS = 100 * 366 * 86400
MAX_DAYS = 100 * 366
# A percentage computed by the server may overshoot 100 by a rounding error.
PERCENT_SLACK = 0.01

# Fields already reported ("Monitor.uptime"): one log line per field for the whole run.
_reported: set[str] = set()


def _report(info: ValidationInfo, value: Any, *, refused: bool = False) -> None:
    field = f"{(info.config or {}).get('title') or '?'}.{info.field_name or '?'}"
    if field not in _reported:
        _reported.add(field)
        outcome = "answer refused" if refused else "shown as unknown"
        log.warning("the API sent %s = %s, out of range: %s", field, _shown(value), outcome)


def _shown(value: Any) -> str:
    # A bounded, one-line echo: the value came from the server and may be anything.
    return one_line(repr(value), 40)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _number(value: Any) -> Any:
    """`"98.95"` (or `"98.95%"`) → 98.95; a string that is no number is unknown, not an error."""
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            return None
    return value


def _whole(value: Any) -> Any:
    """Seconds as a whole number, whether sent as `4583052`, `4583052.4` or `"4583052"`."""
    value = _number(value)
    return round(value) if isinstance(value, float) and math.isfinite(value) else value


def _day_or_none(value: Any) -> Any:
    """An echoed filter day; an unreadable echo is dropped (the request itself was validated)."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value


def _list_or_empty(value: Any) -> Any:
    return [] if value is None else value


def _integer(value: Any, low: int, high: int) -> int | None:
    """`value` as a whole number within [low, high), or None for anything else (NaN, 1e999,
    2**64, 2.5...)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int) and low <= value < high:
        return value
    return None


def _ranged_int(low: int, high: int, *, required: bool) -> WrapValidator:
    def check(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        if value is None:
            return handler(value)  # missing: the field's own rules decide
        try:
            parsed = handler(value)  # also reads "12", as pydantic does
        except ValidationError:
            parsed = None
        found = _integer(parsed, low, high)
        if found is None:
            _report(info, value, refused=required)
            if required:
                raise PydanticCustomError("out_of_range", "a number out of range")
        return found

    return WrapValidator(check)


def _whole_in_range(value: Any, info: ValidationInfo) -> Any:
    value = _whole(value)
    if value is None or isinstance(value, str):
        return value
    found = _integer(value, 0, MAX_SECONDS)
    if found is None:
        _report(info, value)
    return found


def _percent(value: Any, info: ValidationInfo) -> Any:
    value = _number(value)
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if not math.isfinite(value) or not -PERCENT_SLACK <= value <= 100 + PERCENT_SLACK:
        _report(info, value)
        return None
    return min(100.0, max(0.0, float(value)))


def _in_window(value: datetime) -> datetime | None:
    try:
        moment = _utc(value)
    except OverflowError:  # the year 1 with a positive offset: before datetime.min in UTC
        return None
    return moment if EARLIEST <= moment < LATEST else None


def _moment(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    parsed = handler(value)  # unreadable: the answer fails, as before
    moment = _in_window(parsed)
    if moment is None:
        _report(info, value, refused=True)
        raise PydanticCustomError("out_of_range", "a date out of range")
    return moment


def _maybe_moment(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    if value is None:
        return None
    moment = _in_window(handler(value))  # unreadable ("soon"): the answer fails, as before
    if moment is None:
        _report(info, value)
    return moment


def _echoed_day(value: Any, info: ValidationInfo) -> Any:
    day = _day_or_none(value)
    if isinstance(day, date) and not EARLIEST.date() <= day < LATEST.date():
        _report(info, day.isoformat())
        return None
    return day


Timestamp = Annotated[datetime, WrapValidator(_moment)]
# An optional time that is out of range is unknown, not a failed answer.
MaybeTimestamp = Annotated[datetime | None, WrapValidator(_maybe_moment)]
# A percentage (0 to 100), sent as a number or a string; anything else is unknown.
Percent = Annotated[float | None, BeforeValidator(_percent)]
Seconds = Annotated[int | None, BeforeValidator(_whole_in_range)]
EchoedDay = Annotated[date | None, BeforeValidator(_echoed_day)]
# A count or an id: a whole number in [0, 2**53). Optional ones become None when out of range,
# required ones fail the answer.
Count = Annotated[int | None, _ranged_int(0, MAX_COUNT, required=False)]
RequiredCount = Annotated[int, _ranged_int(0, MAX_COUNT, required=True)]
# Days left before an expiry: negative once expired, never beyond the date window.
Days = Annotated[int | None, _ranged_int(-MAX_DAYS, MAX_DAYS, required=False)]
StatusCode = Annotated[int | None, _ranged_int(0, 1000, required=False)]


class Model(BaseModel):
    # Unknown fields appear over time (lifetime_kudos, signals, ...); numbers sent where text is
    # expected (a label of 2024) are text, not a failure.
    # defer_build: schemas are built on first use, not at import, so the first frame comes sooner.
    model_config = ConfigDict(
        extra="ignore", frozen=True, coerce_numbers_to_str=True, defer_build=True
    )


# -- pagination --------------------------------------------------------------------------------


class Pagination(Model):
    current_page: RequiredCount = 1
    per_page: RequiredCount = 0
    total_count: RequiredCount = 0
    total_pages: RequiredCount = 1

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        # A null counter is an unknown one: take the default rather than fail the whole answer.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


class Paged(Model):
    """A response with a list of rows and a pagination block, which may be missing."""

    rows_field: ClassVar[str]
    pagination: Pagination

    @model_validator(mode="before")
    @classmethod
    def _default_pagination(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("pagination") is None:
            rows = data.get(cls.rows_field)
            count = len(rows) if isinstance(rows, list) else 0
            # Without pagination, what came is all there is: one page holding every row.
            pagination = {"current_page": 1, "per_page": count, "total_count": count}
            return {**data, "pagination": {**pagination, "total_pages": 1}}
        return data


# -- account and sites -------------------------------------------------------------------------


class User(Model):
    email: str | None = None
    name: str | None = None
    subscription_status: str | None = None
    sites_count: Count = None


class MeResponse(Model):
    user: User

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, data: Any) -> Any:
        # Same tolerance as for a site: the user's fields at the top level.
        if isinstance(data, dict) and "user" not in data and "email" in data:
            return {"user": data}
        return data


class SiteSummary(Model):
    """A site as `GET /sites` lists it; the fields only `GET /sites/:id` sends are optional."""

    id: RequiredCount
    uid: str | None = None
    url: str | None = None
    label: str | None = None
    lifetime_hits: Count = None
    lifetime_unique_hits: Count = None
    active: bool | None = None
    is_public: bool | None = None
    created_at: MaybeTimestamp = None
    updated_at: MaybeTimestamp = None


class Site(SiteSummary):
    """A site as `GET /sites/:id` describes it."""


class SitesResponse(Model):
    sites: list[SiteSummary]
    total_count: Count = None


class SiteResponse(Model):
    site: Site

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, data: Any) -> Any:
        # Two independent clients read the site's fields at the top level (docs/api-notes.md).
        if isinstance(data, dict) and "site" not in data and "id" in data:
            return {"site": data}
        return data


# -- hits --------------------------------------------------------------------------------------


class Hit(Model):
    """One page view. `referrer` is None for a direct visit and "" when it was stripped."""

    id: Count = None
    url: str | None = None
    path: str | None = None
    referrer: str | None = None
    country: str | None = None
    browser_name: str | None = None
    platform_name: str | None = None
    is_mobile: bool | None = None
    source: str | None = None
    created_at: Timestamp


class HitsResponse(Paged):
    rows_field = "hits"
    hits: list[Hit]


_COUNT_KEYS = ("hit_count", "views", "count", "hits", "total_hits")
_UNIQUE_KEYS = ("unique_views", "unique_hits", "unique_count", "unique_visitors")
# In the order of preference when the grouping is not known.
_GROUP_KEYS = (
    "path",
    "country",
    "referrer",
    "browsername",
    "browser_name",
    "platformname",
    "platform_name",
    "browser",
    "platform",
)
_SPELLINGS = {
    "browsername": ("browsername", "browser_name", "browser"),
    "platformname": ("platformname", "platform_name", "platform"),
}


class GroupedRow(Model):
    """One grouped row, whatever its shape.

    Rows come as `{"<field>": value, "hit_count": n}` or, for paths, `{"path", "views",
    "unique_views"}`. `value` is the grouped field's value (None for direct referrers), `field`
    the key it came under. Validate with `context={"group_by": ...}` to say which key that is;
    without it the key is guessed from the usual ones.
    """

    value: str | None = None
    field: str | None = None
    # A row whose count is nonsense is still a row: its count shows as unknown.
    hit_count: Count = Field(validation_alias=AliasChoices(*_COUNT_KEYS))
    unique_views: Count = Field(None, validation_alias=AliasChoices(*_UNIQUE_KEYS))

    @model_validator(mode="before")
    @classmethod
    def _find_value(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or "field" in data:
            return data
        group_by = (info.context or {}).get("group_by")
        preferred = _SPELLINGS.get(group_by, (group_by,)) if isinstance(group_by, str) else ()
        field = next((k for k in (*preferred, *_GROUP_KEYS) if k in data), None)
        if field is None:
            counts = {*_COUNT_KEYS, *_UNIQUE_KEYS}
            field = next((k for k in data if k not in counts), None)
        value = data.get(field) if field is not None else None
        return {**data, "field": field, "value": value}


class GroupedHitsResponse(Paged):
    rows_field = "grouped_hits"
    grouped_hits: list[GroupedRow]


# -- leaderboard -------------------------------------------------------------------------------


class LeaderboardEntry(Model):
    path: str | None = None
    total_hits: Count = Field(validation_alias=AliasChoices("total_hits", "hit_count", "hits"))
    unique_hits: Count = None
    percentage: Percent = None


class LeaderboardSite(Model):
    id: Count = None
    uid: str | None = None
    url: str | None = None
    label: str | None = None


class CacheInfo(Model):
    """When the server computed this leaderboard and when it will compute it again."""

    cached_at: MaybeTimestamp = None
    expires_at: MaybeTimestamp = None


class LeaderboardFilters(Model):
    path: str | None = None


class LeaderboardResponse(Paged):
    rows_field = "leaderboard"
    leaderboard: list[LeaderboardEntry]
    site: LeaderboardSite | None = None
    cache_info: CacheInfo | None = None
    filters: LeaderboardFilters | None = None


# -- user journeys -----------------------------------------------------------------------------


class JourneyPage(Model):
    path: str | None = None
    visited_at: MaybeTimestamp = None


class UserJourney(Model):
    visitor_hash: str | None = None
    page_count: Count = None
    pages: Annotated[list[JourneyPage], BeforeValidator(_list_or_empty)] = []
    entry_page: str | None = None
    exit_page: str | None = None
    # A human string ("8m"), shown as it comes.
    session_duration: str | None = None


class JourneySummary(Model):
    total_visitors: Count = None
    multi_page_visitors: Count = None
    single_page_visitors: Count = None
    # A percentage (63.4 means 63.4 %); None when there were no visitors to divide by.
    bounce_rate: Percent = None


class PathVisitors(Model):
    path: str | None = None
    visitors: Count = None


class JourneyInsights(Model):
    top_entry_pages: Annotated[list[PathVisitors], BeforeValidator(_list_or_empty)] = []
    top_exit_pages: Annotated[list[PathVisitors], BeforeValidator(_list_or_empty)] = []


class JourneyFilters(Model):
    start_date: EchoedDay = None
    end_date: EchoedDay = None


class UserJourneysResponse(Paged):
    rows_field = "user_journeys"
    user_journeys: list[UserJourney]
    summary: JourneySummary | None = None
    insights: JourneyInsights | None = None
    filters: JourneyFilters | None = None


# -- insights ----------------------------------------------------------------------------------


class Insight(Model):
    id: Count = None
    insights_for_date: EchoedDay = None
    formatted_insights_date: str | None = None
    generated_at: MaybeTimestamp = None
    traffic_patterns: str | None = None
    best_content: str | None = None
    recommendations: str | None = None


class InsightsSite(Model):
    id: Count = None
    uid: str | None = None
    url: str | None = None
    label: str | None = None
    insights_enabled: bool | None = None
    daily_insight_reports_active: bool | None = None
    # None when insights are disabled.
    next_insight_job_scheduled_at: MaybeTimestamp = None


class InsightsResponse(Paged):
    rows_field = "insights"
    insights: list[Insight]
    site: InsightsSite | None = None


# -- uptime ------------------------------------------------------------------------------------


class Ssl(Model):
    expires_at: MaybeTimestamp = None
    valid: bool | None = None
    expiring_soon: bool | None = None
    expired: bool | None = None
    days_until_expiry: Days = None


class Domain(Model):
    tested_at: MaybeTimestamp = None
    expires_at: MaybeTimestamp = None
    remaining_days: Days = None
    source: str | None = None
    expired: bool | None = None
    expiring_soon: bool | None = None
    days_until_expiry: Days = None


class Monitor(Model):
    id: Count = None
    url: str | None = None
    enabled: bool | None = None
    is_down: bool | None = None
    # A percentage, sent as a string ("98.95").
    uptime: Percent = None
    last_check_at: MaybeTimestamp = None
    next_check_at: MaybeTimestamp = None
    last_status_code: StatusCode = None
    last_error_message: str | None = None
    status_description: str | None = None
    current_check_interval: str | None = None
    # Seconds between checks.
    period: Seconds = None
    ssl: Ssl | None = None
    domain: Domain | None = None
    auto_paused: bool | None = None
    created_at: MaybeTimestamp = None
    updated_at: MaybeTimestamp = None


class Downtime(Model):
    id: Count = None
    error: str | None = None
    started_at: MaybeTimestamp = None
    # None while the downtime goes on.
    ended_at: MaybeTimestamp = None
    duration: Seconds = None
    duration_in_words: str | None = None
    partial: bool | None = None
    ongoing: bool | None = None


class UptimeSummary(Model):
    total_downtimes: Count = None
    ongoing_downtimes: Count = None
    recent_downtimes_30_days: Count = None


class UptimeResponse(Paged):
    rows_field = "downtimes"
    monitor: Monitor
    downtimes: Annotated[list[Downtime], BeforeValidator(_list_or_empty)] = []
    summary: UptimeSummary | None = None
