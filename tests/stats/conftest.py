"""Fixtures of the statistics tests: published datasets as tidy frames, the spec, the demo."""

from __future__ import annotations

import pandas as pd
import pytest

from parbrief.spec import IndexSpec, load_spec
from stats_datasets import OZONE_BY_MONTH, PLANT_GROWTH, ROUNDING_METHODS, ROUNDING_TIMES, long_frame


@pytest.fixture(scope="session")
def spec() -> IndexSpec:
    return load_spec()


@pytest.fixture
def plant_growth() -> pd.DataFrame:
    return long_frame(PLANT_GROWTH, value="weight")


@pytest.fixture
def ozone() -> pd.DataFrame:
    return long_frame(OZONE_BY_MONTH, value="ozone")


@pytest.fixture
def rounding_panel() -> pd.DataFrame:
    """RoundingTimes as a scores panel: methods are the 'units', players the 'years' (blocks)."""
    rows = []
    for player, times in enumerate(ROUNDING_TIMES, start=1):
        for method, t in zip(ROUNDING_METHODS, times):
            rows.append({"province": "X", "unit": method, "unit_type": "district", "year": 2000 + player, "total": t})
    return pd.DataFrame(rows)


