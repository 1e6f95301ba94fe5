"""Settings: defaults < config file (TOML) < environment < command-line flags.

Everything that can go wrong here ends as a `ConfigError` whose message is one line naming the
file (and line, when there is one); the CLI prints it and exits with code 2.

Accounts. The top-level `api_key` (or `api_key_file`) and `base_url` are the account named
`default`; `[accounts.NAME]` tables add others, each with `api_key` or `api_key_file` and an
optional `base_url` (else the public API). Precedence:

- the default account's key: `--api-key-file` > `$TINYLYTICS_API_KEY` > `api_key` or
  `api_key_file` in the file; its base URL: `--base-url` > `$TINYLYTICS_BASE_URL` > `base_url`.
  The flags and the environment never touch a named account: its table alone says its key and
  base URL (`--api-key-file` or `--base-url` with `--account work` is an error);
- the account the app starts with: `--account NAME` > the default account if `--api-key-file` or
  `--base-url` is given > `default_account` in the file > the default account if it has a key >
  the first `[accounts.NAME]` table of the file. The default account is listed when it has a key
  (or there is no named account: then it is the one the first-run screen asks a key for).

Every account's name, key source and base URL are checked at start (a mistake stops it, exit
2), but a key file is read only when its account is used: another account's missing or
unprotected key file is said in one line when the user switches to it, and never stops a start.
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

from app import localtime, urls
from app.keymap_ids import BINDING_IDS, RENAMED_IDS, keys_problem
from app.secret import Secret
from app.theme_names import BUILTIN_THEMES

APP_NAME = "tinylytics-tui"
DEFAULT_BASE_URL = "https://tinylytics.app/api/v1/"
ENV_API_KEY = "TINYLYTICS_API_KEY"
ENV_BASE_URL = "TINYLYTICS_BASE_URL"
ENV_CONFIG = "TINYLYTICS_TUI_CONFIG"
# The account of the top-level api_key: a `[accounts.default]` table would be a second one.
DEFAULT_ACCOUNT = "default"
# An account's name is written in `[accounts.NAME]`, `--account NAME` and the palette.
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")
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
class Account:
    """One account: its name, where its key comes from, and its API's base URL (checked).

    A key given by a file is read when the account is used (`key()`), so that another account's
    broken key file does not stop a start."""

    name: str
    base_url: str = DEFAULT_BASE_URL
    api_key: Secret | None = None
    api_key_file: Path | None = None
    # Where the key comes from, for the user: "--api-key-file", "api_key_file ~/k", ...
    key_source: str = ""

    def key(self) -> Secret | None:
        """The key, read from its file now if it has one; a ConfigError naming the account."""
        if self.api_key is not None or self.api_key_file is None:
            return self.api_key
        try:
            return read_key_file(self.api_key_file)
        except ConfigError as exc:
            if self.name == DEFAULT_ACCOUNT:
                raise
            raise ConfigError(f"account {self.name}: {exc.message}") from None


@dataclass(frozen=True)
class Settings:
    """The resolved settings the app runs with."""

    # The key and base URL of the account the app starts with (`account`).
    api_key: Secret | None = None
    base_url: str = DEFAULT_BASE_URL
    account: str = DEFAULT_ACCOUNT
    # Every account, `account` among them (empty: only that one, as given above).
    accounts: tuple[Account, ...] = ()
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
    timezone: str | None = None  # an IANA name; None: the system's zone (TZ, /etc/localtime)
    # The range shown at start, as `--range` spells it (`30d`, `2026-01-01..2026-01-31`), checked
    # by the command line; None: the last 7 days.
    range: str | None = None


# Keys a config file may hold, with the type each must have. The key is optional and is read
# only if the file is private to its owner (checked in `_read_config_file`).
_FILE_KEYS: dict[str, tuple[type, ...]] = {
    "api_key": (str,),
    "api_key_file": (str,),
    "base_url": (str,),
    "accounts": (dict,),
    "default_account": (str,),
    "site": (int,),
    "refresh": (int, float),
    "theme": (str,),
    "requests_per_hour": (int,),
    "bell": (bool,),
    "keymap": (dict,),
    "cache": (bool,),
    "cache_retention_days": (int,),
    "max_answer_mib": (int,),
    "timezone": (str,),
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
    for written_id, keys in _flat_keymap(keymap).items():
        where = _keymap_where(path, text, written_id)
        binding_id = RENAMED_IDS.get(written_id, written_id)
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
    if key == "timezone":
        return localtime.zone_problem(value)
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
    if "api_key" in data and "api_key_file" in data:
        raise ConfigError(f"{_where(path, text, 'api_key_file')}: {_NOT_BOTH}")
    if "accounts" in data:
        data["accounts"] = _check_accounts(path, text, data["accounts"])
    if "default_account" in data:
        names = [DEFAULT_ACCOUNT, *data.get("accounts", {})]
        if data["default_account"] not in names:
            raise ConfigError(
                f"{_where(path, text, 'default_account')}: default_account "
                f"{data['default_account'][:_QUOTED]!r} is not an account (accounts: "
                f"{', '.join(names)})"
            )
    tables = list(data.get("accounts", {}).values())
    if "api_key" in data or any("api_key" in table for table in tables):
        _check_private(path, "an API key")
    if "base_url" in data or any("base_url" in table for table in tables):
        _check_private(path, "base_url, where the API key is sent,", stat.S_IWGRP | stat.S_IWOTH)
    return data


_ACCOUNT_KEYS = ("api_key", "api_key_file", "base_url")
_NOT_BOTH = "set api_key or api_key_file, not both"


def _account_where(path: Path, text: str, name: str, key: str | None = None) -> str:
    """The line of `[accounts.NAME]`, or of `key` in that table; the file alone when the table is
    written another way (`accounts.work.api_key = ...`, an inline table)."""
    header = re.compile(
        rf"""^[ \t]*\[[ \t]*accounts[ \t]*\.[ \t]*["']?{re.escape(name)}["']?[ \t]*\]""",
        re.MULTILINE,
    )
    found = header.search(text)
    if found is None:
        return str(path)
    start = found.start()
    if key is not None:
        following = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, found.end())
        table = text[found.end() : following.start() if following else len(text)]
        line = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=", re.MULTILINE).search(table)
        if line is not None:
            start = found.end() + line.start()
    return f"{path} line {text.count(chr(10), 0, start) + 1}"


