"""Uptime monitors: checks on a fixed grid, a history of incidents and a schedule of future ones.

Incidents are laid out relative to the World's anchor (the clock time it was created at): one
site is down right then and comes back 25 minutes later, the others have a varied history, and
a seeded schedule sends a site down for a few minutes every few hours from then on. What a
request sees (is_down, last check, uptime %, downtimes) follows the clock.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from app.demo.catalog import SiteProfile
from app.demo.formats import duration_in_words, iso_millis

# (status code, error message); 0 is a failure below HTTP.
ERRORS: tuple[tuple[int, str], ...] = (
    (502, "502 Bad Gateway"),
    (503, "503 Service Unavailable"),
    (504, "504 Gateway Timeout"),
    (530, "530 Custom Cloudflare Error"),
    (500, "500 Internal Server Error"),
    (0, "Net::ReadTimeout with #<TCPSocket:(closed)>"),
    (0, "Failed to open TCP connection (Connection refused - connect(2) for 443)"),
    (0, "SSL_connect returned=1 errno=0 state=error: certificate verify failed"),
)
MEAN_GAP = timedelta(hours=4)  # between scheduled future outages, over all monitors
FORCED_ERROR = ERRORS[1]
FORCED_IDS = 100_000  # forced incidents are numbered from here, clear of the generated ones
# The end of an incident that has none yet: later than any clock a test may set.
OPEN_END = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Incident:
    id: int
    site_id: int
    started_at: datetime
    ended_at: datetime
    status: int
    error: str
    partial: bool


@dataclass
class Monitor:
    id: int
    profile: SiteProfile
    period: int
    phase: int  # checks run at epoch seconds = phase (mod period)
    created_at: datetime
    ssl_expires_at: datetime | None
    ssl_renews: bool  # a healthy certificate is renewed 30 days before it expires
    domain_expires_at: datetime | None

    def last_check(self, now: datetime) -> datetime:
        epoch = now.timestamp()
        last = math.floor((epoch - self.phase) / self.period) * self.period + self.phase
        return datetime.fromtimestamp(last, UTC)

    def align_up(self, when: datetime) -> datetime:
        """The first check at or after `when`."""
        check = self.last_check(when)
        return check if check >= when else check + timedelta(seconds=self.period)


class Uptime:
    def __init__(self, seed: int, anchor: datetime, sites: list[tuple[SiteProfile, datetime]]):
        self.seed = seed
        self.anchor = anchor
        rng = random.Random(f"{seed}:uptime")
        self.monitors: dict[int, Monitor] = {}
        for number, (profile, created) in enumerate(sites):
            if profile.monitor == "none":
                continue
            ssl = domain = None
            if profile.monitor != "quiet":
                days = 9 if profile.monitor == "ssl" else rng.randint(35, 80)
                ssl = anchor + timedelta(
                    days=days, hours=rng.randint(1, 20), seconds=rng.randint(0, 3599)
                )
                domain = (anchor + timedelta(days=rng.randint(60, 500))).replace(
                    hour=0, minute=0, second=0, microsecond=0
                )
            self.monitors[profile.id] = Monitor(
                id=33 + number,
                profile=profile,
                period=profile.period,
                phase=rng.randrange(profile.period),
                created_at=created
                + timedelta(
                    days=rng.randint(3, 60),
                    seconds=rng.randint(0, 86399),
                    milliseconds=rng.randint(0, 999),
                ),
                ssl_expires_at=ssl,
                ssl_renews=profile.monitor != "ssl",
                domain_expires_at=domain,
            )
        self._past = self._history(rng)
        self._future: list[Incident] = []
        self._future_rng = random.Random(f"{seed}:outages")
        self._future_cursor = anchor + timedelta(hours=1)
        self._forced: dict[int, Incident] = {}  # ongoing, by site
        self._released: list[Incident] = []

    def force_down(self, site_ids: set[int], now: datetime) -> None:
        """Hold exactly these sites down (DemoSettings.forced_down): a site newly named goes
        down at `now`, a site no longer named comes back at `now`."""
        for site_id in [s for s in self._forced if s not in site_ids]:
            incident = self._forced.pop(site_id)
            self._released.append(replace(incident, ended_at=max(now, incident.started_at)))
        for site_id in sorted(site_ids - set(self._forced)):
            if site_id in self.monitors:
                number = FORCED_IDS + len(self._released) + len(self._forced) + 1
                status, error = FORCED_ERROR
                self._forced[site_id] = Incident(
                    number, site_id, now, OPEN_END, status, error, False
                )

    def _history(self, rng: random.Random) -> list[Incident]:
        drafts: list[tuple[datetime, datetime, int, int, str, bool]] = []
        for monitor in self.monitors.values():
            span_start = monitor.created_at + timedelta(days=1)
            span_end = self.anchor - timedelta(hours=3)
            if span_end <= span_start:
                continue
            span = (span_end - span_start).total_seconds()
            n = rng.randint(4, 9)
            for i in range(n):
                at = span_start + timedelta(seconds=rng.random() * span)
                # Mostly a check or three; now and then an hour or two; rarely most of a day.
                roll = rng.random()
                if monitor.profile.monitor == "quiet" and i == 0:
                    length = timedelta(days=rng.randint(2, 5), hours=rng.randint(0, 23))
                elif roll < 0.6:
                    length = timedelta(seconds=monitor.period * rng.randint(1, 3))
                elif roll < 0.9:
                    length = timedelta(minutes=rng.randint(20, 130))
                else:
                    length = timedelta(hours=rng.randint(5, 20))
                start = monitor.align_up(at)
                end = monitor.align_up(start + length)
                status, error = rng.choice(ERRORS)
                drafts.append((start, end, monitor.profile.id, status, error, rng.random() < 0.15))
            if monitor.profile.monitor == "down":
                # Down right now: went down a quarter of an hour ago, back in 25 minutes.
                start = monitor.last_check(self.anchor - timedelta(minutes=15))
                end = monitor.align_up(self.anchor + timedelta(minutes=25))
                drafts.append((start, end, monitor.profile.id, 530, ERRORS[3][1], False))
        drafts.sort()
        incidents: list[Incident] = []
        last_end: dict[int, datetime] = {}
        for start, end, site_id, status, error, partial in drafts:
            # Incidents of one monitor never overlap.
            if site_id in last_end and start < last_end[site_id]:
                continue
            last_end[site_id] = end
            incidents.append(
                Incident(len(incidents) + 1, site_id, start, end, status, error, partial)
            )
        return incidents

    def _extend(self, until: datetime) -> None:
        """Draw the seeded schedule of future outages up to `until` (always the same draws)."""
        rng = self._future_rng
        ids = sorted(self.monitors)
        last_end = {i.site_id: i.ended_at for i in self._past}
        for incident in self._future:
            last_end[incident.site_id] = incident.ended_at
        while self._future_cursor <= until and ids:
            self._future_cursor += timedelta(seconds=rng.expovariate(1 / MEAN_GAP.total_seconds()))
            monitor = self.monitors[rng.choice(ids)]
            length = timedelta(minutes=rng.randint(5, 20))
            status, error = rng.choice(ERRORS[:5])
            start = monitor.align_up(self._future_cursor)
            end = monitor.align_up(start + length)
            if start < last_end.get(monitor.profile.id, start):
                continue
            last_end[monitor.profile.id] = end
            number = len(self._past) + len(self._future) + 1
            self._future.append(
                Incident(number, monitor.profile.id, start, end, status, error, rng.random() < 0.1)
            )

    def incidents(self, site_id: int, now: datetime) -> list[Incident]:
        """The monitor's incidents that have begun by `now`, newest first."""
        self._extend(now)
        every = (*self._past, *self._future, *self._released, *self._forced.values())
        seen = [i for i in every if i.site_id == site_id and i.started_at <= now]
        seen.sort(key=lambda i: i.started_at, reverse=True)
        return seen

    def answer(
        self, site_id: int, now: datetime, page: int, per_page: int, updated_at: datetime
    ) -> dict[str, Any] | None:
        monitor = self.monitors.get(site_id)
        if monitor is None:
            return None
        incidents = self.incidents(site_id, now)
        last_check = monitor.last_check(now)
        # A forced incident follows its switch at once, the others follow the checks.
        current = self._forced.get(site_id) or next(
            (i for i in incidents if i.started_at <= last_check < i.ended_at and i.id < FORCED_IDS),
            None,
        )
        lifetime = max(1.0, (now - monitor.created_at).total_seconds())
        down = sum(
            (min(i.ended_at, now) - max(i.started_at, monitor.created_at)).total_seconds()
            for i in incidents
        )
        uptime = max(0.0, 100.0 * (1 - down / lifetime))
        status = current.status if current else 200
        interval = monitor.period // 60
        window = (page - 1) * per_page
        downtimes = [self._downtime(i, now) for i in incidents[window : window + per_page]]
        return {
            "monitor": {
                "id": monitor.id,
                "url": monitor.profile.url,
                "enabled": True,
                "is_down": current is not None,
                "uptime": f"{uptime:.2f}",
                "last_check_at": iso_millis(last_check),
                "next_check_at": iso_millis(last_check + timedelta(seconds=monitor.period)),
                "last_status_code": status or None,
                "last_error_message": current.error if current else None,
                "status_description": _describe(status, current is not None),
                "current_check_interval": f"{interval} minute" + ("s" if interval != 1 else ""),
                "period": monitor.period,
                "ssl": self._ssl(monitor, now),
                "domain": self._domain(monitor, now),
                "auto_paused": False,
                "created_at": iso_millis(monitor.created_at),
                "updated_at": iso_millis(
                    min(now, max(updated_at, last_check + timedelta(milliseconds=2317)))
                ),
            },
            "downtimes": downtimes,
            "pagination": {
                "current_page": page,
                "per_page": per_page,
                "total_count": len(incidents),
                "total_pages": math.ceil(len(incidents) / per_page),
            },
            "summary": {
                "total_downtimes": len(incidents),
                "ongoing_downtimes": sum(1 for i in incidents if i.ended_at > now),
                "recent_downtimes_30_days": sum(
                    1 for i in incidents if i.started_at >= now - timedelta(days=30)
                ),
            },
        }

    @staticmethod
    def _downtime(incident: Incident, now: datetime) -> dict[str, Any]:
        ongoing = incident.ended_at > now
        seconds = (min(incident.ended_at, now) - incident.started_at).total_seconds()
        return {
            "id": incident.id,
            "error": incident.error,
            "started_at": iso_millis(incident.started_at),
            "ended_at": None if ongoing else iso_millis(incident.ended_at),
            "duration": None if ongoing else int(seconds),
            "duration_in_words": duration_in_words(seconds),
            "partial": incident.partial,
            "ongoing": ongoing,
        }

    @staticmethod
    def _ssl(monitor: Monitor, now: datetime) -> dict[str, Any] | None:
        expires = monitor.ssl_expires_at
        if expires is None:
            return None
        if monitor.ssl_renews:
            # Let's Encrypt style: renewed for 90 days once within 30 days of expiry.
            while expires - timedelta(days=30) <= now:
                expires += timedelta(days=90)
        days = math.floor((expires - now).total_seconds() / 86400)
        expired = expires <= now
        return {
            "expires_at": iso_millis(expires),
            "valid": not expired,
            "expiring_soon": not expired and days <= 14,
            "expired": expired,
            "days_until_expiry": days,
        }

    @staticmethod
    def _domain(monitor: Monitor, now: datetime) -> dict[str, Any] | None:
        expires = monitor.domain_expires_at
        if expires is None:
            return None
        tested = now.replace(hour=12, minute=0, second=0, microsecond=0)
        if tested > now:
            tested -= timedelta(days=1)
        days = (expires.date() - now.date()).days
        return {
            "tested_at": iso_millis(tested),
            "expires_at": iso_millis(expires),
            "remaining_days": days,
            "source": "whois",
            "expired": days < 0,
            "expiring_soon": 0 <= days <= 30,
            "days_until_expiry": days,
        }


def _describe(status: int, down: bool) -> str:
    if not down:
        return f"OK ({status})"
    if status == 0:
        return "Connection Error"
    return f"Server Error ({status})"
