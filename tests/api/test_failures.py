"""Every error class from the demo server's real behaviour, retries, backoff and the budget."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from app.api import (
    ApiError,
    AuthError,
    BadRequest,
    NetworkError,
    NotFound,
    ProtocolError,
    RateLimited,
    RequestBudget,
    ServerError,
    SubscriptionRequired,
    TinylyticsClient,
)
from app.api.client import NOT_API_DATA, _retry_after
from app.demo import BASIC_KEY, UNSUBSCRIBED_KEY, DemoServer
from tests.api.conftest import MakeClient, Sleeps, Watch
from tests.api.helpers import fixture

WEEK: dict[str, Any] = {"start_date": "2026-11-14", "end_date": "2026-11-20"}


# -- what the server says ----------------------------------------------------------------------


async def test_bad_key_is_401(make_client: MakeClient, demo: DemoServer) -> None:
    with pytest.raises(AuthError) as caught:
        await make_client(key="tly-ro-wrong").me()
    assert caught.value.status == 401
    assert caught.value.message == "Invalid API key"
    assert demo.stats.total == 1


async def test_bad_key_answered_by_the_marketing_page(
    make_client: MakeClient, demo: DemoServer
) -> None:
    demo.settings.html_for_bad_key = True
    for call in ("me", "sites"):
        with pytest.raises(AuthError) as caught:
            await getattr(make_client(key="tly-ro-wrong"), call)()
        assert caught.value.status == 200
        assert caught.value.message == NOT_API_DATA
    assert demo.stats.by_status == {200: 2}


async def test_unsubscribed_is_403_everywhere(make_client: MakeClient) -> None:
    client = make_client(key=UNSUBSCRIBED_KEY)
    for call in (client.me, client.sites, lambda: client.hits(456), lambda: client.uptime(456)):
        with pytest.raises(SubscriptionRequired) as caught:
            await call()
        assert caught.value.status == 403
        assert caught.value.message == "API access requires an active subscription"


async def test_basic_plan_gets_403_on_uptime_and_insights_only(make_client: MakeClient) -> None:
    client = make_client(key=BASIC_KEY)
    assert len((await client.sites()).sites) == 5
    assert (await client.hits(456, per_page=1)).hits
    for call in (client.uptime, client.insights):
        with pytest.raises(SubscriptionRequired, match="plan"):
            await call(456)


async def test_the_edge_403_without_user_agent(make_client: MakeClient) -> None:
    with pytest.raises(SubscriptionRequired) as caught:
        await make_client(transport=Watch(drop_user_agent=True)).me()
    assert caught.value.status == 403
    assert caught.value.message.startswith("access denied (403)")
    assert "<" not in caught.value.message


async def test_unknown_site_is_404(client: TinylyticsClient) -> None:
    with pytest.raises(NotFound) as caught:
        await client.site(999)
    assert (caught.value.status, caught.value.message) == (404, "Site not found")


async def test_site_without_monitor_is_404(client: TinylyticsClient) -> None:
    with pytest.raises(NotFound, match="No uptime monitor"):
        await client.uptime(459)


async def test_server_side_400(client: TinylyticsClient, demo: DemoServer) -> None:
    demo.settings.max_range_days = 5
    with pytest.raises(BadRequest) as caught:
        await client.hits(456, **WEEK)
    assert caught.value.status == 400
    assert caught.value.message == "Date range cannot exceed 5 days"
    assert demo.stats.total == 1  # a 400 is never retried


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.site("abc123"),
        lambda c: c.hits(456, start_date="2025-01-01", end_date="2026-11-20"),
        lambda c: c.hits(456, start_date="2026-11-20", end_date="2026-11-01"),
        lambda c: c.hits(456, start_date="20/11/2026"),
        lambda c: c.grouped_hits(456, "city"),
        lambda c: c.user_journeys(456, start_date="2024-01-01", end_date="2025-06-01"),
        lambda c: c.insights(456, page=0),
        lambda c: c.uptime("456x"),
    ],
)
async def test_invalid_requests_are_never_sent(
    client: TinylyticsClient, demo: DemoServer, call: Any
) -> None:
    with pytest.raises(BadRequest) as caught:
        await call(client)
    assert caught.value.status is None
    assert demo.stats.total == 0 and client.requests_sent == 0


async def test_more_than_365_days_says_so(client: TinylyticsClient) -> None:
    with pytest.raises(BadRequest, match=r"at most 365 days"):
        await client.hits(456, start_date="2025-11-20", end_date="2026-11-20")
    # 365 days exactly is fine.
    answer = await client.hits(456, start_date="2025-11-21", end_date="2026-11-20", per_page=1)
    assert answer.pagination.total_count > 0


# -- 429 ---------------------------------------------------------------------------------------


async def test_short_retry_after_is_waited_out(
    client: TinylyticsClient, demo: DemoServer, sleeps: Sleeps
) -> None:
    demo.settings.force_429, demo.settings.retry_after = 1, 2
    assert (await client.me()).user.name
    assert sleeps.waits == [2.0]
    assert demo.stats.by_status == {429: 1, 200: 1}


async def test_long_retry_after_is_the_callers_to_wait(
    client: TinylyticsClient, demo: DemoServer, sleeps: Sleeps
) -> None:
    demo.settings.force_429, demo.settings.retry_after = 1, 120
    with pytest.raises(RateLimited) as caught:
        await client.me()
    assert (caught.value.status, caught.value.retry_after) == (429, 120.0)
    assert caught.value.message == "Rate limit exceeded: try again in 2 minutes"
    assert sleeps.waits == [] and demo.stats.total == 1


async def test_429_without_retry_after(
    client: TinylyticsClient, demo: DemoServer, sleeps: Sleeps
) -> None:
    demo.settings.force_429, demo.settings.retry_after = 1, None
    with pytest.raises(RateLimited) as caught:
        await client.me()
    assert caught.value.retry_after is None
    assert sleeps.waits == [] and demo.stats.total == 1


async def test_repeated_429_gives_up_after_max_retries(
    make_client: MakeClient, demo: DemoServer, sleeps: Sleeps
) -> None:
    demo.settings.force_429, demo.settings.retry_after = 10, 1
    with pytest.raises(RateLimited) as caught:
        await make_client(max_retries=2).me()
    assert caught.value.retry_after == 1.0
    assert demo.stats.total == 3 and sleeps.waits == [1.0, 1.0]


async def test_the_servers_rate_limit(make_client: MakeClient, demo: DemoServer) -> None:
    demo.settings.rate_limit_per_hour = 3
    demo.settings.retry_after = None
    client = make_client()
    for _ in range(3):
        await client.me()
    with pytest.raises(RateLimited):
        await client.me()


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


def test_retry_after_forms() -> None:
    assert _retry_after(response(429, **{"Retry-After": "7"})) == 7.0
    assert _retry_after(response(429, **{"Retry-After": "1.5"})) == 1.5
    assert _retry_after(response(429, **{"Retry-After": "-3"})) == 0.0
    assert _retry_after(response(429)) is None
    assert _retry_after(response(429, **{"Retry-After": "soon"})) is None
    assert _retry_after(response(429, **{"Retry-After": "inf"})) is None
    assert _retry_after(response(429, **{"Retry-After": "nan"})) is None
    # An HTTP date counts from the server's own Date header, so that clock skew cancels out.
    when = httpx.Response(
        429,
        headers={
            "Retry-After": "Fri, 20 Nov 2026 14:31:30 GMT",
            "Date": "Fri, 20 Nov 2026 14:30:00 GMT",
        },
    )
    assert _retry_after(when) == 90.0


def test_retry_after_date_without_a_date_header() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=100), usegmt=True)
    seconds = _retry_after(response(429, **{"Retry-After": later}))
    assert seconds is not None and 95 <= seconds <= 100


# -- 5xx, dropped connections, timeouts: retried with backoff ----------------------------------


@pytest.mark.parametrize("html", [False, True])
async def test_5xx_is_retried_then_raised(
    make_client: MakeClient, demo: DemoServer, sleeps: Sleeps, html: bool
) -> None:
    demo.settings.error_rate, demo.settings.error_status = 1.0, 502
    demo.settings.error_html = html
    client = make_client(max_retries=3, backoff_base=0.5, backoff_max=3.0)
    with pytest.raises(ServerError) as caught:
        await client.sites()
    assert caught.value.status == 502
    assert caught.value.message.startswith("server error 502")
    if html:
        assert "bad gateway" in caught.value.message.lower() and "<" not in caught.value.message
    else:
        assert caught.value.message == "server error 502: Internal server error"
    assert demo.stats.by_status == {502: 4} and client.requests_sent == 4
    # Full jitter under an exponential cap: 0.5, 1, 2, then backoff_max.
    assert len(sleeps.waits) == 3
    for wait, cap in zip(sleeps.waits, (0.5, 1.0, 2.0), strict=True):
        assert 0 <= wait <= cap


async def test_backoff_never_exceeds_backoff_max(
    make_client: MakeClient, demo: DemoServer, sleeps: Sleeps
) -> None:
    demo.settings.error_rate = 1.0
    with pytest.raises(ServerError):
        await make_client(max_retries=8, backoff_base=1.0, backoff_max=2.0).me()
    assert len(sleeps.waits) == 8 and max(sleeps.waits) <= 2.0
    assert demo.stats.total == 9


async def test_a_transient_5xx_heals(make_client: MakeClient, demo: DemoServer) -> None:
    demo.settings.error_rate = 1.0

    async def recover(seconds: float) -> None:
        demo.settings.error_rate = 0.0

    me = await make_client(sleep=recover).me()
    assert me.user.sites_count == 5
    assert demo.stats.by_status == {500: 1, 200: 1}


async def test_no_retries_when_max_retries_is_zero(
    make_client: MakeClient, demo: DemoServer
) -> None:
    demo.settings.error_rate = 1.0
    with pytest.raises(ServerError):
        await make_client(max_retries=0).me()
    assert demo.stats.total == 1


async def test_dropped_connections_are_retried_then_network_error(
    make_client: MakeClient, demo: DemoServer, sleeps: Sleeps
) -> None:
    demo.settings.drop_rate = 1.0
    client = make_client(max_retries=2)
    with pytest.raises(NetworkError) as caught:
        await client.me()
    assert caught.value.status is None
    assert caught.value.message.startswith("could not reach 127.0.0.1")
    assert demo.stats.total == 3 == client.requests_sent and len(sleeps.waits) == 2
    # They reached the server: they count against the hour's share.
    assert client.budget.used_last_hour() == 3


async def test_timeouts_are_network_errors(make_client: MakeClient, demo: DemoServer) -> None:
    demo.settings.latency = 0.5
    with pytest.raises(NetworkError, match="did not answer in time"):
        await make_client(timeout=0.1, max_retries=1).me()


async def test_connection_refused(make_client: MakeClient, sleeps: Sleeps) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}/api/v1/", max_retries=2)
    with pytest.raises(NetworkError, match="could not reach"):
        await client.me()
    assert client.requests_sent == 3 and len(sleeps.waits) == 2
    # Never reached a server: an outage does not use up the hour's share.
    assert client.budget.used_last_hour() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://tinylytics.app/api/v1/",
        "http://10.0.0.8:3000/api/v1/",
        "http://0.0.0.0:8000/",
        "http://localhost.example.com/",
        "ftp://127.0.0.1/",
        "tinylytics.app/api/v1",
    ],
)
def test_the_key_is_never_sent_in_the_clear_beyond_loopback(url: str) -> None:
    with pytest.raises(ValueError, match=r"https|http\(s\)"):
        TinylyticsClient("tly-ro-demo", url)


@pytest.mark.parametrize(
    "url",
    [
        "https://tinylytics.app/api/v1/",
        "https://tinylytics.app/api/v1",
        "http://127.0.0.1:8000/api/v1/",
        "http://127.8.9.10/",
        "http://localhost:8000/api/v1",
        "http://[::1]:8000/api/v1/",
    ],
)
def test_https_and_loopback_are_accepted(url: str) -> None:
    client = TinylyticsClient("tly-ro-demo", url)
    assert client.base_url.endswith("/")


@pytest.mark.parametrize("key", ["", "   ", "tly ro", "tly-ro-\nX-Injected: 1", "tly-ro-é"])
def test_keys_that_cannot_be_sent(key: str) -> None:
    with pytest.raises(AuthError) as caught:
        TinylyticsClient(key)
    assert key.strip() == "" or key not in caught.value.message


# -- answers the demo cannot give: a transport that answers from memory -------------------------


def canned(
    status: int, body: bytes | str, content_type: str = "application/json", **headers: str
) -> httpx.MockTransport:
    payload = body.encode() if isinstance(body, str) else body

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, content=payload, headers={"content-type": content_type, **headers}
        )

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    ("status", "body", "content_type", "error", "message"),
    [
        (200, '{"sites": "oops"}', "application/json", ProtocolError, "unexpected shape"),
        (200, "[1, 2]", "application/json", ProtocolError, NOT_API_DATA),
        (200, '"text"', "application/json", ProtocolError, NOT_API_DATA),
        (200, '{"sites": [', "application/json", ProtocolError, "malformed JSON"),
        (200, "<!DOCTYPE html><html>hi</html>", "text/html", AuthError, NOT_API_DATA),
        (200, b"\xff\xfe\x00garbage", "application/octet-stream", AuthError, NOT_API_DATA),
        (200, "", "text/plain", AuthError, NOT_API_DATA),
        (302, "", "text/html", ProtocolError, "unexpected answer 302"),
        (418, "{}", "application/json", ProtocolError, "unexpected answer 418"),
        (400, "", "text/plain", BadRequest, "(400)"),
        (401, "", "text/plain", AuthError, "(401)"),
        (403, '{"error": "nope"}', "application/json", SubscriptionRequired, "nope"),
        (404, "<html><title>Not Here</title></html>", "text/html", NotFound, "Not Here"),
        (404, '{"error": 42}', "application/json", NotFound, "not found (404)"),
        (400, '{"message": "bad page"}', "application/json", BadRequest, "bad page"),
        (400, '{"errors": ["a", "b"]}', "application/json", BadRequest, "a; b"),
        (503, "upstream\nconnect error", "text/plain", ServerError, "upstream connect error"),
        (500, "{not json", "application/json", ServerError, "server error 500"),
    ],
)
async def test_answers_the_demo_cannot_give(
    status: int, body: str, content_type: str, error: type[ApiError], message: str, sleeps: Sleeps
) -> None:
    async with TinylyticsClient(
        "tly-ro-demo", transport=canned(status, body, content_type), sleep=sleeps
    ) as client:
        with pytest.raises(error) as caught:
            await client.sites()
    assert message in caught.value.message
    assert "\n" not in caught.value.message


async def test_a_long_error_page_is_cut_short(sleeps: Sleeps) -> None:
    page = "<html><body>" + "<p>words and more words</p>" * 2000 + "</body></html>"
    async with TinylyticsClient(
        "tly-ro-demo", transport=canned(502, page, "text/html"), sleep=sleeps
    ) as client:
        with pytest.raises(ServerError) as caught:
            await client.me()
    assert len(caught.value.message) <= 160 and caught.value.message.startswith("server error 502")


async def test_retry_after_on_a_503_is_honoured(sleeps: Sleeps) -> None:
    transport = canned(503, '{"error": "maintenance"}', **{"Retry-After": "4"})
    async with TinylyticsClient("tly-ro-demo", transport=transport, sleep=sleeps) as client:
        with pytest.raises(ServerError, match="maintenance"):
            await client.me()
    assert sleeps.waits == [4.0, 4.0, 4.0]


async def test_the_contract_error_body() -> None:
    body = json.dumps(fixture("error"))
    async with TinylyticsClient("tly-ro-demo", transport=canned(403, body)) as client:
        with pytest.raises(SubscriptionRequired) as caught:
            await client.me()
    assert caught.value.message == "API access requires an active subscription"


# -- the budget --------------------------------------------------------------------------------


class Hands:
    """A clock moved by hand, and a sleep that waits for the hand to move it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.asked: list[float] = []
        self._moved = asyncio.Event()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self._moved.set()

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        self._moved.clear()
        await self._moved.wait()


