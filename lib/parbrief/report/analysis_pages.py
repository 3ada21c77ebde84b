"""Tables and figures of the analyst's pages (``notebooks/trends.ipynb``, ``differences.ipynb``).

Each function takes the :class:`~parbrief.analysis.brief.Brief` that :func:`load_brief` computed
and returns what Jupyter displays natively: a pandas ``Styler`` (every field of the result
dataclasses, numbers unrounded underneath), a matplotlib ``Figure`` or ``Markdown``. They read
the results' generic fields only (``TrendTable.to_frame``, ``DifferenceResult.tests`` /
``StatTest.summary()``, ``pairwise.frame``, ``means``, ``notes``), so a new model or a new
column shows up here without a change.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from parbrief.report.figures import locale_numbers
from parbrief.stats.sensitivity import gls_residuals, leave_one_out, most_extreme, panel_residuals
from parbrief.text.codes import reason_text
from parbrief.text.messages import t as _t

__all__ = [
    "autocorrelation_table", "league_tables", "load_brief", "model_tables", "notes_markdown", "pairwise_matrix", "provenance_table",
    "qq_figure", "residual_figure", "sensitivity_table", "standing_trend_table", "trend_residual_figure",
    "trend_table", "unit_types_of",
]

_REPO = Path(__file__).resolve().parents[3]


def _default_data() -> str:
    """The demo store (``make demo``) at the repository root, whatever the working directory."""
    for cand in (_REPO / "outputs" / "demo-data" / "parbrief.duckdb",
                 Path.cwd() / "outputs" / "demo-data" / "parbrief.duckdb"):
        if cand.is_file():
            return str(cand)
    return str(_REPO / "outputs" / "demo-data" / "parbrief.duckdb")


def load_brief(**params: Any) -> Any:
    """The brief's results for the notebook's parameters (the same call as the leader's brief).

    An empty ``data``, or the repository-relative default, is the demo store at the repository
    root, so the notebook runs from any working directory.
    """
    from parbrief.analysis.brief import build_brief

    data = str(params.get("data") or "")
    if not data or (not Path(data).is_absolute() and not Path(data).exists()):
        params["data"] = _default_data()
    return build_brief(**params)


# Fixed margins (fractions of the figure) wide enough for these figures' labels: a constrained
# layout measured every text on each draw, half of a page's figure time.
_TWO_PANELS = dict(left=0.075, right=0.985, bottom=0.14, top=0.91, wspace=0.25)


def _two_panels() -> tuple[Figure, Any, Any]:
    """A 9 × 3.6 in figure with two axes side by side, on :data:`_TWO_PANELS`.

    Titles pinned at the axes' top (``axes.titley``), where matplotlib's automatic placement put
    them (these axes have no labels on top): that placement measured each axes' y axis again on
    every layout pass and draw (measured: 7 % of the pages' figure time, the same PNG bytes).
    """
    with matplotlib.rc_context({"axes.titley": 1.0}):
        fig = Figure(figsize=(9, 3.6))
        fig.subplots_adjust(**_TWO_PANELS)
        ax1, ax2 = fig.subplots(1, 2)
    return fig, ax1, ax2


class PageFigure:
    """A matplotlib figure Jupyter displays as PNG (``fig`` is the figure, to change and redraw).

    A bare ``matplotlib.figure.Figure`` (no pyplot) has no rich display of its own.
    """

    def __init__(self, fig: Figure) -> None:
        self.fig = fig

    def _repr_png_(self) -> bytes:
        from parbrief.report.figures import to_png_bytes

        return to_png_bytes(self.fig)


def unit_types_of(brief: Any) -> list[str]:
    """The unit types the brief compares (districts first)."""
    return list(brief.panel)


def _styler(frame: pd.DataFrame) -> Styler:
    """``frame.style`` with an id drawn from the table's content, not at random (pandas' default):
    a page is then the same bytes whenever it is rendered from the same results."""
    digest = hashlib.sha1(frame.to_csv().encode("utf-8")).hexdigest()[:12]
    return Styler(frame, uuid=f"pb-{digest}", cell_ids=False)


def _style(frame: pd.DataFrame, digits: int = 3) -> Styler:
    num = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    return _styler(frame).format({c: f"{{:.{digits}g}}" for c in num}, na_rep="–").hide(axis="index")


# ------------------------------------------------------------------------------------------ trends
def trend_table(brief: Any) -> Styler:
    """Every unit's trend: all estimates, intervals, raw and adjusted p (one row per unit)."""
    return _style(brief.trends.to_frame())


def standing_trends(brief: Any) -> pd.DataFrame:
    """The brief's calibrated standing trends (one row per unit, every field), per unit type.

    These are the tests behind the brief's "improved / slipped relative to peers" sentences
    (:func:`parbrief.stats.standing.standing_trends`: GLS with one AR(1) ρ per unit type at a
    cautious ρ, Holm within the type); the table adds each type's ρ̂, the ρ used and where it came
    from (``store``: pooled over the store's provinces; ``own``: these units alone), and the
    variance decision (Bartlett).
    """
    frames = []
    for unit_type, tab in (brief.standing.by_type.items() if brief.standing is not None else []):
        f = tab.to_frame()
        f.insert(0, "unit_type", unit_type)
        f["rho_reml"], f["rho_used"], f["rho_source"], f["variance"] = tab.rho, tab.rho_used, tab.rho_source, tab.variance
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def standing_trend_table(brief: Any) -> Styler:
    """:func:`standing_trends` as a table (every field of each trend)."""
    return _style(standing_trends(brief))


def _trend_residuals(brief: Any) -> pd.DataFrame:
    rows = []
    for t in brief.trends.trends:
        if not t.ok:
            continue
        y, v = np.asarray(t.years, float), np.asarray(t.values, float)
        fitted = v.mean() + t.slope * (y - y.mean())
        for yr, r in zip(y, v - fitted):
            rows.append({"unit": t.unit, "year": int(yr), "resid": float(r)})
    return pd.DataFrame(rows, columns=["unit", "year", "resid"])


def autocorrelation_table(brief: Any) -> Styler:
    """Per unit: lag-1 autocorrelation of the trend residuals and the Durbin-Watson statistic.

    Yearly scores are serially correlated; a lag-1 autocorrelation far from 0 (Durbin-Watson far
    from 2) means the OLS p-values of that unit's trend are too optimistic (or too cautious).
    """
    from statsmodels.stats.stattools import durbin_watson

    res = _trend_residuals(brief)
    rows = []
    for unit, g in res.groupby("unit", sort=False):
        r = g.sort_values("year")["resid"].to_numpy()
        ac = float(np.corrcoef(r[:-1], r[1:])[0, 1]) if len(r) > 2 and np.std(r[:-1]) > 0 and np.std(r[1:]) > 0 else math.nan
        rows.append({"unit": unit, "n_years": len(r), "lag1_autocorrelation": ac, "durbin_watson": float(durbin_watson(r))})
    return _style(pd.DataFrame(rows, columns=["unit", "n_years", "lag1_autocorrelation", "durbin_watson"]))


def _labels(lang: str) -> Any:
    """The analysts' figure labels in ``lang`` (``analysis.figure.*`` of the locale files)."""
    return lambda key: _t(f"analysis.figure.{key}", lang)


def trend_residual_figure(brief: Any) -> PageFigure | Markdown:
    """Residuals of every unit's trend line by year (one line a unit) and pooled lag-1 pairs; a
    sentence instead when no unit's trend was fitted (too few years since a method change)."""
    res = _trend_residuals(brief)
    if res.empty:
        return Markdown(_t("analysis.no_trend_residuals", brief.lang, min_years=brief.min_years))
    f = _labels(brief.lang)
    fig, ax1, ax2 = _two_panels()
    for unit, g in res.groupby("unit", sort=False):
        ax1.plot(g["year"], g["resid"], marker="o", lw=0.8, alpha=0.6)
    ax1.axhline(0, color="black", lw=0.8)
    ax1.set(xlabel=f("year"), ylabel=f("trend_resid_y"), title=f("trend_resid_title"))
    lag = res.sort_values(["unit", "year"]).assign(prev=lambda d: d.groupby("unit")["resid"].shift(1)).dropna()
    ax2.scatter(lag["prev"], lag["resid"], s=12, alpha=0.6)
    ax2.axhline(0, color="grey", lw=0.6)
    ax2.axvline(0, color="grey", lw=0.6)
    ax2.set(xlabel=f("lag_prev"), ylabel=f("lag_now"), title=f("lag_title"))
    locale_numbers(ax1.yaxis, ax2.xaxis, ax2.yaxis, lang=brief.lang)
    return PageFigure(fig)


# ------------------------------------------------------------------------------------- differences
def league_tables(brief: Any) -> dict[str, Styler]:
    """Every unit's rank, score, rating, change and trend, one table per unit type: the full
    ranking the leader's brief cuts to its best and worst 10 when a list is long (100 communes)."""
    from parbrief.report.sections import league_frame

    return {unit_type: _style(league_frame(brief, unit_type), digits=2) for unit_type in brief.league}


def model_tables(brief: Any, unit_type: str) -> dict[str, Styler]:
    """The panel model of ``unit_type``: every test (``StatTest.summary``), the means table, every
    test's ``effects`` mapping (name → value) and the serial correlation (ρ̂ of this panel, the ρ
    the tests used and, when pooled over the store's provinces, the pooled ρ̂, its SD and size)."""
    result = brief.panel[unit_type]
    tests = result.table()
    effects = pd.DataFrame([{"test": t.test, **dict(t.effects)} for t in result.tests])
    serial = pd.DataFrame([dict(result.serial)]) if result.serial else pd.DataFrame()
    return {"tests": _style(tests), "effects": _style(effects), "means": _style(result.means.copy()),
            "serial": _style(serial)}


def notes_markdown(brief: Any, unit_type: str) -> Markdown:
    """The result's and its tests' notes and "cannot test" reasons, one bullet each."""
    result = brief.panel[unit_type]
    lines = [f"- {n.code}: {n.text}" for n in result.notes]
    for t in result.tests:
        lines += [f"- {t.test}: {n.code}: {n.text}" for n in t.notes]
        if t.reason_code:
            lines.append(f"- {t.test}: {t.reason_code}: {t.reason}")
    return Markdown("\n".join(lines) or "- –")


def pairwise_matrix(brief: Any, unit_type: str) -> Styler | Markdown:
    """Adjusted p of every pair (lower triangle) and the difference (upper triangle)."""
    pw = brief.panel[unit_type].pairwise
    if pw is None or pw.frame.empty:
        return Markdown("–")
    f = pw.frame
    units = sorted(set(f["group1"]) | set(f["group2"]))
    pos = {u: i for i, u in enumerate(units)}
    i, j = f["group1"].map(pos).to_numpy(int), f["group2"].map(pos).to_numpy(int)
    cells = np.full((len(units), len(units)), np.nan)
    cells[i, j], cells[j, i] = f["diff"].to_numpy(float), f["p_adj"].to_numpy(float)
    m = pd.DataFrame(cells, index=units, columns=units)
    alpha = pw.alpha
    lower = np.tril(np.ones(m.shape, bool), -1)

    def colour(data: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(np.where(lower & (data.to_numpy() < alpha), "background-color: #fde2c8", ""),
                            index=data.index, columns=data.columns)

    return _styler(m).format("{:.3g}", na_rep="").apply(colour, axis=None)


def _residuals(brief: Any, unit_type: str) -> pd.DataFrame:
    """The difference test's own residuals: GLS at the ρ it used, on its scale (OLS when it did not run)."""
    hist = brief.history[brief.history["unit_type"] == unit_type]
    result = brief.panel[unit_type]
    rho = result.serial.get("rho_used")
    if rho is None:
        return panel_residuals(hist, value=result.value)
    return gls_residuals(hist, value=result.value, rho=float(rho), breaks=brief.breaks)


def _no_model(brief: Any, unit_type: str) -> Markdown:
    """Why the comparison of the units has no residuals to plot (e.g. one year of scores)."""
    primary = brief.panel[unit_type].primary
    return Markdown(_t("analysis.no_model_residuals", brief.lang,
                      reason=reason_text(primary.reason_code, primary.reason_detail, brief.lang)))


def residual_figure(brief: Any, unit_type: str) -> PageFigure | Markdown:
    """Residuals against fitted values and by year (the additive model's mean structure)."""
    r = _residuals(brief, unit_type)
    if r.empty:
        return _no_model(brief, unit_type)
    f = _labels(brief.lang)
    fig, ax1, ax2 = _two_panels()
    ax1.scatter(r["fitted"], r["resid"], s=12, alpha=0.7)
    ax1.axhline(0, color="black", lw=0.8)
    ax1.set(xlabel=f("fitted"), ylabel=f("resid"), title=f("resid_fitted_title"))
    years = sorted(r["year"].unique())
    ax2.boxplot([r.loc[r["year"] == y, "resid"] for y in years], tick_labels=[str(y) for y in years])
    ax2.axhline(0, color="black", lw=0.8)
    ax2.set(xlabel=f("year"), ylabel=f("resid"), title=f("resid_year_title"))
    locale_numbers(ax1.xaxis, ax1.yaxis, ax2.yaxis, lang=brief.lang)
    return PageFigure(fig)


def qq_figure(brief: Any, unit_type: str) -> PageFigure | Markdown:
    """Normal QQ plot of the standardized residuals (scipy ``probplot``) beside their histogram
    with the standard normal density; as wide as the residual figure (the page shows figures at
    its column's width, so a narrower one would be enlarged)."""
    from scipy import stats

    r = _residuals(brief, unit_type)["std_resid"].dropna().to_numpy()
    if len(r) == 0:
        return _no_model(brief, unit_type)
    f = _labels(brief.lang)
    fig, ax1, ax2 = _two_panels()
    if len(r) > 2:
        (osm, osr), (slope, icpt, _) = stats.probplot(r)
        ax1.scatter(osm, osr, s=12)
        ax1.plot(osm, slope * np.asarray(osm) + icpt, color="black", lw=0.8)
    ax1.set(xlabel=f("normal_quantile"), ylabel=f("std_resid"), title=f("qq_title"))
    ax2.hist(r, bins="auto", density=True, color="#9ecae1", edgecolor="white")
    grid = np.linspace(min(-3.0, float(r.min())), max(3.0, float(r.max())), 200)
    ax2.plot(grid, stats.norm.pdf(grid), color="black", lw=0.8)
    ax2.set(xlabel=f("std_resid"), ylabel=f("density"), title=f("hist_title"))
    locale_numbers(ax1.xaxis, ax1.yaxis, ax2.xaxis, ax2.yaxis, lang=brief.lang)
    return PageFigure(fig)


def _level(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return str(int(v)) if isinstance(v, (int, float, np.integer, np.floating)) else str(v)


def sensitivity_table(brief: Any, unit_type: str) -> Styler:
    """The primary test refitted without the most extreme year and without the most extreme unit
    (largest mean absolute residual), beside the fit on all the data and every other refit."""
    from parbrief.stats.differences import panel_differences

    hist = brief.history[brief.history["unit_type"] == unit_type]
    value = brief.panel[unit_type].value
    year, unit = most_extreme(_residuals(brief, unit_type))

    pool = brief.difference_pools.get(unit_type)

    def test(frame: pd.DataFrame) -> Any:
        return panel_differences(frame, value=value, alpha=brief.alpha, adjust=brief.adjust, breaks=brief.breaks,
                                 pool=pool, primary_only=True)

    by_year = leave_one_out(hist, test, by="year").assign(by="year")
    by_unit = leave_one_out(hist, test, by="unit").iloc[1:].assign(by="unit")
    out = pd.concat([by_year, by_unit], ignore_index=True)
    out["most_extreme"] = [(b == "year" and lo == year) or (b == "unit" and lo == unit)
                           for b, lo in zip(out["by"], out["left_out"])]
    out["left_out"] = [_level(v) for v in out["left_out"]]
    out = out[["by", "left_out", "most_extreme", "test", "ok", "statistic", "df1", "df2", "p", "effect", "significant"]]
    return _style(out).apply(lambda r: ["font-weight: bold" if r["most_extreme"] else ""] * len(r), axis=1)


def provenance_table(brief: Any) -> Styler:
    """Everything the brief was made from, for an analyst: the data path and its full SHA-256, every
    run parameter by its name (the leader's brief shows only the file name and a short check code)."""
    rows = [("data", str(brief.data_source)), ("data_sha256", str(brief.data_sha256)),
            ("source_file", str(brief.source_name)), ("generated", str(brief.generated))]
    rows += [(str(k), str(v)) for k, v in brief.parameters.items()]
    rows += [("prepared_by", str(brief.prepared_by)), ("notes", "yes" if brief.notes else "")]
    return _styler(pd.DataFrame(rows, columns=["parameter", "value"])).hide(axis="index")
