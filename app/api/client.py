"""The async Tinylytics client: one method per endpoint, typed answers, typed errors."""

from __future__ import annotations

import asyncio
import copy
import email.utils
import json
import logging
import math
import re
import secrets
import ssl
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Final, NamedTuple, Protocol, Self, TypeVar
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
    one_line,
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
# The largest answer read: many times any page the API sends, far from what would hurt.
DEFAULT_MAX_BODY_BYTES: Final = 8 * 1024 * 1024
# A whole request (connecting, waiting, reading every byte) may take this many times `timeout`:
# httpx's read timeout starts again with every byte, so a trickling server would never time out.
DEADLINE_FACTOR: Final = 4.0
# Longer than any rate-limit window of the API: a larger hint is a broken server's.
MAX_RETRY_AFTER: Final = 3600.0
# The API's JSON is a few levels deep; far deeper is hostile, and would overflow the recursion of
# the parser, the copy each caller gets, and the validation.
MAX_DEPTH: Final = 64
MIB: Final = 1024 * 1024
# Shared answers held at most (each also goes when it expires).
MAX_SHARED: Final = 256
# What the shared answers may hold in memory, by the size of their bodies (decoded, an answer
# takes several times that). A page of 1,000 raw hits (~250 KB) is not held: a cold 12-month load
# reads a hundred of them within the sharing window, and holding them raised the app's resident
# memory by 70 MB for good. Counts, panels and lists are a few KB.
MAX_SHARED_BYTES: Final = 2 * MIB
MAX_SHARED_ANSWER_BYTES: Final = 128 * 1024
# How long a question another process is sending is waited for before asking it here too (it
# may have died with it), and how often its answer is looked for meanwhile.
SHARED_WAIT: Final = 10.0
SHARED_POLL: Final = 0.05
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")

M = TypeVar("M", bound=BaseModel)
P = TypeVar("P", bound="HasPagination")


class HasPagination(Protocol):
    @property
    def pagination(self) -> Pagination: ...


class SharedAnswers(Protocol):
    """The second store of the sharing rule, which other processes using the same key and base
    URL read (the per-key cache, `app.live.cache.SqliteCache`): recent answers, and the
    questions on their way. Keys are the path and parameters, never the API key; times are
    wall-clock seconds, comparable between processes.
    """

    def answer(self, key: str, fetched_after: float) -> tuple[bytes, float] | None:
        """The body of the answer fetched after `fetched_after`, and when it was fetched."""

    def hold(
        self, key: str, asker: str, fetched_after: float, now: float, until: float
    ) -> bool | None:
        """True: `asker` holds the question and sends it; False: another asker holds it or its
        answer is here; None: the store cannot tell (ask)."""

    def let_go(self, key: str, asker: str) -> None: ...

    def put_answer(self, key: str, body: bytes, fetched_at: float, keep_for: float) -> None:
        """Keep the answer for `keep_for` seconds; the question is no longer held."""


