"""The one polling machinery every section's data goes through.

A feed knows what to ask (`key()`, from the view state: site, range, filters, page), how to ask
it (`fetch()`), and when the answer can next have changed (`next_in()`, from the refresh
interval or the server's own hints). Everything else is here, once:

- one loop per feed, `watch()`, an async iterator of `Update`s: the screen's worker renders
  each one and the loop idles while its screen is hidden;
- a new key cancels the request in flight for the old one, and an answer that no longer fits
  the key is discarded (a site or range changed while it was on its way);
- what was kept on disk for a key is painted before the network is asked (`restore()`);
- budget waits and stretching, backoff with jitter after failures, and what the status line
  says about freshness.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from app import backoff
from app.live.freshness import Freshness
from app.live.pacing import budget_wait, on_the_beat

if TYPE_CHECKING:
    from app.api import ApiError
    from app.live.api import LiveApi
    from app.live.session import Session

log = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

# Retry after failures: exponential from 2 s, capped, with jitter so that clients don't align.
BACKOFF_FIRST = 2.0
BACKOFF_CAP = 300.0
# Without Retry-After, back off from 30 s after a 429.
RATE_LIMIT_FIRST = 30.0
BUDGET_SPENT = "API budget spent"
INTERNAL_ERROR = "internal error (see log)"


@dataclass(frozen=True)
class Update(Generic[T]):
    """What a screen renders: new data (fresh, kept from the last run, or a partial answer
    while a long refresh runs), or only news about freshness (`data` is None), or a failure."""

    data: T | None = None
    kept: bool = False
    partial: bool = False
    error: ApiError | None = None


def problem_of(error: ApiError) -> str:
    """The status line's few words for a failure."""
    from app.api import (
        NetworkError,
        NotFound,
        ProtocolError,
        RateLimited,
        ServerError,
        SubscriptionRequired,
    )

    if isinstance(error, NetworkError):
        # What failed when it is not simply unreachable (a certificate, a proxy setting).
        return error.problem or "offline"
    if isinstance(error, RateLimited):
        return "rate limited"
    if isinstance(error, ServerError):
        return f"server error {error.status}" if error.status else "server error"
    if isinstance(error, ProtocolError):
        return "unexpected answer from the server"
    if isinstance(error, SubscriptionRequired):
        return "needs a subscription"
    if isinstance(error, NotFound):
        return "not found"
    return error.message


def retry_delay(failures: int, error: ApiError) -> float:
    """Seconds before asking again after `failures` failures in a row ending with `error`."""
    from app.api import RateLimited

    if isinstance(error, RateLimited):
        if error.retry_after is not None:
            return max(1.0, error.retry_after)
        return backoff.delay(failures, first=RATE_LIMIT_FIRST, cap=BACKOFF_CAP)
    return backoff.delay(failures, first=BACKOFF_FIRST, cap=BACKOFF_CAP)


