"""Clients of the demo server (tests/conftest.py's `demo`), with waits recorded instead of slept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from app.api import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer


class Sleeps:
    """An injectable sleep that records each wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


class Watch(httpx.AsyncHTTPTransport):
    """The real transport, counting what goes through it: requests and how many at once."""

    def __init__(self, *, drop_user_agent: bool = False) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._drop_user_agent = drop_user_agent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._drop_user_agent:
            del request.headers["User-Agent"]
        self.requests.append(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await super().handle_async_request(request)
        finally:
            self.in_flight -= 1


MakeClient = Callable[..., TinylyticsClient]


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def make_client(demo: DemoServer, sleeps: Sleeps) -> AsyncIterator[MakeClient]:
    """Clients of the demo server; keyword arguments as TinylyticsClient's, `key` for the key."""
    made: list[TinylyticsClient] = []

    def make(key: str = DEMO_KEY, **options: Any) -> TinylyticsClient:
        options.setdefault("sleep", sleeps)
        client = TinylyticsClient(key, options.pop("base_url", demo.base_url), **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
def client(make_client: MakeClient) -> TinylyticsClient:
    return make_client()
