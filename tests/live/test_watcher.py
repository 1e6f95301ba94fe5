"""The uptime watcher against the demo server: states, alerts, schedule and caps, failures.

The demo clock is frozen; tests move it to the watcher's next due time, so nothing waits.
Seed 42 at 2026-11-20 14:30Z: 458 is down (since 14:14:53, back about 14:55), 459 has no
monitor, 457's certificate expires in 9 days, and no other outage is scheduled before 23:00.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from itertools import pairwise

import httpx
import pytest

from app.api import NetworkError, RateLimited, TinylyticsClient
from app.demo import BASIC_KEY, DEMO_KEY, DemoServer
from app.live.watcher import (
    FLOOR,
    MAX_PER_HOUR,
    RARE,
    SLACK,
    Alert,
    UptimeWatcher,
    on_the_grid,
)
from tests.conftest import DEMO_HEADERS, DEMO_NOW

SITES = [456, 457, 458, 459, 460]
# When a site looked at hourly is asked again: on the hour (16:00), not an hour after 14:30.
NEXT_HOUR = on_the_grid(DEMO_NOW + RARE, RARE)
LABELS = {
    456: "Field Notes",
    457: "Burrow Docs",
    458: "Kettle & Crumb",
    459: "Tern — launch list",
    460: "pixelmoss (old side project)",
}


@asynccontextmanager
async def watching(
    demo: DemoServer,
    *,
    key: str = DEMO_KEY,
    label: Callable[[int], str | None] = LABELS.get,
    max_per_hour: int = MAX_PER_HOUR,
) -> AsyncIterator[UptimeWatcher]:
    # No retries inside the client: a failure reaches the watcher at once.
    async with TinylyticsClient(key, demo.base_url, max_retries=0) as client:
        watcher = UptimeWatcher(client, now=demo.clock.now, label=label, max_per_hour=max_per_hour)
        watcher.set_sites(SITES)
        yield watcher


def uptime_requests(demo: DemoServer) -> int:
    return demo.stats.by_endpoint["uptime"]


async def step(demo: DemoServer, watcher: UptimeWatcher) -> list[Alert]:
    """Move the clock to the watcher's next due time and let it poll."""
    wait = (watcher.next_due() - demo.clock.now()).total_seconds()
    if wait > 0:
        demo.clock.advance(wait)
    return await watcher.run_once()


async def until_polled(demo: DemoServer, watcher: UptimeWatcher, site: int) -> list[Alert]:
    """Step until `site` has been asked again; every alert raised on the way."""
    before = watcher.states[site].checked_at
    alerts: list[Alert] = []
    for _ in range(20):
        alerts += await step(demo, watcher)
        if watcher.states[site].checked_at != before:
            return alerts
    raise AssertionError(f"site {site} was not polled again")


def of(alerts: list[Alert], site: int) -> list[tuple[str, str, str]]:
    return [(a.kind, a.severity, a.message) for a in alerts if a.site_id == site]


# --- the first pass ------------------------------------------------------------------------------


async def test_first_pass_finds_the_down_site_and_the_expiring_certificate(
    demo: DemoServer,
) -> None:
    async with watching(demo) as watcher:
        alerts = await watcher.run_once()
        assert [(a.site_id, a.kind, a.severity, a.message) for a in alerts] == [
            (457, "ssl", "warning", "Burrow Docs: SSL certificate expires in 9 days"),
            (
                458,
                "down",
                "error",
                "Kettle & Crumb is down for 15 minutes: 530 Custom Cloudflare Error",
            ),
        ]
        assert all(a.at == DEMO_NOW for a in alerts)
        assert {s: watcher.states[s].summary for s in SITES} == {
            456: "up",
            457: "up",
            458: "down",
            459: "no monitor",
            460: "up",
        }
        down = watcher.states[458]
        assert down.since == datetime.fromisoformat("2026-11-20T14:14:53+00:00")
        assert down.status_code == 530 and down.error == "530 Custom Cloudflare Error"
        assert watcher.states[457].ssl_days == 9 and not watcher.states[457].ssl_expired
        assert watcher.states[460].ssl_days is None
        assert not any(s.stale for s in watcher.states.values())
        assert watcher.error is None
        assert demo.stats.by_endpoint == {"uptime": 5}
        # Nothing is due again yet: no request, no repeated alert.
        assert await watcher.run_once() == []
        assert demo.stats.total == 5


