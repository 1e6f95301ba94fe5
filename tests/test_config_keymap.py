"""The lists that let the settings be checked without Textual (app/keymap_ids.py,
app/theme_names.py) agree with the app's bindings and with Textual itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.keys import Keys, _character_to_key
from textual.theme import BUILTIN_THEMES

from app.keymap_ids import BINDING_IDS, keys_problem
from app.theme_names import BUILTIN_THEMES as THEME_NAMES

UI = Path(__file__).resolve().parent.parent / "app" / "ui"


def bindings_in_source() -> dict[str, str]:
    """Every `Binding(key, ..., id="...")` written in app/ui: id -> key."""
    found: dict[str, str] = {}
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Binding"):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            ident, key = keywords.get("id"), node.args[0] if node.args else None
            if isinstance(ident, ast.Constant) and isinstance(key, ast.Constant):
                found[str(ident.value)] = str(key.value)
    return found


def test_the_binding_ids_are_those_of_the_app() -> None:
    from app.ui.screens.help import all_groups

    in_source = bindings_in_source()
    assert "section.sites" in in_source  # the scan finds bindings at all
    assert set(in_source) == BINDING_IDS
    groups, _ = all_groups()
    assert {b.id for g in groups for b in g.bindings} <= BINDING_IDS


def test_every_default_key_of_the_app_is_valid() -> None:
    assert {key: keys_problem(key) for key in bindings_in_source().values()} == {
        key: None for key in bindings_in_source().values()
    }


def test_every_key_textual_names_is_valid() -> None:
    pseudo = {"<any>", "<scroll-up>", "<scroll-down>", "<ignore>", "ctrl+@", "ctrl-at"}
    named = [k.value for k in Keys if k.value not in pseudo]
    printable = [_character_to_key(chr(c)) for c in range(33, 127)]
    assert [k for k in (*named, *printable) if keys_problem(k)] == []


@pytest.mark.parametrize(
    "keys", ["[b]x[/b]", "ctrl+?", "question mark", "hyphen_minus", "f25", "ctrl+", "x,", " "]
)
def test_what_textual_would_never_match_is_invalid(keys: str) -> None:
    assert keys_problem(keys) is not None


def test_the_theme_names_are_textuals_builtin_themes() -> None:
    assert set(THEME_NAMES) == set(BUILTIN_THEMES)


def test_a_dotted_keymap_id_may_be_written_unquoted(tmp_path: Path) -> None:
    from app.config import load_settings

    path = tmp_path / "c.toml"
    path.write_text('[keymap]\nsection.sites = "9"\n"range.day" = "d"\npause = "space"\n')
    settings = load_settings({"config": str(path)}, {})
    assert settings.keymap == {"section.sites": "9", "range.day": "d", "pause": "space"}


def test_a_renamed_id_still_remaps_its_binding(tmp_path: Path) -> None:
    """`leaderboard.top` became every table's `table.first`: an old config keeps working."""
    from app.config import load_settings

    path = tmp_path / "c.toml"
    path.write_text('[keymap]\n"leaderboard.top" = "t"\n')
    settings = load_settings({"config": str(path)}, {})
    assert settings.keymap == {"table.first": "t"}
    assert "leaderboard.top" not in bindings_in_source()
