"""Quantile band schemes in the ratings (issue 12): groups of each year's units, per unit type."""

from __future__ import annotations

import numpy as np
import pandas as pd

from parbrief.spec import Band, BandScheme
from parbrief.stats.ratings import assign_bands, band_distribution, band_movement

QUARTILES = BandScheme("q", "Q", "Q", tuple(Band(c, c.upper(), c.upper()) for c in "abcd"), kind="quantile")


def test_groups_are_drawn_within_each_year_and_unit_type():
    rng = np.random.default_rng(3)
    rows = [{"year": y, "unit_type": t, "unit": f"{t}{i}", "total": float(rng.uniform(40, 90)) + (30 if t == "x" else 0)}
            for y in (2022, 2023) for t in ("x", "y") for i in range(8)]
    frame = pd.DataFrame(rows)
    dist = band_distribution(frame, QUARTILES, by="year")
    # 16 units a year, but quartiles within each type: 2 + 2 per group, not 8 x-units on top
    assert dist.counts(2023) == {"a": 4, "b": 4, "c": 4, "d": 4}
    banded = assign_bands(frame, QUARTILES, within=("year", "unit_type"))
    for (_, _), g in banded.groupby(["year", "unit_type"]):
        q75 = np.quantile(g["total"], 0.75)
        assert set(g.loc[g["total"] >= q75, "band"]) == {"a"} and (g["band"] == "a").sum() == 2
    # the same frame banded as one population: the x-units (30 points higher) fill the top
    pooled = assign_bands(frame[frame["year"] == 2023], QUARTILES)
    assert set(pooled.loc[pooled["band"] == "a", "unit_type"]) == {"x"}


def test_band_movement_counts_and_changes():
    fixed = BandScheme("f", "F", "F", (Band("hi", "Hi", "Hi", min=50), Band("lo", "Lo", "Lo", max=50)))
    frame = pd.DataFrame({"year": [1, 1, 1, 2, 2, 2], "total": [60, 40, 45, 60, 55, 45]})
    mv = band_movement(band_distribution(frame, fixed), 2, 1)
    assert mv.counts == (("hi", 2), ("lo", 1)) and mv.previous == (("hi", 1), ("lo", 2)) and mv.n == 3
    assert mv.changes() == [("hi", 1, 2), ("lo", 2, 1)] and not mv.quantile
    assert band_movement(band_distribution(frame, fixed), 1, 0).previous is None
    assert band_movement(band_distribution(frame, fixed), 3) is None
