"""Saving the key or the theme: the file is written through a temporary file only this write
could have created, private from its first byte, and the config directory is private."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError, load_settings, save_settings

KEY = "tly-ro-0123456789secret"


def test_a_leftover_temporary_file_is_neither_reused_nor_removed(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    leftover = tmp_path / "config.toml.tmp"
    leftover.write_text("left behind\n")
    leftover.chmod(0o644)
    save_settings(path, {"api_key": KEY})
    assert leftover.read_text() == "left behind\n"
    assert path.stat().st_mode & 0o777 == 0o600
    settings = load_settings({"config": str(path)}, {})
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == KEY


def test_a_symlink_where_the_temporary_file_was_is_not_followed(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (tmp_path / "config.toml.tmp").symlink_to(victim)
    save_settings(path, {"api_key": KEY, "theme": "nord"})
    assert victim.read_text() == "precious\n"
    assert not path.is_symlink()
    assert KEY in path.read_text()


def test_only_the_config_file_remains(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings(path, {"theme": "nord"})
    save_settings(path, {"api_key": KEY})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_the_config_directory_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "config" / "tinylytics-tui" / "config.toml"
    save_settings(path, {"api_key": KEY})
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_failed_write_is_one_line(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    path = not_a_directory / "config.toml"
    with pytest.raises(ConfigError) as caught:
        save_settings(path, {"theme": "nord"})
    assert caught.value.message.startswith(f"cannot write config file {path}: ")
    assert "\n" not in caught.value.message
    assert not_a_directory.read_text() == ""
