"""A top panel of the hits dashboard as a table: count, share and value of each group."""

from __future__ import annotations

from rich.text import Text

from app.live.dashboard import Panel, PanelData, PanelRow
from app.ui.text import literal
from app.ui.widgets.table import SERVER_TEXT, Cell, Column, LiveTable, number

# Numbers first: long paths and referrers are cut in the middle, never the counts.
PANEL_COLUMNS = (
    Column("hits", "Hits"),
    # Fixed at the width of "100.0%": a filter leaves one row with the whole share.
    Column("share", "Share", width=len("100.0%"), priority=1),
    Column("value", "Value", max_width=SERVER_TEXT, path=True),
)


def value_text(panel: Panel, value: str | None) -> Text:
    """How a grouped value reads: direct and hidden referrers get words, not blanks."""
    if panel.group_by == "referrer":
        if value is None:
            return Text("(direct)", style="italic")
        if value == "":
            return Text("(hidden)", style="italic")
        # The scheme says little and a narrow panel needs the room for the host and the path;
        # filtering, copying and opening use the whole address.
        return literal(value.removeprefix("https://"), empty="(unknown)")
    return literal(value, empty="(unknown)")


def share_text(hits: int | None, total: int) -> Cell:
    if hits is None:
        return Cell("–", -1.0, justify="right")
    share = hits / total * 100 if total else 0.0
    return Cell(f"{share:.1f}%", share, justify="right")


def panel_cells(panel: Panel, row: PanelRow, total: int) -> list[Text]:
    return [
        number(row.hits, missing="–"),
        share_text(row.hits, total),
        Cell(value_text(panel, row.value)),
    ]


class PanelTable(LiveTable):
    def __init__(self, panel: Panel) -> None:
        super().__init__(PANEL_COLUMNS, id=f"panel-{panel.group_by}", classes="panel")
        # The border title names the panel; the columns read as count, share, value.
        self.show_header = False
        self.panel = panel
        self.title = panel.name
        self.values: dict[str, str | None] = {}

    def show_panel(self, data: PanelData, total: int) -> None:
        self.title = f"{self.panel.name} ({data.groups:,})"
        self.values = {str(i): row.value for i, row in enumerate(data.rows)}
        self.show([(str(i), panel_cells(self.panel, r, total)) for i, r in enumerate(data.rows)])

    @property
    def selected_value(self) -> tuple[bool, str | None]:
        key = self.selected_key
        if key is None or key not in self.values:
            return False, None
        return True, self.values[key]