class Feed(Generic[K, T]):
    """Subclasses give `key()`, `fetch()` and, where the server sets the pace, `next_in()`.

    A feed whose answers are worth keeping for a warm start names their type in SNAPSHOT and
    gives `snapshot_key()`.
    """

    SNAPSHOT: ClassVar[Any] = None
    # What sets the pace instead of the refresh interval, where the server says when new data
    # can exist ("the server's hourly cache"); told when the user changes the interval.
    PACED_BY: ClassVar[str | None] = None
    # A feed that runs whatever screen is shown (the alert watcher).
    ALWAYS: ClassVar[bool] = False
    # A feed polled at the user's interval, with questions every copy of the app on the key
    # asks alike: its rounds fall on the interval's wall-clock beat (`on_the_beat`).
    ON_THE_BEAT: ClassVar[bool] = False

    def __init__(self, session: Session) -> None:
        self.session = session
        self.freshness = Freshness()
        self.data: T | None = None  # the last answer that fitted its key
        self.visible = self.ALWAYS
        self._wake = asyncio.Event()
        self._news = asyncio.Event()
        self._pending: Update[T] | None = None
        self._asked = False
        self._failures = 0
        self._painted: str | None = None  # the snapshot key last painted or kept
        self._shown_key: K | None = None  # the key of `data`
        self._delay = 0.0  # set by each attempt: seconds until the next round

    # -- what subclasses give ------------------------------------------------------------------

    def key(self) -> K | None:
        """What the user wants now; None while the feed cannot ask (no site picked yet)."""
        raise NotImplementedError

    async def fetch(self, api: LiveApi, key: K) -> T:
        raise NotImplementedError

    def next_in(self, data: T) -> float:
        """Seconds until the server can have something new, before budget stretching."""
        return self.session.state.refresh_interval

    def snapshot_key(self, key: K) -> str | None:
        return None

    def restored(self, data: T) -> None:
        """Data kept from the last run is about to be shown (feeds that hold state use it)."""

    def lasting(self, error: ApiError) -> bool:
        """A failure that stays true until someone changes the account (403, 404): asked again
        at the refresh interval at the earliest, not with quick backoff."""
        from app.api import NotFound, SubscriptionRequired

        return isinstance(error, (NotFound, SubscriptionRequired))

    async def name_site(self, api: LiveApi, site_id: int) -> None:
        """Learn a site's name when no answer so far gave it (one request, once per site)."""
        sites = self.session.sites
        if not sites.knows(site_id):
            site = (await api.site(site_id)).site
            sites.learn(site_id, site.label, site.url)

    # -- what screens call ---------------------------------------------------------------------

    def show(self) -> None:
        """The feed's screen is visible: the loop runs (and checks for news at once)."""
        self.visible = True
        self.wake()

    def hide(self) -> None:
        """Hidden screens cost nothing: the loop idles until shown again."""
        self.visible = self.ALWAYS

    def wake(self) -> None:
        """Look again now: a new key, a changed interval, resuming from pause."""
        self._wake.set()

    def ask(self) -> None:
        """The user asked for something this feed must fetch (a range, a page, `r`): fetched
        even while live updates are paused, which stops only the automatic refreshes."""
        self._asked = True
        self.wake()

    def emit(self, data: T) -> None:
        """A partial answer while a long refresh runs (or news from elsewhere): rendered at
        once when the feed is visible, dropped when not. Only the newest is kept."""
        if self.visible:
            self._pending = Update(data, partial=True)
            self._news.set()

    def render_failed(self, error: Exception) -> None:
        """The screen could not draw an answer (a bug): say so where freshness is shown, as
        for any other failure, and keep the loop and the last frame."""
        self._failures += 1
        retry = self.session.monotonic() + self.interval()
        self.freshness.failed(INTERNAL_ERROR, retry)
        self.session.report_bug(error)

    def interval(self, data: T | None = None) -> float:
        """Seconds until the next automatic refresh, stretched while the budget runs low."""
        seconds = self.next_in(data) if data is not None else self.session.state.refresh_interval
        return self.session.paced(seconds)

    def restore(self) -> Update[T] | None:
        """What was kept on disk for the current key, once per key; None if nothing new."""
        key = self.key()
        if key is None or self.SNAPSHOT is None:
            return None
        where = self.snapshot_key(key)
        if where is None or where == self._painted:
            return None
        self._painted = where
        try:
            found = self.session.snapshots.load(where, self.SNAPSHOT)
        except Exception as error:
            self.session.report_bug(error)
            return None
        if found is None:
            return None
        data, saved_at = found
        age = max(0.0, (self.session.now() - saved_at).total_seconds())
        self.freshness.restored(self.session.monotonic() - age)
        # What was kept counts as shown: while paused it is not asked again by itself.
        self._shown_key = key
        self.restored(data)
        return Update(data, kept=True)

    # -- the loop ------------------------------------------------------------------------------

    async def watch(self) -> AsyncGenerator[Update[T], None]:
        """Updates for as long as the caller iterates: kept data, fresh answers, failures."""
        while True:
            delay: float | None = None
            # Cleared before the work: what changes while it runs is seen by `_attempt` (a new
            # key cancels, an ask starts another round), and nothing after it is lost.
            self._wake.clear()
            if self.visible:
                kept = self.restore()
                if kept is not None:
                    yield kept
            api = self.session.api
            key = self.key() if self.visible and api is not None else None
            if api is not None and key is not None and self._wants(key):
                asked, self._asked = self._asked, False
                wait = budget_wait(self.session.budget)
                if wait > 0:
                    delay = self._out_of_budget(wait, told=asked)
                    yield Update()
                else:
                    self._delay = 0.0
                    async for update in self._attempt(api, key):
                        yield update
                    delay = self._delay
            async for update in self._idle(delay):
                yield update

    def _wants(self, key: K) -> bool:
        state = self.session.state
        return self._asked or not state.paused or key != self._shown_key

    async def _idle(self, delay: float | None) -> AsyncIterator[Update[T]]:
        """Wait for a wake or the delay, passing on partial news meanwhile."""
        loop = asyncio.get_running_loop()
        deadline = None if delay is None else loop.time() + max(0.0, delay)
        while True:
            timeout = None if deadline is None else max(0.0, deadline - loop.time())
            woke = await _first(self._wake, self._news, within=timeout)
            if woke is self._news:
                news = self._take_news()
                if news is not None:
                    yield news
                continue
            return

    def _take_news(self) -> Update[T] | None:
        self._news.clear()
        news, self._pending = self._pending, None
        return news

    async def _attempt(self, api: LiveApi, key: K) -> AsyncIterator[Update[T]]:
        """One fetch for `key`, with what comes of it; sets `_delay`, the wait before the next."""
        from app.api import ApiError, AuthError

        self.freshness.loading = True
        yield Update()
        task: asyncio.Task[T] = asyncio.ensure_future(self.fetch(api, key))
        try:
            while not task.done():
                woke = await _first(self._wake, self._news, task=task)
                if woke is self._news:
                    news = self._take_news()
                    if news is not None:
                        yield news
                elif woke is self._wake:
                    self._wake.clear()
                    if self.key() != key:
                        # What the user wants changed: the answer on its way is not wanted.
                        task.cancel()
                        self.freshness.loading = False
                        self._delay = 0.0
                        yield Update()
                        return
        finally:
            if not task.done():
                task.cancel()
            if self._asked:
                # Asked again (`r`, a page) while this ran: another round follows at once.
                self._wake.set()
        self.freshness.loading = False
        monotonic = self.session.monotonic()
        try:
            data = task.result()
        except asyncio.CancelledError:
            self._delay = 0.0
            return
        except AuthError as error:
            self.freshness.failed(error.message, None)
            self.session.key_rejected(error.message)
            self._delay = self.interval()
            yield Update(error=error)
            return
        except ApiError as error:
            self._failures += 1
            wait = retry_delay(self._failures, error)
            if self.lasting(error):
                wait = max(wait, self.interval())
            self.freshness.failed(problem_of(error), monotonic + wait)
            self.session.connection_changed(ok=False, error=error)
            self._delay = wait
            yield Update(error=error)
            return
        except Exception as error:
            # A bug, not the network: keep the loop and the last data, log it, say it once.
            self._failures += 1
            step = backoff.step(self._failures + 1, first=BACKOFF_FIRST, cap=BACKOFF_CAP)
            wait = max(self.interval(), step)
            self.freshness.failed(INTERNAL_ERROR, monotonic + wait)
            self.session.report_bug(error)
            self._delay = wait
            yield Update()
            return
        if self.key() != key:
            # Asked for something else while this was on its way: ask again at once.
            self._delay = 0.0
            return
        self._failures = 0
        self.freshness.succeeded(monotonic)
        self.session.connection_changed(ok=True)
        self.data, self._shown_key = data, key
        self._keep(key, data)
        self._delay = self._next_round(data)
        yield Update(data)

    @property
    def next_round_in(self) -> float:
        """The wait the last round chose before the next: the interval on its beat, the
        server's hint, or a retry's backoff."""
        return self._delay

    def _next_round(self, data: T) -> float:
        wait = self.interval(data)
        if not self.ON_THE_BEAT:
            return wait
        return on_the_beat(wait, self.session.state.refresh_interval, self.session.wall())

    def _keep(self, key: K, data: T) -> None:
        where = self.snapshot_key(key)
        if where is None or self.SNAPSHOT is None:
            return
        self._painted = where
        try:
            self.session.snapshots.save(where, data)
        except Exception as error:
            self.session.report_bug(error)

    def _out_of_budget(self, wait: float, *, told: bool) -> float:
        """The hourly share is spent: wait for the window to free up, visibly, instead of
        starting a refresh that would stall in the limiter."""
        self.freshness.failed(BUDGET_SPENT, self.session.monotonic() + wait)
        if told:
            self.session.budget_spent(wait)
        # A second late rather than early: the limiter decides to the second.
        return wait + 1.0


async def _first(
    *events: asyncio.Event, task: asyncio.Future[Any] | None = None, within: float | None = None
) -> object:
    """Wait until one of `events` is set or `task` is done; return which (None on timeout)."""
    for event in events:
        if event.is_set():
            return event
    waiters = {asyncio.ensure_future(event.wait()): event for event in events}
    pending: set[asyncio.Future[Any]] = set(waiters)
    if task is not None:
        pending.add(task)
    try:
        done, _ = await asyncio.wait(pending, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    if task is not None and task in done:
        return task
    for waiter, event in waiters.items():
        if waiter in done:
            return event
    return None
