"""User journeys of the current site and range: the list with its common paths, and one
journey's timeline.

Both read through one pager (`app.live.journeys`), which refreshes what it holds at the cost of
about one request: the timeline of a session still in progress grows at the cost of the list's
own refresh, and only while it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.api import UserJourney
from app.live.feed import Feed
from app.live.journeys import JourneyFeed as JourneysPager
from app.live.journeys import Journeys, JourneySpan, journey_key, journey_span

if TYPE_CHECKING:
    from app.live.api import LiveApi
    from app.live.session import Session

# The site, and the UTC days asked for (with the range they stand for).
JourneysKey = tuple[int, JourneySpan]


def _key(session: Session) -> JourneysKey | None:
    state = session.state
    if state.site_id is None:
        return None
    return (state.site_id, journey_span(state.range, session.now()))


class JourneysFeed(Feed[JourneysKey, Journeys]):
    """The newest journeys of the current site and range; `more()` holds 50 more."""

    ON_THE_BEAT = True

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.pager = JourneysPager(clock=session.monotonic, warn=session.paging_looks_wrong)

    @property
    def requests(self) -> int:
        """Requests sent for journeys (the list's and the timelines'), for tests and benchmarks."""
        return self.pager.requests

    def span(self) -> JourneySpan:
        """The days the current range stands for."""
        return journey_span(self.session.state.range, self.session.now())

    def key(self) -> JourneysKey | None:
        return _key(self.session)

    def more(self) -> bool:
        """Load 50 more journeys; False when there is nothing more to ask for (or it is asked
        already)."""
        if self.pager.want_more():
            self.ask()
            return True
        return False

    async def fetch(self, api: LiveApi, key: JourneysKey) -> Journeys:
        return await self.load(api, key)

    async def load(self, api: LiveApi, key: JourneysKey) -> Journeys:
        """The journeys of `key`; the timeline refreshes through this too."""
        site_id, span = key
        await self.name_site(api, site_id)
        return await self.pager.refresh(api, site_id, span)


@dataclass(frozen=True)
class JourneyTimeline:
    """One journey as the newest answer has it."""

    site_id: int
    span: JourneySpan
    journey: UserJourney | None  # None: no longer among the newest journeys


class JourneyFeed(Feed[JourneysKey, JourneyTimeline]):
    """One journey of the list, refreshed (a session in progress gains pages) while shown."""

    ON_THE_BEAT = True

    def __init__(self, session: Session, journey_key: str) -> None:
        super().__init__(session)
        self.journey_key = journey_key
        # The journey is of the site the list shows; another site has no timeline of it.
        listed = session.journeys_feed.data
        self.site_id = listed.site_id if listed is not None else session.state.site_id

    def key(self) -> JourneysKey | None:
        key = _key(self.session)
        if key is None or key[0] != self.site_id:
            return None
        return key

    async def fetch(self, api: LiveApi, key: JourneysKey) -> JourneyTimeline:
        listing = await self.session.journeys_feed.load(api, key)
        found = next((j for j in listing.journeys if journey_key(j) == self.journey_key), None)
        return JourneyTimeline(listing.site_id, listing.span, found)
