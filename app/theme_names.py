"""The names of Textual's built-in themes, without importing Textual.

The settings are checked before Textual is imported: importing `textual.theme` costs about a
third of a second and reads TEXTUAL_COLOR_SYSTEM before the CLI has normalised it.
tests/test_config_values.py checks this list against `textual.theme.BUILTIN_THEMES`.
"""

from __future__ import annotations

BUILTIN_THEMES: tuple[str, ...] = (
    "ansi-dark",
    "ansi-light",
    "atom-one-dark",
    "atom-one-light",
    "catppuccin-frappe",
    "catppuccin-latte",
    "catppuccin-macchiato",
    "catppuccin-mocha",
    "dracula",
    "flexoki",
    "gruvbox",
    "monokai",
    "nord",
    "rose-pine",
    "rose-pine-dawn",
    "rose-pine-moon",
    "solarized-dark",
    "solarized-light",
    "textual-dark",
    "textual-light",
    "tokyo-night",
)
