"""Several accounts in the config file: parsing, one-line errors, precedence, and the key rules
(private key files, https) applied to each account."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli import main
from app.config import DEFAULT_BASE_URL, ConfigError, Settings, load_settings, save_settings

KEY = "tly-ro-default-secret"
WORK = "tly-ro-work-secret"
HOME = "tly-ro-home-secret"
NO_ENV: dict[str, str] = {}


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def load(config: Path, env: dict[str, str] | None = None, **flags: object) -> Settings:
    return load_settings({"config": str(config), **flags}, NO_ENV if env is None else env)


def error_of(config: Path, env: dict[str, str] | None = None, **flags: object) -> str:
    with pytest.raises(ConfigError) as caught:
        load(config, env, **flags)
    message = caught.value.message
    assert "\n" not in message
    return message


def secret(settings: Settings) -> str:
    assert settings.api_key is not None
    return settings.api_key.get_secret_value()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A default account and two named ones, one with its key in a file next to the config."""
    write(tmp_path / "home.key", HOME + "\n")
    return write(
        tmp_path / "config.toml",
        f'api_key = "{KEY}"\n'
        "\n"
        "[accounts.work]\n"
        f'api_key = "{WORK}"\n'
        'base_url = "https://work.example/api/v1"\n'
        "\n"
        "[accounts.home-2]\n"
        'api_key_file = "home.key"\n',
    )


# -- parsing -------------------------------------------------------------------------------------


def test_the_accounts_are_listed_in_file_order_without_reading_key_files(
    config: Path, tmp_path: Path
) -> None:
    (tmp_path / "home.key").unlink()  # read only when home-2 is used
    settings = load(config)
    assert [a.name for a in settings.accounts] == ["default", "work", "home-2"]
    _, work, home = settings.accounts
    assert settings.account == "default"
    assert secret(settings) == KEY
    assert work.base_url == "https://work.example/api/v1/"
    assert home.base_url == DEFAULT_BASE_URL
    assert home.api_key is None and home.api_key_file == tmp_path / "home.key"
    assert home.key_source == f"api_key_file {tmp_path / 'home.key'}"
    assert "accounts.work.api_key" in work.key_source
    with pytest.raises(ConfigError) as caught:
        home.key()
    missing = f"account home-2: API key file {home.api_key_file} does not exist"
    assert caught.value.message == missing


def test_a_config_without_accounts_is_the_one_default_account_as_before(tmp_path: Path) -> None:
    settings = load(write(tmp_path / "c.toml", f'api_key = "{KEY}"\n'))
    assert settings.account == "default"
    assert [a.name for a in settings.accounts] == ["default"]
    assert settings.accounts[0].key_source == f"api_key in {settings.config_path}"
    assert secret(settings) == KEY
    assert settings.base_url == DEFAULT_BASE_URL


def test_a_top_level_key_file_is_the_default_account(tmp_path: Path) -> None:
    write(tmp_path / "k", KEY)
    settings = load(write(tmp_path / "c.toml", 'api_key_file = "k"\n', 0o644))
    assert secret(settings) == KEY


def test_an_account_is_chosen_with_the_flag(config: Path) -> None:
    settings = load(config, account="home-2")
    assert settings.account == "home-2"
    assert secret(settings) == HOME
    assert settings.base_url == DEFAULT_BASE_URL
    work = load(config, account="work")
    assert secret(work) == WORK
    assert work.base_url == "https://work.example/api/v1/"


