"""What one province's brief knows: its headline numbers and every result its sections show.

``build_brief`` reads the snapshot once, runs every statistic the brief needs and returns a
:class:`Brief`; the notebook only displays its sections. The index page uses
:func:`headline_rows` so the numbers there are the ones the briefs print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from parbrief.spec import IndexSpec

__all__ = ["NATIONAL", "Headline", "headline", "headline_rows"]

#: Province value of the national table (its units are the provinces).
NATIONAL = "Việt Nam"


@dataclass(frozen=True)
class Headline:
    """A province's standing in one year: score, band, national rank, change since last year.

    ``source`` says where the score comes from: ``national`` (the province's own row in the
    national table, ranked among all provinces) or ``unit_mean`` (no national row: the mean of
    its units' totals, with no national rank).
    """

    province: str
    year: int
    score: float | None
    band_label: str | None
    rank: int | None
    n_ranked: int | None
    change: float | None
    rank_change: int | None
    previous_year: int | None
    source: str


def _national_rank(national: pd.DataFrame, year: int) -> pd.DataFrame:
    """Ranks of provinces in one year: higher total first, same total → same rank (official style)."""
    from parbrief.stats.ratings import rank_units

    return rank_units(national, year, value="total")


def headline(
    scores: pd.DataFrame,
    province: str,
    year: int,
    spec: IndexSpec,
    *,
    national_scheme: str = "national",
    lang: str = "vi",
) -> Headline:
    """The headline numbers of ``province`` in ``year`` (see :class:`Headline` for the sources)."""
    scheme = spec.scheme(national_scheme)
    national = scores[scores["province"] == NATIONAL]
    own = national[national["unit"] == province]
    prev_year = year - 1
    if not own[own["year"] == year].empty:
        ranks = _national_rank(national, year)
        row = ranks[ranks["unit"] == province].iloc[0]
        score = float(row["total"])
        rank, n_ranked = int(row["rank"]), int(len(ranks))
        change = rank_change = None
        if not own[own["year"] == prev_year].empty:
            prev_ranks = _national_rank(national, prev_year)
            prev = prev_ranks[prev_ranks["unit"] == province].iloc[0]
            change = score - float(prev["total"])
            rank_change = int(prev["rank"]) - rank
        source = "national"
    else:
        units = scores[(scores["province"] == province)]
        this = units.loc[units["year"] == year, "total"].dropna()
        score = float(this.mean()) if len(this) else None
        before = units.loc[units["year"] == prev_year, "total"].dropna()
        change = (score - float(before.mean())) if (score is not None and len(before)) else None
        rank = n_ranked = rank_change = None
        source = "unit_mean"
    band = scheme.band_for(score) if score is not None and not math.isnan(score) else None
    has_prev = change is not None
    return Headline(
        province=province,
        year=year,
        score=score,
        band_label=band.label(lang) if band else None,
        rank=rank,
        n_ranked=n_ranked,
        change=change,
        rank_change=rank_change,
        previous_year=prev_year if has_prev else None,
        source=source,
    )


def headline_rows(
    scores: pd.DataFrame,
    provinces: Sequence[str],
    year: int,
    spec: IndexSpec,
    *,
    national_scheme: str = "national",
    lang: str = "vi",
) -> list[Headline]:
    """:func:`headline` for each province, in the given order."""
    return [headline(scores, p, year, spec, national_scheme=national_scheme, lang=lang) for p in provinces]
