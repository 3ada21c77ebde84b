"""Trends of index scores over the years: per unit, for the province, year on year, ranks.

Methods (see DESIGN.md, "Methods"):

* **OLS slope** of ``value`` on ``year`` (statsmodels ``OLS``), with its t-based (1 − alpha) CI
  and two-sided p. Assumes roughly linear change with independent, equal-variance noise around
  the line; with 4–10 yearly points this is a description of the direction, not a forecast.
  In :func:`unit_trends` ``variance="auto"`` (default) pools one residual variance over the
  screened units — one statsmodels model ``value ~ 0 + C(unit) + C(unit):year``, df = N − 2U —
  only when Bartlett's test of the units' residual variances does not reject equality; otherwise
  each unit keeps its own (n − 2 df). Pooling noisy and quiet units would move false claims onto
  the noisiest (14% vs 5% in a simulation). ``group="unit_type"`` makes one family per unit type
  (districts and departments are scored on different criteria). ``"pooled"`` / ``"unit"`` force
  either. These raw-score tests treat years as independent: the brief does not base claims on
  them (see :mod:`parbrief.stats.standing` for the calibrated standing trends); they are shown on
  the analysts' trend pages.
* **Theil-Sen slope** with its CI (``scipy.stats.theilslopes``: the median of pairwise slopes,
  robust to one odd year) and the **Mann-Kendall** test as Kendall's tau of value vs year
  (``scipy.stats.kendalltau``, ``method="exact"`` for small series without ties; with tied
  values the exact null distribution is not available and the normal approximation is used, with
  a note).
* **Classification** (:func:`unit_trends`): a unit is *improving* (declining) only when its OLS
  slope is positive (negative) **and** its OLS p-value, adjusted across all units screened with
  ``adjust`` (Holm by default, or Benjamini-Hochberg ``"bh"``), is below ``alpha``. Because the
  adjusted p is never smaller than the raw p, the unadjusted (1 − alpha) CI then also excludes 0;
  for Bonferroni the rule is exactly "the (1 − alpha/m) CI excludes 0" and Holm is its step-down
  refinement. The robust view (Theil-Sen sign, Mann-Kendall p) is reported in ``robust_agrees``
  and a note, but does not veto: with n years the exact two-sided Mann-Kendall p can never be
  below 2/n! (0.083 at n = 4, 0.017 at n = 5), so at n = 4 it cannot confirm anything at 5%.
  A series exactly on a line has no error to test (reason ``perfect_fit``).
  Units with fewer than ``min_years`` years are *insufficient* and are not counted in the
  adjustment; a constant series is *no_trend* (``ok=False``, reason ``constant_data``).
* **Method breaks** (``breaks``, e.g. :meth:`parbrief.spec.IndexSpec.breaks`): when the index
  method changed (other fields or maxima), raw scores before and after the change are not on one
  scale, and a line fitted across the change measures the change of method as much as the
  unit. A trend is therefore tested within one method period only: by default the latest period
  in which the series has data (``period="latest"``), the earlier years being left out with a
  ``method_break_excluded`` note; when that period has fewer than ``min_years`` years the result
  is "cannot test" with reason ``method_break`` (``too_few_years`` if the whole series is that
  short). ``period="latest_sufficient"`` instead tests the latest period that has enough years.
  Comparisons *across* a break use :func:`standardized_scores` (within-year ranks and z-scores).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant
from scipy import stats

from parbrief.spec import BandScheme
from parbrief.stats._frames import numeric, require_columns, require_one_province
from parbrief.stats._results import Note, capture_warnings
from parbrief.text.codes import reason_text
from parbrief.stats.posthoc import ADJUST_METHODS, p_adjust
from parbrief.stats.ratings import assign_bands, rank_units, score_changes, vietnamese_sort_key
from parbrief.stats.standing import bartlett_p

__all__ = [
    "CLASSIFICATIONS",
    "PERIOD_RULES",
    "Trend",
    "TrendTable",
    "province_series",
    "province_trend",
    "rank_table",
    "split_by_breaks",
    "standardized_scores",
    "trend_of_series",
    "unit_trends",
    "year_on_year",
]

#: The four classification codes of a trend.
CLASSIFICATIONS = ("improving", "declining", "no_trend", "insufficient")
#: How a trend picks its method period when ``breaks`` are given (see the module docstring).
PERIOD_RULES = ("latest", "latest_sufficient")


@dataclass(frozen=True)
class Trend:
    """The trend of one series (a unit, or the province aggregate) over the years.

    ``slope`` etc. are the OLS results (points per year; ``slope_se``, ``slope_ci``, ``p`` and the
    error ``df`` from the unit's own fit when ``variance="unit"``, from the pooled fit when
    ``"pooled"``), ``theil_*`` the Theil-Sen slope and CI, ``kendall_tau``/``mk_p`` the Mann-Kendall test; ``p_adj`` is the OLS p after the
    adjustment across units (equal to ``p`` for a single series). ``classification`` is one of
    :data:`CLASSIFICATIONS`; ``significant`` is True for improving/declining. When ``ok`` is
    False no test was run (``reason_code``: ``too_few_years``, ``constant_data``,
    ``duplicate_unit_year``) and test numbers are NaN; the descriptive fields (years, values,
    first/last, change) are still filled when there are values.
    """

    unit: str
    value: str
    ok: bool
    classification: str
    n_years: int
    years: tuple[int, ...]
    values: tuple[float, ...]
    first_year: int | None
    last_year: int | None
    first_value: float
    last_value: float
    change: float
    slope: float = math.nan
    slope_se: float = math.nan
    slope_ci: tuple[float, float] = (math.nan, math.nan)
    p: float = math.nan
    p_adj: float = math.nan
    df: float = math.nan
    variance: str = "unit"
    theil_slope: float = math.nan
    theil_ci: tuple[float, float] = (math.nan, math.nan)
    kendall_tau: float = math.nan
    mk_p: float = math.nan
    mk_method: str | None = None
    robust_agrees: bool | None = None
    alpha: float = 0.05
    adjust: str = "holm"
    notes: tuple[Note, ...] = ()
    reason_code: str | None = None
    reason_detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        """True when a trend was called (improving or declining)."""
        return self.classification in ("improving", "declining")

    @property
    def direction(self) -> int:
        """+1 improving, −1 declining, 0 otherwise."""
        return {"improving": 1, "declining": -1}.get(self.classification, 0)

    @property
    def reason(self) -> str | None:
        """The reason no test was run, in English from the locale files (None when it ran)."""
        if self.reason_code is None:
            return None
        return reason_text(self.reason_code, self.reason_detail, "en")

    def summary(self) -> dict[str, Any]:
        """One flat row (for :meth:`TrendTable.to_frame`)."""
        return {
            "unit": self.unit,
            "value": self.value,
            "classification": self.classification,
            "significant": self.significant,
            "ok": self.ok,
            "n_years": self.n_years,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "first_value": self.first_value,
            "last_value": self.last_value,
            "change": self.change,
            "slope": self.slope,
            "slope_se": self.slope_se,
            "slope_ci_low": self.slope_ci[0],
            "slope_ci_high": self.slope_ci[1],
            "p": self.p,
            "p_adj": self.p_adj,
            "df": self.df,
            "variance": self.variance,
            "theil_slope": self.theil_slope,
            "theil_ci_low": self.theil_ci[0],
            "theil_ci_high": self.theil_ci[1],
            "kendall_tau": self.kendall_tau,
            "mk_p": self.mk_p,
            "mk_method": self.mk_method,
            "robust_agrees": self.robust_agrees,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "notes": "; ".join(n.code for n in self.notes),
        }


@dataclass(frozen=True)
class TrendTable:
    """Trends of all units of a province for one score column, with the adjustment applied."""

    value: str
    alpha: float
    adjust: str
    min_years: int
    trends: tuple[Trend, ...]
    variance: str = "pooled"

    @property
    def n_screened(self) -> int:
        """Units tested (enough years, not constant): the size of the adjustment family."""
        return sum(t.ok for t in self.trends)

    def improving(self) -> list[str]:
        """Units classified improving, in table order."""
        return [t.unit for t in self.trends if t.classification == "improving"]

    def declining(self) -> list[str]:
        """Units classified declining, in table order."""
        return [t.unit for t in self.trends if t.classification == "declining"]

    def get(self, unit: str) -> Trend:
        """The trend of one unit (``KeyError`` when absent)."""
        for t in self.trends:
            if t.unit == unit:
                return t
        raise KeyError(f"no unit {unit!r} in the trend table")

    def to_frame(self) -> pd.DataFrame:
        """One row per unit (see :meth:`Trend.summary` for the columns)."""
        return pd.DataFrame([t.summary() for t in self.trends])

    table = to_frame


def _descriptive(unit: str, value: str, years: np.ndarray, vals: np.ndarray) -> dict[str, Any]:
    n = len(years)
    return dict(
        unit=unit,
        value=value,
        n_years=n,
        years=tuple(int(y) for y in years),
        values=tuple(float(v) for v in vals),
        first_year=int(years[0]) if n else None,
        last_year=int(years[-1]) if n else None,
        first_value=float(vals[0]) if n else math.nan,
        last_value=float(vals[-1]) if n else math.nan,
        change=float(vals[-1] - vals[0]) if n >= 2 else math.nan,
    )


def split_by_breaks(years: Sequence[float], breaks: Sequence[float] = ()) -> list[list[int]]:
    """The given years (sorted, de-duplicated) cut into method periods at ``breaks`` (x positions
    such as 2021.5; a year equal to a break counts after it). Empty periods are left out."""
    bs = sorted(float(b) for b in breaks)
    out: list[list[int]] = []
    for y in sorted({int(y) for y in years}):
        if out and _period_index(out[-1][0], bs) == _period_index(y, bs):
            out[-1].append(y)
        else:
            out.append([y])
    return out


def _period_index(year: int, breaks: Sequence[float]) -> int:
    return sum(1 for b in breaks if year >= b)


def _check_period(period: str) -> None:
    if period not in PERIOD_RULES:
        raise ValueError(f"period must be one of {PERIOD_RULES}, got {period!r}")


def _method_period(
    y_arr: np.ndarray, breaks: Sequence[float], min_years: int, period: str
) -> tuple[np.ndarray, Note | None, float | None]:
    """Mask of the years kept (one method period), the exclusion note, and the break before them."""
    bs = sorted(float(b) for b in breaks)
    if not bs or len(y_arr) == 0:
        return np.ones(len(y_arr), dtype=bool), None, None
    idx = np.array([_period_index(int(y), bs) for y in y_arr])
    present = sorted(set(idx.tolist()))
    chosen = present[-1]
    if period == "latest_sufficient":
        enough = [i for i in present if int((idx == i).sum()) >= min_years]
        if enough:
            chosen = enough[-1]
    keep = idx == chosen
    since = bs[chosen - 1] if chosen > 0 else None
    dropped = y_arr[~keep]
    if len(dropped) == 0:
        return keep, None, since
    first_kept, last_kept = int(y_arr[keep].min()), int(y_arr[keep].max())
    note = Note("method_break_excluded", {
        "n_excluded": int(len(dropped)),
        "first_excluded": int(dropped.min()),
        "last_excluded": int(dropped.max()),
        "years": tuple(int(y) for y in dropped),
        "first_used": first_kept,
        "last_used": last_kept,
        "since": int(math.ceil(since)) if since is not None else first_kept,
        "breaks": tuple(bs),
    })
    return keep, note, since


def trend_of_series(
    years,
    values,
    *,
    unit: str = "",
    value: str = "total",
    min_years: int = 4,
    alpha: float = 0.05,
    breaks: Sequence[float] = (),
    period: str = "latest",
) -> Trend:
    """Trend of one series (OLS, Theil-Sen, Mann-Kendall), unadjusted (``p_adj = p``).

    Years with a missing value are dropped (with a note); fewer than ``min_years`` remaining
    years give ``classification="insufficient"``. With ``breaks`` (x positions of method changes)
    only one method period is tested (``period``; see the module docstring): the other years are
    left out with a ``method_break_excluded`` note, and a period shorter than ``min_years`` gives
    reason ``method_break``. See the module docstring for the methods.
    """
    if min_years < 3:
        raise ValueError("min_years must be at least 3 (a slope needs one degree of freedom for its error)")
    _check_period(period)
    y_arr = np.asarray(years, dtype=float)
    v_arr = np.asarray(values, dtype=float)
    notes: list[Note] = []
    keep = np.isfinite(v_arr) & np.isfinite(y_arr)
    if (~keep).sum():
        notes.append(Note("missing_values_dropped", {"n": int((~keep).sum())}))
    y_arr, v_arr = y_arr[keep], v_arr[keep]
    order = np.argsort(y_arr, kind="mergesort")
    y_arr, v_arr = y_arr[order], v_arr[order]
    desc = _descriptive(unit, value, y_arr, v_arr)
    base = dict(desc, alpha=alpha, adjust="none")
    if len(np.unique(y_arr)) != len(y_arr):
        n_dup = int(len(y_arr) - len(np.unique(y_arr)))
        return Trend(ok=False, classification="insufficient", notes=tuple(notes), reason_code="duplicate_unit_year",
                     reason_detail={"n_duplicates": n_dup}, **base)
    n_all = len(y_arr)
    keep, break_note, since = _method_period(y_arr, breaks, min_years, period)
    if break_note is not None:
        y_arr, v_arr = y_arr[keep], v_arr[keep]
        notes.append(break_note)
        desc = _descriptive(unit, value, y_arr, v_arr)
        base = dict(desc, alpha=alpha, adjust="none")
    n = len(y_arr)
    if n >= 2:
        span = int(y_arr[-1] - y_arr[0]) + 1
        if span > n:
            notes.append(Note("gap_years", {"n_gaps": span - n, "first": int(y_arr[0]), "last": int(y_arr[-1])}))
    if n < min_years:
        if break_note is not None and n_all >= min_years:
            return Trend(ok=False, classification="insufficient", notes=tuple(notes), reason_code="method_break",
                         reason_detail={"n_years": n, "min_years": min_years, "since": int(math.ceil(since))
                                        if since is not None else int(y_arr[0]),
                                        "n_excluded": int(n_all - n)}, **base)
        return Trend(ok=False, classification="insufficient", notes=tuple(notes), reason_code="too_few_years",
                     reason_detail={"n_years": n, "min_years": min_years}, **base)
    if np.ptp(v_arr) == 0:
        notes.append(Note("constant_series"))
        return Trend(ok=False, classification="no_trend", slope=0.0, theil_slope=0.0, notes=tuple(notes),
                     reason_code="constant_data", reason_detail={}, **base)
    lib_notes: list[Note] = []
    with capture_warnings(lib_notes):
        x = y_arr - y_arr.mean()
        fit = OLS(v_arr, add_constant(x, has_constant="add")).fit()
        slope = float(fit.params[1])
        resid_ss = float(np.sum(fit.resid**2))
        total_ss = float(np.sum((v_arr - v_arr.mean()) ** 2))
        df_resid = float(fit.df_resid)
        if resid_ss <= 1e-20 * total_ss:
            se, ci, p = 0.0, (slope, slope), 0.0
            perfect = True
        else:
            se = float(fit.bse[1])
            lo, hi = fit.conf_int(alpha=alpha)[1]
            ci, p = (float(lo), float(hi)), float(fit.pvalues[1])
            perfect = False
        ts = stats.theilslopes(v_arr, y_arr, alpha=1 - alpha)
        ties = len(np.unique(v_arr)) < n
        mk_method = "asymptotic" if ties else "exact"
        kt = stats.kendalltau(y_arr, v_arr, method=mk_method)
    if perfect:
        # Points exactly on a line: the slope is exact and a p-value (0) or CI (of width 0) would
        # claim a certainty that four yearly scores cannot give.
        notes.append(Note("perfect_fit"))
        return Trend(ok=False, classification="insufficient", slope=slope, theil_slope=slope, notes=tuple(notes),
                     reason_code="perfect_fit", reason_detail={"n_years": n}, **base)
    notes.extend(lib_notes)
    if ties:
        notes.append(Note("mk_normal_approx", {"n_tied": int(n - len(np.unique(v_arr)))}))
    tau, mk_p = float(kt.statistic), float(kt.pvalue)
    theil = float(ts.slope)
    robust = bool(np.isfinite(mk_p) and mk_p < alpha and np.sign(theil) == np.sign(slope) and slope != 0)
    trend = Trend(
        ok=True,
        classification="no_trend",
        slope=slope,
        slope_se=se,
        slope_ci=ci,
        p=p,
        p_adj=p,
        df=df_resid,
        theil_slope=theil,
        theil_ci=(float(ts.low_slope), float(ts.high_slope)),
        kendall_tau=tau,
        mk_p=mk_p,
        mk_method=mk_method,
        robust_agrees=robust,
        notes=tuple(notes),
        **base,
    )
    return _classify(trend, p, alpha)


def _classify(trend: Trend, p_adj: float, alpha: float) -> Trend:
    if not trend.ok:
        return replace(trend, p_adj=math.nan)
    called = bool(np.isfinite(p_adj) and p_adj < alpha and trend.slope != 0)
    cls = ("improving" if trend.slope > 0 else "declining") if called else "no_trend"
    notes = tuple(n for n in trend.notes if n.code != "robust_disagrees")
    if called and not trend.robust_agrees:
        notes += (Note("robust_disagrees", {"mk_p": trend.mk_p, "theil_slope": trend.theil_slope}),)
    return replace(trend, p_adj=float(p_adj), classification=cls, notes=notes)


def unit_trends(
    scores: pd.DataFrame,
    value: str = "total",
    min_years: int = 4,
    alpha: float = 0.05,
    adjust: str = "holm",
    variance: str = "auto",
    breaks: Sequence[float] = (),
    period: str = "latest",
    group: str | None = None,
) -> TrendTable:
    """Trend of every unit's ``value`` (``total`` or a component code) over the years.

    Each unit gets OLS, Theil-Sen and Mann-Kendall results (:func:`trend_of_series`). With
    ``variance="pooled"`` (default) the OLS standard errors, CIs and p-values come from one
    statsmodels fit over the screened units with a common residual variance (see the module
    docstring); ``"unit"`` keeps each unit's own fit. Then the OLS p-values of the units
    screened (≥ ``min_years`` years, not constant) are adjusted together with ``adjust``
    (``"holm"`` default, ``"bh"`` Benjamini-Hochberg, ``"bonferroni"``, ``"none"``) and each unit
    is classified improving / declining / no_trend / insufficient by the rule in the module
    docstring. Units are listed in Vietnamese alphabetical order. Expects one province's rows
    (columns ``unit, year, <value>``). ``breaks``/``period``: each unit is tested within one
    method period (see :func:`trend_of_series`); units whose period is too short are not
    screened, so they are not counted in the adjustment.
    """
    _check_period(period)
    if adjust not in ADJUST_METHODS:
        raise ValueError(f"unknown adjustment {adjust!r}; use one of {sorted(ADJUST_METHODS)}")
    if variance not in ("auto", "pooled", "unit"):
        raise ValueError(f"variance must be 'auto', 'pooled' or 'unit', got {variance!r}")
    if group is not None:
        # One family per group (unit type): districts and departments are scored on different
        # criteria, so neither their noise nor their multiplicity is shared.
        require_columns(scores, [group], "scores")
        tables = [unit_trends(g, value, min_years, alpha, adjust, variance, breaks, period)
                  for _, g in scores.groupby(group, sort=True)]
        order = sorted((t for tab in tables for t in tab.trends), key=lambda t: vietnamese_sort_key(t.unit))
        used = {tab.variance for tab in tables}
        return TrendTable(value=value, alpha=alpha, adjust=adjust, min_years=min_years, trends=tuple(order),
                          variance=used.pop() if len(used) == 1 else "mixed")
    require_columns(scores, ["unit", "year", value], "scores")
    require_one_province(scores, "scores")
    vals = numeric(scores, value)
    frame = pd.DataFrame({"unit": scores["unit"].astype(str).to_numpy(),
                          "year": pd.to_numeric(scores["year"], errors="coerce").to_numpy(dtype=float),
                          "v": vals.to_numpy()})
    units = sorted(pd.unique(frame["unit"]), key=vietnamese_sort_key)
    # each unit's rows (in the order given) by position: no boolean mask and sub-frame per unit
    rows = frame.groupby("unit", sort=False).indices
    year_arr, v_arr = frame["year"].to_numpy(), frame["v"].to_numpy()
    raw: list[Trend] = []
    for unit in units:
        pos = np.sort(rows[unit])
        raw.append(trend_of_series(year_arr[pos], v_arr[pos], unit=unit, value=value,
                                   min_years=min_years, alpha=alpha, breaks=breaks, period=period))
    if variance == "auto":
        variance = "pooled" if _homogeneous(raw, alpha) else "unit"
    if variance == "pooled":
        raw = _pooled(raw, alpha)
    p = np.array([t.p if t.ok else np.nan for t in raw])
    p_adj = p_adjust(p, adjust)
    trends = tuple(replace(_classify(t, pa, alpha), adjust=adjust) for t, pa in zip(raw, p_adj))
    return TrendTable(value=value, alpha=alpha, adjust=adjust, min_years=min_years, trends=trends,
                      variance=variance)


def _homogeneous(trends: Sequence[Trend], alpha: float) -> bool:
    """Bartlett's test (on each unit's residual SS around its own line) does not reject equal noise."""
    ok = [t for t in trends if t.ok and t.df > 0]
    if len(ok) < 2:
        return False
    ss = np.array([t.slope_se ** 2 * np.sum((np.array(t.years) - np.mean(t.years)) ** 2) * t.df for t in ok])
    p = bartlett_p(ss, np.array([t.df for t in ok], float))
    return bool(np.isfinite(p) and p >= alpha)


def _pooled(trends: list[Trend], alpha: float) -> list[Trend]:
    """Refit the screened units' slopes in one model with a common residual variance."""
    screened = [t for t in trends if t.ok]
    if not screened:
        return trends
    code = {t.unit: f"u{i:04d}" for i, t in enumerate(screened)}
    rows = [(code[t.unit], y, v) for t in screened for y, v in zip(t.years, t.values)]
    data = pd.DataFrame(rows, columns=["uc", "year", "v"])
    data["yc"] = data["year"] - data["year"].mean()
    notes: list[Note] = []
    with capture_warnings(notes):
        fit = OLS.from_formula("v ~ 0 + C(uc) + C(uc):yc", data=data).fit()
        names = {c: f"C(uc)[{c}]:yc" for c in code.values()}
        ci = fit.conf_int(alpha=alpha)
    df = float(fit.df_resid)
    perfect = float(fit.ssr) <= 1e-20 * float(np.sum((data["v"] - data["v"].mean()) ** 2))
    out = []
    for t in trends:
        if not t.ok:
            out.append(replace(t, variance="pooled"))
            continue
        nm = names[code[t.unit]]
        if perfect:
            se, lo_hi, p = 0.0, (t.slope, t.slope), 0.0
        else:
            se = float(fit.bse[nm])
            lo_hi = (float(ci.loc[nm, 0]), float(ci.loc[nm, 1]))
            p = float(fit.pvalues[nm])
        extra = tuple(n for n in notes if n not in t.notes)
        out.append(replace(t, slope_se=se, slope_ci=lo_hi, p=p, p_adj=p, df=df, variance="pooled",
                           notes=t.notes + extra))
    return out


