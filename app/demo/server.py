"""The demo server: the World over real HTTP (aiohttp), honouring the API contract.

`DemoServer` runs it on a thread with its own event loop, so that tests and `--demo` get a real
loopback server whatever their own loop is doing. `DemoApi.application()` is the aiohttp app,
for use inside an existing event loop (see `serve`).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import re
import signal
import socket
import threading
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any

from aiohttp import web

from app.demo.clock import Clock
from app.demo.formats import iso_seconds
from app.demo.insights import insights_page, next_job
from app.demo.journeys import journeys_answer
from app.demo.keys import BASIC_KEY, DEMO_KEY, UNSUBSCRIBED_KEY
from app.demo.queries import HitFilter
from app.demo.settings import DemoSettings
from app.demo.world import Site, World

API = "/api/v1"
CONTROL = "/_demo"
NO_ANSWER = 0  # the status counted for a request whose connection was cut

MARKETING_PAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    "<title>Tinylytics - Simple, privacy-first analytics</title></head>"
    '<body><header><a href="/">Tinylytics</a></header><main><h1>Simple, privacy-first '
    "analytics for your sites</h1><p>No cookies, no tracking, just the numbers.</p>"
    '<a href="/sign_up">Start your free trial</a></main></body></html>\n'
)
EDGE_403 = (
    "<!DOCTYPE html>\n<html><head><title>Attention Required! | Cloudflare</title></head>"
    "<body><h1>Sorry, you have been blocked</h1><p>This website is using a security service "
    "to protect itself from online attacks.</p></body></html>\n"
)
EDGE_5XX = (
    "<!DOCTYPE html>\n<html><head><title>tinylytics.app | {status}: Bad gateway</title></head>"
    "<body><h1>Error {status}</h1><p>The web server reported a bad gateway error.</p>"
    "<p>Cloudflare Ray ID: 8f1c2a7e3b9d4e21</p></body></html>\n"
)
GROUP_BY: dict[str, tuple[str, str]] = {
    # group_by value -> (dimension, row key)
    "path": ("path", "path"),
    "country": ("country", "country"),
    "referrer": ("referrer", "referrer"),
    "browsername": ("browser", "browser_name"),
    "platformname": ("platform", "platform_name"),
    "browser_name": ("browser", "browser_name"),
    "platform_name": ("platform", "platform_name"),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RequestStats:
    """What the server was asked, for tests and benchmarks. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.by_endpoint: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()

    def count(self, endpoint: str, status: int) -> None:
        with self._lock:
            self.total += 1
            self.by_endpoint[endpoint] += 1
            self.by_status[status] += 1

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_endpoint.clear()
            self.by_status.clear()

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "by_endpoint": dict(self.by_endpoint),
                "by_status": {str(k): v for k, v in self.by_status.items()},
            }


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Dropped(Exception):
    """The connection was cut: nothing is sent."""


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def endpoint_name(path: str) -> str:
    """`me`, `sites`, `site`, `hits`, `leaderboard`, ... (`unknown` for anything else)."""
    parts = [p for p in path[len(API) :].split("/") if p]
    if parts == ["me"] or parts == ["sites"]:
        return parts[0]
    if len(parts) == 2 and parts[0] == "sites":
        return "site"
    known = ("hits", "leaderboard", "user_journeys", "insights", "uptime")
    if len(parts) == 3 and parts[0] == "sites" and parts[2] in known:
        return parts[2]
    return "unknown"


def pagination(page: int, per_page: int, total: int) -> dict[str, int]:
    return {
        "current_page": page,
        "per_page": per_page,
        "total_count": total,
        "total_pages": math.ceil(total / per_page),
    }


