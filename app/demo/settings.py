"""Switchable quirks of the live service (api-field-notes.md) and injected faults."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class DemoSettings:
    # Quirks reported of the live service.
    html_for_bad_key: bool = False  # a bad key gets 200 + the marketing page
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
    fault_seed: int = 0

    def update(self, changes: dict[str, Any]) -> None:
        known = {f.name: f for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown setting {name!r}")
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
