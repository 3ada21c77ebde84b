"""Effect sizes: how large a difference is, beside whether it is significant.

Formulas (hand-written where no installed library exposes them publicly; each is one line):

* ω² from an F test: ``df1 (F − 1) / (df1 F + df2 + 1)`` (Hays; the same as R ``effectsize``
  ``F_to_omega2`` and statsmodels' ``omega2_alt``); for classic one-way ANOVA this equals
  ``(SS_b − df_b MS_w) / (SS_t + MS_w)``. Used with Welch's F and df too, as ``effectsize`` does.
* partial ω² in a multi-factor model: ``df (F − 1) / (df (F − 1) + N)`` (Olejnik & Algina 2003).
* partial η²: ``SS_effect / (SS_effect + SS_error)`` = ``F df1 / (F df1 + df2)``.
* CIs of η², ω², ε² (:func:`pve_ci`): R ``effectsize`` 0.8.3's construction (noncentral-F λ
  interval at the F implied by the estimate, mapped by ``λ / (λ + df2)``), hand-written because
  statsmodels maps λ with the one-way ``λ / (λ + df1 + df2 + 1)``, wrong for a partial η² of a
  multi-factor model. Convention: **two-sided 95%** (R ``alternative = "two.sided"``), not R's
  default one-sided ``"greater"`` whose upper bound is always 1; the interval contains the estimate.
* ε² for Kruskal-Wallis: ``H / (N − 1)`` (= H / ((N² − 1)/(N + 1)); Tomczak & Tomczak 2014).
* Kendall's W for Friedman: ``χ² / (n_blocks (k − 1))``.
* Hedges' g: Cohen's d with the pooled SD (Student) or the average-variance SD (Welch) times the exact small-sample correction
  ``J = Γ(df/2) / (√(df/2) Γ((df − 1)/2))``; CI by inverting the noncentral t distribution
  (Steiger & Fouladi 1997), as R ``effectsize::hedges_g``.
* rank-biserial r from Mann-Whitney U: ``2 U₂ / (n₁ n₂) − 1`` (Kerby 2014; positive when the
  second group tends to be larger).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
from scipy import optimize, special, stats

__all__ = [
    "EffectSize",
    "epsilon2_ci",
    "epsilon2_from_f",
    "epsilon_squared",
    "eta2_ci",
    "eta2_from_f",
    "partial_eta2_ci",
    "pve_ci",
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


def _ncf_lambda(f: float, df1: float, df2: float, target: float) -> float:
    """Noncentrality λ ≥ 0 with ``ncf.cdf(f, df1, df2, λ) = target`` (the cdf decreases in λ).

    0 when even λ = 0 gives a cdf ≤ target; NaN when no bracket is found within 200 doublings
    (bounded search: never loops forever).
    """
    def g(lam: float) -> float:
        c = float(stats.ncf.cdf(f, df1, df2, lam)) if lam > 0 else float(stats.f.cdf(f, df1, df2))
        return c - target

    if g(0.0) <= 0:
        return 0.0
    hi = max(10.0, 2.0 * f * df1 + 10.0)
    for _ in range(200):
        if g(hi) < 0:
            break
        hi *= 2.0
    else:
        return math.nan
    try:
        return float(optimize.brentq(g, 0.0, hi, xtol=1e-10, rtol=1e-12, maxiter=500))
    except (RuntimeError, ValueError):
        return math.nan


def pve_ci(es: float, df1: float, df2: float, alpha: float = 0.05,
           alternative: str = "two.sided") -> tuple[float, float]:
    """CI of a proportion of variance explained (η², ω², ε², partial or not), as R ``effectsize``.

    R ``effectsize`` 0.8.3 (``F_to_eta2``/``omega_squared``/…): the estimate ``es`` is turned
    into the F it would have as an η², ``F* = (es/df1) / ((1 − es)/df2)``; the noncentral-F
    interval of λ at ``F*`` (each tail ``alpha/2``) is mapped back by ``λ / (λ + df2)``.
    ``alternative="two.sided"`` (our default; R: ``alternative = "two.sided"``) gives a two-sided
    (1 − alpha) interval; ``"greater"`` is R's default: lower bound of the two-sided (1 − 2 alpha)
    interval and upper bound 1. The bounds are clamped so the interval always contains ``es``
    (they do by construction; the clamp only guards rounding). NaN bounds when inputs are not
    finite or df ≤ 0.
    """
    if alternative not in ("two.sided", "greater"):
        raise ValueError(f"alternative must be two.sided or greater, got {alternative!r}")
    if not all(math.isfinite(x) for x in (es, df1, df2, alpha)) or df1 <= 0 or df2 <= 0 or not 0 < alpha < 1:
        return (math.nan, math.nan)
    es = min(max(es, 0.0), 1.0)
    a = 2 * alpha if alternative == "greater" else alpha
    if es >= 1.0:
        return (1.0, 1.0)
    fstar = (es / df1) / ((1.0 - es) / df2)
    lam_lo = _ncf_lambda(fstar, df1, df2, 1 - a / 2)
    lam_hi = _ncf_lambda(fstar, df1, df2, a / 2)
    lo = lam_lo / (lam_lo + df2) if math.isfinite(lam_lo) else math.nan
    hi = lam_hi / (lam_hi + df2) if math.isfinite(lam_hi) else math.nan
    if alternative == "greater":
        hi = 1.0
    if math.isfinite(lo):
        lo = min(lo, es)
    if math.isfinite(hi):
        hi = max(hi, es)
    return (float(lo), float(hi))


def eta2_from_f(f: float, df1: float, df2: float) -> float:
    """(Partial) η² from F: ``F df1 / (F df1 + df2)`` (= SS_effect / (SS_effect + SS_error))."""
    return float(f * df1 / (f * df1 + df2))


def epsilon2_from_f(f: float, df1: float, df2: float) -> float:
    """(Partial) ε² from F: ``df1 (F − 1) / (F df1 + df2)`` (raw; may be negative), R ``F_to_epsilon2``."""
    return float(df1 * (f - 1.0) / (f * df1 + df2))


def partial_eta2_ci(f: float, df1: float, df2: float, alpha: float = 0.05,
                    alternative: str = "two.sided") -> tuple[float, float]:
    """CI of (partial) η² from an F test (any model: ANOVA, GLS Wald F), R ``F_to_eta2``."""
    if not all(math.isfinite(x) for x in (f, df1, df2)) or f < 0 or df1 <= 0 or df2 <= 0:
        return (math.nan, math.nan)
    return pve_ci(eta2_from_f(f, df1, df2), df1, df2, alpha, alternative)


#: Backward-compatible name of :func:`partial_eta2_ci`.
eta2_ci = partial_eta2_ci


def omega2_ci(f: float, df1: float, df2: float, alpha: float = 0.05,
              alternative: str = "two.sided") -> tuple[float, float]:
    """CI of (partial) ω² from F, R ``F_to_omega2`` (ω² truncated at 0 first, as R does)."""
    if not all(math.isfinite(x) for x in (f, df1, df2)) or f < 0 or df1 <= 0 or df2 <= 0:
        return (math.nan, math.nan)
    return pve_ci(max(0.0, omega_squared(f, df1, df2)), df1, df2, alpha, alternative)


def epsilon2_ci(f: float, df1: float, df2: float, alpha: float = 0.05,
                alternative: str = "two.sided") -> tuple[float, float]:
    """CI of (partial) ε² from F, R ``F_to_epsilon2`` (ε² truncated at 0 first, as R does)."""
    if not all(math.isfinite(x) for x in (f, df1, df2)) or f < 0 or df1 <= 0 or df2 <= 0:
        return (math.nan, math.nan)
    return pve_ci(max(0.0, epsilon2_from_f(f, df1, df2)), df1, df2, alpha, alternative)


def epsilon_squared(h: float, n_obs: int) -> float:
    """ε² = H / (N − 1) for a Kruskal-Wallis H on N observations."""
    return float(h / (n_obs - 1.0))


def kendall_w(chi2: float, n_blocks: int, k: int) -> float:
    """Kendall's coefficient of concordance W from a Friedman χ² (n blocks, k treatments)."""
    return float(chi2 / (n_blocks * (k - 1.0)))


