"""The app's files on disk are its user's alone: directories 0700, files 0600, whatever the umask.

The cache holds an account's raw hits and saved screens and the log what went wrong with them;
another user of the machine must not read either. Modes are set explicitly (chmod after creating)
because the umask only ever removes bits and a user's umask is often 022.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> None:
    """Create `path` and its missing parents as private directories; tighten `path` if it was
    looser. Parents that already exist are left alone: they are not the app's."""
    missing = [path]
    missing.extend(parent for parent in path.parents if not parent.exists())
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=PRIVATE_DIR)
            os.chmod(directory, PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)


def private_file(path: Path) -> None:
    """Create `path` empty if it is missing (0600 from its first instant, so never readable by
    others even briefly), and tighten it if it was looser. Its content is left alone.

    An existing file is never opened here: closing any descriptor of a file drops every POSIX
    lock the process holds on it, such as those of an SQLite connection to it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        tighten(path)
        return
    try:
        _tighten_fd(fd, path)
    finally:
        os.close(fd)


def tighten(path: Path) -> None:
    """Make an existing file private; a file that is not there is nothing to do."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_FILE)


def open_private_append(path: Path) -> int:
    """A descriptor open for appending to `path`, created private or tightened if looser."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    try:
        _tighten_fd(fd, path)
    except OSError:
        os.close(fd)
        raise
    return fd


def _tighten_fd(fd: int, path: Path) -> None:
    # fchmod is POSIX; elsewhere chmod by name does what the platform can.
    if hasattr(os, "fchmod"):
        os.fchmod(fd, PRIVATE_FILE)
    else:
        os.chmod(path, PRIVATE_FILE)
