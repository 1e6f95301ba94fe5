"""The demo server: the World over real HTTP (aiohttp), honouring the API contract.

`DemoServer` runs it on a thread with its own event loop, so that tests and `--demo` get a real
loopback server whatever their own loop is doing.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import signal
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any

from aiohttp import web

from app.demo.catalog import SITES
from app.demo.clock import Clock
from app.demo.insights import insight_count, insight_for
from app.demo.settings import DemoSettings
from app.demo.uptime import uptime_answer
from app.demo.world import (
    GROUP_COLUMNS,
    Day,
    HitFilter,
    SiteWorld,
    World,
    short_duration,
)

DEMO_KEY = "tly-ro-demo"
UNSUBSCRIBED_KEY = "tly-ro-unsubscribed"
BASIC_KEY = "tly-ro-basic"
API = "/api/v1"

MARKETING_PAGE = (
    "<!DOCTYPE html><html><head><title>Tinylytics - Simple, privacy-first analytics</title>"
    "</head><body><h1>Simple analytics for your sites</h1></body></html>"
)
EDGE_403 = "<!DOCTYPE html><html><body><h1>403 Forbidden</h1><p>Request blocked.</p></body></html>"
EDGE_5XX = "<!DOCTYPE html><html><body><h1>{status} Bad Gateway</h1><p>cloudflare</p></body></html>"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RequestStats:
    """What the server was asked: for tests and benchmarks."""

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


class BadParam(Exception):
    pass


def iso(moment: datetime, *, millis: bool = False) -> str:
    moment = moment.astimezone(UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def endpoint_name(path: str) -> str:
    parts = [p for p in path[len(API) :].split("/") if p]
    if not parts:
        return "unknown"
    if parts[0] == "sites" and len(parts) >= 3:
        return parts[2]
    if parts[0] == "sites" and len(parts) == 2:
        return "site"
    return parts[0]


class DemoApi:
    """Routes and rules of the API, over one World."""

    def __init__(self, world: World, settings: DemoSettings, stats: RequestStats) -> None:
        self.world = world
        self.settings = settings
        self.stats = stats
        self._faults = random.Random(settings.fault_seed)
        self._sent: dict[str, deque[float]] = {}

    # -- the application -----------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self.middleware])
        app.router.add_get(f"{API}/me", self.me)
        app.router.add_get(f"{API}/sites", self.sites)
        app.router.add_get(f"{API}/sites/{{id}}", self.site)
        app.router.add_get(f"{API}/sites/{{id}}/hits", self.hits)
        app.router.add_get(f"{API}/sites/{{id}}/leaderboard", self.leaderboard)
        app.router.add_get(f"{API}/sites/{{id}}/user_journeys", self.journeys)
        app.router.add_get(f"{API}/sites/{{id}}/insights", self.insights)
        app.router.add_get(f"{API}/sites/{{id}}/uptime", self.uptime)
        app.router.add_get("/_demo/stats", self.control_stats)
        app.router.add_post("/_demo/stats/reset", self.control_reset)
        app.router.add_post("/_demo/clock", self.control_clock)
        app.router.add_get("/_demo/settings", self.control_get_settings)
        app.router.add_post("/_demo/settings", self.control_settings)
        return app

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API):
            return await handler(request)
        response = await self._api(request, handler)
        self.stats.count(endpoint_name(request.path), response.status)
        return response

    async def _api(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        s = self.settings
        self.world.hostile = s.hostile_strings
        if s.latency > 0:
            await asyncio.sleep(s.latency)
        if s.drop_rate > 0 and self._faults.random() < s.drop_rate:
            if request.transport is not None:
                request.transport.abort()
            # Nothing reaches the client; the status is for the counter only.
            return web.Response(status=499)
        if s.require_user_agent and not request.headers.get("User-Agent"):
            return web.Response(status=403, text=EDGE_403, content_type="text/html")
        if s.force_429 > 0:
            s.force_429 -= 1
            return self._too_many()
        if s.error_rate > 0 and self._faults.random() < s.error_rate:
            if s.error_html:
                page = EDGE_5XX.format(status=s.error_status)
                return web.Response(status=s.error_status, text=page, content_type="text/html")
            return error(s.error_status, "Internal server error")
        key = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if key not in (DEMO_KEY, UNSUBSCRIBED_KEY, BASIC_KEY):
            if s.html_for_bad_key:
                return web.Response(status=200, text=MARKETING_PAGE, content_type="text/html")
            return error(401, "Invalid API key")
        if key == UNSUBSCRIBED_KEY:
            return error(403, "API access requires an active subscription")
        if s.rate_limit_per_hour is not None and not self._within_limit(key):
            return self._too_many()
        if key == BASIC_KEY and endpoint_name(request.path) in ("uptime", "insights"):
            return error(403, "This feature requires a paid plan")
        try:
            return await handler(request)
        except BadParam as bad:
            return error(400, str(bad))

    def _too_many(self) -> web.Response:
        headers = {}
        if self.settings.retry_after is not None:
            headers["Retry-After"] = str(self.settings.retry_after)
        return web.json_response({"error": "Rate limit exceeded"}, status=429, headers=headers)

    def _within_limit(self, key: str) -> bool:
        limit = self.settings.rate_limit_per_hour or 0
        sent = self._sent.setdefault(key, deque())
        now = time.monotonic()
        while sent and sent[0] <= now - 3600:
            sent.popleft()
        if len(sent) >= limit:
            return False
        sent.append(now)
        return True

    # -- parameters ----------------------------------------------------------------------------

    def _site(self, request: web.Request) -> SiteWorld:
        raw = request.match_info["id"]
        if not raw.isdigit():
            # The field notes: a uid in place of the numeric id has answered 500.
            raise web.HTTPInternalServerError(
                text=json.dumps({"error": "Internal server error"}), content_type="application/json"
            )
        site = self.world.sites.get(int(raw))
        if site is None:
            raise web.HTTPNotFound(
                text=json.dumps({"error": "Site not found"}), content_type="application/json"
            )
        return site

    @staticmethod
    def _int(request: web.Request, name: str, default: int) -> int:
        raw = request.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise BadParam(f"{name} must be a number") from None
        return value

    def _paging(self, request: web.Request, default: int, cap: int) -> tuple[int, int]:
        page = self._int(request, "page", 1)
        per_page = self._int(request, "per_page", default)
        if page < 1:
            raise BadParam("page must be 1 or more")
        return page, max(1, min(per_page, cap))

    def _dates(self, request: web.Request) -> tuple[date, date]:
        """The inclusive UTC day range; without dates, the last 30 days."""
        today = self.world.now().date()

        def parse(name: str) -> date | None:
            raw = request.query.get(name)
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                raise BadParam(f"Invalid {name}: use YYYY-MM-DD") from None

        first, last = parse("start_date"), parse("end_date")
        if first is None and last is None:
            last, first = today, today - timedelta(days=29)
        elif first is None:
            assert last is not None
            first = last - timedelta(days=29)
        elif last is None:
            last = max(first, today)
        if last < first:
            raise BadParam("end_date must be on or after start_date")
        limit = self.settings.max_range_days
        if (last - first).days + 1 > limit:
            raise BadParam(f"Date range cannot exceed {limit} days")
        return first, last

    @staticmethod
    def _pagination(page: int, per_page: int, total: int) -> dict[str, int]:
        return {
            "current_page": page,
            "per_page": per_page,
            "total_count": total,
            "total_pages": max(1, math.ceil(total / per_page)),
        }

    # -- account and sites ---------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "user": {
                    "email": "ada@fieldnotes.blog",
                    "name": "Ada Okafor",
                    "subscription_status": "active",
                    "sites_count": len(SITES),
                }
            }
        )

    def _summary(self, site: SiteWorld) -> dict[str, Any]:
        hits, _ = site.lifetime(self.world.now())
        body: dict[str, Any] = {
            "id": site.profile.id,
            "uid": site.profile.uid,
            "url": site.profile.url,
            "label": self.world.label(site),
            "lifetime_hits": hits,
            "active": site.profile.active,
        }
        if self.settings.extra_fields:
            body["lifetime_kudos"] = site.profile.id % 37
        return body

    async def sites(self, request: web.Request) -> web.Response:
        rows = [self._summary(site) for site in self.world.sites.values()]
        body: dict[str, Any] = {"sites": rows, "total_count": len(rows)}
        if self.settings.extra_fields:
            body["signals"] = []
        return web.json_response(body)

    async def site(self, request: web.Request) -> web.Response:
        site = self._site(request)
        hits, unique = site.lifetime(self.world.now())
        body = {
            **self._summary(site),
            "lifetime_hits": hits,
            "lifetime_unique_hits": unique,
            "is_public": site.profile.is_public,
            "created_at": iso(site.created_at),
            "updated_at": iso(max(site.created_at, self.world.anchor - timedelta(days=3))),
        }
        if self.settings.site_unwrapped:
            return web.json_response(body)
        return web.json_response({"site": body})

    # -- hits ----------------------------------------------------------------------------------

    def _filters(self, request: web.Request) -> HitFilter:
        q = request.query
        return HitFilter(
            path=q.get("path") or None,
            referrer=q.get("referrer") or None,
            country=q.get("country") or None,
        )

    def _hit(self, site: SiteWorld, day: Day, index: int) -> dict[str, Any]:
        paths, referrers = self.world.paths(site), self.world.referrers(site)
        path = paths[day.path[index]]
        mobile = day.mobile[index]
        body: dict[str, Any] = {
            "id": day.first_id + index,
            "url": site.profile.url + path,
            "path": path,
            "referrer": referrers[day.referrer[index]],
            "country": site.vocab.countries[day.country[index]],
            "browser_name": site.vocab.browsers[day.browser[index]],
            "platform_name": site.vocab.platforms[day.platform[index]],
            "is_mobile": None if mobile < 0 else bool(mobile),
            "created_at": iso(datetime.fromtimestamp(day.ts[index], UTC)),
        }
        if self.settings.extra_fields:
            body["source"] = "newsletter" if index % 17 == 0 else None
        return body

    async def hits(self, request: web.Request) -> web.Response:
        site = self._site(request)
        first, last = self._dates(request)
        filters = self._filters(request)
        page, per_page = self._paging(request, 100, 1000)
        if request.query.get("grouped", "").lower() == "true":
            return self._grouped(request, site, first, last, filters, page, per_page)
        total, rows = self.world.page_of_hits(
            site,
            first,
            last,
            filters,
            offset=(page - 1) * per_page,
            limit=per_page,
            newest_first=self.settings.hits_order != "asc",
        )
        return web.json_response(
            {
                "hits": [self._hit(site, day, index) for day, index in rows],
                "pagination": self._pagination(page, per_page, total),
            }
        )

    def _grouped(
        self,
        request: web.Request,
        site: SiteWorld,
        first: date,
        last: date,
        filters: HitFilter,
        page: int,
        per_page: int,
    ) -> web.Response:
        group_by = request.query.get("group_by", "")
        accepted = set(GROUP_COLUMNS)
        if self.settings.group_by_underscore:
            accepted -= {"browsername", "platformname"}
        if group_by not in accepted:
            raise BadParam(
                f"Invalid group_by '{group_by[:40]}'. "
                "Valid options: path, country, referrer, browsername, platformname"
            )
        column = GROUP_COLUMNS[group_by]
        hits, uniques = self.world.grouped(site, column, first, last, filters)
        names = self.world.values(site, column)
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1], str(names[kv[0]])))
        chunk = ranked[(page - 1) * per_page : page * per_page]
        field = "path" if column == "path" else group_by
        rows: list[dict[str, Any]] = []
        for index, count in chunk:
            if column == "path" and self.settings.grouped_path_views:
                rows.append({"path": names[index], "views": count, "unique_views": uniques[index]})
            else:
                rows.append({field: names[index], "hit_count": count})
        return web.json_response(
            {"grouped_hits": rows, "pagination": self._pagination(page, per_page, len(ranked))}
        )

    # -- leaderboard ---------------------------------------------------------------------------

    async def leaderboard(self, request: web.Request) -> web.Response:
        site = self._site(request)
        page, per_page = self._paging(request, 100, 1000)
        path_filter = request.query.get("path") or None
        cached_at, rows, all_hits = self.world.leaderboard(site, path_filter)
        chunk = rows[(page - 1) * per_page : page * per_page]
        return web.json_response(
            {
                "leaderboard": [
                    {
                        "path": path,
                        "total_hits": hits,
                        "unique_hits": unique,
                        "percentage": round(hits / all_hits * 100, 1) if all_hits else 0.0,
                    }
                    for path, hits, unique in chunk
                ],
                "site": {
                    "id": site.profile.id,
                    "uid": site.profile.uid,
                    "url": site.profile.url,
                    "label": self.world.label(site),
                },
                "pagination": self._pagination(page, per_page, len(rows)),
                "cache_info": {
                    "cached_at": iso(cached_at),
                    "expires_at": iso(cached_at + timedelta(hours=1)),
                },
                "filters": {"path": path_filter} if path_filter else {},
            }
        )

    # -- journeys ------------------------------------------------------------------------------

    async def journeys(self, request: web.Request) -> web.Response:
        site = self._site(request)
        first, last = self._dates(request)
        page, per_page = self._paging(request, 10, 50)
        sessions = self.world.sessions(site, first, last)
        paths = self.world.paths(site)
        entries: Counter[str] = Counter()
        exits: Counter[str] = Counter()
        multi = []
        for day, session in sessions:
            entries[paths[day.path[session.hits[0]]]] += 1
            exits[paths[day.path[session.hits[-1]]]] += 1
            if len(session.hits) > 1:
                multi.append((day, session))
        total = len(sessions)
        chunk = multi[(page - 1) * per_page : page * per_page]
        journeys = []
        for day, session in chunk:
            visited = [
                {
                    "path": paths[day.path[i]],
                    "visited_at": iso(datetime.fromtimestamp(day.ts[i], UTC)),
                }
                for i in session.hits
            ]
            journeys.append(
                {
                    "visitor_hash": session.visitor,
                    "page_count": len(visited),
                    "pages": visited,
                    "entry_page": visited[0]["path"],
                    "exit_page": visited[-1]["path"],
                    "session_duration": short_duration(
                        day.ts[session.hits[-1]] - day.ts[session.hits[0]]
                    ),
                }
            )
        return web.json_response(
            {
                "user_journeys": journeys,
                "summary": {
                    "total_visitors": total,
                    "multi_page_visitors": len(multi),
                    "single_page_visitors": total - len(multi),
                    "bounce_rate": round((total - len(multi)) / total * 100, 1) if total else None,
                },
                "insights": {
                    "top_entry_pages": [
                        {"path": p, "visitors": n} for p, n in entries.most_common(5)
                    ],
                    "top_exit_pages": [{"path": p, "visitors": n} for p, n in exits.most_common(5)],
                },
                "pagination": self._pagination(page, per_page, len(multi)),
                "filters": {"start_date": first.isoformat(), "end_date": last.isoformat()},
            }
        )

    # -- insights and uptime --------------------------------------------------------------------

    async def insights(self, request: web.Request) -> web.Response:
        site = self._site(request)
        page, per_page = self._paging(request, 10, 50)
        now = self.world.now()
        total = insight_count(site, now)
        start = (page - 1) * per_page
        items = [
            insight_for(self.world, site, number)
            for number in range(total - 1 - start, max(-1, total - 1 - start - per_page), -1)
        ]
        enabled = site.profile.insights_enabled
        tomorrow_one = datetime.combine(now.date(), datetime.min.time(), tzinfo=UTC)
        tomorrow_one += timedelta(hours=1)
        if tomorrow_one <= now:
            tomorrow_one += timedelta(days=1)
        return web.json_response(
            {
                "insights": items,
                "pagination": self._pagination(page, per_page, total),
                "site": {
                    "id": site.profile.id,
                    "uid": site.profile.uid,
                    "url": site.profile.url,
                    "label": self.world.label(site),
                    "insights_enabled": enabled,
                    "daily_insight_reports_active": site.profile.daily_reports,
                    "next_insight_job_scheduled_at": iso(tomorrow_one) if enabled else None,
                },
            }
        )

    async def uptime(self, request: web.Request) -> web.Response:
        site = self._site(request)
        page, per_page = self._paging(request, 50, 50)
        answer = uptime_answer(self.world, site, page, per_page)
        if answer is None:
            return error(404, "No uptime monitor for this site")
        return web.json_response(answer)

    # -- control (loopback tools for tests and benchmarks) ---------------------------------------

    async def control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.as_dict())

    async def control_reset(self, request: web.Request) -> web.Response:
        self.stats.reset()
        return web.json_response({"ok": True})

    async def control_clock(self, request: web.Request) -> web.Response:
        body = await request.json()
        clock = self.world.clock
        if "advance" in body:
            clock.advance(float(body["advance"]))
        if "freeze" in body:
            clock.freeze() if body["freeze"] else clock.unfreeze()
        if "speed" in body:
            clock.speed = float(body["speed"])
        if "set" in body:
            clock.set(datetime.fromisoformat(str(body["set"]).replace("Z", "+00:00")))
        return web.json_response({"now": iso(clock.now()), "frozen": clock.frozen})

    async def control_get_settings(self, request: web.Request) -> web.Response:
        return web.json_response(self.settings.as_dict())

    async def control_settings(self, request: web.Request) -> web.Response:
        try:
            self.settings.update(await request.json())
        except ValueError as bad:
            return error(400, str(bad))
        return web.json_response(self.settings.as_dict())


class DemoServer:
    """The demo API on a background thread; `with DemoServer() as server: server.base_url`."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 42,
        scale: float = 1.0,
        clock: Clock | None = None,
        settings: DemoSettings | None = None,
    ) -> None:
        self.host = host
        self.clock = clock or Clock()
        self.settings = settings or DemoSettings()
        self.stats = RequestStats()
        self.world = World(seed, self.clock, scale)
        self._api = DemoApi(self.world, self.settings, self.stats)
        self._socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{self.port}{API}/"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="demo-server", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._failure is not None:
            raise RuntimeError(f"demo server failed to start: {self._failure}")

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as failure:
            self._failure = failure
            self._ready.set()
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        runner = web.AppRunner(self._api.application(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.SockSite(runner, self._socket)
        await site.start()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)
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


def run_forever(host: str, port: int, seed: int, scale: float) -> None:
    """`tinylytics-tui demo-server`: serve until interrupted."""
    server = DemoServer(host=host, port=port, seed=seed, scale=scale)
    server.start()
    print(f"Tinylytics demo server at {server.base_url}", flush=True)
    print(f"API key: {DEMO_KEY}", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        while not done.wait(1):
            pass
    finally:
        server.stop()
