"""Permutation p-value of the Kruskal-Wallis test for small groups.

Why: the χ² approximation of H is poor when groups are small (3 respondents per unit: H = 5.07
has χ² p = 0.079, exact p = 0.086; with H = 5.6 χ² gives 0.061, exact 0.050). Rule (:func:`kruskal_permutation_p`, used by
``survey_differences``): when some group has fewer than :data:`SMALL_GROUP_N` values the p-value
is the permutation p of H conditional on the observed (mid-)ranks, ties included, as R
``coin::kruskal_test``:

* **exact** enumeration of every split of the ranks into groups of the observed sizes when there
  are at most :data:`EXACT_MAX` of them (R ``coin`` has no exact KW for k > 2; pinned against an
  enumeration in R);
* otherwise **Monte Carlo** with :data:`N_RESAMPLES` random splits from a fixed seed
  (:data:`SEED`, so results are deterministic), p = (1 + #{H* ≥ H}) / (1 + B) (Phipson & Smyth
  2010; never 0), as ``coin::kruskal_test(distribution = approximate(nresample = 1e5))``.

Groups of ≥ 5 values keep the χ² p (scipy ``kruskal``), the usual textbook rule.
"""

from __future__ import annotations

import itertools
import math
from typing import Sequence

import numpy as np

__all__ = ["EXACT_MAX", "N_RESAMPLES", "SEED", "SMALL_GROUP_N", "kruskal_permutation_p"]

SMALL_GROUP_N = 5
EXACT_MAX = 100_000
N_RESAMPLES = 100_000
SEED = 20_251_201
_CHUNK_CELLS = 2_000_000  # values per Monte Carlo chunk (memory bound)


def _stat(sums: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Σ R_i² / n_i: H is an increasing function of it for fixed N and ties."""
    return (sums**2 / sizes).sum(axis=-1)


def _n_splits(sizes: Sequence[int]) -> float:
    n = sum(sizes)
    return math.exp(math.lgamma(n + 1) - sum(math.lgamma(s + 1) for s in sizes))


def _exact_sums(ranks: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Rank sums of every split of ``ranks`` into groups of ``sizes`` (rows: splits)."""
    if len(sizes) == 1:
        return np.array([[ranks.sum()]])
    idx = np.arange(len(ranks))
    out = []
    for c in itertools.combinations(idx, sizes[0]):
        mask = np.ones(len(ranks), bool)
        mask[list(c)] = False
        rest = _exact_sums(ranks[mask], sizes[1:])
        out.append(np.column_stack([np.full(len(rest), ranks[list(c)].sum()), rest]))
    return np.vstack(out)


def kruskal_permutation_p(ranks: np.ndarray, group_index: np.ndarray, n_groups: int, *,
                          seed: int = SEED, n_resamples: int = N_RESAMPLES) -> tuple[float, str, int]:
    """Permutation p of Kruskal-Wallis H: ``(p, method, n)``, method ``exact`` or ``monte_carlo``.

    ``ranks``: mid-ranks of all values; ``group_index``: 0 … n_groups − 1 per value. ``n`` is the
    number of splits enumerated or resampled.
    """
    ranks = np.asarray(ranks, float)
    gi = np.asarray(group_index, int)
    sizes = np.bincount(gi, minlength=n_groups).astype(float)
    obs = _stat(np.bincount(gi, weights=ranks, minlength=n_groups), sizes)
    tol = 1e-9 * max(1.0, abs(obs))
    if _n_splits([int(s) for s in sizes]) <= EXACT_MAX:
        order = np.argsort(-sizes, kind="stable")  # largest group first: fewest Python-level loops
        sums = _exact_sums(ranks, [int(sizes[i]) for i in order])
        h = _stat(sums, sizes[order])
        return float(np.mean(h >= obs - tol)), "exact", int(len(h))
    rng = np.random.default_rng(seed)
    labels = np.sort(gi)
    chunk = max(1, _CHUNK_CELLS // len(ranks))
    count, done = 0, 0
    while done < n_resamples:
        b = min(chunk, n_resamples - done)
        perm = rng.permuted(np.tile(ranks, (b, 1)), axis=1)
        sums = np.zeros((b, n_groups))
        for k in range(n_groups):
            sums[:, k] = perm[:, labels == k].sum(axis=1)
        count += int(np.sum(_stat(sums, sizes) >= obs - tol))
        done += b
    return float((count + 1) / (n_resamples + 1)), "monte_carlo", int(n_resamples)
