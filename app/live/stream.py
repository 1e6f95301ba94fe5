"""The newest hits of one site, kept fresh at the cost of what is new: a `tail -f` of the API.

The order of `/hits` rows is not documented (docs/api-notes.md): it is detected from the timestamps
of a page and remembered. Newest first, the newest end is page 1; oldest first, it is the last page.
Either way pages are read from the newest end, and reading stops at the first hit already known (or
where the list ends), so a refresh with nothing new costs one request; whatever the server claims
about its pages, a refresh reads no more than `keep` hits need. Only today and yesterday (UTC) are
asked for, so that every page stays cheap, and only the newest `keep` hits are kept, in memory and
in the store.

A stream may follow the dashboard's filters (path, referrer, country: parameters of `/hits`). The
cache's `streams` and `hits` tables are keyed by site alone, so a filtered stream is kept in memory
only: its hits must not mix with the site's unfiltered ones on disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from app.live.paging import Ending, PagingReport, Warn, page_size, pages_to_read

if TYPE_CHECKING:
    from app.api import Hit, HitsResponse
    from app.live.api import LiveApi
    from app.live.hitcounts import HitFilters

HitOrder = Literal["asc", "desc"]

# Hits kept per site: what a user can read in a scrolling table, and a bound on memory.
KEEP = 500
# The API's cap on per_page for hits.
MAX_PAGE = 1000
# Page size once caught up: a page of this many usually holds everything new, and is small.
STEP = 100
# Filtered streams held at once (each up to `keep` hits): a user trying filter after filter
# must not grow memory without bound. Unfiltered streams are bounded by the account's sites.
FILTERED_STREAMS = 8


def hit_key(hit: Hit) -> str:
    """A hit's identity: its id, or for a hit sent without one, a digest of what it holds."""
    if hit.id is not None:
        return str(hit.id)
    fields = hit.model_dump_json(exclude={"id"})
    return "~" + hashlib.sha256(fields.encode()).hexdigest()[:20]


def detect_order(hits: Sequence[Hit]) -> HitOrder | None:
    """Newest first ("desc") or oldest first ("asc"), or None when the page cannot tell."""
    if len(hits) < 2:
        return None
    first, last = hits[0].created_at, hits[-1].created_at
    if first > last:
        return "desc"
    if first < last:
        return "asc"
    return None


@dataclass(frozen=True)
class StoredHits:
    """What a store kept of a stream: its newest hits (newest first) and what it had learnt."""

    hits: tuple[Hit, ...]
    order: HitOrder | None
    synced_at: datetime


class HitStore(Protocol):
    """Where streams survive a restart (the SQLite cache); None means no cache (`--no-cache`)."""

    def stored_hits(self, site_id: int, limit: int) -> StoredHits | None: ...

    def put_hits(
        self,
        site_id: int,
        new: Sequence[Hit],
        *,
        order: HitOrder | None,
        synced_at: datetime,
        keep: int,
    ) -> None: ...


