"""What `o` opens (app/opener.py): web addresses only, and a browser only where one can show.
No browser is started: the opener is handed in."""

from __future__ import annotations

import webbrowser

import pytest

from app.demo.catalog import HOSTILE_LABELS, HOSTILE_PATHS, HOSTILE_REFERRERS
from app.opener import browse, grouped_selection, local_browser, page_url, web_address


@pytest.mark.parametrize(
    "url",
    [
        "https://fieldnotes.blog",
        "http://localhost:8080/x?y=1#z",
        "HTTPS://Example.COM/",
        "https://пример.рф/ссылка",
    ],
)
def test_web_addresses(url: str) -> None:
    assert web_address(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/",
        "https://",
        "//evil.example/x",
        "fieldnotes.blog",
        "https://a.example:port/",
        "https://a.example/\x1b[31mred",
        "https://a.example/\r\nSet-Cookie: x",
        "https://a.example/ space",
        "https://a.example/\u202egnp.exe",
        "",
        None,
        *HOSTILE_LABELS.values(),
        "[link=http://evil.example]trusted[/link]",
    ],
)
def test_anything_else_is_not_a_web_address(url: str | None) -> None:
    assert web_address(url) is None


def test_a_page_is_the_sites_host_and_the_path() -> None:
    site = "https://fieldnotes.blog/"
    assert page_url(site, "/posts/a") == "https://fieldnotes.blog/posts/a"
    assert page_url(site, "posts/a") == "https://fieldnotes.blog/posts/a"
    assert page_url(site, "/a b/日本") == "https://fieldnotes.blog/a%20b/%E6%97%A5%E6%9C%AC"
    # A path that looks like a host stays a path on the site's host.
    assert page_url(site, "//evil.example/x") == "https://fieldnotes.blog//evil.example/x"
    assert page_url("javascript:alert(1)", "/x") is None
    assert page_url(None, "/x") is None
    assert page_url(site, None) is None


def test_hostile_paths_never_make_an_address_off_the_site() -> None:
    for path in HOSTILE_PATHS:
        url = page_url("https://fieldnotes.blog", path)
        if url is not None:
            assert url.startswith("https://fieldnotes.blog/")
            assert web_address(url) == url
    # Paths holding escapes or control characters make no address at all.
    assert page_url("https://fieldnotes.blog", "/\x1b[31mred-alert\x1b[0m") is None
    assert page_url("https://fieldnotes.blog", "/\r\nSet-Cookie:-x=1") is None


def test_what_a_panel_row_opens() -> None:
    site = "https://fieldnotes.blog"
    path = grouped_selection("path", "/about", site)
    assert (path.what, path.text, path.url) == ("path", "/about", "https://fieldnotes.blog/about")
    ref = grouped_selection("referrer", "https://news.ycombinator.com/", site)
    assert ref.url == "https://news.ycombinator.com/"
    for referrer in HOSTILE_REFERRERS:
        selection = grouped_selection("referrer", referrer, site)
        assert selection.text == referrer
        assert selection.url in (None, referrer)
    assert grouped_selection("referrer", "[link=http://evil.example]x[/link]", site).url is None
    assert grouped_selection("referrer", None, site).text == ""
    assert grouped_selection("country", "US", site).url is None


@pytest.mark.parametrize(
    ("env", "platform", "local"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "linux", False),
        ({}, "freebsd14", False),
        ({"DISPLAY": ":0", "SSH_CONNECTION": "10.0.0.2 5555 10.0.0.1 22"}, "linux", False),
        ({"DISPLAY": "localhost:10.0", "SSH_TTY": "/dev/pts/3"}, "linux", False),
        ({}, "darwin", True),
        ({"SSH_CLIENT": "10.0.0.2 5555 22"}, "darwin", False),
        ({}, "win32", True),
    ],
)
def test_a_browser_is_local_only_without_ssh_and_with_a_display(
    env: dict[str, str], platform: str, local: bool
) -> None:
    assert local_browser(env, platform) is local


def test_browse_hands_only_web_addresses_to_the_browser() -> None:
    opened: list[str] = []

    def opener(url: str) -> bool:
        opened.append(url)
        return True

    assert browse("https://fieldnotes.blog/about", opener)
    assert not browse("javascript:alert(1)", opener)
    assert not browse("file:///etc/passwd", opener)
    assert opened == ["https://fieldnotes.blog/about"]


def test_a_browser_that_fails_is_false() -> None:
    def refuses(url: str) -> bool:
        return False

    def breaks(url: str) -> bool:
        raise webbrowser.Error("could not locate runnable browser")

    assert not browse("https://fieldnotes.blog", refuses)
    assert not browse("https://fieldnotes.blog", breaks)
