"""Numbers and dates out of range, sent over real HTTP by the hostile API and read by the client.

A count above 2**53 or below 0, a NaN or infinite percentage, a date in the year 1 or 9999: an
optional field becomes None (unknown), an essential one refuses the answer with a one-line
message, and each field is logged once however often it comes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from app.api import ProtocolError, models
from tests.api.conftest import MakeClient
from tests.hostile import HostileServer

SITE = 456
OVERFLOW = 2**64
# What a JSON decoder makes of 1e999, and what a server may write for a NaN.
INFINITE = 1e999

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(autouse=True)
def fresh_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees its own first report of a field (the set lives for the whole run)."""
    monkeypatch.setattr(models, "_reported", set())


def on(hostile_api: HostileServer, suffix: str, edit: Edit) -> None:
    """Change the demo's answers for the endpoints whose path ends with `suffix`."""

    def mutate(path: str, query: dict[str, str], data: Any) -> Any:
        if path.endswith(suffix) and isinstance(data, dict):
            edit(data)
        return data

    hostile_api.mutate = mutate


def reports(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == models.__name__]


async def test_an_overflowing_lifetime_count_is_unknown_and_logged_once(
    hostile_api: HostileServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    def edit(data: dict[str, Any]) -> None:
        site = data.get("site", data)
        site["lifetime_hits"] = OVERFLOW
        site["lifetime_unique_hits"] = -5

    on(hostile_api, f"sites/{SITE}", edit)
    client = make_client(base_url=hostile_api.base_url)
    with caplog.at_level(logging.WARNING, logger=models.__name__):
        for _ in range(3):  # three refreshes
            site = (await client.site(SITE)).site
            assert site.id == SITE
            assert site.lifetime_hits is None
            assert site.lifetime_unique_hits is None
    logged = reports(caplog)
    assert len(logged) == 2, logged
    assert any("Site.lifetime_hits" in line and str(OVERFLOW) in line for line in logged)
    assert any("Site.lifetime_unique_hits" in line and "-5" in line for line in logged)


async def test_uptime_nan_and_dates_at_the_calendar_edges_become_unknown(
    hostile_api: HostileServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    def edit(data: dict[str, Any]) -> None:
        monitor = data["monitor"]
        monitor["uptime"] = "NaN"
        monitor["next_check_at"] = "9999-12-31T23:59:59Z"
        # The year 1 with a positive offset lies before the first instant UTC can hold.
        monitor["last_check_at"] = "0001-01-01T00:00:00+05:00"
        monitor["period"] = INFINITE
        monitor["last_status_code"] = -1
        monitor["ssl"]["days_until_expiry"] = OVERFLOW
        monitor["ssl"]["expires_at"] = "9999-12-31T00:00:00Z"
        for downtime in data["downtimes"]:
            downtime["started_at"] = "0001-01-01T00:00:00Z"
            downtime["duration"] = -300
        data["summary"]["total_downtimes"] = -5

    on(hostile_api, "/uptime", edit)
    client = make_client(base_url=hostile_api.base_url)
    with caplog.at_level(logging.WARNING, logger=models.__name__):
        answer = await client.uptime(SITE)
        again = await client.uptime(SITE)
    assert answer == again
    monitor = answer.monitor
    assert monitor.uptime is None
    assert monitor.next_check_at is None
    assert monitor.last_check_at is None
    assert monitor.period is None
    assert monitor.last_status_code is None
    assert monitor.ssl is not None
    assert monitor.ssl.days_until_expiry is None and monitor.ssl.expires_at is None
    assert answer.downtimes
    assert all(d.started_at is None and d.duration is None for d in answer.downtimes)
    # What was in range is kept.
    assert all(d.ended_at is not None for d in answer.downtimes)
    assert answer.summary is not None and answer.summary.total_downtimes is None
    logged = reports(caplog)
    fields = [
        "Monitor.uptime",
        "Monitor.next_check_at",
        "Monitor.last_check_at",
        "Monitor.period",
        "Monitor.last_status_code",
        "Ssl.days_until_expiry",
        "Ssl.expires_at",
        "Downtime.started_at",
        "Downtime.duration",
        "UptimeSummary.total_downtimes",
    ]
    for field in fields:
        assert sum(f"{field} =" in line for line in logged) == 1, (field, logged)
    assert len(logged) == len(fields)


@pytest.mark.parametrize("value", [INFINITE, -INFINITE, "NaN", "inf", -5, 100.5])
async def test_a_share_that_is_no_percentage_is_unknown(
    hostile_api: HostileServer, make_client: MakeClient, value: object
) -> None:
    def edit(data: dict[str, Any]) -> None:
        for row in data["leaderboard"]:
            row["percentage"] = value
            row["unique_hits"] = OVERFLOW

    on(hostile_api, "/leaderboard", edit)
    client = make_client(base_url=hostile_api.base_url)
    board = await client.leaderboard(SITE)
    assert board.leaderboard
    for row in board.leaderboard:
        assert row.percentage is None
        assert row.unique_hits is None
        assert row.total_hits is not None and row.total_hits > 0


async def test_journey_numbers_out_of_range_are_unknown(
    hostile_api: HostileServer, make_client: MakeClient
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["summary"]["total_visitors"] = -5
        data["summary"]["bounce_rate"] = INFINITE
        for journey in data["user_journeys"]:
            journey["page_count"] = OVERFLOW
            for page in journey["pages"]:
                page["visited_at"] = "9999-12-31T23:59:59Z"
        data["filters"] = {"start_date": "0001-01-01", "end_date": "9999-12-31"}

    on(hostile_api, "/user_journeys", edit)
    client = make_client(base_url=hostile_api.base_url)
    answer = await client.user_journeys(SITE)
    assert answer.summary is not None
    assert answer.summary.total_visitors is None
    assert answer.summary.bounce_rate is None
    assert answer.summary.multi_page_visitors is not None  # untouched
    assert answer.user_journeys
    for journey in answer.user_journeys:
        assert journey.page_count is None
        assert all(page.visited_at is None for page in journey.pages)
    assert answer.filters is not None
    assert answer.filters.start_date is None and answer.filters.end_date is None


async def test_an_insight_job_before_the_first_utc_instant_is_unknown(
    hostile_api: HostileServer, make_client: MakeClient
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["site"]["next_insight_job_scheduled_at"] = "0001-01-01T00:00:00+14:00"
        for insight in data["insights"]:
            insight["generated_at"] = "9999-12-31T23:59:59Z"
            insight["insights_for_date"] = "0001-01-01"

    on(hostile_api, "/insights", edit)
    client = make_client(base_url=hostile_api.base_url)
    answer = await client.insights(SITE)
    assert answer.site is not None and answer.site.next_insight_job_scheduled_at is None
    assert answer.insights
    assert all(i.generated_at is None and i.insights_for_date is None for i in answer.insights)


@pytest.mark.parametrize(
    ("suffix", "edit", "where"),
    [
        (
            "/hits",
            lambda data: data["pagination"].update(total_count=OVERFLOW),
            "pagination.total_count",
        ),
        (
            "/leaderboard",
            lambda data: data["pagination"].update(total_pages=-1),
            "pagination.total_pages",
        ),
    ],
    ids=["overflowing total", "negative page count"],
)
async def test_an_essential_count_out_of_range_refuses_the_answer(
    hostile_api: HostileServer,
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
    suffix: str,
    edit: Edit,
    where: str,
) -> None:
    """A page's totals are what paging and the chart's counts are built on: a made-up one must
    not be shown as a number, stored in the cache as final, or quietly turned into 0."""
    on(hostile_api, suffix, edit)
    board = suffix == "/leaderboard"
    client = make_client(base_url=hostile_api.base_url, max_retries=0)
    with caplog.at_level(logging.WARNING, logger=models.__name__):
        for _ in range(2):
            request = client.leaderboard(SITE) if board else client.grouped_hits(SITE, "path")
            with pytest.raises(ProtocolError) as raised:
                await request
            assert where in raised.value.message
            assert "\n" not in raised.value.message
    logged = reports(caplog)
    assert len(logged) == 1 and "refused" in logged[0], logged


@pytest.mark.parametrize(
    ("suffix", "edit"),
    [
        ("/hits", lambda data: data["grouped_hits"][0].update(hit_count=-5)),
        ("/leaderboard", lambda data: data["leaderboard"][0].update(total_hits=INFINITE)),
    ],
    ids=["negative grouped count", "infinite leaderboard hits"],
)
async def test_a_row_count_out_of_range_is_unknown_and_the_rest_kept(
    hostile_api: HostileServer,
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
    suffix: str,
    edit: Edit,
) -> None:
    """One row's nonsense count is that row's unknown: the other rows still stand."""
    on(hostile_api, suffix, edit)
    client = make_client(base_url=hostile_api.base_url, max_retries=0)
    with caplog.at_level(logging.WARNING, logger=models.__name__):
        for _ in range(2):
            if suffix == "/leaderboard":
                counts = [e.total_hits for e in (await client.leaderboard(SITE)).leaderboard]
            else:
                answer = await client.grouped_hits(SITE, "path")
                counts = [r.hit_count for r in answer.grouped_hits]
            assert counts[0] is None
            assert len(counts) > 1 and all(c is not None and c >= 0 for c in counts[1:])
    assert len(reports(caplog)) == 1


async def test_values_at_the_edges_of_the_window_are_kept(
    hostile_api: HostileServer, make_client: MakeClient
) -> None:
    """Big but possible values pass unchanged: the guard is no ceiling on real traffic."""

    def edit(data: dict[str, Any]) -> None:
        data["monitor"]["uptime"] = "100.00"
        data["monitor"]["next_check_at"] = "2099-12-31T23:59:59Z"
        data["monitor"]["ssl"]["days_until_expiry"] = -3
        data["summary"]["total_downtimes"] = 2**53 - 1

    on(hostile_api, "/uptime", edit)
    client = make_client(base_url=hostile_api.base_url)
    answer = await client.uptime(SITE)
    assert answer.monitor.uptime == 100.0
    assert answer.monitor.next_check_at is not None
    assert answer.monitor.next_check_at.year == 2099
    assert answer.monitor.ssl is not None and answer.monitor.ssl.days_until_expiry == -3
    assert answer.summary is not None and answer.summary.total_downtimes == 2**53 - 1
