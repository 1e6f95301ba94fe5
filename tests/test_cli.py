"""The command line as a user meets it: real subprocesses, exit codes and one-line messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__

KEY = "tly-ro-0123456789secret"


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TINYLYTICS")}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"tinylytics-tui {__version__}"


def test_help_names_every_flag_and_the_demo_server() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for flag in (
        "--demo",
        "--site",
        "--base-url",
        "--api-key-file",
        "--refresh",
        "--theme",
        "--config",
        "--version",
        "demo-server",
        "TINYLYTICS_API_KEY",
    ):
        assert flag in result.stdout
    sub = run_cli("demo-server", "--help")
    for flag in ("--host", "--port", "--seed", "--scale"):
        assert flag in sub.stdout


def test_no_key_and_no_demo_explains_both_ways(tmp_path: Path) -> None:
    result = run_cli(env={"TINYLYTICS_TUI_CONFIG": str(tmp_path / "none.toml")})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TINYLYTICS_API_KEY" in lines[0]
    assert "--demo" in lines[0]


def test_malformed_config_is_one_line_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "nord"\nrefresh = = 3\n')
    result = run_cli("--config", str(config))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(config) in lines[0]
    assert "line 2" in lines[0]


def test_world_readable_config_with_key_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'api_key = "{KEY}"\n')
    config.chmod(0o644)
    result = run_cli("--config", str(config))
    assert result.returncode == 2
    assert f"chmod 600 {config}" in result.stderr
    assert KEY not in result.stderr + result.stdout


def test_plain_http_to_remote_host_is_refused(tmp_path: Path) -> None:
    result = run_cli(
        "--base-url",
        "http://example.com/api/v1/",
        env={"TINYLYTICS_API_KEY": KEY, "TINYLYTICS_TUI_CONFIG": str(tmp_path / "none")},
    )
    assert result.returncode == 2
    assert "plain http" in result.stderr
    assert KEY not in result.stderr


@pytest.mark.parametrize("bad", ["abc123", "-4", "12x"])
def test_non_numeric_site_is_bad_usage(bad: str) -> None:
    result = run_cli("--site", bad)
    assert result.returncode == 2
    assert "numeric site id" in result.stderr or "expected one argument" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unknown_flag_is_one_line_pointing_at_help() -> None:
    result = run_cli("--bogus")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "tinylytics-tui: unrecognized arguments: --bogus (see tinylytics-tui --help)"
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [("16", "standard"), ("256", "256"), ("truecolor", "truecolor"), ("nonsense", "auto")],
)
def test_colour_systems_people_write_are_understood(given: str, expected: str) -> None:
    from app.cli import normalise_color_system

    environ = {"TEXTUAL_COLOR_SYSTEM": given}
    normalise_color_system(environ)
    assert environ["TEXTUAL_COLOR_SYSTEM"] == expected
