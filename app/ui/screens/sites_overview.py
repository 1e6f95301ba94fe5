"""Above the Sites table: the account's hits over the range with their change, a legend, and the
chart of every site (the biggest as lines, the rest summed, the row under the cursor highlighted).

The headline is the hits dashboard's own (`fit_headline`), read for the account as a whole: the
same words, styles and shorter forms on narrow terminals.

Heights (`chart_rows`): an account of many sites leaves the table most of the screen: at 80x24
the chart has 7 rows and the table 11 of its sites, at 60x20 6 and 8, at 120x40 14 and 20, and
at 200x60 the chart stops growing at 20 (the table shows 34). A table of a few sites leaves the
chart all it does not need: no empty rows under the sites. Below 18 rows the chart goes, and the
headline keeps one line.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from app.live.account_series import TOP_LINES, AccountView
from app.live.dashboard import Dashboard
from app.live.hitcounts import HitFilters
from app.ui.screens.hits import chart_labels, fit_headline
from app.ui.text import literal
from app.ui.widgets.chart import short_number
from app.ui.widgets.sites_chart import (
    LINE_COLOURS,
    OTHERS_STYLE,
    SELECTED_COLOUR,
    SELECTED_STYLE,
    ChartLine,
    SitesChart,
    SitesChartData,
)
from app.ui.widgets.table import cut

# Rows that are neither the overview nor the table: the header, the status line, the footer.
FIXED_ROWS = 3
HEADLINE_ROWS = 2
# The table's share of what is left; the chart takes the rest, within these bounds.
CHART_SHARE = 0.4
CHART_MIN, CHART_MAX = 6, 20
# Cells a site's name takes in the legend, in its longest and shortest forms.
NAME_CELLS = (24, 12)

Labeller = Callable[[int], str]


def chart_rows(height: int, table_rows: int) -> int:
    """The chart's rows on a screen `height` rows tall above a table of `table_rows` rows: its
    share up to CHART_MAX, or all the table leaves; 0: no chart (the table needs the rows)."""
    body = height - FIXED_ROWS - HEADLINE_ROWS
    spare = body - table_rows - 1  # the table's header row
    rows = max(min(CHART_MAX, int(body * CHART_SHARE)), spare)
    return rows if rows >= CHART_MIN else 0


def account_headline(view: AccountView, width: int) -> Text:
    """`12,345 hits, last 30 days   ▲ 4% vs 11,870 to the same time 30 days before`, and how
    many sites are counted while some are still to come."""
    note = "" if view.complete else f"  {view.counted} of {view.sites} sites so far"
    dashboard = Dashboard(0, view.window, HitFilters(), view.series, (), view.at)
    line = fit_headline(dashboard, max(10, width - len(note))).split("\n")[0]
    if note:
        line.append(note, style="dim")
    line.no_wrap, line.overflow = True, "ellipsis"
    return line


def chart_data(view: AccountView, selected: int | None, marker: str) -> SitesChartData:
    chart = view.chart(TOP_LINES, selected)
    lines = tuple(
        ChartLine(
            line.site_id,
            line.counts,
            LINE_COLOURS[index] if index < len(LINE_COLOURS) else SELECTED_COLOUR,
            selected=line.site_id == selected,
        )
        for index, line in enumerate(chart.lines)
    )
    others = chart.others if chart.others_sites else None
    return SitesChartData(chart_labels(view.window), lines, others, marker, view.window.ongoing)


def legend(view: AccountView, data: SitesChartData, label: Labeller, width: int) -> Text:
    """Each line's colour, site and hits in the range, then the others summed; shorter names,
    then no numbers, then fewer sites (the selected one stays) until it fits."""
    totals = {line.site_id: line.total for line in view.lines}
    others = len(view.lines) - len(data.lines)
    others_total = sum(data.others or ())

    def form(cells: int, numbers: bool, lines: tuple[ChartLine, ...]) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for line in lines:
            style = SELECTED_STYLE if line.selected else ""
            text.append("━ ", style=line.colour)
            text.append_text(cut(literal(label(line.site_id), style=style), cells))
            if numbers:
                text.append(f" {short_number(totals.get(line.site_id, 0))}", style="dim")
            text.append("  ")
        if others:
            text.append("━ ", style=OTHERS_STYLE)
            words = f"{others} other" + ("s" if others != 1 else "")
            text.append(words + (f" {short_number(others_total)}" if numbers else ""), style="dim")
        text.rstrip()
        return text

    candidates = [
        form(cells, numbers, data.lines) for numbers in (True, False) for cells in NAME_CELLS
    ]
    shown = list(data.lines)
    while len(shown) > 1:
        # The smallest unselected line goes first.
        drop = next((line for line in reversed(shown) if not line.selected), None)
        if drop is None:
            break
        shown.remove(drop)
        candidates.append(form(NAME_CELLS[1], False, tuple(shown)))
    return next((c for c in candidates if c.cell_len <= width), candidates[-1])


def waiting_words(view: AccountView | None) -> str:
    """The headline while no site of the range is counted yet."""
    if view is None:
        return "loading…"
    if not view.sites:
        return "no sites in this account"
    return f"{view.window.label}: counting the sites… (0 of {view.sites} so far)"


class AccountOverview(Vertical):
    """The headline (two lines: the account's total, the chart's legend) and the chart."""

    DEFAULT_CSS = """
    AccountOverview { height: auto; }
    AccountOverview #sites-headline {
        height: 2; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: AccountView | None = None
        self.selected: int | None = None
        self._label: Labeller = lambda site_id: f"site {site_id}"
        self._marker = "braille"
        self._rows = -1  # the chart's height (0: hidden)

    def compose(self) -> ComposeResult:
        yield Static(Text("loading…", style="dim"), id="sites-headline")
        yield SitesChart(id="sites-chart")

    @property
    def chart(self) -> SitesChart:
        return self.query_one(SitesChart)

    def show(
        self, view: AccountView | None, label: Labeller, selected: int | None, marker: str
    ) -> None:
        """Draw `view` with `selected`'s line highlighted; the chart is rebuilt only when what
        it draws changed."""
        self.view, self._label, self.selected, self._marker = view, label, selected, marker
        self._draw()

    def select(self, selected: int | None) -> None:
        if selected != self.selected:
            self.selected = selected
            self._draw()

    def fit(self, height: int, table_rows: int) -> None:
        """Share a screen `height` rows tall with a table of `table_rows` rows (`chart_rows`)."""
        rows = chart_rows(height, table_rows)
        if rows == self._rows:
            return
        self._rows = rows
        chart = self.chart
        chart.display = rows > 0
        if rows:
            chart.styles.height = rows
        self.query_one("#sites-headline", Static).styles.height = HEADLINE_ROWS if rows else 1

    def _draw(self) -> None:
        headline = self.query_one("#sites-headline", Static)
        view = self.view
        if view is None or not view.lines:
            headline.update(Text(waiting_words(view), style="dim"))
            self.chart.clear()
            return
        # The screen's width (the headline's own lags a resize), less the padding.
        width = self.screen.size.width - 2
        data = chart_data(view, self.selected, self._marker)
        lines = [account_headline(view, width)]
        if self.chart.display:
            lines.append(legend(view, data, self._label, width))
        headline.update(Text("\n").join(lines))
        self.chart.show(data)
