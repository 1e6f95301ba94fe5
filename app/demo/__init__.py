"""The embedded demo: a synthetic, living Tinylytics account served over loopback HTTP.

Written from the API contract; imports nothing from app.api, so that a mistake in the client's
models is not mirrored by the server that tests them.
"""

from app.demo.clock import Clock
from app.demo.server import (
    BASIC_KEY,
    DEMO_KEY,
    UNSUBSCRIBED_KEY,
    DemoApi,
    DemoServer,
    RequestStats,
    run_forever,
    serve,
)
from app.demo.settings import DemoSettings
from app.demo.world import World

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
