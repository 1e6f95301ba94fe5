"""Configuration fails fast and clearly: every mistake below is one line on stderr and exit code 2,
before the app starts (the hardening issue's list, one test per item)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.cli import main
from app.config import ConfigError, load_settings

KEY = "tly-ro-0123456789secret"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A key in the environment (so the key is never what is missing), no stray settings, and
    an app that must not start: a mistake that slips through fails the test instead of running."""
    for name in [n for n in os.environ if n.startswith("TINYLYTICS")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TINYLYTICS_API_KEY", KEY)
    monkeypatch.setenv("TINYLYTICS_TUI_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))

    def started(*_: object) -> int:
        raise AssertionError("the app started despite the bad configuration")

    monkeypatch.setattr(cli, "run_app", started)


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the CLI; it must exit 2 with one line on stderr, which is returned."""
    code: int | str | None
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code  # argparse's own refusals
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert KEY not in captured.err + captured.out
    return lines[0]


def run_cli(*args: str, env: dict[str, str]) -> str:
    """The real command in a subprocess (the cases that used to be tracebacks); its one line."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("TINYLYTICS")}
    result = subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**base, "TINYLYTICS_API_KEY": KEY, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    return lines[0]


def config(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


# -- 1. a base URL that does not parse ------------------------------------------------------------


@pytest.mark.parametrize("source", ["flag", "environment", "file"])
def test_an_unparsable_base_url_is_one_line_naming_where_it_came_from(
    tmp_path: Path, source: str
) -> None:
    bad = "https://[::1/"
    path = config(tmp_path, f'base_url = "{bad}"\n')
    args, env = {
        "flag": (["--base-url", bad], {}),
        "environment": ([], {"TINYLYTICS_BASE_URL": bad}),
        "file": (["--config", str(path)], {}),
    }[source]
    line = run_cli(*args, env={"TINYLYTICS_TUI_CONFIG": str(tmp_path / "absent"), **env})
    assert "must be an http(s) URL" in line
    assert bad in line
    where = {"flag": "--base-url", "environment": "TINYLYTICS_BASE_URL", "file": str(path)}
    assert where[source] in line


# -- 2. numeric settings out of range ------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "cache_retention_days = 100000000",
            "cache_retention_days must be between 1 and 3650 days",
        ),
        ("cache_retention_days = 0", "cache_retention_days must be between 1 and 3650 days"),
        ("requests_per_hour = 0", "requests_per_hour must be between 1 and 10000"),
        ("requests_per_hour = 10000000", "requests_per_hour must be between 1 and 10000"),
        ("refresh = 2", "refresh must be between 5 and 3600 seconds"),
        ("refresh = nan", "refresh must be between 5 and 3600 seconds"),
        ("refresh = inf", "refresh must be between 5 and 3600 seconds"),
        ("site = 0", "site must be between 1 and"),
        ("site = -4", "site must be between 1 and"),
    ],
)
def test_a_numeric_setting_out_of_range_names_the_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, expected: str
) -> None:
    path = config(tmp_path, f'theme = "nord"\n{setting}\n')
    line = refused(capsys, "--config", str(path))
    assert f"{path} line 2: {expected}" in line
    assert line.endswith(f"not {setting.split(' = ')[1]}")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--refresh", "99999"],
            "--refresh: refresh must be between 5 and 3600 seconds, not 99999",
        ),
        (["--refresh", "nan"], "--refresh: refresh must be between 5 and 3600 seconds, not nan"),
        (["--site", "0"], "a site id must be between 1 and 9223372036854775807, not 0"),
        (["--site", str(2**63)], "a site id must be between 1 and"),
        (["--site", "9" * 5000], "a site id has at most 19 digits, not 5000"),
    ],
)
def test_a_numeric_flag_out_of_range_names_the_range(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert expected in refused(capsys, *argv)


def test_the_ends_of_each_range_are_accepted(tmp_path: Path) -> None:
    from app.config import load_settings

    path = config(
        tmp_path,
        f"cache_retention_days = 3650\nrequests_per_hour = 1\nrefresh = 3600\nsite = {2**63 - 1}\n",
    )
    settings = load_settings({"config": str(path)}, {})
    assert (settings.cache_retention_days, settings.requests_per_hour) == (3650, 1)
    assert (settings.refresh, settings.site) == (3600.0, 2**63 - 1)


def test_a_number_too_long_to_read_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path, f"site = {'9' * 5000}\n")
    line = refused(capsys, "--config", str(path))
    assert line == f"tinylytics-tui: malformed config file {path}: a number with too many digits"


# -- 3. a config nested too deeply for the TOML parser -------------------------------------------


