"""Where the charts put their x-axis labels: never overlapping, each month named once."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from app.live.ranges import RangeKind, window
from app.ui.screens.hits import chart_labels
from app.ui.widgets.chart import tick_positions

NOW = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_a_year_of_weeks_is_labelled_where_months_begin(width: int) -> None:
    labels = chart_labels(window(RangeKind.YEAR, NOW))
    positions = tick_positions(labels, width)
    shown = [labels[i] for i in positions]
    # Every tick but the newest ("so far") is the first week of its month, and no month is
    # named twice.
    for i in positions[1:-1]:
        assert labels[i] != labels[i - 1], (width, shown)
    assert len(set(shown)) == len(shown), shown
    assert shown[-1] == "so far"
    # The same number of months between any two ticks: the axis reads evenly.
    months = [labels.index(label) for label in shown[:-1]]
    starts = [i for i in range(len(labels) - 1) if i == 0 or labels[i] != labels[i - 1]]
    gaps = {starts.index(b) - starts.index(a) for a, b in itertools.pairwise(months)}
    assert len(gaps) <= 1, shown


def test_a_wide_year_names_every_month() -> None:
    labels = chart_labels(window(RangeKind.YEAR, NOW))
    shown = [labels[i] for i in tick_positions(labels, 120)]
    months = [label for label in dict.fromkeys(labels) if label != "so far"]
    # The newest month may give way to "so far" when its first week is too close to it.
    # The first month, of which the range holds only the end, and the newest may give way.
    assert shown[:-1] in (months, months[:-1], months[1:], months[1:-1]), shown
    assert len(shown) >= 11


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
@pytest.mark.parametrize("kind", [RangeKind.DAY, RangeKind.WEEK, RangeKind.MONTH, RangeKind.YEAR])
def test_labels_never_overlap(kind: RangeKind, width: int) -> None:
    labels = chart_labels(window(kind, NOW))
    positions = tick_positions(labels, width)
    cells_per_bucket = (width - 8) / (len(labels) - 1)
    last = len(labels) - 1

    def reach(index: int) -> tuple[float, float]:
        # plotext centres a label on its tick, but keeps the first and the last inside the plot.
        size = len(labels[index])
        return (0, size) if index == 0 else (size, 0) if index == last else (size / 2, size / 2)

    for a, b in itertools.pairwise(positions):
        room = (b - a) * cells_per_bucket
        assert room > reach(a)[1] + reach(b)[0], (kind, width, labels[a], labels[b])
    assert positions[-1] == last
    if len(set(labels)) == len(labels):
        assert positions[0] == 0
