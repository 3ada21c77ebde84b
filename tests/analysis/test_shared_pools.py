"""The store's pooled ρ computed once per render and handed to the kernels (analysis.pooling, run.pools).

A render computes the pools its briefs will ask for in its own process and writes them beside the
snapshot; each warm kernel reads them and computes none. The values must be the very numbers a
kernel would compute (JSON floats round-trip exactly), keyed as ``build_brief`` asks for them.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import pandas as pd
import pytest

from parbrief.analysis import pooling
from parbrief.analysis.brief import build_brief, store_pools
from parbrief.data.demo import make_demo
from parbrief.data.names import normalize_name
from parbrief.spec import load_spec

SHA = "cd" * 32


@lru_cache(maxsize=1)
def _frames():
    # 13 provinces, 2018–2024: enough for a pooled ρ (five or more provinces)
    d = make_demo(mess=False)

    def norm(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(**{c: f[c].map({v: normalize_name(v) for v in f[c].unique()}) for c in ("province", "unit")})

    return pd.concat([norm(d.scores), norm(d.national)], ignore_index=True), norm(d.survey)


def _brief(province: str, **kw):
    scores, survey = _frames()
    return build_brief(province=province, year=2024, data="parbrief.duckdb",
                       frames=(scores, survey, SHA, {"source_file": "parbrief.duckdb"}), **kw)


@pytest.fixture()
def empty_memo():
    pooling._CACHE._values.clear()
    yield
    pooling._CACHE._values.clear()


def test_precomputed_pools_are_the_ones_a_brief_computes(empty_memo):
    scores, _ = _frames()
    assert store_pools(scores, SHA, load_spec(None), [("Quảng Trị", 2024, 5), ("Nowhere", 2024, 5)]) == 1
    before = dict(pooling.entries(SHA))
    assert before and all(v is not None for v in before.values())  # 13 provinces: pooled
    _brief("Quảng Trị")
    assert dict(pooling.entries(SHA)) == before  # the brief asked for these keys and no other


def test_a_kernel_given_the_pools_computes_none_and_builds_the_same_brief(empty_memo, monkeypatch):
    scores, _ = _frames()
    store_pools(scores, SHA, load_spec(None), [("Quảng Trị", 2024, 5)])
    text = pooling.dumps(pooling.entries(SHA), library="this")
    computed = _brief("Quảng Trị")
    pooling._CACHE._values.clear()

    def refuse(*a, **k):
        raise AssertionError("computed again")

    assert pooling.seed(text, library="another") == 0  # another code's numbers are not taken
    assert pooling.seed(text, library="this") == len(json.loads(text)["pools"])
    monkeypatch.setattr(pooling, "panel_pool", refuse)
    monkeypatch.setattr(pooling, "standing_pool", refuse)
    seeded = _brief("Quảng Trị")
    # every test (statistic, df, p, the ρ it used) and every standing trend, to the last digit
    assert computed.panel and all(repr(computed.panel[t].tests) == repr(seeded.panel[t].tests) for t in computed.panel)
    assert {t: repr(s.trends) for t, s in computed.standing.by_type.items()} == {
        t: repr(s.trends) for t, s in seeded.standing.by_type.items()}


def test_the_json_round_trip_is_exact():
    key = ("diff", SHA, 2024, False, "district", 2018, 2024, (2019.5, 2021.5))
    pool = pooling.PooledRho(rho=0.1 + 0.2, sd=math.nan, n_panels=13, n_units=200, n_obs=1400, tau=1 / 3)
    pooling._CACHE._values.clear()
    try:
        assert pooling.seed(pooling.dumps([(key, pool), (("standing", SHA, 2025), None)], "x")) == 2
        kept = dict(pooling.entries(SHA))
        got = kept[key]
        assert got.rho == pool.rho and got.tau == pool.tau and math.isnan(got.sd) and got.n_obs == 1400
        assert kept[("standing", SHA, 2025)] is None
    finally:
        pooling._CACHE._values.clear()
