"""`run_forever`, the entry of `tinylytics-tui demo-server`: two lines, then serve until told
to stop."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx

from app.demo import DEMO_KEY

SCRIPT = (
    "from app.demo.server import run_forever; "
    "run_forever(host='127.0.0.1', port=0, seed=42, scale=1.0)"
)


def test_run_forever_prints_two_lines_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        second = process.stdout.readline().strip()
        assert first.startswith("Tinylytics demo server at http://127.0.0.1:")
        assert first.endswith("/api/v1/")
        assert second == f"API key: {DEMO_KEY}"
        base_url = first.removeprefix("Tinylytics demo server at ")
        answer = httpx.get(
            base_url + "me",
            headers={"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": "tests"},
            timeout=10,
        )
        assert answer.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert process.stdout.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "app", "demo-server", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"tinylytics-tui: cannot serve on 127.0.0.1 port {port}: Address already in use"
    ]
