"""Tests for parbrief.data.demo: determinism, shape, the model's invariants, the mess, the files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parbrief.data.demo import (
    DEMO_SEED,
    NATIONAL_PROVINCE,
    SURVEY_ITEMS,
    bundled_departments,
    bundled_units,
    make_demo,
    pre2025_provinces,
)
from parbrief.data.names import normalize_name
from parbrief.spec import load_spec, parse_spec

YEARS = list(range(2018, 2025))


@pytest.fixture(scope="module")
def spec():
    return load_spec()


@pytest.fixture(scope="module")
def demo(spec):
    return make_demo(spec=spec)


@pytest.fixture(scope="module")
def demo63(spec):
    return make_demo(spec=spec, provinces=63, units_per_province=(15, 35))


def _normalized(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in ("province", "unit"):
        canon = {v: normalize_name(v) for v in out[col].unique()}
        out[col] = out[col].map(canon).astype("str")
    return out


def _digest(data) -> str:
    h = hashlib.sha256()
    for frame in (data.scores, data.national, data.survey, data.truth):
        h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        h.update(",".join(f"{c}:{t}" for c, t in frame.dtypes.items()).encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------- bundled data


def test_bundled_units_are_real_and_canonical():
    units = bundled_units()
    assert units["province"].nunique() == 13
    counts = units.groupby("province")["unit"].size().to_dict()
    # district-level units of 2018–2024 (Thanh Hóa: 27 at any time, Tĩnh Gia → Nghi Sơn in 2020)
    assert counts == {
        "Hà Giang": 11, "Tuyên Quang": 7, "Sơn La": 12, "Lạng Sơn": 11, "Thanh Hóa": 28, "Hà Tĩnh": 13,
        "Quảng Bình": 8, "Quảng Trị": 10, "Bến Tre": 9, "Trà Vinh": 9, "Vĩnh Long": 8, "Cần Thơ": 9,
        "Sóc Trăng": 11,
    }  # fmt: skip
    assert set(units.loc[units["province"] == "Quảng Bình", "unit"]) == {
        "Thành phố Đồng Hới", "Thị xã Ba Đồn", "Huyện Bố Trạch", "Huyện Lệ Thủy",
        "Huyện Minh Hóa", "Huyện Quảng Ninh", "Huyện Quảng Trạch", "Huyện Tuyên Hóa",
    }  # fmt: skip
    assert set(units["region"]) == {"north", "centre", "south"}
    assert set(units["unit_kind"]) == {"huyện", "thị xã", "thành phố", "quận"}
    for unit, kind in zip(units["unit"], units["unit_kind"]):
        assert unit.lower().startswith(kind + " ")
        assert normalize_name(unit) == unit  # canonical: NFC, traditional tone placement
    assert not units.duplicated(["province", "unit"]).any()
    # codes and names agree with the 2025 crosswalk's old side
    provs = pre2025_provinces()
    name_of = dict(zip(provs["province_code"], provs["province"]))
    assert all(name_of[c] == p for c, p in zip(units["province_code"], units["province"]))
    nghi_son = units[units["unit"] == "Thị xã Nghi Sơn"].iloc[0]
    tinh_gia = units[units["unit"] == "Huyện Tĩnh Gia"].iloc[0]
    assert (nghi_son["valid_from"], tinh_gia["valid_to"]) == (2020, 2019)


def test_pre2025_provinces_are_the_63_with_short_canonical_names():
    provs = pre2025_provinces()
    assert len(provs) == 63 and provs["province"].is_unique
    names = set(provs["province"])
    assert {"Hòa Bình", "Thừa Thiên Huế", "TP. Hồ Chí Minh", "Bà Rịa - Vũng Tàu", "Hà Nội"} <= names
    assert all(normalize_name(n) == n for n in names)
    assert not any(n.startswith(("Tỉnh ", "Thành phố ")) for n in names)


def test_departments_list():
    depts = bundled_departments()
    assert {"Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo"} <= set(depts)
    assert len(depts) == len(set(depts)) == 15


# ---------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_frames(spec, demo):
    again = make_demo(spec=spec)
    for name in ("scores", "national", "survey", "truth"):
        pdt.assert_frame_equal(getattr(demo, name), getattr(again, name), check_exact=True)
    assert demo.mess_log == again.mess_log
    assert _digest(demo) == _digest(again)


def test_same_seed_identical_in_another_process(demo):
    """No dependence on Python's per-process hash seed (set ordering) or on state."""
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from test_demo import _digest\n"
        "from parbrief.data.demo import make_demo\n"
        "print(_digest(make_demo()))\n"
    ) % str(Path(__file__).parent)
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == _digest(demo)


