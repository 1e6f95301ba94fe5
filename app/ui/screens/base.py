"""A screen that keeps itself fresh from one long-lived polling loop while it is visible."""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header

from app.api import (
    ApiError,
    AuthError,
    NetworkError,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerError,
    SubscriptionRequired,
)
from app.live.pacing import budget_wait
from app.ui.widgets.status import Freshness, StatusInfo, StatusLine, ago

if TYPE_CHECKING:
    from app.ui.app import TinylyticsApp

T = TypeVar("T")

# Retry after failures: exponential from 2 s, capped, with jitter so many clients don't align.
BACKOFF_FIRST = 2.0
BACKOFF_CAP = 300.0
# The field notes: without Retry-After, back off from 30 s after a 429.
RATE_LIMIT_FIRST = 30.0
BUDGET_SPENT = "API budget spent"


def problem_of(error: ApiError) -> str:
    """The status line's few words for a failure."""
    if isinstance(error, NetworkError):
        return "offline"
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


def backoff_delay(failures: int, error: ApiError) -> float:
    if isinstance(error, RateLimited):
        if error.retry_after is not None:
            return max(1.0, error.retry_after)
        base = RATE_LIMIT_FIRST * 2.0 ** (failures - 1)
    else:
        base = BACKOFF_FIRST * 2.0 ** (failures - 1)
    return min(BACKOFF_CAP, base) * random.uniform(0.8, 1.2)


