"""A province's headline numbers in one year: score, band, national rank and change since last year.

The brief's header and the year's index page show these numbers; the index reads the ones
each executed brief produced (see :func:`headline_record`), so both always agree.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd

from parbrief.analysis.reorganization import comparison_with_previous, predecessors_of, reorganization_year
from parbrief.data.validate import NATIONAL
from parbrief.spec import IndexSpec

#: MIME type of the output through which an executed brief hands its headline to the index.
HEADLINE_MIME = "application/vnd.parbrief.headline+json"

__all__ = ["HEADLINE_MIME", "Headline", "headline", "headline_from_record", "headline_record", "headline_rows"]


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
    no_change_reason: str | None = None  # no_previous | new_province | method_break | None
    predecessors: tuple[str, ...] = ()
    #: The mean of every province's score in the national table that year (unrounded), and the
    #: province's gap to it: the difference of the two *printed* values (``score_change``).
    national_mean: float | None = None
    national_gap: float | None = None
    #: The socio-economic region (``data.regions``), the rank among its provinces in the national
    #: table (ties share a rank) and how many there are; ``region_provisional`` for a new
    #: province formed across regions.
    region: str | None = None
    region_rank: int | None = None
    region_n: int | None = None
    region_provisional: bool = False


def _national_rank(national: pd.DataFrame, year: int, decimals: int = 2) -> pd.DataFrame:
    """Ranks of provinces in one year: higher total first, same total → same rank (official style)."""
    from parbrief.stats.ratings import rank_units

    return rank_units(national, year, value="total", decimals=decimals).rename(columns={"value": "total"})


def headline(
    scores: pd.DataFrame,
    province: str,
    year: int,
    spec: IndexSpec,
    *,
    national_scheme: str = "",
    lang: str = "vi",
) -> Headline:
    """The headline numbers of ``province`` in ``year`` (see :class:`Headline` for the sources).

    Changes since the year before are given only where the two years are comparable (see
    :func:`comparison_with_previous`); otherwise ``no_change_reason`` says why they are not.
    """
    from parbrief.stats.ratings import published, published_values, score_change

    scheme, dec = spec.national(national_scheme or None), spec.rank_decimals
    score_ok, rank_ok, why_not = comparison_with_previous(spec, province, year)
    national = scores[scores["province"] == NATIONAL]
    own = national[national["unit"] == province]
    prev_year = year - 1
    preds = predecessors_of(province, year)
    # A province not reorganized may still be written otherwise the year before ("Thừa Thiên Huế").
    prev_name = preds[0] if year == reorganization_year() and len(preds) == 1 else province
    prev_own = national[(national["unit"] == prev_name) & (national["year"] == prev_year)]
    extra: dict[str, Any] = {}
    if not own[own["year"] == year].empty:
        ranks = _national_rank(national, year, dec)
        row = ranks[ranks["unit"] == province].iloc[0]
        score = float(row["total"])
        rank, n_ranked = int(row["rank"]), int(len(ranks))
        change = rank_change = None
        if not prev_own.empty:
            prev_ranks = _national_rank(national, prev_year, dec)
            prev = prev_ranks[prev_ranks["unit"] == prev_name].iloc[0]
            change = score_change(score, prev["total"], dec)  # of the published scores
            rank_change = int(prev["rank"]) - rank
        source = "national"
        extra = _national_context(ranks, province, year, dec)
    else:
        units = scores[(scores["province"] == province)]
        this = published_values(units.loc[units["year"] == year, "total"], dec).dropna()
        score = float(this.mean()) if len(this) else None
        before = published_values(units.loc[units["year"] == prev_year, "total"], dec).dropna()
        # The unrounded means' difference (the previous mean is not printed beside it).
        change = score_change(score, before.mean(), dec, of_published=False) if score is not None and len(before) else None
        if year == reorganization_year() and change is not None:
            change, why_not = None, "new_map"  # districts then, communes now: different units
        rank = n_ranked = rank_change = None
        source = "unit_mean"
    if not score_ok:
        change = None
    if not rank_ok:
        rank_change = None
    if scheme.is_quantile:
        # Groups of the year's provinces: only a province of the national table has one.
        scheme = scheme.resolve(ranks["total"]) if source == "national" else None
    band = (scheme.band_for(published(score, dec))
            if scheme is not None and score is not None and not math.isnan(score) else None)
    has_prev = change is not None
    if change is None and why_not is None:
        why_not = "no_previous"
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
        no_change_reason=None if has_prev else why_not,
        predecessors=preds,
        **extra,
    )


def _national_context(ranks: pd.DataFrame, province: str, year: int, decimals: int) -> dict[str, Any]:
    """The national mean and the gap to it, the region and the rank within it (see :class:`Headline`)."""
    from parbrief.data.regions import region_of
    from parbrief.stats.ratings import published, score_change

    mean = float(pd.to_numeric(ranks["total"], errors="coerce").mean())
    score = float(ranks.loc[ranks["unit"] == province, "total"].iloc[0])
    out: dict[str, Any] = {"national_mean": mean, "national_gap": score_change(score, mean, decimals)}
    region = region_of(province, year)
    if region is None:
        return out
    peers = ranks[[getattr(region_of(str(u), year), "code", None) == region.code for u in ranks["unit"]]]
    own = published(score, decimals)
    better = sum(published(v, decimals) > own for v in peers["total"])
    out.update(region=region.code, region_rank=int(better) + 1, region_n=int(len(peers)),
               region_provisional=region.provisional)
    return out


def headline_rows(
    scores: pd.DataFrame,
    provinces: Sequence[str],
    year: int,
    spec: IndexSpec,
    *,
    national_scheme: str = "",
    lang: str = "vi",
) -> list[Headline]:
    """:func:`headline` for each province, in the given order."""
    return [headline(scores, p, year, spec, national_scheme=national_scheme, lang=lang) for p in provinces]


def headline_record(h: Headline) -> dict[str, Any]:
    """``h`` as JSON-ready values (what a notebook hands to the index, see ``report.sections``)."""
    out = dataclasses.asdict(h)
    out["predecessors"] = list(h.predecessors)
    return out


def headline_from_record(record: Mapping[str, Any]) -> Headline:
    """The :class:`Headline` that :func:`headline_record` wrote (unknown keys are ignored)."""
    names = {f.name for f in dataclasses.fields(Headline)}
    values = {k: v for k, v in record.items() if k in names}
    values["predecessors"] = tuple(values.get("predecessors") or ())
    return Headline(**values)
