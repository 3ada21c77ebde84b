"""The unit-by-year panel model behind :func:`parbrief.stats.differences.panel_differences`.

``value ~ C(unit) + C(year)`` with AR(1) errors within each unit (see :mod:`parbrief.stats.serial`):
the year effect absorbs what moved every unit (a new method, a hard year), the AR(1) error lets a
unit's good and bad years come in runs. The unit effect is tested by a
Wald F at a cautious ρ — REML's ρ̂ corrected for its small-sample shortfall plus
:data:`DIFF_CAUTION` of its sampling SD, never below 0 (:func:`parbrief.stats.serial.cautious_rho`;
calibrated on 6–28 units × 5–8 years by ``bench/calibration.py``: plugging in ρ̂ itself rejects a
true "no difference" 10–25% of the time). When the store holds other provinces scored the same
way, the caller passes their pooled ρ (:func:`parbrief.stats.serial.pooled_rho`) and the test uses
it instead: far more precise, so far less caution and far more power. Least-squares means and pairwise contrasts come from the
same fit, so letters and the omnibus test rest on the same assumption.

Numbers only; the caller wraps them into :class:`~parbrief.stats._results.StatTest` objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from parbrief.stats.serial import (POOL_CAUTION, Ar1Structure, FTest, PooledRho, ar1_structure, cautious_wald,
                                   fit_ar1, reml_rho, wald_test)

__all__ = ["PanelArrays", "PanelFit", "fit_panel", "panel_arrays", "within_year_z"]


@dataclass(frozen=True)
class PanelFit:
    """Unit and year effects of a panel, with AR(1) errors within units."""

    units: tuple[str, ...]
    years: tuple[int, ...]
    unit_test: FTest
    year_test: FTest
    rho: float  # REML estimate
    rho_used: float  # the ρ of the contrasts and means (the cautious ρ of the test)
    ls_mean: np.ndarray
    ls_se: np.ndarray
    pair_i: np.ndarray
    pair_j: np.ndarray
    diff: np.ndarray  # ls_mean[j] − ls_mean[i]
    diff_se: np.ndarray
    df_resid: int
    rho_at_bound: bool
    rho_source: str = "own"  # "own" (this panel, cautious) or "store" (pooled over provinces)


def within_year_z(frame: pd.DataFrame, value: str = "y", by: str | list[str] = "year", min_units: int = 3) -> pd.Series:
    """Each row's z-score among the rows of its year: (x − mean) / SD (n − 1).

    A method-free scale: a change of method moves every unit's score and their spread, not their
    standing. Years with fewer than ``min_units`` values or no spread give NaN (no standing).
    """
    g = frame.groupby(by)[value]
    mean, sd, n = g.transform("mean"), g.transform("std"), g.transform("count")
    z = (frame[value] - mean) / sd
    return z.where((n >= min_units) & (sd > 0))


def _design(unit_idx: np.ndarray, year_idx: np.ndarray, n_units: int, n_years: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(unit_idx)
    u = np.zeros((n, n_units - 1))
    rows = np.nonzero(unit_idx > 0)[0]
    u[rows, unit_idx[rows] - 1] = 1.0
    t = np.zeros((n, n_years - 1))
    rows = np.nonzero(year_idx > 0)[0]
    t[rows, year_idx[rows] - 1] = 1.0
    ones = np.ones((n, 1))
    return np.hstack([ones, u, t]), np.hstack([ones, t])


#: How many sampling SDs of ρ̂ the panel test adds to the corrected ρ (bench/calibration.py).
DIFF_CAUTION = 1.0


@dataclass(frozen=True)
class PanelArrays:
    """A panel as the model sees it: response, full design, AR(1) structure, labels."""

    y: np.ndarray
    x: np.ndarray
    s: Ar1Structure
    units: tuple[str, ...]
    years: tuple[int, ...]
    rows: pd.DataFrame  # the input rows in the order of ``y`` and ``x``

    @property
    def unit_cols(self) -> np.ndarray:
        return np.arange(1, len(self.units))

    @property
    def year_cols(self) -> np.ndarray:
        return np.arange(len(self.units), self.x.shape[1])


def panel_arrays(frame: pd.DataFrame) -> PanelArrays:
    """``frame`` (``unit, year, y``) as arrays of ``y ~ C(unit) + C(year)``.

    Rows are put in an order that does not depend on unit names (by unit mean, then year), so the
    seeded simulation behind the cautious ρ — and so every number — is the same whatever the units
    are called or however the rows are sorted.
    """
    mean = frame.groupby("unit")["y"].transform("mean")
    frame = frame.assign(_m=mean).sort_values(["_m", "unit", "year"], kind="mergesort").reset_index(drop=True)
    units = tuple(sorted(pd.unique(frame["unit"])))
    years = tuple(sorted(int(y) for y in pd.unique(frame["year"])))
    u_of = {u: i for i, u in enumerate(units)}
    t_of = {t: i for i, t in enumerate(years)}
    ui = frame["unit"].map(u_of).to_numpy()
    ti = frame["year"].map(t_of).to_numpy()
    x_full, _ = _design(ui, ti, len(units), len(years))
    s = ar1_structure(ui, frame["year"].to_numpy())
    return PanelArrays(y=frame["y"].to_numpy(float), x=x_full, s=s, units=units, years=years,
                       rows=frame.drop(columns="_m"))


def fit_panel(frame: pd.DataFrame, *, caution: float = DIFF_CAUTION, n_sim: int = 99,
              seed: int = 20250701, pool: PooledRho | None = None,
              pool_caution: float = POOL_CAUTION) -> PanelFit:
    """Fit ``y ~ C(unit) + C(year)`` with AR(1) errors; ``frame`` has columns ``unit, year, y``.

    The caller has checked: ≥ 2 units, ≥ 2 years, unique (unit, year), full-rank design. The test's
    ρ is ``pool.for_panel(own ρ̂, its SD, pool_caution)`` when a pooled ρ is given, else this
    panel's cautious ρ.
    """
    a = panel_arrays(frame)
    units, years, x_full, y, s = a.units, a.years, a.x, a.y, a.s
    unit_cols, year_cols = a.unit_cols, a.year_cols
    if pool is not None:
        fit = fit_ar1(y, x_full, s)  # this panel's own ρ̂, reported beside the pooled one
        used = fit_ar1(y, x_full, s, rho=pool.for_panel(*reml_rho(y, x_full, s), caution=pool_caution))
        w = wald_test(used, unit_cols)
        unit_test = FTest(statistic=w.statistic, df1=w.df1, df2=w.df2, p=w.p, method="pooled_wald",
                          rho_sim=used.rho)
    else:
        unit_test, fit, used = cautious_wald(y, x_full, s, unit_cols, caution=caution, n_sim=n_sim, seed=seed)
    year_test = wald_test(used, year_cols)
    k = len(units)
    lmat = np.zeros((k, x_full.shape[1]))
    lmat[:, 0] = 1.0
    lmat[:, year_cols] = 1.0 / len(years)
    lmat[np.arange(1, k), np.arange(1, k)] = 1.0
    ls_mean = lmat @ used.beta
    # the diagonal of L·V·Lᵀ as row sums of (L·V)∘L: one matrix product (a three-operand einsum
    # loops in C over pairs × p² — 60 ms for 4 950 pairs at 100 units)
    ls_se = np.sqrt(np.sum((lmat @ used.cov) * lmat, axis=1))
    i_idx, j_idx = np.triu_indices(k, 1)
    contrast = lmat[j_idx] - lmat[i_idx]
    diff = contrast @ used.beta
    diff_se = np.sqrt(np.sum((contrast @ used.cov) * contrast, axis=1))
    return PanelFit(units=units, years=years, unit_test=unit_test, year_test=year_test, rho=fit.rho,
                    rho_used=used.rho, ls_mean=ls_mean, ls_se=ls_se, pair_i=i_idx, pair_j=j_idx, diff=diff,
                    diff_se=diff_se, df_resid=used.df_resid, rho_at_bound=fit.rho_at_bound,
                    rho_source="store" if pool is not None else "own")


def t_p(t: np.ndarray, df: float) -> np.ndarray:
    """Two-sided p of t statistics on ``df`` degrees of freedom."""
    return 2.0 * stats.t.sf(np.abs(t), df)
