"""Time until data is on screen: the hits dashboard or the Sites list (cold, then warm cache)
against a bare Textual app's first paint, all measured the same way in the same run.

Each run starts a fresh process in a 120x40 pseudo-terminal and times from just before the spawn
until a marker appears in the terminal output (escape sequences stripped): for the dashboard, the
headline "<number> hits, last 7 days"; for the bare app, the text of its only Static. Runs
alternate between the two so that machine load hits both alike. The dashboard's cache directory
(XDG_CACHE_HOME) is private to the benchmark and kept between its runs: the first run is cold, the
others warm.

For the Sites list (`--screen sites`) the marker is a site's label in the table. With `--demo`
the app starts its own demo server (as a user's `tinylytics-tui --demo` does) instead of using the
benchmark's.

Usage: .venv/bin/python bench/first_paint.py [--runs 5] [--scale 3] [--site 457]
       [--screen hits|sites] [--demo]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import (
    HITS_HEADLINE,
    Terminal,
    Workspace,
    app_argv,
    command,
    demo_server,
    frozen_now,
    table,
    workspace,
)

BARE_MARKER = "bare textual app ready"
BARE_APP = f"""
from textual.app import App
from textual.widgets import Static

class Bare(App[None]):
    def compose(self):
        yield Static({BARE_MARKER!r})

Bare().run()
"""
FIRST_FRAME = re.compile(r"tinylytics")
# A site's label: on the Sites screen it is only in the table's rows.
SITES_ROW = re.compile(r"Burrow Docs")
# The first refresh is done (and its answer kept for the next start): each run waits for it
# after the marker, untimed, so that a run stopped early does not leave the next one cold.
SETTLED = re.compile(r"updated \d+s ago")


def bare_run(space: Workspace, timeout: float) -> float:
    marker = re.compile(re.escape(BARE_MARKER))
    with Terminal([sys.executable, "-c", BARE_APP], space.env(), watch=[marker]) as term:
        seconds = term.wait_for(marker, timeout)
    if seconds is None:
        raise SystemExit(f"the bare Textual app showed nothing in {timeout:.0f} s")
    return seconds


def app_run(
    argv: list[str], space: Workspace, timeout: float, marker: re.Pattern[str]
) -> tuple[float | None, float]:
    with Terminal(argv, space.env(), watch=[FIRST_FRAME, marker, SETTLED]) as term:
        data = term.wait_for(marker, timeout)
        frame = term.seen.get(FIRST_FRAME)
        if data is None:
            raise SystemExit(f"no data within {timeout:.0f} s:\n{term.tail(1500)}")
        term.wait_for(SETTLED, timeout)
    return (frame - term.started if frame is not None else None), data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs (and bare runs) (5)")
    parser.add_argument("--scale", type=float, default=3.0, help="demo scale (3: ~110k hits/30d)")
    parser.add_argument("--site", default="457", help="site to open (457, the largest)")
    parser.add_argument("--timeout", type=float, default=120.0, help="per run (120 s)")
    parser.add_argument("--screen", choices=("hits", "sites"), default="hits")
    parser.add_argument("--demo", action="store_true", help="the app runs its own demo server")
    args = parser.parse_args()
    marker = HITS_HEADLINE if args.screen == "hits" else SITES_ROW
    what = "dashboard" if args.screen == "hits" else "sites list"

    with demo_server(frozen_now(), scale=args.scale) as server, workspace() as space:
        extra = ["--site", args.site] if args.screen == "hits" else []
        argv = [command(), "--demo", *extra] if args.demo else app_argv(server, space, *extra)
        rows: list[list[object]] = []
        bare: list[float] = []
        warm: list[float] = []
        cold = 0.0
        # One bare run first, so that the cold run does not also pay for a cold OS file cache.
        bare.append(bare_run(space, args.timeout))
        rows.append(["bare Textual app", "1", "", f"{bare[-1]:.3f}", ""])
        for run in range(args.runs + 1):
            server.stats.reset()
            frame, data = app_run(argv, space, args.timeout, marker)
            label = f"{what}, {'cold' if run == 0 else 'warm'} cache"
            if run:
                warm.append(data)
            else:
                cold = data
            shown_frame = f"{frame:.3f}" if frame is not None else "?"
            rows.append([label, str(run + 1), shown_frame, f"{data:.3f}", server.stats.total])
            if run:
                bare.append(bare_run(space, args.timeout))
                rows.append(["bare Textual app", str(run + 1), "", f"{bare[-1]:.3f}", ""])

    bare_median = statistics.median(bare)
    source = "--demo (the app's own server)" if args.demo else f"demo scale {args.scale}"
    print(f"{what}: {source}, site {args.site}, clock frozen; terminal 120x40")
    print()
    print(
        table(
            ["run", "#", "first frame (s)", "marker on screen (s)", "requests"],
            rows,
        )
    )
    print()
    summary = [
        ["bare Textual app, first paint (median)", f"{bare_median:.3f} s", ""],
        [f"{what} data, cold cache", f"{cold:.3f} s", f"{cold / bare_median:.2f} x"],
    ]
    if warm:
        warm_median = statistics.median(warm)
        summary.append(
            [
                f"{what} data, warm cache (median)",
                f"{warm_median:.3f} s",
                f"{warm_median / bare_median:.2f} x (target <= 1.5 x)",
            ]
        )
    print(table(["measure", "time", "against bare paint"], summary))
    print()
    print(
        "Method: each run spawns a fresh process in a 120x40 pty (TERM=xterm-256color) and times "
        "from spawn to the marker appearing in the pty output with escape sequences stripped; "
        "bare and dashboard runs alternate; the cache dir is private and kept between runs."
    )


if __name__ == "__main__":
    main()
