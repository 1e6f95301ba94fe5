"""End to end: `c` and `o` in the real `tinylytics-tui --demo`, run in a pseudo-terminal, put the
address on the clipboard with the OSC 52 escape: the bytes a terminal (also one at the other end
of SSH) reads. tmux would swallow them, so the pty's own output is read here."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

COMMAND = Path(sys.executable).parent / "tinylytics-tui"
# What the demo's Sites table has first: the row the cursor starts on.
FIRST_URL = "https://fieldnotes.blog"


# Escape sequences, to read the screen's words between them.
ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-~]")


def osc52(text: str) -> bytes:
    return b"\x1b]52;c;" + base64.b64encode(text.encode()) + b"\x07"


class Pty:
    """The command on a fresh pty (120x40); every byte it writes is kept."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import fcntl
        import termios

        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.master = master
        self.output = b""
        try:
            self.process = subprocess.Popen(
                argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
            )
        finally:
            os.close(slave)

    def read_until(
        self, wanted: re.Pattern[bytes], timeout: float = 60.0, *, words: bool = False
    ) -> re.Match[bytes]:
        """Until `wanted` is in the output (`words`: in its text, escape sequences left out)."""
        deadline = time.monotonic() + timeout
        while True:
            found = wanted.search(ESCAPES.sub(b"", self.output) if words else self.output)
            if found:
                return found
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                tail = self.output[-2000:].decode(errors="replace")
                raise AssertionError(f"{wanted.pattern!r} never came; last output:\n{tail}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                with contextlib.suppress(OSError):
                    self.output += os.read(self.master, 65536)

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        os.close(self.master)


@pytest.fixture
def app_in_pty(tmp_path: Path) -> Iterator[Pty]:
    if not COMMAND.exists() or shutil.which("sh") is None:
        pytest.skip("tinylytics-tui is not installed next to this Python")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TINYLYTICS_", "TEXTUAL", "XDG_", "SSH_"))
        and k not in ("COLUMNS", "LINES", "DISPLAY", "WAYLAND_DISPLAY")
    }
    env.update(
        TERM="xterm-256color",
        TINYLYTICS_TUI_CONFIG=str(tmp_path / "config.toml"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        # As over SSH: the terminal is the user's, no browser could show here.
        SSH_CONNECTION="10.0.0.2 50000 10.0.0.1 22",
    )
    pty = Pty([str(COMMAND), "--demo"], env)
    try:
        yield pty
    finally:
        pty.stop()


def test_c_and_o_write_the_osc_52_sequence_to_the_terminal(app_in_pty: Pty) -> None:
    # The Sites table is loaded, the cursor on its first row.
    app_in_pty.read_until(re.compile(rb"updated \d+s ago"), words=True)
    start = len(app_in_pty.output)
    app_in_pty.send(b"c")
    app_in_pty.read_until(re.compile(re.escape(osc52(FIRST_URL))))
    app_in_pty.read_until(re.compile(rb"Copied the URL"), words=True)
    assert app_in_pty.output[start:].count(b"\x1b]52;") == 1

    start = len(app_in_pty.output)
    app_in_pty.send(b"o")
    app_in_pty.read_until(re.compile(rb"No browser here"), words=True)
    app_in_pty.read_until(re.compile(re.escape(osc52(FIRST_URL))))
    assert app_in_pty.process.poll() is None