def test_other_seed_differs(spec, demo):
    other = make_demo(seed=DEMO_SEED + 1, spec=spec)
    assert other.seed == DEMO_SEED + 1
    assert _digest(other) != _digest(demo)
    # same district rows (same map and mess; the departments drawn differ), other numbers
    a = other.scores[other.scores["unit_type"] == "district"].reset_index(drop=True)
    b = demo.scores[demo.scores["unit_type"] == "district"].reset_index(drop=True)
    pdt.assert_frame_equal(a[["province", "unit", "year"]], b[["province", "unit", "year"]])
    assert (a["total"] != b["total"]).mean() > 0.95


def test_adding_provinces_changes_no_existing_number(demo, demo63):
    bundled = set(demo.scores["province"])
    part = demo63.scores[demo63.scores["province"].isin(bundled)].reset_index(drop=True)
    pdt.assert_frame_equal(part, demo.scores, check_exact=True)
    pdt.assert_frame_equal(demo63.national, demo.national, check_exact=True)
    spart = demo63.survey[demo63.survey["province"].isin(bundled)].reset_index(drop=True)
    pdt.assert_frame_equal(spart, demo.survey, check_exact=True)


def test_fewer_years_keep_the_same_numbers(spec, demo):
    short = make_demo(spec=spec, years=[2022, 2023, 2024])
    full = demo.scores[demo.scores["year"] >= 2022].reset_index(drop=True)
    pdt.assert_frame_equal(short.scores, full, check_exact=True)


# ---------------------------------------------------------------------------- shape


def test_scores_shape_and_dtypes(spec, demo):
    s = demo.scores
    assert list(s.columns) == ["province", "unit", "unit_type", "year", "total", *spec.codes]
    assert {c: str(t) for c, t in s.dtypes.items()} == {
        "province": "str", "unit": "str", "unit_type": "str", "year": "int64",
        **{c: "float64" for c in ["total", *spec.codes]},
    }  # fmt: skip
    n = _normalized(s)
    assert n["province"].nunique() == 13
    assert sorted(s["year"].unique()) == YEARS
    assert set(s["unit_type"]) == {"district", "department"}
    depts = n[n["unit_type"] == "department"].groupby("province")["unit"].nunique()
    assert len(depts) == 13 and depts.between(4, 6).all()
    # a centrally-run city's inspectorate is "Thanh tra thành phố" (the bundled list says "Thanh tra tỉnh")
    assert set(n.loc[n["unit_type"] == "department", "unit"]) <= set(bundled_departments()) | {"Thanh tra thành phố"}
    assert "Thanh tra tỉnh" not in set(n.loc[n["province"] == "Cần Thơ", "unit"])
    assert not n.duplicated(["province", "unit", "year"]).any()
    assert demo.years == tuple(YEARS)
    assert demo.spec_id == "par_index"


def test_national_table_has_all_63_provinces_every_year(spec, demo):
    nat = demo.national
    assert list(nat.columns) == ["province", "unit", "unit_type", "year", "total", *spec.codes]
    assert set(nat["province"]) == {NATIONAL_PROVINCE} and set(nat["unit_type"]) == {"province"}
    assert nat.groupby("year")["unit"].nunique().to_dict() == {y: 63 for y in YEARS}
    assert len(nat) == 63 * 7
    assert set(nat["unit"]) == set(pre2025_provinces()["province"])
    assert set(_normalized(demo.scores)["province"]) <= set(nat["unit"])
    # realistic provincial totals: mostly 75–92
    q = nat["total"].quantile([0.05, 0.5, 0.95])
    assert 75 <= q[0.05] and 80 <= q[0.5] <= 88 and q[0.95] <= 92.5


