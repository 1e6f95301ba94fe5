"""Settings resolution, config-file safety and error messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.config import ConfigError, load_settings, save_settings

KEY = "tly-ro-0123456789secret"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def flags(**given: object) -> dict[str, object]:
    return given


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    settings = load_settings(flags(config=None), {"TINYLYTICS_TUI_CONFIG": str(tmp_path / "no")})
    assert settings.api_key is None
    assert settings.base_url == "https://tinylytics.app/api/v1/"
    assert settings.refresh == 60.0
    assert settings.requests_per_hour == 600


def test_precedence_flags_over_environment_over_file(tmp_path: Path) -> None:
    config = write(
        tmp_path / "c.toml",
        f'api_key = "{KEY}"\nbase_url = "https://file.example/api/v1"\ntheme = "nord"\n'
        "refresh = 30\n",
    )
    env = {"TINYLYTICS_BASE_URL": "https://env.example/api/v1/"}
    only_file = load_settings(flags(config=str(config)), {})
    assert only_file.base_url == "https://file.example/api/v1/"
    assert only_file.theme == "nord"
    assert only_file.refresh == 30.0
    assert only_file.api_key is not None
    assert only_file.api_key.get_secret_value() == KEY

    with_env = load_settings(flags(config=str(config)), {**env, "TINYLYTICS_API_KEY": "tly-ro-env"})
    assert with_env.base_url == "https://env.example/api/v1/"
    assert with_env.api_key is not None
    assert with_env.api_key.get_secret_value() == "tly-ro-env"

    key_file = write(tmp_path / "key", "tly-ro-file\n")
    with_flags = load_settings(
        flags(
            config=str(config),
            base_url="https://flag.example/api/v1/",
            api_key_file=str(key_file),
            theme="gruvbox",
            refresh=15.0,
        ),
        {**env, "TINYLYTICS_API_KEY": "tly-ro-env"},
    )
    assert with_flags.base_url == "https://flag.example/api/v1/"
    assert with_flags.theme == "gruvbox"
    assert with_flags.refresh == 15.0
    assert with_flags.api_key is not None
    assert with_flags.api_key.get_secret_value() == "tly-ro-file"


def test_config_path_from_environment(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", 'theme = "dracula"\n')
    settings = load_settings(flags(), {"TINYLYTICS_TUI_CONFIG": str(config)})
    assert settings.theme == "dracula"
    assert settings.config_path == config


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_config_with_key_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    config = write(tmp_path / "c.toml", f'api_key = "{KEY}"\n', mode)
    with pytest.raises(ConfigError) as caught:
        load_settings(flags(config=str(config)), {})
    assert f"chmod 600 {config}" in caught.value.message
    assert KEY not in caught.value.message


def test_config_without_key_may_be_world_readable(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", 'theme = "nord"\n', 0o644)
    assert load_settings(flags(config=str(config)), {}).theme == "nord"


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    key_file = write(tmp_path / "key", KEY, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_settings(flags(api_key_file=str(key_file)), {"TINYLYTICS_TUI_CONFIG": "/nonexistent"})


def test_malformed_config_names_file_and_line(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", 'theme = "nord"\nrefresh = \n')
    with pytest.raises(ConfigError) as caught:
        load_settings(flags(config=str(config)), {})
    message = caught.value.message
    assert str(config) in message
    assert "line 2" in message
    assert "\n" not in message


def test_wrong_type_names_the_line(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", '# comment\nsite = "abc123"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(flags(config=str(config)), {})
    assert f"{config} line 2: site must be int" == caught.value.message


def test_unknown_setting_is_named(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", "refersh = 10\n")
    with pytest.raises(ConfigError, match=r"line 1: unknown setting 'refersh'"):
        load_settings(flags(config=str(config)), {})


@pytest.mark.parametrize("value", [1, 99999])
def test_refresh_out_of_bounds(tmp_path: Path, value: int) -> None:
    config = write(tmp_path / "c.toml", f"refresh = {value}\n")
    with pytest.raises(ConfigError, match="refresh must be between"):
        load_settings(flags(config=str(config)), {})


def test_key_never_sent_over_plain_http_to_a_remote_host(tmp_path: Path) -> None:
    env = {"TINYLYTICS_TUI_CONFIG": str(tmp_path / "none"), "TINYLYTICS_API_KEY": KEY}
    with pytest.raises(ConfigError, match="plain http"):
        load_settings(flags(base_url="http://tinylytics.app/api/v1/"), env)
    for local in ("http://127.0.0.1:8000/api/v1", "http://localhost:1/api/v1/", "http://[::1]:9/"):
        assert load_settings(flags(base_url=local), env).base_url.startswith("http://")


def test_explicit_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(flags(config=str(tmp_path / "missing.toml")), {})


def test_keymap_table(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", '[keymap]\nrefresh = "ctrl+r"\nquit = "x"\n')
    settings = load_settings(flags(config=str(config)), {})
    assert settings.keymap == {"refresh": "ctrl+r", "quit": "x"}


def test_save_settings_is_private_and_keeps_comments(tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", "# mine\n", 0o644)
    save_settings(config, {"api_key": KEY, "theme": "nord"})
    assert config.stat().st_mode & 0o777 == 0o600
    text = config.read_text()
    assert text.startswith("# mine")
    settings = load_settings(flags(config=str(config)), {})
    assert settings.theme == "nord"
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == KEY


def test_save_settings_creates_directories(tmp_path: Path) -> None:
    config = tmp_path / "a" / "b" / "config.toml"
    save_settings(config, {"theme": "nord"})
    assert config.stat().st_mode & 0o777 == 0o600
    assert load_settings(flags(config=str(config)), {}).theme == "nord"


def test_the_loaded_key_never_shows_itself(tmp_path: Path) -> None:
    key = "tly-ro-0123456789abcdef"
    config = write(tmp_path / "c.toml", f'api_key = "{key}"\n', mode=0o600)
    settings = load_settings(flags(config=str(config)), {})
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == key
    for shown in (repr(settings), str(settings), f"{settings.api_key}", repr(settings.api_key)):
        assert key not in shown
        assert "**********" in shown
