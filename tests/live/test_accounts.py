"""The account registry without Textual: sessions made lazily, one per account, each with its
own view state, budget and cache file; a key file read only when its account is switched to."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from app.config import Account, ConfigError, Settings
from app.demo import DEMO_KEY, DemoServer
from app.live.accounts import Accounts
from app.secret import Secret


def settings_for(demo: DemoServer, tmp_path: Path, **given: object) -> Settings:
    key = Secret(DEMO_KEY)
    accounts = (
        Account("default", demo.base_url, api_key=key),
        # The same server under another name: another base URL, so another cache file.
        Account(
            "work", demo.base_url.replace("127.0.0.1", "localhost"), api_key_file=tmp_path / "k"
        ),
    )
    return Settings(
        api_key=key,
        base_url=demo.base_url,
        account="default",
        accounts=accounts,
        config_path=tmp_path / "config.toml",
        **given,  # type: ignore[arg-type]
    )


async def test_each_account_gets_its_own_session_state_budget_and_cache(
    demo: DemoServer, tmp_path: Path
) -> None:
    (tmp_path / "k").write_text("tly-ro-demo", encoding="utf-8")
    os.chmod(tmp_path / "k", 0o600)
    accounts = Accounts(settings_for(demo, tmp_path, site=456), now=demo.clock.now)
    first = accounts.session()
    assert accounts.sessions() == [first]  # the other account is not made before it is used
    assert first.label == "default" and first.state.site_id == 456

    work = accounts.switch("work")
    assert accounts.current == "work" and accounts.others() == ["default"]
    assert work is not first and work.label == "work"
    assert work.state is not first.state and work.state.site_id is None  # --site is the first's
    assert work.budget is not first.budget
    key = accounts.key("work")
    assert key is not None and key.get_secret_value() == DEMO_KEY
    first.connect(Secret(DEMO_KEY), accounts.base_url("default"))
    work.connect(key, accounts.base_url("work"))
    try:
        assert first.cache is not None and work.cache is not None
        assert first.cache.path != work.cache.path
        assert first.cache.path.exists() and work.cache.path.exists()
        assert accounts.switch("default") is first
    finally:
        await accounts.close()
    assert first.api is None and work.api is None


async def test_a_key_file_that_cannot_be_read_leaves_the_current_account(
    demo: DemoServer, tmp_path: Path
) -> None:
    accounts = Accounts(settings_for(demo, tmp_path), now=demo.clock.now)
    first = accounts.session()
    with pytest.raises(ConfigError) as caught:
        accounts.switch("work")
    assert caught.value.message == f"account work: API key file {tmp_path / 'k'} does not exist"
    assert accounts.current == "default" and accounts.session() is first
    assert accounts.sessions() == [first]


def test_one_account_is_not_labelled(demo: DemoServer, tmp_path: Path) -> None:
    settings = Settings(api_key=Secret(DEMO_KEY), base_url=demo.base_url)
    accounts = Accounts(settings)
    assert accounts.names == ["default"] and not accounts.several
    assert accounts.others() == []
    assert accounts.session().label == ""


def test_the_default_accounts_key_file_is_named_with_its_account_at_a_switch(
    demo: DemoServer, tmp_path: Path
) -> None:
    (tmp_path / "k").write_text(DEMO_KEY, encoding="utf-8")
    os.chmod(tmp_path / "k", 0o600)
    missing = tmp_path / "default.key"
    settings = settings_for(demo, tmp_path)
    default = Account("default", demo.base_url, api_key_file=missing)
    settings = replace(
        settings, account="work", api_key=Secret(DEMO_KEY), accounts=(default, settings.accounts[1])
    )
    accounts = Accounts(settings, now=demo.clock.now)
    with pytest.raises(ConfigError) as caught:
        accounts.switch("default")
    assert caught.value.message == f"account default: API key file {missing} does not exist"
    assert accounts.current == "work"
