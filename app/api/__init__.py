"""The Tinylytics HTTP API: async client, pydantic models, typed errors. No Textual here.

async with TinylyticsClient(key, budget=RequestBudget(1000)) as client:
    sites = (await client.sites()).sites
"""

import importlib
from typing import TYPE_CHECKING, Any

# The names below load their module on first use (PEP 562): a screen that only needs the error
# classes does not pay for httpx and the pydantic models before its first frame.
if TYPE_CHECKING:
    from app.api.budget import RequestBudget
    from app.api.client import DEFAULT_BASE_URL, TinylyticsClient
    from app.api.errors import (
        ApiError,
        AuthError,
        BadRequest,
        NetworkError,
        NotFound,
        ProtocolError,
        RateLimited,
        ServerError,
        SubscriptionRequired,
    )
    from app.api.models import (
        CacheInfo,
        Domain,
        Downtime,
        GroupedHitsResponse,
        GroupedRow,
        Hit,
        HitsResponse,
        Insight,
        InsightsResponse,
        InsightsSite,
        JourneyFilters,
        JourneyInsights,
        JourneyPage,
        JourneySummary,
        LeaderboardEntry,
        LeaderboardFilters,
        LeaderboardResponse,
        LeaderboardSite,
        MeResponse,
        Monitor,
        Paged,
        Pagination,
        PathVisitors,
        Site,
        SiteResponse,
        SitesResponse,
        SiteSummary,
        Ssl,
        UptimeResponse,
        UptimeSummary,
        User,
        UserJourney,
        UserJourneysResponse,
    )

_MODULES = {
    "RequestBudget": "budget",
    "DEFAULT_BASE_URL": "client",
    "TinylyticsClient": "client",
    "ApiError": "errors",
    "AuthError": "errors",
    "BadRequest": "errors",
    "NetworkError": "errors",
    "NotFound": "errors",
    "ProtocolError": "errors",
    "RateLimited": "errors",
    "ServerError": "errors",
    "SubscriptionRequired": "errors",
    "CacheInfo": "models",
    "Domain": "models",
    "Downtime": "models",
    "GroupedHitsResponse": "models",
    "GroupedRow": "models",
    "Hit": "models",
    "HitsResponse": "models",
    "Insight": "models",
    "InsightsResponse": "models",
    "InsightsSite": "models",
    "JourneyFilters": "models",
    "JourneyInsights": "models",
    "JourneyPage": "models",
    "JourneySummary": "models",
    "LeaderboardEntry": "models",
    "LeaderboardFilters": "models",
    "LeaderboardResponse": "models",
    "LeaderboardSite": "models",
    "MeResponse": "models",
    "Monitor": "models",
    "Paged": "models",
    "Pagination": "models",
    "PathVisitors": "models",
    "Site": "models",
    "SiteResponse": "models",
    "SiteSummary": "models",
    "SitesResponse": "models",
    "Ssl": "models",
    "UptimeResponse": "models",
    "UptimeSummary": "models",
    "User": "models",
    "UserJourney": "models",
    "UserJourneysResponse": "models",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'app.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"app.api.{module}"), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


__all__ = [
    "DEFAULT_BASE_URL",
    "ApiError",
    "AuthError",
    "BadRequest",
    "CacheInfo",
    "Domain",
    "Downtime",
    "GroupedHitsResponse",
    "GroupedRow",
    "Hit",
    "HitsResponse",
    "Insight",
    "InsightsResponse",
    "InsightsSite",
    "JourneyFilters",
    "JourneyInsights",
    "JourneyPage",
    "JourneySummary",
    "LeaderboardEntry",
    "LeaderboardFilters",
    "LeaderboardResponse",
    "LeaderboardSite",
    "MeResponse",
    "Monitor",
    "NetworkError",
    "NotFound",
    "Paged",
    "Pagination",
    "PathVisitors",
    "ProtocolError",
    "RateLimited",
    "RequestBudget",
    "ServerError",
    "Site",
    "SiteResponse",
    "SiteSummary",
    "SitesResponse",
    "Ssl",
    "SubscriptionRequired",
    "TinylyticsClient",
    "UptimeResponse",
    "UptimeSummary",
    "User",
    "UserJourney",
    "UserJourneysResponse",
]
