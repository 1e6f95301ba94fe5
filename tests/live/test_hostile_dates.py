"""The uptime watcher's and monitor's date arithmetic on dates at the edges of the calendar,
sent over real HTTP by the hostile API: no OverflowError, and a schedule that stays sane."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.api import TinylyticsClient
from app.api.models import LATEST, MAX_SECONDS
from app.demo import DEMO_KEY
from app.live.monitor import check_poll_in, downtime_seconds, expiry
from app.live.watcher import RARE, UptimeWatcher
from tests.conftest import DEMO_NOW
from tests.hostile import HostileServer

SITES = [456, 457, 458, 460]
LAST_SECOND = (LATEST - timedelta(seconds=1)).isoformat()


def edges(start: str, check: str, period: object, expires: str) -> Any:
    def mutate(path: str, query: dict[str, str], data: Any) -> Any:
        if path.endswith("/uptime") and isinstance(data, dict):
            monitor = data["monitor"]
            monitor["next_check_at"] = check
            monitor["period"] = period
            monitor["is_down"] = True
            if monitor.get("ssl"):
                monitor["ssl"]["expires_at"] = expires
                monitor["ssl"]["days_until_expiry"] = None
            data["downtimes"] = [{"id": 1, "started_at": start, "ended_at": None}]
        return data

    return mutate


@pytest.mark.parametrize(
    ("start", "check", "period", "expires"),
    [
        # Inside the models' window, as far out as it goes.
        ("2000-01-01T00:00:00Z", LAST_SECOND, MAX_SECONDS - 1, LAST_SECOND),
        ("2000-01-01T00:00:00Z", LAST_SECOND, 1, "2000-01-01T00:00:00Z"),
        # Outside it: unknown, never arithmetic.
        ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 1e999, "9999-12-31T23:59:59Z"),
        ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", -1, "0001-01-01T00:00:00Z"),
    ],
    ids=["window end, longest period", "window end, shortest period", "year 1 and 9999", "offsets"],
)
async def test_watcher_and_monitor_survive_dates_at_the_edges(
    hostile_api: HostileServer, start: str, check: str, period: object, expires: str
) -> None:
    hostile_api.mutate = edges(start, check, period, expires)
    clock = hostile_api.demo.clock
    async with TinylyticsClient(DEMO_KEY, hostile_api.base_url, max_retries=0) as client:
        watcher = UptimeWatcher(client, now=clock.now)
        watcher.set_sites(SITES)
        alerts = await watcher.run_once()
        assert {a.site_id for a in alerts if a.kind == "down"} == set(SITES)
        for site in SITES:
            due = watcher.due_at(site)
            # However far off the monitor's next check, the site is looked at within the hour.
            assert due is not None and DEMO_NOW < due <= DEMO_NOW + RARE
        assert 0 <= watcher.seconds_until_due() <= RARE.total_seconds()
        answer = await client.uptime(SITES[0])
    monitor = answer.monitor
    assert 5.0 <= check_poll_in(monitor.next_check_at, DEMO_NOW, fallback=60.0) <= 3600.0
    for downtime in answer.downtimes:
        seconds = downtime_seconds(downtime, DEMO_NOW)
        assert seconds is None or 0 <= seconds < MAX_SECONDS
    if monitor.ssl is not None:
        expiry(monitor.ssl.expires_at, monitor.ssl.days_until_expiry, now=DEMO_NOW)
