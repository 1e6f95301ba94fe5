"""Lines of facts joined by " · " that break between facts, never inside one.

Rich wraps at any space, so a narrow box left "auto-paused:" at the end of one line and "no" at
the start of the next. Here a fact that does not fit moves to the next line whole (one wider
than the line wraps as text does).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

SEPARATOR = " · "

# Lines of facts: each inner sequence starts a new line.
Facts = Sequence[Sequence[Text]]


def facts_of(line: str) -> Facts:
    """The facts of a line written with the separator: `"enter: apply · escape: cancel"`."""
    return [[Text(part) for part in line.split(SEPARATOR)]]


def pack(lines: Facts, width: int) -> Text:
    """The facts laid out in `width` cells (0: unknown yet, one line per inner sequence)."""
    out: list[Text] = []
    for facts in lines:
        line: Text | None = None
        for fact in facts:
            if line is None:
                line = fact.copy()
            elif width <= 0 or line.cell_len + len(SEPARATOR) + fact.cell_len <= width:
                line.append(SEPARATOR)
                line.append_text(fact)
            else:
                out.append(line)
                line = fact.copy()
        if line is not None:
            out.append(line)
    return Text("\n").join(out)


class Phrases(Static):
    """A Static of facts (`show`), laid out again when its width changes."""

    def __init__(
        self, facts: Facts = (), *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(pack(facts, 0), id=id, classes=classes)
        self._facts = [list(line) for line in facts]

    def show(self, lines: Facts) -> None:
        self._facts = [list(facts) for facts in lines]
        self._lay_out()

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        text = pack(self._facts, self.content_size.width)
        current = self.content
        # Drawn once a second by countdowns: only a change is written to the terminal.
        if (
            not isinstance(current, Text)
            or current.plain != text.plain
            or current.spans != text.spans
        ):
            self.update(text)