@pytest.mark.parametrize("nesting", ["array", "table"])
def test_a_config_nested_100000_deep_is_one_line_naming_the_file(
    tmp_path: Path, nesting: str
) -> None:
    depth = 100_000
    value = "[" * depth + "]" * depth if nesting == "array" else "{a=" * depth + "1" + "}" * depth
    path = config(tmp_path, f"theme = {value}\n")
    line = run_cli("--config", str(path), env={})
    assert line == f"tinylytics-tui: malformed config file {path}: nested too deeply"


# -- 4. ports --------------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_a_base_url_with_an_invalid_port_is_refused(
    capsys: pytest.CaptureFixture[str], port: str
) -> None:
    url = f"https://example.com:{port}/api/v1/"
    line = refused(capsys, "--base-url", url)
    assert line == (
        f"tinylytics-tui: --base-url: the base URL has an invalid port (1 to 65535): {url!r}"
    )


def test_a_base_url_with_a_valid_port_is_kept() -> None:
    from app.config import load_settings

    settings = load_settings({"base_url": "https://example.com:65535/api/v1"}, {})
    assert settings.base_url == "https://example.com:65535/api/v1/"


@pytest.mark.parametrize("port", ["99999", "-1", "8k"])
def test_the_demo_server_refuses_an_invalid_port(port: str) -> None:
    line = run_cli("demo-server", "--port", port, env={})
    assert f"argument --port: {port!r} is not a port (0 to 65535)" in line


def test_the_demo_server_refuses_an_unbounded_scale() -> None:
    # A subprocess: a demo server that starts serves until it is stopped.
    line = run_cli("demo-server", "--scale", "inf", env={})
    assert "argument --scale: must be at most 100" in line


# -- 5. themes -------------------------------------------------------------------------------------


def test_an_unknown_theme_flag_lists_the_themes(capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(capsys, "--theme", "nosuch")
    assert line.startswith("tinylytics-tui: --theme: unknown theme 'nosuch' (themes: ")
    assert "nord" in line
    assert "textual-dark" in line


def test_an_unknown_theme_in_the_file_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path, 'refresh = 30\ntheme = "nosuch"\n')
    line = refused(capsys, "--config", str(path))
    assert f"{path} line 2: unknown theme 'nosuch' (themes: " in line


# -- 6. the keymap ---------------------------------------------------------------------------------


def test_an_unknown_keymap_id_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = config(tmp_path, '[keymap]\nrefresh = "ctrl+r"\nnosuch = "x"\n')
    line = refused(capsys, "--config", str(path))
    assert f"{path} line 3: unknown key binding id 'nosuch' in [keymap] (ids: " in line
    assert "section.sites" in line


@pytest.mark.parametrize("keys", ["[b]x[/b]", "", "x,,y", "ctrl+", "hyper+ctrl+ctrl+a", "f99"])
def test_an_invalid_key_is_refused_naming_the_binding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: str
) -> None:
    path = config(tmp_path, f'[keymap]\nquit = "{keys}"\n')
    line = refused(capsys, "--config", str(path))
    assert line.startswith(f"tinylytics-tui: {path} line 2: keymap.quit: ")


# -- 7. a key file that is a directory -------------------------------------------------------------


def test_a_key_file_that_is_a_directory_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = refused(capsys, "--api-key-file", str(tmp_path))
    assert line == f"tinylytics-tui: API key file {tmp_path} is a directory, not a file"
    assert "chmod" not in line


def test_a_config_file_that_is_a_directory_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = refused(capsys, "--config", str(tmp_path))
    assert line == f"tinylytics-tui: config file {tmp_path} is a directory, not a file"


# -- 8. a config others can write ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "mode"),
    [
        ('base_url = "https://example.com/api/v1/"', 0o620),
        ('base_url = "https://example.com/api/v1/"', 0o602),
        (f'api_key = "{KEY}"', 0o602),
    ],
)
def test_a_config_others_can_write_is_refused_with_the_chmod(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, mode: int
) -> None:
    path = config(tmp_path, f"{setting}\n", mode)
    line = refused(capsys, "--config", str(path))
    assert "group or others can write it" in line
    assert line.endswith(f"run: chmod 600 {path}")


def test_a_base_url_others_can_only_read_is_accepted(tmp_path: Path) -> None:
    from app.config import load_settings

    path = config(tmp_path, 'base_url = "https://example.com/api/v1/"\n', 0o644)
    assert load_settings({"config": str(path)}, {}).base_url == "https://example.com/api/v1/"


def test_the_answer_size_limit_is_a_setting_with_a_range(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("max_answer_mib = 32\n")
    config.chmod(0o600)
    assert load_settings({"config": str(config)}, {}).max_answer_mib == 32
    config.write_text("max_answer_mib = 0\n")
    with pytest.raises(ConfigError) as refused:
        load_settings({"config": str(config)}, {})
    assert "max_answer_mib must be between 1 and 256 MiB" in refused.value.message
