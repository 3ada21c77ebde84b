"""Replacement you can see and undo: per province-year counts, refusal without --replace, dated backups."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from parbrief.cli import main
from parbrief.data import backup
from parbrief.data.replacement import ReplacementRefused, SliceChange, changes_table, check_removals, plan_changes
from parbrief.data.store import Store, ingest_file

DISTRICTS = ["Thành phố Đông Hà", "Thị xã Quảng Trị", "Huyện Vĩnh Linh", "Huyện Gio Linh", "Huyện Cam Lộ",
             "Huyện Triệu Phong", "Huyện Hải Lăng", "Huyện Hướng Hóa", "Huyện Đakrông", "Huyện Cồn Cỏ"]
DEPARTMENTS = ["Sở Tư pháp", "Sở Xây dựng", "Sở Tài chính", "Thanh tra tỉnh"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def quang_tri(tmp_path, write_csv, row, spec) -> Path:
    """A store holding Quảng Trị 2022 and 2023 with 14 units each (10 districts, 4 departments)."""
    db = tmp_path / "store.duckdb"
    path = write_csv("qt_full.csv", [row("Quảng Trị", u, y) for y in (2022, 2023) for u in DISTRICTS + DEPARTMENTS])
    ingest_file(path, db, spec=spec)
    return db


@pytest.fixture
def five_units(write_csv, row) -> Path:
    """The issue's file: 5 units for Quảng Trị 2022–2023 (the departments and half the districts gone)."""
    return write_csv("qt_5.csv", [row("Quảng Trị", u, y) for y in (2022, 2023) for u in DISTRICTS[:5]])


