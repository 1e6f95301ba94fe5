"""Settings: defaults < config file (TOML) < environment < command-line flags.

Everything that can go wrong here ends as a `ConfigError` whose message is one line naming the
file (and line, when there is one); the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from app import urls
from app.keymap_ids import BINDING_IDS, keys_problem
from app.secret import Secret
from app.theme_names import BUILTIN_THEMES

APP_NAME = "tinylytics-tui"
DEFAULT_BASE_URL = "https://tinylytics.app/api/v1/"
ENV_API_KEY = "TINYLYTICS_API_KEY"
ENV_BASE_URL = "TINYLYTICS_BASE_URL"
ENV_CONFIG = "TINYLYTICS_TUI_CONFIG"
# How much of a rejected value a message quotes.
_QUOTED = 60

MIN_REFRESH = 5.0
MAX_REFRESH = 3600.0
# SQLite's largest integer: the cache keys rows by site id.
MAX_SITE_ID = 2**63 - 1


@dataclass(frozen=True)
class Bounds:
    """The range a numeric setting must lie in, checked before anything starts."""

    low: float
    high: float
    unit: str = ""

    def problem(self, name: str, value: float) -> str | None:
        if self.low <= value <= self.high:  # False for NaN too
            return None
        unit = f" {self.unit}" if self.unit else ""
        low, high = _number(self.low), _number(self.high)
        return f"{name} must be between {low} and {high}{unit}, not {_number(value)}"


def _number(value: float) -> str:
    """1e8 as 100000000 and 2**63 - 1 in full (not as 9.22337e+18), 2.5 as 2.5; a number too long
    for one line in short (TOML integers have no size limit)."""
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e20):
        text = str(int(value))
        return text if len(text) <= 24 else f"{text[:6]}...({len(text)} digits)"
    return f"{value:g}"


# The key's limit is reported to be about 1000 an hour; retention past ten years is a mistake
# (and 100000000 days overflows the date arithmetic of the cache).
BOUNDS: dict[str, Bounds] = {
    "refresh": Bounds(MIN_REFRESH, MAX_REFRESH, "seconds"),
    "requests_per_hour": Bounds(1, 10_000),
    "cache_retention_days": Bounds(1, 3650, "days"),
    "site": Bounds(1, MAX_SITE_ID),
    # The largest answer the app reads: a real one is a few hundred KiB.
    "max_answer_mib": Bounds(1, 256, "MiB"),
}


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
    max_answer_mib: int = 8  # a larger answer is refused unread, as a protocol error


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
    "max_answer_mib": (int,),
}


def default_config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def check_base_url(url: str) -> str:
    """Return the URL normalised with a trailing slash, or raise ConfigError.

    The rules (https except on this machine, a valid port) are `app.urls.check_base_url`.
    """
    try:
        return urls.check_base_url(url)
    except urls.BaseUrlError as exc:
        raise ConfigError(exc.message) from None


def _line_of(text: str, key: str) -> int | None:
    # A keymap id has a dot, and may be written quoted: "section.sites" = "9".
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _where(path: Path, text: str, key: str) -> str:
    line = _line_of(text, key)
    return f"{path} line {line}" if line else str(path)


def _who_can(mode: int, bits: int) -> str | None:
    """'read', 'write' or 'read and write' for what group or others may do within `bits`."""
    can = [
        verb
        for verb, mask in (
            ("read", stat.S_IRGRP | stat.S_IROTH),
            ("write", stat.S_IWGRP | stat.S_IWOTH),
        )
        if mode & bits & mask
    ]
    if not can and mode & bits:
        can = ["open"]
    return " and ".join(can) or None


def _check_private(path: Path, what: str, bits: int = stat.S_IRWXG | stat.S_IRWXO) -> None:
    """Refuse a secret that others can read, as ssh does for private keys; with `bits` the
    write bits only, a setting that others could change to send the key elsewhere."""
    mode = path.stat().st_mode
    can = _who_can(mode, bits)
    if can:
        raise ConfigError(
            f"{path} holds {what} and group or others can {can} it ({stat.filemode(mode)}); "
            f"run: chmod 600 {path}"
        )


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends "(at line N, column M)".
        raise ConfigError(f"malformed config file {path}: {exc}") from None
    except RecursionError:
        # tomllib recurses once per nested array or table.
        raise ConfigError(f"malformed config file {path}: nested too deeply") from None
    except ValueError:
        # The one ValueError tomllib lets through: int() refuses 4300 digits and more.
        raise ConfigError(f"malformed config file {path}: a number with too many digits") from None


def _flat_keymap(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """`section.sites = "9"` unquoted is a nested table in TOML; it means the id `section.sites`."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flat_keymap(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _keymap_where(path: Path, text: str, binding_id: str) -> str:
    line = _line_of(text, binding_id) or _line_of(text, binding_id.rpartition(".")[2])
    return f"{path} line {line}" if line else str(path)


