"""`?`: every key binding, grouped, with the user's remappings applied."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from app.ui import keys


def key_names(binding: Binding, keymap: dict[str, str]) -> str:
    raw = keymap.get(binding.id or "", binding.key)
    if binding.key_display and binding.id not in keymap:
        return binding.key_display
    names = {"question_mark": "?", "slash": "/", "equals_sign": "=", "minus": "-", "plus": "+"}
    return ", ".join(names.get(k.strip(), k.strip()) for k in raw.split(","))


def all_groups() -> tuple[tuple[keys.KeyGroup, ...], dict[str, str]]:
    """The app's groups and each section's own, with their help words.

    Sections keep their bindings next to their actions; they import `keys`, so `keys` cannot
    import them back: they are gathered here.
    """
    from app.ui.screens import insights, journeys, leaderboard, uptime

    sections = (leaderboard, journeys, uptime, insights)
    words = dict(keys.HELP)
    for section in sections:
        words.update(section.HELP_TEXT)
    return (*keys.ALL_GROUPS, *(s.KEYS for s in sections)), words


def help_table(keymap: dict[str, str]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    groups, help_words = all_groups()
    for group in groups:
        table.add_row(Text(group.title, style="bold underline"), "")
        for binding in group.bindings:
            words = help_words.get(binding.id or "", binding.description)
            table.add_row(key_names(binding, keymap), words)
        table.add_row("", "")
    return table


# What the status line's words mean; its numbers are explained where they appear.
STATUS_WORDS: tuple[tuple[str, str], ...] = (
    ("updated 12s ago", "the data on screen came from the API that long ago"),
    ("cached, 2h old", "kept from the last run, shown while the first refresh runs"),
    (
        "offline · retry in 8s",
        "the API cannot be reached; the last data stays, marked stale ('retrying…' while it "
        "asks again)",
    ),
    (
        "paused · data from 3m ago",
        "no automatic refreshes (p), and how old the data on screen is; a key that asks for "
        "data still loads it",
    ),
    (
        "loading ~105 requests",
        "a load that costs many requests (12 months of a busy site, not yet cached), as judged "
        "from the cache before it starts; `then slowed ×3` when refreshes will wait longer "
        "after it, `40 left this hour` when it needs more than the share has left. Once cached, "
        "the same view costs a few",
    ),
    (
        "API 37/h",
        "requests this app sent in the last hour, of its share requests_per_hour (600 unless "
        "the config says otherwise; the key allows about 1000)",
    ),
    (
        "slowed ×3",
        "past half of the share, refreshes wait longer, growing smoothly with what is used: "
        "×2 at 75 %, ×3 at 83 %, ×4 at 87.5 %, ×5 at 90 %, at most ×60",
    ),
    (
        "API budget spent",
        "the share is used up: nothing is asked until the hour's window frees up",
    ),
)


def status_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_row(Text("Status line", style="bold underline"), "")
    for shown, meaning in STATUS_WORDS:
        table.add_row(shown, meaning)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "app.pop_screen", "Close", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 72; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    """

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        keymap = self.keymap
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys (escape to close)"
            yield Static(help_table(keymap))
            yield Static(status_table())
