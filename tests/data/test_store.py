"""Tests for parbrief.data.store: ingest, read back, replacement, atomicity, snapshots, load_data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

import parbrief.data.store as store_mod
from parbrief.data.store import Store, frames_sha256, ingest_file, load_data
from parbrief.errors import DataValidationError, ParbriefError

COMPONENTS = (8, 8, 12, 7, 10, 7, 8.5, 20)  # sum 80.5


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def comps(delta: float) -> list[float]:
    """Components with the last one (tác động, max 33) shifted by ``delta``."""
    return [*COMPONENTS[:7], COMPONENTS[7] + delta]


@pytest.fixture
def two_provinces(write_csv, row) -> Path:
    return write_csv(
        "scores.csv",
        [
            row("Yên Bái", "Huyện Lục Yên", 2022, comps=comps(-2)),
            row("Yên Bái", "Huyện Lục Yên", 2023),
            row("Yên Bái", "Thị xã Nghĩa Lộ", 2023, comps=comps(1.5)),
            row("Lào Cai", "Huyện Bát Xát", 2023, comps=comps(3)),
        ],
    )


def test_ingest_then_read_back_exact_rows(tmp_path, two_provinces, spec) -> None:
    db = tmp_path / "store.duckdb"
    result = ingest_file(two_provinces, db, spec=spec)
    assert (result.kind, result.rows, result.provinces, result.years) == ("scores", 4, ("Lào Cai", "Yên Bái"), (2022, 2023))
    assert result.replaced == ()
    assert result.sha256 == sha(two_provinces)
    assert result.summary("vi") == (
        "Đã ghi 4 dòng điểm từ scores.csv vào store.duckdb (tỉnh: Lào Cai, Yên Bái; năm: 2022, 2023). "
        "1 cảnh báo (xem bằng parbrief validate)."  # unit types read from the names: no unit-type column
    )
    assert result.summary("en") == (
        "Wrote 4 score rows from scores.csv to store.duckdb (provinces: Lào Cai, Yên Bái; years: 2022, 2023). "
        "1 warning (see parbrief validate)."
    )
    with Store(db, read_only=True) as st:
        f = st.scores(spec=spec)
        assert list(f.columns) == ["province", "unit", "unit_type", "year", "total", *spec.codes]
        assert f[["province", "unit", "unit_type", "year", "total", "tac_dong"]].values.tolist() == [
            ["Lào Cai", "Huyện Bát Xát", "district", 2023, 83.5, 23.0],
            ["Yên Bái", "Huyện Lục Yên", "district", 2022, 78.5, 18.0],
            ["Yên Bái", "Huyện Lục Yên", "district", 2023, 80.5, 20.0],
            ["Yên Bái", "Thị xã Nghĩa Lộ", "district", 2023, 82.0, 21.5],
        ]
        assert f.dtypes.astype(str).tolist()[3:] == ["int64"] + ["float64"] * 9
        assert st.scores().equals(f)  # one spec in the store: no need to name it
        assert st.scores(province="Yên Bái", years=2023)["unit"].tolist() == ["Huyện Lục Yên", "Thị xã Nghĩa Lộ"]
        assert st.scores(years=[2022])["unit"].tolist() == ["Huyện Lục Yên"]
        assert st.provinces() == ["Lào Cai", "Yên Bái"]
        assert st.years() == [2022, 2023]
        assert st.years("Lào Cai") == [2023]
        meta = st.meta()
        assert meta["schema_version"] == "1" and meta["last_ingest_file"] == "scores.csv"
        log = st.ingests()
        assert log[["id", "file", "kind", "rows"]].values.tolist() == [[1, "scores.csv", "scores", 4]]
        assert st.survey().empty


def test_reingest_replaces_a_year_only_for_the_files_provinces(tmp_path, two_provinces, write_csv, row, spec) -> None:
    db = tmp_path / "store.duckdb"
    ingest_file(two_provinces, db, spec=spec)
    # Yên Bái 2023 again, with one unit only and new scores; Lào Cai 2023 and Yên Bái 2022 must stay.
    # Half of Yên Bái 2023's units go: refused without replace=True (tests/data/test_replacement.py).
    update = write_csv("yb_2023.csv", [row("Yên Bái", "Huyện Lục Yên", 2023, comps=comps(5))])
    result = ingest_file(update, db, spec=spec, replace=True)
    assert result.replaced == (("Yên Bái", 2023),)
    assert result.summary("vi").splitlines()[1:4] == [
        "Đã thay thế dữ liệu đã lưu của 1 tỉnh – năm (một dòng điểm là một đơn vị trong một năm, "
        "một dòng khảo sát là một phiếu):",
        "  Tỉnh      Năm  Đơn vị đã lưu  Trong tệp  Thay thế  Thêm  Bỏ  Dòng thay thế  Dòng thêm  Dòng bỏ",
        "  Yên Bái  2023              2          1         1     0   1              1          0        1",
    ]
    with Store(db, read_only=True) as st:
        f = st.scores(spec=spec)
        assert f[["province", "unit", "year", "total"]].values.tolist() == [
            ["Lào Cai", "Huyện Bát Xát", 2023, 83.5],
            ["Yên Bái", "Huyện Lục Yên", 2022, 78.5],
            ["Yên Bái", "Huyện Lục Yên", 2023, 85.5],
        ]
        assert st.ingests()["id"].tolist() == [1, 2]


def test_failing_file_leaves_store_byte_for_byte(tmp_path, two_provinces, write_csv, row, spec) -> None:
    db = tmp_path / "store.duckdb"
    ingest_file(two_provinces, db, spec=spec)
    bad = write_csv("bad.csv", [row("Yên Bái", "Huyện Lục Yên", 2023), row("Yên Bái", "Huyện Trạm Tấu", 2023, total=99)])
    before = sha(db)
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(DataValidationError) as exc:
        ingest_file(bad, db, spec=spec)
    assert [(p.row, p.kind) for p in exc.value.errors] == [(3, "total_mismatch")]
    assert sha(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no temp file left


def test_crash_mid_write_leaves_store_untouched(tmp_path, two_provinces, write_csv, row, spec, monkeypatch) -> None:
    db = tmp_path / "store.duckdb"
    ingest_file(two_provinces, db, spec=spec)
    before = sha(db)
    real = store_mod._write_scores

    def exploding(con, frame, spec_, ingest_id):
        real(con, frame, spec_, ingest_id)  # rows already deleted and inserted in the copy
        raise OSError("disk full")

    monkeypatch.setattr(store_mod, "_write_scores", exploding)
    update = write_csv("u.csv", [row("Yên Bái", "Huyện Lục Yên", 2023, comps=comps(5))])
    with pytest.raises(OSError, match="disk full"):
        ingest_file(update, db, spec=spec, replace=True)
    assert sha(db) == before
    assert not any(".ingest-" in p.name for p in tmp_path.iterdir())
    with Store(db, read_only=True) as st:
        assert st.scores(province="Yên Bái", years=2023)["total"].tolist() == [80.5, 82.0]


def test_duplicate_in_file_is_refused(tmp_path, write_csv, row, spec) -> None:
    db = tmp_path / "store.duckdb"
    dup = write_csv("dup.csv", [row("Yên Bái", "Huyện Lục Yên", 2023), row("Yên Bái", "Huyện  Lục Yên", 2023, comps=comps(1))])
    with pytest.raises(DataValidationError) as exc:
        ingest_file(dup, db, spec=spec)
    assert exc.value.errors[0].message_en == (
        "Duplicate of row 2: unit 'Huyện Lục Yên' (Yên Bái) has two rows for 2023 (different values)."
    )
    assert not db.exists()  # nothing written, not even an empty store


def test_specs_coexist(tmp_path, two_provinces, write_csv, spec) -> None:
    from dataclasses import replace

    db = tmp_path / "store.duckdb"
    ingest_file(two_provinces, db, spec=spec)
    other = replace(spec, id="par_index_v2")
    ingest_file(write_csv("v2.csv", [["Yên Bái", "Huyện Lục Yên", 2023, 70.0]], header=["Tỉnh", "Đơn vị", "Năm", "Tổng"]),
                db, spec=other)
    with Store(db, read_only=True) as st:
        assert st.spec_ids() == ["par_index", "par_index_v2"]
        with pytest.raises(ParbriefError, match="several index specs"):
            st.scores()
        assert st.scores(spec=other)["total"].tolist() == [70.0]
        assert len(st.scores(spec=spec)) == 4


def test_snapshot_hash_is_deterministic(tmp_path, two_provinces, spec) -> None:
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    ingest_file(two_provinces, a, spec=spec)
    ingest_file(two_provinces, b, spec=spec)
    ingest_file(two_provinces, b, spec=spec)  # same data after a replace
    with Store(a, read_only=True) as sa, Store(b, read_only=True) as sb:
        s1 = sa.snapshot(tmp_path / "snap1", spec=spec)
        s2 = sb.snapshot(tmp_path / "snap2", spec=spec)
        s3 = sa.snapshot(tmp_path / "snap3", provinces=["Yên Bái"], spec=spec)
    assert s1.sha256 == s2.sha256
    assert s1.scores_path.read_bytes() == s2.scores_path.read_bytes()
    assert s1.sha256 == hashlib.sha256(s1.scores_path.read_bytes()).hexdigest()
    assert s1.survey_path is None
    assert s3.sha256 != s1.sha256
    back = pd.read_parquet(s3.scores_path)
    assert back["unit"].tolist() == ["Huyện Lục Yên", "Huyện Lục Yên", "Thị xã Nghĩa Lộ"]


def test_load_data_from_store_and_from_file_agree(tmp_path, two_provinces, spec) -> None:
    db = tmp_path / "store.duckdb"
    ingest_file(two_provinces, db, spec=spec)
    from_store = load_data(db, spec)
    from_file = load_data(two_provinces, spec)
    pd.testing.assert_frame_equal(from_store.scores, from_file.scores)
    assert from_store.sha256 == from_file.sha256 == frames_sha256(from_file.scores)
    with Store(db, read_only=True) as st:
        assert st.snapshot(tmp_path / "snap", spec=spec).sha256 == from_store.sha256
    assert from_store.survey is None and from_store.source == str(db)
    assert from_file.meta["source_sha256"] == sha(two_provinces)
    with pytest.raises(ParbriefError, match="store not found"):
        load_data(tmp_path / "missing.duckdb", spec)


def test_survey_ingest_and_read_back(tmp_path, write_csv) -> None:
    db = tmp_path / "store.duckdb"
    header = ["Tỉnh", "Đơn vị", "Năm", "Mã phiếu", "Mức độ hài lòng", "Câu 1", "Câu 2"]
    path = write_csv("ks.csv", [["Yên Bái", "Huyện Lục Yên", 2023, "P2", 4, 3, 5],
                                ["Yên Bái", "Huyện Lục Yên", 2023, "P1", 5, "", 4]], header=header)
    result = ingest_file(path, db)
    assert result.summary("en") == (
        "Wrote 2 survey responses from ks.csv to store.duckdb (provinces: Yên Bái; years: 2023)."
    )
    with Store(db, read_only=True) as st:
        sv = st.survey(province="Yên Bái")
        assert list(sv.columns) == ["province", "unit", "year", "respondent", "satisfaction", "Câu 1", "Câu 2"]
        assert sv[["respondent", "satisfaction", "Câu 2"]].values.tolist() == [["P1", 5, 4.0], ["P2", 4, 5.0]]
        assert pd.isna(sv["Câu 1"].iloc[0])
        assert st.provinces() == ["Yên Bái"]
        snap = st.snapshot(tmp_path / "snap")
    assert snap.survey_path is not None
    assert snap.sha256 == hashlib.sha256(snap.scores_path.read_bytes() + snap.survey_path.read_bytes()).hexdigest()


def _survey_by_pandas(con, province=None, years=None) -> pd.DataFrame:
    """The respondents' frame built in pandas from the two long tables: what Store.survey pivots in SQL."""
    keys = ["province", "unit", "year", "respondent"]
    s = con.execute("SELECT province, unit, year, respondent, satisfaction FROM survey").df()
    i = con.execute("SELECT province, unit, year, respondent, item, pos, value FROM survey_items").df()
    if province is not None:
        s, i = s[s["province"] == province], i[i["province"] == province]
    if years is not None:
        s, i = s[s["year"].isin(years)], i[i["year"].isin(years)]
    order = list(i.groupby("item")["pos"].min().reset_index().sort_values(["pos", "item"])["item"])
    wide = i.pivot_table(index=keys, columns="item", values="value", aggfunc="max", dropna=False)
    out = s.merge(wide.reset_index(), on=keys, how="left") if order else s
    out = out.sort_values(keys).reset_index(drop=True)
    out = out[[*keys, "satisfaction", *order]]
    for c in ("province", "unit", "respondent"):
        out[c] = out[c].astype("str")
    out.columns.name = None
    return out.astype({"year": "int64", "satisfaction": "int64", **{c: "float64" for c in order}})


