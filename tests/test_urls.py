"""The base URL rule of app.urls, and that the settings and the client both follow it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.api import TinylyticsClient
from app.config import ConfigError, check_base_url, load_settings
from app.urls import BaseUrlError, is_loopback_host
from app.urls import check_base_url as checked

REMOTE_HTTP = "http://tinylytics.app/api/v1/"
NOT_HTTP = ["ftp://127.0.0.1/", "tinylytics.app/api/v1", "https://", "http://[::1/", ""]


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.10", "::1", "[::1]"]
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host", [None, "", "0.0.0.0", "10.0.0.8", "localhost.example.com", "tinylytics.app", "::"]
)
def test_other_hosts(host: str | None) -> None:
    assert not is_loopback_host(host)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://tinylytics.app/api/v1", "https://tinylytics.app/api/v1/"),
        ("https://tinylytics.app/api/v1/", "https://tinylytics.app/api/v1/"),
        ("  https://tinylytics.app/api/v1\n", "https://tinylytics.app/api/v1/"),
        ("HTTPS://tinylytics.app/api/v1/", "https://tinylytics.app/api/v1/"),
        ("http://127.0.0.1:8000/api/v1", "http://127.0.0.1:8000/api/v1/"),
        ("http://localhost:1/api/v1/", "http://localhost:1/api/v1/"),
        ("http://[::1]:9/", "http://[::1]:9/"),
    ],
)
def test_accepted_urls_end_in_a_slash(url: str, expected: str) -> None:
    assert checked(url) == expected


@pytest.mark.parametrize("url", NOT_HTTP)
def test_not_an_http_url(url: str) -> None:
    with pytest.raises(BaseUrlError, match=r"must be an http\(s\) URL"):
        checked(url)


@pytest.mark.parametrize("url", [REMOTE_HTTP, "http://10.0.0.8:3000/", "http://0.0.0.0:8000/"])
def test_plain_http_only_to_loopback(url: str) -> None:
    with pytest.raises(BaseUrlError, match="unencrypted over plain http") as caught:
        checked(url)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("url", [REMOTE_HTTP, *NOT_HTTP])
def test_settings_and_client_say_the_same_thing(url: str, tmp_path: Path) -> None:
    with pytest.raises(BaseUrlError) as rule:
        checked(url)
    with pytest.raises(ConfigError) as config:
        check_base_url(url)
    with pytest.raises(ValueError, match="http") as client:
        TinylyticsClient("tly-ro-demo", url)
    assert config.value.message == str(client.value) == rule.value.message


def test_settings_refuse_plain_http_with_a_config_error(tmp_path: Path) -> None:
    env = {"TINYLYTICS_TUI_CONFIG": str(tmp_path / "none"), "TINYLYTICS_API_KEY": "tly-ro-x"}
    with pytest.raises(ConfigError, match="plain http"):
        load_settings({"base_url": REMOTE_HTTP}, env)
