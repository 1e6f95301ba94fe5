"""`tinylytics-tui serve`: the dashboard in a web browser, one app process per tab.

textual-serve gives the pieces: the page's terminal (xterm.js, `textual.js`), the protocol
between the browser and an app run with Textual's web driver (`AppService`), and file delivery
(the palette's screenshot). What this module adds around them:

- **no key in the browser**: a tab's process is started with the app's options as `serve` got
  them (`app.serve_tab`), and reads the key itself from the same file, environment or config
  file; the page, the scripts and the websocket carry only what the app draws;
- **loopback only** unless `--allow-remote` says otherwise, and even then a warning, since there
  is no login: whoever reaches the port sees the account. A page or websocket asked for under
  another host name (DNS rebinding), or a websocket opened by a page of another site (any site
  the user visits can try `ws://127.0.0.1:8000/ws`), is refused;
- **a bounded number of tabs** (`--max-sessions`): one more gets a page saying so, not a dead
  terminal; a closed tab's process is asked to quit, then ended if it does not;
- **one demo** for every tab with `--demo`, so that they all show the same living world.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import logging
import shlex
import signal
import sys
from asyncio.subprocess import Process
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from app.cli import settings_flags
from app.config import ENV_API_KEY, ConfigError, load_settings
from app.serve_tab import DEMO_URL_OPTION
from app.urls import is_loopback_host

PROG = "tinylytics-tui"
# How long a closed tab's app has to quit by itself, then to end after SIGTERM.
GRACE = 5.0
# A terminal size the browser may ask for: a page cannot make an app draw a million cells.
MIN_CELLS, MAX_CELLS = 10, 1000

log = logging.getLogger("tinylytics-tui.serve")

# The page's scripts, stylesheet and font, as textual-serve ships them.
STATIC = Path(textual_serve.__file__).parent / "static"


def host_problem(host: str, allow_remote: bool) -> str | None:
    """Why serving on `host` is refused, or None."""
    if is_loopback_host(host) or allow_remote:
        return None
    return (
        f"--host {host[:60]} is not a loopback address, and the dashboard has no login: anyone "
        "who reaches the port would see the account. Add --allow-remote to serve it anyway"
    )


def remote_warning(host: str, port: int) -> str:
    return (
        f"{PROG}: warning: serving on {host} port {port} with --allow-remote: anyone who can "
        "reach it sees this Tinylytics account, with no password, over plain http"
    )


def tab_command(flags: dict[str, Any], demo_url: str | None) -> list[str]:
    """The command one tab runs: the app's options as `serve` was given them (a key file's
    path, never a key), and the shared demo's URL with --demo."""
    argv = [sys.executable, "-m", "app.serve_tab"]
    if demo_url is not None:
        argv += [DEMO_URL_OPTION, demo_url]
    for name, value in flags.items():
        option = "--" + name.replace("_", "-")
        if value is True:
            argv.append(option)
        elif value is not None and value is not False:
            argv += [option, repr(value) if isinstance(value, float) else str(value)]
    return argv


class TabProcess(AppService):
    """One tab's app: started without a shell (the command is a list, nothing is quoted), and
    sure to end when its tab closes."""

    def __init__(self, argv: Sequence[str], **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = list(argv)
        self.process: Process | None = None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self.process = self._process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
        )
        assert self.process.stdin is not None
        self._stdin = self.process.stdin
        return self.process

    async def close(self) -> None:
        """Ask the app to quit, as textual-serve does; SIGTERM if it has not ended within
        GRACE, SIGKILL if not within GRACE more."""
        process = self.process

        async def quit() -> None:
            await self.stop()
            if process is not None:
                await process.wait()

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(quit(), GRACE)
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), GRACE)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


