"""Kruskal-Wallis permutation p for small groups, pinned to R."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from parbrief.stats.differences import survey_differences
from parbrief.stats.permutation import kruskal_permutation_p
from stats_datasets import long_frame

pytestmark = [pytest.mark.filterwarnings("error"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


def test_exact_kw_three_by_three_matches_r_enumeration():
    v = np.array([1, 2, 4, 3, 5, 8, 6, 7, 9.0])
    g = np.repeat([0, 1, 2], 3)
    # R: kruskal.test(v, g): chi-squared = 5.066667, p = 0.07939393;
    # exact: all 1680 splits enumerated with combn() and kruskal.test: 144 / 1680 = 0.08571429
    p, method, n = kruskal_permutation_p(stats.rankdata(v), g, 3)
    assert method == "exact" and n == 1680 and p == pytest.approx(0.08571429, abs=5e-8)


def test_monte_carlo_kw_with_ties_matches_coin():
    w = np.array([1, 2, 2, 3, 2, 3, 3, 4, 3, 4, 4, 5, 1, 1, 2, 2, 4, 5, 5, 5, 2, 3, 4, 4.0])
    g = np.repeat(np.arange(6), 4)
    # R: kruskal.test(w, gg): chi-squared = 16.965, df = 5, p = 0.004567;
    # coin::kruskal_test(w ~ gg, distribution = approximate(nresample = 1e5)): p = 0.00017,
    # 99% CI 8.25e-05 to 3.08e-04 → Monte Carlo tolerance.
    p, method, n = kruskal_permutation_p(stats.rankdata(w), g, 6)
    assert method == "monte_carlo" and n == 100_000
    assert 5e-5 < p < 4e-4
    assert kruskal_permutation_p(stats.rankdata(w), g, 6) == (p, method, n)  # fixed seed: deterministic


def test_survey_small_units_use_permutation_p_and_note():
    res = survey_differences(long_frame({"Xã A": [1, 2, 4], "Xã B": [3, 5, 8], "Xã C": [6, 7, 9]}), value="satisfaction")
    kw = res.test("kruskal_wallis")
    # R: kruskal.test: H = 5.066667 (χ² p = 0.0794); exact p = 0.08571429 (see above)
    assert kw.statistic == pytest.approx(5.066667, abs=5e-6) and kw.p == pytest.approx(0.08571429, abs=5e-8)
    note = next(n for n in kw.notes if n.code == "kw_exact_p")
    assert note.detail["min_n"] == 3 and note.detail["p_chi2"] == pytest.approx(0.07939393, abs=5e-8)
    # R: rank_epsilon_squared(v, g): H / (N − 1) = 0.6333
    assert kw.effect == pytest.approx(5.066667 / 8, abs=5e-6)


def test_large_groups_keep_chi2(plant_growth):
    kw = survey_differences(plant_growth, value="weight").test("kruskal_wallis")
    # R: kruskal.test(weight ~ group, PlantGrowth): p = 0.01842; rank_epsilon_squared = 0.2754562
    assert kw.p == pytest.approx(0.01842, abs=5e-6) and kw.effect == pytest.approx(0.2754562, abs=5e-7)
    assert not {"kw_exact_p", "kw_permutation_p"} & {n.code for n in kw.notes}
