"""The national overview: every province of the national table in one year, ranks and changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping

import pandas as pd

from parbrief.analysis.reorganization import predecessors_of, reorganization_year
from parbrief.data.snapshot import load_frames, resolve_data
from parbrief.data.validate import NATIONAL
from parbrief.spec import BandScheme, IndexSpec
from parbrief.stats.ratings import BandDistribution

__all__ = ["Overview", "build_overview"]


@dataclass(frozen=True)
class Overview:
    """The national table of ``year``: ranks, bands, change since the year before, links."""

    year: int
    lang: str
    spec: IndexSpec
    scheme: BandScheme
    table: pd.DataFrame
    history: pd.DataFrame
    compare_year: int | None
    bands: BandDistribution
    links: Mapping[str, str]
    synthetic: bool
    reorganized: bool
    data_source: str
    data_sha256: str
    generated: str = field(default_factory=lambda: date.today().isoformat())
    #: The name of the data file the render read (the store or scores file, not a path).
    source_name: str = ""


def build_overview(
    *,
    year: int,
    data: str | Path,
    spec: str | Path | IndexSpec | None = None,
    lang: str = "vi",
    national_band_scheme: str = "",
    links: Mapping[str, str] | None = None,
    frames: tuple[pd.DataFrame, pd.DataFrame | None, str, dict[str, str]] | None = None,
) -> Overview:
    """Rank every province of the national table in ``year`` and compare with the year before."""
    from parbrief.errors import ParamsError
    from parbrief.text.messages import Msg
    from parbrief.spec import load_spec
    from parbrief.stats.ratings import band_distribution, published_values, score_changes
    from parbrief.stats.trends import rank_table

    idx = spec if isinstance(spec, IndexSpec) else load_spec(spec or None)
    if frames is None:
        data = resolve_data(data)
    scores, _, sha, meta = frames if frames is not None else load_frames(data, None, idx)
    national = scores[(scores["province"] == NATIONAL) & (scores["year"] <= year)].reset_index(drop=True)
    years = sorted(int(y) for y in national["year"].unique())
    if year not in years:
        raise ParamsError.keyed("config.error.national_year_missing", year=year, index=idx.voice.index,
                                years=", ".join(map(str, years)) or Msg("spec.none"))
    compare_year = year - 1 if (year - 1) in years else None
    scheme, dec = idx.national(national_band_scheme or None), idx.rank_decimals
    reorganized = year == reorganization_year()
    if reorganized:
        # 63 provinces in the year before, 34 now: ranks are not comparable, and a merged
        # province's "previous" score belongs to the former province of the same name.
        table = rank_table(national, year, compare_year=None, scheme=scheme, decimals=dec)
        table["predecessors"] = [predecessors_of(u, year) for u in table["unit"]]
        prev = national[national["year"] == year - 1].set_index("unit")["total"]
        # A province not reorganized compares with its own score the year before, under the name it
        # had then (Huế was "Thừa Thiên Huế" in 2024).
        prev_same = [prev[p[0]] if (len(p) == 1 and p[0] in prev.index) else float("nan")
                     for p in table["predecessors"]]
        table["previous"] = published_values(prev_same, dec).to_numpy()
        table["change"] = score_changes(table["value"], published_values(prev_same, dec), dec)
        history = national[national["year"] >= year].reset_index(drop=True)
    else:
        table = rank_table(national, year, compare_year=compare_year, scheme=scheme, decimals=dec)
        history = national
    if compare_year is not None and idx.method_changes_between(compare_year, year):
        table["change"] = float("nan")  # another method: compare ranks only
    return Overview(
        year=int(year),
        lang=lang,
        spec=idx,
        scheme=scheme,
        table=table,
        history=history,
        reorganized=reorganized,
        compare_year=compare_year,
        bands=band_distribution(national, scheme, by="year", decimals=dec),
        links=dict(links or {}),
        synthetic=str(meta.get("synthetic", "")).lower() == "true",
        data_source=str(data),
        data_sha256=sha,
        source_name=str(meta.get("source_file") or Path(str(data)).name),
    )
