"""`]` older and `[` newer over a list the server pages (uptime history, insights)."""

from __future__ import annotations

from textual.screen import Screen


class PageKeys(Screen[None]):
    """Keeps `_page` of `_pages`; the screen says when paged data is shown and how a page loads."""

    _page: int
    _pages: int

    def paged(self) -> bool:
        """Whether the list the keys page through is on screen."""
        raise NotImplementedError

    def loading_page(self) -> None:
        """Say that another page is on its way and ask for it."""
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Paging keys leave the footer when there is one page, and dim at either end.
        if action not in ("older", "newer"):
            return True
        if not self.paged() or self._pages <= 1:
            return False
        return (self._page < self._pages if action == "older" else self._page > 1) or None

    def action_older(self) -> None:
        if self.paged() and self._page < self._pages:
            self._page += 1
            self.refresh_bindings()
            self.loading_page()

    def action_newer(self) -> None:
        if self.paged() and self._page > 1:
            self._page -= 1
            self.refresh_bindings()
            self.loading_page()