def test_default_account_in_the_file_chooses_the_start(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    write(config, 'default_account = "work"\n' + text)
    assert load(config).account == "work"
    assert load(config, account="default").account == "default"


def test_without_a_default_key_the_first_named_account_starts(tmp_path: Path) -> None:
    config = write(
        tmp_path / "c.toml",
        f'[accounts.blog]\napi_key = "{WORK}"\n\n[accounts.shop]\napi_key = "{HOME}"\n',
    )
    settings = load(config)
    assert settings.account == "blog"
    assert [a.name for a in settings.accounts] == ["blog", "shop"]
    # Asked for by name, the default account is there, without a key: the first-run screen.
    asked = load(config, account="default")
    assert asked.api_key is None
    assert [a.name for a in asked.accounts] == ["default", "blog", "shop"]


def test_one_named_account_alone_is_no_choice(tmp_path: Path) -> None:
    settings = load(write(tmp_path / "c.toml", f'[accounts.blog]\napi_key = "{WORK}"\n'))
    assert settings.account == "blog"
    assert [a.name for a in settings.accounts] == ["blog"]
    assert secret(settings) == WORK


def test_the_demo_is_one_account_of_its_own(config: Path) -> None:
    settings = load(config, demo=True, account="work")
    assert settings.accounts == ()
    assert settings.account == "default"


def test_an_account_key_can_be_saved_into_its_table(config: Path) -> None:
    save_settings(config, {"api_key": "tly-ro-new-work"}, account="work")
    settings = load(config, account="work")
    assert secret(settings) == "tly-ro-new-work"
    assert settings.base_url == "https://work.example/api/v1/"
    save_settings(config, {"api_key": "tly-ro-new-blog"}, account="blog")
    assert secret(load(config, account="blog")) == "tly-ro-new-blog"
    assert secret(load(config)) == KEY
    assert config.stat().st_mode & 0o777 == 0o600


# -- precedence --------------------------------------------------------------------------------


def test_the_environment_key_is_the_default_accounts_only(config: Path) -> None:
    env = {"TINYLYTICS_API_KEY": "tly-ro-env", "TINYLYTICS_BASE_URL": "https://env.example/v1"}
    default = load(config, env)
    assert secret(default) == "tly-ro-env"
    assert default.base_url == "https://env.example/v1/"
    assert default.accounts[0].key_source == "$TINYLYTICS_API_KEY"
    work = load(config, env, account="work")
    assert secret(work) == WORK
    assert work.base_url == "https://work.example/api/v1/"


def test_the_environment_key_does_not_override_default_account(config: Path) -> None:
    write(config, 'default_account = "work"\n' + config.read_text(encoding="utf-8"))
    assert load(config, {"TINYLYTICS_API_KEY": "tly-ro-env"}).account == "work"


def test_key_and_url_flags_start_the_default_account(config: Path, tmp_path: Path) -> None:
    write(config, 'default_account = "work"\n' + config.read_text(encoding="utf-8"))
    key_file = write(tmp_path / "flag.key", "tly-ro-flag")
    by_file = load(config, api_key_file=str(key_file))
    assert by_file.account == "default"
    assert secret(by_file) == "tly-ro-flag"
    by_url = load(config, base_url="https://flag.example/v1")
    assert by_url.account == "default"
    assert by_url.base_url == "https://flag.example/v1/"


@pytest.mark.parametrize("flag", ["api_key_file", "base_url"])
def test_key_and_url_flags_are_refused_with_a_named_account(
    config: Path, tmp_path: Path, flag: str
) -> None:
    value = str(write(tmp_path / "flag.key", "x")) if flag == "api_key_file" else "https://x.io"
    flags: dict[str, object] = {"account": "work", flag: value}
    message = error_of(config, None, **flags)
    assert message.startswith(f"--{flag.replace('_', '-')} is the default account's, not work's")
    assert "[accounts.work]" in message


# -- errors ------------------------------------------------------------------------------------


def test_an_unknown_account_flag_lists_the_known_names(config: Path) -> None:
    message = error_of(config, account="play")
    assert message.startswith("--account 'play': no such account (accounts: default, work, home-2")


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            f'[accounts."my work"]\napi_key = "{WORK}"\n',
            "line 1: account name 'my work' may hold only letters, digits, - and _",
        ),
        (
            f'[accounts.work]\napi_key = "{WORK}"\napi_key_file = "k"\n',
            "line 3: accounts.work: set api_key or api_key_file, not both",
        ),
        (
            '[accounts.work]\nbase_url = "https://work.example"\n',
            "line 1: accounts.work: needs api_key or api_key_file",
        ),
        (
            f'[accounts.work]\napi_key = "{WORK}"\nrefresh = 5\n',
            "line 3: accounts.work: unknown setting 'refresh' (known: api_key, api_key_file, "
            "base_url)",
        ),
        (
            "[accounts.work]\napi_key = 42\n",
            "line 2: accounts.work.api_key must be str",
        ),
        (
            '[accounts.work]\napi_key = "  "\n',
            "line 2: accounts.work.api_key is empty",
        ),
        (
            f'[accounts.default]\napi_key = "{WORK}"\n',
            "line 1: accounts.default: 'default' is the account of the top-level api_key",
        ),
        (
            '[accounts]\nwork = "tly-ro-x"\n',
            "accounts.work must be a table: [accounts.work] with api_key or api_key_file",
        ),
        (
            f'default_account = "play"\n[accounts.work]\napi_key = "{WORK}"\n',
            "line 1: default_account 'play' is not an account (accounts: default, work)",
        ),
        (
            f'api_key = "{KEY}"\napi_key_file = "k"\n',
            "line 2: set api_key or api_key_file, not both",
        ),
    ],
)
def test_a_bad_account_is_one_line_naming_the_account_and_the_key(
    tmp_path: Path, table: str, expected: str
) -> None:
    config = write(tmp_path / "c.toml", table)
    message = error_of(config)
    assert expected in message
    assert message.startswith(str(config))


