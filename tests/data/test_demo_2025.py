"""The demo extended to 2025 (issue 7): the map of 1 July 2025, predecessors up to 2024, departments
and communes in 2025, and the method changes of the spec inside the series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from parbrief.data.crosswalk import label_vintages, load_department_crosswalk, load_province_crosswalk
from parbrief.data.demo import COMMUNES_PER_PROVINCE, DEMO_YEARS_2025, NATIONAL_PROVINCE, make_demo
from parbrief.data.names import normalize_name
from parbrief.spec import load_spec

MERGED = ["Tuyên Quang", "Quảng Trị", "Vĩnh Long", "Cần Thơ"]
UNCHANGED = ["Sơn La", "Lạng Sơn", "Thanh Hóa", "Hà Tĩnh"]
ENDED = ["Hà Giang", "Quảng Bình", "Bến Tre", "Trà Vinh", "Sóc Trăng"]  # predecessors whose name is gone


@pytest.fixture(scope="module")
def spec():
    return load_spec()


@pytest.fixture(scope="module")
def demo(spec):
    return make_demo(spec=spec, years=DEMO_YEARS_2025)


@pytest.fixture(scope="module")
def scores(demo):
    s = demo.scores
    return s.assign(province=s["province"].map(normalize_name), unit=s["unit"].map(normalize_name))


def test_national_table_has_63_provinces_to_2024_and_34_in_2025(demo):
    nat = demo.national
    assert nat.groupby("year")["unit"].nunique().to_dict() == {**{y: 63 for y in range(2018, 2025)}, 2025: 34}
    assert len(nat) == 63 * 7 + 34
    assert set(nat.loc[nat["year"] == 2025, "unit"]) == set(load_province_crosswalk().new_units())
    assert {"Huế", "TP. Hồ Chí Minh", "Quảng Trị", "Cần Thơ"} <= set(nat.loc[nat["year"] == 2025, "unit"])
    assert nat.loc[nat["unit"] == "Quảng Bình", "year"].max() == 2024
    assert nat.loc[nat["unit"] == "Thừa Thiên Huế", "year"].max() == 2024  # renamed Huế from 2025
    assert set(nat["province"]) == {NATIONAL_PROVINCE}


def test_2025_scores_are_departments_and_communes_of_the_new_provinces(scores):
    y25 = scores[scores["year"] == 2025]
    assert sorted(y25["province"].unique()) == sorted(MERGED + UNCHANGED)
    assert set(y25["unit_type"]) == {"department", "commune"}  # no districts after 1 July 2025
    per = y25.groupby(["province", "unit_type"]).size().unstack()
    # as many communes and wards as a province of the new map scores (about 100; 60–170 here)
    assert per["commune"].between(*COMMUNES_PER_PROVINCE).all() and per["department"].between(4, 8).all()
    assert per["commune"].max() >= 150 and per["commune"].min() <= 80
    communes = y25.loc[y25["unit_type"] == "commune", "unit"]
    assert communes.str.endswith(" – giả lập").all()
    assert communes.str.match(r"^(Phường|Xã) \d{2,3} – giả lập$").all()  # "Xã 01 – giả lập (4,55/5 điểm)"
    for _, names in y25[y25["unit_type"] == "commune"].groupby(["province"])["unit"]:
        for kind in ("Phường", "Xã"):  # one width per kind and province: the names sort in their order
            numbers = names[names.str.startswith(kind + " ")].str.split(" ").str[1]
            assert numbers.str.len().nunique() == 1 and numbers.astype(int).tolist() == list(range(1, len(numbers) + 1))
    # every 2025 department is a department of the March 2025 map
    # (a centrally-run city's inspectorate is "Thanh tra thành phố", the crosswalk's "Thanh tra tỉnh")
    depts = set(y25.loc[y25["unit_type"] == "department", "unit"].replace("Thanh tra thành phố", "Thanh tra tỉnh"))
    assert depts <= set(load_department_crosswalk().new_units())
    assert not scores.duplicated(["province", "unit", "year"]).any()


def test_merged_provinces_have_no_districts_in_2025_and_predecessors_stop_in_2024(scores):
    for p in MERGED + UNCHANGED:
        assert not ((scores["province"] == p) & (scores["year"] == 2025) & (scores["unit_type"] == "district")).any()
        assert scores.loc[(scores["province"] == p) & (scores["unit_type"] == "district"), "year"].max() == 2024
    for p in ENDED:
        assert scores.loc[scores["province"] == p, "year"].max() == 2024


def test_reorganization_log(demo):
    assert demo.reorg.merged() == MERGED
    assert demo.reorg.unchanged() == UNCHANGED
    assert demo.reorg.missing_predecessors == (("Cần Thơ", "Hậu Giang"),)  # Hậu Giang is not bundled
    assert [c[:2] for c in demo.reorg.method_changes] == [(2020, "qd1149"), (2022, "qd876")]
    assert make_demo(provinces=["Sơn La"]).reorg.new_provinces == ()  # no 2025: nothing on the new map


def test_adding_2025_changes_no_existing_number(spec, demo):
    old = make_demo(spec=spec)
    for name in ("scores", "national", "survey"):
        part = getattr(demo, name)
        part = part[part["year"] <= 2024].reset_index(drop=True)
        pdt.assert_frame_equal(part, getattr(old, name), check_exact=True)
    assert demo.mess_log == old.mess_log


def test_truth_tells_the_vintages_apart(demo, scores):
    t = demo.truth
    nat = t[t["province"] == NATIONAL_PROVINCE].set_index("unit")
    qt = nat.loc["Quảng Trị"]
    assert list(zip(qt["valid_from"], qt["valid_to"])) == [(pd.NA, 2024), (2025, pd.NA)]
    assert nat.loc["Sơn La", ["valid_from", "valid_to"]].isna().all()  # unchanged: one unit throughout
    assert len(nat) == 63 + 23 + 1  # the 23 merged provinces and the renamed Huế
    # units of the scores and of the truth agree, vintage by vintage
    units = t[t["province"] != NATIONAL_PROVINCE]
    lo = units["valid_from"].fillna(0).astype(int)
    hi = units["valid_to"].fillna(9999).astype(int)
    for (prov, unit), g in scores.groupby(["province", "unit"]):
        rows = units[(units["province"] == prov) & (units["unit"] == unit)]
        assert len(rows), (prov, unit)
        for y in g["year"]:
            assert ((lo[rows.index] <= y) & (y <= hi[rows.index])).sum() == 1, (prov, unit, y)


def test_departments_continue_only_when_the_reorganization_left_them_alone(demo, scores):
    t = demo.truth.set_index(["province", "unit"]).sort_index()
    son_la = scores[(scores["province"] == "Sơn La") & (scores["unit_type"] == "department")]
    span = son_la.groupby("unit")["year"].agg(["min", "max"])
    assert span.loc["Thanh tra tỉnh"].tolist() == [2018, 2025]  # unchanged: one series
    assert span.loc["Sở Kế hoạch và Đầu tư"].tolist() == [2018, 2024]  # merged into Sở Tài chính
    assert span.loc["Sở Tài chính"].tolist() == [2025, 2025]  # a new unit
    assert pd.isna(t.loc[("Sơn La", "Thanh tra tỉnh"), "valid_to"])
    # in a merged province every 2025 department is new, even one with an old department's name
    qt = t.loc["Quảng Trị"].loc["Sở Tài chính"]
    assert list(zip(qt["valid_from"], qt["valid_to"])) == [(pd.NA, 2024), (2025, pd.NA)]
    assert qt["unit_effect"].iloc[0] != qt["unit_effect"].iloc[1]


def test_label_vintages_never_joins_a_merged_province_with_its_predecessor(scores):
    lab = label_vintages(scores, units=load_department_crosswalk())
    spans = lab.groupby(["province_vintage", "unit_vintage"])["year"].agg(["min", "max"])
    crossing = spans[(spans["min"] <= 2024) & (spans["max"] >= 2025)]
    # only units that truly continue: unchanged provinces' untouched departments
    assert set(crossing.index.get_level_values(0)) <= set(UNCHANGED)
    assert set(crossing.index.get_level_values(1)) <= {"Sở Tư pháp", "Sở Công Thương", "Sở Giáo dục và Đào tạo",
                                                       "Sở Y tế", "Thanh tra tỉnh"}
    assert len(crossing) >= 4
    assert "Quảng Trị (–2024)" in set(lab["province_vintage"]) and "Quảng Trị" in set(lab["province_vintage"])


def test_each_year_follows_its_method_version(spec, demo):
    s = demo.scores
    share = {}
    for year, g in s.groupby("year"):
        version = spec.for_year(year)
        for comp in version.components:
            assert g[comp.code].between(0, comp.max_points).all(), (year, comp.code)
        share[year] = (g["chi_dao"] / version.max_points("chi_dao")).mean()
    raw = s.groupby("year")["chi_dao"].mean()
    # the maxima change (12 → 10 → 9), so the raw points jump at each change while the share of the maximum does not
    assert raw[2019] - raw[2020] > 1.2 and raw[2021] - raw[2022] > 0.8
    assert max(share.values()) - min(share.values()) < 0.03
    assert np.abs(s["total"] - s[spec.codes].sum(axis=1)).max() < 1e-9


def test_survey_2025_is_communes(demo):
    sv = demo.survey
    y25 = sv[sv["year"] == 2025]
    assert y25["unit"].str.endswith("– giả lập").all() and y25["province"].nunique() == 8
    assert y25.groupby(["province", "unit"]).size().between(30, 120).all()


def test_mess_off_and_63_provinces_with_2025(spec, demo):
    clean = make_demo(spec=spec, years=DEMO_YEARS_2025, mess=False)
    pdt.assert_frame_equal(clean.scores[clean.scores["year"] == 2025].reset_index(drop=True),
                           demo.scores[demo.scores["year"] == 2025].reset_index(drop=True))
    assert "Huyện Tĩnh Gia" not in set(clean.scores["unit"])  # the 2024 map for the pre-2025 years
    big = make_demo(spec=spec, provinces=63, years=[2024, 2025])
    y25 = big.scores[big.scores["year"] == 2025]
    assert y25["province"].nunique() == 34 and set(y25["unit_type"]) == {"department", "commune"}
    assert big.reorg.missing_predecessors == ()
    # about as many communes as the 3,321 of the real map
    assert 3000 <= int((y25["unit_type"] == "commune").sum()) <= 3700


def test_communes_per_province_sets_the_range_and_leaves_the_other_years_alone(spec, demo):
    small = make_demo(spec=spec, years=DEMO_YEARS_2025, communes_per_province=(8, 14))
    y25 = small.scores[small.scores["year"] == 2025]
    assert y25[y25["unit_type"] == "commune"].groupby("province").size().between(8, 14).all()
    assert y25[y25["unit_type"] == "department"].groupby("province").size().between(4, 8).all()
    pdt.assert_frame_equal(small.scores[small.scores["year"] < 2025].reset_index(drop=True),
                           demo.scores[demo.scores["year"] < 2025].reset_index(drop=True))
    exact = make_demo(spec=spec, provinces=["Thanh Hóa"], years=[2024, 2025], communes_per_province=(170, 170))
    e25 = exact.scores[exact.scores["year"] == 2025]
    assert (e25["unit_type"] == "commune").sum() == 170
    assert {"Phường 56 – giả lập", "Xã 001 – giả lập", "Xã 114 – giả lập"} <= set(e25["unit"])
    for bad in ((0, 10), (20, 10), (1.5, 10)):
        with pytest.raises(ValueError, match="communes_per_province"):
            make_demo(spec=spec, years=DEMO_YEARS_2025, communes_per_province=bad)