@pytest.mark.parametrize("frame", ["scores", "national"])
def test_total_is_exact_sum_of_components_within_maxima(spec, demo, frame):
    df = getattr(demo, frame)
    cents = np.rint(df[spec.codes].to_numpy() * 100).astype(np.int64)
    assert np.array_equal(np.rint(df["total"].to_numpy() * 100).astype(np.int64), cents.sum(axis=1))
    assert np.abs(df["total"] - df[spec.codes].sum(axis=1)).max() < 1e-9
    assert np.array_equal(df[spec.codes].round(2).to_numpy(), df[spec.codes].to_numpy())
    # each year within the maxima of its own method version (issue 7: the maxima changed in 2020 and 2022)
    for year, g in df.groupby("year"):
        for comp in spec.for_year(year).components:
            assert g[comp.code].between(0, comp.max_points).all(), (year, comp.code)
    assert df["total"].between(50, spec.total_max).all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_for_any_seed(spec, seed):
    d = make_demo(seed=seed, spec=spec, provinces=["Quảng Bình", "Trà Vinh"], years=[2018, 2019, 2020])
    cents = np.rint(d.scores[spec.codes].to_numpy() * 100).astype(np.int64)
    assert np.array_equal(np.rint(d.scores["total"].to_numpy() * 100).astype(np.int64), cents.sum(axis=1))
    maxima = np.array([[spec.max_points(c, y) for c in spec.codes] for y in d.scores["year"]])
    assert ((d.scores[spec.codes].to_numpy() >= 0) & (d.scores[spec.codes].to_numpy() <= maxima)).all()
    assert d.survey["satisfaction"].between(1, 5).all()


def test_other_spec_scales_to_its_maxima():
    raw = {
        "id": "sipas",
        "total_max": 50,
        "components": [
            {"code": "tiep_can", "name_vi": "Tiếp cận dịch vụ", "name_en": "Access", "max_points": 20},
            {"code": "ket_qua", "name_vi": "Kết quả", "name_en": "Results", "max_points": 30},
        ],
        "band_schemes": {"s": {"bands": [{"code": "a", "label_vi": "A", "label_en": "A"}]}},
    }
    sp = parse_spec(raw)
    d = make_demo(spec=sp, provinces=["Lạng Sơn"], years=[2023, 2024])
    assert list(d.scores.columns[-2:]) == ["tiep_can", "ket_qua"]
    assert d.scores["tiep_can"].between(0, 20).all() and d.scores["ket_qua"].between(0, 30).all()
    assert d.scores["total"].between(30, 50).all()
    cents = np.rint(d.scores[["tiep_can", "ket_qua"]].to_numpy() * 100).astype(np.int64).sum(axis=1)
    assert np.array_equal(np.rint(d.scores["total"].to_numpy() * 100).astype(np.int64), cents)


# ---------------------------------------------------------------------------- the mess


def _years_of(demo, province, unit):
    n = _normalized(demo.scores)
    return sorted(n.loc[(n["province"] == province) & (n["unit"] == unit), "year"])


def test_unit_appearing_mid_series(demo):
    assert _years_of(demo, "Thanh Hóa", "Thị xã Nghi Sơn") == [2020, 2021, 2022, 2023, 2024]
    assert _years_of(demo, "Thanh Hóa", "Huyện Tĩnh Gia") == [2018, 2019]
    assert demo.mess_log.mid_series == (("Thanh Hóa", "Thị xã Nghi Sơn", 2020),)
    assert demo.mess_log.ended == (("Thanh Hóa", "Huyện Tĩnh Gia", 2019),)


