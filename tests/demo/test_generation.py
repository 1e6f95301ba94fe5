"""The generator's parts: sampling tables, one day's aggregates against its hits, the clock."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.demo import Clock
from app.demo.catalog import SITES
from app.demo.days import Day, DayHits
from app.demo.formats import duration_in_words, session_duration
from app.demo.store import DayStore, FullView, PartialView
from app.demo.tables import TAIL, PathSampler, apportion, byte_table
from app.demo.traffic import COUNTRY_CODES, DEVICES, SiteTraffic


@given(st.lists(st.floats(min_value=0, max_value=1000), min_size=1, max_size=200))
def test_apportion_fills_every_slot(weights: list[float]) -> None:
    slots = apportion(weights)
    if any(w > 0 for w in weights):
        assert sum(slots) == 256
    assert all((n >= 1) == (w > 0) for n, w in zip(slots, weights, strict=True))


def test_byte_table_follows_weights() -> None:
    table = byte_table([1, 3, 0, 4])
    assert len(table) == 256
    assert Counter(table) == {0: 32, 1: 96, 3: 128}


def test_path_sampler_reaches_the_long_tail() -> None:
    weights = [100.0, 50.0] + [1 / (r + 1) for r in range(300)]
    sampler = PathSampler.build(weights)
    assert TAIL in sampler.head
    rng = random.Random(1)
    head = rng.randbytes(100_000).translate(sampler.head)
    tail = rng.randbytes(100_000).translate(sampler.tail)
    ids = sampler.resolve(head, tail)
    assert len(set(ids)) > 200
    counts = sampler.counts(head, tail, len(weights))
    assert counts == [ids.count(i) for i in range(len(weights))]


@pytest.mark.parametrize("index", range(len(SITES)), ids=[p.label for p in SITES])
def test_aggregates_agree_with_the_hits(index: int) -> None:
    """The cheap per-day aggregates and the materialised hits are two views of one day."""
    traffic = SiteTraffic(SITES[index], index, 42, 1.0)
    store = DayStore()
    day = date(2026, 11, 12)
    full = FullView(store, traffic, day)
    whole = PartialView(store, traffic, day, 86399)
    assert full.total == whole.total > 0
    assert full.sessions == whole.sessions
    assert full.multi == whole.multi
    assert list(full.path_counts()) == list(whole.path_counts())
    assert [list(c) for c in full.attr_counts()] == [list(c) for c in whole.attr_counts()]
    assert list(full.path_unique()) == list(whole.path_unique())
    assert [list(c) for c in full.entry_exit_counts()] == [
        list(c) for c in whole.entry_exit_counts()
    ]
    assert full.session_counts() == whole.session_counts()
    hits = full.hits()
    assert list(hits.times) == sorted(hits.times)
    assert hits.times[0] >= 0 and hits.times[-1] < 86400


def test_a_day_is_a_pure_function_of_its_inputs() -> None:
    traffic = SiteTraffic(SITES[0], 0, 42, 1.0)
    one, two = Day(traffic, date(2026, 3, 3)), Day(traffic, date(2026, 3, 3))
    assert one.path_codes == two.path_codes and one.attrs == two.attrs
    assert list(DayHits(one).times) == list(DayHits(two).times)
    other = Day(SiteTraffic(SITES[0], 0, 43, 1.0), date(2026, 3, 3))
    assert other.path_codes != one.path_codes


def test_rhythms() -> None:
    """Weekdays outdo weekends on the docs site, afternoons outdo nights everywhere."""
    docs = SiteTraffic(SITES[1], 1, 42, 1.0)
    store = DayStore()
    start = date(2026, 9, 1)
    days = [FullView(store, docs, start + timedelta(days=i)) for i in range(28)]
    weekday = [v.total for v in days if v.date.weekday() < 5]
    weekend = [v.total for v in days if v.date.weekday() >= 5]
    assert sum(weekday) / len(weekday) > 1.8 * sum(weekend) / len(weekend)
    hours = [0] * 24
    for view in days[:7]:
        for h, n in enumerate(view.hour_counts()):
            hours[h] += n
    # The docs audience lives at UTC-5: their afternoon is the evening in UTC.
    assert hours[19] > 3 * hours[8]
    mobile = (
        sum(n for code, n in enumerate(days[0].attr_counts()[2]) if DEVICES[code].mobile)
        / days[0].total
    )
    assert 0.1 < mobile < 0.3
    assert (
        COUNTRY_CODES[max(range(len(COUNTRY_CODES)), key=days[0].attr_counts()[1].__getitem__)]
        == "US"
    )


def test_formats() -> None:
    assert session_duration(45) == "45s"
    assert session_duration(525) == "8m"
    assert session_duration(3900) == "1h 5m"
    assert duration_in_words(4583052) == "53 days"  # the contract's example
    assert duration_in_words(180) == "3 minutes"
    assert duration_in_words(3000) == "50 minutes"
    assert duration_in_words(3 * 3600 + 100) == "about 3 hours"
    assert duration_in_words(20) == "less than a minute"


def test_clock() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock = Clock(start, frozen=True)
    assert clock.now() == start
    clock.advance(90)
    assert clock.now() == start + timedelta(seconds=90)
    clock.set(start)
    clock.speed = 3600.0
    clock.unfreeze()
    time.sleep(0.05)
    assert clock.now() - start >= timedelta(seconds=150)
    clock.freeze()
    frozen_at = clock.now()
    time.sleep(0.02)
    assert clock.now() == frozen_at
    assert Clock().now().tzinfo is not None


def test_clock_is_thread_safe() -> None:
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC), frozen=True)

    def work() -> None:
        for _ in range(1000):
            clock.advance(1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=4000)
