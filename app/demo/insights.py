"""Daily AI insights, written from the site's own numbers for the week before.

An insight for day G is generated shortly after 01:00 UTC on G and covers G-7 .. G-1, so every
number in it can be checked against /hits for that week.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from app.demo.catalog import COUNTRY_NAMES
from app.demo.formats import clock_hour, iso_millis
from app.demo.traffic import COUNTRY_CODES, DEVICES

if TYPE_CHECKING:
    from app.demo.world import Site, World

HISTORY_DAYS = 90  # insights were switched on this long before the world's start
ID_EPOCH = date(2025, 1, 1)


def generated_at(world: World, site: Site, day: date) -> datetime:
    rng = random.Random(f"{world.seed}:{site.id}:{day.isoformat()}:insight")
    start = datetime.combine(day, time(1, 0), tzinfo=UTC)
    return start + timedelta(seconds=rng.randint(180, 2700), milliseconds=rng.randint(0, 999))


def first_insight_day(world: World, site: Site) -> date:
    return max(
        site.first_day + timedelta(days=7), world.anchor.date() - timedelta(days=HISTORY_DAYS)
    )


def latest_insight_day(world: World, site: Site, now: datetime) -> date | None:
    if not site.profile.insights_enabled:
        return None
    today = now.astimezone(UTC).date()
    last = today if generated_at(world, site, today) <= now else today - timedelta(days=1)
    return last if last >= first_insight_day(world, site) else None


def insight_count(world: World, site: Site, now: datetime) -> int:
    last = latest_insight_day(world, site, now)
    if last is None:
        return 0
    return (last - first_insight_day(world, site)).days + 1


def next_job(now: datetime) -> datetime:
    """The next 01:00 UTC after now."""
    run = datetime.combine(now.astimezone(UTC).date(), time(1, 0), tzinfo=UTC)
    return run if run > now else run + timedelta(days=1)


def insights_page(
    world: World, site: Site, now: datetime, page: int, per_page: int, hostile: bool
) -> tuple[list[dict[str, Any]], int]:
    total = insight_count(world, site, now)
    last = latest_insight_day(world, site, now)
    if last is None:
        return [], 0
    skip = (page - 1) * per_page
    days = [last - timedelta(days=skip + i) for i in range(per_page) if skip + i < total]
    return [insight(world, site, d, hostile) for d in days], total


def _week(world: World, site: Site, end: date) -> dict[str, Any]:
    """The numbers of the seven days ending with `end`."""
    now = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    start = end - timedelta(days=6)
    daily: dict[date, int] = {}
    hours = [0] * 24
    paths: Counter[int] = Counter()
    browsers: Counter[str | None] = Counter()
    countries: Counter[str | None] = Counter()
    visitors = 0
    for view in world.views(site, start, end, now):
        daily[view.date] = view.total
        visitors += view.sessions
        for h, n in enumerate(view.hour_counts()):
            hours[h] += n
        paths.update({i: n for i, n in enumerate(view.path_counts()) if n})
        _, country_counts, device_counts = view.attr_counts()
        for code, n in enumerate(device_counts):
            browsers[DEVICES[code].browser] += n
        for code, n in enumerate(country_counts):
            countries[COUNTRY_CODES[code]] += n
    return {
        "total": sum(daily.values()),
        "visitors": visitors,
        "daily": daily,
        "hours": hours,
        "paths": paths,
        "browsers": browsers,
        "countries": countries,
    }


def insight(world: World, site: Site, day: date, hostile: bool) -> dict[str, Any]:
    with world.lock:
        week = _week(world, site, day - timedelta(days=1))
        before = _week(world, site, day - timedelta(days=8))
    rng = random.Random(f"{world.seed}:{site.id}:{day.isoformat()}:text")
    return {
        "id": (day - ID_EPOCH).days * 5 + site.index + 1,
        "insights_for_date": day.isoformat(),
        "formatted_insights_date": f"{day:%B} {day.day}, {day.year}",
        "generated_at": iso_millis(generated_at(world, site, day)),
        "traffic_patterns": _traffic_patterns(week, before, rng),
        "best_content": _best_content(world, site, week, hostile, rng),
        "recommendations": _recommendations(world, site, week, before, hostile, rng),
    }


def _change(week: dict[str, Any], before: dict[str, Any]) -> tuple[str, float]:
    if not before["total"]:
        return "the first full week we can compare", 0.0
    change = (week["total"] - before["total"]) / before["total"] * 100
    if abs(change) < 2:
        return "about the same as the week before", change
    direction = "up" if change > 0 else "down"
    return f"{direction} {abs(change):.0f}% on the week before ({before['total']:,} hits)", change


def _traffic_patterns(week: dict[str, Any], before: dict[str, Any], rng: random.Random) -> str:
    if not week["total"]:
        return (
            "It was a quiet week: no visits were recorded. "
            "A new post or a share could wake things up."
        )
    busiest_day, busiest_hits = max(week["daily"].items(), key=lambda kv: (kv[1], kv[0]))
    hour = max(range(24), key=lambda h: week["hours"][h])
    change, _ = _change(week, before)
    opener = rng.choice(
        (
            f"{busiest_day:%A} led the week with {busiest_hits:,} hits",
            f"Your busiest day was {busiest_day:%A}, bringing in {busiest_hits:,} hits",
            f"{busiest_day:%A} took the lead at {busiest_hits:,} hits",
        )
    )
    return (
        f"{opener}, and visits peaked around {clock_hour(hour)} UTC with {week['hours'][hour]:,} "
        f"hits in that hour across the week. Overall you had {week['total']:,} hits from "
        f"{week['visitors']:,} unique visitors, {change}."
    )


def _best_content(
    world: World, site: Site, week: dict[str, Any], hostile: bool, rng: random.Random
) -> str:
    top = week["paths"].most_common(3)
    if not top:
        return "No page stood out this week because no visits were recorded."
    names = [(site.traffic.path_name(pid, hostile), n) for pid, n in top]
    first = f"{names[0][0]} is shining brightest with {names[0][1]:,} hits"
    rest = ", ".join(f"{p} at {n:,}" for p, n in names[1:])
    browsers = [(b, n) for b, n in week["browsers"].most_common() if b is not None]
    browser_text = ""
    if browsers and week["total"]:
        name, n = browsers[0]
        browser_text = (
            f" {name} leads the browsers at about {n / week['total'] * 100:.0f}% of hits, so "
            "keeping things crisp there will help everyone enjoy the site."
        )
    closing = rng.choice(
        (
            "Visitors are clearly finding what they came for.",
            "That mix suggests people are exploring beyond the first page they land on.",
            "Those pages are doing the heavy lifting right now.",
        )
    )
    follow = f", followed by {rest}" if rest else ""
    return f"{first}{follow}. {closing}{browser_text}"


def _recommendations(
    world: World,
    site: Site,
    week: dict[str, Any],
    before: dict[str, Any],
    hostile: bool,
    rng: random.Random,
) -> str:
    countries = [COUNTRY_NAMES.get(c, c) for c, _ in week["countries"].most_common(4) if c][:3]
    top = week["paths"].most_common(1)
    _, change = _change(week, before)
    parts: list[str] = []
    if top:
        page = site.traffic.path_name(top[0][0], hostile)
        parts.append(
            f"With {page} drawing the most attention, link from it to one or two related pages "
            "so that visitors stay a little longer."
        )
    if week["total"]:
        busiest_day = max(week["daily"].items(), key=lambda kv: (kv[1], kv[0]))[0]
        parts.append(
            f"Since {busiest_day:%A}s are busiest, time fresh updates to land just before then."
        )
    if change < -10:
        parts.append(
            "Traffic dipped this week; a short post or a newsletter mention could win it back."
        )
    elif change > 10:
        parts.append(
            "Traffic is growing nicely; keep the momentum with a regular publishing rhythm."
        )
    if countries:
        parts.append(
            "Your audience is international, led by "
            + ", ".join(countries)
            + rng.choice(
                (
                    "; simple, universal language helps everyone.",
                    "; consider what time zone your posts land in.",
                )
            )
        )
    return " ".join(parts) or "Keep doing what you are doing."
