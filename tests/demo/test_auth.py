"""Keys, plans, the edge's User-Agent rule, and errors for ids that are wrong."""

from __future__ import annotations

import httpx
import pytest

from app.demo import BASIC_KEY, DEMO_KEY, UNSUBSCRIBED_KEY, DemoServer
from tests.demo.conftest import get

ENDPOINTS = [
    "me",
    "sites",
    "sites/456",
    "sites/456/hits",
    "sites/456/leaderboard",
    "sites/456/user_journeys",
    "sites/456/insights",
    "sites/456/uptime",
]


def headers(key: str | None, agent: str | None = "tests") -> dict[str, str]:
    result = {}
    if key is not None:
        result["Authorization"] = f"Bearer {key}"
    if agent is not None:
        result["User-Agent"] = agent
    return result


@pytest.mark.parametrize("path", ENDPOINTS)
def test_demo_key_opens_everything(demo: DemoServer, path: str) -> None:
    assert get(demo, path, headers=headers(DEMO_KEY)).status_code == 200


@pytest.mark.parametrize("path", ENDPOINTS)
def test_unsubscribed_key_is_refused_everywhere(demo: DemoServer, path: str) -> None:
    answer = get(demo, path, headers=headers(UNSUBSCRIBED_KEY))
    assert answer.status_code == 403
    assert answer.json() == {"error": "API access requires an active subscription"}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_basic_plan_lacks_uptime_and_insights(demo: DemoServer, path: str) -> None:
    answer = get(demo, path, headers=headers(BASIC_KEY))
    if path.endswith(("uptime", "insights")):
        assert answer.status_code == 403
        assert isinstance(answer.json()["error"], str)
    else:
        assert answer.status_code == 200


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {"Authorization": "Bearer tly-ro-not-a-key"},
        {"Authorization": DEMO_KEY},  # no Bearer
        {"Authorization": "Basic dGx5LXJvLWRlbW86"},
    ],
)
def test_bad_or_missing_key_is_401_json(demo: DemoServer, auth: dict[str, str] | None) -> None:
    answer = get(demo, "sites", headers={"User-Agent": "tests", **(auth or {})})
    assert answer.status_code == 401
    assert answer.json() == {"error": "Invalid API key"}


def test_html_for_bad_key_quirk(demo: DemoServer) -> None:
    demo.settings.html_for_bad_key = True
    answer = get(demo, "sites", headers=headers("tly-ro-expired"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.text.startswith("<!DOCTYPE html>")
    # The right key still gets data.
    assert get(demo, "sites").json()["total_count"] == 5


def test_missing_user_agent_is_blocked_by_the_edge(demo: DemoServer) -> None:
    with httpx.Client() as client:
        del client.headers["User-Agent"]  # httpx sends its own unless told not to
        answer = client.get(demo.base_url + "me", headers=headers(DEMO_KEY, agent=None))
        assert "User-Agent" not in answer.request.headers
        assert answer.status_code == 403
    # An empty User-Agent counts as none.
    answer = get(demo, "me", headers=headers(DEMO_KEY, agent=""))
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "<!DOCTYPE html>" in answer.text
    demo.settings.require_user_agent = False
    assert get(demo, "me", headers=headers(DEMO_KEY, agent="")).status_code == 200


def test_numeric_site_ids_only(demo: DemoServer) -> None:
    answer = get(demo, "sites/abc123/hits")
    assert answer.status_code == 500
    assert "error" in answer.json()
    assert get(demo, "sites/abc123").status_code == 500


def test_unknown_site_is_404(demo: DemoServer) -> None:
    for path in ("sites/999", "sites/999/hits", "sites/999/uptime", "sites/1/leaderboard"):
        answer = get(demo, path)
        assert answer.status_code == 404
        assert answer.json() == {"error": "Site not found"}


def test_unknown_endpoint_is_404_json(demo: DemoServer) -> None:
    answer = get(demo, "sites/456/kudos")
    assert answer.status_code == 404
    assert "error" in answer.json()
