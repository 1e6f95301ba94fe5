"""What `c` copies and `o` opens of a selected row, and whether a browser can open here.

Only http and https addresses are ever opened: a site's URL, a page (the site's URL and its path),
a referrer. Anything else (`javascript:`, `file:`, a label that is no address, text with control
characters) is "not a web address". Over SSH, or on a Linux desktop-less machine, a browser would
open on the wrong computer or not at all: the address is copied instead, since the clipboard
escape (OSC 52) reaches the user's own terminal.
"""

from __future__ import annotations

import os
import re
import sys
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

WEB_SCHEMES = ("http", "https")
# Controls (C0, DEL, C1), whitespace and the bidirectional overrides: never part of an address
# the app hands to a browser or puts on the clipboard as one.
_NOT_IN_ADDRESS = re.compile(r"[\x00-\x20\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\s]")
# What a path may keep as it is in an address; the rest (spaces, non-ASCII) is percent-encoded.
_PATH_SAFE = "/?#[]@!$&'()*+,;=:%~"


@dataclass(frozen=True)
class Selection:
    """What the selected row holds, for `c` and `o`."""

    what: str  # for messages: "URL", "path", "referrer", "country", "row"
    text: str  # what `c` copies (empty: nothing to copy)
    url: str | None = None  # what `o` opens, if anything (checked with `web_address` first)


def web_address(value: str | None) -> str | None:
    """`value` if it is an http or https address with a host, else None."""
    if not value or _NOT_IN_ADDRESS.search(value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return value


def page_url(site_url: str | None, path: str | None) -> str | None:
    """The address of a page: the site's scheme and host, and the path (None if either is not
    usable). The path goes after the host whatever it holds: `//evil.example` stays a path."""
    site = web_address(site_url)
    # Control characters and bidi overrides (not printable) make no address.
    if site is None or not path or not path.isprintable():
        return None
    parts = urlsplit(site)
    if not path.startswith("/"):
        path = "/" + path
    return web_address(f"{parts.scheme}://{parts.netloc}{quote(path, safe=_PATH_SAFE)}")


def grouped_selection(field: str, value: str | None, site_url: str | None) -> Selection:
    """A row of a panel grouped by `field` (path, referrer, country...)."""
    text = value or ""
    if field == "path":
        return Selection("path", text, page_url(site_url, value))
    if field == "referrer":
        return Selection("referrer", text, web_address(value))
    return Selection(field, text)


def local_browser(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether a browser opened from here shows on the user's screen: not over SSH, and on
    Linux and the BSDs only with a display."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get("SSH_CONNECTION") or env.get("SSH_CLIENT") or env.get("SSH_TTY"):
        return False
    if platform == "darwin" or platform.startswith(("win", "cygwin")):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def browse(url: str, opener: Callable[[str], bool] | None = None) -> bool:
    """Open `url` (http and https only) with `opener` (Python's `webbrowser.open`); False when
    it is not a web address or no browser took it."""
    address = web_address(url)
    if address is None:
        return False
    try:
        return bool((opener or webbrowser.open)(address))
    except (webbrowser.Error, OSError):
        return False
