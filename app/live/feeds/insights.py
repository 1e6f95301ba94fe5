"""Section 6: the AI-written insights of the current site, a page at a time, newest first.

Insights are written by a daily job: asked again when the next one is scheduled
(`next_insight_job_scheduled_at`), or within the hour, whatever the refresh interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.api import InsightsResponse
from app.live.feeds.paged import SitePagedFeed, listed
from app.live.monitor import insight_poll_in

if TYPE_CHECKING:
    from app.live.api import LiveApi

# Insights on a page of the list.
PAGE = 10


@dataclass(frozen=True)
class InsightsData:
    site_id: int
    page: int
    answer: InsightsResponse

    @property
    def pages(self) -> int:
        answer = self.answer
        return listed(self.page, len(answer.insights), answer.pagination, PAGE).pages


class InsightsFeed(SitePagedFeed[InsightsData]):
    PACED_BY = "the daily insights schedule"

    async def fetch_page(self, api: LiveApi, site_id: int, page: int) -> InsightsData:
        answer = await api.insights(site_id, page=page, per_page=PAGE)
        told = listed(page, len(answer.insights), answer.pagination, PAGE)
        self.paging.check("insights", told.plan, told.end)
        site, sites = answer.site, self.session.sites
        if site is not None and (site.label or site.url) and not sites.knows(site_id):
            # The answer names its site: no request of its own for the header's label.
            sites.learn(site_id, site.label, site.url)
        return InsightsData(site_id, page, answer)

    def poll_in(self, data: InsightsData) -> float:
        site = data.answer.site
        next_job = site.next_insight_job_scheduled_at if site is not None else None
        return insight_poll_in(next_job, self.session.now())
