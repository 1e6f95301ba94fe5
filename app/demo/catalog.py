"""The demo account's sites and the vocabularies their visitors are drawn from.

Weights are relative; the sampling tables in `tables.py` turn them into byte lookup tables.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# (value, weight). None is a direct visit, "" a referrer the browser stripped.
REFERRERS: tuple[tuple[str | None, float], ...] = (
    (None, 40),
    ("https://www.google.com/", 24),
    ("https://duckduckgo.com/", 5),
    ("https://www.bing.com/", 3),
    ("https://news.ycombinator.com/", 3),
    ("https://t.co/", 3),
    ("https://www.reddit.com/r/programming/", 2.5),
    ("https://github.com/", 2.5),
    ("https://mastodon.social/", 2),
    ("https://lobste.rs/", 1.5),
    ("https://www.linkedin.com/", 1.5),
    ("https://kagi.com/", 1),
    ("", 3),
    ("https://bsky.app/", 1.2),
    ("https://search.brave.com/", 0.8),
    ("https://weekly.example-newsletter.com/issue-212", 0.8),
    ("https://blog.jmartin.dev/links", 0.6),
    ("https://old.reddit.com/r/selfhosted/", 0.6),
    ("https://notes.kaiwu.net/2026/reading", 0.5),
    ("https://www.ecosia.org/", 0.5),
    ("https://www.facebook.com/", 0.5),
    ("https://yandex.ru/", 0.3),
    ("https://forum.example-community.org/t/analytics-that-respect-privacy/4411", 0.3),
    ("https://www.baidu.com/", 0.2),
)
HACKER_NEWS = 4  # index in REFERRERS: where a spike day's crowd comes from

COUNTRIES: tuple[tuple[str | None, float], ...] = (
    ("US", 30), ("GB", 9), ("DE", 9), ("FR", 5), ("CA", 5), ("IN", 6), ("NL", 4), ("AU", 3),
    ("BR", 3), ("JP", 3), ("PL", 2.5), ("SE", 2), ("ES", 2), ("IT", 2), ("CH", 1.5), ("NO", 1),
    ("FI", 1), ("DK", 1), ("AT", 1), ("BE", 1), ("IE", 1), ("NZ", 0.8), ("MX", 1), ("KR", 1),
    ("SG", 0.8), ("ZA", 0.6), ("PT", 0.8), ("CZ", 0.7), ("UA", 0.7), ("AR", 0.6), (None, 1),
)  # fmt: skip

COUNTRY_NAMES: dict[str, str] = {
    "US": "the United States", "GB": "the United Kingdom", "DE": "Germany", "FR": "France",
    "CA": "Canada", "IN": "India", "NL": "the Netherlands", "AU": "Australia", "BR": "Brazil",
    "JP": "Japan", "PL": "Poland", "SE": "Sweden", "ES": "Spain", "IT": "Italy",
    "CH": "Switzerland", "NO": "Norway", "FI": "Finland", "DK": "Denmark", "AT": "Austria",
    "BE": "Belgium", "IE": "Ireland", "NZ": "New Zealand", "MX": "Mexico", "KR": "South Korea",
    "SG": "Singapore", "ZA": "South Africa", "PT": "Portugal", "CZ": "Czechia", "UA": "Ukraine",
    "AR": "Argentina",
}  # fmt: skip

DESKTOP_PLATFORMS: tuple[tuple[str | None, float], ...] = (
    ("macOS", 42), ("Windows", 40), ("Linux", 15), ("ChromeOS", 2), (None, 1),
)  # fmt: skip
MOBILE_PLATFORMS: tuple[tuple[str, float], ...] = (("iOS", 55), ("Android", 45))

# Browser shares by platform; Safari only where Apple ships it, nothing known without a platform.
BROWSERS: dict[str | None, tuple[tuple[str | None, float], ...]] = {
    "macOS": (("Safari", 38), ("Chrome", 45), ("Firefox", 12), ("Arc", 3), ("Edge", 2)),
    "Windows": (("Chrome", 62), ("Edge", 24), ("Firefox", 12), ("Opera", 2)),
    "Linux": (("Firefox", 52), ("Chrome", 40), ("Chromium", 8)),
    "ChromeOS": (("Chrome", 100),),
    "iOS": (("Safari", 85), ("Chrome", 13), ("Firefox", 2)),
    "Android": (("Chrome", 78), ("Samsung Internet", 14), ("Firefox", 5), ("Opera", 3)),
    None: (("Chrome", 40), (None, 60)),
}

# Relative traffic by local hour of day: quiet nights, a working-day bump, an evening tail.
HOURLY: tuple[float, ...] = (
    0.9, 0.6, 0.45, 0.4, 0.45, 0.7, 1.2, 2.0, 3.0, 3.6, 3.9, 4.0,
    3.9, 4.1, 4.3, 4.2, 4.0, 3.7, 3.3, 3.1, 2.9, 2.5, 1.9, 1.3,
)  # fmt: skip

_WORDS = [
    "async",
    "rust",
    "python",
    "sqlite",
    "terminal",
    "design",
    "notes",
    "week",
    "static",
    "sites",
    "postgres",
    "caching",
    "shell",
    "tmux",
    "vim",
    "keyboard",
    "fonts",
    "colour",
    "layout",
    "testing",
    "deploy",
    "docker",
    "nginx",
    "htmx",
    "forms",
    "privacy",
    "analytics",
    "hiking",
    "coffee",
    "bread",
    "garden",
    "books",
    "music",
    "travel",
    "photos",
    "winter",
    "spring",
    "release",
    "changelog",
    "roadmap",
    "pricing",
    "search",
    "offline",
    "sync",
    "backup",
]

USERS: tuple[tuple[str, str], ...] = (
    ("Maya Lindqvist", "maya@fieldnotes.blog"),
    ("Tomás Herrera", "tomas@fieldnotes.blog"),
    ("Priya Raman", "priya@fieldnotes.blog"),
    ("Jonas Becker", "jonas@fieldnotes.blog"),
)


@dataclass(frozen=True)
class SiteProfile:
    id: int
    uid: str
    label: str
    url: str
    daily_hits: float  # typical hits on a weekday (before the slow trend)
    weekend: float  # weekend traffic relative to weekdays
    tz_offset: int  # the audience's main time zone, hours from UTC
    created_days_ago: int  # before the world's start
    active: bool
    is_public: bool
    insights_enabled: bool
    daily_reports: bool
    monitor: str  # "down" (down right now), "ssl" (certificate expiring), "none", "ok", "quiet"
    period: int  # uptime check period, seconds
    mobile_share: float
    growth: float  # relative growth per year
    pages_per_session: float
    sections: tuple[tuple[str, int, float], ...] = field(default=())  # (prefix, pages, share)
    top_pages: tuple[tuple[str, float], ...] = field(default=())  # (path, share)
    country_boost: tuple[tuple[str, float], ...] = field(default=())  # the audience's home


SITES: tuple[SiteProfile, ...] = (
    SiteProfile(
        id=456, uid="abc123", label="Field Notes", url="https://fieldnotes.blog",
        daily_hits=160, weekend=0.9, tz_offset=1, created_days_ago=640, active=True,
        is_public=True, insights_enabled=True, daily_reports=True, monitor="ok", period=300,
        mobile_share=0.42, growth=0.35, pages_per_session=1.5,
        sections=(("/posts/", 140, 0.62), ("/tags/", 25, 0.06)),
        top_pages=(("/", 0.18), ("/about", 0.04), ("/now", 0.03), ("/rss.xml", 0.05),
                   ("/archive", 0.02)),
        country_boost=(("DE", 2.0), ("SE", 2.5), ("NL", 1.5)),
    ),
    SiteProfile(
        id=457, uid="def456", label="Burrow Docs", url="https://docs.burrow.dev",
        daily_hits=1500, weekend=0.38, tz_offset=-5, created_days_ago=420, active=True,
        is_public=False, insights_enabled=True, daily_reports=False, monitor="ssl", period=300,
        mobile_share=0.2, growth=0.6, pages_per_session=2.4,
        sections=(("/guide/", 60, 0.45), ("/reference/", 180, 0.3), ("/changelog/", 30, 0.05)),
        top_pages=(("/", 0.1), ("/install", 0.06), ("/quickstart", 0.04)),
        country_boost=(("US", 1.4), ("IN", 1.5)),
    ),
    SiteProfile(
        id=458, uid="ghi789", label="Kettle & Crumb", url="https://kettleandcrumb.shop",
        daily_hits=420, weekend=1.35, tz_offset=0, created_days_ago=300, active=True,
        is_public=False, insights_enabled=True, daily_reports=True, monitor="down", period=60,
        mobile_share=0.61, growth=0.2, pages_per_session=2.8,
        sections=(("/products/", 45, 0.5), ("/recipes/", 30, 0.15)),
        top_pages=(("/", 0.2), ("/cart", 0.06), ("/checkout", 0.03), ("/shipping", 0.03),
                   ("/contact", 0.03)),
        country_boost=(("GB", 5.0), ("IE", 3.0)),
    ),
    SiteProfile(
        id=459, uid="jkl012", label="Tern — launch list", url="https://tern.app",
        daily_hits=60, weekend=0.7, tz_offset=2, created_days_ago=210, active=True,
        is_public=False, insights_enabled=False, daily_reports=False, monitor="none", period=300,
        mobile_share=0.38, growth=1.5, pages_per_session=1.3,
        sections=(("/updates/", 8, 0.15),),
        top_pages=(("/", 0.7), ("/pricing", 0.08), ("/privacy", 0.02), ("/thanks", 0.05)),
        country_boost=(("FI", 4.0), ("DE", 1.5)),
    ),
    SiteProfile(
        id=460, uid="mno345", label="pixelmoss (old side project)", url="https://pixelmoss.net",
        daily_hits=10, weekend=1.0, tz_offset=9, created_days_ago=700, active=False,
        is_public=True, insights_enabled=True, daily_reports=False, monitor="quiet", period=600,
        mobile_share=0.3, growth=-0.3, pages_per_session=1.2,
        sections=(("/gallery/", 12, 0.5),),
        top_pages=(("/", 0.5),),
        country_boost=(("JP", 8.0), ("KR", 3.0)),
    ),
)  # fmt: skip

# Words for the made-up sites of a larger account (`sites` above the five written out).
_EXTRA_NAMES = (
    "Harbor", "Lumen", "Quill", "Orchard", "Signal", "Copper", "Meadow", "Atlas", "Juniper",
    "Beacon", "Cinder", "Fable", "Grove", "Hollow", "Ivy", "Kestrel", "Lantern", "Marble",
)  # fmt: skip
_EXTRA_KINDS = ("blog", "docs", "shop", "studio", "notes", "club", "press", "lab")


def account_sites(count: int, seed: int) -> tuple[SiteProfile, ...]:
    """The account's sites: the five written out above, then made-up ones up to `count`, so
    that an account of 50 sites can be measured. The same seed makes the same sites."""
    if count <= len(SITES):
        return SITES[: max(1, count)]
    rng = random.Random(f"{seed}:extra-sites")
    extra: list[SiteProfile] = []
    base = SITES[0]
    for n in range(len(SITES), count):
        name = f"{rng.choice(_EXTRA_NAMES)} {rng.choice(_EXTRA_KINDS)} {n + 1}"
        slug = name.lower().replace(" ", "-")
        extra.append(
            SiteProfile(
                id=base.id + n,
                uid=f"x{n:05d}",
                label=name,
                url=f"https://{slug}.example",
                # A long tail: most sites small, a few large, as in real accounts.
                daily_hits=round(min(2000.0, 8 * rng.paretovariate(1.2)), 1),
                weekend=rng.uniform(0.4, 1.3),
                tz_offset=rng.randrange(-8, 10),
                created_days_ago=rng.randrange(60, 900),
                active=rng.random() > 0.1,
                is_public=rng.random() > 0.7,
                insights_enabled=rng.random() > 0.5,
                daily_reports=False,
                monitor=rng.choice(("ok", "ok", "ok", "none", "quiet")),
                period=300,
                mobile_share=rng.uniform(0.2, 0.6),
                growth=rng.uniform(-0.3, 0.8),
                pages_per_session=rng.uniform(1.1, 2.5),
                sections=(("/posts/", rng.randrange(5, 60), 0.4),),
                top_pages=(("/", 0.3), ("/about", 0.03)),
            )
        )
    return SITES + tuple(extra)


# The site that `scale` grows (benchmarks need one big site; the others keep their size).
LARGEST_SITE_ID = max(SITES, key=lambda s: s.daily_hits).id


def site_paths(profile: SiteProfile) -> tuple[list[str], list[float]]:
    """The site's pages and their popularity: a few hot pages and a long Zipf tail."""
    rng = random.Random(f"paths-{profile.id}")
    paths: list[str] = []
    weights: list[float] = []
    for path, weight in profile.top_pages:
        paths.append(path)
        weights.append(weight)
    seen: set[str] = set(paths)
    for prefix, count, share in profile.sections:
        harmonic = sum(1 / (rank + 1) for rank in range(count))
        for rank in range(count):
            while True:
                slug = "-".join(rng.sample(_WORDS, rng.choice((2, 3, 3, 4))))
                if prefix + slug not in seen:
                    seen.add(prefix + slug)
                    break
            paths.append(prefix + slug)
            weights.append(share / (rank + 1) / harmonic)
    return paths, weights