async def test_needs_plan_and_no_monitor_are_quiet_and_rechecked_hourly(demo: DemoServer) -> None:
    async with watching(demo, key=BASIC_KEY) as watcher:
        assert await watcher.run_once() == []
        assert {s.summary for s in watcher.states.values()} == {"needs plan"}
        # Hourly, on the hour: every copy of the app on the key asks at the same moment.
        assert watcher.next_due() == NEXT_HOUR
        demo.clock.advance((NEXT_HOUR - DEMO_NOW).total_seconds() - 1)
        assert await watcher.run_once() == []
        assert uptime_requests(demo) == 5
        demo.clock.advance(1)
        assert await watcher.run_once() == []
        assert uptime_requests(demo) == 10
        assert watcher.states[456].since == DEMO_NOW  # the state has held since the first look


# --- the schedule --------------------------------------------------------------------------------


async def test_each_site_is_asked_just_after_a_check_and_no_sooner_than_the_floor(
    demo: DemoServer,
) -> None:
    async with watching(demo) as watcher:
        await watcher.run_once()
        for site in (456, 457, 458, 460):
            state = watcher.states[site]
            due = watcher.due_at(site)
            assert state.next_check_at is not None and state.period and due is not None
            # Just after a check: the first whose result lands after the floor.
            assert (due - SLACK - state.next_check_at).total_seconds() % state.period == 0
            assert DEMO_NOW + FLOOR <= due < DEMO_NOW + FLOOR + timedelta(seconds=state.period)
        assert watcher.due_at(459) == NEXT_HOUR
        first = min(d for s in SITES if (d := watcher.due_at(s)) is not None)
        assert watcher.next_due() == first

        demo.clock.advance((first - DEMO_NOW).total_seconds() - 1)
        assert await watcher.run_once() == []
        assert uptime_requests(demo) == 5
        demo.clock.advance(1)
        now = demo.clock.now()
        due_now = [s for s in SITES if (d := watcher.due_at(s)) is not None and d <= now]
        await watcher.run_once()
        assert due_now and [s for s in SITES if watcher.states[s].checked_at == now] == due_now
        assert uptime_requests(demo) == 5 + len(due_now)


@pytest.mark.parametrize("cap", [60, 12])
async def test_request_caps_hold_over_hours(demo: DemoServer, cap: int) -> None:
    polls: dict[int, list[datetime]] = {s: [] for s in SITES}
    alerts: list[Alert] = []
    async with watching(demo, max_per_hour=cap) as watcher:
        while demo.clock.now() < DEMO_NOW + timedelta(hours=4):
            alerts += await step(demo, watcher)
            for site, state in watcher.states.items():
                if state.checked_at and (not polls[site] or polls[site][-1] != state.checked_at):
                    polls[site].append(state.checked_at)
        everything = sorted(t for times in polls.values() for t in times)
        assert len(everything) == uptime_requests(demo) == watcher.requests
        for i, at in enumerate(everything):
            in_hour = [t for t in everything[: i + 1] if t > at - timedelta(hours=1)]
            assert len(in_hour) <= cap, at
        spacing = max(FLOOR, watcher.interval())
        for site, times in polls.items():
            gaps = [b - a for a, b in pairwise(times)]
            assert all(gap >= (RARE if site == 459 else spacing) for gap in gaps), site
        if cap == 60:
            # Every five minutes (460 checks every ten; 458, checked every minute while down, at
            # every fifth check, and once more as its schedule changes when it is back), the
            # site without a monitor hourly, on the hour.
            assert [len(polls[s]) for s in SITES] == [48, 48, 49, 4, 24]
        else:
            assert watcher.interval() > FLOOR
            assert len(everything) >= 4 * 11
    # The first pass, then 458 came back once and said so once; nothing else changed.
    assert [(a.site_id, a.kind) for a in alerts] == [(457, "ssl"), (458, "down"), (458, "up")]
    assert alerts[2].message.startswith("Kettle & Crumb is back up after ")


# --- transitions ---------------------------------------------------------------------------------


