"""Issue 14, defect 7: hints that misled. A CSV named .xlsx was told to "remove any password"; a
store created without the ``.duckdb`` extension was refused as "Unsupported file type". Files are
now told by their content: a workbook is a zip archive holding ``xl/workbook.xml``, a store a
DuckDB file (``DUCK`` at byte 8)."""

from __future__ import annotations

import codecs
import shutil
import zipfile

import pytest

from parbrief.cli import main
from parbrief.data.read import read_table
from parbrief.data.store import ingest_file, is_store_path, load_data
from parbrief.data.store_file import is_duckdb_file
from parbrief.data.validate import validate_file
from parbrief.errors import DataValidationError, ParbriefError, ParamsError
from parbrief.text.messages import t

ROWS = [("Quảng Trị", "Huyện Gio Linh", 2024), ("Quảng Trị", "Sở Tư pháp", 2024)]


def _all_text(report) -> str:
    return " ".join(p.format(lang) for p in report.problems for lang in ("vi", "en"))


def test_a_csv_named_xlsx_is_read_as_csv_with_a_note_and_no_password_hint(write_csv, row, spec, tmp_path) -> None:
    csv_path = write_csv("scores.csv", [row(*r) for r in ROWS])
    named = tmp_path / "scores.xlsx"
    shutil.copyfile(csv_path, named)
    report = validate_file(named, spec=spec)
    assert report.errors == [] and len(report.frame) == 2
    note = next(p for p in report.warnings if p.kind == "file_type_fixed")
    assert note.message_en == ("The file is named .xlsx but is in fact a text (CSV) table, not an Excel workbook; "
                               "read as CSV.")
    assert note.hint_en == "Rename the file to .csv, or open it in Excel and Save As 'Excel Workbook (.xlsx)'."
    assert "mật khẩu" not in _all_text(report) and "password" not in _all_text(report)


def test_a_utf16_csv_named_xlsx_is_read_too(write_csv, row, spec, tmp_path) -> None:
    text = write_csv("s.csv", [row(*r) for r in ROWS]).read_text(encoding="utf-8")
    named = tmp_path / "s.xlsx"
    named.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert len(validate_file(named, spec=spec).frame) == 2


@pytest.mark.parametrize("content, key, says", [
    (bytes(range(256)) * 8, "not_excel", "is not an Excel workbook"),
    (b"not a zip file", "not_excel", "neither a workbook nor a text table"),  # text, but no table
    (b"PK\x03\x04" + bytes(300), "damaged_xlsx", "damaged or incomplete (BadZipFile"),
    (None, "damaged_xlsx", "the archive holds no workbook part, xl/workbook.xml"),
])
def test_bytes_that_are_no_workbook_are_refused_without_the_password_hint(tmp_path, content, key, says) -> None:
    path = tmp_path / "scores.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as z:  # a Word document renamed .xlsx
            z.writestr("word/document.xml", "<w/>")
    else:
        path.write_bytes(content)
    with pytest.raises(DataValidationError) as exc:
        read_table(path)
    (problem,) = exc.value.problems
    assert problem.file == "scores.xlsx" and says in problem.message_en
    opening = t(f"integrity.read.{key}.message", "en", ext=".xlsx", error="").split("(")[0]
    assert problem.message_en.startswith(opening)
    assert "password" not in problem.format("en") and "mật khẩu" not in problem.format("vi")
    assert problem.hint_en and problem.hint_vi  # a fix in both languages


def test_a_damaged_workbook_is_damaged_not_protected(tmp_path) -> None:
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<not xml")
    with pytest.raises(DataValidationError) as exc:
        read_table(path)
    assert exc.value.problems[0].message_en.startswith("This .xlsx file starts like an Excel workbook but is damaged")
    assert "password" not in exc.value.problems[0].hint_en


def test_an_encrypted_or_old_workbook_keeps_the_password_hint(tmp_path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # OLE: .xls, or an encrypted .xlsx
    with pytest.raises(DataValidationError) as exc:
        read_table(path)
    assert "password" in exc.value.problems[0].hint_en


def test_a_store_without_the_duckdb_extension_is_read_as_a_store(small_store, tmp_path) -> None:
    bare = tmp_path / "quang_tri_store"
    shutil.copyfile(small_store, bare)
    assert is_duckdb_file(bare) and is_store_path(bare) and not is_duckdb_file(small_store.with_name("scores.csv"))
    a, b = load_data(bare), load_data(small_store)
    assert a.scores.equals(b.scores) and a.sha256 == b.sha256


def test_render_accepts_the_store_without_extension(small_store, tmp_path, capsys) -> None:
    """The store is read (the render then stops at a year the data do not hold: no notebook runs)."""
    bare = tmp_path / "store"
    shutil.copyfile(small_store, bare)
    code = main(["render", "--data", str(bare), "--year", "2019", "--out", str(tmp_path / "out"), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1 and "year 2019 is not in the data; years available: 2022, 2023, 2024" in err
    assert "Unsupported file type" not in err and "Traceback" not in err


def test_a_store_path_that_is_no_store_says_what_it_is(small_store, tmp_path) -> None:
    fake = tmp_path / "scores.duckdb"
    fake.write_text("Tỉnh,Đơn vị\n", encoding="utf-8")
    with pytest.raises(ParbriefError) as exc:
        load_data(fake)
    assert exc.value.message("en") == (
        f"{fake} is not a parbrief store: the file is not a DuckDB database (it is a text file); nothing was written. "
        "Give with --data a store written by `parbrief ingest`/`parbrief demo`, or a CSV/Excel/Parquet scores file")
    with pytest.raises(ParamsError, match="is a folder"):
        load_data(tmp_path)
    before = fake.read_bytes()
    with pytest.raises(ParbriefError, match="Give with --store a store"):
        ingest_file(small_store.with_name("scores.csv"), fake)
    assert fake.read_bytes() == before  # untouched


def test_an_empty_store_file_is_a_new_store(small_store, tmp_path) -> None:
    empty = tmp_path / "new.duckdb"
    empty.touch()
    result = ingest_file(small_store.with_name("scores.csv"), empty)
    assert result.rows > 0 and is_duckdb_file(empty)
