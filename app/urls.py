"""The API base URL: what one may be, and which hosts count as this machine.

The key travels in a header, so plain http is allowed only to a loopback host (the demo server);
anything else must be https. The settings (`app.config`) and the client (`app.api.client`) both
check a base URL here, each raising its own error type with the message of `BaseUrlError`.

No Textual here, and nothing from app.ui, app.live or app.api: every layer may use this module.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

# How much of a rejected URL a message quotes.
_QUOTED = 60


class BaseUrlError(ValueError):
    """A base URL that cannot be used; `message` is one line, naming the URL or host."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_loopback_host(host: str | None) -> bool:
    """`localhost`, `127.0.0.1`, `::1` (bracketed or not) and the rest of 127/8: this machine."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """The URL stripped of surrounding spaces and ending in a slash, or a `BaseUrlError`.

    It must be http(s) with a host and, if it names a port, one from 1 to 65535 (urlsplit
    accepts any number, and every request would then fail), and plain http only to a loopback
    host.
    """
    not_http = BaseUrlError(f"the base URL must be an http(s) URL, not {url[:_QUOTED]!r}")
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname  # parses a bracketed IPv6 address, which may fail
    except ValueError:
        raise not_http from None
    if parts.scheme not in ("http", "https") or not host:
        raise not_http
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise BaseUrlError(
            f"the base URL has an invalid port (1 to 65535): {url.strip()[:_QUOTED]!r}"
        )
    if parts.scheme == "http" and not is_loopback_host(host):
        raise BaseUrlError(
            f"refusing to send the API key unencrypted over plain http to {host!r}: "
            "use https (plain http is only for loopback addresses)"
        )
    normal = parts.geturl()
    return normal if normal.endswith("/") else normal + "/"
