"""One request budget per key on this machine: every process using the same key and base URL
draws from the ledger in the per-key cache, and reads the answers another one fetched moments
ago instead of asking again."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.api import RequestBudget
from app.demo import DEMO_KEY, DemoServer
from app.live.cache import MAX_SHARED_ANSWER_BYTES, SqliteCache, default_cache_path
from app.live.ledger import BUSY_BACKOFF, LedgerBudget
from app.live.session import SHARE_SECONDS, Session
from app.live.state import ViewState
from app.secret import Secret

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0


class Clock:
    """Wall-clock seconds that move only when told (or slept), shared by several budgets."""

    def __init__(self) -> None:
        self.now = time.time()
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def rows(path: Path) -> list[float]:
    db = sqlite3.connect(path)
    try:
        return [float(at) for (at,) in db.execute("SELECT at FROM requests ORDER BY at")]
    finally:
        db.close()


def budgets(path: Path, per_hour: int, clock: Clock, n: int = 2) -> list[LedgerBudget]:
    """`n` budgets on one cache file, each with its own connection, as `n` processes have."""
    return [
        LedgerBudget(per_hour, SqliteCache(path), now=clock, sleep=clock.sleep) for _ in range(n)
    ]


# -- the ledger ----------------------------------------------------------------------------------


async def test_two_budgets_on_one_file_never_exceed_the_limit_together(tmp_path: Path) -> None:
    clock = Clock()
    start = clock.now
    first, second = budgets(tmp_path / "c.sqlite3", 5, clock)
    for budget in (first, second, first, second, first):
        await budget.acquire()
        clock.now += 10
    # Both count every process's requests: the status line's `API 5/h` in each.
    assert first.used_last_hour() == second.used_last_hour() == 5
    assert first.remaining() == second.remaining() == 0
    assert second.seconds_until_available() == pytest.approx(3600 - 50)
    assert clock.slept == []

    # The sixth, whichever process asks, waits until the first request has left the window.
    await second.acquire()
    assert clock.slept == [pytest.approx(3600 - 50)]
    assert clock.now == pytest.approx(start + 3600)
    assert first.used_last_hour() == second.used_last_hour() == 5
    # Rows leave the table as they leave the window.
    assert len(rows(tmp_path / "c.sqlite3")) == 5


async def test_concurrent_acquires_of_two_budgets_never_exceed_the_limit(tmp_path: Path) -> None:
    clock = Clock()
    start = clock.now
    first, second = budgets(tmp_path / "c.sqlite3", 4, clock)
    seen: list[int] = []

    async def one(budget: LedgerBudget) -> None:
        await budget.acquire()
        seen.append(budget.used_last_hour())

    await asyncio.gather(*(one(b) for b in [first, second] * 5))
    assert max(seen) <= 4
    # Ten requests at four an hour: the last ones waited two windows.
    assert clock.now - start >= 7200


SPENDER = """
import asyncio, logging, sys, time
from pathlib import Path
from app.live import ledger
from app.live.cache import SqliteCache

logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
# This test is about the transaction: a busy file is waited for, never counted around.
ledger.BUSY_TRIES = 1000
path, per_hour, tries, go = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])

class Full(Exception):
    pass

async def refuse(seconds: float) -> None:
    if seconds >= 1:  # the window is full: this process stops here
        raise Full
    await asyncio.sleep(seconds)

async def main() -> int:
    budget = ledger.LedgerBudget(per_hour, SqliteCache(path), sleep=refuse)
    while not go.exists():
        time.sleep(0.001)
    taken = 0
    for _ in range(tries):
        try:
            await budget.acquire()
        except Full:
            break
        taken += 1
    return taken

