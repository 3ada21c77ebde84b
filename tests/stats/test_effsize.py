"""Effect sizes against hand computations and published values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from parbrief.stats import effsize
from stats_datasets import PLANT_GROWTH

pytestmark = pytest.mark.filterwarnings("error")


def test_omega_squared_plant_growth():
    # One-way ANOVA of PlantGrowth: SS_b = 3.76634, SS_w = 10.49209, df = (2, 27), F = 4.846088.
    # ω² = (SS_b − df_b·MS_w) / (SS_t + MS_w) = (3.76634 − 2·0.388596) / (14.25843 + 0.388596)
    #    = 0.20408 (R effectsize::omega_squared reports 0.20).
    assert effsize.omega_squared(4.846088, 2, 27) == pytest.approx(0.20408, abs=5e-5)
    lo, hi = effsize.omega2_ci(4.846088, 2, 27)
    assert lo == 0.0 and 0.20408 < hi < 1  # statsmodels' noncentral-F interval, floored at 0


def test_partial_omega_squared_one_way_equals_omega_squared():
    # With a single factor, N = df1 + df2 + 1 and both formulas agree.
    assert effsize.partial_omega_squared(4.846088, 2, 30) == pytest.approx(effsize.omega_squared(4.846088, 2, 27))


def test_epsilon_squared_and_kendall_w():
    # PlantGrowth Kruskal-Wallis H = 7.9882 on N = 30: ε² = H / (N − 1) = 0.27546.
    assert effsize.epsilon_squared(7.988229, 30) == pytest.approx(0.27546, abs=5e-5)
    # RoundingTimes Friedman χ² = 11.143, 22 blocks, 3 methods: W = 11.143 / (22 · 2) = 0.25325.
    assert effsize.kendall_w(11.142857, 22, 3) == pytest.approx(0.25325, abs=5e-5)


def test_hedges_g_hand_computation():
    ctrl, trt1 = PLANT_GROWTH["ctrl"], PLANT_GROWTH["trt1"]
    g, (lo, hi) = effsize.hedges_g(trt1, ctrl)  # mean(ctrl) − mean(trt1) = 0.371
    sp = math.sqrt((np.var(ctrl, ddof=1) + np.var(trt1, ddof=1)) / 2)  # equal n
    j = math.gamma(9) / (math.sqrt(9) * math.gamma(8.5))  # exact correction, df = 18
    assert g == pytest.approx(0.371 / sp * j, rel=1e-12)
    assert g == pytest.approx(0.5102, abs=5e-5)
    # The noncentral-t interval is close to the large-sample normal interval (Hedges & Olkin
    # 1985): d ± 1.96·sqrt((n1+n2)/(n1 n2) + d²/(2(n1+n2))).
    se = math.sqrt(0.2 + g**2 / 40)
    assert lo == pytest.approx(g - 1.96 * se, abs=0.06)
    assert hi == pytest.approx(g + 1.96 * se, abs=0.06)
    # At the bounds the observed t sits at the 97.5 % / 2.5 % point of the noncentral t.
    t_obs = (g / j) / math.sqrt(0.2)
    assert stats.nct.cdf(t_obs, 18, (lo / j) / math.sqrt(0.2)) == pytest.approx(0.975, abs=1e-9)
    assert stats.nct.cdf(t_obs, 18, (hi / j) / math.sqrt(0.2)) == pytest.approx(0.025, abs=1e-9)


def test_rank_biserial():
    # U₂ = n1·n2 → every value of group 2 is larger: r = 1; U₂ = n1·n2/2 → r = 0.
    assert effsize.rank_biserial(12, 3, 4) == 1.0
    assert effsize.rank_biserial(6, 3, 4) == 0.0
    # PlantGrowth ctrl (group 2) vs trt1 (group 1): U = 67.5 (R wilcox.test W = 67.5) → r = 0.35.
    u = stats.mannwhitneyu(PLANT_GROWTH["ctrl"], PLANT_GROWTH["trt1"]).statistic
    assert u == 67.5 and effsize.rank_biserial(u, 10, 10) == pytest.approx(0.35)
