"""Daily AI-style insights, written from the site's own numbers for the week before."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.demo.world import HitFilter, SiteWorld, World

GENERATED_AT = time(8, 20, 27, 902000)
FIRST_AFTER_DAYS = 8


def _first_day(site: SiteWorld) -> date:
    return site.first_day + timedelta(days=FIRST_AFTER_DAYS)


def generated_at(day: date) -> datetime:
    return datetime.combine(day, GENERATED_AT, tzinfo=UTC)


def insight_count(site: SiteWorld, now: datetime) -> int:
    """Insights are written each morning for sites that have them switched on."""
    if not site.profile.insights_enabled:
        return 0
    last = now.date() if generated_at(now.date()) <= now else now.date() - timedelta(days=1)
    return max(0, (last - _first_day(site)).days + 1)


def _week(site: SiteWorld, end: date) -> list[tuple[date, int]]:
    return [(d, sum(site.session_sizes(d))) for d in site.days(end - timedelta(days=6), end)]


def insight_for(world: World, site: SiteWorld, number: int) -> dict[str, Any]:
    day = _first_day(site) + timedelta(days=number)
    rng = random.Random(f"{world.seed}:{site.profile.id}:insight:{number}")
    week = _week(site, day - timedelta(days=1))
    before = _week(site, day - timedelta(days=8))
    total = sum(n for _, n in week)
    previous = sum(n for _, n in before)
    visitors = sum(len(site.session_sizes(d)) for d, _ in week)
    busiest_day, busiest_hits = max(week, key=lambda pair: pair[1], default=(day, 0))
    hours: Counter[int] = Counter()
    for d, _ in week:
        generated = site.day(d)
        hours.update(datetime.fromtimestamp(ts, UTC).hour for ts in generated.ts)
    hour, hour_hits = hours.most_common(1)[0] if hours else (12, 0)
    first, last = week[0][0], week[-1][0]
    paths, _ = world.grouped(site, "path", first, last, HitFilter())
    names = world.paths(site)
    top = [(names[i], n) for i, n in paths.most_common(4)]
    browsers, _ = world.grouped(site, "browser", first, last, HitFilter())
    countries, _ = world.grouped(site, "country", first, last, HitFilter())
    browser, browser_hits = browsers.most_common(1)[0] if browsers else (0, 0)
    browser_name = site.vocab.browsers[browser] or "an unknown browser"
    country_names = [
        c for c in (site.vocab.countries[i] for i, _ in countries.most_common(4)) if c
    ][:3]

    change = (total - previous) / previous * 100 if previous else None
    if change is None:
        trend = "this is the first full week we can compare"
    elif change >= 5:
        trend = f"up {change:.0f}% on the week before ({previous:,} hits)"
    elif change <= -5:
        trend = f"down {abs(change):.0f}% on the week before ({previous:,} hits)"
    else:
        trend = f"steady against the week before ({previous:,} hits)"
    opener = rng.choice(("Your site's traffic", "Traffic", "This week's traffic"))
    traffic = (
        f"{opener} came to {total:,} hits from {visitors:,} unique visitors, {trend}. "
        f"{busiest_day:%A} led the week with {busiest_hits:,} hits, and the busiest hour was "
        f"{hour:02d}:00 UTC with {hour_hits:,} hits."
    )
    if top:
        lead, lead_hits = top[0]
        others = ", ".join(f"{p} ({n:,})" for p, n in top[1:])
        best = f"{lead} drew the most attention with {lead_hits:,} hits"
        best += f", followed by {others}." if others else "."
    else:
        best = "No page stood out this week: there were no hits to compare."
    share = browser_hits / total * 100 if total else 0
    best += f" {browser_name} leads the browsers at about {share:.0f}%."
    where = ", ".join(country_names) if country_names else "a handful of places"
    if top:
        focus = top[0][0]
        advice = rng.choice(
            (
                f"Link from {focus} to a related page to turn single-page visits into reading.",
                f"Freshen up {focus} and give it a clear next step for new visitors.",
                f"Try publishing around {hour:02d}:00 UTC, when your readers are most active.",
            )
        )
    else:
        advice = "Share a new post to get the numbers moving."
    recommendations = f"{advice} Most visitors came from {where}: keep the language simple."
    return {
        "id": site.profile.id * 10000 + number,
        "insights_for_date": day.isoformat(),
        "formatted_insights_date": f"{day:%B} {day.day}, {day.year}",
        "generated_at": generated_at(day).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "traffic_patterns": traffic,
        "best_content": best,
        "recommendations": recommendations,
    }
