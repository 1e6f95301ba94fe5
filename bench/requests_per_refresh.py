"""Requests the hits dashboard costs: first load and steady-state refresh, per range and site size.

Runs the real data layer (app.live) against a demo server on loopback, counting requests at the
server. Usage: .venv/bin/python bench/requests_per_refresh.py [--scale 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.api import TinylyticsClient
from app.demo import DEMO_KEY, Clock, DemoServer
from app.live.dashboard import load_dashboard
from app.live.hitcounts import HitCounter, HitFilters
from app.live.ranges import RangeKind

FROZEN = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


async def measure(server: DemoServer, site_id: int, kind: RangeKind) -> tuple[int, int, int, float]:
    async with TinylyticsClient(DEMO_KEY, server.base_url, max_concurrency=4) as client:
        counter = HitCounter(client, now=server.clock.now)
        server.stats.reset()
        started = time.perf_counter()
        first = await load_dashboard(
            client, counter, site_id, kind, HitFilters(), now=server.clock.now
        )
        seconds = time.perf_counter() - started
        first_requests = server.stats.total
        server.stats.reset()
        await load_dashboard(client, counter, site_id, kind, HitFilters(), now=server.clock.now)
        return first.series.total, first_requests, server.stats.total, seconds


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=3.0)
    args = parser.parse_args()
    with DemoServer(clock=Clock(FROZEN, frozen=True), scale=args.scale) as server:
        print(f"demo scale {args.scale}, clock frozen at {FROZEN:%Y-%m-%d %H:%M} UTC")
        print(
            "| site | range | hits in range | first load: requests | seconds | refresh: requests |"
        )
        print("|---|---|---|---|---|---|")
        for site_id, name in ((457, "largest (docs)"), (456, "blog")):
            for kind in RangeKind:
                hits, first, steady, seconds = await measure(server, site_id, kind)
                print(f"| {name} | {kind.label} | {hits:,} | {first} | {seconds:.2f} | {steady} |")


if __name__ == "__main__":
    asyncio.run(main())
