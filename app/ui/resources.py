"""Where the stylesheet lives: inside the installed package, or at the root of a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def stylesheet_path() -> Path:
    packaged = _PACKAGE_DIR / "styles.tcss"
    if packaged.is_file():
        return packaged
    # An editable install or a source checkout: the stylesheet sits at the repository root.
    return _PACKAGE_DIR.parent / "styles.tcss"
