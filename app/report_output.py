"""How a report reaches stdout: a table for people, CSV or JSON for programs.

`table` is drawn with Rich (plain text when not on a terminal), `csv` has one header row then one
row per record, `json` is a list of objects. Server text goes out as data, never as markup or
escape sequences: table cells are literal Text with control characters replaced, CSV cells pass
through `app.csvsafe`, and JSON escapes what a terminal could act on.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from typing import Literal, TextIO

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from app.csvsafe import csv_cell
from app.live.report import Table, Value
from app.ui.text import clean

Format = Literal["table", "csv", "json"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json")

# Characters JSON may carry raw but a terminal acts on (C1 controls, bidi overrides): written
# as \u escapes, which every JSON reader turns back into the same string.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The report's moments (`2026-11-20T14:30:00Z`), shown shorter in a table: its title says UTC.
_STAMP = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d)Z")
# A column whose cells run longer than this wraps; text may be cut this narrow to fit.
PROSE = 120
NARROW = 16
# A record with this many columns or more reads better as field/value lines on a terminal.
_TALL_FROM = 6


def default_format(stream: TextIO) -> Format:
    """A table for a person at a terminal, CSV for whatever reads a pipe or a file."""
    try:
        return "table" if stream.isatty() else "csv"
    except (AttributeError, ValueError):  # a closed or unusual stream
        return "csv"


def write(table: Table, fmt: Format, stream: TextIO) -> None:
    if fmt == "json":
        stream.write(as_json(table) + "\n")
    elif fmt == "csv":
        write_csv(table, stream)
    else:
        write_table(table, stream)


def as_json(table: Table) -> str:
    text = json.dumps(table.as_dicts(), ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_csv(table: Table, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(table.header)
    for record in table.records:
        writer.writerow([csv_cell(value) for value in record])


def write_table(table: Table, stream: TextIO) -> None:
    console = Console(file=stream, highlight=False, emoji=False, markup=False)
    words = clean(table.title)
    if any(_STAMP.fullmatch(v) for r in table.records for v in r if isinstance(v, str)):
        words += " · times in UTC" if words else "times in UTC"
    title = Text(words, style="bold") if words else None
    if len(table.records) == 1 and len(table.header) >= _TALL_FROM:
        # One wide record (the summary, the monitor): a line per field fits any terminal.
        grid = RichTable(title=title, title_justify="left", show_header=False, box=None)
        grid.add_column(style="bold")
        grid.add_column()
        for name, value in zip(table.header, table.records[0], strict=True):
            grid.add_row(Text(name), cell(name, value))
        console.print(grid)
        return
    columns = [[cell(name, r[i]) for r in table.records] for i, name in enumerate(table.header)]
    shown = _fitting(table.header, columns, console.width)
    header, columns = table.header[:shown], columns[:shown]
    widths = _widths(header, columns, console.width)
    rich_table = RichTable(title=title, title_justify="left")
    for index, name in enumerate(header):
        numeric = any(_numeric(record[index]) for record in table.records)
        # Prose (insights) wraps; anything shorter is one line, cut with an ellipsis.
        prose = any(cell.cell_len > PROSE for cell in columns[index])
        rich_table.add_column(
            Text(name),
            justify="right" if numeric else "left",
            no_wrap=not prose,
            overflow="fold" if prose else "ellipsis",
            width=widths[index],
        )
    for row in zip(*columns, strict=True):
        rich_table.add_row(*row)
    if shown < len(table.header):
        rich_table.caption = (
            f"{len(table.header) - shown} more columns with --format csv or json: "
            + ", ".join(table.header[shown:])
        )
    elif not table.records:
        rich_table.caption = "no rows"
    console.print(rich_table)


def _fitting(header: Sequence[str], columns: Sequence[Sequence[Text]], width: int) -> int:
    """How many columns, from the first, fit in `width` (two at least). Text may be cut to
    NARROW characters; numbers and times are never cut."""
    used = 1  # the left border
    for index, (name, cells) in enumerate(zip(header, columns, strict=True)):
        need = _width(name, cells) if _uncut(cells) else min(_width(name, cells), NARROW)
        used += need + 3  # the padding either side and the border
        if used > width and index >= 2:
            return index
    return len(header)


def _widths(header: Sequence[str], columns: Sequence[Sequence[Text]], width: int) -> list[int]:
    """Each column's width: numbers and times whole, the room left shared among the text
    columns, the narrowest served first, none wider than its widest cell."""
    natural = [_width(name, cells) for name, cells in zip(header, columns, strict=True)]
    text = [i for i, cells in enumerate(columns) if not _uncut(cells)]
    room = width - 1 - 3 * len(header) - sum(w for i, w in enumerate(natural) if i not in text)
    widths = list(natural)
    for done, index in enumerate(sorted(text, key=natural.__getitem__)):
        fair = room // (len(text) - done)
        widths[index] = max(min(NARROW, natural[index]), min(natural[index], fair))
        room -= widths[index]
    return widths


def _width(name: str, cells: Sequence[Text]) -> int:
    return max([len(name), *(c.cell_len for c in cells)])


def _uncut(cells: Sequence[Text]) -> bool:
    """Numbers and times (whatever starts with a digit or a minus), and blanks."""
    return all(c.plain == "–" or c.plain[:1].isdigit() or c.plain[:1] == "-" for c in cells)


def cell(column: str, value: Value) -> Text:
    """How one value reads in the terminal's table."""
    if value is None:
        return Text("–", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, int):
        # Ids are typed after `--site`: no thousands separator.
        return Text(str(value) if column == "id" or column.endswith("_id") else f"{value:,}")
    if isinstance(value, float):
        # As the report has it (shares are rounded to a tenth there); no second rounding.
        return Text(f"{value:,}%" if column.endswith("percent") else f"{value:,}")
    stamp = _STAMP.fullmatch(value)
    if stamp:
        day, minutes, seconds = stamp.groups()
        return Text(f"{day} {minutes}" + ("" if seconds == ":00" else seconds))
    return Text(clean(value))


def _numeric(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
