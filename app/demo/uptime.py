"""Uptime monitors: checks every `period` seconds, outages from the World's plan."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from app.demo.world import Outage, SiteWorld, World, duration_in_words

PERIOD = 300


def _iso_ms(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _check_before(start: datetime, now: datetime) -> datetime:
    """The last check at or before `now` (checks run every PERIOD seconds from `start`)."""
    steps = max(0, math.floor((now - start).total_seconds() / PERIOD))
    return start + timedelta(seconds=steps * PERIOD)


def _seen(outage: Outage, start: datetime) -> tuple[datetime, datetime]:
    """An outage as the checks saw it: from the first failed check to the first good one."""
    first = _check_before(start, outage.start) + timedelta(seconds=PERIOD)
    last = _check_before(start, outage.end) + timedelta(seconds=PERIOD)
    return first, last


def uptime_answer(world: World, site: SiteWorld, page: int, per_page: int) -> dict[str, Any] | None:
    profile = site.profile
    if profile.monitor == "none":
        return None
    now = world.now()
    start = site.created_at + timedelta(days=3, seconds=47)
    last_check = _check_before(start, now)
    seen = [(o, *_seen(o, start)) for o in world.outages[profile.id]]
    past = [(o, a, b) for o, a, b in seen if a <= last_check]
    current = next(((o, a, b) for o, a, b in past if b > last_check), None)
    down_seconds = sum((min(b, last_check) - a).total_seconds() for _, a, b in past)
    lifetime = max(1.0, (last_check - start).total_seconds())
    uptime = max(0.0, 100 * (1 - down_seconds / lifetime))

    downtimes = []
    for number, (outage, began, ended) in sorted(
        enumerate(past), key=lambda item: item[1][1], reverse=True
    ):
        ongoing = ended > last_check
        length = None if ongoing else int((ended - began).total_seconds())
        downtimes.append(
            {
                "id": profile.id * 1000 + number + 1,
                "error": outage.error,
                "started_at": _iso_ms(began),
                "ended_at": None if ongoing else _iso_ms(ended),
                "duration": length,
                "duration_in_words": duration_in_words(
                    (last_check - began).total_seconds() if ongoing else length or 0
                ),
                "partial": False,
                "ongoing": ongoing,
            }
        )
    chunk = downtimes[(page - 1) * per_page : page * per_page]
    anchor = world.anchor
    ssl_expires = anchor + timedelta(days=9 if profile.monitor == "ssl" else 40 + profile.id % 45)
    ssl_days = (ssl_expires - now).days
    domain_expires = anchor + timedelta(days=120 + profile.id % 200)
    domain_days = (domain_expires - now).days
    with_certificates = profile.monitor != "quiet"
    status = current[0].status if current else 200
    monitor = {
        "id": 30 + profile.id % 100,
        "url": profile.url,
        "enabled": True,
        "is_down": current is not None,
        "uptime": f"{uptime:.2f}",
        "last_check_at": _iso_ms(last_check),
        "next_check_at": _iso_ms(last_check + timedelta(seconds=PERIOD)),
        "last_status_code": status,
        "last_error_message": current[0].error if current else None,
        "status_description": f"Server Error ({status})" if current else "OK (200)",
        "current_check_interval": "5 minutes",
        "period": PERIOD,
        "ssl": {
            "expires_at": _iso_ms(ssl_expires),
            "valid": ssl_days >= 0,
            "expiring_soon": 0 <= ssl_days <= 14,
            "expired": ssl_days < 0,
            "days_until_expiry": ssl_days,
        }
        if with_certificates
        else None,
        "domain": {
            "tested_at": _iso_ms(anchor - timedelta(days=1)),
            "expires_at": _iso_ms(domain_expires),
            "remaining_days": domain_days,
            "source": "whois",
            "expired": domain_days < 0,
            "expiring_soon": 0 <= domain_days <= 30,
            "days_until_expiry": domain_days,
        }
        if with_certificates
        else None,
        "auto_paused": False,
        "created_at": _iso_ms(start),
        "updated_at": _iso_ms(last_check),
    }
    recent = [d for d in past if d[1] >= now - timedelta(days=30)]
    return {
        "monitor": monitor,
        "downtimes": chunk,
        "pagination": {
            "current_page": page,
            "per_page": per_page,
            "total_count": len(downtimes),
            "total_pages": max(1, math.ceil(len(downtimes) / per_page)),
        },
        "summary": {
            "total_downtimes": len(downtimes),
            "ongoing_downtimes": 1 if current else 0,
            "recent_downtimes_30_days": len(recent),
        },
    }
