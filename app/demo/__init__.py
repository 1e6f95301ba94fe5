"""The embedded demo: a synthetic, living Tinylytics account served over loopback HTTP.

Written from the API contract; imports nothing from app.api, so that a mistake in the client's
models is not mirrored by the server that tests them.
"""

from typing import TYPE_CHECKING

from app.lazy import lazy_attributes

# Loaded on first use: the app reads DEMO_KEY before its first frame, and the server (aiohttp
# alone takes about 0.5 s to import) starts after it.
if TYPE_CHECKING:
    from app.demo.clock import Clock
    from app.demo.keys import BASIC_KEY, DEMO_KEY, UNSUBSCRIBED_KEY
    from app.demo.server import DemoApi, DemoServer, RequestStats, run_forever, serve
    from app.demo.settings import DemoSettings
    from app.demo.world import World

# Hidden from type checkers, which would otherwise accept any name imported from here.
if not TYPE_CHECKING:
    __getattr__ = lazy_attributes(
        __name__,
        {
            "Clock": "clock",
            "BASIC_KEY": "keys",
            "DEMO_KEY": "keys",
            "UNSUBSCRIBED_KEY": "keys",
            "DemoApi": "server",
            "DemoServer": "server",
            "RequestStats": "server",
            "run_forever": "server",
            "serve": "server",
            "DemoSettings": "settings",
            "World": "world",
        },
    )

__all__ = [
    "BASIC_KEY",
    "DEMO_KEY",
    "UNSUBSCRIBED_KEY",
    "Clock",
    "DemoApi",
    "DemoServer",
    "DemoSettings",
    "RequestStats",
    "World",
    "run_forever",
    "serve",
]
