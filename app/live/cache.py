"""The on-disk cache (SQLite in the user's cache directory): final counts, streams, snapshots,
and what every copy of the app using the same key shares: its request ledger and recent answers.

Counts: only what can no longer change is stored, hourly counts of completed UTC days and counts
of completed spans. Streams: the newest hits of each site (bounded). Snapshots: the last data each
screen showed. Both of the latter let a restart paint at once. Everything older than the retention
is dropped when the file is opened. Requests: one row per request sent in the last hour by any
process (app/live/ledger.py). Answers: API answers of the last seconds, so that another process
asking the same question reads them instead of sending it, and the questions on their way (whoever
asks the same meanwhile waits for that answer): `TinylyticsClient`'s sharing rule.

Several instances of the app may share one file. A lock held by another one is waited for
briefly (the cache is called from the UI's event loop), then a read is a miss and a write waits in
memory for a later chance: a busy file is never a broken one. Only a file that is not a database
or fails its integrity check is moved aside (one such copy is kept) and rebuilt; any other failure
turns the cache off for the session rather than ending the app. The file, its -wal and -shm
companions and its directory are private to the user.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import platformdirs

from app.api.errors import one_line
from app.files import private_dir, private_file, tighten
from app.live.stream import HitOrder, StoredHits, hit_key

if TYPE_CHECKING:
    from app.api.models import Hit

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
# Versions whose tables are a subset of this one's: upgraded in place by adding what is missing.
_UPGRADABLE = (0, 1, 2)
DEFAULT_RETENTION_DAYS = 400

# How long SQLite waits for another instance's lock per attempt, and how many attempts a write
# makes: at most about half a second of a frozen UI.
BUSY_TIMEOUT = 0.25
WRITE_ATTEMPTS = 2
# After a busy write, later writes only queue for this long: a lock held for seconds must not
# cost every call its wait.
BUSY_BACKOFF = 1.0
# Writes kept in memory while the file is busy; beyond that the oldest are dropped.
MAX_PENDING = 500
COMPANIONS = ("-wal", "-shm", "-journal")
# Answers larger than this are not shared between processes: a handful of them would make the
# file grow by megabytes for a saving of one request each.
MAX_SHARED_ANSWER_BYTES = 512 * 1024

_T = TypeVar("_T")
_Write = Callable[[sqlite3.Connection], None]

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
CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS requests_at ON requests (at);
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY, body BLOB NOT NULL, fetched_at REAL NOT NULL, keep_until REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS asking (
    key TEXT PRIMARY KEY, asker TEXT NOT NULL, until REAL NOT NULL
)
"""


def cache_namespace(base_url: str, api_key: str) -> str:
    """A fingerprint of the API and the key: a cache file never mixes two accounts, and its
    name does not reveal the key."""
    return hashlib.sha256(f"{base_url}\n{api_key}".encode()).hexdigest()[:16]


def default_cache_path(namespace: str) -> Path:
    """One file per API base URL and key fingerprint, so accounts never mix."""
    root = Path(platformdirs.user_cache_dir("tinylytics-tui", appauthor=False))
    return root / f"cache-{namespace}.sqlite3"


class _Busy(Exception):
    """Another connection held the lock past this call's patience."""


class CacheBusy(Exception):
    """`SqliteCache.at_once`: another instance held the file past the busy timeout."""


class CacheOff(Exception):
    """`SqliteCache.at_once`: the cache is closed, or turned off for this session."""


class _Broken(Exception):
    """The file is not a database this app can use: it is moved aside and started again."""


def _code(error: sqlite3.Error) -> int:
    return int(getattr(error, "sqlite_errorcode", -1)) & 0xFF


def _is_busy(error: sqlite3.Error) -> bool:
    return _code(error) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _is_corrupt(error: sqlite3.Error) -> bool:
    return _code(error) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _attempts(db: sqlite3.Connection, action: Callable[[sqlite3.Connection], _T], n: int) -> _T:
    """`action`, tried `n` times while another connection holds the lock; then `_Busy`."""
    for _ in range(n):
        try:
            return action(db)
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
    raise _Busy


