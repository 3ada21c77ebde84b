"""Standing trends and raw paths (parbrief.stats.standing), pinned to R's nlme."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from parbrief.stats.standing import bartlett_p, raw_path, standing_scores, standing_trends

ROWS = [
    ("H0", 2018, 78.26), ("H0", 2019, 79.57), ("H0", 2020, 81.03), ("H0", 2021, 82.08), ("H0", 2022, 82.6),
    ("H0", 2023, 84.19), ("H1", 2018, 79.54), ("H1", 2019, 82.01), ("H1", 2020, 83.66), ("H1", 2021, 83.86),
    ("H1", 2022, 85.01), ("H1", 2023, 83.55), ("H2", 2018, 81.86), ("H2", 2019, 83.85), ("H2", 2020, 83.09),
    ("H2", 2021, 83.14), ("H2", 2022, 84.22), ("H2", 2023, 85.03), ("H3", 2018, 80.66), ("H3", 2019, 81.86),
    ("H3", 2020, 83.61), ("H3", 2021, 83.3), ("H3", 2022, 82.98), ("H3", 2023, 83.75), ("H4", 2018, 81.88),
    ("H4", 2019, 82.71), ("H4", 2020, 83.73), ("H4", 2021, 83.61), ("H4", 2022, 83.23), ("H4", 2023, 85.34),
    ("H5", 2018, 81.64), ("H5", 2019, 80.91), ("H5", 2020, 83.38), ("H5", 2021, 85.01), ("H5", 2022, 85.39),
    ("H5", 2023, 86.51),
]


@pytest.fixture()
def panel() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["unit", "year", "total"])


def test_unit_slopes_match_nlme_gls_at_the_cautious_rho(panel):
    tab = standing_trends(panel, min_years=5)
    assert tab.rho_used == pytest.approx(0.95) and tab.variance == "pooled"  # Bartlett p = 0.0999 ≥ 0.05
    # R: d <- read.csv(...) with z = standing_scores(...), tc = year − the unit's mean year
    #    m <- gls(z ~ 0 + unit + unit:tc, data = d, method = "REML",
    #             correlation = corAR1(value = 0.95, form = ~ year | unit, fixed = TRUE))
    #    summary(m)$tTable: unitH0:tc 0.30239654689 (SE 0.3414657152, p 0.3846291168),
    #    unitH2:tc −0.15150975797 (p 0.6612310201), unitH5:tc 0.12966646881 (p 0.7074816964)
    h0, h2, h5 = tab.get("H0"), tab.get("H2"), tab.get("H5")
    assert h0.slope == pytest.approx(0.30239654689, rel=1e-7) and h0.slope_se == pytest.approx(0.3414657152, rel=1e-7)
    assert h0.p == pytest.approx(0.3846291168, rel=1e-6)
    assert h2.slope == pytest.approx(-0.15150975797, rel=1e-7) and h2.p == pytest.approx(0.6612310201, rel=1e-6)
    assert h5.p == pytest.approx(0.7074816964, rel=1e-6)
    # One Holm family of 6 units; nothing is called on 6 years with ρ this high.
    assert tab.n_screened == 6 and tab.n_called == 0 and h0.p_adj == 1.0


def test_standing_scores_are_method_free(panel):
    f = panel.rename(columns={"total": "y"})
    z = standing_scores(f)
    # A new method from 2021 that shifts every score by −12 and doubles the spread: with the break
    # the standings are unchanged (SD pooled within each method period).
    moved = f.assign(y=np.where(f["year"] >= 2021, (f["y"] - 80) * 2 + 68, f["y"]))
    np.testing.assert_allclose(standing_scores(moved, breaks=[2020.5]), standing_scores(f, breaks=[2020.5]),
                               rtol=1e-10)
    assert abs(z.groupby(f["year"]).mean()).max() < 1e-12


def test_a_unit_climbing_past_its_peers_is_found():
    # 11 units × 7 years, AR(1) ρ = 0.3, one unit gains 1.5 noise SDs a year on the others (seeded).
    rng = np.random.default_rng(1)
    rows = []
    for u in range(11):
        e = 0.0
        for t in range(7):
            e = 0.3 * e + rng.normal(0, 1)
            rows.append((f"Huyện {u:02d}", 2018 + t, 80 + u * 0.2 + (1.5 * t if u == 0 else 0) + e))
    tab = standing_trends(pd.DataFrame(rows, columns=["unit", "year", "total"]), min_years=5)
    assert tab.get("Huyện 00").classification == "improving"
    assert tab.n_called == 1


def test_reasons_for_units_not_assessed(panel):
    newer = pd.concat([panel, pd.DataFrame([("Xã mới", 2022, 80.0), ("Xã mới", 2023, 81.0)],
                                           columns=panel.columns)])
    tab = standing_trends(newer, min_years=5)
    assert tab.get("Xã mới").reason_code == "new_unit" and tab.get("Xã mới").classification == "insufficient"
    short = standing_trends(panel[panel["year"] >= 2021], min_years=5)
    assert short.n_screened == 0 and {t.reason_code for t in short.trends} == {"too_few_years"}


def test_bartlett_matches_scipy_when_df_are_n_minus_one():
    rng = np.random.default_rng(0)
    groups = [rng.normal(0, s, 8) for s in (1, 1.5, 3)]
    ss = np.array([np.sum((g - g.mean()) ** 2) for g in groups])
    from scipy import stats

    assert bartlett_p(ss, np.array([7.0, 7.0, 7.0])) == pytest.approx(stats.bartlett(*groups).pvalue, rel=1e-10)


def test_raw_path_describes_without_testing():
    p = raw_path([2022, 2023, 2024], [80.1, 81.0, 82.4])
    assert p.code == "rising_run" and p.run_length == 2 and p.change == pytest.approx(2.3)
    p = raw_path([2022, 2023, 2024], [80.1, 79.0, 82.4])
    assert p.code == "mixed" and p.run_length == 1
    assert raw_path([2025], [80.0]).code == "single_year" and math.isnan(raw_path([2025], [80.0]).change)
