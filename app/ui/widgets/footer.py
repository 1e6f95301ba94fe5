"""The footer: the keys of what is on screen, fitted to the terminal's width.

Textual's footer lays every key out in a row and lets the ones past the edge fall off, so `?`
and `q` (bound last, by the app) were the first to go. Here the help key, quit and the section
keys always stay; the others give way when there is no room, least needed first: the palette,
the app's own keys (refresh, pause), then the screen's keys from the last. Narrower still, the
section keys lose their names (`1 2 3 4 5 6 Sections`) before the screen's keys go.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer

# Not exported by textual.widgets; the footer's own parts, drawn as Textual draws them.
from textual.widgets._footer import FooterKey, FooterLabel

from app.ui import keys

# Bindings the footer never drops (their ids; the section keys are all of keys.SECTIONS).
ALWAYS = frozenset({"help", "quit"}) | {b.id for b in keys.SECTIONS.bindings if b.id}
SECTIONS_LABEL = "Sections"


@dataclass(frozen=True)
class FooterEntry:
    """One key as the footer may show it."""

    key: str
    key_display: str
    description: str
    action: str
    enabled: bool = True
    tooltip: str = ""
    id: str | None = None
    own: bool = True  # bound by the screen or a widget on it, not by the app

    @property
    def always(self) -> bool:
        return self.id in ALWAYS

    @property
    def section(self) -> bool:
        return self.id is not None and self.id.startswith("section.")


@dataclass(frozen=True)
class FooterPlan:
    """What fits: the entries shown, in their order, and how."""

    entries: tuple[FooterEntry, ...]
    compact: bool = False
    grouped: bool = False  # the section keys without their names, then "Sections"
    palette: bool = False


def entry_width(entry: FooterEntry, *, compact: bool, grouped: bool = False) -> int:
    """Cells one key takes, as FooterKey and the footer's CSS draw it."""
    key = cell_len(entry.key_display)
    if grouped and entry.section:
        return key + 1  # the key alone, then a one-cell gap
    if compact:
        return key + 1 + cell_len(entry.description) + 1  # "k desc" and its right margin
    return 1 + key + 1 + cell_len(entry.description) + 1  # " k desc "


def palette_width(entry: FooterEntry, *, compact: bool) -> int:
    """The palette key, docked right after a one-cell border."""
    return 1 + entry_width(entry, compact=compact) + (0 if compact else 1)


def plan_width(plan: FooterPlan, palette: FooterEntry | None) -> int:
    width = sum(entry_width(e, compact=plan.compact, grouped=plan.grouped) for e in plan.entries)
    if plan.grouped and any(e.section for e in plan.entries):
        width += cell_len(SECTIONS_LABEL) + 1
    if plan.palette and palette is not None:
        width += palette_width(palette, compact=plan.compact)
    return width


def fit(entries: list[FooterEntry], palette: FooterEntry | None, width: int) -> FooterPlan:
    """The fullest footer that fits `width` cells; see the module's docstring for the order."""
    everything = FooterPlan(tuple(entries), palette=palette is not None)
    if plan_width(everything, palette) <= width:
        return everything
    named = _dropping(entries, palette, width, grouped=False)
    own = [e for e in entries if e.own and not e.always]
    if named is not None and all(e in named.entries for e in own):
        return named
    grouped = _dropping(entries, palette, width, grouped=True)
    if named is not None and (grouped is None or _own(grouped) <= _own(named)):
        return named
    if grouped is not None:
        return grouped
    # Narrower than the keys that always stay: those, and the edge cuts what it must.
    return FooterPlan(tuple(e for e in entries if e.always), compact=True, grouped=True)


def _own(plan: FooterPlan) -> int:
    return sum(1 for e in plan.entries if e.own and not e.always)


def _dropping(
    entries: list[FooterEntry], palette: FooterEntry | None, width: int, *, grouped: bool
) -> FooterPlan | None:
    """Compact, dropping keys least needed first until the rest fits; None if the keys that
    always stay do not fit."""
    app_keys = [e for e in entries if not e.own and not e.always]
    own_keys = [e for e in entries if e.own and not e.always]
    # The app's optional keys go first, then the screen's, each from the last.
    order = [*reversed(app_keys), *reversed(own_keys)]
    show_palette = palette is not None
    dropped: set[int] = set()
    while True:
        kept = tuple(e for i, e in enumerate(entries) if i not in dropped)
        plan = FooterPlan(kept, compact=True, grouped=grouped, palette=show_palette)
        if plan_width(plan, palette) <= width:
            return plan
        if show_palette:
            show_palette = False
            continue
        if not order:
            return None
        dropped.add(entries.index(order.pop(0)))


class AppFooter(Footer):
    """Textual's footer, with its keys chosen by `fit` for the width it has."""

    DEFAULT_CSS = """
    AppFooter FooterLabel, AppFooter.-compact FooterLabel { margin: 0 1 0 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._width = 0
        self.plan: FooterPlan | None = None

    def entries(self) -> tuple[list[FooterEntry], FooterEntry | None]:
        """The keys to show, in the order bound (screen's first), and the palette key."""
        active = self.screen.active_bindings
        seen: set[str] = set()
        found: list[FooterEntry] = []
        for node, binding, enabled, tooltip in active.values():
            # One key per action: `+` and `=` both mean faster.
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            found.append(
                FooterEntry(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    tooltip or binding.description,
                    binding.id,
                    own=node is not self.app,
                )
            )
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            shown = active.get(self.app.COMMAND_PALETTE_BINDING)
            if shown is not None:
                _node, binding, enabled, tooltip = shown
                palette = FooterEntry(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    binding.tooltip or binding.description,
                    binding.id,
                )
        return found, palette

    def compose(self) -> ComposeResult:
        if not self._bindings_ready or not self.size.width:
            return
        found, palette = self.entries()
        self._width = self.size.width
        plan = self.plan = fit(found, palette, self._width)
        self.set_reactive(Footer.compact, plan.compact)
        self.set_class(plan.compact, "-compact")
        shown = plan.entries
        for index, entry in enumerate(shown):
            bare = plan.grouped and entry.section
            yield self._key(entry, "" if bare else entry.description)
            last_section = index + 1 == len(shown) or not shown[index + 1].section
            if bare and last_section:
                yield FooterLabel(SECTIONS_LABEL)
        if plan.palette and palette is not None:
            yield self._key(palette, palette.description, classes="-command-palette")

    def _key(self, entry: FooterEntry, description: str, classes: str = "") -> FooterKey:
        return FooterKey(
            entry.key,
            entry.key_display,
            description,
            entry.action,
            disabled=not entry.enabled,
            tooltip=entry.tooltip,
            classes=classes,
        ).data_bind(compact=Footer.compact)

    def on_resize(self) -> None:
        if self._bindings_ready and self.size.width != self._width:
            self.call_after_refresh(self.recompose)