def _ncp_bound(t_obs: float, df: float, target: float) -> float:
    """Noncentrality ncp with ``nct.cdf(t_obs, df, ncp) = target`` (cdf decreases in ncp).

    Bounded: the bracket grows at most 200 times and brentq stops after 500 iterations; NaN when
    no root is found (never loops forever, e.g. for an infinite t).
    """
    if not (math.isfinite(t_obs) and math.isfinite(df) and df > 0):
        return math.nan

    def f(ncp: float) -> float:
        c = float(stats.nct.cdf(t_obs, df, ncp))
        if not math.isfinite(c):  # scipy returns NaN far in the tails: the limit is 0 or 1
            c = 0.0 if ncp > t_obs else 1.0
        return c - target

    step = 10.0 + abs(t_obs)
    lo, hi = t_obs - step, t_obs + step
    for _ in range(200):
        if f(lo) >= 0:
            break
        lo -= step
        step *= 2.0
    else:
        return math.nan
    step = 10.0 + abs(t_obs)
    for _ in range(200):
        if f(hi) <= 0:
            break
        hi += step
        step *= 2.0
    else:
        return math.nan
    try:
        return float(optimize.brentq(f, lo, hi, xtol=1e-12, maxiter=500))
    except (RuntimeError, ValueError):
        return math.nan