def test_province_with_a_missing_year(demo):
    n = _normalized(demo.scores)
    assert sorted(n.loc[n["province"] == "Trà Vinh", "year"].unique()) == [2018, 2020, 2021, 2022, 2023, 2024]
    assert demo.mess_log.missing_province_years == (("Trà Vinh", 2019),)
    sv = _normalized(demo.survey)
    assert 2019 not in set(sv.loc[sv["province"] == "Trà Vinh", "year"])
    # the national table is a separate evaluation and is complete
    assert ((demo.national["unit"] == "Trà Vinh") & (demo.national["year"] == 2019)).sum() == 1


def test_unit_missing_a_single_year(demo):
    assert _years_of(demo, "Quảng Trị", "Huyện Cồn Cỏ") == [2018, 2019, 2020, 2022, 2023, 2024]
    assert demo.mess_log.missing_unit_years == (("Quảng Trị", "Huyện Cồn Cỏ", 2021),)


def test_names_in_mixed_unicode_forms_normalize_to_one(demo):
    s = demo.scores
    written = set(s.loc[s["unit"].map(normalize_name) == "Huyện Lệ Thủy", "unit"])
    assert written == {
        "Huyện Lệ Thủy",
        "Huyện Lệ Thuỷ",  # "new" tone placement
        unicodedata.normalize("NFD", "Huyện Lệ Thủy"),
    }
    assert set(s.loc[s["unit"].map(normalize_name) == "Huyện Bắc Quang", "unit"]) == {
        "Huyện Bắc Quang",
        " Huyện Bắc  Quang ",
    }
    assert "Thanh Hoá" in set(s["province"]) and "Thanh Hóa" in set(s["province"])
    lt = s[s["unit"].map(normalize_name) == "Huyện Lệ Thủy"].set_index("year")["unit"]
    assert lt[2020] == "Huyện Lệ Thuỷ" and lt[2019] == unicodedata.normalize("NFD", "Huyện Lệ Thủy")
    assert lt[2018] == "Huyện Lệ Thủy"
    # every variant is logged and normalizes back to the canonical name
    for prov, unit, year, wprov, wunit, kind in demo.mess_log.name_variants:
        assert (normalize_name(wprov), normalize_name(wunit)) == (prov, unit)
        assert (wprov, wunit) != (prov, unit) and kind in {"Hoà/Thuỷ", "NFD", "spaces"}
    assert len(demo.mess_log.name_variants) == 170
    # the survey is written the same way as the scores of that year
    sv_lt = demo.survey[_normalized(demo.survey)["unit"] == "Huyện Lệ Thủy"]
    assert set(sv_lt.loc[sv_lt["year"] == 2021, "unit"]) == {"Huyện Lệ Thuỷ"}


def test_mess_off_gives_a_balanced_clean_panel_with_the_same_numbers(spec, demo):
    clean = make_demo(spec=spec, mess=False)
    c = clean.scores
    assert clean.mess_log.lines() == []
    assert all(normalize_name(v) == v for v in set(c["province"]) | set(c["unit"]))
    per_unit = c.groupby(["province", "unit"])["year"].nunique()
    assert (per_unit == 7).all()
    assert "Huyện Tĩnh Gia" not in set(c["unit"]) and "Thị xã Nghi Sơn" in set(c["unit"])
    keys = ["province", "unit", "year"]
    merged = _normalized(demo.scores).merge(c, on=keys, how="left", suffixes=("", "_clean"), validate="1:1")
    kept = merged.dropna(subset=["total_clean"])
    assert len(kept) == len(demo.scores) - 2  # Tĩnh Gia 2018–2019 is not on the 2024 map
    assert (kept["total"] == kept["total_clean"]).all()


# ---------------------------------------------------------------------------- truth and survey


