"""The calls the live layer makes to the API, as a Protocol.

`app.api.TinylyticsClient` satisfies it; tests may hand a session anything else that does (the
demo world answering in-process, a recorder). Feeds never see more of the client than this.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.api import (
        GroupedHitsResponse,
        HitsResponse,
        InsightsResponse,
        LeaderboardResponse,
        MeResponse,
        SiteResponse,
        SitesResponse,
        UptimeResponse,
        UserJourneysResponse,
    )


class LiveApi(Protocol):
    async def me(self) -> MeResponse: ...

    async def sites(self) -> SitesResponse: ...

    async def site(self, id: int | str) -> SiteResponse: ...

    async def hits(
        self,
        id: int | str,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        country: str | None = None,
        path: str | None = None,
        referrer: str | None = None,
        page: int = 1,
        per_page: int = 100,
    ) -> HitsResponse: ...

    async def grouped_hits(
        self,
        id: int | str,
        group_by: str,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        country: str | None = None,
        path: str | None = None,
        referrer: str | None = None,
        page: int = 1,
        per_page: int = 100,
    ) -> GroupedHitsResponse: ...

    async def leaderboard(
        self, id: int | str, *, path: str | None = None, page: int = 1, per_page: int = 100
    ) -> LeaderboardResponse: ...

    async def user_journeys(
        self,
        id: int | str,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> UserJourneysResponse: ...

    async def insights(
        self, id: int | str, *, page: int = 1, per_page: int = 10
    ) -> InsightsResponse: ...

    async def uptime(
        self, id: int | str, *, page: int = 1, per_page: int = 50
    ) -> UptimeResponse: ...

    def forget_recent(self) -> None:
        """Drop answers shared between callers: the next question goes to the server."""

    async def aclose(self) -> None: ...
