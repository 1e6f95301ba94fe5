"""The range dialog (`d`): any UTC days from a start to an end, typed, moved with the arrow keys,
or taken from a calendar preset (today, last month, ...).

The days are UTC days, as the API counts them, both ends included, at most the API's 365, and
none after today. A preset chosen here moves with the clock (`this week` is always this week);
typed dates stay. A preset longer than 365 days (a leap year) loses its first day, and the
dialog says so in one line; typed dates that long are refused with the reason.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from app.live.ranges import (
    DAY,
    EARLIEST,
    HOUR,
    Compare,
    DayPreset,
    DayRange,
    Range,
    RangeKind,
    days_problem,
    preset_range,
    step_of,
    window,
)
from app.live.state import ViewState
from app.ui.screens.base import LiveScreen
from app.ui.widgets.phrases import Phrases, facts_of

DATE_FORM = "YYYY-MM-DD"
# The arrow keys' steps, as the dialog shows them.
KEYS_HINT = "↑↓ a day · shift+↑↓ a week · pgup/pgdn a month · tab: presets"
APPLY_HINT = "enter: show these days · escape: cancel"


def comparison_words(state: ViewState) -> str:
    """What the dashboard's change is measured against, for a notification."""
    if state.compare is Compare.YEAR:
        return "the same period a year earlier"
    chosen = state.range
    if isinstance(chosen, RangeKind):
        length = {
            RangeKind.DAY: "24 hours",
            RangeKind.WEEK: "7 days",
            RangeKind.MONTH: "30 days",
            RangeKind.YEAR: "52 weeks",
        }[chosen]
        return f"the previous {length}"
    return "the day before" if chosen.days == 1 else f"the previous {chosen.days} days"


def open_range_dialog(screen: LiveScreen[Any]) -> None:
    """`d` on a screen with a range: the dialog, and the days it gives shown."""
    state = screen.state

    def chosen(days: DayRange | None) -> None:
        if days is None:
            return
        state.set_days(days)
        note = days.clip_note
        if note:
            screen.notify(f"{days.label}: {note}.", timeout=6, markup=False)
        screen.ask()

    screen.app.push_screen(RangeDialog(state.range, screen.session.now()), chosen)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), the month's last day where it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def read_day(text: str) -> date | None:
    text = text.strip()
    if len(text) != len(DATE_FORM):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def points_words(days: int) -> str:
    step = step_of(days)
    unit = "hour" if step == HOUR else "day" if step == DAY else "week"
    return f"a point per {unit}"


