"""What needs a leader's attention ("Cần quan tâm"): the units and fields to act on first.

Five kinds of signal, each from a result the brief already has (no new statistic):

- the lowest units of each type this year (the league table);
- units falling: slipping relative to their peers (the calibrated standing trend,
  :mod:`parbrief.stats.standing`) or whose score fell every year of the current method period
  (the raw path, described, not tested);
- units that dropped a rating band since last year (only when the two years share a method);
- the unit whose respondents were the least satisfied this year, when the survey test finds that
  the units differ (:func:`parbrief.stats.differences.survey_differences` significant: the unit at
  the bottom of its means), with its mean on the survey's scale;
- the fields (components) that lost the most points against their maximum, across the units.

A unit appears once, with every signal it has; the result is codes and numbers, the sentences
are written by :mod:`parbrief.report.attention`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from parbrief.analysis.standing import StandingSummary
from parbrief.spec import IndexSpec
from parbrief.stats.differences import DifferenceResult

__all__ = ["Attention", "FieldConcern", "SurveyLowest", "UnitConcern", "attention", "lowest_count", "survey_lowest"]

#: Units named at most in the list, and fields.
MAX_UNITS = 6
MAX_FIELDS = 2


@dataclass(frozen=True)
class UnitConcern:
    """One unit and why it needs attention.

    ``signals`` holds codes, in reading order: ``lowest`` (among the lowest of its type this
    year: ``rank`` of ``n``), ``declining`` (slipped relative to its peers over ``period``),
    ``falling`` (score fell ``fall_years`` years running, from ``fall_from`` in ``fall_since``),
    ``band_drop`` (from ``band_from`` to ``band_to``, band codes), ``survey_lowest`` (the least
    satisfied respondents of the ``survey_units`` units surveyed: mean ``survey_mean`` on the
    survey's scale, ``survey_n`` respondents). ``lowest_fields`` counts the fields in which it is
    the lowest of all the province's units. A unit surveyed but not in this year's scores has no
    ``score`` (NaN), ``rank`` 0 and an empty ``unit_type``.
    """

    unit: str
    unit_type: str
    score: float
    rank: int
    n: int
    signals: tuple[str, ...]
    period: tuple[int, int] | None = None
    fall_years: int = 0
    fall_since: int | None = None
    fall_from: float | None = None
    band_from: str | None = None
    band_to: str | None = None
    lowest_fields: int = 0
    n_fields: int = 0
    survey_mean: float | None = None
    survey_n: int = 0
    survey_units: int = 0


@dataclass(frozen=True)
class SurveyLowest:
    """The unit at the bottom of a survey whose test finds that units differ."""

    unit: str
    mean: float
    n: int
    units: int


@dataclass(frozen=True)
class FieldConcern:
    """A field (component) with its province mean, maximum and the points lost against it."""

    code: str
    max_points: float
    mean: float
    lost: float
    pct: float
    worst_unit: str | None
    worst_pct: float


@dataclass(frozen=True)
class Attention:
    units: tuple[UnitConcern, ...]
    fields: tuple[FieldConcern, ...]

    @property
    def empty(self) -> bool:
        return not self.units and not self.fields


def lowest_count(n_units: int) -> int:
    """How many of the lowest units of a type are named: one in a short list, three from 20 units."""
    return 1 if n_units < 20 else 3


def _lowest(league: pd.DataFrame) -> pd.DataFrame:
    ranked = league.dropna(subset=["value"]).sort_values("rank", kind="mergesort")
    if ranked.empty:
        return ranked
    k = lowest_count(len(ranked))
    cut = ranked["rank"].iloc[-k] if len(ranked) >= k else ranked["rank"].iloc[0]
    return ranked[ranked["rank"] >= cut]


def _lowest_fields(current: pd.DataFrame, spec: IndexSpec) -> tuple[dict[str, int], int]:
    """Per unit: in how many fields it is the lowest of all units (as % of the maximum); and the fields counted."""
    counts: dict[str, int] = {}
    n = 0
    for comp in spec.components:
        if comp.code not in current.columns:
            continue
        pct = pd.to_numeric(current[comp.code], errors="coerce")
        if pct.notna().sum() < 2:
            continue
        n += 1
        low = pct.min()
        for unit in current.loc[pct == low, "unit"]:
            counts[str(unit)] = counts.get(str(unit), 0) + 1
    return counts, n


def survey_lowest(survey: DifferenceResult | None) -> SurveyLowest | None:
    """The least satisfied unit when the survey's primary test is significant (None otherwise):
    the last of the tested units' means (sorted highest first, as the survey section shows them)."""
    if survey is None or not survey.ok or not survey.significant or survey.means is None:
        return None
    means = survey.means
    if "tested" in means.columns:
        means = means[means["tested"].astype(bool)]
    means = means[pd.to_numeric(means["mean"], errors="coerce").notna()]
    if len(means) < 2:
        return None
    bottom = means.iloc[-1]
    if float(bottom["mean"]) >= float(means["mean"].max()):  # every unit alike: none is the lowest
        return None
    return SurveyLowest(unit=str(bottom["unit"]), mean=float(bottom["mean"]), n=int(bottom["n"]), units=len(means))


def _fields(components: pd.DataFrame) -> tuple[FieldConcern, ...]:
    if components is None or components.empty:
        return ()
    lost = components["max_points"] - components["mean"]
    order = lost.sort_values(ascending=False, kind="mergesort").index[:MAX_FIELDS]
    return tuple(FieldConcern(code=str(r["code"]), max_points=float(r["max_points"]), mean=float(r["mean"]),
                              lost=float(r["max_points"] - r["mean"]), pct=float(r["pct"]),
                              worst_unit=r["worst_unit"], worst_pct=float(r["worst_pct"]))
                 for _, r in components.loc[order].iterrows() if math.isfinite(float(r["mean"])))


def attention(
    *,
    league: Mapping[str, pd.DataFrame],
    current: pd.DataFrame,
    components: pd.DataFrame,
    standing: StandingSummary | None,
    spec: IndexSpec,
    compare_year: int | None,
    scores_comparable: bool,
    survey: DifferenceResult | None = None,
) -> Attention:
    """The units and fields that need attention (see the module docstring); at most
    :data:`MAX_UNITS` units, those with the most signals (then the lowest score) first; the
    survey's lowest unit is always among them."""
    compared = compare_year is not None and scores_comparable
    least = survey_lowest(survey)
    surveyed = (dict(survey_mean=least.mean, survey_n=least.n, survey_units=least.units)
                if least is not None else {})
    low_fields, n_fields = _lowest_fields(current, spec)
    found: list[UnitConcern] = []
    for unit_type, table in league.items():
        lowest = set(_lowest(table)["unit"].astype(str))
        trends = standing.by_type.get(unit_type) if standing is not None else None
        n = int(table["value"].notna().sum())
        for row in table.itertuples():
            unit = str(row.unit)
            signals: list[str] = []
            extra: dict[str, object] = {}
            if unit in lowest:
                signals.append("lowest")
            trend = next((tr for tr in trends.trends if tr.unit == unit), None) if trends is not None else None
            if trend is not None and trend.classification == "declining":
                signals.append("declining")
                extra["period"] = (int(trend.years[0]), int(trend.years[-1])) if len(trend.years) else None
            path = standing.paths.get(unit) if standing is not None else None
            if path is not None and path.code == "falling_run" and len(path.years) >= 3:
                signals.append("falling")
                extra.update(fall_years=int(path.run_length), fall_since=int(path.years[0]),
                             fall_from=float(path.values[0]))
            moved = getattr(row, "band_change", None)
            if compared and moved is not None and not pd.isna(moved) and int(moved) < 0:
                signals.append("band_drop")
                extra.update(band_from=str(row.prev_band), band_to=str(row.band))
            if least is not None and unit == least.unit:
                signals.append("survey_lowest")
                extra.update(surveyed)
            if signals:
                found.append(UnitConcern(unit=unit, unit_type=unit_type, score=float(row.value), rank=int(row.rank),
                                         n=n, signals=tuple(signals), lowest_fields=low_fields.get(unit, 0),
                                         n_fields=n_fields, **extra))  # type: ignore[arg-type]
    if least is not None and not any(c.unit == least.unit for c in found):  # surveyed, not scored this year
        found.append(UnitConcern(unit=least.unit, unit_type="", score=math.nan, rank=0, n=0,
                                 signals=("survey_lowest",), **surveyed))  # type: ignore[arg-type]
    found.sort(key=lambda c: (-len(c.signals), c.score if math.isfinite(c.score) else math.inf))
    kept = found[:MAX_UNITS]
    if least is not None and not any(c.unit == least.unit for c in kept):
        kept[-1] = next(c for c in found if c.unit == least.unit)
    return Attention(units=tuple(kept), fields=_fields(components))

