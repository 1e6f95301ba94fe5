"""A hostile Tinylytics API for tests: real HTTP on loopback, in front of the demo server.

Every request is passed to a real demo server and its answer handed back, unless a mode says
otherwise. Modes are plain attributes, switched on by a test while the server runs:

- `mutate`: a function given (endpoint path, query, decoded JSON) that returns the JSON to send
  instead (lies about paging, numbers out of range, hostile labels...);
- `body`: raw bytes to answer every API request with (HTML, malformed or deeply nested JSON);
- `huge`: answer with a JSON body of this many bytes (streamed, never held in memory here);
  with `unannounced`, without a Content-Length (chunked), so that only reading tells the size;
- `trickle`: send the answer one byte every this many seconds;
- `status` and `headers`: answer with this status and headers (a 429 with a Retry-After...);
- `stall`: accept the request and never answer.

`requests` counts what reached the server, `paths` records each request's path and query, and
`huge_sent` the bytes of `huge` bodies that the client took before it hung up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from aiohttp import web

from app.demo import Clock, DemoServer

Mutate = Callable[[str, dict[str, str], Any], Any]


class HostileServer:
    def __init__(self, demo: DemoServer) -> None:
        self.demo = demo
        self.mutate: Mutate | None = None
        self.body: bytes | None = None
        self.huge: int | None = None
        self.unannounced = False
        self.huge_sent = 0
        self.trickle: float | None = None
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.stall = False
        self.requests = 0
        self.paths: list[tuple[str, dict[str, str]]] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/api/v1/"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self._upstream: httpx.AsyncClient | None = None

    @property
    def clock(self) -> Clock:
        """The demo's clock: an app on this server keeps the demo's time."""
        return self.demo.clock

    # -- what a test switches --------------------------------------------------------------------

    def reset(self) -> None:
        self.mutate = self.body = self.huge = self.trickle = self.status = None
        self.headers = {}
        self.stall = False
        self.unannounced = False

    # -- serving ---------------------------------------------------------------------------------

    def start(self) -> HostileServer:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the hostile server did not start")
        return self

    def stop(self) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        self._thread.join(15)
        self._socket.close()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            self._ready.set()
            loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        self._upstream = httpx.AsyncClient(base_url=self.demo.base_url, timeout=60.0)
        app = web.Application()
        app.router.add_route("GET", "/api/v1/{tail:.*}", self._answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.SockSite(runner, self._socket)
        await site.start()
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            await self._upstream.aclose()
            await runner.cleanup()

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        tail = request.match_info["tail"]
        query = dict(request.query)
        self.paths.append((tail, query))
        if self.stall:
            await asyncio.Event().wait()
        headers = dict(self.headers)
        if self.huge is not None:
            return await self._stream_huge(request, self.huge, headers)
        if self.body is not None:
            body, status = self.body, self.status or 200
            headers.setdefault("Content-Type", "application/json")
        else:
            body, status = await self._from_demo(request, tail, query)
            if self.status is not None:
                status = self.status
            headers.setdefault("Content-Type", "application/json")
        if self.trickle is not None:
            return await self._send_slowly(request, body, status, headers, self.trickle)
        return web.Response(body=body, status=status, headers=headers)

    async def _from_demo(
        self, request: web.Request, tail: str, query: dict[str, str]
    ) -> tuple[bytes, int]:
        assert self._upstream is not None
        forwarded = {k: v for k, v in request.headers.items() if k.lower() in _PASSED}
        answer = await self._upstream.get(tail, params=query, headers=forwarded)
        if self.mutate is None or answer.status_code != 200:
            return answer.content, answer.status_code
        data = self.mutate(tail, query, answer.json())
        return json.dumps(data).encode(), answer.status_code

    async def _stream_huge(
        self, request: web.Request, size: int, headers: dict[str, str]
    ) -> web.StreamResponse:
        response = web.StreamResponse(status=200, headers=headers)
        response.content_type = "application/json"
        if self.unannounced:
            response.enable_chunked_encoding()
        else:
            response.content_length = size
        await response.prepare(request)
        chunk = b" " * 65536
        sent = 0
        with contextlib.suppress(ConnectionError):
            while sent < size:
                piece = chunk[: size - sent]
                await response.write(piece)
                sent += len(piece)
                self.huge_sent += len(piece)
        return response

    async def _send_slowly(
        self,
        request: web.Request,
        body: bytes,
        status: int,
        headers: dict[str, str],
        every: float,
    ) -> web.StreamResponse:
        response = web.StreamResponse(status=status, headers=headers)
        response.content_length = len(body)
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):
            for index in range(len(body)):
                await response.write(body[index : index + 1])
                await asyncio.sleep(every)
        return response


_PASSED = {"authorization", "user-agent", "accept"}


def deep_json(depth: int) -> bytes:
    """A JSON document nested `depth` arrays deep."""
    return b"[" * depth + b"]" * depth


@contextlib.contextmanager
def hostile(demo: DemoServer) -> Iterator[HostileServer]:
    server = HostileServer(demo).start()
    try:
        yield server
    finally:
        server.stop()
