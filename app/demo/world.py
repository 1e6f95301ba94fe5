"""The synthetic, living Tinylytics account behind the demo server.

Everything is a function of (seed, site, UTC day), so a day generated twice is identical whatever
the clock says. Visits are generated as sessions (one visitor, a few pages), so hits, journeys,
the leaderboard and insights all agree. Only hits whose time has come (`created_at <= now`)
exist: the world grows as the clock runs.
"""

from __future__ import annotations

import bisect
import math
import random
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from app.demo import catalog
from app.demo.catalog import SiteProfile
from app.demo.clock import Clock

# Pages per session: mostly one, sometimes a proper read.
PAGE_COUNTS = (1, 2, 3, 4, 5, 6, 7, 8)
PAGE_WEIGHTS = (55, 20, 11, 6, 4, 2, 1, 1)
MEAN_PAGES = sum(c * w for c, w in zip(PAGE_COUNTS, PAGE_WEIGHTS, strict=True)) / sum(PAGE_WEIGHTS)
GAPS = (8, 15, 25, 40, 60, 90, 120, 180, 240, 360, 480, 600)
GAP_WEIGHTS = (6, 10, 12, 12, 12, 10, 9, 8, 6, 5, 3, 2)

HOSTILE_LABEL = "[b]Evil[/b] \x1b[31mRed\x1b[0m [link=https://evil.example]Site[/link]"
HOSTILE_PATHS = (
    "/[b]bold[/b]-and-[link=https://evil.example]link[/link]",
    "/\x1b[2J\x1b[31mcleared-screen",
    "/\x1b]8;;https://evil.example\x07osc-link\x1b]8;;\x07",
    "/博客/文章-ünïcödé-" + "долгий-путь-" * 12,
    "/ctrl\x00nul\x07bell\x08back",
)
HOSTILE_REFERRERS = (
    "https://evil.example/[red]x[/red]",
    "https://evil.example/\x1b]0;pwned-title\x07",
    "javascript:alert(1)//[@click=app.quit]",
)

EPOCH = date(2000, 1, 1)


def utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def epoch_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


@dataclass
class Session:
    visitor: str
    hits: list[int]  # indices into the day's arrays, in time order


@dataclass
class Day:
    """One UTC day of one site: columnar hits, sorted by time."""

    day: date
    ts: array[int]
    path: array[int]
    referrer: array[int]  # index into the referrer vocabulary
    country: array[int]
    browser: array[int]
    platform: array[int]
    mobile: array[int]  # 1, 0, or -1 for unknown
    session: array[int]
    visitors: list[str]
    first_id: int
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def visible(self, now_ts: int) -> int:
        """How many hits of the day have happened by `now_ts`."""
        return bisect.bisect_right(self.ts, now_ts)

    @cached_property
    def sessions(self) -> list[Session]:
        found: dict[int, Session] = {}
        for index, number in enumerate(self.session):
            if number not in found:
                found[number] = Session(self.visitors[number], [])
            found[number].hits.append(index)
        return list(found.values())

    def counter(self, column: str, upto: int) -> Counter[int]:
        values: array[int] = getattr(self, column)
        return Counter(values[:upto])

    @cached_property
    def full_counters(self) -> dict[str, Counter[int]]:
        return {c: self.counter(c, len(self.ts)) for c in GROUP_COLUMNS.values()}


GROUP_COLUMNS = {
    "path": "path",
    "referrer": "referrer",
    "country": "country",
    "browsername": "browser",
    "browser_name": "browser",
    "platformname": "platform",
    "platform_name": "platform",
}


class Vocabulary:
    """The strings a site's hits point into, in two variants: normal and hostile."""

    def __init__(self, profile: SiteProfile) -> None:
        self.paths, self.path_weights = catalog.site_paths(profile)
        self.referrers = [r for r, _ in catalog.REFERRERS]
        self.referrer_weights = [w for _, w in catalog.REFERRERS]
        self.countries = [c for c, _ in catalog.COUNTRIES]
        self.country_weights = [w for _, w in catalog.COUNTRIES]
        platforms = [p for p, _ in catalog.DESKTOP_PLATFORMS + catalog.MOBILE_PLATFORMS]
        self.platforms = list(dict.fromkeys(platforms))
        browsers = [b for table in catalog.BROWSERS.values() for b, _ in table]
        self.browsers = list(dict.fromkeys(browsers))

    def hostile_paths(self) -> list[str]:
        paths = list(self.paths)
        for n, text in enumerate(HOSTILE_PATHS):
            index = 2 + n * 3
            if index < len(paths):
                paths[index] = text
        return paths

    def hostile_referrers(self) -> list[str | None]:
        referrers = list(self.referrers)
        for n, text in enumerate(HOSTILE_REFERRERS):
            referrers[-1 - n] = text
        referrers[1] = HOSTILE_REFERRERS[0]
        return referrers