@dataclass
class BrowserServer:
    """The aiohttp application: the page, its websocket (one app per tab) and downloads."""

    command: list[str]
    max_sessions: int
    loopback_only: bool = True
    tabs: set[TabProcess] = field(default_factory=set)
    downloads: DownloadManager = field(default_factory=DownloadManager)

    def application(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.get("/", self.page),
                web.get("/ws", self.websocket),
                web.get("/download/{key}", self.download),
                web.static("/static", STATIC),
            ]
        )
        app.on_response_prepare.append(_security_headers)
        return app

    # -- who may ask ------------------------------------------------------------------------

    def refusal(self, request: web.Request) -> web.Response | None:
        """A page asked for under a name that is not this machine, when serving on loopback, is
        a DNS rebinding: another site's page reading ours."""
        if self.loopback_only and not is_loopback_host(_hostname(request.host)):
            return web.Response(status=403, text="This server answers to loopback addresses only.")
        return None

    def full(self) -> bool:
        return len(self.tabs) >= self.max_sessions

    # -- handlers ---------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        refused = self.refusal(request)
        if refused is not None:
            return refused
        if self.full():
            return web.Response(
                status=503, text=limit_page(self.max_sessions), content_type="text/html"
            )
        scheme = "wss" if request.secure else "ws"
        font_size = min(max(_int(request.query.get("fontsize"), 16), 6), 48)
        return web.Response(
            text=terminal_page(f"{scheme}://{request.host}/ws", font_size),
            content_type="text/html",
        )

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        refused = self.refusal(request)
        if refused is not None:
            return refused
        if not _same_origin(request):
            return web.Response(status=403, text="A websocket from another site's page.")
        if self.full():
            # Two pages loaded at once can both have passed the page's check.
            return web.Response(status=503, text=limit_text(self.max_sessions))
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _cells(request.query.get("width"), 80)
        height = _cells(request.query.get("height"), 24)
        await websocket.prepare(request)
        tab = TabProcess(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.downloads,
        )
        self.tabs.add(tab)
        try:
            await tab.start(width, height)
            await _relay(websocket, tab)
        except (asyncio.CancelledError, ConnectionError):
            pass
        except Exception:
            log.exception("a browser session failed")
        finally:
            # Counted until its process is gone: a slot is free only when its app is.
            try:
                await asyncio.shield(tab.close())
            finally:
                self.tabs.discard(tab)
                await websocket.close()
        return websocket

    async def download(self, request: web.Request) -> web.StreamResponse:
        """A file the app delivers to the browser (the palette's screenshot)."""
        refused = self.refusal(request)
        if refused is not None:
            return refused
        key = request.match_info["key"]
        try:
            meta = await self.downloads.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="No such download.") from None
        response = web.StreamResponse()
        content_type = meta.mime_type
        if meta.encoding:
            content_type += f"; charset={meta.encoding}"
        response.headers["Content-Type"] = content_type
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        response.headers["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{quote(meta.file_name)}"
        )
        await response.prepare(request)
        async for chunk in self.downloads.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def close_all(self) -> None:
        await asyncio.gather(*(tab.close() for tab in list(self.tabs)), return_exceptions=True)


async def _relay(websocket: web.WebSocketResponse, tab: TabProcess) -> None:
    """What the page sends: keys and mouse as terminal input, its size, focus; anything else
    (or malformed) is dropped."""
    async for message in websocket:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            envelope = json.loads(message.data)
        except ValueError:
            continue
        if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
            continue
        kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
        if kind == "stdin" and isinstance(data, str):
            await tab.send_bytes(data.encode("utf-8", "replace"))
        elif kind == "resize" and isinstance(data, dict):
            await tab.set_terminal_size(
                _cells(data.get("width"), 80), _cells(data.get("height"), 24)
            )
        elif kind == "ping" and isinstance(data, str):
            await websocket.send_json(["pong", data[:32]])
        elif kind == "blur":
            await tab.blur()
        elif kind == "focus":
            await tab.focus()


