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

from parbrief.data.validate import NATIONAL
from parbrief.spec import BandScheme, IndexSpec
from parbrief.stats._results import StatTest
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


def _national_rank(national: pd.DataFrame, year: int) -> pd.DataFrame:
    """Ranks of provinces in one year: higher total first, same total → same rank (official style)."""
    from parbrief.stats.ratings import rank_units

    return rank_units(national, year, value="total").rename(columns={"value": "total"})


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
UNIT_TYPE_ORDER = ("district", "department")


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
    lang: str = "vi",
    alpha: float = 0.05,
    min_years: int = 4,
    adjust: str = "holm",
    band_scheme: str = "provincial",
    national_band_scheme: str = "national",
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
    current = history[history["year"] == year].reset_index(drop=True)
    if current.empty:
        have = sorted(int(y) for y in rows["year"].unique())
        raise ParamsError(f"{key} has no scores for {year}; years available: {', '.join(map(str, have))}")
    years = sorted(int(y) for y in history["year"].unique())
    compare_year = year - 1 if (year - 1) in years else None
    scheme = idx.scheme(band_scheme)
    nat_scheme = idx.scheme(national_band_scheme)

    trends = unit_trends(history, value="total", min_years=min_years, alpha=alpha, adjust=adjust)
    trend_class = {t.unit: t.classification for t in trends.trends}
    league: dict[str, pd.DataFrame] = {}
    panel: dict[str, DifferenceResult] = {}
    for unit_type in unit_types(current):
        of_type = history[history["unit_type"] == unit_type]
        table = rank_table(of_type, year, compare_year=compare_year, scheme=scheme)
        table["trend"] = table["unit"].map(trend_class)
        league[unit_type] = table
        panel[unit_type] = panel_differences(of_type, value="total", alpha=alpha, adjust=adjust)
    prov_trend = province_trend(history, value="total", min_years=min_years, alpha=alpha, name=key)
    comp_trends = {
        c.code: province_trend(history, value=c.code, min_years=min_years, alpha=alpha, name=key)
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
        bands=band_distribution(history, scheme, by="year"),
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
    )
