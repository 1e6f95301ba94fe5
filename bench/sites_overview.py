"""Requests the Sites screen costs for an account of 50 sites, in each range: first load and
steady state.

The demo server grows to `--sites` sites (the five known ones, then made-up ones with a long tail
of traffic), its clock at real speed so that new hits keep arriving. For each range in turn
(`--ranges`: w, m, t, y for the last 7 days, 30 days, 24 hours, 12 months) the installed
`tinylytics-tui --range R` starts on the Sites screen in a 120x40 pseudo-terminal, with a cold
cache of its own, at its default refresh (60 s) and budget (600 requests an hour). Every request
is counted at the demo server:

- the first load: the requests from the start until the server has heard nothing from the app
  for `--quiet` seconds (refreshes come a minute apart). It includes the table's rows and site
  details and the uptime watcher's first pass over every site;
- the steady state: the requests over the next `--minutes`, per refresh (a refresh's requests
  come in one burst) and per hour;
- a restart: the Sites screen's requests when a second app starts on the same cache (its days
  kept, its budget's ledger shared) until it is quiet.

The Sites screen's own requests (`sites`, `site`, `hits`) are given apart from all of them (the
uptime watcher's `uptime` too).

A first load that does not fit the budget's load rule (app/live/site_schedule.py: loading new
numbers stops at three quarters of the hour's share) goes on over the next refreshes; the last
column says whether the headline still counted sites as missing at the end.

Usage: .venv/bin/python bench/sites_overview.py [--minutes 5] [--sites 50] [--scale 3]
       [--ranges wmty] [--quiet 8]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pty import Terminal, app_argv, sleep_while_alive, workspace

from app.demo import Clock, DemoServer
from app.live.ranges import RangeKind

STATUS_API = re.compile(r"API (\d+)/h(?: · slowed ×(\d+))?")
HEADLINE = re.compile(r"\d[\d,]* hits, last")
MISSING = re.compile(r"(\d+) of (\d+) sites so far")
WAITING = re.compile(r"counting the sites… \(0 of \d+ so far\)")
UPDATED = re.compile(r"updated \d")
COLUMNS = (
    "range",
    "first load: requests",
    "steady: Sites requests a refresh",
    "Sites per hour",
    "all per hour",
    "status line at the end",
    "headline at the end",
    "restart: Sites requests",
)
# What each range key is on the command line.
RANGE_ARG = {"t": "24h", "w": "7d", "m": "30d", "y": "12mo"}
# What the Sites screen asks; the rest (`uptime`) is the alert watcher's.
SCREEN_ENDPOINTS = ("sites", "site", "hits")
# Seconds of silence between two refreshes' requests.
BURST_GAP = 5.0


def screen_requests(by_endpoint: dict[str, int]) -> int:
    return sum(by_endpoint.get(name, 0) for name in SCREEN_ENDPOINTS)


@dataclass
class Phase:
    kind: RangeKind
    first_load: int = 0
    first_screen: int = 0
    warm_screen: int = 0  # the Sites screen's first load on a restart
    warm_missing: str = ""
    first_seconds: float = 0.0
    steady_screen: int = 0
    steady_all: int = 0
    steady_seconds: float = 0.0
    refreshes: int = 0
    most_per_refresh: int = 0
    status: str = ""
    missing: str = ""

    def per_hour(self, requests: int) -> float:
        return requests / self.steady_seconds * 3600 if self.steady_seconds else 0.0

    def row(self) -> str:
        cells = [
            self.kind.label,
            f"{self.first_load} ({self.first_screen} Sites) in {self.first_seconds:.0f} s",
            f"{self.steady_screen / max(1, self.refreshes):.1f} (most {self.most_per_refresh})",
            f"{self.per_hour(self.steady_screen):.0f}",
            f"{self.per_hour(self.steady_all):.0f}",
            self.status,
            self.missing or "all counted",
            f"{self.warm_screen}" + (f" ({self.warm_missing})" if self.warm_missing else ""),
        ]
        return "| " + " | ".join(cells) + " |"


def quiet_until(server: DemoServer, term: Terminal, quiet: float, timeout: float) -> None:
    """Until the server has heard nothing for `quiet` seconds (or `timeout`)."""
    last, changed = server.stats.total, time.monotonic()
    deadline = changed + timeout
    while time.monotonic() < deadline:
        sleep_while_alive(term, 0.25)
        total = server.stats.total
        if total != last:
            last, changed = total, time.monotonic()
        elif time.monotonic() - changed >= quiet:
            return


def steady(server: DemoServer, term: Terminal, phase: Phase, seconds: float) -> None:
    """Requests over `seconds`. A refresh is a burst of requests: they come within a second or
    two, and refreshes a minute apart (more while pacing stretches them)."""
    start = server.stats.as_dict()["by_endpoint"]
    began = time.monotonic()
    last, changed, burst = screen_requests(start), 0.0, 0
    while time.monotonic() - began < seconds:
        sleep_while_alive(term, 0.1)
        total = screen_requests(server.stats.as_dict()["by_endpoint"])
        if total == last:
            continue
        if time.monotonic() - changed > BURST_GAP:
            phase.refreshes += 1
            burst = 0
        burst += total - last
        phase.most_per_refresh = max(phase.most_per_refresh, burst)
        last, changed = total, time.monotonic()
    end = server.stats.as_dict()
    phase.steady_seconds = time.monotonic() - began
    phase.steady_screen = screen_requests(end["by_endpoint"]) - screen_requests(start)
    phase.steady_all = sum(end["by_endpoint"].values()) - sum(start.values())


def run_range(server: DemoServer, kind: RangeKind, args: argparse.Namespace) -> Phase:
    """One app started on the Sites screen in `kind` with a cold cache, then another one on the
    same cache (a restart)."""
    phase = Phase(kind)
    argv = ["--range", RANGE_ARG[kind.value]]
    headline = re.compile(rf"\d[\d,]* hits, {kind.label}")
    with workspace() as space:
        server.stats.reset()
        with Terminal(app_argv(server, space, *argv), space.env()) as term:
            phase.first_seconds = load(server, term, headline, args.quiet)
            stats = server.stats.as_dict()
            phase.first_load = stats["total"]
            phase.first_screen = screen_requests(stats["by_endpoint"])
            steady(server, term, phase, args.minutes * 60)
            time.sleep(1.5)  # the status line redraws once a second
            status = term.last_match(STATUS_API)
            phase.status = status.group(0) if status else "not found"
            missing, shown = term.last_match(MISSING), term.last_match(HEADLINE)
            if missing and shown and missing.start() > shown.start():
                phase.missing = missing.group(0)
        server.stats.reset()
        with Terminal(app_argv(server, space, *argv), space.env()) as term:
            # The hour's share may be too used by now to count the range's sites again: the
            # headline then says it is counting them; the table's refresh ends the load.
            load(server, term, UPDATED, args.quiet)
            phase.warm_screen = screen_requests(server.stats.as_dict()["by_endpoint"])
            missing = term.last_match(MISSING) or term.last_match(WAITING)
            shown = term.last_match(HEADLINE)
            if missing and (shown is None or missing.start() > shown.start()):
                phase.warm_missing = missing.group(0)
    # As each range ends: a run stopped early still says what it measured.
    print(phase.row(), file=sys.stderr, flush=True)
    return phase


def load(server: DemoServer, term: Terminal, headline: re.Pattern[str], quiet: float) -> float:
    """Until the headline shows and the first load is over; its seconds."""
    if term.wait_for(headline, 180) is None:
        raise SystemExit(f"no Sites headline after 180 s:\n{term.tail(1500)}")
    quiet_until(server, term, quiet, timeout=900)
    return time.monotonic() - term.started - quiet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="steady state per range (5)")
    parser.add_argument("--sites", type=int, default=50, help="sites in the account (50)")
    parser.add_argument("--scale", type=float, default=3.0, help="demo scale (3)")
    parser.add_argument("--ranges", default="wmty", help="ranges in order (wmty)")
    parser.add_argument("--quiet", type=float, default=8.0, help="seconds that end a load (8)")
    args = parser.parse_args()

    clock = Clock(datetime.now(UTC))  # real speed: the demo keeps producing hits
    server = DemoServer(seed=42, scale=args.scale, sites=args.sites, clock=clock)
    server.start()
    phases: list[Phase] = []
    try:
        for code in args.ranges:
            phases.append(run_range(server, RangeKind(code), args))
    finally:
        server.stop()

    print(
        f"demo: {args.sites} sites, scale {args.scale}, clock at real speed; app at its default "
        f"refresh (60 s) and budget (600/h), cold cache; terminal 120x40; {args.minutes:g} min "
        "steady per range"
    )
    print()
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for phase in phases:
        print(phase.row())
    print()
    print(
        "Method: installed tinylytics-tui in a 120x40 pty; every request counted at the demo "
        "server (server.stats); a refresh is one burst of the Sites screen's requests; "
        "per hour extrapolated linearly from the steady minutes; each range in an app of its "
        "own, with a cold cache."
    )


if __name__ == "__main__":
    main()