class RangeDialog(ModalScreen[DayRange | None]):
    """Dismissed with the UTC days to show, or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dates.cancel"),
        Binding("up", "move(1)", "A day later", id="dates.later", show=False),
        Binding("down", "move(-1)", "A day earlier", id="dates.earlier", show=False),
        Binding("shift+up", "move(7)", "A week later", id="dates.week_later", show=False),
        Binding("shift+down", "move(-7)", "A week earlier", id="dates.week_earlier", show=False),
        Binding("pageup", "move_month(1)", "A month later", id="dates.month_later", show=False),
        Binding(
            "pagedown", "move_month(-1)", "A month earlier", id="dates.month_earlier", show=False
        ),
    ]
    DEFAULT_CSS = """
    RangeDialog { align: center middle; }
    #range-dialog {
        width: 66; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #range-title { text-style: bold; }
    #range-body { height: auto; }
    #range-dates { width: 1fr; height: auto; padding-right: 1; }
    .range-row { height: 1; margin-top: 1; }
    .range-label { width: 6; }
    #range-dates Input.range-input { width: 12; background: $boost; }
    #range-dates Input.range-input:focus { background: $accent 30%; }
    #range-presets { width: 20; height: 11; border: round $primary 40%; }
    #range-presets:focus { border: round $accent; }
    #range-keys, #range-apply { color: $text-muted; height: auto; }
    #range-summary { height: auto; margin-top: 1; }
    """

    def __init__(self, current: Range, now: datetime) -> None:
        """`current`: the range shown, whose days the dialog starts from."""
        super().__init__()
        now = now.astimezone(UTC)
        self.today = now.date()
        shown = window(current, now).current
        self._start, self._end = shown.first_day, shown.last_day
        self._preset = current.preset if isinstance(current, DayRange) else None
        self._problem: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="range-dialog"):
            yield Static(Text("Date range · UTC days, both included"), id="range-title")
            with Horizontal(id="range-body"):
                with Vertical(id="range-dates"):
                    with Horizontal(classes="range-row"):
                        yield Static("From", classes="range-label")
                        yield self._input("range-start", self._start)
                    with Horizontal(classes="range-row"):
                        yield Static("To", classes="range-label")
                        yield self._input("range-end", self._end)
                    yield Static("", id="range-summary")
                presets = OptionList(
                    *(Option(p.label, id=p.value) for p in DayPreset), id="range-presets"
                )
                presets.border_title = "Presets"
                yield presets
            yield Phrases(facts_of(KEYS_HINT), id="range-keys")
            yield Phrases(facts_of(APPLY_HINT), id="range-apply")

    def _input(self, name: str, day: date) -> Input:
        return Input(
            day.isoformat(),
            placeholder=DATE_FORM,
            restrict=r"[0-9-]*",
            max_length=len(DATE_FORM),
            compact=True,
            select_on_focus=False,
            id=name,
            classes="range-input",
        )

    def on_mount(self) -> None:
        presets = self.query_one("#range-presets", OptionList)
        # No preset is picked until one is moved to: the dates shown are the range's.
        preset = self._preset
        presets.highlighted = None if preset is None else list(DayPreset).index(preset)
        self.start_input.focus()
        self._describe()

    # -- what is typed -------------------------------------------------------------------------

    @property
    def start_input(self) -> Input:
        return self.query_one("#range-start", Input)

    @property
    def end_input(self) -> Input:
        return self.query_one("#range-end", Input)

    def days(self) -> tuple[DayRange | None, str | None]:
        """The days typed, or why they are not a range."""
        texts = (self.start_input.value, self.end_input.value)
        read = [read_day(text) for text in texts]
        for text, day, which in zip(texts, read, ("start", "end"), strict=True):
            if day is None:
                shown = text.strip() or "nothing"
                return None, f"the {which}: {shown} is not a date ({DATE_FORM})"
        first, last = read
        assert first is not None and last is not None
        problem = days_problem(first, last, self.today)
        if problem:
            return None, problem
        if self._preset is not None:
            chosen = preset_range(self._preset, self.today)
            if (chosen.first, chosen.last) == (first, last):
                return chosen, None
        return DayRange(first, last), None

    def _describe(self) -> None:
        """The line under the dates: what they make, or (after enter) why they make nothing."""
        days, problem = self.days()
        summary = self.query_one("#range-summary", Static)
        if days is None:
            # While typing, a half-written date is no mistake yet: said once enter is pressed.
            summary.update(Text(problem or "", style="bold red") if self._problem else "")
            return
        self._problem = None
        count = "1 day" if days.days == 1 else f"{days.days} days"
        text = Text(f"{days.dates}: {count}, {points_words(days.days)}")
        if days.clip_note:
            text.append(f"\n{days.clip_note}", style="yellow")
        summary.update(text)

    @on(Input.Changed)
    def _changed(self) -> None:
        self._describe()

    @on(OptionList.OptionHighlighted, "#range-presets")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # Only the user's moves: the list highlights on its own while it is being built.
        if event.option_list.has_focus:
            self._use_preset(event.option.id)

    @on(OptionList.OptionSelected, "#range-presets")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._use_preset(event.option.id)
        self._apply()

    def _use_preset(self, name: str | None) -> None:
        preset = next((p for p in DayPreset if p.value == name), None)
        if preset is None:
            return
        days = preset_range(preset, self.today)
        self._preset = preset
        self._problem = None
        # The dates change with it (each change describes them again, as typing does).
        self.start_input.value = days.first.isoformat()
        self.end_input.value = days.last.isoformat()
        self._describe()

    # -- keys ----------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply()

    def _apply(self) -> None:
        days, problem = self.days()
        if days is None:
            self._problem = problem
            self._describe()
            return
        self.dismiss(days)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_move(self, days: int) -> None:
        self._move(lambda day: day + timedelta(days=days))

    def action_move_month(self, months: int) -> None:
        self._move(lambda day: add_months(day, months))

    def _move(self, step: Callable[[date], date]) -> None:
        focused = self.focused
        if not isinstance(focused, Input):
            return
        day = read_day(focused.value) or self.today
        moved = step(day)
        # Within what can be asked for: from 2000 to today.
        moved = min(max(moved, EARLIEST), self.today)
        focused.value = moved.isoformat()
        focused.cursor_position = len(focused.value)
