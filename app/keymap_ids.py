"""What a config's `[keymap]` table may name: the app's binding ids and Textual's key syntax.

The settings are checked before Textual is imported (a start paints sooner, and Textual reads
TEXTUAL_COLOR_SYSTEM at import, after the CLI has normalised it), so the ids and the key names are
written out here; tests/test_config_keymap.py checks them against the bindings in app/ui and
against `textual.keys`.
"""

from __future__ import annotations

import unicodedata

# Every `Binding(..., id=...)` in app/ui: the groups of app/ui/keys.py, the sections' KEYS and
# the bindings of the pushed screens (stream, panel, journey, help, the range dialog).
# Ids that were renamed: a config written for the old name keeps working.
RENAMED_IDS: dict[str, str] = {
    # `g` went from the leaderboard's own "top" to every table's first row.
    "leaderboard.top": "table.first",
}

BINDING_IDS: frozenset[str] = frozenset(
    {
        "section.sites",
        "section.hits",
        "section.leaderboard",
        "section.journeys",
        "section.uptime",
        "section.insights",
        "refresh",
        "pause",
        "faster",
        "slower",
        "help",
        "palette",
        "quit",
        "quit.ctrl",
        "suspend",
        "redraw",
        "range.day",
        "range.week",
        "range.month",
        "range.year",
        "range.custom",
        "range.compare",
        "dates.cancel",
        "dates.later",
        "dates.earlier",
        "dates.week_later",
        "dates.week_earlier",
        "dates.month_later",
        "dates.month_earlier",
        "filter.add",
        "filter.remove",
        "panel.open",
        "stream",
        "open",
        "search",
        "sort.next",
        "sort.reverse",
        "table.first",
        "table.last",
        "search.clear",
        "export",
        "copy",
        "open.url",
        "export.cancel",
        "journeys.open",
        "journeys.paths",
        "journeys.filter",
        "journeys.more",
        "journey.back",
        "journey.filter",
        "uptime.older",
        "uptime.newer",
        "insights.older",
        "insights.newer",
        "stream.back",
        "panel.back",
        "panel.filter",
        "panel.more",
        "help.close",
    }
)

# Keys a terminal reports by name (textual.keys.Keys without modifiers).
NAMED_KEYS: frozenset[str] = frozenset(
    {
        "escape",
        "enter",
        "return",
        "tab",
        "space",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "up",
        "down",
        "left",
        "right",
        *(f"f{n}" for n in range(1, 25)),
    }
)

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})

# Textual's friendlier names for some characters (textual.keys.KEY_NAME_REPLACEMENTS).
_FRIENDLY = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def character_key(character: str) -> str:
    """The name Textual gives a key that types `character` (as `textual.keys._character_to_key`)."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return _FRIENDLY.get(name, name)


# The printable ASCII characters that Textual reports by name, e.g. "question_mark".
_ASCII_NAMES = frozenset(character_key(chr(c)) for c in range(33, 127) if not chr(c).isalnum())


def _is_character_name(name: str) -> bool:
    if name in _ASCII_NAMES:
        return True
    try:
        character = unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return character.isprintable() and character_key(character) == name


def _key_problem(key: str) -> str | None:
    if len(key) == 1:
        # Textual turns a lone character into its name; a space cannot be one (it is "space").
        return None if key.isprintable() and not key.isspace() else f"{key!r} is not a key"
    *modifiers, base = key.split("+")
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown or len(set(modifiers)) != len(modifiers):
        return (
            f"{key!r} has an unknown or repeated modifier (known: {', '.join(sorted(MODIFIERS))})"
        )
    if len(base) == 1 and (base.isalnum() or not modifiers):
        return None
    if base in NAMED_KEYS or _is_character_name(base):
        return None
    return f"{key!r} is not a key (write e.g. x, ctrl+r, space, f5, question_mark)"


def keys_problem(keys: str) -> str | None:
    """Why `keys` (comma-separated alternatives, as in a Textual Binding) is not valid, or None."""
    if not keys.strip():
        return "no key given"
    for key in keys.split(","):
        problem = _key_problem(key.strip()) if key.strip() else "an empty key between commas"
        if problem:
            return problem
    return None