class SiteWorld:
    """The generated history of one site."""

    def __init__(self, profile: SiteProfile, seed: int, anchor: datetime, scale: float) -> None:
        self.profile = profile
        self.seed = seed
        self.scale = scale if profile.id == catalog.LARGEST_SITE_ID else 1.0
        self.created_at = utc_midnight(anchor.date() - timedelta(days=profile.created_days_ago))
        self.created_at += timedelta(hours=10, minutes=profile.id % 60, seconds=7)
        self.first_day = self.created_at.date()
        self.vocab = Vocabulary(profile)
        self._days: dict[date, Day] = {}
        self._sizes: dict[date, list[int]] = {}
        self._lock = threading.RLock()
        utc_hours = [catalog.HOURLY[(h + profile.tz_offset) % 24] for h in range(24)]
        self._hour_weights = utc_hours

    # -- how much traffic a day gets (cheap: no hits generated) ----------------------------------

    def _rng(self, day: date, stream: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.profile.id}:{day.toordinal()}:{stream}")

    def expected_hits(self, day: date) -> int:
        if day < self.first_day:
            return 0
        rng = self._rng(day, "volume")
        p = self.profile
        age = (day - self.first_day).days
        trend = max(0.2, 1 + p.growth * age / 365)
        weekday = p.weekend if day.weekday() >= 5 else 1.0
        season = 1 + 0.08 * math.sin(2 * math.pi * day.toordinal() / 365.25)
        spike = rng.uniform(2.5, 6.0) if rng.random() < 1 / 45 else 1.0
        noise = rng.uniform(0.85, 1.15)
        return max(0, round(p.daily_hits * self.scale * trend * weekday * season * spike * noise))

    def session_sizes(self, day: date) -> list[int]:
        """Pages per session of the day's sessions; their sum is the day's hit count."""
        with self._lock:
            if day in self._sizes:
                return self._sizes[day]
            total = self.expected_hits(day)
            rng = self._rng(day, "sizes")
            sizes: list[int] = []
            remaining = total
            while remaining > 0:
                batch = rng.choices(PAGE_COUNTS, PAGE_WEIGHTS, k=max(8, int(remaining / 1.5)))
                for size in batch:
                    size = min(size, remaining)
                    sizes.append(size)
                    remaining -= size
                    if remaining == 0:
                        break
            self._sizes[day] = sizes
            return sizes

    # -- the hits of a day ---------------------------------------------------------------------

    def day(self, day: date) -> Day:
        with self._lock:
            found = self._days.get(day)
            if found is None:
                found = self._generate(day)
                self._days[day] = found
            return found

    def _generate(self, day: date) -> Day:
        sizes = self.session_sizes(day)
        total = sum(sizes)
        rng = self._rng(day, "hits")
        p, v = self.profile, self.vocab
        count = len(sizes)
        midnight = epoch_seconds(utc_midnight(day))
        # Nothing happens before the site was created.
        earliest = epoch_seconds(self.created_at) - midnight if day == self.first_day else 0
        hours = rng.choices(range(24), self._hour_weights, k=count)
        referrers = rng.choices(range(len(v.referrers)), v.referrer_weights, k=count)
        countries = rng.choices(range(len(v.countries)), v.country_weights, k=count)
        entries = rng.choices(range(len(v.paths)), v.path_weights, k=total)
        gaps = rng.choices(GAPS, GAP_WEIGHTS, k=total)
        columns: dict[str, list[int]] = {
            "ts": [],
            "path": [],
            "referrer": [],
            "country": [],
            "browser": [],
            "platform": [],
            "mobile": [],
            "session": [],
        }
        visitors: list[str] = []
        cursor = 0
        for number, size in enumerate(sizes):
            mobile = rng.random() < p.mobile_share
            table = catalog.MOBILE_PLATFORMS if mobile else catalog.DESKTOP_PLATFORMS
            platform = rng.choices([x for x, _ in table], [w for _, w in table])[0]
            browsers = catalog.BROWSERS[platform]
            browser = rng.choices([b for b, _ in browsers], [w for _, w in browsers])[0]
            mobile_flag = -1 if platform is None else int(mobile)
            visitors.append(f"{rng.getrandbits(48):012x}")
            start = max(earliest, hours[number] * 3600 + int(rng.random() * 3600))
            moment = start
            for page in range(size):
                if page:
                    moment = min(86399, moment + gaps[cursor] + int(rng.random() * 10))
                columns["ts"].append(midnight + moment)
                columns["path"].append(entries[cursor])
                columns["referrer"].append(referrers[number])
                columns["country"].append(countries[number])
                columns["browser"].append(v.browsers.index(browser))
                columns["platform"].append(v.platforms.index(platform))
                columns["mobile"].append(mobile_flag)
                columns["session"].append(number)
                cursor += 1
        order = sorted(range(total), key=columns["ts"].__getitem__)

        def sorted_array(name: str, code: str) -> array[int]:
            values = columns[name]
            return array(code, (values[i] for i in order))

        first_id = self.profile.id * 10**10 + (day - EPOCH).days * 10**5 + 1
        return Day(
            day=day,
            ts=sorted_array("ts", "q"),
            path=sorted_array("path", "i"),
            referrer=sorted_array("referrer", "i"),
            country=sorted_array("country", "i"),
            browser=sorted_array("browser", "i"),
            platform=sorted_array("platform", "i"),
            mobile=sorted_array("mobile", "b"),
            session=sorted_array("session", "i"),
            visitors=visitors,
            first_id=first_id,
        )

    def days(self, first: date, last: date) -> Iterator[date]:
        start = max(first, self.first_day)
        for offset in range((last - start).days + 1):
            yield start + timedelta(days=offset)

    # -- totals --------------------------------------------------------------------------------

    def lifetime(self, now: datetime) -> tuple[int, int]:
        """(hits, unique visitors) from creation to now."""
        today = now.date()
        hits = sessions = 0
        for day in self.days(self.first_day, today - timedelta(days=1)):
            sizes = self.session_sizes(day)
            hits += sum(sizes)
            sessions += len(sizes)
        if today >= self.first_day:
            current = self.day(today)
            upto = current.visible(epoch_seconds(now))
            hits += upto
            sessions += len(set(current.session[:upto]))
        return hits, sessions


