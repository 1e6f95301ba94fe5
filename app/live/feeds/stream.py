"""Live hits: the newest hits of the current site as they arrive, a `tail -f` of the API.

The session's `HitStreams` keep one stream per site and filters (and, with the cache, what an
unfiltered one held across restarts); this feed refreshes the stream the hits dashboard's site and
filters name, on its own short cadence while it is shown, and reports what it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.live.feed import Feed, Update
from app.live.hitcounts import HitFilters

if TYPE_CHECKING:
    from app.api import Hit
    from app.live.api import LiveApi
    from app.live.session import Session
    from app.live.stream import HitStream

# Seconds between refreshes while the live hits are shown: a `tail -f` should not lag a minute,
# and a refresh with nothing new costs one request (the budget's pacing still stretches it).
CADENCE = 10.0
# The "visitors now" windows, in minutes.
RECENT = (5, 30)

StreamKey = tuple[int, HitFilters]


@dataclass(frozen=True)
class Recent:
    """Hits that arrived in the last `minutes`; `complete` is False when the held hits do not
    reach back that far (then `count` is only what is held: a lower bound)."""

    minutes: int
    count: int
    complete: bool


def recent_counts(
    hits: Sequence[Hit], now: datetime, *, keep: int, minutes: Sequence[int] = RECENT
) -> tuple[Recent, ...]:
    """How many of `hits` (newest first) arrived in each of the last `minutes` before `now`.

    Fewer than `keep` hits held means the stream holds all of today and yesterday, which reaches
    back further than any window here; otherwise the oldest held hit says how far it reaches.
    """
    reaches = None if len(hits) < keep or not hits else min(h.created_at for h in hits)
    counts = []
    for window in minutes:
        since = now - timedelta(minutes=window)
        count = sum(1 for hit in hits if since <= hit.created_at <= now)
        complete = reaches is None or reaches <= since
        counts.append(Recent(window, count, complete))
    return tuple(counts)


@dataclass(frozen=True)
class StreamData:
    site_id: int
    hits: tuple[Hit, ...]  # newest first
    new: int  # how many arrived with the last refresh
    # When `hits` were last known to be the newest.
    synced_at: datetime | None = None
    # Held before this refresh (the cache's, or an earlier visit's), not an answer of this one.
    kept: bool = False
    # The dashboard's filters these hits follow.
    filters: HitFilters = field(default_factory=HitFilters)
    # Hits of the last 5 and 30 minutes at the answer (empty for kept hits: their clock is old).
    recent: tuple[Recent, ...] = ()


class StreamFeed(Feed[StreamKey, StreamData]):
    """Keyed by the site and filters: either changed while a refresh runs drops its answer."""

    PACED_BY = f"its own {CADENCE:.0f} s cadence"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._restored: StreamKey | None = None  # the stream whose held hits were last painted

    def key(self) -> StreamKey | None:
        state = self.session.state
        return None if state.site_id is None else (state.site_id, state.hit_filters)

    def next_in(self, data: StreamData) -> float:
        return CADENCE

    def stream(self, key: StreamKey) -> HitStream | None:
        """The stream of a site and filters; None until the session has an API."""
        streams = self.session.streams
        return None if streams is None else streams.for_site(*key)

    def restore(self) -> Update[StreamData] | None:
        """What the current stream holds before asking (the cache's, or an earlier visit's),
        painted at once with its age: once per stream while the feed is shown.

        It counts as shown: while paused it is not asked again by itself. The status line's
        freshness is left alone; the screen's title says how old these hits are.
        """
        key = self.key()
        if key is None or key == self._restored:
            return None
        stream = self.stream(key)
        if stream is None:
            return None  # no API yet: asked again once there is one
        self._restored = key
        if not stream.hits:
            return None
        self._shown_key = key
        site_id, filters = key
        data = StreamData(
            site_id, tuple(stream.hits), 0, stream.synced_at, kept=True, filters=filters
        )
        return Update(data, kept=True)

    def hide(self) -> None:
        super().hide()
        # The next screen to show this feed paints what the stream holds at once again.
        self._restored = None

    async def fetch(self, api: LiveApi, key: StreamKey) -> StreamData:
        stream = self.stream(key)
        assert stream is not None
        new = await stream.refresh()
        # What the stream holds now is this answer, not something to paint as kept.
        self._restored = key
        hits = tuple(stream.hits)
        recent = recent_counts(hits, self.session.now(), keep=stream.keep)
        site_id, filters = key
        return StreamData(site_id, hits, len(new), stream.synced_at, filters=filters, recent=recent)
