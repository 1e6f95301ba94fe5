"""The Sites table: one row per site, filled site by site."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.live.feed import Feed
from app.live.overview import SiteRow

if TYPE_CHECKING:
    from app.live.api import LiveApi
    from app.live.session import Session

SNAPSHOT_KEY = "sites"


class SitesFeed(Feed[str, list[SiteRow]]):
    SNAPSHOT = list[SiteRow]

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        # The rows on screen, refreshed first and every time (the screen says which).
        self.visible_rows: Callable[[], list[int]] = list

    def key(self) -> str:
        return SNAPSHOT_KEY

    def snapshot_key(self, key: str) -> str:
        return SNAPSHOT_KEY

    @property
    def rows(self) -> list[SiteRow]:
        """The rows to show: the overview's (with the watcher's uptime), else what was kept."""
        overview = self.session.overview
        if overview is not None and overview.rows:
            return overview.rows
        return list(self.data or [])

    def restored(self, data: list[SiteRow]) -> None:
        self.data = data
        if self.session.overview is not None:
            self.session.overview.restore(data)
        self._learn(data, replace=False)
        self._pick_first(data)

    def learn_kept_names(self) -> None:
        """Site names from the last run's Sites table: the header names the site even when
        the API cannot be reached."""
        found = self.session.snapshots.load(SNAPSHOT_KEY, self.SNAPSHOT)
        if found is not None:
            self._learn(found[0], replace=False)

    async def fetch(self, api: LiveApi, key: str) -> list[SiteRow]:
        overview = self.session.overview
        assert overview is not None

        def row_done(row: SiteRow) -> None:
            self.sites_changed()

        rows = await overview.refresh(visible_first=self.visible_rows(), on_row=row_done)
        self._learn(rows, replace=True)
        self._pick_first(rows)
        return rows

    def sites_changed(self) -> None:
        """A row changed outside a refresh (a row done, the watcher's uptime): redraw."""
        self.emit(self.rows)

    def _learn(self, rows: list[SiteRow], *, replace: bool) -> None:
        for row in rows:
            self.session.sites.learn(row.id, row.label, row.url, replace=replace)

    def _pick_first(self, rows: list[SiteRow]) -> None:
        if rows:
            self.session.state.choose_site(rows[0].id)
