"""A sparkline as plain text, for table cells."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int], *, style: str = "cyan") -> Text:
    if not values:
        return Text("")
    top = max(values)
    if top <= 0:
        return Text(BARS[0] * len(values), style="dim")
    scaled = [BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in values]
    return Text("".join(scaled), style=style)
