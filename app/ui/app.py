"""The Textual application: sections, shared state, the client, and the process's manners."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import BindingType
from textual.screen import Screen

from app.api import ApiError, NetworkError, RequestBudget
from app.config import ConfigError, Settings, save_settings
from app.live.cache import SqliteCache, cache_namespace, default_cache_path
from app.live.hitcounts import HitCounter, HitFilters
from app.live.overview import SiteRow, SitesOverview
from app.live.pacing import stretch
from app.live.ranges import RangeKind
from app.live.snapshots import Snapshots
from app.live.stream import HitStreams
from app.live.watcher import UptimeWatcher
from app.logs import log_path
from app.secret import Secret
from app.ui import keys
from app.ui.commands import TinyCommands
from app.ui.resources import stylesheet_path
from app.ui.screens.base import LiveScreen
from app.ui.screens.first_run import FirstRunScreen
from app.ui.screens.help import HelpScreen
from app.ui.screens.hits import HitsScreen
from app.ui.screens.sites import SitesScreen
from app.ui.text import clean

if TYPE_CHECKING:
    from app.api import TinylyticsClient

log = logging.getLogger(__name__)

# Screens and the alert watcher asking the same question within this many seconds share one
# answer; `r` always asks the server again.
SHARE_SECONDS = 5.0

REFRESH_STEPS = (5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
# Sections that show one site: they need a site picked first.
SITE_SECTIONS = ("hits", "leaderboard", "journeys", "uptime", "insights")


class TinylyticsApp(App[int]):
    CSS_PATH = str(stylesheet_path())
    TITLE = "tinylytics"
    # Sections 3 to 6 are imported when first opened: a start paints sooner without them.
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "sites": SitesScreen,
        "hits": HitsScreen,
        "leaderboard": lambda: _section("leaderboard", "LeaderboardScreen"),
        "journeys": lambda: _section("journeys", "JourneysScreen"),
        "uptime": lambda: _section("uptime", "UptimeScreen"),
        "insights": lambda: _section("insights", "InsightsScreen"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *keys.SECTIONS.bindings,
        *keys.LIVE.bindings,
        *keys.APP.bindings,
    ]
    COMMANDS = App.COMMANDS | {TinyCommands}
    # Screen classes the stylesheet uses to fit 80x24.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    def __init__(
        self,
        settings: Settings,
        *,
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] | None = None,
        persist: bool = True,
        on_demo: Callable[[], tuple[str, str]] | None = None,
        watch_uptime: bool = True,
    ) -> None:
        super().__init__()
        # No animations unless asked for (TEXTUAL_ANIMATIONS): over SSH they cost bytes and CPU.
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"
        self.settings = settings
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.monotonic: Callable[[], float] = monotonic or time.monotonic
        self._persist = persist
        self._on_demo = on_demo
        self.budget = RequestBudget(per_hour=settings.requests_per_hour)
        self.client: TinylyticsClient | None = None
        self.counter: HitCounter | None = None
        self.overview: SitesOverview | None = None
        self.account = ""
        self.site_id: int | None = settings.site
        self._site_labels: dict[int, str] = {}
        self.range_kind = RangeKind.WEEK
        self.filters: list[tuple[str, str]] = []
        self.paused = False
        self.refresh_interval = settings.refresh
        self.chart_marker = "braille"
        self._online = True
        self._bugs_told: set[str] = set()
        self._watch_uptime = watch_uptime
        self.watcher: UptimeWatcher | None = None
        self.cache: SqliteCache | None = None
        self.hit_streams: HitStreams | None = None
        self.snapshots = Snapshots(None, self.now)
        self._watcher_wake = asyncio.Event()
        self._exit_callbacks: list[Callable[[], None]] = []
        if settings.keymap:
            self.set_keymap(settings.keymap)

    # -- start and stop ----------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self._install_process_guards()
        self.switch_mode("hits" if self.site_id is not None else "sites")
        if self.settings.demo:
            # --demo: the demo's kept data paints first; its server (aiohttp alone takes about
            # 0.5 s to import) starts after the first frame.
            from app.demo import DEMO_KEY

            self._open_cache(Secret(DEMO_KEY), "demo")
            self.call_after_refresh(self.start_demo)
        elif self.settings.api_key is None:
            self.push_screen(FirstRunScreen(None))
        else:
            # The cache first, so that the first frame shows the last data; the HTTP client
            # (TLS certificates, connection pools) is built once that frame is out.
            self._open_cache(self.settings.api_key, self.settings.base_url)
            self.call_after_refresh(self.connect, self.settings.api_key, self.settings.base_url)

    async def on_unmount(self) -> None:
        # Stop the loops before closing what they use: a request sent to a closed client is a
        # RuntimeError, which would be reported as a bug on the way out.
        self.workers.cancel_all()
        if self.client is not None:
            await self.client.aclose()
        if self.cache is not None:
            self.cache.close()

    def connect(self, key: Secret, base_url: str) -> None:
        """Start using a key: every screen's loop picks the new client up on its next wake."""
        # Loaded here, after the first frame: httpx and the models are not needed before.
        from app.api.client import TinylyticsClient

        old = self.client
        self.client = TinylyticsClient(
            key.get_secret_value(), base_url, budget=self.budget, share_seconds=SHARE_SECONDS
        )
        self._open_cache(key, base_url)
        self.counter = HitCounter(self.client, now=self.now, store=self.cache)
        self.hit_streams = HitStreams(self.client, store=self.cache, now=self.now)
        self.overview = SitesOverview(self.client, self.counter, now=self.now)
        self.settings = replace(self.settings, api_key=key, base_url=base_url)
        self.watcher = UptimeWatcher(self.client, now=self.now, label=self._site_labels.get)
        if old is not None:
            self._close_later(old)
        self._load_account()
        if self._watch_uptime:
            self._watch()
        self._ask_screen()

    @work(group="close", exit_on_error=False)
    async def _close_later(self, client: TinylyticsClient) -> None:
        await client.aclose()

    @work(exclusive=True, group="account", exit_on_error=False)
    async def _load_account(self) -> None:
        """The header's account name: one request, retried slowly until it works."""
        while self.client is not None:
            try:
                me = await self.client.me()
            except ApiError:
                await asyncio.sleep(60)
                continue
            self.account = me.user.name or me.user.email or ""
            self.update_header()
            return

    def _open_cache(self, key: Secret, base_url: str) -> None:
        """The cache of this key and server (each key has its own), and the snapshots in it."""
        # The demo's port changes every run; its data does not.
        where = "demo" if self.settings.demo else base_url
        path = default_cache_path(cache_namespace(where, key.get_secret_value()))
        if self.cache is not None and self.cache.path == path:
            return
        if self.cache is not None:
            self.cache.close()
            self.cache = None
        if self.settings.cache:
            self.cache = SqliteCache(
                path,
                retention_days=self.settings.cache_retention_days,
                today=lambda: self.now().date(),
            )
        self.snapshots = Snapshots(self.cache, self.now)
        # Site names from the last Sites table: the header names the site even when offline.
        kept = self.snapshots.load(SitesScreen.SNAPSHOT_KEY, SitesScreen.SNAPSHOT)
        for row in kept[0] if kept else ():
            self._site_labels.setdefault(row.id, _label(row.id, row.label, row.url))
        self.update_header()

    @work(exclusive=True, group="watcher", exit_on_error=False)
    async def _watch(self) -> None:
        """The low-rate uptime watcher behind the alerts: runs whatever screen is shown."""
        watcher = self.watcher
        while watcher is not None and watcher is self.watcher:
            delay = 60.0
            self._watcher_wake.clear()  # before the pass: a wake during it is not lost
            if not self.paused:
                try:
                    delay = await self._watch_once(watcher)
                except Exception as error:
                    self.report_bug(error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._watcher_wake.wait(), min(3600.0, max(1.0, delay)))

    async def _watch_once(self, watcher: UptimeWatcher) -> float:
        # The Sites table's list when it has one; else the list asked for once, on the first pass.
        ids = [row.id for row in self.overview_rows()] or watcher.site_ids
        if not ids and self.client is not None:
            try:
                sites = (await self.client.sites()).sites
            except ApiError:
                return 60.0
            for site in sites:
                self._site_labels.setdefault(site.id, _label(site.id, site.label, site.url))
            ids = [site.id for site in sites]
        watcher.set_sites(ids)
        for alert in await watcher.run_once():
            self.notify(alert.message, severity=alert.severity, timeout=10, markup=False)
            if self.settings.bell:
                self.bell()
        if self.overview is not None:
            for site_id, state in watcher.states.items():
                self.overview.set_uptime(site_id, state.summary)
        if isinstance(self.screen, SitesScreen):
            self.screen.redraw()
        return watcher.seconds_until_due()

    def start_demo(self) -> None:
        """Start the demo server and use it: `--demo` (after the first frame), or the first-run
        screen's "Try the demo" button."""
        if self._on_demo is None:
            from app.demo import DEMO_KEY, DemoServer

            server = DemoServer()
            server.start()
            self.call_on_exit(server.stop)
            base_url, key = server.base_url, DEMO_KEY
        else:
            base_url, key = self._on_demo()
        self.settings = replace(self.settings, demo=True)
        self.connect(Secret(key), base_url)

    def call_on_exit(self, callback: Callable[[], None]) -> None:
        self._exit_callbacks.append(callback)

    def _install_process_guards(self) -> None:
        if self.is_headless:
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._leave_now)
        # A terminal that went away leaves Textual's input thread spinning: leave instead.
        self.set_interval(2.0, self._exit_if_terminal_gone)

    def _leave_now(self) -> None:
        """Exit; and if the exit cannot finish (its terminal is gone), end the process anyway,
        rather than leave an orphan spinning on a dead terminal."""
        self.exit(1)
        deadline = threading.Timer(5.0, os._exit, args=(1,))
        deadline.daemon = True
        deadline.start()

    def _exit_if_terminal_gone(self) -> None:
        if not terminal_alive():
            self._leave_now()

    def run_and_report(self) -> int:
        try:
            self.run()
        finally:
            for callback in self._exit_callbacks:
                callback()
        return self.return_code or 0

    # -- shared state ------------------------------------------------------------------------

    @property
    def site_label(self) -> str | None:
        if self.site_id is None:
            return None
        return self._site_labels.get(self.site_id, f"site {self.site_id}")

    @property
    def hit_filters(self) -> HitFilters:
        return HitFilters(**dict(self.filters))

    def overview_rows(self) -> list[SiteRow]:
        rows = self.overview.rows if self.overview else []
        for row in rows:
            self._site_labels[row.id] = _label(row.id, row.label, row.url)
        if self.site_id is None and rows:
            self.site_id = rows[0].id
        return rows

    def remember_site(self, site_id: int, label: str) -> None:
        self._site_labels[site_id] = label

    def knows_site(self, site_id: int) -> bool:
        return site_id in self._site_labels

    def api_use(self) -> str:
        used = f"API {self.budget.used_last_hour()}/h"
        factor = stretch(self.budget)
        return f"{used} · slowed ×{factor:.0f}" if factor >= 1.5 else used

    def paced(self, seconds: float) -> float:
        """An interval, stretched while the app's share of the API budget runs low."""
        return seconds * stretch(self.budget)

    def _wake_screen(self) -> None:
        screen = self.screen
        if isinstance(screen, LiveScreen):
            screen.wake()

    def _ask_screen(self) -> None:
        """The user asked for new data: fetched even while paused."""
        screen = self.screen
        if isinstance(screen, LiveScreen):
            screen.ask()

    def open_site(self, site_id: int) -> None:
        if site_id != self.site_id:
            self.filters.clear()
        self.site_id = site_id
        self.update_header()
        self.switch_mode("hits")
        self._ask_screen()

    def open_hits_filtered(self, field: str, value: str) -> None:
        """The hits dashboard of the current site narrowed to one value (leaderboard, journeys)."""
        self.filters = [(field, value)]
        self.switch_mode("hits")
        self._ask_screen()

    def set_range(self, kind: RangeKind) -> None:
        self.range_kind = kind
        self._ask_screen()

    def add_filter(self, field: str, value: str) -> None:
        self.filters = [(f, v) for f, v in self.filters if f != field] + [(field, value)]
        self.notify(f"filtered by {field} = {clean(value)}", timeout=3, markup=False)
        self._ask_screen()

    def remove_last_filter(self) -> None:
        if self.filters:
            self.filters.pop()
            self._ask_screen()

    def update_header(self) -> None:
        self.title = f"tinylytics · {clean(self.account)}" if self.account else "tinylytics"
        self.sub_title = clean(self.site_label or "")

    def key_rejected(self, reason: str) -> None:
        if not isinstance(self.screen, FirstRunScreen):
            self.push_screen(FirstRunScreen(reason))

    def report_bug(self, error: BaseException) -> None:
        """An unexpected exception: the traceback goes to the log file, one line to the user."""
        log.error("unexpected error", exc_info=error)
        summary = clean(f"{type(error).__name__}: {error}")[:160]
        if summary not in self._bugs_told:
            self._bugs_told.add(summary)
            where = f" Details in {log_path()}." if log_path() else ""
            self.notify(f"Internal error: {summary}.{where}", severity="error", markup=False)

    def connection_changed(self, *, ok: bool, error: ApiError | None = None) -> None:
        """One notification when the API is lost and one when it is back, not one per failure."""
        if ok and not self._online:
            self._online = True
            self.notify("Connection to the API is back.", timeout=4)
        elif not ok and self._online and isinstance(error, NetworkError):
            self._online = False
            self.notify(f"Lost the API: {error.message}", severity="warning", markup=False)

    # -- actions -----------------------------------------------------------------------------

    def action_section(self, name: str) -> None:
        if name in SITE_SECTIONS and self.site_id is None:
            self.notify("Pick a site first (enter on the Sites table).", timeout=3)
            return
        self.switch_mode(name)

    def action_refresh(self) -> None:
        if self.client is not None:
            self.client.forget_recent()
        self._ask_screen()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self._wake_screen()
            self._watcher_wake.set()

    def set_refresh_interval(self, seconds: float) -> None:
        self.refresh_interval = seconds
        message = f"Refreshing every {_duration(seconds)}."
        paced_by = getattr(self.screen, "PACED_BY", None)
        if paced_by:
            message += f" This screen follows {paced_by}."
        self.notify(message, timeout=3)
        self._wake_screen()

    def action_faster(self) -> None:
        shorter = [s for s in REFRESH_STEPS if s < self.refresh_interval]
        self.set_refresh_interval(shorter[-1] if shorter else REFRESH_STEPS[0])

    def action_slower(self) -> None:
        longer = [s for s in REFRESH_STEPS if s > self.refresh_interval]
        self.set_refresh_interval(longer[0] if longer else REFRESH_STEPS[-1])

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def watch_theme(self, theme: str) -> None:
        if self._persist and theme != self.settings.theme:
            self.save({"theme": theme})

    def save(self, updates: dict[str, object]) -> bool:
        try:
            save_settings(self.settings.config_path, updates)
        except ConfigError as error:
            self.notify(error.message, severity="error", markup=False)
            return False
        return True


def _section(module: str, name: str) -> Screen[Any]:
    screen_class = getattr(importlib.import_module(f"app.ui.screens.{module}"), name)
    screen: Screen[Any] = screen_class()
    return screen


def _label(site_id: int, label: str | None, url: str | None) -> str:
    return label or url or f"site {site_id}"


def terminal_alive() -> bool:
    """Whether stdin and stdout are still a usable terminal (not hung up or closed)."""
    try:
        stdin, stdout = sys.__stdin__, sys.__stdout__
        if stdin is None or stdout is None:
            return False
        if not (os.isatty(stdin.fileno()) and os.isatty(stdout.fileno())):
            return False
        os.get_terminal_size(stdout.fileno())
    except (OSError, ValueError):
        return False
    return True


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g}s"
    if seconds < 3600:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"
