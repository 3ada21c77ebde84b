"""A unit's standing among its peers over the years, and the raw path within one method.

Raw scores of different index methods (2020, 2022) are not on one scale, so a raw-score trend can
only use the years of the current method — three in 2024. A unit's *standing*, its within-year
z-score among the units of its type, does not depend on the method's level or spread: it can be
followed over every year of one map. :func:`standing_trends` tests each unit's standing trend

    z_ut = a_u + b_u · (t − t̄_u) + e_ut,   e AR(1) within unit with one ρ per unit type,

by GLS (:mod:`parbrief.stats.serial`): ρ by REML over all units of the type, then the cautious ρ
(REML's shortfall plus 1.5 sampling SDs, never below 0, measured in ``bench/calibration.py`` to keep the
family-wise error of the claims near 5% for ρ ≤ 0.5). When the store holds other provinces,
:func:`standing_pool` estimates ρ from the same model in every province (one ρ, each province its
own σ² and effects) and the tests use that pooled ρ plus one of its SDs instead. The residual variance is pooled over the
units of the type only when Bartlett's test does not reject equal variances (otherwise each unit
its own, on n − 2 df); p-values are adjusted within the unit type (one Holm or BH family).

:func:`raw_path` describes the raw year-by-year path within the current method without any test
claim ("rose three years running").

Numbers and codes only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from parbrief.stats._frames import numeric, require_columns
from parbrief.stats.panel_gls import within_year_z
from parbrief.stats.posthoc import p_adjust
from parbrief.stats.serial import (MIN_POOL_PANELS, POOL_CAUTION, PooledRho, ar1_structure, cautious_rho, fit_ar1,
                                   pooled_rho, reml_rho, whiten)

__all__ = ["PATH_CODES", "bartlett_p", "RawPath", "StandingTable", "StandingTrend", "raw_path", "standing_pool",
           "standing_trends"]

#: How much of ρ̂'s sampling SD the standing trends add to the corrected ρ (see bench/calibration.py).
STANDING_CAUTION = 1.5
#: Codes of :class:`RawPath`.
PATH_CODES = ("rising_run", "falling_run", "flat", "mixed", "single_year")


@dataclass(frozen=True)
class StandingTrend:
    """One unit's standing trend (z-score per year among units of its type)."""

    unit: str
    ok: bool
    classification: str  # improving / declining / no_trend / insufficient
    n_years: int
    years: tuple[int, ...]
    z: tuple[float, ...]
    slope: float = math.nan  # z per year
    slope_se: float = math.nan
    slope_ci: tuple[float, float] = (math.nan, math.nan)
    p: float = math.nan
    p_adj: float = math.nan
    df: float = math.nan
    reason_code: str | None = None
    reason_detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        return self.classification in ("improving", "declining")

    def summary(self) -> dict[str, Any]:
        return {"unit": self.unit, "classification": self.classification, "ok": self.ok, "n_years": self.n_years,
                "first_year": self.years[0] if self.years else None,
                "last_year": self.years[-1] if self.years else None,
                "first_z": self.z[0] if self.z else math.nan, "last_z": self.z[-1] if self.z else math.nan,
                "slope": self.slope, "slope_se": self.slope_se, "slope_ci_low": self.slope_ci[0],
                "slope_ci_high": self.slope_ci[1], "p": self.p, "p_adj": self.p_adj, "df": self.df,
                "reason_code": self.reason_code}


@dataclass(frozen=True)
class StandingTable:
    """Standing trends of all units of one type; one adjustment family."""

    alpha: float
    adjust: str
    min_years: int
    trends: tuple[StandingTrend, ...]
    rho: float = math.nan  # REML estimate over the units of the type
    rho_used: float = math.nan  # the cautious ρ of the tests
    rho_source: str = "own"  # "own" (these units, cautious) or "store" (pooled over provinces)
    variance: str = "pooled"  # pooled / unit (Bartlett's decision)
    homogeneity_p: float = math.nan
    years: tuple[int, ...] = ()

    @property
    def n_screened(self) -> int:
        """Units tested: the size of the adjustment family."""
        return sum(t.ok for t in self.trends)

    @property
    def n_called(self) -> int:
        """Units called improving or declining."""
        return sum(t.significant for t in self.trends)

    def improving(self) -> list[str]:
        return [t.unit for t in self.trends if t.classification == "improving"]

    def declining(self) -> list[str]:
        return [t.unit for t in self.trends if t.classification == "declining"]

    def get(self, unit: str) -> StandingTrend:
        for t in self.trends:
            if t.unit == unit:
                return t
        raise KeyError(f"no unit {unit!r} in the standing table")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([t.summary() for t in self.trends])