def test_survey_pivot_equals_pandas(tmp_path, write_csv) -> None:
    """Store.survey's SQL pivot (items pivoted, then joined to the respondents) against a pandas
    pivot of the same tables: every filter, a blank answer, an item row missing, item order."""
    db = tmp_path / "store.duckdb"
    header = ["Tỉnh", "Đơn vị", "Năm", "Mã phiếu", "Mức độ hài lòng", "Câu 2", "Câu 1"]
    rows = [[prov, unit, year, f"P{k}", 1 + (k + year) % 5, (k * 3) % 5 + 1, "" if k == 2 else k % 5 + 1]
            for prov, unit in (("Yên Bái", "Huyện Lục Yên"), ("Yên Bái", "Thành phố Yên Bái"), ("Lào Cai", "Huyện Bát Xát"))
            for year in (2022, 2023) for k in range(1, 5)]
    ingest_file(write_csv("ks.csv", rows, header=header), db)
    with Store(db) as st:
        st.connection.execute("DELETE FROM survey_items WHERE respondent = 'P3' AND item = 'Câu 2' AND year = 2023")
    with Store(db, read_only=True) as st:
        for province, years in ((None, None), ("Yên Bái", None), (None, [2023]), ("Lào Cai", [2022, 2023]), (None, [])):
            got = st.survey(province=province, years=years)
            want = _survey_by_pandas(st.connection, province, years)
            assert list(got.columns) == (["province", "unit", "year", "respondent", "satisfaction", "Câu 2", "Câu 1"]
                                         if len(want) else list(got.columns))
            if len(want):
                pd.testing.assert_frame_equal(got, want)
            else:
                assert got.empty
        full = st.survey()
    assert full["Câu 1"].isna().sum() == 6 and full["Câu 2"].isna().sum() == 3


