"""How a panel's values read: referrers without the scheme that says nothing, words for blanks."""

from __future__ import annotations

from app.live.dashboard import PANELS
from app.ui.widgets.panels import value_text

REFERRERS = next(p for p in PANELS if p.group_by == "referrer")
PAGES = next(p for p in PANELS if p.group_by == "path")


def test_a_referrer_reads_from_its_host() -> None:
    assert value_text(REFERRERS, "https://www.google.com/").plain == "www.google.com/"
    # Plain http is worth seeing; so is anything that is not a web address.
    assert value_text(REFERRERS, "http://old.example/").plain == "http://old.example/"
    assert value_text(REFERRERS, "android-app://x").plain == "android-app://x"
    assert value_text(REFERRERS, None).plain == "(direct)"
    assert value_text(REFERRERS, "").plain == "(hidden)"


def test_a_path_reads_as_sent() -> None:
    assert value_text(PAGES, "/https://x").plain == "/https://x"
    assert value_text(PAGES, None).plain == "(unknown)"
