"""The world behind the API: deterministic, alive, and consistent across endpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.demo import Clock, DemoServer
from app.demo.store import STORE
from tests.conftest import DEMO_NOW
from tests.demo.conftest import get, ok, total

WEEK = {"start_date": "2026-11-10", "end_date": "2026-11-16"}


def snapshot(demo: DemoServer) -> list[Any]:
    """A handful of answers that together cover every kind of generated data."""
    return [
        ok(demo, "sites"),
        ok(demo, "sites/457/hits", per_page=200, **WEEK),
        ok(demo, "sites/456/hits", grouped="true", group_by="referrer", **WEEK),
        ok(demo, "sites/458/user_journeys", per_page=5, **WEEK),
        ok(demo, "sites/456/leaderboard", per_page=20),
        ok(demo, "sites/456/insights", per_page=2),
        ok(demo, "sites/457/uptime"),
    ]


def fresh_server(seed: int) -> DemoServer:
    # Generated days are shared between worlds: clear them so the second world really
    # generates everything again.
    STORE.clear()
    return DemoServer(seed=seed, clock=Clock(DEMO_NOW, frozen=True))


def test_same_seed_same_world_different_seed_different_world() -> None:
    answers = []
    for seed in (42, 42, 7):
        with fresh_server(seed) as server:
            answers.append(snapshot(server))
    assert answers[0] == answers[1]
    for mine, theirs in zip(answers[0], answers[2], strict=True):
        if "sites" in mine:
            continue  # labels and URLs are the account's; only the numbers differ
        assert mine != theirs


def test_a_day_is_the_same_whatever_the_clock(demo: DemoServer) -> None:
    day = {"start_date": "2026-11-12", "end_date": "2026-11-12"}
    before = ok(demo, "sites/456/hits", per_page=1000, **day)
    demo.clock.advance(3 * 86400)
    assert ok(demo, "sites/456/hits", per_page=1000, **day) == before
    STORE.clear()
    with DemoServer(seed=42, clock=Clock(datetime(2027, 2, 1, tzinfo=UTC), frozen=True)) as later:
        assert ok(later, "sites/456/hits", per_page=1000, **day) == before


def test_new_hits_appear_as_time_passes(demo: DemoServer) -> None:
    today = {"start_date": "2026-11-20", "end_date": "2026-11-20"}
    yesterday = {"start_date": "2026-11-19", "end_date": "2026-11-19"}
    count_today = total(demo, 457, **today)
    count_yesterday = total(demo, 457, **yesterday)
    lifetime = ok(demo, "sites/457")["site"]["lifetime_hits"]
    newest = ok(demo, "sites/457/hits", per_page=1, **today)["hits"][0]
    assert newest["created_at"] <= "2026-11-20T14:30:00Z"

    demo.clock.advance(3600)
    grown = total(demo, 457, **today)
    assert grown > count_today
    assert total(demo, 457, **yesterday) == count_yesterday
    assert ok(demo, "sites/457")["site"]["lifetime_hits"] == lifetime + grown - count_today
    rows = ok(demo, "sites/457/hits", per_page=1000, **today)["hits"]
    fresh = [r for r in rows if r["created_at"] > "2026-11-20T14:30:00Z"]
    assert len(fresh) == grown - count_today
    assert all(r["created_at"] <= "2026-11-20T15:30:00Z" for r in fresh)
    assert min(r["id"] for r in fresh) > newest["id"], "ids grow with time"


def test_lifetime_matches_the_days(demo: DemoServer) -> None:
    site = ok(demo, "sites/460")["site"]
    first = date.fromisoformat(site["created_at"][:10])
    counted = 0
    start = first
    while start <= DEMO_NOW.date():
        end = min(start + timedelta(days=364), DEMO_NOW.date())
        counted += total(demo, 460, start_date=start.isoformat(), end_date=end.isoformat())
        start = end + timedelta(days=1)
    assert counted == site["lifetime_hits"]


def test_leaderboard_is_cached_for_an_hour(demo: DemoServer) -> None:
    first = ok(demo, "sites/456/leaderboard", per_page=1000)
    assert first["cache_info"] == {
        "cached_at": "2026-11-20T14:30:00Z",
        "expires_at": "2026-11-20T15:30:00Z",
    }
    all_time = sum(r["total_hits"] for r in first["leaderboard"])
    assert all_time == ok(demo, "sites/456")["site"]["lifetime_hits"]
    assert abs(sum(r["percentage"] for r in first["leaderboard"]) - 100) < 2

    demo.clock.advance(40 * 60)
    assert ok(demo, "sites/456")["site"]["lifetime_hits"] > all_time, "new hits arrived"
    assert ok(demo, "sites/456/leaderboard", per_page=1000) == first

    demo.clock.advance(21 * 60)
    later = ok(demo, "sites/456/leaderboard", per_page=1000)
    assert later["cache_info"]["cached_at"] == "2026-11-20T15:31:00Z"
    assert sum(r["total_hits"] for r in later["leaderboard"]) > all_time


def test_leaderboard_path_filter(demo: DemoServer) -> None:
    body = ok(demo, "sites/456/leaderboard", path="POSTS", per_page=1000)
    assert body["filters"] == {"path": "POSTS"}
    assert body["leaderboard"] and all("/posts/" in r["path"] for r in body["leaderboard"])
    everything = ok(demo, "sites/456/leaderboard", per_page=1000)["leaderboard"]
    assert body["leaderboard"] == [r for r in everything if "posts" in r["path"].lower()]


def test_journeys_are_made_of_real_hits(demo: DemoServer) -> None:
    body = ok(demo, "sites/458/user_journeys", per_page=20, **WEEK)
    assert len(body["user_journeys"]) == 20
    starts = [j["pages"][0]["visited_at"] for j in body["user_journeys"]]
    assert starts == sorted(starts, reverse=True), "newest first"
    for journey in body["user_journeys"][:5]:
        day = journey["pages"][0]["visited_at"][:10]
        for page in journey["pages"]:
            hits = ok(
                demo,
                "sites/458/hits",
                path=page["path"],
                start_date=day,
                end_date=day,
                per_page=1000,
            )["hits"]
            assert page["visited_at"] in {h["created_at"] for h in hits}
        stamps = [p["visited_at"] for p in journey["pages"]]
        assert stamps == sorted(stamps)


def test_journey_summary_counts_every_visitor(demo: DemoServer) -> None:
    body = ok(demo, "sites/456/user_journeys", **WEEK)
    summary = body["summary"]
    assert summary["total_visitors"] > summary["multi_page_visitors"] > 0
    bounce = summary["single_page_visitors"] / summary["total_visitors"] * 100
    assert summary["bounce_rate"] == round(bounce, 1)
    entries = body["insights"]["top_entry_pages"]
    assert [e["visitors"] for e in entries] == sorted(
        (e["visitors"] for e in entries), reverse=True
    )
    # Journeys past the end: none, with the same totals.
    pages = body["pagination"]["total_pages"]
    past = ok(demo, "sites/456/user_journeys", page=pages + 1, **WEEK)
    assert past["user_journeys"] == [] and past["summary"] == summary


def test_journeys_of_a_future_range_are_empty(demo: DemoServer) -> None:
    body = ok(demo, "sites/456/user_journeys", start_date="2026-12-01", end_date="2026-12-02")
    assert body["user_journeys"] == []
    assert body["summary"]["total_visitors"] == 0
    assert body["summary"]["bounce_rate"] is None


def test_insights_tell_the_weeks_numbers(demo: DemoServer) -> None:
    insight = ok(demo, "sites/456/insights", per_page=1)["insights"][0]
    day = date.fromisoformat(insight["insights_for_date"])
    assert day == DEMO_NOW.date()
    assert insight["formatted_insights_date"] == "November 20, 2026"
    week = {
        "start_date": (day - timedelta(days=7)).isoformat(),
        "end_date": (day - timedelta(days=1)).isoformat(),
    }
    hits = total(demo, 456, **week)
    visitors = ok(demo, "sites/456/user_journeys", **week)["summary"]["total_visitors"]
    assert f"{hits:,} hits from {visitors:,} unique visitors" in insight["traffic_patterns"]
    top = ok(demo, "sites/456/hits", grouped="true", group_by="path", per_page=1, **week)
    row = top["grouped_hits"][0]
    assert (
        f"{row['path']} is shining brightest with {row['hit_count']:,} hits"
        in (insight["best_content"])
    )


def test_insights_follow_the_clock(demo: DemoServer) -> None:
    before = ok(demo, "sites/457/insights", per_page=1)
    demo.clock.set(datetime(2026, 11, 21, 0, 59, tzinfo=UTC))
    assert ok(demo, "sites/457/insights", per_page=1)["pagination"] == before["pagination"]
    demo.clock.set(datetime(2026, 11, 21, 3, 0, tzinfo=UTC))
    after = ok(demo, "sites/457/insights", per_page=1)
    assert after["pagination"]["total_count"] == before["pagination"]["total_count"] + 1
    assert after["insights"][0]["insights_for_date"] == "2026-11-21"
    assert after["insights"][0]["id"] > before["insights"][0]["id"]
    assert after["site"]["next_insight_job_scheduled_at"] == "2026-11-22T01:00:00Z"


def test_disabled_insights(demo: DemoServer) -> None:
    body = ok(demo, "sites/459/insights")
    assert body["insights"] == []
    assert body["pagination"]["total_count"] == 0
    assert body["site"]["insights_enabled"] is False
    assert body["site"]["next_insight_job_scheduled_at"] is None


def test_uptime_states_at_the_start(demo: DemoServer) -> None:
    down = ok(demo, "sites/458/uptime")
    assert down["monitor"]["is_down"] is True
    assert down["monitor"]["last_status_code"] in (502, 530)
    assert down["monitor"]["last_error_message"]
    ongoing = down["downtimes"][0]
    assert ongoing["ongoing"] is True and ongoing["ended_at"] is None
    assert ongoing["duration"] is None
    assert "2026-11-20T14:1" in ongoing["started_at"]
    assert down["summary"]["ongoing_downtimes"] == 1

    ssl = ok(demo, "sites/457/uptime")["monitor"]["ssl"]
    assert ssl["expiring_soon"] is True and 0 <= ssl["days_until_expiry"] <= 14

    missing = get(demo, "sites/459/uptime")
    assert missing.status_code == 404
    assert missing.json() == {"error": "No uptime monitor for this site"}

    quiet = ok(demo, "sites/460/uptime")["monitor"]
    assert quiet["ssl"] is None and quiet["domain"] is None

    for site in (456, 457, 460):
        body = ok(demo, f"sites/{site}/uptime")
        assert body["monitor"]["is_down"] is False
        assert body["summary"]["total_downtimes"] >= 3
        assert len({d["error"] for d in body["downtimes"]}) >= 2
        assert float(body["monitor"]["uptime"]) < 100


def test_the_down_site_comes_back(demo: DemoServer) -> None:
    demo.clock.advance(30 * 60)
    body = ok(demo, "sites/458/uptime")
    assert body["monitor"]["is_down"] is False
    assert body["monitor"]["last_status_code"] == 200
    recovered = body["downtimes"][0]
    assert recovered["ongoing"] is False
    assert recovered["ended_at"] is not None
    assert 30 * 60 <= recovered["duration"] <= 45 * 60
    assert body["summary"]["ongoing_downtimes"] == 0


def test_checks_follow_the_period(demo: DemoServer) -> None:
    monitor = ok(demo, "sites/456/uptime")["monitor"]
    last = datetime.fromisoformat(monitor["last_check_at"].replace("Z", "+00:00"))
    following = datetime.fromisoformat(monitor["next_check_at"].replace("Z", "+00:00"))
    assert following - last == timedelta(seconds=monitor["period"])
    assert last <= DEMO_NOW < following
    demo.clock.advance(monitor["period"])
    assert ok(demo, "sites/456/uptime")["monitor"]["last_check_at"] == monitor["next_check_at"]


def test_more_outages_happen_later(demo: DemoServer) -> None:
    sites = (456, 457, 458, 460)
    before = sum(ok(demo, f"sites/{s}/uptime")["summary"]["total_downtimes"] for s in sites)
    seen_down = set()
    for _ in range(3 * 24 * 12):  # three days, every five minutes
        demo.clock.advance(300)
        for site in sites:
            world_site = demo.world.site(site)
            assert world_site is not None
            answer = demo.world.uptime_answer(world_site, 1, 1)
            if answer is not None and answer["monitor"]["is_down"]:
                seen_down.add(site)
    after = sum(ok(demo, f"sites/{s}/uptime")["summary"]["total_downtimes"] for s in sites)
    assert after >= before + 5
    assert len(seen_down) >= 2


def test_scale_grows_the_largest_site_only() -> None:
    clock = Clock(DEMO_NOW, frozen=True)
    with DemoServer(scale=30, clock=clock) as big, DemoServer(clock=clock) as small:
        assert total(big, 457) >= 100_000
        assert total(big, 457) > 20 * total(small, 457)
        assert total(big, 456) == total(small, 456)
