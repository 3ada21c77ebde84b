"""Post-hoc pairwise comparisons: Tukey HSD, Games-Howell, Dunn; p-value adjustment.

* :func:`tukey_hsd` is the fast path for ``statsmodels.stats.multicomp.pairwise_tukeyhsd``
  (``use_var="equal"``: Tukey HSD / Tukey-Kramer; ``"unequal"``: Games-Howell, statsmodels ≥ 0.15).
  It reproduces statsmodels' arithmetic step by step (group means, pooled or per-group variances,
  Welch-Satterthwaite df per pair, ``q = |diff| / sqrt(var_pair / 2)``, p = studentized-range
  upper tail, CI = diff ± q_crit · sqrt(var_pair / 2), reject = q > q_crit) and only replaces
  scipy's one-value-at-a-time studentized range with the vectorized :mod:`._srange`.
  :func:`tukey_hsd_reference` calls statsmodels itself; the tests assert both agree to 1e-10.
* :func:`dunn` is hand-written (scikit-posthocs is not a dependency): Dunn (1964), z statistics
  on mean ranks of the pooled ranking with the tie-corrected variance
  ``σ² = N(N+1)/12 − Σ(t³ − t) / (12(N − 1))`` (Dunn 1964; Zar 2010, eq. 11.28; the same formula
  as scikit-posthocs ``posthoc_dunn`` and R ``dunn.test``), two-sided normal p-values, then Holm
  (or another method of :func:`p_adjust`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from parbrief.stats._results import Pairwise
from parbrief.stats._srange import ptukey_sf, qtukey

__all__ = ["ADJUST_METHODS", "dunn", "games_howell", "p_adjust", "tukey_hsd", "tukey_hsd_reference"]

#: Accepted names for p-value adjustment → statsmodels ``multipletests`` method.
ADJUST_METHODS = {
    "holm": "holm",
    "bh": "fdr_bh",
    "fdr_bh": "fdr_bh",
    "bonferroni": "bonferroni",
    "none": None,
}


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values: cummax of (m − i) p₍ᵢ₎ in sorted order, ≤ 1.

    Hand-written (three lines) because statsmodels' ``multipletests(method="holm")`` runs
    ``gc.collect()`` on every call (≈ 70 ms in a large process, once per brief section); the
    tests check it against ``multipletests`` to 1e-15.
    """
    m = len(p)
    order = np.argsort(p, kind="mergesort")
    adj = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(m, 0, -1)))
    out = np.empty(m)
    out[order] = adj
    return out


