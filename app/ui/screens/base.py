"""A section screen: renders what its feed reports and sends the user's intents.

Each screen fills from its own long-lived worker that drives its feed
(`async for update in feed.watch()`); the feed decides what to ask and when, and idles while
the screen is hidden. Screens never call the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header

from app.live.feed import Feed, Update
from app.live.freshness import Freshness
from app.live.session import Session
from app.live.state import ViewState
from app.ui.messages import Navigate
from app.ui.widgets.status import StatusInfo, StatusLine

if TYPE_CHECKING:
    from app.api import ApiError

T = TypeVar("T")


class LiveScreen(Screen[None], Generic[T]):
    """Subclasses give `compose_body()`, `show(data)` and `status_info()`; `failed(error)` for
    screens that show a lasting condition (404, 403) in place."""

    # Screens with a countdown ("next check in 49s") redraw it once a second from the data
    # already shown, by overriding `tick()`; the timer runs only while the screen is visible.
    TICKS: ClassVar[bool] = False

    def __init__(self, session: Session, feed: Feed[Any, T]) -> None:
        super().__init__()
        self.session = session
        self.feed = feed
        self._clock: Timer | None = None

    @property
    def state(self) -> ViewState:
        return self.session.state

    @property
    def freshness(self) -> Freshness:
        return self.feed.freshness

    # -- layout shared by every section --------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.compose_body()
        yield StatusLine(
            self.feed.freshness,
            self.status_info,
            paused=lambda: self.state.paused,
            api_use=lambda: self.session.api_use(),
            monotonic=self.session.monotonic,
        )
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def status_info(self) -> StatusInfo:
        return StatusInfo(site=self.site_label)

    @property
    def site_label(self) -> str | None:
        site_id = self.state.site_id
        return None if site_id is None else self.session.sites.label(site_id)

    # -- the loop -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        # Here rather than in the loop, so that what was kept is in the screen's first frame.
        kept = self.feed.restore()
        if kept is not None:
            self.render_update(kept)
        self.poll()
        if self.TICKS:
            self._clock = self.set_interval(1.0, self.tick, pause=not self.feed.visible)

    def on_screen_resume(self) -> None:
        self.feed.show()
        if self._clock is not None:
            self._clock.resume()

    def on_screen_suspend(self) -> None:
        # Textual keeps workers and timers of hidden screens running: the feed idles instead.
        self.feed.hide()
        if self._clock is not None:
            self._clock.pause()

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll(self) -> None:
        async for update in self.feed.watch():
            self.render_update(update)

    def render_update(self, update: Update[T]) -> None:
        try:
            if update.data is not None:
                self.show(update.data)
            if update.error is not None:
                self.failed(update.error)
        except Exception as error:
            # A bug in drawing: keep the loop and the last frame, log it, say it once.
            self.feed.render_failed(error)
        self.status_changed()

    def status_changed(self) -> None:
        """Redraw the status line now rather than at its next one-second tick."""
        for line in self.query(StatusLine):
            line.tick()

    def tick(self) -> None:
        """Redraw what moves with the clock alone (no requests); see TICKS."""

    def show(self, data: T) -> None:
        raise NotImplementedError

    def failed(self, error: ApiError) -> None:
        """Hook for screens that show a panel for lasting conditions (404, 403)."""

    # -- intents --------------------------------------------------------------------------------

    def navigate(self, section: str) -> None:
        self.app.post_message(Navigate(section))

    def ask(self) -> None:
        """Fetch now, even while paused."""
        self.feed.ask()
