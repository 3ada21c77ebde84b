"""Published datasets with known answers, embedded so the tests need no network or R.

Sources (values typed from R's ``datasets`` package and its help pages):
* ``PlantGrowth`` (Dobson 1983, Table 7.1): plant dry weight, 10 plants per group.
* ``airquality`` (Chambers et al. 1983): daily ozone (ppb), New York, May–Sep 1973; only the
  116 non-missing Ozone values, by month.
* ``RoundingTimes`` (Hollander & Wolfe 1973, p. 140; the example of R ``?friedman.test``):
  22 baseball players × 3 methods of rounding first base.
* Statology's Dunn example (statology.org, "How to Perform Dunn's Test in Python"): plant
  growth under three fertilizers, 10 plants each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PLANT_GROWTH = {
    "ctrl": [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14],
    "trt1": [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69],
    "trt2": [6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26],
}

OZONE_BY_MONTH = {
    5: [41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4, 32, 23, 45, 115, 37],
    6: [29, 71, 39, 23, 21, 37, 20, 12, 13],
    7: [135, 49, 32, 64, 40, 77, 97, 97, 85, 10, 27, 7, 48, 35, 61, 79, 63, 16, 80, 108, 20, 52, 82, 50, 64, 59],
    8: [39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9, 45, 168, 73, 76, 118, 84, 85],
    9: [96, 78, 73, 91, 47, 32, 20, 23, 21, 24, 44, 21, 28, 9, 13, 46, 18, 13, 24, 16, 13, 23, 36, 7, 14, 30, 14, 18,
        20],
}

ROUNDING_TIMES = np.array(
    [
        [5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40], [5.90, 5.85, 5.70],
        [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35], [5.25, 5.15, 5.00], [5.85, 5.80, 5.70],
        [5.25, 5.20, 5.10], [5.65, 5.55, 5.45], [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40],
        [5.45, 5.55, 5.50], [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
        [5.70, 5.65, 5.55], [6.30, 6.30, 6.25],
    ]
)
ROUNDING_METHODS = ("Round Out", "Narrow Angle", "Wide Angle")

STATOLOGY_DUNN = {
    "1": [7, 14, 14, 13, 12, 9, 6, 14, 12, 8],
    "2": [15, 17, 13, 15, 15, 13, 9, 12, 10, 8],
    "3": [6, 8, 8, 9, 5, 14, 13, 8, 10, 9],
}


def long_frame(groups: dict, value: str = "satisfaction", unit: str = "unit") -> pd.DataFrame:
    rows = [(str(g), float(v)) for g, vals in groups.items() for v in vals]
    return pd.DataFrame({unit: pd.array([r[0] for r in rows], dtype="str"), value: [r[1] for r in rows]})


def make_panel(
    n_units: int = 8,
    years: range = range(2018, 2025),
    effects: dict[int, float] | None = None,
    slopes: dict[int, float] | None = None,
    sd: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A small synthetic scores panel: unit i has level 75 + effects[i] and slope slopes[i]."""
    rng = np.random.default_rng(seed)
    effects = effects or {}
    slopes = slopes or {}
    rows = []
    for i in range(n_units):
        for y in years:
            rows.append({
                "province": "Tỉnh Thử",
                "unit": f"Huyện {chr(65 + i)}",
                "unit_type": "district",
                "year": y,
                "total": 75 + effects.get(i, 0.0) + slopes.get(i, 0.0) * (y - years[0]) + rng.normal(0, sd),
            })
    frame = pd.DataFrame(rows)
    frame["year"] = frame["year"].astype("int64")
    return frame