@dataclass(frozen=True)
class HitFilter:
    path: str | None = None
    referrer: str | None = None
    country: str | None = None

    def __bool__(self) -> bool:
        return any((self.path, self.referrer, self.country))


class World:
    """The whole demo account."""

    def __init__(self, seed: int = 42, clock: Clock | None = None, scale: float = 1.0) -> None:
        self.seed = seed
        self.clock = clock or Clock()
        self.scale = scale
        # Outages and certificates are placed relative to when the world was made, so that one
        # site is always down when a demo starts, reproducibly under a frozen clock.
        self.anchor = self.clock.now()
        self.sites = {p.id: SiteWorld(p, seed, self.anchor, scale) for p in catalog.SITES}
        self.hostile = False
        self._leaderboards: dict[tuple[int, str], tuple[datetime, list[tuple[str, int, int]]]] = {}
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self.clock.now()

    # -- strings as served ---------------------------------------------------------------------

    def label(self, site: SiteWorld) -> str:
        if self.hostile and site.profile.id == catalog.SITES[0].id:
            return HOSTILE_LABEL
        return site.profile.label

    def paths(self, site: SiteWorld) -> list[str]:
        return site.vocab.hostile_paths() if self.hostile else site.vocab.paths

    def referrers(self, site: SiteWorld) -> list[str | None]:
        return site.vocab.hostile_referrers() if self.hostile else site.vocab.referrers

    def values(self, site: SiteWorld, column: str) -> list[str | None]:
        if column == "path":
            return list(self.paths(site))
        if column == "referrer":
            return self.referrers(site)
        if column == "country":
            return list(site.vocab.countries)
        if column == "browser":
            return list(site.vocab.browsers)
        return list(site.vocab.platforms)

    # -- selecting hits ------------------------------------------------------------------------

    def _matcher(self, site: SiteWorld, filters: HitFilter) -> tuple[set[int] | None, ...]:
        """Allowed indices per filtered column (None: no filter on that column)."""
        paths = refs = countries = None
        if filters.path is not None:
            paths = {i for i, p in enumerate(self.paths(site)) if p == filters.path}
        if filters.referrer is not None:
            needle = filters.referrer.casefold()
            refs = {i for i, r in enumerate(self.referrers(site)) if r and needle in r.casefold()}
        if filters.country is not None:
            wanted = filters.country.upper()
            countries = {i for i, c in enumerate(site.vocab.countries) if c == wanted}
        return paths, refs, countries

    def matching(self, site: SiteWorld, day: Day, filters: HitFilter, now_ts: int) -> list[int]:
        upto = day.visible(now_ts)
        if not filters:
            return list(range(upto))
        paths, refs, countries = self._matcher(site, filters)
        return [
            i
            for i in range(upto)
            if (paths is None or day.path[i] in paths)
            and (refs is None or day.referrer[i] in refs)
            and (countries is None or day.country[i] in countries)
        ]

    def count(self, site: SiteWorld, first: date, last: date, filters: HitFilter) -> int:
        now = self.now()
        now_ts, today = epoch_seconds(now), now.date()
        total = 0
        for day in site.days(first, min(last, today)):
            if not filters and day < today:
                total += sum(site.session_sizes(day))
            else:
                total += len(self.matching(site, site.day(day), filters, now_ts))
        return total

    def page_of_hits(
        self,
        site: SiteWorld,
        first: date,
        last: date,
        filters: HitFilter,
        *,
        offset: int,
        limit: int,
        newest_first: bool,
    ) -> tuple[int, list[tuple[Day, int]]]:
        """(total, the rows [offset, offset+limit) in the requested order)."""
        now = self.now()
        now_ts, today = epoch_seconds(now), now.date()
        days = list(site.days(first, min(last, today)))
        if newest_first:
            days.reverse()
        total = 0
        rows: list[tuple[Day, int]] = []
        for day in days:
            cheap = not filters and day < today
            size = sum(site.session_sizes(day)) if cheap else None
            if size is not None and (total + size <= offset or len(rows) >= limit):
                total += size
                continue
            generated = site.day(day)
            picked = self.matching(site, generated, filters, now_ts)
            if newest_first:
                picked.reverse()
            start = max(0, offset - total)
            for index in picked[start:]:
                if len(rows) >= limit:
                    break
                rows.append((generated, index))
            total += len(picked)
        return total, rows

    def grouped(
        self, site: SiteWorld, column: str, first: date, last: date, filters: HitFilter
    ) -> tuple[Counter[int], Counter[int]]:
        """(hits per value index, distinct sessions per value index) over the range."""
        now = self.now()
        now_ts, today = epoch_seconds(now), now.date()
        hits: Counter[int] = Counter()
        uniques: Counter[int] = Counter()
        for day in site.days(first, min(last, today)):
            generated = site.day(day)
            values: array[int] = getattr(generated, column)
            if not filters and day < today:
                hits.update(generated.full_counters[column])
                picked: Iterable[int] = range(len(values))
            else:
                picked = self.matching(site, generated, filters, now_ts)
                hits.update(values[i] for i in picked)
            if column == "path":
                uniques.update(p for _, p in {(generated.session[i], values[i]) for i in picked})
        return hits, uniques

    # -- leaderboard ---------------------------------------------------------------------------

    def leaderboard(
        self, site: SiteWorld, path_filter: str | None
    ) -> tuple[datetime, list[tuple[str, int, int]], int]:
        """All-time paths ranked by hits, computed at most once an hour (like the service)."""
        now = self.now()
        key = (site.profile.id, (path_filter or "").casefold())
        with self._lock:
            cached = self._leaderboards.get(key)
        if cached is not None and now < cached[0] + timedelta(hours=1) and now >= cached[0]:
            cached_at, rows = cached
        else:
            hits, uniques = self.grouped(site, "path", site.first_day, now.date(), HitFilter())
            names = self.paths(site)
            rows = sorted(
                ((names[i], n, uniques[i]) for i, n in hits.items()),
                key=lambda row: (-row[1], row[0]),
            )
            if path_filter:
                needle = path_filter.casefold()
                rows = [row for row in rows if needle in row[0].casefold()]
            cached_at = now
            with self._lock:
                self._leaderboards[key] = (cached_at, rows)
        all_hits, _ = site.lifetime(cached_at)
        return cached_at, rows, all_hits

    # -- journeys ------------------------------------------------------------------------------

    def sessions(self, site: SiteWorld, first: date, last: date) -> list[tuple[Day, Session]]:
        """Sessions that began in the range, each cut to the pages visited by now."""
        now = self.now()
        now_ts, today = epoch_seconds(now), now.date()
        found: list[tuple[Day, Session]] = []
        for day in site.days(first, min(last, today)):
            generated = site.day(day)
            for session in generated.sessions:
                seen = [i for i in session.hits if generated.ts[i] <= now_ts]
                if seen:
                    found.append((generated, Session(session.visitor, seen)))
        found.sort(key=lambda pair: pair[0].ts[pair[1].hits[0]], reverse=True)
        return found

    # -- uptime --------------------------------------------------------------------------------

    @cached_property
    def outages(self) -> dict[int, list[Outage]]:
        return plan_outages(self.seed, self.anchor, self.sites)