async def test_a_site_forced_down_alerts_once_and_once_more_when_back(demo: DemoServer) -> None:
    async with watching(demo) as watcher:
        await watcher.run_once()
        demo.settings.forced_down = [456]
        alerts = await until_polled(demo, watcher, 456)
        assert of(alerts, 456) == [
            ("down", "error", "Field Notes is down: 503 Service Unavailable"),
        ]
        assert watcher.states[456].summary == "down"
        down_at = watcher.states[456].since
        assert down_at is not None and down_at > DEMO_NOW
        for _ in range(2):
            assert of(await until_polled(demo, watcher, 456), 456) == []
        demo.settings.forced_down = []
        alerts = await until_polled(demo, watcher, 456)
        [(kind, severity, message)] = of(alerts, 456)
        assert (kind, severity) == ("up", "information")
        assert message.startswith("Field Notes is back up after ") and message.endswith(" minutes")
        assert watcher.states[456].summary == "up"
        assert of(await until_polled(demo, watcher, 456), 456) == []


async def test_an_outage_between_two_polls_is_not_missed(demo: DemoServer) -> None:
    async with watching(demo) as watcher:
        await watcher.run_once()
        async with httpx.AsyncClient(base_url=demo.base_url, headers=DEMO_HEADERS) as http:
            demo.settings.forced_down = [460]
            await http.get("me")  # the server sees the switch now
            demo.clock.advance(120)
            demo.settings.forced_down = []
            await http.get("me")
        alerts = await until_polled(demo, watcher, 460)
        assert of(alerts, 460) == [
            (
                "up",
                "warning",
                "pixelmoss (old side project) was down for 2 minutes (503 Service Unavailable) "
                "and is back up",
            )
        ]
        assert watcher.states[460].summary == "up"


async def test_certificate_alerts_once_and_again_when_expired(demo: DemoServer) -> None:
    async with watching(demo) as watcher:
        first = await watcher.run_once()
        assert [a.site_id for a in first if a.kind == "ssl"] == [457]
        for _ in range(3):
            assert of(await until_polled(demo, watcher, 457), 457) == []
        demo.clock.advance(10 * 86400)
        alerts = await watcher.run_once()
        assert watcher.states[457].ssl_expired
        expired = ("ssl", "error", "Burrow Docs: SSL certificate has expired")
        assert [a for a in of(alerts, 457) if a[0] == "ssl"] == [expired]
        assert of(await until_polled(demo, watcher, 457), 457) == []


async def test_domain_expiring_soon(demo: DemoServer) -> None:
    async with httpx.AsyncClient(base_url=demo.base_url, headers=DEMO_HEADERS) as http:
        domain = (await http.get("sites/456/uptime")).json()["monitor"]["domain"]
    expires = datetime.fromisoformat(domain["expires_at"].replace("Z", "+00:00"))
    demo.clock.set(expires - timedelta(days=10) + timedelta(hours=1))
    async with watching(demo) as watcher:
        alerts = await watcher.run_once()
        assert watcher.states[456].domain_days == 10
        assert [a for a in of(alerts, 456) if a[0] == "domain"] == [
            ("domain", "warning", "Field Notes: domain expires in 10 days")
        ]


async def test_answers_from_elsewhere_count_as_polls(demo: DemoServer) -> None:
    async with watching(demo) as watcher:
        answer = await watcher.client.uptime(458, per_page=5)
        [alert] = watcher.record(458, answer)
        assert (alert.kind, alert.site_id) == ("down", 458)
        assert watcher.states[458].summary == "down"
        due = watcher.due_at(458)
        assert due is not None and due > DEMO_NOW + FLOOR
        await watcher.run_once()
        assert uptime_requests(demo) == 1 + 4  # 458 was not asked again


async def test_sites_come_and_go(demo: DemoServer) -> None:
    async with watching(demo) as watcher:
        watcher.set_sites([456, 458])
        assert {a.site_id for a in await watcher.run_once()} == {458}
        assert set(watcher.states) == {456, 458}
        watcher.set_sites([458, 457])
        assert set(watcher.states) == {458}
        assert watcher.due_at(457) == DEMO_NOW
        alerts = await watcher.run_once()
        assert [(a.site_id, a.kind) for a in alerts] == [(457, "ssl")]
        assert uptime_requests(demo) == 3


