"""The table keys every screen shares: `/` search, `s`/`S` sort, home/end and g/G first and last
row. They act on the focused table (a `LiveTable` does the work); a key that cannot act says why
in one line instead of doing nothing.

A screen mixes `TableKeys` in before its base (`class SitesScreen(TableKeys, LiveScreen[...])`),
lists the bindings it wants (`TABLE_BINDINGS`, with `hidden()` for those the footer has no room
for) and, for a search, composes a `SearchBox`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar, TypeVar

from textual import on
from textual.binding import Binding
from textual.widgets import Input

from app.live.ranges import RangeKind
from app.ui import keys
from app.ui.screens.base import LiveScreen
from app.ui.text import clean
from app.ui.widgets.search import SearchBox
from app.ui.widgets.table import LiveTable

# `/`, `s`, `S`, first and last row, and escape to clear the search (`enter` is each screen's).
TABLE_BINDINGS: tuple[Binding, ...] = tuple(b for b in keys.TABLES.bindings if b.id != "open")
# The range keys, on screens that have no range: they say why rather than nothing.
RANGE_KEYS: tuple[Binding, ...] = tuple(
    b for b in keys.RANGES.bindings if b.id is not None and b.id.startswith("range.")
)


T = TypeVar("T")


def hidden(bindings: Iterable[Binding]) -> tuple[Binding, ...]:
    """The same bindings (ids and keys, so the keymap still reaches them), out of the footer."""
    return tuple(replace(b, show=False) for b in bindings)


class TableKeys(LiveScreen[T]):
    """The actions behind TABLE_BINDINGS, for a screen with one or more LiveTables."""

    # What a range key says on a screen without ranges ("the leaderboard counts all time").
    RANGE_REASON: ClassVar[str] = "This screen has no time range."
    # Whether typing narrows the table at once; False where enter asks the server instead.
    NARROW_AS_TYPED: ClassVar[bool] = True

    _searched: LiveTable | None = None

    def refuse(self, reason: str) -> None:
        """One line saying why a key did nothing."""
        self.notify(reason, timeout=3, markup=False)

    def action_range(self, code: str) -> None:
        self.refuse(self.RANGE_REASON)

    def action_range_dialog(self) -> None:
        self.refuse(self.RANGE_REASON)

    def action_compare(self) -> None:
        self.refuse(self.RANGE_REASON)

    # -- which table -----------------------------------------------------------------------------

    def _table_or_say(self, key: str) -> LiveTable | None:
        table = self.target_table()
        if table is None:
            self.refuse(f"Move to a table (tab), then press {key}.")
        return table

    # -- search ----------------------------------------------------------------------------------

    @property
    def search_box(self) -> SearchBox | None:
        boxes = self.query(SearchBox)
        return boxes.first() if boxes else None

    @property
    def searched_table(self) -> LiveTable | None:
        """The table the search box narrows (None before any search)."""
        return self._searched

    def search_chip(self) -> str | None:
        """The search, for the status line."""
        table = self._searched
        return f"/{table.search_query}" if table is not None and table.search_query else None

    def action_search(self) -> None:
        table = self._table_or_say("/")
        if table is None:
            return
        box = self.search_box
        if box is None:
            self.search_elsewhere(table)
            return
        self.open_search(table)

    def open_search(self, table: LiveTable) -> None:
        """The search box, narrowing `table`."""
        box = self.search_box
        if box is None:
            return
        previous = self._searched
        if previous is not None and previous is not table and previous.search_query:
            # One search box: the search moves to this table.
            previous.search("")
            self.searched(previous)
            box.value = ""
        self._searched = table
        box.open()

    def search_elsewhere(self, table: LiveTable) -> None:
        """`/` on a screen without a search box."""
        self.refuse("This table cannot be searched.")

    def searched(self, table: LiveTable) -> None:
        """The search of `table` changed: redraw what tells of it (titles, the status line)."""
        self.status_changed()

    def search_submitted(self, table: LiveTable, query: str) -> None:
        """Enter in the search box: the search stays, the table gets the focus back."""
        if not query:
            box = self.search_box
            if box is not None:
                box.display = False
        table.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        table = self._searched
        if table is not None and self.NARROW_AS_TYPED:
            table.search(clean(event.value))
            self.searched(table)

    @on(Input.Submitted, "#search")
    def _search_done(self, event: Input.Submitted) -> None:
        table = self._searched
        if table is not None:
            self.search_submitted(table, clean(event.value).strip())

    def action_clear_search(self) -> None:
        box = self.search_box
        if box is None:
            return
        box.close()
        table = self._searched
        if table is not None:
            table.search("")
            table.focus()
            self.searched(table)
            self.search_cleared(table)

    def search_cleared(self, table: LiveTable) -> None:
        """Escape emptied the search of `table`."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_search":
            # Nothing to clear: escape goes on to the screen's next use of it (back, unfilter).
            box = self.search_box
            return box is not None and (box.display or bool(box.value))
        return super().check_action(action, parameters)

    # -- sort ------------------------------------------------------------------------------------

    def action_sort_next(self) -> None:
        table = self._table_or_say("s")
        if table is not None:
            self._say_sort(table, table.sort_next())

    def action_sort_reverse(self) -> None:
        table = self._table_or_say("S")
        if table is not None:
            self._say_sort(table, table.reverse_sort())

    def _say_sort(self, table: LiveTable, label: str | None) -> None:
        if label is None:
            self.refuse("Nothing else to sort by: this table has one column.")
            return
        words = f"sorted by {label} {table.arrow}"
        if table.server_total is not None and table.server_total > table.total:
            words += f" (the {table.total:,} rows loaded of {table.server_total:,})"
        self.notify(words, timeout=2, markup=False)
        self.sort_changed(table)

    def sort_changed(self, table: LiveTable) -> None:
        """The sort of `table` changed."""

    # -- first and last row ----------------------------------------------------------------------

    def action_first(self) -> None:
        table = self._table_or_say("home")
        if table is not None and not self.to_first(table):
            self.refuse("No rows yet.")

    def action_last(self) -> None:
        table = self._table_or_say("end")
        if table is not None and not self.to_last(table):
            self.refuse("No rows yet.")

    def to_first(self, table: LiveTable) -> bool:
        return table.first()

    def to_last(self, table: LiveTable) -> bool:
        return table.last()


class RangedKeys(TableKeys[T]):
    """The range keys of a screen that has a range: `t` `w` `m` `y` pick a preset, `d` opens the
    dates dialog, `v` switches what the period is compared with."""

    def action_range(self, code: str) -> None:
        self.state.set_range(RangeKind(code))
        self.range_changed()

    def action_range_dialog(self) -> None:
        from app.ui.screens.range_dialog import open_range_dialog

        open_range_dialog(self)

    def action_compare(self) -> None:
        from app.ui.screens.range_dialog import comparison_words

        self.state.toggle_compare()
        self.notify(f"Compared with {comparison_words(self.state)}.", timeout=3)
        self.range_changed()

    def range_changed(self) -> None:
        """The range or the comparison changed: ask for it now, even while paused."""
        self.ask()
