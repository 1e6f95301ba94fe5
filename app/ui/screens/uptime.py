"""Section: Uptime of the current site (placeholder until its screen is built)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from app.ui.screens.base import LiveScreen


class UptimeScreen(LiveScreen[None]):
    def compose_body(self) -> ComposeResult:
        yield Static(Text("Uptime: being built."), id="placeholder")

    def ready(self) -> bool:
        return super().ready() and self.tiny.site_id is not None

    async def fetch(self) -> None:
        return None

    def show(self, data: None) -> None:
        pass
