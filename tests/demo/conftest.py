"""Helpers for the demo server's own tests: plain HTTP, no app.api (the server is checked
against the contract, not against the client)."""

from __future__ import annotations

from typing import Any

import httpx

from app.demo import DEMO_KEY, DemoServer

DEMO_HEADERS = {"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": "tinylytics-tui-tests"}


def get(
    demo: DemoServer, path: str, /, *, headers: dict[str, str] | None = None, **params: Any
) -> httpx.Response:
    """GET an API path relative to the base URL with the demo key (or the given headers)."""
    return httpx.get(
        demo.base_url + path,
        params={k: v for k, v in params.items() if v is not None},
        headers=DEMO_HEADERS if headers is None else headers,
        timeout=60.0,
    )


def ok(demo: DemoServer, path: str, /, **params: Any) -> dict[str, Any]:
    answer = get(demo, path, **params)
    assert answer.status_code == 200, (path, params, answer.status_code, answer.text[:300])
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert isinstance(body, dict)
    return body


def total(demo: DemoServer, site: int, /, **params: Any) -> int:
    """pagination.total_count of a per_page=1 /hits request."""
    return int(ok(demo, f"sites/{site}/hits", per_page=1, **params)["pagination"]["total_count"])


def control(demo: DemoServer, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    url = demo.base_url.replace("/api/v1/", "/_demo/") + path
    if body is None:
        return httpx.get(url, timeout=30.0)
    return httpx.post(url, json=body, timeout=30.0)
