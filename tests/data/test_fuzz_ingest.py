"""Fuzzing the ingest chain: generated files → read_table → validate → (when valid) the statistics.

Nothing in the chain may raise anything but the package's own errors: reading raises only
:class:`DataValidationError`; ``validate_file`` never raises for a data file (it reports); a
frame that validated is a clean data-model frame, and the statistics (``unit_trends``,
``panel_differences``, ``survey_differences``) return results, possibly "cannot test", for any
such frame. Hypothesis generates the files: tables that start valid and are then damaged (junk
cells, numbers as text, NaN, huge values, duplicated rows and headers, NFD names, legacy
encodings), written as CSV (',' or ';', UTF-8/BOM/UTF-16) or .xlsx.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
import unicodedata
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from parbrief.data.read import read_table
from parbrief.data.validate import scores_schema, survey_schema, validate_file
from parbrief.errors import DataValidationError
from parbrief.spec import load_spec

try:  # the statistics are written in parallel: fuzz through them when they exist
    from parbrief.stats.differences import panel_differences, survey_differences
    from parbrief.stats.trends import unit_trends
except ImportError:  # pragma: no cover - only before the stats modules exist
    unit_trends = panel_differences = survey_differences = None  # type: ignore[assignment]

SPEC = load_spec()
CODES = list(SPEC.codes)
# Caps valid in every method version of the spec (the maxima changed over the years).
CAPS = {code: min(v.max_points(code) for v in SPEC.versions if code in v.codes) for code in CODES}
YEARS = [y for y in range(2017, 2026) if SPEC.covers(y)]
UNITS = ["Thành phố Đông Hà", "Huyện Hướng Hóa", "Huyện Vĩnh Linh", "Huyện Gio Linh", "Thị xã Quảng Trị",
         "Huyện Cam Lộ"]
PROVINCES = ["Quảng Trị", "Hòa Bình"]
VALID_HEADERS = {
    "province": ["Tỉnh", "province", "Tỉnh/TP"],
    "unit": ["Đơn vị", "unit", "Tên đơn vị", "Huyện"],
    "year": ["Năm", "year", "Năm đánh giá"],
    "total": ["Tổng điểm", "total", "Chỉ số CCHC", "Tổng điểm (%)"],
}
JUNK_HEADERS = ["", "x", "Điểm thưởng", "STT", "Ghi chú", "Xếp hạng", "Loại đơn vị", "🙂", "\u200b", "Tổng điểm",
                "Năm", "chi_dao", "Thể chế (%)", "=SUM(A1)", "Mã phiếu", "Hài lòng", "2023", "None"]
JUNK_CELLS = st.one_of(
    st.none(),
    st.text(max_size=10),
    st.sampled_from(["", " ", "-", "x", "NaN", "nan", "inf", "-inf", "1e308", "1e309", "-0", "85,3%", "8.5%",
                     "'7.5", "08/05/2023", "8-May", "#DIV/0!", "#N/A", "1.234,5", "2.023", "Qu¶ng TrÞ",
                     "Quaûng Trò", "Tá»•ng", "Tổng cộng", "Trung bình", "KĐG", "\ufeff", "0x10", "١٢", "½"]),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


def _num_text(x: float, comma: bool) -> str:
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s.replace(".", ",") if comma else s


@st.composite
def damaged_tables(draw: st.DrawFn) -> tuple[list[str], list[list[Any]], dict]:
    """A valid scores table (units × years, components within every version's maxima), then damaged."""
    n_units = draw(st.integers(1, 5))
    years = sorted(draw(st.sets(st.sampled_from(YEARS), min_size=1, max_size=5)))
    provinces = draw(st.lists(st.sampled_from(PROVINCES), min_size=1, max_size=2, unique=True))
    comma = draw(st.booleans())
    header = [draw(st.sampled_from(VALID_HEADERS[k])) for k in ("province", "unit", "year", "total")] + CODES
    rows: list[list[Any]] = []
    for prov in provinces:
        for u in UNITS[:n_units]:
            level = draw(st.floats(0.3, 0.95))
            for y in years:
                if draw(st.integers(0, 9)) == 0:
                    continue  # a missing year for this unit
                comps = [round(min(CAPS[c], max(0.0, CAPS[c] * (level + draw(st.floats(-0.1, 0.1))))), 2) for c in CODES]
                total = round(sum(comps), 2)
                name = unicodedata.normalize("NFD", u) if draw(st.booleans()) else u
                rows.append([prov, name, str(y), _num_text(total, comma), *(_num_text(x, comma) for x in comps)])
    # Damage: a few junk cells, duplicated rows, extra or renamed columns.
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2, 4]))):  # about half the tables stay valid
        if rows:
            i = draw(st.integers(0, len(rows) - 1))
            j = draw(st.integers(0, len(header) - 1))
            rows[i][j] = draw(JUNK_CELLS)
    if rows and draw(st.integers(0, 4)) == 0:
        rows.append(list(rows[draw(st.integers(0, len(rows) - 1))]))
    if draw(st.integers(0, 5)) == 0:
        header.append(draw(st.sampled_from(JUNK_HEADERS)))
        for r in rows:
            r.append(draw(JUNK_CELLS))
    if draw(st.integers(0, 9)) == 0:
        header[draw(st.integers(0, len(header) - 1))] = draw(st.sampled_from(JUNK_HEADERS))
    fmt = {
        "kind": draw(st.sampled_from(["csv", "csv", "csv", "xlsx"])),
        "delimiter": ";" if comma else draw(st.sampled_from([",", ";", "\t"])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])),
        "title": draw(st.booleans()),
    }
    return header, rows, fmt


