"""Requests per hour of 1, 2 and 4 copies of the app open on the same key and dashboard.

Each run starts one demo server (clock at real speed, so new hits keep arriving, and its
`rate_limit_per_hour` set to imitate the key's limit) and N installed `tinylytics-tui --site 457`
processes, each in its own 120x40 pseudo-terminal, all with the same key file, config and XDG
cache directory: they share the per-key cache, so its request ledger and its recent answers.
Every request is counted at the demo server. Apps start `--stagger` seconds apart; the run lasts
`--minutes` from the first start. Like requests_per_hour.py, the requests made after every app's
first load are extrapolated to a steady-state rate per hour. Each app's own `API n/h` is read
from its status line at the end.

`--no-cache` runs the same with every app keeping nothing on disk: a budget of its own and no
answers shared, which is how every copy of the app behaved before the shared ledger.

`--requests-per-hour N` scales the budget down so that its cap is reached within a short run
(at the default 600 an hour, four copies at the default refresh reach half of it only after
about 13 minutes); the demo's limit is scaled with it (1000/600 of N), as the key's would be.

`--cost` only measures what reading a shared answer costs against sending the request.

Usage: .venv/bin/python bench/shared_key.py [--apps 1,2,4] [--minutes 10] [--stagger 0]
       [--requests-per-hour N] [--no-cache] [--refresh S] [--cost]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import (
    HITS_HEADLINE,
    Terminal,
    app_argv,
    demo_server,
    sleep_while_alive,
    table,
    workspace,
)

from app.demo import DEMO_KEY, Clock, DemoServer

STATUS_API = re.compile(r"API (\d+)/h")
# The key's limit, as reported of the live service, and the app's default share of it.
KEY_LIMIT = 1000
DEFAULT_SHARE = 600
# How long an app may take to show data before it counts as refused.
DATA_TIMEOUT = 120.0
# Seconds between two readings of the server's count (for the busiest hour of a long run).
SAMPLE = 5.0


@dataclass
class Run:
    apps: int
    seconds: float
    first_load: int
    loaded_after: float
    steady: int
    steady_seconds: float
    total: int
    statuses: dict[str, int]
    endpoints: dict[str, int]
    app_counts: list[str]
    busiest_hour: int | None

    @property
    def steady_per_hour(self) -> float:
        return self.steady / self.steady_seconds * 3600 if self.steady_seconds > 0 else 0.0

    @property
    def first_hour(self) -> float:
        return self.first_load + self.steady_per_hour * (3600 - self.loaded_after) / 3600


def run(apps: int, args: argparse.Namespace) -> Run:
    share = args.requests_per_hour or DEFAULT_SHARE
    clock = Clock(datetime.now(UTC))  # real speed: the demo keeps producing hits
    with demo_server(clock, scale=args.scale) as server, workspace() as space, ExitStack() as stack:
        server.settings.rate_limit_per_hour = max(1, KEY_LIMIT * share // DEFAULT_SHARE)
        if args.requests_per_hour:
            space.config.write_text(f"requests_per_hour = {args.requests_per_hour}\n")
        extra = ["--site", args.site]
        extra += ["--refresh", args.refresh] if args.refresh else []
        extra += ["--no-cache"] if args.no_cache else []
        server.stats.reset()
        started = time.monotonic()
        terms: list[Terminal] = []
        for i in range(apps):
            if i:
                time.sleep(args.stagger)
            terms.append(
                stack.enter_context(Terminal(app_argv(server, space, *extra), space.env()))
            )
        # An app refused by the server's limit (429) shows no data: that is a result, not an
        # error of the benchmark; one that exited is.
        deadline = time.monotonic() + DATA_TIMEOUT
        for term in terms:
            patience = max(0.0, deadline - time.monotonic())
            if term.wait_for(HITS_HEADLINE, patience) is None and not term.alive():
                raise SystemExit(f"an app exited:\n{term.tail(1500)}")
        loaded_after = time.monotonic() - started
        first_load = server.stats.total
        steady_from = time.monotonic()
        samples = [(0.0, 0)]
        end = started + args.minutes * 60
        while time.monotonic() < end:
            for term in terms:
                sleep_while_alive(term, 0)
            time.sleep(min(SAMPLE, max(0.0, end - time.monotonic())))
            samples.append((time.monotonic() - started, server.stats.total))
        # The status lines redraw once a second: let them catch up with the last request.
        time.sleep(1.5)
        steady_seconds = time.monotonic() - steady_from
        stats = server.stats.as_dict()
        counts = []
        for term in terms:
            found = term.last_match(STATUS_API)
            shown = term.wait_for(HITS_HEADLINE, 0) is not None
            counts.append((found.group(1) if found else "?") + ("" if shown else " (no data)"))
        seconds = time.monotonic() - started
    return Run(
        apps=apps,
        seconds=seconds,
        first_load=first_load,
        loaded_after=loaded_after,
        steady=stats["total"] - first_load,
        steady_seconds=steady_seconds,
        total=stats["total"],
        statuses=stats["by_status"],
        endpoints=stats["by_endpoint"],
        app_counts=counts,
        busiest_hour=busiest(samples, 3600.0),
    )


def busiest(samples: list[tuple[float, int]], window: float) -> int | None:
    """The most requests counted within any `window` seconds (to a sample), if the run lasted
    that long."""
    if samples[-1][0] < window:
        return None
    most, j = 0, 0
    for start, before in samples:
        while j + 1 < len(samples) and samples[j + 1][0] <= start + window:
            j += 1
        most = max(most, samples[j][1] - before)
    return most


# -- what a shared answer costs -------------------------------------------------------------------


async def cost(scale: float, repeats: int) -> list[list[str]]:
    """Median time of a question sent to the demo server on loopback, against the same question
    read from another process's answer in the cache (a new client: its memory is empty)."""
    from app.api.client import TinylyticsClient
    from app.live.cache import SqliteCache

    server = DemoServer(seed=42, scale=scale, clock=Clock(datetime.now(UTC), frozen=True))
    server.start()
    rows: list[list[str]] = []
    # (label, group_by or None, per_page)
    questions = [
        ("hits, 1 row (a count)", None, 1),
        ("hits, 100 rows", None, 100),
        ("hits, 1000 rows", None, 1000),
        ("hits grouped by path", "path", 100),
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="tly-bench-") as tmp:
            path = Path(tmp) / "cache.sqlite3"
            cache = SqliteCache(path)
            for label, group_by, per_page in questions:
                timings: dict[str, list[float]] = {"sent": [], "read": []}
                for _ in range(repeats):
                    for how, times in timings.items():
                        client = TinylyticsClient(
                            DEMO_KEY, server.base_url, share_seconds=60, shared=cache
                        )
                        if how == "sent":
                            client.forget_recent()  # not the last round's answer: the server's
                        begin = time.perf_counter()
                        if group_by:
                            await client.grouped_hits(457, group_by, per_page=per_page)
                        else:
                            await client.hits(457, per_page=per_page)
                        times.append(time.perf_counter() - begin)
                        await client.aclose()
                sent, read = (statistics.median(timings[how]) for how in ("sent", "read"))
                key, size = newest_answer(path)
                alone = []
                for _ in range(repeats):
                    begin = time.perf_counter()
                    found = cache.answer(key, 0)
                    json.loads(found[0] if found else b"null")
                    alone.append(time.perf_counter() - begin)
                rows.append(
                    [
                        label,
                        f"{size / 1024:.1f} KiB",
                        f"{sent * 1000:.2f} ms",
                        f"{read * 1000:.2f} ms",
                        f"{statistics.median(alone) * 1000:.2f} ms",
                        f"{sent / read:.1f} x",
                    ]
                )
            cache.close()
    finally:
        server.stop()
    return rows


