"""The API key as the app holds it: a string that never shows itself."""

from __future__ import annotations

HIDDEN = "**********"


class Secret:
    """A string whose repr, str and format are stars, so that no log line, exception or
    traceback shows it; the value is read with `get_secret_value()`.

    The same interface as pydantic's SecretStr (which the API client uses), without importing
    pydantic: that costs a start about 0.2 s before its first frame.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{HIDDEN}')"

    def __str__(self) -> str:
        return HIDDEN

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
