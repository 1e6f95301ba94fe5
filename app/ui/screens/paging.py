"""Sections of the current site whose list the server pages (uptime history, insights): `]`
older and `[` newer, and a friendly panel when the site or plan lacks the feature.

What to fetch (the page, the site) is the feed's (`app.live.feeds.paged`); the screen draws
what arrives and sends the paging keys to the feed.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.text import Text

from app.live.feeds.paged import PageOfSite, SitePagedFeed, Unavailable
from app.live.session import Session
from app.ui.screens.base import LiveScreen
from app.ui.text import clean


def unavailable_text(state: Unavailable, *, feature: str, missing: str, missing_hint: str) -> Text:
    """The friendly panel for a 403 or 404; the server's own words come last, literally."""
    text = Text()
    if state.plan:
        text.append(f"{feature} needs a paid Tinylytics plan.\n\n", style="bold")
        text.append(
            "This API key's account has no subscription that includes it. Once the plan "
            "includes it, this section fills in by itself (or press r).\n\n"
        )
    else:
        text.append(f"{missing}\n\n", style="bold")
        text.append(f"{missing_hint}\n\n")
    text.append("The API answered: ", style="dim")
    text.append(clean(state.message), style="dim italic")
    return text


D = TypeVar("D", bound=PageOfSite)


class SitePagedScreen(LiveScreen[D | Unavailable], Generic[D]):
    """Draws the answers of a `SitePagedFeed` for the current site.

    Subclasses say how a page that is on its way looks (`loading_page`) and how to clear a
    previous site's data (`reset`).
    """

    feed: SitePagedFeed[D]

    def __init__(self, session: Session, feed: SitePagedFeed[D]) -> None:
        super().__init__(session, feed)
        self._site: int | None = None  # the site the screen shows (or is loading)

    def loading_page(self) -> None:
        """Say that another page is on its way."""
        raise NotImplementedError

    def reset(self) -> None:
        """Another site was picked: its predecessor's numbers must not linger on screen."""
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        if self._site != self.state.site_id:
            self.reset()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Paging keys leave the footer when there is one page, and dim at either end.
        if action not in ("older", "newer"):
            return True
        feed = self.feed
        if feed.shown is None or feed.pages <= 1:
            return False
        return (feed.page < feed.pages if action == "older" else feed.page > 1) or None

    def action_older(self) -> None:
        if self.feed.older():
            self.refresh_bindings()
            self.loading_page()

    def action_newer(self) -> None:
        if self.feed.newer():
            self.refresh_bindings()
            self.loading_page()
