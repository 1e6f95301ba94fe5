"""Switchable quirks of the live service (docs/api-notes.md) and injected faults.

Mutable at runtime: the server reads the settings on every request, so a change takes effect
on the next one. Quirks and faults never apply to the /_demo/ control endpoints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

_OPTIONAL_INT = ("retry_after", "rate_limit_per_hour")


@dataclass
class DemoSettings:
    # Quirks reported of the live service.
    html_for_bad_key: bool = False  # a bad or missing key gets 200 + the marketing page
    site_unwrapped: bool = False  # GET /sites/:id without the {"site": ...} wrapper
    grouped_path_views: bool = False  # group_by=path rows as {path, views, unique_views}
    group_by_underscore: bool = False  # only browser_name/platform_name are accepted
    hits_order: str = "desc"  # "desc" newest first, "asc" oldest first
    extra_fields: bool = False  # unknown fields sprinkled over answers
    require_user_agent: bool = True  # no User-Agent: an HTML 403 from the "edge"
    max_range_days: int = 365
    hostile_strings: bool = False  # markup, escape sequences, control characters in strings
    # Faults for tests.
    latency: float = 0.0  # seconds before each API answer
    error_rate: float = 0.0  # share of API requests answered with error_status
    error_status: int = 500
    error_html: bool = False  # 5xx bodies as an HTML edge page
    drop_rate: float = 0.0  # share of requests whose connection is cut without an answer
    force_429: int = 0  # answer the next N API requests with 429
    retry_after: int | None = 30  # Retry-After on 429s (None: no header)
    rate_limit_per_hour: int | None = None  # enforce a per-key sliding-window limit
    fault_seed: int = 0  # seed of the fault dice: same seed, same faults
    # Sites whose monitor reports them down (503) from the moment the server first sees them
    # here until they are taken out again; sites without a monitor stay without one.
    forced_down: list[int] = field(default_factory=list)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply changes given as JSON-ish values; ValueError names the first bad one."""
        defaults = DemoSettings().as_dict()
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in defaults:
                raise ValueError(f"unknown setting {name!r}")
            checked[name] = _checked(name, value, defaults[name])
        for name, value in checked.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _checked(name: str, value: Any, default: Any) -> Any:
    if value is None and name in _OPTIONAL_INT:
        return None
    if isinstance(default, bool) or (False):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number")
        return float(value)
    if isinstance(default, int) or name in _OPTIONAL_INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer")
        return value
    if isinstance(default, list):
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise ValueError(f"{name} must be a list of site ids")
        return list(value)
    if name == "hits_order" and value not in ("asc", "desc"):
        raise ValueError("hits_order must be 'asc' or 'desc'")
    return value
