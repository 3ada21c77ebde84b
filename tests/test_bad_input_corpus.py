"""The bad-input corpus of issue 14: every input, option and fault the probe tried, as a case of
(command line → exit code, message key, what the message says), run through ``parbrief.cli.main``.

A case passes when the command ends with its exit code (2 for a usage error, 1 for an error of
the data or the machine, 0 when the input is read with a warning), the message of its locale key
was written (every text the run writes is recorded at :func:`parbrief.text.messages._template`),
the output says what the case lists (the file or option, and the fix), and no Python traceback
reaches the user. No case starts a notebook: each is refused, or read, before that. The suite's
last line counts them (``tests/conftest.py``): "bad-input corpus: N cases, N handled".
"""

from __future__ import annotations

import errno
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from parbrief.cli import main
from parbrief.text import messages

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SCORES_HEADER = "Tỉnh,Đơn vị,Năm,Tổng điểm,chi_dao,the_che,tthc,bo_may,cong_vu,tai_chinh,cp_so,tac_dong\n"
ROW = "80.5,8,8,12,7,10,7,8.5,20\n"


def _files(tmp: Path, store: Path) -> None:
    """Every input file the cases name, made fresh in ``tmp``."""
    (tmp / "a_file").write_text("not a folder", encoding="utf-8")
    (tmp / "storedir").mkdir()
    (tmp / "home").mkdir()
    for name, text in {"year_text": 'year: "Năm 2024"\n', "year_list": "year: [2024]\n", "year_true": "year: true\n",
                       "year_float": "year: 2024.7\n", "min_years_huge": "min_years: 1e20\n",
                       "min_years_float": "min_years: 1.0e+20\n", "unknown_key": "yaer: 2024\n"}.items():
        (tmp / f"{name}.yaml").write_text(text, encoding="utf-8")
    (tmp / "csv.xlsx").write_text(SCORES_HEADER + "Quảng Trị,Huyện Gio Linh,2024," + ROW, encoding="utf-8")
    (tmp / "random.xlsx").write_bytes(bytes(range(256)) * 20)
    (tmp / "cut.xlsx").write_bytes(b"PK\x03\x04" + bytes(200))
    with zipfile.ZipFile(tmp / "not_a_workbook.xlsx", "w") as z:
        z.writestr("word/document.xml", "<w/>")
    (tmp / "old.xlsx").write_bytes(OLE + bytes(600))
    (tmp / "corrupt.duckdb").write_text("Tỉnh,Đơn vị\n", encoding="utf-8")
    data = store.read_bytes()
    (tmp / "cut.duckdb").write_bytes(data[: len(data) // 2])
    shutil.copyfile(store, tmp / "store_without_extension")
    (tmp / "units.csv").write_text(SCORES_HEADER + "Quảng Trị,Sở Tư pháp,2024," + ROW + "Quảng Trị,Gio Linh,2024,"
                                   + ROW + "Quảng Trị,P. 1,2024," + ROW, encoding="utf-8")
    (tmp / "typed.csv").write_text(SCORES_HEADER + "Quảng Trị,Sở Tư pháp,2024," + ROW + "Quảng Trị,Huyện Gio Linh,"
                                   "2024," + ROW, encoding="utf-8")
    import yaml

    from parbrief.spec import default_spec_path

    spec = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    spec["components"][4]["aliases"].append("Bộ máy")  # cong_vu takes bo_may's alias
    (tmp / "shared_alias.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")


class _LockOs:
    """``os`` for the lock module, whose ``open`` of the lock file fails as in a read-only folder."""

    def __getattr__(self, name: str):
        return getattr(os, name)

    @staticmethod
    def open(path, *args, **kwargs):
        raise PermissionError(errno.EROFS, "Read-only file system", str(path))


def _read_only(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from parbrief.run import lock

    mp.setattr(lock, "os", _LockOs())


def _full_disk(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from parbrief.run import batch

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    mp.setattr(batch, "write_render_snapshot", full)


def _a_bug(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from parbrief.data import store

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody foresaw")

    mp.setattr(store, "load_data", broken)


def _unreadable(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from parbrief.data import validate

    def denied(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    mp.setattr(validate, "read_table", denied)


def _home(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    mp.setenv("HOME", str(tmp / "home"))


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    code: int
    key: str
    says: tuple[str, ...] = ()
    setup: Callable[[Path, pytest.MonkeyPatch], None] | None = field(default=None, compare=False)


RENDER = ("render", "--data", "{store}", "--out", "{tmp}/out", "--lang", "en")
CASES = [
    # defect 5: tracebacks instead of messages
    Case("out_is_a_file", ("render", "--data", "{store}", "--out", "{tmp}/a_file", "--lang", "en"), 2,
         "lock.folder.not_a_folder", ("--out", "a_file", "give a folder")),
    Case("out_read_only", RENDER, 1, "lock.folder.cannot_write", ("out", "Read-only file system", "--out"),
         _read_only),
    Case("out_full_disk", RENDER, 1, "lock.folder.cannot_write", ("No space left on device", "free some space"),
         _full_disk),
    Case("params_year_text", (*RENDER, "--params", "{tmp}/year_text.yaml"), 2, "config.error.bad_value",
         ("year_text.yaml", "year must be a year written as a whole number")),
    Case("params_year_list", (*RENDER, "--params", "{tmp}/year_list.yaml"), 2, "config.error.bad_value",
         ("year_list.yaml", "[2024]")),
    Case("ingest_store_folder", ("ingest", "{tmp}/typed.csv", "--store", "{tmp}/storedir", "--lang", "en"), 2,
         "integrity.usage.store_is_folder", ("--store", "storedir", "parbrief.duckdb")),
    Case("ingest_store_not_duckdb", ("ingest", "{tmp}/typed.csv", "--store", "{tmp}/corrupt.duckdb", "--lang", "en"),
         1, "integrity.store.not_duckdb", ("corrupt.duckdb", "not a DuckDB database", "a new file name")),
    Case("ingest_store_cut_short", ("ingest", "{tmp}/typed.csv", "--store", "{tmp}/cut.duckdb", "--lang", "en"), 1,
         "integrity.store.cannot_open", ("cut.duckdb", "nothing was written", "ingest the scores files again into a new --store")),
    Case("render_store_not_duckdb", ("render", "--data", "{tmp}/corrupt.duckdb", "--out", "{tmp}/out", "--lang", "en"),
         1, "integrity.store.not_duckdb", ("corrupt.duckdb", "--data")),
    Case("render_store_cut_short", ("render", "--data", "{tmp}/cut.duckdb", "--out", "{tmp}/out", "--lang", "en"), 1,
         "integrity.store.cannot_open", ("cut.duckdb", "cannot read or write the store")),
    Case("render_data_folder", ("render", "--data", "{tmp}/storedir", "--out", "{tmp}/out", "--lang", "en"), 2,
         "integrity.usage.data_is_folder", ("--data", "storedir", "is a folder")),
    Case("xlsx_random_bytes", ("validate", "{tmp}/random.xlsx", "--lang", "en"), 1, "integrity.read.not_excel",
         ("random.xlsx", "not an Excel workbook", "ask for the original")),
    Case("xlsx_cut_short", ("validate", "{tmp}/cut.xlsx", "--lang", "en"), 1, "integrity.read.damaged_xlsx",
         ("cut.xlsx", "damaged or incomplete", "save it again as .xlsx")),
    Case("xlsx_zip_not_a_workbook", ("ingest", "{tmp}/not_a_workbook.xlsx", "--store", "{tmp}/new.duckdb",
                                     "--lang", "en"), 1, "integrity.read.damaged_xlsx", ("not_a_workbook.xlsx",)),
    Case("unexpected_error", RENDER, 1, "integrity.unexpected.other",
         ("parbrief render", "RuntimeError: something nobody foresaw", "--debug"), _a_bug),
    Case("unexpected_os_error", ("validate", "{tmp}/typed.csv", "--lang", "en"), 1, "integrity.unexpected.os_error",
         ("typed.csv", "Permission denied", "--debug"), _unreadable),
    Case("bad_option_value", ("ingest", "{tmp}/typed.csv", "--store", "{tmp}/s.duckdb", "--max-removed", "150%"), 2,
         "ingest.help.max_removed_bad", ("--max-removed",)),
    # defect 6: accepted when it should not be
    Case("params_year_true", (*RENDER, "--params", "{tmp}/year_true.yaml"), 2, "config.error.bad_value",
         ("year_true.yaml", "True")),
    Case("params_year_float", (*RENDER, "--params", "{tmp}/year_float.yaml"), 2, "config.error.bad_value",
         ("year_float.yaml", "2024.7")),
    Case("params_min_years_1e20", (*RENDER, "--params", "{tmp}/min_years_huge.yaml"), 2, "config.error.bad_value",
         ("min_years_huge.yaml", "min_years must be at least 3")),
    Case("params_min_years_float", (*RENDER, "--params", "{tmp}/min_years_float.yaml"), 2, "config.error.bad_value",
         ("min_years_float.yaml", "1e+20")),
    Case("min_years_above_the_data", (*RENDER, "--min-years", "20"), 1, "config.error.min_years_above",
         ("min_years 20", "use at most 3")),
    Case("min_years_below_3", (*RENDER, "--min-years", "2"), 2, "config.error.bad_value", ("min_years",)),
    Case("params_unknown_key", (*RENDER, "--params", "{tmp}/unknown_key.yaml"), 2, "config.error.unknown_key",
         ("unknown_key.yaml", "yaer")),
    Case("params_file_missing", (*RENDER, "--params", "{tmp}/none.yaml"), 2, "config.file.not_found", ("none.yaml",)),
    Case("alpha_out_of_bounds", (*RENDER, "--alpha", "0.7"), 2, "config.error.bad_value", ("alpha",)),
    Case("workers_zero", (*RENDER, "--workers", "0"), 2, "config.error.bad_value", ("workers",)),
    Case("shared_alias_in_spec", ("validate", "{tmp}/typed.csv", "--spec", "{tmp}/shared_alias.yaml", "--lang", "en"),
         1, "integrity.spec.alias_shared", ("shared_alias.yaml", "'Bộ máy' names both bo_may and cong_vu")),
    Case("out_root", ("render", "--data", "{store}", "--out", "/", "--no-wait", "--lang", "en"), 2,
         "integrity.usage.system_folder", ("--out /", "root of the file system", "--out outputs")),
    Case("out_etc", ("render", "--data", "{store}", "--out", "/etc", "--lang", "en"), 2,
         "integrity.usage.system_folder", ("--out /etc", "a folder of the operating system")),
    Case("out_usr_subfolder", ("render", "--data", "{store}", "--out", "/usr/share/briefs", "--lang", "en"), 2,
         "integrity.usage.system_folder", ("/usr/share/briefs",)),
    Case("out_home_itself", ("render", "--data", "{store}", "--out", "{tmp}/home", "--lang", "en"), 2,
         "integrity.usage.system_folder", ("your home folder itself",), _home),
    Case("out_root_pdf", ("render", "--data", "{store}", "--out", "/", "--pdf", "--lang", "en"), 2,
         "integrity.usage.system_folder", ("--out /",)),
    Case("demo_out_root", ("demo", "--out", "/"), 2, "integrity.usage.system_folder", ("--out /",)),
    Case("province_without_scores_in_year", (*RENDER, "--year", "2024", "--province", "Quảng Bình"), 1,
         "integrity.params.province_no_scores", ("Quảng Bình has no scores for 2024", "2022, 2023", "--year")),
    Case("province_not_in_data", (*RENDER, "--province", "Hà Giang"), 1, "config.error.province_missing",
         ("Hà Giang",)),
    Case("year_not_in_data", (*RENDER, "--year", "2019"), 1, "config.error.year_missing", ("year 2019 is not in the data", "2022, 2023, 2024")),
    # defect 3: unit types without a unit-type column
    Case("unit_type_unknown_and_ambiguous", ("validate", "{tmp}/units.csv", "--lang", "en"), 1,
         "integrity.unit_type.unknown", ("units.csv, row 3", "“Gio Linh”", "add a 'Loại đơn vị' column")),
    Case("unit_type_ambiguous", ("validate", "{tmp}/units.csv", "--lang", "en"), 1, "integrity.unit_type.ambiguous",
         ("units.csv, row 4", "“P.” may stand for")),
    Case("unit_types_read_from_names", ("validate", "{tmp}/typed.csv", "--lang", "en"), 0,
         "integrity.unit_type.inferred", ("1 district, 1 department",)),
    # defect 7: misleading hints
    Case("csv_named_xlsx", ("validate", "{tmp}/csv.xlsx", "--lang", "en"), 0, "integrity.read.csv_named_xlsx",
         ("csv.xlsx", "in fact a text (CSV) table", "Rename the file to .csv")),
    Case("old_excel_keeps_the_password_hint", ("validate", "{tmp}/old.xlsx", "--lang", "en"), 1,
         "data_read.old_excel", ("old.xlsx", "password")),
    Case("store_without_extension", ("render", "--data", "{tmp}/store_without_extension", "--out", "{tmp}/out",
                                     "--year", "2019", "--lang", "en"), 1, "config.error.year_missing",
         ("year 2019 is not in the data",)),
]


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The locale key of every text written while a case runs."""
    keys: list[str] = []
    template = messages._template  # noqa: SLF001 - the one place every text goes through

    def recording(key: str, lang: str) -> str:
        keys.append(key)
        return template(key, lang)

    monkeypatch.setattr(messages, "_template", recording)
    return keys


@pytest.mark.bad_input_corpus
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_handled(case: Case, tmp_path, small_store, recorded, monkeypatch, capsys) -> None:
    _files(tmp_path, small_store)
    if case.setup is not None:
        case.setup(tmp_path, monkeypatch)
    argv = [a.format(tmp=tmp_path, store=small_store) for a in case.argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: a mistyped option
        code = exc.code
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == case.code, text
    assert case.key in recorded or f"{case.key}.message" in recorded, (case.key, text)  # a problem's: <key>.message
    for piece in case.says:
        assert piece in text, (piece, text)
    assert "Traceback" not in text
    assert text.strip(), "the command says what happened"
    assert not (tmp_path / "out" / "2024").exists()  # nothing rendered


def test_the_corpus_is_large_and_covers_every_defect() -> None:
    """At least 25 cases, each id once, with keys that exist in both languages."""
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)
    for c in CASES:
        for lang in ("vi", "en"):
            assert messages.has_key(c.key, lang) or messages.has_key(c.key + ".message", lang), (c.key, lang)
