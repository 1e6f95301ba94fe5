"""`--range` for the dashboard itself (the report's is in tests/test_report.py): read into the
settings, passed on to a browser tab's app, and a bad one is one line and exit code 2."""

from __future__ import annotations

import pytest

from app.cli import build_parser, settings_flags
from app.config import load_settings
from app.serve import tab_command
from tests.test_cli import run_cli


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("3w", "'3w' is not a range: use 24h, 7d, 30d, 12mo or YYYY-MM-DD..YYYY-MM-DD"),
        ("2026-02-01..2026-01-01", "is after the end"),
        ("2026-01-01..2027-01-01", "366 days is too long"),
        ("2099-01-01..2099-01-02", "2099-01-02 is in the future"),
        ("yesterday..today", "'yesterday' is not a date"),
    ],
)
def test_a_bad_range_is_one_line_and_exit_2(given: str, says: str) -> None:
    result = run_cli("--demo", "--range", given)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tinylytics-tui") and says in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_help_names_the_range_forms() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    words = " ".join(result.stdout.split())
    assert "--range R the range shown at start: 24h, 7d, 30d, 12mo or YYYY-" in words


@pytest.mark.parametrize(
    ("argv", "spelled"),
    [
        (["--range", "30D"], "30d"),
        (["--range", "2026-01-01..2026-01-31"], "2026-01-01..2026-01-31"),
        (["serve", "--range", "12mo"], "12mo"),
        ([], None),
    ],
)
def test_the_range_reaches_the_settings(argv: list[str], spelled: str | None) -> None:
    flags = settings_flags(build_parser().parse_args(argv))
    assert flags["range"] == spelled
    assert load_settings(flags, {}).range == spelled


def test_a_browser_tab_gets_the_range() -> None:
    flags = settings_flags(
        build_parser().parse_args(["serve", "--range", "2026-01-01..2026-01-31"])
    )
    command = tab_command(flags, None)
    at = command.index("--range")
    assert command[at + 1] == "2026-01-01..2026-01-31"
    # The tab's own command line reads it back.
    assert build_parser().parse_args(command[3:]).range is not None
