"""The six socio-economic regions of Vietnam, for a province's rank within its region.

Reference data shipped in ``resources/regions.csv``: each of the 63 provinces of the map before
1 July 2025 (``map = 63``) and each of the 34 provinces after it (``map = 34``, Nghị quyết
202/2025/QH15) with its region code, the region's Vietnamese name and, for a new province
formed from provinces of different regions, ``provisional = 1`` and a note (see the README's
"Reference data" lines for the source and the rule used for those).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["REGION_CODES", "Region", "region_of", "regions_table"]

#: The six regions, in the order the statistical yearbook lists them.
REGION_CODES: tuple[str, ...] = ("tdmnpb", "dbsh", "btb_dhmt", "tay_nguyen", "dong_nam_bo", "dbscl")


@dataclass(frozen=True)
class Region:
    """A province's region on one map: ``code`` (one of :data:`REGION_CODES`), provisional or not."""

    code: str
    provisional: bool


def _resource() -> Path:
    return Path(str(resources.files("parbrief").joinpath("resources", "regions.csv")))


@lru_cache(maxsize=1)
def regions_table() -> pd.DataFrame:
    """The shipped table: ``map`` (63 or 34), ``province`` (the short name used in data), ``region``,
    ``region_name``, ``provisional`` (bool), ``note``."""
    raw = pd.read_csv(_resource(), dtype=str, keep_default_na=False)
    return pd.DataFrame({
        "map": raw["map"].astype(int),
        "province": raw["province"],
        "region": raw["region"],
        "region_name": raw["region_name"],
        "provisional": raw["provisional"].eq("1"),
        "note": raw["note"],
    })


@lru_cache(maxsize=1024)
def region_of(province: str, year: int) -> Region | None:
    """The region of ``province`` (any spelling the crosswalk reads) in data year ``year``; None for a
    name on neither map (another country's units, test data)."""
    from parbrief.data.crosswalk import REORGANIZATION_2025, province_short_name

    map_ = 34 if int(year) >= REORGANIZATION_2025.year else 63
    try:
        short = province_short_name(province, year)
    except Exception:  # noqa: BLE001 - a name the crosswalk cannot read has no region
        return None
    table = regions_table()
    hit = table[(table["map"] == map_) & (table["province"].str.casefold() == short.casefold())]
    if hit.empty:
        return None
    return Region(code=str(hit["region"].iloc[0]), provisional=bool(hit["provisional"].iloc[0]))
