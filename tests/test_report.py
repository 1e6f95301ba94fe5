"""`tinylytics-tui report` and `tinylytics-tui sites` as a script meets them: the command line run
in-process against the demo server (frozen clock), its stdout parsed, its exit codes and its one
line on stderr. The report and the screen agreeing is tests/ui/test_report_agrees.py."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.csvsafe import csv_cell, safe_text
from app.demo import DEMO_KEY, DemoServer
from app.live.range_arg import parse_range
from app.live.ranges import DayRange, RangeKind
from app.live.report import WHATS, Table
from app.report_output import as_json, write_table
from tests.hostile import HostileServer

SECRET = "tly-ro-S3CRET-report-7f3a9d"
FORMATS = ("json", "csv", "table")
# The site each report is asked about: every demo site has hits; 456 has a monitor and insights.
SITE = "456"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> list[dict[str, Any]]:
        data = json.loads(self.out)
        assert isinstance(data, list)
        return data

    def csv(self) -> list[list[str]]:
        return list(csv.reader(io.StringIO(self.out)))


Cli = Callable[..., Run]


def key_file(tmp_path: Path, key: str) -> Path:
    path = tmp_path / f"key-{len(list(tmp_path.glob('key-*')))}"
    path.write_text(key + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def cli(demo: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run the command line in-process with the demo's clock; connection options are added
    (after everything else, as a script may write them) unless `connect=False`."""

    def run(
        *argv: str,
        server: DemoServer | HostileServer | None = None,
        key: str = DEMO_KEY,
        connect: bool = True,
    ) -> Run:
        target = server or demo
        args = list(argv)
        if connect:
            args += ["--base-url", target.base_url, "--api-key-file", str(key_file(tmp_path, key))]
        capsys.readouterr()
        try:
            code = main(args, now=target.clock.now)
        except SystemExit as leaving:  # argparse's way out: the same code for the shell
            code = leaving.code if isinstance(leaving.code, int) else 1
        captured = capsys.readouterr()
        result = Run(code, captured.out, captured.err)
        for secret in (SECRET, DEMO_KEY):
            assert secret not in result.out + result.err
        return result

    return run


def one_line_error(run: Run, code: int) -> str:
    assert run.code == code, run
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("tinylytics-tui")
    assert "Traceback" not in run.err
    return lines[0]


# -- every report, every format ---------------------------------------------------------------

# What each report's columns start with, and how many rows it has at least.
EXPECTED: dict[str, tuple[tuple[str, ...], int]] = {
    "summary": (("site_id", "site", "range", "start", "end", "filters", "hits"), 1),
    "hits": (("start", "hits", "previous_start", "previous_hits"), 7),
    "pages": (("path", "hits", "share_percent", "unique_views"), 10),
    "referrers": (("referrer", "hits", "share_percent"), 5),
    "countries": (("country", "hits", "share_percent"), 5),
    "browsers": (("browser", "hits", "share_percent"), 3),
    "platforms": (("platform", "hits", "share_percent"), 3),
    "leaderboard": (("rank", "path", "hits", "unique_hits", "share_percent"), 10),
    "journeys": (("started", "pages", "duration_seconds", "entry", "exit", "visitor"), 10),
    "uptime": (("site_id", "site", "state", "down_since", "error", "uptime_percent"), 1),
    "insights": (("date", "traffic_patterns", "best_content", "recommendations"), 1),
}


def test_every_report_is_listed() -> None:
    assert set(EXPECTED) == set(WHATS)


