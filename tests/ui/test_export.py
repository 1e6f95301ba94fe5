"""`e`, `c` and `o` driven by keys against the demo server over real HTTP: the file written,
what reached the terminal's clipboard, and what the user reads."""

from __future__ import annotations

import base64
import csv
import json
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar, Static

from app.csvsafe import csv_cell
from app.demo import DemoServer
from app.demo.catalog import HOSTILE_LABELS
from app.live.dashboard import PANELS
from app.live.ranges import RangeKind, window
from app.ui.app import TinylyticsApp
from app.ui.screens.export import ExportScreen
from app.ui.screens.panel import PanelScreen
from app.ui.screens.sites import EXPORT_FIELDS
from app.ui.screens.stream import LiveHitsScreen
from app.ui.widgets.panels import PanelTable
from app.ui.widgets.table import LiveTable
from tests.conftest import DEMO_HEADERS
from tests.live.test_feeds_panel import server_rows
from tests.ui.conftest import loaded, messages, notified, wait_for

Factory = Callable[..., TinylyticsApp]
BUSY = 457
PAGES = next(p for p in PANELS if p.name == "Pages")
# Rows a page of an export in these tests.
PAGE = 17
# The fields of /sites, and of /sites/:id, that the Sites export carries as the API sent them.
API_FIELDS = ("id", "label", "url", "lifetime_hits", "active")
DETAIL_FIELDS = ("lifetime_unique_hits", "is_public")


