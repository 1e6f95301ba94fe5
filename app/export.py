"""Writing a table's rows to a CSV or JSON file: the user's, private, whole or not at all.

Rows arrive in chunks (a panel paged from the server comes a page at a time), so they go to a
private temporary file beside the target as they come; the finished file takes the target's
name in one rename, and a cancelled or failed export removes the temporary file. A reader never
sees half a file, and an existing file is never left half overwritten.

Server text goes in as data: unchanged in JSON (which escapes control characters itself); in CSV
made safe for spreadsheets and terminals by `app/csvsafe.py` (no formulas, no escape sequences).
"""

from __future__ import annotations

import contextlib
import csv
import enum
import json
import math
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from app.csvsafe import csv_cell
from app.files import private_file

# A cell: text, a number, a yes/no, or nothing (an empty CSV cell, JSON null).
Value = str | int | float | bool | None
Row = Sequence[Value]

# How much of a site label or a table's name goes into a file name.
NAME_PART = 40


class Format(enum.Enum):
    CSV = "csv"
    JSON = "json"

    @property
    def suffix(self) -> str:
        return f".{self.value}"

    @classmethod
    def of(cls, path: Path) -> Format | None:
        """The format a file name asks for by its suffix, if it names one."""
        suffix = path.suffix.lower().lstrip(".")
        return next((f for f in cls if f.value == suffix), None)


@dataclass(frozen=True)
class Table:
    """Rows held in memory (a table on screen): a header and records of plain values."""

    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]


class ExportError(Exception):
    """One line for the user: why the file could not be written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- names ----------------------------------------------------------------------------------------


def slug(text: str, *, limit: int = NAME_PART) -> str:
    """`text` as a file-name part: ASCII letters and digits joined by dashes, lower case.
    Labels are the site owner's text: markup, escapes and slashes must not reach a path."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:limit].strip("-")


def default_name(site: str | None, what: str, when: datetime, fmt: Format) -> str:
    """`tinylytics-<site>-<what>-<YYYYmmdd-HHMMSS>.csv`; the site part only when there is one."""
    parts = ["tinylytics"]
    for part in (site, what):
        cleaned = slug(part) if part else ""
        if cleaned:
            parts.append(cleaned)
    parts.append(when.strftime("%Y%m%d-%H%M%S"))
    return "-".join(parts) + fmt.suffix


def default_directory() -> Path:
    """The current directory; the home directory when the current one no longer exists."""
    try:
        return Path.cwd()
    except OSError:
        return Path.home()


def target(typed: str, name: str, fmt: Format) -> Path:
    """The file a typed path means: `~` expanded, relative to the current directory, `name`
    inside it when it is a directory, and the format's suffix when it has none."""
    text = typed.strip()
    if not text:
        raise ExportError("Type the name of the file to write.")
    if "\x00" in text:
        raise ExportError("A file name cannot hold a NUL character.")
    try:
        path = Path(text).expanduser()
    except RuntimeError as error:  # `~` with no home directory known
        raise ExportError(f"Cannot find the directory of {text}: {error}.") from error
    if not path.is_absolute():
        path = default_directory() / path
    if path.is_dir():
        return path / name
    if not path.suffix:
        path = path.with_name(path.name + fmt.suffix)
    return path


def problem_of(error: OSError, path: Path) -> str:
    """One line for an OS error while writing `path`."""
    reason = error.strerror or type(error).__name__
    return f"Cannot write {path}: {reason.lower()}."


# -- writing --------------------------------------------------------------------------------------


class ExportFile:
    """A file being written: `add()` rows as they come, then `commit()`, or `discard()`.

    Use it as a context manager: leaving without `commit()` (an error, a cancel) discards.
    """

    def __init__(self, path: Path, fmt: Format, header: Sequence[str]) -> None:
        self.path = path
        self.fmt = fmt
        self.header = tuple(header)
        self.rows = 0
        self._temp: Path | None = None
        self._handle: IO[str] | None = None

    def __enter__(self) -> ExportFile:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def open(self) -> None:
        directory = self.path.parent
        if not directory.is_dir():
            raise ExportError(f"Cannot write {self.path}: there is no directory {directory}.")
        # Private from its first instant (app/files.py), under a name no one else picked.
        temp = directory / f".{self.path.name}.{secrets.token_hex(6)}.part"
        with self._writing():
            private_file(temp)
            self._temp = temp
            # Open across calls (rows come a page at a time): closed by commit() or discard().
            self._handle = open(temp, "w", encoding="utf-8", newline="")  # noqa: SIM115
            if self.fmt is Format.CSV:
                csv.writer(self._handle).writerow([csv_cell(h) for h in self.header])
            else:
                self._handle.write("[")

    def add(self, rows: Iterable[Row]) -> None:
        handle = self._open_handle()
        with self._writing():
            if self.fmt is Format.CSV:
                lines = [[csv_cell(v) for v in row] for row in rows]
                csv.writer(handle).writerows(lines)
                self.rows += len(lines)
                return
            parts: list[str] = []
            for row in rows:
                record = dict(zip(self.header, (_json_value(v) for v in row), strict=True))
                parts.append(("\n  " if self.rows == 0 else ",\n  ") + _json(record))
                self.rows += 1
            handle.write("".join(parts))

    def commit(self) -> Path:
        """Finish the file and give it its name (replacing a file of that name)."""
        handle, temp = self._open_handle(), self._temp
        assert temp is not None
        with self._writing():
            if self.fmt is Format.JSON:
                handle.write("\n]\n" if self.rows else "]\n")
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            self._handle = None
            os.replace(temp, self.path)
            self._temp = None
        return self.path

    def discard(self) -> None:
        """Close and remove what was written so far (nothing to do after a commit)."""
        handle, self._handle = self._handle, None
        temp, self._temp = self._temp, None
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()

    def _open_handle(self) -> IO[str]:
        if self._handle is None:
            raise ExportError(f"Cannot write {self.path}: the file is not open.")
        return self._handle

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """An OS error (a full disk, a directory not writable) discards, and is told as one
        line."""
        try:
            yield
        except OSError as error:
            self.discard()
            raise ExportError(problem_of(error, self.path)) from error


def _json_value(value: Value) -> Value:
    # JSON has no NaN or infinity: a count the server sent as nonsense is unknown (null).
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json(record: dict[str, Value]) -> str:
    # Not ASCII-escaped, so that non-Latin text stays readable; json escapes control characters.
    return json.dumps(record, ensure_ascii=False)


def write_table(path: Path, fmt: Format, table: Table) -> int:
    """Write `table` to `path` whole; returns the rows written."""
    with ExportFile(path, fmt, table.header) as out:
        out.add(table.rows)
        out.commit()
        return out.rows