def _plan(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame({"province": [r[0] for r in rows], "year": [r[1] for r in rows],
                         "key": [r[2].casefold() for r in rows], "unit": [r[2] for r in rows],
                         "row": [r[2].casefold() for r in rows]})


def test_plan_counts_replaced_added_removed() -> None:
    stored = _plan([("Quảng Trị", 2023, u) for u in ("A", "B", "C", "D")] + [("Quảng Trị", 2022, "A")])
    incoming = _plan([("Quảng Trị", 2023, u) for u in ("a", "B", "E")] + [("Quảng Trị", 2024, "A")])
    c23, c24 = plan_changes(stored, incoming)
    assert c23 == SliceChange("Quảng Trị", 2023, units_stored=4, units_in_file=3, units_replaced=2, units_added=1,
                              units_removed=2, rows_replaced=2, rows_added=1, rows_removed=2, removed_names=("C", "D"))
    assert c24.new and c24.units_added == 1 and c24.units_removed == 0
    assert c23.removed_share == 0.5


def test_threshold_is_more_than_the_share() -> None:
    at = SliceChange("Q", 2023, 5, 4, 4, 0, 1, 4, 0, 1, ("X",))   # exactly 20%: allowed
    over = SliceChange("Q", 2024, 4, 3, 3, 0, 1, 3, 0, 1, ("X",))  # 25%
    check_removals("f.csv", [at])
    with pytest.raises(ReplacementRefused) as exc:
        check_removals("f.csv", [at, over])
    assert exc.value.slices == (over,)
    check_removals("f.csv", [over], replace=True)
    check_removals("f.csv", [over], max_removed=0.25)


def test_the_issues_five_unit_file_is_refused_and_nothing_written(quang_tri, five_units, spec) -> None:
    before = sha(quang_tri)
    listing = sorted(p.name for p in quang_tri.parent.iterdir())
    with pytest.raises(ReplacementRefused) as exc:
        ingest_file(five_units, quang_tri, spec=spec)
    assert [(s.province, s.year, s.units_stored, s.units_removed, s.units_replaced) for s in exc.value.slices] == [
        ("Quảng Trị", 2022, 14, 9, 5), ("Quảng Trị", 2023, 14, 9, 5)]
    assert exc.value.message("en") == (
        "Nothing written: qt_5.csv would remove more than 20% of the units stored for a province-year: "
        "Quảng Trị 2022: 9 of 14 stored units removed, 5 kept, 0 added (removed: Huyện Cồn Cỏ, Huyện Đakrông, Huyện Hải Lăng, "
        "Huyện Hướng Hóa, Huyện Triệu Phong, …); Quảng Trị 2023: 9 of 14 stored units removed, 5 kept, "
        "0 added (removed: Huyện Cồn Cỏ, Huyện Đakrông, Huyện Hải Lăng, Huyện Hướng Hóa, Huyện Triệu Phong, …). "
        "If the file is complete and those units are meant to go, ingest it again with --replace (the store is "
        "backed up first); if units are missing from the file, add them; or set the limit with --max-removed "
        "(now 20%)."
    )
    assert exc.value.message("vi").startswith(
        "Không ghi gì: tệp qt_5.csv sẽ bỏ quá 20% số đơn vị đã lưu của một tỉnh trong một năm: Quảng Trị năm 2022: "
        "bỏ 9/14 đơn vị đã lưu, giữ 5, thêm 0"
    )
    assert sha(quang_tri) == before
    assert sorted(p.name for p in quang_tri.parent.iterdir()) == listing  # no backup, no temporary file


def test_replace_writes_reports_counts_and_keeps_a_backup(quang_tri, five_units, spec) -> None:
    before = sha(quang_tri)
    result = ingest_file(five_units, quang_tri, spec=spec, replace=True)
    assert [(c.year, c.units_stored, c.units_in_file, c.units_replaced, c.units_added, c.units_removed,
             c.rows_replaced, c.rows_added, c.rows_removed) for c in result.changes] == [
        (2022, 14, 5, 5, 0, 9, 5, 0, 9), (2023, 14, 5, 5, 0, 9, 5, 0, 9)]
    lines = result.summary("en").splitlines()
    assert lines[1:5] == [
        "Replaced the data stored for 2 province-years (a score row is one unit in one year, a survey row one "
        "respondent):",
        "  Province   Year  Units stored  In file  Replaced  Added  Removed  Rows replaced  Rows added  Rows removed",
        "  Quảng Trị  2022            14        5         5      0        9              5           0             9",
        "  Quảng Trị  2023            14        5         5      0        9              5           0             9",
    ]
    assert result.backup is not None
    kept = Path(result.backup)
    assert kept.parent == quang_tri.parent and kept.name.startswith("store.duckdb.bak-")
    assert sha(kept) == before  # exactly the store as it was
    assert lines[-1] == (
        f"The store as it was before this ingest is kept as {kept} (the newest 3 backups are kept). "
        f"To undo this ingest, copy it back: cp {kept} {quang_tri}"
    )
    with Store(quang_tri, read_only=True) as st:
        assert len(st.scores(spec=spec)) == 10

    # Undo as the message says: the 14 units are back.
    os.replace(kept, quang_tri)
    with Store(quang_tri, read_only=True) as st:
        assert len(st.scores(spec=spec)) == 28


def test_backups_rotate_keeping_the_newest_three(quang_tri, write_csv, row, spec) -> None:
    stores = []
    for i in range(5):
        stores.append(sha(quang_tri))
        path = write_csv(f"u{i}.csv", [row("Quảng Trị", u, 2024, total=None) for u in DISTRICTS[: i + 1]])
        ingest_file(path, quang_tri, spec=spec)
    kept = backup.list_backups(quang_tri)
    assert len(kept) == 3
    assert [sha(p) for p in kept] == stores[::-1][:3]  # newest first: the store before the 5th, 4th, 3rd ingest
    assert sorted(p.name for p in quang_tri.parent.glob("store.duckdb.bak-*")) == sorted(p.name for p in kept)


def test_rotation_orders_by_the_time_in_the_name(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    store.write_bytes(b"x")
    names = ["s.duckdb.bak-20240101-000000", "s.duckdb.bak-20250101-000000", "s.duckdb.bak-20250101-000000-2",
             "s.duckdb.bak-20231231-235959", "s.duckdb.bak-notadate", "other.duckdb.bak-20990101-000000"]
    for n in names:
        (tmp_path / n).write_bytes(b"b")
    removed = backup.rotate_backups(store, keep=2)
    assert sorted(p.name for p in removed) == ["s.duckdb.bak-20231231-235959", "s.duckdb.bak-20240101-000000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["s.duckdb", "s.duckdb.bak-20250101-000000", "s.duckdb.bak-20250101-000000-2", "s.duckdb.bak-notadate",
         "other.duckdb.bak-20990101-000000"])


def test_commit_names_the_backup_by_date_and_never_overwrites(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    store.write_bytes(b"old")
    when = dt.datetime(2024, 5, 17, 9, 30, 5)
    first = backup.commit_backup(backup.prepare_backup(store), store, now=when)
    second = backup.commit_backup(backup.prepare_backup(store), store, now=when)
    assert (first.name, second.name) == ("s.duckdb.bak-20240517-093005", "s.duckdb.bak-20240517-093005-2")
    assert first.read_bytes() == second.read_bytes() == b"old"
    assert not list(tmp_path.glob(".s.duckdb.ingest-*"))


def test_a_failed_replace_leaves_no_backup(quang_tri, write_csv, row, spec, monkeypatch) -> None:
    before = sha(quang_tri)
    real = os.replace

    def failing(src, dst, *a, **k):
        if Path(dst) == quang_tri:
            raise OSError("disk full")
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", failing)
    path = write_csv("u.csv", [row("Quảng Trị", u, 2024) for u in DISTRICTS])
    with pytest.raises(OSError, match="disk full"):
        ingest_file(path, quang_tri, spec=spec)
    assert sha(quang_tri) == before
    assert sorted(p.name for p in quang_tri.parent.iterdir() if "store.duckdb" in p.name) == [
        ".store.duckdb.lock", "store.duckdb"]


def test_survey_rows_are_respondents(tmp_path, write_csv) -> None:
    db = tmp_path / "store.duckdb"
    header = ["Tỉnh", "Đơn vị", "Năm", "Mã phiếu", "Mức độ hài lòng"]
    first = write_csv("ks1.csv", [["Quảng Trị", "Huyện Vĩnh Linh", 2023, f"P{i}", 4] for i in range(5)], header=header)
    ingest_file(first, db)
    second = write_csv("ks2.csv", [["Quảng Trị", "H. Vĩnh Linh", 2023, f"P{i}", 5] for i in range(3, 9)], header=header)
    result = ingest_file(second, db)
    [c] = result.changes
    assert (c.units_stored, c.units_replaced, c.units_removed) == (1, 1, 0)
    assert (c.rows_replaced, c.rows_added, c.rows_removed) == (2, 4, 3)


def test_changes_table_is_empty_when_nothing_stored_is_touched() -> None:
    assert changes_table([SliceChange("Q", 2024, 0, 3, 0, 3, 0, 0, 3, 0)], "vi") == []


# -- the command line ---------------------------------------------------------------------------


def test_cli_refuses_then_replace_and_max_removed(quang_tri, five_units, capsys) -> None:
    before = sha(quang_tri)
    assert main(["ingest", str(five_units), "--store", str(quang_tri)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("parbrief ingest: Không ghi gì: tệp qt_5.csv sẽ bỏ quá 20% số đơn vị đã lưu")
    assert "Quảng Trị năm 2023: bỏ 9/14 đơn vị đã lưu" in err and "--replace" in err
    assert sha(quang_tri) == before
    assert main(["ingest", str(five_units), "--store", str(quang_tri), "--max-removed", "70%", "--lang", "en"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("Wrote 10 score rows from qt_5.csv to store.duckdb (provinces: Quảng Trị; years: 2022, 2023). "
                      "1 warning (see parbrief validate).")  # unit types read from the names
    assert out[-1].startswith("The store as it was before this ingest is kept as ")
    assert len(backup.list_backups(quang_tri)) == 1


def test_cli_replace_flag(quang_tri, five_units, capsys) -> None:
    assert main(["ingest", str(five_units), "--store", str(quang_tri), "--replace", "--keep-backups", "0"]) == 0
    assert "Dữ liệu trước lần ghi này" not in capsys.readouterr().out
    assert backup.list_backups(quang_tri) == []


@pytest.mark.parametrize("value", ["1.5", "-0.1", "120%", "abc", "nan"])
def test_cli_bad_max_removed_is_a_usage_error(quang_tri, five_units, value, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["ingest", str(five_units), "--store", str(quang_tri), "--max-removed", value])
    assert exc.value.code == 2
    assert "--max-removed: expected a share from 0 to 1 or a percentage from 0% to 100%" in capsys.readouterr().err


def test_ingest_help_documents_aliases_and_replacement(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    out = capsys.readouterr().out
    for text in ("--replace", "--max-removed SHARE", "--keep-backups N", "<store>.bak-YYYYMMDD-HHMMSS",
                 "TP. → Thành phố", '    "Quảng Bình":', '      "Thị xã Đồng Hới": "Thành phố Đồng Hới"',
                 "province_aliases:"):
        assert text in out
