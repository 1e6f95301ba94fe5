"""The one table of the app: rows refreshed in place, narrowed by a search, sorted by any column,
and columns that give way by importance when the terminal is narrow.

Every screen's table is a `LiveTable`; a screen declares its columns and hands it rows, and the
keys (`/`, `s`, `S`, home/end) reach the focused table through `app/ui/screens/tables.py`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len, get_character_cell_size
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowKey

ELLIPSIS = "…"
ASCENDING, DESCENDING = "▲", "▼"


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
    if isinstance(cell, PathCell):
        return cell.shortened(width)
    if isinstance(cell, Cell):
        short: Text = Cell(cell, cell.sort_value, justify=cell.justify or "left")
    else:
        short = cell.copy()
    short.truncate(width, overflow="ellipsis")
    return short


def _head(text: Text, width: int) -> Text:
    """The longest start of `text` at most `width` cells wide."""
    used = 0
    for index, character in enumerate(text.plain):
        used += get_character_cell_size(character)
        if used > width:
            return text[:index]
    return text.copy()


def _tail(text: Text, width: int) -> Text:
    """The longest end of `text` at most `width` cells wide."""
    plain = text.plain
    used, start = 0, len(plain)
    while start > 0:
        size = get_character_cell_size(plain[start - 1])
        if used + size > width:
            break
        used += size
        start -= 1
    return text[start:]


def cut_middle(text: Text, width: int) -> Text:
    """`text` at most `width` cells wide, cut in the middle: a path or URL keeps its start and
    its end (`/products/priv…headphones-review`), which say the most about it."""
    if text.cell_len <= width:
        return text
    out = Text(justify=text.justify, no_wrap=text.no_wrap, overflow=text.overflow, style=text.style)
    if width <= 1:
        return out.append(ELLIPSIS[:width])
    head = (width - 1) // 2
    out.append_text(_head(text, head))
    out.append(ELLIPSIS)
    # The end gets the odd cell: a path's last segment names the page.
    out.append_text(_tail(text, width - out.cell_len))
    return out


class PathCell(Cell):
    """A path or URL, or a route of them (`/a → /b`), drawn cut in the middle to whatever width
    its column has: each part keeps both ends. It measures, sorts and searches as all of it."""

    SEPARATOR = " → "

    def __init__(
        self,
        parts: Sequence[Text],
        sort_value: Any = None,
        *,
        justify: str = "left",
        separator: str = SEPARATOR,
    ) -> None:
        whole = Text()
        for index, part in enumerate(parts):
            if index:
                whole.append(separator, style="dim")
            whole.append_text(part)
        super().__init__(whole, sort_value, justify=justify)
        self.parts = tuple(parts)
        self.separator = separator

    @classmethod
    def of(cls, cell: Text) -> PathCell:
        if isinstance(cell, PathCell):
            return cell
        sort_value = cell.sort_value if isinstance(cell, Cell) else None
        return cls([cell], sort_value, justify=cell.justify or "left")

    def fitted(self, width: int) -> Text:
        """As drawn at `width` cells: whole, or each part cut in the middle to a fair share."""
        if self.cell_len <= width:
            return self
        if len(self.parts) == 1:
            return cut_middle(self.parts[0], width)
        room = width - cell_len(self.separator) * (len(self.parts) - 1)
        if room < 3 * len(self.parts):
            # Too narrow to keep each one's ends: the route as one.
            return cut_middle(self, width)
        # Short parts keep all they need; the rest share what is left equally.
        shares: dict[int, int] = {}
        left, todo = room, sorted(range(len(self.parts)), key=lambda i: self.parts[i].cell_len)
        for count, index in enumerate(todo):
            fair = left // (len(todo) - count)
            shares[index] = min(self.parts[index].cell_len, fair)
            left -= shares[index]
        out = Text(justify=self.justify, no_wrap=True, overflow="ellipsis")
        for index, part in enumerate(self.parts):
            if index:
                out.append(self.separator, style="dim")
            out.append_text(cut_middle(part, shares[index]))
        return out

    def shortened(self, width: int) -> PathCell:
        """A PathCell of at most `width` cells that still sorts as the whole."""
        if self.cell_len <= width:
            return self
        fitted = self.fitted(width)
        if len(self.parts) == 1:
            return PathCell([fitted], self.sort_value, justify=self.justify or "left")
        # Split the fitted text back into its parts so that narrower columns cut them again.
        pieces = fitted.split(self.separator, allow_blank=True)
        parts = [p.copy() for p in pieces] if len(pieces) == len(self.parts) else [fitted]
        return PathCell(
            parts, self.sort_value, justify=self.justify or "left", separator=self.separator
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        shown = self.fitted(options.max_width)
        if shown is self:
            yield from super().__rich_console__(console, options)
        else:
            yield from shown.__rich_console__(console, options)


def route(*paths: Text) -> PathCell:
    """Paths one after the other (`entry → exit`), each cut in the middle when room is short."""
    return PathCell(list(paths))


def number(value: int | None, *, missing: str = "…") -> Cell:
    if value is None:
        return Cell(missing, -1, justify="right")
    return Cell(f"{value:,}", value, justify="right")


# The widest a column of server text (a path, an error) is drawn: wider than any terminal
# column it gets, but a 50,000-character path must not be laid out whole.
SERVER_TEXT = 120
# A column that takes the room left is not drawn narrower than this (it keeps its content width).
MIN_FLEX = 8


@dataclass(frozen=True)
class Column:
    """`width` fixes the column's width; without it the column is as wide as its widest cell,
    up to `max_width`: text from the server (labels, paths) can be any length, and one long
    value must not push every other column off screen.

    `priority`: when the table is too narrow for every column, the columns with the lowest
    priority give way first (and come back when there is room); None never gives way.
    `path`: paths and URLs, cut in the middle rather than at the end.
    `flex`: the column's share of the room the others leave (the last column takes all of it
    when no column says); it is not drawn narrower than `min_width`.
    """

    key: str
    label: str
    width: int | None = None
    max_width: int | None = None
    priority: int | None = None
    path: bool = False
    flex: int = 0
    min_width: int | None = None


def _sort_key(cell: object) -> tuple[int, Any]:
    value = cell.sort_value if isinstance(cell, Cell) else str(cell)
    # Mixed types (numbers and "…") must not break sorting: group by type first.
    return (0, value) if isinstance(value, (int, float)) else (1, str(value))


def _searchable(cell: Text) -> bool:
    """Text is searched; numbers (counts, shares, sparklines) are not."""
    return not (isinstance(cell, Cell) and isinstance(cell.sort_value, (int, float)))


Row = tuple[str, Sequence[Text]]


class LiveTable(DataTable[Any]):
    """Rows are replaced by `show()`; nothing is remounted and the cursor stays on its row.

    The table keeps every row it was given and shows those the search matches, in the sort's
    order (or the given order), in the columns that fit.
    """

    def __init__(
        self, columns: Sequence[Column], *, title: str | Text | None = None, **kwargs: Any
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._columns = tuple(columns)
        self._flex = self._flex_shares()
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._rows: dict[str, list[Text]] = {}  # every row given, cut to its columns' widths
        self._haystacks: dict[str, str] = {}  # what a search looks through, per row
        self._query = ""
        self._terms: tuple[str, ...] = ()
        self._shown: tuple[str, ...] = tuple(c.key for c in self._columns)
        self._title = title
        self._ready = False  # the columns are added as the table mounts
        # Rows the server has in all, when the table holds only the pages read so far.
        self.server_total: int | None = None
        if title is not None:
            # A Text: a str title would be read as markup.
            self.border_title = Text(title) if isinstance(title, str) else title

    def _flex_shares(self) -> dict[str, int]:
        shares = {c.key: c.flex for c in self._columns if c.flex > 0}
        if not shares and self._columns and self._columns[-1].width is None:
            shares = {self._columns[-1].key: 1}
        return shares

    # -- columns -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        for column in self._visible_columns():
            self.add_column(self._label(column), key=column.key, width=column.width)
        self._ready = True
        # Rows may have come before the columns (what a screen kept from the last run).
        self._sync_rows(None)

    def on_resize(self) -> None:
        self._fit_columns()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by its column (again: the other way round)."""
        self.sort_by(str(event.column_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Home and End go to the first and last row (the screen's keys), not the left and
        # right edge of a table that never scrolls sideways.
        if action in ("scroll_home", "scroll_end"):
            return False
        return super().check_action(action, parameters)

    def _visible_columns(self) -> list[Column]:
        return [c for c in self._columns if c.key in self._shown]

    @property
    def column_keys(self) -> tuple[str, ...]:
        """The keys of the columns on screen, in order."""
        return tuple(c.key for c in self._visible_columns())

    @property
    def hidden_columns(self) -> tuple[str, ...]:
        """The columns that gave way to a narrow terminal."""
        return tuple(c.key for c in self._columns if c.key not in self._shown)

    def _label(self, column: Column) -> Text:
        if column.key != self.sort_column:
            return Text(column.label)
        return Text(f"{column.label} {self.arrow}".strip())

    @property
    def arrow(self) -> str:
        return DESCENDING if self.sort_reverse else ASCENDING

    def _natural(self, column: Column, index: int) -> int:
        """The width the column asks for: its fixed width or its widest cell, and its label."""
        # A table without a header (a dashboard panel) has no label to make room for.
        label = self._label(column).cell_len if self.show_header else 0
        if column.width is not None:
            return max(column.width, label) if column.key == self.sort_column else column.width
        widest = max((row[index].cell_len for row in self._rows.values()), default=0)
        return max(widest, label)

    def _fit_columns(self) -> None:
        """Choose the columns that fit (by priority) and give the flexible ones the rest."""
        if not self._ready:
            return
        pad = 2 * self.cell_padding
        # One cell stays free beside the scrollbar.
        room = self._width_for_columns() - 1
        naturals = {c.key: self._natural(c, i) for i, c in enumerate(self._columns)}

        def needs(column: Column) -> int:
            if column.key in self._flex:
                return pad + min(naturals[column.key], column.min_width or MIN_FLEX)
            return pad + naturals[column.key]

        shown = list(self._columns)
        if room > 0:
            while sum(needs(c) for c in shown) > room:
                droppable = [c for c in shown if c.priority is not None]
                if not droppable:
                    break
                # The least important first; of equals, the rightmost.
                weakest = min(reversed(droppable), key=lambda c: c.priority or 0)
                shown.remove(weakest)
        widths = {c.key: naturals[c.key] for c in shown}
        flexible = [c for c in shown if c.key in self._flex]
        if flexible:
            fixed = sum(pad + widths[c.key] for c in shown if c.key not in self._flex)
            left = room - fixed - pad * len(flexible)
            if left >= sum(c.min_width or MIN_FLEX for c in flexible):
                shares = sum(self._flex[c.key] for c in flexible)
                rest = left
                for index, column in enumerate(flexible):
                    last = index == len(flexible) - 1
                    widths[column.key] = rest if last else left * self._flex[column.key] // shares
                    rest -= widths[column.key]
        keys = tuple(c.key for c in shown)
        if keys != self._shown or list(self.columns) != [ColumnKey(k) for k in keys]:
            self._shown = keys
            self._rebuild(widths)
            return
        changed = False
        for column in shown:
            current = self.columns.get(ColumnKey(column.key))
            if current is None:
                continue
            label = self._label(column)
            if current.auto_width or current.width != widths[column.key] or current.label != label:
                current.auto_width = False
                current.width = widths[column.key]
                current.label = label
                changed = True
        if changed:
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()

    def _width_for_columns(self) -> int:
        """The width inside the scrollbar the rows will have. Worked out from the rows rather
        than read from the scrollbar on screen, which comes a frame after the rows: the same
        rows at the same size always get the same columns."""
        width = self.content_region.width
        overflow = self.styles.overflow_y
        rows = sum(1 for key in self._rows if self._matches(key))
        header = self.header_height if self.show_header else 0
        scrolls = rows + header > self.content_region.height
        if overflow == "scroll" or (overflow == "auto" and scrolls):
            width -= self.styles.scrollbar_size_vertical
        return width

    def _rebuild(self, widths: Mapping[str, int]) -> None:
        """Other columns fit: the table is built again with them, cursor and rows kept."""
        keep = self.selected_key
        with self.app.batch_update():
            self.clear(columns=True)
            for column in self._visible_columns():
                self.add_column(self._label(column), key=column.key, width=widths[column.key])
            self._sync_rows(keep)
        if self.row_count:
            # Built again from the top: the cursor's row is brought back into view.
            self.move_cursor(row=self.cursor_row, animate=False)

    # -- rows --------------------------------------------------------------------------------

    @property
    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return row_key.value

    @property
    def total(self) -> int:
        """Rows held, whether the search shows them or not."""
        return len(self._rows)

    def show(self, rows: Sequence[Row], *, extra: Mapping[str, str] | None = None) -> None:
        """Make the table hold exactly `rows` (key, a cell per declared column), changing only
        what changed. `extra`: more text a search finds a row by (a journey's pages)."""
        extra = extra or {}
        self._rows = {key: self._prepare(cells) for key, cells in rows}
        self._haystacks = {
            key: " ".join(
                [
                    *(cell.plain for cell in cells if _searchable(cell)),
                    extra.get(key, ""),
                ]
            ).casefold()
            for key, cells in rows
        }
        self._fit_columns()
        self._sync_rows(self.selected_key)

    def _prepare(self, cells: Sequence[Text]) -> list[Text]:
        prepared: list[Text] = []
        for column, cell in zip(self._columns, cells, strict=False):
            if column.path:
                cell = PathCell.of(cell)
            # Cut before comparing, so that an unchanged long value is not "changed" every
            # refresh.
            prepared.append(cut(cell, column.max_width))
        return prepared

    def _matches(self, key: str) -> bool:
        haystack = self._haystacks.get(key, "")
        return all(term in haystack for term in self._terms)

    def _order(self) -> list[str]:
        keys = [key for key in self._rows if self._matches(key)]
        column = self.sort_column
        index = next((i for i, c in enumerate(self._columns) if c.key == column), None)
        if index is None:
            return keys
        # Stable: rows that sort alike keep the order they were given in (the server's).
        return sorted(
            keys, key=lambda key: _sort_key(self._rows[key][index]), reverse=self.sort_reverse
        )

    def _sync_rows(self, keep: str | None) -> None:
        """Bring the DataTable in line with the rows, the search and the sort."""
        if not self._ready:
            return
        order = self._order()
        wanted = set(order)
        indexes = [i for i, c in enumerate(self._columns) if c.key in self._shown]
        keys = self.column_keys
        changed = False
        with self.app.batch_update():
            for row_key in [k for k in self.rows if k.value not in wanted]:
                self.remove_row(row_key)
                changed = True
            for key in order:
                cells = [self._rows[key][i] for i in indexes]
                if key in self.rows:
                    current = self.get_row(key)
                    for column, old, new in zip(keys, current, cells, strict=True):
                        if (
                            not isinstance(old, Text)
                            or type(old) is not type(new)
                            or old.plain != new.plain
                            or old.spans != new.spans
                        ):
                            self.update_cell(key, column, new)
                            changed = True
                else:
                    self.add_row(*cells, key=key)
                    changed = True
            if order != self.row_keys_in_order():
                self._arrange(order)
                changed = True
            if keep is not None and keep in self.rows:
                row = self.get_row_index(keep)
                if row != self.cursor_row:
                    self.move_cursor(row=row, animate=False, scroll=False)
        if changed:
            # DataTable keys its render caches by an update counter, so every refresh leaves
            # entries nobody reads again until the caches fill (tens of MB over a day): drop them.
            self._clear_caches()
        self._retitle()

    def _arrange(self, order: Sequence[str]) -> None:
        first = self.column_keys[0]
        # DataTable sorts by cell values: each row's first cell, as its own object, says where
        # its row goes (a cell object that two rows share is given to one of them as a copy).
        by_cell: dict[int, int] = {}
        for index, key in enumerate(order):
            cell = self.get_cell(key, first)
            if id(cell) in by_cell:
                cell = copy.copy(cell)
                self.update_cell(key, first, cell)
            by_cell[id(cell)] = index
        self.sort(first, key=lambda cell: by_cell[id(cell)])

    @property
    def declared_columns(self) -> tuple[Column, ...]:
        """Every column, shown or given way."""
        return self._columns

    def shown_rows(self) -> list[tuple[str, list[Text]]]:
        """The rows on screen (the search applies), in their order, with a cell for every
        declared column, including those that gave way (for an export)."""
        return [
            (key, list(self._rows[key])) for key in self.row_keys_in_order() if key in self._rows
        ]

    def row_keys_in_order(self) -> list[str]:
        ordered = sorted(self.rows, key=lambda k: self.get_row_index(k))
        return [str(k.value) for k in ordered]

    def key_at(self, row: int) -> RowKey | None:
        try:
            return self.coordinate_to_cell_key((row, 0))[0]  # type: ignore[arg-type]
        except CellDoesNotExist:
            return None

    # -- search ------------------------------------------------------------------------------

    @property
    def search_query(self) -> str:
        return self._query

    def search(self, query: str) -> None:
        """Show only the rows whose text holds every word of `query` (any case); "" shows all.
        The cursor stays on its row while that row matches."""
        query = " ".join(query.split())
        if query == self._query:
            return
        self._query = query
        self._terms = tuple(query.casefold().split())
        # Fewer rows may need no scrollbar, and the columns get its room.
        self._fit_columns()
        self._sync_rows(self.selected_key)

    def search_note(self) -> Text | None:
        """`3 of 80 match “blog”`, or None without a search; says when only part of the rows
        the server has are held."""
        if not self._query:
            return None
        held = self.total
        text = Text(f"{self.row_count:,} of ")
        if self.server_total is not None and self.server_total > held:
            text.append(f"the {held:,} loaded")
        else:
            text.append(f"{held:,}")
        text.append(" match “").append(self._query).append("”")
        return text

    @property
    def title(self) -> str | Text | None:
        return self._title

    @title.setter
    def title(self, value: str | Text | None) -> None:
        self._title = value
        self._retitle()

    def _retitle(self) -> None:
        """A bordered table's title says what the search and (without a header) the sort are."""
        if self._title is None:
            return
        title = Text(self._title) if isinstance(self._title, str) else self._title.copy()
        note = self.search_note()
        if note is not None:
            title.append(" · ").append_text(note)
        if not self.show_header and self.sort_column is not None:
            title.append(f" · by {self.sort_label} {self.arrow}")
        # A Text, not a str: a str title is parsed as markup, and the query is the user's.
        self.border_title = title

    # -- sort --------------------------------------------------------------------------------

    @property
    def sort_label(self) -> str:
        return next((c.label for c in self._columns if c.key == self.sort_column), "")

    def sort_by(self, column: str, *, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else self._numeric(column)
        self.sort_column, self.sort_reverse = column, reverse
        self._fit_columns()
        self._sync_rows(self.selected_key)

    def sortable(self) -> list[Column]:
        """The columns `s` goes through: those on screen with a name."""
        return [c for c in self._visible_columns() if c.label]

    def sort_next(self) -> str | None:
        """`s`: sort by the column after the current one; its label, or None when there is no
        other column to sort by."""
        order = [c.key for c in self.sortable()]
        current = self.sort_column
        if not order or (len(order) == 1 and current in order):
            return None
        following = order[(order.index(current) + 1) % len(order)] if current in order else order[0]
        self.sort_by(following)
        return self.sort_label

    def reverse_sort(self) -> str | None:
        """`S`: the current sort the other way round (unsorted: the first column, backwards);
        the column's label, or None when nothing can be sorted."""
        if self.sort_column is None:
            order = self.sortable()
            if not order:
                return None
            first = order[0].key
            self.sort_by(first, reverse=not self._numeric(first))
        else:
            self.sort_by(self.sort_column, reverse=not self.sort_reverse)
        return self.sort_label

    def _numeric(self, column: str) -> bool:
        """Numbers sort largest first by default, text A to Z."""
        index = next((i for i, c in enumerate(self._columns) if c.key == column), None)
        if index is None:
            return False
        for cells in self._rows.values():
            cell = cells[index]
            return isinstance(cell, Cell) and isinstance(cell.sort_value, (int, float))
        return False

    # -- moving ------------------------------------------------------------------------------

    def first(self) -> bool:
        """The cursor on the first row; False when there is none."""
        if not self.row_count:
            return False
        self.move_cursor(row=0, animate=False)
        return True

    def last(self) -> bool:
        """The cursor on the last row; False when there is none."""
        if not self.row_count:
            return False
        self.move_cursor(row=self.row_count - 1, animate=False)
        return True
