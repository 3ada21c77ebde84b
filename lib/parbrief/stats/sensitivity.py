"""Sensitivity of a panel comparison to one year or one unit, and the panel's residuals.

Why: with 4–8 yearly scores and 5–30 units, one odd year (a method change, a hard year) or one
odd unit can carry a whole test. :func:`leave_one_out` refits any panel test (a function
returning a :class:`~parbrief.stats.differences.DifferenceResult`, e.g. ``panel_differences``)
without each year, or each unit, and reports the primary test's statistic and p per refit;
:func:`panel_residuals` gives the residuals of the additive mean structure
``value ~ C(unit) + C(year)`` (statsmodels OLS) and :func:`gls_residuals` those of the difference
test's own GLS with AR(1) errors (normalized residuals, as nlme), on which residual and QQ plots and
the most extreme year and unit are judged. Pure functions: numbers only, no prose.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from parbrief.stats._frames import numeric, require_columns
from parbrief.stats.differences import _panel_frame
from parbrief.stats.panel_gls import panel_arrays
from parbrief.stats.serial import fit_ar1, whiten

__all__ = ["gls_residuals", "leave_one_out", "most_extreme", "panel_residuals"]


def panel_residuals(scores: pd.DataFrame, value: str = "total") -> pd.DataFrame:
    """Residuals of ``value ~ C(unit) + C(year)`` (OLS): columns ``unit, year, value, fitted,
    resid, std_resid`` (internally studentized). Empty when the model cannot be fitted
    (fewer than 2 units or years, or no residual df)."""
    require_columns(scores, ["unit", "year", value], "scores")
    f = pd.DataFrame({"unit": scores["unit"].astype(str).to_numpy(),
                      "year": pd.to_numeric(scores["year"], errors="coerce").to_numpy(),
                      "value": numeric(scores, value).to_numpy()}).dropna()
    cols = ["unit", "year", "value", "fitted", "resid", "std_resid"]
    n_u, n_y = f["unit"].nunique(), f["year"].nunique()
    if n_u < 2 or n_y < 2 or len(f) - n_u - n_y + 1 < 1:
        return pd.DataFrame(columns=cols)
    f["year"] = f["year"].astype("int64")
    codes = {u: f"u{i:04d}" for i, u in enumerate(sorted(f["unit"].unique()))}
    f["uc"] = f["unit"].map(codes)
    fit = smf.ols("value ~ C(uc) + C(year)", data=f).fit()
    f["fitted"] = fit.fittedvalues.to_numpy()
    f["resid"] = fit.resid.to_numpy()
    infl = fit.get_influence()
    with np.errstate(all="ignore"):
        f["std_resid"] = np.asarray(infl.resid_studentized_internal, float)
    return f[cols].reset_index(drop=True)


def gls_residuals(scores: pd.DataFrame, value: str = "total", *, rho: float, breaks: Sequence[float] = (),
                  scale: str = "auto") -> pd.DataFrame:
    """Residuals of the difference test's own model: ``value ~ unit + year`` by GLS at ``rho`` (the ρ
    the test used, ``DifferenceResult.serial["rho_used"]``), on the scale the test used.

    Columns ``unit, year, value, fitted, resid, std_resid``: ``resid`` = value − fitted,
    ``std_resid`` = the normalized residual (whitened by the AR(1) correlation and divided by σ̂),
    which is iid N(0, 1) when the model holds — ``residuals(gls_fit, type = "normalized")`` in nlme.
    Empty when the model cannot be fitted.
    """
    cols = ["unit", "year", "value", "fitted", "resid", "std_resid"]
    frame, _ = _panel_frame(scores, value, breaks, scale, [])
    n_u, n_y = frame["unit"].nunique(), frame["year"].nunique()
    if n_u < 2 or n_y < 2 or len(frame) - n_u - n_y + 1 < 1 or frame.duplicated(["unit", "year"]).any():
        return pd.DataFrame(columns=cols)
    a = panel_arrays(frame)
    fit = fit_ar1(a.y, a.x, a.s, rho=rho)
    fitted = a.x @ fit.beta
    resid = a.y - fitted
    norm, _ = whiten(resid, rho, a.s)
    out = a.rows.rename(columns={"y": "value"}).assign(fitted=fitted, resid=resid,
                                                      std_resid=norm / np.sqrt(fit.sigma2))
    return out.sort_values(["unit", "year"])[cols].reset_index(drop=True)


def most_extreme(residuals: pd.DataFrame) -> tuple[int | None, str | None]:
    """The year and the unit with the largest mean absolute residual (None when empty)."""
    if residuals.empty:
        return None, None
    a = residuals.assign(a=residuals["resid"].abs())
    year = int(a.groupby("year")["a"].mean().idxmax())
    unit = str(a.groupby("unit")["a"].mean().idxmax())
    return year, unit


def leave_one_out(
    scores: pd.DataFrame, test: Callable[[pd.DataFrame], object], by: str = "year"
) -> pd.DataFrame:
    """Refit ``test`` without each level of ``by`` (``year`` or ``unit``) in turn.

    ``test(frame)`` must return a result with ``tests`` whose primary carries ``statistic``,
    ``df``, ``p``, ``effect`` and ``significant`` (every :class:`DifferenceResult` does). Columns:
    ``left_out, test, ok, statistic, df1, df2, p, effect, significant``; the first row
    (``left_out`` = None) is the fit on all the data.
    """
    if by not in ("year", "unit"):
        raise ValueError(f"by must be 'year' or 'unit', got {by!r}")
    rows = []
    levels = [None] + sorted(scores[by].dropna().unique().tolist(), key=str)
    for level in levels:
        sub = scores if level is None else scores[scores[by] != level]
        res = test(sub)
        prim = next(t for t in res.tests if t.role == "primary")  # type: ignore[attr-defined]
        s = prim.summary()
        rows.append({"left_out": level, "test": s["test"], "ok": s["ok"], "statistic": s["statistic"],
                     "df1": s["df1"], "df2": s["df2"], "p": s["p"], "effect": s["effect"],
                     "significant": s["significant"]})
    out = pd.DataFrame(rows)
    out["left_out"] = pd.Series([None if v is None else (v.item() if hasattr(v, "item") else v) for v in levels],
                                dtype=object)
    out["p"] = out["p"].astype(float)
    return out
