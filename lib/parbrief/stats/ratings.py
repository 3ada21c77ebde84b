"""Rating bands (xếp loại), their distribution per year, and official-style ranks.

Bands come from the index spec (:class:`parbrief.spec.BandScheme`): a score ``s`` is in a band
when ``min <= s < max``. Ranks follow the official tables: the highest score is rank 1, equal
scores share a rank and the next rank skips (1, 2, 2, 4: "min" ranking), and rows of equal
rank are listed in Vietnamese alphabetical order of the unit name.

**Published precision.** An index publishes its scores at a fixed precision (``rank_decimals``
in the spec, 2 for the PAR INDEX), rounded half-up as official tables are. A unit's score *is*
that published value: :func:`published` gives it, :func:`rank_units` ranks on it (two scores
printed 38,03 share a rank whatever their third decimal) and every band is assigned on it.
Every number derived from scores (a change since last year, a gap between two units) is
computed once, by :func:`score_change`, so the card, the sentences and the tables print the
same value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from parbrief.spec import BandScheme
from parbrief.text.collation import vietnamese_sort_key

__all__ = [
    "BandDistribution",
    "BandMovement",
    "band_movement",
    "assign_bands",
    "band_distribution",
    "band_steps",
    "format_band_counts",
    "published",
    "published_values",
    "rank_units",
    "score_change",
    "score_changes",
    "vietnamese_sort_key",
]

def _published_decimal(x: Any, decimals: int) -> Decimal | None:
    """``x`` rounded half-up to ``decimals`` on its shortest decimal text (84.125 → 84.13, 2.675 →
    2.68, as by hand, not the binary value's 2.67499…); ``None`` when missing or not finite."""
    f = _finite_or_none(x)
    if f is None:
        return None
    return Decimal(repr(f)).quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)


