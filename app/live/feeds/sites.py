"""The Sites screen: one row per site, filled site by site, and every site's hits over the range
(the chart and the account's total above the table).

A refresh lists the sites, then counts what has something new, rows on screen first, under a
cap per refresh (`app.live.site_schedule`); the chart's series come from the rows for the last
7 days and from `app.live.account_series` for other ranges."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.live.account_series import AccountSeries, AccountView, from_rows, week_view
from app.live.feed import Feed
from app.live.overview import SiteRow
from app.live.ranges import Compare, Range, window
from app.live.site_schedule import Allowance, per_refresh_cap

if TYPE_CHECKING:
    from app.live.api import LiveApi
    from app.live.session import Session

SNAPSHOT_KEY = "sites"

SitesKey = tuple[str, Range, Compare]


class SitesFeed(Feed[SitesKey, list[SiteRow]]):
    SNAPSHOT = list[SiteRow]
    ON_THE_BEAT = True

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        # The rows on screen, refreshed first and every time (the screen says which).
        self.visible_rows: Callable[[], list[int]] = list
        # The row under the cursor: its line is drawn and counted with the chart's.
        self.selected_row: Callable[[], int | None] = lambda: None
        # What the last refresh could send and what it left for later (the bench reads it).
        self.allowance: Allowance | None = None
        self._account: AccountSeries | None = None

    def key(self) -> SitesKey:
        state = self.session.state
        return (SNAPSHOT_KEY, state.range, state.compare)

    def snapshot_key(self, key: SitesKey) -> str:
        return SNAPSHOT_KEY

    @property
    def rows(self) -> list[SiteRow]:
        """The rows to show: the overview's (with the watcher's uptime), else what was kept."""
        overview = self.session.overview
        if overview is not None and overview.rows:
            return overview.rows
        return list(self.data or [])

    @property
    def account(self) -> AccountSeries | None:
        """Every site's series for the ranges looked at (made anew with a new client)."""
        counter = self.session.counter
        if counter is None:
            return None
        if self._account is None or self._account.counter is not counter:
            self._account = AccountSeries(counter, now=self.session.now)
        return self._account

    def account_view(self) -> AccountView | None:
        """The account over the range shown: the chart's lines and the headline's total. The
        last 7 days come from the rows (kept ones too, before the API is reached)."""
        state = self.session.state
        chosen, compare = state.range, state.compare
        if from_rows(chosen, compare):
            now = self.session.now()
            return week_view(self.rows, window(chosen, now, compare=compare), now)
        account = self.account
        return None if account is None else account.view(chosen, compare, self.rows)

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

    async def fetch(self, api: LiveApi, key: SitesKey) -> list[SiteRow]:
        overview = self.session.overview
        account = self.account
        assert overview is not None and account is not None
        _, chosen, compare = key
        budget = self.session.budget
        allowance = Allowance(per_refresh_cap(budget, self.session.state.refresh_interval), budget)

        def row_done(row: SiteRow) -> None:
            self.sites_changed()

        await overview.list_sites()
        self._learn(overview.rows, replace=True)
        due = overview.due_rows(self.visible_rows(), on_row=row_done)
        due += account.due(
            chosen,
            compare,
            overview.rows,
            overview.listed,
            trust_list=overview.list_moves,
            selected=self.selected_row(),
            on_line=self.sites_changed,
        )
        self.allowance = allowance
        await allowance.spend(due)
        rows = overview.rows
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
