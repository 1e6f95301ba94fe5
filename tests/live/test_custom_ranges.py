"""Any range of UTC days: the calendar presets on fixed dates, the buckets that fit a range's
length, the comparison with a year earlier, `--range` days, and what a custom range costs.

Expected numbers are counted from the API itself (`tests/live/test_like_for_like.py` helpers),
never from the code under test.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from app.api import TinylyticsClient
from app.demo import DEMO_KEY, DemoServer
from app.live.dashboard import PANELS, Dashboard, dashboard_cost, load_dashboard
from app.live.export import PanelList
from app.live.feeds.hits import FINISHED_WAIT
from app.live.hitcounts import HitCounter, HitFilters
from app.live.journeys import journey_span
from app.live.range_arg import future_problem, parse_range, range_name
from app.live.ranges import (
    Compare,
    DayPreset,
    DayRange,
    RangeKind,
    a_year_before,
    days_problem,
    midnight,
    preset_range,
    resolve,
    window,
)
from app.live.session import Session
from tests.conftest import DEMO_NOW
from tests.live.test_cost import close_to
from tests.live.test_like_for_like import day_count, previous_to_cut
from tests.live.watching import Watching, session_on

DOCS, BLOG = 457, 456
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def days(preset: DayPreset, today: date) -> tuple[date, date]:
    found = preset_range(preset, today)
    return found.first, found.last


# -- presets --------------------------------------------------------------------------------


def test_presets_on_a_friday() -> None:
    friday = date(2026, 11, 20)
    assert friday.weekday() == 4
    assert days(DayPreset.TODAY, friday) == (friday, friday)
    assert days(DayPreset.YESTERDAY, friday) == (date(2026, 11, 19),) * 2
    assert days(DayPreset.THIS_WEEK, friday) == (date(2026, 11, 16), friday)
    assert days(DayPreset.LAST_WEEK, friday) == (date(2026, 11, 9), date(2026, 11, 15))
    assert days(DayPreset.THIS_MONTH, friday) == (date(2026, 11, 1), friday)
    assert days(DayPreset.LAST_MONTH, friday) == (date(2026, 10, 1), date(2026, 10, 31))
    assert days(DayPreset.LAST_90_DAYS, friday) == (date(2026, 8, 23), friday)
    assert preset_range(DayPreset.LAST_90_DAYS, friday).days == 90
    assert days(DayPreset.THIS_YEAR, friday) == (date(2026, 1, 1), friday)
    assert days(DayPreset.LAST_YEAR, friday) == (date(2025, 1, 1), date(2025, 12, 31))
    assert all(preset_range(p, friday).clip_note is None for p in DayPreset)


def test_presets_across_a_year_boundary() -> None:
    new_year = date(2026, 1, 1)  # a Thursday: its week began in December
    assert days(DayPreset.YESTERDAY, new_year) == (date(2025, 12, 31),) * 2
    assert days(DayPreset.THIS_WEEK, new_year) == (date(2025, 12, 29), new_year)
    assert days(DayPreset.LAST_WEEK, new_year) == (date(2025, 12, 22), date(2025, 12, 28))
    assert days(DayPreset.THIS_MONTH, new_year) == (new_year, new_year)
    assert days(DayPreset.LAST_MONTH, new_year) == (date(2025, 12, 1), date(2025, 12, 31))
    assert days(DayPreset.THIS_YEAR, new_year) == (new_year, new_year)
    assert days(DayPreset.LAST_90_DAYS, new_year) == (date(2025, 10, 4), new_year)


def test_a_week_begins_on_monday() -> None:
    monday = date(2026, 11, 16)
    assert days(DayPreset.THIS_WEEK, monday) == (monday, monday)
    assert days(DayPreset.LAST_WEEK, monday) == (date(2026, 11, 9), date(2026, 11, 15))
    sunday = date(2026, 11, 22)
    assert days(DayPreset.THIS_WEEK, sunday) == (monday, sunday)


def test_a_leap_day() -> None:
    leap = date(2028, 2, 29)
    assert days(DayPreset.THIS_MONTH, leap) == (date(2028, 2, 1), leap)
    assert days(DayPreset.YESTERDAY, leap) == (date(2028, 2, 28),) * 2
    assert days(DayPreset.LAST_MONTH, date(2028, 3, 1)) == (date(2028, 2, 1), leap)
    # February 29 a year earlier is February 28.
    assert a_year_before(midnight(leap)) == midnight(date(2027, 2, 28))
    span = window(DayRange(leap, leap), midnight(leap) + 12 * HOUR, compare=Compare.YEAR)
    assert span.previous.first_day == date(2027, 2, 28)


def test_a_leap_year_is_clipped_to_365_days_and_says_so() -> None:
    last_year = preset_range(DayPreset.LAST_YEAR, date(2025, 6, 1))
    assert (last_year.first, last_year.last) == (date(2024, 1, 2), date(2024, 12, 31))
    assert last_year.days == 365
    assert last_year.clip_note == (
        "365 days at most (the API's limit): from Jan 2, 2024, not Jan 1, 2024"
    )
    this_year = preset_range(DayPreset.THIS_YEAR, date(2028, 12, 31))
    assert this_year.days == 365 and this_year.first == date(2028, 1, 2)
    assert preset_range(DayPreset.THIS_YEAR, date(2028, 12, 30)).clip_note is None


def test_a_preset_moves_with_the_clock_and_typed_days_do_not() -> None:
    chosen = preset_range(DayPreset.THIS_MONTH, date(2026, 11, 20))
    moved = resolve(chosen, date(2026, 12, 2))
    assert isinstance(moved, DayRange)
    assert (moved.first, moved.last) == (date(2026, 12, 1), date(2026, 12, 2))
    typed = DayRange(date(2026, 11, 1), date(2026, 11, 20))
    assert resolve(typed, date(2026, 12, 2)) == typed


# -- buckets --------------------------------------------------------------------------------


def test_one_or_two_days_are_hourly_in_utc_hours() -> None:
    yesterday = window(DayRange(date(2026, 11, 19), date(2026, 11, 19)), DEMO_NOW)
    assert yesterday.hourly and not yesterday.ongoing
    assert len(yesterday.current.buckets) == 24
    assert yesterday.current.start == datetime(2026, 11, 19, tzinfo=UTC)
    assert yesterday.previous.start == datetime(2026, 11, 18, tzinfo=UTC)
    two = window(DayRange(date(2026, 11, 17), date(2026, 11, 18)), DEMO_NOW)
    assert two.hourly and len(two.current.buckets) == 48


def test_today_runs_to_the_hour_in_progress() -> None:
    today = window(preset_range(DayPreset.TODAY, DEMO_NOW.date()), DEMO_NOW)
    assert today.hourly and today.ongoing
    # 00:00 to 15:00: the hours after 14:30 have no hits yet.
    assert len(today.current.buckets) == 15
    assert today.current.end == datetime(2026, 11, 20, 15, tzinfo=UTC)
    # Compared with yesterday to the same minute.
    assert today.cut == DEMO_NOW - DAY


@pytest.mark.parametrize(("length", "buckets"), [(3, 3), (31, 31), (92, 92)])
def test_up_to_92_days_are_daily(length: int, buckets: int) -> None:
    last = date(2026, 10, 31)
    span = window(DayRange(last - timedelta(days=length - 1), last), DEMO_NOW)
    assert not span.hourly and not span.weekly
    assert len(span.current.buckets) == buckets
    assert span.current.last_day == last and span.previous.last_day == span.current.first_day - DAY


def test_longer_ranges_are_weekly_ending_on_their_last_day() -> None:
    first, last = date(2026, 1, 1), date(2026, 4, 3)  # 93 days: 13 weeks and 2 days
    span = window(DayRange(first, last), DEMO_NOW)
    assert span.weekly
    buckets = span.current.buckets
    assert len(buckets) == 14
    assert buckets[-1].end == midnight(last + DAY) and buckets[0].start == midnight(first)
    # The oldest bucket is the short one; the others are whole weeks.
    assert buckets[0].end - buckets[0].start == 2 * DAY
    assert {b.end - b.start for b in buckets[1:]} == {7 * DAY}
    # The previous period has the same buckets, 93 days earlier.
    assert span.previous.start == midnight(first) - 93 * DAY
    assert span.previous.end == midnight(first)


def test_a_range_that_ended_is_compared_whole() -> None:
    span = window(DayRange(date(2026, 10, 1), date(2026, 10, 31)), DEMO_NOW)
    assert not span.ongoing
    assert span.now == midnight(date(2026, 11, 1))
    assert span.cut == span.previous.end


# -- a year earlier -------------------------------------------------------------------------


def test_a_year_earlier_moves_the_same_buckets_back_a_year() -> None:
    span = window(RangeKind.WEEK, DEMO_NOW, compare=Compare.YEAR)
    assert span.compare is Compare.YEAR
    assert span.previous.first_day == date(2025, 11, 14)
    assert span.previous.last_day == date(2025, 11, 20)
    assert span.cut == datetime(2025, 11, 20, 14, 30, tzinfo=UTC)
    day = window(RangeKind.DAY, DEMO_NOW, compare=Compare.YEAR)
    assert [b.start for b in day.previous.buckets] == [
        b.start - 365 * DAY for b in day.current.buckets
    ]


async def test_a_year_earlier_is_like_for_like(demo: DemoServer) -> None:
    """The week to now against the same week a year earlier up to the same moment, counted
    from the API; the grey line is that whole week."""
    span = window(RangeKind.WEEK, DEMO_NOW, compare=Compare.YEAR)
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        series = await HitCounter(client, now=demo.clock.now).series(DOCS, span)
    compared = series.compared
    assert compared is not None and compared.same_moment
    assert compared.current == series.total
    assert compared.previous == previous_to_cut(demo, DOCS, span)
    whole = day_count(demo, DOCS, date(2025, 11, 14), date(2025, 11, 20))
    assert series.previous_total == whole > compared.previous


async def test_custom_days_count_what_the_api_counts(demo: DemoServer) -> None:
    october = DayRange(date(2026, 10, 1), date(2026, 10, 31))
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        data = await load_dashboard(
            client, counter, BLOG, october, HitFilters(), now=demo.clock.now
        )
    assert data.series.total == day_count(demo, BLOG, october.first, october.last)
    assert data.series.previous_total == day_count(demo, BLOG, date(2026, 8, 31), date(2026, 9, 30))
    assert data.series.compared is not None
    assert data.series.compared.previous == data.series.previous_total
    # The panels count the same days as the chart.
    assert sum(r.hits or 0 for r in data.panels[0].rows) <= data.series.total


# -- what a custom range costs ----------------------------------------------------------------


async def test_ninety_days_cost_what_is_new(demo: DemoServer) -> None:
    """The first load counts 180 days; a refresh asks for today's count and the panels; the
    same days after the 30-day view reuse the days it counted."""
    last_90 = preset_range(DayPreset.LAST_90_DAYS, DEMO_NOW.date())
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        await load_dashboard(
            client, counter, DOCS, RangeKind.MONTH, HitFilters(), now=demo.clock.now
        )
        demo.stats.reset()
        guess = dashboard_cost(counter, DOCS, last_90, HitFilters(), now=demo.clock.now)
        first = await load_dashboard(
            client, counter, DOCS, last_90, HitFilters(), now=demo.clock.now
        )
        first_requests = demo.stats.total
        demo.stats.reset()
        assert dashboard_cost(counter, DOCS, last_90, HitFilters(), now=demo.clock.now) == 1 + len(
            PANELS
        )
        again = await load_dashboard(
            client, counter, DOCS, last_90, HitFilters(), now=demo.clock.now
        )
        refresh_requests = demo.stats.total
    # 180 days less the 60 the 30-day view counted, today again (it is not final), a probe,
    # the panels, and the day the previous period is cut in, read raw once (two pages here).
    assert first_requests <= 180 - 60 + 1 + 1 + len(PANELS) + 4, first_requests
    assert close_to(guess, first_requests), (guess, first_requests)
    assert refresh_requests == 1 + len(PANELS)
    assert again.series.total == first.series.total


async def test_the_load_estimate_of_a_year_earlier_reads_only_its_days(demo: DemoServer) -> None:
    """The 24 hours against the same hours a year earlier read four days, not the year between
    them (the status line's `loading ~N requests` comes from this estimate)."""
    async with TinylyticsClient(DEMO_KEY, demo.base_url) as client:
        counter = HitCounter(client, now=demo.clock.now)
        # The recent days counted first: they give the estimate its hits a day.
        await load_dashboard(
            client, counter, DOCS, RangeKind.WEEK, HitFilters(), now=demo.clock.now
        )
        guess = dashboard_cost(
            counter, DOCS, RangeKind.DAY, HitFilters(), compare=Compare.YEAR, now=demo.clock.now
        )
        demo.stats.reset()
        await load_dashboard(
            client,
            counter,
            DOCS,
            RangeKind.DAY,
            HitFilters(),
            compare=Compare.YEAR,
            now=demo.clock.now,
        )
    assert close_to(guess, demo.stats.total), (guess, demo.stats.total)


async def test_a_range_that_ended_is_not_refreshed_on_the_interval(demo: DemoServer) -> None:
    october = DayRange(date(2026, 10, 1), date(2026, 10, 31))
    async with session_on(demo, site_id=BLOG, days=october) as session:
        watching: Watching[Dashboard] = Watching(session.hits_feed)
        data = await watching.answer()
        await watching.stop()
        assert data.window.kind == october
        assert session.hits_feed.next_in(data) == FINISHED_WAIT
        # "Last month" ended too, but its days move at midnight: looked at again then.
        session.state.set_days(preset_range(DayPreset.LAST_MONTH, DEMO_NOW.date()))
        last_month = await watching_once(session)
        assert session.hits_feed.next_in(last_month) == FINISHED_WAIT  # midnight is further
        demo.clock.advance(8 * 3600)  # 22:30: midnight (and 5 minutes) is nearer
        assert session.hits_feed.next_in(last_month) == 1.5 * 3600 + 300
        demo.clock.set(DEMO_NOW)
        # A range that runs to now is refreshed at the interval.
        session.state.set_days(preset_range(DayPreset.THIS_MONTH, DEMO_NOW.date()))
        this_month = await watching_once(session)
        assert session.hits_feed.next_in(this_month) == session.state.refresh_interval


async def watching_once(session: Session) -> Dashboard:
    watching: Watching[Dashboard] = Watching(session.hits_feed)
    answer = await watching.answer()
    await watching.stop()
    return answer


# -- what follows the range -------------------------------------------------------------------


def test_journeys_cover_the_last_30_days_of_a_longer_range() -> None:
    last_90 = preset_range(DayPreset.LAST_90_DAYS, DEMO_NOW.date())
    span = journey_span(last_90, DEMO_NOW)
    assert (span.first, span.last) == (date(2026, 10, 22), date(2026, 11, 20))
    assert span.substituted and span.note is not None and "30 days" in span.note
    short = DayRange(date(2026, 10, 1), date(2026, 10, 31))
    assert journey_span(short, DEMO_NOW).note is not None  # 31 days
    week = preset_range(DayPreset.LAST_WEEK, DEMO_NOW.date())
    kept = journey_span(week, DEMO_NOW)
    assert (kept.first, kept.last, kept.note) == (week.first, week.last, None)


async def test_an_export_follows_custom_days(demo: DemoServer) -> None:
    october = DayRange(date(2026, 10, 1), date(2026, 10, 31))
    async with session_on(demo, site_id=BLOG, days=october) as session:
        source = PanelList(session, PANELS[0])
        assert (source.span.current.first_day, source.span.current.last_day) == (
            october.first,
            october.last,
        )


def test_the_view_state_keeps_the_presets_keys_working() -> None:
    from app.live.state import ViewState

    state = ViewState()
    heard: list[str] = []
    state.listen(heard.append)
    october = DayRange(date(2026, 10, 1), date(2026, 10, 31))
    state.set_days(october)
    assert state.range == october
    state.set_range(RangeKind.MONTH)  # `m` after custom days: the preset again
    assert state.days is None and state.range_kind is RangeKind.MONTH
    assert state.toggle_compare() is Compare.YEAR
    assert state.toggle_compare() is Compare.PREVIOUS
    assert heard == ["range", "range", "compare", "compare"]


# -- --range days -----------------------------------------------------------------------------


def test_parse_range_reads_days() -> None:
    assert parse_range("2026-01-01..2026-01-31") == DayRange(date(2026, 1, 1), date(2026, 1, 31))
    assert parse_range(" 2026-01-01..2026-01-01 ") == DayRange(date(2026, 1, 1), date(2026, 1, 1))
    assert range_name(DayRange(date(2026, 1, 1), date(2026, 1, 31))) == "2026-01-01..2026-01-31"
    assert parse_range("2025-01-01..2025-12-31").days == 365  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-02-01..2026-01-01", "the start (2026-02-01) is after the end (2026-01-01)"),
        ("2024-01-01..2024-12-31", "366 days is too long: the API takes at most 365"),
        ("2026-02-30..2026-03-01", "'2026-02-30' is not a date (YYYY-MM-DD..YYYY-MM-DD)"),
        ("2026-1-1..2026-01-31", "'2026-1-1' is not a date"),
        ("1999-12-01..1999-12-31", "ranges start in 2000 at the earliest"),
        ("last week", "is not a range: use 24h, 7d, 30d, 12mo or YYYY-MM-DD..YYYY-MM-DD"),
        ("2026-11-01..2026-11-30", "2026-11-30 is in the future: today is 2026-11-20 (UTC)"),
    ],
)
def test_parse_range_refuses_in_one_line(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)) as raised:
        parse_range(text, DEMO_NOW.date())
    assert "\n" not in str(raised.value)


def test_days_after_today_are_refused_once_the_clock_is_known() -> None:
    later = parse_range("2026-11-01..2026-11-30")  # read before the clock is known
    assert future_problem(later, date(2026, 11, 30)) is None
    problem = future_problem(later, DEMO_NOW.date())
    assert problem is not None and "in the future" in problem
    assert days_problem(date(2026, 11, 20), date(2026, 11, 20), DEMO_NOW.date()) is None
