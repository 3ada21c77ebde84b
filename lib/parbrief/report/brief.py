"""What one province's brief knows: its headline numbers and every result its sections show.

``build_brief`` reads the snapshot once, runs every statistic the brief needs and returns a
:class:`Brief`; the notebook only displays its sections. The index page uses
:func:`headline_rows` so the numbers there are the ones the briefs print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from parbrief.analysis.standing import StandingSummary, brief_standing
from parbrief.config import default
from parbrief.data.validate import NATIONAL
from parbrief.spec import BandScheme, IndexSpec
from parbrief.stats.differences import DifferenceResult
from parbrief.stats.ratings import BandDistribution
from parbrief.stats.trends import Trend, TrendTable

__all__ = ["NATIONAL", "Brief", "Headline", "build_brief", "headline", "headline_rows", "load_frames"]



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


def _national_rank(national: pd.DataFrame, year: int, decimals: int = 2) -> pd.DataFrame:
    """Ranks of provinces in one year: higher published total first, same → same rank (official style)."""
    from parbrief.stats.ratings import rank_units

    return rank_units(national, year, value="total", decimals=decimals).rename(columns={"value": "total"})


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


def headline(
    scores: pd.DataFrame,
    province: str,
    year: int,
    spec: IndexSpec,
    *,
    national_scheme: str = "national",
    lang: str = "vi",
) -> Headline:
    """The headline numbers of ``province`` in ``year`` (see :class:`Headline` for the sources).

    Changes since the year before are given only where the two years are comparable (see
    :func:`comparison_with_previous`); otherwise ``no_change_reason`` says why they are not.
    """
    from parbrief.stats.ratings import published, published_values, score_change

    scheme, dec = spec.scheme(national_scheme), spec.rank_decimals
    score_ok, rank_ok, why_not = comparison_with_previous(spec, province, year)
    national = scores[scores["province"] == NATIONAL]
    own = national[national["unit"] == province]
    prev_year = year - 1
    if not own[own["year"] == year].empty:
        ranks = _national_rank(national, year, dec)
        row = ranks[ranks["unit"] == province].iloc[0]
        score = float(row["total"])
        rank, n_ranked = int(row["rank"]), int(len(ranks))
        change = rank_change = None
        if not own[own["year"] == prev_year].empty:
            prev_ranks = _national_rank(national, prev_year, dec)
            prev = prev_ranks[prev_ranks["unit"] == province].iloc[0]
            change = score_change(score, prev["total"], dec)  # of the published scores
            rank_change = int(prev["rank"]) - rank
        source = "national"
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
    band = scheme.band_for(published(score, dec)) if score is not None and not math.isnan(score) else None
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
        predecessors=predecessors_of(province, year),
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


@dataclass(frozen=True)
class Brief:
    """Everything one province's brief shows, computed once from the data (no display here).

    ``history`` holds the province's rows up to ``year`` (never later years), ``current`` the
    rows of ``year``. Districts and departments are assessed on different criteria and ranked
    in separate tables, so ``league`` and ``panel`` are keyed by ``unit_type`` (districts
    first): ``league[t]`` is :func:`parbrief.stats.trends.rank_table` for ``year`` against
    ``compare_year`` (the year before, when the province has it) with each unit's trend class
    merged in, ``panel[t]`` the two-way test of differences between those units. Statistics that the data cannot support are present as results that say
    why ("cannot test"), never left out silently.
    """

    province: str
    year: int
    lang: str
    alpha: float
    min_years: int
    adjust: str
    spec: IndexSpec
    scheme: BandScheme
    national_scheme: BandScheme
    headline: Headline
    history: pd.DataFrame
    current: pd.DataFrame
    compare_year: int | None
    league: dict[str, pd.DataFrame]
    trends: TrendTable
    province_trend: Trend
    component_trends: dict[str, Trend]
    panel: dict[str, DifferenceResult]
    groups: DifferenceResult | None
    survey: DifferenceResult | None
    bands: BandDistribution
    components: pd.DataFrame
    new_units: tuple[str, ...]
    dropped_units: tuple[str, ...]
    synthetic: bool
    data_source: str
    data_sha256: str
    parameters: dict[str, Any] = field(default_factory=dict)
    generated: str = ""
    breaks: tuple[float, ...] = ()
    reorganized: bool = False
    predecessors: tuple[str, ...] = ()
    predecessor_history: pd.DataFrame | None = None
    scores_comparable: bool = True
    #: Movement across methods: standing trends per unit type, raw paths, the province's standing.
    standing: StandingSummary | None = None

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.history["year"].unique())

    @property
    def n_units(self) -> int:
        return int(self.current["unit"].nunique())


def load_frames(data: str | Path, survey: str | Path | None, spec: IndexSpec) -> tuple[pd.DataFrame, pd.DataFrame | None, str, dict[str, str]]:
    """Scores, survey, data hash and meta from a snapshot (Parquet) or any store/file.

    The batch passes the snapshot it wrote (``scores.parquet`` plus ``survey.parquet``); a user
    running the notebook by hand may pass a store or a scores file instead.
    """
    from parbrief.data.store import frames_sha256, load_data

    p = Path(data)
    if p.suffix.lower() == ".parquet" and p.name.startswith("scores"):
        scores = pd.read_parquet(p)
        sv = pd.read_parquet(survey) if survey else None
        meta_path = p.with_name("meta.json")
        meta: dict[str, str] = {}
        if meta_path.is_file():
            import json

            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return scores, sv, frames_sha256(scores, sv), meta
    bundle = load_data(p, spec)
    sv = pd.read_parquet(survey) if survey else bundle.survey
    return bundle.scores, sv, bundle.sha256, dict(bundle.meta)


#: Order in which unit types are shown (others follow alphabetically).
UNIT_TYPE_ORDER = ("district", "commune", "department")


def unit_types(frame: pd.DataFrame) -> list[str]:
    """The unit types present, districts first, then departments, then any other."""
    present = [str(t) for t in frame["unit_type"].dropna().unique()]
    return [t for t in UNIT_TYPE_ORDER if t in present] + sorted(t for t in present if t not in UNIT_TYPE_ORDER)


def _component_table(current: pd.DataFrame, previous: pd.DataFrame | None, spec: IndexSpec) -> pd.DataFrame:
    """Per component: the province mean as % of the maximum, its change, best and worst unit."""
    rows = []
    for comp in spec.components:
        if comp.code not in current.columns or current[comp.code].isna().all():
            continue
        vals = pd.to_numeric(current[comp.code], errors="coerce")
        pct = vals / comp.max_points * 100
        best = current.loc[pct.idxmax(), "unit"] if pct.notna().any() else None
        worst = current.loc[pct.idxmin(), "unit"] if pct.notna().any() else None
        prev_pct = math.nan
        if previous is not None and comp.code in previous.columns:
            prev_pct = float(pd.to_numeric(previous[comp.code], errors="coerce").mean() / comp.max_points * 100)
        rows.append(
            {
                "code": comp.code,
                "max_points": comp.max_points,
                "mean": float(vals.mean()),
                "pct": float(pct.mean()),
                "prev_pct": prev_pct,
                "change_pct": float(pct.mean()) - prev_pct if not math.isnan(prev_pct) else math.nan,
                "best_unit": best,
                "best_pct": float(pct.max()),
                "worst_unit": worst,
                "worst_pct": float(pct.min()),
            }
        )
    table = pd.DataFrame(rows)
    return table.sort_values("pct", ascending=False, kind="mergesort").reset_index(drop=True) if len(table) else table


def build_brief(
    *,
    province: str,
    year: int,
    data: str | Path,
    survey: str | Path | None = None,
    spec: str | Path | IndexSpec | None = None,
    lang: str = default("lang"),
    alpha: float = default("alpha"),
    min_years: int = default("min_years"),
    adjust: str = default("adjust"),
    band_scheme: str = default("band_scheme"),
    national_band_scheme: str = default("national_band_scheme"),
    frames: tuple[pd.DataFrame, pd.DataFrame | None, str, dict[str, str]] | None = None,
) -> Brief:
    """Compute every number of ``province``'s brief for ``year`` (see :class:`Brief`).

    Only years up to ``year`` are used, so a brief for an earlier year reads as it would have
    then. ``frames`` lets a caller that already loaded the data pass it in.
    """
    from parbrief.data.names import normalize_name
    from parbrief.errors import ParamsError
    from parbrief.spec import load_spec
    from parbrief.stats.differences import panel_differences, survey_differences, two_group_comparison
    from parbrief.stats.ratings import band_distribution
    from parbrief.stats.trends import province_trend, rank_table, unit_trends

    idx = spec if isinstance(spec, IndexSpec) else load_spec(spec or None)
    scores, survey_frame, sha, meta = frames if frames is not None else load_frames(data, survey or None, idx)
    key = normalize_name(province)
    rows = scores[(scores["province"] == key) & (scores["province"] != NATIONAL)]
    if rows.empty:
        known = sorted(p for p in scores["province"].unique() if p != NATIONAL)
        raise ParamsError(f"province {province!r} is not in the data; provinces available: {', '.join(known)}")
    history = rows[rows["year"] <= year].reset_index(drop=True)
    reorg_year = reorganization_year()
    reorganized = year >= reorg_year
    preds = predecessors_of(key, year)
    predecessor_history = None
    if reorganized:
        # A new map: units of the old map are not this province's units, so no trend crosses it.
        predecessor_history = _predecessor_history(scores, preds, reorg_year)
        history = history[history["year"] >= reorg_year].reset_index(drop=True)
    current = history[history["year"] == year].reset_index(drop=True)
    if current.empty:
        have = sorted(int(y) for y in rows["year"].unique())
        raise ParamsError(f"{key} has no scores for {year}; years available: {', '.join(map(str, have))}")
    years = sorted(int(y) for y in history["year"].unique())
    compare_year = year - 1 if (year - 1) in years else None
    scheme = idx.scheme(band_scheme)
    nat_scheme = idx.scheme(national_band_scheme)
    breaks = tuple(idx.breaks(years))
    # Raw scores of two method periods are not comparable: across a break, compare ranks only.
    scores_comparable = compare_year is None or not idx.method_changes_between(compare_year, year)

    trends = unit_trends(history, value="total", min_years=min_years, alpha=alpha, adjust=adjust, breaks=breaks,
                         group="unit_type")
    national = scores[(scores["province"] == NATIONAL) & (scores["year"] <= year)]
    national = national[national["year"] >= reorg_year] if reorganized else national[national["year"] < reorg_year]
    standing = brief_standing(history, national, key, year, breaks, unit_types(current), alpha=alpha, adjust=adjust,
                              min_years=min_years)
    # The league table's trend is the calibrated one: the unit's standing among units of its type.
    trend_class = {t.unit: t.classification for tab in standing.by_type.values() for t in tab.trends}
    league: dict[str, pd.DataFrame] = {}
    panel: dict[str, DifferenceResult] = {}
    for unit_type in unit_types(current):
        of_type = history[history["unit_type"] == unit_type]
        table = rank_table(of_type, year, compare_year=compare_year, scheme=scheme, decimals=idx.rank_decimals)
        table["trend"] = table["unit"].map(trend_class)
        if compare_year is not None and not scores_comparable:
            table["change"] = float("nan")
        league[unit_type] = table
        # Across a method change units are compared on their within-year standing (z-scores),
        # within one method on raw scores (panel_differences, scale="auto").
        panel[unit_type] = panel_differences(of_type, value="total", alpha=alpha, adjust=adjust, breaks=breaks)
    prov_trend = province_trend(history, value="total", min_years=min_years, alpha=alpha, name=key, breaks=breaks)
    comp_trends = {
        c.code: province_trend(history, value=c.code, min_years=min_years, alpha=alpha, name=key, breaks=breaks)
        for c in idx.components
        if c.code in history.columns and history[c.code].notna().any()
    }
    groups = None
    if current["unit_type"].nunique() == 2:
        groups = two_group_comparison(current, value="total", group_col="unit_type", alpha=alpha)
    survey_result = None
    if survey_frame is not None and len(survey_frame):
        sv = survey_frame[(survey_frame["province"] == key) & (survey_frame["year"] == year)]
        if len(sv):
            survey_result = survey_differences(sv, value="satisfaction", alpha=alpha, year=year)
    previous = history[history["year"] == compare_year] if compare_year is not None else None
    units_now = set(current["unit"])
    units_before = set(previous["unit"]) if previous is not None else set()
    new_units = tuple(sorted(units_now - units_before)) if previous is not None else ()
    dropped = tuple(sorted(units_before - units_now))
    from parbrief import __version__

    return Brief(
        province=key,
        year=int(year),
        lang=lang,
        alpha=float(alpha),
        min_years=int(min_years),
        adjust=adjust,
        spec=idx,
        scheme=scheme,
        national_scheme=nat_scheme,
        headline=headline(scores, key, year, idx, national_scheme=national_band_scheme, lang=lang),
        history=history,
        current=current,
        compare_year=compare_year,
        league=league,
        trends=trends,
        province_trend=prov_trend,
        component_trends=comp_trends,
        panel=panel,
        groups=groups,
        survey=survey_result,
        bands=band_distribution(history, scheme, by="year", decimals=idx.rank_decimals),
        components=_component_table(current, previous, idx),
        new_units=new_units,
        dropped_units=dropped,
        synthetic=str(meta.get("synthetic", "")).lower() == "true",
        data_source=str(data),
        data_sha256=sha,
        parameters={
            "province": key, "year": int(year), "lang": lang, "alpha": alpha, "min_years": min_years,
            "adjust": adjust, "band_scheme": band_scheme, "national_band_scheme": national_band_scheme,
            "spec": idx.source, "parbrief": __version__,
        },
        generated=date.today().isoformat(),
        breaks=breaks,
        reorganized=reorganized,
        predecessors=preds,
        predecessor_history=predecessor_history,
        scores_comparable=scores_comparable,
        standing=standing,
    )


def _predecessor_history(scores: pd.DataFrame, predecessors: Sequence[str], reorg_year: int) -> pd.DataFrame | None:
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