def province_series(scores: pd.DataFrame, value: str = "total") -> pd.Series:
    """The province aggregate used for trends: the mean of the units' ``value`` in each year.

    Missing unit scores are skipped (the mean of the units that have one). Index: year (int);
    ``attrs["n_units"]`` holds the number of units averaged per year, ``attrs["units"]`` their names.
    """
    require_columns(scores, ["unit", "year", value], "scores")
    require_one_province(scores, "scores")
    v = numeric(scores, value)
    grouped = v.groupby(scores["year"].to_numpy())
    series = grouped.mean().dropna().sort_index()
    series.index = series.index.astype("int64")
    series.index.name = "year"
    name = str(scores["province"].iloc[0]) if "province" in scores.columns and len(scores) else "province"
    series.name = name
    series.attrs["n_units"] = {int(k): int(c) for k, c in grouped.count().items() if c}
    has = scores.loc[v.notna().to_numpy(), ["unit", "year"]]
    series.attrs["units"] = {int(y): tuple(sorted(g["unit"].astype(str))) for y, g in has.groupby("year")}
    return series


def province_trend(
    scores: pd.DataFrame | None = None,
    value: str = "total",
    *,
    series: pd.Series | None = None,
    min_years: int = 4,
    alpha: float = 0.05,
    name: str | None = None,
    breaks: Sequence[float] = (),
    period: str = "latest",
) -> Trend:
    """Trend of the province: of ``series`` when given (e.g. the official provincial score by
    year, index = year), else of :func:`province_series` (mean of its units per year).

    A single series, so no multiplicity adjustment (``p_adj = p``). When the mean is taken over
    a set of units that changes between years (of the method period tested), a
    ``unit_set_changes`` note says so. ``breaks``/``period``: see :func:`trend_of_series`.
    """
    _check_period(period)
    notes: list[Note] = []
    if series is None:
        if scores is None:
            raise ValueError("give scores or series")
        series = province_series(scores, value)
        units_by_year = series.attrs.get("units", {})
        if breaks:
            yrs = np.asarray(series.index, dtype=float)
            kept, _, _ = _method_period(yrs, breaks, min_years, period)
            used = {int(y) for y in yrs[kept]}
            units_by_year = {y: u for y, u in units_by_year.items() if y in used}
        per_year = [set(u) for u in units_by_year.values()]
        if per_year and any(u != per_year[0] for u in per_year):
            counts = [len(u) for u in per_year]
            notes.append(Note("unit_set_changes", {"n_units": len(set().union(*per_year)),
                                                   "n_always": len(set.intersection(*per_year)),
                                                   "n_min": min(counts), "n_max": max(counts)}))
    label = name or (str(series.name) if series.name is not None else "province")
    trend = trend_of_series(np.asarray(series.index, float), series.to_numpy(dtype=float), unit=label, value=value,
                            min_years=min_years, alpha=alpha, breaks=breaks, period=period)
    return replace(trend, notes=tuple(notes) + trend.notes)