def _int(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 7:
        return int(value)
    return default


def _cells(value: object, default: int) -> int:
    return min(max(_int(value, default), MIN_CELLS), MAX_CELLS)


def _hostname(host: str | None) -> str | None:
    try:
        return urlsplit(f"//{host or ''}").hostname
    except ValueError:
        return None


def _same_origin(request: web.Request) -> bool:
    """Browsers send Origin with every websocket; WebSockets are not bound by the same-origin
    rule, so the server checks it: only our own page may drive an app."""
    origin = request.headers.get("Origin")
    if not origin or not request.host:
        return False
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    # No other site may frame the dashboard (and have the user type into it), and a page
    # showing an account's numbers is not cached.
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"


# -- pages -------------------------------------------------------------------------------------

_STYLE = """
@font-face { font-family: "Roboto Mono"; font-weight: 100 700;
  src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
@font-face { font-family: "Roboto Mono"; font-weight: 100 700; font-style: italic;
  src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
body { background: #0c181f; margin: 0; color: rgba(255, 255, 255, 0.95);
  font-family: "Roboto Mono", menlo, monospace; }
.message { position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; z-index: 10; }
.message div { background: #12232d; padding: 32px 48px; text-align: center; max-width: 40em; }
.ended { display: none; background: rgba(12, 24, 31, 0.85); }
body.-closed .ended { display: flex; }
button { padding: 12px 32px; background: #5e0ba7; color: inherit; border: none;
  font: inherit; cursor: pointer; }
button:hover { background: #ac5af4; }
"""


def terminal_page(websocket_url: str, font_size: int) -> str:
    """textual-serve's page, without its web fonts from a third party (the font is served
    here) and with nothing in it but where the websocket is."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tinylytics</title>
<link rel="preload" href="/static/fonts/RobotoMono-VariableFont_wght.ttf" as="font"
  type="font/ttf" crossorigin>
<link rel="stylesheet" href="/static/css/xterm.css">
<style>{_STYLE}</style>
<script src="/static/js/textual.js"></script>
</head>
<body>
<div class="message ended"><div>
<p>This session has ended.</p>
<button type="button" onclick="window.location.reload()">Start again</button>
</div></div>
<div id="terminal" class="textual-terminal"
  data-session-websocket-url="{html.escape(websocket_url)}"
  data-font-size="{font_size}"></div>
</body>
</html>
"""


def limit_text(max_sessions: int) -> str:
    sessions = "1 session is" if max_sessions == 1 else f"{max_sessions} sessions are"
    return f"{sessions} open; close one and reload this page."


def limit_page(max_sessions: int) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tinylytics: too many sessions</title>
<style>{_STYLE}</style>
</head>
<body>
<div class="message"><div>
<h1>tinylytics</h1>
<p id="limit">{html.escape(limit_text(max_sessions))}</p>
<p>Each browser tab runs its own dashboard; this server runs at most {max_sessions} at once
(--max-sessions).</p>
<button type="button" onclick="window.location.reload()">Reload</button>
</div></div>
</body>
</html>
"""


# -- the command -------------------------------------------------------------------------------


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def serve_main(args: argparse.Namespace) -> int:
    """`tinylytics-tui serve`: check everything, then serve until Ctrl+C or SIGTERM."""
    host: str = args.host
    problem = host_problem(host, args.allow_remote)
    if problem:
        return _fail(problem)
    flags = settings_flags(args)
    try:
        settings = load_settings(flags)
    except ConfigError as exc:
        return _fail(exc.message)
    if settings.api_key is None and not settings.demo:
        # A tab's first-run screen would have the key typed into the browser: it must not be.
        return _fail(
            f"no API key. Set ${ENV_API_KEY}, pass --api-key-file PATH, or put api_key in "
            f"{settings.config_path} (chmod 600). Or try the demo: {PROG} serve --demo"
        )
    logging.basicConfig(level=logging.WARNING, format=f"{PROG} serve: %(message)s")
    try:
        return asyncio.run(_serve(args, flags, settings.demo))
    except OSError as error:
        return _fail(f"cannot serve on {host} port {args.port}: {error.strerror or error}")


async def _serve(args: argparse.Namespace, flags: dict[str, Any], demo: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)

    stop_demo: Callable[[], None] = lambda: None  # noqa: E731
    demo_url: str | None = None
    if demo:
        from app.demo import DemoServer

        demo_server = DemoServer()
        await asyncio.to_thread(demo_server.start)
        demo_url, stop_demo = demo_server.base_url, demo_server.stop
    server = BrowserServer(
        tab_command(flags, demo_url),
        max_sessions=args.max_sessions,
        loopback_only=is_loopback_host(args.host),
    )
    runner = web.AppRunner(server.application(), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, args.host, args.port)
        await site.start()
        port = runner.addresses[0][1]
        shown = f"[{args.host}]" if ":" in args.host else args.host
        if not is_loopback_host(args.host):
            print(remote_warning(args.host, port), file=sys.stderr, flush=True)
        what = "the demo" if demo else "the dashboard"
        print(
            f"{PROG}: serving {what} at http://{shown}:{port}/ (at most {args.max_sessions} "
            "tabs at once; Ctrl+C stops)",
            flush=True,
        )
        await stop.wait()
    finally:
        await server.close_all()
        await runner.cleanup()
        await asyncio.to_thread(stop_demo)
    return 0
