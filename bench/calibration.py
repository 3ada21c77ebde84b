"""Error rates and power of parbrief's claims on realistic panels (prints figures; asserts nothing).

Panels: 6, 11 and 28 units × 5, 7 and 8 years; errors AR(1) within each unit with ρ ∈ {0, 0.3, 0.5,
0.7} (unit variance), a year effect shared by all units (SD 2: a method change, a hard year) and,
for the trend claims, unit levels that differ (SD 1.5). No true differences and no trends unless
stated. For each cell:

* ``diff`` — rejection rate of :func:`parbrief.stats.differences.panel_differences` at α = 0.05
  (raw scale: what the brief uses within one method period; its ``z_within_year`` scale across
  periods is a per-year rescaling of the same model);
* ``naive`` — the same panels through an OLS two-way ANOVA (years independent), for comparison;
* ``trend FWER`` — the share of panels in which :func:`parbrief.stats.standing.standing_trends`
  calls any unit improving or declining (Holm within the unit type);
* power (11 units × 7 years): half the units offset by δ = 1 and 2 noise SDs (diff), and one unit
  whose standing rises by 0.5 noise SD a year (trend).

Each figure is given twice: ``own`` — ρ from the province's own panel (a store with one province, a
police force's own units), and ``store`` — ρ pooled over the province and ``--pool − 1`` other
provinces of the same design (:func:`panel_pool`, :func:`standing_pool`; what a brief uses when the
store holds other provinces). A last table lets ρ differ between provinces (uniform ±0.2 around
the stated ρ) to show what pooling costs when its assumption is only roughly true.

Targets (issue #10): ≤ 6% for ρ ≤ 0.5; power ≥ 80% at δ = 2 with 11 units × 7 years.

    .venv/bin/python bench/calibration.py            # 500 panels per cell (≈ 10–20 min on 2 cores)
    .venv/bin/python bench/calibration.py --reps 100 # a quick look
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# Small matrices: a multi-threaded BLAS only spins (10× slower on a busy 2-core machine).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from parbrief.stats.differences import panel_differences, panel_pool  # noqa: E402
from parbrief.stats.standing import standing_pool, standing_trends  # noqa: E402

SIZES = ((6, 5), (6, 8), (11, 7), (28, 5), (28, 8))
RHOS = (0.0, 0.3, 0.5, 0.7)


def simulate(rng: np.random.Generator, n_units: int, n_years: int, rho: float, *, level_sd: float = 0.0,
             offset: float = 0.0, trend: float = 0.0) -> pd.DataFrame:
    """One province's panel: AR(1) errors (stationary, unit variance) + year effects (+ options)."""
    e = np.empty((n_units, n_years))
    e[:, 0] = rng.standard_normal(n_units)
    for t in range(1, n_years):
        e[:, t] = rho * e[:, t - 1] + np.sqrt(1 - rho**2) * rng.standard_normal(n_units)
    y = 80 + e + rng.normal(0, 2, n_years)[None, :] + rng.normal(0, level_sd, n_units)[:, None]
    y[: n_units // 2] += offset
    y[0] += trend * np.arange(n_years)
    return pd.DataFrame({"province": "P", "unit": np.repeat([f"Huyện {i:02d}" for i in range(n_units)], n_years),
                         "year": np.tile(np.arange(2018, 2018 + n_years), n_units), "total": y.ravel()})


def naive_anova_p(panel: pd.DataFrame) -> float:
    wide = panel.pivot(index="unit", columns="year", values="total").to_numpy()
    u, t = wide.shape
    g = wide.mean()
    ss_u = t * np.sum((wide.mean(axis=1) - g) ** 2)
    ss_t = u * np.sum((wide.mean(axis=0) - g) ** 2)
    ss_e = np.sum((wide - g) ** 2) - ss_u - ss_t
    df_e = (u - 1) * (t - 1)
    return float(stats.f.sf((ss_u / (u - 1)) / (ss_e / df_e), u - 1, df_e))


def pools(rng: np.random.Generator, panel: pd.DataFrame | None, moved: pd.DataFrame | None, n_units: int,
          n_years: int, rho: float, n_pool: int, het: float = 0.0):
    """Pooled ρ for the difference test (``panel``) and the standing tests (``moved``), each with the
    same ``n_pool − 1`` other provinces of the simulated store."""
    others = []
    for k in range(n_pool - 1):
        r = float(np.clip(rho + rng.uniform(-het, het), 0.0, 0.9)) if het else rho
        others.append(simulate(rng, n_units, n_years, r, level_sd=1.5).assign(province=f"Q{k:02d}"))
    d = panel_pool(pd.concat([panel] + others, ignore_index=True)) if panel is not None else None
    s = standing_pool(pd.concat([moved] + others, ignore_index=True), min_years=5) if moved is not None else None
    return d, s


def rate(hits: int, reps: int) -> str:
    return f"{100 * hits / reps:.1f}%"


def level(reps: int, seed: int, n_pool: int, mode: str = "both", sizes=SIZES) -> None:
    print(f"\nError rates at α = 0.05 with no true differences and no trends ({reps} panels per cell; "
          f"binomial SE ≈ {100 * np.sqrt(0.05 * 0.95 / reps):.1f} points; store = {n_pool} provinces)")
    print(f"{'units':>5} {'years':>5} {'rho':>4} {'diff own':>9} {'diff store':>11} {'naive':>7} "
          f"{'trend own':>10} {'trend store':>12} {'s/panel':>8}")
    rng = np.random.default_rng(seed)
    for n_units, n_years in sizes:
        rng = np.random.default_rng([seed, n_units, n_years])  # each size its own stream: runs can be split
        for rho in RHOS:
            t0 = time.perf_counter()
            c = dict.fromkeys(("diff", "diff_s", "naive", "trend", "trend_s"), 0)
            for r in range(reps):
                panel = simulate(rng, n_units, n_years, rho, level_sd=0.0)
                moved = simulate(rng, n_units, n_years, rho, level_sd=1.5)
                d_pool, s_pool = pools(rng, panel, moved, n_units, n_years, rho, n_pool)
                if mode != "store":
                    c["diff"] += panel_differences(panel, seed=r).primary.p < 0.05
                    c["trend"] += bool(standing_trends(moved, seed=r, min_years=5).n_called)
                if mode != "own":
                    c["diff_s"] += panel_differences(panel, seed=r, pool=d_pool).primary.p < 0.05
                    c["trend_s"] += bool(standing_trends(moved, seed=r, min_years=5, pool=s_pool).n_called)
                c["naive"] += naive_anova_p(panel) < 0.05
            dt = (time.perf_counter() - t0) / reps
            print(f"{n_units:>5} {n_years:>5} {rho:>4.1f} {rate(c['diff'], reps):>9} {rate(c['diff_s'], reps):>11} "
                  f"{rate(c['naive'], reps):>7} {rate(c['trend'], reps):>10} {rate(c['trend_s'], reps):>12} "
                  f"{dt:>8.3f}", flush=True)


def power(reps: int, seed: int, n_pool: int, mode: str = "both", sizes=SIZES) -> None:
    print(f"\nPower with 11 units × 7 years ({reps} panels per cell; own / store ρ)")
    print(f"{'rho':>4} {'diff δ=1':>15} {'diff δ=2':>15} {'trend 0.5 SD/yr':>16}")
    rng = np.random.default_rng(seed + 1)
    for rho in RHOS:
        hits = {(d, m): 0 for d in (1.0, 2.0) for m in ("own", "store")}
        found = {"own": 0, "store": 0}
        for r in range(reps):
            for delta in (1.0, 2.0):
                panel = simulate(rng, 11, 7, rho, offset=delta)
                d_pool, _ = pools(rng, panel, None, 11, 7, rho, n_pool)
                if mode != "store":
                    hits[delta, "own"] += panel_differences(panel, seed=r).primary.p < 0.05
                if mode != "own":
                    hits[delta, "store"] += panel_differences(panel, seed=r, pool=d_pool).primary.p < 0.05
            moved = simulate(rng, 11, 7, rho, level_sd=1.5, trend=0.5)
            _, s_pool = pools(rng, None, moved, 11, 7, rho, n_pool)
            if mode != "store":
                found["own"] += standing_trends(moved, seed=r, min_years=5).get("Huyện 00").classification == "improving"
            if mode != "own":
                found["store"] += standing_trends(moved, seed=r, min_years=5, pool=s_pool).get(
                    "Huyện 00").classification == "improving"
        cell = [f"{rate(hits[d, 'own'], reps)} / {rate(hits[d, 'store'], reps)}" for d in (1.0, 2.0)]
        print(f"{rho:>4.1f} {cell[0]:>15} {cell[1]:>15} {rate(found['own'], reps) + ' / ' + rate(found['store'], reps):>16}",
              flush=True)


def heterogeneous(reps: int, seed: int, n_pool: int, mode: str = "both", sizes=SIZES) -> None:
    print(f"\nStore ρ when provinces differ (each province's ρ uniform within ±0.2; {reps} panels per cell)")
    print(f"{'units':>5} {'years':>5} {'rho':>4} {'diff store':>11} {'trend store':>12}")
    rng = np.random.default_rng(seed + 2)
    for n_units, n_years in ((6, 5), (11, 7)):
        for rho in (0.3, 0.5):
            diff = trend = 0
            for r in range(reps):
                own_rho = float(np.clip(rho + rng.uniform(-0.2, 0.2), 0.0, 0.9))
                panel = simulate(rng, n_units, n_years, own_rho)
                moved = simulate(rng, n_units, n_years, own_rho, level_sd=1.5)
                d_pool, s_pool = pools(rng, panel, moved, n_units, n_years, rho, n_pool, het=0.2)
                diff += panel_differences(panel, seed=r, pool=d_pool).primary.p < 0.05
                trend += bool(standing_trends(moved, seed=r, min_years=5, pool=s_pool).n_called)
            print(f"{n_units:>5} {n_years:>5} {rho:>4.1f} {rate(diff, reps):>11} {rate(trend, reps):>12}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=500, help="panels per cell (default 500)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--pool", type=int, default=20, help="provinces in the simulated store (default 20)")
    ap.add_argument("--only", choices=("level", "power", "heterogeneous"), help="one table only")
    ap.add_argument("--mode", choices=("both", "own", "store"), default="both",
                    help="which ρ to measure (the other's columns print 0)")
    ap.add_argument("--rhos", help="ρ values, e.g. 0.5,0.7 (default 0,0.3,0.5,0.7)")
    ap.add_argument("--sizes", help="units×years cells of the level table, e.g. 6x5,28x8 (default all)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    sizes = tuple(tuple(int(v) for v in c.split("x")) for c in args.sizes.split(",")) if args.sizes else SIZES
    if args.rhos:
        global RHOS
        RHOS = tuple(float(v) for v in args.rhos.split(","))
    for name, table in (("level", level), ("power", power), ("heterogeneous", heterogeneous)):
        if args.only in (None, name):
            table(args.reps, args.seed, args.pool, args.mode, sizes)
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
