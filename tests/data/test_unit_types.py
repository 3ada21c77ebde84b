"""Issue 14, defect 3: without a unit-type column every unit was a district ("Sở Tư pháp" ranked
among the districts, silently). Now the types are read from the names, one warning says so and
how many of each, and a name that says no type (or two) is refused on its rows with the fix."""

from __future__ import annotations

import pytest

from parbrief.cli import main
from parbrief.data.store import Store, ingest_file
from parbrief.data.unit_types import infer_unit_type
from parbrief.data.validate import validate_file

HEADER = ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", "chi_dao", "the_che", "tthc", "bo_may", "cong_vu", "tai_chinh",
          "cp_so", "tac_dong"]  # as the write_csv fixture's default (tests/data/conftest.py)


@pytest.mark.parametrize("name, kind", [
    ("Sở Tư pháp", "department"), ("SỞ NỘI VỤ", "department"), ("Ban Dân tộc", "department"),
    ("Phòng Nội vụ", "department"), ("Văn phòng UBND tỉnh", "department"), ("Thanh tra tỉnh", "department"),
    ("Công an tỉnh", "department"), ("Bảo hiểm xã hội tỉnh", "department"),
    ("Xã Tân Lĩnh", "commune"), ("Phường 1", "commune"), ("Đặc khu Phú Quốc", "commune"), ("X. Tân Lĩnh", "commune"),
    ("Thị trấn Ái Tử", "commune"),
    ("Huyện Lục Yên", "district"), ("Quận 1", "district"), ("Thị xã Ba Đồn", "district"),
    ("Thành phố Đồng Hới", "district"), ("TP. Đồng Hới", "district"), ("TX. Ba Đồn", "district"),
    ("H. Vĩnh Linh", "district"), ("huyện vĩnh linh", "district"), ("UBND huyện Gio Linh", "district"),
])
def test_the_first_words_of_a_name_say_its_type(name, kind) -> None:
    assert infer_unit_type(name).kind == kind


@pytest.mark.parametrize("name", ["Lục Yên", "Huyện", "Bandar", "Trung tâm X"])
def test_a_name_without_a_known_first_word_says_no_type(name) -> None:
    assert (infer_unit_type(name).kind, infer_unit_type(name).reason) == (None, "unknown")


@pytest.mark.parametrize("name", ["P. 1", "P.Tư pháp", "p. Nội vụ"])
def test_p_dot_is_ambiguous_phuong_or_phong(name) -> None:
    got = infer_unit_type(name)
    assert (got.kind, got.reason, got.meanings) == (None, "ambiguous", ("phuong", "phong"))


def test_without_a_unit_type_column_the_names_give_the_types_with_one_warning(write_csv, row, spec) -> None:
    path = write_csv("qt.csv", [row("Quảng Trị", "Sở Tư pháp", 2024), row("Quảng Trị", "Huyện Gio Linh", 2024),
                                row("Quảng Trị", "Huyện Gio Linh", 2023), row("Quảng Trị", "Xã Cồn Tiên", 2024),
                                row("Quảng Trị", "TP. Đông Hà", 2024)])
    report = validate_file(path, spec=spec)
    assert report.errors == []
    assert report.frame["unit_type"].tolist() == ["department", "district", "district", "commune", "district"]
    (warning,) = [p for p in report.warnings if p.kind == "unit_types_inferred"]
    assert warning.message_en == ("The file has no unit-type column: the unit types were read from the unit names "
                                  "(2 districts, 1 department, 1 commune).")
    assert warning.message_vi == ("Tệp không có cột loại đơn vị: loại đơn vị được suy ra từ tên đơn vị (2 đơn vị cấp "
                                  "huyện, 1 sở, ban, ngành, 1 đơn vị cấp xã).")
    assert "'Loại đơn vị' column" in warning.hint_en and "cột “Loại đơn vị”" in warning.hint_vi


