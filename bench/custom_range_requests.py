"""Requests a custom range of the hits dashboard costs: first load, then a refresh, on the largest
demo site, with the comparison with the previous period and with a year earlier.

Runs the real data layer (app.live) against a demo server on loopback, counting requests at the
server. Usage: .venv/bin/python bench/custom_range_requests.py [--scale 3]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.api import TinylyticsClient
from app.demo import DEMO_KEY, Clock, DemoServer
from app.live.dashboard import load_dashboard
from app.live.hitcounts import HitCounter, HitFilters
from app.live.ranges import Compare, DayPreset, DayRange, Range, RangeKind, preset_range

FROZEN = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
LARGEST = 457


async def measure(
    server: DemoServer, chosen: Range, compare: Compare, *, after: Range | None = None
) -> tuple[int, int, int]:
    """Hits in the range, requests of the first load, requests of a refresh; `after`: a range
    shown before it, whose counted days it may reuse."""
    async with TinylyticsClient(DEMO_KEY, server.base_url, max_concurrency=4) as client:
        counter = HitCounter(client, now=server.clock.now)
        if after is not None:
            await load_dashboard(
                client, counter, LARGEST, after, HitFilters(), compare=compare, now=server.clock.now
            )
        server.stats.reset()
        first = await load_dashboard(
            client, counter, LARGEST, chosen, HitFilters(), compare=compare, now=server.clock.now
        )
        first_requests = server.stats.total
        server.stats.reset()
        await load_dashboard(
            client, counter, LARGEST, chosen, HitFilters(), compare=compare, now=server.clock.now
        )
        return first.series.total, first_requests, server.stats.total


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=3.0)
    args = parser.parse_args()
    ranges: list[tuple[str, Range]] = [
        ("last 90 days (to today)", preset_range(DayPreset.LAST_90_DAYS, FROZEN.date())),
        ("Jun 1 to Aug 29 (90 days, ended)", DayRange(date(2026, 6, 1), date(2026, 8, 29))),
        ("last month", preset_range(DayPreset.LAST_MONTH, FROZEN.date())),
        ("today", preset_range(DayPreset.TODAY, FROZEN.date())),
    ]
    with DemoServer(clock=Clock(FROZEN, frozen=True), scale=args.scale) as server:
        print(f"demo scale {args.scale}, clock frozen at {FROZEN:%Y-%m-%d %H:%M} UTC, site 457")
        print("| range | compared with | hits in range | first load: requests | refresh |")
        print("|---|---|---|---|---|")
        for name, chosen in ranges:
            for compare in Compare:
                hits, first, again = await measure(server, chosen, compare)
                print(f"| {name} | {compare.value} | {hits:,} | {first} | {again} |")
        last_90 = ranges[0][1]
        hits, first, again = await measure(server, last_90, Compare.PREVIOUS, after=RangeKind.MONTH)
        print(f"| last 90 days, after the last 30 days | previous | {hits:,} | {first} | {again} |")


if __name__ == "__main__":
    asyncio.run(main())
