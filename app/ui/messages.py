"""Intents screens send to the app, which owns navigation."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from app.secret import Secret


@dataclass
class Navigate(Message):
    """Show a section: "sites", "hits", "leaderboard", "journeys", "uptime" or "insights"."""

    section: str


@dataclass
class UseKey(Message):
    """Connect with this key (the first-run screen checked it)."""

    key: Secret


class StartDemo(Message):
    """Start the demo server and use it (the first-run screen's button)."""
