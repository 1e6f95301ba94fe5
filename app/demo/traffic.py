"""Per-site constants of traffic generation: vocabularies, sampling tables, volume and rhythm."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from app.demo.catalog import (
    BROWSERS,
    COUNTRIES,
    DESKTOP_PLATFORMS,
    HACKER_NEWS,
    HOSTILE_LABELS,
    HOSTILE_PATHS,
    HOSTILE_REFERRERS,
    HOURLY,
    LARGEST_SITE_ID,
    MOBILE_PLATFORMS,
    REFERRERS,
    SiteProfile,
    site_paths,
)
from app.demo.tables import PathSampler, byte_table

MAX_PAGES = 12  # longest session, in page views
TREND_EPOCH = date(2026, 11, 1)  # the slow trend is anchored to a date, not to the clock
# Gaps between page views: log-uniform from 10 s to 10 min, indexed by a random byte.
GAP_SECONDS: tuple[int, ...] = tuple(round(10 * 60 ** ((c + 0.5) / 256)) for c in range(256))

REFERRER_NAMES: tuple[str | None, ...] = tuple(r for r, _ in REFERRERS)
COUNTRY_CODES: tuple[str | None, ...] = tuple(c for c, _ in COUNTRIES)


@dataclass(frozen=True)
class Device:
    platform: str | None
    browser: str | None
    mobile: bool | None


def _devices(mobile_share: float) -> tuple[tuple[Device, ...], list[float]]:
    devices: list[Device] = []
    weights: list[float] = []
    groups: tuple[tuple[tuple[tuple[str | None, float], ...], float, bool], ...] = (
        (DESKTOP_PLATFORMS, 1 - mobile_share, False),
        (MOBILE_PLATFORMS, mobile_share, True),
    )
    for platforms, share, mobile in groups:
        platform_total = sum(w for _, w in platforms)
        for platform, pw in platforms:
            browsers = BROWSERS[platform]
            browser_total = sum(w for _, w in browsers)
            for browser, bw in browsers:
                # Without a platform nothing is known about the device either.
                known_mobile = mobile if platform is not None else None
                devices.append(Device(platform, browser, known_mobile))
                weights.append(share * pw / platform_total * bw / browser_total)
    return tuple(devices), weights


# Every site draws devices from the same vocabulary (codes are indices into DEVICES).
DEVICES: tuple[Device, ...] = _devices(0.35)[0]
BROWSER_NAMES: tuple[str | None, ...] = tuple(dict.fromkeys(d.browser for d in DEVICES))
PLATFORM_NAMES: tuple[str | None, ...] = tuple(dict.fromkeys(d.platform for d in DEVICES))


def _geometric(mean: float) -> list[float]:
    """Pages per session: geometric with the given mean, cut at MAX_PAGES (code = pages)."""
    stay = 1 - 1 / mean
    weights = [0.0] + [(1 - stay) * stay ** (k - 1) for k in range(1, MAX_PAGES)]
    weights.append(stay ** (MAX_PAGES - 1))
    return weights


class SiteTraffic:
    """Everything about one site's traffic that does not change from day to day."""

    def __init__(self, profile: SiteProfile, index: int, seed: int, scale: float) -> None:
        self.profile = profile
        self.index = index
        self.seed = seed
        self.volume = profile.daily_hits * (scale if profile.id == LARGEST_SITE_ID else 1.0)
        self.cache_key: tuple[int, int, float] = (seed, profile.id, self.volume)
        paths, weights = site_paths(profile)
        self.paths: tuple[str, ...] = tuple(paths)
        self.path_ids: dict[str, int] = {p: i for i, p in enumerate(paths)}
        self.hostile_paths = _hostile_paths(paths)
        self.entry = PathSampler.build(weights)
        # Visitors who click on navigate towards the home, about and index pages.
        top = {p for p, _ in profile.top_pages}
        self.inner_weights = [
            w * (2.5 if p in top else 1.0) for p, w in zip(paths, weights, strict=False)
        ]
        self.inner = PathSampler.build(self.inner_weights)
        self._weights = weights
        self._spike_entries: dict[int, PathSampler] = {}
        # Hacker News picks posts from the upper-middle of the list, not the home page.
        posts = [i for i, p in enumerate(paths) if p not in top]
        self.spike_candidates: tuple[int, ...] = tuple(posts[3:40]) or tuple(range(len(paths)))

        ref_weights = [w for _, w in REFERRERS]
        self.ref_table = byte_table(ref_weights)
        spike_refs = list(ref_weights)
        spike_refs[HACKER_NEWS] = sum(ref_weights) * 1.3
        self.spike_ref_table = byte_table(spike_refs)

        boosts = dict(profile.country_boost)
        self.country_table = byte_table([w * boosts.get(c or "", 1.0) for c, w in COUNTRIES])
        self.device_table = byte_table(_devices(profile.mobile_share)[1])
        self.count_table = byte_table(_geometric(profile.pages_per_session))
        utc_hours = [HOURLY[(h + profile.tz_offset) % 24] for h in range(24)]
        self.hour_table = byte_table(utc_hours)
        self.hour_weights = utc_hours

    def expected_hits(self, day: date) -> float:
        """The day's typical volume before spikes and noise: weekday rhythm, a slow trend and a
        gentle yearly swell."""
        p = self.profile
        weekly = p.weekend if day.weekday() >= 5 else 1.0
        years = (day - TREND_EPOCH).days / 365.0
        trend = math.exp(math.log1p(p.growth) * years)
        season = 1 + 0.08 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 80) / 365)
        return self.volume * weekly * trend * season

    def spike_entry(self, path_id: int) -> PathSampler:
        """Entry pages on a day one post is on the front page of Hacker News."""
        sampler = self._spike_entries.get(path_id)
        if sampler is None:
            weights = list(self._weights)
            weights[path_id] += sum(self._weights)
            sampler = PathSampler.build(weights)
            self._spike_entries[path_id] = sampler
        return sampler

    def path_name(self, path_id: int, hostile: bool) -> str:
        if hostile:
            return self.hostile_paths.get(path_id, self.paths[path_id])
        return self.paths[path_id]

    def label(self, hostile: bool) -> str:
        if hostile:
            return HOSTILE_LABELS.get(self.profile.id, self.profile.label)
        return self.profile.label


def _hostile_paths(paths: list[str]) -> dict[int, str]:
    """Which pages carry hostile names when `hostile_strings` is on: one popular page (so it
    shows on first screens) and a spread over the long tail."""
    if len(paths) < 4:
        return {}
    chosen = [min(len(paths) - 1, 2 + len(paths) // 40)]
    chosen += list(range(len(paths) // 3, len(paths), max(1, len(paths) // 12)))
    return {pid: HOSTILE_PATHS[i % len(HOSTILE_PATHS)] for i, pid in enumerate(chosen)}


def referrer_name(code: int, hostile: bool) -> str | None:
    # The long-tail referrers (the last ones) are the ones an attacker can plant.
    if hostile and code >= len(REFERRER_NAMES) - len(HOSTILE_REFERRERS):
        return HOSTILE_REFERRERS[len(REFERRER_NAMES) - 1 - code]
    return REFERRER_NAMES[code]