async def test_the_budget_blocks_the_request_after_the_limit(
    make_client: MakeClient, demo: DemoServer
) -> None:
    hands = Hands()
    budget = RequestBudget(3, now=hands, sleep=hands.sleep)
    client = make_client(budget=budget)
    await client.me()
    hands.advance(100)
    await client.sites()
    await client.site(456)
    assert budget.used_last_hour() == 3 and budget.remaining() == 0
    fourth = asyncio.create_task(client.hits(456, per_page=1))
    await asyncio.sleep(0.05)
    assert not fourth.done() and demo.stats.total == 3
    assert hands.asked == [3500.0]
    hands.advance(3499)  # not yet: the first request is still in the window
    await asyncio.sleep(0.05)
    assert not fourth.done() and demo.stats.total == 3
    assert hands.asked == [3500.0, 1.0]
    hands.advance(1)  # now it leaves
    await asyncio.wait_for(fourth, 5)
    assert demo.stats.total == 4 and budget.used_last_hour() == 3


async def test_retries_count_against_the_budget(make_client: MakeClient, demo: DemoServer) -> None:
    budget = RequestBudget(100)
    demo.settings.error_rate = 1.0
    with pytest.raises(ServerError):
        await make_client(budget=budget, max_retries=2).me()
    assert budget.used_last_hour() == 3 == demo.stats.total


async def test_clients_sharing_a_budget_share_the_ledger(
    make_client: MakeClient, demo: DemoServer
) -> None:
    budget = RequestBudget(50)
    first, second = make_client(budget=budget), make_client(budget=budget)
    await asyncio.gather(first.me(), second.me(), second.sites())
    assert budget.used_last_hour() == 3 and budget.remaining() == 47
    # Validation failures are not requests.
    with pytest.raises(BadRequest):
        await first.site("abc123")
    assert budget.used_last_hour() == 3


async def test_each_client_has_a_budget_of_its_own_by_default(client: TinylyticsClient) -> None:
    await client.me()
    assert client.budget.per_hour == 1000 and client.budget.used_last_hour() == 1