async def test_hostile_labels_make_one_plain_line(demo: DemoServer) -> None:
    def hostile(site: int) -> str:
        return "\x1b[31m[b]Kettle[/b]\x1b]8;;http://evil\x07\ncrumb\x00\u202e" + "x" * 200

    async with watching(demo, label=hostile) as watcher:
        alerts = await watcher.run_once()
        [down] = [a for a in alerts if a.kind == "down"]
        assert down.message.startswith("[b]Kettle[/b] crumb")
        assert not any(ord(c) < 32 or c in "\x7f\u202e" for c in down.message)
        assert len(down.message) < 160
    async with watching(demo, label=lambda site: None) as watcher:
        messages = [a.message for a in await watcher.run_once()]
        assert messages[0].startswith("site 457: ") and messages[1].startswith("site 458 is down")


# --- failures ------------------------------------------------------------------------------------


async def test_a_network_failure_raises_nothing_and_keeps_the_states(demo: DemoServer) -> None:
    async with watching(demo) as watcher:
        await watcher.run_once()
        before = {s: st.summary for s, st in watcher.states.items()}
        demo.settings.drop_rate = 1.0
        assert await step(demo, watcher) == []
        assert isinstance(watcher.error, NetworkError)
        assert {s: st.summary for s, st in watcher.states.items()} == before
        stale = [s for s, st in watcher.states.items() if st.stale]
        assert len(stale) == 1  # the first failure stops the pass
        failed_at = demo.clock.now()
        assert watcher.next_due() >= failed_at + timedelta(seconds=30)
        sent = demo.stats.total
        assert await watcher.run_once() == []
        assert demo.stats.total == sent  # backing off: nothing sent
        # A second failure backs off longer.
        assert await step(demo, watcher) == []
        assert watcher.next_due() >= demo.clock.now() + timedelta(seconds=60)

        demo.settings.drop_rate = 0.0
        alerts: list[Alert] = []
        for _ in range(5):
            alerts += await step(demo, watcher)
        assert alerts == []  # no false "down" or "up" from our own outage
        assert watcher.error is None
        assert not any(st.stale for st in watcher.states.values())
        assert {s: st.summary for s, st in watcher.states.items()} == before


async def test_a_stopped_server_raises_nothing(demo: DemoServer) -> None:
    async with watching(demo) as watcher:
        await watcher.run_once()
        demo.stop()
        assert await step(demo, watcher) == []
        assert isinstance(watcher.error, NetworkError)
        assert watcher.states[458].summary == "down"


async def test_rate_limited_waits_as_long_as_asked(demo: DemoServer) -> None:
    demo.settings.force_429 = 1
    demo.settings.retry_after = 600
    async with watching(demo) as watcher:
        assert await watcher.run_once() == []
        assert isinstance(watcher.error, RateLimited)
        assert watcher.next_due() == DEMO_NOW + timedelta(seconds=600)
        assert watcher.states[456].stale and watcher.states[456].summary is None
        alerts = await step(demo, watcher)
        assert {a.site_id for a in alerts} == {457, 458}
        assert watcher.error is None


async def test_copies_started_apart_poll_each_site_at_the_same_moments(demo: DemoServer) -> None:
    """Two copies of the app on one key, started 13 s apart: after their first looks they ask
    for each site at the same moments, so that one answer serves both (the shared cache)."""
    polls: list[dict[int, list[datetime]]] = [{s: [] for s in SITES}, {s: [] for s in SITES}]

    def record(index: int, watcher: UptimeWatcher) -> None:
        for site, state in watcher.states.items():
            times = polls[index][site]
            if state.checked_at and (not times or times[-1] != state.checked_at):
                times.append(state.checked_at)

    async with watching(demo) as first:
        await first.run_once()
        record(0, first)
        demo.clock.advance(13)
        async with watching(demo) as second:
            await second.run_once()
            record(1, second)
            while demo.clock.now() < DEMO_NOW + timedelta(hours=3):
                due = min(first.next_due(), second.next_due())
                wait = (due - demo.clock.now()).total_seconds()
                if wait > 0:
                    demo.clock.advance(wait)
                for index, watcher in enumerate((first, second)):
                    if watcher.next_due() <= demo.clock.now():
                        await watcher.run_once()
                        record(index, watcher)
    settled = DEMO_NOW + timedelta(minutes=30)
    for site in SITES:
        later = [[t for t in copy[site] if t > settled] for copy in polls]
        assert later[0], site
        assert later[0] == later[1], site