def _finite_or_none(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def published(x: Any, decimals: int = 2) -> float:
    """The published value of a score: rounded half-up to ``decimals`` (the spec's ``rank_decimals``).

    Why: the index publishes 83,90, not 83,904, and readers compare, rank and subtract the
    printed numbers; the brief must agree with them. NaN for a missing score.
    """
    d = _published_decimal(x, decimals)
    return float("nan") if d is None else float(d)


def published_values(values: Any, decimals: int = 2) -> pd.Series:
    """:func:`published` of each value (a Series keeps its index; NaN stays NaN)."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    v = pd.to_numeric(s, errors="coerce").astype(float)
    return pd.Series([published(x, decimals) for x in v.to_numpy()], index=s.index, dtype="float64", name=s.name)


def score_change(current: Any, previous: Any, decimals: int = 2, *, of_published: bool = True) -> float:
    """The one way a derived difference is computed: a change since last year, a gap between two units.

    ``of_published=True`` (scores, and any two numbers printed side by side): the difference of
    their published values, exact in decimal, so it equals what a reader subtracts from the
    printed numbers (83.904 and 78.659 print 83,90 and 78,66: the gap is 5,24, not the 5,245 →
    "5,25" of the unrounded values). ``of_published=False`` (means whose operands are not
    printed): the difference of the unrounded values (R: ``mean(a) - mean(b)``), rounded only
    when printed; never a difference of already-rounded means (0.4033 → "0,40", not the 0,41 of
    80,41 − 80,00). NaN when either side is missing.
    """
    if not of_published:
        a, b = _finite_or_none(current), _finite_or_none(previous)
        return float("nan") if a is None or b is None else a - b
    a, b = _published_decimal(current, decimals), _published_decimal(previous, decimals)
    return float("nan") if a is None or b is None else float(a - b)


def score_changes(current: Any, previous: Any, decimals: int = 2, *, of_published: bool = True) -> pd.Series:
    """:func:`score_change` element by element (for a table's ``change`` column)."""
    cur = current if isinstance(current, pd.Series) else pd.Series(current)
    prev = previous.to_numpy() if isinstance(previous, pd.Series) else np.asarray(previous)
    return pd.Series([score_change(c, p, decimals, of_published=of_published) for c, p in zip(cur.to_numpy(), prev)],
                     index=cur.index, dtype="float64")


def _check_value(frame: pd.DataFrame, value: str) -> None:
    if value not in frame.columns:
        raise ValueError(f"column {value!r} not in the data (columns: {', '.join(map(str, frame.columns))})")


def _bands_of(v: pd.Series, scheme: BandScheme, groups: pd.DataFrame | None) -> list[Any]:
    """The band of each value: by the scheme's thresholds, or for a quantile scheme by the
    quantiles of the values of its group (rows with equal ``groups`` columns; all rows when none)."""
    if not scheme.is_quantile:
        return [scheme.band_for(x) for x in v.to_numpy()]
    out: list[Any] = [None] * len(v)
    if groups is None or groups.shape[1] == 0:
        parts = [np.arange(len(v))]
    else:
        parts = list(groups.groupby(list(groups.columns), dropna=False, sort=False).indices.values())
    values = v.to_numpy()
    for pos in parts:
        resolved = scheme.resolve(values[pos])
        for p in pos:
            out[p] = resolved.band_for(values[p])
    return out


def assign_bands(
    scores: pd.DataFrame, scheme: BandScheme, value: str = "total", max_points: float | None = None,
    within: Sequence[str] = (),
) -> pd.DataFrame:
    """Add the rating band of ``value`` to each row: ``band`` (code), ``band_label_vi``,
    ``band_label_en`` and ``band_order`` (0 = best band).

    The scheme's thresholds are in points of the total (out of 100 for the PAR INDEX). Give
    ``max_points`` to rate another column (a component) by its percentage of that maximum.
    A quantile scheme (PAPI-style groups) puts each row in the group its score reaches among
    the rows with the same ``within`` columns (e.g. ``("year",)``; none: all rows given, which
    must then be one year's units). A missing score gets no band (``<NA>``). Returns a new
    frame; the input is not changed.
    """
    _check_value(scores, value)
    v = pd.to_numeric(scores[value], errors="coerce").astype(float)
    if max_points is not None:
        v = 100.0 * v / float(max_points)
    bands = _bands_of(v.reset_index(drop=True), scheme, scores[list(within)].reset_index(drop=True) if within else None)
    order = {b.code: i for i, b in enumerate(scheme.bands)}
    out = scores.copy()
    out["band"] = pd.array([b.code if b else None for b in bands], dtype="str")
    out["band_label_vi"] = pd.array([b.label_vi if b else None for b in bands], dtype="str")
    out["band_label_en"] = pd.array([b.label_en if b else None for b in bands], dtype="str")
    out["band_order"] = pd.array([order[b.code] if b else None for b in bands], dtype="Int64")
    return out


def format_band_counts(
    counts: Mapping[str, int], scheme: BandScheme, lang: str = "vi", include_zero: bool = False
) -> str:
    """"3 Xuất sắc, 17 Tốt, 12 Khá, 6 Trung bình" (vi) / "3 Excellent, 17 Good, …" (en).

    Bands in the scheme's order (best first); bands with no unit are left out unless
    ``include_zero``. Returns "" when no band has a unit.
    """
    if lang not in ("vi", "en"):
        raise ValueError(f"unsupported language {lang!r}; use 'vi' or 'en'")
    sep = "." if lang == "vi" else ","
    parts = []
    for band in scheme.bands:
        c = int(counts.get(band.code, 0))
        if c or include_zero:
            parts.append(f"{c:,}".replace(",", sep) + " " + band.label(lang))
    return ", ".join(parts)


@dataclass(frozen=True)
class BandDistribution:
    """Counts of units per rating band for each value of ``by`` (all bands, zeros included).

    ``frame``: index = the ``by`` values (or ``"all"``), one column per band code in the
    scheme's order (best first), then ``missing`` (rows without a score) and ``n`` (rows).
    """

    scheme: BandScheme
    by: str | None
    value: str
    frame: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """The counts table (a copy)."""
        return self.frame.copy()

    def counts(self, key: Any = None) -> dict[str, int]:
        """Band code → count for one ``by`` value (default: the only/last row)."""
        row = self.frame.iloc[-1] if key is None else self.frame.loc[key]
        return {code: int(row[code]) for code in self.scheme.codes()}

    def text(self, key: Any = None, lang: str = "vi", include_zero: bool = False) -> str:
        """The distribution as text, e.g. "3 Xuất sắc, 17 Tốt, 12 Khá, 6 Trung bình"."""
        return format_band_counts(self.counts(key), self.scheme, lang=lang, include_zero=include_zero)


def band_distribution(
    scores: pd.DataFrame,
    scheme: BandScheme,
    by: str | None = "year",
    value: str = "total",
    max_points: float | None = None,
    decimals: int | None = 2,
    within: Sequence[str] | None = None,
) -> BandDistribution:
    """How many units fall in each band, per ``by`` (default per year; ``None``: overall).

    A quantile scheme groups the units of each ``within`` group (default: ``by`` and, when the
    frame has it, ``unit_type``: districts are ranked among districts, as in the league tables).

    Every band of the scheme is a column, with 0 where no unit falls in it, so tables and
    charts of different years line up. Scores are rated at their published value (rounded
    half-up to ``decimals``, the spec's ``rank_decimals``; ``None`` rates the raw values), as
    the league table does, so a 79,996 printed "80,00" is counted in the band from 80.
    """
    if decimals is not None:
        _check_value(scores, value)
        scores = scores.assign(**{value: published_values(scores[value], decimals).to_numpy()})
    if within is None:
        within = [c for c in ((by,) if by else ()) + ("unit_type",) if c in scores.columns]
    banded = assign_bands(scores, scheme, value=value, max_points=max_points, within=within)
    codes = scheme.codes()
    keys = banded[by] if by is not None else pd.Series("all", index=banded.index)
    rows = {}
    for key in sorted(pd.unique(keys)):
        sub = banded.loc[keys == key, "band"]
        counts = sub.value_counts()
        row = {code: int(counts.get(code, 0)) for code in codes}
        row["missing"] = int(sub.isna().sum())
        row["n"] = int(len(sub))
        rows[key] = row
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[*codes, "missing", "n"]).astype("int64")
    frame.index.name = by or "group"
    return BandDistribution(scheme=scheme, by=by, value=value, frame=frame)


@dataclass(frozen=True)
class BandMovement:
    """Units per band in one year and, when known, the year before (codes and counts, best band first).

    ``counts``: ``((band code, units), …)`` for every band of the scheme (zeros included);
    ``previous`` the same for ``previous_year`` (``None`` when there is no such year).
    ``quantile``: the bands are per-year quantile groups, whose sizes are fixed by construction
    (so a change of counts says nothing of the units' performance).
    """

    year: int
    counts: tuple[tuple[str, int], ...]
    previous_year: int | None = None
    previous: tuple[tuple[str, int], ...] | None = None
    quantile: bool = False

    @property
    def n(self) -> int:
        """Units with a band this year."""
        return sum(n for _, n in self.counts)

    def changes(self) -> list[tuple[str, int, int]]:
        """``(band code, before, now)`` of each band whose count changed, best band first."""
        if self.previous is None:
            return []
        before = dict(self.previous)
        return [(code, before.get(code, 0), n) for code, n in self.counts if before.get(code, 0) != n]


def band_movement(dist: BandDistribution, year: int, previous_year: int | None = None) -> BandMovement | None:
    """The band counts of ``year`` (and of ``previous_year`` when the distribution has it) from a
    per-year :func:`band_distribution`; ``None`` when the year has no rated unit."""
    frame = dist.frame
    if year not in frame.index:
        return None
    codes = dist.scheme.codes()
    now = tuple((c, int(frame.loc[year, c])) for c in codes)
    if not sum(n for _, n in now):
        return None
    prev = None
    if previous_year is not None and previous_year in frame.index:
        prev = tuple((c, int(frame.loc[previous_year, c])) for c in codes)
        if not sum(n for _, n in prev):
            prev = None
    return BandMovement(year=int(year), counts=now, previous_year=int(previous_year) if prev else None,
                        previous=prev, quantile=dist.scheme.is_quantile)


def rank_units(scores: pd.DataFrame, year: int | None = None, value: str = "total", decimals: int = 2) -> pd.DataFrame:
    """Official-style ranks of the units in one year: rank 1 = highest ``value``.

    Scores are taken at the precision the index publishes (``decimals``, the spec's
    ``rank_decimals``; rounded half-up, see :func:`published`): ``value`` in the result is that
    published score, and equal published scores share the best rank of their group, the next
    rank skipping ("min" method: 1, 2, 2, 4; R: ``rank(-x, ties.method = "min")``). Units
    without a score get no rank and come last. Rows are sorted by rank, then by Vietnamese
    alphabetical order of the unit. Returns columns ``unit, value, rank`` (plus ``unit_type``
    when present), ``rank`` as nullable Int64. ``year=None`` ranks all rows given (the caller has
    already chosen a year).
    """
    _check_value(scores, value)
    frame = scores if year is None else scores.loc[scores["year"] == year]
    cols = ["unit"] + (["unit_type"] if "unit_type" in frame.columns else [])
    out = frame[cols].copy()
    out["value"] = published_values(frame[value], decimals).to_numpy()
    out["rank"] = out["value"].rank(method="min", ascending=False).astype("Int64")
    out["_name"] = [vietnamese_sort_key(u) for u in out["unit"]]
    out["_missing"] = out["rank"].isna()
    out = out.sort_values(["_missing", "rank", "_name"], kind="mergesort")
    return out.drop(columns=["_name", "_missing"]).reset_index(drop=True)


def _band_index(scheme: BandScheme, score: float) -> int | None:
    band = scheme.band_for(score)
    return None if band is None else scheme.codes().index(band.code)


def band_steps(scheme: BandScheme, before: float, after: float) -> int | None:
    """Bands moved from ``before`` to ``after``: +1 = one band better, −1 = one band worse
    (a fixed scheme, or a quantile scheme resolved on one year: :meth:`BandScheme.resolve`)."""
    a, b = _band_index(scheme, before), _band_index(scheme, after)
    if a is None or b is None or (isinstance(before, float) and np.isnan(before)):
        return None
    return a - b
