"""The demo account: a user, five sites of very different sizes and their traffic over time.

Everything is a function of the seed, the clock and (for sites' ages and uptime incidents) the
clock time at which the World was created, its `anchor`. Only hits at or before `clock.now()`
exist, so the world grows as its clock moves.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.demo.catalog import COUNTRIES, SITES, USERS, SiteProfile, account_sites
from app.demo.clock import Clock
from app.demo.days import DAY_SECONDS
from app.demo.formats import stamp_of_day
from app.demo.queries import HitFilter, count, grouped, matching, unique_by_path
from app.demo.store import STORE, DayStore, DayView, FullView
from app.demo.traffic import (
    COUNTRY_CODES,
    DEVICES,
    REFERRER_NAMES,
    SiteTraffic,
    referrer_name,
)
from app.demo.uptime import Uptime

LEADERBOARD_TTL = timedelta(hours=1)


@dataclass
class Site:
    profile: SiteProfile
    traffic: SiteTraffic
    index: int
    created_at: datetime
    updated_at: datetime

    @property
    def id(self) -> int:
        return self.profile.id

    @property
    def first_day(self) -> date:
        """Hits start the day after the site was added (the snippet went live that night)."""
        return self.created_at.date() + timedelta(days=1)


@dataclass
class Leaderboard:
    rows: list[tuple[int, int, int]]  # (path id, total hits, unique hits), busiest first
    site_total: int
    cached_at: datetime
    expires_at: datetime


@dataclass
class GroupRow:
    value: str | None
    hits: int
    unique: int | None = None


@dataclass
class HitsPage:
    rows: list[dict[str, Any]]
    total: int


@dataclass
class _LeaderboardCache:
    entries: dict[tuple[int, str | None, bool], Leaderboard] = field(default_factory=dict)


class World:
    def __init__(
        self,
        seed: int,
        clock: Clock,
        scale: float = 1.0,
        *,
        store: DayStore = STORE,
        sites: int = len(SITES),
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.scale = scale
        self.store = store
        self.anchor = clock.now().replace(microsecond=0)
        # Request handlers and tests may both read the world; generation is not reentrant.
        self.lock = threading.RLock()
        rng = random.Random(f"{seed}:account")
        self.user_name, self.user_email = rng.choice(USERS)
        self.sites: list[Site] = []
        for index, profile in enumerate(account_sites(sites, seed)):
            created = self.anchor - timedelta(
                days=profile.created_days_ago, seconds=rng.randrange(6 * 3600, 20 * 3600)
            )
            updated = max(created, self.anchor - timedelta(days=rng.randrange(2, 40), hours=5))
            self.sites.append(
                Site(
                    profile=profile,
                    traffic=SiteTraffic(profile, index, seed, scale),
                    index=index,
                    created_at=created.replace(microsecond=0),
                    updated_at=updated.replace(microsecond=0),
                )
            )
        self._by_id = {s.id: s for s in self.sites}
        self._leaderboards = _LeaderboardCache()
        self.uptime = Uptime(seed, self.anchor, [(s.profile, s.created_at) for s in self.sites])

    # --- the account ------------------------------------------------------------------------
    def site(self, site_id: int) -> Site | None:
        return self._by_id.get(site_id)

    def user(self) -> dict[str, Any]:
        return {
            "email": self.user_email,
            "name": self.user_name,
            "subscription_status": "active",
            "sites_count": len(self.sites),
        }

    def lifetime(self, site: Site, now: datetime | None = None) -> tuple[int, int]:
        """(hits, unique visitors) from the site's creation to now."""
        now = now or self.clock.now()
        hits = unique = 0
        with self.lock:
            for view in self.views(site, site.first_day, now.date(), now):
                hits += view.total
                unique += view.sessions
        return hits, unique

    # --- days -------------------------------------------------------------------------------
    def view(self, site: Site, day: date, now: datetime) -> DayView | None:
        """The day as far as it has happened: None before the site existed or in the future."""
        today = now.astimezone(UTC).date()
        if day < site.first_day or day > today:
            return None
        if day == today:
            second = int((now - datetime.combine(today, time(tzinfo=UTC))).total_seconds())
            return self.store.partial(site.traffic, day, min(second, DAY_SECONDS - 1))
        return FullView(self.store, site.traffic, day)

    def views(self, site: Site, start: date, end: date, now: datetime) -> Iterator[DayView]:
        """Days from start to end inclusive, oldest first, skipping days without hits."""
        first = max(start, site.first_day)
        last = min(end, now.astimezone(UTC).date())
        day = first
        while day <= last:
            view = self.view(site, day, now)
            if view is not None:
                yield view
            day += timedelta(days=1)

    # --- filters ----------------------------------------------------------------------------
    def resolve_filter(
        self,
        site: Site,
        *,
        path: str | None = None,
        referrer: str | None = None,
        country: str | None = None,
        hostile: bool = False,
    ) -> HitFilter:
        paths = refs = countries = None
        if path is not None:
            names = (site.traffic.path_name(i, hostile) for i in range(len(site.traffic.paths)))
            paths = frozenset(i for i, name in enumerate(names) if name == path)
        if referrer is not None:
            needle = referrer.lower()
            refs = frozenset(
                code
                for code in range(len(REFERRER_NAMES))
                if needle in (referrer_name(code, hostile) or "\0").lower()
            )
        if country is not None:
            wanted = country.upper()
            countries = frozenset(i for i, (c, _) in enumerate(COUNTRIES) if c == wanted)
        return HitFilter(paths=paths, referrers=refs, countries=countries)

    # --- /hits --------------------------------------------------------------------------------
    def count_hits(self, site: Site, start: date, end: date, flt: HitFilter) -> int:
        now = self.clock.now()
        with self.lock:
            return sum(count(v, flt) for v in self.views(site, start, end, now))

    def hits_page(
        self,
        site: Site,
        start: date,
        end: date,
        flt: HitFilter,
        *,
        newest_first: bool,
        page: int,
        per_page: int,
        hostile: bool = False,
    ) -> HitsPage:
        now = self.clock.now()
        with self.lock:
            days = list(self.views(site, start, end, now))
            if newest_first:
                days.reverse()
            counts = [count(v, flt) for v in days]
            total = sum(counts)
            skip = (page - 1) * per_page
            rows: list[dict[str, Any]] = []
            for view, n in zip(days, counts, strict=False):
                if len(rows) >= per_page:
                    break
                if skip >= n:
                    skip -= n
                    continue
                positions = matching(view, flt)
                if newest_first:
                    positions.reverse()
                wanted = positions[skip : skip + per_page - len(rows)]
                skip = 0
                rows.extend(self._hit_rows(site, view, wanted, hostile))
            return HitsPage(rows, total)

    def _hit_rows(
        self, site: Site, view: DayView, positions: list[int], hostile: bool
    ) -> Iterator[dict[str, Any]]:
        hits = view.hits()
        day = hits.day
        refs, countries, devices = day.attrs
        traffic = site.traffic
        for j in positions:
            s = hits.sessions[j]
            path = traffic.path_name(hits.paths[j], hostile)
            device = DEVICES[devices[s]]
            yield {
                "id": day.id_base + j,
                "url": site.profile.url + path,
                "path": path,
                "referrer": referrer_name(refs[s], hostile),
                "country": COUNTRY_CODES[countries[s]],
                "browser_name": device.browser,
                "platform_name": device.platform,
                "is_mobile": device.mobile,
                "created_at": stamp_of_day(view.date, hits.times[j]),
            }

    def grouped_hits(
        self,
        site: Site,
        start: date,
        end: date,
        flt: HitFilter,
        dim: str,
        *,
        with_unique: bool = False,
        hostile: bool = False,
    ) -> list[GroupRow]:
        """Hits per value of `dim` over the range, busiest first (direct referrer is None)."""
        now = self.clock.now()
        with self.lock:
            totals: Counter[int | str | None] = Counter()
            uniques: Counter[int] = Counter()
            for view in self.views(site, start, end, now):
                totals.update(grouped(view, flt, dim))
                if with_unique and dim == "path":
                    uniques.update(unique_by_path(view, flt))
        rows: list[GroupRow] = []
        for key, n in totals.items():
            if not n:
                continue
            if dim == "path":
                assert isinstance(key, int)
                rows.append(GroupRow(site.traffic.path_name(key, hostile), n, uniques.get(key, 0)))
            elif dim == "referrer":
                assert isinstance(key, int)
                rows.append(GroupRow(referrer_name(key, hostile), n))
            elif dim == "country":
                assert isinstance(key, int)
                rows.append(GroupRow(COUNTRY_CODES[key], n))
            else:
                assert not isinstance(key, int)
                rows.append(GroupRow(key, n))
        # Busiest first; ties in a stable, readable order, unknown values last.
        rows.sort(key=lambda r: (-r.hits, r.value is None, r.value or ""))
        return rows

    # --- /leaderboard -----------------------------------------------------------------------
    def leaderboard(
        self, site: Site, path_filter: str | None, hostile: bool = False
    ) -> Leaderboard:
        """All-time pages, cached per (site, filter) for an hour like the real service: within
        the hour the same numbers come back even though new hits arrived."""
        now = self.clock.now().replace(microsecond=0)
        needle = path_filter.lower() if path_filter else None
        key = (site.id, needle, hostile)
        with self.lock:
            cached = self._leaderboards.entries.get(key)
            if cached is not None and cached.cached_at <= now < cached.expires_at:
                return cached
            totals = [0] * len(site.traffic.paths)
            uniques = [0] * len(site.traffic.paths)
            for view in self.views(site, site.first_day, now.date(), now):
                for i, n in enumerate(view.path_counts()):
                    totals[i] += n
                for i, n in enumerate(view.path_unique()):
                    uniques[i] += n
            rows = [
                (pid, totals[pid], uniques[pid])
                for pid in range(len(totals))
                if totals[pid]
                and (needle is None or needle in site.traffic.path_name(pid, hostile).lower())
            ]
            rows.sort(key=lambda r: (-r[1], site.traffic.path_name(r[0], hostile)))
            board = Leaderboard(rows, sum(totals), now, now + LEADERBOARD_TTL)
            self._leaderboards.entries[key] = board
            return board

    # --- /uptime ------------------------------------------------------------------------------
    def uptime_answer(self, site: Site, page: int, per_page: int) -> dict[str, Any] | None:
        """The monitor as the clock sees it now; None for a site without one."""
        with self.lock:
            return self.uptime.answer(site.id, self.clock.now(), page, per_page, site.updated_at)