class _Held(NamedTuple):
    """An answer held for sharing, with the timer that drops it when it expires."""

    fresh_until: float  # monotonic
    data: Any
    size: int  # of its body, what the holding is bounded by
    timer: asyncio.TimerHandle


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
    """Seconds from a Retry-After header, sent as seconds or as an HTTP date, at most an hour.

    A date in the past, or anything unreadable, is no hint at all.
    """
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        when = _http_date(value)
        if when is None:
            return None
        # Relative to the server's own clock when it sent one, so that clock skew cancels out.
        now = _http_date(response.headers.get("Date", "")) or datetime.now(UTC)
        seconds = (when - now).total_seconds()
        if seconds < 0:
            return None
    if not math.isfinite(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def _http_date(text: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _body_message(response: httpx.Response) -> str | None:
    """Whatever message an error body holds: JSON `error`, an HTML page's title, or plain text."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
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


def _shared_key(key: tuple[str, str]) -> str:
    """A question as the shared store knows it: path and parameters (the key is the file's)."""
    return f"{key[0]}?{key[1]}"


def _parse_kept(body: bytes) -> Any | None:
    """A kept answer's JSON, or None if it is not the JSON a fetch would have accepted."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return None if _deeper_than(data, MAX_DEPTH) else data


def _mib(size: int) -> str:
    return f"{size // MIB} MiB" if size % MIB == 0 else f"{size / MIB:.2f} MiB"


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep (without recursing itself)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


# What OpenSSL's verify codes mean to a user: (message, a few words for a status line).
_NOT_TRUSTED = ("the certificate of {host} is not trusted ({why})", "certificate not trusted")
_OTHER_HOST = (
    "the host name {host} does not match its certificate",
    "certificate for another host",
)
_CERTIFICATE_FAILURES: Final[dict[int, tuple[str, str]]] = {
    2: _NOT_TRUSTED,
    9: ("the certificate of {host} is not valid yet", "certificate not valid yet"),
    10: ("the certificate of {host} has expired", "certificate expired"),
    18: _NOT_TRUSTED,
    19: _NOT_TRUSTED,
    20: _NOT_TRUSTED,
    21: _NOT_TRUSTED,
    27: _NOT_TRUSTED,
    62: _OTHER_HOST,
    64: _OTHER_HOST,
}
_CERTIFICATE_REFUSED = "certificate refused"
_PROXY_UNUSABLE = "proxy setting unusable"
# Failures that asking again at once cannot heal: not retried inside one request.
_FINAL_PROBLEMS: Final = frozenset(
    [problem for _, problem in _CERTIFICATE_FAILURES.values()]
    + [_CERTIFICATE_REFUSED, _PROXY_UNUSABLE]
)


def _ssl_cause(error: BaseException) -> ssl.SSLError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _tls_failure(error: BaseException, host: str) -> NetworkError | None:
    """What failed in a TLS handshake, if that is why there was no answer."""
    cause = _ssl_cause(error)
    if cause is None:
        return None
    if isinstance(cause, ssl.SSLCertVerificationError):
        why = one_line(str(cause.verify_message or "unknown issuer"), 60)
        known = _CERTIFICATE_FAILURES.get(cause.verify_code or 0)
        if known is not None:
            message, problem = known
            return NetworkError(message.format(host=host, why=why), problem=problem)
        return NetworkError(
            f"the certificate of {host} was refused: {why}", problem=_CERTIFICATE_REFUSED
        )
    reason = str(cause.reason or type(cause).__name__).replace("_", " ").lower()
    return NetworkError(f"the secure connection to {host} failed ({reason})", problem="TLS failed")


def _proxy_pattern(host: str) -> str:
    """An httpx mount pattern for every request to `host`."""
    return f"all://[{host}]" if ":" in host else f"all://{host}"


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
        shared: SharedAnswers | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        deadline: float | None = None,
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
        if max_body_bytes < 1 or (deadline is not None and deadline <= 0):
            raise ValueError("max_body_bytes and deadline must be positive")
        self.base_url = urls.check_base_url(base_url)  # a ValueError if unusable
        self._host = urlsplit(self.base_url).hostname or "the API"
        self.budget = budget if budget is not None else RequestBudget()
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_concurrency = max_concurrency
        self.max_body_bytes = max_body_bytes
        self.deadline = deadline if deadline is not None else timeout * DEADLINE_FACTOR
        # Every HTTP request sent, retries included.
        self.requests_sent = 0
        self._sleep = sleep
        self._slots = asyncio.Semaphore(max_concurrency)
        # Callers asking the same question share one request, and its answer for a short while:
        # two screens (or a screen and the alert watcher) never cost two requests. With `shared`
        # the rule reaches other processes on the same key: two copies of the app neither.
        self.share_seconds = share_seconds
        self._shared = shared
        # Who holds a question in the shared store: this client, not the process (a test may run
        # two sessions in one).
        self._asker = secrets.token_hex(8)
        # Answers other processes fetched before this (wall clock) are not taken: `r` was pressed.
        self._shared_after = 0.0
        self._in_flight: dict[tuple[str, str], asyncio.Task[Any]] = {}
        # Each with the timer that drops it when it expires: answers can be megabytes.
        self._recent: dict[tuple[str, str], _Held] = {}
        # group_by spelling that this server has accepted, by the spec's spelling.
        self._group_by_spelling: dict[str, str] = {}
        options: dict[str, Any] = {
            "base_url": self.base_url,
            "auth": _BearerAuth(self._key),
            "timeout": httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            "headers": {
                "User-Agent": user_agent or f"tinylytics-tui/{__version__}",
                "Accept": "application/json",
            },
            "transport": transport,
            # A redirect is not an API answer; following one could carry the key elsewhere.
            "follow_redirects": False,
        }
        self._proxy_problem: str | None = None
        self._http = self._http_client(options)

    def _http_client(self, options: dict[str, Any]) -> httpx.AsyncClient:
        """Environment proxies (HTTPS_PROXY, NO_PROXY...) honoured, as users behind a corporate
        proxy need, but never for loopback: the demo is not behind one, and an http proxy would
        get the key in clear."""
        loopback = urls.is_loopback_host(self._host)
        mounts = {_proxy_pattern(self._host): None} if loopback else None
        try:
            return httpx.AsyncClient(**options, mounts=mounts)
        except (ImportError, ValueError) as error:
            # Not the error's text: a proxy URL may hold a password.
            why = "a socks proxy needs httpx[socks]" if isinstance(error, ImportError) else None
        if not loopback:
            self._proxy_problem = (
                f"the proxy set in the environment cannot be used ({why or 'not a proxy URL'})"
            )
        return httpx.AsyncClient(**options, trust_env=False)

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
        self.forget_recent()
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
        if self._proxy_problem:
            raise NetworkError(self._proxy_problem, problem=_PROXY_UNUSABLE)
        failure: NetworkError
        async with self._slots:
            stamp = await self.budget.acquire()
            self.requests_sent += 1
            started = time.monotonic()
            try:
                # The deadline starts after the waits for a slot and the budget: those are ours.
                async with asyncio.timeout(self.deadline):
                    response = await self._receive(path, query)
            except httpx.RequestError as error:
                if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout)):
                    # No connection, so no request reached the server: not part of the hour.
                    self.budget.refund(stamp)
                failure = self._network_failure(error)
            except TimeoutError:
                failure = NetworkError(f"{self._host} did not answer in time")
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

    async def _receive(self, path: str, query: Mapping[str, str]) -> httpx.Response:
        """The response with its whole body, refused (unread) if larger than `max_body_bytes`."""
        limit = self.max_body_bytes
        async with self._http.stream("GET", path, params=query) as response:
            announced = response.headers.get("Content-Length", "")
            if announced.isdigit() and int(announced) > limit:
                raise self._too_large(int(announced), response.status_code)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise self._too_large(None, response.status_code)
                chunks.append(chunk)
        # Already decoded: the copy must not claim an encoding or a length it no longer has.
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=response.request,
        )

    def _too_large(self, size: int | None, status: int) -> ProtocolError:
        sent = f"{size / 1e6:.1f} MB, " if size is not None else ""
        limit = _mib(self.max_body_bytes)
        return ProtocolError(f"the API sent {sent}more than the {limit} limit", status=status)

    def _network_failure(self, error: httpx.RequestError) -> NetworkError:
        if tls := _tls_failure(error, self._host):
            return tls
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
        if recent is not None and recent.fresh_until > now:
            return copy.deepcopy(recent.data)
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
        shared = self._shared if self.share_seconds > 0 else None
        try:
            kept = None if shared is None else await self._answer_of_another_process(key, shared)
            if kept is None:
                try:
                    data, body = await self._get_json_retrying(path, params)
                except BaseException:
                    if shared is not None:
                        shared.let_go(_shared_key(key), self._asker)
                    raise
                fresh_for, size = self.share_seconds, len(body)
                if shared is not None:
                    shared.put_answer(_shared_key(key), body, time.time(), fresh_for)
            else:
                data, fresh_for, size = kept
        finally:
            del self._in_flight[key]
        if fresh_for > 0:
            self._remember(key, data, fresh_for, size)
        return data

    async def _answer_of_another_process(
        self, key: tuple[str, str], shared: SharedAnswers
    ) -> tuple[Any, float, int] | None:
        """The answer to the same question that a process on the same key fetched within the
        sharing window, or is fetching now (waited for), for how much longer it is fresh and its
        body's size;
        None when this client is to ask (then it holds the question, if the store could say)."""
        question = _shared_key(key)
        give_up = time.monotonic() + SHARED_WAIT
        while True:
            now = time.time()
            since = max(now - self.share_seconds, self._shared_after)
            found = shared.answer(question, since)
            if found is not None:
                body, fetched_at = found
                # A stamp from a clock set back, or a body spoilt on disk: asked again.
                data = _parse_kept(body) if fetched_at <= now else None
                # Fresh until its window ends, not a whole window from now.
                fresh_for = fetched_at + self.share_seconds - now
                return None if data is None else (data, fresh_for, len(body))
            held = shared.hold(question, self._asker, since, now, now + SHARED_WAIT)
            if held is not False or time.monotonic() > give_up:
                return None
            await asyncio.sleep(SHARED_POLL)

    def forget_recent(self) -> None:
        """The next question goes to the server (the user asked for a refresh)."""
        for held in self._recent.values():
            held.timer.cancel()
        self._recent.clear()
        self._shared_after = time.time()

    def _remember(self, key: tuple[str, str], data: Any, seconds: float, size: int) -> None:
        self._forget(key)
        if size > MAX_SHARED_ANSWER_BYTES:
            return
        while self._recent and (
            len(self._recent) >= MAX_SHARED or self._recent_bytes + size > MAX_SHARED_BYTES
        ):
            self._forget(next(iter(self._recent)))  # the oldest
        timer = asyncio.get_running_loop().call_later(seconds, self._forget, key)
        self._recent[key] = _Held(time.monotonic() + seconds, data, size, timer)

    @property
    def _recent_bytes(self) -> int:
        return sum(held.size for held in self._recent.values())

    def _forget(self, key: tuple[str, str]) -> None:
        held = self._recent.pop(key, None)
        if held is not None:
            held.timer.cancel()

    async def _get_json_retrying(
        self, path: str, params: Mapping[str, object]
    ) -> tuple[Any, bytes]:
        """GET with retries: network errors and 5xx back off; a short Retry-After is waited out.
        Returns the answer's JSON and its body."""
        attempt = 0
        while True:
            hint: float | None = None
            try:
                response = await self._send(path, params)
            except NetworkError as network:
                error: ApiError = network
                hint = None
            else:
                if response.status_code == 200:
                    return self._decode(response), response.content
                error = self._error_for(response)
                hint = _retry_after(response)
            if isinstance(error, RateLimited):
                # Without a Retry-After the caller's scheduler backs off (from 30 s).
                retry = hint is not None and hint <= self.backoff_max
                wait = hint or 0.0
            elif isinstance(error, NetworkError) and error.problem in _FINAL_PROBLEMS:
                retry = False
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
        too_deep = False
        try:
            data = response.json()
        except RecursionError:
            too_deep = True
        except (json.JSONDecodeError, UnicodeDecodeError):
            pass
        else:
            too_deep = _deeper_than(data, MAX_DEPTH)
            if not too_deep:
                return data
        # Raised outside the handlers, so that no parser error is attached as context.
        if too_deep:
            raise ProtocolError(
                f"the API answered with JSON nested more than {MAX_DEPTH} deep", status=200
            )
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
