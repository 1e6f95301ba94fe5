"""`tinylytics-tui serve`: the real command, opened in headless Chromium (Debian's `chromium`,
driven by Playwright; nothing downloads a browser), read off the page's terminal.

What the page draws is read from xterm.js itself: the test serves the page's own `textual.js`
with one line added that keeps the terminal object where the test can read its buffer. Everything
else the browser receives (the page, the scripts, the websocket's frames, the URLs) is recorded
and searched for the API key.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.cli import build_parser, settings_flags
from app.demo import DEMO_KEY, DemoServer
from app.serve import host_problem, tab_command

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Set to a directory to keep the picture of the hits dashboard in the browser (screenshots/).
SCREENSHOTS = os.environ.get("TINYLYTICS_SCREENSHOTS")

pytestmark = pytest.mark.e2e

needs_browser = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"{CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install "
    "chromium; .ci/run installs it when it can)",
)

# The page's terminal as text, one line per row, from xterm.js's buffer.
SCREEN_JS = """() => {
  const t = window.__terminal;
  if (!t) return "";
  const buffer = t.buffer.active, rows = [];
  for (let i = 0; i < t.rows; i++) {
    const line = buffer.getLine(buffer.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""
KEEP_TERMINAL = (
    re.compile(r"this\.terminal\.open\((\w+)\)"),
    r"\g<0>,window.__terminal=this.terminal",
)


# -- the server ----------------------------------------------------------------------------------


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    stderr: Path

    def tabs(self) -> list[int]:
        """The app processes of the open tabs: the server's children, from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            # A zombie counts: a process the server has not reaped is not gone yet.
            ppid = stat.rsplit(")", 1)[1].split()[1]
            if int(ppid) == self.process.pid and (b"app.serve_tab" in cmdline or not cmdline):
                found.append(int(entry.name))
        return found

    def wait_for_tabs(self, count: int, timeout: float = 30.0) -> list[int]:
        deadline = time.monotonic() + timeout
        while len(tabs := self.tabs()) != count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(tabs)} tab processes, not {count}: {tabs}")
            time.sleep(0.1)
        return tabs


def serve_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINYLYTICS")}
    env["TINYLYTICS_TUI_CONFIG"] = str(tmp_path / "config.toml")
    return env


@contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[Served]:
    """`tinylytics-tui serve --port 0 ARGS` until the block ends, then SIGTERM: every tab's
    process must be gone with it."""
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", "0", *args],
            cwd=ROOT,
            env=serve_env(tmp_path),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"http://\S+/", out.read_text())):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not start: {err.read_text()}")
            time.sleep(0.1)
        served = Served(process, found.group(0), err)
        yield served
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, err.read_text()
        assert not served.tabs()
        # A tab's own stderr is passed on to serve's stdout.
        said = err.read_text() + out.read_text()
        assert "Traceback" not in said and "rror" not in said, said
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# -- the browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Received:
    """Everything one page got from the server: responses (their bodies are read at the end,
    while the page is still open), websocket frames, and the URLs it asked for."""

    responses: list[Any] = field(default_factory=list)
    frames: list[bytes] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def listen(self, page: Any) -> None:
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("response", lambda response: self.responses.append(response))
        page.on("websocket", self._websocket)

    def _websocket(self, websocket: Any) -> None:
        self.urls.append(websocket.url)
        websocket.on("framereceived", self._frame)
        websocket.on("framesent", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        self.frames.append(payload.encode() if isinstance(payload, str) else payload)

    def everything(self) -> dict[str, bytes]:
        """What came, by where it came from: each URL asked for, each response (headers and
        body), all the websocket's frames."""
        parts = {f"the URL {url}": url.encode() for url in self.urls}
        parts["the websocket's frames"] = b"".join(self.frames)
        for response in self.responses:
            body = b""
            with contextlib.suppress(Exception):  # a websocket upgrade has no body
                body = response.body()
            parts[f"the response of {response.url}"] = repr(response.headers).encode() + body
        return parts

    def assert_shows(self, text: str) -> None:
        """The recording holds what the app drew (else its absences would prove nothing)."""
        assert text.encode() in self.everything()["the websocket's frames"]

    def assert_never(self, secret: str) -> None:
        for where, data in self.everything().items():
            assert secret.encode() not in data, f"{secret!r} reached the browser in {where}"


class Tab:
    """One browser tab on the served dashboard, read through its terminal."""

    def __init__(self, browser: Any, url: str, received: Received | None = None) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.received = received
        if received is not None:
            received.listen(self.page)
        self.page.route("**/static/js/textual.js", self._keep_terminal)
        self.response = self.page.goto(url)

    @staticmethod
    def _keep_terminal(route: Any) -> None:
        response = route.fetch()
        pattern, replacement = KEEP_TERMINAL
        script, count = pattern.subn(replacement, response.text())
        assert count == 1, "textual.js changed: cannot find where it opens its terminal"
        route.fulfill(response=response, body=script)

    def screen(self) -> str:
        return str(self.page.evaluate(SCREEN_JS))

    def wait_for(self, *texts: str, timeout: float = 60.0) -> str:
        """Waits until every text is on the page's terminal at once."""
        try:
            self.page.wait_for_function(
                f"texts => {{ const s = ({SCREEN_JS})(); return texts.every(t => s.includes(t)) }}",
                arg=list(texts),
                timeout=timeout * 1000,
            )
        except Exception as error:
            raise AssertionError(f"{texts!r} never appeared together:\n{self.screen()}") from error
        return self.screen()

    def wait_gone(self, text: str, timeout: float = 60.0) -> None:
        try:
            self.page.wait_for_function(
                f"text => !({SCREEN_JS})().includes(text)", arg=text, timeout=timeout * 1000
            )
        except Exception as error:
            raise AssertionError(f"{text!r} is still there:\n{self.screen()}") from error

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)


# -- tests without a browser ---------------------------------------------------------------------


def test_another_host_needs_allow_remote(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--demo", "--host", "0.0.0.0"],
        cwd=ROOT,
        env=serve_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "0.0.0.0 is not a loopback address" in line and "--allow-remote" in line
    assert host_problem("localhost", False) is None
    assert host_problem("::1", False) is None
    assert host_problem("0.0.0.0", True) is None


def test_allow_remote_serves_with_a_warning(tmp_path: Path) -> None:
    with serving(tmp_path, "--demo", "--host", "0.0.0.0", "--allow-remote") as served:
        warning = served.stderr.read_text()
        assert "warning" in warning and "anyone who can reach it sees" in warning
        port = int(served.url.rsplit(":", 1)[1].strip("/"))
        status, _ = get(port, "/", host=f"dashboard.lan:{port}")
        assert status == 200  # any host name: the user chose to be reached


def test_no_key_is_refused_before_serving(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--port", "0"],
        cwd=ROOT,
        env=serve_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("tinylytics-tui: no API key.")


def test_a_tab_runs_the_apps_options_without_the_key(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("tly-ro-not-in-any-command\n")
    key_file.chmod(0o600)
    argv = ["serve", "--api-key-file", str(key_file), "--site", "456", "--refresh", "30"]
    flags = settings_flags(build_parser().parse_args(argv))
    command = tab_command(flags, None)
    assert "tly-ro-not-in-any-command" not in " ".join(command)
    assert command[1:3] == ["-m", "app.serve_tab"]
    # The tab parses its options back to what serve was given.
    assert settings_flags(build_parser().parse_args(command[3:])) == flags
    demo = tab_command(settings_flags(build_parser().parse_args(["serve", "--demo"])), "URL")
    assert demo[3:] == ["--demo-url", "URL", "--demo"]


def get(
    port: int, path: str, *, host: str, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_other_sites_and_other_host_names_are_refused(tmp_path: Path) -> None:
    """Any page the user visits can open ws://127.0.0.1:PORT/ws (websockets are not bound by the
    same-origin rule), and a DNS-rebound name can load the page: neither may reach an app."""
    with serving(tmp_path, "--demo") as served:
        port = int(served.url.rsplit(":", 1)[1].strip("/"))
        here = f"127.0.0.1:{port}"
        upgrade = {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        }
        assert get(port, "/", host=f"rebound.example:{port}")[0] == 403
        assert get(port, "/", host=here)[0] == 200
        other_site = {**upgrade, "Origin": "https://evil.example"}
        assert get(port, "/ws", host=here, headers=other_site)[0] == 403
        assert get(port, "/ws", host=here, headers=upgrade)[0] == 403  # no Origin
        assert not served.tabs()
        # Our own page's origin is let in (and its app ends when the connection drops).
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request(
            "GET", "/ws", headers={**upgrade, "Host": here, "Origin": f"http://{here}"}
        )
        assert connection.getresponse().status == 101
        served.wait_for_tabs(1)
        connection.close()
        served.wait_for_tabs(0)


# -- tests in the browser ------------------------------------------------------------------------


@needs_browser
def test_the_demo_in_a_browser_tab(browser: Any, tmp_path: Path) -> None:
    with serving(tmp_path, "--demo") as served:
        received = Received()
        tab = Tab(browser, served.url, received)
        assert tab.response.status == 200
        tab.wait_for("Site", "Field Notes", "Kettle & Crumb", "tinylytics · ")
        [app_process] = served.wait_for_tabs(1)
        # The alert bell, in a browser, is a notification that says so.
        tab.wait_for("🔔 Alert", "Kettle & Crumb is down")

        tab.page.click("#terminal")  # the terminal takes the keys
        tab.press("Enter")
        dashboard = tab.wait_for("hits, last 7 days", "Pages (", "Referrers (", "Countries (")
        assert "Field Notes" in dashboard.splitlines()[0]
        picture = tmp_path / "browser.png"
        tab.page.screenshot(path=str(picture))
        assert picture.stat().st_size > 10_000
        if SCREENSHOTS:
            shutil.copy(picture, Path(SCREENSHOTS) / "browser.png")

        # Keys as in a terminal: a range, the help and back, the palette and back, faster.
        tab.press("t")
        tab.wait_for("hits, last 24 hours")
        # A lone escape is told from the start of a key's sequence by what follows it, and
        # when: the next key waits for it to have done its work, as a person's would.
        tab.press("?")
        tab.wait_for("Keys (escape to close)")
        tab.press("Escape")
        tab.wait_gone("Keys (escape to close)")
        tab.press("Control+p")
        tab.wait_for("Search for commands")
        tab.press("Escape")
        tab.wait_gone("Search for commands")
        tab.press("+")
        tab.wait_for("Refreshing every")
        tab.press("Control+z")
        tab.wait_for("cannot be suspended")
        tab.press("3")
        tab.wait_for("Share", "Path")
        tab.press("1")
        tab.wait_for("Site", "Uptime", "Status")

        # The palette's screenshot goes to the browser, in a new tab: nothing on the server.
        tab.press("Control+p")
        tab.wait_for("Search for commands")
        tab.page.keyboard.type("screenshot")
        tab.wait_for("Save an SVG")
        with tab.page.expect_popup(timeout=60_000) as opened:
            tab.press("Enter")
        svg = opened.value
        svg.wait_for_load_state()
        assert svg.url.startswith(f"{served.url}download/")
        assert "<svg" in svg.content() and "Tomás" in svg.content()
        tab.wait_for("Screenshot sent to the browser")
        assert not list(ROOT.glob("tinylytics-*.svg"))
        assert not list((Path.home() / "Downloads").glob("tinylytics-*.svg"))
        svg.close()

        received.assert_shows("Tomás Herrera")
        received.assert_never(DEMO_KEY)

        tab.page.close()
        served.wait_for_tabs(0)
        assert not Path(f"/proc/{app_process}").exists()


@needs_browser
def test_the_key_never_reaches_the_browser(browser: Any, tmp_path: Path) -> None:
    """A real key, from a file: the tab's app uses it (the account is shown), and nothing the
    browser receives holds it, in any usual spelling."""
    key_file = tmp_path / "key"
    key_file.write_text(DEMO_KEY + "\n")
    key_file.chmod(0o600)
    with (
        DemoServer() as demo,
        serving(tmp_path, "--base-url", demo.base_url, "--api-key-file", str(key_file)) as served,
    ):
        received = Received()
        tab = Tab(browser, served.url, received)
        tab.wait_for("tinylytics · Tomás Herrera", "Field Notes", "Burrow Docs")
        [app_process] = served.wait_for_tabs(1)
        command = Path(f"/proc/{app_process}/cmdline").read_bytes()
        assert DEMO_KEY.encode() not in command
        tab.page.click("#terminal")
        tab.press("Enter")
        tab.wait_for("hits, last 7 days")
        received.assert_shows("Tomás Herrera")
        for spelling in (DEMO_KEY, "tly-ro", base64.b64encode(DEMO_KEY.encode()).decode()):
            received.assert_never(spelling)
        assert DEMO_KEY not in tab.page.content()
        tab.page.close()
        served.wait_for_tabs(0)


@needs_browser
def test_one_tab_too_many_gets_a_page_saying_so(browser: Any, tmp_path: Path) -> None:
    with serving(tmp_path, "--demo", "--max-sessions", "1") as served:
        first = Tab(browser, served.url)
        first.wait_for("Field Notes")
        served.wait_for_tabs(1)

        second = Tab(browser, served.url)
        assert second.response.status == 503
        assert "1 session is open; close one and reload this page." in second.page.inner_text(
            "#limit"
        )
        assert len(served.tabs()) == 1

        # q quits the app as in a terminal; the page says the session ended.
        first.page.click("#terminal")
        first.press("q")
        first.page.wait_for_selector("text=This session has ended.", timeout=30_000)
        served.wait_for_tabs(0)

        second.response = second.page.reload()
        assert second.response.status == 200
        second.wait_for("Field Notes")
        served.wait_for_tabs(1)
        first.page.close()
        second.page.close()
