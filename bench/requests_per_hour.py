"""Requests per hour the hits dashboard makes when left open at default settings.

The demo clock runs at real speed (new hits keep arriving), the installed `tinylytics-tui
--site 457` runs in a 120x40 pseudo-terminal with its default refresh interval, and the demo
server counts every request it is sent. The run is extrapolated to an hour two ways: the
steady-state rate after the first load, and the first hour (first load + steady state). The
app's own count (the status line's "API n/h") is read from the screen at the end.

Usage: .venv/bin/python bench/requests_per_hour.py [--minutes 10] [--scale 3] [--refresh S]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import (
    Terminal,
    app_argv,
    demo_server,
    require_data,
    sleep_while_alive,
    table,
    workspace,
)

from app.demo import Clock

STATUS_API = re.compile(r"API (\d+)/h")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to run (10)")
    parser.add_argument("--scale", type=float, default=3.0, help="demo scale (3: ~110k hits/30d)")
    parser.add_argument("--site", default="457", help="site to open (457, the largest)")
    parser.add_argument("--refresh", help="pass --refresh to the app (default: the app's own)")
    args = parser.parse_args()

    clock = Clock(datetime.now(UTC))  # real speed: the demo keeps producing hits
    with demo_server(clock, scale=args.scale) as server, workspace() as space:
        extra = ["--site", args.site] + (["--refresh", args.refresh] if args.refresh else [])
        server.stats.reset()
        with Terminal(app_argv(server, space, *extra), space.env()) as term:
            shown = require_data(term, timeout=120)
            # The first load has finished once the headline shows.
            first_load = server.stats.total
            steady_from = time.monotonic()
            sleep_while_alive(term, max(0.0, args.minutes * 60 - shown))
            steady_seconds = time.monotonic() - steady_from
            total_seconds = time.monotonic() - term.started
            stats = server.stats.as_dict()
            # The status line redraws once a second: let it catch up with the last request.
            time.sleep(1.5)
            status = term.last_match(STATUS_API)

    total = stats["total"]
    steady = total - first_load
    steady_per_hour = steady / steady_seconds * 3600
    first_hour = first_load + steady / steady_seconds * (3600 - shown)
    endpoints = ", ".join(f"{k} {v}" for k, v in sorted(stats["by_endpoint"].items()))
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(stats["by_status"].items()))
    print(
        f"demo scale {args.scale}, site {args.site}, clock at real speed; refresh "
        f"{args.refresh or 'default'}; terminal 120x40"
    )
    print()
    print(
        table(
            ["measure", "value", "target"],
            [
                ["run length", f"{total_seconds / 60:.1f} min", ""],
                ["first load", f"{first_load} requests, data on screen after {shown:.2f} s", ""],
                ["after the first load", f"{steady} requests in {steady_seconds:.0f} s", ""],
                ["steady state, per hour", f"{steady_per_hour:.0f}", "<= 600"],
                ["first hour (first load + steady)", f"{first_hour:.0f}", "<= 600"],
                ["app's status line at the end", status.group(0) if status else "not found", ""],
                ["by endpoint", endpoints, ""],
                ["by status", statuses, ""],
            ],
        )
    )
    print()
    print(
        "Method: installed tinylytics-tui in a 120x40 pty at default settings; every request "
        "counted at the demo server (server.stats); extrapolated linearly from the run."
    )


if __name__ == "__main__":
    main()
