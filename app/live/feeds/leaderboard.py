"""The leaderboard of the current site: a window of pages around the user's cursor, a path
filter, and the pace of the server's own cache.

What it costs:

- coming back to the section costs nothing while the server's copy is current (only pages not
  held are asked for);
- scrolling asks only for the page the cursor nears, even while live updates are paused;
- `r`, resuming from pause or a new interval while the section is shown ask for every page held
  again, as does the next refresh once the server's copy has expired.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.live.feed import Feed
from app.live.leaderboard import Board, LeaderboardPages, next_poll_in

if TYPE_CHECKING:
    from app.live.api import LiveApi
    from app.live.session import Session

# The site, and the path filter ("paths containing"; None for the whole board).
LeaderboardKey = tuple[int, str | None]


class LeaderboardFeed(Feed[LeaderboardKey, Board]):
    PACED_BY = "the server's hourly cache"

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.pages = LeaderboardPages(warn=session.paging_looks_wrong)
        self._search: tuple[int, str] | None = None  # the site searched, and what for
        self._reload = True
        self._quiet = False  # a wake that must not reload what is held

    # -- what the user wants -------------------------------------------------------------------

    @property
    def path_filter(self) -> str | None:
        """The search of the current site; another site starts without one."""
        search = self._search
        if search is None or search[0] != self.session.state.site_id:
            return None
        return search[1]

    def key(self) -> LeaderboardKey | None:
        site_id = self.session.state.site_id
        if site_id is None:
            return None
        return (site_id, self.path_filter)

    def search(self, path: str | None) -> bool:
        """Paths containing `path` (None: the whole board); True when that is a new board."""
        path = path or None
        site_id = self.session.state.site_id
        if path == self.path_filter or site_id is None:
            return False
        self._search = (site_id, path) if path is not None else None
        self._want_pages()
        return True

    def follow(self, rank: int) -> None:
        """The cursor is on `rank`: fetch the next page when it nears the end of what is held."""
        if self.key() == self.pages.key and self.pages.follow(rank):
            self._want_pages()

    def to_top(self) -> bool:
        """Back to rank 1; True when its page has to be fetched again (it comes in an update)."""
        if self.pages.to_top():
            self._want_pages()
            return True
        return False

    def _want_pages(self) -> None:
        """Fetch what is missing, nothing more, even while paused."""
        self._quiet = True
        try:
            self.ask()
        finally:
            self._quiet = False

    # -- when -----------------------------------------------------------------------------------

    def show(self) -> None:
        # Coming back to the section costs nothing while the server's copy is current.
        self._quiet = True
        try:
            super().show()
        finally:
            self._quiet = False

    def ask(self) -> None:
        """`r`: every page held, again (the server may have a newer board)."""
        if self.visible and not self._quiet:
            self._reload = True
        super().ask()

    def wake(self) -> None:
        """Resuming from pause, a new interval while shown: every page again. Pausing, or what
        changes while the section is hidden, reloads nothing."""
        if self.visible and not self._quiet and not self.session.state.paused:
            self._reload = True
        super().wake()

    def interval(self, data: Board | None = None) -> float:
        if self.pages.missing():
            # Wanted while the last answer was on its way (the cursor moved on).
            return 0.0
        return next_poll_in(self.pages.expires_at, self.session.now(), super().interval())

    # -- how ------------------------------------------------------------------------------------

    async def fetch(self, api: LiveApi, key: LeaderboardKey) -> Board:
        site_id, path_filter = key
        self.pages.target(site_id, path_filter)
        reload = self._reload or self.pages.due(self.session.now())
        self._reload = False
        board = await self.pages.load(api, reload=reload)
        if board.site_label:
            self.session.sites.learn(site_id, board.site_label, None)
        return board
