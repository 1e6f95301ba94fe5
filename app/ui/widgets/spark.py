"""A sparkline as plain text, for table cells."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int], *, style: str = "cyan", filling: bool = True) -> Text:
    """Bars scaled to the largest value. With `filling`, the last value is a bucket still
    filling (today so far): its bar is dimmed, so that a partial day does not read as a drop."""
    if not values:
        return Text("")
    top = max(values)
    if top <= 0:
        return Text(BARS[0] * len(values), style="dim")
    scaled = "".join(BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in values)
    if not filling:
        return Text(scaled, style=style)
    text = Text(scaled[:-1], style=style)
    text.append(scaled[-1], style=f"dim {style}")
    return text
