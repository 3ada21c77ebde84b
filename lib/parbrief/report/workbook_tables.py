"""The tables of a province's results workbook, built from the brief the notebook computed.

The brief notebook displays :func:`tables_output` in a hidden cell: a JSON bundle under
:data:`TABLES_MIME` with one record list per sheet. ``parbrief render`` reads it back from the
executed notebook (:mod:`parbrief.run.workbook`) and writes ``<slug>.xlsx`` and
``results.xlsx``: no statistic is computed twice and the workbook's numbers are the brief's.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["SHEETS", "TABLES_MIME", "tables", "tables_output"]

TABLES_MIME = "application/vnd.parbrief.tables+json"

#: Sheet code → columns (in order); headers come from the locale (``workbook.col.<name>``).
SHEETS: dict[str, tuple[str, ...]] = {
    "league": ("unit_type", "rank", "unit", "value", "band", "change", "rank_change", "trend"),
    "trends": ("unit", "classification", "n_years", "first_year", "last_year", "slope", "slope_ci_low",
               "slope_ci_high", "p", "p_adj", "theil_slope", "mk_p"),
    "differences": ("unit_type", "test", "role", "ok", "statistic_name", "statistic", "df1", "df2", "p",
                    "effect_name", "effect", "effect_ci_low", "effect_ci_high", "n_groups", "n_total"),
    "pairwise": ("unit_type", "group1", "group2", "diff", "ci_low", "ci_high", "p", "p_adj", "reject"),
    "components": ("code", "max_points", "mean", "pct", "change_pct", "best_unit", "best_pct", "worst_unit",
                   "worst_pct"),
}


def _clean(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
    return v


def _records(frame: pd.DataFrame, cols: tuple[str, ...]) -> list[list[Any]]:
    f = frame.reindex(columns=list(cols))
    return [[_clean(v) for v in row] for row in f.itertuples(index=False, name=None)]


def tables(brief: Any) -> dict[str, pd.DataFrame]:
    """The five sheets' tables of ``brief`` (columns as :data:`SHEETS`)."""
    league = pd.concat([t.assign(unit_type=ut) for ut, t in brief.league.items()], ignore_index=True) \
        if brief.league else pd.DataFrame()
    if "band_label_vi" in league.columns:
        league["band"] = league[f"band_label_{brief.lang}"]
    diffs = pd.concat([r.table().assign(unit_type=ut) for ut, r in brief.panel.items()], ignore_index=True) \
        if brief.panel else pd.DataFrame()
    pairs = [r.pairwise.frame.assign(unit_type=ut) for ut, r in brief.panel.items() if r.pairwise is not None]
    return {
        "league": league,
        "trends": brief.trends.to_frame(),
        "differences": diffs,
        "pairwise": pd.concat(pairs, ignore_index=True) if pairs else pd.DataFrame(),
        "components": brief.components,
    }


def tables_output(brief: Any) -> None:
    """Display the workbook tables as a :data:`TABLES_MIME` bundle (hidden from the HTML)."""
    from IPython.display import display

    payload = {"province": brief.province, "year": brief.year, "lang": brief.lang,
               "sheets": {k: _records(v, SHEETS[k]) for k, v in tables(brief).items()}}
    display({TABLES_MIME: payload}, raw=True)
