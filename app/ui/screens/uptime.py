"""Section 5: the uptime monitor of the current site, its certificate, domain and downtimes."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.widgets import Static

from app import localtime
from app.api import ApiError, Domain, Downtime, Monitor, Ssl
from app.durations import compact, words
from app.live.feeds.paged import Unavailable
from app.live.feeds.uptime import UptimeData
from app.live.monitor import Expiry, Level, down_since, downtime_seconds, expiry, is_ongoing
from app.live.session import Session
from app.localtime import moment
from app.ui.keys import KeyGroup
from app.ui.screens.paging import SitePagedScreen, unavailable_text
from app.ui.screens.tables import RANGE_KEYS, TABLE_BINDINGS, TableKeys, hidden
from app.ui.text import clean, literal
from app.ui.widgets.phrases import Facts, Phrases
from app.ui.widgets.search import SearchBox
from app.ui.widgets.table import SERVER_TEXT, Cell, Column, LiveTable

KEYS = KeyGroup(
    "Uptime",
    (
        Binding("right_square_bracket", "older", "Older", id="uptime.older", key_display="]"),
        Binding("left_square_bracket", "newer", "Newer", id="uptime.newer", key_display="["),
    ),
)
HELP_TEXT: dict[str, str] = {
    "uptime.older": "Uptime: older downtimes (next page of the history)",
    "uptime.newer": "Uptime: newer downtimes (previous page of the history)",
}

# Fixed widths, so that the error column gets the rest of the line from the first answer on.
HISTORY_COLUMNS = (
    Column("started", "Started", 16),
    Column("ended", "Ended", 16),
    Column("duration", "Duration", 18),
    Column("error", "Error", max_width=SERVER_TEXT),
)
LEVEL_STYLE = {Level.SOON: "bold yellow", Level.EXPIRED: "bold red"}


# -- text ---------------------------------------------------------------------------------------


def day_text(when: datetime) -> str:
    return f"{when:%b} {when.day}, {when.year}"


def state_text(data: UptimeData, now: datetime) -> Facts:
    monitor = data.head.monitor
    if monitor.is_down:
        head = Text("● DOWN", style="bold red")
        since = down_since(data.head.downtimes)
        if since is not None:
            lasted = words((now - since).total_seconds(), smallest="minute")
            head.append(f" since {moment(since, now)}, for {lasted}")
        code = monitor.last_status_code
        why = [Text(f"HTTP {code}" if code else "no HTTP answer", style="red")]
        error = monitor.last_error_message or monitor.status_description
        if error:
            why.append(Text(clean(error), style="red"))
        return [[head], why]
    if monitor.is_down is None:
        return [
            [Text("● state unknown", style="bold yellow")],
            [Text("the monitor has not reported a state yet", style="dim")],
        ]
    description = Text(clean(monitor.status_description, empty="answering"), style="dim")
    return [[Text("● UP", style="bold green")], [description]]


def checks_text(monitor: Monitor, now: datetime) -> Facts:
    settings: list[Text] = []
    if monitor.uptime is not None:
        settings.append(Text("Uptime ").append(f"{monitor.uptime:.2f}%", style="bold"))
    else:
        settings.append(Text("Uptime unknown", style="dim"))
    if monitor.current_check_interval:
        settings.append(Text(f"checked every {clean(monitor.current_check_interval)}"))
    elif monitor.period:
        settings.append(Text(f"checked every {words(monitor.period)}"))
    paused = Text("yes", style="bold yellow") if monitor.auto_paused else Text("no")
    settings.append(Text("auto-paused: ").append_text(paused))
    if monitor.enabled is False:
        settings.append(Text("monitor disabled", style="bold yellow"))
    checks: list[Text] = []
    if monitor.last_check_at is not None:
        ago = compact((now - monitor.last_check_at).total_seconds())
        checks.append(Text(f"Last check {moment(monitor.last_check_at, now)} ({ago} ago)"))
    else:
        checks.append(Text("Not checked yet", style="dim"))
    if monitor.next_check_at is not None:
        left = (monitor.next_check_at - now).total_seconds()
        when = f"in {compact(left)}" if left >= 1 else "due now"
        checks.append(Text("next check ").append(when, style="bold"))
    return [settings, checks]


def expiry_text(item: Expiry, *, prefix: str = "") -> Text:
    text = Text(prefix)
    if item.expires_at is None and item.days_left is None:
        return text.append("expiry not known", style="dim")
    style = LEVEL_STYLE.get(item.level, "")
    if item.level is Level.EXPIRED:
        text.append("EXPIRED", style=style)
        if item.expires_at is not None:
            text.append(f" on {day_text(item.expires_at)}", style=style)
        if item.days_left is not None and item.days_left < 0:
            text.append(f" ({-item.days_left} days ago)", style=style)
        return text
    if item.expires_at is not None:
        text.append(f"expires {day_text(item.expires_at)} · ")
    if item.days_left is not None:
        text.append("1 day left" if item.days_left == 1 else f"{item.days_left} days left", style)
    if item.level is Level.SOON:
        text.append(" · expiring soon", style=style)
    return text


def ssl_text(ssl: Ssl | None, now: datetime) -> Text:
    if ssl is None:
        return Text("not checked", style="dim")
    prefix = ""
    if ssl.valid is False and not ssl.expired:
        prefix = "INVALID · "
    item = expiry(
        ssl.expires_at,
        ssl.days_until_expiry,
        now=now,
        expired=ssl.expired,
        expiring_soon=ssl.expiring_soon,
    )
    text = expiry_text(item)
    if prefix:
        text = Text(prefix, style="bold red").append_text(text)
    elif ssl.valid and item.level is not Level.EXPIRED:
        text = Text("valid · ").append_text(text)
    return text


def domain_text(domain: Domain | None, now: datetime) -> Text:
    if domain is None:
        return Text("not checked", style="dim")
    days = domain.days_until_expiry if domain.days_until_expiry is not None else None
    if days is None:
        days = domain.remaining_days
    item = expiry(
        domain.expires_at,
        days,
        now=now,
        expired=domain.expired,
        expiring_soon=domain.expiring_soon,
    )
    text = expiry_text(item)
    if domain.source:
        text.append(f" · {clean(domain.source)}", style="dim")
    return text


def certs_text(monitor: Monitor, now: datetime) -> Text:
    text = Text()
    text.append("SSL     ", style="bold")
    text.append_text(ssl_text(monitor.ssl, now))
    text.append("\n")
    text.append("Domain  ", style="bold")
    text.append_text(domain_text(monitor.domain, now))
    return text


def history_title(data: UptimeData) -> Text:
    summary = data.head.summary
    pagination = data.history.pagination
    text = Text("Downtime history", style="bold")
    text.append(f" ({localtime.zone_name()})", style="dim")
    if summary is not None:
        if summary.total_downtimes is not None:
            text.append(f" · {summary.total_downtimes:,} in all")
        if summary.ongoing_downtimes:
            text.append(f" · {summary.ongoing_downtimes:,} ongoing", style="bold red")
        elif summary.ongoing_downtimes == 0:
            text.append(" · none ongoing")
        if summary.recent_downtimes_30_days is not None:
            text.append(f" · {summary.recent_downtimes_30_days:,} in the last 30 days")
    if pagination.total_pages > 1:
        text.append(f" · page {data.page} of {pagination.total_pages}", style="dim")
    return text


def history_rows(downtimes: list[Downtime], now: datetime) -> list[tuple[str, list[Text]]]:
    rows: list[tuple[str, list[Text]]] = []
    for index, downtime in enumerate(downtimes):
        started = localtime.local(downtime.started_at) if downtime.started_at else None
        ongoing = is_ongoing(downtime)
        if ongoing:
            ended = Cell(Text("ongoing", style="bold red"), "")
        elif downtime.ended_at is not None:
            # Most downtimes end the day they begin: the time alone leaves room for the error.
            ended_at = localtime.local(downtime.ended_at)
            same_day = started is not None and started.date() == ended_at.date()
            ended = Cell(f"{ended_at:%H:%M}" if same_day else f"{ended_at:%Y-%m-%d %H:%M}")
        else:
            ended = Cell(Text("–", style="dim"))
        seconds = downtime_seconds(downtime, now)
        duration = (
            Cell(words(seconds, smallest="minute"), seconds)
            if seconds is not None
            else Cell(literal(downtime.duration_in_words, empty="–"))
        )
        error = literal(downtime.error, empty="(no error given)")
        if downtime.partial:
            error.append(" · partial", style="dim")
        key = str(downtime.id) if downtime.id is not None else f"#{index}"
        start = Cell(f"{started:%Y-%m-%d %H:%M}" if started else "–")
        rows.append((key, [start, ended, duration, Cell(error)]))
    return rows


# -- the screen ---------------------------------------------------------------------------------


class UptimeScreen(TableKeys[UptimeData | Unavailable], SitePagedScreen[UptimeData]):
    TICKS = True
    BINDINGS = [*KEYS.bindings, *TABLE_BINDINGS, *hidden(RANGE_KEYS)]
    RANGE_REASON = "Uptime has no range: the monitor now, and its downtimes page by page (] [)."
    DEFAULT_CSS = """
    UptimeScreen #uptime-top {
        layout: horizontal;
        height: auto;
        max-height: 60%;
    }
    UptimeScreen.-narrow #uptime-top { layout: vertical; }
    UptimeScreen .uptime-box {
        width: 1fr;
        height: auto;
        border: round $primary 40%;
        border-title-color: $text;
        padding: 0 1;
    }
    UptimeScreen #uptime-history-title { height: auto; padding: 0 1; }
    UptimeScreen #uptime-history { height: 1fr; min-height: 4; overflow-x: hidden; }
    UptimeScreen #uptime-panel {
        height: auto;
        max-height: 100%;
        padding: 1 2;
        border: round $warning 60%;
        overflow-y: auto;
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__(session, session.uptime_feed)

    def compose_body(self) -> ComposeResult:
        with ScrollableContainer(id="uptime-top"):
            with Vertical(id="uptime-monitor", classes="uptime-box"):
                yield Phrases([[Text("loading…", style="dim")]], id="uptime-state")
                yield Phrases(id="uptime-checks")
            yield Static("", id="uptime-certs", classes="uptime-box")
        yield SearchBox("downtimes containing: type, escape to clear")
        yield Static("", id="uptime-history-title")
        yield LiveTable(HISTORY_COLUMNS, id="uptime-history")
        yield Static("", id="uptime-panel")

    def on_mount(self) -> None:
        self.query_one("#uptime-monitor").border_title = "Monitor"
        self.query_one("#uptime-certs").border_title = "SSL certificate and domain"
        self.query_one("#uptime-panel").display = False
        self.query_one(LiveTable).focus()

    def reset(self) -> None:
        self._site = self.state.site_id
        self.query_one("#uptime-state", Phrases).show([[Text("loading…", style="dim")]])
        self.query_one("#uptime-checks", Phrases).show([])
        for name in ("#uptime-certs", "#uptime-history-title"):
            self.query_one(name, Static).update("")
        self.query_one(LiveTable).show([])
        self._show_panel(None)

    def show(self, data: UptimeData | Unavailable) -> None:
        self._site = data.site_id
        self._show_panel(data if isinstance(data, Unavailable) else None)
        self.refresh_bindings()
        if isinstance(data, Unavailable):
            return
        now = self.session.now()
        self.query_one("#uptime-monitor").border_title = Text("Monitor · ").append_text(
            literal(data.head.monitor.url, empty="(no URL)")
        )
        self.query_one("#uptime-certs", Static).update(certs_text(data.head.monitor, now))
        table = self.query_one(LiveTable)
        table.server_total = data.history.pagination.total_count
        table.show(history_rows(data.history.downtimes, now))
        self._history_title(data)
        self.tick()

    def _show_panel(self, state: Unavailable | None) -> None:
        panel = self.query_one("#uptime-panel", Static)
        panel.display = state is not None
        self.freshness.note = None
        if state is not None:
            self.freshness.note = "needs a paid plan" if state.plan else "no uptime monitor"
        for name in ("#uptime-top", "#uptime-history-title", "#uptime-history"):
            self.query_one(name).display = state is None
        if state is None:
            return
        panel.update(
            unavailable_text(
                state,
                feature="Uptime monitoring",
                missing="No uptime monitor for this site.",
                missing_hint=(
                    "Tinylytics checks a site only once a monitor is set up for it in the site's "
                    "settings on tinylytics.app. Other sites may have one: press 1 to pick one."
                ),
            )
        )
        panel.border_title = "Uptime"

    def failed(self, error: ApiError) -> None:
        # Later failures leave the last good answer on screen; the status line says it is stale.
        if self.feed.current is None:
            self.query_one("#uptime-state", Phrases).show([[Text(error.message, style="red")]])

    def tick(self) -> None:
        """Once a second: the countdown and "for N minutes", from the data already shown."""
        view = self.feed.current
        if not isinstance(view, UptimeData) or not self.is_current:
            return
        now = self.session.now()
        self.query_one("#uptime-state", Phrases).show(state_text(view, now))
        self.query_one("#uptime-checks", Phrases).show(checks_text(view.head.monitor, now))

    # -- keys ------------------------------------------------------------------------------------

    def _history_title(self, data: UptimeData | None = None) -> None:
        """The history's title, with what the `/` search finds on the page shown."""
        view = data or self.feed.shown
        if view is None:
            return
        title = history_title(view)
        note = self.query_one(LiveTable).search_note()
        if note is not None:
            title.append(" · ").append_text(note)
        self.query_one("#uptime-history-title", Static).update(title)

    def searched(self, table: LiveTable) -> None:
        self._history_title()
        super().searched(table)

    def loading_page(self) -> None:
        title = Text("Downtime history", style="bold")
        title.append(f" · loading page {self.feed.page} of {self.feed.pages}…", style="dim")
        self.query_one("#uptime-history-title", Static).update(title)
