"""Copies of the app on one key refresh on a shared wall-clock beat, so that they ask at the same
moment and share the answers instead of each asking on its own phase."""

from __future__ import annotations

import functools

import pytest

from app.demo import DemoServer
from app.live.dashboard import Dashboard
from app.live.pacing import on_the_beat
from app.live.session import Session
from app.live.state import ViewState
from tests.live.watching import Watching, attach

SITE = 457
BEAT = 60.0


@pytest.mark.parametrize(
    "started", [1_000_000.0, 1_000_013.0, 1_000_029.9, 1_000_031.0, 1_000_059.5]
)
def test_copies_started_apart_meet_on_the_beat(started: float) -> None:
    wait = on_the_beat(BEAT, BEAT, started)
    # Never more than half a beat away from the interval asked for...
    assert BEAT / 2 <= wait <= BEAT * 1.5
    # ...and on a tick every copy shares.
    assert (started + wait) % BEAT == pytest.approx(0.0, abs=1e-6)


def test_a_stretched_interval_stays_stretched_on_the_beat() -> None:
    wait = on_the_beat(3 * BEAT, BEAT, 1_000_013.0)
    assert 2.5 * BEAT <= wait <= 3.5 * BEAT
    assert (1_000_013.0 + wait) % BEAT == pytest.approx(0.0, abs=1e-6)


def test_without_a_beat_the_wait_is_kept() -> None:
    assert on_the_beat(5.0, 0.0, 1_000_013.0) == 5.0


def test_a_refresh_just_after_the_tick_waits_a_whole_beat() -> None:
    # The steady state: a round starts on the tick and ends a moment later.
    assert on_the_beat(BEAT, BEAT, 1_000_020.4) == pytest.approx(BEAT - 0.4)


async def test_dashboards_started_apart_choose_the_same_tick(
    demo: DemoServer,
) -> None:
    """Two sessions whose clocks read 13 s and 41 s past a minute: after their first answer both
    choose the same next minute tick, not 60 s after their own starts."""
    ticks = []
    for started in (1_000_013.0, 1_000_041.0):
        session = Session(
            ViewState(site_id=SITE, refresh_interval=BEAT),
            now=demo.clock.now,
            wall=functools.partial(float, started),
        )
        attach(session, demo)
        watching: Watching[Dashboard] = Watching(session.hits_feed)
        await watching.answer(timeout=30)
        wait = session.hits_feed.next_round_in
        assert BEAT / 2 <= wait <= BEAT * 1.5
        ticks.append(started + wait)
        await watching.stop()
        await session.close()
    assert ticks[0] == ticks[1] == pytest.approx(1_000_080.0)
