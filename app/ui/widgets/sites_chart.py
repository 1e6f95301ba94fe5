"""The Sites screen's chart: every site's hits over the range, the biggest few as lines, the rest
summed as one dim line, and the site under the table's cursor drawn over them all.

Built from the hits chart's pieces (ticks, number labels, the filling bucket's dots). A plot costs
15-50 ms: it is rebuilt only when its data or the selected site changes, and only while shown."""

from __future__ import annotations

from dataclasses import dataclass

from textual_plotext import PlotextPlot

from app.ui.widgets.chart import FILLING_MARKER, short_number, tick_positions, y_ticks

# One colour a line, in the legend (Rich) and the plot (plotext) alike; red is the drops'.
LINE_COLOURS = ("cyan", "magenta", "yellow", "green", "blue")
OTHERS_COLOUR = "gray"
OTHERS_STYLE = "grey50"
SELECTED_COLOUR = "white"
SELECTED_STYLE = "bold reverse"


@dataclass(frozen=True)
class ChartLine:
    site_id: int
    counts: tuple[int, ...]
    colour: str
    selected: bool = False


@dataclass(frozen=True)
class SitesChartData:
    labels: tuple[str, ...]
    lines: tuple[ChartLine, ...]  # biggest first
    others: tuple[int, ...] | None  # the rest, summed (None: no other site)
    marker: str = "braille"
    filling: bool = True  # the newest bucket is still filling

    @property
    def selected(self) -> int | None:
        """The site drawn highlighted."""
        return next((line.site_id for line in self.lines if line.selected), None)


class SitesChart(PlotextPlot):
    DEFAULT_CSS = """
    SitesChart { height: 12; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: SitesChartData | None = None
        self.draws = 0  # how many times the plot was rebuilt
        self._stale = False  # data arrived while hidden: drawn when shown

    def show(self, data: SitesChartData) -> None:
        if data == self.data and not self._stale:
            return
        self.data = data
        self._stale = True
        if self.display and self.size.height > 0:
            self._draw()

    def clear(self) -> None:
        """Nothing to draw (a range whose sites are still to be counted): an empty plot, not the
        last range's lines."""
        if self.data is None and not self._stale:
            return
        self.data, self._stale = None, False
        self.plt.clear_figure()
        self.refresh()

    def on_resize(self) -> None:
        if self.data is not None and self.display and self.size.height > 0:
            self._draw()

    def _draw(self) -> None:
        data = self.data
        assert data is not None
        self._stale = False
        self.draws += 1
        plt = self.plt
        plt.clear_figure()
        width = len(data.labels)
        xs = list(range(width))
        top = 1
        if data.others is not None:
            self._line(xs, data.others, OTHERS_COLOUR, data)
            top = max(top, *data.others)
        # The selected line last: on top of the others.
        for line in sorted(data.lines, key=lambda line: line.selected):
            colour = SELECTED_COLOUR if line.selected else line.colour
            self._line(xs, line.counts, colour, data)
            top = max(top, *line.counts)
        positions = tick_positions(data.labels, max(self.size.width, 40))
        plt.xticks([float(p) for p in positions], [data.labels[i] for i in positions])
        plt.ylim(0, top * 1.1)
        ticks = y_ticks(top, self.size.height)
        plt.yticks([float(t) for t in ticks], [short_number(t) for t in ticks])
        self.refresh()

    def _line(
        self, xs: list[int], counts: tuple[int, ...], colour: str, data: SitesChartData
    ) -> None:
        plt = self.plt
        ys = list(counts)
        if data.filling and len(xs) > 1:
            plt.plot(xs[:-1], ys[:-1], marker=data.marker, color=colour)
            plt.plot(xs[-2:], ys[-2:], marker=FILLING_MARKER, color=colour)
        else:
            plt.plot(xs, ys, marker=data.marker, color=colour)
