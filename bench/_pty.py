"""Shared by the terminal benchmarks: run a program in a real pseudo-terminal and watch it.

`Terminal` starts a command on the slave side of a fresh pty (120x40, TERM=xterm-256color, its own
session with the pty as controlling terminal), reads the master side continuously on a thread
(a reader that stopped would block the app once the kernel buffer filled), counts the bytes, strips
escape sequences only far enough to find strings, and always ends the whole process group.

Also: a demo server started in the benchmark process, an isolated config/cache/key directory, and
/proc readers for CPU time and resident memory.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.demo import DEMO_KEY, Clock, DemoServer  # noqa: E402

COLS, ROWS = 120, 40
CLK_TCK = os.sysconf("SC_CLK_TCK")
HITS_HEADLINE = re.compile(r"\d[\d,]* hits, last 7 days")

# CSI, OSC, DCS/SOS/PM/APC strings, and two- or three-byte escapes (charset selection, keypad).
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[PX^_][^\x1b]*\x1b\\"
    r"|\x1b[ -/]+[0-~]"
    r"|\x1b[0-~]"
)
# An escape sequence cut by the end of a read: kept for the next read instead of leaking bytes.
_PARTIAL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?|[PX^_][^\x1b]*\x1b?|[ -/]*)?\Z")
_TAIL_CHARS = 200_000


def strip_escapes(text: str) -> str:
    return _ESCAPE.sub("", text)


def command(name: str = "tinylytics-tui") -> str:
    """The installed console script next to this interpreter (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed: pip install -e . first")
    return found


@dataclass
class Workspace:
    """A private config path, cache dir and key file: runs never touch the user's own."""

    root: Path

    @property
    def key_file(self) -> Path:
        return self.root / "key"

    @property
    def config(self) -> Path:
        return self.root / "config" / "config.toml"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TINYLYTICS_", "TEXTUAL", "XDG_"))
            # PYTHONDONTWRITEBYTECODE (set on some build machines) would make every start
            # compile the app's modules again, which an installed copy never does.
            and k not in ("COLUMNS", "LINES", "COLORTERM", "NO_COLOR", "PYTHONDONTWRITEBYTECODE")
        }
        env.update(
            TERM="xterm-256color",
            TINYLYTICS_TUI_CONFIG=str(self.config),
            XDG_CACHE_HOME=str(self.cache),
            XDG_CONFIG_HOME=str(self.root / "config"),
            XDG_DATA_HOME=str(self.root / "data"),
            XDG_STATE_HOME=str(self.root / "state"),
        )
        return env