class LiveScreen(Screen[None], Generic[T]):
    """Subclasses implement `fetch()` (no UI work) and `show(data)` (UI only).

    A screen whose data can be kept for a warm start names its type in SNAPSHOT and gives a
    `snapshot_key()`; the last good data is then painted at once on the next start (or on
    returning to the same site and range), marked with its age, while the refresh runs.
    """

    SNAPSHOT: ClassVar[object | None] = None
    # Screens with a countdown ("next check in 49s") redraw it once a second from the data
    # already shown, by overriding `tick()`; the timer runs only while the screen is visible.
    TICKS: ClassVar[bool] = False
    # What sets the pace instead of the refresh interval, on screens whose server says when
    # new data can exist ("the server's hourly cache"); told when the user changes the interval.
    PACED_BY: ClassVar[str | None] = None

    def __init__(self) -> None:
        super().__init__()
        self._painted_key: str | None = None
        self._clock: Timer | None = None
        self.freshness = Freshness()
        self._wake = asyncio.Event()
        self._visible = False
        self._failures = 0
        self._asked = False

    @property
    def tiny(self) -> TinylyticsApp:
        from app.ui.app import TinylyticsApp

        assert isinstance(self.app, TinylyticsApp)
        return self.app

    # -- layout shared by every section --------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.compose_body()
        yield StatusLine(
            self.freshness,
            self.status_info,
            paused=lambda: self.tiny.paused,
            api_use=lambda: self.tiny.api_use(),
            monotonic=self.tiny.monotonic,
        )
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def status_info(self) -> StatusInfo:
        return StatusInfo(site=self.tiny.site_label)

    # -- the loop -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        # Here rather than in the loop, so that what was kept is in the screen's first frame.
        self._paint_kept()
        self.poll()
        if self.TICKS:
            self._clock = self.set_interval(1.0, self.tick, pause=not self._visible)

    def on_screen_resume(self) -> None:
        self._visible = True
        self.wake()
        if self._clock is not None:
            self._clock.resume()

    def on_screen_suspend(self) -> None:
        # Textual keeps workers and timers of hidden screens running: pause them.
        self._visible = False
        if self._clock is not None:
            self._clock.pause()

    def tick(self) -> None:
        """Redraw what moves with the clock alone (no requests); see TICKS."""

    def wake(self) -> None:
        self._wake.set()

    def ask(self) -> None:
        """The user asked for something this screen must fetch (a range, a page, `r`): fetched
        even while live updates are paused, which stops only the automatic refreshes."""
        self._asked = True
        self.wake()

    def interval(self) -> float:
        return self.tiny.paced(self.tiny.refresh_interval)

    def ready(self) -> bool:
        """Whether the screen has what it needs to fetch (a site, a client)."""
        return self.tiny.client is not None

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll(self) -> None:
        while True:
            delay: float | None = None
            # Cleared before the work, not after: a wake (`r`, a range key) that arrives while
            # a fetch runs must start another round, not be lost.
            self._wake.clear()
            if self._visible:
                # Even while paused, and before the client exists: what was kept from the last
                # run is shown at once.
                self._paint_kept()
            if self._visible and self.ready() and (self._asked or not self.tiny.paused):
                asked, self._asked = self._asked, False
                wait = budget_wait(self.tiny.budget)
                if wait > 0:
                    delay = self._out_of_budget(wait, told=asked)
                else:
                    delay = await self._attempt()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    def status_changed(self) -> None:
        """Redraw the status line now rather than at its next one-second tick."""
        for line in self.query(StatusLine):
            line.tick()

    def snapshot_key(self) -> str | None:
        """Where this screen's last data is kept; None while that is not known yet."""
        return None

    def show_cached(self, data: T) -> None:
        self.show(data)

    def _paint_kept(self) -> None:
        try:
            self._paint_last_known()
        except Exception as error:
            self.tiny.report_bug(error)

    def _paint_last_known(self) -> None:
        """Before asking the server for a new key (site, range...), show what was kept of it."""
        key = self.snapshot_key()
        if key is None or key == self._painted_key or self.SNAPSHOT is None:
            return
        self._painted_key = key
        found = self.tiny.snapshots.load(key, self.SNAPSHOT)
        if found is None:
            return
        data, saved_at = found
        age = max(0.0, (self.tiny.now() - saved_at).total_seconds())
        self.freshness.restored(self.tiny.monotonic() - age)
        self.show_cached(data)

    def matches(self, data: T) -> bool:
        """Whether an answer still fits what the user asks for (no site or range change since)."""
        return True

    def _keep(self, data: T) -> None:
        key = self.snapshot_key()
        if key is not None and self.SNAPSHOT is not None and self.matches(data):
            self._painted_key = key
            self.tiny.snapshots.save(key, data)

    def _out_of_budget(self, wait: float, *, told: bool) -> float:
        """The app's hourly share is spent: wait for the window to free up, visibly, instead of
        starting a refresh that would stall in the limiter."""
        self.freshness.failed(BUDGET_SPENT, self.tiny.monotonic() + wait)
        self.status_changed()
        if told:
            per_hour = self.tiny.budget.per_hour
            self.notify(
                f"This app's API budget ({per_hour} requests an hour) is spent; the next update "
                f"is in {ago(wait)}. requests_per_hour in the config file sets it.",
                timeout=6,
            )
        # A second late rather than early: the limiter decides to the second.
        return wait + 1.0

    async def _attempt(self) -> float:
        self.freshness.loading = True
        self.status_changed()
        try:
            return await self._fetch_and_show()
        finally:
            self.status_changed()

    async def _fetch_and_show(self) -> float:
        try:
            return await self._fetch_and_show_inner()
        except Exception as error:
            # A bug, not the network: keep the loop and the last data, log it, say it once.
            self._failures += 1
            delay = max(self.interval(), min(BACKOFF_CAP, BACKOFF_FIRST * 2.0**self._failures))
            self.freshness.failed("internal error (see log)", self.tiny.monotonic() + delay)
            self.tiny.report_bug(error)
            return delay

    async def _fetch_and_show_inner(self) -> float:
        try:
            data = await self.fetch()
        except AuthError as error:
            self.freshness.failed(error.message, None)
            self.tiny.key_rejected(error.message)
            return self.interval()
        except ApiError as error:
            self._failures += 1
            delay = backoff_delay(self._failures, error)
            if isinstance(error, (SubscriptionRequired, NotFound)):
                delay = max(delay, self.interval())
            self.freshness.failed(problem_of(error), self.tiny.monotonic() + delay)
            self.tiny.connection_changed(ok=False, error=error)
            self.failed(error)
            return delay
        self._failures = 0
        self.freshness.succeeded(self.tiny.monotonic())
        self.tiny.connection_changed(ok=True)
        self.show(data)
        self._keep(data)
        return self.interval()

    async def fetch(self) -> T:
        raise NotImplementedError

    def show(self, data: T) -> None:
        raise NotImplementedError

    def failed(self, error: ApiError) -> None:
        """Hook for screens that show a panel for lasting conditions (404, 403)."""