print(asyncio.run(main()))
"""


def test_two_processes_never_exceed_the_limit_together(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    SqliteCache(path).close()  # the schema exists before the race starts
    go = tmp_path / "go"
    spenders = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(SPENDER), str(path), "50", "40", str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()
    taken = []
    for spender in spenders:
        out, err = spender.communicate(timeout=DEADLINE)
        assert spender.returncode == 0, err
        assert "unavailable" not in err and "busy" not in err, err
        taken.append(int(out))
    # 80 tries at 50 an hour: exactly 50 were sent, whoever sent them.
    assert sum(taken) == 50
    assert len(rows(path)) == 50


CRASHER = """
import asyncio, os, signal, sys
from pathlib import Path
from app.live.cache import SqliteCache
from app.live.ledger import BUSY_BACKOFF, LedgerBudget

async def main() -> None:
    budget = LedgerBudget(10, SqliteCache(Path(sys.argv[1])))
    for _ in range(int(sys.argv[2])):
        await budget.acquire()
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no goodbye

asyncio.run(main())
"""


def crash_after(path: Path, requests: int) -> None:
    """A process that sends `requests` and is killed before it can tidy anything up."""
    crashed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CRASHER), str(path), str(requests)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr


async def test_a_crashed_processs_requests_count_until_they_age_out(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    crash_after(path, 4)
    clock = Clock()
    (survivor,) = budgets(path, 5, clock, n=1)
    assert survivor.used_last_hour() == 4
    await survivor.acquire()
    assert survivor.used_last_hour() == 5
    assert survivor.seconds_until_available() > 3500

    clock.now += 3601  # an hour later the crashed process's requests have left the window
    assert survivor.used_last_hour() == 0
    await survivor.acquire()
    assert clock.slept == []
    assert survivor.used_last_hour() == 1
    assert len(rows(path)) == 1  # and their rows are gone from the file


async def test_a_refund_gives_the_slot_back_to_every_process(tmp_path: Path) -> None:
    clock = Clock()
    first, second = budgets(tmp_path / "c.sqlite3", 2, clock)
    stamp = await first.acquire()
    await second.acquire()
    assert second.used_last_hour() == 2
    first.refund(stamp)
    assert first.used_last_hour() == second.used_last_hour() == 1
    assert len(rows(tmp_path / "c.sqlite3")) == 1
    await second.acquire()
    assert clock.slept == []


HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO requests (at) VALUES (0)")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
db.close()
"""


@contextmanager
def write_lock_held_elsewhere(path: Path) -> Iterator[None]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=DEADLINE)


