"""The on-disk cache (SQLite in the user's cache directory): final counts, streams, snapshots.

Counts: only what can no longer change is stored, hourly counts of completed UTC days and counts
of completed spans. Streams: the newest hits of each site (bounded). Snapshots: the last data each
screen showed. Both of the latter let a restart paint at once. Everything older than the retention
is dropped when the file is opened. A corrupt or unreadable file is moved aside and rebuilt; any
failure later turns the cache off for the session rather than ending the app.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from app.live.stream import HitOrder, StoredHits, hit_key

if TYPE_CHECKING:
    from app.api.models import Hit

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
# Versions whose tables are a subset of this one's: upgraded in place by adding what is missing.
_UPGRADABLE = (0, 1)
DEFAULT_RETENTION_DAYS = 400

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hours (
    key TEXT NOT NULL, day TEXT NOT NULL, counts TEXT NOT NULL, PRIMARY KEY (key, day)
);
CREATE TABLE IF NOT EXISTS spans (
    key TEXT NOT NULL, first TEXT NOT NULL, last TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (key, first, last)
);
CREATE TABLE IF NOT EXISTS hits (
    site INTEGER NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, day TEXT NOT NULL,
    data TEXT NOT NULL, PRIMARY KEY (site, key)
);
CREATE INDEX IF NOT EXISTS hits_newest ON hits (site, seq);
CREATE TABLE IF NOT EXISTS streams (
    site INTEGER PRIMARY KEY, hits_order TEXT, synced_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    key TEXT PRIMARY KEY, data TEXT NOT NULL, saved_at TEXT NOT NULL
);
"""


def cache_namespace(base_url: str, api_key: str) -> str:
    """A fingerprint of the API and the key: a cache file never mixes two accounts, and its
    name does not reveal the key."""
    return hashlib.sha256(f"{base_url}\n{api_key}".encode()).hexdigest()[:16]


def default_cache_path(namespace: str) -> Path:
    """One file per API base URL and key fingerprint, so accounts never mix."""
    root = Path(platformdirs.user_cache_dir("tinylytics-tui", appauthor=False))
    return root / f"cache-{namespace}.sqlite3"


class SqliteCache:
    """A `CountStore`, a `HitStore` and a `SnapshotStore` (app.live.snapshots) on one SQLite
    file; counts fall back to memory if the disk misbehaves (streams and screens keep what they
    show in memory anyway).

    `today` is the day retention counts back from (the app passes its own clock's).
    """

    def __init__(
        self,
        path: Path,
        *,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.path = path
        self.retention_days = retention_days
        self._today = today
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
            if version not in (*_UPGRADABLE, SCHEMA_VERSION):
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
        oldest = (self._today() - timedelta(days=self.retention_days)).isoformat()
        db.execute("DELETE FROM hours WHERE day < ?", (oldest,))
        db.execute("DELETE FROM spans WHERE last < ?", (oldest,))
        db.execute("DELETE FROM hits WHERE day < ?", (oldest,))
        db.execute("DELETE FROM snapshots WHERE saved_at < ?", (oldest,))
        # A stream whose hits all aged out is forgotten with them.
        db.execute("DELETE FROM streams WHERE site NOT IN (SELECT DISTINCT site FROM hits)")

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

    # -- HitStore ------------------------------------------------------------------------------

    def stored_hits(self, site_id: int, limit: int) -> StoredHits | None:
        if self._db is None:
            return None
        try:
            meta = self._db.execute(
                "SELECT hits_order, synced_at FROM streams WHERE site = ?", (site_id,)
            ).fetchone()
            if meta is None:
                return None
            rows = self._db.execute(
                "SELECT data FROM hits WHERE site = ? ORDER BY seq DESC LIMIT ?",
                (site_id, limit),
            ).fetchall()
            synced_at = datetime.fromisoformat(meta[1])
        except (sqlite3.Error, ValueError) as error:
            self._failed(error)
            return None
        # The pydantic models: loaded here, since the first frame does not need them.
        from pydantic import ValidationError

        from app.api.models import Hit

        hits: list[Hit] = []
        for (data,) in rows:
            # One unreadable row costs that hit, not the stream.
            with contextlib.suppress(ValidationError):
                hits.append(Hit.model_validate_json(data))
        order: HitOrder | None = meta[0] if meta[0] in ("asc", "desc") else None
        return StoredHits(tuple(hits), order, synced_at)

    def put_hits(
        self,
        site_id: int,
        new: Sequence[Hit],
        *,
        order: HitOrder | None,
        synced_at: datetime,
        keep: int,
    ) -> None:
        if self._db is None:
            return
        db = self._db
        try:
            db.execute("BEGIN")
            top = db.execute("SELECT MAX(seq) FROM hits WHERE site = ?", (site_id,)).fetchone()[0]
            base = int(top or 0)
            # `new` is newest first: the newest gets the highest sequence number.
            db.executemany(
                "INSERT OR IGNORE INTO hits (site, key, seq, day, data) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        site_id,
                        hit_key(hit),
                        base + len(new) - i,
                        hit.created_at.date().isoformat(),
                        hit.model_dump_json(),
                    )
                    for i, hit in enumerate(new)
                ],
            )
            db.execute(
                "DELETE FROM hits WHERE site = ? AND seq <= "
                "(SELECT seq FROM hits WHERE site = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                (site_id, site_id, keep),
            )
            db.execute(
                "INSERT OR REPLACE INTO streams (site, hits_order, synced_at) VALUES (?, ?, ?)",
                (site_id, order, synced_at.isoformat()),
            )
            db.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            self._failed(error)

    # -- SnapshotStore -------------------------------------------------------------------------

    def snapshot(self, key: str) -> tuple[str, datetime] | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT data, saved_at FROM snapshots WHERE key = ?", (key,)
            ).fetchone()
            return (row[0], datetime.fromisoformat(row[1])) if row else None
        except (sqlite3.Error, ValueError) as error:
            self._failed(error)
            return None

    def put_snapshot(self, key: str, data: str, saved_at: datetime) -> None:
        if self._db is None:
            return
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO snapshots (key, data, saved_at) VALUES (?, ?, ?)",
                (key, data, saved_at.isoformat()),
            )
        except sqlite3.Error as error:
            self._failed(error)

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None


# The name the counting code knew it by.
SqliteCountStore = SqliteCache
