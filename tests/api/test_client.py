"""The client over real loopback HTTP against the demo server: every endpoint, filter and page."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from app import __version__
from app.api import (
    BadRequest,
    GroupedHitsResponse,
    HitsResponse,
    ServerError,
    TinylyticsClient,
)
from app.demo import DemoServer
from tests.api.conftest import MakeClient, Watch

WEEK: dict[str, Any] = {"start_date": "2026-11-14", "end_date": "2026-11-20"}


def known(count: int | None) -> int:
    """A count the demo server always sends in range."""
    assert count is not None
    return count


def raw(demo_http: httpx.Client, path: str, **params: Any) -> Any:
    """The server's own JSON, to compare the client's reading against."""
    response = demo_http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# -- account and sites -------------------------------------------------------------------------


async def test_me(client: TinylyticsClient, demo: DemoServer, demo_http: httpx.Client) -> None:
    name = raw(demo_http, "me")["user"]["name"]
    demo.stats.reset()
    me = await client.me()
    assert me.user.name == name
    assert me.user.subscription_status == "active"
    assert me.user.sites_count == 5
    assert demo.stats.by_endpoint["me"] == 1 and client.requests_sent == 1


async def test_sites(client: TinylyticsClient) -> None:
    answer = await client.sites()
    assert [s.id for s in answer.sites] == [456, 457, 458, 459, 460]
    assert answer.total_count == 5
    assert answer.sites[0].uid == "abc123" and answer.sites[0].label == "Field Notes"
    assert all(s.lifetime_hits and s.lifetime_hits > 0 for s in answer.sites)
    assert answer.sites[4].active is False


@pytest.mark.parametrize("unwrapped", [False, True])
async def test_site_wrapped_or_not(
    client: TinylyticsClient, demo: DemoServer, unwrapped: bool
) -> None:
    demo.settings.site_unwrapped = unwrapped
    site = (await client.site(457)).site
    assert (site.id, site.uid, site.label) == (457, "def456", "Burrow Docs")
    assert site.lifetime_unique_hits is not None
    assert site.lifetime_hits is not None and site.lifetime_unique_hits <= site.lifetime_hits
    assert site.is_public is False
    assert site.created_at is not None and site.created_at.tzinfo == UTC
    assert (await client.site("457")).site == site


# -- hits --------------------------------------------------------------------------------------


async def test_hits_in_a_date_range(client: TinylyticsClient) -> None:
    answer = await client.hits(456, start_date=date(2026, 11, 14), end_date="2026-11-20")
    assert len(answer.hits) == 100 == answer.pagination.per_page
    assert answer.pagination.total_count > 100
    assert answer.pagination.total_pages == -(-answer.pagination.total_count // 100)
    days = {h.created_at.date() for h in answer.hits}
    assert min(days) >= date(2026, 11, 14) and max(days) <= date(2026, 11, 20)
    assert all(h.created_at.tzinfo == UTC for h in answer.hits)


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_hits_come_in_server_order(
    client: TinylyticsClient, demo: DemoServer, demo_http: httpx.Client, order: str
) -> None:
    demo.settings.hits_order = order
    answer = await client.hits(457, **WEEK, page=2, per_page=50)
    expected = raw(demo_http, "sites/457/hits", **WEEK, page=2, per_page=50)
    assert [h.id for h in answer.hits] == [h["id"] for h in expected["hits"]]
    stamps = [h.created_at for h in answer.hits]
    assert stamps == sorted(stamps, reverse=order == "desc")


async def test_hits_match_the_servers_json(
    client: TinylyticsClient, demo_http: httpx.Client
) -> None:
    answer = await client.hits(458, **WEEK, per_page=200)
    expected = raw(demo_http, "sites/458/hits", **WEEK, per_page=200)["hits"]
    for hit, row in zip(answer.hits, expected, strict=True):
        assert (hit.path, hit.referrer, hit.country) == (
            row["path"],
            row["referrer"],
            row["country"],
        )
        assert (hit.browser_name, hit.platform_name) == (row["browser_name"], row["platform_name"])
        assert hit.is_mobile == row["is_mobile"]
        assert hit.created_at == datetime.fromisoformat(row["created_at"])
    # The nulls the live service sends are in there: direct visits and unknown devices.
    assert any(h.referrer is None for h in answer.hits)


async def test_per_page_is_clamped_to_1000(client: TinylyticsClient) -> None:
    answer = await client.hits(457, **WEEK, per_page=5000)
    assert answer.pagination.per_page == 1000 and len(answer.hits) == 1000


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"country": "GB"}, lambda h: h.country == "GB"),
        ({"path": "/"}, lambda h: h.path == "/"),
        ({"referrer": "google"}, lambda h: "google" in (h.referrer or "")),
        ({"country": "US", "path": "/"}, lambda h: h.country == "US" and h.path == "/"),
    ],
)
async def test_hit_filters(client: TinylyticsClient, filters: dict[str, Any], check: Any) -> None:
    everything = await client.hits(456, **WEEK, per_page=1)
    answer = await client.hits(456, **WEEK, **filters, per_page=1000)
    assert answer.hits and all(check(h) for h in answer.hits)
    assert 0 < answer.pagination.total_count < everything.pagination.total_count


async def test_empty_filters_are_not_sent(client: TinylyticsClient) -> None:
    watch = Watch()
    async with TinylyticsClient("tly-ro-demo", client.base_url, transport=watch) as own:
        await own.hits(456, country="", path=None, referrer="")
    assert dict(watch.requests[0].url.params) == {"page": "1", "per_page": "100"}


async def test_an_empty_page(client: TinylyticsClient) -> None:
    answer = await client.hits(456, **WEEK, country="ZZ")
    assert answer.hits == [] and answer.pagination.total_count == 0


# -- grouped hits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "group_by", ["path", "country", "referrer", "browsername", "platformname", "browser_name"]
)
async def test_grouped_hits_by_every_grouping(
    client: TinylyticsClient, demo_http: httpx.Client, group_by: str
) -> None:
    answer = await client.grouped_hits(456, group_by, **WEEK, per_page=50)
    spec = {"browser_name": "browsername"}.get(group_by, group_by)
    params = {**WEEK, "grouped": "true", "group_by": spec, "per_page": 50}
    expected = raw(demo_http, "sites/456/hits", **params)
    # Whatever key the server puts the value under, the row reads it as `value`.
    key = next(k for k in expected["grouped_hits"][0] if k != "hit_count")
    assert [(r.value, r.hit_count) for r in answer.grouped_hits] == [
        (row[key], row["hit_count"]) for row in expected["grouped_hits"]
    ]
    assert answer.pagination.total_count == expected["pagination"]["total_count"]
    counts = [known(r.hit_count) for r in answer.grouped_hits]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0


async def test_direct_referrers_group_as_none(client: TinylyticsClient) -> None:
    answer = await client.grouped_hits(456, "referrer", **WEEK)
    values = [r.value for r in answer.grouped_hits]
    assert None in values and "" in values  # direct visits, and stripped referrers


async def test_grouped_path_rows_with_views(client: TinylyticsClient, demo: DemoServer) -> None:
    plain = await client.grouped_hits(456, "path", **WEEK)
    demo.settings.grouped_path_views = True
    views = await client.grouped_hits(456, "path", **WEEK)
    assert [(r.value, r.hit_count) for r in views.grouped_hits] == [
        (r.value, r.hit_count) for r in plain.grouped_hits
    ]
    assert all(r.unique_views is not None for r in views.grouped_hits)
    assert all(r.unique_views is None for r in plain.grouped_hits)
    assert all(0 < (r.unique_views or 0) <= known(r.hit_count) for r in views.grouped_hits)


async def test_grouped_hits_with_filters(client: TinylyticsClient) -> None:
    answer = await client.grouped_hits(456, "country", **WEEK, path="/")
    (whole,) = [r for r in (await client.grouped_hits(456, "country", **WEEK)).grouped_hits[:1]]
    assert known(answer.grouped_hits[0].hit_count) < known(whole.hit_count)
    by_country = await client.grouped_hits(456, "path", **WEEK, country="DE", referrer="google")
    total = sum(known(r.hit_count) for r in by_country.grouped_hits)
    assert 0 < total < known(whole.hit_count)


async def test_group_by_fallback_costs_one_request_once(
    client: TinylyticsClient, demo: DemoServer, demo_http: httpx.Client
) -> None:
    demo.settings.group_by_underscore = True
    first = await client.grouped_hits(456, "browsername", **WEEK)
    assert demo.stats.by_status[400] == 1 and demo.stats.total == 2
    expected = raw(
        demo_http, "sites/456/hits", **WEEK, grouped="true", group_by="browser_name", per_page=100
    )
    assert [(r.value, r.hit_count) for r in first.grouped_hits] == [
        (row["browser_name"], row["hit_count"]) for row in expected["grouped_hits"]
    ]
    demo.stats.reset()
    await client.grouped_hits(456, "browsername", **WEEK)
    await client.grouped_hits(456, "browser_name", start_date="2026-11-01")
    assert demo.stats.total == 2 and demo.stats.by_status[400] == 0
    # Each grouping learns its own spelling: platformname once more, path never.
    demo.stats.reset()
    await client.grouped_hits(456, "platformname", **WEEK)
    await client.grouped_hits(456, "platformname", **WEEK)
    await client.grouped_hits(456, "path", **WEEK)
    assert demo.stats.total == 4 and demo.stats.by_status[400] == 1


async def test_no_fallback_when_the_spec_spelling_works(
    client: TinylyticsClient, demo: DemoServer
) -> None:
    await client.grouped_hits(456, "browsername", **WEEK)
    await client.grouped_hits(456, "platformname", **WEEK)
    assert demo.stats.total == 2 and demo.stats.by_status == {200: 2}


async def test_a_genuine_400_is_not_retried_with_the_other_spelling(
    client: TinylyticsClient, demo: DemoServer
) -> None:
    await client.grouped_hits(456, "browsername", **WEEK)  # learns that the spec spelling works
    demo.settings.max_range_days = 3
    with pytest.raises(BadRequest, match="cannot exceed 3 days") as caught:
        await client.grouped_hits(456, "browsername", **WEEK)
    assert caught.value.status == 400
    assert demo.stats.total == 2


# -- leaderboard, journeys, insights, uptime ---------------------------------------------------


async def test_leaderboard(client: TinylyticsClient) -> None:
    answer = await client.leaderboard(460, per_page=5)
    assert len(answer.leaderboard) == 5 and answer.pagination.per_page == 5
    hits = [known(e.total_hits) for e in answer.leaderboard]
    assert hits == sorted(hits, reverse=True)
    assert all(
        e.unique_hits is not None and e.unique_hits <= known(e.total_hits)
        for e in answer.leaderboard
    )
    assert (
        answer.leaderboard[0].percentage is not None and 0 < answer.leaderboard[0].percentage < 100
    )
    assert answer.site is not None and answer.site.id == 460
    assert answer.cache_info is not None and answer.cache_info.cached_at is not None
    assert answer.cache_info.expires_at == answer.cache_info.cached_at.replace(hour=15)


async def test_leaderboard_path_filter_and_clamp(client: TinylyticsClient) -> None:
    answer = await client.leaderboard(460, path="GALLERY", per_page=5000)
    assert answer.pagination.per_page == 1000
    assert answer.leaderboard and all("/gallery" in (e.path or "") for e in answer.leaderboard)
    assert answer.filters is not None and answer.filters.path == "GALLERY"
    everything = await client.leaderboard(460)
    assert answer.pagination.total_count < everything.pagination.total_count


async def test_user_journeys(client: TinylyticsClient) -> None:
    answer = await client.user_journeys(456, start_date="2026-11-01", end_date="2026-11-20")
    assert answer.filters is not None
    assert (answer.filters.start_date, answer.filters.end_date) == (
        date(2026, 11, 1),
        date(2026, 11, 20),
    )
    assert len(answer.user_journeys) == 10 == answer.pagination.per_page
    journey = answer.user_journeys[0]
    assert journey.page_count == len(journey.pages) >= 2
    assert journey.entry_page == journey.pages[0].path
    assert journey.exit_page == journey.pages[-1].path
    assert journey.session_duration
    summary = answer.summary
    assert summary is not None and summary.bounce_rate is not None
    assert summary.total_visitors == (summary.multi_page_visitors or 0) + (
        summary.single_page_visitors or 0
    )
    assert answer.insights is not None and answer.insights.top_entry_pages


async def test_user_journeys_default_range_and_clamp(client: TinylyticsClient) -> None:
    answer = await client.user_journeys(456, per_page=100)
    assert answer.pagination.per_page == 50
    assert answer.filters is not None
    assert answer.filters.end_date == date(2026, 11, 20)
    assert answer.filters.start_date == date(2026, 10, 22)


async def test_insights(client: TinylyticsClient) -> None:
    answer = await client.insights(456, page=2, per_page=3)
    assert len(answer.insights) == 3 and answer.pagination.current_page == 2
    insight = answer.insights[0]
    assert insight.insights_for_date is not None and insight.generated_at is not None
    assert insight.traffic_patterns and insight.best_content and insight.recommendations
    assert answer.site is not None and answer.site.insights_enabled is True
    assert answer.site.next_insight_job_scheduled_at == datetime(2026, 11, 21, 1, tzinfo=UTC)
    assert (await client.insights(456, per_page=80)).pagination.per_page == 50


async def test_insights_disabled_has_no_next_job(client: TinylyticsClient) -> None:
    site = (await client.insights(459)).site
    assert site is not None and site.insights_enabled is False
    assert site.next_insight_job_scheduled_at is None


async def test_uptime_of_a_site_that_is_down(client: TinylyticsClient) -> None:
    answer = await client.uptime(458)
    monitor = answer.monitor
    assert monitor.is_down is True
    assert monitor.uptime is not None and 0 < monitor.uptime < 100
    assert monitor.period == 60 or monitor.period == 300
    assert monitor.next_check_at is not None and monitor.last_check_at is not None
    assert monitor.next_check_at > monitor.last_check_at
    ongoing = [d for d in answer.downtimes if d.ongoing]
    assert ongoing and ongoing[0].ended_at is None and ongoing[0].duration is None
    assert all(d.duration for d in answer.downtimes if not d.ongoing)
    assert answer.summary is not None and answer.summary.ongoing_downtimes == 1
    assert answer.pagination.total_count == len(answer.downtimes)


async def test_uptime_pages_and_nullable_certificates(client: TinylyticsClient) -> None:
    page = await client.uptime(458, page=2, per_page=3)
    assert page.pagination.per_page == 3 and page.pagination.current_page == 2
    quiet = await client.uptime(460, per_page=100)
    assert quiet.pagination.per_page == 50
    assert quiet.monitor.ssl is None and quiet.monitor.domain is None


async def test_extra_fields_everywhere(
    client: TinylyticsClient, demo: DemoServer, demo_http: httpx.Client
) -> None:
    demo.settings.extra_fields = True
    assert len((await client.sites()).sites) == 5
    assert (await client.site(456)).site.id == 456
    hits = await client.hits(456, **WEEK, per_page=200)
    expected = raw(demo_http, "sites/456/hits", **WEEK, per_page=200)["hits"]
    assert all("source" in row for row in expected)
    assert [h.source for h in hits.hits] == [row["source"] for row in expected]
    assert (await client.grouped_hits(456, "country", **WEEK)).grouped_hits
    assert (await client.leaderboard(460)).leaderboard
    assert (await client.user_journeys(456)).user_journeys
    assert (await client.insights(456)).insights
    assert (await client.uptime(458)).monitor


async def test_hostile_strings_come_back_literally(
    client: TinylyticsClient, demo: DemoServer, demo_http: httpx.Client
) -> None:
    demo.settings.hostile_strings = True
    label = (await client.site(456)).site.label
    assert label == raw(demo_http, "sites/456")["site"]["label"]
    paths = [r.value for r in (await client.grouped_hits(456, "path", **WEEK)).grouped_hits]
    expected = raw(demo_http, "sites/456/hits", **WEEK, grouped="true", group_by="path")
    assert paths == [row["path"] for row in expected["grouped_hits"]]


# -- every page --------------------------------------------------------------------------------


async def test_iter_pages_yields_every_page_in_order(client: TinylyticsClient) -> None:
    pages = [
        page
        async for page in client.iter_pages(
            client.hits, 456, start_date="2026-11-19", end_date="2026-11-20", per_page=25
        )
    ]
    assert len(pages) == pages[0].pagination.total_pages > 3
    assert [p.pagination.current_page for p in pages] == list(range(1, len(pages) + 1))
    ids = [h.id for p in pages for h in p.hits]
    assert len(ids) == len(set(ids)) == pages[0].pagination.total_count
    # The same rows, in the same order, as asking page by page.
    one_by_one: list[int | None] = []
    for number in range(1, len(pages) + 1):
        answer = await client.hits(
            456, start_date="2026-11-19", end_date="2026-11-20", page=number, per_page=25
        )
        one_by_one.extend(h.id for h in answer.hits)
    assert ids == one_by_one


async def test_iter_pages_concurrency_is_bounded(make_client: MakeClient, demo: DemoServer) -> None:
    demo.settings.latency = 0.05
    watch = Watch()
    client = make_client(transport=watch)
    pages = [
        p
        async for p in client.iter_pages(
            client.grouped_hits, 456, "path", **WEEK, per_page=10, concurrency=3
        )
    ]
    assert len(pages) >= 8
    assert watch.max_in_flight == 3
    assert len(watch.requests) == len(pages)


async def test_the_client_bounds_concurrency_too(make_client: MakeClient, demo: DemoServer) -> None:
    demo.settings.latency = 0.05
    watch = Watch()
    client = make_client(transport=watch, max_concurrency=2)
    pages = [
        p async for p in client.iter_pages(client.leaderboard, 460, per_page=1, concurrency=10)
    ]
    assert len(pages) >= 8 and watch.max_in_flight == 2


async def test_iter_pages_max_pages_and_every_paginated_method(client: TinylyticsClient) -> None:
    calls: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = [
        (client.hits, (457,), {**WEEK, "per_page": 10}),
        (client.grouped_hits, (457, "country"), {**WEEK, "per_page": 5}),
        (client.leaderboard, (460,), {"per_page": 2}),
        (client.user_journeys, (456,), {"per_page": 5}),
        (client.insights, (456,), {"per_page": 5}),
        (client.uptime, (458,), {"per_page": 2}),
    ]
    for method, args, kwargs in calls:
        pages = [p async for p in client.iter_pages(method, *args, max_pages=3, **kwargs)]
        assert [p.pagination.current_page for p in pages] == [1, 2, 3], method.__name__


async def test_iter_pages_collects_everything_of_a_small_listing(client: TinylyticsClient) -> None:
    pages = [p async for p in client.iter_pages(client.grouped_hits, 456, "country", per_page=4)]
    rows = [r.value for p in pages for r in p.grouped_hits]
    assert len(rows) == len(set(rows)) == pages[0].pagination.total_count
    assert all(isinstance(p, GroupedHitsResponse) for p in pages)


async def test_leaving_iter_pages_early_cancels_the_rest(
    make_client: MakeClient, demo: DemoServer
) -> None:
    demo.settings.latency = 0.05
    client = make_client()
    pages = client.iter_pages(client.hits, 457, **WEEK, per_page=10, concurrency=2)
    async with contextlib.aclosing(pages):
        async for first in pages:
            assert isinstance(first, HitsResponse)
            break
    sent = client.requests_sent
    assert sent <= 3
    await client.hits(457, per_page=1)
    assert client.requests_sent == sent + 1


async def test_iter_pages_chooses_the_pages(client: TinylyticsClient) -> None:
    with pytest.raises(TypeError, match="page="):
        async for _ in client.iter_pages(client.hits, 456, page=2):
            pass


async def test_iter_pages_of_one_page(client: TinylyticsClient, demo: DemoServer) -> None:
    pages = [p async for p in client.iter_pages(client.uptime, 456)]
    assert len(pages) == 1 and demo.stats.total == 1


# -- the request itself ------------------------------------------------------------------------


async def test_headers(make_client: MakeClient) -> None:
    watch = Watch()
    await make_client(transport=watch).me()
    await make_client(transport=watch, user_agent="custom/1").me()
    first, second = watch.requests
    assert first.headers["User-Agent"] == f"tinylytics-tui/{__version__}"
    assert first.headers["Accept"] == "application/json"
    assert first.headers["Authorization"] == "Bearer tly-ro-demo"
    assert second.headers["User-Agent"] == "custom/1"


@pytest.mark.parametrize("slash", ["", "/"])
async def test_base_url_with_or_without_trailing_slash(
    make_client: MakeClient, demo: DemoServer, slash: str
) -> None:
    client = make_client(base_url=demo.base_url.rstrip("/") + slash)
    assert (await client.site(456)).site.id == 456
    assert client.base_url == demo.base_url


async def test_a_pasted_key_is_trimmed(make_client: MakeClient) -> None:
    assert (await make_client(key="  tly-ro-demo\n").me()).user.sites_count == 5


async def test_requests_sent_counts_http_requests(
    client: TinylyticsClient, demo: DemoServer
) -> None:
    await client.me()
    await client.sites()
    await client.hits(456, per_page=1)
    assert client.requests_sent == 3 == demo.stats.total


async def test_iter_pages_of_nothing(client: TinylyticsClient, demo: DemoServer) -> None:
    pages = [p async for p in client.iter_pages(client.hits, 456, **WEEK, country="ZZ")]
    assert len(pages) == 1 and pages[0].hits == [] and demo.stats.total == 1


async def test_a_failing_page_ends_iter_pages_with_its_error(
    make_client: MakeClient, demo: DemoServer
) -> None:
    client = make_client(max_retries=0)
    seen = 0

    async def read_all() -> None:
        nonlocal seen
        pages = client.iter_pages(client.hits, 457, **WEEK, per_page=10, concurrency=2)
        async with contextlib.aclosing(pages):
            async for _ in pages:
                seen += 1
                demo.settings.error_rate = 1.0

    with pytest.raises(ServerError):
        await read_all()
    assert 1 <= seen <= 3