def test_truth_has_improving_and_declining_units_matching_the_data(demo):
    t = demo.truth
    assert list(t.columns) == [
        "province", "unit", "unit_type", "province_effect", "unit_effect", "slope_per_year", "trend", "survey_effect",
        "valid_from", "valid_to",
    ]  # fmt: skip
    units = t[t["province"] != NATIONAL_PROVINCE]
    counts = units["trend"].value_counts().to_dict()
    assert counts == {"flat": 147, "declining": 36, "improving": 29}
    assert units.loc[units["trend"] == "improving", "slope_per_year"].between(1.2, 1.8).all()
    assert units.loc[units["trend"] == "declining", "slope_per_year"].between(-1.8, -1.2).all()
    assert units.loc[units["trend"] == "flat", "slope_per_year"].abs().max() < 0.5
    assert all(normalize_name(u) == u for u in units["unit"])
    n = _normalized(demo.scores)
    assert set(zip(units["province"], units["unit"])) == set(zip(n["province"], n["unit"]))
    # a strongly improving unit's fitted slope is near its true slope
    row = units.loc[units["slope_per_year"].idxmax()]
    g = n[(n["province"] == row["province"]) & (n["unit"] == row["unit"])]
    fitted = np.polyfit(g["year"], g["total"], 1)[0]
    assert abs(fitted - row["slope_per_year"]) < 0.8
    nat = t[t["province"] == NATIONAL_PROVINCE]
    assert len(nat) == 63 and set(nat["unit_type"]) == {"province"} and nat["survey_effect"].isna().all()


def test_survey_counts_scale_and_unit_differences(demo):
    sv = demo.survey
    assert list(sv.columns) == ["province", "unit", "year", "respondent", "satisfaction", *SURVEY_ITEMS]
    assert all(str(sv[c].dtype) == "int64" for c in ["year", "respondent", "satisfaction", *SURVEY_ITEMS])
    n = _normalized(sv)
    sizes = n.groupby(["province", "unit", "year"]).size()
    assert sizes.min() >= 30 and sizes.max() <= 120
    last = n.groupby(["province", "unit", "year"])["respondent"].agg(["min", "max", "size"])
    assert (last["min"] == 1).all() and (last["max"] == last["size"]).all()
    for col in ["satisfaction", *SURVEY_ITEMS]:
        assert set(sv[col].unique()) == {1, 2, 3, 4, 5}
    assert 3.4 < sv["satisfaction"].mean() < 4.1
    # districts only
    t = demo.truth.set_index(["province", "unit"])
    assert set(t.loc[list(set(zip(n["province"], n["unit"]))), "unit_type"]) == {"district"}
    # units set clearly above satisfy more than units set clearly below
    means = n.groupby(["province", "unit"])["satisfaction"].mean()
    eff = t.loc[means.index, "survey_effect"]
    assert means[eff > 0.5].mean() - means[eff < -0.5].mean() > 0.8
    assert np.corrcoef(means, eff)[0, 1] > 0.95


# ---------------------------------------------------------------------------- 63 provinces


def test_63_provinces_for_the_benchmark(demo63):
    s = _normalized(demo63.scores)
    assert s["province"].nunique() == 63
    synth = s[s["unit"].str.endswith("– giả lập")]
    assert synth["province"].nunique() == 50
    per_prov = s[~s["province"].isin(set(bundled_units()["province"]))].groupby("province")["unit"].nunique()
    assert per_prov.between(15, 35).all() and per_prov.nunique() > 5
    assert s.groupby("province")["year"].nunique().min() >= 6
    assert _normalized(demo63.survey)["province"].nunique() == 63


def test_bad_arguments_are_refused(spec):
    with pytest.raises(ValueError, match=r"the demo covers 2000–2025 .*; got \[2026\]"):
        make_demo(spec=spec, years=[2025, 2026])
    with pytest.raises(ValueError, match="provinces must be between 1 and 63, got 64"):
        make_demo(spec=spec, provinces=64)
    with pytest.raises(ValueError, match="unknown province"):
        make_demo(spec=spec, provinces=["Atlantis"])
    with pytest.raises(ValueError, match="units_per_province"):
        make_demo(spec=spec, provinces=20, units_per_province=(3, 2))


# ---------------------------------------------------------------------------- files and store