class HitStream:
    """The newest hits of one site; `refresh()` answers what arrived since the last call.

    `hits` holds at most `keep` hits, newest first, each once. When a store is given, the hits
    it kept are there from construction on (`synced_at` says when they were last current), and
    every refresh adds what it found. Not for concurrent use by several tasks (refreshes queue).
    """

    def __init__(
        self,
        client: LiveApi,
        site_id: int,
        *,
        store: HitStore | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        keep: int = KEEP,
        step: int = STEP,
        warn: Warn | None = None,
        filters: HitFilters | None = None,
    ) -> None:
        if keep < 1 or step < 1:
            raise ValueError("keep and step must be at least 1")
        self.client = client
        self.site_id = site_id
        # None when unfiltered: one spelling of "no filter".
        self.filters = filters or None
        if self.filters is not None:
            # The store keys hits by site alone: filtered hits would mix with the site's.
            store = None
        self.keep = keep
        self.step = min(step, MAX_PAGE)
        self._store = store
        self._now = now
        stored = store.stored_hits(site_id, keep) if store is not None else None
        self._hits: list[Hit] = list(stored.hits) if stored else []
        self._keys = {hit_key(hit) for hit in self._hits}
        # Detected from the server's answers; None until a page has told.
        self.order: HitOrder | None = stored.order if stored else None
        # When `hits` were last known to be the newest; from the store until the first refresh.
        self.synced_at: datetime | None = stored.synced_at if stored else None
        self.from_store = bool(self._hits)
        # Pages the last refresh asked for: one request each, retries aside.
        self.requests = 0
        # Hits in the window at the last answer: where the newest page is when oldest come first.
        self._total = 0
        self._refreshed = False
        self._lock = asyncio.Lock()
        # Told once when the server's paging of hits looks wrong.
        self.paging = PagingReport(warn)

    @property
    def hits(self) -> list[Hit]:
        """The newest hits known, newest first."""
        return list(self._hits)

    async def refresh(self) -> list[Hit]:
        """The hits new since the last call (newest first). Raises `ApiError`; a failed refresh
        changes nothing, so the next one picks up where this one could not."""
        async with self._lock:
            return await self._refresh()

    async def _refresh(self) -> list[Hit]:
        today = self._now().astimezone(UTC).date()
        yesterday = today - timedelta(days=1)
        # The first call reads the newest `keep` in one page; later ones expect little.
        size = min(self.step if self._refreshed else self.keep, MAX_PAGE)
        pages: dict[int, HitsResponse] = {}
        self.requests = 0
        filters = self.filters

        async def page(number: int) -> HitsResponse:
            if number not in pages:
                self.requests += 1
                pages[number] = await self.client.hits(
                    self.site_id,
                    start_date=yesterday,
                    end_date=today,
                    page=number,
                    per_page=size,
                    path=filters.path if filters else None,
                    referrer=filters.referrer if filters else None,
                    country=filters.country if filters else None,
                )
                self._total = pages[number].pagination.total_count
            return pages[number]

        first = await page(self._newest_page(size) if self.order == "asc" else 1)
        detected = detect_order(first.hits)
        order = detected or self.order or "desc"
        paging = first.pagination
        rows_per_page = page_size(size, paging.per_page)
        plan = pages_to_read(
            paging.total_count, paging.total_pages, rows_per_page, paging.total_pages
        )
        # Pages worth reading: `keep` hits' worth, and as much again for pages that shifted.
        most = 2 * math.ceil(self.keep / rows_per_page) + 1
        last = plan.pages
        if order == "desc":
            numbers = range(1, min(last, most) + 1)
        else:
            numbers = range(last, max(0, last - most), -1)
        boundary = self._hits[0].created_at if self._hits else None
        new: list[Hit] = []
        seen: set[str] = set()
        ending: Ending | None = None
        # Stopped short of the known hits and of the list's end: what is held is not contiguous.
        gap = len(numbers) < last
        for number in numbers:
            answer = await page(number)
            rows = answer.hits if order == "desc" else answer.hits[::-1]
            if self._take(rows, boundary, new, seen):
                gap = False
                break
            # Newest first, a short page is the list's end; oldest first, the last page is
            # short by nature, but an empty one means nothing is where the count said.
            if not rows or (order == "desc" and len(rows) < rows_per_page):
                ending = Ending(number, len(rows))
                gap = False
                break
        self.paging.check("live hits", plan, ending)

        # Stable: hits of the same second keep the server's order.
        new.sort(key=lambda hit: hit.created_at, reverse=True)
        if detected is not None:
            self.order = detected
        self._hits = (new if gap else new + self._hits)[: self.keep]
        self._keys = {hit_key(hit) for hit in self._hits}
        self.synced_at = self._now()
        self.from_store = False
        self._refreshed = True
        if self._store is not None:
            self._store.put_hits(
                self.site_id, new, order=self.order, synced_at=self.synced_at, keep=self.keep
            )
        return new

    def _newest_page(self, size: int) -> int:
        """The page that held the newest hit at the last answer, oldest first."""
        return max(1, math.ceil(self._total / size))

    def _take(
        self, rows: Sequence[Hit], boundary: datetime | None, new: list[Hit], seen: set[str]
    ) -> bool:
        """Collect the unknown hits of one page (newest first); True when reading may stop.

        Reading stops at a hit older than the newest known one, or at the end of a page that
        held a known hit: hits of the newest known second are all looked at, whatever order the
        server gives them within it, without costing another page.
        """
        met_known = False
        for hit in rows:
            if boundary is not None and hit.created_at < boundary:
                return True
            key = hit_key(hit)
            if key in self._keys:
                met_known = True
                continue
            if key in seen:
                # Pages shift under the reader as hits arrive: the next page repeats some.
                continue
            seen.add(key)
            new.append(hit)
            if len(new) >= self.keep:
                return True
        return met_known


class HitStreams:
    """One `HitStream` per site and filters for one client; unfiltered ones share one store
    (or none), filtered ones are held in memory only, the few most recently used."""

    def __init__(
        self,
        client: LiveApi,
        *,
        store: HitStore | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        keep: int = KEEP,
        warn: Warn | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self._now = now
        self._keep = keep
        # One report for every site's stream: the server's paging is said to look wrong once.
        self.paging = PagingReport(warn)
        self._streams: dict[int, HitStream] = {}
        # Insertion order is use order: the first is the least recently used.
        self._filtered: dict[tuple[int, HitFilters], HitStream] = {}

    def for_site(self, site_id: int, filters: HitFilters | None = None) -> HitStream:
        if filters:
            return self._for_filters(site_id, filters)
        stream = self._streams.get(site_id)
        if stream is None:
            stream = self._new(site_id, None)
            self._streams[site_id] = stream
        return stream

    def _for_filters(self, site_id: int, filters: HitFilters) -> HitStream:
        key = (site_id, filters)
        stream = self._filtered.pop(key, None)
        if stream is None:
            stream = self._new(site_id, filters)
        self._filtered[key] = stream
        while len(self._filtered) > FILTERED_STREAMS:
            del self._filtered[next(iter(self._filtered))]
        return stream

    def _new(self, site_id: int, filters: HitFilters | None) -> HitStream:
        stream = HitStream(
            self.client,
            site_id,
            store=self.store,
            now=self._now,
            keep=self._keep,
            filters=filters,
        )
        stream.paging = self.paging
        return stream
