"""Quirks of the live service and injected faults, switched at runtime; the control endpoints;
request counting."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from app.demo import DemoServer, DemoSettings
from tests.demo.conftest import DEMO_HEADERS, control, get, ok

HOSTILE_MARKERS = ("[b]", "[link=", "\x1b[", "\x1b]8;;", "\x00", "日本語", "[@click")


# --- quirks -----------------------------------------------------------------------------------
def test_site_unwrapped(demo: DemoServer) -> None:
    wrapped = ok(demo, "sites/456")["site"]
    demo.settings.site_unwrapped = True
    assert ok(demo, "sites/456") == wrapped


def test_extra_fields(demo: DemoServer) -> None:
    plain_sites = ok(demo, "sites")
    demo.settings.extra_fields = True
    body = ok(demo, "sites")
    assert "signals" in body
    assert all("lifetime_kudos" in s for s in body["sites"])
    assert [s["lifetime_hits"] for s in body["sites"]] == [
        s["lifetime_hits"] for s in plain_sites["sites"]
    ]
    hits = ok(demo, "sites/456/hits", per_page=20)["hits"]
    assert all("source" in h for h in hits)
    assert "lifetime_kudos" in ok(demo, "sites/456")["site"]


def test_hostile_strings(demo: DemoServer) -> None:
    plain = json.dumps(ok(demo, "sites")) + json.dumps(ok(demo, "sites/456/leaderboard"))
    assert not any(m in plain for m in HOSTILE_MARKERS)
    demo.settings.hostile_strings = True
    labels = [s["label"] for s in ok(demo, "sites")["sites"]]
    assert any("[red]" in label or "\x1b[" in label for label in labels)
    paths = [r["path"] for r in ok(demo, "sites/456/leaderboard", per_page=1000)["leaderboard"]]
    found = {m for m in HOSTILE_MARKERS if any(m in p for p in paths)}
    assert len(found) >= 4, found
    assert any(len(p) > 500 for p in paths), "a very long path"
    week = {"start_date": "2026-10-01", "end_date": "2026-11-20"}
    referrers = ok(
        demo, "sites/457/hits", grouped="true", group_by="referrer", per_page=100, **week
    )["grouped_hits"]
    assert any(r["referrer"] and "[b]" in r["referrer"] for r in referrers)
    # A hostile path can be filtered on like any other, and shows in raw hits.
    odd = next(p for p in paths if "[link=" in p)
    rows = ok(demo, "sites/456/hits", path=odd, per_page=5, **week)["hits"]
    assert rows and all(r["path"] == odd and r["url"].endswith(odd) for r in rows)


def test_quirks_do_not_change_numbers(demo: DemoServer) -> None:
    week = {"start_date": "2026-11-10", "end_date": "2026-11-16"}
    before = ok(demo, "sites/456/hits", per_page=1, **week)["pagination"]
    demo.settings.hostile_strings = True
    demo.settings.extra_fields = True
    assert ok(demo, "sites/456/hits", per_page=1, **week)["pagination"] == before


# --- faults -----------------------------------------------------------------------------------
def test_latency(demo: DemoServer) -> None:
    demo.settings.latency = 0.3
    started = time.monotonic()
    ok(demo, "me")
    assert time.monotonic() - started >= 0.3


def test_error_rate_json_and_html(demo: DemoServer) -> None:
    demo.settings.error_rate = 1.0
    answer = get(demo, "sites")
    assert answer.status_code == 500
    assert answer.json() == {"error": "Internal server error"}
    demo.settings.error_status = 502
    demo.settings.error_html = True
    answer = get(demo, "sites")
    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.text.startswith("<!DOCTYPE html>")
    demo.settings.error_rate = 0.0
    assert get(demo, "sites").status_code == 200


def test_error_rate_is_seeded(demo: DemoServer) -> None:
    def statuses(server: DemoServer) -> list[int]:
        with httpx.Client(base_url=server.base_url, headers=DEMO_HEADERS) as client:
            return [client.get("me").status_code for _ in range(30)]

    demo.settings.error_rate = 0.5
    demo.settings.fault_seed = 3
    first = statuses(demo)
    assert 5 <= first.count(500) <= 25 and 500 in first and 200 in first
    with DemoServer(settings=DemoSettings(error_rate=0.5, fault_seed=3)) as other:
        assert statuses(other) == first


def test_drop_rate_cuts_the_connection(demo: DemoServer) -> None:
    demo.settings.drop_rate = 1.0
    with pytest.raises(httpx.TransportError):
        get(demo, "sites")
    assert demo.stats.by_status[0] == 1
    demo.settings.drop_rate = 0.0
    assert get(demo, "sites").status_code == 200


def test_force_429_with_and_without_retry_after(demo: DemoServer) -> None:
    demo.settings.force_429 = 2
    for _ in range(2):
        answer = get(demo, "me")
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "30"
        assert "error" in answer.json()
    assert get(demo, "me").status_code == 200
    demo.settings.force_429 = 1
    demo.settings.retry_after = None
    answer = get(demo, "me")
    assert answer.status_code == 429 and "Retry-After" not in answer.headers


def test_rate_limit_per_hour(demo: DemoServer) -> None:
    demo.settings.rate_limit_per_hour = 3
    assert [get(demo, "me").status_code for _ in range(3)] == [200, 200, 200]
    limited = get(demo, "me")
    assert limited.status_code == 429
    assert 3500 <= int(limited.headers["Retry-After"]) <= 3600
    demo.clock.advance(1800)
    assert get(demo, "me").status_code == 429
    demo.clock.advance(1801)
    assert get(demo, "me").status_code == 200


# --- counting and control ---------------------------------------------------------------------
def test_stats_count_every_api_request(demo: DemoServer) -> None:
    ok(demo, "me")
    ok(demo, "sites")
    ok(demo, "sites/456/hits", per_page=1)
    ok(demo, "sites/456/hits", per_page=1)
    get(demo, "sites/999")
    get(demo, "me", headers={"User-Agent": "t"})
    demo.settings.force_429 = 1
    get(demo, "sites/456/uptime")
    assert demo.stats.total == 7
    assert demo.stats.by_endpoint == {"me": 2, "sites": 1, "hits": 2, "site": 1, "uptime": 1}
    assert demo.stats.by_status == {200: 4, 404: 1, 401: 1, 429: 1}
    control(demo, "stats")  # control requests are not counted
    assert demo.stats.total == 7
    demo.stats.reset()
    assert demo.stats.total == 0 and not demo.stats.by_endpoint


def test_control_stats(demo: DemoServer) -> None:
    ok(demo, "me")
    stats = control(demo, "stats").json()
    assert stats == {"total": 1, "by_endpoint": {"me": 1}, "by_status": {"200": 1}}
    assert control(demo, "stats/reset", {}).status_code == 200
    assert control(demo, "stats").json()["total"] == 0


def test_control_clock(demo: DemoServer) -> None:
    answer = control(demo, "clock", {"advance": 3600}).json()
    assert answer["now"] == "2026-11-20T15:30:00Z" and answer["frozen"] is True
    answer = control(demo, "clock", {"set": "2026-11-21T08:00:00Z"}).json()
    assert answer["now"] == "2026-11-21T08:00:00Z"
    assert demo.clock.now().isoformat() == "2026-11-21T08:00:00+00:00"
    control(demo, "clock", {"speed": 60})
    control(demo, "clock", {"freeze": False})
    time.sleep(0.1)
    assert demo.clock.now().isoformat() > "2026-11-21T08:00:05"
    control(demo, "clock", {"freeze": True})
    assert control(demo, "clock", {"set": "not a date"}).status_code == 400


def test_control_settings(demo: DemoServer) -> None:
    assert control(demo, "settings").json() == DemoSettings().as_dict()
    answer = control(demo, "settings", {"hits_order": "asc", "latency": 0})
    assert answer.status_code == 200 and answer.json()["hits_order"] == "asc"
    assert demo.settings.hits_order == "asc"
    assert control(demo, "settings", {"no_such_thing": 1}).status_code == 400
    assert control(demo, "settings", {"error_rate": "lots"}).status_code == 400
    assert control(demo, "settings", {"hits_order": "sideways"}).status_code == 400
    assert control(demo, "settings", {"retry_after": None}).json()["retry_after"] is None
    # Faults never touch the control endpoints.
    control(demo, "settings", {"error_rate": 1.0, "drop_rate": 1.0, "latency": 0.5})
    started = time.monotonic()
    assert control(demo, "settings").status_code == 200
    assert time.monotonic() - started < 0.4
    assert demo.stats.total == 0