def test_write_demo_end_to_end_and_rerun_replaces_the_store(tmp_path, spec, capsys):
    from parbrief.cli import main
    from parbrief.data.demo import DEMO_YEARS_2025, write_demo
    from parbrief.data.store import Store

    # issue 7: `parbrief demo` writes 2018–2025, the 2025 part on the map of 1 July 2025
    demo = make_demo(spec=spec, years=DEMO_YEARS_2025)
    out = tmp_path / "demo"
    files = write_demo(out)
    assert sorted(p.name for p in out.iterdir()) == [
        "README.txt", "national.csv", "parbrief.duckdb", "scores.xlsx", "survey.csv",
    ]  # fmt: skip
    assert (files.n_provinces, files.n_units, files.n_score_rows) == (13, 1175, len(demo.scores))
    assert (files.n_national_rows, files.n_survey_rows) == (441 + 34, len(demo.survey))
    assert files.n_provinces_2025 == 8 and files.years == tuple(range(2018, 2026))
    lines = files.summary_lines()
    assert lines[0].startswith("DỮ LIỆU GIẢ LẬP") and "SYNTHETIC" in lines[0]
    assert lines[1] == (
        f"Điểm các đơn vị: {out / 'scores.xlsx'} (2433 dòng; 1175 đơn vị của 13 tỉnh; "
        "8 tỉnh, thành phố theo bản đồ từ 01/7/2025; 2018–2025)"
    )
    assert files.summary_lines("en")[3] == f"Satisfaction survey: {out / 'survey.csv'} ({len(demo.survey)} respondents)"
    readme = files.readme.read_text(encoding="utf-8")
    assert "KHÔNG PHẢI SỐ LIỆU THẬT" in readme and "SYNTHETIC DATA" in readme
    assert "Thị xã Nghi Sơn (Thanh Hóa) has data from 2020 only." in readme
    assert "Provinces left unchanged: Sơn La, Lạng Sơn, Thanh Hóa, Hà Tĩnh." in readme
    assert "tên xã, phường năm 2025 là tên giả lập" in readme
    # the files hold the demo as generated (messy names included)
    xl = pd.read_excel(files.scores, sheet_name="Điểm CCHC")
    assert list(xl.columns) == list(demo.scores.columns) and len(xl) == len(demo.scores)
    assert " Huyện Bắc  Quang " in set(xl["unit"])
    with Store(files.store, read_only=True) as store:
        meta = store.meta()
        stored = store.scores(spec=spec)
        survey = store.survey()
    assert meta["synthetic"] == "true" and meta["dataset"] == "parbrief demo (synthetic)"
    assert meta["demo_seed"] == str(DEMO_SEED)
    # the store holds the normalized names: one name per unit, values unchanged
    expected = pd.concat([_normalized(demo.scores), demo.national], ignore_index=True)
    keys = ["province", "unit", "year"]
    got = stored.sort_values(keys).reset_index(drop=True)
    want = expected.sort_values(keys).reset_index(drop=True)
    cols = keys + ["unit_type", "total", *spec.codes]
    pdt.assert_frame_equal(got[cols], want[cols], check_dtype=False)
    assert len(survey) == len(demo.survey)
    assert sorted(set(survey["province"])) == sorted(set(_normalized(demo.scores)["province"]))

    # rerun through the CLI with another seed: the store is replaced whole, no temporary files left
    assert main(["demo", "--out", str(out), "--seed", "7"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("DỮ LIỆU GIẢ LẬP") and printed[-1].endswith("(seed 7)")
    assert sorted(p.name for p in out.iterdir()) == [
        "README.txt", "national.csv", "parbrief.duckdb", "scores.xlsx", "survey.csv",
    ]  # fmt: skip
    with Store(out / "parbrief.duckdb", read_only=True) as store:
        assert store.meta()["demo_seed"] == "7"
        assert len(store.ingests()) == 3
        assert store.scores(spec=spec)["total"].sum() != pytest.approx(stored["total"].sum())
