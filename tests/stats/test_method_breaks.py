"""Trends that stay inside one method period, and comparisons across a method change (issue 7)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from parbrief.data.crosswalk import label_vintages, load_department_crosswalk
from parbrief.data.demo import DEMO_YEARS_2025, make_demo
from parbrief.data.names import normalize_name
from parbrief.stats._results import NOTE_CODES, REASON_CODES
from parbrief.text.messages import has_key
from parbrief.stats.trends import (
    province_trend,
    split_by_breaks,
    standardized_scores,
    trend_of_series,
    unit_trends,
    year_on_year,
)

pytestmark = [pytest.mark.filterwarnings("error"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

YEARS = list(range(2018, 2026))
# 2018–2021 under the old method, 2022–2025 under the new one, whose maxima give ~12 fewer raw points:
# each period rises by exactly one point a year, but across the change the raw series falls.
JUMP = [70.0, 71.0, 72.0, 73.0, 60.0, 61.0, 62.0, 63.0]


def test_a_series_with_a_break_in_the_middle_refuses_to_fit_across_it():
    across = trend_of_series(YEARS, JUMP)
    # fitted across the change, the method's jump reads as a decline of a unit that improved every year
    assert across.ok and across.n_years == 8 and across.classification == "declining"
    assert across.slope == pytest.approx(-1.6666666666666667)  # = scipy.stats.linregress over the 8 points
    within = trend_of_series(YEARS, JUMP, breaks=[2021.5])
    assert within.years == (2022, 2023, 2024, 2025) and within.n_years == 4
    # Exactly one point a year: described (slope 1), not tested (issue #10: no p = 0 for a perfect line).
    assert within.slope == pytest.approx(1.0) and within.reason_code == "perfect_fit" and not within.ok
    assert (within.first_value, within.last_value, within.change) == (60.0, 63.0, 3.0)
    note = within.notes[0]
    assert note.code == "method_break_excluded"
    assert dict(note.detail) == {"n_excluded": 4, "first_excluded": 2018, "last_excluded": 2021,
                                 "years": (2018, 2019, 2020, 2021), "first_used": 2022, "last_used": 2025,
                                 "since": 2022, "breaks": (2021.5,)}
    assert note.text == ("4 years scored under another method (2018–2021) were left out and only 2022–2025 was "
                         "assessed, because scores under different methods are not comparable")


def test_the_same_series_without_breaks_fits_and_matches_a_fit_on_the_period_alone():
    noisy = np.array(JUMP) + np.array([0.3, -0.2, 0.1, -0.4, 0.2, -0.1, 0.4, -0.3])
    alone = trend_of_series(YEARS[4:], noisy[4:])
    cut = trend_of_series(YEARS, noisy, breaks=[2021.5])
    for field in ("slope", "slope_se", "p", "theil_slope", "kendall_tau", "mk_p"):
        assert getattr(cut, field) == pytest.approx(getattr(alone, field)), field
    ref = stats.linregress(YEARS[4:], noisy[4:])  # scipy as the independent reference
    assert cut.slope == pytest.approx(ref.slope) and cut.p == pytest.approx(ref.pvalue)
    assert "method_break_excluded" not in {n.code for n in trend_of_series(YEARS, noisy).notes}  # no breaks


def test_a_short_latest_period_is_cannot_test_with_reason_method_break():
    t = trend_of_series(YEARS[:7], JUMP[:7], breaks=[2021.5])  # 2022–2024: three years
    assert not t.ok and t.classification == "insufficient" and t.reason_code == "method_break"
    assert dict(t.reason_detail) == {"n_years": 3, "min_years": 4, "since": 2022, "n_excluded": 4}
    assert t.reason == ("only 3 years since the method change of 2022; at least 4 are needed for a trend within "
                        "one method period")
    assert t.years == (2022, 2023, 2024) and math.isnan(t.slope) and math.isnan(t.p_adj)
    # a series too short anyway keeps the plain reason
    short = trend_of_series([2021, 2022, 2023], [70.0, 60.0, 61.0], breaks=[2021.5])
    assert short.reason_code == "too_few_years"
    # the older period can be asked for explicitly
    older = trend_of_series(YEARS[:7], JUMP[:7], breaks=[2021.5], period="latest_sufficient")
    # the older period is exactly on a line: described (slope 1), not tested
    assert older.years == (2018, 2019, 2020, 2021) and older.slope == pytest.approx(1.0)
    assert older.reason_code == "perfect_fit"
    assert dict(older.notes[0].detail)["years"] == (2022, 2023, 2024)
    with pytest.raises(ValueError, match="period must be one of"):
        trend_of_series(YEARS, JUMP, breaks=[2021.5], period="all")


def test_codes_have_a_text_in_every_language():
    for lang in ("vi", "en"):
        assert has_key("note.method_break_excluded", lang) and has_key("reason.method_break", lang)
    assert "method_break_excluded" in NOTE_CODES and "method_break" in REASON_CODES


def test_split_by_breaks():
    assert split_by_breaks([2024, 2018, 2019, 2021, 2022, 2019], [2019.5, 2021.5]) == [[2018, 2019], [2021], [2022, 2024]]
    assert split_by_breaks([2018, 2020], []) == [[2018, 2020]]
    assert split_by_breaks([2020, 2022], [2020.5, 2021.5]) == [[2020], [2022]]


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for k, unit in enumerate(["Huyện A", "Huyện B", "Huyện C", "Sở D"]):
        for y in YEARS:
            new = y >= 2022
            base = 75 + 2 * k + (0.8 * (k - 1.5)) * (y - 2021) - (8 if new else 0)
            rows.append({"province": "X", "unit": unit, "unit_type": "district", "year": y,
                         "total": base + rng.normal(0, 0.5)})
    return pd.DataFrame(rows)


def test_unit_trends_use_only_the_latest_method_period():
    panel = _panel()
    cut = unit_trends(panel, breaks=[2021.5])
    ref = unit_trends(panel[panel["year"] >= 2022])
    assert [t.years for t in cut.trends] == [(2022, 2023, 2024, 2025)] * 4
    for a, b in zip(cut.trends, ref.trends):
        assert (a.unit, a.classification) == (b.unit, b.classification)
        for field in ("slope", "slope_se", "p", "p_adj", "df"):
            assert getattr(a, field) == pytest.approx(getattr(b, field)), (a.unit, field)
        assert [n.code for n in a.notes][0] == "method_break_excluded"
    assert cut.trends[0].df == 16 - 8  # pooled over the kept years only: N − 2U
    # a unit with only 3 years since the change is not screened and not counted in the adjustment
    gone = panel[~((panel["unit"] == "Sở D") & (panel["year"] == 2025))]
    t = unit_trends(gone, breaks=[2021.5])
    assert t.get("Sở D").reason_code == "method_break" and t.n_screened == 3
    assert unit_trends(panel).n_screened == 4 and unit_trends(panel).trends[0].years == tuple(YEARS)


def test_province_trend_and_year_on_year_across_a_break():
    panel = _panel()
    pt = province_trend(panel, breaks=[2021.5])
    assert pt.years == (2022, 2023, 2024, 2025) and pt.notes[0].code == "method_break_excluded"
    assert pt.slope == pytest.approx(province_trend(panel[panel["year"] >= 2022]).slope)
    # the unit set is judged within the period used: Sở D missing before the change only is no change
    partial = panel[~((panel["unit"] == "Sở D") & (panel["year"] < 2022))]
    assert "unit_set_changes" in {n.code for n in province_trend(partial).notes}
    assert "unit_set_changes" not in {n.code for n in province_trend(partial, breaks=[2021.5]).notes}
    yoy = year_on_year(panel, breaks=[2021.5])
    flagged = yoy.loc[yoy["across_break"], ["unit", "prev_year", "year"]]
    assert flagged["year"].eq(2022).all() and flagged["prev_year"].eq(2021).all() and len(flagged) == 4
    assert "across_break" not in year_on_year(panel).columns


def test_standardized_scores_have_mean_0_and_sd_1_within_each_year():
    d = make_demo(years=DEMO_YEARS_2025)
    nat = standardized_scores(d.national)
    g = nat.groupby("year")["total_z"]
    assert np.allclose(g.mean(), 0.0, atol=1e-12) and np.allclose(g.std(ddof=1), 1.0)
    assert nat.groupby("year")["total_n"].first().to_dict() == {**{y: 63 for y in range(2018, 2025)}, 2025: 34}
    top = nat.loc[nat.groupby("year")["total"].idxmax()]
    assert (top["total_rank"] == 1).all() and np.allclose(top["total_pct_rank"], 100.0)
    assert nat["total_pct_rank"].between(0, 100).all()
    # the z-score is the standard one (scipy), within each year
    y24 = nat[nat["year"] == 2024]
    assert np.allclose(y24["total_z"], stats.zscore(y24["total"], ddof=1))


def test_standardized_scores_ties_single_units_and_groups():
    f = pd.DataFrame({"unit": list("abcde") + ["f"], "year": [2021] * 5 + [2022],
                      "unit_type": ["district"] * 3 + ["department"] * 2 + ["district"],
                      "total": [80.0, 85.0, 85.0, 90.0, np.nan, 70.0]})
    out = standardized_scores(f)
    assert out["total_rank"].tolist() == [4, 2, 2, 1, pd.NA, 1]
    assert out["total_pct_rank"].iloc[:4].tolist() == pytest.approx([0.0, 50.0, 50.0, 100.0])
    assert math.isnan(out["total_pct_rank"].iloc[4]) and math.isnan(out["total_z"].iloc[5])  # one unit in 2022
    assert out["total_n"].tolist() == [4, 4, 4, 4, 4, 1]
    by_type = standardized_scores(f, within=("year", "unit_type"))
    assert by_type["total_rank"].tolist()[:4] == [3, 1, 1, 1]


def test_on_the_2025_demo_only_continuing_units_get_a_trend():
    d = make_demo(years=DEMO_YEARS_2025)
    spec_breaks = [2019.5, 2021.5]
    s = d.scores.assign(province=d.scores["province"].map(normalize_name), unit=d.scores["unit"].map(normalize_name))
    lab = label_vintages(s, units=load_department_crosswalk())
    qt = lab[lab["province_vintage"] == "Quảng Trị"]  # the merged province: 2025 only
    res = unit_trends(qt.assign(unit=qt["unit_vintage"]), breaks=spec_breaks)
    assert {t.reason_code for t in res.trends} == {"too_few_years"} and res.n_screened == 0
    son_la = lab[lab["province_vintage"] == "Sơn La"]
    res = unit_trends(son_la.assign(unit=son_la["unit_vintage"]), breaks=spec_breaks)
    tested = {t.unit: t.years for t in res.trends if t.ok}
    assert tested == {"Sở Giáo dục và Đào tạo": (2022, 2023, 2024, 2025), "Thanh tra tỉnh": (2022, 2023, 2024, 2025)}
    districts = [t for t in res.trends if t.unit.startswith("Huyện")]
    assert districts and {t.reason_code for t in districts} == {"method_break"}