@pytest.fixture
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory, where exports go by default: empty."""
    directory = tmp_path / "out"
    directory.mkdir()
    monkeypatch.chdir(directory)
    return directory


def api_get(demo: DemoServer, path: str, **params: Any) -> Any:
    answer = httpx.get(demo.base_url + path, params=params, headers=DEMO_HEADERS, timeout=30)
    answer.raise_for_status()
    return answer.json()


def demo_settings(demo: DemoServer, **changes: Any) -> None:
    url = demo.base_url.replace("/api/v1/", "/_demo/") + "settings"
    httpx.post(url, json=changes, headers=DEMO_HEADERS, timeout=30).raise_for_status()


def files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def dialog(app: TinylyticsApp) -> ExportScreen:
    assert isinstance(app.screen, ExportScreen)
    return app.screen


def dialog_status(app: TinylyticsApp) -> str:
    return str(dialog(app).query_one("#export-status", Static).content)


async def sites_loaded(pilot: Pilot[int], app: TinylyticsApp) -> None:
    await wait_for(pilot, loaded(app))
    await wait_for(pilot, lambda: all(r.today is not None for r in app.session.sites_feed.rows))


async def export(pilot: Pilot[int], app: TinylyticsApp, path: str | None = None) -> None:
    """`e`, then enter on the default file name or on `path` typed over it."""
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
    if path is not None:
        dialog(app).query_one("#export-path", Input).value = path
    await pilot.press("enter")


def written(app: TinylyticsApp) -> Path:
    """The file the notification names."""
    line = next(m for m in messages(app) if m.startswith("Wrote "))
    return Path(line.split(" rows to ", 1)[1])


# -- export ---------------------------------------------------------------------------------------


async def test_e_on_the_sites_table_writes_the_apis_sites(
    app_factory: Factory, demo: DemoServer, out: Path
) -> None:
    expected = api_get(demo, "sites")["sites"]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await export(pilot, app)
        await wait_for(pilot, notified(app, f"Wrote {len(expected)} rows to {out}/"))
        assert not isinstance(app.screen, ExportScreen)
        path = written(app)
    (name,) = files(out)
    assert path == out / name
    assert name.startswith("tinylytics-sites-") and name.endswith(".csv")
    rows = read_csv(path)
    assert list(rows[0]) == list(EXPORT_FIELDS)
    assert [{k: r[k] for k in API_FIELDS} for r in rows] == [
        {k: csv_cell(site[k]) for k in API_FIELDS} for site in expected
    ]
    details = [api_get(demo, f"sites/{site['id']}")["site"] for site in expected]
    assert [{k: r[k] for k in DETAIL_FIELDS} for r in rows] == [
        {k: csv_cell(site[k]) for k in DETAIL_FIELDS} for site in details
    ]
    assert all(r["today"].isdigit() for r in rows)


async def test_the_sites_as_json(app_factory: Factory, demo: DemoServer, out: Path) -> None:
    expected = api_get(demo, "sites")["sites"]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        # Choosing JSON renames the file to match.
        await pilot.click("#export-json")
        path_input = dialog(app).query_one("#export-path", Input)
        await wait_for(pilot, lambda: path_input.value.endswith(".json"))
        assert app.screen.focused is path_input
        await pilot.press("enter")
        await wait_for(pilot, notified(app, "Wrote "))
    (name,) = files(out)
    records = json.loads((out / name).read_text(encoding="utf-8"))
    assert [{k: r[k] for k in API_FIELDS} for r in records] == [
        {k: s[k] for k in API_FIELDS} for s in expected
    ]


async def test_a_typed_json_name_picks_json(app_factory: Factory, out: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await export(pilot, app, "mine.json")
        await wait_for(pilot, notified(app, f"Wrote 5 rows to {out}/mine.json"))
    assert isinstance(json.loads((out / "mine.json").read_text()), list)


FORMULAS = {
    456: '=HYPERLINK("http://evil.example/phish","Field Notes")',
    457: "+1+cmd|' /C calc'!A0",
    458: "-2+3",
    459: "@SUM(1+1)*cmd|' /C calc'!A0",
}


@pytest.fixture
def formula_labels(demo: DemoServer, monkeypatch: pytest.MonkeyPatch) -> dict[int, str]:
    """Site labels a spreadsheet would run, served by the demo with its hostile strings on
    (site 460 keeps its label of markup and escape sequences)."""
    for site, label in FORMULAS.items():
        monkeypatch.setitem(HOSTILE_LABELS, site, label)
    demo_settings(demo, hostile_strings=True)
    return {**FORMULAS, 460: HOSTILE_LABELS[460]}


async def test_formula_cells_are_escaped_in_csv(
    app_factory: Factory, demo: DemoServer, out: Path, formula_labels: dict[int, str]
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await export(pilot, app, "labels.csv")
        await wait_for(pilot, notified(app, "Wrote 5 rows"))
    labels = {int(r["id"]): r["label"] for r in read_csv(out / "labels.csv")}
    for site, label in FORMULAS.items():
        assert labels[site] == "'" + label
    # Markup is data; the escape sequences cannot reach a terminal that shows the file.
    assert labels[460].startswith("[red]pixelmoss[/red] ")
    assert "\x1b" not in (out / "labels.csv").read_text(encoding="utf-8")
    assert labels == {site: csv_cell(label) for site, label in formula_labels.items()}


async def test_json_keeps_the_hostile_labels_exactly(
    app_factory: Factory, demo: DemoServer, out: Path, formula_labels: dict[int, str]
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await export(pilot, app, "labels.json")
        await wait_for(pilot, notified(app, "Wrote 5 rows"))
    records = json.loads((out / "labels.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["label"] for r in records} == formula_labels


async def open_pages_panel(pilot: Pilot[int], app: TinylyticsApp) -> None:
    await wait_for(pilot, loaded(app))
    app.screen.query_one("#panel-path", PanelTable).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PanelScreen))
    await wait_for(pilot, loaded(app))


def panel_total(demo: DemoServer) -> int:
    span = window(RangeKind.WEEK, demo.clock.now())
    answer = api_get(
        demo,
        f"sites/{BUSY}/hits",
        grouped="true",
        group_by="path",
        start_date=span.current.first_day.isoformat(),
        end_date=span.current.last_day.isoformat(),
        per_page=1,
    )
    return int(answer["pagination"]["total_count"])


async def test_e_on_a_full_screen_panel_pages_every_row_from_the_server(
    app_factory: Factory, demo: DemoServer, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small pages, so that the export takes several requests (it asks for 1000 a page); a size
    # no screen asks for, since the client shares an answer asked for twice within seconds.
    monkeypatch.setattr("app.live.export.PAGE", PAGE)
    total = panel_total(demo)
    everything = server_rows(demo, BUSY, PAGES, RangeKind.WEEK)
    assert total == len(everything) > 4 * PAGE
    app = app_factory(site=BUSY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pages_panel(pilot, app)
        shown = app.screen.query_one("#panel-all").row_count  # type: ignore[attr-defined]
        assert shown < total  # the screen holds the first page only
        demo.stats.reset()
        await export(pilot, app)
        await wait_for(pilot, notified(app, f"Wrote {total:,} rows to "))
        path = written(app)
        assert isinstance(app.screen, PanelScreen)
        # One request a page (the server counts each once it has answered).
        pages = -(-total // PAGE)
        await wait_for(pilot, lambda: demo.stats.by_endpoint["hits"] >= pages)
        assert demo.stats.by_endpoint["hits"] == pages
    assert path.name.startswith("tinylytics-burrow-docs-pages-")
    rows = read_csv(path)
    assert list(rows[0]) == ["path", "hits", "unique_views"]
    assert len(rows) == total
    assert [(r["path"], r["hits"]) for r in rows] == [
        (csv_cell(value), str(hits)) for value, hits in everything
    ]


async def test_progress_shows_and_escape_cancels_leaving_no_file(
    app_factory: Factory, demo: DemoServer, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.live.export.PAGE", PAGE)
    total = panel_total(demo)
    assert total > 4 * PAGE
    app = app_factory(site=BUSY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pages_panel(pilot, app)
        # Slow answers: the first page is seen arriving, then the rest hang until cancelled.
        demo.settings.latency = 0.3
        await export(pilot, app)
        bar = dialog(app).query_one(ProgressBar)
        await wait_for(pilot, lambda: bar.total == total and (bar.progress or 0) > 0)
        demo.settings.latency = 60.0
        assert bar.display
        done = int(bar.progress)
        assert 0 < done < total and done % PAGE == 0
        assert f" of {total:,} rows" in dialog_status(app)
        assert any(name.endswith(".part") for name in files(out))
        await pilot.press("escape")
        await wait_for(pilot, notified(app, "Export cancelled: no file written."))
        assert isinstance(app.screen, PanelScreen)
        assert files(out) == []
        demo.settings.latency = 0.0


async def test_an_unwritable_place_is_one_line_and_the_dialog_stays(
    app_factory: Factory, out: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await export(pilot, app, "/sys/tinylytics.csv")
        await wait_for(pilot, lambda: "Cannot write" in dialog_status(app))
        assert dialog_status(app) == (
            "Cannot write /sys/tinylytics.csv: permission denied. Nothing was written."
        )
        # Another name, and it works.
        await export_again(pilot, app, "here.csv")
        await wait_for(pilot, notified(app, f"Wrote 5 rows to {out}/here.csv"))


async def export_again(pilot: Pilot[int], app: TinylyticsApp, path: str) -> None:
    field = dialog(app).query_one("#export-path", Input)
    assert field.has_focus and not field.disabled
    field.value = path
    await pilot.press("enter")


async def test_an_existing_file_is_replaced_only_when_asked_twice(
    app_factory: Factory, out: Path
) -> None:
    (out / "sites.csv").write_text("mine\n")
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await export(pilot, app, "sites.csv")
        await wait_for(pilot, lambda: "exists" in dialog_status(app))
        assert dialog_status(app) == f"{out}/sites.csv exists: enter again to replace it."
        assert (out / "sites.csv").read_text() == "mine\n"
        await pilot.press("enter")
        await wait_for(pilot, notified(app, f"Wrote 5 rows to {out}/sites.csv"))
    assert len(read_csv(out / "sites.csv")) == 5


async def test_escape_before_starting_writes_nothing(app_factory: Factory, out: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportScreen))
    assert files(out) == []


# -- copy and open ---------------------------------------------------------------------------------


@pytest.fixture
def terminal_output(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app writes to its terminal, from the moment a pilot app runs (the headless
    driver writes nowhere: its `write` is where Textual sends the bytes)."""
    from textual.drivers.headless_driver import HeadlessDriver

    out: list[str] = []
    original = HeadlessDriver.write

    def write(self: HeadlessDriver, data: str) -> None:
        out.append(data)
        original(self, data)

    monkeypatch.setattr(HeadlessDriver, "write", write)
    return out


