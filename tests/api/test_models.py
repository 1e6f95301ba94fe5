"""The response models against the contract's examples (verbatim) and the variants the live
service is reported to send (docs/api-notes.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from app.api import (
    GroupedHitsResponse,
    HitsResponse,
    InsightsResponse,
    LeaderboardResponse,
    MeResponse,
    SiteResponse,
    SitesResponse,
    UptimeResponse,
    UserJourneysResponse,
)
from app.api.models import Paged
from tests.api.helpers import fixture

# -- the contract's examples -------------------------------------------------------------------


def test_me() -> None:
    me = MeResponse.model_validate(fixture("me"))
    assert me.user.name == "John Doe"
    assert me.user.subscription_status == "active"
    assert me.user.sites_count == 5
    assert me.user.email == "[email protected]"


def test_sites() -> None:
    answer = SitesResponse.model_validate(fixture("sites"))
    assert answer.total_count == 2
    assert [s.id for s in answer.sites] == [456, 457]
    first = answer.sites[0]
    assert (first.uid, first.url, first.label) == ("abc123", "https://example.com", "My Blog")
    assert first.lifetime_hits == 12345
    assert first.active is True
    assert first.lifetime_unique_hits is None


def test_site() -> None:
    site = SiteResponse.model_validate(fixture("site")).site
    assert site.id == 456
    assert site.lifetime_unique_hits == 8901
    assert site.is_public is False
    assert site.created_at == datetime(2023, 1, 15, 10, 0, tzinfo=UTC)
    assert site.updated_at == datetime(2023, 6, 4, 14, 22, tzinfo=UTC)


def test_hits() -> None:
    answer = HitsResponse.model_validate(fixture("hits"))
    (hit,) = answer.hits
    assert hit.id == 789012
    assert hit.path == "/blog/my-post"
    assert hit.referrer == "https://twitter.com"
    assert (hit.country, hit.browser_name, hit.platform_name) == ("US", "Chrome", "macOS")
    assert hit.is_mobile is False
    assert hit.source is None
    assert hit.created_at == datetime(2023, 6, 4, 14, 22, tzinfo=UTC)
    page = answer.pagination
    assert (page.current_page, page.per_page, page.total_count, page.total_pages) == (
        1,
        100,
        1547,
        16,
    )


def test_grouped_hits() -> None:
    answer = GroupedHitsResponse.model_validate(fixture("grouped_hits"))
    rows = [(r.field, r.value, r.hit_count, r.unique_views) for r in answer.grouped_hits]
    assert rows == [("path", "/blog/popular-post", 247, None), ("path", "/", 156, None)]
    assert answer.pagination.total_count == 25
    assert answer.pagination.total_pages == 1


def test_leaderboard() -> None:
    answer = LeaderboardResponse.model_validate(fixture("leaderboard"))
    top = answer.leaderboard[0]
    assert (top.path, top.total_hits, top.unique_hits, top.percentage) == (
        "/blog/popular-post",
        1250,
        890,
        15.2,
    )
    assert answer.leaderboard[1].percentage == 9.7
    assert answer.site is not None and answer.site.uid == "abc123"
    assert answer.pagination.total_count == 245 and answer.pagination.total_pages == 3
    assert answer.cache_info is not None
    assert answer.cache_info.cached_at == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert answer.cache_info.expires_at == datetime(2024, 1, 1, 13, tzinfo=UTC)
    assert answer.filters is not None and answer.filters.path == "blog"


def test_user_journeys() -> None:
    answer = UserJourneysResponse.model_validate(fixture("user_journeys"))
    (journey,) = answer.user_journeys
    assert journey.visitor_hash == "a1b2c3d4e5f6"
    assert journey.page_count == 4
    assert [p.path for p in journey.pages] == ["/", "/blog", "/blog/user-journeys", "/contact"]
    assert journey.pages[1].visited_at == datetime(2024, 1, 15, 10, 2, 30, tzinfo=UTC)
    assert (journey.entry_page, journey.exit_page, journey.session_duration) == (
        "/",
        "/contact",
        "8m",
    )
    assert answer.summary is not None
    assert answer.summary.total_visitors == 1247
    assert answer.summary.bounce_rate == 63.4
    assert answer.insights is not None
    assert [(p.path, p.visitors) for p in answer.insights.top_entry_pages] == [
        ("/", 634),
        ("/blog", 289),
        ("/about", 156),
    ]
    assert answer.insights.top_exit_pages[2].path == "/blog/popular-post"
    assert answer.pagination.total_count == 456 and answer.pagination.total_pages == 46
    assert answer.filters is not None
    assert (answer.filters.start_date, answer.filters.end_date) == (
        date(2024, 1, 1),
        date(2024, 1, 31),
    )


def test_insights() -> None:
    answer = InsightsResponse.model_validate(fixture("insights"))
    (insight,) = answer.insights
    assert insight.id == 116
    assert insight.insights_for_date == date(2025, 10, 16)
    assert insight.formatted_insights_date == "October 16, 2025"
    # With milliseconds.
    assert insight.generated_at == datetime(2025, 10, 16, 8, 20, 27, 902000, tzinfo=UTC)
    assert insight.traffic_patterns is not None and "Sunday" in insight.traffic_patterns
    assert insight.recommendations is not None and insight.recommendations.startswith("With")
    site = answer.site
    assert site is not None
    assert (site.insights_enabled, site.daily_insight_reports_active) == (True, False)
    assert site.next_insight_job_scheduled_at == datetime(2025, 10, 25, 1, tzinfo=UTC)
    assert answer.pagination.total_count == 1


def test_uptime() -> None:
    answer = UptimeResponse.model_validate(fixture("uptime"))
    monitor = answer.monitor
    assert monitor.uptime == 98.95
    assert monitor.is_down is True
    assert monitor.last_status_code == 530
    assert monitor.period == 300
    assert monitor.last_check_at == datetime(2025, 8, 2, 20, 45, 47, tzinfo=UTC)
    assert monitor.created_at == datetime(2025, 3, 29, 14, 50, 30, 509000, tzinfo=UTC)
    assert monitor.ssl is not None and monitor.ssl.days_until_expiry == 36
    assert monitor.ssl.valid is True
    assert monitor.domain is not None and monitor.domain.source == "whois"
    assert monitor.domain.expires_at == datetime(2026, 3, 15, tzinfo=UTC)
    (downtime,) = answer.downtimes
    assert downtime.duration == 4583052
    assert downtime.duration_in_words == "53 days"
    assert downtime.ended_at == datetime(2025, 5, 22, 19, 26, 19, tzinfo=UTC)
    assert answer.summary is not None and answer.summary.total_downtimes == 8
    assert answer.pagination.total_count == 8 and answer.pagination.per_page == 50


def test_every_timestamp_is_aware_utc() -> None:
    answer = UptimeResponse.model_validate(fixture("uptime"))
    stamps = [
        answer.monitor.last_check_at,
        answer.monitor.updated_at,
        answer.downtimes[0].started_at,
    ]
    assert all(s is not None and s.utcoffset() is not None and s.tzinfo == UTC for s in stamps)


# -- variants of the live service --------------------------------------------------------------


def test_site_without_wrapper() -> None:
    unwrapped = fixture("site")["site"]
    site = SiteResponse.model_validate(unwrapped).site
    assert site == SiteResponse.model_validate(fixture("site")).site


def test_me_without_wrapper() -> None:
    assert MeResponse.model_validate(fixture("me")["user"]).user.name == "John Doe"


def test_grouped_path_rows_with_views_and_unique_views() -> None:
    data = {"grouped_hits": [{"path": "/a", "views": 12, "unique_views": 9}]}
    (row,) = GroupedHitsResponse.model_validate(data).grouped_hits
    assert (row.field, row.value, row.hit_count, row.unique_views) == ("path", "/a", 12, 9)


@pytest.mark.parametrize(
    ("group_by", "row", "value"),
    [
        ("country", {"country": "GB", "hit_count": 3}, "GB"),
        ("country", {"country": None, "hit_count": 3}, None),
        ("referrer", {"referrer": None, "hit_count": 7}, None),
        ("referrer", {"referrer": "", "hit_count": 7}, ""),
        ("browsername", {"browsername": "Firefox", "hit_count": 2}, "Firefox"),
        ("browsername", {"browser_name": "Firefox", "hit_count": 2}, "Firefox"),
        ("platformname", {"platform_name": "iOS", "hit_count": 2}, "iOS"),
        ("platformname", {"platformname": "iOS", "hit_count": 2}, "iOS"),
        # An extra field that is also a grouping key elsewhere: the context decides.
        ("country", {"path": "/x", "country": "FR", "hit_count": 1}, "FR"),
    ],
)
def test_grouped_rows_by_every_grouping(group_by: str, row: dict[str, Any], value: str) -> None:
    answer = GroupedHitsResponse.model_validate(
        {"grouped_hits": [row]}, context={"group_by": group_by}
    )
    assert answer.grouped_hits[0].value == value
    assert answer.grouped_hits[0].hit_count == row["hit_count"]


def test_grouped_row_without_context_guesses_the_key() -> None:
    data = {"grouped_hits": [{"country": "DE", "hit_count": 4}, {"novel": "x", "hit_count": 1}]}
    rows = GroupedHitsResponse.model_validate(data).grouped_hits
    assert [(r.field, r.value) for r in rows] == [("country", "DE"), ("novel", "x")]


def test_grouped_row_round_trips() -> None:
    row = GroupedHitsResponse.model_validate(fixture("grouped_hits")).grouped_hits[0]
    assert type(row).model_validate(row.model_dump()) == row


def test_raw_hit_nulls_source_and_stripped_referrer() -> None:
    data = {
        "hits": [
            {
                "id": 1,
                "path": "/",
                "referrer": None,
                "country": None,
                "browser_name": None,
                "platform_name": None,
                "is_mobile": None,
                "source": "newsletter",
                "created_at": "2026-11-20T14:00:00.123Z",
            },
            {"id": 2, "path": "/", "referrer": "", "created_at": "2026-11-20T13:00:00Z"},
        ]
    }
    direct, stripped = HitsResponse.model_validate(data).hits
    assert direct.referrer is None and stripped.referrer == ""
    assert direct.source == "newsletter"
    assert direct.country is None and direct.browser_name is None and direct.is_mobile is None
    assert direct.created_at == datetime(2026, 11, 20, 14, 0, 0, 123000, tzinfo=UTC)


def test_rows_keep_server_order() -> None:
    stamps = ["2026-11-20T10:00:00Z", "2026-11-20T12:00:00Z", "2026-11-20T11:00:00Z"]
    data = {"hits": [{"id": i, "created_at": s} for i, s in enumerate(stamps)]}
    assert [h.id for h in HitsResponse.model_validate(data).hits] == [0, 1, 2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-15T10:00:00Z", datetime(2023, 1, 15, 10, tzinfo=UTC)),
        ("2025-10-16T08:20:27.902Z", datetime(2025, 10, 16, 8, 20, 27, 902000, tzinfo=UTC)),
        ("2025-08-02T20:45:47.000Z", datetime(2025, 8, 2, 20, 45, 47, tzinfo=UTC)),
        ("2023-01-15T12:00:00+02:00", datetime(2023, 1, 15, 10, tzinfo=UTC)),
        ("2023-01-15T10:00:00", datetime(2023, 1, 15, 10, tzinfo=UTC)),
    ],
)
def test_timestamps(text: str, expected: datetime) -> None:
    hit = HitsResponse.model_validate({"hits": [{"created_at": text}]}).hits[0]
    assert hit.created_at == expected
    assert hit.created_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("uptime", "expected"),
    [
        ("98.95", 98.95),
        ("100", 100.0),
        ("99.5%", 99.5),
        (97.25, 97.25),
        (None, None),
        ("n/a", None),
    ],
)
def test_uptime_value(uptime: object, expected: float | None) -> None:
    assert UptimeResponse.model_validate({"monitor": {"uptime": uptime}}).monitor.uptime == expected


def test_uptime_nullable_blocks() -> None:
    data = fixture("uptime")
    data["monitor"]["ssl"] = None
    data["monitor"]["domain"] = None
    data["downtimes"][0].update(ended_at=None, duration=None, ongoing=True)
    answer = UptimeResponse.model_validate(data)
    assert answer.monitor.ssl is None and answer.monitor.domain is None
    assert answer.downtimes[0].ended_at is None and answer.downtimes[0].duration is None
    assert answer.downtimes[0].ongoing is True


def test_downtime_duration_as_float_or_string() -> None:
    data = {"monitor": {}, "downtimes": [{"duration": 61.6}, {"duration": "120"}]}
    assert [d.duration for d in UptimeResponse.model_validate(data).downtimes] == [62, 120]


def test_bounce_rate_and_next_insight_job_may_be_null() -> None:
    journeys = fixture("user_journeys")
    journeys["summary"]["bounce_rate"] = None
    summary = UserJourneysResponse.model_validate(journeys).summary
    assert summary is not None and summary.bounce_rate is None
    insights = fixture("insights")
    insights["site"]["next_insight_job_scheduled_at"] = None
    insights["site"]["insights_enabled"] = False
    site = InsightsResponse.model_validate(insights).site
    assert site is not None and site.next_insight_job_scheduled_at is None


@pytest.mark.parametrize(
    ("model", "rows"),
    [
        (HitsResponse, "hits"),
        (GroupedHitsResponse, "grouped_hits"),
        (LeaderboardResponse, "leaderboard"),
        (UserJourneysResponse, "user_journeys"),
        (InsightsResponse, "insights"),
    ],
)
def test_empty_lists(model: type[BaseModel], rows: str) -> None:
    empty = {rows: [], "pagination": {"current_page": 1, "per_page": 100, "total_count": 0}}
    answer = model.model_validate(empty)
    assert getattr(answer, rows) == []
    assert answer.pagination.total_count == 0  # type: ignore[attr-defined]


def test_empty_uptime_and_journey_lists() -> None:
    uptime = UptimeResponse.model_validate({"monitor": {"id": 1}, "downtimes": []})
    assert uptime.downtimes == [] and uptime.pagination.total_count == 0
    journeys = UserJourneysResponse.model_validate(
        {"user_journeys": [], "insights": {"top_entry_pages": [], "top_exit_pages": None}}
    )
    assert journeys.insights is not None and journeys.insights.top_exit_pages == []


@pytest.mark.parametrize("name", ["hits", "grouped_hits", "leaderboard", "insights", "uptime"])
def test_missing_pagination_means_one_page_of_everything(name: str) -> None:
    data = fixture(name)
    del data["pagination"]
    model: type[Paged] = {  # type: ignore[assignment]
        "hits": HitsResponse,
        "grouped_hits": GroupedHitsResponse,
        "leaderboard": LeaderboardResponse,
        "insights": InsightsResponse,
        "uptime": UptimeResponse,
    }[name]
    page = model.model_validate(data).pagination
    rows = len(data["downtimes" if name == "uptime" else name])
    assert (page.current_page, page.total_pages, page.total_count) == (1, 1, rows)


def test_null_pagination_and_null_counters() -> None:
    answer = HitsResponse.model_validate({"hits": [], "pagination": None})
    assert answer.pagination.total_pages == 1
    partial = {"hits": [], "pagination": {"total_count": 5, "total_pages": None}}
    assert HitsResponse.model_validate(partial).pagination.total_pages == 1


def test_extra_fields_everywhere_are_ignored() -> None:
    data = fixture("sites")
    data["lifetime_kudos"] = 3
    for site in data["sites"]:
        site.update(lifetime_kudos=12, signals={"a": [1, 2]}, created_at="2024-02-02T00:00:00Z")
    answer = SitesResponse.model_validate(data)
    assert answer.sites[0].id == 456
    assert not hasattr(answer.sites[0], "lifetime_kudos")


def test_numbers_where_text_is_expected_become_text() -> None:
    site = SiteResponse.model_validate({"id": 1, "label": 2024, "uid": 77}).site
    assert (site.label, site.uid) == ("2024", "77")


def test_models_are_frozen() -> None:
    site = SiteResponse.model_validate(fixture("site")).site
    with pytest.raises(ValidationError):
        site.label = "changed"  # type: ignore[misc]


# -- wrong shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (SitesResponse, {"sites": "oops"}),
        (SitesResponse, [{"id": 1}]),
        (SitesResponse, {}),
        (SitesResponse, {"sites": [{"label": "no id"}]}),
        (SiteResponse, {"site": None}),
        (SiteResponse, {"label": "no id"}),
        (MeResponse, {"account": {}}),
        (HitsResponse, {"hits": [{"id": 1}]}),
        (HitsResponse, {"hits": [{"created_at": "yesterday"}]}),
        (HitsResponse, {"hits": None}),
        (HitsResponse, {"hits": [], "pagination": "1 of 3"}),
        (GroupedHitsResponse, {"grouped_hits": [{"path": "/no-count"}]}),
        (GroupedHitsResponse, {"grouped_hits": {"path": "/", "hit_count": 1}}),
        (LeaderboardResponse, {"leaderboard": [{"path": "/"}]}),
        (UptimeResponse, {"downtimes": []}),
        (UptimeResponse, {"monitor": "down"}),
        (UserJourneysResponse, {"journeys": []}),
        (InsightsResponse, {"insights": [{"generated_at": "soon"}]}),
    ],
)
def test_wrong_shapes_fail_validation(model: type[BaseModel], data: Any) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(data)