async def test_a_locked_ledger_counts_here_and_catches_up_when_free(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "c.sqlite3"
    clock = Clock()
    ticks = [0.0]  # the monotonic clock of the busy backoff

    def ledger() -> LedgerBudget:
        return LedgerBudget(
            5, SqliteCache(path), now=clock, sleep=asyncio.sleep, monotonic=lambda: ticks[0]
        )

    first, second = ledger(), ledger()
    await second.acquire()
    with caplog.at_level(logging.WARNING), write_lock_held_elsewhere(path):
        # Neither an error nor a wait for the lock to go: counted here, said once.
        await asyncio.wait_for(first.acquire(), DEADLINE)
        await asyncio.wait_for(first.acquire(), DEADLINE)
        assert first.used_last_hour() == 3
        # The other process still reads the ledger (WAL), without the requests held back.
        assert second.used_last_hour() == 1
    busy = [r.getMessage() for r in caplog.records if r.name == "app.live.ledger"]
    assert len(busy) == 1 and "busy" in busy[0] and "this app" in busy[0]

    # Free again: what was counted here is written with the next transaction.
    ticks[0] += BUSY_BACKOFF
    clock.now += 1
    await first.acquire()
    assert len(rows(path)) == 1 + 2 + 1
    assert second.used_last_hour() == 4
    assert second.remaining() == 1


def scribble_over(directory: Path, name: str) -> None:
    """The database and its companions are garbage now, under the open connection."""
    for file in directory.glob(name + "*"):
        file.write_bytes(b"not a database " * 1000)


async def test_a_broken_file_falls_back_to_this_process_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "c.sqlite3"
    clock = Clock()
    (budget,) = budgets(path, 3, clock, n=1)
    await budget.acquire()
    with caplog.at_level(logging.WARNING):
        scribble_over(tmp_path, "c.sqlite3")
        for _ in range(2):
            await budget.acquire()
        # The request made before the failure still counts: the limit holds across it.
        assert budget.used_last_hour() == 3
        assert budget.seconds_until_available() == pytest.approx(3600)
        await budget.acquire()
        assert clock.slept == [pytest.approx(3600)]
    lines = [r.getMessage() for r in caplog.records if r.name == "app.live.ledger"]
    assert len(lines) == 1 and "unavailable" in lines[0]
    assert "this app's requests only" in lines[0]


async def test_a_cache_that_cannot_be_opened_leaves_an_in_process_budget(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    clock = Clock()
    with caplog.at_level(logging.WARNING):
        (budget,) = budgets(blocker / "c.sqlite3", 2, clock, n=1)
        await budget.acquire()
        clock.now += 10
        await budget.acquire()
        await budget.acquire()
    assert clock.slept == [pytest.approx(3590)]
    assert budget.used_last_hour() == 2
    assert len([r for r in caplog.records if r.name == "app.live.ledger"]) == 1


# -- sessions ------------------------------------------------------------------------------------


def session(**options: object) -> Session:
    return Session(ViewState(), **options)  # type: ignore[arg-type]


async def test_sessions_on_one_key_share_the_budget_and_the_status_line(
    demo: DemoServer,
) -> None:
    first, second = session(requests_per_hour=600), session(requests_per_hour=600)
    for each in (first, second):
        each.connect(Secret(DEMO_KEY), demo.base_url)
    try:
        assert isinstance(first.budget, LedgerBudget)
        assert first.api is not None and second.api is not None
        await first.api.me()
        await second.api.site(456)
        await second.api.site(457)
        assert demo.stats.total == 3
        assert first.api_use() == second.api_use() == "API 3/h"
    finally:
        await first.close()
        await second.close()


async def test_without_a_cache_the_budget_stays_in_the_process(demo: DemoServer) -> None:
    alone = session(cache=False)
    alone.connect(Secret(DEMO_KEY), demo.base_url)
    try:
        assert type(alone.budget) is RequestBudget
        assert alone.api is not None
        await alone.api.me()
        assert alone.api_use() == "API 1/h"
    finally:
        await alone.close()
    assert not databases_in(Path(os.environ["XDG_CACHE_HOME"]))


def databases_in(directory: Path) -> list[Path]:
    return list(directory.rglob("*.sqlite3*"))


async def test_an_answer_another_session_just_fetched_is_read_not_asked_again(
    demo: DemoServer,
) -> None:
    first, second = session(), session()
    for each in (first, second):
        each.connect(Secret(DEMO_KEY), demo.base_url)
    try:
        assert first.api is not None and second.api is not None
        demo.stats.reset()
        asked = await first.api.hits(456, per_page=20)
        read = await second.api.hits(456, per_page=20)
        assert demo.stats.total == 1
        assert read == asked
        assert second.budget.used_last_hour() == 1  # nothing sent, nothing counted
        # Another question is asked; so is the same one after `r`.
        await second.api.hits(456, per_page=21)
        assert demo.stats.total == 2
        second.refresh_now()
        await second.api.hits(456, per_page=20)
        assert demo.stats.total == 3
    finally:
        await first.close()
        await second.close()
    path = default_cache_path_of_demo(demo)
    kept = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"sites/456/hits?" in kept  # the answers are in this file...
    assert DEMO_KEY.encode() not in kept  # ...and the key is not


async def test_a_question_another_session_is_sending_is_waited_for_not_sent_twice(
    demo: DemoServer,
) -> None:
    first, second = session(), session()
    for each in (first, second):
        each.connect(Secret(DEMO_KEY), demo.base_url)
    try:
        assert first.api is not None and second.api is not None
        demo.stats.reset()
        demo.settings.latency = 0.3  # both ask while the first answer is on its way
        one, other = await asyncio.gather(first.api.sites(), second.api.sites())
        assert demo.stats.total == 1
        assert one == other and one.sites
    finally:
        await first.close()
        await second.close()


async def test_when_the_sending_session_fails_the_waiting_one_asks_itself(
    demo: DemoServer,
) -> None:
    first, second = session(), session()
    for each in (first, second):
        each.connect(Secret(DEMO_KEY), demo.base_url)
    try:
        assert first.api is not None and second.api is not None
        demo.stats.reset()
        demo.settings.latency = 0.3
        demo.settings.force_429 = 1  # whichever sends first is refused, and says so at once
        demo.settings.retry_after = None
        answers = await asyncio.gather(
            first.api.sites(), second.api.sites(), return_exceptions=True
        )
        assert demo.stats.total == 2
        assert sorted(type(a).__name__ for a in answers) == ["RateLimited", "SitesResponse"]
    finally:
        await first.close()
        await second.close()


async def test_a_question_held_by_a_process_that_died_is_asked_once_its_hold_ends(
    demo: DemoServer,
) -> None:
    here = session()
    here.connect(Secret(DEMO_KEY), demo.base_url)
    try:
        assert here.api is not None and here.cache is not None
        now = time.time()
        dead = here.cache.hold("me?{}", "gone", now - SHARE_SECONDS, now, now + 0.5)
        assert dead is True
        demo.stats.reset()
        me = await asyncio.wait_for(here.api.me(), DEADLINE)
        assert me.user is not None
        assert demo.stats.total == 1
    finally:
        await here.close()


def default_cache_path_of_demo(demo: DemoServer) -> Path:
    from app.live.cache import cache_namespace

    return default_cache_path(cache_namespace(demo.base_url, DEMO_KEY))


ASKER = """
import asyncio, sys
from app.demo import DEMO_KEY
from app.live.session import Session
from app.live.state import ViewState
from app.secret import Secret

async def main() -> None:
    session = Session(ViewState())
    session.connect(Secret(DEMO_KEY), sys.argv[1])
    assert session.api is not None
    sites = await session.api.sites()
    print(len(sites.sites), flush=True)
    sys.stdin.readline()  # the answer is fresh until the test has asked
    await session.close()

asyncio.run(main())
"""


def asker(base_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(ASKER), base_url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_an_answer_another_process_just_fetched_is_read_not_asked_again(
    demo: DemoServer,
) -> None:
    demo.stats.reset()
    other = asker(demo.base_url)
    assert other.stdin is not None and other.stdout is not None
    here = session()
    try:
        line = await asyncio.wait_for(asyncio.to_thread(other.stdout.readline), DEADLINE)
        assert line.strip().isdigit(), other.stderr.read() if other.stderr else ""
        assert demo.stats.total == 1
        here.connect(Secret(DEMO_KEY), demo.base_url)
        assert here.api is not None
        sites = await here.api.sites()
        assert len(sites.sites) == int(line)
        assert demo.stats.total == 1  # read from the other process's answer
        assert here.api_use() == "API 1/h"  # and its request counted here too
    finally:
        other.stdin.write("\n")
        other.stdin.close()
        other.wait(timeout=DEADLINE)
        await here.close()


def test_answers_past_the_size_limit_or_the_window_are_not_shared(tmp_path: Path) -> None:
    cache = SqliteCache(tmp_path / "c.sqlite3")
    now = time.time()
    cache.put_answer("big", b"[" + b"1," * MAX_SHARED_ANSWER_BYTES + b"1]", now, SHARE_SECONDS)
    cache.put_answer("small", b"[1]", now, SHARE_SECONDS)
    assert cache.answer("big", now - SHARE_SECONDS) is None
    assert cache.answer("small", now - SHARE_SECONDS) == (b"[1]", now)
    assert cache.answer("small", now) is None  # fetched before the window began
    # A later answer purges the rows whose time is up.
    cache.put_answer("later", b"[2]", now + SHARE_SECONDS + 1, SHARE_SECONDS)
    db = sqlite3.connect(tmp_path / "c.sqlite3")
    try:
        assert [k for (k,) in db.execute("SELECT key FROM answers")] == ["later"]
    finally:
        db.close()
    cache.close()
