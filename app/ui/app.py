"""The Textual application: start, stop, routing between sections, and the process's manners.

Everything that keeps data fresh lives in the session (app.live.session); what the user is
looking at lives in its view state. Screens get the session in their constructor, render what
their feed reports and send intents; navigation comes here as a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App
from textual.binding import BindingType
from textual.screen import Screen

from app import localtime
from app.config import ConfigError, Settings, save_settings
from app.durations import words
from app.live.accounts import Accounts
from app.live.connecting import DEMO_CACHE, cache_where
from app.live.session import AlertRaised, Event, KeyRejected, NamesChanged, Notice, Session
from app.secret import Secret
from app.ui import keys
from app.ui.commands import TinyCommands
from app.ui.messages import Navigate, StartDemo, UseKey
from app.ui.modes import mode_of, prefix_of, section_of
from app.ui.resources import stylesheet_path
from app.ui.screens.base import LiveScreen
from app.ui.screens.first_run import FirstRunScreen
from app.ui.screens.help import HelpScreen
from app.ui.screens.hits import HitsScreen
from app.ui.screens.sites import SitesScreen
from app.ui.screenshot import (
    failure_text,
    reserve_screenshot,
    screenshot_directory,
    screenshot_stem,
)
from app.ui.text import clean

# Sections that show one site: they need a site picked first.
SITE_SECTIONS = ("hits", "leaderboard", "journeys", "uptime", "insights")
# Sections 3 to 6 are imported when first opened: a start paints sooner without them.
LATE_SECTIONS = {
    "leaderboard": ("leaderboard", "LeaderboardScreen"),
    "journeys": ("journeys", "JourneysScreen"),
    "uptime": ("uptime", "UptimeScreen"),
    "insights": ("insights", "InsightsScreen"),
}


class TinylyticsApp(App[int]):
    CSS_PATH = str(stylesheet_path())
    TITLE = "tinylytics"
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
        # Every time shown is in this zone (checked with the settings: an unknown name never
        # gets here).
        localtime.use(settings.timezone)
        # One session per account, made when first used; `session` and `state` are the shown
        # account's.
        self.accounts = Accounts(settings, now=now, monotonic=monotonic or time.monotonic)
        self.session = self.accounts.session()
        self.state = self.session.state
        self._persist = persist
        self._on_demo = on_demo
        self._watch_uptime = watch_uptime
        self._exit_callbacks: list[Callable[[], None]] = []
        # Each account's modes begin with its prefix (app/ui/modes.py); the mode each account
        # was left on is where switching back to it returns.
        self._prefixes: dict[str, str] = {}
        self._left_on: dict[str, str] = {}
        self._add_account(settings.account, self.session)
        if settings.keymap:
            self.set_keymap(settings.keymap)
        if settings.range:
            self._start_range(settings.range)

    # -- start and stop ----------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self._install_process_guards()
        # After `fg` the terminal comes back blank: only what changes later would be drawn.
        self.app_resume_signal.subscribe(self, lambda _: self.action_redraw())
        if self.settings.demo:
            # --demo: the demo's kept data paints first; its server (aiohttp alone takes about
            # 0.5 s to import) starts after the first frame.
            from app.demo import DEMO_KEY

            self.session.open_cache(Secret(DEMO_KEY), DEMO_CACHE)
        elif self.settings.api_key is not None:
            # The cache first, so that the first frame shows the last data; the HTTP client
            # (TLS certificates, connection pools) is built once that frame is out.
            self.session.open_cache(self.settings.api_key, self.settings.base_url)
        self.switch_mode(self._mode("hits" if self.state.site_id is not None else "sites"))
        self.update_header()
        if self.settings.demo:
            self.call_after_refresh(self.start_demo)
        elif self.settings.api_key is None:
            self.push_screen(FirstRunScreen(None, self.settings, self.session.budget))
        else:
            self.call_after_refresh(self.connect, self.settings.api_key, self.settings.base_url)

    async def on_unmount(self) -> None:
        # Stop the loops before closing what they use: a request sent to a closed client is a
        # RuntimeError, which would be reported as a bug on the way out.
        self.workers.cancel_all()
        await self.accounts.close()

    def connect(self, key: Secret, base_url: str) -> None:
        """Start using a key: every feed picks the new client up on its next round."""
        self.session.connect(key, base_url, cache_where=cache_where(self.settings, base_url))
        self.settings = replace(self.settings, api_key=key, base_url=base_url)
        self.update_header()
        self._load_account(self.session)
        if self._watch_uptime:
            self._watch(self.session)

    @work(exclusive=True, group="account", exit_on_error=False)
    async def _load_account(self, session: Session) -> None:
        await session.load_account()

    @work(exclusive=True, group="watcher", exit_on_error=False)
    async def _watch(self, session: Session) -> None:
        """The low-rate uptime watcher behind the alerts: runs whatever screen is shown (of the
        shown account: another account's stops when it is switched away from)."""
        async for _ in session.alerts_feed.watch():
            pass  # its alerts arrive as session events

    # -- accounts ------------------------------------------------------------------------------

    def _add_account(self, name: str, session: Session) -> None:
        """The account's sections, as modes of its own, and what its session says."""
        prefix = prefix_of(name) if self._prefixes else ""
        self._prefixes[name] = prefix
        session.listen(partial(self._heard_from, session))
        session.state.listen(self._state_changed)
        self.add_mode(mode_of(prefix, "sites"), lambda: SitesScreen(session))
        self.add_mode(mode_of(prefix, "hits"), lambda: HitsScreen(session))
        for section, (module, name) in LATE_SECTIONS.items():
            self.add_mode(mode_of(prefix, section), _late(session, module, name))

    def _mode(self, section: str) -> str:
        """The shown account's mode for a section."""
        return mode_of(self._prefixes[self.accounts.current], section)

    def action_switch_account(self, name: str) -> None:
        """The palette's "Switch account: NAME": that account's screens as they were left (its
        Sites the first time). The other account's feeds idle with their hidden screens, and
        resume when it is shown again."""
        left = self.accounts.current
        if name == left:
            return
        try:
            session = self.accounts.switch(name)
        except ConfigError as error:  # its key file: missing, unprotected...
            self.notify(error.message, severity="error", markup=False)
            return
        self._left_on[left] = self.current_mode
        if name not in self._prefixes:
            self._add_account(name, session)
        self.session, self.state = session, session.state
        key, base_url = self.accounts.key(name), self.accounts.base_url(name)
        self.settings = replace(
            self.settings, account=name, api_key=key, base_url=base_url, demo=False
        )
        if session.api is None and key is not None:
            self.connect(key, base_url)  # its cache first: its screens paint what was kept
        elif session.api is not None:
            if not session.account:
                self._load_account(session)
            if self._watch_uptime:
                self._watch(session)
        self.switch_mode(self._left_on.get(name) or self._mode("sites"))
        self.update_header()
        if key is None and not isinstance(self.screen, FirstRunScreen):
            self.push_screen(FirstRunScreen(None, self.settings, session.budget))

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

    def run_and_report(self) -> int:
        try:
            self.run()
        finally:
            for callback in self._exit_callbacks:
                callback()
        return self.return_code or 0

    # -- process guards ----------------------------------------------------------------------

    def _install_process_guards(self) -> None:
        if self.is_headless:
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._leave_now)
        # A terminal that went away leaves Textual's input thread spinning: leave instead. A
        # browser tab (`serve`) has no terminal: its server is what must still be there.
        self._server_pid = os.getppid()
        gone = self._exit_if_server_gone if self.is_web else self._exit_if_terminal_gone
        self.set_interval(2.0, gone)

    def _leave_now(self) -> None:
        """Exit; and if the exit cannot finish (its terminal is gone), end the process anyway,
        rather than leave an orphan spinning on a dead terminal."""
        self.exit(1)
        deadline = threading.Timer(5.0, os._exit, args=(1,))
        deadline.daemon = True
        deadline.start()

    def _exit_if_server_gone(self) -> None:
        if os.getppid() != self._server_pid:
            self._leave_now()

    def _exit_if_terminal_gone(self) -> None:
        if not terminal_alive():
            self._leave_now()

    # -- what the session says -----------------------------------------------------------------

    def _heard_from(self, session: Session, event: Event) -> None:
        # A hidden account's late news (a request that was in flight) is not the shown one's.
        if session is self.session:
            self._heard(event)

    def _heard(self, event: Event) -> None:
        if isinstance(event, Notice):
            self.notify(
                event.text, severity=_severity(event.severity), timeout=event.timeout, markup=False
            )
        elif isinstance(event, AlertRaised):
            alert = event.alert
            # A browser tab (`serve`) plays no bell: there it is the notification, titled and
            # left up longer.
            in_page = self.settings.bell and self.is_web
            self.notify(
                alert.message,
                title="🔔 Alert" if in_page else "",
                severity=alert.severity,
                timeout=30 if in_page else 10,
                markup=False,
            )
            if self.settings.bell and not in_page:
                self.bell()
        elif isinstance(event, KeyRejected):
            if not isinstance(self.screen, FirstRunScreen):
                self.push_screen(FirstRunScreen(event.message, self.settings, self.session.budget))
        elif isinstance(event, NamesChanged):
            self.update_header()

    def _state_changed(self, what: str) -> None:
        if what == "site":
            self.update_header()

    def update_header(self) -> None:
        account = self.session.account
        self.title = f"tinylytics · {clean(account)}" if account else "tinylytics"
        site_id = self.state.site_id
        # The Sites section shows every site: naming one there would say it is about that one.
        on_sites = section_of(self.current_mode) == "sites"
        self.sub_title = (
            "" if site_id is None or on_sites else clean(self.session.sites.label(site_id))
        )

    # -- routing -------------------------------------------------------------------------------

    @on(Navigate)
    def _navigate(self, message: Navigate) -> None:
        # "Show the dashboard (filtered by this path)": a screen left pushed over the section
        # (live hits, a full panel, one journey) would hide what was asked for.
        if self.show_section(message.section):
            self._pop_to_section()

    def _pop_to_section(self) -> None:
        # Only the section's own screens: the connect dialog or the help stay where they are.
        while len(self.screen_stack) > 1 and isinstance(self.screen, LiveScreen):
            self.pop_screen()

    @on(UseKey)
    def _use_key(self, message: UseKey) -> None:
        self.connect(message.key, self.settings.base_url)

    @on(StartDemo)
    def _start_demo(self) -> None:
        self.start_demo()

    # -- actions -----------------------------------------------------------------------------

    def action_section(self, name: str) -> None:
        self.show_section(name)

    def show_section(self, name: str) -> bool:
        """Show a section; False when it needs a site and none is picked."""
        if name in SITE_SECTIONS and self.state.site_id is None:
            self.notify("Pick a site first (enter on the Sites table).", timeout=3)
            return False
        self.switch_mode(self._mode(name))
        self.update_header()
        return True

    def action_suspend_process(self) -> None:
        if self.is_web:
            self.notify("A browser tab cannot be suspended: close it, or press q.", timeout=4)
            return
        super().action_suspend_process()

    def action_redraw(self) -> None:
        """Send every cell again: the terminal's picture may have been wiped or written over."""
        self.refresh(repaint=True, layout=True)

    def action_refresh(self) -> None:
        self.session.refresh_now()
        # The user asked for new data: fetched even while paused.
        if isinstance(self.screen, LiveScreen):
            self.screen.ask()

    def action_toggle_pause(self) -> None:
        self.state.toggle_pause()

    def action_set_interval(self, seconds: float) -> None:
        self.state.set_interval(seconds)
        self._tell_interval()

    def action_faster(self) -> None:
        self.state.faster()
        self._tell_interval()

    def action_slower(self) -> None:
        self.state.slower()
        self._tell_interval()

    def _tell_interval(self) -> None:
        message = f"Refreshing every {words(self.state.refresh_interval, parts=1)}."
        screen = self.screen
        paced_by = screen.feed.PACED_BY if isinstance(screen, LiveScreen) else None
        if paced_by:
            message += f" This screen follows {paced_by}."
        self.notify(message, timeout=3)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.settings.keymap))

    def _start_range(self, text: str) -> None:
        """`--range`: the range the first screen shows (checked by the command line; a day that
        is past today by now is said, and the last 7 days shown)."""
        from app.live.range_arg import parse_range

        try:
            chosen = parse_range(text, self.session.now().astimezone(UTC).date())
        except ValueError as error:
            self.notify(f"--range {error}", severity="error", markup=False)
            return
        self.state.choose_range(chosen)

    def action_marker(self, marker: str) -> None:
        self.state.set_marker(marker)
        self.action_refresh()

    # -- screenshots (the palette's Screenshot command) ---------------------------------------

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        if self.is_web:
            # In a browser tab (`serve`) the picture goes to the browser: nothing is written on
            # the server's disk, so no file is reserved there either.
            name = filename or f"{screenshot_stem(self.session.now())}.svg"
            return super().deliver_screenshot(name)
        directory = Path(path).expanduser() if path else screenshot_directory()
        if filename:
            return super().deliver_screenshot(filename, str(directory), time_format)
        try:
            target = reserve_screenshot(directory, self.session.now())
        except OSError as error:
            self.notify(failure_text(error, directory), severity="error", markup=False)
            return None
        return super().deliver_screenshot(target.name, str(directory))

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        if event.name == "screenshot":
            # Instead of Textual's own words, which read the path as markup.
            event.prevent_default()
            if self.is_web:
                # textual-serve opens it in a new tab (which a pop-up blocker may hold back).
                self.notify("Screenshot sent to the browser", timeout=8)
                return
            where = f" to {event.path}" if event.path is not None else ""
            self.notify(f"Screenshot saved{where}", timeout=8, markup=False)

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == "screenshot":
            # Textual's own says only "Failed to save screenshot".
            event.prevent_default()
            self.notify(failure_text(event.exception), severity="error", markup=False)

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


def _late(session: Session, module: str, name: str) -> Callable[[], Screen[Any]]:
    def build() -> Screen[Any]:
        screen_class = getattr(importlib.import_module(f"app.ui.screens.{module}"), name)
        screen: Screen[Any] = screen_class(session)
        return screen

    return build


def _severity(name: str) -> Any:
    return name if name in ("information", "warning", "error") else "information"


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
