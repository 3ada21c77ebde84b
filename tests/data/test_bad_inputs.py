"""The corpus of bad inputs (tests/data/bad/): every file gives exactly its recorded outcome.

The corpus is made by tests/data/make_bad_inputs.py; the first test regenerates it and checks the
committed files are byte-identical, so the script and the corpus never drift apart. The 50 MB
file is generated at test time only and read in a subprocess whose peak memory is measured.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import math
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from parbrief.data import read as read_module
from parbrief.data.encodings import decode_tcvn3, decode_vni, guess_legacy, is_vietnamese_syllable
from parbrief.data.read import read_table
from parbrief.data.validate import load_scores, validate_file, validate_scores
from parbrief.errors import DataValidationError

HERE = Path(__file__).parent
BAD = HERE / "bad"
CASES = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def _generator():
    spec = importlib.util.spec_from_file_location("make_bad_inputs", HERE / "make_bad_inputs.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


gen = _generator()


def _case_id(case: dict) -> str:
    return case["file"] + (f"#{case['sheet']}" if case.get("sheet") else "")


def _not_inferred(problems):
    """The problems but the warning that the unit types were read from the names (no unit-type column)."""
    return [p for p in problems if p.kind != "unit_types_inferred"]


def _only(exc: pytest.ExceptionInfo[DataValidationError]):
    assert len(exc.value.problems) == 1, [p.format("en") for p in exc.value.problems]
    return exc.value.problems[0]


# ---------------------------------------------------------------------------------------------- the corpus


def _fingerprint(p: Path) -> object:
    """Bytes of a text file; for a workbook, what openpyxl reads from it (sheets, states, merges,
    cells with formats, cached values), so another openpyxl version writing other XML still agrees."""
    data = p.read_bytes()
    if not data.startswith(b"PK"):
        return hashlib.sha256(data).hexdigest()
    import openpyxl

    out = []
    for data_only in (False, True):
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
        for ws in wb.worksheets:
            out.append((ws.title, ws.sheet_state, sorted(str(r) for r in ws.merged_cells.ranges),
                        [(c.coordinate, repr(c.value), c.number_format) for row in ws.iter_rows() for c in row
                         if c.value is not None]))
    return out


def test_corpus_is_reproducible_and_fully_described(tmp_path: Path) -> None:
    made = gen.build(tmp_path / "bad")
    committed = sorted(p.name for p in BAD.iterdir() if p.name != "expected.yaml")
    assert sorted(p.name for p in made) == committed
    for p in made:
        assert _fingerprint(p) == _fingerprint(BAD / p.name), p.name
    described = {c["file"] for c in CASES}
    assert described == set(committed)
    assert len(committed) >= 25
    assert sum(n.endswith(".xlsx") for n in committed) >= 10 and sum(n.endswith(".csv") for n in committed) >= 15
    assert sum(p.stat().st_size for p in BAD.iterdir()) < 300_000  # the corpus stays small


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_corpus_file_gives_its_expected_outcome(case: dict, spec) -> None:
    report = validate_file(BAD / case["file"], spec=spec, sheet=case.get("sheet"))
    assert [[p.kind, p.row, p.column] for p in report.errors] == case["errors"]
    assert [[p.kind, p.row, p.column] for p in report.warnings] == case["warnings"]
    assert ("ok" if report.ok else "refused") == case["outcome"]
    assert all(p.message_vi and p.message_en and p.file == case["file"] for p in report.problems)
    assert all(p.hint_vi and p.hint_en for p in report.errors)  # every refusal says how to fix it
    if case["outcome"] == "ok":
        assert len(report.frame) == case["rows"]
        for column, expected in case.get("values", {}).items():
            got = [None if isinstance(g, float) and math.isnan(g) else g for g in report.frame[column].tolist()]
            assert len(got) == len(expected), column
            for g, e in zip(got, expected):
                assert g == (pytest.approx(e, abs=1e-9) if isinstance(e, float) else e), (column, got)
        frame = load_scores(BAD / case["file"], spec=spec, sheet=case.get("sheet"))  # ingestible
        assert len(frame) == case["rows"]
    else:
        with pytest.raises(DataValidationError):
            load_scores(BAD / case["file"], spec=spec, sheet=case.get("sheet"))


# ---------------------------------------------------------------------------------------------- messages


def test_legacy_encoding_messages(spec) -> None:
    p = _only_report(BAD / "tcvn3.csv", spec)
    assert p.message_vi == (
        "Tệp CSV không ở mã UTF-8: chữ tiếng Việt trong tệp có vẻ theo bảng mã cũ TCVN3 (ABC) (ví dụ “TØnh” là "
        "“Tỉnh”), từ dòng 1; parbrief không tự đoán bảng mã để tránh đọc sai tên đơn vị."
    )
    assert p.hint_en == (
        "Convert it to Unicode with Unikey's converter (Ctrl+Shift+F6, from TCVN3 (ABC) to Unicode), then in Excel "
        "use Save As → 'CSV UTF-8 (Comma delimited)'."
    )
    vni = _only_report(BAD / "vni.csv", spec)
    assert vni.message_en.startswith(
        "The CSV file is not UTF-8 encoded: its Vietnamese text looks like the legacy VNI-Windows encoding "
        "(e.g. 'Tænh' is 'Tỉnh')"
    )
    cp = _only_report(BAD / "cp1258.csv", spec)
    assert "Windows-1258 (cp1258)" in cp.message_en and "is 'Tỉnh'" in cp.message_en
    assert cp.hint_en.endswith("(from Python: read_table(..., encoding=\"cp1258\")).")
    font = _only_report(BAD / "tcvn3_font.xlsx", spec)
    assert font.format("en") == (
        "tcvn3_font.xlsx: The Vietnamese text in the file is typed in the legacy TCVN3 (ABC) encoding (.VnTime, "
        ".VnArial… fonts), not Unicode, so unit names and column headers cannot be read. For example 'TØnh' is "
        "'Tỉnh'. → Convert to Unicode: select and copy the table, run Unikey's converter (Ctrl+Shift+F6) from "
        "TCVN3 (ABC) to Unicode, paste it back, switch the font to Times New Roman and save the file."
    )
    mojibake = _only_report(BAD / "utf8_double_encoded.csv", spec)
    assert mojibake.message_vi.startswith("Chữ tiếng Việt trong tệp bị lỗi phông: tệp UTF-8 đã được mở bằng bảng mã")
    one = validate_file(BAD / "one_tcvn3_name.csv", spec=spec).errors[0]
    assert one.format("vi") == (
        "one_tcvn3_name.csv, dòng 4, cột 'Đơn vị': Tên “HuyÖn VÜnh Linh” có vẻ được gõ bằng bảng mã cũ TCVN3 (ABC), "
        "không phải Unicode: đọc là “Huyện Vĩnh Linh”. → Gõ lại tên bằng Unicode, hoặc chuyển mã bằng Unikey "
        "(Ctrl+Shift+F6, nguồn TCVN3 (ABC), đích Unicode)."
    )


def _only_report(path: Path, spec):
    report = validate_file(path, spec=spec)
    assert len(report.problems) == 1, [p.format("en") for p in report.problems]
    return report.problems[0]


def test_cell_and_layout_messages(spec) -> None:
    f = validate_file(BAD / "formulas_no_cache.xlsx", spec=spec).errors[0]
    assert f.format("vi") == (
        "formulas_no_cache.xlsx, dòng 2, cột 'Tổng điểm': Ô D2 chứa công thức “=SUM(E2:L2)” nhưng không có giá trị "
        "đã tính (tệp được tạo bằng phần mềm không tính công thức). → Mở tệp bằng Excel rồi lưu lại (Excel sẽ tính "
        "công thức), hoặc sao chép bảng và dán giá trị (Paste Special → Values)."
    )
    d = validate_file(BAD / "dates_in_scores.xlsx", spec=spec).errors[0]
    assert d.message_vi == (
        "Ô chứa ngày tháng “08/05/2023” thay vì điểm số: Excel có thể đã tự đổi số gõ vào (như 8.5) thành ngày."
    )
    pa = validate_file(BAD / "percent_component_ambiguous.csv", spec=spec).errors[0]
    assert pa.message_en == (
        "'86%' has a '%' sign but the column header does not say '%': it is unclear whether this is points or a "
        "percentage of the maximum 9."
    )
    conv = _not_inferred(validate_file(BAD / "percent_header.csv", spec=spec).warnings)[0]
    assert conv.message_vi == (
        "Tiêu đề cột ghi “%”: 2 giá trị được hiểu là phần trăm của điểm tối đa 9 và đổi ra điểm "
        "(ví dụ “94.44” → 8,4996 điểm; dòng 2, 3)."
    )
    ph = _not_inferred(validate_file(BAD / "placeholders.csv", spec=spec).warnings)[0]
    assert ph.message_en == "2 cells holding '-', 'x' instead of a score (rows 2, 3) are read as blank: no score."
    merged = {p.kind: p for p in validate_file(BAD / "merged_header.xlsx", spec=spec).warnings}
    assert merged["merged_cells_filled"].message_vi == (
        "Có 1 vùng ô gộp theo chiều dọc trong dữ liệu (B6:B10); giá trị của mỗi vùng được dùng cho mọi dòng trong "
        "vùng, như Excel hiển thị."
    )
    assert merged["two_row_header"].message_en == (
        "The column headers span two rows (3 and 4, with merged cells); each column takes its header from row 4, "
        "or from row 3 where row 4 is blank."
    )
    hidden = validate_file(BAD / "hidden_sheet.xlsx", spec=spec, sheet="Nháp 2022").warnings[0]
    assert hidden.format("vi") == (
        "hidden_sheet.xlsx (cảnh báo): Trang tính “Nháp 2022” đang bị ẩn trong Excel; vẫn đọc vì đã được chọn bằng "
        "tên. → Kiểm tra đây đúng là trang số liệu cần dùng (trang ẩn thường là bản nháp hoặc số liệu cũ)."
    )
    summary = _not_inferred(validate_file(BAD / "blank_rows_and_summary.csv", spec=spec).warnings)[1]
    assert summary.message_vi == "Dòng “Tổng cộng” là dòng tổng hợp, không phải một đơn vị; được bỏ qua."


# ---------------------------------------------------------------------------------------------- options


def test_cp1258_is_read_when_the_encoding_is_given(spec) -> None:
    raw = read_table(BAD / "cp1258.csv", encoding="cp1258")
    assert [n.kind for n in raw.notes] == ["encoding_given"]
    assert raw.headers[:4] == ("Tỉnh", "Đơn vị", "Năm", "Tổng điểm")
    assert all(unicodedata.is_normalized("NFC", h) for h in raw.headers)  # cp1258's separate tone marks composed
    report = validate_scores(raw, spec)
    assert report.errors == []
    assert report.frame["unit"].tolist()[-1] == "Huyện Hướng Hóa"


def test_size_limit_is_configurable(monkeypatch) -> None:
    path = BAD / "utf8_bom.csv"
    with pytest.raises(DataValidationError) as exc:
        read_table(path, max_bytes=100)
    p = _only(exc)
    assert p.kind == "too_large" and p.message_en == "The file is too large (0.0 MB); the current limit is 0 MB."
    assert "PARBRIEF_MAX_INPUT_MB" in p.hint_en
    monkeypatch.setenv("PARBRIEF_MAX_INPUT_MB", "0.0001")
    assert [q.kind for q in validate_file(path).errors] == ["too_large"]
    monkeypatch.setenv("PARBRIEF_MAX_INPUT_MB", "1")
    assert validate_file(path).ok


def test_large_xlsx_streaming_mode(monkeypatch, spec) -> None:
    """Above 3 MB an .xlsx is streamed (openpyxl read-only): same results, except merged cells stay unfilled."""
    monkeypatch.setattr(read_module, "_XLSX_FULL_MODE_MAX", 0)
    by_file = {c["file"]: c for c in CASES if not c.get("sheet")}
    for name in ("formulas_no_cache.xlsx", "formulas_cached.xlsx", "hidden_sheet.xlsx", "percent_format.xlsx",
                 "dates_in_scores.xlsx", "title_block.xlsx", "tcvn3_font.xlsx", "excel_errors.xlsx"):
        report = validate_file(BAD / name, spec=spec)
        assert [[p.kind, p.row, p.column] for p in report.errors] == by_file[name]["errors"], name
        assert [[p.kind, p.row, p.column] for p in report.warnings] == by_file[name]["warnings"], name
    merged = validate_file(BAD / "merged_header.xlsx", spec=spec)  # documented limit: no merge fill
    assert [(p.kind, p.row) for p in merged.errors] == [("missing_province", r) for r in (7, 8, 9, 10)]


# ---------------------------------------------------------------------------------------------- encodings


def test_legacy_detection_never_flags_real_names() -> None:
    """Every real district and province name shipped with parbrief is Unicode Vietnamese, not legacy text."""
    resources = Path(read_module.__file__).parents[1] / "resources"
    names: set[str] = set()
    # regions.csv repeats the crosswalk's provinces as bare names ("Sơn La"): one short name alone
    # is too little text to tell VNI from Unicode, and the crosswalk's official forms are tested.
    for csv_file in (f for f in resources.glob("*.csv") if f.name != "regions.csv"):
        table = pd.read_csv(csv_file, dtype=str, keep_default_na=False)
        names.update(v for col in table.columns for v in table[col] if v and not v.replace(".", "").isdigit())
    names_list = sorted(names)
    assert len(names_list) > 200
    names = names_list  # type: ignore[assignment]
    assert [n for n in names if guess_legacy([n]).encoding is not None] == []
    # … and the same names written in TCVN3 or VNI are recognized (those with Vietnamese letters).
    viet = [n for n in names if not n.isascii()]
    tcvn = [n for n in viet if guess_legacy([gen.to_tcvn3(n)]).encoding != "tcvn3"]
    vni = [n for n in viet if guess_legacy([gen.to_vni(n)]).encoding != "vni"]
    assert len(tcvn) <= len(viet) // 50 and len(vni) <= len(viet) // 50, (tcvn[:10], vni[:10])


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv (glibc) not installed")
def test_tcvn3_table_agrees_with_glibc() -> None:
    from parbrief.data.encodings import _TCVN3

    raw = bytes(ord(ch) for ch in _TCVN3)
    out = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=raw, capture_output=True, check=True)
    assert out.stdout.decode("utf-8") == "".join(_TCVN3.values())


_SYLLABLES = st.sampled_from(
    "Quảng Trị Đông Hà Vĩnh Linh Hướng Hóa Thừa Thiên Huế Đà Nẵng Tổng điểm năm Chỉ đạo điều hành Thủ tục hành chính "
    "Chế độ công vụ Tài chính công Chính phủ số Tác động Nguyễn Thủy Khỏe Mường Khương ngoằn nghèo quyết tuyệt Kỳ Sơn "
    "Mỹ Tho Ỷ Lan ước muốn Hải Phòng Bắc Giang Lạng Sơn Cà Mau Bạc Liêu Sóc Trăng Gia Lai Đắk Nông".split()
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_SYLLABLES, min_size=1, max_size=6))
def test_legacy_round_trip(words: list[str]) -> None:
    text = " ".join(words)
    assert decode_vni(gen.to_vni(text)) == text
    lowered = gen.to_tcvn3(text)
    assert unicodedata.normalize("NFC", decode_tcvn3(lowered)).lower() == text.lower()
    assert guess_legacy([text]).encoding is None
    assert all(is_vietnamese_syllable(w) for w in words if w not in ("Đắk",))


# ---------------------------------------------------------------------------------------------- 50 MB


_MEASURE = r"""
import json, resource, sys, time

