"""The last answer each screen showed, kept on disk so that a restart paints at once.

A snapshot is a screen's whole data (a Dashboard, the Sites rows) as JSON, stored with when it
was fetched; on start the screen shows it, marked with its age, while its first refresh runs.
Anything unreadable (an older shape, a damaged row) is simply not there: it is never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import TypeAdapter, ValidationError


class SnapshotStore(Protocol):
    def snapshot(self, key: str) -> tuple[str, datetime] | None: ...
    def put_snapshot(self, key: str, data: str, saved_at: datetime) -> None: ...


class Snapshots:
    """Typed get and put over a store of JSON strings."""

    def __init__(self, store: SnapshotStore | None, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now
        self._adapters: dict[Any, TypeAdapter[Any]] = {}

    def _adapter(self, kind: Any) -> TypeAdapter[Any]:
        # `kind` may be a generic alias such as list[SiteRow]; building an adapter is not cheap.
        if kind not in self._adapters:
            self._adapters[kind] = TypeAdapter(kind)
        return self._adapters[kind]

    def load(self, key: str, kind: Any) -> tuple[Any, datetime] | None:
        if self._store is None:
            return None
        found = self._store.snapshot(key)
        if found is None:
            return None
        data, saved_at = found
        try:
            value = self._adapter(kind).validate_json(data)
        except (ValidationError, ValueError):
            return None
        return value, saved_at

    def save(self, key: str, kind: Any, value: Any) -> None:
        if self._store is None:
            return
        self._store.put_snapshot(key, self._adapter(kind).dump_json(value).decode(), self._now())
