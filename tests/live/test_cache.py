"""The SQLite cache of final counts: survives restarts, shrugs off a corrupt file."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

from app.live.cache import SqliteCountStore

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
