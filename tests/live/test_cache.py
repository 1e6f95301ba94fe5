"""The SQLite cache of final counts and live streams: survives restarts, shrugs off a corrupt
file, upgrades an older one."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from app.api import Hit
from app.live.cache import SCHEMA_VERSION, SqliteCache, SqliteCountStore

DAY = date.today() - timedelta(days=3)


def test_counts_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = SqliteCountStore(path)
    store.put_hours("1", DAY, list(range(24)))
    store.put_span("1", DAY, DAY + timedelta(days=1), 99)
    store.close()
    again = SqliteCountStore(path)
    assert again.hours("1", DAY) == list(range(24))
    assert again.span("1", DAY, DAY + timedelta(days=1)) == 99
    assert again.hours("2", DAY) is None


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = SqliteCountStore(path)
    store.put_hours("1", DAY, [1] * 24)
    assert store.hours("1", DAY) == [1] * 24
    assert list(tmp_path.glob("c.sqlite3.broken-*"))
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM hours").fetchone()[0] == 1


def test_retention_drops_old_days(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = SqliteCountStore(path, retention_days=10)
    old = date.today() - timedelta(days=30)
    store.put_hours("1", old, [2] * 24)
    store.close()
    assert SqliteCountStore(path, retention_days=10).hours("1", old) is None


def test_unwritable_directory_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = SqliteCountStore(blocker / "sub" / "c.sqlite3")
    store.put_span("1", DAY, DAY, 5)
    assert store.span("1", DAY, DAY) == 5


def stamp(minute: int) -> datetime:
    return datetime.combine(DAY, time(12, minute), tzinfo=UTC)


def test_a_version_1_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE hours (key TEXT NOT NULL, day TEXT NOT NULL, counts TEXT NOT NULL,"
            " PRIMARY KEY (key, day)); PRAGMA user_version = 1;"
        )
        db.execute("INSERT INTO hours VALUES ('1', ?, ?)", (DAY.isoformat(), str([3] * 24)))
    db.close()
    store = SqliteCache(path)
    assert store.hours("1", DAY) == [3] * 24
    store.put_hits(1, [Hit(id=1, created_at=stamp(0))], order="desc", synced_at=stamp(1), keep=5)
    assert not list(tmp_path.glob("c.sqlite3.broken-*"))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_a_file_of_an_unknown_version_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    store = SqliteCache(path)
    store.put_span("1", DAY, DAY, 4)
    assert list(tmp_path.glob("c.sqlite3.broken-*"))
    assert SqliteCache(path).span("1", DAY, DAY) == 4


def test_streams_keep_the_newest_hits_of_each_site(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = SqliteCache(path)
    older = [Hit(id=i, path=f"/{i}", created_at=stamp(i)) for i in (4, 3, 2, 1)]
    store.put_hits(7, older, order="asc", synced_at=stamp(5), keep=5)
    newer = [Hit(id=i, created_at=stamp(i)) for i in (6, 5)]
    store.put_hits(7, newer, order="asc", synced_at=stamp(7), keep=5)
    store.put_hits(8, [Hit(id=100, created_at=stamp(9))], order=None, synced_at=stamp(9), keep=5)
    store.close()

    again = SqliteCache(path)
    kept = again.stored_hits(7, 10)
    assert kept is not None
    assert [h.id for h in kept.hits] == [6, 5, 4, 3, 2]
    assert kept.hits[2].path == "/4"
    assert (kept.order, kept.synced_at) == ("asc", stamp(7))
    two = again.stored_hits(7, 2)
    assert two is not None and [h.id for h in two.hits] == [6, 5]
    other = again.stored_hits(8, 10)
    assert other is not None and other.order is None and [h.id for h in other.hits] == [100]
    assert again.stored_hits(9, 10) is None


def test_an_unreadable_stored_hit_costs_only_itself(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = SqliteCache(path)
    hits = [Hit(id=i, created_at=stamp(i)) for i in (3, 2, 1)]
    store.put_hits(7, hits, order="desc", synced_at=stamp(4), keep=5)
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE hits SET data = '{\"id\": 2}' WHERE key = '2'")
    db.close()
    kept = SqliteCache(path).stored_hits(7, 10)
    assert kept is not None and [h.id for h in kept.hits] == [3, 1]


def test_without_a_usable_disk_streams_are_not_kept(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = SqliteCache(blocker / "sub" / "c.sqlite3")
    store.put_hits(7, [Hit(id=1, created_at=stamp(1))], order=None, synced_at=stamp(2), keep=5)
    assert store.stored_hits(7, 10) is None


def test_snapshots_survive_a_restart_and_age_out(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = SqliteCache(path, today=lambda: DAY)
    store.put_snapshot("hits|456", '{"a": 1}', stamp(3))
    store.put_snapshot("hits|456", '{"a": 2}', stamp(4))
    store.close()
    assert SqliteCache(path, today=lambda: DAY).snapshot("hits|456") == ('{"a": 2}', stamp(4))
    assert SqliteCache(path).snapshot("sites") is None
    later = SqliteCache(path, retention_days=10, today=lambda: DAY + timedelta(days=11))
    assert later.snapshot("hits|456") is None
