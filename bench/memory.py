"""Resident memory of the hits dashboard over an accelerated day of live running.

The demo clock runs fast (`--speed`, 24x by default: a demo day per real hour) so new hits keep
arriving, and the installed `tinylytics-tui --site 457 --refresh 5` (its fastest refresh) runs in
a 120x40 pseudo-terminal read continuously. VmRSS (/proc/<pid>/status) is sampled every few
seconds; the report gives RSS after the warm-up, at the end, the growth between them, and the
least-squares slope of the samples after warm-up.

The installed command keeps its own clock on real time, so only the server's day is accelerated.
`--app-clock accelerated` runs the same app (same CLI parsing and settings) through a small
launcher in this file that gives it the demo's accelerated clock, so that the app's own days roll
over too (its UTC-day windows move and completed days are added to its counts).

Usage: .venv/bin/python bench/memory.py [--minutes 10] [--speed 24] [--warmup 120]
       [--app-clock installed|accelerated] [--requests-per-hour N]
A full accelerated day at 24x: --minutes 60 --warmup 300.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAUNCH = "--as-app"


def run_as_app(argv: Sequence[str]) -> int:
    """The app with an accelerated `now`: START T0 SPEED then the usual command-line options.

    T0 is a time.monotonic() reading of the benchmark process; CLOCK_MONOTONIC is system-wide, so
    this clock and the demo server's stay in step.
    """
    sys.path.insert(0, str(HERE.parent))
    from app.cli import build_parser, settings_flags
    from app.config import load_settings
    from app.ui.app import TinylyticsApp

    start, t0, speed = datetime.fromisoformat(argv[0]), float(argv[1]), float(argv[2])

    def now() -> datetime:
        return start + timedelta(seconds=(time.monotonic() - t0) * speed)

    args = build_parser().parse_args(list(argv[3:]))
    return TinylyticsApp(load_settings(settings_flags(args)), now=now).run_and_report()


def slope_per_hour(samples: Sequence[tuple[float, int]]) -> float:
    if len(samples) < 2:
        return 0.0
    xs = [t for t, _ in samples]
    ys = [float(r) for _, r in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var * 3600


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def main() -> None:
    sys.path.insert(0, str(HERE))
    from _pty import (
        HITS_HEADLINE,
        Terminal,
        app_argv,
        demo_server,
        require_data,
        rss_kib,
        table,
        workspace,
    )

    from app.demo import Clock

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="run length (10)")
    parser.add_argument("--speed", type=float, default=24.0, help="demo clock speed (24x)")
    parser.add_argument("--warmup", type=float, default=120.0, help="seconds after data (120)")
    parser.add_argument("--sample", type=float, default=5.0, help="RSS sampling period (5 s)")
    parser.add_argument("--refresh", default="5", help="app refresh interval (5 s, its fastest)")
    parser.add_argument("--scale", type=float, default=3.0, help="demo scale (3: ~110k hits/30d)")
    parser.add_argument("--site", default="457", help="site to open (457, the largest)")
    parser.add_argument("--app-clock", choices=("installed", "accelerated"), default="installed")
    parser.add_argument(
        "--requests-per-hour", type=int, help="the app's request budget (config file; default 600)"
    )
    args = parser.parse_args()

    start = datetime.now(UTC)
    clock = Clock(start, speed=args.speed)
    t0 = time.monotonic()
    with demo_server(clock, scale=args.scale) as server, workspace() as space:
        if args.requests_per_hour:
            space.config.write_text(f"requests_per_hour = {args.requests_per_hour}\n")
        argv = app_argv(server, space, "--site", args.site, "--refresh", args.refresh)
        if args.app_clock == "accelerated":
            launch = [sys.executable, __file__, LAUNCH, start.isoformat(), repr(t0)]
            argv = [*launch, repr(args.speed), *argv[1:]]
        with Terminal(argv, space.env()) as term:
            shown = require_data(term, timeout=120)
            at_data = rss_kib(term.pid)
            samples: list[tuple[float, int]] = []
            end = term.started + args.minutes * 60
            next_at = time.monotonic()
            while time.monotonic() < end:
                if not term.alive():
                    raise SystemExit(f"the app exited early:\n{term.tail(1500)}")
                samples.append((time.monotonic() - term.started, rss_kib(term.pid)))
                next_at += args.sample
                time.sleep(max(0.0, min(next_at, end) - time.monotonic()))
            samples.append((time.monotonic() - term.started, rss_kib(term.pid)))
            demo_span = clock.now() - start
            requests = server.stats.total
            statuses = dict(server.stats.by_status)
            last_headline = term.last_match(HITS_HEADLINE)

    warm_from = shown + args.warmup
    after = [(t, r) for t, r in samples if t >= warm_from]
    if not after:
        raise SystemExit(f"the run ended before the warm-up did ({warm_from:.0f} s)")
    warm_rss, end_rss = after[0][1], after[-1][1]
    peak = max(r for _, r in samples)
    print(
        f"demo scale {args.scale}, site {args.site}, demo clock {args.speed:g}x "
        f"({demo_span.total_seconds() / 3600:.1f} demo hours), app clock {args.app_clock}, "
        f"--refresh {args.refresh}; terminal 120x40"
    )
    print()
    step = max(1, len(samples) // 10)
    series = [[f"{t / 60:.1f}", mib(r)] for t, r in samples[::step]]
    print(table(["minute", "RSS"], series))
    print()
    print(
        table(
            ["measure", "value", "target"],
            [
                ["RSS when data first shown", f"{mib(at_data)} (after {shown:.1f} s)", ""],
                ["RSS after warm-up", f"{mib(warm_rss)} (at {after[0][0] / 60:.1f} min)", ""],
                ["RSS at the end", f"{mib(end_rss)} (at {after[-1][0] / 60:.1f} min)", ""],
                ["growth after warm-up", f"{(end_rss - warm_rss) / 1024:+.1f} MiB", "<= 10 MB"],
                ["slope after warm-up", f"{slope_per_hour(after) / 1024:+.1f} MiB/h", ""],
                ["peak RSS", mib(peak), ""],
                ["requests served", f"{requests} ({statuses})", ""],
                [
                    "headline at the end",
                    last_headline.group(0) if last_headline else "not found",
                    "",
                ],
            ],
        )
    )
    print()
    print(
        f"Method: VmRSS from /proc/<pid>/status every {args.sample:g} s while the app runs in a "
        "120x40 pty against the demo server with an accelerated clock; growth = last sample "
        f"minus first sample after {args.warmup:g} s of warm-up (counted from data on screen)."
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == LAUNCH:
        raise SystemExit(run_as_app(sys.argv[2:]))
    main()