@pytest.mark.parametrize("what", list(WHATS))
def test_every_report_in_every_format(cli: Cli, what: str) -> None:
    columns, at_least = EXPECTED[what]
    runs = {fmt: cli("report", "--site", SITE, what, "--format", fmt) for fmt in FORMATS}
    for fmt, run in runs.items():
        assert run.code == 0, (fmt, run.err)
        assert run.err == ""

    records = runs["json"].json()
    assert len(records) >= at_least
    assert tuple(records[0])[: len(columns)] == columns

    # The CSV holds the same rows, in the same order, as text.
    rows = runs["csv"].csv()
    assert tuple(rows[0]) == tuple(records[0])
    assert len(rows) == len(records) + 1
    for row, record in zip(rows[1:], records, strict=True):
        assert row == [csv_cell(value) for value in record.values()]

    # The table names what it shows and holds the first column's values.
    table = runs["table"].out
    assert columns[0] in table
    first = str(records[0][columns[0]])
    assert first.split("T")[0][:12] in table


def test_the_table_is_the_default_on_a_terminal_and_csv_in_a_pipe(cli: Cli) -> None:
    piped = cli("report", "--site", SITE, "summary")
    assert piped.csv()[0][:3] == ["site_id", "site", "range"]

    from app.report_output import default_format

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert default_format(Terminal()) == "table"
    assert default_format(io.StringIO()) == "csv"


def test_summary_numbers(cli: Cli, demo: DemoServer) -> None:
    (record,) = cli("report", "--site", SITE, "summary", "--format", "json").json()
    assert record["site_id"] == 456
    assert record["site"] == "Field Notes"
    assert record["range"] == "7d"
    # The 7 UTC days ending with the demo's today (2026-11-20).
    assert record["start"] == "2026-11-14T00:00:00Z"
    assert record["end"] == "2026-11-21T00:00:00Z"
    assert record["hits"] > 0 and record["previous_hits"] > 0
    # The dashboard's change (its arrow): the screen agreeing is tests/ui/test_report_agrees.py.
    assert isinstance(record["change_percent"], float)
    # The change compares equal spans, which the record gives: not the whole previous period.
    current, previous = record["compared_hits"], record["compared_previous_hits"]
    assert record["compared_to_now"] is True
    assert current <= record["hits"] and previous <= record["previous_hits"]
    assert record["change_percent"] == round((current - previous) / previous * 100, 1)

    series = cli("report", "--site", SITE, "hits", "--format", "json").json()
    assert sum(row["hits"] for row in series) == record["hits"]
    assert sum(row["previous_hits"] for row in series) == record["previous_hits"]


@pytest.mark.parametrize(
    ("given", "buckets", "first"),
    [
        ("24h", 24, "2026-11-19T15:00:00Z"),
        ("7d", 7, "2026-11-14T00:00:00Z"),
        ("30d", 30, "2026-10-22T00:00:00Z"),
        ("12mo", 52, None),
    ],
)
def test_ranges(cli: Cli, given: str, buckets: int, first: str | None) -> None:
    series = cli("report", "--site", SITE, "hits", "--range", given, "--format", "json").json()
    assert len(series) == buckets
    if first is not None:
        assert series[0]["start"] == first
    (record,) = cli(
        "report", "--site", SITE, "summary", "--range", given, "--format", "json"
    ).json()
    assert record["range"] == given
    assert record["hits"] == sum(row["hits"] for row in series)


def test_a_filter_narrows_the_numbers(cli: Cli) -> None:
    countries = cli("report", "--site", SITE, "countries", "--format", "json").json()
    top = countries[0]
    (everything,) = cli("report", "--site", SITE, "summary", "--format", "json").json()
    (only,) = cli(
        "report", "--site", SITE, "summary", "--filter", f"country={top['country']}",
        "--format", "json",
    ).json()  # fmt: skip
    assert only["filters"] == f"country={top['country']}"
    assert 0 < only["hits"] < everything["hits"]
    # The filtered panel holds that one country, with every hit.
    (row,) = cli(
        "report", "--site", SITE, "countries", "--filter", f"country={top['country']}",
        "--format", "json",
    ).json()  # fmt: skip
    assert row["country"] == top["country"]
    assert row["share_percent"] == 100.0


