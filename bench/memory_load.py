"""Resident memory after the costliest loads: a cold 12-month dashboard, then its comparison with
the same months a year earlier.

The installed `tinylytics-tui --site 456` runs in a 120x40 pseudo-terminal with an empty cache
against the demo server (clock frozen). VmRSS is read once the 7-day dashboard is up, once the
12 months (`y`) are loaded, and once the year-earlier comparison (`v`) is; requests are counted
at the server. Resident memory is a high-water mark: what a load takes at its peak is kept by
the process afterwards, so this is what a user's process weighs for the rest of its run.

Usage: .venv/bin/python bench/memory_load.py [--scale 3] [--site 456]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import (
    Terminal,
    app_argv,
    demo_server,
    frozen_now,
    require_data,
    rss_kib,
    table,
    workspace,
)

SETTLED = re.compile(r"last 7 days · updated \d+s ago")
STEPS = (
    ("12 months (y), cold", b"y", re.compile(r"last 12 months · updated \d+s ago")),
    ("and a year earlier (v)", b"v", re.compile(r"year earlier.{0,6}· updated \d+s ago")),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=3.0, help="demo scale (3: ~110k hits/30d)")
    parser.add_argument("--site", default="456", help="site to open (456)")
    parser.add_argument("--timeout", type=float, default=300.0, help="per step (300 s)")
    args = parser.parse_args()

    rows: list[list[object]] = []
    with demo_server(frozen_now(), scale=args.scale) as server, workspace() as space:
        argv = app_argv(server, space, "--site", args.site)
        with Terminal(argv, space.env(), watch=[SETTLED]) as term:
            require_data(term, args.timeout)
            if term.wait_for(SETTLED, args.timeout) is None:
                raise SystemExit(f"the 7-day dashboard never settled:\n{term.tail(1500)}")
            time.sleep(3)
            first = rss_kib(term.pid)
            rows.append(["7-day dashboard, cold", f"{first / 1024:.1f}", "", server.stats.total])
            for label, key, done in STEPS:
                before = server.stats.total
                term.write(key)
                if term.wait_for(done, args.timeout) is None:
                    raise SystemExit(f"{label}: not loaded in {args.timeout:.0f} s")
                time.sleep(3)
                rss = rss_kib(term.pid)
                grown = f"+{(rss - first) / 1024:.1f}"
                rows.append([label, f"{rss / 1024:.1f}", grown, server.stats.total - before])
    print(f"demo scale {args.scale}, site {args.site}, clock frozen, terminal 120x40")
    print()
    print(table(["step", "resident MiB", "since the 7-day dashboard", "requests"], rows))


if __name__ == "__main__":
    main()