def newest_answer(path: Path) -> tuple[str, int]:
    """The key and size of the answer kept last (the one just read)."""
    db = sqlite3.connect(path)
    try:
        row = db.execute(
            "SELECT key, length(body) FROM answers ORDER BY fetched_at DESC"
        ).fetchone()
    finally:
        db.close()
    return (str(row[0]), int(row[1])) if row else ("", 0)


# -- the report -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", default="1,2,4", help="copies of the app per run (1,2,4)")
    parser.add_argument("--minutes", type=float, default=10.0, help="length of each run (10)")
    parser.add_argument("--stagger", type=float, default=0.0, help="seconds between starts (0)")
    parser.add_argument("--scale", type=float, default=3.0, help="demo scale (3: ~110k hits/30d)")
    parser.add_argument("--site", default="457", help="site to open (457, the largest)")
    parser.add_argument("--refresh", help="pass --refresh to the apps (default: the app's own)")
    parser.add_argument("--requests-per-hour", type=int, help="the apps' budget (default 600)")
    parser.add_argument("--no-cache", action="store_true", help="each app on its own (before)")
    parser.add_argument("--cost", action="store_true", help="only the cost of a shared answer")
    parser.add_argument("--repeats", type=int, default=15, help="--cost: rounds per question")
    args = parser.parse_args()

    if args.cost:
        rows = asyncio.run(cost(args.scale, args.repeats))
        print(f"demo scale {args.scale}, site 457, loopback; medians of {args.repeats} rounds")
        print()
        headers = ["question", "answer", "sent", "read from the cache", "of which SQLite + JSON"]
        print(table([*headers, "sent / read"], rows))
        print()
        print(
            "Method: each round sends the question with a new TinylyticsClient (timed from the "
            "call to the parsed model), then asks it again with another new client, whose "
            "memory is empty, so that the answer comes from the SQLite cache's answers table. "
            "Both include validating the answer into its model; the last timing is the cache's "
            "part alone (the row read and its JSON parsed)."
        )
        return

    share = args.requests_per_hour or DEFAULT_SHARE
    runs = [run(int(n), args) for n in args.apps.split(",")]
    mode = "--no-cache (each app on its own)" if args.no_cache else "one cache (shared)"
    print(
        f"demo scale {args.scale}, site {args.site}, clock at real speed; refresh "
        f"{args.refresh or 'default'}; requests_per_hour {share}; demo limit "
        f"{KEY_LIMIT * share // DEFAULT_SHARE}/h; {mode}; started {args.stagger:g} s apart; "
        f"{args.minutes:g} min per run; terminals 120x40"
    )
    print()
    print(
        table(
            [
                "apps",
                "first load",
                "after it",
                "steady, per hour",
                "first hour",
                "in the run",
                "busiest hour",
                "429s",
                "each app's API n/h",
            ],
            [
                [
                    r.apps,
                    f"{r.first_load} in {r.loaded_after:.1f} s",
                    f"{r.steady} in {r.steady_seconds:.0f} s",
                    f"{r.steady_per_hour:.0f}",
                    f"{r.first_hour:.0f}",
                    f"{r.total} in {r.seconds / 60:.1f} min",
                    "" if r.busiest_hour is None else r.busiest_hour,
                    r.statuses.get("429", 0),
                    " / ".join(r.app_counts),
                ]
                for r in runs
            ],
        )
    )
    print()
    print(
        table(
            ["apps", "requests by endpoint"],
            [[r.apps, ", ".join(f"{k} {v}" for k, v in sorted(r.endpoints.items()))] for r in runs],
        )
    )
    print()
    print(
        f"Target: every run's requests within any hour <= {share} (the share), whatever the "
        "number of apps. Method: installed tinylytics-tui processes in 120x40 ptys, one "
        "workspace (key file, config, XDG cache) for all apps of a run, a new one per run; "
        "every request counted at the demo server."
    )


if __name__ == "__main__":
    main()
