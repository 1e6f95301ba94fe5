"""Where the palette's Screenshot command saves, and under what name.

Textual saves into ~/Downloads, which a server seldom has, under a name made of the window title
(spaces, a middle dot, the account's accented name): here a folder that exists and a plain name.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import platformdirs

from app.api.errors import one_line

PREFIX = "tinylytics"


def screenshot_directory() -> Path:
    """Downloads if there is one; else the working directory, if it can be written; else home."""
    for candidate in _candidates():
        if candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return Path.home()


def _candidates() -> Iterator[Path]:
    yield platformdirs.user_downloads_path()
    # The working directory may have been removed under a running process.
    with contextlib.suppress(OSError):
        yield Path.cwd()
    yield Path.home()


def screenshot_stem(now: datetime) -> str:
    """A picture's name by the local time, without its suffix: `tinylytics-2026-11-30T101500`."""
    return f"{PREFIX}-{now.astimezone():%Y-%m-%dT%H%M%S}"


def reserve_screenshot(directory: Path, now: datetime) -> Path:
    """A new file for the picture, private to the user (it shows the account's numbers), named
    by the local time, `tinylytics-2026-11-30T101500.svg`; a second one in the same second gets
    `-2`. Raises OSError when the folder cannot take it."""
    stem = screenshot_stem(now)
    for number in range(1, 100):
        path = directory / (f"{stem}.svg" if number == 1 else f"{stem}-{number}.svg")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"too many screenshots named {stem} in {directory}")


def failure_text(error: BaseException, where: Path | None = None) -> str:
    """One line: what failed, where, and the system's reason without its errno."""
    if isinstance(error, OSError):
        place = error.filename or where
        reason = error.strerror or str(error)
    else:
        place, reason = where, str(error)
    text = "Could not save the screenshot"
    if place:
        text += f" to {place}"
    return one_line(f"{text}: {reason}")
