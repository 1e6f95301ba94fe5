"""The API key never shows: not in errors, reprs, logs, nor a traceback's locals."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from app.api import ApiError, AuthError, TinylyticsClient
from app.demo import DEMO_KEY, UNSUBSCRIBED_KEY, DemoServer
from tests.api.conftest import MakeClient

SECRET = "tly-ro-S3CRET-7f3a9d"
KEYS = (SECRET, DEMO_KEY, UNSUBSCRIBED_KEY)


async def failure(call: Awaitable[Any]) -> BaseException:
    try:
        await call
    except Exception as error:  # what is asserted is how it shows, whatever it is
        return error
    raise AssertionError("the call did not fail")


def everything_shown(error: BaseException) -> str:
    """Every way an error is shown: str, repr, message, args, and a traceback with locals."""
    shown = traceback.TracebackException.from_exception(error, capture_locals=True)
    parts = [str(error), repr(error), repr(error.args), "".join(shown.format())]
    if isinstance(error, ApiError):
        parts.append(error.message)
    return "\n".join(parts)


def assert_hidden(text: str) -> None:
    for key in KEYS:
        assert key not in text


def echo_key(request: httpx.Request) -> httpx.Response:
    """A server that quotes the credentials it was sent in its error message."""
    sent = request.headers["Authorization"]
    return httpx.Response(401, json={"error": f"unknown credentials {sent!r}"})


Call = Callable[[MakeClient], Awaitable[Any]]


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _wrong_shape(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"user": 1})


# name: (demo settings, the failing call)
SCENARIOS: dict[str, tuple[dict[str, Any], Call]] = {
    "401": ({}, lambda make: make(key=SECRET).me()),
    "html-200": ({"html_for_bad_key": True}, lambda make: make(key=SECRET).sites()),
    "403": ({}, lambda make: make(key=UNSUBSCRIBED_KEY).sites()),
    "404": ({}, lambda make: make().site(999)),
    "400": ({"max_range_days": 2}, lambda make: make().hits(456, start_date="2026-11-01")),
    "400-client": ({}, lambda make: make(key=SECRET).site("abc123")),
    "429": ({"force_429": 5}, lambda make: make(key=SECRET, max_retries=1).me()),
    "5xx-html": (
        {"error_rate": 1.0, "error_html": True},
        lambda make: make(key=SECRET, max_retries=1).me(),
    ),
    "dropped": ({"drop_rate": 1.0}, lambda make: make(key=SECRET, max_retries=1).me()),
    "refused": (
        {},
        lambda make: make(
            key=SECRET, base_url=f"http://127.0.0.1:{_unused_port()}/api/v1/", max_retries=1
        ).me(),
    ),
    "timeout": (
        {"latency": 0.3},
        lambda make: make(key=SECRET, timeout=0.05, max_retries=0).me(),
    ),
    "echoed": ({}, lambda make: make(key=SECRET, transport=httpx.MockTransport(echo_key)).me()),
    "wrong-shape": (
        {},
        lambda make: make(key=SECRET, transport=httpx.MockTransport(_wrong_shape)).me(),
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_no_error_shows_the_key(make_client: MakeClient, demo: DemoServer, name: str) -> None:
    settings, call = SCENARIOS[name]
    demo.settings.update(settings)
    error = await failure(call(make_client))
    assert isinstance(error, ApiError), repr(error)
    assert_hidden(everything_shown(error))


async def test_an_echoed_key_is_scrubbed(make_client: MakeClient) -> None:
    error = await failure(make_client(key=SECRET, transport=httpx.MockTransport(echo_key)).me())
    assert isinstance(error, AuthError)
    assert error.message == "unknown credentials 'Bearer **********'"


# By name, so that no frame of the test holds a key in its locals: only the client's frames are
# under test.
UNSENDABLE = {"newline": f"{SECRET}\nX-Evil: 1", "space": f"{SECRET} x", "accent": f"{SECRET}é"}


def construction_error(name: str, base_url: str = "https://tinylytics.app/api/v1/") -> Exception:
    try:
        TinylyticsClient(UNSENDABLE.get(name, SECRET), base_url)
    except Exception as error:
        return error
    raise AssertionError("the client was built")


@pytest.mark.parametrize("name", list(UNSENDABLE))
def test_a_key_that_cannot_be_sent_is_refused_without_showing_it(name: str) -> None:
    error = construction_error(name)
    assert isinstance(error, AuthError)
    assert_hidden(everything_shown(error))


def test_an_insecure_url_is_refused_without_showing_the_key() -> None:
    error = construction_error("good", "http://tinylytics.app/api/v1/")
    assert isinstance(error, ValueError) and "unencrypted" in str(error)
    assert_hidden(everything_shown(error))


async def test_reprs_hide_the_key(make_client: MakeClient) -> None:
    client = make_client(key=SECRET)
    assert "**********" in repr(client)
    assert_hidden(repr(client) + str(client) + repr(vars(client)) + repr(client.budget))
    with pytest.raises(AuthError) as caught:
        await client.me()
    # The locals of this very frame hold the client: their repr hides the key too.
    assert_hidden(everything_shown(caught.value))


async def test_debug_logs_hide_the_key(
    make_client: MakeClient, demo: DemoServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(key=SECRET, max_retries=1)
    for call in (client.me(), client.sites()):
        await failure(call)
    demo.settings.error_rate = 1.0
    await failure(make_client(max_retries=2).me())
    demo.settings.error_rate = 0.0
    await make_client().grouped_hits(456, "browsername", start_date="2026-11-20")
    names = {record.name for record in caplog.records}
    # The test would prove nothing if the libraries had not logged at DEBUG.
    assert {"httpx", "app.api.client"} <= names and any(n.startswith("httpcore") for n in names)
    assert any("retry" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        assert_hidden(record.getMessage() + repr(record.args) + repr(vars(record)))
    assert_hidden(caplog.text)