def _check_accounts(
    path: Path, text: str, accounts: Mapping[str, Any]
) -> dict[str, dict[str, str]]:
    """`[accounts.NAME]` tables: a valid name, exactly one of api_key and api_key_file, and no
    other setting (base_url is checked with the other base URLs)."""
    checked: dict[str, dict[str, str]] = {}
    for name, table in accounts.items():
        where = _account_where(path, text, name)
        if not ACCOUNT_NAME.fullmatch(name):
            raise ConfigError(
                f"{where}: account name {name[:_QUOTED]!r} may hold only letters, digits, - and _ "
                "(at most 40)"
            )
        if name == DEFAULT_ACCOUNT:
            raise ConfigError(
                f"{where}: accounts.default: 'default' is the account of the top-level api_key; "
                "name this one otherwise"
            )
        if not isinstance(table, dict):
            raise ConfigError(
                f"{where}: accounts.{name} must be a table: [accounts.{name}] with api_key or "
                "api_key_file"
            )
        for key, value in table.items():
            key_where = _account_where(path, text, name, key)
            if key not in _ACCOUNT_KEYS:
                raise ConfigError(
                    f"{key_where}: accounts.{name}: unknown setting {key[:_QUOTED]!r} "
                    f"(known: {', '.join(_ACCOUNT_KEYS)})"
                )
            if not isinstance(value, str):
                raise ConfigError(f"{key_where}: accounts.{name}.{key} must be str")
            if not value.strip():
                raise ConfigError(f"{key_where}: accounts.{name}.{key} is empty")
        if "api_key" in table and "api_key_file" in table:
            where = _account_where(path, text, name, "api_key_file")
            raise ConfigError(f"{where}: accounts.{name}: {_NOT_BOTH}")
        if "api_key" not in table and "api_key_file" not in table:
            raise ConfigError(f"{where}: accounts.{name}: needs api_key or api_key_file")
        checked[name] = {key: value.strip() for key, value in table.items()}
        if "base_url" in table:
            source = f"{_account_where(path, text, name, 'base_url')}: accounts.{name}.base_url"
            checked[name]["base_url"] = _checked_base_url(table["base_url"], source)
    return checked


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

    Recognised flags: config, account, api_key_file, base_url, site, range, refresh, theme,
    demo, no_cache.
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
        "timezone",
    )
    settings = replace(settings, **{k: data[k] for k in file_keys if k in data})
    if "refresh" in data:
        settings = replace(settings, refresh=float(data["refresh"]))
    if "keymap" in data:
        settings = replace(settings, keymap=dict(data["keymap"]))

    default = _default_account(flags, env, data, config_path)
    named = [_named_account(config_path, n, t) for n, t in data.get("accounts", {}).items()]
    chosen = _chosen_account(flags, data, config_path, default, named)
    if flags.get("demo"):
        # The demo is one account of its own: no switching, no named account's key read.
        chosen, listed = default, []
    else:
        has_key = default.api_key is not None or default.api_key_file is not None
        listed = [default] if has_key or not named or chosen is default else []
        listed += named
    settings = replace(
        settings,
        account=chosen.name,
        accounts=tuple(listed),
        api_key=chosen.key(),
        base_url=chosen.base_url,
    )
    if flags.get("site") is not None:
        settings = replace(settings, site=_checked("site", int(flags["site"]), "--site"))
    if flags.get("range"):
        settings = replace(settings, range=str(flags["range"]))
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
    return settings


