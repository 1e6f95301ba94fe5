"""Section 3: the site's pages of all time, ranked, paged from the server as the user scrolls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from app.api import ApiError
from app.live.feeds.leaderboard import LeaderboardFeed
from app.live.leaderboard import Board, LeaderRow, cache_facts
from app.live.session import Session
from app.ui import keys
from app.ui.screens.tables import RANGE_KEYS, TABLE_BINDINGS, TableKeys, hidden
from app.ui.text import clean, literal
from app.ui.widgets.phrases import Phrases
from app.ui.widgets.search import SearchBox
from app.ui.widgets.status import StatusInfo
from app.ui.widgets.table import SERVER_TEXT, Cell, Column, LiveTable, number

if TYPE_CHECKING:
    from app.opener import Selection
    from app.ui.screens.export import Export


def _table_key(binding_id: str) -> Binding:
    return next(b for b in keys.TABLES.bindings if b.id == binding_id)


# The table keys that mean more here: enter opens the page's hits, `/` asks the server (enter),
# and the first row is rank 1, fetched again if need be.
KEYS = keys.KeyGroup(
    "Leaderboard",
    (
        _table_key("open"),
        _table_key("search"),
        _table_key("search.clear"),
        _table_key("table.first"),
    ),
)
HELP_TEXT: dict[str, str] = {}

BAR_WIDTH = 10
_EIGHTHS = " ▏▎▍▌▋▊▉"

# Numbers first: long paths are cut in the middle, never the counts; on a narrow terminal the
# bar and the unique hits give way to the path.
COLUMNS = (
    Column("rank", "#"),
    Column("hits", "Hits"),
    Column("unique", "Unique", priority=2),
    Column("share", "Share", priority=3),
    Column("bar", "", BAR_WIDTH, priority=1),
    Column("path", "Path", max_width=SERVER_TEXT, path=True, min_width=16),
)


def share_bar(share: float | None, top: float | None, width: int = BAR_WIDTH) -> Text:
    """A bar scaled to the first row's share, so the leader fills it and the rest compare."""
    if share is None or not top or top <= 0:
        return Text("")
    eighths = round(min(1.0, max(0.0, share / top)) * width * 8)
    if share > 0:
        eighths = max(1, eighths)  # any traffic at all shows
    full, part = divmod(eighths, 8)
    bar = "█" * full + (_EIGHTHS[part] if part else "")
    return Text(bar, style="cyan")


def cells(row: LeaderRow, top: float | None) -> list[Text]:
    share = "–" if row.percentage is None else f"{row.percentage:.1f}%"
    return [
        Cell(f"{row.rank:,}", row.rank, justify="right"),
        number(row.total_hits, missing="–"),
        number(row.unique_hits, missing="–"),
        Cell(share, row.percentage or 0.0, justify="right"),
        Cell(share_bar(row.percentage, top), row.percentage or 0.0),
        Cell(literal(row.path, empty="(no path)")),
    ]


def row_keys(rows: tuple[LeaderRow, ...]) -> list[str]:
    """Keyed by path, so that the cursor stays on its page when ranks move on a refresh."""
    seen: set[str] = set()
    out: list[str] = []
    for row in rows:
        key = f"path:{row.path}" if row.path is not None else f"rank:{row.rank}"
        if key in seen:
            key = f"{key}#{row.rank}"
        seen.add(key)
        out.append(key)
    return out


def quoted(value: str) -> Text:
    return Text("“").append_text(literal(value)).append("”")


