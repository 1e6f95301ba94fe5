"""`forced_down`: a test switch that takes a monitored site down and brings it back."""

from __future__ import annotations

from app.demo import DemoServer
from tests.conftest import DEMO_NOW
from tests.demo.conftest import control, get, ok

STARTED = "2026-11-20T14:30:00.000Z"


def test_forcing_a_site_down_and_back_up(demo: DemoServer) -> None:
    before = ok(demo, "sites/456/uptime", per_page=1)
    assert before["monitor"]["is_down"] is False
    demo.settings.forced_down = [456]
    down = ok(demo, "sites/456/uptime", per_page=1)
    assert down["monitor"]["is_down"] is True
    assert down["monitor"]["last_status_code"] == 503
    assert down["monitor"]["last_error_message"] == "503 Service Unavailable"
    assert down["monitor"]["status_description"] == "Server Error (503)"
    ongoing = down["downtimes"][0]
    assert ongoing["ongoing"] is True and ongoing["ended_at"] is None
    assert ongoing["started_at"] == STARTED
    assert down["summary"]["ongoing_downtimes"] == 1
    assert down["summary"]["total_downtimes"] == before["summary"]["total_downtimes"] + 1

    demo.clock.advance(600)
    still = ok(demo, "sites/456/uptime", per_page=1)
    assert still["monitor"]["is_down"] is True
    assert still["downtimes"][0]["id"] == ongoing["id"]
    assert still["downtimes"][0]["started_at"] == STARTED

    demo.settings.forced_down = []
    back = ok(demo, "sites/456/uptime", per_page=1)
    assert back["monitor"]["is_down"] is False
    assert back["monitor"]["last_status_code"] == 200
    ended = back["downtimes"][0]
    assert ended["id"] == ongoing["id"] and ended["ongoing"] is False
    assert ended["started_at"] == STARTED and ended["duration"] == 600
    assert back["summary"]["ongoing_downtimes"] == 0
    assert back["summary"]["total_downtimes"] == down["summary"]["total_downtimes"]
    # Other sites never noticed.
    assert ok(demo, "sites/460/uptime")["monitor"]["is_down"] is False


def test_forced_down_through_the_control_endpoint(demo: DemoServer) -> None:
    answer = control(demo, "settings", {"forced_down": [460, 457]})
    assert answer.status_code == 200 and answer.json()["forced_down"] == [460, 457]
    demo.clock.advance(60)  # the moment is the control call, not the next request
    for site in (457, 460):
        body = ok(demo, f"sites/{site}/uptime", per_page=1)
        assert body["monitor"]["is_down"] is True
        assert body["downtimes"][0]["started_at"] == STARTED
    control(demo, "settings", {"forced_down": [457]})
    assert ok(demo, "sites/460/uptime")["monitor"]["is_down"] is False
    assert ok(demo, "sites/457/uptime")["monitor"]["is_down"] is True
    assert demo.clock.now() > DEMO_NOW


def test_forced_down_leaves_sites_without_a_monitor_alone(demo: DemoServer) -> None:
    demo.settings.forced_down = [459, 999]
    assert get(demo, "sites/459/uptime").status_code == 404
    assert get(demo, "sites/999/uptime").status_code == 404


def test_forced_down_is_checked(demo: DemoServer) -> None:
    for bad in ("458", [True], ["458"], 458):
        answer = control(demo, "settings", {"forced_down": bad})
        assert answer.status_code == 400
        assert "forced_down" in answer.json()["error"]
    assert demo.settings.forced_down == []