def test_panels_hold_every_row_and_shares_add_up(cli: Cli) -> None:
    pages = cli("report", "--site", SITE, "pages", "--range", "30d", "--format", "json").json()
    # More than the dashboard's ten and the full-screen panel's first page of 100.
    assert len(pages) > 100
    assert len({row["path"] for row in pages}) == len(pages)
    assert sum(row["share_percent"] for row in pages) == pytest.approx(100.0, abs=1.0)
    hits = [row["hits"] for row in pages]
    assert hits == sorted(hits, reverse=True)
    (summary,) = cli(
        "report", "--site", SITE, "summary", "--range", "30d", "--format", "json"
    ).json()
    assert sum(hits) == summary["hits"]


def test_referrers_say_direct_and_hidden(cli: Cli) -> None:
    rows = cli("report", "--site", SITE, "referrers", "--format", "json").json()
    values = {row["referrer"] for row in rows}
    assert "(direct)" in values


def test_uptime_of_a_site_that_is_down(cli: Cli) -> None:
    (record,) = cli("report", "--site", "458", "uptime", "--format", "json").json()
    assert record["state"] == "down"
    assert record["down_since"] is not None
    assert record["ongoing_downtimes"] >= 1
    (up,) = cli("report", "--site", "456", "uptime", "--format", "json").json()
    assert up["state"] == "up" and up["down_since"] is None


def test_leaderboard_reads_pages_as_the_screen_does(cli: Cli, demo: DemoServer) -> None:
    board = cli("report", "--site", "457", "leaderboard", "--format", "json").json()
    # The screen holds four pages of 50 at most: the report reads them all.
    assert len(board) == 200
    assert [row["rank"] for row in board] == list(range(1, 201))


def test_sites(cli: Cli) -> None:
    records = cli("sites", "--format", "json").json()
    assert [r["id"] for r in records] == [456, 457, 458, 459, 460]
    assert records[0]["label"] == "Field Notes"
    assert all(r["last_7_days"] is not None and r["today"] is not None for r in records)
    rows = cli("sites").csv()
    assert rows[0][:2] == ["id", "label"]
    assert [row[0] for row in rows[1:]] == ["456", "457", "458", "459", "460"]
    table = cli("sites", "--format", "table").out
    assert "Field Notes" in table and "Burrow Docs" in table


# -- where the connection options go ----------------------------------------------------------


