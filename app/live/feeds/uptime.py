"""Section 5: the uptime monitor of the current site and a page of its downtime history.

Asked again when the monitor's next check can have reported (`next_check_at`), not at the
refresh interval: sooner only spends the budget on an answer that cannot have changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.api import UptimeResponse
from app.live.feeds.paged import SitePagedFeed, listed
from app.live.monitor import check_poll_in

if TYPE_CHECKING:
    from app.live.api import LiveApi

# Downtimes on a page of the history.
PAGE = 10


@dataclass(frozen=True)
class UptimeData:
    site_id: int
    page: int
    head: UptimeResponse  # page 1: the newest downtime tells since when a site is down
    history: UptimeResponse  # the page of downtimes on show

    @property
    def pages(self) -> int:
        history = self.history
        return listed(self.page, len(history.downtimes), history.pagination, PAGE).pages


class UptimeFeed(SitePagedFeed[UptimeData]):
    PACED_BY = "the monitor's checks"

    async def fetch_page(self, api: LiveApi, site_id: int, page: int) -> UptimeData:
        if page == 1:
            head = history = await api.uptime(site_id, page=1, per_page=PAGE)
        else:
            # The monitor's state and the newest downtime, whatever page of history is on show.
            head = await api.uptime(site_id, page=1, per_page=1)
            history = await api.uptime(site_id, page=page, per_page=PAGE)
        # The uptime answer names no site: the header's label takes one more request, once.
        await self.name_site(api, site_id)
        told = listed(page, len(history.downtimes), history.pagination, PAGE)
        self.paging.check("the downtime history", told.plan, told.end)
        return UptimeData(site_id, page, head, history)

    def poll_in(self, data: UptimeData) -> float:
        next_check = data.head.monitor.next_check_at
        fallback = self.session.state.refresh_interval
        return check_poll_in(next_check, self.session.now(), fallback=fallback)
