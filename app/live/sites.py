"""The site directory: what each site is called, the one place for the label fallback."""

from __future__ import annotations

from collections.abc import Callable


def site_label(site_id: int, label: str | None, url: str | None) -> str:
    """A site's name for people: its label, else its URL, else its ID. As the server sent it:
    whoever draws it makes it safe for where it goes (a table cell, a notification)."""
    return label or url or f"site {site_id}"


class SiteDirectory:
    """Labels of the sites seen so far (from the Sites table, an answer naming its site, or the
    kept Sites rows of the last run), so that every screen and alert names a site the same way,
    even offline."""

    def __init__(self) -> None:
        self._labels: dict[int, str] = {}
        self._urls: dict[int, str] = {}
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def learn(
        self, site_id: int, label: str | None, url: str | None, *, replace: bool = True
    ) -> None:
        """Remember a site's name; `replace=False` keeps a name already known (old data)."""
        if not replace and site_id in self._labels:
            return
        name = site_label(site_id, label, url)
        changed = self._labels.get(site_id) != name
        self._labels[site_id] = name
        if url:
            self._urls[site_id] = url
        if changed:
            for listener in self._listeners:
                listener()

    def knows(self, site_id: int) -> bool:
        return site_id in self._labels

    def label(self, site_id: int) -> str:
        return self._labels.get(site_id, f"site {site_id}")

    def get(self, site_id: int) -> str | None:
        """The label when known (the watcher's alerts fall back to their own words)."""
        return self._labels.get(site_id)

    def url(self, site_id: int) -> str | None:
        return self._urls.get(site_id)
