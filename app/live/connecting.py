"""Which cache a connection's answers are kept in: one rule for the app and the report command,
so that either finds what the other kept (the cache file is named after the server and key)."""

from __future__ import annotations

from app.config import Settings

# The demo's server: its port changes every run; its data does not.
DEMO_CACHE = "demo"


def cache_where(settings: Settings, base_url: str) -> str:
    """The server a cache file is named after: the demo, or the base URL."""
    return DEMO_CACHE if settings.demo else base_url
