"""What one province's brief knows: its headline numbers and every result its sections show.

``build_brief`` reads the data once (:func:`parbrief.data.snapshot.load_frames`), applies the
reorganization and method-period rules (:mod:`parbrief.analysis.reorganization`), runs every
statistic the brief needs and returns a :class:`Brief`; the notebook only displays it through
:mod:`parbrief.report.sections`. The headline numbers come from :mod:`parbrief.analysis.headline`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, NamedTuple

import pandas as pd

from parbrief.analysis.attention import Attention, attention
from parbrief.analysis.headline import Headline, headline, headline_rows
from parbrief.analysis.memo import Memo
from parbrief.analysis.national import Ends, national_ends, national_headline, region_means, region_ranks
from parbrief.analysis.pooling import difference_pool, trend_pool
from parbrief.analysis.reorganization import predecessor_history as predecessor_history_of, predecessors_of, reorganization_year
from parbrief.analysis.standing import StandingSummary, brief_standing
from parbrief.config import default
from parbrief.data.snapshot import kept_key, load_frames, resolve_data
from parbrief.data.validate import NATIONAL
from parbrief.spec import BandScheme, IndexSpec
from parbrief.stats.differences import DifferenceResult
from parbrief.stats.ratings import BandDistribution, BandMovement
from parbrief.stats.serial import PooledRho
from parbrief.stats.trends import Trend, TrendTable

__all__ = ["NATIONAL", "SURVEY_MIN_N", "Brief", "Headline", "build_brief", "headline", "headline_rows", "store_pools", "unit_types"]

#: Fewest respondents a unit needs to enter the survey test (passed to ``survey_differences``).
SURVEY_MIN_N = 3



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
    survey_min_n: int = SURVEY_MIN_N
    #: The store's pooled ρ each unit type's difference test used (None: the province's own).
    difference_pools: dict[str, PooledRho | None] = field(default_factory=dict)
    #: The province's official name in ``year`` ("Tỉnh Sóc Trăng", "Thành phố Cần Thơ"; the data's
    #: name when the crosswalk does not know it) and whether it is a centrally-run city.
    official_name: str = ""
    is_city: bool = False
    #: What needs a leader's attention (:mod:`parbrief.analysis.attention`).
    attention: Attention | None = None
    #: The preparing office's comments (Markdown, from ``params/notes/<year>/<province>.md``) and
    #: the office's name (``prepared_by``); empty when none.
    notes: str = ""
    prepared_by: str = ""
    #: The name of the data file the render read (the store or scores file, not a path).
    source_name: str = ""
    #: Units per band this year and the year before (:func:`parbrief.stats.ratings.band_movement`).
    band_counts: BandMovement | None = None
    #: The nation's own brief (``province == NATIONAL``: its units are the provinces of the
    #: national table, :mod:`parbrief.analysis.national`): the best and lowest provinces, the six
    #: regions' means and each province's rank in its region. For a province's brief ``regions``
    #: holds its region's provinces (``region_ranks`` of the national table; None without one).
    national: bool = False
    ends: Ends | None = None
    regions: pd.DataFrame | None = None
    region_ranks: pd.DataFrame | None = None

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.history["year"].unique())

    @property
    def n_units(self) -> int:
        return int(self.current["unit"].nunique())


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
    survey_min_n: int = SURVEY_MIN_N,
    frames: tuple[pd.DataFrame, pd.DataFrame | None, str, dict[str, str]] | None = None,
    prepared_by: str = default("prepared_by"),
    notes: str | Path = default("notes"),
) -> Brief:
    """Compute every number of ``province``'s brief for ``year`` (see :class:`Brief`).

    Only years up to ``year`` are used, so a brief for an earlier year reads as it would have
    then. ``data`` empty: the demo store (:func:`parbrief.data.snapshot.default_data`).
    ``frames`` lets a caller that already loaded the data pass it in. ``notes`` is the path of
    the preparing office's comments (Markdown; empty: none), ``prepared_by`` the office's name.

    In a render's warm kernel (the snapshot kept in memory, :func:`~parbrief.data.snapshot.kept_key`)
    the last briefs are kept under the snapshot's key and every parameter (the spec and notes files
    by their size and time): the analysis pages rendered after a brief on its kernel get the same
    results instead of computing them again. A :class:`Brief` is never modified once built.
    """
    from parbrief.spec import load_spec
    from parbrief.stats.differences import panel_differences, survey_differences, two_group_comparison
    from parbrief.stats.ratings import band_distribution, band_movement
    from parbrief.stats.trends import province_trend, rank_table, unit_trends

    idx = spec if isinstance(spec, IndexSpec) else load_spec(spec or None)
    if frames is None:
        data = resolve_data(data)
        frames = load_frames(data, survey or None, idx)
        kept = kept_key(data, survey or None)
        if kept is not None and not isinstance(spec, IndexSpec):
            # A render's warm kernel: the analysis pages that follow a brief get its results.
            key = (kept, province, int(year), _file_key(spec), lang, float(alpha), int(min_years), adjust,
                   band_scheme, national_band_scheme, int(survey_min_n), prepared_by, _file_key(notes),
                   date.today())
            loaded = frames
            return _KEPT.get(key, lambda: build_brief(
                province=province, year=year, data=data, survey=survey, spec=idx, lang=lang, alpha=alpha,
                min_years=min_years, adjust=adjust, band_scheme=band_scheme, national_band_scheme=national_band_scheme,
                survey_min_n=survey_min_n, frames=loaded, prepared_by=prepared_by, notes=notes))
    scores, survey_frame, sha, meta = frames
    scope = _scope(scores, province, year)
    key, nation, history, current = scope.key, scope.nation, scope.history, scope.current
    reorg_year, reorganized, preds, predecessor_history = (scope.reorg_year, scope.reorganized, scope.preds,
                                                           scope.predecessor_history)
    years = scope.years
    compare_year = year - 1 if (year - 1) in years else None
    nat_scheme = idx.national(national_band_scheme or None)
    scheme = nat_scheme if nation else idx.scheme(band_scheme or None)  # the nation's units are provinces
    breaks = tuple(idx.breaks(years))
    # Raw scores of two method periods are not comparable: across a break, compare ranks only.
    scores_comparable = compare_year is None or not idx.method_changes_between(compare_year, year)

    trends = unit_trends(history, value="total", min_years=min_years, alpha=alpha, adjust=adjust, breaks=breaks,
                         group="unit_type")
    national = scores[(scores["province"] == NATIONAL) & (scores["year"] <= year)]
    national = national[national["year"] >= reorg_year] if reorganized else national[national["year"] < reorg_year]
    pools, diff_pools = _store_pools(scores, sha, scope, year, breaks, min_years)
    # The nation's own movement is that of the national average (described, not tested).
    standing = brief_standing(history, None if nation else national, key, year, breaks, unit_types(current),
                              alpha=alpha, adjust=adjust, min_years=min_years, pools=pools, cache_key=sha)
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
        # ρ pooled over the store's provinces (same type, years, scale) when there are enough of them.
        panel[unit_type] = panel_differences(of_type, value="total", alpha=alpha, adjust=adjust, breaks=breaks,
                                             pool=diff_pools[unit_type])
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
            survey_result = survey_differences(sv, value="satisfaction", alpha=alpha, year=year, min_n=survey_min_n)
    previous = history[history["year"] == compare_year] if compare_year is not None else None
    units_now = set(current["unit"])
    units_before = set(previous["unit"]) if previous is not None else set()
    new_units = tuple(sorted(units_now - units_before)) if previous is not None else ()
    dropped = tuple(sorted(units_before - units_now))
    from parbrief import __version__

    components = _component_table(current, previous, idx)
    official, is_city = (NATIONAL, False) if nation else _official_name(key, year)
    head = (national_headline(scores, year, idx, national_scheme=national_band_scheme, lang=lang) if nation
            else headline(scores, key, year, idx, national_scheme=national_band_scheme, lang=lang))
    ranks = _region_ranks(league, national, year, idx, nation=nation)
    bands = band_distribution(history, scheme, by="year", decimals=idx.rank_decimals)
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
        headline=head,
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
        bands=bands,
        band_counts=band_movement(bands, year, compare_year),
        components=components,
        new_units=new_units,
        dropped_units=dropped,
        synthetic=str(meta.get("synthetic", "")).lower() == "true",
        data_source=str(data),
        data_sha256=sha,
        parameters={
            "province": key, "year": int(year), "lang": lang, "alpha": alpha, "min_years": min_years,
            "adjust": adjust, "band_scheme": scheme.id, "national_band_scheme": nat_scheme.id,
            "spec": idx.source, "parbrief": __version__,
        },
        generated=date.today().isoformat(),
        breaks=breaks,
        reorganized=reorganized,
        predecessors=preds,
        predecessor_history=predecessor_history,
        scores_comparable=scores_comparable,
        standing=standing,
        survey_min_n=int(survey_min_n),
        difference_pools=diff_pools,
        official_name=official,
        is_city=is_city,
        attention=attention(league=league, current=current, components=components, standing=standing, spec=idx,
                            compare_year=compare_year, scores_comparable=scores_comparable, survey=survey_result),
        notes=_read_notes(notes),
        prepared_by=str(prepared_by or "").strip(),
        source_name=str(meta.get("source_file") or Path(str(data)).name),
        national=nation,
        ends=national_ends(league["province"]) if nation and "province" in league else None,
        regions=region_means(national, year, idx) if nation else _own_region(ranks, head),
        region_ranks=ranks,
    )


class _Scope(NamedTuple):
    """Which rows a brief of ``key`` for a year reads, by the reorganization rules."""

    key: str                 # the province's name in the data (NATIONAL for the nation's brief)
    nation: bool
    history: pd.DataFrame    # its years up to the brief's year, on the brief's map
    current: pd.DataFrame    # the brief's year
    years: list[int]
    reorg_year: int
    reorganized: bool        # the brief's year is on the new (34-province) map
    preds: tuple[str, ...]
    predecessor_history: pd.DataFrame | None


def _scope(scores: pd.DataFrame, province: str, year: int) -> _Scope:
    """The rows of ``province``'s brief for ``year``; a ParamsError naming what the data hold when
    the province or the year is not there."""
    from parbrief.data.names import is_national_name, normalize_name
    from parbrief.errors import ParamsError

    key = normalize_name(province)
    nation = key == NATIONAL or is_national_name(key)
    key = NATIONAL if nation else key
    # The nation's brief: its units are the provinces of the national table.
    rows = scores[scores["province"] == key]
    if rows.empty:
        known = sorted(p for p in scores["province"].unique() if p != NATIONAL)
        raise ParamsError.keyed("config.error.brief_province_missing", province=repr(province),
                                available=", ".join(known))
    history = rows[rows["year"] <= year].reset_index(drop=True)
    reorg_year = reorganization_year()
    reorganized = year >= reorg_year
    preds = () if nation else predecessors_of(key, year)
    predecessor_history = None
    if reorganized:
        # A new map: units of the old map are not this province's units, so no trend crosses it.
        # The nation's old map is the 63 provinces' table before the reorganization.
        predecessor_history = (_old_map(rows, reorg_year) if nation
                               else predecessor_history_of(scores, preds, reorg_year))
        history = history[history["year"] >= reorg_year].reset_index(drop=True)
    current = history[history["year"] == year].reset_index(drop=True)
    if current.empty:
        have = sorted(int(y) for y in rows["year"].unique())
        raise ParamsError.keyed("config.error.brief_year_missing", province=key, year=year,
                                years=", ".join(map(str, have)))
    years = sorted(int(y) for y in history["year"].unique())
    return _Scope(key, nation, history, current, years, reorg_year, reorganized, tuple(preds), predecessor_history)


def _store_pools(scores: pd.DataFrame, sha: str, scope: _Scope, year: int, breaks: tuple[float, ...], min_years: int,
                 ) -> tuple[dict[str, PooledRho | None], dict[str, PooledRho | None]]:
    """The store's pooled ρ for each unit type of the brief: for its standing trends, for its
    difference test (over the years of the type's own panel)."""
    where = dict(year=int(year), reorganized=scope.reorganized, reorg_year=scope.reorg_year)
    types = unit_types(scope.current)
    trend = {t: trend_pool(scores, sha, unit_type=t, breaks=breaks, min_years=min_years, **where) for t in types}
    diff = {t: difference_pool(scores, sha, unit_type=t, breaks=breaks, **where,
                               years=scope.history.loc[scope.history["unit_type"] == t, "year"].unique().tolist())
            for t in types}
    return trend, diff


def store_pools(scores: pd.DataFrame, sha: str, spec: IndexSpec, briefs: Iterable[tuple[str, int, int]]) -> int:
    """Compute, into this process's memory, the store's pooled ρ that ``briefs`` will use.

    ``briefs``: (province, year, min_years) of each brief, ``scores``/``sha`` the frames and hash
    :func:`~parbrief.data.snapshot.load_frames` gives the briefs' kernels. The keys are the ones
    :func:`build_brief` asks for (the same scope, breaks and years), so a kernel given them
    (:func:`parbrief.analysis.pooling.seed`) computes none. A brief that cannot be built (a
    province or year not in the data) is skipped: it reports its own error. Returns how many
    briefs' pools are now kept.
    """
    from parbrief.errors import ParbriefError

    done = 0
    for province, year, min_years in briefs:
        try:
            scope = _scope(scores, province, int(year))
        except ParbriefError:
            continue
        _store_pools(scores, sha, scope, int(year), tuple(spec.breaks(scope.years)), int(min_years))
        done += 1
    return done


def _old_map(national: pd.DataFrame, reorg_year: int) -> pd.DataFrame | None:
    """The national table before the reorganization (63 provinces), for the nation's 2025 brief."""
    old = national[national["year"] < reorg_year]
    if old.empty:
        return None
    out = old[["unit", "year", "total"]].copy()
    out["source"], out["unit_type"] = "national", "province"
    return out.sort_values(["unit", "year"]).reset_index(drop=True)


def _region_ranks(league: dict[str, pd.DataFrame], national: pd.DataFrame, year: int, spec: IndexSpec, *,
                  nation: bool) -> pd.DataFrame | None:
    """Every province's rank in its region this year (the national table; None without it)."""
    from parbrief.stats.trends import rank_table

    if nation:
        table = league.get("province")
    else:
        now = national[national["year"] == year]
        table = rank_table(now, year, decimals=spec.rank_decimals) if len(now) else None
    if table is None or table.empty:
        return None
    ranks = region_ranks(table, year, spec.rank_decimals)
    return ranks.assign(value=table["value"].to_numpy(), rank=table["rank"].to_numpy())


def _own_region(ranks: pd.DataFrame | None, head: Headline) -> pd.DataFrame | None:
    """A province's region peers (rank in the region, score, national rank), best first."""
    if ranks is None or not head.region:
        return None
    peers = ranks[ranks["region"] == head.region]
    return peers.sort_values(["region_rank", "unit"], kind="mergesort").reset_index(drop=True)


def _official_name(province: str, year: int) -> tuple[str, bool]:
    """The official name of ``province`` in ``year`` and whether it is a centrally-run city."""
    from parbrief.data.crosswalk import province_official_name

    try:
        name = province_official_name(province, year)
    except KeyError:
        return province, False
    return name, name.startswith("Thành phố ")


#: Briefs computed from the kept snapshot, for the pages that follow them (see build_brief).
_KEPT = Memo(2)


def _file_key(path: str | Path | None) -> tuple[str, int, int] | str:
    """A parameter that names a file, as a key: its path, size and time (a change gives a new key)."""
    p = Path(str(path or ""))
    if str(path or "") and p.is_file():
        st = p.stat()
        return (str(p.resolve()), st.st_size, st.st_mtime_ns)
    return str(path or "")


def _read_notes(path: str | Path) -> str:
    """The comments file's text (UTF-8; empty when there is none)."""
    from parbrief.errors import ParamsError

    if not str(path or "").strip():
        return ""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8-sig").strip()
    except FileNotFoundError:
        raise ParamsError.keyed("brief.error.notes_missing", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParamsError.keyed("brief.error.notes_unreadable", path=str(p), reason=str(exc)) from None


