"""One serial correlation for the whole store: ρ pooled over the provinces a brief's tests share.

A province's own 6–11 units × 5–7 years pin the year-to-year correlation ρ down only to ±0.15,
and the caution that keeps the tests' error rate then costs most of their power. Every province
of a store is scored by the same method on units of the same type, so the brief's difference test
and standing trends use a ρ estimated from all of them (:func:`parbrief.stats.differences.panel_pool`,
:func:`parbrief.stats.standing.standing_pool`): the same unit type, the same map (before or from the
2025 reorganization), the years up to the brief's year and, for the difference test, the years of
the province's own panel. With fewer than five provinces (a police force's own store) each
province keeps its own cautious ρ.

A batch renders many briefs from one snapshot in one kernel; the pooled ρ depends only on the data
and these choices, so it is computed once per key (data hash, unit type, years, breaks) and kept.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from parbrief.analysis.memo import Memo
from parbrief.data.validate import NATIONAL
from parbrief.stats.differences import panel_pool
from parbrief.stats.serial import PooledRho
from parbrief.stats.standing import standing_pool

__all__ = ["difference_pool", "store_rows", "trend_pool"]

_CACHE = Memo(64)


def store_rows(scores: pd.DataFrame, year: int, reorganized: bool, reorg_year: int, unit_type: str) -> pd.DataFrame:
    """Every province's rows of ``unit_type`` on the map of ``year``, years up to ``year``."""
    rows = scores[(scores["province"] != NATIONAL) & (scores["year"] <= year) & (scores["unit_type"] == unit_type)]
    return rows[rows["year"] >= reorg_year] if reorganized else rows[rows["year"] < reorg_year]


def difference_pool(scores: pd.DataFrame, sha: str, *, year: int, reorganized: bool, reorg_year: int,
                    unit_type: str, years: Sequence[int], breaks: Sequence[float]) -> PooledRho | None:
    """Pooled ρ for the difference test of ``unit_type`` over the panel years ``years``."""
    lo, hi = (min(years), max(years)) if len(years) else (year, year)
    key = ("diff", sha, year, reorganized, unit_type, lo, hi, tuple(breaks))

    def compute() -> PooledRho | None:
        rows = store_rows(scores, year, reorganized, reorg_year, unit_type)
        rows = rows[(rows["year"] >= lo) & (rows["year"] <= hi)]
        return panel_pool(rows, value="total", breaks=breaks) if len(rows) else None

    return _CACHE.get(key, compute)


def trend_pool(scores: pd.DataFrame, sha: str, *, year: int, reorganized: bool, reorg_year: int, unit_type: str,
               breaks: Sequence[float], min_years: int) -> PooledRho | None:
    """Pooled ρ for the standing trends of ``unit_type`` (every year of the map up to ``year``)."""
    key = ("standing", sha, year, reorganized, unit_type, tuple(breaks), int(min_years))

    def compute() -> PooledRho | None:
        rows = store_rows(scores, year, reorganized, reorg_year, unit_type)
        return standing_pool(rows, value="total", breaks=breaks, min_years=min_years) if len(rows) else None

    return _CACHE.get(key, compute)
