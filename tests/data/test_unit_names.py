"""Unit names: abbreviated prefixes written out, case folded in keys, one spelling per unit in the store."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from parbrief.data.names import expand_unit_prefix, is_properly_cased, normalize_name, unit_key
from parbrief.data.store import Store, ingest_file, load_data
from parbrief.data.unit_names import UnitResolver, unify_units
from parbrief.errors import DataValidationError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("TP. Đồng Hới", "Thành phố Đồng Hới"),
        ("TP.Đồng Hới", "Thành phố Đồng Hới"),
        ("tp. Đồng Hới", "Thành phố Đồng Hới"),
        ("Tp.  Đồng Hới", "Thành phố Đồng Hới"),
        ("TX. Ba Đồn", "Thị xã Ba Đồn"),
        ("tx.Ba Đồn", "Thị xã Ba Đồn"),
        ("Q. 1", "Quận 1"),
        ("Q.Hoàn Kiếm", "Quận Hoàn Kiếm"),
        ("H. Vĩnh Linh", "Huyện Vĩnh Linh"),
        ("P. Đông Lương", "Phường Đông Lương"),
        ("x. Hải Lăng", "Xã Hải Lăng"),
        ("TP. ĐỒNG HỚI", "THÀNH PHỐ ĐỒNG HỚI"),  # the prefix takes the case of the name
        ("tp. đồng hới", "thành phố đồng hới"),
        # Not an administrative prefix: left as written.
        ("Huyện Vĩnh Linh", "Huyện Vĩnh Linh"),
        ("Sở Tư pháp", "Sở Tư pháp"),
        ("TPHCM", "TPHCM"),                      # no dot
        ("Trường Q. 1", "Trường Q. 1"),          # not at the start
        ("H. T. Nguyên", "H. T. Nguyên"),        # initials
        ("Q.", "Q."),                            # nothing follows
        ("Phường Q. Linh", "Phường Q. Linh"),
    ],
)
def test_abbreviated_prefixes_are_written_out(raw: str, expected: str) -> None:
    out = expand_unit_prefix(raw)
    assert out == expected
    assert unicodedata.is_normalized("NFC", out)
    assert expand_unit_prefix(out) == out  # idempotent


def test_nfd_input_and_tone_placement_still_normalized() -> None:
    raw = unicodedata.normalize("NFD", "TX. Hoà Bình")
    assert expand_unit_prefix(raw) == "Thị xã Hòa Bình"
    assert unicodedata.is_normalized("NFC", unit_key(raw))


def test_provinces_and_departments_keep_their_prefix() -> None:
    assert expand_unit_prefix("TP. Hồ Chí Minh", "province") == "TP. Hồ Chí Minh"
    assert expand_unit_prefix("P. Tư pháp", "department") == "P. Tư pháp"  # a phòng, not a phường
    assert expand_unit_prefix("P. Tư pháp", "commune") == "Phường Tư pháp"
    assert normalize_name("TP. Đồng Hới") == "TP. Đồng Hới"  # plain normalization does not expand


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("TP. Đồng Hới", "Thành phố Đồng Hới"),
        ("TX. Ba Đồn", "Thị xã Ba Đồn"),
        ("HUYỆN VĨNH LINH", "Huyện Vĩnh Linh"),
        ("huyện vĩnh linh", "H. Vĩnh Linh"),
        ("THỊ XÃ QUẢNG TRỊ", "tx. Quảng Trị"),
    ],
)
def test_the_issues_spellings_have_one_key(a: str, b: str) -> None:
    assert unit_key(a) == unit_key(b)


def test_keys_keep_diacritics_and_prefixes_apart() -> None:
    assert unit_key("Huyện Vĩnh Linh") != unit_key("Huyện Vinh Linh")
    assert unit_key("Thị xã Đồng Hới") != unit_key("Thành phố Đồng Hới")


def test_properly_cased() -> None:
    assert is_properly_cased("Huyện Vĩnh Linh") and is_properly_cased("Sở Giáo dục và Đào tạo")
    assert not is_properly_cased("HUYỆN VĨNH LINH") and not is_properly_cased("huyện vĩnh linh")


def _frame(rows: list[tuple[str, str, int]], unit_type: str = "district") -> pd.DataFrame:
    return pd.DataFrame({"province": [r[0] for r in rows], "unit": [r[1] for r in rows],
                         "unit_type": unit_type, "year": [r[2] for r in rows]})


def test_display_name_is_the_properly_cased_most_frequent_spelling() -> None:
    incoming = _frame([("Quảng Trị", "HUYỆN VĨNH LINH", 2024), ("Quảng Trị", "TP. Đông Hà", 2024)])
    stored = _frame([("Quảng Trị", "Huyện Vĩnh Linh", y) for y in (2022, 2023)]
                    + [("Quảng Trị", "TP. Đông Hà", 2023), ("Quảng Trị", "Thành phố Đông Hà", 2022)])
    stored.insert(0, "table", "scores")
    stored.insert(1, "spec_id", "par_index")
    u = unify_units(incoming, stored)
    assert u.frame["unit"].tolist() == ["Huyện Vĩnh Linh", "Thành phố Đông Hà"]
    assert [(r.table, r.old, r.new, r.years) for r in u.renames] == [
        ("file", "HUYỆN VĨNH LINH", "Huyện Vĩnh Linh", (2024,)),
        ("file", "TP. Đông Hà", "Thành phố Đông Hà", (2024,)),
        ("scores", "TP. Đông Hà", "Thành phố Đông Hà", (2023,)),
    ]
    assert u.keys == ("huyện vĩnh linh", "thành phố đông hà")


def test_all_capitals_only_is_kept_as_written() -> None:
    u = unify_units(_frame([("Quảng Trị", "HUYỆN VĨNH LINH", 2024)]))
    assert u.frame["unit"].tolist() == ["HUYỆN VĨNH LINH"]


def test_aliases_apply_to_written_out_names() -> None:
    resolver = UnitResolver({"Quảng Bình": {"TX. Đồng Hới": "TP. Đồng Hới"}})
    u = unify_units(_frame([("Quảng Bình", "Thị xã Đồng Hới", 2019)]), resolver=resolver)
    assert u.frame["unit"].tolist() == ["Thành phố Đồng Hới"]
    assert [(r.old, r.new, r.reason) for r in u.renames] == [("Thị xã Đồng Hới", "Thành phố Đồng Hới", "alias")]


# -- through ingest ----------------------------------------------------------------------------


def test_ingest_merges_the_issues_spellings_across_years(tmp_path, write_csv, row, spec) -> None:
    db = tmp_path / "store.duckdb"
    before = write_csv("2023.csv", [
        row("Quảng Bình", "Thành phố Đồng Hới", 2023),
        row("Quảng Bình", "Thị xã Ba Đồn", 2023),
        row("Quảng Bình", "Huyện Vĩnh Linh", 2023),
    ])
    ingest_file(before, db, spec=spec)
    after = write_csv("2024.csv", [
        row("Quảng Bình", "TP. Đồng Hới", 2024),
        row("Quảng Bình", "TX. Ba Đồn", 2024),
        row("Quảng Bình", "HUYỆN VĨNH LINH", 2024),
    ])
    result = ingest_file(after, db, spec=spec)
    with Store(db, read_only=True) as st:
        units = st.scores(spec=spec).groupby("unit")["year"].apply(list).to_dict()
    assert units == {"Huyện Vĩnh Linh": [2023, 2024], "Thành phố Đồng Hới": [2023, 2024],
                     "Thị xã Ba Đồn": [2023, 2024]}
    assert result.near_duplicates == ()
    text = result.summary("en").splitlines()
    assert text[1:5] == [
        "Added where nothing was stored: Quảng Bình 2024.",
        "3 unit names written out or unified (one spelling per unit):",
        "  Quảng Bình: “HUYỆN VĨNH LINH” → “Huyện Vĩnh Linh” (in the file, 2024)",
        "  Quảng Bình: “TP. Đồng Hới” → “Thành phố Đồng Hới” (in the file, 2024)",
    ]


def test_stored_abbreviations_are_unified_with_the_new_spelling(tmp_path, write_csv, row, spec) -> None:
    db = tmp_path / "store.duckdb"
    old = write_csv("old.csv", [row("Quảng Bình", "Thành phố Đồng Hới", y) for y in (2021, 2022)])
    ingest_file(old, db, spec=spec)
    # A store written before names were expanded holds the abbreviation as typed.
    with Store(db) as st:
        st.connection.execute("UPDATE scores SET unit = 'TP. Đồng Hới' WHERE year = 2021")
        st.connection.execute("CHECKPOINT")
    new = write_csv("new.csv", [row("Quảng Bình", "Thành phố Đồng Hới", 2023)])
    result = ingest_file(new, db, spec=spec)
    assert [(r.table, r.old, r.new, r.years) for r in result.renames] == [
        ("scores", "TP. Đồng Hới", "Thành phố Đồng Hới", (2021,))]
    assert "  Quảng Bình: “TP. Đồng Hới” → “Thành phố Đồng Hới” (đã lưu, 2021)" in result.summary("vi").splitlines()
    with Store(db, read_only=True) as st:
        assert set(st.scores(spec=spec)["unit"]) == {"Thành phố Đồng Hới"}


def test_one_unit_written_two_ways_in_one_year_is_refused(tmp_path, write_csv, row, spec) -> None:
    db = tmp_path / "store.duckdb"
    bad = write_csv("dup.csv", [row("Quảng Trị", "Huyện Vĩnh Linh", 2024),
                                row("Quảng Trị", "HUYỆN VĨNH LINH", 2024, comps=[8, 8, 12, 7, 10, 7, 8.5, 21])])
    with pytest.raises(DataValidationError) as exc:
        ingest_file(bad, db, spec=spec)
    [problem] = exc.value.errors
    assert problem.message_en == ("“HUYỆN VĨNH LINH”, “Huyện Vĩnh Linh” are one unit (Huyện Vĩnh Linh, Quảng Trị) "
                                  "written two ways, and both have a row for 2024")
    assert problem.message_vi.startswith("“HUYỆN VĨNH LINH”, “Huyện Vĩnh Linh” là cùng một đơn vị")
    assert not db.exists()


def test_render_from_a_file_sees_the_names_an_ingest_stores(tmp_path, write_csv, row, spec) -> None:
    path = write_csv("s.csv", [row("Quảng Bình", "TP. Đồng Hới", 2023), row("Quảng Bình", "Thành phố Đồng Hới", 2024)])
    db = tmp_path / "store.duckdb"
    ingest_file(path, db, spec=spec)
    from_file, from_store = load_data(path, spec), load_data(db, spec)
    assert from_file.scores["unit"].tolist() == ["Thành phố Đồng Hới"] * 2
    assert from_file.sha256 == from_store.sha256


def test_stored_rows_that_would_become_two_rows_of_one_unit_are_left_with_a_warning(tmp_path, write_csv, row,
                                                                                      spec) -> None:
    from parbrief.data.unit_names import SpellingConflict

    db = tmp_path / "store.duckdb"
    ingest_file(write_csv("old.csv", [row("Quảng Bình", "Thành phố Đồng Hới", 2021),
                                      row("Quảng Bình", "Thị xã Ba Đồn", 2021)]), db, spec=spec)
    with Store(db) as st:  # an old store with one unit written two ways in one year
        st.connection.execute("UPDATE scores SET unit = 'TP. Đồng Hới' WHERE unit = 'Thị xã Ba Đồn'")
        st.connection.execute("CHECKPOINT")
    result = ingest_file(write_csv("new.csv", [row("Quảng Bình", "TP. Đồng Hới", 2023)]), db, spec=spec)
    assert result.conflicts == (SpellingConflict("Quảng Bình", ("TP. Đồng Hới", "Thành phố Đồng Hới"), 2021),)
    assert [r.table for r in result.renames] == ["file"]
    assert ("Warning: Quảng Bình: the store holds one unit written two ways in 2021 (“TP. Đồng Hới”, "
            "“Thành phố Đồng Hới”); they are left as they are. Ingest a corrected file for Quảng Bình 2021 with "
            "one spelling.") in result.summary("en").splitlines()
    with Store(db, read_only=True) as st:
        f = st.scores(spec=spec)
        assert sorted(f[f["year"] == 2021]["unit"]) == ["TP. Đồng Hới", "Thành phố Đồng Hới"]
        assert f[f["year"] == 2023]["unit"].tolist() == ["Thành phố Đồng Hới"]
