"""Checks made before a request is sent, so that mistakes get a clear message instead of a 500.

Every failure is a `BadRequest` whose message says what to do instead.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Final

from app.api.errors import BadRequest

# The contract's limit; a newer revision of the provider's docs says 730 (docs/api-notes.md).
MAX_RANGE_DAYS: Final = 365
GROUP_BY: Final = ("path", "country", "referrer", "browsername", "platformname")
# The spelling other clients send; the live server may want it instead (docs/api-notes.md).
GROUP_BY_ALTERNATIVE: Final = {"browsername": "browser_name", "platformname": "platform_name"}
_GROUP_BY_INPUT: Final = {
    **{g: g for g in GROUP_BY},
    **{v: k for k, v in GROUP_BY_ALTERNATIVE.items()},
}
PER_PAGE_CAP: Final = {
    "hits": 1000,
    "leaderboard": 1000,
    "user_journeys": 50,
    "insights": 50,
    "uptime": 50,
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(value: object) -> str:
    """A user's input quoted for a message: short, so that a paste accident stays readable."""
    text = str(value)
    return repr(text if len(text) <= 30 else text[:29] + "…")


def site_id(value: int | str) -> int:
    """A site's numeric id; its public uid (e.g. "abc123") is refused with an explanation."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value > 0:
            return value
        raise BadRequest(f"a site id is a positive number, not {value}")
    if isinstance(value, str):
        text = value.strip()
        # isascii: "١٢٣".isdigit() is true too, and would quietly become another number.
        if text.isascii() and text.isdigit() and int(text) > 0:
            return int(text)
    raise BadRequest(
        f"{_shown(value)} is not a site id: use the site's numeric id (e.g. 456, as listed by "
        "`sites`), not its uid"
    )


def day(value: date | str | None, name: str) -> date | None:
    """A UTC day from a `date`, an aware or naive-UTC `datetime`, or a `YYYY-MM-DD` string."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadRequest(f"{name} must be a date as YYYY-MM-DD, not {_shown(value)}")


def date_range(start: date | str | None, end: date | str | None) -> tuple[date | None, date | None]:
    """Both ends checked, in order, and no more than `MAX_RANGE_DAYS` days, both ends included."""
    first, last = day(start, "start_date"), day(end, "end_date")
    if first is not None and last is not None:
        if last < first:
            raise BadRequest(f"end_date {last} is before start_date {first}")
        days = (last - first).days + 1
        if days > MAX_RANGE_DAYS:
            raise BadRequest(
                f"{first} to {last} is {days} days: the API allows at most {MAX_RANGE_DAYS} "
                "days per request, so ask for a shorter range"
            )
    return first, last


def page(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadRequest(f"page must be a whole number from 1, not {_shown(value)}")
    return value


def per_page(value: int, endpoint: str) -> int:
    """Clamped to what the endpoint allows (1000 for hits and leaderboard, 50 for the others)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"per_page must be a whole number, not {_shown(value)}")
    return max(1, min(value, PER_PAGE_CAP[endpoint]))


def group_by(value: str) -> str:
    """The spec's spelling of a grouping; `browser_name` and `platform_name` are accepted too."""
    spec = _GROUP_BY_INPUT.get(str(value).strip().lower())
    if spec is None:
        raise BadRequest(f"cannot group by {_shown(value)}: use one of {', '.join(GROUP_BY)}")
    return spec


def text(value: str | None) -> str | None:
    """A filter's value; empty means no filter, since the API cannot select "nothing"."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"a filter must be text, not {_shown(value)}")
    return value or None
