"""GLS with AR(1) errors within units (parbrief.stats.serial), pinned to R's nlme."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from parbrief.stats.panel_gls import fit_panel, within_year_z
from parbrief.stats.serial import ar1_structure, cautious_rho, cautious_wald, fit_ar1, wald_test

# Five units, 2018–2023, unit E has no score in 2020 (a gap: its 2019 and 2021 errors correlate ρ²).
GAP_PANEL = [
    ("A", 2018, 80.46), ("A", 2019, 79.54), ("A", 2020, 81.91), ("A", 2021, 82.09), ("A", 2022, 81.80),
    ("A", 2023, 83.19), ("B", 2018, 79.94), ("B", 2019, 81.89), ("B", 2020, 83.70), ("B", 2021, 85.33),
    ("B", 2022, 83.53), ("B", 2023, 85.96), ("C", 2018, 80.13), ("C", 2019, 80.15), ("C", 2020, 80.66),
    ("C", 2021, 80.84), ("C", 2022, 82.51), ("C", 2023, 83.98), ("D", 2018, 81.91), ("D", 2019, 82.18),
    ("D", 2020, 83.81), ("D", 2021, 85.54), ("D", 2022, 83.82), ("D", 2023, 85.45), ("E", 2018, 79.07),
    ("E", 2019, 80.43), ("E", 2021, 84.60), ("E", 2022, 83.74), ("E", 2023, 86.18),
]


def _design(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    units = sorted(frame["unit"].unique())
    years = sorted(frame["year"].unique())
    cols = [np.ones(len(frame))] + [(frame["unit"] == u).to_numpy(float) for u in units[1:]]
    cols += [(frame["year"] == y).to_numpy(float) for y in years[1:]]
    return np.column_stack(cols), np.column_stack([cols[0]] + cols[len(units):])


@pytest.fixture()
def gap_panel() -> pd.DataFrame:
    return pd.DataFrame(GAP_PANEL, columns=["unit", "year", "y"])


def test_reml_fit_matches_nlme_gls_with_a_gap(gap_panel):
    # R: d <- read.csv(...); d$unit <- factor(d$unit); d$fy <- factor(d$year)
    #    m <- gls(y ~ unit + fy, data = d, correlation = corAR1(form = ~ year | unit), method = "REML")
    x, _ = _design(gap_panel)
    s = ar1_structure(gap_panel["unit"].to_numpy(), gap_panel["year"].to_numpy())
    fit = fit_ar1(gap_panel["y"].to_numpy(), x, s)
    # coef(m$modelStruct$corStruct, unconstrained = FALSE): Phi1 = 0.5861484593
    assert fit.rho == pytest.approx(0.5861484593, abs=2e-5)
    # m$sigma = 1.129678385
    assert np.sqrt(fit.sigma2) == pytest.approx(1.129678385, rel=1e-5)
    # coef(m)[c("(Intercept)", "unitB", "unitE", "fy2020")] = 79.315353905794, 1.646927117688,
    #   1.145827369033, 2.278914481052
    np.testing.assert_allclose(fit.beta[[0, 1, 4, 6]], [79.315353905794, 1.646927117688, 1.145827369033,
                                                         2.278914481052], rtol=1e-5)
    # sqrt(diag(vcov(m)))[c("unitB", "unitE", "fy2020")] = 1.0523832178, 1.0571881248, 0.6055732545
    np.testing.assert_allclose(fit.se[[1, 4, 6]], [1.0523832178, 1.0571881248, 0.6055732545], rtol=1e-4)
    # anova(m, type = "marginal"): unit F = 1.703 on 4 and 19 df, p = 0.1909; fy F = 12.112 on 5, 19
    unit = wald_test(fit, np.arange(1, 5))
    assert (unit.df1, unit.df2) == (4, 19)
    assert unit.statistic == pytest.approx(1.703, abs=5e-4) and unit.p == pytest.approx(0.1909, abs=5e-5)
    assert wald_test(fit, np.arange(5, 10)).statistic == pytest.approx(12.112, abs=5e-4)


def test_independent_errors_give_ols():
    rng = np.random.default_rng(3)
    unit, year = np.repeat(np.arange(4), 6), np.tile(np.arange(2018, 2024), 4)
    y = rng.normal(80, 2, 24)
    x = np.column_stack([np.ones(24)] + [(unit == u).astype(float) for u in range(1, 4)])
    fit = fit_ar1(y, x, ar1_structure(unit, year), rho=0.0)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    np.testing.assert_allclose(fit.beta, beta, rtol=1e-12)


def test_cautious_wald_is_deterministic_and_more_cautious_than_the_plug_in(gap_panel):
    x, _ = _design(gap_panel)
    s = ar1_structure(gap_panel["unit"].to_numpy(), gap_panel["year"].to_numpy())
    y = gap_panel["y"].to_numpy()
    a, fit, used = cautious_wald(y, x, s, np.arange(1, 5), seed=7)
    b, _, _ = cautious_wald(y, x, s, np.arange(1, 5), seed=7)
    assert a == b and a.method == "cautious_wald"
    # The test is the Wald F of the GLS refitted at the cautious ρ, which is above REML's ρ̂ = 0.586;
    # so its p is above nlme's plug-in p = 0.1909.
    assert used.rho == a.rho_sim > fit.rho == pytest.approx(0.5861484593, abs=2e-5)
    assert a.statistic == pytest.approx(wald_test(used, np.arange(1, 5)).statistic, rel=1e-12)
    assert a.p > 0.1909


def test_cautious_rho_is_never_negative():
    rng = np.random.default_rng(1)
    unit, year = np.repeat(np.arange(5), 6), np.tile(np.arange(6), 5)
    y = np.array([(-1.0) ** t for t in year]) * 2 + rng.normal(0, 0.1, 30)  # strongly alternating
    x = np.column_stack([np.ones(30)] + [(unit == u).astype(float) for u in range(1, 5)])
    fit, rho_c, _, _ = cautious_rho(y, x, ar1_structure(unit, year))
    assert fit.rho < -0.5 and rho_c == 0.0


def test_cautious_wald_keeps_its_level_on_small_correlated_panels():
    """Seeded small calibration (the full one is bench/calibration.py): 6 units × 6 years, ρ = 0.5."""
    rng = np.random.default_rng(2025)
    unit, year = np.repeat(np.arange(6), 6), np.tile(np.arange(6), 6)
    frame = pd.DataFrame({"unit": unit, "year": year})
    x, _ = _design(frame)
    s = ar1_structure(unit, year)
    reject = naive = 0
    n_rep = 150
    for r in range(n_rep):
        e = np.empty((6, 6))
        e[:, 0] = rng.standard_normal(6)
        for t in range(1, 6):
            e[:, t] = 0.5 * e[:, t - 1] + np.sqrt(0.75) * rng.standard_normal(6)
        y = e.ravel() + np.tile(rng.normal(0, 2, 6), 6)
        res, fit, _ = cautious_wald(y, x, s, np.arange(1, 6), seed=r)
        reject += res.p < 0.05
        naive += wald_test(fit, np.arange(1, 6)).p < 0.05
    # Binomial(150, 0.05) exceeds 15 with probability ≈ 1%; the plug-in Wald test rejects ≈ 15%.
    assert reject <= 15
    assert naive > reject


def test_within_year_z_is_a_standing_and_needs_three_units():
    frame = pd.DataFrame({"unit": list("ABCAB"), "year": [1, 1, 1, 2, 2], "y": [1.0, 2.0, 3.0, 5.0, 7.0]})
    z = within_year_z(frame)
    np.testing.assert_allclose(z[:3], [-1.0, 0.0, 1.0])
    assert z[3:].isna().all()


def test_fit_panel_does_not_depend_on_unit_names_or_row_order(gap_panel):
    a = fit_panel(gap_panel)
    renamed = gap_panel.assign(unit=gap_panel["unit"].map(dict(zip("ABCDE", "QPZMA")))).sample(frac=1.0,
                                                                                              random_state=1)
    b = fit_panel(renamed)
    # Equal up to the optimizer's tolerance (the design's columns come in another order). The
    # REML criterion is flat near ρ̂ here: rounding in another row order moves ρ̂ by ≈ 2e-7, and
    # F at the cautious ρ (0.89, near the bound) by ≈ 5e-6 relative.
    assert a.unit_test.p == pytest.approx(b.unit_test.p, rel=1e-5)
    assert a.unit_test.statistic == pytest.approx(b.unit_test.statistic, rel=1e-5)
    assert a.rho_used == pytest.approx(b.rho_used, rel=1e-6)


def _reml_profile(rho: float, y: np.ndarray, x: np.ndarray, s) -> float:
    """The reference: minus twice the profiled REML log-likelihood from one QR of the whole
    whitened design (constants dropped), as ``serial`` computed it before ``_Criterion``."""
    import math

    from parbrief.stats.serial import whiten

    yw, logdet = whiten(y, rho, s)
    xw, _ = whiten(x, rho, s)
    q, r = np.linalg.qr(xw)
    resid = yw - q @ (q.T @ yw)
    n, p = x.shape
    rss = float(resid @ resid)
    return (n - p) * math.log(rss / (n - p)) + logdet + 2.0 * float(np.sum(np.log(np.abs(np.diag(r)))))


def _random_panel(n_units: int, years: range, seed: int, drop: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [(f"U{u:03d}", y, rng.normal(80, 3)) for u in range(n_units) for y in years]
    frame = pd.DataFrame(rows, columns=["unit", "year", "y"])
    return frame.drop(rng.choice(len(frame), size=drop, replace=False)).sample(frac=1, random_state=seed)


@pytest.mark.parametrize("design", ["unit_year", "unit_trend", "own_trends", "no_unit_level"])
def test_fast_reml_criterion_is_the_reference_up_to_a_constant(design):
    # _Criterion projects the unit levels out unit by unit; the REML criterion depends on the
    # design only through its column space (up to a constant in ρ), so ρ̂ is unchanged.
    from parbrief.stats.serial import _Criterion

    frame = _random_panel(40, range(2018, 2025), seed=5)  # 40 units: above _Criterion.MIN_COLUMNS
    units = sorted(frame["unit"].unique())
    unit_cols = [(frame["unit"] == u).to_numpy(float) for u in units[1:]]
    year = frame["year"].to_numpy(float) - 2021
    if design == "unit_year":
        x, _ = _design(frame)
    elif design == "unit_trend":
        x = np.column_stack([np.ones(len(frame)), *unit_cols, year, year * (year > 0)])
    elif design == "own_trends":  # a level and a slope per unit (relative-standing trends)
        own = [(frame["unit"] == u).to_numpy(float) for u in units]
        x = np.column_stack([*own, *(o * year for o in own)])
    else:
        x = np.column_stack([np.ones(len(frame)), year])
    s = ar1_structure(frame["unit"].to_numpy(), frame["year"].to_numpy())
    crit = _Criterion(x, s)
    assert crit.mode == {"own_trends": "local", "no_unit_level": "generic"}.get(design, "levels")
    y = frame["y"].to_numpy()
    grid = np.linspace(-0.9, 0.95, 12)
    fast = np.array([crit(r, y) for r in grid])
    ref = np.array([_reml_profile(r, y, x, s) for r in grid])
    np.testing.assert_allclose(fast - fast[0], ref - ref[0], atol=1e-8)
    e = np.random.default_rng(1).standard_normal((len(y), 4))
    np.testing.assert_allclose(crit(0.3, e), [_reml_profile(0.3, e[:, j], x, s) + fast[0] - ref[0]
                                              for j in range(4)], atol=1e-8)
