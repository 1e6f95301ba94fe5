"""Settings: defaults < config file (TOML) < environment < command-line flags.

Everything that can go wrong here ends as a `ConfigError` whose message is one line naming the
file (and line, when there is one); the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from app import urls
from app.secret import Secret

APP_NAME = "tinylytics-tui"
DEFAULT_BASE_URL = "https://tinylytics.app/api/v1/"
ENV_API_KEY = "TINYLYTICS_API_KEY"
ENV_BASE_URL = "TINYLYTICS_BASE_URL"
ENV_CONFIG = "TINYLYTICS_TUI_CONFIG"

MIN_REFRESH = 5.0
MAX_REFRESH = 3600.0


class ConfigError(Exception):
    """A configuration problem the user must fix; `message` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Settings:
    """The resolved settings the app runs with."""

    api_key: Secret | None = None
    base_url: str = DEFAULT_BASE_URL
    site: int | None = None
    refresh: float = 60.0
    theme: str = "textual-dark"
    requests_per_hour: int = 600
    bell: bool = True
    keymap: dict[str, str] = field(default_factory=dict)
    config_path: Path = field(default_factory=lambda: default_config_path())
    demo: bool = False
    cache: bool = True  # the SQLite cache of counts, hits and last screens (--no-cache: off)
    cache_retention_days: int = 400


# Keys a config file may hold, with the type each must have. The key is optional and is read
# only if the file is private to its owner (checked in `_read_config_file`).
_FILE_KEYS: dict[str, tuple[type, ...]] = {
    "api_key": (str,),
    "base_url": (str,),
    "site": (int,),
    "refresh": (int, float),
    "theme": (str,),
    "requests_per_hour": (int,),
    "bell": (bool,),
    "keymap": (dict,),
    "cache": (bool,),
    "cache_retention_days": (int,),
}


def default_config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def check_base_url(url: str) -> str:
    """Return the URL normalised with a trailing slash, or raise ConfigError.

    The key travels in a header, so plain http is allowed only on this machine (the demo); the
    rule itself is `app.urls.check_base_url`.
    """
    try:
        return urls.check_base_url(url)
    except urls.BaseUrlError as exc:
        raise ConfigError(exc.message) from None


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _where(path: Path, text: str, key: str) -> str:
    line = _line_of(text, key)
    return f"{path} line {line}" if line else str(path)


def _check_private(path: Path, what: str) -> None:
    """Refuse a secret that others can read, as ssh does for private keys."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path} holds {what} and others can read it ({stat.filemode(mode)}); "
            f"run: chmod 600 {path}"
        )


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends "(at line N, column M)".
        raise ConfigError(f"malformed config file {path}: {exc}") from None
    for key, value in data.items():
        if key not in _FILE_KEYS:
            known = ", ".join(sorted(_FILE_KEYS))
            raise ConfigError(
                f"{_where(path, text, key)}: unknown setting {key!r} (known: {known})"
            )
        expected = _FILE_KEYS[key]
        # bool is an int in Python; a `site = true` must not pass as site 1.
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            names = " or ".join(t.__name__ for t in expected)
            raise ConfigError(f"{_where(path, text, key)}: {key} must be {names}")
    keymap = data.get("keymap", {})
    for binding_id, keys in keymap.items():
        if not isinstance(keys, str):
            raise ConfigError(f"{_where(path, text, binding_id)}: keymap.{binding_id} must be str")
    if "api_key" in data:
        _check_private(path, "an API key")
    return data


def read_key_file(path: Path) -> Secret:
    try:
        _check_private(path, "an API key")
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"API key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read API key file {path}: {exc}") from None
    if not key:
        raise ConfigError(f"API key file {path} is empty")
    return Secret(key)


def _checked_refresh(value: float, source: str) -> float:
    if not MIN_REFRESH <= value <= MAX_REFRESH:
        raise ConfigError(
            f"{source}: refresh must be between {MIN_REFRESH:g} and {MAX_REFRESH:g} seconds"
        )
    return float(value)


def load_settings(flags: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Settings:
    """Resolve settings. `flags` holds only what was given on the command line.

    Recognised flags: config, api_key_file, base_url, site, refresh, theme, demo, no_cache.
    """
    env = os.environ if environ is None else environ
    config_path = Path(flags["config"]).expanduser() if flags.get("config") else None
    if config_path is None:
        config_path = (
            Path(env[ENV_CONFIG]).expanduser() if env.get(ENV_CONFIG) else default_config_path()
        )
    if flags.get("config") and not config_path.exists():
        raise ConfigError(f"config file {config_path} does not exist")
    data = _read_config_file(config_path)
    settings = Settings(config_path=config_path)

    simple_keys = ("theme", "requests_per_hour", "bell", "site", "cache", "cache_retention_days")
    simple = {k: data[k] for k in simple_keys if k in data}
    settings = replace(settings, **simple)
    if "refresh" in data:
        settings = replace(settings, refresh=_checked_refresh(data["refresh"], str(config_path)))
    if "keymap" in data:
        settings = replace(settings, keymap=dict(data["keymap"]))
    if settings.requests_per_hour < 1:
        raise ConfigError(f"{config_path}: requests_per_hour must be at least 1")
    if settings.cache_retention_days < 1:
        raise ConfigError(f"{config_path}: cache_retention_days must be at least 1")

    # The key: flag (a file) > environment > config file.
    api_key: Secret | None = None
    if flags.get("api_key_file"):
        api_key = read_key_file(Path(flags["api_key_file"]).expanduser())
    elif env.get(ENV_API_KEY, "").strip():
        api_key = Secret(env[ENV_API_KEY].strip())
    elif isinstance(data.get("api_key"), str) and data["api_key"].strip():
        api_key = Secret(data["api_key"].strip())
    settings = replace(settings, api_key=api_key)

    base_url = flags.get("base_url") or env.get(ENV_BASE_URL) or data.get("base_url")
    if base_url:
        settings = replace(settings, base_url=str(base_url))
    if flags.get("site") is not None:
        settings = replace(settings, site=int(flags["site"]))
    if flags.get("refresh") is not None:
        settings = replace(settings, refresh=_checked_refresh(flags["refresh"], "--refresh"))
    if flags.get("theme"):
        settings = replace(settings, theme=str(flags["theme"]))
    if flags.get("demo"):
        settings = replace(settings, demo=True)
    if flags.get("no_cache"):
        settings = replace(settings, cache=False)
    if not settings.demo:
        settings = replace(settings, base_url=check_base_url(settings.base_url))
    return settings


def save_settings(path: Path, updates: Mapping[str, Any]) -> None:
    """Write `updates` into the config file, keeping the user's comments and layout.

    The file is created private (0600) because it may hold the API key.
    """
    import tomlkit  # only for writing: a start that writes nothing does not load it

    unknown = set(updates) - set(_FILE_KEYS)
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    try:
        doc = (
            tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
        )
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise ConfigError(f"cannot update config file {path}: {exc}") from None
    for key, value in updates.items():
        doc[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".toml.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(tomlkit.dumps(doc))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot write config file {path}: {exc}") from None