def _execute(sql: str, params: tuple[object, ...]) -> _Write:
    """A write of one statement, to run now or later."""

    def write(db: sqlite3.Connection) -> None:
        db.execute(sql, params)

    return write


def _transaction(
    db: sqlite3.Connection, body: Callable[[sqlite3.Connection], _T], *, write: bool
) -> _T:
    """`body` in one transaction; a write takes the write lock at once (`BEGIN IMMEDIATE`), so
    that waiting for it happens in SQLite's busy handler and never as a failed upgrade."""
    db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        result = body(db)
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise
    return result


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
        self.closed = False
        self._memory_hours: dict[tuple[str, date], list[int]] = {}
        self._memory_spans: dict[tuple[str, date, date], int] = {}
        # Checked and of the current schema: until then reads miss and writes queue.
        self._checked = False
        self._ready = False
        self._version = 0
        self._prune_due = True
        self._inode = 0
        self._pending: deque[_Write] = deque()
        self._busy_until = 0.0
        self._said_busy = False
        self._said_dropped = False
        try:
            self._db = self._connect()
        except (sqlite3.Error, OSError) as error:
            self._failed(error)
            return
        self._flush(patient=True)

    # -- opening -------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        private_dir(self.path.parent)
        # Created 0600 here: SQLite gives the -wal and -shm it creates the mode of the database.
        private_file(self.path)
        for suffix in COMPANIONS:
            tighten(self._companion(suffix))
        db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        self._inode = self.path.stat().st_ino
        return db

    def _companion(self, suffix: str) -> Path:
        return self.path.with_name(self.path.name + suffix)

    def _setup(self) -> bool:
        """Whether the file is checked and of the current schema. A broken file is moved aside
        and started again (once); a busy one is tried again by a later call."""
        if self._ready:
            return True
        for last_chance in (False, True):
            if self._db is None:
                return False
            try:
                if not self._checked:
                    _attempts(self._db, self._check, 1)
                    self._checked = True
                    self._use_wal(self._db)
                if self._version != SCHEMA_VERSION:
                    _attempts(self._db, self._create_schema, WRITE_ATTEMPTS)
            except _Broken as why:
                if last_chance:
                    self._failed(why)
                    return False
                log.warning("cache %s %s: moving it aside and starting again", self.path, why)
                self._start_again()
                continue
            except _Busy:
                self._note_busy()
                return False
            except (sqlite3.Error, OSError) as error:
                self._failed(error)
                return False
            self._ready = True
            return True
        return False

    def _check(self, db: sqlite3.Connection) -> None:
        try:
            self._version = int(db.execute("PRAGMA user_version").fetchone()[0])
            verdict = db.execute("PRAGMA integrity_check(1)").fetchone()[0]
        except sqlite3.DatabaseError as error:
            if _is_corrupt(error):
                raise _Broken(f"is not a usable database ({one_line(str(error))})") from error
            raise
        if verdict != "ok":
            raise _Broken(f"fails its integrity check ({one_line(str(verdict))})")
        if self._version not in (*_UPGRADABLE, SCHEMA_VERSION):
            # A schema from another version: start again rather than guess.
            raise _Broken(f"has schema version {self._version}")

    @staticmethod
    def _use_wal(db: sqlite3.Connection) -> None:
        # Readers and the writer of several instances then do not block each other. Switching
        # needs the file to itself: if another instance is in it, the next start tries again.
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            try:
                mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise
                return
        if mode == "wal":
            # A commit then waits for no disk flush, so the write lock is held much shorter; a
            # power cut can cost a cache its last writes, never its consistency.
            db.execute("PRAGMA synchronous = NORMAL")

    def _create_schema(self, db: sqlite3.Connection) -> None:
        def create(db: sqlite3.Connection) -> None:
            for statement in _SCHEMA.split(";"):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

        _transaction(db, create, write=True)
        self._version = SCHEMA_VERSION

    def _start_again(self) -> None:
        self._disconnect()
        self._move_aside()
        try:
            self._db = self._connect()
        except (sqlite3.Error, OSError) as error:
            self._failed(error)

    def _move_aside(self) -> None:
        """Keep the broken file for a look (one such copy: older ones are removed), and drop its
        companions, which belong to it. A file another instance already put in its place is
        not this one's to judge."""
        with contextlib.suppress(OSError):
            if self.path.stat().st_ino != self._inode:
                return
        for older in self.path.parent.glob(f"{self.path.name}.broken-*"):
            with contextlib.suppress(OSError):
                older.unlink()
        if self.path.exists():
            aside = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
            with contextlib.suppress(OSError):
                self.path.rename(aside)
                tighten(aside)
        for suffix in COMPANIONS:
            with contextlib.suppress(OSError):
                self._companion(suffix).unlink()

    def _prune(self, db: sqlite3.Connection) -> None:
        oldest = (self._today() - timedelta(days=self.retention_days)).isoformat()
        db.execute("DELETE FROM hours WHERE day < ?", (oldest,))
        db.execute("DELETE FROM spans WHERE last < ?", (oldest,))
        db.execute("DELETE FROM hits WHERE day < ?", (oldest,))
        db.execute("DELETE FROM snapshots WHERE saved_at < ?", (oldest,))
        # Wall-clock seconds, as every process stamps them; the request ledger prunes itself.
        db.execute("DELETE FROM answers WHERE keep_until < ?", (time.time(),))
        db.execute("DELETE FROM asking WHERE until < ?", (time.time(),))
        # A stream whose hits all aged out is forgotten with them.
        db.execute("DELETE FROM streams WHERE site NOT IN (SELECT DISTINCT site FROM hits)")

    # -- reading and writing -------------------------------------------------------------------

    def _read(self, query: Callable[[sqlite3.Connection], _T]) -> _T | None:
        """What `query` finds, or None (a miss) if the file is busy or off."""
        if self._db is None:
            return None
        if not self._ready and (self._backing_off() or not self._setup()):
            return None
        assert self._db is not None
        try:
            return _attempts(self._db, query, 1)
        except _Busy:
            self._note_busy()
        except sqlite3.Error as error:
            self._failed(error)
        return None

    def _write(self, write: _Write) -> None:
        """`write` now, or with the next write that finds the file free."""
        if self._db is None:
            return
        self._pending.append(write)
        if len(self._pending) > MAX_PENDING:
            self._pending.popleft()
            if not self._said_dropped:
                log.warning("cache %s stayed busy: dropping its oldest unsaved writes", self.path)
                self._said_dropped = True
        self._flush()

    def _flush(self, *, patient: bool = False) -> None:
        """Everything queued (and the pruning due at start) in one transaction. Unless patient,
        a recently busy file is not waited for again."""
        if self._db is None or (not patient and self._backing_off()) or not self._setup():
            return
        if not self._pending and not self._prune_due:
            return
        assert self._db is not None
        try:
            _attempts(
                self._db, lambda db: _transaction(db, self._apply, write=True), WRITE_ATTEMPTS
            )
        except _Busy:
            self._note_busy()
            return
        except sqlite3.Error as error:
            self._failed(error)
            return
        self._pending.clear()
        self._prune_due = False
        self._busy_until = 0.0

    def _apply(self, db: sqlite3.Connection) -> None:
        if self._prune_due:
            self._prune(db)
        for write in self._pending:
            write(db)

    def _backing_off(self) -> bool:
        return time.monotonic() < self._busy_until

    def _note_busy(self) -> None:
        self._busy_until = time.monotonic() + BUSY_BACKOFF
        if not self._said_busy:
            # Once a session: with several instances on one file, brief waits are normal.
            log.warning(
                "cache %s is busy (another instance of the app is writing it): "
                "skipping it for now, unsaved writes wait in memory",
                self.path,
            )
            self._said_busy = True

    def _failed(self, error: Exception) -> None:
        log.warning("cache %s failed (%s): using memory for this session", self.path, error)
        self._pending.clear()
        self._disconnect()

    def _disconnect(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    # -- CountStore ----------------------------------------------------------------------------

    def hours(self, key: str, day: date) -> list[int] | None:
        if (key, day) in self._memory_hours:
            return self._memory_hours[(key, day)]
        row = self._read(
            lambda db: db.execute(
                "SELECT counts FROM hours WHERE key = ? AND day = ?", (key, day.isoformat())
            ).fetchone()
        )
        try:
            counts = json.loads(row[0]) if row else None
        except ValueError:
            return None
        if isinstance(counts, list) and len(counts) == 24:
            self._memory_hours[(key, day)] = [int(c) for c in counts]
            return self._memory_hours[(key, day)]
        return None

    def put_hours(self, key: str, day: date, hours: list[int]) -> None:
        self._memory_hours[(key, day)] = hours
        row = (key, day.isoformat(), json.dumps(hours))
        self._write(
            _execute("INSERT OR REPLACE INTO hours (key, day, counts) VALUES (?, ?, ?)", row)
        )

    def span(self, key: str, first: date, last: date) -> int | None:
        if (key, first, last) in self._memory_spans:
            return self._memory_spans[(key, first, last)]
        row = self._read(
            lambda db: db.execute(
                "SELECT count FROM spans WHERE key = ? AND first = ? AND last = ?",
                (key, first.isoformat(), last.isoformat()),
            ).fetchone()
        )
        if row is None:
            return None
        self._memory_spans[(key, first, last)] = int(row[0])
        return int(row[0])

    def put_span(self, key: str, first: date, last: date, count: int) -> None:
        self._memory_spans[(key, first, last)] = count
        row = (key, first.isoformat(), last.isoformat(), count)
        self._write(
            _execute(
                "INSERT OR REPLACE INTO spans (key, first, last, count) VALUES (?, ?, ?, ?)", row
            )
        )

    # -- HitStore ------------------------------------------------------------------------------

    def stored_hits(self, site_id: int, limit: int) -> StoredHits | None:
        found: list[tuple[Any, list[Any]]] = []

        def query(db: sqlite3.Connection) -> None:
            found.clear()
            meta = db.execute(
                "SELECT hits_order, synced_at FROM streams WHERE site = ?", (site_id,)
            ).fetchone()
            if meta is not None:
                rows = db.execute(
                    "SELECT data FROM hits WHERE site = ? ORDER BY seq DESC LIMIT ?",
                    (site_id, limit),
                ).fetchall()
                found.append((meta, rows))

        # One read transaction: the stream's facts and its hits from the same moment.
        self._read(lambda db: _transaction(db, query, write=False))
        if not found:
            return None
        meta, rows = found[0]
        try:
            synced_at = datetime.fromisoformat(meta[1])
        except ValueError:
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
        # `new` is newest first: the newest gets the highest sequence number.
        rows = [
            (hit_key(hit), len(new) - i, hit.created_at.date().isoformat(), hit.model_dump_json())
            for i, hit in enumerate(new)
        ]
        stream = (site_id, order, synced_at.isoformat())

        def write(db: sqlite3.Connection) -> None:
            top = db.execute("SELECT MAX(seq) FROM hits WHERE site = ?", (site_id,)).fetchone()[0]
            base = int(top or 0)
            db.executemany(
                "INSERT OR IGNORE INTO hits (site, key, seq, day, data) VALUES (?, ?, ?, ?, ?)",
                [(site_id, key, base + offset, day, data) for key, offset, day, data in rows],
            )
            db.execute(
                "DELETE FROM hits WHERE site = ? AND seq <= "
                "(SELECT seq FROM hits WHERE site = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                (site_id, site_id, keep),
            )
            db.execute(
                "INSERT OR REPLACE INTO streams (site, hits_order, synced_at) VALUES (?, ?, ?)",
                stream,
            )

        self._write(write)

    # -- SnapshotStore -------------------------------------------------------------------------

    def snapshot(self, key: str) -> tuple[str, datetime] | None:
        row = self._read(
            lambda db: db.execute(
                "SELECT data, saved_at FROM snapshots WHERE key = ?", (key,)
            ).fetchone()
        )
        if row is None:
            return None
        try:
            return (row[0], datetime.fromisoformat(row[1]))
        except ValueError:
            return None

    def put_snapshot(self, key: str, data: str, saved_at: datetime) -> None:
        row = (key, data, saved_at.isoformat())
        self._write(
            _execute("INSERT OR REPLACE INTO snapshots (key, data, saved_at) VALUES (?, ?, ?)", row)
        )

    # -- what other processes of the same key read: the request ledger, recent answers ---------

    @property
    def off(self) -> bool:
        """Whether the file is let go of: closed, or turned off after a failure."""
        return self._db is None

    def at_once(self, body: Callable[[sqlite3.Connection], _T], *, write: bool) -> _T:
        """What `body` returns, run now in a transaction of its own (`BEGIN IMMEDIATE` if it
        writes), for a caller that must know whether it happened: raises `CacheBusy` if another
        instance held the file past the busy timeout, `CacheOff` if the cache is closed or was
        turned off (a failure is logged once, as for any other call)."""
        if self._db is None or (not self._ready and not self._setup()):
            if self._db is None:
                raise CacheOff
            raise CacheBusy
        assert self._db is not None
        try:
            return _attempts(self._db, lambda db: _transaction(db, body, write=write), 1)
        except _Busy:
            pass
        except sqlite3.Error as error:
            self._failed(error)
            raise CacheOff from None
        raise CacheBusy

    def answer(self, key: str, fetched_after: float) -> tuple[bytes, float] | None:
        """The body of the answer to `key` fetched after `fetched_after` (wall-clock seconds) by
        any process, and when it was fetched; or None."""
        row = self._read(
            lambda db: db.execute(
                "SELECT body, fetched_at FROM answers WHERE key = ? AND fetched_at > ?",
                (key, fetched_after),
            ).fetchone()
        )
        return None if row is None else (bytes(row[0]), float(row[1]))

    def hold(
        self, key: str, asker: str, fetched_after: float, now: float, until: float
    ) -> bool | None:
        """Whether `asker` may send the question `key` now. True: it holds the question until
        `until` (or until it puts the answer or lets go). False: another asker holds it, or its
        answer fetched after `fetched_after` is here. None: the file cannot tell (busy or off),
        so ask."""

        def take(db: sqlite3.Connection) -> bool:
            answered = db.execute(
                "SELECT 1 FROM answers WHERE key = ? AND fetched_at > ?", (key, fetched_after)
            ).fetchone()
            holder = db.execute(
                "SELECT asker FROM asking WHERE key = ? AND until > ?", (key, now)
            ).fetchone()
            if answered or (holder is not None and holder[0] != asker):
                return False
            db.execute("DELETE FROM asking WHERE until <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO asking (key, asker, until) VALUES (?, ?, ?)",
                (key, asker, until),
            )
            return True

        try:
            return self.at_once(take, write=True)
        except CacheBusy:
            self._note_busy()
        except CacheOff:
            pass
        return None

    def let_go(self, key: str, asker: str) -> None:
        """`asker` will not answer `key` (its request failed): the others need not wait."""

        def delete(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM asking WHERE key = ? AND asker = ?", (key, asker))

        # Busy or off: the hold ends at its time anyway.
        with contextlib.suppress(CacheBusy, CacheOff):
            self.at_once(delete, write=True)

    def put_answer(self, key: str, body: bytes, fetched_at: float, keep_for: float) -> None:
        """Offer an answer to the other processes for `keep_for` seconds; whoever waits for the
        question is done waiting, and rows past their time go. Large answers are not kept (their
        askers send the question themselves), and a busy file is not waited for (the answer
        would be stale by the time it was saved)."""
        if self._backing_off():
            return
        row = (key, body, fetched_at, fetched_at + keep_for)

        def write(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM asking WHERE key = ?", (key,))
            db.execute("DELETE FROM answers WHERE keep_until < ?", (fetched_at,))
            if len(body) <= MAX_SHARED_ANSWER_BYTES:
                db.execute(
                    "INSERT OR REPLACE INTO answers (key, body, fetched_at, keep_until) "
                    "VALUES (?, ?, ?, ?)",
                    row,
                )

        try:
            self.at_once(write, write=True)
        except CacheBusy:
            self._note_busy()
        except CacheOff:
            pass

    def close(self) -> None:
        """Save what waits (one more patient try), then let go of the file."""
        self.closed = True
        if self._db is None:
            return
        if self._pending:
            self._flush(patient=True)
        self._disconnect()


# The name the counting code knew it by.
SqliteCountStore = SqliteCache