def bartlett_p(ss: np.ndarray, df: np.ndarray) -> float:
    """Bartlett's test of equal variances from residual sums of squares ``ss`` on ``df`` each.

    The textbook statistic (Snedecor & Cochran) with regression residual df instead of n − 1
    (scipy's ``bartlett`` takes raw samples and assumes n − 1).
    """
    keep = (df > 0) & (ss > 0)
    ss, df = ss[keep], df[keep]
    k = len(ss)
    if k < 2:
        return math.nan
    s2, n_df = ss / df, df.sum()
    sp = ss.sum() / n_df
    m = n_df * math.log(sp) - float(np.sum(df * np.log(s2)))
    c = 1.0 + (float(np.sum(1.0 / df)) - 1.0 / n_df) / (3.0 * (k - 1))
    return float(stats.chi2.sf(m / c, k - 1))


def standing_scores(frame: pd.DataFrame, breaks: Sequence[float] = (), min_units: int = 3,
                    group: str | None = None) -> pd.Series:
    """Each row's standing: its deviation from the year's mean, in SDs of its method period.

    Centring within the year removes what moved every unit (a method's level); dividing by the
    residual SD pooled over the years of one method period removes a method's spread without the
    noise of a per-year SD (with 6 units a year's SD is uncertain by ±30%, which would add
    year-to-year noise shared by every unit). Years with fewer than ``min_units`` units: NaN.
    ``group``: a column (province) within which all of this is done separately.
    """
    period = np.searchsorted(np.sort(np.asarray(breaks, float)), frame["year"].to_numpy(float), side="right")
    work = pd.DataFrame({"g": frame[group].to_numpy() if group else 0, "year": frame["year"].to_numpy(),
                         "y": frame["y"].to_numpy(float), "period": period}, index=frame.index)
    by_year = work.groupby(["g", "year"])["y"]
    n = by_year.transform("count")
    dev = (work["y"] - by_year.transform("mean")).where(n >= min_units)
    # Residual variance within each period: Σ dev² / Σ (n_t − 1) over its years.
    ss = (dev ** 2).groupby([work["g"], work["period"]]).transform("sum")
    years = work.assign(n=n).drop_duplicates(["g", "year"])
    df = years.assign(d=np.where(years["n"] >= min_units, years["n"] - 1, 0)).groupby(["g", "period"])["d"].sum()
    denom = pd.MultiIndex.from_arrays([work["g"], work["period"]]).map(df.to_dict()).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):  # a period with no year of min_units units: NaN
        sd = np.sqrt(ss.to_numpy(float) / denom)
    return (dev / sd).where(sd > 0)


