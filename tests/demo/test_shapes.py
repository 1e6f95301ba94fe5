"""Every endpoint answers in the contract's shape: the keys of its examples, with their types."""

from __future__ import annotations

import re
from typing import Any

from app.demo import DemoServer
from tests.demo.conftest import ok

SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def keys(obj: dict[str, Any], expected: dict[str, Any]) -> None:
    """Each expected key is present with a value of the given type(s)."""
    for key, kind in expected.items():
        assert key in obj, f"{key} missing from {sorted(obj)}"
        assert isinstance(obj[key], kind), (key, obj[key])


def pagination_ok(block: dict[str, Any]) -> None:
    keys(block, {"current_page": int, "per_page": int, "total_count": int, "total_pages": int})


def test_me(demo: DemoServer) -> None:
    user = ok(demo, "me")["user"]
    keys(user, {"email": str, "name": str, "subscription_status": str, "sites_count": int})
    assert user["subscription_status"] == "active"
    assert "@" in user["email"]
    assert user["sites_count"] == 5


def test_sites(demo: DemoServer) -> None:
    body = ok(demo, "sites")
    assert body["total_count"] == len(body["sites"]) >= 5
    for site in body["sites"]:
        keys(
            site,
            {"id": int, "uid": str, "url": str, "label": str, "lifetime_hits": int, "active": bool},
        )
        assert site["url"].startswith("https://")
    sizes = sorted(s["lifetime_hits"] for s in body["sites"])
    assert sizes[-1] > 20 * sizes[0], "sites of very different sizes"
    assert any(not s["active"] for s in body["sites"])


def test_site(demo: DemoServer) -> None:
    site = ok(demo, "sites/456")["site"]
    keys(
        site,
        {
            "id": int,
            "uid": str,
            "url": str,
            "label": str,
            "lifetime_hits": int,
            "lifetime_unique_hits": int,
            "active": bool,
            "is_public": bool,
            "created_at": str,
            "updated_at": str,
        },
    )
    assert SECONDS.match(site["created_at"]) and SECONDS.match(site["updated_at"])
    assert 0 < site["lifetime_unique_hits"] < site["lifetime_hits"]
    listed = {s["id"]: s for s in ok(demo, "sites")["sites"]}
    assert listed[456]["lifetime_hits"] == site["lifetime_hits"]


def test_hits(demo: DemoServer) -> None:
    body = ok(demo, "sites/456/hits", per_page=50)
    pagination_ok(body["pagination"])
    assert body["pagination"]["per_page"] == 50
    assert len(body["hits"]) == 50
    nullable = (str, type(None))
    for hit in body["hits"]:
        keys(
            hit,
            {
                "id": int,
                "url": str,
                "path": str,
                "referrer": nullable,
                "country": nullable,
                "browser_name": nullable,
                "platform_name": nullable,
                "is_mobile": (bool, type(None)),
                "created_at": str,
            },
        )
        assert SECONDS.match(hit["created_at"])
        assert hit["url"] == "https://fieldnotes.blog" + hit["path"]
        if hit["platform_name"] in ("iOS", "Android"):
            assert hit["is_mobile"] is True
        if hit["platform_name"] in ("macOS", "Windows", "Linux"):
            assert hit["is_mobile"] is False


