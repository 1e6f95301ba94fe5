"""The async Tinylytics client: one method per endpoint, typed answers, typed errors."""

from __future__ import annotations

import asyncio
import copy
import email.utils
import json
import logging
import math
import re
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Final, Protocol, Self, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from app import __version__, backoff, urls
from app.api import validation
from app.api.budget import RequestBudget
from app.api.errors import (
    ApiError,
    AuthError,
    BadRequest,
    NetworkError,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerError,
    SubscriptionRequired,
)
from app.api.models import (
    GroupedHitsResponse,
    HitsResponse,
    InsightsResponse,
    LeaderboardResponse,
    MeResponse,
    Pagination,
    SiteResponse,
    SitesResponse,
    UptimeResponse,
    UserJourneysResponse,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://tinylytics.app/api/v1/"
NOT_API_DATA: Final = "the server did not answer with API data: is the API key valid?"
CONNECT_TIMEOUT: Final = 5.0
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")

M = TypeVar("M", bound=BaseModel)
P = TypeVar("P", bound="HasPagination")


class HasPagination(Protocol):
    @property
    def pagination(self) -> Pagination: ...


class _BearerAuth(httpx.Auth):
    """Adds the key to each request as it leaves, so that no dict of headers ever holds it.

    The key lives in a `SecretStr`, which shows as `**********` in any repr, including the locals
    of a traceback; httpx masks the Authorization header in its own reprs.
    """

    def __init__(self, key: SecretStr) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "_BearerAuth(**********)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + self._key.get_secret_value()
        yield request


def _key_problem(key: SecretStr) -> str | None:
    """Why a key cannot be sent, if it cannot; checked here because h11 would otherwise reject
    the header with the key in its message."""
    value = key.get_secret_value()
    if not value:
        return "no API key was given"
    if not all(33 <= ord(c) < 127 for c in value):
        return "the API key contains spaces or characters an API key cannot have"
    return None


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header, sent as seconds or as an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
        # Relative to the server's own clock when it sent one, so that clock skew cancels out.
        date_header = response.headers.get("Date")
        now = email.utils.parsedate_to_datetime(date_header) if date_header else datetime.now(UTC)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _body_message(response: httpx.Response) -> str | None:
    """Whatever message an error body holds: JSON `error`, an HTML page's title, or plain text."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        for key in ("error", "message", "errors"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value
            if isinstance(value, list) and value and isinstance(value[0], str):
                return "; ".join(str(v) for v in value)
        return None
    text = response.text[:4000]
    if "<" in text and ">" in text:
        title = _TITLE.search(text)
        text = title.group(1) if title else _TAG.sub(" ", text)
    return text.strip() or None


def _param(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


class TinylyticsClient:
    """An async context manager around one `httpx.AsyncClient`, one method per endpoint.

    Every method validates its arguments before sending, waits for the shared `RequestBudget`,
    retries network failures and 5xx with exponential backoff and full jitter, waits out a short
    `Retry-After` on 429, and answers with the model of the whole response or raises an
    `ApiError` subclass. At most `max_concurrency` requests of this client are in flight at once.
    `sleep` is injectable so that tests need not wait out the backoff.
    """

    def __init__(
        self,
        api_key: str | SecretStr,
        base_url: str = DEFAULT_BASE_URL,
        *,
        budget: RequestBudget | None = None,
        timeout: float = 15.0,
        max_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_concurrency: int = 4,
        share_seconds: float = 0.0,
        user_agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # Stripped of what a paste brings along. The plain key leaves this frame's locals at once:
        # a traceback shown with its locals must not print it.
        raw = api_key.get_secret_value() if isinstance(api_key, SecretStr) else str(api_key)
        self._key = SecretStr(raw.strip())
        del api_key, raw
        if problem := _key_problem(self._key):
            raise AuthError(problem)
        if max_retries < 0 or max_concurrency < 1:
            raise ValueError("max_retries must be >= 0 and max_concurrency >= 1")
        self.base_url = urls.check_base_url(base_url)  # a ValueError if unusable
        self._host = urlsplit(self.base_url).hostname or "the API"
        self.budget = budget if budget is not None else RequestBudget()
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_concurrency = max_concurrency
        # Every HTTP request sent, retries included.
        self.requests_sent = 0
        self._sleep = sleep
        self._slots = asyncio.Semaphore(max_concurrency)
        # Callers asking the same question share one request, and its answer for a short while:
        # two screens (or a screen and the alert watcher) never cost two requests.
        self.share_seconds = share_seconds
        self._in_flight: dict[tuple[str, str], asyncio.Task[Any]] = {}
        self._recent: dict[tuple[str, str], tuple[float, Any]] = {}
        # group_by spelling that this server has accepted, by the spec's spelling.
        self._group_by_spelling: dict[str, str] = {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=_BearerAuth(self._key),
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            headers={
                "User-Agent": user_agent or f"tinylytics-tui/{__version__}",
                "Accept": "application/json",
            },
            transport=transport,
            # A redirect is not an API answer; following one could carry the key elsewhere.
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        # Also called on a half-built client, for the locals of a traceback from __init__.
        base_url = getattr(self, "base_url", None)
        return f"TinylyticsClient(base_url={base_url!r}, api_key='**********')"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for task in list(self._in_flight.values()):
            task.cancel()
        await self._http.aclose()

    # -- sending ---------------------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        """Server text with the key cut out: some servers echo what they were sent."""
        return text.replace(self._key.get_secret_value(), "**********")

    def _backoff(self, attempt: int) -> float:
        # Full jitter: clients that failed together do not retry together.
        return backoff.full_jitter(attempt, first=self.backoff_base, cap=self.backoff_max)

    async def _send(self, path: str, params: Mapping[str, object]) -> httpx.Response:
        query = {k: _param(v) for k, v in params.items() if v is not None}
        failure: NetworkError
        async with self._slots:
            stamp = await self.budget.acquire()
            self.requests_sent += 1
            started = time.monotonic()
            try:
                response = await self._http.get(path, params=query)
            except httpx.RequestError as error:
                if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout)):
                    # No connection, so no request reached the server: not part of the hour.
                    self.budget.refund(stamp)
                failure = self._network_failure(error)
            else:
                log.debug(
                    "GET %s %s -> %d in %.0f ms",
                    path,
                    query,
                    response.status_code,
                    (time.monotonic() - started) * 1000,
                )
                return response
        # Raised outside the handler so that the httpx exception chain (whose frames and
        # messages may hold request details) is not attached as __context__.
        log.debug("GET %s %s failed: %s", path, query, failure.message)
        raise failure

    def _network_failure(self, error: httpx.RequestError) -> NetworkError:
        if isinstance(error, httpx.ConnectTimeout):
            return NetworkError(f"timed out connecting to {self._host}")
        if isinstance(error, httpx.TimeoutException):
            return NetworkError(f"{self._host} did not answer in time")
        return NetworkError(f"could not reach {self._host} ({type(error).__name__})")

    def _error_for(self, response: httpx.Response) -> ApiError:
        status = response.status_code
        found = _body_message(response)
        message = self._scrub(found) if found else None
        if status == 400:
            return BadRequest(message or "the server refused the request (400)", status=status)
        if status == 401:
            return AuthError(message or "the API key was not accepted (401)", status=status)
        if status == 403:
            if "json" not in response.headers.get("content-type", ""):
                # Not the API's answer but its edge's: what a missing User-Agent gets.
                detail = f": {message}" if message else ""
                return SubscriptionRequired(f"access denied (403){detail}", status=status)
            return SubscriptionRequired(message, status=status)
        if status == 404:
            return NotFound(message or "not found (404)", status=status)
        if status == 429:
            return RateLimited(
                message or "rate limited by the API (429)", retry_after=_retry_after(response)
            )
        if status >= 500:
            detail = f": {message}" if message else ""
            return ServerError(f"server error {status}{detail}", status=status)
        return ProtocolError(f"unexpected answer {status} from the API", status=status)

    async def _get_json(self, path: str, params: Mapping[str, object]) -> Any:
        """One answer per distinct question at a time; a fresh recent answer is reused."""
        key = (
            path,
            json.dumps({k: _param(v) for k, v in params.items() if v is not None}, sort_keys=True),
        )
        now = time.monotonic()
        recent = self._recent.get(key)
        if recent is not None and recent[0] > now:
            return copy.deepcopy(recent[1])
        task = self._in_flight.get(key)
        if task is None:
            # A task of its own: a caller that gives up (a screen hidden mid-request) must not
            # cancel the answer others are waiting for.
            task = asyncio.create_task(self._fetch_shared(key, path, params))
            # If every caller gave up, the outcome is still collected (no "never retrieved").
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
            self._in_flight[key] = task
        return copy.deepcopy(await asyncio.shield(task))

    async def _fetch_shared(
        self, key: tuple[str, str], path: str, params: Mapping[str, object]
    ) -> Any:
        try:
            data = await self._get_json_retrying(path, params)
        finally:
            del self._in_flight[key]
        if self.share_seconds > 0:
            self._remember(key, data, time.monotonic() + self.share_seconds)
        return data

    def forget_recent(self) -> None:
        """The next question goes to the server (the user asked for a refresh)."""
        self._recent.clear()

    def _remember(self, key: tuple[str, str], data: Any, until: float) -> None:
        if len(self._recent) >= 256:
            now = time.monotonic()
            self._recent = {k: v for k, v in self._recent.items() if v[0] > now}
        if len(self._recent) < 256:
            self._recent[key] = (until, data)

    async def _get_json_retrying(self, path: str, params: Mapping[str, object]) -> Any:
        """GET with retries: network errors and 5xx back off; a short Retry-After is waited out."""
        attempt = 0
        while True:
            hint: float | None = None
            try:
                response = await self._send(path, params)
            except NetworkError as network:
                error: ApiError = network
            else:
                if response.status_code == 200:
                    return self._decode(response)
                error = self._error_for(response)
                hint = _retry_after(response)
            if isinstance(error, RateLimited):
                # Without a Retry-After the caller's scheduler backs off (from 30 s).
                retry = hint is not None and hint <= self.backoff_max
                wait = hint or 0.0
            elif isinstance(error, (NetworkError, ServerError)):
                retry = True
                short = hint is not None and hint <= self.backoff_max
                wait = hint if hint is not None and short else self._backoff(attempt)
            else:
                retry = False
            if not retry or attempt >= self.max_retries:
                raise error
            attempt += 1
            log.debug("retry %d of %s in %.2f s after: %s", attempt, path, wait, error.message)
            await self._sleep(wait)

    @staticmethod
    def _decode(response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            pass
        if "json" in response.headers.get("content-type", ""):
            raise ProtocolError("the API answered with malformed JSON", status=200)
        # Reported of the live service: a bad key may get the marketing page, with a 200.
        raise AuthError(NOT_API_DATA, status=200)

    async def _get(
        self,
        model: type[M],
        path: str,
        params: Mapping[str, object] | None = None,
        context: dict[str, Any] | None = None,
    ) -> M:
        data = await self._get_json(path, params or {})
        if not isinstance(data, dict):
            raise ProtocolError(NOT_API_DATA, status=200)
        try:
            return model.model_validate(data, context=context)
        except ValidationError as error:
            where = ".".join(str(p) for p in error.errors()[0]["loc"]) or "the top"
        # Outside the handler: the validation error quotes the server's data, not worth keeping.
        raise ProtocolError(f"the API answered in an unexpected shape (at {where})", status=200)

    # -- endpoints -------------------------------------------------------------------------------

    async def me(self) -> MeResponse:
        return await self._get(MeResponse, "me")

    async def sites(self) -> SitesResponse:
        return await self._get(SitesResponse, "sites")

    async def site(self, id: int | str) -> SiteResponse:
        return await self._get(SiteResponse, f"sites/{validation.site_id(id)}")

    @staticmethod
    def _hit_params(
        start_date: date | str | None,
        end_date: date | str | None,
        country: str | None,
        path: str | None,
        referrer: str | None,
        page: int,
        per_page: int,
    ) -> dict[str, object]:
        first, last = validation.date_range(start_date, end_date)
        return {
            "start_date": first,
            "end_date": last,
            "country": validation.text(country),
            "path": validation.text(path),
            "referrer": validation.text(referrer),
            "page": validation.page(page),
            "per_page": validation.per_page(per_page, "hits"),
        }

    async def hits(
        self,
        id: int | str,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        country: str | None = None,
        path: str | None = None,
        referrer: str | None = None,
        page: int = 1,
        per_page: int = 100,
    ) -> HitsResponse:
        """Raw hits, in the order the server sends them (which is not documented)."""
        url = f"sites/{validation.site_id(id)}/hits"
        params = self._hit_params(start_date, end_date, country, path, referrer, page, per_page)
        return await self._get(HitsResponse, url, params)

    async def grouped_hits(
        self,
        id: int | str,
        group_by: str,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        country: str | None = None,
        path: str | None = None,
        referrer: str | None = None,
        page: int = 1,
        per_page: int = 100,
    ) -> GroupedHitsResponse:
        """Hit counts grouped by path, country, referrer, browsername or platformname."""
        url = f"sites/{validation.site_id(id)}/hits"
        spec = validation.group_by(group_by)
        params = self._hit_params(start_date, end_date, country, path, referrer, page, per_page)
        context = {"group_by": spec}
        known = self._group_by_spelling.get(spec)
        spelling = known or spec
        try:
            answer = await self._get(
                GroupedHitsResponse,
                url,
                {**params, "grouped": "true", "group_by": spelling},
                context,
            )
        except BadRequest:
            other = validation.GROUP_BY_ALTERNATIVE.get(spec)
            if other is None or known is not None:
                raise
            # Reported of the live service: some servers know only the other spelling. Try it
            # once; if it works it is the one used from now on.
            log.debug("group_by=%s refused; trying %s", spec, other)
            answer = await self._get(
                GroupedHitsResponse, url, {**params, "grouped": "true", "group_by": other}, context
            )
            spelling = other
        self._group_by_spelling[spec] = spelling
        return answer

    async def leaderboard(
        self,
        id: int | str,
        *,
        path: str | None = None,
        page: int = 1,
        per_page: int = 100,
    ) -> LeaderboardResponse:
        """All-time paths ranked by hits; `path` keeps those containing it (any case)."""
        url = f"sites/{validation.site_id(id)}/leaderboard"
        params = {
            "path": validation.text(path),
            "page": validation.page(page),
            "per_page": validation.per_page(per_page, "leaderboard"),
        }
        return await self._get(LeaderboardResponse, url, params)

    async def user_journeys(
        self,
        id: int | str,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> UserJourneysResponse:
        """Visitors' paths through the site; the server defaults to the last 30 days."""
        url = f"sites/{validation.site_id(id)}/user_journeys"
        first, last = validation.date_range(start_date, end_date)
        params = {
            "start_date": first,
            "end_date": last,
            "page": validation.page(page),
            "per_page": validation.per_page(per_page, "user_journeys"),
        }
        return await self._get(UserJourneysResponse, url, params)

    async def insights(
        self, id: int | str, *, page: int = 1, per_page: int = 10
    ) -> InsightsResponse:
        url = f"sites/{validation.site_id(id)}/insights"
        params = {
            "page": validation.page(page),
            "per_page": validation.per_page(per_page, "insights"),
        }
        return await self._get(InsightsResponse, url, params)

    async def uptime(self, id: int | str, *, page: int = 1, per_page: int = 50) -> UptimeResponse:
        """The uptime monitor, with one page of its downtimes."""
        url = f"sites/{validation.site_id(id)}/uptime"
        params = {
            "page": validation.page(page),
            "per_page": validation.per_page(per_page, "uptime"),
        }
        return await self._get(UptimeResponse, url, params)

    # -- every page ------------------------------------------------------------------------------

    async def iter_pages(
        self,
        method: Callable[..., Awaitable[P]],
        *args: Any,
        max_pages: int | None = None,
        concurrency: int | None = None,
        **kwargs: Any,
    ) -> AsyncGenerator[P, None]:
        """Every page of a paginated call, in page order.

        Page 1 comes first and tells how many pages there are; the rest are fetched ahead of the
        reader, at most `concurrency` (default `max_concurrency`) at a time, and yielded in order.
        Leaving the loop early cancels what is still in flight. Rows that arrive while paging
        shift the pages under the reader: callers that need exact sets page a settled range.

            async for answer in client.iter_pages(client.hits, 456, start_date=..., per_page=1000):
                ...
        """
        if "page" in kwargs:
            raise TypeError("iter_pages chooses the pages itself: do not pass page=")
        window = max(1, concurrency or self.max_concurrency)
        first = await method(*args, page=1, **kwargs)
        last = first.pagination.total_pages
        if max_pages is not None:
            last = min(last, max_pages)
        pending: dict[int, asyncio.Future[P]] = {}
        following = 2

        def look_ahead() -> None:
            nonlocal following
            while following <= last and len(pending) < window:
                pending[following] = asyncio.ensure_future(method(*args, page=following, **kwargs))
                following += 1

        try:
            look_ahead()
            yield first
            for number in range(2, last + 1):
                answer = await pending.pop(number)
                look_ahead()
                yield answer
        finally:
            for task in pending.values():
                task.cancel()
            # Collected so that a page that failed meanwhile is not reported as never retrieved.
            await asyncio.gather(*pending.values(), return_exceptions=True)
