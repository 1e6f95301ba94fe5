"""What `tinylytics-tui report` and `tinylytics-tui sites` print, as rows: no printing here.

A report is the screens' data, not a second way of fetching it: the view state is set as a user
would set it (site, range, filters), then the section's own feed answers once (`feed.key()`,
`feed.fetch(api, key)`), through the session's client, budget and cache. So the numbers are the
dashboard's, and final counts one of them stored serve the other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

# Light imports only: the command line reads WHATS before it knows whether a report runs, and
# `--help` must not load the HTTP stack and the API models.
from app.live.dashboard import PANELS, Panel, PanelRow
from app.live.hitcounts import HitFilters
from app.live.range_arg import range_name
from app.live.ranges import DayRange, Range, RangeKind, Window

if TYPE_CHECKING:
    from app.api import Monitor
    from app.live.api import LiveApi
    from app.live.dashboard import Dashboard
    from app.live.session import Session

Value = str | int | float | bool | None

# What `report` can print, with the words help and the docs use.
WHATS: dict[str, str] = {
    "summary": "the headline: hits in the range, the period before, change, unique views",
    "hits": "the chart's series: hits per hour, day or week, with the period before",
    "pages": "hits per path",
    "referrers": "hits per referrer",
    "countries": "hits per country",
    "browsers": "hits per browser",
    "platforms": "hits per platform",
    "leaderboard": "the top 200 paths of the leaderboard (the server's hourly board)",
    "journeys": "the 200 newest visitor journeys of the range",
    "uptime": "the uptime monitor's state, certificate and domain",
    "insights": "the 10 newest AI-written insights",
}
# The panels, by the name `report` gives them (the order of PANELS).
PANEL_WHATS: dict[str, Panel] = dict(
    zip(("pages", "referrers", "countries", "browsers", "platforms"), PANELS, strict=True)
)
# The column a panel's values go in.
_PANEL_COLUMN = {"pages": "path", "referrers": "referrer", "countries": "country"}
_PANEL_COLUMN |= {"browsers": "browser", "platforms": "platform"}
# What a range and a filter apply to; given to another report, they are a mistake, not ignored.
RANGED = frozenset({"summary", "hits", *PANEL_WHATS, "journeys"})
FILTERED = frozenset({"summary", "hits", *PANEL_WHATS})
FILTER_FIELDS = tuple(f.name for f in dataclasses.fields(HitFilters))


def _bucket_words(window: Window) -> str:
    """What one point of the chart covers."""
    return "hour" if window.hourly else "week" if window.weekly else "day"


# How much of a rejected value a message quotes.
_QUOTED = 40


@dataclass(frozen=True)
class Table:
    """A report: its column names and one tuple of values per row, in the columns' order.
    `title` says what it is about, for people (the terminal's table shows it)."""

    header: tuple[str, ...]
    records: tuple[tuple[Value, ...], ...]
    title: str = ""

    def as_dicts(self) -> list[dict[str, Value]]:
        return [dict(zip(self.header, record, strict=True)) for record in self.records]


class ReportError(Exception):
    """What stops a report that is not an API error (no monitor, no plan): one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Request:
    what: str
    site_id: int
    kind: Range = RangeKind.WEEK
    filters: HitFilters = field(default_factory=HitFilters)


# -- reading the command line's words ---------------------------------------------------------


def parse_filter(text: str) -> tuple[str, str]:
    """`country=US` as (field, value); ValueError with a one-line message otherwise."""
    name, equals, value = text.partition("=")
    name = name.strip().lower()
    fields = ", ".join(FILTER_FIELDS)
    if not equals:
        raise ValueError(f"{text[:_QUOTED]!r} is not a filter: write FIELD=VALUE ({fields})")
    if name not in FILTER_FIELDS:
        raise ValueError(f"hits cannot be filtered by {name[:_QUOTED]!r}: use {fields}")
    if not value:
        raise ValueError(f"the {name} filter needs a value: {name}=VALUE")
    return name, value


def filters_of(pairs: Iterable[tuple[str, str]]) -> HitFilters:
    """The filters given, each field once; ValueError when one is given twice."""
    chosen: dict[str, str] = {}
    for name, value in pairs:
        if name in chosen:
            raise ValueError(f"the {name} filter is given twice: hits match one {name} at a time")
        chosen[name] = value
    return HitFilters(**chosen)


def usage_problem(what: str, *, range_given: bool, filters: HitFilters) -> str | None:
    """Why these options do not fit this report, if they don't (one line)."""
    if range_given and what not in RANGED:
        return f"the {what} report has no range: --range applies to {_listed(RANGED)}"
    if filters and what not in FILTERED:
        return f"the {what} report cannot be filtered: --filter applies to {_listed(FILTERED)}"
    return None


def journeys_range_problem(kind: Range) -> str | None:
    # The Journeys screen offers no 12 months: the API's journeys cover at most 30 days.
    if kind is RangeKind.YEAR or (isinstance(kind, DayRange) and kind.days > 30):
        return "journeys cover at most 30 days: use --range 24h, 7d, 30d or 30 days of dates"
    return None


def _listed(whats: frozenset[str]) -> str:
    return ", ".join(w for w in WHATS if w in whats)


# -- gathering ---------------------------------------------------------------------------------


async def gather(session: Session, request: Request) -> Table:
    """The rows of one report, from the feed of the screen that shows them."""
    api = session.api
    assert api is not None, "connect the session first"
    state = session.state
    state.open_site(request.site_id)
    state.choose_range(request.kind)
    state.set_filters(tuple(request.filters.as_params().items()))
    what = request.what
    if what in ("summary", "hits"):
        dashboard = await _once(session.hits_feed, api)
        if what == "summary":
            return summary_table(session, dashboard)
        return hits_table(session, dashboard)
    if what in PANEL_WHATS:
        return await _panel(session, api, what)
    if what == "leaderboard":
        return await _leaderboard(session, api)
    if what == "journeys":
        return await _journeys(session, api)
    if what == "uptime":
        return await _uptime(session, api)
    if what == "insights":
        return await _insights(session, api)
    raise ValueError(f"no such report: {what}")


async def sites_table(session: Session) -> Table:
    """Every site of the account, as the Sites table has it (hits of today and 7 days)."""
    api = session.api
    assert api is not None, "connect the session first"
    rows = await _once(session.sites_feed, api)
    # The Sites table's order (the numbers people watch first), the URL last.
    header = (
        "id",
        "label",
        "today",
        "last_7_days",
        "change_percent",
        "previous_7_days",
        "lifetime_hits",
        "lifetime_unique_hits",
        "active",
        "public",
        "url",
    )
    records = tuple(
        (
            row.id,
            row.label,
            row.today,
            row.last_7_days,
            _rounded(row.change),
            row.previous_7_days,
            row.lifetime_hits,
            row.lifetime_unique_hits,
            row.active,
            row.is_public,
            row.url,
        )
        for row in rows
    )
    return Table(header, records, f"{len(records)} sites")


async def _once(feed: Any, api: LiveApi) -> Any:
    """One answer of `feed` for what the view state asks now: its fetch, without its loop."""
    key = feed.key()
    assert key is not None, "the view state names no site"
    return await feed.fetch(api, key)


def _title(session: Session, *parts: str) -> str:
    site_id = session.state.site_id
    assert site_id is not None
    return " · ".join((session.sites.label(site_id), *parts))


def _range_words(session: Session) -> str:
    filters = ", ".join(f"{f}={v}" for f, v in session.state.filters)
    words = session.state.range.label
    return f"{words}, {filters}" if filters else words


def summary_table(session: Session, data: Dashboard) -> Table:
    series, current = data.series, data.window.current
    header = (
        "site_id",
        "site",
        "range",
        "start",
        "end",
        "filters",
        "hits",
        "previous_hits",
        "change_percent",
        "compared_hits",
        "compared_previous_hits",
        "compared_to_now",
        "unique_views",
    )
    compared = series.compared
    record = (
        data.site_id,
        session.sites.label(data.site_id),
        range_name(data.window.kind),
        stamp(current.start),
        stamp(current.end),
        " ".join(f"{f}={v}" for f, v in data.filters.as_params().items()),
        series.total,
        series.previous_total,
        _rounded(data.change),
        # What the change compares: both periods over the same span (to the same moment, or
        # complete buckets only), not the whole previous period.
        None if compared is None else compared.current,
        None if compared is None else compared.previous,
        None if compared is None else compared.same_moment,
        data.unique_views,
    )
    return Table(header, (record,), _title(session, "summary", _range_words(session)))


def hits_table(session: Session, data: Dashboard) -> Table:
    window, series = data.window, data.series
    header = ("start", "hits", "previous_start", "previous_hits")
    records = tuple(
        (stamp(now.start), hits, stamp(before.start), earlier)
        for now, hits, before, earlier in zip(
            window.current.buckets,
            series.current,
            window.previous.buckets,
            series.previous,
            strict=True,
        )
    )
    title = _title(session, f"hits per {_bucket_words(window)}", _range_words(session))
    return Table(header, records, title)


async def _panel(session: Session, api: LiveApi, what: str) -> Table:
    from app.live.feeds.panel import MAX_PAGES

    panel = PANEL_WHATS[what]
    feed = session.panel_feed(panel)
    # Every row the full-screen panel can hold, read as it reads them: a page at a time, until
    # the list ends.
    feed.pages = MAX_PAGES
    site_id = session.state.site_id
    assert site_id is not None
    # The title names the site, as the dashboard's header does (the hits feed learns it so).
    await feed.name_site(api, site_id)
    rows = await _once(feed, api)
    return panel_table(session, what, panel, rows.rows, rows.groups)


def panel_table(
    session: Session, what: str, panel: Panel, rows: Sequence[PanelRow], groups: int
) -> Table:
    # Shares as the full-screen panel shows them: of the hits of the rows listed.
    total = sum(r.hits or 0 for r in rows)
    pages = what == "pages"
    header: tuple[str, ...] = (_PANEL_COLUMN[what], "hits", "share_percent")
    if pages:
        header += ("unique_views",)
    records = []
    for row in rows:
        share = round(row.hits / total * 100, 1) if row.hits is not None and total else None
        record: tuple[Value, ...] = (_panel_value(panel, row.value), row.hits, share)
        if pages:
            record += (row.unique,)
        records.append(record)
    title = _title(session, f"{panel.name} ({len(records):,} of {groups:,})", _range_words(session))
    return Table(header, tuple(records), title)


def _panel_value(panel: Panel, value: str | None) -> str | None:
    """Direct and hidden referrers in words, as the panel shows them: an empty cell would say
    neither."""
    if panel.group_by == "referrer":
        if value is None:
            return "(direct)"
        if value == "":
            return "(hidden)"
    return value


async def _leaderboard(session: Session, api: LiveApi) -> Table:
    from app.live.leaderboard import cache_note

    feed = session.leaderboard_feed
    pages = feed.pages
    board = await _once(feed, api)
    # Page after page, as a cursor moving down the screen asks for them, while the screen can
    # hold them all at once.
    while board.rows and pages.last < pages.max_pages and pages.follow(board.last_rank):
        board = await _once(feed, api)
    header = ("rank", "path", "hits", "unique_hits", "share_percent")
    records = tuple(
        (row.rank, row.path, row.total_hits, row.unique_hits, row.percentage) for row in board.rows
    )
    parts = [f"leaderboard ({len(records):,} of {board.total_count:,})"]
    note = cache_note(board.cached_at, board.expires_at, session.now())
    if note:
        parts.append(note)
    return Table(header, records, _title(session, *parts))


async def _journeys(session: Session, api: LiveApi) -> Table:
    from app.live.journeys import duration_seconds, started_at

    data = await _once(session.journeys_feed, api)
    header = ("started", "pages", "duration_seconds", "entry", "exit", "visitor")
    records = []
    for journey in data.journeys:
        start = started_at(journey)
        seconds = duration_seconds(journey)
        count = journey.page_count if journey.page_count is not None else len(journey.pages)
        records.append(
            (
                stamp(start) if start is not None else None,
                count,
                None if seconds is None else round(seconds),
                journey.entry_page,
                journey.exit_page,
                journey.visitor_hash,
            )
        )
    span = data.span
    parts = [f"journeys ({len(records):,} of {data.total:,})", _days(span.first, span.last)]
    summary = data.summary
    if summary is not None and summary.bounce_rate is not None:
        parts.append(f"bounce rate {summary.bounce_rate:.1f}%")
    return Table(header, tuple(records), _title(session, *parts))


async def _uptime(session: Session, api: LiveApi) -> Table:
    from app.live.feeds.paged import Unavailable
    from app.live.monitor import down_since, expiry

    data = await _once(session.uptime_feed, api)
    if isinstance(data, Unavailable):
        raise ReportError(data.message)
    now = session.now()
    monitor, summary = data.head.monitor, data.head.summary
    state = monitor_state(monitor)
    since = down_since(data.head.downtimes) if state == "down" else None
    error = monitor.last_error_message or monitor.status_description if state == "down" else None
    ssl, domain = monitor.ssl, monitor.domain
    ssl_at = ssl_days = domain_at = domain_days = None
    if ssl is not None:
        ssl_at = ssl.expires_at
        ssl_days = expiry(ssl.expires_at, ssl.days_until_expiry, now=now).days_left
    if domain is not None:
        days = domain.days_until_expiry
        days = domain.remaining_days if days is None else days
        domain_at = domain.expires_at
        domain_days = expiry(domain.expires_at, days, now=now).days_left
    header = (
        "site_id",
        "site",
        "state",
        "down_since",
        "error",
        "uptime_percent",
        "http_status",
        "last_check",
        "next_check",
        "downtimes",
        "ongoing_downtimes",
        "ssl_expires",
        "ssl_days_left",
        "domain_expires",
        "domain_days_left",
    )
    record = (
        data.site_id,
        session.sites.label(data.site_id),
        state,
        _stamp_or_none(since),
        error,
        monitor.uptime,
        monitor.last_status_code,
        _stamp_or_none(monitor.last_check_at),
        _stamp_or_none(monitor.next_check_at),
        summary.total_downtimes if summary is not None else None,
        summary.ongoing_downtimes if summary is not None else None,
        _stamp_or_none(ssl_at),
        ssl_days,
        _stamp_or_none(domain_at),
        domain_days,
    )
    return Table(header, (record,), _title(session, "uptime"))


def monitor_state(monitor: Monitor) -> str:
    """`up`, `down`, `paused` (disabled or auto-paused) or `unknown` (not reported yet)."""
    if monitor.enabled is False or monitor.auto_paused:
        return "paused"
    if monitor.is_down is None:
        return "unknown"
    return "down" if monitor.is_down else "up"


async def _insights(session: Session, api: LiveApi) -> Table:
    from app.live.feeds.paged import Unavailable

    data = await _once(session.insights_feed, api)
    if isinstance(data, Unavailable):
        raise ReportError(data.message)
    header = ("date", "traffic_patterns", "best_content", "recommendations", "generated_at")
    records = tuple(
        (
            insight.insights_for_date.isoformat() if insight.insights_for_date else None,
            insight.traffic_patterns,
            insight.best_content,
            insight.recommendations,
            _stamp_or_none(insight.generated_at),
        )
        for insight in data.answer.insights
    )
    return Table(header, records, _title(session, "insights"))


# -- values ------------------------------------------------------------------------------------


def stamp(when: datetime) -> str:
    """A moment as scripts read it: ISO 8601 in UTC, to the second."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp_or_none(when: datetime | None) -> str | None:
    return None if when is None else stamp(when)


def _rounded(percent: float | None) -> float | None:
    return None if percent is None else round(percent, 1)


def _days(first: date, last: date) -> str:
    return f"{first.isoformat()} to {last.isoformat()} (UTC days)"
