"""The hits-over-time chart: this period drawn over the previous one, replotted only on change.

The newest bucket of this period is still filling (this hour, today so far): it is drawn dotted,
apart from the solid line, so that a bucket a few hours old does not read as a drop."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from textual_plotext import PlotextPlot

# The legend lives in the headline: plotext's own takes two of the few rows a short terminal has.
CURRENT_COLOUR = "cyan"
PREVIOUS_COLOUR = "gray"
# The filling bucket's segment: dots, in this period's colour.
FILLING_MARKER = "·"


@dataclass(frozen=True)
class ChartData:
    labels: tuple[str, ...]
    current: tuple[int, ...]
    previous: tuple[int, ...]
    marker: str = "braille"  # "braille", or "dot" for fonts without braille
    filling: bool = True  # the newest bucket of `current` is still filling


# Cells a label needs with a gap ("Nov 14" and a space or two).
LABEL_CELLS = 9


def tick_positions(labels: Sequence[str], width: int) -> list[int]:
    """Label positions that never overlap, always ending at the newest bucket.

    Where buckets share a label (the weeks of a month in a 12-month chart), the ticks go where
    a label begins, every month or every few months alike: evenly spaced ticks would fall
    anywhere in a month, and name one month twice or skip one. Otherwise they are evenly
    spaced. Overlapping labels are dropped by plotext in an order that varies from run to run,
    so none are ever asked for.
    """
    count = len(labels)
    if count <= 1:
        return [0]
    plot_cells = max(1, width - 8)  # the y axis takes a few cells
    cells_per_bucket = plot_cells / (count - 1)
    last = count - 1

    def reach(index: int) -> tuple[float, float]:
        """Cells a label takes left and right of its tick: plotext centres it, but the first
        and the last are pushed inside the plot, wholly right or left of their ticks."""
        size = len(labels[index])
        if index == 0:
            return 0.0, float(size)
        if index == last:
            return float(size), 0.0
        return size / 2, size / 2

    def apart(a: int, b: int) -> bool:
        return (b - a) * cells_per_bucket >= reach(a)[1] + reach(b)[0] + 1

    step = max(1, math.ceil(LABEL_CELLS * (count - 1) / plot_cells))
    positions = list(range(0, last, step))
    starts = [i for i in range(last) if i == 0 or labels[i] != labels[i - 1]]
    if len(starts) < last:
        # The fewest labels skipped between two ticks that keeps every pair apart.
        for every in range(1, len(starts) + 1):
            chosen = starts[::every]
            if len(chosen) > 2 and not apart(chosen[0], chosen[1]):
                # The first label, of a period the range holds only the end of, gives way.
                chosen = chosen[1:]
            if all(apart(a, b) for a, b in itertools.pairwise(chosen)):
                positions = chosen
                break
    while positions and not apart(positions[-1], last):
        positions.pop()
    return [*positions, last]


def y_ticks(top: int, height: int) -> list[int]:
    """Round steps from 0 to about the top, at least two rows apart so none is dropped."""
    rows = max(2, height - 2)  # the x axis and its labels take two rows
    wanted = max(1, min(3, rows // 3))
    step = max(1, round(top / wanted))
    return [step * i for i in range(wanted + 1) if step * i <= top * 1.1]


class HitsChart(PlotextPlot):
    DEFAULT_CSS = """
    HitsChart { height: 12; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data: ChartData | None = None
        self.draws = 0  # how many times the plot was rebuilt (it costs 15-50 ms)

    def show(self, data: ChartData) -> None:
        if data == self._data:
            return
        self._data = data
        self._draw()

    def on_resize(self) -> None:
        if self._data is not None:
            self._draw()

    def _draw(self) -> None:
        data = self._data
        assert data is not None
        self.draws += 1
        plt = self.plt
        plt.clear_figure()
        xs = list(range(len(data.current)))
        plt.plot(xs, list(data.previous), marker=data.marker, color=PREVIOUS_COLOUR)
        current = list(data.current)
        if data.filling and len(xs) > 1:
            plt.plot(xs[:-1], current[:-1], marker=data.marker, color=CURRENT_COLOUR)
            plt.plot(xs[-2:], current[-2:], marker=FILLING_MARKER, color=CURRENT_COLOUR)
        else:
            plt.plot(xs, current, marker=data.marker, color=CURRENT_COLOUR)
        positions = tick_positions(data.labels, max(self.size.width, 40))
        plt.xticks([float(p) for p in positions], [data.labels[i] for i in positions])
        top = max([*data.current, *data.previous, 1])
        plt.ylim(0, top * 1.1)
        ticks = y_ticks(top, self.size.height)
        plt.yticks([float(t) for t in ticks], [short_number(t) for t in ticks])
        self.refresh()


def short_number(value: int) -> str:
    """A count as the y axis writes it (`12k`), for the legends too."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value // 1000}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return str(value)