def _check_keymap(path: Path, text: str, keymap: Mapping[str, Any]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for binding_id, keys in _flat_keymap(keymap).items():
        where = _keymap_where(path, text, binding_id)
        if binding_id not in BINDING_IDS:
            known = ", ".join(sorted(BINDING_IDS))
            raise ConfigError(
                f"{where}: unknown key binding id {binding_id[:_QUOTED]!r} in [keymap] "
                f"(ids: {known})"
            )
        if not isinstance(keys, str):
            raise ConfigError(f"{where}: keymap.{binding_id} must be str")
        problem = keys_problem(keys)
        if problem:
            raise ConfigError(f"{where}: keymap.{binding_id}: {problem}")
        checked[binding_id] = keys
    return checked


def _theme_problem(name: str) -> str | None:
    if name in BUILTIN_THEMES:
        return None
    return f"unknown theme {name[:_QUOTED]!r} (themes: {', '.join(BUILTIN_THEMES)})"


def _check_value(path: Path, text: str, key: str, value: Any) -> None:
    expected = _FILE_KEYS[key]
    # bool is an int in Python; a `site = true` must not pass as site 1.
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        names = " or ".join(t.__name__ for t in expected)
        raise ConfigError(f"{_where(path, text, key)}: {key} must be {names}")
    problem = _value_problem(key, value)
    if problem:
        raise ConfigError(f"{_where(path, text, key)}: {problem}")


def _value_problem(key: str, value: Any) -> str | None:
    if key == "theme":
        return _theme_problem(value)
    return BOUNDS[key].problem(key, value) if key in BOUNDS else None


def _read_config_file(path: Path) -> dict[str, Any]:
    if _is_dir(path):
        raise ConfigError(f"config file {path} is a directory, not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    data = _parse(path, text)
    for key, value in data.items():
        if key not in _FILE_KEYS:
            known = ", ".join(sorted(_FILE_KEYS))
            raise ConfigError(
                f"{_where(path, text, key)}: unknown setting {key!r} (known: {known})"
            )
        _check_value(path, text, key, value)
    if "keymap" in data:
        data["keymap"] = _check_keymap(path, text, data["keymap"])
    if "api_key" in data:
        _check_private(path, "an API key")
    if "base_url" in data:
        _check_private(path, "base_url, where the API key is sent,", stat.S_IWGRP | stat.S_IWOTH)
    return data


def read_key_file(path: Path) -> Secret:
    if _is_dir(path):
        raise ConfigError(f"API key file {path} is a directory, not a file")
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


def _checked(key: str, value: Any, source: str) -> Any:
    problem = _value_problem(key, value)
    if problem:
        raise ConfigError(f"{source}: {problem}")
    return value


def _checked_base_url(url: str, source: str) -> str:
    try:
        return check_base_url(url)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc.message}") from None


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

    # The file's values were checked as they were read (`_check_value`).
    file_keys = (
        "theme",
        "requests_per_hour",
        "bell",
        "site",
        "cache",
        "cache_retention_days",
        "max_answer_mib",
    )
    settings = replace(settings, **{k: data[k] for k in file_keys if k in data})
    if "refresh" in data:
        settings = replace(settings, refresh=float(data["refresh"]))
    if "keymap" in data:
        settings = replace(settings, keymap=dict(data["keymap"]))

    # The key: flag (a file) > environment > config file.
    api_key: Secret | None = None
    if flags.get("api_key_file"):
        api_key = read_key_file(Path(flags["api_key_file"]).expanduser())
    elif env.get(ENV_API_KEY, "").strip():
        api_key = Secret(env[ENV_API_KEY].strip())
    elif isinstance(data.get("api_key"), str) and data["api_key"].strip():
        api_key = Secret(data["api_key"].strip())
    settings = replace(settings, api_key=api_key)

    url_sources = (
        (flags.get("base_url"), "--base-url"),
        (env.get(ENV_BASE_URL), ENV_BASE_URL),
        (data.get("base_url"), _where(config_path, "", "base_url")),
    )
    base_url, url_source = next(((u, s) for u, s in url_sources if u), (None, ""))
    if base_url:
        settings = replace(settings, base_url=str(base_url))
    if flags.get("site") is not None:
        settings = replace(settings, site=_checked("site", int(flags["site"]), "--site"))
    if flags.get("refresh") is not None:
        settings = replace(
            settings, refresh=float(_checked("refresh", flags["refresh"], "--refresh"))
        )
    if flags.get("theme"):
        settings = replace(settings, theme=_checked("theme", str(flags["theme"]), "--theme"))
    if flags.get("demo"):
        settings = replace(settings, demo=True)
    if flags.get("no_cache"):
        settings = replace(settings, cache=False)
    if not settings.demo:
        source = url_source or "the default base URL"
        settings = replace(settings, base_url=_checked_base_url(settings.base_url, source))
    return settings


def save_settings(path: Path, updates: Mapping[str, Any]) -> None:
    """Write `updates` into the config file, keeping the user's comments and layout.

    The file is created private (0600) because it may hold the API key: the new text goes to a
    temporary file that only this call can have created (mkstemp: O_EXCL, mode 0600, a random
    name, so neither a leftover file nor a symlink there is reused), then replaces the file.
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
    except RecursionError:
        raise ConfigError(f"cannot update config file {path}: nested too deeply") from None
    for key, value in updates.items():
        doc[key] = value
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_private(path, tomlkit.dumps(doc))
    except OSError as exc:
        raise ConfigError(f"cannot write config file {path}: {exc.strerror or exc}") from None


def _write_private(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; best effort, as some file systems refuse it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