def test_grouped_hits(demo: DemoServer) -> None:
    body = ok(demo, "sites/456/hits", grouped="true", group_by="path")
    pagination_ok(body["pagination"])
    rows = body["grouped_hits"]
    assert rows and all(set(r) == {"path", "hit_count"} for r in rows)
    counts = [r["hit_count"] for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_leaderboard(demo: DemoServer) -> None:
    body = ok(demo, "sites/456/leaderboard")
    for row in body["leaderboard"]:
        keys(row, {"path": str, "total_hits": int, "unique_hits": int, "percentage": float})
        assert row["unique_hits"] <= row["total_hits"]
    assert body["site"] == {
        "id": 456,
        "uid": "abc123",
        "url": "https://fieldnotes.blog",
        "label": "Field Notes",
    }
    pagination_ok(body["pagination"])
    keys(body["cache_info"], {"cached_at": str, "expires_at": str})
    assert SECONDS.match(body["cache_info"]["cached_at"])
    assert body["filters"] == {}


def test_user_journeys(demo: DemoServer) -> None:
    body = ok(demo, "sites/456/user_journeys")
    assert body["pagination"]["per_page"] == 10
    for journey in body["user_journeys"]:
        keys(
            journey,
            {
                "visitor_hash": str,
                "page_count": int,
                "pages": list,
                "entry_page": str,
                "exit_page": str,
                "session_duration": str,
            },
        )
        assert journey["page_count"] == len(journey["pages"]) >= 2
        for page in journey["pages"]:
            keys(page, {"path": str, "visited_at": str})
        assert journey["entry_page"] == journey["pages"][0]["path"]
        assert journey["exit_page"] == journey["pages"][-1]["path"]
        assert re.fullmatch(r"\d+s|\d+m|\d+h \d+m", journey["session_duration"])
    summary = body["summary"]
    keys(
        summary,
        {
            "total_visitors": int,
            "multi_page_visitors": int,
            "single_page_visitors": int,
            "bounce_rate": float,
        },
    )
    assert summary["total_visitors"] == (
        summary["multi_page_visitors"] + summary["single_page_visitors"]
    )
    assert body["pagination"]["total_count"] == summary["multi_page_visitors"]
    for block in ("top_entry_pages", "top_exit_pages"):
        rows = body["insights"][block]
        assert 0 < len(rows) <= 5
        for row in rows:
            keys(row, {"path": str, "visitors": int})
    assert set(body["filters"]) == {"start_date", "end_date"}


def test_insights(demo: DemoServer) -> None:
    body = ok(demo, "sites/456/insights")
    assert len(body["insights"]) == 10
    for item in body["insights"]:
        keys(
            item,
            {
                "id": int,
                "insights_for_date": str,
                "formatted_insights_date": str,
                "generated_at": str,
                "traffic_patterns": str,
                "best_content": str,
                "recommendations": str,
            },
        )
        assert DAY.match(item["insights_for_date"])
        assert MILLIS.match(item["generated_at"])
    ids = [i["id"] for i in body["insights"]]
    assert ids == sorted(ids, reverse=True), "newest first"
    site = body["site"]
    keys(
        site,
        {
            "id": int,
            "uid": str,
            "url": str,
            "label": str,
            "insights_enabled": bool,
            "daily_insight_reports_active": bool,
            "next_insight_job_scheduled_at": str,
        },
    )
    assert site["next_insight_job_scheduled_at"] == "2026-11-21T01:00:00Z"


def test_uptime(demo: DemoServer) -> None:
    body = ok(demo, "sites/456/uptime")
    monitor = body["monitor"]
    keys(
        monitor,
        {
            "id": int,
            "url": str,
            "enabled": bool,
            "is_down": bool,
            "uptime": str,
            "last_check_at": str,
            "next_check_at": str,
            "status_description": str,
            "current_check_interval": str,
            "period": int,
            "ssl": dict,
            "domain": dict,
            "auto_paused": bool,
            "created_at": str,
            "updated_at": str,
        },
    )
    assert re.fullmatch(r"\d{1,3}\.\d{2}", monitor["uptime"])
    for stamp in ("last_check_at", "next_check_at", "created_at", "updated_at"):
        assert MILLIS.match(monitor[stamp])
    keys(
        monitor["ssl"],
        {
            "expires_at": str,
            "valid": bool,
            "expiring_soon": bool,
            "expired": bool,
            "days_until_expiry": int,
        },
    )
    keys(
        monitor["domain"],
        {
            "tested_at": str,
            "expires_at": str,
            "remaining_days": int,
            "source": str,
            "expired": bool,
            "expiring_soon": bool,
            "days_until_expiry": int,
        },
    )
    assert body["downtimes"], "a history of incidents"
    for downtime in body["downtimes"]:
        keys(
            downtime,
            {
                "id": int,
                "error": str,
                "started_at": str,
                "duration_in_words": str,
                "partial": bool,
                "ongoing": bool,
            },
        )
        assert "ended_at" in downtime and "duration" in downtime
    pagination_ok(body["pagination"])
    assert body["pagination"]["per_page"] == 50
    keys(
        body["summary"],
        {"total_downtimes": int, "ongoing_downtimes": int, "recent_downtimes_30_days": int},
    )
