"""Panel residuals (pinned to R's lm) and leave-one-out refits of a panel test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from parbrief.stats.differences import panel_differences
from parbrief.stats.sensitivity import leave_one_out, most_extreme, panel_residuals

PANEL = pd.DataFrame({
    "province": "X", "unit": [u for u in "ABC" for _ in range(4)], "year": list(range(2020, 2024)) * 3,
    "total": [70, 72, 75, 74, 80, 79, 83, 85, 60, 66, 65, 70],
})


def test_panel_residuals_match_r_lm():
    r = panel_residuals(PANEL).sort_values(["unit", "year"])
    # R: d <- data.frame(unit=rep(c("A","B","C"),each=4), year=rep(2020:2023,3),
    #      y=c(70,72,75,74, 80,79,83,85, 60,66,65,70)); f <- lm(y ~ factor(unit)+factor(year), d)
    # resid(f) → 0.5 0.166667 1.166667 -1.833333 1.5 -1.833333 0.166667 0.166667 -2 1.666667 -1.333333 1.666667
    assert r["resid"].tolist() == pytest.approx(
        [0.5, 0.166667, 1.166667, -1.833333, 1.5, -1.833333, 0.166667, 0.166667, -2, 1.666667, -1.333333,
         1.666667], abs=1e-6)
    # rstandard(f)[c(1, 4, 9)] → 0.369274 -1.354006 -1.477098
    assert r["std_resid"].iloc[[0, 3, 8]].tolist() == pytest.approx([0.369274, -1.354006, -1.477098], abs=1e-6)
    # mean |resid| by year: 2020 = (0.5+1.5+2)/3 is the largest; by unit C (1.666667) the largest
    assert most_extreme(r) == (2020, "C")


def test_leave_one_out_refits_equal_direct_fits():
    def test(frame):
        return panel_differences(frame, value="total")

    loo = leave_one_out(PANEL, test, by="year")
    assert loo["left_out"].iloc[0] is None
    assert loo["p"].iloc[0] == pytest.approx(test(PANEL).primary.p)
    direct = test(PANEL[PANEL["year"] != 2021]).primary
    row = loo[loo["left_out"] == 2021].iloc[0]
    assert row["statistic"] == pytest.approx(direct.statistic) and row["df2"] == direct.df[1]
    by_unit = leave_one_out(PANEL, test, by="unit")
    assert list(by_unit["left_out"].iloc[1:]) == ["A", "B", "C"]
    with pytest.raises(ValueError):
        leave_one_out(PANEL, test, by="month")


def test_panel_residuals_empty_when_no_model():
    assert panel_residuals(PANEL[PANEL["unit"] == "A"]).empty


def test_gls_residuals_match_nlme_normalized_residuals():
    from test_serial import GAP_PANEL

    from parbrief.stats.sensitivity import gls_residuals

    panel = pd.DataFrame(GAP_PANEL, columns=["unit", "year", "total"])
    r = gls_residuals(panel, rho=0.6, scale="raw").set_index(["unit", "year"])
    # R: m <- gls(y ~ unit + fy, data = d, method = "REML",
    #             correlation = corAR1(value = 0.6, form = ~ year | unit, fixed = TRUE))
    #    fitted(m), residuals(m), residuals(m, type = "normalized") at A 2018, A 2019, C 2019, E 2019, E 2021:
    np.testing.assert_allclose(r.loc[[("A", 2018), ("A", 2019), ("C", 2019), ("E", 2019), ("E", 2021)], "fitted"],
                               [79.31877042, 79.85477042, 79.85143709, 80.99425166, 83.83625166], rtol=1e-8)
    np.testing.assert_allclose(r.loc[[("A", 2018), ("A", 2019), ("E", 2021)], "resid"],
                               [1.1412295806, -0.3147704194, 0.7637483444], rtol=1e-6)
    np.testing.assert_allclose(r.loc[[("A", 2018), ("A", 2019), ("C", 2019), ("E", 2019), ("E", 2021)], "std_resid"],
                               [0.9953109117, -1.0896376621, -0.2073236304, 0.2929289901, 0.9038542513], rtol=1e-6)
