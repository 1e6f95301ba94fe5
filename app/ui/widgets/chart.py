"""The hits-over-time chart: this period drawn over the previous one, replotted only on change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual_plotext import PlotextPlot


@dataclass(frozen=True)
class ChartData:
    labels: tuple[str, ...]
    current: tuple[int, ...]
    previous: tuple[int, ...]
    marker: str = "braille"  # "braille", or "dot" for fonts without braille


def tick_positions(count: int, width: int) -> list[int]:
    """A few evenly spaced label positions that fit the width (about 8 cells per label)."""
    wanted = max(2, min(count, width // 9))
    step = max(1, round(count / wanted))
    positions = list(range(0, count, step))
    if positions[-1] != count - 1 and count - 1 - positions[-1] >= step / 2:
        positions.append(count - 1)
    return positions


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
        plt.plot(xs, list(data.previous), marker=data.marker, color="gray", label="previous")
        plt.plot(xs, list(data.current), marker=data.marker, color="cyan", label="this period")
        positions = tick_positions(len(xs), max(self.size.width, 40))
        plt.xticks([float(p) for p in positions], [data.labels[i] for i in positions])
        top = max([*data.current, *data.previous, 1])
        plt.ylim(0, top * 1.1)
        ticks = _y_ticks(top)
        plt.yticks([float(t) for t in ticks], [_short(t) for t in ticks])
        self.refresh()


def _y_ticks(top: int) -> Sequence[int]:
    step = max(1, round(top / 3))
    return [step * i for i in range(4) if step * i <= top * 1.1]


def _short(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value // 1000}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return str(value)