class LeaderboardScreen(TableKeys[Board]):
    feed: LeaderboardFeed
    BINDINGS = [_table_key("open"), *TABLE_BINDINGS, *hidden(RANGE_KEYS)]
    RANGE_REASON = "The leaderboard counts all time: it has no range."
    # The rows held are a few pages of the board: enter asks the server for every path that
    # matches, and the list stays as it is until the answer comes.
    NARROW_AS_TYPED = False
    DEFAULT_CSS = """
    #lb-summary { height: auto; padding: 0 1; }
    #lb-problem { height: auto; margin: 1 2; padding: 1 2; border: round $error; }
    #leaderboard { height: 1fr; overflow-x: hidden; }
    """

    def __init__(self, session: Session) -> None:
        super().__init__(session, session.leaderboard_feed)
        self.board: Board | None = None  # the board on screen
        self._rows: dict[str, LeaderRow] = {}
        self._to_top = False
        self._problem: ApiError | None = None

    def compose_body(self) -> ComposeResult:
        yield SearchBox("paths containing: type, enter to search, escape to clear")
        yield Phrases(id="lb-summary")
        yield Static("", id="lb-problem")
        table = LiveTable(COLUMNS, id="leaderboard")
        # The server ranks; the table keeps its order through in-place updates.
        table.sort_column = "rank"
        yield table

    def on_mount(self) -> None:
        # LiveScreen's own on_mount (Textual calls it too) starts the polling loop.
        self.query_one("#lb-problem", Static).display = False
        self.table.focus()
        self._show_summary()
        # "cached 12 min ago" ages without any request: redraw it now and then.
        self.set_interval(30.0, self._show_summary)

    @property
    def table(self) -> LiveTable:
        return self.query_one("#leaderboard", LiveTable)

    def status_info(self) -> StatusInfo:
        info = StatusInfo(site=self.site_label, range="all time")
        if path_filter := self.feed.path_filter:
            info.chips.append(f"path contains {path_filter}")
        return info

    # -- what the feed reports -------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        # Textual runs LiveScreen's handler too (it shows the feed).
        self._show_summary()
        if self.board is not None and self.board.site_id != self.state.site_id:
            # Another site was opened meanwhile: its pages are not this one's, nor the filter
            # (the feed forgets it).
            self.board, self._rows, self._problem = None, {}, None
            self.table.show([])
            self.table.search("")
            self.query_one(SearchBox).close()
            self._show_summary()

    def show(self, data: Board) -> None:
        previous = self.board
        same_board = previous is not None and (previous.site_id, previous.path_filter) == (
            data.site_id,
            data.path_filter,
        )
        self.board, self._problem = data, None
        self.table.server_total = data.total_count
        self.query_one("#lb-problem", Static).display = False
        keys_ = row_keys(data.rows)
        self._rows = dict(zip(keys_, data.rows, strict=True))
        rows = [(k, cells(r, data.top_share)) for k, r in zip(keys_, data.rows, strict=True)]
        if same_board and not self._to_top:
            self._fill(rows)
        else:
            self.table.show(rows)
            self.table.move_cursor(row=0, animate=False, scroll=False)
            self.table.scroll_home(animate=False)
            self._to_top = False
        self._show_summary()

    def _fill(self, rows: list[tuple[str, list[Text]]]) -> None:
        """Update in place, and keep the cursor's row where it was on the screen when pages
        are dropped above it."""
        table = self.table
        keep = table.selected_key
        on_screen = table.cursor_row - int(table.scroll_offset.y)
        table.show(rows)
        if keep is not None and keep in table.rows:
            row = table.get_row_index(keep)
            if row != table.cursor_row:
                table.move_cursor(row=row, animate=False, scroll=False)
            target = max(0, row - on_screen)
            if target != int(table.scroll_offset.y):
                self.call_after_refresh(table.scroll_to, y=target, animate=False)

    def failed(self, error: ApiError) -> None:
        self._problem = error
        if self.board is None:
            # Nothing to keep on screen: say what is wrong where the table would be.
            problem = self.query_one("#lb-problem", Static)
            problem.update(
                Text.assemble(
                    ("The leaderboard could not be loaded.\n", "bold"), clean(error.message)
                )
            )
            problem.display = True
        self._show_summary()

    def _show_summary(self) -> None:
        if not self.is_mounted or not self.is_current:
            return
        board = self.board
        notes = cache_facts(board.cached_at, board.expires_at, self.session.now()) if board else []
        # On a narrow terminal the cache note goes to a second line, not over the row count.
        facts = [self._rows_text(), *(Text(note, style="dim") for note in notes)]
        self.query_one("#lb-summary", Phrases).show([facts])

    def _rows_text(self) -> Text:
        board, wanted = self.board, self.feed.path_filter
        text = Text()
        if board is None or board.path_filter != wanted:
            failed = self._problem is not None
            if wanted:
                text.append("could not search" if failed else "searching")
                text.append(" paths containing ").append_text(quoted(wanted))
            else:
                text.append("could not load the leaderboard" if failed else "loading…")
            if board is not None:
                text.append("  (showing the previous list)", style="dim")
            return text
        if not board.rows:
            if wanted:
                return text.append("no path contains ").append_text(quoted(wanted))
            return text.append("no hits recorded yet")
        text.append(f"rows {board.first_rank:,}–{board.last_rank:,} of ")
        text.append(f"{board.total_count:,}", style="bold")
        if wanted:
            noun = "path matches" if board.total_count == 1 else "paths match"
            text.append(f" {noun} ").append_text(quoted(wanted))
        else:
            text.append(" path" if board.total_count == 1 else " paths")
        return text

    # -- keys ------------------------------------------------------------------------------------

    @property
    def _ranked(self) -> bool:
        """In the server's order: the rows held are a window that follows the cursor. Sorted
        any other way they are a set, and stay as they are."""
        return self.table.sort_column == "rank" and not self.table.sort_reverse

    @on(DataTable.RowHighlighted, "#leaderboard")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self._rows.get(str(event.row_key.value))
        if row is not None and self._ranked:
            self.feed.follow(row.rank)

    def export_source(self) -> Export | None:
        """The whole board (the paths matching the search), paged from the server: the table
        holds a few pages around the cursor."""
        from app.export import ExportError
        from app.live.export import BoardList
        from app.ui.screens.export import Export

        site_id = self.state.site_id
        if site_id is None:
            raise ExportError("Pick a site first.")
        source = BoardList(self.session, site_id, self.feed.path_filter)
        return Export("leaderboard", source, self.site_label)

    def selection(self) -> Selection | None:
        from app.opener import Selection, page_url

        row = self._rows.get(self.table.selected_key or "")
        site_id = self.state.site_id
        if row is None or row.path is None or site_id is None:
            return None
        return Selection("path", row.path, page_url(self.session.sites.url(site_id), row.path))

    def to_first(self, table: LiveTable) -> bool:
        """Rank 1, fetched again when its page is no longer held."""
        if self.table.search_query or not self._ranked:
            return table.first()  # the first row of what is shown
        if self.feed.to_top():
            self._to_top = True  # the rows held now go; the cursor goes to rank 1 when it comes
            return True
        return table.first()

    def to_last(self, table: LiveTable) -> bool:
        moved = table.last()
        board = self.board
        if moved and self._ranked and board is not None and board.last_rank < board.total_count:
            # The row's page nearing its end asks for the next one (`_highlighted`).
            self.notify(
                f"Rank {board.last_rank:,}: the last row loaded of {board.total_count:,}; "
                "the next page is on its way.",
                timeout=3,
                markup=False,
            )
        return moved

    def action_open(self) -> None:
        row = self._rows.get(self.table.selected_key or "")
        if row is None:
            return
        if row.path is None:
            self.notify("This row has no path to filter the hits by.", timeout=3)
            return
        self.state.set_filters((("path", row.path),))
        self.navigate("hits")

    @on(DataTable.RowSelected, "#leaderboard")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def search_submitted(self, table: LiveTable, query: str) -> None:
        super().search_submitted(table, query)
        self._set_filter(query or None)

    def search_cleared(self, table: LiveTable) -> None:
        self._set_filter(None)

    def _set_filter(self, value: str | None) -> None:
        if not self.feed.search(value):
            return
        self._show_summary()
        self.status_changed()
