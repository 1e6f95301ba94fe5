"""The uptime watcher behind the alerts: runs whatever screen is shown, at a low rate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.live.feed import Feed

if TYPE_CHECKING:
    from app.live.api import LiveApi
    from app.live.watcher import Alert

# However far off the next check, look again within the hour; never more than once a second.
LONGEST_WAIT = 3600.0
SHORTEST_WAIT = 1.0


class AlertsFeed(Feed[str, tuple["Alert", ...]]):
    ALWAYS = True

    def key(self) -> str:
        return "alerts"

    def _wants(self, key: str) -> bool:
        # Paused means paused: no automatic polls, also not the first.
        return not self.session.state.paused

    async def fetch(self, api: LiveApi, key: str) -> tuple[Alert, ...]:
        session = self.session
        watcher = session.watcher
        assert watcher is not None
        # The Sites table's list when it has one; else the list asked for once, on the first pass.
        ids = [row.id for row in session.sites_feed.rows] or watcher.site_ids
        if not ids:
            sites = (await api.sites()).sites
            for site in sites:
                session.sites.learn(site.id, site.label, site.url, replace=False)
            ids = [site.id for site in sites]
        watcher.set_sites(ids)
        alerts = await watcher.run_once()
        overview = session.overview
        if overview is not None:
            for site_id, state in watcher.states.items():
                overview.set_uptime(site_id, state.summary)
            session.sites_feed.sites_changed()
        for alert in alerts:
            session.alert(alert)
        return tuple(alerts)

    def next_in(self, data: tuple[Alert, ...]) -> float:
        watcher = self.session.watcher
        due = watcher.seconds_until_due() if watcher is not None else 60.0
        return min(LONGEST_WAIT, max(SHORTEST_WAIT, due))

    def interval(self, data: tuple[Alert, ...] | None = None) -> float:
        # The watcher keeps its own hourly cap; the app's budget stretch does not apply.
        if data is None:
            return 60.0
        return self.next_in(data)
