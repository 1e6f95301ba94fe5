"""The cache and the log are private to their user: directories 0700, files 0600, whatever the
umask, including the SQLite companions, a file moved aside and the log's rotated backups."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.live.cache import SqliteCache
from app.logs import setup_file_logging

DAY = date.today() - timedelta(days=3)
NOW = datetime.now(UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(directory: Path) -> dict[str, int]:
    """The mode of the directory (as ".") and of every file in it."""
    found = {".": mode(directory)}
    found.update({child.name: mode(child) for child in directory.iterdir()})
    return found


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common umask 022, which on its own makes files readable by everyone."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def root_logging() -> Iterator[None]:
    """setup_file_logging adds a handler to the root logger: taken off again after the test."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)


def use(cache: SqliteCache) -> None:
    cache.put_hours("1", DAY, [1] * 24)
    cache.put_snapshot("sites", '{"a": 1}', NOW)


@pytest.mark.usefixtures("loose_umask")
def test_a_new_cache_directory_and_its_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "tinylytics-tui"
    cache = SqliteCache(folder / "c.sqlite3")
    use(cache)
    found = modes(folder)
    # The WAL and its index exist while the cache is open: they hold the same raw hits.
    assert {"c.sqlite3", "c.sqlite3-wal", "c.sqlite3-shm"} <= set(found)
    assert found == {".": 0o700} | {name: 0o600 for name in found if name != "."}
    assert mode(tmp_path / "cache") == 0o700  # created by the app, so also private
    cache.close()
    assert set(modes(folder).values()) <= {0o700, 0o600}


@pytest.mark.usefixtures("loose_umask")
def test_an_older_cache_left_readable_is_tightened_on_open(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    SqliteCache(folder / "c.sqlite3").close()
    os.chmod(folder, 0o755)
    for name in ("c.sqlite3", "c.sqlite3-wal", "c.sqlite3-shm"):
        (folder / name).touch()
        os.chmod(folder / name, 0o644)
    cache = SqliteCache(folder / "c.sqlite3")
    use(cache)
    assert cache.hours("1", DAY) == [1] * 24
    found = modes(folder)
    assert found == {".": 0o700} | {name: 0o600 for name in found if name != "."}
    cache.close()


@pytest.mark.usefixtures("loose_umask")
def test_a_broken_cache_moved_aside_stays_private(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"not a database at all " * 200)
    os.chmod(path, 0o644)
    cache = SqliteCache(path)
    use(cache)
    aside = list(tmp_path.glob("c.sqlite3.broken-*"))
    assert len(aside) == 1
    assert {name: m for name, m in modes(tmp_path).items() if name != "."} == {
        name: 0o600 for name in os.listdir(tmp_path)
    }
    cache.close()


@pytest.mark.usefixtures("loose_umask", "root_logging")
def test_the_log_and_its_rotated_backups_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "log"
    target = setup_file_logging(folder / "app.log")
    assert target == folder / "app.log"
    logger = logging.getLogger("app.test_files")
    line = "x" * 10_000
    # Past 1 MB twice over: the file rotates into app.log.1 and app.log.2.
    for _ in range(250):
        logger.warning(line)
    found = modes(folder)
    assert {"app.log", "app.log.1", "app.log.2"} <= set(found)
    assert found == {".": 0o700} | {name: 0o600 for name in found if name != "."}
    assert mode(tmp_path / "state") == 0o700


@pytest.mark.usefixtures("loose_umask", "root_logging")
def test_an_older_readable_log_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    folder.mkdir(mode=0o755)
    for name in ("app.log", "app.log.1", "app.log.2"):
        (folder / name).write_text("old line\n")
        os.chmod(folder / name, 0o644)
    assert setup_file_logging(folder / "app.log") is not None
    logging.getLogger("app.test_files").warning("new line")
    assert modes(folder) == {".": 0o700, "app.log": 0o600, "app.log.1": 0o600, "app.log.2": 0o600}
    assert (folder / "app.log").read_text().startswith("old line\n")
