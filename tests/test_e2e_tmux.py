"""End to end: the installed `tinylytics-tui --demo`, built as a wheel into a fresh virtual
environment, run in tmux from another directory, driven by keys and read off the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Only the tests that drive a terminal need tmux; the wheel is checked without it. `.ci/run`
# installs tmux when it can (root, or sudo without a password) and carries on when it cannot.
needs_tmux = pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not on PATH: the end-to-end tests in a terminal need it (apt-get install tmux)",
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install .` (not editable) into a new venv; returns its bin directory."""
    venv = tmp_path_factory.mktemp("wheel") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return venv / "bin"


class Tmux:
    def __init__(self, name: str) -> None:
        self.name = name

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return result.stdout

    def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        """Waits until every text is on screen at once: a capture can catch a half-drawn frame."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{texts!r} never appeared on screen together:\n{self.screen()}")

    def alive(self) -> bool:
        return (
            subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True).returncode
            == 0
        )

    def resize(self, width: int, height: int) -> None:
        subprocess.run(
            ["tmux", "resize-window", "-t", self.name, "-x", str(width), "-y", str(height)],
            check=True,
        )


def start_tmux(installed: Path, tmp_path: Path, args: str) -> Tmux:
    name = f"tly-e2e-{os.getpid()}"
    env = {
        "TINYLYTICS_TUI_CONFIG": str(tmp_path / "config.toml"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    # COLUMNS and LINES, if a tmux server carries them, would pin the app to that size.
    command = f"cd {tmp_path} && env -u TINYLYTICS_API_KEY -u COLUMNS -u LINES {exports} "
    command += f"{installed / 'tinylytics-tui'} {args}; sleep 30"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command], check=True
    )
    return Tmux(name)


@pytest.fixture
def tmux(installed: Path, tmp_path: Path) -> Iterator[Tmux]:
    session = start_tmux(installed, tmp_path, "--demo")
    try:
        yield session
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session.name], capture_output=True)


@needs_tmux
def test_no_key_in_a_terminal_opens_the_first_run_screen(installed: Path, tmp_path: Path) -> None:
    session = start_tmux(installed, tmp_path, "")
    try:
        screen = session.wait_for("Check key", "Try the demo")
        assert "Traceback" not in screen
        session.keys("q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session.name], capture_output=True)


def test_wheel_ships_the_stylesheet(installed: Path) -> None:
    found = list(installed.parent.glob("lib/python*/site-packages/app/styles.tcss"))
    assert found, "styles.tcss is not inside the installed package"
    version = subprocess.run(
        [str(installed / "tinylytics-tui"), "--version"], capture_output=True, text=True, cwd="/"
    )
    assert version.stdout.startswith("tinylytics-tui ")


@needs_tmux
def test_demo_in_tmux(tmux: Tmux) -> None:
    sites = tmux.wait_for("updated", "Today", "7 days")
    assert "Traceback" not in sites

    tmux.keys("Enter")
    hits = tmux.wait_for("hits, last 7 days", "Pages", "Referrers", "Countries")
    assert "Traceback" not in hits

    tmux.keys("l")
    tmux.wait_for("times in", "Referrer", "live hits")
    tmux.keys("Escape")
    time.sleep(0.6)

    tmux.keys("3")
    tmux.wait_for("paths", "next update", "Unique")
    tmux.keys("4")
    tmux.wait_for("bounce rate", "Top entry pages", "journeys")
    tmux.keys("5")
    tmux.wait_for("Monitor", "next check in", "Downtime history")
    tmux.keys("6")
    tmux.wait_for("Traffic patterns", "Insights (")
    tmux.keys("2")

    tmux.keys("t")
    tmux.wait_for("hits, last 24 hours")
    tmux.keys("m")
    tmux.wait_for("hits, last 30 days")

    tmux.keys("?")
    tmux.wait_for("Keys (escape to close)")
    tmux.keys("Escape")
    # A key sent right after escape would arrive as alt+key.
    time.sleep(0.6)

    tmux.keys("p")
    tmux.wait_for("paused")
    tmux.keys("p")

    tmux.resize(80, 24)
    small = tmux.wait_for("hits, last 30 days")
    assert "Traceback" not in small

    tmux.keys("1")
    tmux.wait_for("Today")

    tmux.keys("q")
    deadline = time.monotonic() + 10
    while "$" not in tmux.screen() and time.monotonic() < deadline:
        # After quitting, the pane shows the shell's `sleep`: the app's screen is gone.
        if "Today" not in tmux.screen():
            break
        time.sleep(0.2)
    assert "Today" not in tmux.screen()


@needs_tmux
def test_closing_the_terminal_ends_the_app(installed: Path, tmp_path: Path) -> None:
    """What an SSH session that drops does: the terminal goes away under a running app."""
    session = start_tmux(installed, tmp_path, "--demo")
    # The app's own process (tmux and the shell carry the command line too).
    marker = f"{installed}/python.* {installed}/tinylytics-tui"
    try:
        session.wait_for("updated", "Today")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session.name], capture_output=True)

    def running() -> bool:
        found = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
        return bool(found.stdout.strip())

    deadline = time.monotonic() + 15
    while running() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not running(), "the app outlived its terminal"
