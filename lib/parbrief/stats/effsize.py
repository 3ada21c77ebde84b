"""Effect sizes: how large a difference is, beside whether it is significant.

Formulas (hand-written where no installed library exposes them publicly; each is one line):

* ω² from an F test: ``df1 (F − 1) / (df1 F + df2 + 1)`` (Hays; the same as R ``effectsize``
  ``F_to_omega2`` and statsmodels' ``omega2_alt``); for classic one-way ANOVA this equals
  ``(SS_b − df_b MS_w) / (SS_t + MS_w)``. Used with Welch's F and df too, as ``effectsize`` does.
* partial ω² in a multi-factor model: ``df (F − 1) / (df (F − 1) + N)`` (Olejnik & Algina 2003).
* partial η²: ``SS_effect / (SS_effect + SS_error)``; its CI and ω²'s CI come from statsmodels
  ``confint_effectsize_oneway`` (noncentral F inversion).
* ε² for Kruskal-Wallis: ``H / (N − 1)`` (= H / ((N² − 1)/(N + 1)); Tomczak & Tomczak 2014).
* Kendall's W for Friedman: ``χ² / (n_blocks (k − 1))``.
* Hedges' g: Cohen's d with the pooled SD times the exact small-sample correction
  ``J = Γ(df/2) / (√(df/2) Γ((df − 1)/2))``; CI by inverting the noncentral t distribution
  (Steiger & Fouladi 1997), as R ``effectsize::hedges_g``.
* rank-biserial r from Mann-Whitney U: ``2 U₂ / (n₁ n₂) − 1`` (Kerby 2014; positive when the
  second group tends to be larger).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats
from statsmodels.stats.oneway import confint_effectsize_oneway

__all__ = [
    "epsilon_squared",
    "eta2_ci",
    "hedges_g",
    "kendall_w",
    "omega2_ci",
    "omega_squared",
    "partial_omega_squared",
    "rank_biserial",
]


def omega_squared(f: float, df1: float, df2: float) -> float:
    """ω² from an F statistic and its degrees of freedom (may be negative: raw estimate)."""
    return float(df1 * (f - 1.0) / (df1 * f + df2 + 1.0))


def partial_omega_squared(f: float, df_effect: float, n_obs: int) -> float:
    """Partial ω² of one effect in a multi-factor fixed-effects model (Olejnik & Algina 2003)."""
    num = df_effect * (f - 1.0)
    return float(num / (num + n_obs))


def omega2_ci(f: float, df1: float, df2: float, alpha: float = 0.05) -> tuple[float, float]:
    """Two-sided (1 − alpha) CI of ω² (statsmodels ``confint_effectsize_oneway``), floored at 0."""
    ci = confint_effectsize_oneway(f, (df1, df2), alpha=alpha, nobs=df1 + df2 + 1).ci_omega2
    return (max(0.0, float(ci[0])), max(0.0, float(ci[1])))


def eta2_ci(f: float, df1: float, df2: float, alpha: float = 0.05) -> tuple[float, float]:
    """Two-sided (1 − alpha) CI of (partial) η² from F (statsmodels ``confint_effectsize_oneway``)."""
    ci = confint_effectsize_oneway(f, (df1, df2), alpha=alpha, nobs=df1 + df2 + 1).eta2
    return (max(0.0, float(ci[0])), max(0.0, float(ci[1])))


def epsilon_squared(h: float, n_obs: int) -> float:
    """ε² = H / (N − 1) for a Kruskal-Wallis H on N observations."""
    return float(h / (n_obs - 1.0))


def kendall_w(chi2: float, n_blocks: int, k: int) -> float:
    """Kendall's coefficient of concordance W from a Friedman χ² (n blocks, k treatments)."""
    return float(chi2 / (n_blocks * (k - 1.0)))


def _ncp_bound(t_obs: float, df: float, target: float) -> float:
    """Noncentrality ncp with ``nct.cdf(t_obs, df, ncp) = target`` (cdf decreases in ncp)."""

    def f(ncp: float) -> float:
        c = float(stats.nct.cdf(t_obs, df, ncp))
        if not math.isfinite(c):  # scipy returns NaN far in the tails: the limit is 0 or 1
            c = 0.0 if ncp > t_obs else 1.0
        return c - target

    lo, hi = t_obs - 10.0, t_obs + 10.0
    while f(lo) < 0:
        lo -= 10.0 + abs(lo)
    while f(hi) > 0:
        hi += 10.0 + abs(hi)
    return float(optimize.brentq(f, lo, hi, xtol=1e-12))


def hedges_g(x1, x2, alpha: float = 0.05) -> tuple[float, tuple[float, float]]:
    """Hedges' g of ``mean(x2) − mean(x1)`` in pooled-SD units, with its (1 − alpha) CI.

    Assumes two independent samples with a common SD (the standardizer); n ≥ 2 in each.
    """
    a, b = np.asarray(x1, float), np.asarray(x2, float)
    n1, n2 = len(a), len(b)
    df = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / df)
    d = (b.mean() - a.mean()) / sp
    j = math.exp(special.gammaln(df / 2) - math.log(math.sqrt(df / 2)) - special.gammaln((df - 1) / 2))
    scale = math.sqrt(1 / n1 + 1 / n2)
    t_obs = d / scale
    lo = _ncp_bound(t_obs, df, 1 - alpha / 2) * scale
    hi = _ncp_bound(t_obs, df, alpha / 2) * scale
    return float(j * d), (float(j * lo), float(j * hi))


def rank_biserial(u2: float, n1: int, n2: int) -> float:
    """Rank-biserial correlation from U of the second sample: P(X2 > X1) − P(X2 < X1)."""
    return float(2.0 * u2 / (n1 * n2) - 1.0)