def test_set_meta_and_read_only(tmp_path, two_provinces, spec) -> None:
    db = tmp_path / "store.duckdb"
    ingest_file(two_provinces, db, spec=spec)
    with Store(db) as st:
        st.set_meta("note", "Số liệu Sở Nội vụ gửi")
        st.set_meta("note", "Số liệu đã soát")
    with Store(db, read_only=True) as st:
        assert st.meta()["note"] == "Số liệu đã soát"
        with pytest.raises(ParbriefError, match="read-only"):
            st.set_meta("x", "y")


def test_process_killed_before_replace_leaves_store_as_it_was(tmp_path, two_provinces, write_csv, row, spec) -> None:
    """A process that dies after writing the copy but before os.replace: the store is untouched,
    and the next ingest cleans the stale copy up."""
    import subprocess
    import sys

    db = tmp_path / "store.duckdb"
    ingest_file(two_provinces, db, spec=spec)
    before = sha(db)
    update = write_csv("u.csv", [row("Yên Bái", "Huyện Lục Yên", 2023, comps=comps(5))])
    script = (
        "import os, sys\n"
        "import parbrief.data.store as s\n"
        "os.replace = lambda *a, **k: os._exit(9)\n"
        "s.ingest_file(sys.argv[1], sys.argv[2], replace=True)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(update), str(db)], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    assert sha(db) == before
    assert any(".ingest-" in p.name for p in tmp_path.iterdir())  # the dead process's copy
    ingest_file(update, db, spec=spec, replace=True)
    assert not any(".ingest-" in p.name for p in tmp_path.iterdir())
    with Store(db, read_only=True) as st:
        assert st.scores(province="Yên Bái", years=2023)["total"].tolist() == [85.5]