def test_connection_options_before_or_after_the_command(
    cli: Cli, demo: DemoServer, tmp_path: Path
) -> None:
    key = str(key_file(tmp_path, DEMO_KEY))
    connection = ["--base-url", demo.base_url, "--api-key-file", key]
    orders = [
        [*connection, "report", "summary", "--site", SITE],
        ["report", *connection, "summary", "--site", SITE],
        ["report", "summary", "--site", SITE, *connection],
        ["--base-url", demo.base_url, "report", "summary", "--api-key-file", key, "--site", SITE],
        # The dashboard's own --site, before the command, names the site too.
        ["--site", SITE, "report", "summary", *connection],
    ]
    answers = [cli(*order, "--format", "json", connect=False) for order in orders]
    assert all(a.code == 0 for a in answers), [a.err for a in answers]
    assert len({a.out for a in answers}) == 1


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith("TINYLYTICS")}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_demo_before_and_after_the_command(tmp_path: Path) -> None:
    """The installed command with --demo: the demo server starts in-process and stops after."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "st")}
    env["TINYLYTICS_TUI_CONFIG"] = str(tmp_path / "none.toml")
    after = run_cli("report", "summary", "--site", SITE, "--format", "json", "--demo", env=env)
    assert after.returncode == 0, after.stderr
    (record,) = json.loads(after.stdout)
    assert record["site"] == "Field Notes" and record["hits"] > 0
    before = run_cli("--demo", "sites", env=env)
    assert before.returncode == 0, before.stderr
    assert before.stdout.splitlines()[0].startswith("id,label,")
    assert len(before.stdout.splitlines()) == 6
    assert before.stderr == ""


# -- exit code 2: bad usage -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["report", "summary", "--site", SITE, "--range", "3w"], "'3w' is not a range"),
        (["report", "summary", "--site", SITE, "--range", ""], "is not a range"),
        (["report", "summary", "--site", SITE, "--filter", "country"], "is not a filter"),
        (["report", "summary", "--site", SITE, "--filter", "planet=Mars"], "'planet'"),
        (["report", "summary", "--site", SITE, "--filter", "country="], "needs a value"),
        (
            [
                "report",
                "summary",
                "--site",
                SITE,
                "--filter",
                "country=US",
                "--filter",
                "country=DE",
            ],
            "given twice",
        ),
        (["report", "weather", "--site", SITE], "invalid choice: 'weather'"),
        (["report", "--site", SITE], "required: WHAT"),
        (["report", "summary"], "report needs --site ID"),
        (["report", "summary", "--site", "abc123"], "numeric site id"),
        (["report", "uptime", "--site", SITE, "--range", "7d"], "has no range"),
        (["report", "leaderboard", "--site", SITE, "--filter", "path=/"], "cannot be filtered"),
        (["report", "journeys", "--site", SITE, "--range", "12mo"], "at most 30 days"),
        (["report", "summary", "--site", SITE, "--format", "xml"], "invalid choice: 'xml'"),
        (["sites", "--site", SITE], "unrecognized arguments"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(cli: Cli, argv: list[str], says: str) -> None:
    line = one_line_error(cli(*argv), 2)
    assert says in line


def test_no_key_is_exit_2(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TINYLYTICS_API_KEY", raising=False)
    monkeypatch.setenv("TINYLYTICS_TUI_CONFIG", str(tmp_path / "none.toml"))
    line = one_line_error(cli("report", "summary", "--site", SITE, connect=False), 2)
    assert "no API key" in line and "--demo" in line


def test_bad_configuration_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    line = one_line_error(cli("sites", "--config", str(missing)), 2)
    assert str(missing) in line
    open_key = tmp_path / "open-key"
    open_key.write_text(SECRET)
    open_key.chmod(0o644)
    line = one_line_error(cli("sites", "--api-key-file", str(open_key), connect=False), 2)
    assert "chmod 600" in line


# -- exit code 1: the API said no -------------------------------------------------------------


def test_a_wrong_key_is_exit_1(cli: Cli) -> None:
    line = one_line_error(cli("report", "summary", "--site", SITE, key=SECRET), 1)
    assert line.startswith("tinylytics-tui: ")


def test_a_server_echoing_the_key_never_shows_it(cli: Cli, hostile_api: HostileServer) -> None:
    hostile_api.status = 401
    hostile_api.body = json.dumps({"error": f"unknown credentials Bearer {SECRET}"}).encode()
    line = one_line_error(cli("report", "pages", "--site", SITE, server=hostile_api, key=SECRET), 1)
    assert "unknown credentials" in line
    assert "**********" in line


def test_a_server_error_is_exit_1(cli: Cli, hostile_api: HostileServer) -> None:
    hostile_api.status = 500
    hostile_api.body = b'{"error": "the database is on fire"}'
    line = one_line_error(cli("sites", server=hostile_api), 1)
    assert "500" in line


def test_no_monitor_and_no_plan_are_exit_1(cli: Cli, demo: DemoServer) -> None:
    line = one_line_error(cli("report", "uptime", "--site", "459"), 1)
    assert "monitor" in line.lower()
    line = one_line_error(cli("report", "uptime", "--site", "999999"), 1)
    assert "not found" in line.lower()


def test_a_spent_budget_stops_the_report_instead_of_waiting(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("requests_per_hour = 3\n")
    config.chmod(0o600)
    line = one_line_error(cli("sites", "--config", str(config)), 1)
    assert "budget (3 requests an hour) is spent" in line


# -- server text is data ----------------------------------------------------------------------


def test_hostile_text_leaves_as_data(cli: Cli, demo: DemoServer) -> None:
    demo.settings.update({"hostile_strings": True})
    for fmt in FORMATS:
        run = cli("report", "--site", SITE, "pages", "--range", "30d", "--format", fmt)
        assert run.code == 0
        assert "\x1b" not in run.out and "\x07" not in run.out and "\u202e" not in run.out
    paths = {row["path"] for row in cli("report", "--site", SITE, "pages", "--format", "json",
                                        "--range", "30d").json()}  # fmt: skip
    assert "/\x1b[31mred-alert\x1b[0m" in paths  # JSON gives the text back exactly
    table = cli("report", "--site", SITE, "pages", "--format", "table", "--range", "30d").out
    assert "[b]bold[/b]" in table  # shown as written, not as markup


def test_csv_cells_never_start_a_formula(cli: Cli, hostile_api: HostileServer) -> None:
    planted = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]

    def plant(tail: str, query: dict[str, str], data: Any) -> Any:
        if query.get("group_by") == "path":
            for row, text in zip(data["grouped_hits"], planted, strict=False):
                row["path"] = text
        return data

    hostile_api.mutate = plant
    rows = cli("report", "--site", SITE, "pages", server=hostile_api).csv()
    cells = [row[0] for row in rows[1:]]
    for text in planted:
        # A carriage return could hide the rest of a line in a terminal: replaced.
        assert "'" + text.replace("\r", "\N{REPLACEMENT CHARACTER}") in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    # Numbers are the report's own: a negative change stays a number.
    assert csv_cell(-12.5) == "-12.5"


def test_csvsafe() -> None:
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("/posts/a-b") == "/posts/a-b"
    assert safe_text("a\x1b[31mb") == "a\N{REPLACEMENT CHARACTER}[31mb"
    assert safe_text("two\nlines") == "two\nlines"
    assert csv_cell(None) == "" and csv_cell(True) == "true" and csv_cell(3) == "3"


def test_json_escapes_what_a_terminal_acts_on() -> None:
    table = Table(("path",), (("/\x9b31m-\u202eexe",),))
    text = as_json(table)
    assert "\x9b" not in text and "\u202e" not in text
    assert json.loads(text) == [{"path": "/\x9b31m-\u202eexe"}]


def test_a_wide_table_fits_and_says_what_it_left_out() -> None:
    header = tuple(f"column_{n}" for n in range(12))
    table = Table(header, tuple(tuple(range(n, n + 12)) for n in range(3)), "numbers")
    out = io.StringIO()
    write_table(table, out)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert re.search(r"\d+ more columns with --format csv or json", out.getvalue())


def test_parse_range() -> None:
    assert parse_range("24h") is RangeKind.DAY
    assert parse_range("7D") is RangeKind.WEEK
    assert parse_range("30d") is RangeKind.MONTH
    assert parse_range("12mo") is RangeKind.YEAR
    assert parse_range("2026-01-01..2026-02-01") == DayRange(date(2026, 1, 1), date(2026, 2, 1))
    with pytest.raises(ValueError, match=re.escape("use 24h, 7d, 30d, 12mo or YYYY-MM-DD..")):
        parse_range("2026-01-01")


def test_an_account_of_the_config_file(cli: Cli, demo: DemoServer, tmp_path: Path) -> None:
    config = tmp_path / "accounts.toml"
    config.write_text(f'[accounts.work]\napi_key = "{DEMO_KEY}"\nbase_url = "{demo.base_url}"\n')
    config.chmod(0o600)
    chosen = ["--config", str(config), "--account", "work"]
    run = cli("report", "summary", "--site", SITE, *chosen, "--format", "json", connect=False)
    assert run.code == 0, run.err
    assert run.json()[0]["site"] == "Field Notes"
    wrong = ["--config", str(config), "--account", "play"]
    line = one_line_error(cli("sites", *wrong, connect=False), 2)
    assert "play" in line


def test_a_report_without_rows(cli: Cli) -> None:
    """Site 459 has insights turned off: no insight, which is an answer, not an error."""
    assert cli("report", "--site", "459", "insights", "--format", "json").json() == []
    assert len(cli("report", "--site", "459", "insights").csv()) == 1
    table = cli("report", "--site", "459", "insights", "--format", "table")
    assert table.code == 0 and "no rows" in table.out


# -- --range as UTC days ----------------------------------------------------------------------


def api_count(demo: DemoServer, first: str, last: str) -> int:
    """Hits of the site in the UTC days `first` to `last`, as the API counts them."""
    import httpx

    from tests.conftest import DEMO_HEADERS

    answer = httpx.get(
        f"{demo.base_url}sites/{SITE}/hits",
        params={"start_date": first, "end_date": last, "per_page": 1},
        headers=DEMO_HEADERS,
    ).json()
    return int(answer["pagination"]["total_count"])


def test_a_range_of_days(cli: Cli, demo: DemoServer) -> None:
    given = "2026-01-01..2026-01-31"
    (record,) = cli(
        "report", "--site", SITE, "summary", "--range", given, "--format", "json"
    ).json()
    assert record["range"] == given
    assert (record["start"], record["end"]) == ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
    assert record["hits"] == api_count(demo, "2026-01-01", "2026-01-31")
    # The 31 days before: December 1 to 31.
    assert record["previous_hits"] == api_count(demo, "2025-12-01", "2025-12-31")
    series = cli("report", "--site", SITE, "hits", "--range", given, "--format", "json").json()
    assert len(series) == 31
    assert series[0]["start"] == "2026-01-01T00:00:00Z"
    assert series[0]["previous_start"] == "2025-12-01T00:00:00Z"
    assert sum(row["hits"] for row in series) == record["hits"]
    table = cli("report", "--site", SITE, "hits", "--range", given, "--format", "table").out
    assert "hits per day" in table and "Jan 1–31, 2026" in table
    # Before the command, as the dashboard's own option, it counts the same.
    (before,) = cli(
        "--range", given, "report", "--site", SITE, "summary", "--format", "json"
    ).json()
    assert before["hits"] == record["hits"]


def test_two_days_are_hourly_and_a_long_range_weekly(cli: Cli) -> None:
    hourly = cli(
        "report", "--site", SITE, "hits", "--range", "2026-11-18..2026-11-19", "--format", "json"
    ).json()
    assert len(hourly) == 48
    weekly = cli(
        "report", "--site", SITE, "hits", "--range", "2025-11-21..2026-11-20", "--format", "json"
    ).json()
    # 365 days: 52 weeks and a day, the short bucket first.
    assert len(weekly) == 53
    assert weekly[0]["start"] == "2025-11-21T00:00:00Z"
    assert weekly[1]["start"] == "2025-11-22T00:00:00Z"


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("2026-02-01..2026-01-01", "the start (2026-02-01) is after the end (2026-01-01)"),
        ("2024-01-01..2024-12-31", "366 days is too long: the API takes at most 365"),
        ("2026-02-30..2026-03-31", "'2026-02-30' is not a date"),
        ("2026-11-01..2026-11-21", "2026-11-21 is in the future: today is 2026-11-20 (UTC)"),
        ("2026-01-01..", "'' is not a date"),
    ],
)
def test_a_bad_range_of_days_is_one_line_and_exit_2(cli: Cli, given: str, says: str) -> None:
    line = one_line_error(cli("report", "summary", "--site", SITE, "--range", given), 2)
    assert says in line


def test_journeys_take_at_most_30_days(cli: Cli) -> None:
    line = one_line_error(
        cli("report", "journeys", "--site", SITE, "--range", "2026-10-01..2026-10-31"), 2
    )
    assert "journeys cover at most 30 days" in line
    rows = cli(
        "report",
        "journeys",
        "--site",
        SITE,
        "--range",
        "2026-10-02..2026-10-31",
        "--format",
        "json",
    ).json()
    assert rows and all(row["started"][:7] == "2026-10" for row in rows)
