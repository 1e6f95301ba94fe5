"""What the user is looking at: site, range, filters, pause and refresh interval.

One object, observed: screens and feeds read it, intents change it through its methods, and
every change is announced to the listeners (the session wakes its feeds; the UI redraws).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.live.hitcounts import HitFilters
from app.live.ranges import Compare, DayRange, Range, RangeKind

# The refresh intervals `+` and `-` step through (seconds).
REFRESH_STEPS = (5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)

Listener = Callable[[str], None]


@dataclass
class ViewState:
    site_id: int | None = None
    # The rolling preset of t/w/m/y; `days`, when set, is the range shown instead (`range`).
    range_kind: RangeKind = RangeKind.WEEK
    days: DayRange | None = None
    compare: Compare = Compare.PREVIOUS
    filters: tuple[tuple[str, str], ...] = ()
    paused: bool = False
    refresh_interval: float = 60.0
    chart_marker: str = "braille"
    _listeners: list[Listener] = field(default_factory=list, repr=False)

    def listen(self, listener: Listener) -> None:
        """Call `listener(what)` after every change; `what` names the field that changed."""
        self._listeners.append(listener)

    def _changed(self, what: str) -> None:
        for listener in list(self._listeners):
            listener(what)

    @property
    def hit_filters(self) -> HitFilters:
        return HitFilters(**dict(self.filters))

    def open_site(self, site_id: int) -> None:
        """Another site: its predecessor's filters do not apply to it."""
        if site_id != self.site_id:
            self.filters = ()
        self.site_id = site_id
        self._changed("site")

    def choose_site(self, site_id: int) -> None:
        """A site to show when none was picked (the first of the list): not a user's intent."""
        if self.site_id is None:
            self.site_id = site_id
            self._changed("site")

    @property
    def range(self) -> Range:
        """The range shown: UTC days chosen in the range dialog, else the rolling preset."""
        return self.days if self.days is not None else self.range_kind

    def set_range(self, kind: RangeKind) -> None:
        self.range_kind = kind
        self.days = None
        self._changed("range")

    def set_days(self, days: DayRange) -> None:
        self.days = days
        self._changed("range")

    def choose_range(self, chosen: Range) -> None:
        """A range of either sort (the command line's `--range`, a report)."""
        if isinstance(chosen, DayRange):
            self.set_days(chosen)
        else:
            self.set_range(chosen)

    def toggle_compare(self) -> Compare:
        """The previous period, or the same period a year earlier."""
        previous = self.compare is Compare.PREVIOUS
        self.compare = Compare.YEAR if previous else Compare.PREVIOUS
        self._changed("compare")
        return self.compare

    def set_filters(self, filters: tuple[tuple[str, str], ...]) -> None:
        self.filters = filters
        self._changed("filters")

    def add_filter(self, name: str, value: str) -> None:
        """Narrow by one more field; a field already filtered takes the new value."""
        self.set_filters((*((f, v) for f, v in self.filters if f != name), (name, value)))

    def remove_last_filter(self) -> bool:
        if not self.filters:
            return False
        self.set_filters(self.filters[:-1])
        return True

    def toggle_pause(self) -> None:
        self.paused = not self.paused
        self._changed("paused")

    def set_interval(self, seconds: float) -> None:
        self.refresh_interval = seconds
        self._changed("interval")

    def faster(self) -> float:
        shorter = [s for s in REFRESH_STEPS if s < self.refresh_interval]
        self.set_interval(shorter[-1] if shorter else REFRESH_STEPS[0])
        return self.refresh_interval

    def slower(self) -> float:
        longer = [s for s in REFRESH_STEPS if s > self.refresh_interval]
        self.set_interval(longer[0] if longer else REFRESH_STEPS[-1])
        return self.refresh_interval

    def set_marker(self, marker: str) -> None:
        self.chart_marker = marker
        self._changed("marker")
