"""End-to-end tests of `parbrief validate` and `parbrief ingest` through parbrief.cli.main."""

from __future__ import annotations

import hashlib

from parbrief.cli import main
from parbrief.data.store import Store

COMPONENTS = (8, 8, 12, 7, 10, 7, 8.5, 20)  # sum 80.5
HEADER = ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", "chi_dao", "the_che", "tthc", "bo_may", "cong_vu",
          "tai_chinh", "cp_so", "tac_dong", "Xếp hạng"]


def test_validate_good_file_exits_0(write_csv, row, capsys) -> None:
    path = write_csv("ok.csv", [[*row("Yên Bái", "Huyện Lục Yên", 2023), 1]], header=HEADER)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "ok.csv, cột 'Xếp hạng' (cảnh báo): Cột thông tin (xếp hạng), được bỏ qua. → parbrief tự tính xếp hạng "
        "và xếp loại từ điểm, theo thang xếp loại đã chọn.",
        "ok.csv (cảnh báo): Tệp không có cột loại đơn vị: loại đơn vị được suy ra từ tên đơn vị (1 đơn vị cấp "
        "huyện). → Hãy kiểm tra lại; nếu có đơn vị bị xếp sai loại, hãy thêm cột “Loại đơn vị” ghi huyện, sở hoặc "
        "xã cho từng dòng.",
        "Tệp ok.csv: 1 dòng, 0 lỗi, 2 cảnh báo.",
    ]


def test_validate_broken_excel_lists_every_problem_and_exits_1(write_xlsx, row, capsys) -> None:
    sheet = [
        ["Chỉ số CCHC năm 2023"],
        [*HEADER[:12]],
        row("Yên Bái", "Huyện Lục Yên", 2023, total=90),              # row 3: total ≠ sum
        row("Yên Bái", "Huyện Trạm Tấu", 2023, comps=[10, *COMPONENTS[1:]]),  # row 4: 10 > 9
        row("Yên Bái", "Huyện Lục Yên", 2023),                        # row 5: duplicate of row 3
    ]
    path = write_xlsx("bad.xlsx", {"Sheet1": [["ignored"]], "Điểm 2023": sheet}, hidden=["Sheet1"])
    assert main(["validate", str(path), "--sheet", "Điểm 2023", "--lang", "en"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("bad.xlsx (warning): The file has no unit-type column: the unit types were read "
                             "from the unit names (2 districts).")
    out = out[1:]
    assert out[0].startswith("bad.xlsx, row 2 (warning): Skipped 1 title row above the table")
    assert out[1] == (
        "bad.xlsx, row 3, column 'Tổng điểm': Total 90 differs from the sum of the components 80.5 "
        "(by 9.5; tolerance ±0.05). → Correct the total or the component scores; if the table rounds scores, "
        "raise total_tolerance in the spec."
    )
    assert out[2].startswith("bad.xlsx, row 4, column 'chi_dao': Score 10 is outside 0–9 for")
    assert out[3].startswith("bad.xlsx, row 5, column 'Đơn vị': Duplicate of row 3: unit 'Huyện Lục Yên'")
    assert out[-1] == "File bad.xlsx: 3 rows, 3 errors, 2 warnings."


def test_validate_wrong_sheet_and_missing_file(write_xlsx, tmp_path, capsys) -> None:
    path = write_xlsx("s.xlsx", {"2023": [["Đơn vị", "Năm"]]})
    assert main(["validate", str(path), "--sheet", "2024"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "s.xlsx: Không có trang tính “2024”. Các trang tính trong tệp: “2023”. → Chọn một trang tính có trong tệp, "
        "ví dụ --sheet \"2023\".",
        "Tệp s.xlsx: 0 dòng, 1 lỗi, 0 cảnh báo.",
    ]
    assert main(["validate", str(tmp_path / "none.csv"), "--lang", "en"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == "none.csv: File not found: '" + str(tmp_path / "none.csv") + "'. → Check the path and the file name."


def test_ingest_ok_then_refused(write_csv, row, tmp_path, capsys) -> None:
    db = tmp_path / "out" / "store.duckdb"
    good = write_csv("yb.csv", [row("Yên Bái", "Huyện Lục Yên", 2023), row("Yên Bái", "Huyện Trạm Tấu", 2023)],
                     header=HEADER[:12])
    assert main(["ingest", str(good), "--store", str(db)]) == 0
    assert capsys.readouterr().out.strip() == (
        "Đã ghi 2 dòng điểm từ yb.csv vào store.duckdb (tỉnh: Yên Bái; năm: 2023). 1 cảnh báo (xem bằng "
        "parbrief validate)."  # the unit types read from the names (no unit-type column)
    )
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    bad = write_csv("bad.csv", [row("Yên Bái", "Huyện Lục Yên", 2024, total="n/a")], header=HEADER[:12])
    assert main(["ingest", str(bad), "--store", str(db), "--lang", "en"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "bad.csv (warning): The file has no unit-type column: the unit types were read from the unit names "
        "(1 district). → Check them; where one is wrong, add a 'Loại đơn vị' column with district, department or "
        "commune for each row.",
        "bad.csv, row 2, column 'Tổng điểm': 'n/a' is not a number. → Enter the score as a number (decimal comma "
        "or point, e.g. 8.5), or leave it blank if there is none.",
        "Nothing written: fix 1 error first.",
    ]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    with Store(db, read_only=True) as st:
        assert st.years() == [2023]


def test_ingest_bad_spec_is_a_clean_error(write_csv, row, tmp_path, capsys) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("components: []\n", encoding="utf-8")
    good = write_csv("yb.csv", [row("Yên Bái", "Huyện Lục Yên", 2023)], header=HEADER[:12])
    assert main(["ingest", str(good), "--store", str(tmp_path / "s.duckdb"), "--spec", str(spec)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("parbrief ingest: ") and "tệp bộ chỉ số không hợp lệ" in err  # --lang vi, the default
    assert not (tmp_path / "s.duckdb").exists()


def test_ingest_the_issues_two_spellings_become_one_unit_and_a_near_duplicate_is_warned(write_csv, row, tmp_path,
                                                                                         capsys) -> None:
    db = tmp_path / "store.duckdb"
    old = write_csv("2023.csv", [row("Quảng Bình", "Thành phố Đồng Hới", 2023), row("Quảng Bình", "Thị xã Ba Đồn", 2023),
                                 row("Quảng Bình", "Thị xã Quảng Trạch", 2023)], header=HEADER[:12])
    assert main(["ingest", str(old), "--store", str(db)]) == 0
    capsys.readouterr()
    new = write_csv("2024.csv", [row("Quảng Bình", "TP. Đồng Hới", 2024), row("Quảng Bình", "TX. Ba Đồn", 2024),
                                 row("Quảng Bình", "Thành phố Quảng Trạch", 2024)], header=HEADER[:12])
    assert main(["ingest", str(new), "--store", str(db), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "  Quảng Bình: “TX. Ba Đồn” → “Thị xã Ba Đồn” (in the file, 2024)" in out
    assert ("Warning: Quảng Bình: “Thị xã Quảng Trạch” (2023) and “Thành phố Quảng Trạch” (2024) may be one unit"
            in out)
    assert '\n    "Thị xã Quảng Trạch": "Thành phố Quảng Trạch"\n' in out
    with Store(db, read_only=True) as st:
        assert sorted(set(st.scores()["unit"])) == ["Thành phố Quảng Trạch", "Thành phố Đồng Hới", "Thị xã Ba Đồn",
                                                    "Thị xã Quảng Trạch"]
