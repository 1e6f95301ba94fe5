"""Live hits: the newest hits of the current site as they arrive, a `tail -f` of the API.

The session's `HitStreams` keep one stream per site (and, with the cache, what it held across
restarts); this feed refreshes the current site's stream and reports what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app.live.feed import Feed, Update

if TYPE_CHECKING:
    from app.api import Hit
    from app.live.api import LiveApi
    from app.live.session import Session
    from app.live.stream import HitStream


@dataclass(frozen=True)
class StreamData:
    site_id: int
    hits: tuple[Hit, ...]  # newest first
    new: int  # how many arrived with the last refresh
    # When `hits` were last known to be the newest.
    synced_at: datetime | None = None
    # Held before this refresh (the cache's, or an earlier visit's), not an answer of this one.
    kept: bool = False


class StreamFeed(Feed[int, StreamData]):
    """Keyed by the site: a site changed while a refresh runs drops that refresh's answer."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._restored: int | None = None  # the site whose held hits were last painted

    def key(self) -> int | None:
        return self.session.state.site_id

    def stream(self, site_id: int) -> HitStream | None:
        """The site's stream; None until the session has an API."""
        streams = self.session.streams
        return None if streams is None else streams.for_site(site_id)

    def restore(self) -> Update[StreamData] | None:
        """What the current site's stream holds before asking (the cache's, or an earlier
        visit's), painted at once with its age: once per site while the feed is shown.

        It counts as shown: while paused it is not asked again by itself. The status line's
        freshness is left alone; the screen's title says how old these hits are.
        """
        site_id = self.key()
        if site_id is None or site_id == self._restored:
            return None
        stream = self.stream(site_id)
        if stream is None:
            return None  # no API yet: asked again once there is one
        self._restored = site_id
        if not stream.hits:
            return None
        self._shown_key = site_id
        data = StreamData(site_id, tuple(stream.hits), 0, stream.synced_at, kept=True)
        return Update(data, kept=True)

    def hide(self) -> None:
        super().hide()
        # The next screen to show this feed paints what the stream holds at once again.
        self._restored = None

    async def fetch(self, api: LiveApi, key: int) -> StreamData:
        stream = self.stream(key)
        assert stream is not None
        new = await stream.refresh()
        # What the stream holds now is this answer, not something to paint as kept.
        self._restored = key
        return StreamData(key, tuple(stream.hits), len(new), stream.synced_at)
