"""The Textual application (a first shell: account, site list, status line)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from app.api import ApiError, RequestBudget, SitesResponse, TinylyticsClient
from app.config import Settings
from app.ui.resources import stylesheet_path
from app.ui.text import literal


class TinylyticsApp(App[int]):
    CSS_PATH = str(stylesheet_path())
    TITLE = "tinylytics"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("r", "refresh", "Refresh", id="refresh"),
    ]

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self._budget = RequestBudget(per_hour=settings.requests_per_hour)
        self._wake = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sites", cursor_type="row")
        yield Static("connecting…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        table = self.query_one("#sites", DataTable)
        table.add_column("Site", key="label")
        table.add_column("URL", key="url")
        table.add_column("Lifetime hits", key="hits")
        self._install_process_guards()
        self.poll()

    def _install_process_guards(self) -> None:
        if self.is_headless:
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.exit)
        # A terminal that went away leaves Textual's input thread spinning: leave instead.
        self.set_interval(2.0, self._exit_if_terminal_gone)

    def _exit_if_terminal_gone(self) -> None:
        try:
            alive = os.isatty(sys.__stdin__.fileno()) if sys.__stdin__ else False
        except (OSError, ValueError):
            alive = False
        if not alive:
            self.exit(1)

    def action_refresh(self) -> None:
        self._wake.set()

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll(self) -> None:
        assert self.settings.api_key is not None
        status = self.query_one("#status", Static)
        async with TinylyticsClient(
            self.settings.api_key.get_secret_value(),
            self.settings.base_url,
            budget=self._budget,
        ) as client:
            while True:
                try:
                    me = await client.me()
                    sites = await client.sites()
                except ApiError as exc:
                    status.update(Text(f"{exc.message} · API {self._budget.used_last_hour()}/h"))
                    status.add_class("-stale")
                else:
                    self.sub_title = me.user.name or me.user.email or ""
                    self._show_sites(sites)
                    status.update(
                        Text(
                            f"{len(sites.sites)} sites · updated · "
                            f"API {self._budget.used_last_hour()}/h"
                        )
                    )
                    status.remove_class("-stale")
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.refresh)

    def _show_sites(self, sites: SitesResponse) -> None:
        table = self.query_one("#sites", DataTable)
        with self.batch_update():
            for site in sites.sites:
                key = str(site.id)
                cells = (literal(site.label), literal(site.url), f"{site.lifetime_hits:,}")
                if key in table.rows:
                    for column, value in zip(("label", "url", "hits"), cells, strict=True):
                        table.update_cell(key, column, value)
                else:
                    table.add_row(*cells, key=key)

    def run_and_report(self) -> int:
        self.run()
        return self.return_code or 0
