"""The last answer each screen showed, kept on disk so that a restart paints at once.

A snapshot is a screen's whole data (a Dashboard, the Sites rows) as JSON, stored with when it
was fetched; on start the screen shows it, marked with its age, while its first refresh runs.
Anything unreadable (an older shape, a damaged row) is simply not there: it is never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import msgspec


class SnapshotStore(Protocol):
    def snapshot(self, key: str) -> tuple[str, datetime] | None: ...
    def put_snapshot(self, key: str, data: str, saved_at: datetime) -> None: ...


class Snapshots:
    """Typed get and put over a store of JSON strings.

    msgspec rather than pydantic: a snapshot is read for the first frame, and msgspec loads and
    decodes one in a few milliseconds, where importing pydantic and building its schema for a
    Dashboard take about 0.25 s.
    """

    def __init__(self, store: SnapshotStore | None, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def load(self, key: str, kind: Any) -> tuple[Any, datetime] | None:
        if self._store is None:
            return None
        found = self._store.snapshot(key)
        if found is None:
            return None
        data, saved_at = found
        try:
            value = msgspec.json.decode(data, type=kind)
        except msgspec.DecodeError:  # also a ValidationError: a shape from another version
            return None
        return value, saved_at

    def save(self, key: str, value: Any) -> None:
        if self._store is None:
            return
        self._store.put_snapshot(key, msgspec.json.encode(value).decode(), self._now())
