"""Rating bands (xếp loại), their distribution per year, and official-style ranks.

Bands come from the index spec (:class:`parbrief.spec.BandScheme`): a score ``s`` is in a band
when ``min <= s < max``. Ranks follow the official tables: the highest score is rank 1, equal
scores share a rank and the next rank skips (1, 2, 2, 4: "min" ranking), and rows of equal
rank are listed in Vietnamese alphabetical order of the unit name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from parbrief.spec import BandScheme
from parbrief.text.collation import vietnamese_sort_key

__all__ = [
    "BandDistribution",
    "assign_bands",
    "band_distribution",
    "band_steps",
    "format_band_counts",
    "rank_units",
]

def _check_value(frame: pd.DataFrame, value: str) -> None:
    if value not in frame.columns:
        raise ValueError(f"column {value!r} not in the data (columns: {', '.join(map(str, frame.columns))})")


def assign_bands(
    scores: pd.DataFrame, scheme: BandScheme, value: str = "total", max_points: float | None = None
) -> pd.DataFrame:
    """Add the rating band of ``value`` to each row: ``band`` (code), ``band_label_vi``,
    ``band_label_en`` and ``band_order`` (0 = best band).

    The scheme's thresholds are in points of the total (out of 100 for the PAR INDEX). Give
    ``max_points`` to rate another column (a component) by its percentage of that maximum.
    A missing score gets no band (``<NA>``). Returns a new frame; the input is not changed.
    """
    _check_value(scores, value)
    v = pd.to_numeric(scores[value], errors="coerce").astype(float)
    if max_points is not None:
        v = 100.0 * v / float(max_points)
    bands = [scheme.band_for(x) for x in v.to_numpy()]
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
) -> BandDistribution:
    """How many units fall in each band, per ``by`` (default per year; ``None``: overall).

    Every band of the scheme is a column, with 0 where no unit falls in it, so tables and
    charts of different years line up.
    """
    banded = assign_bands(scores, scheme, value=value, max_points=max_points)
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


def rank_units(scores: pd.DataFrame, year: int | None = None, value: str = "total", decimals: int = 6) -> pd.DataFrame:
    """Official-style ranks of the units in one year: rank 1 = highest ``value``.

    Equal scores (compared after rounding to ``decimals`` places, which only removes
    floating-point noise such as 84.1 vs 84.10000000001) share the best rank of their group and
    the next rank skips ("min" method: 1, 2, 2, 4). Units without a score get no rank and come
    last. Rows are sorted by rank, then by Vietnamese alphabetical order of the unit. Returns
    columns ``unit, value, rank`` (plus ``unit_type`` when present), ``rank`` as nullable Int64.
    ``year=None`` ranks all rows given (the caller has already chosen a year).
    """
    _check_value(scores, value)
    frame = scores if year is None else scores.loc[scores["year"] == year]
    cols = ["unit"] + (["unit_type"] if "unit_type" in frame.columns else [])
    out = frame[cols].copy()
    out["value"] = pd.to_numeric(frame[value], errors="coerce").astype(float).to_numpy()
    rounded = out["value"].round(decimals)
    out["rank"] = rounded.rank(method="min", ascending=False).astype("Int64")
    out["_name"] = [vietnamese_sort_key(u) for u in out["unit"]]
    out["_missing"] = out["rank"].isna()
    out = out.sort_values(["_missing", "rank", "_name"], kind="mergesort")
    return out.drop(columns=["_name", "_missing"]).reset_index(drop=True)


def _band_index(scheme: BandScheme, score: float) -> int | None:
    band = scheme.band_for(score)
    return None if band is None else scheme.codes().index(band.code)


def band_steps(scheme: BandScheme, before: float, after: float) -> int | None:
    """Bands moved from ``before`` to ``after``: +1 = one band better, −1 = one band worse."""
    a, b = _band_index(scheme, before), _band_index(scheme, after)
    if a is None or b is None or (isinstance(before, float) and np.isnan(before)):
        return None
    return a - b
