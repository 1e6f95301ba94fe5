"""Running `tinylytics-tui report` and `tinylytics-tui sites`: connect as the app does, gather
the rows once (app.live.report), print them (app.report_output), end with an exit code.

Exit codes: 0 printed; 1 the API (or the budget, or a missing monitor or plan) stopped it, said
in one line on stderr; 2 bad usage or configuration (decided by the command line, before this).
The key is never printed: API errors arrive with it scrubbed, and nothing else here holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from app.api import ApiError
from app.config import Settings
from app.durations import compact
from app.live.accounts import Accounts
from app.live.connecting import cache_where
from app.live.report import ReportError, Request, Table, gather, sites_table
from app.live.session import one_line_of
from app.report_output import Format, default_format, write
from app.secret import Secret

if TYPE_CHECKING:
    from app.api import RequestBudget
    from app.demo import DemoServer

PROG = "tinylytics-tui"
# Seconds between looks at the budget while a report runs (see `_within_budget`).
BUDGET_LOOK = 1.0

log = logging.getLogger(__name__)
T = TypeVar("T")


def run_report(
    settings: Settings,
    request: Request | None,
    fmt: Format | None,
    *,
    now: Callable[[], datetime] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print one report (`request`), or every site (None); return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    _log_to_file()
    try:
        table = _collect(settings, request, now)
    except (ApiError, ReportError) as error:
        return _failed(err, error.message)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        # A bug: the traceback goes to the log file, one line to the user.
        log.error("report failed", exc_info=error)
        return _failed(err, f"internal error: {one_line_of(error)}")
    try:
        write(table, fmt or default_format(out), out)
        out.flush()
    except BrokenPipeError:
        # The reader stopped reading (`| head`): what it wanted it got. Python's own flush at
        # exit would fail again and print a traceback, so the rest goes nowhere.
        if out is sys.stdout:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _failed(err: TextIO, message: str) -> int:
    print(f"{PROG}: {message}", file=err)
    return 1


def _log_to_file() -> None:
    """Warnings of the live layer go to the app's log file, as the app's do: with no handler at
    all, Python would print them on stderr, where a report says one line at most."""
    root = logging.getLogger()
    if root.handlers:
        return
    from app.logs import setup_file_logging

    if setup_file_logging() is None:
        root.addHandler(logging.NullHandler())


def _collect(
    settings: Settings, request: Request | None, now: Callable[[], datetime] | None
) -> Table:
    server: DemoServer | None = None
    if settings.demo:
        from app.demo import DEMO_KEY, DemoServer

        server = DemoServer()
        server.start()
        key, base_url = Secret(DEMO_KEY), server.base_url
    else:
        assert settings.api_key is not None, "the command line checks for a key"
        key, base_url = settings.api_key, settings.base_url
    try:
        return asyncio.run(_gather(settings, key, base_url, request, now))
    finally:
        if server is not None:
            server.stop()


async def _gather(
    settings: Settings,
    key: Secret,
    base_url: str,
    request: Request | None,
    now: Callable[[], datetime] | None,
) -> Table:
    # The session the app would make for this account: the same budget share, cache and limits.
    session = Accounts(settings, now=now).session()
    try:
        session.connect(key, base_url, cache_where=cache_where(settings, base_url))
        budget = session.budget
        _check_budget(budget)
        work = gather(session, request) if request is not None else sites_table(session)
        return await _within_budget(budget, work)
    finally:
        await session.close()


def _check_budget(budget: RequestBudget) -> None:
    """No report starts that the hour's share cannot finish (as no screen refresh does)."""
    from app.live.pacing import budget_wait

    wait = budget_wait(budget)
    if wait > 0:
        raise ReportError(_spent(budget, wait))


async def _within_budget(budget: RequestBudget, work: Coroutine[Any, Any, T]) -> T:
    """Run `work`, unless it runs out of budget: then stop with one line rather than wait in
    the limiter for up to an hour (a cron job would pile up behind it).

    The share is shared with every copy of the app on this key, which may spend it meanwhile.
    A full window seen twice in a row, a second apart, means the report is waiting for it.
    """
    task = asyncio.ensure_future(work)
    full = 0
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=BUDGET_LOOK)
            if done:
                return task.result()
            wait = budget.seconds_until_available()
            full = full + 1 if wait > 0 else 0
            if full >= 2:
                raise ReportError(_spent(budget, wait))
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _spent(budget: RequestBudget, wait: float) -> str:
    return (
        f"this app's API budget ({budget.per_hour} requests an hour) is spent; it frees up in "
        f"{compact(wait, parts=1)} (requests_per_hour in the config file sets it)"
    )
