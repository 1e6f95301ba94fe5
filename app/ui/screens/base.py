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
from textual.widgets import Header

from app.live.feed import Feed, Update
from app.live.freshness import Freshness
from app.live.session import Session
from app.live.state import ViewState
from app.ui import keys
from app.ui.messages import Navigate
from app.ui.widgets.footer import AppFooter
from app.ui.widgets.status import StatusInfo, StatusLine

if TYPE_CHECKING:
    from app.api import ApiError
    from app.opener import Selection
    from app.ui.screens.export import Export
    from app.ui.widgets.table import LiveTable

T = TypeVar("T")


class LiveScreen(Screen[None], Generic[T]):
    """Subclasses give `compose_body()`, `show(data)` and `status_info()`; `failed(error)` for
    screens that show a lasting condition (404, 403) in place."""

    # Screens with a countdown ("next check in 49s") redraw it once a second from the data
    # already shown, by overriding `tick()`; the timer runs only while the screen is visible.
    TICKS: ClassVar[bool] = False
    # `e`, `c` and `o` on every section's tables (a subclass's own key of the same name wins).
    BINDINGS = list(keys.EXPORT.bindings)

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
            account=lambda: self.session.label,
        )
        yield AppFooter()

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

    # -- export, copy, open: the selected table's rows ------------------------------------------

    def target_table(self) -> LiveTable | None:
        """The table the keys act on (search, sort, export, copy): the focused one, else the
        screen's only table shown."""
        from textual.widget import Widget

        from app.ui.widgets.table import LiveTable

        if isinstance(self.focused, LiveTable):
            return self.focused
        shown = [
            table
            for table in self.query(LiveTable)
            if all(node.display for node in table.ancestors_with_self if isinstance(node, Widget))
        ]
        return shown[0] if len(shown) == 1 else None

    def export_source(self) -> Export | None:
        """What `e` writes: the table's rows, every column and row it holds. Screens whose list
        the server pages give the whole list instead (a `ServerList` of app/live/export.py)."""
        from app.ui.screens.export import table_export

        table = self.target_table()
        return None if table is None else table_export(table, self.site_label)

    def selection(self) -> Selection | None:
        """What `c` copies and `o` opens of the selected row (screens say which value is the
        row's address; by default, the row as text)."""
        from app.ui.screens.export import row_selection

        table = self.target_table()
        return None if table is None else row_selection(table)

    def action_export(self) -> None:
        from app.export import ExportError
        from app.ui.screens.export import ExportScreen

        try:
            export = self.export_source()
        except ExportError as error:
            self.notify(error.message, markup=False)
            return
        if export is None:
            self.notify("Move to a table (tab), then press e to export it.")
            return
        self.app.push_screen(ExportScreen(export, self.session.now()))

    def action_copy_row(self) -> None:
        from app.opener import web_address
        from app.ui.text import clean

        selection = self.selection()
        if selection is None or not selection.text:
            self.notify("Nothing to copy: select a row first.", timeout=3)
            return
        # An address is copied whole; other server text loses its control characters, so that
        # a paste cannot run a line in a shell or rewrite a terminal.
        text = selection.text if web_address(selection.text) else clean(selection.text)
        shown = self.copy_text(text)
        self.notify(f"Copied the {selection.what}: {shown}", timeout=3, markup=False)

    def copy_text(self, text: str) -> str:
        """To the clipboard of the user's terminal (OSC 52: over SSH too); returns the text as
        a message can show it."""
        from app.ui.text import clean

        self.app.copy_to_clipboard(text)
        shown = clean(text.replace("\t", "  "))
        return shown if len(shown) <= 60 else shown[:59] + "…"

    def action_open_url(self) -> None:
        from app.opener import local_browser, web_address
        from app.ui.text import clean

        selection = self.selection()
        if selection is None:
            self.notify("Nothing to open: select a row first.", timeout=3)
            return
        url = web_address(selection.url)
        if url is None:
            if selection.what == "row":
                self.notify("This row holds no web address to open.", timeout=3)
            else:
                shown = clean(selection.url or selection.text, empty="(empty)")
                self.notify(f"Not a web address: {shown[:60]}", timeout=4, markup=False)
            return
        if self.app.is_web:
            # Served to a browser tab: that browser opens it, not one on the server.
            self.app.open_url(url)
            return
        if not local_browser():
            shown = self.copy_text(url)
            self.notify(f"No browser here (SSH, or no display): copied {shown}", markup=False)
            return
        self.browse(url)

    @work(group="browser", exit_on_error=False)
    async def browse(self, url: str) -> None:
        import asyncio

        from app.opener import browse

        # In a thread: a browser's launcher may take its time.
        if await asyncio.to_thread(browse, url):
            shown = url if len(url) <= 60 else url[:59] + "…"
            self.notify(f"Opened {shown}", timeout=3, markup=False)
        else:
            shown = self.copy_text(url)
            self.notify(f"No browser opened: copied {shown}", markup=False)
