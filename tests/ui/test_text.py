"""Strings from the API are shown exactly, never interpreted: markup, escapes, bidi controls."""

from __future__ import annotations

import pytest

from app.ui.text import clean, literal


@pytest.mark.parametrize(
    "hostile",
    [
        "/posts/[b]bold[/b]",
        "/x\x1b[31mred\x1b[0m",
        "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
        "/emoji-😀-rtl-\u202egnp.exe",
        "/isolate-\u2066abc\u2069",
        "line\nbreak\ttab\x00nul",
    ],
)
def test_no_control_character_survives(hostile: str) -> None:
    shown = clean(hostile)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert not set(shown) & {"\u200e", "\u200f", "\u202e", "\u2066", "\u2069"}
    assert "\n" not in shown


def test_markup_stays_literal() -> None:
    text = literal("[b]not bold[/b] [link=https://x]y[/link]")
    assert text.plain == "[b]not bold[/b] [link=https://x]y[/link]"
    assert not text.spans


def test_long_values_are_cut_and_empty_ones_named() -> None:
    assert len(clean("a" * 5000)) == 500
    assert clean(None, empty="(none)") == "(none)"
    assert clean("", empty="(none)") == "(none)"


def test_a_very_long_path_keeps_its_end() -> None:
    path = "/search?" + "q=x&" * 1000 + "page=article-that-matters"
    shown = clean(path)
    assert len(shown) == 500
    assert shown.startswith("/search?q=x&")
    assert shown.endswith("page=article-that-matters")
    assert shown.count("…") == 1