# Strings an attacker can plant in paths, referrers and labels (the `hostile_strings` setting):
# markup that Rich/Textual would interpret, terminal escape sequences, control characters,
# very long and non-Latin text.
HOSTILE_PATHS: tuple[str, ...] = (
    "/[b]bold[/b]-post",
    "/posts/[link=http://evil.example]free-prize[/link]",
    "/\x1b[31mred-alert\x1b[0m",
    "/\x1b]8;;http://x.example\x07click-me\x1b]8;;\x07",
    "/ctrl-\x00-\x07-\x08-\x7f-chars",
    "/日本語のページ/東京の写真",
    "/" + "very-long-path-segment-" * 40,
    "/[@click=app.quit]quit[/]",
    "/emoji-😀-rtl-\u202egnp.exe",
    "/\r\nSet-Cookie:-x=1",
)
HOSTILE_REFERRERS: tuple[str, ...] = (
    "https://evil.example/[b]bold[/b]",
    "https://evil.example/\x1b[2J\x1b[H",
    "[link=http://evil.example]trusted[/link]",
    "https://пример.рф/ссылка",
)
HOSTILE_LABELS: dict[int, str] = {
    460: "[red]pixelmoss[/red] \x1b[31m(old)\x1b[0m",
    459: "Tern — 発売リスト — " + "a very long label " * 8,
}
