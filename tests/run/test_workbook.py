"""Results workbooks (parbrief.run.workbook): which are written, and when results.xlsx is renewed."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import openpyxl
import pytest

from parbrief.report.workbook_tables import SHEETS, TABLES_MIME
from parbrief.run import workbook as W


def _notebook(path: Path, province: str, score: float) -> None:
    row = [None] * len(SHEETS["league"])
    row[:4] = ["district", 1, "Huyện A", score]
    bundle = {"province": province, "lang": "vi", "sheets": {"league": [row]}}
    cell = {"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {TABLES_MIME: bundle}}]}
    path.write_text(json.dumps({"cells": [cell]}), encoding="utf-8")


def _age(path: Path, seconds: float) -> None:
    st = path.stat()
    os.utime(path, (st.st_atime - seconds, st.st_mtime - seconds))


def test_results_renewed_when_a_brief_changed_even_if_its_workbook_was_written_as_it_landed(tmp_path, monkeypatch):
    for slug, prov in (("a", "Tỉnh A"), ("b", "Tỉnh B")):
        _notebook(tmp_path / f"{slug}.ipynb", prov, 80.0)
    first = W.write_workbooks(tmp_path, ["a", "b"], "vi")
    assert len(first["workbooks"]) == 2 and (tmp_path / "results.xlsx").is_file()
    for f in tmp_path.iterdir():
        _age(f, 100)
    # brief "a" rendered again: its notebook and (as render_brief does) its workbook are new
    _notebook(tmp_path / "a.ipynb", "Tỉnh A", 91.5)
    W.write_workbook(W.read_tables(tmp_path / "a.ipynb"), tmp_path / "a.xlsx")
    second = W.write_workbooks(tmp_path, ["a", "b"], "vi")
    assert second["workbooks"] == []  # both workbooks current
    league = openpyxl.load_workbook(tmp_path / "results.xlsx").worksheets[0]
    assert [r[4].value for r in league.iter_rows(min_row=2)] == [91.5, 80.0]  # the new score is in
    # nothing changed since: no notebook is even read
    monkeypatch.setattr(W, "read_tables", lambda nb: (_ for _ in ()).throw(AssertionError(f"read {nb}")))
    mtime = (tmp_path / "results.xlsx").stat().st_mtime
    time.sleep(0.01)
    assert W.write_workbooks(tmp_path, ["a", "b"], "vi")["workbooks"] == []
    assert (tmp_path / "results.xlsx").stat().st_mtime == mtime


def test_the_bundle_is_read_as_json_text_or_as_an_object(tmp_path):
    # Briefs display the bundle as one JSON text (cheap to carry through the kernel's message,
    # the notebook and nbconvert); notebooks of earlier releases hold it as an object.
    row = [None] * len(SHEETS["league"])
    row[:4] = ["district", 1, "Huyện A", 80.5]
    bundle = {"province": "Tỉnh A", "lang": "vi", "sheets": {"league": [row], "pairwise": [
        ["district", "Huyện A", "Huyện B", float("inf"), None, None, 0.5, 1.0, False]]}}
    for form, data in (("text", json.dumps(bundle, ensure_ascii=False)), ("object", bundle)):
        cell = {"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {TABLES_MIME: data}}]}
        path = tmp_path / f"{form}.ipynb"
        path.write_text(json.dumps({"cells": [cell]}, ensure_ascii=False), encoding="utf-8")
        got = W.read_tables(path)
        assert got == bundle, form
        book = W.write_workbook(got, tmp_path / f"{form}.xlsx")
        sheet = openpyxl.load_workbook(book)[openpyxl.load_workbook(book).sheetnames[0]]
        assert [c.value for c in sheet[2]][:4] == ["district", 1, "Huyện A", 80.5]


def _outcome(slug: str, status: str = "ok"):
    from parbrief.run.execute import BriefOutcome

    return BriefOutcome(slug=slug, title=slug, status=status, duration_s=0.1)


def test_workbooks_written_when_the_last_brief_lands_not_after_the_overview(tmp_path, monkeypatch):
    from parbrief.run import analysis as A

    for slug, prov in (("a", "Tỉnh A"), ("b", "Tỉnh B"), ("c", "Tỉnh C")):
        _notebook(tmp_path / f"{slug}.ipynb", prov, 80.0)
    seen: list[list[str]] = []
    real = W.write_workbooks
    monkeypatch.setattr(W, "write_workbooks", lambda d, slugs, lang: seen.append(list(slugs)) or real(d, slugs, lang))
    # "b" unchanged (skipped); "c" and "a" rendered now, in that order; the overview runs last
    books = A.EarlyWorkbooks(["a", "b", "c", "overview"], ["c", "a", "overview"], tmp_path, "vi")
    books.landed(_outcome("c"))
    assert books._thread is None  # "a" has not landed yet
    books.landed(_outcome("a"))
    assert books._thread is not None  # started while the overview still runs
    books._thread.join()
    assert seen == [["a", "b", "c"]]  # every current brief, in the render's order
    books.landed(_outcome("overview"))
    out = A.after_briefs([_outcome("a"), _outcome("b", "skipped"), _outcome("c"), _outcome("overview")],
                         tmp_path, lang="vi", books=books)
    assert seen == [["a", "b", "c"]]  # not written a second time
    assert out["workbook"]["provinces"] == 3 and (tmp_path / "results.xlsx").is_file()
    league = openpyxl.load_workbook(tmp_path / "results.xlsx").worksheets[0]
    assert [r[0].value for r in league.iter_rows(min_row=2)] == ["Tỉnh A", "Tỉnh B", "Tỉnh C"]


def test_early_workbooks_leave_out_a_failed_brief_and_raise_what_the_thread_raised(tmp_path, monkeypatch):
    from parbrief.run import analysis as A

    _notebook(tmp_path / "a.ipynb", "Tỉnh A", 80.0)
    books = A.EarlyWorkbooks(["a", "b"], ["a", "b"], tmp_path, "vi")
    seen: list[list[str]] = []
    monkeypatch.setattr(W, "write_workbooks", lambda d, slugs, lang: seen.append(list(slugs)) or {"workbooks": []})
    books.landed(_outcome("a"))
    books.landed(_outcome("b", "failed"))
    assert books.result([])["workbooks"] == [] and seen == [["a"]]

    def boom(d, slugs, lang):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(W, "write_workbooks", boom)
    books = A.EarlyWorkbooks(["a"], ["a"], tmp_path, "vi")
    books.landed(_outcome("a"))
    with pytest.raises(OSError, match="No space left"):
        books.result([_outcome("a")])
