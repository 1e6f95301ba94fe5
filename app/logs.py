"""Where the app writes what went wrong: a small rotating log file, never the terminal.

The terminal belongs to the dashboard, so warnings and tracebacks go to a file in the user's
log directory. The API client redacts the key, so nothing written here holds it; the file still
names sites and paths of a private account, so it and its directory are the user's alone.
"""

from __future__ import annotations

import logging
import logging.handlers
from io import TextIOWrapper
from pathlib import Path

import platformdirs

from app.files import open_private_append, private_dir, tighten

_path: Path | None = None
BACKUPS = 2


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file is created 0600 (a rollover renames the file, keeping its
    mode, and opens a new one through `_open`)."""

    def _open(self) -> TextIOWrapper:
        fd = open_private_append(Path(self.baseFilename))
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def log_path() -> Path | None:
    """The log file in use, if logging to a file was set up."""
    return _path


def setup_file_logging(path: Path | None = None) -> Path | None:
    """Send warnings and errors of the app to a rotating file; quietly skip if it can't be made."""
    global _path
    target = path or Path(platformdirs.user_log_dir("tinylytics-tui", appauthor=False)) / "app.log"
    try:
        private_dir(target.parent)
        # Backups left by an older version, when modes were looser.
        for number in range(1, BACKUPS + 1):
            tighten(target.with_name(f"{target.name}.{number}"))
        handler = PrivateRotatingFileHandler(
            target, maxBytes=1_000_000, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    _path = target
    return target
