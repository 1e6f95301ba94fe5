"""Typed errors of the Tinylytics API, each with a one-line message fit to show a user.

Messages are built from status codes and server text only, and the client scrubs its key out of
server text before it gets here, so no message, `str()` or `repr()` holds the API key.
"""

from __future__ import annotations

import re

from app import durations

# Escape sequences first (whole, so that no "[31m" is left behind), then any other control
# character, including the invisible bidi overrides that can make a message lie about itself.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
MAX_MESSAGE = 160


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """Text made safe for a status line: one line, no control characters, at most `limit`."""
    flat = _SPACES.sub(" ", _CONTROL.sub(" ", _ESCAPES.sub("", text))).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class ApiError(Exception):
    """Base of every error the client raises; `.message` is one line fit to show a user."""

    default_message = "the Tinylytics API request failed"

    def __init__(self, message: str | None = None, *, status: int | None = None) -> None:
        self.message = one_line(message or "") or self.default_message
        self.status = status
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class AuthError(ApiError):
    """401, a key that cannot be sent, or a 200 whose body is not API data (a bad key)."""

    default_message = "the API key was not accepted"


class SubscriptionRequired(ApiError):
    """403: the account has no subscription, or this endpoint needs a higher plan."""

    default_message = "API access requires an active subscription"


class NotFound(ApiError):
    """404: no such site, or no uptime monitor for it."""

    default_message = "not found"


class BadRequest(ApiError):
    """400 from the server, or a request the client refused to send because it is not valid."""

    default_message = "the request was not valid"


class RateLimited(ApiError):
    """429 that was not worth waiting for here; `retry_after` is seconds, if the server said."""

    default_message = "rate limited by the API"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        wait = f"try again in {durations.words(retry_after)}" if retry_after is not None else None
        text = one_line(message or "") or self.default_message
        super().__init__(f"{text}: {wait}" if wait else text, status=status)
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"retry_after={self.retry_after!r})"
        )


class ServerError(ApiError):
    """5xx, after the retries."""

    default_message = "the API server failed"


class NetworkError(ApiError):
    """No answer at all: timeout, refused or reset connection, DNS failure, a failed TLS
    handshake; after the retries.

    `problem` is a few words for a status line when "offline" would mislead: a certificate that
    is not trusted is not an outage, and waiting will not heal it.
    """

    default_message = "could not reach the API"

    def __init__(
        self, message: str | None = None, *, status: int | None = None, problem: str | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.problem = one_line(problem, 40) if problem else None


class ProtocolError(ApiError):
    """An answer that is not what the API sends: wrong shape, malformed JSON, odd status."""

    default_message = "the server did not answer with API data"