def _default_account(
    flags: Mapping[str, Any], env: Mapping[str, str], data: Mapping[str, Any], config_path: Path
) -> Account:
    """The account of the top-level settings: flag > environment > config file, for its key
    (`--api-key-file`, $TINYLYTICS_API_KEY, api_key or api_key_file) and its base URL."""
    account = Account(DEFAULT_ACCOUNT)
    file_key = data.get("api_key", "").strip()
    file_key_path = data.get("api_key_file", "").strip()
    if flags.get("api_key_file"):
        path = Path(flags["api_key_file"]).expanduser()
        account = replace(account, api_key_file=path, key_source="--api-key-file")
    elif env.get(ENV_API_KEY, "").strip():
        account = replace(
            account, api_key=Secret(env[ENV_API_KEY].strip()), key_source=f"${ENV_API_KEY}"
        )
    elif file_key:
        account = replace(account, api_key=Secret(file_key), key_source=f"api_key in {config_path}")
    elif file_key_path:
        path = _key_path(config_path, file_key_path)
        account = replace(account, api_key_file=path, key_source=f"api_key_file {path}")

    url_sources = (
        (flags.get("base_url"), "--base-url"),
        (env.get(ENV_BASE_URL), ENV_BASE_URL),
        (data.get("base_url"), _where(config_path, "", "base_url")),
    )
    base_url, url_source = next(((u, s) for u, s in url_sources if u), (None, ""))
    if base_url is None:
        return account
    if flags.get("demo"):
        # The demo's own server is used: a base URL given does not matter.
        return replace(account, base_url=str(base_url))
    return replace(account, base_url=_checked_base_url(str(base_url), url_source))


def _key_path(config_path: Path, value: str) -> Path:
    """A key file named in the config file: `~` expanded, a relative path from the file's
    directory (not from wherever the app was started)."""
    return config_path.parent / Path(value).expanduser()


def _named_account(config_path: Path, name: str, table: Mapping[str, str]) -> Account:
    base_url = table.get("base_url", DEFAULT_BASE_URL)
    if "api_key" in table:
        source = f"accounts.{name}.api_key in {config_path}"
        return Account(name, base_url, api_key=Secret(table["api_key"]), key_source=source)
    path = _key_path(config_path, table["api_key_file"])
    return Account(name, base_url, api_key_file=path, key_source=f"api_key_file {path}")


def _chosen_account(
    flags: Mapping[str, Any],
    data: Mapping[str, Any],
    config_path: Path,
    default: Account,
    named: list[Account],
) -> Account:
    """The account the app starts with (the order is in this module's docstring)."""
    by_name = {account.name: account for account in (default, *named)}
    default_flags = [f for f in ("api_key_file", "base_url") if flags.get(f)]
    wanted = flags.get("account")
    if wanted:
        account = by_name.get(str(wanted))
        if account is None:
            raise ConfigError(
                f"--account {str(wanted)[:_QUOTED]!r}: no such account "
                f"(accounts: {', '.join(by_name)}; [accounts.NAME] tables in {config_path})"
            )
        if default_flags and account is not default:
            flag = "--" + default_flags[0].replace("_", "-")
            raise ConfigError(
                f"{flag} is the default account's, not {account.name}'s: drop it, or set it in "
                f"[accounts.{account.name}] in {config_path}"
            )
        return account
    if default_flags:
        return default
    if "default_account" in data:
        # Its name was checked against the file's accounts as the file was read.
        return by_name[data["default_account"]]
    has_key = default.api_key is not None or default.api_key_file is not None
    return default if has_key or not named else named[0]


def save_settings(
    path: Path, updates: Mapping[str, Any], *, account: str = DEFAULT_ACCOUNT
) -> None:
    """Write `updates` into the config file, keeping the user's comments and layout; with
    another `account` than the default, into its `[accounts.NAME]` table (its api_key).

    The file is created private (0600) because it may hold the API key: the new text goes to a
    temporary file that only this call can have created (mkstemp: O_EXCL, mode 0600, a random
    name, so neither a leftover file nor a symlink there is reused), then replaces the file.
    """
    import tomlkit  # only for writing: a start that writes nothing does not load it

    unknown = set(updates) - set(_FILE_KEYS if account == DEFAULT_ACCOUNT else _ACCOUNT_KEYS)
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
    target: Any = doc
    if account != DEFAULT_ACCOUNT:
        target = doc.setdefault("accounts", tomlkit.table(is_super_table=True))
        target = target.setdefault(account, tomlkit.table())
    for key, value in updates.items():
        target[key] = value
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
