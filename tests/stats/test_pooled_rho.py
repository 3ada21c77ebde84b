"""One AR(1) ρ pooled over a store's provinces (serial.pooled_rho, panel_pool, standing_pool), pinned to nlme."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from parbrief.stats.differences import _panel_frame, _pool_panels, panel_differences, panel_pool
from parbrief.stats.panel_gls import panel_arrays
from parbrief.stats.serial import POOL_CAUTION, PooledRho, pooled_rho, reml_rho
from parbrief.stats.standing import standing_pool, standing_trends

pytestmark = [pytest.mark.filterwarnings("error"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

# Five provinces × four units × 2019–2023, province SDs 1.0 / 0.6 / 1.5 / 0.8 / 1.2, AR(1) ρ = 0.5,
# unit P2 U1 has no 2021 score (a gap).
STORE = [
    ("P0", "U0", 2019, 80.35), ("P0", "U0", 2020, 80.4), ("P0", "U0", 2021, 80.06), ("P0", "U0", 2022, 80.58),
    ("P0", "U0", 2023, 80.55), ("P0", "U1", 2019, 81.61), ("P0", "U1", 2020, 80.84), ("P0", "U1", 2021, 80.58),
    ("P0", "U1", 2022, 81.81), ("P0", "U1", 2023, 82.54), ("P0", "U2", 2019, 79.03), ("P0", "U2", 2020, 80.04),
    ("P0", "U2", 2021, 81.52), ("P0", "U2", 2022, 80.47), ("P0", "U2", 2023, 81.08), ("P0", "U3", 2019, 76.61),
    ("P0", "U3", 2020, 76.01), ("P0", "U3", 2021, 77.57), ("P0", "U3", 2022, 77.57), ("P0", "U3", 2023, 79.35),
    ("P1", "U0", 2019, 80.03), ("P1", "U0", 2020, 79.08), ("P1", "U0", 2021, 80.05), ("P1", "U0", 2022, 81.07),
    ("P1", "U0", 2023, 81.93), ("P1", "U1", 2019, 78.14), ("P1", "U1", 2020, 78.22), ("P1", "U1", 2021, 78.61),
    ("P1", "U1", 2022, 80.18), ("P1", "U1", 2023, 80.09), ("P1", "U2", 2019, 80.58), ("P1", "U2", 2020, 80.42),
    ("P1", "U2", 2021, 80.88), ("P1", "U2", 2022, 81.49), ("P1", "U2", 2023, 82.02), ("P1", "U3", 2019, 78.83),
    ("P1", "U3", 2020, 80.12), ("P1", "U3", 2021, 79.27), ("P1", "U3", 2022, 80.54), ("P1", "U3", 2023, 80.98),
    ("P2", "U0", 2019, 82.82), ("P2", "U0", 2020, 82.73), ("P2", "U0", 2021, 80.0), ("P2", "U0", 2022, 80.79),
    ("P2", "U0", 2023, 82.19), ("P2", "U1", 2019, 80.99), ("P2", "U1", 2020, 80.8), ("P2", "U1", 2022, 84.09),
    ("P2", "U1", 2023, 82.19), ("P2", "U2", 2019, 79.4), ("P2", "U2", 2020, 80.49), ("P2", "U2", 2021, 79.32),
    ("P2", "U2", 2022, 79.89), ("P2", "U2", 2023, 81.0), ("P2", "U3", 2019, 82.88), ("P2", "U3", 2020, 80.41),
    ("P2", "U3", 2021, 80.21), ("P2", "U3", 2022, 82.52), ("P2", "U3", 2023, 79.97), ("P3", "U0", 2019, 79.45),
    ("P3", "U0", 2020, 81.0), ("P3", "U0", 2021, 81.57), ("P3", "U0", 2022, 81.29), ("P3", "U0", 2023, 81.37),
    ("P3", "U1", 2019, 81.16), ("P3", "U1", 2020, 80.61), ("P3", "U1", 2021, 80.69), ("P3", "U1", 2022, 81.5),
    ("P3", "U1", 2023, 81.78), ("P3", "U2", 2019, 78.77), ("P3", "U2", 2020, 79.78), ("P3", "U2", 2021, 80.19),
    ("P3", "U2", 2022, 81.93), ("P3", "U2", 2023, 82.64), ("P3", "U3", 2019, 80.59), ("P3", "U3", 2020, 80.51),
    ("P3", "U3", 2021, 81.84), ("P3", "U3", 2022, 81.9), ("P3", "U3", 2023, 82.66), ("P4", "U0", 2019, 79.19),
    ("P4", "U0", 2020, 77.42), ("P4", "U0", 2021, 76.37), ("P4", "U0", 2022, 78.18), ("P4", "U0", 2023, 78.61),
    ("P4", "U1", 2019, 83.27), ("P4", "U1", 2020, 81.22), ("P4", "U1", 2021, 80.69), ("P4", "U1", 2022, 81.68),
    ("P4", "U1", 2023, 82.76), ("P4", "U2", 2019, 79.54), ("P4", "U2", 2020, 81.02), ("P4", "U2", 2021, 81.8),
    ("P4", "U2", 2022, 80.57), ("P4", "U2", 2023, 81.35), ("P4", "U3", 2019, 78.57), ("P4", "U3", 2020, 80.12),
    ("P4", "U3", 2021, 79.8), ("P4", "U3", 2022, 82.08), ("P4", "U3", 2023, 82.54),
]


@pytest.fixture()
def store() -> pd.DataFrame:
    return pd.DataFrame(STORE, columns=["province", "unit", "year", "y"])


def _panels(store: pd.DataFrame):
    out = []
    for _, g in store.groupby("province"):
        a = panel_arrays(g[["unit", "year", "y"]])
        out.append((a.y, a.x, a.s))
    return out


def test_pooled_rho_matches_nlme_with_a_variance_per_province(store):
    # R: d has the block-diagonal design of each province's y ~ unit + year (columns x0..x39),
    #    pu = province:unit; m <- gls(y ~ 0 + x0 + ... + x39, data = d, method = "REML",
    #      correlation = corAR1(form = ~ year | pu), weights = varIdent(form = ~ 1 | province))
    pool = pooled_rho(_panels(store))
    # coef(m$modelStruct$corStruct, unconstrained = FALSE): Phi1 = 0.3744275421
    assert pool.rho == pytest.approx(0.3744275421, abs=1e-6)
    assert (pool.n_panels, pool.n_units, pool.n_obs) == (5, 20, 99)
    # intervals(m)$corStruct: −0.1254391 to 0.7226783 on Fisher's z: SE(z) = 0.265141, SE(ρ) = SE(z)(1 − ρ²)
    #   = 0.227969 (nlme's numerical Hessian); ours is the exact curvature of the profiled criterion.
    assert pool.sd == pytest.approx(0.227969, rel=0.02)
    assert pool.cautious() == pytest.approx(pool.rho + POOL_CAUTION * pool.sd)


def test_too_few_provinces_give_no_pool(store):
    assert pooled_rho(_panels(store)[:4]) is None
    assert panel_pool(store.rename(columns={"y": "total"})[store["province"] != "P0"]) is None


def test_panel_pool_is_the_pooled_rho_of_the_panels_the_test_fits(store):
    scores = store.rename(columns={"y": "total"})
    pool = panel_pool(scores)
    assert pool.rho == pytest.approx(pooled_rho(_panels(store)).rho, abs=1e-9)
    one = scores[scores["province"] == "P3"]
    res = panel_differences(one, pool=pool)
    assert res.serial["rho_source"] == "store" and res.serial["pool_panels"] == 5
    a = panel_arrays(one.rename(columns={"total": "y"})[["unit", "year", "y"]])
    assert res.serial["rho_used"] == pytest.approx(pool.for_panel(*reml_rho(a.y, a.x, a.s)))
    # Without the pool the province's own cautious ρ decides.
    assert panel_differences(one).serial["rho_source"] == "own"



def _one_by_one(scores: pd.DataFrame, breaks, scale) -> list:
    """The panels as panel_pool built them before it prepared every province at once (the reference)."""
    out = []
    for _, rows in scores.groupby("province", sort=True):
        frame, _ = _panel_frame(rows, "total", breaks, scale, [])
        n_u, n_t = frame["unit"].nunique(), frame["year"].nunique()
        if (frame.duplicated(["unit", "year"]).any() or n_u < 2 or n_t < 2 or len(frame) - n_u - n_t + 1 < 2
                or np.ptp(frame["y"].to_numpy()) == 0):
            continue
        a = panel_arrays(frame)
        if np.linalg.matrix_rank(a.x) < a.x.shape[1]:
            continue
        out.append((a.y, a.x, a.s))
    return out


@pytest.mark.parametrize("breaks", [(), (2021,), (2019.5,)])
@pytest.mark.parametrize("scale", ["auto", "raw", "z_within_year"])
def test_every_province_prepared_at_once_gives_the_same_panels(store, breaks, scale):
    scores = store.rename(columns={"y": "total"})
    scores.loc[3, "total"] = np.nan  # a missing score
    scores.loc[25, "year"] = None  # a row without its year
    p5 = scores[scores["province"] == "P4"].assign(province="P5", total=80.0)  # no spread: left out
    p6 = scores[scores["province"] == "P1"].assign(province="P6")
    p6 = pd.concat([p6, p6.iloc[:1]])  # a duplicated (unit, year): left out
    p7 = scores[(scores["province"] == "P2") & (scores["year"] <= 2020)].assign(province="P7")  # 2 years, a gap
    scores = pd.concat([scores, p5, p6, p7], ignore_index=True).sample(frac=1.0, random_state=3)
    want, got = _one_by_one(scores, breaks, scale), _pool_panels(scores, "total", breaks, scale, "province")
    assert len(got) == len(want) >= 5
    for (y1, x1, s1), (y2, x2, s2) in zip(want, got):  # bit for bit: the pooled ρ cannot move
        assert np.array_equal(y1, y2) and np.array_equal(x1, x2)
        assert np.array_equal(s1.prev, s2.prev) and np.array_equal(s1.gap, s2.gap)
        assert np.array_equal(s1.unit_index, s2.unit_index) and s1.n_units == s2.n_units


def _store_panel(rng, n_prov, n_units, n_years, rho, offset=0.0):
    e = np.empty((n_prov, n_units, n_years))
    e[..., 0] = rng.standard_normal((n_prov, n_units))
    for t in range(1, n_years):
        e[..., t] = rho * e[..., t - 1] + np.sqrt(1 - rho**2) * rng.standard_normal((n_prov, n_units))
    y = 80 + e + rng.normal(0, 2, (n_prov, 1, n_years))
    y[0, : n_units // 2] += offset
    p, u, t = np.meshgrid(np.arange(n_prov), np.arange(n_units), np.arange(n_years), indexing="ij")
    return pd.DataFrame({"province": [f"P{i}" for i in p.ravel()], "unit": [f"H{i}" for i in u.ravel()],
                         "year": 2018 + t.ravel(), "total": y.ravel()})


def test_pooled_test_keeps_its_level_and_gains_power():
    """Seeded small calibration (the full one is bench/calibration.py): 6 units × 6 years, ρ = 0.5, 8 provinces."""
    rng = np.random.default_rng(11)
    n_rep, level, hit_pool, hit_own = 80, 0, 0, 0
    for r in range(n_rep):
        null = _store_panel(rng, 8, 6, 6, 0.5)
        level += panel_differences(null[null["province"] == "P0"], pool=panel_pool(null)).primary.p < 0.05
        alt = _store_panel(rng, 8, 6, 6, 0.5, offset=1.5)
        first = alt[alt["province"] == "P0"]
        hit_pool += panel_differences(first, pool=panel_pool(alt)).primary.p < 0.05
        hit_own += panel_differences(first, seed=r).primary.p < 0.05
    # Binomial(80, 0.05) exceeds 9 with probability ≈ 1%.
    assert level <= 9
    assert hit_pool > hit_own + 8


def test_standing_pool_feeds_the_standing_trends():
    rng = np.random.default_rng(5)
    store = _store_panel(rng, 6, 8, 7, 0.3)
    pool = standing_pool(store, min_years=5)
    assert pool is not None and pool.n_panels == 6 and pool.n_units == 48
    tab = standing_trends(store[store["province"] == "P2"], min_years=5, pool=pool)
    assert tab.rho_source == "store" and 0.0 <= tab.rho_used <= 0.95
    assert standing_trends(store[store["province"] == "P2"], min_years=5).rho_source == "own"


def test_a_province_own_rho_counts_only_as_far_as_provinces_differ():
    agree = PooledRho(rho=0.4, sd=0.04, n_panels=20, n_units=200, n_obs=1400, tau=0.0)
    assert agree.for_panel(0.8, 0.15) == pytest.approx(agree.cautious()) == pytest.approx(0.44)
    differ = PooledRho(rho=0.4, sd=0.04, n_panels=20, n_units=200, n_obs=1400, tau=0.15)
    # B = 0.15² / (0.15² + 0.15²) = 0.5: centre 0.6, SD √(0.5·0.15² + 0.25·0.04²) = 0.1079352
    assert differ.for_panel(0.8, 0.15) == pytest.approx(0.6 + 0.1079352, abs=1e-6)
    assert differ.for_panel(0.0, 0.15) == pytest.approx(0.2 + 0.1079352, abs=1e-6)
    assert differ.for_panel(float("nan"), float("nan")) == pytest.approx(differ.cautious())
    assert differ.for_panel(-0.9, 0.01) == 0.0  # never below 0


def test_tau_is_near_zero_when_provinces_share_rho_and_grows_when_they_do_not():
    rng = np.random.default_rng(8)
    same = _store_panel(rng, 20, 8, 7, 0.5)
    assert panel_pool(same).tau < 0.08
    mixed = pd.concat([_store_panel(rng, 10, 8, 7, 0.0).assign(province=lambda f: f["province"] + "a"),
                       _store_panel(rng, 10, 8, 7, 0.8).assign(province=lambda f: f["province"] + "b")])
    assert panel_pool(mixed).tau > 0.2
