"""The `/` search box of a table screen: hidden until asked for, cleared by escape."""

from __future__ import annotations

from textual.widgets import Input


class SearchBox(Input):
    def __init__(self, placeholder: str) -> None:
        super().__init__(placeholder=placeholder, id="search")

    def on_mount(self) -> None:
        self.display = False

    def open(self) -> None:
        self.display = True
        self.focus()

    def close(self) -> None:
        """Empty and hidden; the screen moves the focus back to its table."""
        self.value = ""
        self.display = False
