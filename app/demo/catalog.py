"""The demo account's sites and the vocabularies their visitors are drawn from."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DIRECT: None = None

# (value, weight). None is a direct visit, "" a referrer the browser stripped.
REFERRERS: tuple[tuple[str | None, float], ...] = (
    (None, 40),
    ("https://www.google.com/", 24),
    ("https://duckduckgo.com/", 5),
    ("https://www.bing.com/", 3),
    ("https://news.ycombinator.com/", 4),
    ("https://t.co/", 3),
    ("https://www.reddit.com/r/programming/", 2.5),
    ("https://github.com/", 2.5),
    ("https://mastodon.social/", 2),
    ("https://lobste.rs/", 1.5),
    ("https://www.linkedin.com/", 1.5),
    ("https://kagi.com/", 1),
    ("", 3),
    ("https://weekly.example-newsletter.com/issue-212", 1),
    ("https://blog.jmartin.dev/links", 0.6),
    ("https://notes.kaiwu.net/2026/reading", 0.5),
    ("https://search.brave.com/", 0.8),
    ("https://www.ecosia.org/", 0.5),
    ("https://old.reddit.com/r/selfhosted/", 0.6),
    ("https://bsky.app/", 1.2),
)

COUNTRIES: tuple[tuple[str | None, float], ...] = (
    ("US", 30),
    ("GB", 9),
    ("DE", 9),
    ("FR", 5),
    ("CA", 5),
    ("IN", 6),
    ("NL", 4),
    ("AU", 3),
    ("BR", 3),
    ("JP", 3),
    ("PL", 2.5),
    ("SE", 2),
    ("ES", 2),
    ("IT", 2),
    ("CH", 1.5),
    ("NO", 1),
    ("FI", 1),
    ("DK", 1),
    ("AT", 1),
    ("BE", 1),
    ("IE", 1),
    ("NZ", 0.8),
    ("MX", 1),
    ("KR", 1),
    ("SG", 0.8),
    ("ZA", 0.6),
    ("PT", 0.8),
    ("CZ", 0.7),
    ("UA", 0.7),
    ("AR", 0.6),
    (None, 1),
)

DESKTOP_PLATFORMS: tuple[tuple[str | None, float], ...] = (
    ("macOS", 42),
    ("Windows", 40),
    ("Linux", 15),
    ("ChromeOS", 2),
    (None, 1),
)
MOBILE_PLATFORMS: tuple[tuple[str | None, float], ...] = (("iOS", 55), ("Android", 44), (None, 1))

# Browser weights by platform; Safari only where Apple ships it.
BROWSERS: dict[str | None, tuple[tuple[str | None, float], ...]] = {
    "macOS": (("Safari", 38), ("Chrome", 45), ("Firefox", 12), ("Arc", 3), ("Edge", 2)),
    "Windows": (("Chrome", 62), ("Edge", 24), ("Firefox", 12), ("Opera", 2)),
    "Linux": (("Firefox", 52), ("Chrome", 40), ("Chromium", 8)),
    "ChromeOS": (("Chrome", 100),),
    "iOS": (("Safari", 85), ("Chrome", 13), ("Firefox", 2)),
    "Android": (("Chrome", 78), ("Samsung Internet", 14), ("Firefox", 5), ("Opera", 3)),
    None: (("Chrome", 50), (None, 50)),
}

# Share of visits by local hour of day: quiet nights, a working-day bump, an evening tail.
HOURLY = (
    0.9,
    0.6,
    0.45,
    0.4,
    0.45,
    0.7,
    1.2,
    2.0,
    3.0,
    3.6,
    3.9,
    4.0,
    3.9,
    4.1,
    4.3,
    4.2,
    4.0,
    3.7,
    3.3,
    3.1,
    2.9,
    2.5,
    1.9,
    1.3,
)

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


@dataclass(frozen=True)
class SiteProfile:
    id: int
    uid: str
    label: str
    url: str
    daily_hits: float  # typical hits on a weekday at the start of its history
    weekend: float  # weekend traffic relative to weekdays
    tz_offset: int  # the audience's main time zone, hours from UTC
    created_days_ago: int
    active: bool
    is_public: bool
    insights_enabled: bool
    daily_reports: bool
    monitor: str  # "down" (down right now), "ssl" (certificate expiring), "none", "ok", "quiet"
    mobile_share: float
    growth: float  # relative growth over a year
    sections: tuple[tuple[str, int, float], ...] = field(default=())  # (prefix, pages, weight)
    top_pages: tuple[tuple[str, float], ...] = field(default=())


SITES: tuple[SiteProfile, ...] = (
    SiteProfile(
        id=456,
        uid="abc123",
        label="Field Notes",
        url="https://fieldnotes.blog",
        daily_hits=160,
        weekend=0.9,
        tz_offset=1,
        created_days_ago=640,
        active=True,
        is_public=True,
        insights_enabled=True,
        daily_reports=True,
        monitor="ok",
        mobile_share=0.42,
        growth=0.35,
        sections=(("/posts/", 140, 0.62), ("/tags/", 25, 0.06)),
        top_pages=(
            ("/", 0.18),
            ("/about", 0.04),
            ("/now", 0.03),
            ("/rss.xml", 0.05),
            ("/archive", 0.02),
        ),
    ),
    SiteProfile(
        id=457,
        uid="def456",
        label="Burrow Docs",
        url="https://docs.burrow.dev",
        daily_hits=1500,
        weekend=0.38,
        tz_offset=-5,
        created_days_ago=420,
        active=True,
        is_public=False,
        insights_enabled=True,
        daily_reports=False,
        monitor="ssl",
        mobile_share=0.12,
        growth=0.6,
        sections=(("/guide/", 60, 0.45), ("/reference/", 180, 0.3), ("/changelog/", 30, 0.05)),
        top_pages=(("/", 0.1), ("/install", 0.06), ("/quickstart", 0.04)),
    ),
    SiteProfile(
        id=458,
        uid="ghi789",
        label="Kettle & Crumb",
        url="https://kettleandcrumb.shop",
        daily_hits=420,
        weekend=1.35,
        tz_offset=0,
        created_days_ago=300,
        active=True,
        is_public=False,
        insights_enabled=True,
        daily_reports=True,
        monitor="down",
        mobile_share=0.61,
        growth=0.2,
        sections=(("/products/", 45, 0.5), ("/recipes/", 30, 0.15)),
        top_pages=(
            ("/", 0.2),
            ("/cart", 0.06),
            ("/checkout", 0.03),
            ("/shipping", 0.03),
            ("/contact", 0.03),
        ),
    ),
    SiteProfile(
        id=459,
        uid="jkl012",
        label="Launch list",
        url="https://tern.app",
        daily_hits=55,
        weekend=0.7,
        tz_offset=2,
        created_days_ago=120,
        active=True,
        is_public=False,
        insights_enabled=False,
        daily_reports=False,
        monitor="none",
        mobile_share=0.38,
        growth=1.5,
        sections=(("/updates/", 8, 0.15),),
        top_pages=(("/", 0.7), ("/pricing", 0.08), ("/privacy", 0.02), ("/thanks", 0.05)),
    ),
    SiteProfile(
        id=460,
        uid="mno345",
        label="old-side-project",
        url="https://pixelmoss.net",
        daily_hits=9,
        weekend=1.0,
        tz_offset=9,
        created_days_ago=700,
        active=False,
        is_public=True,
        insights_enabled=True,
        daily_reports=False,
        monitor="quiet",
        mobile_share=0.3,
        growth=-0.5,
        sections=(("/gallery/", 12, 0.5),),
        top_pages=(("/", 0.5),),
    ),
)

# The largest site is the one `--scale` grows.
LARGEST_SITE_ID = max(SITES, key=lambda s: s.daily_hits).id


def site_paths(profile: SiteProfile) -> tuple[list[str], list[float]]:
    """The site's pages and their popularity: a few hot pages and a long Zipf tail."""
    rng = random.Random(f"paths-{profile.id}")
    paths: list[str] = []
    weights: list[float] = []
    for path, weight in profile.top_pages:
        paths.append(path)
        weights.append(weight)
    for prefix, count, share in profile.sections:
        harmonic = sum(1 / (rank + 1) for rank in range(count))
        seen: set[str] = set()
        for rank in range(count):
            while True:
                slug = "-".join(rng.sample(_WORDS, rng.choice((2, 3, 3, 4))))
                if slug not in seen:
                    seen.add(slug)
                    break
            paths.append(prefix + slug)
            weights.append(share / (rank + 1) / harmonic)
    return paths, weights