def p_adjust(p: Sequence[float] | np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjusted p-values; NaNs are kept and not counted in the family.

    ``method``: ``holm`` (Holm 1979 step-down, controls the family-wise error; hand-written, see
    :func:`_holm`), ``bh``/``fdr_bh`` (Benjamini-Hochberg, controls the false discovery rate),
    ``bonferroni`` (both statsmodels ``multipletests``) or ``none``.
    """
    if method not in ADJUST_METHODS:
        raise ValueError(f"unknown adjustment {method!r}; use one of {sorted(ADJUST_METHODS)}")
    p = np.asarray(p, float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    sm = ADJUST_METHODS[method]
    if ok.any():
        if sm is None:
            out[ok] = p[ok]
        elif sm == "holm":
            out[ok] = _holm(p[ok])
        else:
            out[ok] = multipletests(p[ok], method=sm)[1]
    return out


def _groups(values, groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.asarray(values, float)
    g = np.asarray([str(x) for x in groups], dtype=object)
    if y.shape != g.shape:
        raise ValueError(f"values ({y.shape[0]}) and groups ({g.shape[0]}) differ in length")
    labels, inv = np.unique(g, return_inverse=True)
    if len(labels) < 2:
        raise ValueError("2 or more groups are needed for pairwise comparisons")
    return y, labels, inv


def _frame(labels, n, est, i, j, diff, se, stat, df, lo, hi, p, p_adj, reject) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group1": pd.array(labels[i].astype(str), dtype="str"),
            "group2": pd.array(labels[j].astype(str), dtype="str"),
            "n1": n[i].astype("int64"),
            "n2": n[j].astype("int64"),
            "estimate1": est[i],
            "estimate2": est[j],
            "diff": diff,
            "se": se,
            "statistic": stat,
            "df": np.broadcast_to(np.asarray(df, float), diff.shape).copy(),
            "ci_low": lo,
            "ci_high": hi,
            "p": p,
            "p_adj": p_adj,
            "reject": np.asarray(reject, bool),
        }
    )


def tukey_hsd(values, groups, alpha: float = 0.05, use_var: str = "equal") -> Pairwise:
    """All-pairs Tukey HSD (``use_var="equal"``) or Games-Howell (``"unequal"``), fast and exact.

    Method: as ``statsmodels`` ``pairwise_tukeyhsd(values, groups, alpha, use_var)``. Tukey HSD
    (Tukey-Kramer for unequal n) assumes normal errors with one common variance (pooled MSE,
    df = N − k); Games-Howell (1976) drops the equal-variance assumption: per-pair variance
    s_i²/n_i + s_j²/n_j with Welch-Satterthwaite df, and needs n ≥ 2 in every group. ``diff`` is
    mean(group2) − mean(group1), groups in sorted order; ``p_adj`` is the studentized-range
    p-value (family-wise error controlled over all pairs), ``p`` the unadjusted t-test p-value.
    """
    if use_var not in ("equal", "unequal"):
        raise ValueError(f"use_var must be 'equal' or 'unequal', got {use_var!r}")
    y, labels, inv = _groups(values, groups)
    k = len(labels)
    n = np.bincount(inv).astype(float)
    means = np.bincount(inv, weights=y) / n
    demeaned = y - means[inv]
    i, j = np.triu_indices(k, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if use_var == "equal":
            var = np.var(demeaned, ddof=k)
            var_pairs = var * (1.0 / n[i] + 1.0 / n[j]) / 2.0
            df = np.full(i.shape, n.sum() - k)
        else:
            v = np.bincount(inv, weights=demeaned**2) / (n - 1)
            a, b = v[i] / n[i], v[j] / n[j]
            varjoint = a + b
            df = varjoint**2 / (a**2 / (n[i] - 1) + b**2 / (n[j] - 1))
            var_pairs = varjoint / 2.0
        std_pairs = np.sqrt(var_pairs)
        diff = means[j] - means[i]
        q = np.abs(diff) / std_pairs
    p_adj = np.atleast_1d(ptukey_sf(q, k, df))
    if use_var == "equal":
        q_crit = np.full(i.shape, float(qtukey(1 - alpha, k, df[0])))
    else:
        q_crit = np.atleast_1d(qtukey(1 - alpha, k, df))
    crit = std_pairs * q_crit
    p_raw = 2.0 * stats.t.sf(q / np.sqrt(2.0), df)
    name = "Tukey HSD" if use_var == "equal" else "Games-Howell"
    frame = _frame(
        labels, n, means, i, j, diff, std_pairs * np.sqrt(2.0), q, df, diff - crit, diff + crit, p_raw, p_adj, q > q_crit
    )
    return Pairwise(
        method="tukey_hsd" if use_var == "equal" else "games_howell",
        name=name,
        adjust="tukey",
        alpha=alpha,
        ci_method="tukey" if use_var == "equal" else "games_howell",
        estimate="mean",
        frame=frame,
    )


def games_howell(values, groups, alpha: float = 0.05) -> Pairwise:
    """Games-Howell pairwise comparisons: :func:`tukey_hsd` with ``use_var="unequal"``."""
    return tukey_hsd(values, groups, alpha=alpha, use_var="unequal")


def tukey_hsd_reference(values, groups, alpha: float = 0.05, use_var: str = "equal") -> Pairwise:
    """The reference call: ``statsmodels`` ``pairwise_tukeyhsd`` (slow: scipy per pair), same table.

    Kept to test :func:`tukey_hsd` against and for anyone who wants the library's own numbers.
    """
    from statsmodels.stats.multicomp import pairwise_tukeyhsd

    y, labels, inv = _groups(values, groups)
    g = labels[inv]
    res = pairwise_tukeyhsd(y, g, alpha=alpha, use_var=use_var)
    k = len(labels)
    n = np.bincount(inv).astype(float)
    means = np.bincount(inv, weights=y) / n
    i, j = np.triu_indices(k, 1)
    df = np.broadcast_to(np.asarray(res.df_total, float), i.shape)
    q = np.abs(res.meandiffs) / res.std_pairs
    p_raw = 2.0 * stats.t.sf(q / np.sqrt(2.0), df)
    frame = _frame(
        labels,
        n,
        means,
        i,
        j,
        np.asarray(res.meandiffs, float),
        np.asarray(res.std_pairs, float) * np.sqrt(2.0),
        q,
        df,
        res.confint[:, 0],
        res.confint[:, 1],
        p_raw,
        np.asarray(res.pvalues, float),
        np.asarray(res.reject, bool),
    )
    return Pairwise(
        method="tukey_hsd" if use_var == "equal" else "games_howell",
        name="Tukey HSD" if use_var == "equal" else "Games-Howell",
        adjust="tukey",
        alpha=alpha,
        ci_method="tukey" if use_var == "equal" else "games_howell",
        estimate="mean",
        frame=frame,
    )


def dunn(values, groups, alpha: float = 0.05, adjust: str = "holm") -> Pairwise:
    """Dunn's (1964) all-pairs test on mean ranks, with tie correction and Holm adjustment.

    Method: rank all values together (average ranks for ties); for groups i, j
    ``z = (R̄_j − R̄_i) / sqrt(σ² (1/n_i + 1/n_j))`` with ``σ² = N(N+1)/12 − Σ(t³−t)/(12(N−1))``
    (t = size of each tie group), two-sided normal p-values, adjusted with ``adjust``
    (default Holm). Assumes independent observations; compares distributions (mean ranks),
    the natural follow-up of a Kruskal-Wallis test. ``diff`` is the mean-rank difference; no CI.
    """
    y, labels, inv = _groups(values, groups)
    k = len(labels)
    ranks = stats.rankdata(y)
    big_n = float(len(y))
    n = np.bincount(inv).astype(float)
    mean_rank = np.bincount(inv, weights=ranks) / n
    _, tie_counts = np.unique(y, return_counts=True)
    ties = float(np.sum(tie_counts.astype(float) ** 3 - tie_counts))
    sigma2 = big_n * (big_n + 1) / 12.0 - ties / (12.0 * (big_n - 1))
    i, j = np.triu_indices(k, 1)
    diff = mean_rank[j] - mean_rank[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(sigma2 * (1.0 / n[i] + 1.0 / n[j]))
        z = diff / se
    p = 2.0 * stats.norm.sf(np.abs(z))
    p_adj = p_adjust(p, adjust)
    nan = np.full(diff.shape, np.nan)
    frame = _frame(labels, n, mean_rank, i, j, diff, se, z, np.inf, nan, nan, p, p_adj, p_adj < alpha)
    return Pairwise(
        method="dunn",
        name=f"Dunn ({adjust})",
        adjust=adjust,
        alpha=alpha,
        ci_method="none",
        estimate="mean_rank",
        frame=frame,
    )
