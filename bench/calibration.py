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

from parbrief.stats.differences import panel_differences  # noqa: E402
from parbrief.stats.standing import standing_trends  # noqa: E402

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


def level(reps: int, seed: int) -> None:
    print(f"\nError rates at α = 0.05 with no true differences and no trends ({reps} panels per cell; "
          f"binomial SE ≈ {100 * np.sqrt(0.05 * 0.95 / reps):.1f} points)")
    print(f"{'units':>5} {'years':>5} {'rho':>4} {'diff':>7} {'naive':>7} {'trend FWER':>11} {'s/panel':>8}")
    rng = np.random.default_rng(seed)
    for n_units, n_years in SIZES:
        for rho in RHOS:
            t0 = time.perf_counter()
            diff = naive = trend = 0
            for r in range(reps):
                panel = simulate(rng, n_units, n_years, rho, level_sd=0.0)
                diff += panel_differences(panel, seed=r).primary.p < 0.05
                naive += naive_anova_p(panel) < 0.05
                moved = simulate(rng, n_units, n_years, rho, level_sd=1.5)
                trend += bool(standing_trends(moved, seed=r, min_years=5).n_called)
            dt = (time.perf_counter() - t0) / reps
            print(f"{n_units:>5} {n_years:>5} {rho:>4.1f} {100 * diff / reps:>6.1f}% {100 * naive / reps:>6.1f}% "
                  f"{100 * trend / reps:>10.1f}% {dt:>8.3f}", flush=True)


def power(reps: int, seed: int) -> None:
    print(f"\nPower with 11 units × 7 years ({reps} panels per cell)")
    print(f"{'rho':>4} {'diff δ=1':>9} {'diff δ=2':>9} {'trend 0.5 SD/yr':>16}")
    rng = np.random.default_rng(seed + 1)
    for rho in RHOS:
        hits = {1.0: 0, 2.0: 0}
        found = 0
        for r in range(reps):
            for delta in hits:
                hits[delta] += panel_differences(simulate(rng, 11, 7, rho, offset=delta), seed=r).primary.p < 0.05
            tab = standing_trends(simulate(rng, 11, 7, rho, level_sd=1.5, trend=0.5), seed=r, min_years=5)
            found += tab.get("Huyện 00").classification == "improving"
        print(f"{rho:>4.1f} {100 * hits[1.0] / reps:>8.1f}% {100 * hits[2.0] / reps:>8.1f}% "
              f"{100 * found / reps:>15.1f}%", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=500, help="panels per cell (default 500)")
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args()
    t0 = time.perf_counter()
    level(args.reps, args.seed)
    power(args.reps, args.seed)
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