@dataclass(frozen=True)
class EffectSize:
    """An effect size with its CI, or a record that it could not be computed (``ok=False``).

    ``ci`` is ``(nan, nan)`` when no interval was computed; ``reason_code`` says why the estimate
    could not be computed (``too_few_values``, ``non_finite_values``, ``zero_variance``) or, with
    ``ok=True``, why only the interval is missing (``ci_not_found``). ``detail`` holds numbers.
    """

    name: str
    estimate: float
    ci: tuple[float, float] = (math.nan, math.nan)
    ok: bool = True
    reason_code: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ci_low(self) -> float:
        return self.ci[0]

    @property
    def ci_high(self) -> float:
        return self.ci[1]


def hedges_g(x1, x2, alpha: float = 0.05, *, pooled_sd: bool = True) -> EffectSize:
    """Hedges' g of ``mean(x2) − mean(x1)`` with its two-sided (1 − alpha) CI, as R ``effectsize``.

    ``pooled_sd=True`` (Student's t): standardizer = pooled SD, df = n1 + n2 − 2.
    ``pooled_sd=False`` (Welch's t; R ``hedges_g(pooled_sd = FALSE)``): standardizer
    ``sqrt((s1² + s2²)/2)``, Welch-Satterthwaite df; the CI inverts the noncentral t at the Welch
    t and rescales by ``sqrt(hn)``, ``hn = 2 (n2 s1² + n1 s2²) / (n1 n2 (s1² + s2²))``. Both times
    the exact correction J(df) (R convention). Degenerate inputs (n < 2 in a group, non-finite
    values, zero variance in both groups) return ``ok=False`` with NaN, never raise or hang.
    """
    a, b = np.asarray(x1, float).ravel(), np.asarray(x2, float).ravel()
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        return EffectSize("hedges_g", math.nan, ok=False, reason_code="too_few_values",
                          detail={"n1": n1, "n2": n2, "min_n": 2})
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return EffectSize("hedges_g", math.nan, ok=False, reason_code="non_finite_values")
    v1, v2 = float(a.var(ddof=1)), float(b.var(ddof=1))
    diff = float(b.mean() - a.mean())
    if pooled_sd:
        df = float(n1 + n2 - 2)
        s = math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / df)
        hn = 1 / n1 + 1 / n2
    else:
        s = math.sqrt((v1 + v2) / 2)
        se2 = v1 / n1 + v2 / n2
        den = (v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1)
        df = se2**2 / den if den > 0 else math.nan
        hn = 2 * (n2 * v1 + n1 * v2) / (n1 * n2 * (v1 + v2)) if v1 + v2 > 0 else math.nan
    if not (s > 0 and math.isfinite(s) and math.isfinite(df) and df > 1):
        return EffectSize("hedges_g", math.nan, ok=False, reason_code="zero_variance")
    d = diff / s
    j = math.exp(special.gammaln(df / 2) - math.log(math.sqrt(df / 2)) - special.gammaln((df - 1) / 2))
    scale = math.sqrt(hn)
    t_obs = d / scale
    lo = _ncp_bound(t_obs, df, 1 - alpha / 2) * scale
    hi = _ncp_bound(t_obs, df, alpha / 2) * scale
    g = j * d
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return EffectSize("hedges_g", float(g), ok=True, reason_code="ci_not_found", detail={"df": df})
    return EffectSize("hedges_g", float(g), (float(min(j * lo, g)), float(max(j * hi, g))), detail={"df": df})


def rank_biserial(u2: float, n1: int, n2: int) -> float:
    """Rank-biserial correlation from U of the second sample: P(X2 > X1) − P(X2 < X1)."""
    return float(2.0 * u2 / (n1 * n2) - 1.0)
