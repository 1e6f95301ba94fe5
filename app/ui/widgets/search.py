"""The `/` search box of a table screen: hidden until asked for, cleared by escape."""

from __future__ import annotations

from textual.widgets import Input


class SearchBox(Input):
    def __init__(self, placeholder: str) -> None:
        super().__init__(placeholder=placeholder, id="search")
        self.display = False

    @property
    def focusable(self) -> bool:
        # A screen gives its first focusable widget the focus as it starts, before its own
        # on_mount moves it to the table: keys typed meanwhile (a quick `q`) landed in this
        # hidden box as a search nobody could see.
        return self.display and super().focusable

    def open(self) -> None:
        self.display = True
        self.focus()

    def close(self) -> None:
        """Empty and hidden; the screen moves the focus back to its table."""
        self.value = ""
        self.display = False
