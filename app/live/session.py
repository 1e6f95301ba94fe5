"""One Session per account (API key and base URL): everything that keeps its data fresh.

The session holds the API (behind the `LiveApi` protocol), the request budget, the cache and
the kept snapshots, the site directory, and one feed per section. It imports no Textual: the UI
drives the feeds' loops from its workers and listens to the session's events (a notice to show,
a rejected key, an alert) to turn them into notifications.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.api import ApiError, NetworkError, RequestBudget
from app.durations import compact
from app.live.cache import SqliteCache, cache_namespace, default_cache_path
from app.live.feeds.hits import HitsFeed
from app.live.feeds.sites import SitesFeed
from app.live.ledger import LedgerBudget
from app.live.pacing import stretch
from app.live.sites import SiteDirectory
from app.live.snapshots import Snapshots
from app.live.state import ViewState
from app.logs import log_path
from app.secret import Secret

if TYPE_CHECKING:
    from app.api import MeResponse
    from app.live.api import LiveApi
    from app.live.dashboard import Panel
    from app.live.feeds.alerts import AlertsFeed
    from app.live.feeds.insights import InsightsFeed
    from app.live.feeds.journeys import JourneyFeed, JourneysFeed
    from app.live.feeds.leaderboard import LeaderboardFeed
    from app.live.feeds.panel import PanelFeed
    from app.live.feeds.stream import StreamFeed
    from app.live.feeds.uptime import UptimeFeed
    from app.live.hitcounts import HitCounter
    from app.live.overview import SitesOverview
    from app.live.stream import HitStreams
    from app.live.watcher import Alert, UptimeWatcher

log = logging.getLogger(__name__)

# Callers asking the same question within this many seconds share one answer, in this process
# and (through the cache) in the others on the same key; `r` always asks the server again.
SHARE_SECONDS = 5.0


# -- what the session tells the UI ---------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One line to show the user for a moment."""

    text: str
    severity: str = "information"  # "information", "warning" or "error"
    timeout: float = 4.0


@dataclass(frozen=True)
class KeyRejected:
    message: str


@dataclass(frozen=True)
class AlertRaised:
    alert: Alert


@dataclass(frozen=True)
class NamesChanged:
    """The account's or a site's name is known now (or changed): headers say it."""


Event = Notice | KeyRejected | AlertRaised | NamesChanged


