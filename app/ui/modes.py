"""The app's modes are its sections, per account: each account keeps its own screens, so that
switching back finds them as they were left. The account the app started with has the plain
section names ("hits"); another account's are "work:hits"."""

from __future__ import annotations

SEPARATOR = ":"  # never in an account's name (letters, digits, - and _)


def mode_of(prefix: str, section: str) -> str:
    """The mode of `section` for the account whose modes start with `prefix`."""
    return f"{prefix}{section}"


def prefix_of(account: str) -> str:
    return f"{account}{SEPARATOR}"


def section_of(mode: str) -> str:
    """The section a mode shows, whatever its account: "hits" for "work:hits" and "hits"."""
    return mode.rpartition(SEPARATOR)[2]