def peak_kb():
    # VmHWM: this process's own peak RSS. ru_maxrss can carry the parent's peak across fork+exec.
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

from parbrief.data.read import read_table
from parbrief.data.validate import validate_scores
from parbrief.spec import load_spec
base = peak_kb()
t1 = time.perf_counter()
raw = read_table(sys.argv[1])
read_peak = peak_kb()
t2 = time.perf_counter()
report = validate_scores(raw, load_spec())
t3 = time.perf_counter()
print(json.dumps({"import_kb": base, "read_kb": read_peak, "peak_kb": peak_kb(), "rows": len(raw.frame),
                  "clean": len(report.frame), "errors": len(report.errors), "read_s": round(t2 - t1, 2),
                  "validate_s": round(t3 - t2, 2)}))
"""


def test_50_mb_csv_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """A 50 MB scores CSV (≈630 000 rows) is read and validated in a subprocess adding under 400 MB to its RSS."""
    path = tmp_path / "big.csv"
    n = gen.write_big_csv(path, 50.0)
    assert path.stat().st_size >= 50 * 1024 * 1024
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True,
                         timeout=300)
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"50 MB CSV: {stats}")  # figures for the report (pytest -s)
    assert stats["rows"] == n and stats["clean"] == n and stats["errors"] == 0
    # what the read and the validation add to the process (the imports, ≈ 125–165 MB, vary with the
    # machine: without .pyc files, as under PYTHONDONTWRITEBYTECODE, compiling them costs more)
    assert stats["peak_kb"] - stats["import_kb"] < 400 * 1024, stats
    assert stats["peak_kb"] < 600 * 1024, stats
