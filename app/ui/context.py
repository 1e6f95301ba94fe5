"""The one typed way for UI code that is not handed the session to find it (the palette)."""

from __future__ import annotations

from app.live.accounts import Accounts
from app.live.session import Session


def session_of(app: object) -> Session:
    """The session of the running app; screens get theirs through their constructor."""
    session = getattr(app, "session", None)
    if not isinstance(session, Session):
        raise TypeError("this app has no tinylytics session")
    return session


def accounts_of(app: object) -> Accounts:
    """The running app's accounts (the palette offers to switch between them)."""
    accounts = getattr(app, "accounts", None)
    if not isinstance(accounts, Accounts):
        raise TypeError("this app has no tinylytics accounts")
    return accounts
