"""A DataTable that refreshes in place: rows diffed by key, cursor kept on its row, sortable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowKey


class Cell(Text):
    """Text shown in a cell, with the value it sorts by (numbers sort as numbers)."""

    def __init__(self, text: str | Text, sort_value: Any = None, *, justify: str = "left") -> None:
        if isinstance(text, Text):
            super().__init__(justify=justify, no_wrap=True, overflow="ellipsis")  # type: ignore[arg-type]
            self.append_text(text)
        else:
            super().__init__(text, justify=justify, no_wrap=True, overflow="ellipsis")  # type: ignore[arg-type]
        self.sort_value = sort_value if sort_value is not None else self.plain.casefold()


def cut(cell: Text, width: int | None) -> Text:
    """The cell at most `width` cells wide, ending in an ellipsis if it was longer.

    The cut is a copy: the caller's cell stays whole, and a Cell keeps its sort value, so that
    a cut label still sorts by all of its text.
    """
    if width is None or cell.cell_len <= width:
        return cell
    if isinstance(cell, Cell):
        short: Text = Cell(cell, cell.sort_value, justify=cell.justify or "left")
    else:
        short = cell.copy()
    short.truncate(width, overflow="ellipsis")
    return short


def number(value: int | None, *, missing: str = "…") -> Cell:
    if value is None:
        return Cell(missing, -1, justify="right")
    return Cell(f"{value:,}", value, justify="right")


# The widest a column of server text (a path, an error) is drawn: wider than any terminal
# column it gets, but a 50,000-character path must not be laid out whole.
SERVER_TEXT = 120


@dataclass(frozen=True)
class Column:
    """`width` fixes the column's width; without it the column is as wide as its widest cell,
    up to `max_width`: text from the server (labels, paths) can be any length, and one long
    value must not push every other column off screen."""

    key: str
    label: str
    width: int | None = None
    max_width: int | None = None


def _sort_key(cell: object) -> tuple[int, Any]:
    value = cell.sort_value if isinstance(cell, Cell) else str(cell)
    # Mixed types (numbers and "…") must not break sorting: group by type first.
    return (0, value) if isinstance(value, (int, float)) else (1, str(value))


class LiveTable(DataTable[Any]):
    """Rows are replaced by `show()`; nothing is remounted and the cursor stays on its row."""

    def __init__(self, columns: Sequence[Column], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._columns = tuple(columns)
        self._max_widths = [column.max_width for column in self._columns]
        self.sort_column: str | None = None
        self.sort_reverse = False

    def on_mount(self) -> None:
        for column in self._columns:
            self.add_column(column.label, key=column.key, width=column.width)

    def on_resize(self) -> None:
        self.fit_last_column()

    def fit_last_column(self) -> None:
        """Give the last column (long text: paths, referrers) whatever width is left."""
        if not self._columns or self._columns[-1].width is not None:
            return
        last = self.columns.get(self._columns[-1].key)  # type: ignore[call-overload]
        if last is None:
            return
        others = sum(c.get_render_width(self) for key, c in self.columns.items() if c is not last)
        # Each column carries one cell of padding on both sides; keep one for the scrollbar.
        room = self.scrollable_content_region.width - others - 2 * self.cell_padding - 1
        if room >= 8 and (last.auto_width or last.width != room):
            last.auto_width = False
            last.width = room
            self._require_update_dimensions = True
            self.refresh()

    @property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self._columns)

    @property
    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return row_key.value

    def show(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        """Make the table hold exactly `rows` (key, cells), changing only what changed."""
        keep = self.selected_key
        # Cut before comparing, so that an unchanged long value is not "changed" every refresh.
        rows = [(key, self._cut(cells)) for key, cells in rows]
        wanted = {key for key, _ in rows}
        changed = False
        with self.app.batch_update():
            for row_key in [k for k in self.rows if k.value not in wanted]:
                self.remove_row(row_key)
                changed = True
            for key, cells in rows:
                if key in self.rows:
                    current = self.get_row(key)
                    for column, old, new in zip(self.column_keys, current, cells, strict=True):
                        if (
                            not isinstance(old, Text)
                            or old.plain != new.plain
                            or old.spans != new.spans
                        ):
                            self.update_cell(key, column, new, update_width=True)
                            changed = True
                else:
                    self.add_row(*cells, key=key)
                    changed = True
            if changed:
                self._apply_sort(keep)
                self.fit_last_column()
        if changed:
            # DataTable keys its render caches by an update counter, so every refresh leaves
            # entries nobody reads again until the caches fill (tens of MB over a day): drop them.
            self._clear_caches()
            # Auto-width columns take their new widths on the next refresh: fit again then.
            self.call_after_refresh(self.fit_last_column)

    def _cut(self, cells: Sequence[Text]) -> Sequence[Text]:
        limits = self._max_widths
        if not any(limits):
            return cells
        return [cut(cell, limits[i]) if i < len(limits) else cell for i, cell in enumerate(cells)]

    def sort_by(self, column: str, *, reverse: bool | None = None) -> None:
        keep = self.selected_key
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else self._numeric(column)
        self.sort_column, self.sort_reverse = column, reverse
        self._apply_sort(keep)

    def sort_next(self) -> str:
        """`s`: sort by the column after the current one; returns its label, to tell the user."""
        order = [c.key for c in self._columns]
        current = self.sort_column
        following = order[(order.index(current) + 1) % len(order)] if current in order else order[0]
        self.sort_by(following)
        return next(c.label for c in self._columns if c.key == following)

    def reverse_sort(self) -> None:
        """`S`: the current sort, the other way round."""
        if self.sort_column:
            self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    def _numeric(self, column: str) -> bool:
        """Numbers sort largest first by default, text A to Z."""
        for key in self.rows:
            cell = self.get_cell(key, column)
            return isinstance(cell, Cell) and isinstance(cell.sort_value, (int, float))
        return False

    def _apply_sort(self, keep: str | None) -> None:
        if self.sort_column is not None and self.row_count:
            self.sort(self.sort_column, key=_sort_key, reverse=self.sort_reverse)
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep), animate=False, scroll=False)

    def row_keys_in_order(self) -> list[str]:
        ordered = sorted(self.rows, key=lambda k: self.get_row_index(k))
        return [str(k.value) for k in ordered]

    def key_at(self, row: int) -> RowKey | None:
        try:
            return self.coordinate_to_cell_key((row, 0))[0]  # type: ignore[arg-type]
        except CellDoesNotExist:
            return None