def year_on_year(
    scores: pd.DataFrame | pd.Series, value: str = "total", breaks: Sequence[float] = ()
) -> pd.DataFrame:
    """Change of ``value`` from each unit's previous year with data to the next.

    Columns: ``unit, year, value, prev_year, prev_value, change, pct_change`` (percent of the
    previous value). The first year of a unit has no previous year (NaN). A gap (a year without
    a score) is bridged: ``prev_year`` says which year the change is measured from. Also accepts
    a year-indexed Series (e.g. :func:`province_series`), the unit then being its name. With
    ``breaks``, a boolean column ``across_break`` marks changes measured across a method change
    (raw points of two methods: show them with that caveat, or not at all).
    """
    if isinstance(scores, pd.Series):
        frame = pd.DataFrame({"unit": str(scores.name), "year": np.asarray(scores.index, "int64"),
                              "value": scores.to_numpy(dtype=float)})
    else:
        require_columns(scores, ["unit", "year", value], "scores")
        require_one_province(scores, "scores")
        frame = pd.DataFrame({"unit": scores["unit"].astype(str).to_numpy(),
                              "year": scores["year"].astype("int64").to_numpy(),
                              "value": numeric(scores, value).to_numpy()})
    frame = frame.dropna(subset=["value"])
    frame["_key"] = [vietnamese_sort_key(u) for u in frame["unit"]]
    frame = frame.sort_values(["_key", "year"], kind="mergesort").drop(columns="_key").reset_index(drop=True)
    g = frame.groupby("unit", sort=False)
    frame["prev_year"] = g["year"].shift(1).astype("Int64")
    frame["prev_value"] = g["value"].shift(1)
    frame["change"] = frame["value"] - frame["prev_value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["pct_change"] = 100.0 * frame["change"] / frame["prev_value"].where(frame["prev_value"] != 0)
    frame["unit"] = frame["unit"].astype("str")
    if breaks:
        bs = sorted(float(b) for b in breaks)
        prev = frame["prev_year"].astype("float64").to_numpy()
        cur = frame["year"].to_numpy(dtype=float)
        frame["across_break"] = [
            bool(np.isfinite(p) and _period_index(int(p), bs) != _period_index(int(c), bs)) for p, c in zip(prev, cur)
        ]
    return frame


def rank_table(
    scores: pd.DataFrame,
    year: int,
    compare_year: int | None = None,
    scheme: BandScheme | None = None,
    value: str = "total",
    decimals: int = 2,
) -> pd.DataFrame:
    """League table of ``year``: value, rank (official style) and band, and changes since
    ``compare_year`` when given.

    Columns: ``unit`` (+ ``unit_type``), ``value``, ``rank``, ``n_ranked``; with ``scheme``:
    ``band``, ``band_label_vi``, ``band_label_en``, ``band_order`` (0 = best). With
    ``compare_year``: ``prev_value``, ``change``, ``prev_rank``, ``rank_change`` (= prev_rank −
    rank: positive means the unit moved up), and with a scheme ``prev_band`` and ``band_change``
    (bands moved: +1 one band better, −1 one worse; NA when either year has no band). Ranks use
    :func:`parbrief.stats.ratings.rank_units` on scores published at ``decimals`` (the spec's
    ``rank_decimals``: equal printed scores share the best rank); ``value``/``prev_value`` are
    those published scores and ``change`` their difference (what a reader subtracts from the
    printed table). A unit missing in ``compare_year`` has NA previous values.
    """
    require_columns(scores, ["unit", "year", value], "scores")
    require_one_province(scores, "scores")
    cur = rank_units(scores, year, value=value, decimals=decimals)
    cur["n_ranked"] = int(cur["rank"].notna().sum())
    if scheme is not None:
        banded = assign_bands(cur, scheme, value="value")
        cur = banded
    if compare_year is not None:
        prev = rank_units(scores, compare_year, value=value, decimals=decimals)
        prev = prev.rename(columns={"value": "prev_value", "rank": "prev_rank"})[["unit", "prev_value", "prev_rank"]]
        if scheme is not None:
            # Bands of the year before among all of that year's units (a quantile group is of its year).
            pb = assign_bands(prev, scheme, value="prev_value")
            prev = prev.assign(prev_band=pb["band"].to_numpy(), _prev_order=pb["band_order"].to_numpy())
        cur = cur.merge(prev, on="unit", how="left", sort=False)
        cur["change"] = score_changes(cur["value"], cur["prev_value"], decimals)
        cur["rank_change"] = (cur["prev_rank"] - cur["rank"]).astype("Int64")
        if scheme is not None:
            prev_order = pd.array(cur.pop("_prev_order"), dtype="Int64")
            cur["band_change"] = (prev_order - cur["band_order"]).astype("Int64")
    return cur.reset_index(drop=True)


def standardized_scores(
    scores: pd.DataFrame, value: str = "total", within: Sequence[str] = ("year",), decimals: int = 6
) -> pd.DataFrame:
    """Scores made comparable across method changes: within-year z-scores, ranks and percentile ranks.

    Why: when the index method changes (other fields, other maxima), a raw 85 under one method
    and a raw 85 under the next are not the same performance, so raw scores and their
    differences must not be compared across a break. Standing *within* a year is comparable:
    each year's units were scored by one method. Two views are added (groups = ``within``,
    default each year; pass ``("year", "unit_type")`` to compare districts with districts only):

    * ``<value>_z`` = (score − the year's mean) / the year's standard deviation (ddof = 1): keeps
      how far apart units are, but assumes the spread means the same under both methods and is
      pulled by outliers; NaN when a year has fewer than 2 scores or no spread.
    * ``<value>_pct_rank`` = 100 × (average rank from the bottom − 1) / (n − 1): the percentage
      of the year's other units that scored lower (ties count half); distribution-free, so it is
      the safer comparison when a method changed the spread. NaN when n < 2.
    * ``<value>_rank`` (1 = best; ties share the best rank, scores rounded to ``decimals`` as in
      :func:`parbrief.stats.ratings.rank_units`) and ``<value>_n`` (units scored in the group).

    Returns a copy of ``scores`` with these four columns; rows without a score get NaN/NA.
    """
    require_columns(scores, [value, *within], "scores")
    out = scores.copy()
    v = numeric(out, value)
    keys = [out[c].to_numpy() for c in within]
    g = v.groupby(keys, sort=False, dropna=False)
    n = g.transform("count")
    mean = g.transform("mean")
    sd = g.transform("std")
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (v - mean) / sd.where((sd > 0) & (n >= 2))
    rounded = v.round(decimals)
    rg = rounded.groupby(keys, sort=False, dropna=False)
    rank = rg.rank(method="min", ascending=False)
    up = rg.rank(method="average", ascending=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * (up - 1.0) / (n - 1.0).where(n >= 2)
    out[f"{value}_z"] = z.astype("float64")
    out[f"{value}_pct_rank"] = pct.astype("float64")
    out[f"{value}_rank"] = rank.astype("Int64")
    out[f"{value}_n"] = n.astype("int64")
    return out
