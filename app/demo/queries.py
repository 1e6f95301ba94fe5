"""Counting, grouping and selecting one day's hits under the /hits filters.

Filters are resolved to codes (path ids, referrer/country codes) before they reach a day. A
query that the day's aggregates can answer (no filter, or a filter on the grouped dimension)
never materialises hits; anything that crosses dimensions walks the time-ordered hits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.demo.store import DayView
from app.demo.traffic import DEVICES

DIMENSIONS = ("path", "referrer", "country", "browser", "platform")


@dataclass(frozen=True)
class HitFilter:
    paths: frozenset[int] | None = None
    referrers: frozenset[int] | None = None
    countries: frozenset[int] | None = None

    def dimensions(self) -> set[str]:
        dims = set()
        if self.paths is not None:
            dims.add("path")
        if self.referrers is not None:
            dims.add("referrer")
        if self.countries is not None:
            dims.add("country")
        return dims

    @property
    def empty(self) -> bool:
        return not self.dimensions()


def _restricted(counts: Sequence[int], allowed: frozenset[int]) -> int:
    return sum(counts[i] for i in allowed if i < len(counts))


def count(view: DayView, flt: HitFilter) -> int:
    dims = flt.dimensions()
    if not dims:
        return view.total
    if len(dims) == 1:
        if flt.paths is not None:
            return _restricted(view.path_counts(), flt.paths)
        refs, countries, _ = view.attr_counts()
        if flt.referrers is not None:
            return _restricted(refs, flt.referrers)
        assert flt.countries is not None
        return _restricted(countries, flt.countries)
    return len(matching(view, flt))


def _session_ok(view: DayView, flt: HitFilter) -> list[bool] | None:
    if flt.referrers is None and flt.countries is None:
        return None
    refs, countries, _ = view.day().attrs
    ref_ok, country_ok = flt.referrers, flt.countries
    return [
        (ref_ok is None or r in ref_ok) and (country_ok is None or c in country_ok)
        for r, c in zip(refs, countries, strict=False)
    ]


def matching(view: DayView, flt: HitFilter) -> list[int]:
    """Positions (in time order) of the view's hits that pass the filter."""
    limit = view.total
    if flt.empty:
        return list(range(limit))
    hits = view.hits()
    session_ok = _session_ok(view, flt)
    paths_ok = flt.paths
    paths, sessions = hits.paths, hits.sessions
    if session_ok is None:
        assert paths_ok is not None
        return [j for j in range(limit) if paths[j] in paths_ok]
    if paths_ok is None:
        return [j for j in range(limit) if session_ok[sessions[j]]]
    return [j for j in range(limit) if paths[j] in paths_ok and session_ok[sessions[j]]]


def _fold_devices(counts: Sequence[int], dim: str) -> Counter[str | None]:
    folded: Counter[str | None] = Counter()
    for code, n in enumerate(counts):
        if n:
            device = DEVICES[code]
            folded[device.browser if dim == "browser" else device.platform] += n
    return folded


def grouped(view: DayView, flt: HitFilter, dim: str) -> Counter[int | str | None]:
    """Hits per value of `dim`: path ids, referrer and country codes, browser and platform
    names."""
    result: Counter[int | str | None] = Counter()
    if flt.dimensions() <= {dim}:
        if dim == "path":
            counts: Sequence[int] = view.path_counts()
            allowed = flt.paths
        else:
            refs, countries, devices = view.attr_counts()
            if dim in ("browser", "platform"):
                result.update(_fold_devices(devices, dim))
                return result
            counts, allowed = (
                (refs, flt.referrers) if dim == "referrer" else (countries, flt.countries)
            )
        for code, n in enumerate(counts):
            if n and (allowed is None or code in allowed):
                result[code] = n
        return result
    hits = view.hits()
    selected = matching(view, flt)
    if dim == "path":
        result.update(hits.paths[j] for j in selected)
        return result
    refs, countries, devices = view.day().attrs
    sessions = hits.sessions
    if dim == "referrer":
        result.update(refs[sessions[j]] for j in selected)
    elif dim == "country":
        result.update(countries[sessions[j]] for j in selected)
    else:
        device_counts = Counter(devices[sessions[j]] for j in selected)
        result.update(_fold_devices([device_counts.get(i, 0) for i in range(len(DEVICES))], dim))
    return result


def unique_by_path(view: DayView, flt: HitFilter) -> Counter[int]:
    """Per page, the sessions that viewed it (under the filter)."""
    result: Counter[int] = Counter()
    if flt.dimensions() <= {"path"}:
        for code, n in enumerate(view.path_unique()):
            if n and (flt.paths is None or code in flt.paths):
                result[code] = n
        return result
    hits = view.hits()
    pairs = {(hits.sessions[j], hits.paths[j]) for j in matching(view, flt)}
    result.update(p for _, p in pairs)
    return result