class Session:
    def __init__(
        self,
        state: ViewState,
        *,
        requests_per_hour: int = 600,
        cache: bool = True,
        retention_days: int = 400,
        max_answer_bytes: int = 8 * 1024 * 1024,
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] | None = None,
        wall: Callable[[], float] | None = None,
    ) -> None:
        self.state = state
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.monotonic: Callable[[], float] = monotonic or time.monotonic
        # The clock every process shares (the ledger's, the refresh beat's).
        self.wall: Callable[[], float] = wall or time.time
        self.budget = RequestBudget(per_hour=requests_per_hour)
        self.api: LiveApi | None = None
        self.cache: SqliteCache | None = None
        self.snapshots = Snapshots(None, self.now)
        self.sites = SiteDirectory()
        self.account = ""
        # The account's name in the config file when there are several: the status line says it.
        self.label = ""
        # Built with the API: the incremental counters and streams keep per-site state.
        self.counter: HitCounter | None = None
        self.streams: HitStreams | None = None
        self.overview: SitesOverview | None = None
        self.watcher: UptimeWatcher | None = None
        self._cache_enabled = cache
        self._retention_days = retention_days
        self._max_answer_bytes = max_answer_bytes
        self._listeners: list[Callable[[Event], None]] = []
        self._online = True
        self._bugs_told: set[str] = set()
        self._paging_told = False
        self._closing: set[asyncio.Task[None]] = set()
        self._feeds: dict[str, Any] = {}
        # Feeds made for one pushed screen (a panel, a journey): woken like the others for as
        # long as their screen holds them.
        self._opened: weakref.WeakSet[Any] = weakref.WeakSet()
        self.sites_feed = SitesFeed(self)
        self.hits_feed = HitsFeed(self)
        self.sites.listen(lambda: self._tell(NamesChanged()))
        state.listen(self._state_changed)

    # -- feeds -------------------------------------------------------------------------------

    def _lazy(self, name: str, module: str, cls: str) -> Any:
        """Feeds of sections 3 to 6 load on first use: a start paints without them."""
        feed = self._feeds.get(name)
        if feed is None:
            feed = getattr(importlib.import_module(f"app.live.feeds.{module}"), cls)(self)
            self._feeds[name] = feed
        return feed

    @property
    def leaderboard_feed(self) -> LeaderboardFeed:
        feed: LeaderboardFeed = self._lazy("leaderboard", "leaderboard", "LeaderboardFeed")
        return feed

    @property
    def journeys_feed(self) -> JourneysFeed:
        feed: JourneysFeed = self._lazy("journeys", "journeys", "JourneysFeed")
        return feed

    @property
    def uptime_feed(self) -> UptimeFeed:
        feed: UptimeFeed = self._lazy("uptime", "uptime", "UptimeFeed")
        return feed

    @property
    def insights_feed(self) -> InsightsFeed:
        feed: InsightsFeed = self._lazy("insights", "insights", "InsightsFeed")
        return feed

    @property
    def stream_feed(self) -> StreamFeed:
        feed: StreamFeed = self._lazy("stream", "stream", "StreamFeed")
        return feed

    @property
    def alerts_feed(self) -> AlertsFeed:
        feed: AlertsFeed = self._lazy("alerts", "alerts", "AlertsFeed")
        return feed

    def panel_feed(self, panel: Panel) -> PanelFeed:
        """A new feed for one panel shown full-screen (each opening starts from page one)."""
        from app.live.feeds.panel import PanelFeed

        feed = PanelFeed(self, panel)
        self._opened.add(feed)
        return feed

    def journey_feed(self, journey_key: str) -> JourneyFeed:
        """A new feed for one journey's timeline."""
        from app.live.feeds.journeys import JourneyFeed

        feed = JourneyFeed(self, journey_key)
        self._opened.add(feed)
        return feed

    def all_feeds(self) -> list[Any]:
        return [self.sites_feed, self.hits_feed, *self._feeds.values(), *self._opened]

    def _state_changed(self, what: str) -> None:
        # Every visible feed looks again: a new key means new data; a new interval or pause, a
        # new wait.
        for feed in self.all_feeds():
            feed.wake()

    # -- the account -------------------------------------------------------------------------

    def open_cache(self, key: Secret, where: str) -> None:
        """The cache of this key and server (each key has its own) and the snapshots in it.
        Opened before the API: a start paints what was kept before the client exists."""
        path = default_cache_path(cache_namespace(where, key.get_secret_value()))
        if self.cache is not None and self.cache.path == path:
            return
        if self.cache is not None:
            self.cache.close()
            self.cache = None
        if self._cache_enabled:
            self.cache = SqliteCache(
                path, retention_days=self._retention_days, today=lambda: self.now().date()
            )
            # One budget per key on this machine: every copy of the app on it draws from it.
            self.budget = LedgerBudget(self.budget.per_hour, self.cache)
        self.snapshots = Snapshots(self.cache, self.now)
        self.sites_feed.learn_kept_names()

    def connect(self, key: Secret, base_url: str, *, cache_where: str | None = None) -> None:
        """Start using a key: every feed picks the new client up on its next round."""
        # Loaded here, after the first frame: httpx and the models are not needed before.
        from app.api.client import TinylyticsClient

        self.open_cache(key, cache_where or base_url)
        client = TinylyticsClient(
            key.get_secret_value(),
            base_url,
            budget=self.budget,
            share_seconds=SHARE_SECONDS,
            shared=self.cache,
            max_body_bytes=self._max_answer_bytes,
        )
        self.attach(client)

    def attach(self, api: LiveApi) -> None:
        """Use `api` from now on (a TinylyticsClient, or anything with the same calls)."""
        from app.live.hitcounts import HitCounter
        from app.live.overview import SitesOverview
        from app.live.stream import HitStreams
        from app.live.watcher import UptimeWatcher

        old, self.api = self.api, api
        self.account = ""
        warn = self.paging_looks_wrong
        self.counter = HitCounter(api, now=self.now, store=self.cache, warn=warn)
        self.streams = HitStreams(api, store=self.cache, now=self.now, warn=warn)
        self.overview = SitesOverview(api, self.counter, now=self.now)
        kept = self.sites_feed.data
        if kept:
            self.overview.restore(kept)
        self.watcher = UptimeWatcher(api, now=self.now, label=self.sites.get)
        if old is not None:
            self._close_later(old)
        for feed in self.all_feeds():
            feed.wake()

    def _close_later(self, api: LiveApi) -> None:
        task = asyncio.get_running_loop().create_task(api.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        """Close the API and the cache; the UI stops its loops first."""
        api, self.api = self.api, None
        if api is not None:
            await api.aclose()
        for task in list(self._closing):
            await task
        if self.cache is not None:
            self.cache.close()
            self.cache = None

    async def load_account(self) -> None:
        """The account's name for the header: one request, retried slowly until it works."""
        while self.api is not None:
            api = self.api
            try:
                me = await api.me()
            except ApiError:
                await asyncio.sleep(60)
                continue
            if api is self.api:
                self.account = me.user.name or me.user.email or ""
                self._tell(NamesChanged())
            return

    def refresh_now(self) -> None:
        """`r`: the next questions go to the server, not to answers shared a moment ago."""
        if self.api is not None:
            self.api.forget_recent()

    # -- budget --------------------------------------------------------------------------------

    def api_use(self) -> str:
        used = f"API {self.budget.used_last_hour()}/h"
        factor = stretch(self.budget)
        return f"{used} · slowed ×{factor:.0f}" if factor >= 1.5 else used

    def paced(self, seconds: float) -> float:
        """An interval, stretched while the app's share of the API budget runs low."""
        return seconds * stretch(self.budget)

    def budget_spent(self, wait: float) -> None:
        per_hour = self.budget.per_hour
        self._tell(
            Notice(
                f"This key's API budget ({per_hour} requests an hour) is spent; the next update "
                f"is in {compact(wait, parts=1)}. requests_per_hour in the config file sets it.",
                timeout=6,
            )
        )

    # -- what the UI hears ---------------------------------------------------------------------

    def listen(self, listener: Callable[[Event], None]) -> None:
        self._listeners.append(listener)

    def _tell(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)

    def alert(self, alert: Alert) -> None:
        self._tell(AlertRaised(alert))

    def paging_looks_wrong(self, line: str) -> None:
        """A server's paging that contradicts itself: said once a session, whatever the feed."""
        if not self._paging_told:
            self._paging_told = True
            self._tell(Notice(line, "warning", 8.0))

    def key_rejected(self, message: str) -> None:
        self._tell(KeyRejected(message))

    def report_bug(self, error: BaseException) -> None:
        """An unexpected exception: the traceback goes to the log file, one line to the user."""
        log.error("unexpected error", exc_info=error)
        summary = one_line_of(error)
        if summary not in self._bugs_told:
            self._bugs_told.add(summary)
            where = f" Details in {log_path()}." if log_path() else ""
            self._tell(Notice(f"Internal error: {summary}.{where}", "error", 8.0))

    def connection_changed(self, *, ok: bool, error: ApiError | None = None) -> None:
        """One notice when the API is lost and one when it is back, not one per failure."""
        if ok and not self._online:
            self._online = True
            self._tell(Notice("Connection to the API is back.", timeout=4))
        elif not ok and self._online and isinstance(error, NetworkError):
            self._online = False
            self._tell(Notice(f"Lost the API: {error.message}", "warning", 8.0))


def one_line_of(error: BaseException) -> str:
    from app.api.errors import one_line

    return one_line(f"{type(error).__name__}: {error}")


async def check_key(key: Secret, base_url: str, budget: RequestBudget) -> MeResponse:
    """Ask the API who a key belongs to (the first-run screen's check); raises ApiError."""
    from app.api.client import TinylyticsClient

    async with TinylyticsClient(key.get_secret_value(), base_url, budget=budget) as client:
        return await client.me()
