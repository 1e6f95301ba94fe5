"""What the hits dashboard costs while it sits open with no new data: CPU and terminal output.

The demo clock is frozen (no new hits), the app runs the installed `tinylytics-tui --site 457` at
default settings in a 120x40 pseudo-terminal whose output is read (and counted) continuously.
After a warm-up, CPU time (utime + stime from /proc/<pid>/stat, children included) and bytes
written to the terminal are measured over a window, with the requests the server saw meanwhile.

Usage: .venv/bin/python bench/idle.py [--seconds 60] [--warmup 20] [--scale 3] [--refresh S]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import (
    Terminal,
    app_argv,
    cpu_seconds,
    demo_server,
    frozen_now,
    require_data,
    sleep_while_alive,
    table,
    workspace,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measuring window (60 s)")
    parser.add_argument("--warmup", type=float, default=20.0, help="after data is shown (20 s)")
    parser.add_argument("--scale", type=float, default=3.0, help="demo scale (3: ~110k hits/30d)")
    parser.add_argument("--site", default="457", help="site to open (457, the largest)")
    parser.add_argument("--refresh", help="pass --refresh to the app (default: the app's own)")
    args = parser.parse_args()

    with demo_server(frozen_now(), scale=args.scale) as server, workspace() as space:
        extra = ["--site", args.site] + (["--refresh", args.refresh] if args.refresh else [])
        with Terminal(app_argv(server, space, *extra), space.env()) as term:
            shown = require_data(term, timeout=120)
            sleep_while_alive(term, args.warmup)
            server.stats.reset()
            cpu0, bytes0, t0 = cpu_seconds(term.pid), term.bytes_read, time.monotonic()
            sleep_while_alive(term, args.seconds)
            cpu1, bytes1, t1 = cpu_seconds(term.pid), term.bytes_read, time.monotonic()
            requests = server.stats.as_dict()

    wall = t1 - t0
    cpu_share = (cpu1 - cpu0) / wall * 100
    rate = (bytes1 - bytes0) / wall
    endpoints = ", ".join(f"{k} {v}" for k, v in sorted(requests["by_endpoint"].items())) or "-"
    print(f"demo scale {args.scale}, site {args.site}, clock frozen; terminal 120x40")
    print()
    print(
        table(
            ["measure", "value", "target"],
            [
                ["data on screen after", f"{shown:.2f} s", ""],
                ["window (after warm-up)", f"{wall:.1f} s (warm-up {args.warmup:g} s)", ""],
                ["CPU", f"{cpu_share:.2f} % of a core ({cpu1 - cpu0:.2f} s)", "<= 1 %"],
                ["bytes to the terminal", f"{rate:.0f} B/s ({bytes1 - bytes0:,} B)", "<= 1024 B/s"],
                ["requests in the window", f"{requests['total']} ({endpoints})", ""],
            ],
        )
    )
    print()
    print(
        "Method: installed tinylytics-tui in a 120x40 pty (TERM=xterm-256color), output read "
        "continuously; CPU = delta of utime+stime+cutime+cstime in /proc/<pid>/stat over the "
        "window; bytes = pty master bytes over the window; requests counted at the demo server."
    )


if __name__ == "__main__":
    main()