def test_a_name_that_says_no_type_is_refused_on_its_rows_with_the_fix(write_csv, row, spec) -> None:
    path = write_csv("qt.csv", [row("Quảng Trị", "Sở Tư pháp", 2024), row("Quảng Trị", "Gio Linh", 2024),
                                row("Quảng Trị", "Gio Linh", 2023), row("Quảng Trị", "P. 1", 2024)])
    report = validate_file(path, spec=spec)
    unknown, ambiguous = report.errors
    assert (unknown.kind, unknown.row, unknown.column) == ("unit_type_unknown", 3, "Đơn vị")
    assert unknown.message_en.startswith("Cannot tell the unit type of “Gio Linh” from its name (rows 3, 4): it starts "
                                         "with none of the words that say it (Sở, Ban, Phòng,")
    assert unknown.hint_en.startswith("Add a 'Loại đơn vị' column with district, department or commune for each row")
    assert "“Huyện Gio Linh”" in unknown.hint_en and "“Huyện Gio Linh”" in unknown.hint_vi
    assert (ambiguous.kind, ambiguous.row) == ("unit_type_ambiguous", 5)
    assert "“P.” có thể là “Phường” (đơn vị cấp xã) hoặc “Phòng” (cơ quan chuyên môn)" in ambiguous.message_vi
    assert len(report.frame) == 1  # only the row without an error


def test_a_unit_type_column_wins_over_the_names(write_csv, row, spec) -> None:
    path = write_csv("t.csv", [[*row("Quảng Trị", "Sở Tư pháp", 2024), "huyện"],
                               [*row("Quảng Trị", "Gio Linh", 2024), "huyện"]], header=[*HEADER, "Loại đơn vị"])
    report = validate_file(path, spec=spec)
    assert report.errors == [] and not [p for p in report.warnings if p.kind == "unit_types_inferred"]
    assert report.frame["unit_type"].tolist() == ["district", "district"]


def test_an_ingested_department_is_not_a_district(write_csv, row, spec, tmp_path) -> None:
    path = write_csv("qt.csv", [row("Quảng Trị", "Sở Tư pháp", 2024), row("Quảng Trị", "Huyện Gio Linh", 2024)])
    ingest_file(path, tmp_path / "s.duckdb", spec=spec)
    with Store(tmp_path / "s.duckdb", read_only=True) as st:
        assert dict(st.scores(spec=spec)[["unit", "unit_type"]].values.tolist()) == {
            "Huyện Gio Linh": "district", "Sở Tư pháp": "department"}


def test_the_command_line_names_the_file_row_and_fix_without_a_traceback(write_csv, row, tmp_path, capsys) -> None:
    path = write_csv("qt.csv", [row("Quảng Trị", "Gio Linh", 2024)])
    assert main(["ingest", str(path), "--store", str(tmp_path / "s.duckdb"), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "qt.csv, row 2, column 'Đơn vị': Cannot tell the unit type of “Gio Linh”" in err
    assert "Add a 'Loại đơn vị' column" in err and "Nothing written: fix 1 error first." in err
    assert "Traceback" not in err and not (tmp_path / "s.duckdb").exists()


def test_a_police_forces_own_units_take_the_level_after_cong_an():
    # A police force's own table: "Công an huyện X" is a district unit, "Công an xã Y" a commune
    # unit; its departments ("Phòng …") and any other "Công an …" stay departments.
    from parbrief.data.unit_types import infer_unit_type

    assert infer_unit_type("Công an huyện Mỹ Xuyên").kind == "district"
    assert infer_unit_type("Công an thành phố Sóc Trăng").kind == "district"
    assert infer_unit_type("Công an thị xã Vĩnh Châu").kind == "district"
    assert infer_unit_type("Công an xã Tân Long").kind == "commune"
    assert infer_unit_type("Phòng Cảnh sát giao thông").kind == "department"
    assert infer_unit_type("Công an tỉnh Sóc Trăng").kind == "department"
