"""The 2025 reorganization of provinces and the method periods: which years may be compared.

The rules every page applies before comparing two years: the first year on the new map
(from the shipped province crosswalk), each new province's predecessors, whether a score or a
rank may be compared with the year before, and each predecessor's own series up to the merger.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from parbrief.data.validate import NATIONAL
from parbrief.spec import IndexSpec

__all__ = ["comparison_with_previous", "predecessor_history", "predecessors_of", "reorganization_year"]


def reorganization_year() -> int:
    """First data year on the 2025 map (from the shipped province crosswalk)."""
    from parbrief.data.crosswalk import load_province_crosswalk

    return min(link.first_year for link in load_province_crosswalk().links)


def predecessors_of(province: str, year: int) -> tuple[str, ...]:
    """Provinces of the old map that ``province`` was formed from, when ``year`` is on the new map.

    A province that did not merge is its own predecessor; before the reorganization, or for a
    name the crosswalk does not know (another country's units, test data), there are none.
    """
    from parbrief.data.crosswalk import load_province_crosswalk

    if year < reorganization_year():
        return ()
    try:
        return tuple(load_province_crosswalk().predecessors(province))
    except Exception:  # noqa: BLE001 — unknown to the crosswalk: no predecessors to show
        return ()


def comparison_with_previous(spec: IndexSpec, province: str, year: int) -> tuple[bool, bool, str | None]:
    """Whether ``year`` may be compared with ``year − 1``: (scores, ranks, reason when not).

    Not comparable: a merged province in its first year (its "previous year" belongs to another,
    smaller province), ranks across the reorganization (63 provinces then, 34 now), and raw
    scores across a change of method (different criteria and maxima).
    """
    preds = predecessors_of(province, year)
    first_new = year == reorganization_year()
    if first_new and len(preds) > 1:
        return False, False, "new_province"
    method_break = spec.method_changes_between(year - 1, year)
    if method_break:
        return False, not first_new, "method_break"
    return True, not first_new, None


def predecessor_history(scores: pd.DataFrame, predecessors: Sequence[str], reorg_year: int) -> pd.DataFrame | None:
    """Each predecessor province's own yearly score up to the reorganization, as separate series.

    From the national table when it has them (the official score), else the mean of each
    predecessor's units. Never averaged across predecessors: that would invent a history.
    """
    if not predecessors:
        return None
    old = scores[scores["year"] < reorg_year]
    national = old[(old["province"] == NATIONAL) & old["unit"].isin(predecessors)]
    if len(national):
        out = national[["unit", "year", "total"]].copy()
        out["source"] = "national"
    else:
        units = old[old["province"].isin(predecessors)]
        if units.empty:
            return None
        out = units.groupby(["province", "year"], as_index=False)["total"].mean().rename(columns={"province": "unit"})
        out["source"] = "unit_mean"
    out["unit_type"] = "province"
    return out.sort_values(["unit", "year"]).reset_index(drop=True)
