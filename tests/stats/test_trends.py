"""Trends: OLS / Theil-Sen / Mann-Kendall, classification, province, year on year, rank table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parbrief.stats.posthoc import p_adjust
from parbrief.stats.trends import (
    province_series,
    province_trend,
    rank_table,
    trend_of_series,
    unit_trends,
    year_on_year,
)
from stats_datasets import make_panel

pytestmark = [pytest.mark.filterwarnings("error"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


# ----------------------------------------------------------------- one series, known values


def test_ols_slope_known_values():
    # y = 2, 4, 5, 4, 5 on x = 1..5: least squares y = 2.2 + 0.6x; residuals −0.8, 0.6, 1, −0.6, −0.2,
    # SSE = 2.4, s² = 0.8, Sxx = 10 → se = √0.08 = 0.28284, t = 2.1213 on 3 df, p = 0.12403,
    # 95 % CI = 0.6 ± 3.18245·0.28284 = (−0.30013, 1.50013).
    t = trend_of_series([2001, 2002, 2003, 2004, 2005], [2, 4, 5, 4, 5], min_years=4)
    assert t.ok and t.n_years == 5 and t.df == 3
    assert t.slope == pytest.approx(0.6, abs=1e-12)
    assert t.slope_se == pytest.approx(0.28284, abs=5e-6)
    assert t.p == pytest.approx(0.12403, abs=5e-6)
    assert t.slope_ci == pytest.approx((-0.30013, 1.50013), abs=5e-6)
    assert t.classification == "no_trend" and not t.significant
    assert (t.first_value, t.last_value, t.change) == (2.0, 5.0, 3.0)


def test_theil_sen_known_value():
    # Pairwise slopes of the series above: 2, 1.5, 0.667, 0.75, 1, 0, 0.333, −1, 0, 1 → median
    # (0.6667 + 0.75) / 2 = 0.70833 (Sen 1968).
    t = trend_of_series(range(1, 6), [2, 4, 5, 4, 5])
    assert t.theil_slope == pytest.approx(0.708333, abs=5e-7)
    assert t.theil_ci[0] <= t.theil_slope <= t.theil_ci[1]
    # Tied values (4, 4 and 5, 5): no exact null distribution → normal approximation, with a note.
    assert t.mk_method == "asymptotic" and "mk_normal_approx" in {n.code for n in t.notes}


@pytest.mark.parametrize("n,p", [(5, 2 / 120), (6, 2 / 720), (7, 2 / 5040)])
def test_mann_kendall_exact_p_for_monotone_series(n, p):
    # Exact null distribution of Kendall's tau: only 1 of n! orders is perfectly increasing,
    # so the two-sided p-value is 2/n! (Kendall 1938).
    values = [70.0 + 1.5 * i + 0.1 * (i % 2) for i in range(n)]
    t = trend_of_series(range(2018, 2018 + n), values)
    assert t.kendall_tau == pytest.approx(1.0) and t.mk_method == "exact"
    assert t.mk_p == pytest.approx(p, rel=1e-9)
    assert t.classification == "improving" and t.robust_agrees


def test_insufficient_constant_and_missing():
    few = trend_of_series([2022, 2023, 2024], [70, 75, 80], min_years=4)
    assert (few.ok, few.classification, few.reason_code) == (False, "insufficient", "too_few_years")
    assert few.reason == "only 3 years of data; at least 4 are needed"
    assert few.change == 10.0 and math.isnan(few.slope)
    flat = trend_of_series(range(2018, 2024), [80.0] * 6)
    assert (flat.ok, flat.classification, flat.reason_code, flat.slope) == (False, "no_trend", "constant_data", 0.0)
    gaps = trend_of_series([2018, 2019, 2020, 2021, 2022, 2024], [70, np.nan, 72, 73, 75, 77])
    codes = {n.code: n.detail for n in gaps.notes}
    assert gaps.n_years == 5 and codes["missing_values_dropped"] == {"n": 1}
    assert codes["gap_years"] == {"n_gaps": 2, "first": 2018, "last": 2024}
    with pytest.raises(ValueError, match="min_years"):
        trend_of_series([1, 2, 3], [1, 2, 3], min_years=2)


def test_perfect_line_is_described_not_tested():
    # Points exactly on a line: no p = 0 and no CI 1.00–1.00 (issue #10); the slope is still given.
    t = trend_of_series(range(2018, 2023), [70, 71, 72, 73, 74])
    assert not t.ok and t.classification == "insufficient" and t.reason_code == "perfect_fit"
    assert t.slope == pytest.approx(1.0) and math.isnan(t.p) and all(math.isnan(c) for c in t.slope_ci)
    assert [n.code for n in t.notes] == ["perfect_fit"]


# ----------------------------------------------------------------- units of a province


def _panel():
    # Huyện A, B improve 2/yr, C declines 2/yr, the other 7 are flat; noise SD 1.
    return make_panel(n_units=10, slopes={0: 2.0, 1: 2.0, 2: -2.0}, seed=11)


def test_unit_trends_finds_the_trends():
    tt = unit_trends(_panel())
    assert tt.improving() == ["Huyện A", "Huyện B"]
    assert tt.declining() == ["Huyện C"]
    assert tt.n_screened == 10 and tt.variance == "pooled"
    frame = tt.to_frame()
    assert list(frame["unit"]) == [f"Huyện {c}" for c in "ABCDEFGHIJ"]
    assert set(frame["classification"]) == {"improving", "declining", "no_trend"}
    assert (frame["p_adj"] >= frame["p"]).all()


def test_pooled_variance_hand_computation():
    panel = _panel()
    tt = unit_trends(panel)
    # Pooled residual variance: Σ unit SSE / Σ (n − 2); se_u = sqrt(s² / Sxx_u).
    sse, dfs, sxx = 0.0, 0, {}
    for unit, g in panel.groupby("unit"):
        x = g["year"].to_numpy(float)
        b, a = np.polyfit(x, g["total"], 1)
        sse += float(np.sum((g["total"] - (a + b * x)) ** 2))
        dfs += len(x) - 2
        sxx[unit] = float(np.sum((x - x.mean()) ** 2))
    s2 = sse / dfs
    a_trend = tt.get("Huyện A")
    assert a_trend.df == dfs == 50
    assert a_trend.slope_se == pytest.approx(math.sqrt(s2 / sxx["Huyện A"]), rel=1e-10)
    # Per-unit variance keeps the slope but uses the unit's own 5 df.
    own = unit_trends(panel, variance="unit").get("Huyện A")
    assert own.slope == pytest.approx(a_trend.slope, rel=1e-12) and own.df == 5


def test_adjustment_family_and_methods():
    panel = _panel()
    few = make_panel(n_units=1, years=range(2022, 2025)).assign(unit="Huyện Mới")
    tt = unit_trends(pd.concat([panel, few]), adjust="holm")
    assert tt.get("Huyện Mới").classification == "insufficient" and tt.n_screened == 10
    raw = np.array([t.p for t in tt.trends if t.ok])
    np.testing.assert_allclose([t.p_adj for t in tt.trends if t.ok], p_adjust(raw, "holm"))
    assert math.isnan(tt.get("Huyện Mới").p_adj)
    bh = unit_trends(panel, adjust="bh")
    assert all(b.p_adj <= h.p_adj + 1e-15 for b, h in zip(bh.trends, unit_trends(panel).trends))
    none = unit_trends(panel, adjust="none")
    assert all(t.p_adj == t.p for t in none.trends)
    with pytest.raises(ValueError, match="unknown adjustment"):
        unit_trends(panel, adjust="sidak9")


def test_component_column_and_single_unit():
    panel = _panel().assign(tthc=lambda f: f["total"] / 10)
    tt = unit_trends(panel, value="tthc")
    assert tt.value == "tthc" and tt.improving() == ["Huyện A", "Huyện B"]
    one = unit_trends(panel[panel["unit"] == "Huyện A"])
    assert one.improving() == ["Huyện A"]


def test_degenerate_inputs_never_raise():
    empty = unit_trends(make_panel(n_units=2).iloc[:0])
    assert empty.trends == ()
    one_year = unit_trends(make_panel(n_units=3, years=range(2024, 2025)))
    assert {t.classification for t in one_year.trends} == {"insufficient"}
    const = make_panel(n_units=3).assign(total=80.0)
    assert {(t.classification, t.reason_code) for t in unit_trends(const).trends} == {("no_trend", "constant_data")}
    with_nan = make_panel(n_units=3).assign(total=np.nan)
    assert {t.reason_code for t in unit_trends(with_nan).trends} == {"too_few_years"}


def test_refuses_mixed_provinces_and_missing_column():
    panel = _panel()
    mixed = pd.concat([panel, panel.assign(province="Tỉnh Khác")])
    with pytest.raises(ValueError, match="2 provinces"):
        unit_trends(mixed)
    with pytest.raises(ValueError, match="'cp_so'"):
        unit_trends(panel, value="cp_so")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_invariant_to_row_order_and_unit_names(seed, perm_seed):
    panel = make_panel(n_units=5, slopes={0: 1.0, 3: -0.5}, seed=seed)
    base = unit_trends(panel).to_frame().set_index("unit")
    rng = np.random.default_rng(perm_seed)
    shuffled = panel.iloc[rng.permutation(len(panel))].reset_index(drop=True)
    names = {u: f"Đơn vị {n}" for u, n in zip(sorted(panel["unit"].unique()), rng.permutation(5))}
    renamed = shuffled.assign(unit=shuffled["unit"].map(names))
    other = unit_trends(renamed).to_frame().set_index("unit")
    other.index = other.index.map({v: k for k, v in names.items()})
    cols = ["slope", "slope_se", "p", "p_adj", "theil_slope", "mk_p", "classification"]
    pd.testing.assert_frame_equal(base[cols], other.loc[base.index, cols], check_exact=False, rtol=1e-9)


# ----------------------------------------------------------------- province, year on year, ranks


def test_province_trend_mean_and_given_series():
    panel = make_panel(n_units=4, slopes={0: 4.0}, sd=0.0)  # mean rises 1 point a year exactly
    s = province_series(panel)
    np.testing.assert_allclose(s.to_numpy(), 75 + np.arange(7) * 1.0)
    assert s.name == "Tỉnh Thử" and list(s.index) == list(range(2018, 2025))
    t = province_trend(panel)
    # exactly on a line: the slope is described, no test is claimed (reason perfect_fit)
    assert t.unit == "Tỉnh Thử" and t.slope == pytest.approx(1.0) and t.reason_code == "perfect_fit"
    official = pd.Series([81.2, 82.0, 81.5, 83.1, 84.0], index=range(2020, 2025), name="Tỉnh Thử")
    t2 = province_trend(series=official)
    assert t2.years == (2020, 2021, 2022, 2023, 2024) and t2.p_adj == t2.p
    changing = panel[~((panel["unit"] == "Huyện D") & (panel["year"] == 2018))]
    assert "unit_set_changes" in {n.code for n in province_trend(changing).notes}


def test_year_on_year_rows():
    frame = pd.DataFrame({
        "province": "X", "unit": ["Huyện B", "Huyện A", "Huyện A", "Huyện A", "Huyện B"],
        "year": [2023, 2024, 2021, 2022, 2024], "total": [80.0, 77.5, 70.0, 75.0, 78.0],
    })
    out = year_on_year(frame.drop(index=3))  # Huyện A has no 2022: the change is from 2021
    assert out[["unit", "year"]].values.tolist() == [["Huyện A", 2021], ["Huyện A", 2024], ["Huyện B", 2023],
                                                      ["Huyện B", 2024]]
    assert out["prev_year"].isna().tolist() == [True, False, True, False]
    assert out["prev_year"].dropna().tolist() == [2021, 2023]
    assert out.loc[1, "change"] == pytest.approx(7.5) and out.loc[1, "prev_year"] == 2021
    assert out.loc[3, "change"] == pytest.approx(-2.0) and out.loc[3, "pct_change"] == pytest.approx(-2.5)
    assert out["change"].isna().tolist() == [True, False, True, False]
    series = year_on_year(province_series(frame))
    assert series["unit"].unique().tolist() == ["X"] and len(series) == 4


def test_rank_table_with_changes(spec):
    frame = pd.DataFrame({
        "province": "X", "unit_type": "district",
        "unit": ["A", "B", "C", "A", "B", "C", "D"],
        "year": [2023, 2023, 2023, 2024, 2024, 2024, 2024],
        "total": [91.0, 85.0, 85.0, 84.0, 92.5, 84.0, 60.0],
    })
    t = rank_table(frame, 2024, compare_year=2023, scheme=spec.scheme("provincial")).set_index("unit")
    assert t.loc[["B", "A", "C", "D"], "rank"].tolist() == [1, 2, 2, 4]
    assert t.loc["A", "prev_rank"] == 1 and t.loc["A", "rank_change"] == -1
    assert t.loc["B", "rank_change"] == 1 and t.loc["C", "rank_change"] == 0
    assert t.loc["A", "band"] == "tot" and t.loc["A", "prev_band"] == "xuat_sac" and t.loc["A", "band_change"] == -1
    assert t.loc["B", "band_change"] == 1
    assert pd.isna(t.loc["D", "prev_rank"]) and pd.isna(t.loc["D", "band_change"])
    assert t.loc["A", "change"] == pytest.approx(-7.0) and (t["n_ranked"] == 4).all()
