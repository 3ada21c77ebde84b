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
When it has the time, a render computes them once in its own process and hands them to every
kernel (:func:`dumps`, :func:`seed`, :mod:`parbrief.run.pools`): each kernel would compute them
again for its first brief (≈ 1.3 s of CPU on a 63-province store).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Hashable, Sequence

import pandas as pd

from parbrief.analysis.memo import Memo
from parbrief.data.validate import NATIONAL
from parbrief.stats.differences import panel_pool
from parbrief.stats.serial import PooledRho
from parbrief.stats.standing import standing_pool

__all__ = ["difference_pool", "dumps", "entries", "seed", "store_rows", "trend_pool"]

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


def entries(sha: str) -> list[tuple[Hashable, PooledRho | None]]:
    """The pooled ρ this process keeps for the data of hash ``sha`` (every key starts with its kind and the hash)."""
    return [(k, v) for k, v in _CACHE.items() if isinstance(k, tuple) and len(k) > 1 and k[1] == sha]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds (json cannot write numpy's)."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def dumps(kept: Sequence[tuple[Hashable, PooledRho | None]], library: str) -> str:
    """``kept`` (:func:`entries`) as JSON, marked with the ``library`` (source hash) that computed them.

    Floats are written by ``repr`` (exact round trip, NaN included), so a kernel given them builds
    the same bytes as one that computed them itself.
    """
    rows = [{"key": list(k), "pool": asdict(v) if v is not None else None} for k, v in kept]
    return json.dumps({"library": library, "pools": rows}, ensure_ascii=False, default=_plain)


def seed(text: str, library: str | None = None) -> int:
    """Keep the pooled ρ of :func:`dumps` in this process; returns how many.

    With ``library``, entries another source of parbrief computed are ignored (0): an estimate is
    kept only by the code that would compute it.
    """
    doc = json.loads(text)
    if library is not None and doc.get("library") != library:
        return 0
    n = 0
    for row in doc.get("pools", []):
        key = tuple(tuple(x) if isinstance(x, list) else x for x in row["key"])
        pool = row["pool"]
        _CACHE.put(key, PooledRho(**pool) if pool is not None else None)
        n += 1
    return n
