"""Tests for parbrief.data.read: formats, delimiters, header detection, user-visible row numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from parbrief.data.read import RawTable, read_table
from parbrief.errors import DataValidationError


def only_problem(exc: pytest.ExceptionInfo[DataValidationError]):
    assert len(exc.value.problems) == 1
    return exc.value.problems[0]


def test_csv_comma_rows_and_cells_as_text(tmp_path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("Tỉnh,Đơn vị,Năm,Tổng điểm\nYên Bái,Huyện Lục Yên,2023,80.5\n\nYên Bái,\"Thị xã, Nghĩa Lộ\",2023,81\n",
                 encoding="utf-8")
    raw = read_table(p)
    assert isinstance(raw, RawTable)
    assert raw.header_row == 1
    assert raw.rows == (2, 4)  # the blank line 3 is skipped but still counted
    assert list(raw.frame.columns) == ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm"]
    assert raw.frame.iloc[1].tolist() == ["Yên Bái", "Thị xã, Nghĩa Lộ", "2023", "81"]
    assert raw.frame.dtypes.tolist() == [object] * 4
    assert raw.sheet is None and raw.file == str(p) and raw.name == "a.csv"


def test_csv_semicolon_bom_decimal_comma(tmp_path) -> None:
    p = tmp_path / "vn.csv"
    p.write_bytes("Tỉnh;Đơn vị;Năm;Tổng điểm;Thể chế\nYên Bái;Huyện Lục Yên;2023;80,5;8,25\n".encode("utf-8-sig"))
    raw = read_table(p)
    assert list(raw.frame.columns) == ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", "Thể chế"]
    assert raw.frame.iloc[0].tolist() == ["Yên Bái", "Huyện Lục Yên", "2023", "80,5", "8,25"]


def test_csv_title_rows_above_header_are_skipped_with_a_note(tmp_path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("BẢNG TỔNG HỢP CHỈ SỐ CCHC NĂM 2023,,\n,,\nĐơn vị,Năm,Tổng điểm\nHuyện Lục Yên,2023,80\n",
                 encoding="utf-8")
    raw = read_table(p)
    assert raw.header_row == 3
    assert raw.rows == (4,)
    assert [n.kind for n in raw.notes] == ["title_rows_skipped"]
    assert raw.notes[0].message_vi == (
        "Bỏ qua 1 dòng tiêu đề bảng phía trên (dòng 1); dòng 3 được dùng làm tiêu đề cột."
    )


def test_blank_and_repeated_headers_get_column_letters(tmp_path) -> None:
    p = tmp_path / "d.csv"
    p.write_text("Đơn vị,Tổng,Tổng,\nA,1,2,3\n", encoding="utf-8")
    raw = read_table(p)
    assert list(raw.frame.columns) == ["Đơn vị", "Tổng [B]", "Tổng [C]", "[D]"]
    assert raw.headers == ("Đơn vị", "Tổng", "Tổng", "")
    assert raw.header("Tổng [C]") == "Tổng [C]"  # repeated headers keep their column letter
    assert raw.header("Đơn vị") == "Đơn vị"
    assert raw.header("[D]") == "[D]"


def test_sheet_ignored_for_csv(tmp_path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("Đơn vị,Năm\nA,2023\n", encoding="utf-8")
    raw = read_table(p, sheet="2023")
    assert [(n.kind, n.severity, n.message_en) for n in raw.notes] == [
        ("sheet_ignored", "warning", "A .csv file has no sheets; --sheet '2023' is ignored.")]


def test_trailing_empty_columns_dropped(tmp_path) -> None:
    p = tmp_path / "e.csv"
    p.write_text("Đơn vị,Năm,,\nA,2023,,\n", encoding="utf-8")
    assert list(read_table(p).frame.columns) == ["Đơn vị", "Năm"]


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", "\ufeff".encode("utf-8")])
def test_empty_file(tmp_path, content: bytes) -> None:
    p = tmp_path / "empty.csv"
    p.write_bytes(content)
    with pytest.raises(DataValidationError) as exc:
        read_table(p)
    prob = only_problem(exc)
    assert (prob.file, prob.row, prob.column, prob.kind) == ("empty.csv", None, None, "empty_file")


def test_not_utf8(tmp_path) -> None:
    p = tmp_path / "legacy.csv"
    p.write_bytes("Đơn vi,Năm\nHuyên Luc Yên,2023\n".encode("cp1258"))
    with pytest.raises(DataValidationError) as exc:
        read_table(p)
    prob = only_problem(exc)
    assert prob.kind == "encoding"
    assert prob.message_en.startswith("The CSV file is not UTF-8 encoded")
    assert "CSV UTF-8" in prob.hint_vi


def test_unsupported_extension_and_missing_file(tmp_path) -> None:
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataValidationError) as exc:
        read_table(p)
    prob = only_problem(exc)
    assert prob.kind == "unsupported_file"
    assert prob.message_vi == "Không hỗ trợ loại tệp “.xls”; parbrief đọc .xlsx, .csv và .parquet."
    assert prob.hint_en == "Save it as .xlsx or CSV UTF-8."
    with pytest.raises(DataValidationError) as exc2:
        read_table(tmp_path / "nope.csv")
    assert only_problem(exc2).kind == "file_not_found"


def test_xlsx_first_visible_sheet_and_excel_row_numbers(write_xlsx) -> None:
    p = write_xlsx(
        "s.xlsx",
        {
            "Ẩn": [["Đơn vị", "Năm"], ["Hidden", 2020]],
            "2023": [["Chỉ số CCHC các huyện năm 2023"], None, ["Đơn vị", "Năm", "Tổng điểm"],
                     ["Huyện Lục Yên", 2023, 80.5], None, ["Thị xã Nghĩa Lộ", 2023, 81]],
        },
        hidden=["Ẩn"],
    )
    raw = read_table(p)
    assert raw.sheet == "2023"
    assert raw.header_row == 3
    assert raw.rows == (4, 6)
    assert raw.frame.iloc[0].tolist() == ["Huyện Lục Yên", 2023, 80.5]  # Excel values kept as read
    assert read_table(p, sheet="Ẩn").frame.iloc[0].tolist() == ["Hidden", 2020]


def test_xlsx_wrong_sheet_lists_sheets(write_xlsx) -> None:
    p = write_xlsx("s.xlsx", {"2022": [["a", "b"]], "2023": [["a", "b"]], "Ghi chú": [["x"]]}, hidden=["Ghi chú"])
    with pytest.raises(DataValidationError) as exc:
        read_table(p, sheet="2024")
    prob = only_problem(exc)
    assert (prob.file, prob.row, prob.column, prob.kind) == ("s.xlsx", None, None, "wrong_sheet")
    assert prob.message_vi == "Không có trang tính “2024”. Các trang tính trong tệp: “2022”, “2023”, “Ghi chú” (ẩn)."
    assert prob.message_en == "There is no sheet '2024'. Sheets in the file: '2022', '2023', 'Ghi chú' (hidden)."
    assert prob.hint_vi == 'Chọn một trang tính có trong tệp, ví dụ --sheet "2022".'


def test_xlsx_empty_sheet_and_corrupt_file(write_xlsx, tmp_path) -> None:
    p = write_xlsx("blank.xlsx", {"Sheet1": []})
    with pytest.raises(DataValidationError) as exc:
        read_table(p)
    prob = only_problem(exc)
    assert prob.kind == "empty_file"
    assert prob.message_vi == "Tệp trống (trang tính “Sheet1”): không có dòng tiêu đề và không có dữ liệu."
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(DataValidationError) as exc2:
        read_table(bad)
    assert only_problem(exc2).kind == "unreadable"


def test_parquet_rows_numbered_like_a_sheet(tmp_path) -> None:
    p = tmp_path / "x.parquet"
    pd.DataFrame({"unit": ["A", "B"], "year": [2023, 2024], "total": [80.5, None]}).to_parquet(p)
    raw = read_table(p)
    assert raw.rows == (2, 3)
    assert list(raw.frame.columns) == ["unit", "year", "total"]
    assert raw.frame.iloc[0].tolist() == ["A", 2023, 80.5]
