"""The demo account can be grown to many sites, to measure what a large account costs."""

from __future__ import annotations

import httpx
import pytest

from app.cli import build_parser
from app.demo.catalog import SITES, account_sites
from app.demo.keys import DEMO_KEY
from app.demo.server import DemoServer


def test_fifty_sites_are_distinct_and_the_same_for_a_seed() -> None:
    sites = account_sites(50, seed=42)
    assert len(sites) == 50
    assert sites[: len(SITES)] == SITES
    assert len({s.id for s in sites}) == 50
    assert len({s.url for s in sites}) == 50
    assert account_sites(50, seed=42) == sites
    assert account_sites(50, seed=7) != sites


def test_the_server_lists_and_counts_every_site() -> None:
    with DemoServer(sites=50) as server:
        headers = {"Authorization": f"Bearer {DEMO_KEY}"}
        answer = httpx.get(server.base_url + "sites", headers=headers, timeout=120).json()
        ids = [site["id"] for site in answer["sites"]]
        assert len(ids) == 50
        hits = httpx.get(
            f"{server.base_url}sites/{ids[-1]}/hits",
            params={"per_page": 1},
            headers=headers,
            timeout=120,
        )
        assert hits.status_code == 200
        assert hits.json()["pagination"]["total_count"] > 0


def test_demo_server_takes_a_number_of_sites(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["demo-server", "--sites", "50"]).sites == 50
    for bad in ("0", "201", "ten", "9" * 30):
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args(["demo-server", "--sites", bad])
        assert exit_.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1