def test_the_line_is_the_one_in_the_accounts_own_table(tmp_path: Path) -> None:
    config = write(
        tmp_path / "c.toml",
        f'[accounts.a]\napi_key = "{WORK}"\n\n[accounts.b]\napi_key = "{HOME}"\nbell = true\n',
    )
    assert error_of(config).startswith(f"{config} line 6: accounts.b: unknown setting 'bell'")


def test_the_cli_says_the_unknown_account_in_one_line_and_exits_2(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(config), "--account", "play"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no such account (accounts: default, work, home-2" in err


# -- the key rules, for each account -----------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_an_accounts_inline_key_makes_the_config_private(tmp_path: Path, mode: int) -> None:
    config = write(tmp_path / "c.toml", f'[accounts.work]\napi_key = "{WORK}"\n', mode)
    message = error_of(config)
    assert "holds an API key" in message
    assert f"chmod 600 {config}" in message


def test_an_accounts_key_file_readable_by_others_is_refused_when_used(
    config: Path, tmp_path: Path
) -> None:
    key_file = tmp_path / "home.key"
    os.chmod(key_file, 0o644)
    # Another account's key file does not stop a start...
    settings = load(config)
    home = next(a for a in settings.accounts if a.name == "home-2")
    # ... and is refused, in one line naming the account, when that account is used.
    with pytest.raises(ConfigError) as caught:
        home.key()
    assert caught.value.message.startswith(f"account home-2: {key_file} holds an API key")
    assert f"chmod 600 {key_file}" in caught.value.message
    # Chosen at start, it stops the start.
    assert f"chmod 600 {key_file}" in error_of(config, account="home-2")


def test_an_accounts_key_file_that_is_fixed_is_read_again(config: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "home.key"
    key_file.unlink()
    home = next(a for a in load(config).accounts if a.name == "home-2")
    with pytest.raises(ConfigError):
        home.key()
    write(key_file, HOME)
    key = home.key()
    assert key is not None and key.get_secret_value() == HOME


def test_an_accounts_base_url_others_can_write_is_refused(tmp_path: Path) -> None:
    config = write(
        tmp_path / "c.toml",
        '[accounts.work]\napi_key_file = "k"\nbase_url = "https://work.example"\n',
        0o666,
    )
    message = error_of(config)
    assert "base_url, where the API key is sent" in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://work.example/api/v1", "refusing to send the API key unencrypted"),
        ("ftp://work.example", "the base URL must be an http(s) URL"),
        ("https://work.example:0/", "invalid port"),
    ],
)
def test_an_accounts_base_url_follows_the_https_rule(
    tmp_path: Path, url: str, expected: str
) -> None:
    config = write(
        tmp_path / "c.toml",
        f'api_key = "{KEY}"\n\n[accounts.work]\napi_key = "{WORK}"\nbase_url = "{url}"\n',
    )
    message = error_of(config)
    assert message.startswith(f"{config} line 5: accounts.work.base_url: ")
    assert expected in message


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_an_account_may_use_plain_http_on_this_machine(tmp_path: Path, host: str) -> None:
    config = write(
        tmp_path / "c.toml",
        f'[accounts.local]\napi_key = "{WORK}"\nbase_url = "http://{host}:8000/api/v1"\n',
    )
    assert load(config).base_url == f"http://{host}:8000/api/v1/"


def test_no_account_key_is_ever_shown(config: Path) -> None:
    settings = load(config)
    shown = repr(settings) + str(settings)
    for key in (KEY, WORK, HOME):
        assert key not in shown