@dataclass(frozen=True)
class Outage:
    start: datetime
    end: datetime
    status: int
    error: str


OUTAGE_KINDS = (
    (502, "502 Bad Gateway"),
    (530, "530 Custom Cloudflare Error"),
    (503, "503 Service Unavailable"),
    (0, "Connection timed out after 30 seconds"),
    (500, "500 Internal Server Error"),
)


def plan_outages(
    seed: int, anchor: datetime, sites: dict[int, SiteWorld]
) -> dict[int, list[Outage]]:
    """Past incidents, the one going on at the start, and future short outages (14 days)."""
    rng = random.Random(f"{seed}:outages")
    plan: dict[int, list[Outage]] = {}
    monitored = [s for s in sites.values() if s.profile.monitor != "none"]
    for site in monitored:
        outages: list[Outage] = []
        monitor_start = site.created_at + timedelta(days=3)
        for _ in range(rng.randint(2, 7)):
            start = monitor_start + timedelta(
                seconds=rng.uniform(0, (anchor - monitor_start).total_seconds() - 86400 * 2)
            )
            length = timedelta(seconds=rng.choice((300, 600, 900, 1800, 3600, 7200, 5 * 3600)))
            status, error = rng.choice(OUTAGE_KINDS)
            outages.append(Outage(start, start + length, status, error))
        if site.profile.monitor == "down":
            status, error = OUTAGE_KINDS[1]
            outages.append(
                Outage(
                    anchor - timedelta(minutes=15), anchor + timedelta(minutes=25), status, error
                )
            )
        plan[site.profile.id] = outages
    # The future: every 3 to 8 hours some monitored site (never the quiet one) drops for a while.
    lively = [s for s in monitored if s.profile.monitor != "quiet"]
    moment = anchor + timedelta(hours=2)
    while moment < anchor + timedelta(days=14):
        site = rng.choice(lively)
        length = timedelta(minutes=rng.randint(5, 20))
        status, error = rng.choice(OUTAGE_KINDS)
        plan[site.profile.id].append(Outage(moment, moment + length, status, error))
        moment += timedelta(hours=rng.uniform(3, 8))
    for outages in plan.values():
        outages.sort(key=lambda o: o.start)
    return plan


def duration_in_words(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} seconds"
    if seconds < 3600:
        minutes = round(seconds / 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    if seconds < 86400:
        hours = round(seconds / 3600)
        return "about 1 hour" if hours == 1 else f"about {hours} hours"
    days = round(seconds / 86400)
    return "1 day" if days == 1 else f"{days} days"


def short_duration(seconds: float) -> str:
    """Like the contract's `session_duration`: "45s", "8m", "1h 5m"."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h {seconds % 3600 // 60}m"