class DemoApi:
    """Routes and rules of the API over one World: auth, validation, quirks, faults, counts."""

    def __init__(self, world: World, settings: DemoSettings, stats: RequestStats) -> None:
        self.world = world
        self.settings = settings
        self.stats = stats
        self._fault_seed = settings.fault_seed
        self._faults = random.Random(settings.fault_seed)
        self._sent: dict[str, deque[datetime]] = {}

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self.middleware])
        route = app.router.add_get
        route(f"{API}/me", self.me)
        route(f"{API}/sites", self.sites)
        route(f"{API}/sites/{{id}}", self.site)
        route(f"{API}/sites/{{id}}/hits", self.hits)
        route(f"{API}/sites/{{id}}/leaderboard", self.leaderboard)
        route(f"{API}/sites/{{id}}/user_journeys", self.journeys)
        route(f"{API}/sites/{{id}}/insights", self.insights)
        route(f"{API}/sites/{{id}}/uptime", self.uptime)
        route(f"{CONTROL}/stats", self.control_stats)
        app.router.add_post(f"{CONTROL}/stats/reset", self.control_reset)
        route(f"{CONTROL}/clock", self.control_get_clock)
        app.router.add_post(f"{CONTROL}/clock", self.control_clock)
        route(f"{CONTROL}/settings", self.control_get_settings)
        app.router.add_post(f"{CONTROL}/settings", self.control_settings)
        return app

    # --- the pipeline every API request goes through ----------------------------------------
    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(CONTROL + "/"):
            if request.remote not in ("127.0.0.1", "::1"):
                return error(403, "The control endpoints answer on loopback only")
            return await handler(request)
        endpoint = endpoint_name(request.path)
        self._sync_forced_down()
        try:
            response = await self._api(request, handler)
        except _Dropped:
            # The transport is gone: whatever is returned is never written.
            self.stats.count(endpoint, NO_ANSWER)
            return web.Response(status=499)
        self.stats.count(endpoint, response.status)
        return response

    def _sync_forced_down(self) -> None:
        # A site forced down goes down when the server first sees the setting: at the control
        # call, or at the next API request when a test changed `settings` directly.
        with self.world.lock:
            self.world.uptime.force_down(set(self.settings.forced_down), self.world.clock.now())

    def _dice(self) -> float:
        if self.settings.fault_seed != self._fault_seed:
            self._fault_seed = self.settings.fault_seed
            self._faults = random.Random(self._fault_seed)
        return self._faults.random()

    async def _api(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        s = self.settings
        if s.latency > 0:
            await asyncio.sleep(s.latency)
        if s.drop_rate > 0 and self._dice() < s.drop_rate:
            if request.transport is not None:
                request.transport.abort()
            raise _Dropped
        if s.require_user_agent and not request.headers.get("User-Agent", "").strip():
            return web.Response(status=403, text=EDGE_403, content_type="text/html")
        if s.force_429 > 0:
            s.force_429 -= 1
            return self._too_many(s.retry_after)
        if s.error_rate > 0 and self._dice() < s.error_rate:
            return self._server_error(s.error_status)
        header = request.headers.get("Authorization", "")
        key = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else None
        if key not in (DEMO_KEY, UNSUBSCRIBED_KEY, BASIC_KEY):
            if s.html_for_bad_key:
                return web.Response(status=200, text=MARKETING_PAGE, content_type="text/html")
            return error(401, "Invalid API key")
        if key == UNSUBSCRIBED_KEY:
            return error(403, "API access requires an active subscription")
        assert key is not None
        if s.rate_limit_per_hour is not None:
            wait = self._rate_limited(key, s.rate_limit_per_hour)
            if wait is not None:
                return self._too_many(None if s.retry_after is None else wait)
        endpoint = endpoint_name(request.path)
        if key == BASIC_KEY and endpoint in ("uptime", "insights"):
            feature = "Uptime monitoring" if endpoint == "uptime" else "AI insights"
            return error(403, f"{feature} requires a plan that includes it")
        try:
            response = await handler(request)
        except ApiError as bad:
            return error(bad.status, bad.message)
        except web.HTTPNotFound:
            return error(404, "Not found")
        except web.HTTPMethodNotAllowed:
            return error(405, "Method not allowed")
        return response

    def _too_many(self, retry_after: int | None) -> web.Response:
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return web.json_response({"error": "Rate limit exceeded"}, status=429, headers=headers)

    def _server_error(self, status: int) -> web.Response:
        if self.settings.error_html and status >= 500:
            page = EDGE_5XX.format(status=status)
            return web.Response(status=status, text=page, content_type="text/html")
        message = "Internal server error" if status >= 500 else "Request failed"
        return error(status, message)

    def _rate_limited(self, key: str, limit: int) -> int | None:
        """Seconds until the key may ask again, or None when within the limit. The window is
        the demo clock's last hour, so tests move it by advancing the clock."""
        now = self.world.clock.now()
        sent = self._sent.setdefault(key, deque())
        while sent and sent[0] <= now - timedelta(hours=1):
            sent.popleft()
        if len(sent) >= limit:
            return max(1, math.ceil((sent[0] + timedelta(hours=1) - now).total_seconds()))
        sent.append(now)
        return None

    def _json(self, body: dict[str, Any]) -> web.Response:
        if self.settings.extra_fields:
            body["signals"] = {"enabled": True, "count": 3}
        return web.json_response(body)

    # --- parameters ---------------------------------------------------------------------------
    def _site(self, request: web.Request) -> Site:
        raw = request.match_info["id"]
        if not raw.isascii() or not raw.isdigit():
            # Reported of the live service: a uid in place of the numeric id has answered 500.
            raise ApiError(500, "Internal server error")
        site = self.world.site(int(raw))
        if site is None:
            raise ApiError(404, "Site not found")
        return site

    @staticmethod
    def _int(request: web.Request, name: str, default: int) -> int:
        raw = request.query.get(name, "").strip()
        if raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise ApiError(400, f"Invalid {name}: must be a whole number") from None

    def _paging(self, request: web.Request, default: int, cap: int) -> tuple[int, int]:
        page = self._int(request, "page", 1)
        per_page = self._int(request, "per_page", default)
        if page < 1:
            raise ApiError(400, "Invalid page: must be 1 or more")
        return page, max(1, min(per_page, cap))

    def _dates(self, request: web.Request) -> tuple[date, date]:
        """Inclusive UTC days. None given: the last 30 days ending today. Only start_date:
        from it to today. Only end_date: the 30 days ending then."""
        today = self.world.clock.now().date()

        def parse(name: str) -> date | None:
            raw = request.query.get(name, "").strip()
            if not raw:
                return None
            try:
                if not _DATE.fullmatch(raw):
                    raise ValueError(raw)
                return date.fromisoformat(raw)
            except ValueError:
                raise ApiError(400, f"Invalid {name} format. Use YYYY-MM-DD") from None

        first, last = parse("start_date"), parse("end_date")
        if last is None:
            last = max(today, first) if first is not None else today
        if first is None:
            first = last - timedelta(days=29)
        if last < first:
            raise ApiError(400, "end_date must be on or after start_date")
        limit = self.settings.max_range_days
        if (last - first).days + 1 > limit:
            raise ApiError(400, f"Date range cannot exceed {limit} days")
        return first, last

    def _filter(self, request: web.Request, site: Site) -> HitFilter:
        q = request.query
        return self.world.resolve_filter(
            site,
            path=q.get("path") or None,
            referrer=q.get("referrer") or None,
            country=q.get("country") or None,
            hostile=self.settings.hostile_strings,
        )

    # --- account and sites --------------------------------------------------------------------
    async def me(self, request: web.Request) -> web.Response:
        user = self.world.user()
        if self.settings.extra_fields:
            user["plan"] = "pro"
        return self._json({"user": user})

    def _summary(self, site: Site, hits: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": site.id,
            "uid": site.profile.uid,
            "url": site.profile.url,
            "label": site.traffic.label(self.settings.hostile_strings),
            "lifetime_hits": hits,
            "active": site.profile.active,
        }
        if self.settings.extra_fields:
            body["lifetime_kudos"] = (site.id * 7) % 53
        return body

    async def sites(self, request: web.Request) -> web.Response:
        now = self.world.clock.now()
        rows = [self._summary(s, self.world.lifetime(s, now)[0]) for s in self.world.sites]
        return self._json({"sites": rows, "total_count": len(rows)})

    async def site(self, request: web.Request) -> web.Response:
        site = self._site(request)
        hits, unique = self.world.lifetime(site)
        body = self._summary(site, hits)
        body.pop("lifetime_kudos", None)
        body.update(
            {
                "lifetime_unique_hits": unique,
                "active": site.profile.active,
                "is_public": site.profile.is_public,
                "created_at": iso_seconds(site.created_at),
                "updated_at": iso_seconds(site.updated_at),
            }
        )
        if self.settings.extra_fields:
            body["lifetime_kudos"] = (site.id * 7) % 53
        return self._json(body if self.settings.site_unwrapped else {"site": body})

    # --- hits ---------------------------------------------------------------------------------
    async def hits(self, request: web.Request) -> web.Response:
        site = self._site(request)
        first, last = self._dates(request)
        flt = self._filter(request, site)
        page, per_page = self._paging(request, 100, 1000)
        if request.query.get("grouped", "").strip().lower() in ("true", "1"):
            return self._grouped(request, site, first, last, flt, page, per_page)
        result = self.world.hits_page(
            site,
            first,
            last,
            flt,
            newest_first=self.settings.hits_order != "asc",
            page=page,
            per_page=per_page,
            hostile=self.settings.hostile_strings,
        )
        if self.settings.extra_fields:
            for row in result.rows:
                referrer = row["referrer"] or ""
                row["source"] = "newsletter" if "newsletter" in referrer else None
        return self._json(
            {"hits": result.rows, "pagination": pagination(page, per_page, result.total)}
        )

    def _grouped(
        self,
        request: web.Request,
        site: Site,
        first: date,
        last: date,
        flt: HitFilter,
        page: int,
        per_page: int,
    ) -> web.Response:
        group_by = request.query.get("group_by", "").strip() or "path"
        accepted = set(GROUP_BY)
        if self.settings.group_by_underscore:
            accepted -= {"browsername", "platformname"}
        if group_by not in accepted:
            options = "path, country, referrer, " + (
                "browser_name, platform_name"
                if self.settings.group_by_underscore
                else "browsername, platformname"
            )
            raise ApiError(400, f"Invalid group_by parameter. Valid options: {options}")
        dim, key = GROUP_BY[group_by]
        views = dim == "path" and self.settings.grouped_path_views
        rows = self.world.grouped_hits(
            site, first, last, flt, dim, with_unique=views, hostile=self.settings.hostile_strings
        )
        chunk = rows[(page - 1) * per_page : page * per_page]
        if views:
            body = [{"path": r.value, "views": r.hits, "unique_views": r.unique} for r in chunk]
        else:
            body = [{key: r.value, "hit_count": r.hits} for r in chunk]
        return self._json(
            {"grouped_hits": body, "pagination": pagination(page, per_page, len(rows))}
        )

    # --- leaderboard --------------------------------------------------------------------------
    def _site_block(self, site: Site) -> dict[str, Any]:
        return {
            "id": site.id,
            "uid": site.profile.uid,
            "url": site.profile.url,
            "label": site.traffic.label(self.settings.hostile_strings),
        }

    async def leaderboard(self, request: web.Request) -> web.Response:
        site = self._site(request)
        page, per_page = self._paging(request, 100, 1000)
        path_filter = request.query.get("path") or None
        hostile = self.settings.hostile_strings
        board = self.world.leaderboard(site, path_filter, hostile)
        chunk = board.rows[(page - 1) * per_page : page * per_page]
        rows = [
            {
                "path": site.traffic.path_name(pid, hostile),
                "total_hits": total,
                "unique_hits": unique,
                "percentage": round(total / board.site_total * 100, 1) if board.site_total else 0.0,
            }
            for pid, total, unique in chunk
        ]
        return self._json(
            {
                "leaderboard": rows,
                "site": self._site_block(site),
                "pagination": pagination(page, per_page, len(board.rows)),
                "cache_info": {
                    "cached_at": iso_seconds(board.cached_at),
                    "expires_at": iso_seconds(board.expires_at),
                },
                "filters": {"path": path_filter} if path_filter else {},
            }
        )

    # --- journeys, insights, uptime -----------------------------------------------------------
    async def journeys(self, request: web.Request) -> web.Response:
        site = self._site(request)
        first, last = self._dates(request)
        page, per_page = self._paging(request, 10, 50)
        body = journeys_answer(
            self.world, site, first, last, page, per_page, self.settings.hostile_strings
        )
        body["pagination"] = pagination(page, per_page, body.pop("total"))
        body["filters"] = {"start_date": first.isoformat(), "end_date": last.isoformat()}
        return self._json(body)

    async def insights(self, request: web.Request) -> web.Response:
        site = self._site(request)
        page, per_page = self._paging(request, 10, 50)
        now = self.world.clock.now()
        items, total = insights_page(
            self.world, site, now, page, per_page, self.settings.hostile_strings
        )
        enabled = site.profile.insights_enabled
        return self._json(
            {
                "insights": items,
                "pagination": pagination(page, per_page, total),
                "site": {
                    **self._site_block(site),
                    "insights_enabled": enabled,
                    "daily_insight_reports_active": site.profile.daily_reports,
                    "next_insight_job_scheduled_at": iso_seconds(next_job(now))
                    if enabled
                    else None,
                },
            }
        )

    async def uptime(self, request: web.Request) -> web.Response:
        site = self._site(request)
        page, per_page = self._paging(request, 50, 50)
        answer = self.world.uptime_answer(site, page, per_page)
        if answer is None:
            return error(404, "No uptime monitor for this site")
        return self._json(answer)

    # --- control (loopback tools for tests and benchmarks) -----------------------------------
    async def control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.as_dict())

    async def control_reset(self, request: web.Request) -> web.Response:
        self.stats.reset()
        return web.json_response(self.stats.as_dict())

    def _clock_state(self) -> dict[str, Any]:
        clock = self.world.clock
        return {"now": iso_seconds(clock.now()), "frozen": clock.frozen, "speed": clock.speed}

    async def control_get_clock(self, request: web.Request) -> web.Response:
        return web.json_response(self._clock_state())

    async def control_clock(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        clock = self.world.clock
        try:
            if "set" in body:
                when = datetime.fromisoformat(str(body["set"]).replace("Z", "+00:00"))
                clock.set(when if when.tzinfo else when.replace(tzinfo=UTC))
            if "advance" in body:
                clock.advance(float(body["advance"]))
            if "speed" in body:
                clock.speed = float(body["speed"])
            if "freeze" in body:
                clock.freeze() if body["freeze"] else clock.unfreeze()
        except (TypeError, ValueError) as bad:
            return error(400, f"Invalid clock change: {bad}")
        return web.json_response(self._clock_state())

    async def control_get_settings(self, request: web.Request) -> web.Response:
        return web.json_response(self.settings.as_dict())

    async def control_settings(self, request: web.Request) -> web.Response:
        try:
            self.settings.update(await _json_body(request))
        except ValueError as bad:
            return error(400, str(bad))
        self._sync_forced_down()
        return web.json_response(self.settings.as_dict())


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(
            text='{"error": "Invalid JSON"}', content_type="application/json"
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text='{"error": "Expected a JSON object"}', content_type="application/json"
        )
    return body


async def serve(api: DemoApi, sock: socket.socket) -> web.AppRunner:
    """Start the API on an already bound socket inside the running event loop; the caller
    ends it with `await runner.cleanup()`."""
    runner = web.AppRunner(api.application(), access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner


class DemoServer:
    """The demo API on a background thread: `with DemoServer() as server: server.base_url`."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 42,
        scale: float = 1.0,
        sites: int = 5,
        clock: Clock | None = None,
        settings: DemoSettings | None = None,
    ) -> None:
        self.host = host
        self.clock = clock or Clock()
        self.settings = settings or DemoSettings()
        self.stats = RequestStats()
        self.world = World(seed, self.clock, scale, sites=sites)
        self._api = DemoApi(self.world, self.settings, self.stats)
        # Bound now, so that port and base_url are known before start().
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
        except OSError:
            self._socket.close()
            raise
        self.port: int = self._socket.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{self.port}{API}/"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._failure: BaseException | None = None

    def start(self) -> None:
        """Start serving on a background thread; returns once the server is listening."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="demo-server", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._failure is not None:
            raise RuntimeError(f"demo server failed to start: {self._failure}")

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as failure:
            self._failure = failure
        finally:
            self._ready.set()
            loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        runner = await serve(self._api, self._socket)
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            await runner.cleanup()

    def stop(self) -> None:
        """Shut down cleanly and join the thread."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None:
            self._thread.join(15)
        self._socket.close()

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run_forever(host: str, port: int, seed: int, scale: float, sites: int = 5) -> None:
    """`tinylytics-tui demo-server`: serve until Ctrl-C or SIGTERM."""
    server = DemoServer(host=host, port=port, seed=seed, scale=scale, sites=sites)
    server.start()
    print(f"Tinylytics demo server at {server.base_url}", flush=True)
    print(f"API key: {DEMO_KEY}", flush=True)
    done = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
