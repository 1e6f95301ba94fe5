"""The on-disk cache of final hit counts (SQLite in the user's cache directory).

Only what can no longer change is stored: hourly counts of completed UTC days and counts of
completed spans. A corrupt or unreadable file is moved aside and rebuilt; any failure later
turns the cache off for the session rather than ending the app.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_RETENTION_DAYS = 400

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hours (
    key TEXT NOT NULL, day TEXT NOT NULL, counts TEXT NOT NULL, PRIMARY KEY (key, day)
);
CREATE TABLE IF NOT EXISTS spans (
    key TEXT NOT NULL, first TEXT NOT NULL, last TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (key, first, last)
);
"""


def default_cache_path(namespace: str) -> Path:
    """One file per API base URL and key fingerprint, so accounts never mix."""
    root = Path(platformdirs.user_cache_dir("tinylytics-tui", appauthor=False))
    return root / f"counts-{namespace}.sqlite3"


class SqliteCountStore:
    """A `CountStore` backed by SQLite; falls back to memory if the disk misbehaves."""

    def __init__(self, path: Path, *, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.path = path
        self.retention_days = retention_days
        self._db: sqlite3.Connection | None = None
        self._memory_hours: dict[tuple[str, date], list[int]] = {}
        self._memory_spans: dict[tuple[str, date, date], int] = {}
        self._open()

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._connect()
        except (sqlite3.DatabaseError, OSError) as error:
            log.warning("cache %s unreadable (%s): moving it aside", self.path, error)
            self._move_aside()
            try:
                self._db = self._connect()
            except (sqlite3.DatabaseError, OSError):
                self._db = None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            db.execute("PRAGMA quick_check").fetchone()
            if version not in (0, SCHEMA_VERSION):
                # A schema from another version: start again rather than guess.
                db.close()
                self._move_aside()
                db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("PRAGMA journal_mode = WAL")
            self._prune(db)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _move_aside(self) -> None:
        if self.path.exists():
            aside = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
            with contextlib.suppress(OSError):
                self.path.rename(aside)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                self.path.with_name(self.path.name + suffix).unlink()

    def _prune(self, db: sqlite3.Connection) -> None:
        oldest = (date.today() - timedelta(days=self.retention_days)).isoformat()
        db.execute("DELETE FROM hours WHERE day < ?", (oldest,))
        db.execute("DELETE FROM spans WHERE last < ?", (oldest,))

    def _failed(self, error: Exception) -> None:
        log.warning("cache %s failed (%s): using memory for this session", self.path, error)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    # -- CountStore ----------------------------------------------------------------------------

    def hours(self, key: str, day: date) -> list[int] | None:
        if (key, day) in self._memory_hours:
            return self._memory_hours[(key, day)]
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT counts FROM hours WHERE key = ? AND day = ?", (key, day.isoformat())
            ).fetchone()
            counts = json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError) as error:
            self._failed(error)
            return None
        if isinstance(counts, list) and len(counts) == 24:
            self._memory_hours[(key, day)] = [int(c) for c in counts]
            return self._memory_hours[(key, day)]
        return None

    def put_hours(self, key: str, day: date, hours: list[int]) -> None:
        self._memory_hours[(key, day)] = hours
        if self._db is None:
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO hours (key, day, counts) VALUES (?, ?, ?)",
                (key, day.isoformat(), json.dumps(hours)),
            )
        except sqlite3.Error as error:
            self._failed(error)

    def span(self, key: str, first: date, last: date) -> int | None:
        if (key, first, last) in self._memory_spans:
            return self._memory_spans[(key, first, last)]
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT count FROM spans WHERE key = ? AND first = ? AND last = ?",
                (key, first.isoformat(), last.isoformat()),
            ).fetchone()
        except sqlite3.Error as error:
            self._failed(error)
            return None
        if row is None:
            return None
        self._memory_spans[(key, first, last)] = int(row[0])
        return int(row[0])

    def put_span(self, key: str, first: date, last: date, count: int) -> None:
        self._memory_spans[(key, first, last)] = count
        if self._db is None:
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO spans (key, first, last, count) VALUES (?, ?, ?, ?)",
                (key, first.isoformat(), last.isoformat(), count),
            )
        except sqlite3.Error as error:
            self._failed(error)

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
