"""Live hits: the newest hits of the current site as they arrive, a `tail -f` of the API.

The session's `HitStreams` keep one stream per site (and, with the cache, what it held across
restarts); this feed refreshes the current site's stream and reports what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app.live.feed import Feed

if TYPE_CHECKING:
    from app.api import Hit
    from app.live.api import LiveApi
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

    def key(self) -> int | None:
        return self.session.state.site_id

    def stream(self, site_id: int) -> HitStream | None:
        """The site's stream; None until the session has an API."""
        streams = self.session.streams
        return None if streams is None else streams.for_site(site_id)

    def kept(self) -> StreamData | None:
        """What the current site's stream holds before asking: shown at once, with its age."""
        site_id = self.key()
        stream = None if site_id is None else self.stream(site_id)
        if site_id is None or stream is None or not stream.hits:
            return None
        return StreamData(site_id, tuple(stream.hits), 0, stream.synced_at, kept=True)

    async def fetch(self, api: LiveApi, key: int) -> StreamData:
        stream = self.stream(key)
        assert stream is not None
        new = await stream.refresh()
        return StreamData(key, tuple(stream.hits), len(new), stream.synced_at)
