"""`e`: every row of a table or panel to a CSV or JSON file.

The dialog asks where (a name in the current directory, ready to take with enter) and in which
format, then writes: a table's rows at once, a list the server pages (a full-screen panel, the
leaderboard) a page at a time with a progress bar, through the live layer. Escape cancels, and
a cancelled or failed export leaves no file behind (`app/export.py` writes beside the target and
renames when done). What went wrong is one line in the dialog, which stays open to try again.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, ProgressBar, RadioButton, RadioSet, Static
from textual.worker import Worker

from app.api import ApiError
from app.export import (
    ExportError,
    ExportFile,
    Format,
    Table,
    Value,
    default_directory,
    default_name,
    target,
)
from app.live.export import Progress, ServerList
from app.opener import Selection
from app.ui.text import clean
from app.ui.widgets.table import Cell, LiveTable

HINT = "enter: write · tab: CSV or JSON · escape: cancel"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Export:
    """What `e` writes: rows held (a table on screen) or a list the server pages."""

    what: str  # names the file and the dialog: "sites", "pages", "leaderboard"
    source: Table | ServerList
    site: str | None = None  # the site's label, for the file name


# -- a table on screen, as data --------------------------------------------------------------------


def cell_value(cell: object) -> Value:
    """A cell's plain text, or its number when the text is just that number written out."""
    plain = cell.plain if isinstance(cell, Text) else str(cell)
    if isinstance(cell, Cell):
        number = cell.sort_value
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            with contextlib.suppress(ValueError):
                written = float(plain.replace(",", ""))
                if written == number:
                    return int(written) if isinstance(number, int) else written
    return plain


def table_rows(table: LiveTable) -> Table:
    """The rows the table shows (its search applies), in their order, with every column,
    including those that gave way to a narrow terminal."""
    header = tuple(column.key for column in table.declared_columns)
    rows = tuple(tuple(cell_value(cell) for cell in cells) for _, cells in table.shown_rows())
    return Table(header, rows)


def table_export(table: LiveTable, site: str | None) -> Export:
    what = str(table.id or "table").removeprefix("panel-")
    return Export(what, table_rows(table), site)


def row_selection(table: LiveTable) -> Selection | None:
    """The selected row as text, its cells separated by tabs (a table with no address in it)."""
    key = table.selected_key
    if key is None:
        return None
    cells = [clean(str(cell_value(c))) for c in table.get_row(key)]
    return Selection("row", "\t".join(cells))


# -- the dialog ------------------------------------------------------------------------------------


class ExportScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    #export-dialog {
        width: 90%; max-width: 100; height: auto;
        border: round $accent; padding: 0 1; background: $surface;
    }
    #export-title { text-style: bold; margin-bottom: 1; }
    #export-format { height: auto; width: auto; border: none; padding: 0; layout: horizontal; }
    #export-format RadioButton { width: auto; margin-right: 2; }
    #export-progress { margin-top: 1; }
    #export-status { margin-top: 1; color: $text-muted; }
    #export-status.-error { color: $error; }
    """

    def __init__(self, export: Export, now: datetime) -> None:
        super().__init__()
        self.export = export
        self.now = now
        self._worker: Worker[None] | None = None
        self._replace: Path | None = None  # an existing file the user was told of once

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Static(self._title(), id="export-title")
            yield Input(str(self._default(Format.CSV)), id="export-path")
            with RadioSet(id="export-format"):
                yield RadioButton("CSV", value=True, id="export-csv")
                yield RadioButton("JSON", id="export-json")
            yield ProgressBar(id="export-progress", show_eta=False)
            yield Static(HINT, id="export-status")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        path = self.query_one("#export-path", Input)
        path.focus()
        # The name is what one changes, if anything: the cursor at its end (once the field has
        # its width, so that the end is what shows), nothing selected.
        self.call_after_refresh(path.action_end)

    def _title(self) -> Text:
        export = self.export
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"Export {export.what}")
        if export.site:
            title.append(" of ").append(clean(export.site))
        if isinstance(export.source, Table):
            title.append(f": {len(export.source.rows):,} rows")
        else:
            title.append(": every row, read from the server")
        return title

    def _default(self, fmt: Format) -> Path:
        return default_directory() / self._file_name(fmt)

    def _file_name(self, fmt: Format) -> str:
        return default_name(self.export.site, self.export.what, self.now.astimezone(), fmt)

    @property
    def chosen_format(self) -> Format:
        json = self.query_one("#export-json", RadioButton)
        return Format.JSON if json.value else Format.CSV

    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.is_finished

    # -- the user's choices ---------------------------------------------------------------------

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self) -> None:
        # The file name follows the format, if it had the other one's suffix.
        path = self.query_one("#export-path", Input)
        typed = Path(path.value)
        if Format.of(typed) not in (None, self.chosen_format):
            path.value = str(typed.with_suffix(self.chosen_format.suffix))
        path.focus()

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        # A typed suffix picks the format.
        wanted = Format.of(Path(event.value.strip()))
        if wanted is not None and wanted is not self.chosen_format:
            button = "#export-json" if wanted is Format.JSON else "#export-csv"
            self.query_one(button, RadioButton).value = True

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.running:
            return
        fmt = self.chosen_format
        try:
            path = target(event.value, self._file_name(fmt), fmt)
        except ExportError as error:
            self._say(error.message, error=True)
            return
        if path.exists() and path != self._replace:
            if path.is_dir() or not path.is_file():
                self._say(f"Cannot write {path}: it is not a file.", error=True)
                return
            self._replace = path
            self._say(f"{path} exists: enter again to replace it.", error=True)
            return
        self._start(path, fmt)

    async def action_cancel(self) -> None:
        worker = self._worker
        if worker is not None and not worker.is_finished:
            worker.cancel()
            # The file in progress is removed as the cancel unwinds: wait for it.
            with contextlib.suppress(Exception):
                await worker.wait()
            self.app.notify("Export cancelled: no file written.", timeout=4)
        self.dismiss(None)

    # -- writing --------------------------------------------------------------------------------

    def _start(self, path: Path, fmt: Format) -> None:
        self.query_one("#export-path", Input).disabled = True
        self.query_one(RadioSet).disabled = True
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = not isinstance(self.export.source, Table)
        self._say(f"writing {path.name}…  (escape cancels)")
        self._worker = self._write(path, fmt)

    @work(exclusive=True, group="export", exit_on_error=False)
    async def _write(self, path: Path, fmt: Format) -> None:
        source = self.export.source
        try:
            with ExportFile(path, fmt, source.header) as out:
                if isinstance(source, Table):
                    out.add(source.rows)
                else:
                    async for chunk in source.chunks():
                        out.add(chunk.rows)
                        self._progress(chunk.progress)
                out.commit()
                rows = out.rows
        except (ExportError, ApiError) as error:
            self._failed(error.message)
            return
        except Exception as error:
            # A bug: logged with its traceback, one line here, and the dialog lives on.
            log.error("export failed", exc_info=error)
            self._failed(f"Internal error: {type(error).__name__}: {error}.")
            return
        self.app.notify(f"Wrote {rows:,} rows to {clean(str(path))}", timeout=8, markup=False)
        self.dismiss(None)

    def _progress(self, progress: Progress) -> None:
        self.query_one(ProgressBar).update(total=progress.total, progress=progress.rows)
        self._say(f"{progress.rows:,} of {progress.total:,} rows…  (escape cancels)")

    def _failed(self, message: str) -> None:
        self.query_one(ProgressBar).display = False
        path = self.query_one("#export-path", Input)
        path.disabled = False
        self.query_one(RadioSet).disabled = False
        path.focus()
        self._say(f"{message} Nothing was written.", error=True)

    def _say(self, line: str, *, error: bool = False) -> None:
        status = self.query_one("#export-status", Static)
        status.update(Text(clean(line), no_wrap=True, overflow="ellipsis"))
        status.set_class(error, "-error")
