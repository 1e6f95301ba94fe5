"""Section 6: the AI-written insights of the current site, newest first, and its settings."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from app.api import ApiError, Insight, InsightsResponse
from app.durations import compact
from app.live.feeds.insights import InsightsData
from app.live.feeds.paged import Unavailable
from app.live.session import Session
from app.localtime import moment
from app.ui.keys import KeyGroup
from app.ui.screens.paging import SitePagedScreen, unavailable_text
from app.ui.screens.tables import RANGE_KEYS, TABLE_BINDINGS, TableKeys, hidden
from app.ui.text import clean, literal
from app.ui.widgets.phrases import Facts, Phrases
from app.ui.widgets.search import SearchBox
from app.ui.widgets.table import SERVER_TEXT, Cell, Column, LiveTable

# `clean()` keeps one line of at most 500 characters; AI paragraphs run longer, so they go
# through it in slices, up to this much in all.
SLICE = 400
MAX_PROSE = 8000

KEYS = KeyGroup(
    "Insights",
    (
        Binding("right_square_bracket", "older", "Older", id="insights.older", key_display="]"),
        Binding("left_square_bracket", "newer", "Newer", id="insights.newer", key_display="["),
    ),
)
HELP_TEXT: dict[str, str] = {
    "insights.older": "Insights: older insights (next page of the list)",
    "insights.newer": "Insights: newer insights (previous page of the list)",
}

LIST_COLUMNS = (Column("date", "Date", 12), Column("summary", "Traffic", max_width=SERVER_TEXT))
CARDS = (
    ("traffic_patterns", "Traffic patterns"),
    ("best_content", "Best content"),
    ("recommendations", "Recommendations"),
)


def prose(value: str | None) -> Text:
    """AI-written paragraphs: literal, wrapped, with every slice cleaned of control characters."""
    if not value or not value.strip():
        return Text("(nothing written)", style="dim")
    lines = [
        "".join(clean(line[i : i + SLICE]) for i in range(0, len(line), SLICE))
        for line in value[:MAX_PROSE].splitlines()
    ]
    cut = "…" if len(value) > MAX_PROSE else ""
    return Text("\n".join(lines).strip() + cut)


def short_day(insight: Insight) -> str:
    day = insight.insights_for_date
    return f"{day:%b} {day.day}, {day.year}" if day else insight_day(insight)


def insight_day(insight: Insight) -> str:
    if insight.formatted_insights_date:
        return clean(insight.formatted_insights_date)
    day = insight.insights_for_date
    return f"{day:%b} {day.day}, {day.year}" if day else "(undated)"


def summary(insight: Insight) -> Text:
    """The first sentence of the traffic patterns, for the list."""
    first = (insight.traffic_patterns or "").split(". ")[0]
    return literal(first, empty="(nothing written)")


def searchable(insight: Insight) -> str:
    """Every word of an insight, for the `/` search (never drawn)."""
    return " ".join(
        value[:MAX_PROSE]
        for value in (insight.traffic_patterns, insight.best_content, insight.recommendations)
        if value
    )


def settings_text(answer: InsightsResponse, now: datetime) -> Facts:
    site = answer.site
    if site is None:
        return [[Text("Insight settings not known", style="dim")]]
    facts: list[Text] = []
    if site.insights_enabled is False:
        facts.append(Text("AI insights are off", style="bold yellow"))
    else:
        facts.append(Text("AI insights on", style="bold"))
    reports = site.daily_insight_reports_active
    if reports is not None:
        facts.append(Text(f"daily reports {'on' if reports else 'off'}"))
    next_job = site.next_insight_job_scheduled_at
    if next_job is not None:
        left = (next_job - now).total_seconds()
        when = f" (in {compact(left)})" if left >= 1 else " (due now)"
        facts.append(Text(f"next {moment(next_job, now)}").append(when, style="dim"))
    elif site.insights_enabled:
        facts.append(Text("no insight scheduled", style="dim"))
    return [facts]


def empty_text(answer: InsightsResponse, now: datetime) -> Text:
    site = answer.site
    text = Text("No insights yet.\n\n", style="bold")
    if site is not None and site.insights_enabled is False:
        text.append(
            "AI insights are turned off for this site. Turn them on in the site's settings on "
            "tinylytics.app; the first one is written the night after."
        )
    elif site is not None and site.next_insight_job_scheduled_at is not None:
        text.append(
            "Insights are written once a day from the site's numbers. The next run is "
            f"{moment(site.next_insight_job_scheduled_at, now)}."
        )
    else:
        text.append("Insights are written once a day from the site's numbers.")
    return text


class InsightsScreen(TableKeys[InsightsData | Unavailable], SitePagedScreen[InsightsData]):
    TICKS = True
    BINDINGS = [*KEYS.bindings, *TABLE_BINDINGS, *hidden(RANGE_KEYS)]
    RANGE_REASON = "Insights have no range: one is written a day, ] and [ page through them."
    DEFAULT_CSS = """
    InsightsScreen #insights-settings { height: auto; padding: 0 1; }
    InsightsScreen #insights-main { height: 1fr; }
    InsightsScreen #insights-list {
        width: 38;
        height: 1fr;
        border: round $primary 40%;
        border-title-color: $text;
        overflow-x: hidden;
    }
    InsightsScreen #insights-list:focus { border: round $accent; }
    InsightsScreen #insights-cards {
        width: 1fr;
        height: 1fr;
        border: round $primary 40%;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
    }
    InsightsScreen #insights-cards:focus { border: round $accent; }
    InsightsScreen .insight-card {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
    }
    InsightsScreen .card-title { text-style: bold; color: $accent; padding: 0 1; }
    InsightsScreen.-narrow #insights-main { layout: vertical; }
    InsightsScreen.-narrow #insights-list { width: 100%; height: 7; }
    InsightsScreen #insights-panel {
        height: auto;
        max-height: 100%;
        padding: 1 2;
        border: round $warning 60%;
        overflow-y: auto;
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__(session, session.insights_feed)
        self._shown_page = 0
        self._by_key: dict[str, Insight] = {}

    def compose_body(self) -> ComposeResult:
        yield SearchBox("insights containing: type, escape to clear")
        yield Phrases([[Text("loading…", style="dim")]], id="insights-settings")
        with Horizontal(id="insights-main"):
            yield LiveTable(LIST_COLUMNS, id="insights-list", title="Insights")
            with VerticalScroll(id="insights-cards"):
                for field, title in CARDS:
                    yield Static(title, classes="card-title")
                    yield Static("", id=f"card-{field}", classes="insight-card")
        yield Static("", id="insights-panel")

    def on_mount(self) -> None:
        self.query_one("#insights-panel").display = False
        self.query_one(LiveTable).focus()

    def reset(self) -> None:
        self._site = self.state.site_id
        self._by_key, self._shown_page = {}, 0
        self.query_one("#insights-settings", Phrases).show([[Text("loading…", style="dim")]])
        self.query_one(LiveTable).show([])
        self._show_card(None)
        self._show_panel(None)

    def show(self, data: InsightsData | Unavailable) -> None:
        self._site = data.site_id
        self.refresh_bindings()
        if isinstance(data, Unavailable):
            self._show_panel(data)
            return
        answer = data.answer
        self.tick()
        if not answer.insights:
            self._by_key = {}
            self.query_one(LiveTable).show([])
            self._show_card(None)
            self._show_panel(empty_text(answer, self.session.now()))
            return
        self._show_panel(None)
        self._show_list(data)

    def _show_list(self, data: InsightsData) -> None:
        table = self.query_one(LiveTable)
        before = table.row_keys_in_order()
        # Whoever was reading the newest insight keeps reading the newest one when a new day's
        # insight arrives on top; anyone reading an older one stays on it.
        follow = (
            data.page != self._shown_page
            or table.selected_key is None
            or (bool(before) and table.selected_key == before[0])
        )
        self._shown_page = data.page
        self._by_key = {}
        rows: list[tuple[str, list[Text]]] = []
        for index, insight in enumerate(data.answer.insights):
            key = str(insight.id) if insight.id is not None else f"#{data.page}:{index}"
            self._by_key[key] = insight
            day = insight.insights_for_date
            # By its day, not by the words of the date.
            when = Cell(short_day(insight), day.isoformat() if day else "")
            rows.append((key, [when, Cell(summary(insight))]))
        table.server_total = data.answer.pagination.total_count
        # The search finds an insight by any of its words, not only the first sentence shown.
        table.show(rows, extra={key: searchable(i) for key, i in self._by_key.items()})
        if follow and table.row_count:
            table.move_cursor(row=0)
        total = data.answer.pagination.total_count
        title = f"Insights ({total:,})"
        if data.pages > 1:
            title += f" · page {data.page}/{data.pages}"
        table.title = title
        self._show_card(self._by_key.get(table.selected_key or ""))

    def _show_card(self, insight: Insight | None) -> None:
        cards = self.query_one("#insights-cards", VerticalScroll)
        for field, _ in CARDS:
            value = getattr(insight, field) if insight is not None else None
            text = prose(value) if insight is not None else Text("")
            self.query_one(f"#card-{field}", Static).update(text)
        if insight is None:
            cards.border_title = None
            cards.border_subtitle = None
            return
        newest = self._shown_page == 1 and insight is next(iter(self._by_key.values()), None)
        cards.border_title = Text(insight_day(insight) + (" · latest" if newest else ""))
        if insight.generated_at is not None:
            cards.border_subtitle = f"written {moment(insight.generated_at, self.session.now())}"
        else:
            cards.border_subtitle = None

    def _show_panel(self, content: Unavailable | Text | None) -> None:
        panel = self.query_one("#insights-panel", Static)
        panel.display = content is not None
        self.freshness.note = None
        if isinstance(content, Unavailable):
            self.freshness.note = "needs a paid plan" if content.plan else "site not found"
        self.query_one("#insights-main").display = content is None
        self.query_one("#insights-settings").display = not isinstance(content, Unavailable)
        if isinstance(content, Unavailable):
            panel.border_title = "Insights"
            panel.update(
                unavailable_text(
                    content,
                    feature="AI insights",
                    missing="This site was not found.",
                    missing_hint="The API does not know this site: press 1 to pick another.",
                )
            )
        elif content is not None:
            panel.border_title = "Insights"
            panel.update(content)

    def failed(self, error: ApiError) -> None:
        # Later failures leave the last good answer on screen; the status line says it is stale.
        if self.feed.current is None:
            error_text = Text(error.message, style="red")
            self.query_one("#insights-settings", Phrases).show([[error_text]])

    def tick(self) -> None:
        view = self.feed.current
        if not isinstance(view, InsightsData) or not self.is_current:
            return
        facts = settings_text(view.answer, self.session.now())
        self.query_one("#insights-settings", Phrases).show(facts)

    @on(DataTable.RowHighlighted, "#insights-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        self._show_card(self._by_key.get(key or ""))

    # -- keys ------------------------------------------------------------------------------------

    def searched(self, table: LiveTable) -> None:
        # The card follows the cursor: no insight when the search leaves none.
        self._show_card(self._by_key.get(table.selected_key or ""))
        super().searched(table)

    def loading_page(self) -> None:
        self.query_one(LiveTable).title = f"Insights · loading page {self.feed.page}…"
