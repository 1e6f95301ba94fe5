"""Sections of the current site whose list the server pages (uptime history, insights): `]`
older and `[` newer, and a friendly panel when the site or plan lacks the feature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from rich.text import Text

from app.api import NotFound, SubscriptionRequired
from app.live.monitor import LASTING_WAIT
from app.ui.screens.base import LiveScreen
from app.ui.text import clean
from app.ui.widgets.status import StatusInfo


@dataclass(frozen=True)
class Unavailable:
    """An answer that stays true until someone changes the account: no monitor (404), or no
    plan that includes the feature (403). Shown as a panel, not as an outage."""

    site_id: int
    plan: bool  # True: 403, the plan; False: 404, nothing there
    message: str


def unavailable(error: NotFound | SubscriptionRequired, site_id: int) -> Unavailable:
    return Unavailable(site_id, isinstance(error, SubscriptionRequired), error.message)


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


class PageOfSite(Protocol):
    @property
    def site_id(self) -> int: ...

    @property
    def page(self) -> int: ...


D = TypeVar("D", bound=PageOfSite)


class SitePagedScreen(LiveScreen[D | Unavailable], Generic[D]):
    """Keeps `_page` of `_pages` and the answer on show (`_view`) for the current site.

    Subclasses say when paged data is shown (`paged`), how a page loads (`loading_page`), when
    to poll again (`next_poll_in`) and how to clear a previous site's data (`reset`).
    """

    def __init__(self) -> None:
        super().__init__()
        self._view: D | Unavailable | None = None
        self._page = 1
        self._pages = 1
        self._site: int | None = None  # the site the screen shows (or is loading)
        self._behind = False  # the answer shown is not what is wanted now: ask again at once

    def paged(self) -> bool:
        """Whether the list the keys page through is on screen."""
        raise NotImplementedError

    def loading_page(self) -> None:
        """Say that another page is on its way and ask for it."""
        raise NotImplementedError

    def next_poll_in(self, view: D | None) -> float:
        """Seconds until the server can have something new, before budget pacing."""
        raise NotImplementedError

    def reset(self) -> None:
        """Another site was picked: its predecessor's numbers must not linger on screen."""
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        if self._site != self.tiny.site_id:
            self.reset()

    def status_info(self) -> StatusInfo:
        return StatusInfo(site=self.tiny.site_label)

    def ready(self) -> bool:
        return super().ready() and self.tiny.site_id is not None

    def interval(self) -> float:
        view = self._view
        if self._behind:
            return 0.0
        if isinstance(view, Unavailable):
            return self.tiny.paced(LASTING_WAIT)
        return self.tiny.paced(self.next_poll_in(view))

    def behind(self, data: D | Unavailable) -> bool:
        """Whether an answer is for another site or page than the one wanted now; if so it is
        not shown, and `interval()` asks again at once."""
        self._behind = data.site_id != self.tiny.site_id or (
            not isinstance(data, Unavailable) and data.page != self._page
        )
        return self._behind

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