def standing_trends(
    scores: pd.DataFrame,
    value: str = "total",
    *,
    alpha: float = 0.05,
    adjust: str = "holm",
    min_years: int = 5,
    caution: float = STANDING_CAUTION,
    seed: int = 20250701,
    breaks: Sequence[float] = (),
    pool: PooledRho | None = None,
    pool_caution: float = POOL_CAUTION,
) -> StandingTable:
    """Test each unit's trend in standing (within-year z among the rows given: pass one unit type).

    Rows: ``unit, year, value``, one map (no reorganization inside the years). Years with fewer
    than 3 units have no standing. Units with fewer than ``min_years`` standings are
    ``insufficient`` (reason ``too_few_years`` with the count, or ``new_unit`` when the unit has
    fewer years than the type's span because it first appears later). ``pool``: a ρ from every
    province of the store (:func:`standing_pool`); the tests then use ``pool.for_panel(...)`` (the pooled ρ, shrunk
    towards these units' own ρ̂ as far as provinces differ).
    """
    frame, enough = _prepare(scores, value, breaks, min_years)
    span = tuple(sorted(int(y) for y in frame["year"].unique()))
    units = sorted(pd.unique(scores["unit"].astype(str)))
    by_unit = {u: g for u, g in frame.groupby("unit")}
    base = {}
    for u in units:
        g = by_unit.get(u)
        yrs = tuple(int(y) for y in g["year"]) if g is not None else ()
        zs = tuple(float(v) for v in g["z"]) if g is not None else ()
        if u not in enough:
            late = bool(yrs) and span and yrs[0] > span[0]
            reason = "constant_data" if len(yrs) >= min_years else ("new_unit" if late else "too_few_years")
            base[u] = StandingTrend(unit=u, ok=False, classification="insufficient", n_years=len(yrs), years=yrs,
                                    z=zs, reason_code=reason,
                                    reason_detail={"n_years": len(yrs), "min_years": min_years,
                                                   "first_year": yrs[0] if yrs else None})
        else:
            base[u] = StandingTrend(unit=u, ok=True, classification="no_trend", n_years=len(yrs), years=yrs, z=zs)
    if not enough:
        return StandingTable(alpha=alpha, adjust=adjust, min_years=min_years, trends=tuple(base[u] for u in units),
                             years=span)
    fit_rows = frame[frame["unit"].isin(enough)].reset_index(drop=True)
    tested = _fit(fit_rows, enough, alpha, caution, seed, pool, pool_caution)
    p_adj = p_adjust(np.array([t["p"] for t in tested["units"]]), adjust)
    out = dict(base)
    for row, pa in zip(tested["units"], p_adj):
        cls = "no_trend"
        if pa < alpha:
            cls = "improving" if row["slope"] > 0 else "declining"
        out[row["unit"]] = StandingTrend(
            unit=row["unit"], ok=True, classification=cls, n_years=base[row["unit"]].n_years,
            years=base[row["unit"]].years, z=base[row["unit"]].z, slope=row["slope"], slope_se=row["se"],
            slope_ci=row["ci"], p=row["p"], p_adj=float(pa), df=row["df"])
    return StandingTable(alpha=alpha, adjust=adjust, min_years=min_years, trends=tuple(out[u] for u in units),
                         rho=tested["rho"], rho_used=tested["rho_used"], variance=tested["variance"],
                         homogeneity_p=tested["bartlett_p"], years=span, rho_source=tested["rho_source"])


def _prepare(scores: pd.DataFrame, value: str, breaks: Sequence[float], min_years: int,
             group: str | None = None) -> tuple[pd.DataFrame, list]:
    """Standing rows (``unit, year, y, z`` and ``group``) and the units with ``min_years`` standings
    that vary (``(group, unit)`` pairs when ``group`` is given)."""
    require_columns(scores, ["unit", "year", value] + ([group] if group else []), "scores")
    cols = {"unit": scores["unit"].astype(str).to_numpy(),
            "year": pd.to_numeric(scores["year"], errors="coerce").to_numpy(),
            "y": numeric(scores, value).to_numpy()}
    if group:
        cols[group] = scores[group].astype(str).to_numpy()
    keys = ([group] if group else []) + ["unit"]
    frame = pd.DataFrame(cols).dropna()
    frame["year"] = frame["year"].astype("int64")
    frame = frame.drop_duplicates(keys + ["year"], keep=False)
    frame["z"] = standing_scores(frame, breaks, group=group)
    frame = frame.dropna(subset=["z"]).sort_values(keys + ["year"]).reset_index(drop=True)
    g = frame.groupby(keys)["z"]
    counts = pd.DataFrame({"count": g.count(), "ptp": g.max() - g.min()})
    ok = counts[(counts["count"] >= min_years) & (counts["ptp"] > 0)].index
    return frame, sorted(ok)


def _trend_design(rows: pd.DataFrame, units: Sequence[str]):
    """Standing ``z``, the design (an intercept and a centred-year slope per unit) and its AR(1) structure."""
    ui = pd.Index(list(units)).get_indexer(rows["unit"])  # rows hold only these units (callers filter)
    t = rows["year"].to_numpy(float)
    tc = t - rows.groupby("unit")["year"].transform("mean").to_numpy(float)
    k, n = len(units), len(rows)
    x = np.zeros((n, 2 * k))
    x[np.arange(n), ui] = 1.0
    x[np.arange(n), k + ui] = tc
    s = ar1_structure(ui, t)
    return rows["z"].to_numpy(float), x, s, ui


