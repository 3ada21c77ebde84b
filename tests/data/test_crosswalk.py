"""Tests for parbrief.data.crosswalk: the shipped 63 → 34 province crosswalk (Resolution
202/2025/QH15), unit vintages, province names, the department crosswalk and users' crosswalks."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parbrief.data.crosswalk import (
    Crosswalk,
    check_crosswalks,
    label_vintages,
    load_crosswalks,
    load_department_crosswalk,
    load_province_crosswalk,
    parse_crosswalks,
    province_crosswalk_table,
    province_official_name,
    province_short_name,
)
from parbrief.data.demo import pre2025_provinces
from parbrief.errors import ParamsError

JULY_2025 = dt.date(2025, 7, 1)
UNCHANGED = {"Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
             "Hà Tĩnh", "Cao Bằng"}


@pytest.fixture(scope="module")
def cw() -> Crosswalk:
    return load_province_crosswalk()


# ---------------------------------------------------------------------------- the shipped table


def test_shipped_table_is_typed_and_has_63_rows():
    t = province_crosswalk_table()
    assert len(t) == 63 and t["old_code"].is_unique
    assert {c: str(d) for c, d in t.dtypes.items() if c != "effective"} == {
        "old_code": "int64", "old_province": "str", "new_code": "int64", "new_province": "str", "old_name": "str",
        "new_name": "str",
    }  # fmt: skip
    assert t["effective"].dtype.kind == "M" and set(t["effective"].dt.date) == {JULY_2025}
    # the old side agrees with the demo's pre-2025 names and codes
    assert list(zip(t["old_code"], t["old_name"])) == list(zip(*pre2025_provinces().to_dict("list").values()))
    assert t.loc[t["old_code"] == 17, "old_province"].item() == "Tỉnh Hòa Bình"  # normalized tone placement


def test_34_new_provinces_23_by_merger_11_unchanged(cw):
    new = cw.new_units()
    assert len(new) == 34
    merged = [n for n in new if cw.is_merged(n)]
    unchanged = [n for n in new if cw.is_unchanged(n)]
    assert (len(merged), len(unchanged)) == (23, 11)
    assert set(unchanged) == UNCHANGED and not set(merged) & set(unchanged)
    assert sum(len(cw.predecessors(n)) for n in new) == 63
    # six centrally-run cities on the new map (the shipped file wrongly had Quảng Ninh, Bắc Ninh and
    # Đồng Nai as "Thành phố"; Resolution 202/2025/QH15 keeps them provinces)
    t = province_crosswalk_table()
    cities = sorted(set(t.loc[t["new_province"].str.startswith("Thành phố "), "new_name"]))
    assert cities == ["Cần Thơ", "Huế", "Hà Nội", "Hải Phòng", "TP. Hồ Chí Minh", "Đà Nẵng"]


def test_successors_and_predecessors(cw):
    assert cw.successor("Quảng Bình") == "Quảng Trị"
    assert cw.successor("Sóc Trăng") == cw.successor("Hậu Giang") == "Cần Thơ"
    assert cw.successor("Hà Giang") == "Tuyên Quang"
    assert cw.successor("Tỉnh Quảng Bình".removeprefix("Tỉnh ")) == "Quảng Trị"
    assert cw.successor("quảng bình") == "Quảng Trị"  # case and tone placement do not matter
    assert cw.successor("Quảng Bình", on=2024) == "Quảng Bình"
    assert cw.successor("Quảng Bình", on=dt.date(2025, 6, 30)) == "Quảng Bình"
    assert cw.successor("Quảng Bình", on=JULY_2025) == "Quảng Trị"
    assert cw.successors("Sơn La") == ["Sơn La"]
    assert cw.predecessors("Quảng Trị") == ["Quảng Bình", "Quảng Trị"]
    assert cw.predecessors("Cần Thơ") == ["Cần Thơ", "Hậu Giang", "Sóc Trăng"]
    assert cw.predecessors("Vĩnh Long") == ["Bến Tre", "Trà Vinh", "Vĩnh Long"]
    assert cw.predecessors("TP. Hồ Chí Minh") == ["Bình Dương", "Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh"]
    assert cw.is_merged("Tuyên Quang") and not cw.is_merged("Sơn La") and not cw.is_merged("Huế")
    assert cw.is_unchanged("Huế")  # renamed from Thừa Thiên Huế, the same unit
    with pytest.raises(KeyError, match="'Atlantis' is not a unit of the crosswalk"):
        cw.successor("Atlantis")


def test_a_name_with_two_vintages(cw):
    """The province called Quảng Trị until 2024 is not the one called Quảng Trị from 2025."""
    assert cw.validity("Quảng Trị") == (JULY_2025, None)
    assert cw.validity("Quảng Trị", 2024) == (None, dt.date(2025, 6, 30))
    assert cw.validity("Quảng Trị", 2025) == (JULY_2025, None)
    assert cw.validity("Sơn La") == cw.validity("Sơn La", 2019) == (None, None)
    assert cw.validity("Quảng Bình") == (None, dt.date(2025, 6, 30))
    old, new = cw.vintage("Quảng Trị", 2024), cw.vintage("Quảng Trị", 2025)
    assert (old.code, old.official, old.last_year, old.key, old.successors) == (
        45, "Tỉnh Quảng Trị", 2024, "Quảng Trị (–2024)", ("Quảng Trị",))
    assert (new.code, new.first_year, new.key, new.predecessors) == (44, 2025, "Quảng Trị", ("Quảng Bình", "Quảng Trị"))
    hue = cw.vintage("Thừa Thiên Huế", 2020)
    assert (hue.name, hue.former_names, hue.key, hue.valid_from, hue.valid_to) == (
        "Huế", ("Thừa Thiên Huế",), "Huế", None, None)
    assert len(cw.vintages()) == 63 + 23
    with pytest.raises(KeyError, match=r"'Quảng Bình' has no unit in 2026"):
        cw.vintage("Quảng Bình", 2026)


@pytest.mark.parametrize(
    "written, year, short",
    [
        ("Tỉnh Quảng Trị", None, "Quảng Trị"),
        ("Thành phố Cần Thơ", None, "Cần Thơ"),
        ("Thành phố Huế", None, "Huế"),
        ("Thành phố Huế", 2024, "Thừa Thiên Huế"),
        ("Tỉnh Thừa Thiên Huế", None, "Thừa Thiên Huế"),
        ("Thừa Thiên Huế", 2025, "Huế"),
        ("Thành phố Hồ Chí Minh", None, "TP. Hồ Chí Minh"),
        ("TP.HCM", 2020, "TP. Hồ Chí Minh"),
        ("tỉnh thanh hoá", None, "Thanh Hóa"),
        ("  Tỉnh  Bà Rịa - Vũng Tàu ", None, "Bà Rịa - Vũng Tàu"),
        ("Tỉnh Atlantis", None, "Atlantis"),
    ],
)
def test_province_short_names(written, year, short):
    assert province_short_name(written, year) == short


@pytest.mark.parametrize(
    "short, year, official",
    [
        ("Quảng Trị", None, "Tỉnh Quảng Trị"),
        ("Quảng Bình", None, "Tỉnh Quảng Bình"),
        ("Cần Thơ", 2020, "Thành phố Cần Thơ"),
        ("Huế", 2024, "Tỉnh Thừa Thiên Huế"),
        ("Huế", None, "Thành phố Huế"),
        ("Thừa Thiên Huế", 2025, "Thành phố Huế"),
        ("TP. Hồ Chí Minh", None, "Thành phố Hồ Chí Minh"),
        ("Bắc Ninh", 2025, "Tỉnh Bắc Ninh"),
        ("Quảng Ninh", None, "Tỉnh Quảng Ninh"),
    ],
)
def test_province_official_names(short, year, official):
    assert province_official_name(short, year) == official


def test_official_name_of_an_unknown_province():
    with pytest.raises(KeyError, match="'Atlantis' is not a province of the 63- or 34-province map"):
        province_official_name("Atlantis")


def test_label_vintages_keeps_series_apart(cw):
    frame = pd.DataFrame({
        "province": ["Việt Nam"] * 5 + ["Quảng Trị", "Quảng Trị", "Sơn La", "Sơn La"],
        "unit": ["Quảng Trị", "Quảng Trị", "Thừa Thiên Huế", "Huế", "Quảng Bình", "Sở Tài chính", "Sở Tài chính",
                 "Sở Y tế", "Sở Tài chính"],
        "year": [2024, 2025, 2024, 2025, 2024, 2024, 2025, 2025, 2025],
    })
    out = label_vintages(frame, units=load_department_crosswalk())
    assert out["province_vintage"].tolist() == ["Việt Nam"] * 5 + ["Quảng Trị (–2024)", "Quảng Trị", "Sơn La", "Sơn La"]
    assert out["unit_vintage"].tolist() == [
        "Quảng Trị (–2024)", "Quảng Trị", "Huế", "Huế", "Quảng Bình", "Sở Tài chính (–2024)", "Sở Tài chính",
        "Sở Y tế", "Sở Tài chính",
    ]
    assert str(out["unit_vintage"].dtype) == "str" and list(frame.columns) == ["province", "unit", "year"]


def test_label_adds_vintage_columns(cw):
    frame = pd.DataFrame({"unit": ["Quảng Trị", "Quảng Trị", "Sơn La", "Nowhere"], "year": [2023, 2025, 2025, 2025]})
    out = cw.label(frame)
    assert out["unit_vintage"].tolist() == ["Quảng Trị (–2024)", "Quảng Trị", "Sơn La", "Nowhere"]
    assert out["unit_from"].tolist() == [pd.NA, 2025, pd.NA, pd.NA]
    assert out["unit_to"].tolist() == [2024, pd.NA, pd.NA, pd.NA]


# ---------------------------------------------------------------------------- departments (1 March 2025)


def test_department_crosswalk_of_march_2025():
    d = load_department_crosswalk()
    assert d.successor("Sở Kế hoạch và Đầu tư") == "Sở Tài chính"
    assert d.successor("Sở Giao thông vận tải") == "Sở Xây dựng"
    assert d.successor("Sở Lao động - Thương binh và Xã hội") == "Sở Nội vụ"
    assert d.predecessors("Sở Nông nghiệp và Môi trường") == [
        "Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn"]
    assert [n for n in d.new_units() if d.is_unchanged(n)] == [
        "Sở Tư pháp", "Sở Công Thương", "Sở Giáo dục và Đào tạo", "Sở Y tế", "Thanh tra tỉnh"]
    assert d.key_of("Sở Tài chính", 2024) == "Sở Tài chính (–2024)" and d.key_of("Sở Y tế", 2019) == "Sở Y tế"
    assert d.validity("Sở Tài chính") == (dt.date(2025, 3, 1), None)


# ---------------------------------------------------------------------------- users' crosswalks


def _entry(old, new, effective="2025-07-01", kind="district", **kw):
    return {"old": old, "new": new, "effective": effective, "kind": kind, **kw}


def test_users_many_to_many_crosswalk():
    raw = [
        # a district split into two communes, one of which also takes part of another district
        _entry("Huyện Lệ Thủy", "Xã Lệ Thủy", new_kind="commune", province="Quảng Bình", new_province="Quảng Trị"),
        _entry("Huyện Lệ Thủy", "Xã Tân Mỹ", new_kind="commune", province="Quảng Bình", new_province="Quảng Trị"),
        _entry("Huyện Quảng Ninh", "Xã Tân Mỹ", new_kind="commune", province="Quảng Bình", new_province="Quảng Trị"),
        # departments merged, with the weights of an explicitly asked-for synthetic history
        _entry("Sở Kế hoạch và Đầu tư", "Sở Tài chính", effective=dt.date(2025, 3, 1), kind="department", weight=0.4),
        _entry("Sở Tài chính", "Sở Tài chính", effective="2025-03-01", kind="department", weight=0.6),
    ]
    cw = parse_crosswalks(raw, "params/2025.yaml",
                          known_units=[("Quảng Bình", "Huyện Lệ Thủy"), ("Quảng Bình", "Huyện Quảng Ninh"),
                                       "Sở Kế hoạch và Đầu tư", "Sở Tài chính"])
    assert cw.successors("Huyện Lệ Thủy", province="Quảng Bình") == ["Xã Lệ Thủy", "Xã Tân Mỹ"]
    with pytest.raises(ValueError, match=r"'Huyện Lệ Thủy' was split into 2 units \(Xã Lệ Thủy, Xã Tân Mỹ\)"):
        cw.successor("Huyện Lệ Thủy")
    assert cw.predecessors("Xã Tân Mỹ", province="Quảng Trị") == ["Huyện Lệ Thủy", "Huyện Quảng Ninh"]
    assert cw.is_merged("Xã Tân Mỹ") and not cw.is_merged("Xã Lệ Thủy") and not cw.is_unchanged("Xã Lệ Thủy")
    assert cw.successor("Huyện Lệ Thủy", on=2024, province="Quảng Bình") == "Huyện Lệ Thủy"
    assert cw.validity("Huyện Lệ Thủy", 2024) == (None, dt.date(2025, 6, 30))
    assert cw.validity("Xã Lệ Thủy") == (JULY_2025, None)
    assert cw.successor("Huyện không có trong bảng") == "Huyện không có trong bảng"  # not listed: unchanged
    f = cw.to_frame()
    assert f.loc[f["kind"] == "department", "weight"].tolist() == [0.4, 0.6]
    assert f["new_kind"].tolist() == ["commune"] * 3 + ["department"] * 2
    both = load_province_crosswalk().combine(cw)
    assert both.successor("Quảng Bình") == "Quảng Trị" and both.successor("Sở Kế hoạch và Đầu tư") == "Sở Tài chính"
    assert not both.complete


def test_chains_are_followed_by_date():
    cw = parse_crosswalks([
        _entry("Huyện Tĩnh Gia", "Thị xã Nghi Sơn", effective="2020-05-01", province="Thanh Hóa"),
        _entry("Thị xã Nghi Sơn", "Phường Nghi Sơn", effective="2025-07-01", new_kind="commune", province="Thanh Hóa"),
    ])
    assert cw.successor("Huyện Tĩnh Gia", on=2019) == "Huyện Tĩnh Gia"
    assert cw.successor("Huyện Tĩnh Gia", on=2022) == "Thị xã Nghi Sơn"
    assert cw.successor("Huyện Tĩnh Gia") == "Phường Nghi Sơn"
    # a 1 : 1 change continues the unit (renamed); the second link is 1 : 1 too
    v = cw.vintage("Huyện Tĩnh Gia", 2018)
    assert (v.name, v.former_names, v.valid_to) == ("Phường Nghi Sơn", ("Huyện Tĩnh Gia", "Thị xã Nghi Sơn"), None)


def test_validation_unknown_old_unit():
    raw = [_entry("Huyện Lệ Thủy", "Xã Lệ Thủy", province="Quảng Bình"),
           _entry("Huyện Atlantis", "Xã Biển", province="Quảng Bình")]
    problems = check_crosswalks(raw, "params/2025.yaml", known_units=[("Quảng Bình", "Huyện Lệ Thủy")])
    assert [(p.file, p.row, p.column, p.kind) for p in problems] == [
        ("params/2025.yaml", None, "crosswalks[1].old", "crosswalk_unknown_unit")]
    p = problems[0]
    assert p.message_en == "unknown unit 'Huyện Atlantis' (province Quảng Bình): it is not in the data"
    assert p.message_vi == "Đơn vị cũ “Huyện Atlantis” (Quảng Bình) không có trong dữ liệu."
    assert p.format("en") == (
        "params/2025.yaml, column 'crosswalks[1].old': unknown unit 'Huyện Atlantis' (province Quảng Bình): it is not "
        "in the data → Check the spelling of the unit (and province) against the data."
    )
    # without known units nothing is checked; with plain names the province is not needed
    assert check_crosswalks(raw) == []
    assert [p.column for p in check_crosswalks(raw, known_units=["Huyện Lệ Thủy"])] == ["crosswalks[1].old"]


def test_validation_unit_mapped_twice_with_conflicting_dates():
    raw = [_entry("Huyện Lệ Thủy", "Xã Lệ Thủy"), _entry("Huyện Lệ Thủy", "Xã Tân Mỹ", effective="2025-06-01")]
    [p] = check_crosswalks(raw, "p.yaml")
    assert (p.column, p.kind) == ("crosswalks[1]", "crosswalk_conflicting_dates")
    assert p.message_en == (
        "'Huyện Lệ Thủy' is mapped twice with different dates: 2025-07-01 (crosswalks[0]) and 2025-06-01 (crosswalks[1])")
    assert p.message_vi == ("Đơn vị “Huyện Lệ Thủy” được chuyển đổi hai lần với ngày hiệu lực khác nhau: "
                            "2025-07-01 (crosswalks[0]) và 2025-06-01 (crosswalks[1]).")


def test_every_problem_is_reported_at_once():
    raw = [
        _entry("Huyện Lệ Thủy", "Xã Lệ Thủy"),
        _entry("Huyện Lệ Thủy", "Xã Tân Mỹ", effective="2025-06-01"),
        _entry("Huyện Ma", "Xã Ma", effective="01/07/2025"),
        _entry("Sở A", "Sở A", effective=dt.date(2025, 3, 1), kind="department"),
        _entry("Sở B", "Sở C", effective="2025-03-01", kind="sở"),
        _entry("Phòng X", "Phòng Y", effective="2020-01-01", kind="department"),
        _entry("Phòng Y", "Phòng X", effective="2022-01-01", kind="department"),
        _entry("Xã P", "Xã R", kind="commune", weight=0.6),
        _entry("Xã Q", "Xã R", kind="commune"),
        _entry("Xã P", "Xã S", kind="commune", weight=-1),
        _entry("Xã T", "Xã U", kind="commune"),
        _entry("Xã T", "Xã U", kind="commune"),
        {"old": "", "new": "Xã V", "effective": "2025-02-30", "kind": "commune"},
        "not a mapping",
    ]
    with pytest.raises(ParamsError) as exc:
        parse_crosswalks(raw, "params/2025.yaml")
    assert str(exc.value) == "\n  - ".join([
        "params/2025.yaml: invalid crosswalks (11 problems):",
        "crosswalks[1]: 'Huyện Lệ Thủy' is mapped twice with different dates: 2025-07-01 (crosswalks[0]) and "
        "2025-06-01 (crosswalks[1])",
        "crosswalks[2].effective: '01/07/2025' is not a date in ISO form YYYY-MM-DD",
        "crosswalks[3]: 'Sở A' is mapped to itself and no other unit merges into it",
        "crosswalks[4].kind: 'sở' is not one of province, district, commune, department",
        "crosswalks[5]: the mappings form a cycle: Phòng X → Phòng Y → Phòng X; a unit cannot be its own predecessor",
        "crosswalks[7]: weights are given for some but not all predecessors of 'Xã R' (missing in crosswalks[8])",
        "crosswalks[9].weight: must be a number greater than 0, got -1",
        "crosswalks[11]: the mapping 'Xã T' → 'Xã U' is listed twice (crosswalks[10])",
        "crosswalks[12].effective: '2025-02-30' is not a date in ISO form YYYY-MM-DD",
        "crosswalks[12].old: required text is missing",
        "crosswalks[13]: expected a mapping with old, new, effective and kind",
    ])
    kinds = [p.kind for p in check_crosswalks(raw)]
    assert kinds.count("crosswalk_date") == 2 and "crosswalk_missing" in kinds
    vi = {p.kind: p.message_vi for p in check_crosswalks(raw)}
    assert vi["crosswalk_kind"] == "Loại đơn vị “sở” không hợp lệ (phải là một trong: province, district, commune, department)."
    assert vi["crosswalk_self"] == ("“Sở A” được chuyển thành chính nó và không có đơn vị nào khác được gộp vào: "
                                    "dòng này không thay đổi gì.")
    assert vi["crosswalk_cycle"] == ("Các dòng chuyển đổi tạo thành vòng lặp: Phòng X → Phòng Y → Phòng X; một đơn vị "
                                     "không thể là tiền thân của chính nó.")


def test_a_self_link_is_fine_inside_a_merger():
    raw = [_entry("Sở Tài chính", "Sở Tài chính", kind="department"),
           _entry("Sở Kế hoạch và Đầu tư", "Sở Tài chính", kind="department")]
    assert check_crosswalks(raw) == []
    assert check_crosswalks([raw[0]], allow_identity=True) == []
    assert [p.kind for p in check_crosswalks("not a list")] == ["crosswalk_not_list"]


def test_load_crosswalks_from_params(tmp_path):
    p = tmp_path / "2025.yaml"
    p.write_text(
        "year: 2025\n"
        "crosswalks:\n"
        "  - {old: Huyện Lệ Thủy, new: Xã Lệ Thủy, effective: 2025-07-01, kind: district, new_kind: commune}\n",
        encoding="utf-8",
    )
    cw = load_crosswalks(p)
    assert cw.successor("Huyện Lệ Thủy") == "Xã Lệ Thủy" and cw.source == str(p)
    assert cw.links[0].effective == JULY_2025  # an unquoted YAML date
    empty = tmp_path / "none.yaml"
    empty.write_text("year: 2025\n", encoding="utf-8")
    assert load_crosswalks(empty).links == ()
    bad = tmp_path / "bad.yaml"
    bad.write_text("crosswalks:\n  - {old: A, new: B, effective: 1/7/2025, kind: commune}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"crosswalks\[0\]\.effective: '1/7/2025' is not a date in ISO form"):
        load_crosswalks(bad)
    with pytest.raises(ParamsError, match="params file not found"):
        load_crosswalks(tmp_path / "missing.yaml")


@settings(max_examples=80, deadline=None)
@given(text=st.text(min_size=1, max_size=12).filter(lambda s: not __import__("re").fullmatch(r"\d{4}-\d{2}-\d{2}", s)))
def test_any_non_iso_date_is_refused(text):
    [p] = check_crosswalks([_entry("Huyện A", "Xã B", effective=text)])
    assert (p.column, p.kind) == ("crosswalks[0].effective", "crosswalk_date")


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(st.text(alphabet="abcđêơưáàảãạ ", min_size=1, max_size=8).map(str.strip).filter(bool),
                   min_size=2, max_size=8, unique_by=lambda s: " ".join(s.split()).casefold()),
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_a_merger_of_distinct_units_is_valid(names, day):
    """Any set of distinct old units merged into one new unit on one ISO date validates cleanly."""
    raw = [_entry(f"Xã {n}", "Xã Mới", effective=day.isoformat(), kind="commune") for n in names]
    assert check_crosswalks(raw, known_units=[f"Xã {n}" for n in names]) == []
    cw = parse_crosswalks(raw)
    assert cw.is_merged("Xã Mới") and len(cw.predecessors("Xã Mới")) == len(names)
    assert cw.validity("Xã Mới") == (day, None)
