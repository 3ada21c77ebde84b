"""Tests for parbrief.data.validate: one bad file per error kind, with row, column and message checked."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parbrief.data.read import RawTable, read_table
from parbrief.data.validate import (
    ValidationReport,
    detect_kind,
    load_scores,
    load_survey,
    parse_number,
    scores_schema,
    survey_schema,
    validate_file,
    validate_scores,
    validate_survey,
)
from parbrief.errors import DataValidationError

# Same values as tests/data/conftest.py (kept here: conftest modules are not imported by name).
COMPONENTS = (8, 8, 12, 7, 10, 7, 8.5, 20)
HEADER = ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", "chi_dao", "the_che", "tthc", "bo_may", "cong_vu",
          "tai_chinh", "cp_so", "tac_dong"]


def problems(report: ValidationReport, kind: str):
    return [p for p in report.problems if p.kind == kind]


def one(report: ValidationReport, kind: str):
    found = problems(report, kind)
    assert len(found) == 1, [p.format("en") for p in report.problems]
    return found[0]


def test_valid_file_gives_clean_data_model_frame(write_csv, row, spec) -> None:
    path = write_csv(
        "ok.csv",
        [row("Yên Bái", " Huyện  Lục Yên ", 2023), row("Yên Bái", "Thị xã Nghĩa Lộ", "2023"),
         row("Hoà Bình", unicodedata.normalize("NFD", "Huyện Lạc Thuỷ"), 2024.0)],
    )
    report = validate_file(path, spec=spec)
    assert report.kind == "scores"
    # No unit-type column: the types are read from the names, and the one warning says so.
    assert [(p.kind, p.row, p.column) for p in report.problems] == [("unit_types_inferred", None, None)]
    assert report.problems[0].message_en == ("The file has no unit-type column: the unit types were read from the "
                                             "unit names (3 districts).")
    assert report.summary("vi") == "Tệp ok.csv: 3 dòng, 0 lỗi, 1 cảnh báo."
    assert report.summary("en") == "File ok.csv: 3 rows, 0 errors, 1 warning."
    f = report.frame
    assert list(f.columns) == ["province", "unit", "unit_type", "year", "total", *spec.codes]
    assert f["unit"].tolist() == ["Huyện Lục Yên", "Thị xã Nghĩa Lộ", "Huyện Lạc Thủy"]
    assert f["province"].tolist() == ["Yên Bái", "Yên Bái", "Hòa Bình"]
    assert f["year"].tolist() == [2023, 2023, 2024]
    assert f["unit_type"].tolist() == ["district"] * 3
    assert f["total"].tolist() == [80.5] * 3
    assert f.iloc[0][spec.codes].tolist() == list(map(float, COMPONENTS))
    assert str(f["year"].dtype) == "int64" and str(f["total"].dtype) == "float64"
    scores_schema(spec).validate(f)  # the clean frame is the data model


def test_missing_required_columns(write_csv, spec) -> None:
    path = write_csv("m.csv", [["Yên Bái", "Huyện Lục Yên", 80]], header=["Tỉnh", "Huyện", "Tổng điểm"])
    report = validate_file(path, spec=spec)
    p = one(report, "missing_column")
    assert (p.file, p.row, p.column, p.severity) == ("m.csv", None, None, "error")
    assert p.message_vi == "Thiếu cột bắt buộc “Năm” (year)."
    assert p.message_en == "Required column 'Year' (year) is missing."
    assert p.hint_vi == "Thêm cột “Năm” ghi năm đánh giá ở mọi dòng (ví dụ 2024)."
    assert report.frame.empty and list(report.frame.columns)[:5] == ["province", "unit", "unit_type", "year", "total"]
    # Totals only (no components) is allowed, with a warning.
    assert one(report, "totals_only").severity == "warning"


def test_not_numeric_score(write_csv, row, spec) -> None:
    bad = row("Yên Bái", "Thị xã Nghĩa Lộ", 2023)
    bad[5] = "tám"  # the_che
    path = write_csv("n.csv", [row("Yên Bái", "Huyện Lục Yên", 2023), bad])
    report = validate_file(path, spec=spec)
    p = one(report, "not_numeric")
    assert (p.row, p.column) == (3, "the_che")
    assert p.message_vi == "“tám” không phải là số."
    assert p.message_en == "'tám' is not a number."
    assert len(report.errors) == 1  # the total cannot be checked for that row: no second error
    assert report.frame["unit"].tolist() == ["Huyện Lục Yên"]  # partial frame without the bad row


def test_scores_out_of_range(write_csv, row, spec) -> None:
    comps = list(COMPONENTS)
    comps[0] = 9.5  # chi_dao max 9
    path = write_csv("r.csv", [row("Yên Bái", "Huyện Lục Yên", 2023, total=101, comps=comps),
                               row("Yên Bái", "Huyện Trạm Tấu", 2023, comps=[*COMPONENTS[:7], -1])])
    report = validate_file(path, spec=spec)
    found = problems(report, "out_of_range")
    assert [(p.row, p.column) for p in found] == [(2, "Tổng điểm"), (2, "chi_dao"), (3, "tac_dong")]
    assert found[0].message_vi == "Điểm 101 nằm ngoài khoảng 0–100 của tổng điểm."
    assert found[1].message_vi == (
        "Điểm 9,5 nằm ngoài khoảng 0–9 của tiêu chí “Công tác chỉ đạo, điều hành cải cách hành chính”."
    )
    assert found[1].message_en == "Score 9.5 is outside 0–9 for 'Direction and administration of reform'."
    assert found[2].message_en == "Score -1 is outside 0–33 for 'Impact of reform on people, businesses and socio-economic development'."
    assert "--spec" in found[1].hint_vi


def test_total_not_equal_to_sum(write_csv, row, spec) -> None:
    path = write_csv("t.csv", [row("Yên Bái", "Huyện Lục Yên", 2023, total=82.5),
                               row("Yên Bái", "Huyện Trạm Tấu", 2023, total=80.54)])  # within 0.05
    report = validate_file(path, spec=spec)
    p = one(report, "total_mismatch")
    assert (p.row, p.column) == (2, "Tổng điểm")
    assert p.message_vi == "Tổng điểm 82,5 khác tổng điểm các tiêu chí 80,5 (chênh 2, cho phép ±0,05)."
    assert p.message_en == "Total 82.5 differs from the sum of the components 80.5 (by 2; tolerance ±0.05)."


def test_duplicate_unit_year_names_both_rows(write_csv, row, spec) -> None:
    # "Hoà" and NFD "Hòa" are the same unit once normalized.
    path = write_csv(
        "d.csv",
        [row("Hòa Bình", "Huyện Lạc Thủy", 2023), row("Hòa Bình", "Huyện Kim Bôi", 2023),
         row("Hoà Bình", unicodedata.normalize("NFD", "Huyện Lạc Thuỷ"), 2023, comps=[*COMPONENTS[:7], 21]),
         row("Hòa Bình", "Huyện Kim Bôi", 2023)],
    )
    report = validate_file(path, spec=spec)
    found = problems(report, "duplicate")
    assert [(p.row, p.column) for p in found] == [(4, "Đơn vị"), (5, "Đơn vị")]
    assert found[0].message_vi == (
        "Trùng với dòng 2: đơn vị “Huyện Lạc Thủy” (Hòa Bình) năm 2023 có hai dòng (số liệu khác nhau)."
    )
    assert found[1].message_en == (
        "Duplicate of row 3: unit 'Huyện Kim Bôi' (Hòa Bình) has two rows for 2023 (same values)."
    )


def test_unknown_numeric_column_is_an_error(write_csv, row, spec) -> None:
    path = write_csv("u.csv", [[*row("Yên Bái", "Huyện Lục Yên", 2023), 2, "ghi chú", 1]],
                     header=[*HEADER, "Điểm thưởng", "Ghi chú", "Xếp hạng"])
    report = validate_file(path, spec=spec)
    p = one(report, "unknown_component")
    assert (p.row, p.column, p.severity) == (None, "Điểm thưởng", "error")
    assert p.message_vi == "Cột điểm “Điểm thưởng” không thuộc các tiêu chí của bộ chỉ số par_index."
    assert p.hint_en.startswith("Rename the column to a component code or name (chi_dao, the_che,")
    assert p.hint_en.endswith("or declare this component in your own index spec and pass it with --spec.")
    ignored = problems(report, "ignored_column")
    assert [(w.column, w.severity) for w in ignored] == [("Ghi chú", "warning"), ("Xếp hạng", "warning")]
    assert ignored[1].message_vi == "Cột thông tin (xếp hạng), được bỏ qua."


@pytest.mark.parametrize(
    ("year", "kind", "vi"),
    [
        ("2023.5", "bad_year", "Năm “2023.5” không phải là một năm (số nguyên có 4 chữ số)."),
        ("năm ngoái", "bad_year", "Năm “năm ngoái” không phải là một năm (số nguyên có 4 chữ số)."),
        ("1999", "year_out_of_range", "Năm 1999 nằm ngoài khoảng 2000–2100."),
        ("", "missing_year", "Thiếu năm đánh giá."),
    ],
)
def test_bad_years(write_csv, row, spec, year, kind, vi) -> None:
    path = write_csv("y.csv", [row("Yên Bái", "Huyện Lục Yên", 2023), row("Yên Bái", "Huyện Trạm Tấu", year)])
    p = one(validate_file(path, spec=spec), kind)
    assert (p.row, p.column, p.message_vi) == (3, "Năm", vi)


def test_year_range_is_a_parameter(write_csv, row, spec) -> None:
    # Scores within the maxima of the method in force in 2017 (cp_so: 8 points then).
    comps = (8, 8, 12, 7, 10, 7, 7.5, 20)
    raw = read_table(write_csv("y.csv", [row("Yên Bái", "Huyện Lục Yên", 2017, comps=comps)]))
    assert validate_scores(raw, spec, years=(2018, 2030)).errors[0].message_en == "Year 2017 is outside 2018–2030."
    assert validate_scores(raw, spec).errors == []


def test_missing_unit_name(write_csv, row, spec) -> None:
    path = write_csv("x.csv", [row("Yên Bái", "Huyện Lục Yên", 2023), row("Yên Bái", "  ", 2023)])
    p = one(validate_file(path, spec=spec), "missing_unit")
    assert (p.row, p.column, p.message_vi, p.message_en) == (3, "Đơn vị", "Thiếu tên đơn vị.", "The unit name is missing.")


def test_empty_file_and_header_only(write_csv, tmp_path, spec) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    report = validate_file(empty, spec=spec)  # a read error becomes a problem, not an exception
    assert [(p.kind, p.row) for p in report.problems] == [("empty_file", None)]
    assert report.summary("vi") == "Tệp empty.csv: 0 dòng, 1 lỗi, 0 cảnh báo."
    header_only = write_csv("h.csv", [])
    p = one(validate_file(header_only, spec=spec), "no_data")
    assert p.message_vi == "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào."


def test_wrong_sheet_is_a_problem(write_xlsx, row, spec) -> None:
    path = write_xlsx("w.xlsx", {"Năm 2023": [HEADER, row("Yên Bái", "Huyện Lục Yên", 2023)]})
    report = validate_file(path, spec=spec, sheet="2023")
    p = one(report, "wrong_sheet")
    assert p.message_en == "There is no sheet '2023'. Sheets in the file: 'Năm 2023'."
    assert validate_file(path, spec=spec, sheet="năm 2023").ok  # sheet names match loosely when unique


def test_unit_types_and_bad_unit_type(write_csv, row, spec) -> None:
    header = [*HEADER, "Loại đơn vị"]
    path = write_csv("ut.csv", [[*row("Yên Bái", "Huyện Lục Yên", 2023), "Huyện"],
                                [*row("Yên Bái", "Sở Nội vụ", 2023), "sở, ngành"],
                                [*row("Yên Bái", "Trạm Tấu", 2023), ""],
                                [*row("Yên Bái", "Xã Tân Lĩnh", 2023), "xã"],
                                [*row("Yên Bái", "Phòng X", 2023), "thôn"]], header=header)
    report = validate_file(path, spec=spec)
    p = one(report, "bad_unit_type")
    assert (p.row, p.column, p.message_vi) == (6, "Loại đơn vị", "Loại đơn vị “thôn” không hợp lệ.")
    assert report.frame["unit_type"].tolist() == ["district", "department", "district", "commune"]


def test_total_only_national_table(write_csv, spec) -> None:
    path = write_csv("vn.csv", [["Quảng Ninh", 2023, 91.25], ["Hải Phòng", "2023", "90,8"]],
                     header=["Tỉnh, thành phố", "Năm", "Chỉ số PAR INDEX (%)"])
    report = validate_file(path, spec=spec)
    assert report.errors == []
    assert sorted(p.kind for p in report.warnings) == ["national_table", "totals_only"]
    f = report.frame
    assert f[["province", "unit", "unit_type", "year", "total"]].values.tolist() == [
        ["Việt Nam", "Quảng Ninh", "province", 2023, 91.25],
        ["Việt Nam", "Hải Phòng", "province", 2023, 90.8],
    ]
    assert f[spec.codes].isna().all().all()


def test_total_computed_from_components(write_csv, row, spec) -> None:
    path = write_csv("c.csv", [row("Yên Bái", "Huyện Lục Yên", 2023, total="")])
    report = validate_file(path, spec=spec)
    assert report.errors == []
    w = one(report, "total_computed")
    assert w.message_vi == "Tổng điểm trống ở 1 dòng (2); đã tính bằng tổng điểm các tiêu chí."
    assert report.frame["total"].tolist() == [80.5]


def test_duplicate_column(write_csv, row, spec) -> None:
    path = write_csv("dc.csv", [[*row("Yên Bái", "Huyện Lục Yên", 2023), 8]], header=[*HEADER, "Thể chế"])
    p = one(validate_file(path, spec=spec), "duplicate_column")
    assert (p.row, p.column) == (None, "Thể chế")
    assert p.message_vi == "Cột này và cột “the_che” cùng là “Cải cách thể chế”; chỉ dùng cột “the_che”."


def test_headers_matched_loosely_and_aliases_from_spec(write_csv, spec) -> None:
    header = ["TINH", "don vi", "Năm:", "Tổng điểm (100)", "Chỉ đạo điều hành (9 điểm)", "Thể chế", "TTHC",
              "Bộ máy", "Công vụ", "Tài chính công", "Chính phủ số", "Tác động", "STT"]
    path = write_csv("l.csv", [["Yên Bái", "Huyện Lục Yên", 2023, 80.5, *COMPONENTS, 1]], header=header)
    report = validate_file(path, spec=spec)
    assert report.errors == []
    assert [(p.kind, p.column) for p in report.warnings] == [("ignored_column", "STT"), ("unit_types_inferred", None)]
    assert report.frame.iloc[0][spec.codes].tolist() == list(map(float, COMPONENTS))


def test_aliases_applied_before_duplicate_check(write_csv, row, spec, tmp_path) -> None:
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("aliases:\n  Yên Bái:\n    Thị xã Nghĩa Lộ (cũ): Thị xã Nghĩa Lộ\n", encoding="utf-8")
    path = write_csv("a.csv", [row("Yên Bái", "Thị xã Nghĩa Lộ (cũ)", 2022), row("Yên Bái", "Thị xã Nghĩa Lộ", 2022)])
    report = validate_file(path, spec=spec, aliases_path=aliases)
    assert [p.kind for p in report.errors] == ["duplicate"]
    path2 = write_csv("b.csv", [row("Yên Bái", "Thị xã Nghĩa Lộ (cũ)", 2022)])
    assert validate_file(path2, spec=spec, aliases_path=aliases).frame["unit"].tolist() == ["Thị xã Nghĩa Lộ"]


def test_excel_with_several_errors_lists_every_one_with_excel_rows(write_xlsx, row, spec) -> None:
    comps_bad = list(COMPONENTS)
    comps_bad[2] = "mười hai"
    sheet = [
        ["CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CÁC HUYỆN, THỊ XÃ, THÀNH PHỐ NĂM 2023"],
        None,
        [*HEADER, "Xếp loại"],
        [*row("Yên Bái", "Huyện Lục Yên", 2023), "Tốt"],          # row 4: fine
        [*row("Yên Bái", "Huyện Trạm Tấu", 2023, total=79), "Khá"],  # row 5: total ≠ sum
        None,                                                        # row 6: blank
        [*row("Yên Bái", "Huyện Văn Chấn", 2023, total=80.5, comps=comps_bad), "Khá"],  # row 7: not numeric
        [*row("Yên Bái", "Huyện Lục Yên", 2023), "Tốt"],          # row 8: duplicate of row 4
        [*row("Yên Bái", "", 2023), ""],                            # row 9: no unit name
        [*row("Yên Bái", "Huyện Mù Cang Chải", 3023), ""],          # row 10: year out of range
    ]
    path = write_xlsx("huyen_2023.xlsx", {"Hướng dẫn": [["Xem trang sau"]], "Điểm": sheet}, hidden=["Hướng dẫn"])
    report = validate_file(path, spec=spec)
    got = [(p.row, p.column, p.kind) for p in report.errors]
    assert got == [
        (5, "Tổng điểm", "total_mismatch"),
        (7, "tthc", "not_numeric"),
        (8, "Đơn vị", "duplicate"),
        (9, "Đơn vị", "missing_unit"),
        (10, "Năm", "year_out_of_range"),
    ]
    assert sorted(p.kind for p in report.warnings) == ["ignored_column", "title_rows_skipped", "unit_types_inferred"]
    assert report.summary("vi") == "Tệp huyen_2023.xlsx: 6 dòng, 5 lỗi, 3 cảnh báo."
    lines = [p.format("vi") for p in report.errors]
    assert lines[0] == (
        "huyen_2023.xlsx, dòng 5, cột 'Tổng điểm': Tổng điểm 79 khác tổng điểm các tiêu chí 80,5 "
        "(chênh -1,5, cho phép ±0,05). → Sửa tổng điểm hoặc điểm tiêu chí cho khớp; nếu bảng làm tròn điểm, "
        "tăng total_tolerance trong tệp chỉ số."
    )
    assert lines[2].startswith("huyen_2023.xlsx, dòng 8, cột 'Đơn vị': Trùng với dòng 4: đơn vị “Huyện Lục Yên”")
    with pytest.raises(DataValidationError) as exc:
        load_scores(path, spec=spec)
    assert [p.row for p in exc.value.errors] == [5, 7, 8, 9, 10]


def test_load_scores_returns_clean_frame(write_csv, row, spec) -> None:
    path = write_csv("ok.csv", [row("Yên Bái", "Huyện Lục Yên", 2023)])
    f = load_scores(path, spec=spec)
    assert f[["province", "unit", "year", "total"]].values.tolist() == [["Yên Bái", "Huyện Lục Yên", 2023, 80.5]]


def test_parse_number() -> None:
    assert parse_number("85,5") == 85.5
    assert parse_number(" 85.25 ") == 85.25
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("1,234.5") == 1234.5
    assert parse_number(7) == 7.0
    for bad in ("", "NaN", "inf", "8,5,a", "tám", True, None, float("nan")):
        assert parse_number(bad) is None


# ---------------------------------------------------------------------------------------------- survey

SURVEY_HEADER = ["Tỉnh", "Đơn vị", "Năm", "Mã phiếu", "Mức độ hài lòng", "Câu 1"]


def test_survey_detected_and_validated(write_csv) -> None:
    path = write_csv(
        "khao_sat.csv",
        [["Yên Bái", "Huyện Lục Yên", 2023, "P001", 4, 3],
         ["Yên Bái", "Huyện Lục Yên", 2023, "P002", 5, ""],
         ["Yên Bái", "Huyện Lục Yên", 2023, "P002", 3, 4],     # row 4: duplicate respondent
         ["Yên Bái", "Huyện Trạm Tấu", 2023, 17, 6, 2],        # row 5: satisfaction 6
         ["Yên Bái", "Huyện Trạm Tấu", 2023, 18, "3,5", "x"]],  # row 6: not an integer; item not numeric
        header=SURVEY_HEADER,
    )
    raw = read_table(path)
    assert detect_kind(raw) == "survey"
    report = validate_file(path)
    assert report.kind == "survey"
    assert [(p.row, p.column, p.kind) for p in report.errors] == [
        (4, "Mã phiếu", "duplicate"),
        (5, "Mức độ hài lòng", "bad_satisfaction"),
        (6, "Mức độ hài lòng", "bad_satisfaction"),
        (6, "Câu 1", "not_numeric"),
    ]
    assert report.errors[1].message_vi == "Mức độ hài lòng “6” phải là số nguyên từ 1 đến 5."
    assert report.errors[0].message_en == (
        "Duplicate of row 3: respondent 'P002' of 'Huyện Lục Yên' (Yên Bái) appears twice for 2023."
    )
    good = report.frame
    assert good[["unit", "respondent", "satisfaction"]].values.tolist() == [
        ["Huyện Lục Yên", "P001", 4], ["Huyện Lục Yên", "P002", 5]]
    assert good["Câu 1"].tolist()[0] == 3.0 and np.isnan(good["Câu 1"].tolist()[1])
    survey_schema().validate(good)


def test_load_survey_clean_and_missing_columns(write_csv) -> None:
    path = write_csv("s.csv", [["Yên Bái", "Huyện Lục Yên", 2023, 12, 4, 5]], header=SURVEY_HEADER)
    f = load_survey(path)
    assert f.iloc[0].tolist() == ["Yên Bái", "Huyện Lục Yên", 2023, "12", 4, 5.0]
    raw = read_table(write_csv("s2.csv", [["Huyện Lục Yên", 4]], header=["Đơn vị", "Hài lòng"]))
    report = validate_survey(raw)
    assert [p.message_en for p in report.errors] == [
        "Required column 'Province' (province) is missing.",
        "Required column 'Year' (year) is missing.",
        "Required column 'Respondent' (respondent) is missing.",
    ]


# ---------------------------------------------------------------------------------------------- never raises

_HEADERS = st.sampled_from(
    ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", "the_che", "Thể chế", "tthc", "Xếp hạng", "Loại đơn vị", "Mã phiếu",
     "Hài lòng", "x", "", "Ghi chú", "cp_so", "STT"]
)
_CELLS = st.one_of(
    st.none(), st.text(max_size=8), st.integers(-5, 3000), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["2023", "80,5", "Hoà Bình", "Huyện", "sở", "", " ", "1e400"]), st.booleans(),
)


@st.composite
def raw_tables(draw: st.DrawFn) -> RawTable:
    headers = draw(st.lists(_HEADERS, min_size=1, max_size=7))
    labels = [h if h and headers.count(h) == 1 else f"{h} [{i}]" for i, h in enumerate(headers)]
    n = draw(st.integers(0, 6))
    data = [[draw(_CELLS) for _ in headers] for _ in range(n)]
    frame = pd.DataFrame(data, columns=labels, dtype=object) if n else pd.DataFrame(
        {lab: pd.Series([], dtype=object) for lab in labels})
    return RawTable(frame, tuple(range(2, n + 2)), "random.csv", None, 1, tuple(headers))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_tables())
def test_validate_never_raises(spec, raw: RawTable) -> None:
    for report in (validate_scores(raw, spec), validate_survey(raw)):
        assert report.rows == len(raw.frame)
        assert all(p.row is None or p.row in raw.rows for p in report.problems)
        assert all(p.message_vi and p.message_en for p in report.problems)
        if report.kind == "scores" and not report.errors:
            scores_schema(spec).validate(report.frame)
