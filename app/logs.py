"""Where the app writes what went wrong: a small rotating log file, never the terminal.

The terminal belongs to the dashboard, so warnings and tracebacks go to a file in the user's
log directory. The API client redacts the key, so nothing written here holds it.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

_path: Path | None = None


def log_path() -> Path | None:
    """The log file in use, if logging to a file was set up."""
    return _path


def setup_file_logging(path: Path | None = None) -> Path | None:
    """Send warnings and errors of the app to a rotating file; quietly skip if it can't be made."""
    global _path
    target = path or Path(platformdirs.user_log_dir("tinylytics-tui", appauthor=False)) / "app.log"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=1_000_000, backupCount=2, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    _path = target
    return target
