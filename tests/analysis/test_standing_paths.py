"""A brief's raw paths per unit: taken from the columns as arrays, the same as from each unit's rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from parbrief.analysis.standing import _path, _unit_paths


def _history(seed: int) -> pd.DataFrame:
    """40 units, 2016–2024 with years missing at random, rows shuffled (not in year order)."""
    rng = np.random.default_rng(seed)
    rows = [(f"Xã {u:02d}", y, round(float(rng.normal(80, 5)), 2))
            for u in range(40) for y in range(2016, 2025) if rng.random() < 0.8]
    frame = pd.DataFrame(rows, columns=["unit", "year", "total"])
    frame.loc[frame.sample(frac=0.1, random_state=seed).index, "total"] = 85.0  # flat steps too
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("start", [None, 2020, 2022, 2030])
@pytest.mark.parametrize("seed", [1, 2])
def test_unit_paths_are_each_units_own_path(seed, start):
    # the reference: one sub-frame per unit, sorted by year, from `start` on (a unit with no year
    # left keeps an empty path)
    history = _history(seed)
    expected = {str(u): _path(g.sort_values("year"), start) for u, g in history.groupby("unit")}
    got = _unit_paths(history, start)
    assert list(got) == list(expected) and len(got) == 40
    assert got == expected
    assert all(min(p.years, default=start) >= (start or 2016) and list(p.years) == sorted(p.years)
               for p in got.values())
    if start == 2030:
        assert all(p.code == "single_year" and not p.years for p in got.values())
