"""The error types' messages, and the request budget with an injected clock."""

from __future__ import annotations

import asyncio

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
)
from app.api.errors import one_line

# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        AuthError,
        SubscriptionRequired,
        NotFound,
        BadRequest,
        RateLimited,
        ServerError,
        NetworkError,
        ProtocolError,
    ],
)
def test_every_error_is_an_api_error_with_a_default_message(kind: type[ApiError]) -> None:
    error = kind()
    assert isinstance(error, ApiError)
    assert error.message and str(error) == error.message
    assert "\n" not in error.message


def test_messages_are_one_short_clean_line() -> None:
    hostile = (
        "line one\nline two\x1b[31m red\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \u202eevil"
    )
    error = ServerError(hostile + " " + "x" * 500, status=502)
    assert error.message.startswith("line one line two red link evil")
    assert "\x1b" not in error.message and "\u202e" not in error.message
    assert len(error.message) <= 160 and error.message.endswith("…")
    assert error.status == 502


def test_one_line_keeps_ordinary_text() -> None:
    assert one_line("  server error 502:  Bad Gateway ") == "server error 502: Bad Gateway"
    assert one_line("résumé — 東京") == "résumé — 東京"


def test_empty_message_falls_back_to_the_default() -> None:
    assert NotFound("\x00\n ").message == "not found"


def test_rate_limited_carries_retry_after() -> None:
    error = RateLimited(retry_after=12.5)
    assert (error.status, error.retry_after) == (429, 12.5)
    assert "retry_after=12.5" in repr(error)
    assert RateLimited().retry_after is None


# -- budget ------------------------------------------------------------------------------------


class FakeTime:
    """A clock that only moves when told, and a sleep that moves it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def test_the_ledger_counts_the_last_hour() -> None:
    clock = FakeTime()
    budget = RequestBudget(10, now=clock, sleep=clock.sleep)
    for _ in range(3):
        await budget.acquire()
        clock.now += 600
    assert budget.used_last_hour() == 3
    assert budget.remaining() == 7
    clock.now += 1800  # the first request is now 3600 s old
    assert budget.used_last_hour() == 2
    clock.now += 3600
    assert budget.used_last_hour() == 0 and budget.remaining() == 10
    assert clock.slept == []


async def test_the_request_after_the_limit_waits_for_the_window_to_slide() -> None:
    clock = FakeTime()
    budget = RequestBudget(3, now=clock, sleep=clock.sleep)
    for _ in range(3):
        await budget.acquire()
        clock.now += 10
    assert budget.remaining() == 0
    assert budget.seconds_until_available() == pytest.approx(3570)
    # Room for two more only once the second request has left too.
    assert budget.seconds_until_available(2) == pytest.approx(3580)
    await budget.acquire()
    # Waited exactly until the first request left the window, and never exceeded 3 per hour.
    assert clock.slept == [pytest.approx(3570)]
    assert budget.used_last_hour() == 3


async def test_a_blocked_acquire_proceeds_only_once_the_clock_moves() -> None:
    clock = FakeTime()
    moved = asyncio.Event()
    requested: list[float] = []

    async def sleep(seconds: float) -> None:
        requested.append(seconds)
        await moved.wait()
        moved.clear()

    budget = RequestBudget(2, now=clock, sleep=sleep)
    await budget.acquire()
    await budget.acquire()
    blocked = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0.01)
    assert not blocked.done() and requested == [3600]
    clock.now += 1800  # not yet: still two requests in the last hour
    moved.set()
    await asyncio.sleep(0.01)
    assert not blocked.done() and requested == [3600, 1800]
    clock.now += 1800
    moved.set()
    await asyncio.wait_for(blocked, 1)
    assert budget.used_last_hour() == 1


async def test_concurrent_acquires_never_exceed_the_limit() -> None:
    clock = FakeTime()
    budget = RequestBudget(5, now=clock, sleep=clock.sleep)
    seen: list[int] = []

    async def one() -> None:
        await budget.acquire()
        seen.append(budget.used_last_hour())

    await asyncio.gather(*(one() for _ in range(12)))
    assert max(seen) <= 5
    # 12 requests at 5 per hour: the last ones waited two windows.
    assert clock.now - 1000.0 >= 7200


def test_a_budget_needs_at_least_one_request() -> None:
    with pytest.raises(ValueError, match="per_hour"):
        RequestBudget(0)