def recording(opened: list[str]) -> Callable[..., bool]:
    """A browser that opens nothing: it notes the address and says it took it."""

    def browser(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    return browser


def osc52(text: str) -> str:
    return "\x1b]52;c;" + base64.b64encode(text.encode()).decode() + "\x07"


async def test_c_copies_the_sites_url_with_osc_52(
    app_factory: Factory, demo: DemoServer, terminal_output: list[str]
) -> None:
    first = api_get(demo, "sites")["sites"][0]
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await pilot.press("c")
        await wait_for(pilot, notified(app, f"Copied the URL: {first['url']}"))
    assert osc52(first["url"]) in "".join(terminal_output)


async def test_c_on_a_panel_copies_the_path(
    app_factory: Factory, terminal_output: list[str]
) -> None:
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        pages = app.screen.query_one("#panel-path", PanelTable)
        pages.focus()
        await pilot.press("down")
        _, path = pages.selected_value
        assert path and path.startswith("/")
        await pilot.press("c")
        await wait_for(pilot, notified(app, f"Copied the path: {path}"))
    assert osc52(path) in "".join(terminal_output)


async def test_o_over_ssh_copies_the_page_address_instead(
    app_factory: Factory, terminal_output: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    monkeypatch.setenv("DISPLAY", ":0")
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", recording(opened))
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        pages = app.screen.query_one("#panel-path", PanelTable)
        pages.focus()
        await pilot.press("down")
        _, path = pages.selected_value
        await pilot.press("o")
        url = f"https://fieldnotes.blog{path}"
        await wait_for(pilot, notified(app, f"No browser here (SSH, or no display): copied {url}"))
    assert osc52(url) in "".join(terminal_output)
    assert opened == []


async def test_o_with_a_local_browser_opens_the_referrer(
    app_factory: Factory, terminal_output: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", recording(opened))
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        referrers = app.screen.query_one("#panel-referrer", PanelTable)
        referrers.focus()
        while not (referrers.selected_value[1] or "").startswith("https://"):
            await pilot.press("down")
        _, referrer = referrers.selected_value
        await pilot.press("o")
        await wait_for(pilot, notified(app, f"Opened {referrer}"))
    assert opened == [referrer]
    assert "\x1b]52;" not in "".join(terminal_output)


async def test_o_on_what_is_no_web_address_says_so(
    app_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", recording(opened))
    monkeypatch.setenv("DISPLAY", ":0")
    app = app_factory(site=456)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, loaded(app))
        countries = app.screen.query_one("#panel-country", PanelTable)
        countries.focus()
        await pilot.pause()
        _, country = countries.selected_value
        await pilot.press("o")
        await wait_for(pilot, notified(app, f"Not a web address: {country}"))
    assert opened == []


async def test_e_c_and_o_typed_in_a_search_are_text(app_factory: Factory, out: Path) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await sites_loaded(pilot, app)
        await pilot.press("slash", *"eco")
        await pilot.pause()
        assert app.screen.query_one("#search", Input).value == "eco"
        assert not isinstance(app.screen, ExportScreen)
        assert not [m for m in messages(app) if m.startswith(("Copied", "Not a web", "No browser"))]
    assert files(out) == []


async def test_a_narrow_terminal_still_exports_every_column(
    app_factory: Factory, out: Path
) -> None:
    """At 60 columns live hits give up Mobile, Platform and Browser on screen; the file keeps
    them."""
    app = app_factory(site=BUSY)
    async with app.run_test(size=(60, 20)) as pilot:
        app.push_screen(LiveHitsScreen(app.session))
        await wait_for(pilot, loaded(app))
        shown = [str(c.key.value) for c in app.screen.query_one(LiveTable).ordered_columns]
        assert "mobile" not in shown
        await export(pilot, app)
        await wait_for(pilot, lambda: any(m.startswith("Wrote ") for m in messages(app)))
        path = written(app)
    rows = read_csv(path)
    assert {"mobile", "platform", "browser", "time", "path"} <= set(rows[0])
    assert all(row["time"] for row in rows)