@contextlib.contextmanager
def workspace() -> Iterator[Workspace]:
    with tempfile.TemporaryDirectory(prefix="tly-bench-") as tmp:
        space = Workspace(Path(tmp))
        space.config.parent.mkdir(parents=True)
        space.cache.mkdir()
        fd = os.open(space.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(DEMO_KEY + "\n")
        yield space


def app_argv(server: DemoServer, space: Workspace, *extra: str) -> list[str]:
    return [
        command(),
        "--base-url",
        server.base_url,
        "--api-key-file",
        str(space.key_file),
        *extra,
    ]


@contextlib.contextmanager
def demo_server(clock: Clock, scale: float = 3.0, seed: int = 42) -> Iterator[DemoServer]:
    server = DemoServer(seed=seed, scale=scale, clock=clock)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def frozen_now() -> Clock:
    """The demo clock stopped at the real time: the app (on real time) and the server agree."""
    return Clock(datetime.now(UTC), frozen=True)


class Terminal:
    """One command in a pty. Use as a context manager; leaving it ends the process group."""

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        *,
        cols: int = COLS,
        rows: int = ROWS,
        watch: Sequence[re.Pattern[str]] = (),
    ) -> None:
        self.argv = list(argv)
        self.env = env
        self.cols, self.rows = cols, rows
        self.bytes_read = 0
        self.started = 0.0
        self.ended_at: float | None = None
        # Pattern -> monotonic time it was first seen; checked on the reader thread at each read.
        self.seen: dict[re.Pattern[str], float] = {}
        self._watch = list(watch)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._tail = ""
        self._carry = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._master = -1
        self.process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    # -- start ------------------------------------------------------------------------------------

    def start(self) -> Terminal:
        if threading.current_thread() is threading.main_thread():
            # A benchmark stopped with SIGTERM still unwinds and ends its app (see `stop`).
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self._master = master
        self.started = time.monotonic()
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=self.env,
                close_fds=True,
                # setsid() runs before this hook: the pty becomes the session's controlling
                # terminal, so the app gets SIGWINCH/SIGHUP as it would in a real terminal.
                start_new_session=True,
                preexec_fn=_take_controlling_tty,
            )
        finally:
            os.close(slave)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()
        return self

    def __enter__(self) -> Terminal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    # -- reading ----------------------------------------------------------------------------------

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: every slave descriptor closed, the program has gone
                chunk = b""
            now = time.monotonic()
            if not chunk:
                with self._changed:
                    self.ended_at = now
                    self._changed.notify_all()
                return
            text = self._carry + self._decoder.decode(chunk)
            partial = _PARTIAL.search(text)
            if partial and partial.start() >= len(text) - 4096:
                text, self._carry = text[: partial.start()], text[partial.start() :]
            else:
                self._carry = ""
            plain = strip_escapes(text)
            with self._changed:
                self.bytes_read += len(chunk)
                overlap = len(self._tail)
                self._tail = (self._tail + plain)[-_TAIL_CHARS:]
                window = self._tail[-(len(plain) + min(overlap, 512)) :]
                for pattern in self._watch:
                    if pattern not in self.seen and pattern.search(window):
                        self.seen[pattern] = now
                self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> float | None:
        """Seconds from start until `pattern` was first seen, or None (timeout or exit)."""
        if pattern not in self._watch:
            with self._lock:
                self._watch.append(pattern)
                if pattern.search(self._tail):
                    self.seen[pattern] = time.monotonic()
        deadline = time.monotonic() + timeout
        with self._changed:
            while pattern not in self.seen:
                left = deadline - time.monotonic()
                if left <= 0 or self.ended_at is not None:
                    return None
                self._changed.wait(min(left, 0.5))
            return self.seen[pattern] - self.started

    def last_match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        with self._lock:
            tail = self._tail
        matches = list(pattern.finditer(tail))
        return matches[-1] if matches else None

    def tail(self, chars: int = 2000) -> str:
        with self._lock:
            return self._tail[-chars:]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            os.write(self._master, data)

    # -- stop -------------------------------------------------------------------------------------

    def stop(self, grace: float = 5.0) -> None:
        """Ask politely (SIGTERM: the app exits cleanly on it), then kill the group."""
        if self.process is None:
            return
        pgid = self.process.pid  # the session leader's id is its group's id
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(grace)
        # Anything left in the group (the leader or stragglers it started) is killed.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        if self._reader is not None:
            self._reader.join(2)
        if self._master >= 0:
            with contextlib.suppress(OSError):
                os.close(self._master)
            self._master = -1


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _take_controlling_tty() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


# -- /proc ----------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads) plus its waited-for children."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        stat = handle.read().decode()
    # The command name may hold spaces and parentheses: fields start after the last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime + cutime + cstime) / CLK_TCK


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def sleep_while_alive(term: Terminal, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while term.alive():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))
    raise SystemExit(
        f"the app exited early ({term.process and term.process.returncode}):\n{term.tail(1500)}"
    )


def require_data(term: Terminal, timeout: float) -> float:
    """Wait for the hits headline; a benchmark without data on screen measures nothing."""
    seconds = term.wait_for(HITS_HEADLINE, timeout)
    if seconds is None:
        raise SystemExit(
            f"no hits headline on screen after {timeout:.0f} s; last screen text:\n"
            f"{term.tail(1500)}"
        )
    return seconds


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
