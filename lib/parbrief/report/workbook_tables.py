"""The tables of a province's results workbook, built from the brief the notebook computed.

The brief notebook displays :func:`tables_output` in a hidden cell: a JSON bundle under
:data:`TABLES_MIME` with one record list per sheet. ``parbrief render`` reads it back from the
executed notebook (:mod:`parbrief.run.workbook`) and writes ``<slug>.xlsx`` and
``results.xlsx``: no statistic is computed twice and the workbook's numbers are the brief's.
"""

from __future__ import annotations

import json
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


_PLAIN = (int, float, str, bool)


def _column(values: pd.Series) -> list[Any]:
    """A column as JSON-ready Python values: missing → None, NumPy scalars → Python (as :func:`_clean`)."""
    missing = values.isna().to_numpy(dtype=bool)
    return [None if m else (v if type(v) in _PLAIN else _clean(v)) for v, m in zip(values.tolist(), missing)]


def _records(frame: pd.DataFrame, cols: tuple[str, ...]) -> list[list[Any]]:
    """The rows of ``frame``'s ``cols`` (a column it lacks: None), converted column by column
    (4 950 pairwise rows at 100 communes: value by value took 0.1 s)."""
    f = frame.reindex(columns=list(cols))
    return [list(row) for row in zip(*(_column(f[c]) for c in f.columns))]


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
    """Display the workbook tables as a :data:`TABLES_MIME` bundle (hidden from the HTML).

    The bundle is one JSON text (a JSON mimetype may hold any JSON value), not a nested object:
    at 100 communes its 4 950 pairwise rows made every step after the kernel (the message, the
    notebook's nodes, its writing, nbconvert's copy) walk some 50 000 values — 0.1 s a brief.
    Non-finite numbers stay numbers (``Infinity``; the workbook shows them as errors)."""
    from IPython.display import display

    payload = {"province": brief.province, "year": brief.year, "lang": brief.lang,
               "sheets": {k: _records(v, SHEETS[k]) for k, v in tables(brief).items()}}
    display({TABLES_MIME: json.dumps(payload, ensure_ascii=False)}, raw=True)