def standing_pool(
    scores: pd.DataFrame, value: str = "total", *, breaks: Sequence[float] = (), min_years: int = 5,
    group: str = "province", min_panels: int = MIN_POOL_PANELS,
) -> PooledRho | None:
    """One ρ for :func:`standing_trends`, from the standing-trend model of every ``group`` (province).

    ``scores``: one unit type, one map, many provinces. Each province enters with the units it would
    test (``min_years`` standings); fewer than ``min_panels`` such provinces: None.
    """
    require_columns(scores, [group, "unit", "year", value], "scores")
    frame, enough = _prepare(scores, value, breaks, min_years, group=group)
    chosen: dict[str, list[str]] = {}
    for g, u in enough:
        chosen.setdefault(g, []).append(u)
    panels = []
    for g, rows in frame.groupby(group, sort=True):
        units = chosen.get(str(g))
        if units:
            z, x, s, _ = _trend_design(rows[rows["unit"].isin(units)].reset_index(drop=True), units)
            panels.append((z, x, s))
    return pooled_rho(panels, min_panels=min_panels)


def _fit(rows: pd.DataFrame, units: Sequence[str], alpha: float, caution: float, seed: int,
         pool: PooledRho | None = None, pool_caution: float = POOL_CAUTION) -> dict[str, Any]:
    """GLS of each unit's standing on its own centred year with one AR(1) ρ; per-unit slopes and tests."""
    z, x, s, ui = _trend_design(rows, units)
    k = len(units)
    if pool is not None:
        fit, rho_c = fit_ar1(z, x, s), pool.for_panel(*reml_rho(z, x, s), caution=pool_caution)
    else:
        fit, rho_c, _, _ = cautious_rho(z, x, s, caution=caution, seed=seed)
    zw, _ = whiten(z, rho_c, s)
    xw, _ = whiten(x, rho_c, s)
    ss, df, slope, sxx = np.zeros(k), np.zeros(k), np.zeros(k), np.zeros(k)
    for i in range(k):
        m = ui == i
        xi = xw[m][:, [i, k + i]]
        beta, *_ = np.linalg.lstsq(xi, zw[m], rcond=None)
        r = zw[m] - xi @ beta
        ss[i], df[i], slope[i] = float(r @ r), m.sum() - 2, beta[1]
        sxx[i] = float(np.linalg.inv(xi.T @ xi)[1, 1])
    bartlett_p_ = bartlett_p(ss, df)
    pooled = not (bartlett_p_ < alpha)
    out = []
    for i, u in enumerate(units):
        s2, d = (ss.sum() / df.sum(), float(df.sum())) if pooled else (ss[i] / df[i], float(df[i]))
        se = math.sqrt(s2 * sxx[i])
        tval = slope[i] / se if se > 0 else math.inf * np.sign(slope[i])
        p = float(2 * stats.t.sf(abs(tval), d)) if se > 0 else 0.0
        h = float(stats.t.ppf(1 - alpha / 2, d)) * se
        out.append({"unit": u, "slope": float(slope[i]), "se": se, "p": p, "df": d,
                    "ci": (float(slope[i] - h), float(slope[i] + h))})
    return {"units": out, "rho": fit.rho, "rho_used": rho_c, "variance": "pooled" if pooled else "unit",
            "bartlett_p": bartlett_p_, "rho_source": "store" if pool is not None else "own"}


@dataclass(frozen=True)
class RawPath:
    """The raw year-by-year path of a series within one method: a description, not a test."""

    code: str  # one of PATH_CODES
    run_length: int  # consecutive rises (falls) ending in the last year
    years: tuple[int, ...]
    values: tuple[float, ...]
    change: float  # last − first within the period


def raw_path(years: Sequence[int], values: Sequence[float], *, tolerance: float = 0.0) -> RawPath:
    """Describe a short raw series: ``rising_run`` (every step up), ``falling_run``, ``flat``, ``mixed``.

    ``run_length`` counts the consecutive steps in the direction of the last step, ending in the
    last year (a "rose two years running" fact even in a mixed path). Steps within ``tolerance``
    count as flat.
    """
    order = np.argsort(np.asarray(years))
    ys = tuple(int(years[i]) for i in order)
    vs = tuple(float(values[i]) for i in order)
    if len(vs) < 2:
        return RawPath("single_year", 0, ys, vs, math.nan)
    steps = np.diff(vs)
    sign = np.where(steps > tolerance, 1, np.where(steps < -tolerance, -1, 0))
    run = 0
    last = sign[-1]
    for sg in sign[::-1]:
        if sg != last or sg == 0:
            break
        run += 1
    if np.all(sign == 1):
        code = "rising_run"
    elif np.all(sign == -1):
        code = "falling_run"
    elif np.all(sign == 0):
        code = "flat"
    else:
        code = "mixed"
    return RawPath(code, int(run), ys, vs, float(vs[-1] - vs[0]))
