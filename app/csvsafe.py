"""CSV cells that a spreadsheet opens as text, never as a formula or a terminal escape.

Paths, referrers, labels and AI text come from visitors and site owners. Opened in a spreadsheet,
a cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return, which some strip before
looking) is run as a formula (`=HYPERLINK(...)`, `=cmd|...`); a leading `'` makes it text, which
spreadsheets show without the quote. Control characters (escape sequences, bidi overrides) are
replaced, so that `cat report.csv` cannot rewrite the terminal either. Line breaks stay: the
CSV writer quotes them.

Only text is escaped: numbers the app formats itself (a change of -12.5 %) stay numbers.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls but tab and line feed (kept as text, quoted by the writer), DEL, C1, and the
# bidirectional controls that can make a cell read backwards.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

CsvValue = str | int | float | bool | None


def safe_text(text: str) -> str:
    """Server text as one CSV cell: not a formula, no control characters but line breaks."""
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)


def csv_cell(value: CsvValue) -> str:
    """Any value as a CSV cell: empty for None, `true`/`false`, numbers as written, text safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return safe_text(value)