def _cell_for_excel(v: Any) -> Any:
    if isinstance(v, str):
        return "".join(ch for ch in v if ch in "\t\n\r" or ord(ch) >= 32)  # XML 1.0 has no control characters
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)  # Excel has no NaN/inf cells
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53:
        return str(v)
    return v


def _write(path_dir: Path, header: list[str], rows: list[list[Any]], fmt: dict) -> Path:
    table = ([["KẾT QUẢ CHỈ SỐ CCHC"], []] if fmt["title"] else []) + [header, *rows]
    if fmt["kind"] == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        for r in table:
            ws.append([_cell_for_excel(v) for v in r])
        path = path_dir / "fuzz.xlsx"
        wb.save(path)
        return path
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=fmt["delimiter"], lineterminator="\r\n")
    for r in table:
        w.writerow(["" if v is None else v for v in r])
    path = path_dir / "fuzz.csv"
    path.write_bytes(buf.getvalue().encode(fmt["encoding"], errors="surrogatepass"))
    return path


def _run_stats(frame: pd.DataFrame) -> int:
    """Run the statistics on every province of a clean scores frame; returns how many results came back."""
    if unit_trends is None:
        return 0
    count = 0
    for _, one in frame.groupby("province", sort=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # small samples make scipy/statsmodels warn; results say so
            trends = unit_trends(one)
            diff = panel_differences(one)
        assert trends is not None and diff is not None
        assert set(trends.to_frame()["unit"]) == set(one["unit"])
        count += 1
    return count


@settings(max_examples=45, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damaged_tables())
def test_damaged_files_never_crash_validation_or_statistics(table) -> None:
    header, rows, fmt = table
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = _write(Path(tmp), header, rows, fmt)
        except (UnicodeEncodeError, ValueError):
            return  # the writer itself cannot store this cell (lone surrogates, Excel limits)
        try:
            read_table(path)
        except DataValidationError as exc:
            assert exc.problems and all(p.message_vi and p.message_en for p in exc.problems)
        report = validate_file(path, spec=SPEC)  # never raises for a data file
    assert all(p.message_vi and p.message_en for p in report.problems)
    assert all(p.hint_vi and p.hint_en for p in report.errors)
    event("valid" if report.ok else "refused")
    if report.ok and len(report.frame) and report.kind == "scores":
        scores_schema(SPEC).validate(report.frame)
        event(f"statistics run on {_run_stats(report.frame)} province(s)")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(JUNK_HEADERS + [h for hs in VALID_HEADERS.values() for h in hs] + CODES), min_size=1,
             max_size=8),
    st.lists(st.lists(JUNK_CELLS, min_size=0, max_size=9), max_size=6),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"]),
    st.sampled_from([",", ";", "\t"]),
)
def test_random_csv_files_only_raise_validation_errors(header, rows, encoding, delimiter) -> None:
    """Arbitrary headers and cells, any encoding: reading raises DataValidationError or nothing."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    for r in [header, *rows]:
        w.writerow(["" if v is None else v for v in r])
    data = buf.getvalue().encode(encoding, errors="replace")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.csv"
        path.write_bytes(data)
        try:
            raw = read_table(path)
        except DataValidationError as exc:
            assert exc.problems
            return
        report = validate_file(path, spec=SPEC)
    assert report.rows == len(raw.frame)
    if report.ok and len(report.frame):
        schema = scores_schema(SPEC) if report.kind == "scores" else survey_schema()
        schema.validate(report.frame)


@st.composite
def survey_tables(draw: st.DrawFn) -> list[list[Any]]:
    header = ["Tỉnh", "Đơn vị", "Năm", "Mã phiếu", "Mức độ hài lòng", "Câu 1"]
    rows = []
    n_units = draw(st.integers(1, 4))
    for u in UNITS[:n_units]:
        for k in range(draw(st.integers(0, 6))):
            rows.append(["Quảng Trị", u, 2024, f"P{k}", draw(st.integers(1, 5)), draw(st.integers(1, 5))])
    for _ in range(draw(st.integers(0, 3))):
        if rows:
            rows[draw(st.integers(0, len(rows) - 1))][draw(st.integers(0, 5))] = draw(JUNK_CELLS)
    return [header, *rows]


@pytest.mark.skipif(survey_differences is None, reason="parbrief.stats.differences not available yet")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survey_tables())
def test_survey_files_through_survey_differences(table) -> None:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in r] for r in table])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "survey.csv"
        path.write_bytes(buf.getvalue().encode("utf-8", errors="replace"))
        report = validate_file(path, spec=SPEC)
    if report.kind == "survey" and report.ok and len(report.frame):
        survey_schema().validate(report.frame)
        for _, one in report.frame.groupby(["province", "year"]):  # one province and year at a time
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = survey_differences(one)
            assert result is not None


def test_stats_are_in_the_chain() -> None:
    """Say so when the fuzzing could not reach the statistics (they are written in parallel)."""
    assert unit_trends is not None and panel_differences is not None and survey_differences is not None


def test_excel_dates_and_huge_numbers_reach_validation(tmp_path: Path) -> None:
    """A fixed example of what the fuzzing covers: dates, booleans, 1e308 and NaN in an .xlsx file."""
    header = ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", *CODES]
    rows = [["Quảng Trị", "Huyện Cam Lộ", 2023, 1e308, 8, 8, 12, 7, 10, 7, 8, 20],
            ["Quảng Trị", "Huyện Gio Linh", 2023, True, dt.datetime(2023, 5, 8), 8, 12, 7, 10, 7, 8, 20],
            ["Quảng Trị", "Huyện Vĩnh Linh", dt.date(2023, 1, 1), "NaN", 8, 8, 12, 7, 10, 7, 8, 20]]
    path = _write(tmp_path, header, rows, {"kind": "xlsx", "title": False})
    report = validate_file(path, spec=SPEC)
    assert [(p.kind, p.row, p.column) for p in report.errors] == [
        ("out_of_range", 2, "Tổng điểm"),
        ("total_mismatch", 2, "Tổng điểm"),
        ("not_numeric", 3, "Tổng điểm"),
        ("date_in_number", 3, "chi_dao"),
        ("bad_year", 4, "Năm"),
        ("not_numeric", 4, "Tổng điểm"),
    ]
