"""Turning strings from the API into safe, literal text.

Paths, referrers, labels and AI text come from visitors' browsers or site owners: they may hold
markup (`[b]`, `[link=...]`), ANSI/OSC escape sequences and control characters. They are shown as
plain `rich.text.Text`, never parsed, with every control character made visible or removed.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 and C1 controls plus DEL (ESC starts ANSI/OSC sequences, so it goes too), and the
# bidirectional controls that can make "exe.png" read as "png.exe" (U+200E/F, U+202A-E, U+2066-9).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MAX_LENGTH = 500


def clean(value: str | None, *, empty: str = "") -> str:
    """One printable line: control characters become U+FFFD, very long text is cut in the
    middle (a path's end names the page, so it stays for the table's own cut)."""
    if value is None:
        return empty
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", value)
    if len(text) > _MAX_LENGTH:
        head = (_MAX_LENGTH - 1) // 2
        text = text[:head] + "…" + text[len(text) - (_MAX_LENGTH - 1 - head) :]
    return text or empty


def literal(value: str | None, *, empty: str = "", style: str = "") -> Text:
    """A Text that renders exactly the characters given, with no markup interpreted."""
    return Text(clean(value, empty=empty), style=style, no_wrap=True, overflow="ellipsis")
