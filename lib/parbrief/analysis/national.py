"""The nation's own brief: what it shows besides the statistics a province brief runs on its units.

The national table's units are the provinces (rows with ``province == NATIONAL``). Its headline is
the national average (the mean of every province's score that year, the same number every
province brief shows as "Bình quân cả nước") and its change since the year before when the two
years share a map and a method; its ends are the best and lowest provinces; and the provinces are
grouped into the six socio-economic regions (:mod:`parbrief.data.regions`): each region's mean,
best and lowest province, and each province's rank within its region. Codes and numbers only;
the sentences are written by :mod:`parbrief.report`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from parbrief.analysis.headline import Headline
from parbrief.analysis.reorganization import reorganization_year
from parbrief.data.regions import REGION_CODES, region_of
from parbrief.data.validate import NATIONAL
from parbrief.spec import IndexSpec

__all__ = ["Ends", "national_ends", "national_headline", "region_means", "region_ranks"]


@dataclass(frozen=True)
class Ends:
    """The best and the lowest provinces of the year (ties share a place: every tied name is listed)."""

    best: tuple[str, ...]
    best_score: float | None
    lowest: tuple[str, ...]
    lowest_score: float | None
    n: int


def _year_rows(national: pd.DataFrame, year: int) -> pd.DataFrame:
    rows = national[(national["year"] == year)].copy()
    rows["total"] = pd.to_numeric(rows["total"], errors="coerce")
    return rows.dropna(subset=["total"])


def national_headline(scores: pd.DataFrame, year: int, spec: IndexSpec, *, national_scheme: str = "national",
                      lang: str = "vi") -> Headline:
    """The nation's headline: the national average of ``year`` (``source="nation"``, no rank).

    ``score`` is the unrounded mean of the provinces' scores, exactly the ``national_mean`` of a
    province's :class:`~parbrief.analysis.headline.Headline`; ``change`` the difference of the two
    years' unrounded means, given only when both years are on one map (the 2025 mean is of 34
    provinces, the 2024 one of 63: ``no_change_reason="new_map"``) and under one method
    (``"method_break"``). ``n_ranked`` is the number of provinces averaged.
    """
    from parbrief.stats.ratings import published, score_change

    national = scores[scores["province"] == NATIONAL]
    now = _year_rows(national, year)
    before = _year_rows(national, year - 1)
    score = float(now["total"].mean()) if len(now) else None
    change, why_not = None, None
    if score is None or before.empty:
        why_not = "no_previous"
    elif year == reorganization_year():
        why_not = "new_map"
    elif spec.method_changes_between(year - 1, year):
        why_not = "method_break"
    else:
        change = score_change(score, float(before["total"].mean()), spec.rank_decimals, of_published=False)
    band = (spec.scheme(national_scheme).band_for(published(score, spec.rank_decimals))
            if score is not None and not math.isnan(score) else None)
    return Headline(province=NATIONAL, year=int(year), score=score, band_label=band.label(lang) if band else None,
                    rank=None, n_ranked=int(len(now)), change=change, rank_change=None,
                    previous_year=year - 1 if change is not None else None, source="nation",
                    no_change_reason=why_not, national_mean=score)


def national_ends(league: pd.DataFrame) -> Ends:
    """The best and lowest provinces of a league table (:func:`parbrief.stats.trends.rank_table`)."""
    ranked = league.dropna(subset=["value"])
    if ranked.empty:
        return Ends((), None, (), None, 0)
    top, low = ranked["rank"].min(), ranked["rank"].max()
    best = ranked[ranked["rank"] == top]
    lowest = ranked[ranked["rank"] == low]
    return Ends(best=tuple(best["unit"].astype(str)), best_score=float(best["value"].iloc[0]),
                lowest=tuple(lowest["unit"].astype(str)), lowest_score=float(lowest["value"].iloc[0]),
                n=int(len(ranked)))


def region_ranks(league: pd.DataFrame, year: int, decimals: int = 2) -> pd.DataFrame:
    """Each province's region and its rank among the provinces of that region in ``year``.

    Columns ``unit``, ``region`` (a code of :data:`REGION_CODES`, None for a name on neither
    map), ``provisional``, ``region_rank`` (ties share a rank, as the national rank) and
    ``region_n``. Ranks are of the published scores, as the league table's.
    """
    from parbrief.stats.ratings import published

    regions = [region_of(str(u), year) for u in league["unit"]]
    out = pd.DataFrame({
        "unit": league["unit"].astype(str).to_numpy(),
        "region": [r.code if r else None for r in regions],
        "provisional": [bool(r.provisional) if r else False for r in regions],
        "value": [published(v, decimals) for v in pd.to_numeric(league["value"], errors="coerce")],
    })
    # rank in the region = 1 + the peers scoring strictly more ("min" ties, as the national rank)
    value = pd.to_numeric(out["value"], errors="coerce").astype(float)
    by_region = value.groupby(out["region"], dropna=True)
    out["region_rank"] = by_region.rank(method="min", ascending=False).astype("Int64")
    out["region_n"] = by_region.transform("count").astype("Int64")
    return out.drop(columns="value")


def region_means(national: pd.DataFrame, year: int, spec: IndexSpec) -> pd.DataFrame:
    """The six regions in ``year``: provinces, mean score, change since the year before, best and lowest.

    One row per region that has provinces in the national table, in the statistical yearbook's
    order (:data:`REGION_CODES`): ``region``, ``n``, ``mean`` (the unrounded mean of its provinces'
    scores), ``previous`` and ``change`` (the year before, only on the same map and method: a
    region of 2025 is not the region of 2024), ``best_unit``/``best_value``,
    ``lowest_unit``/``lowest_value`` and ``provisional`` (a province placed in it provisionally,
    formed across regions in 2025). Provinces on neither map are left out.
    """
    from parbrief.stats.ratings import score_change

    def by_region(y: int) -> pd.DataFrame:
        rows = _year_rows(national, y)
        found = [region_of(str(u), y) for u in rows["unit"]]
        return rows.assign(region=[r.code if r else None for r in found],
                           provisional=[bool(r.provisional) if r else False for r in found]).dropna(subset=["region"])

    now = by_region(year)
    comparable = (year - 1) in set(int(v) for v in national["year"].unique()) and year != reorganization_year() \
        and not spec.method_changes_between(year - 1, year)
    before = by_region(year - 1) if comparable else now.iloc[0:0]
    out = []
    for code in REGION_CODES:
        g = now[now["region"] == code].sort_values("total", ascending=False, kind="mergesort")
        if g.empty:
            continue
        mean = float(g["total"].mean())
        prev = before.loc[before["region"] == code, "total"]
        previous = float(prev.mean()) if len(prev) else math.nan
        out.append({
            "region": code, "n": int(len(g)), "mean": mean, "previous": previous,
            "change": score_change(mean, previous, spec.rank_decimals, of_published=False),
            "best_unit": str(g["unit"].iloc[0]), "best_value": float(g["total"].iloc[0]),
            "lowest_unit": str(g["unit"].iloc[-1]), "lowest_value": float(g["total"].iloc[-1]),
            "provisional": bool(g["provisional"].any()),
        })
    cols = ["region", "n", "mean", "previous", "change", "best_unit", "best_value", "lowest_unit", "lowest_value",
            "provisional"]
    return pd.DataFrame(out, columns=cols)
