"""Writing rows to a file (app/export.py): what the file holds, its mode, and that a file is
whole or not there at all."""

from __future__ import annotations

import csv
import json
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest

from app.export import (
    ExportError,
    ExportFile,
    Format,
    Table,
    default_name,
    slug,
    target,
    write_table,
)

HEADER = ("path", "hits", "share", "seen")
ROWS = (
    ("/", 1177, 23.1, True),
    ('/posts/a,b "quoted"\nsecond line', 4, 0.5, False),
    (None, None, None, None),
    ("/日本語のページ", 2, 0.25, True),
)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_csv_holds_the_header_and_every_row_as_data(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert write_table(path, Format.CSV, Table(HEADER, ROWS)) == len(ROWS)
    assert read_csv(path) == [
        list(HEADER),
        ["/", "1177", "23.1", "true"],
        ['/posts/a,b "quoted"\nsecond line', "4", "0.5", "false"],
        ["", "", "", ""],
        ["/日本語のページ", "2", "0.25", "true"],
    ]


def test_json_is_a_list_of_records_with_types_kept(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    write_table(path, Format.JSON, Table(HEADER, ROWS))
    records = json.loads(path.read_text(encoding="utf-8"))
    assert records == [dict(zip(HEADER, row, strict=True)) for row in ROWS]


def test_an_empty_table_is_a_header_or_an_empty_list(tmp_path: Path) -> None:
    write_table(tmp_path / "e.csv", Format.CSV, Table(HEADER, ()))
    write_table(tmp_path / "e.json", Format.JSON, Table(HEADER, ()))
    assert read_csv(tmp_path / "e.csv") == [list(HEADER)]
    assert json.loads((tmp_path / "e.json").read_text()) == []


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]
)
def test_csv_cells_that_a_spreadsheet_would_run_are_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "f.csv"
    write_table(path, Format.CSV, Table(("value", "hits"), ((text, -5),)))
    value, hits = read_csv(path)[1]
    assert value == "'" + text
    assert hits == "-5"  # a number is a number, not a formula


def test_json_keeps_server_text_exactly(tmp_path: Path) -> None:
    hostile = "=cmd|' /C calc'!A0 \x1b[31mred\x1b[0m"
    path = tmp_path / "f.json"
    write_table(path, Format.JSON, Table(("value",), ((hostile,),)))
    assert json.loads(path.read_text(encoding="utf-8")) == [{"value": hostile}]
    assert "\x1b" not in path.read_text(encoding="utf-8")  # escaped by JSON, not raw


def test_nonsense_floats_are_null_in_json(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    write_table(path, Format.JSON, Table(("x",), ((float("nan"),), (float("inf"),))))
    assert json.loads(path.read_text()) == [{"x": None}, {"x": None}]


def test_the_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_table(tmp_path / "p.csv", Format.CSV, Table(HEADER, ROWS))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "p.csv").stat().st_mode) == 0o600


def test_rows_come_in_chunks_and_the_name_appears_only_when_done(tmp_path: Path) -> None:
    path = tmp_path / "chunks.csv"
    with ExportFile(path, Format.CSV, HEADER) as out:
        out.add(ROWS[:2])
        assert not path.exists()
        (part,) = leftovers(tmp_path)
        assert part.startswith(".chunks.csv.") and part.endswith(".part")
        out.add(ROWS[2:])
        out.commit()
    assert leftovers(tmp_path) == ["chunks.csv"]
    assert len(read_csv(path)) == 1 + len(ROWS)


def test_leaving_without_commit_leaves_nothing(tmp_path: Path) -> None:
    def cancelled() -> None:
        with ExportFile(tmp_path / "x.json", Format.JSON, HEADER) as out:
            out.add(ROWS)
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        cancelled()
    assert leftovers(tmp_path) == []


def test_a_cancelled_export_keeps_the_file_it_would_have_replaced(tmp_path: Path) -> None:
    path = tmp_path / "keep.csv"
    path.write_text("old\n")
    with ExportFile(path, Format.CSV, HEADER) as out:
        out.add(ROWS)
    assert path.read_text() == "old\n"
    assert leftovers(tmp_path) == ["keep.csv"]


def test_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as caught:
        write_table(tmp_path / "no" / "such" / "f.csv", Format.CSV, Table(HEADER, ROWS))
    assert caught.value.message == (
        f"Cannot write {tmp_path}/no/such/f.csv: there is no directory {tmp_path}/no/such."
    )


def test_an_unwritable_directory_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("this user writes anywhere (root)")
        with pytest.raises(ExportError) as caught:
            write_table(locked / "f.csv", Format.CSV, Table(HEADER, ROWS))
    finally:
        locked.chmod(0o700)
    assert caught.value.message == f"Cannot write {locked}/f.csv: permission denied."
    assert leftovers(locked) == []


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="Linux's /sys")
def test_a_directory_that_refuses_files_even_to_root_is_one_line() -> None:
    with pytest.raises(ExportError) as caught:
        write_table(Path("/sys/tinylytics-export.csv"), Format.CSV, Table(HEADER, ROWS))
    assert caught.value.message == "Cannot write /sys/tinylytics-export.csv: permission denied."


# -- names ----------------------------------------------------------------------------------------

WHEN = datetime(2026, 11, 20, 14, 30, 5)


def test_the_default_name() -> None:
    assert default_name("Field Notes", "pages", WHEN, Format.CSV) == (
        "tinylytics-field-notes-pages-20261120-143005.csv"
    )
    assert default_name(None, "sites", WHEN, Format.JSON) == "tinylytics-sites-20261120-143005.json"


def test_a_hostile_label_makes_a_plain_name() -> None:
    label = "[red]pixelmoss[/red] \x1b[31m(old)\x1b[0m/../../etc"
    name = default_name(label, "pages", WHEN, Format.CSV)
    assert "/" not in name and "\x1b" not in name and ".." not in name
    assert name.startswith("tinylytics-red-pixelmoss-red-31m-old-0m-")
    assert slug("発売リスト") == ""
    assert default_name("発売リスト", "pages", WHEN, Format.CSV).startswith("tinylytics-pages-")


def test_what_a_typed_path_means(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert target("out.csv", "d.csv", Format.CSV) == tmp_path / "out.csv"
    assert target("  out  ", "d.json", Format.JSON) == tmp_path / "out.json"
    assert target("~/x.csv", "d.csv", Format.CSV) == tmp_path / "home" / "x.csv"
    assert target(str(tmp_path), "d.csv", Format.CSV) == tmp_path / "d.csv"
    with pytest.raises(ExportError):
        target("  ", "d.csv", Format.CSV)
    assert Format.of(Path("a.JSON")) is Format.JSON
    assert Format.of(Path("a.txt")) is None
