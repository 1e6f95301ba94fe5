"""Several accounts: one Session each, made the first time the account is used.

Each account has its own view state (site, range, filters), request budget and cache file (the
cache is named after the base URL and the key). Only the current account's feeds run: the UI
hides the others' screens, and their feeds idle until shown again.

A key file is read when its account is first switched to, so that another account's missing or
unprotected file never stops a start: its one-line `ConfigError` comes at the switch, and the
current account stays in place. No Textual here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from app.config import Account, ConfigError, Settings
from app.live.session import Session
from app.live.state import ViewState
from app.secret import Secret


class Accounts:
    """The accounts of the settings, by name, and the session of each one used so far."""

    def __init__(
        self,
        settings: Settings,
        *,
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        self._settings = settings
        self._now = now or (lambda: datetime.now(UTC))
        self._monotonic = monotonic or time.monotonic
        listed = settings.accounts or (
            Account(settings.account, settings.base_url, settings.api_key),
        )
        self._accounts = {account.name: account for account in listed}
        self.current = settings.account
        self._sessions: dict[str, Session] = {}
        # The start account's key was read with the settings (a flag may have replaced it).
        self._keys: dict[str, Secret] = {}
        if settings.api_key is not None:
            self._keys[settings.account] = settings.api_key

    @property
    def names(self) -> list[str]:
        return list(self._accounts)

    @property
    def several(self) -> bool:
        return len(self._accounts) > 1

    def others(self) -> list[str]:
        """The accounts one can switch to from the current one."""
        return [name for name in self._accounts if name != self.current]

    def account(self, name: str) -> Account:
        return self._accounts[name]

    def base_url(self, name: str) -> str:
        if name == self._settings.account:
            return self._settings.base_url
        return self._accounts[name].base_url

    def session(self, name: str | None = None) -> Session:
        """The account's session (the current one's without a name), made on first use."""
        name = self.current if name is None else name
        session = self._sessions.get(name)
        if session is None:
            settings = self._settings
            state = ViewState(
                # `--site` is a site of the account the app starts with.
                site_id=settings.site if name == settings.account else None,
                refresh_interval=settings.refresh,
            )
            session = Session(
                state,
                requests_per_hour=settings.requests_per_hour,
                cache=settings.cache,
                retention_days=settings.cache_retention_days,
                max_answer_bytes=settings.max_answer_mib * 1024 * 1024,
                now=self._now,
                monotonic=self._monotonic,
            )
            session.label = name if self.several else ""
            self._sessions[name] = session
        return session

    def key(self, name: str) -> Secret | None:
        """The account's key; a key file is read on first use (a `ConfigError` if it cannot
        be, tried again next time: the user may have fixed it meanwhile)."""
        key = self._keys.get(name)
        if key is None:
            try:
                key = self._accounts[name].key()
            except ConfigError as error:
                # At start the default account's file is named alone, as it always was; after
                # a switch, which account it is matters.
                said = f"account {name}: "
                if error.message.startswith(said):
                    raise
                raise ConfigError(said + error.message) from None
            if key is not None:
                self._keys[name] = key
        return key

    def switch(self, name: str) -> Session:
        """Make `name` the current account and return its session; its key is read first, so
        that a key file that cannot be read leaves the current account as it was."""
        if name not in self._accounts:
            raise ConfigError(f"no account {name[:60]!r} (accounts: {', '.join(self.names)})")
        self.key(name)
        self.current = name
        return self.session(name)

    def sessions(self) -> list[Session]:
        return list(self._sessions.values())

    async def close(self) -> None:
        """Close every session made (its API and its cache); the UI stops its loops first."""
        for session in self.sessions():
            await session.close()
