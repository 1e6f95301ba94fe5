"""/hits: dates, filters, grouping and pagination as a client sees them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.demo import DemoServer
from tests.demo.conftest import get, ok, total

WEEK = {"start_date": "2026-11-10", "end_date": "2026-11-16"}


def grouped(demo: DemoServer, site: int, group_by: str, /, **params: Any) -> list[dict[str, Any]]:
    body = ok(
        demo, f"sites/{site}/hits", grouped="true", group_by=group_by, per_page=1000, **params
    )
    assert body["pagination"]["total_count"] == len(body["grouped_hits"])
    return list(body["grouped_hits"])


def all_hits(demo: DemoServer, site: int, /, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        body = ok(demo, f"sites/{site}/hits", page=page, per_page=1000, **params)
        rows.extend(body["hits"])
        if page >= body["pagination"]["total_pages"]:
            return rows
        page += 1


# --- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-13-01"},
        {"start_date": "20261101"},
        {"end_date": "yesterday"},
        {"start_date": "2026-11-1"},
        {"start_date": "2026-02-30"},
    ],
)
def test_bad_dates_are_400(demo: DemoServer, params: dict[str, Any]) -> None:
    answer = get(demo, "sites/456/hits", **params)
    assert answer.status_code == 400
    assert "YYYY-MM-DD" in answer.json()["error"]


def test_end_before_start_is_400(demo: DemoServer) -> None:
    answer = get(demo, "sites/456/hits", start_date="2026-11-10", end_date="2026-11-09")
    assert answer.status_code == 400
    assert "error" in answer.json()


def test_range_limit(demo: DemoServer) -> None:
    # 365 days inclusive are allowed; one more is not.
    assert get(demo, "sites/460/hits", start_date="2025-11-21", end_date="2026-11-20").is_success
    answer = get(demo, "sites/460/hits", start_date="2025-11-20", end_date="2026-11-20")
    assert answer.status_code == 400
    assert answer.json() == {"error": "Date range cannot exceed 365 days"}
    # The journeys endpoint follows the same rules.
    answer = get(demo, "sites/460/user_journeys", start_date="2024-01-01", end_date="2026-01-01")
    assert answer.status_code == 400
    demo.settings.max_range_days = 730
    assert get(demo, "sites/460/hits", start_date="2025-11-20", end_date="2026-11-20").is_success


def test_default_range_is_the_last_30_days(demo: DemoServer) -> None:
    explicit = total(demo, 456, start_date="2026-10-22", end_date="2026-11-20")
    assert total(demo, 456) == explicit
    assert total(demo, 456, end_date="2026-11-20") == explicit
    assert total(demo, 456, start_date="2026-10-22") == explicit


def test_days_are_inclusive_utc_days(demo: DemoServer) -> None:
    days = [total(demo, 456, start_date=d, end_date=d) for d in ("2026-11-10", "2026-11-11")]
    assert total(demo, 456, start_date="2026-11-10", end_date="2026-11-11") == sum(days)
    rows = all_hits(demo, 456, start_date="2026-11-10", end_date="2026-11-10")
    assert len(rows) == days[0]
    assert all(r["created_at"].startswith("2026-11-10T") for r in rows)


def test_nothing_before_the_site_existed_or_after_now(demo: DemoServer) -> None:
    created = date.fromisoformat(ok(demo, "sites/458")["site"]["created_at"][:10])
    before = (created - timedelta(days=100)).isoformat()
    assert total(demo, 458, start_date=before, end_date=created.isoformat()) == 0
    day_after = (created + timedelta(days=1)).isoformat()
    assert total(demo, 458, start_date=day_after, end_date=day_after) > 0
    assert total(demo, 458, start_date="2026-11-21", end_date="2026-11-30") == 0
    today = all_hits(demo, 458, start_date="2026-11-20", end_date="2026-11-20")
    assert today and max(r["created_at"] for r in today) <= "2026-11-20T14:30:00Z"


# --- filters ----------------------------------------------------------------------------------
def test_grouped_counts_add_up_to_the_total(demo: DemoServer) -> None:
    expected = total(demo, 456, **WEEK)
    for group_by in ("path", "country", "referrer", "browsername", "platformname"):
        rows = grouped(demo, 456, group_by, **WEEK)
        counts = [r["hit_count"] for r in rows]
        assert sum(counts) == expected, group_by
        assert counts == sorted(counts, reverse=True)


def test_grouped_rows_name_their_field(demo: DemoServer) -> None:
    fields = {
        "path": "path",
        "country": "country",
        "referrer": "referrer",
        "browsername": "browser_name",
        "platformname": "platform_name",
    }
    for group_by, field in fields.items():
        rows = grouped(demo, 457, group_by, **WEEK)
        assert all(set(r) == {field, "hit_count"} for r in rows)
    referrers = {r["referrer"] for r in grouped(demo, 457, "referrer", **WEEK)}
    assert None in referrers, "direct visits group as null"
    assert "" in referrers, "stripped referrers"


def test_path_filter_is_exact(demo: DemoServer) -> None:
    top = grouped(demo, 456, "path", **WEEK)[1]
    rows = all_hits(demo, 456, path=top["path"], **WEEK)
    assert len(rows) == top["hit_count"]
    assert {r["path"] for r in rows} == {top["path"]}
    assert total(demo, 456, path=top["path"][:-1], **WEEK) == 0


def test_country_filter(demo: DemoServer) -> None:
    countries = {r["country"]: r["hit_count"] for r in grouped(demo, 456, "country", **WEEK)}
    rows = all_hits(demo, 456, country="DE", **WEEK)
    assert len(rows) == countries["DE"]
    assert {r["country"] for r in rows} == {"DE"}
    assert total(demo, 456, country="de", **WEEK) == countries["DE"]
    assert total(demo, 456, country="XX", **WEEK) == 0


def test_referrer_filter_is_a_partial_match(demo: DemoServer) -> None:
    referrers = grouped(demo, 457, "referrer", **WEEK)
    expected = sum(r["hit_count"] for r in referrers if r["referrer"] and "reddit" in r["referrer"])
    assert expected > 0
    rows = all_hits(demo, 457, referrer="reddit", **WEEK)
    assert len(rows) == expected
    assert all("reddit" in r["referrer"] for r in rows)


def test_filters_combine(demo: DemoServer) -> None:
    path = grouped(demo, 456, "path", **WEEK)[0]["path"]
    by_country = grouped(demo, 456, "country", path=path, **WEEK)
    assert sum(r["hit_count"] for r in by_country) == total(demo, 456, path=path, **WEEK)
    top_country = by_country[0]["country"]
    rows = all_hits(demo, 456, path=path, country=top_country, **WEEK)
    assert len(rows) == by_country[0]["hit_count"]
    assert all(r["path"] == path and r["country"] == top_country for r in rows)
    # Grouping by the filtered field keeps only the filtered value.
    assert [r["path"] for r in grouped(demo, 456, "path", path=path, **WEEK)] == [path]


def test_unknown_group_by_is_400(demo: DemoServer) -> None:
    answer = get(demo, "sites/456/hits", grouped="true", group_by="city")
    assert answer.status_code == 400
    assert "group_by" in answer.json()["error"]


def test_group_by_spellings(demo: DemoServer) -> None:
    spec = grouped(demo, 456, "browsername", **WEEK)
    assert grouped(demo, 456, "browser_name", **WEEK) == spec
    demo.settings.group_by_underscore = True
    answer = get(demo, "sites/456/hits", grouped="true", group_by="browsername")
    assert answer.status_code == 400
    assert grouped(demo, 456, "browser_name", **WEEK) == spec
    assert grouped(demo, 456, "platform_name", **WEEK)


def test_grouped_path_views_quirk(demo: DemoServer) -> None:
    plain = grouped(demo, 456, "path", **WEEK)
    demo.settings.grouped_path_views = True
    rows = grouped(demo, 456, "path", **WEEK)
    assert all(set(r) == {"path", "views", "unique_views"} for r in rows)
    assert [(r["path"], r["views"]) for r in rows] == [(r["path"], r["hit_count"]) for r in plain]
    assert all(0 < r["unique_views"] <= r["views"] for r in rows)
    # Other groupings keep hit_count.
    assert "hit_count" in grouped(demo, 456, "country", **WEEK)[0]


# --- pagination and order ---------------------------------------------------------------------
def test_pages_concatenate_without_duplicates(demo: DemoServer) -> None:
    expected = total(demo, 456, **WEEK)
    seen: list[int] = []
    page = 1
    while True:
        body = ok(demo, "sites/456/hits", page=page, per_page=333, **WEEK)
        assert body["pagination"]["total_count"] == expected
        assert body["pagination"]["total_pages"] == -(-expected // 333)
        seen.extend(h["id"] for h in body["hits"])
        if not body["hits"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == expected
    assert page == body["pagination"]["total_pages"] + 1, "past the end: empty, same totals"


def test_newest_first_by_default_and_asc_quirk(demo: DemoServer) -> None:
    rows = ok(demo, "sites/456/hits", per_page=200, **WEEK)["hits"]
    stamps = [(r["created_at"], r["id"]) for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    assert rows[0]["created_at"].startswith("2026-11-16")
    demo.settings.hits_order = "asc"
    rows = ok(demo, "sites/456/hits", per_page=200, **WEEK)["hits"]
    stamps = [(r["created_at"], r["id"]) for r in rows]
    assert stamps == sorted(stamps)
    assert rows[0]["created_at"].startswith("2026-11-10")


def test_per_page_is_clamped(demo: DemoServer) -> None:
    body = ok(demo, "sites/457/hits", per_page=5000, **WEEK)
    assert body["pagination"]["per_page"] == 1000 and len(body["hits"]) == 1000
    assert ok(demo, "sites/457/hits", per_page=0)["pagination"]["per_page"] == 1
    assert ok(demo, "sites/457/leaderboard", per_page=5000)["pagination"]["per_page"] == 1000
    assert ok(demo, "sites/457/user_journeys", per_page=500)["pagination"]["per_page"] == 50
    assert ok(demo, "sites/457/insights", per_page=500)["pagination"]["per_page"] == 50
    assert ok(demo, "sites/457/uptime", per_page=500)["pagination"]["per_page"] == 50


@pytest.mark.parametrize("params", [{"page": "two"}, {"per_page": "lots"}, {"page": "0"}])
def test_bad_paging_is_400(demo: DemoServer, params: dict[str, Any]) -> None:
    answer = get(demo, "sites/456/hits", **params)
    assert answer.status_code == 400
    assert "error" in answer.json()


def test_grouped_pagination(demo: DemoServer) -> None:
    rows = grouped(demo, 457, "path", **WEEK)
    first = ok(demo, "sites/457/hits", grouped="true", group_by="path", per_page=100, **WEEK)
    second = ok(
        demo, "sites/457/hits", grouped="true", group_by="path", per_page=100, page=2, **WEEK
    )
    assert first["grouped_hits"] + second["grouped_hits"] == rows[:200]
    assert first["pagination"]["total_count"] == len(rows)
