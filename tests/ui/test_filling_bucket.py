"""The bucket still filling (today so far, this hour) is drawn as partial, not as a drop."""

from __future__ import annotations

from app.ui.widgets.spark import sparkline


def test_the_sparklines_last_bar_is_dimmed_as_still_filling() -> None:
    line = sparkline([10, 10, 10, 10, 10, 10, 2])
    assert line.plain == "██████▂"
    last = [span for span in line.spans if span.start <= 6 < span.end]
    assert last and all("dim" in str(span.style) for span in last)
    assert not any("dim" in str(span.style) for span in line.spans if span.end <= 6)
    assert "dim" not in str(line.style)


def test_complete_buckets_are_not_dimmed() -> None:
    line = sparkline([1, 2, 3], filling=False)
    assert line.plain == "▃▆█" and not line.spans and line.style == "cyan"
