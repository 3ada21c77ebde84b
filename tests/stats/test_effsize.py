"""Effect sizes against hand computations and published values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from parbrief.stats import effsize
from stats_datasets import PLANT_GROWTH

pytestmark = [pytest.mark.filterwarnings("error"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


def test_omega_squared_plant_growth():
    # One-way ANOVA of PlantGrowth: SS_b = 3.76634, SS_w = 10.49209, df = (2, 27), F = 4.846088.
    # ω² = (SS_b − df_b·MS_w) / (SS_t + MS_w) = (3.76634 − 2·0.388596) / (14.25843 + 0.388596)
    #    = 0.20408 (R effectsize::omega_squared reports 0.20).
    assert effsize.omega_squared(4.846088, 2, 27) == pytest.approx(0.20408, abs=5e-5)
    lo, hi = effsize.omega2_ci(4.846088, 2, 27)
    # R: omega_squared(aov(weight ~ group, PlantGrowth), alternative = "two.sided"): 0.2040788 [0, 0.4339997]
    assert lo == 0.0 and hi == pytest.approx(0.4339997, abs=5e-5)


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
    es = effsize.hedges_g(trt1, ctrl)  # mean(ctrl) − mean(trt1) = 0.371
    g, (lo, hi) = es.estimate, es.ci
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


def test_one_way_eta2_epsilon2_ci_match_r_effectsize():
    # R: eta_squared(aov(weight ~ group, PlantGrowth), alternative = "two.sided"): 0.2641483 [0.01099231, 0.4901749]
    assert effsize.eta2_from_f(4.846088, 2, 27) == pytest.approx(0.2641483, abs=5e-6)
    assert effsize.partial_eta2_ci(4.846088, 2, 27) == pytest.approx((0.01099231, 0.4901749), abs=5e-6)
    # R: epsilon_squared(aov(...), alternative = "two.sided"): 0.2096408 [0, 0.4394621]
    assert effsize.epsilon2_from_f(4.846088, 2, 27) == pytest.approx(0.2096408, abs=5e-6)
    assert effsize.epsilon2_ci(4.846088, 2, 27) == pytest.approx((0.0, 0.4394621), abs=5e-6)
    # R default alternative = "greater": omega_squared(aov(...)): [0.002382155, 1]
    lo, hi = effsize.omega2_ci(4.846088, 2, 27, alternative="greater")
    assert lo == pytest.approx(0.002382155, abs=5e-5) and hi == 1.0


def test_partial_eta2_from_f_of_a_multi_factor_model_matches_r():
    # R: F_to_eta2(3.2, 10, 60, alternative = "two.sided"): 0.3478261 [0.0697796, 0.4607248]
    assert effsize.eta2_from_f(3.2, 10, 60) == pytest.approx(0.3478261, abs=5e-7)
    assert effsize.partial_eta2_ci(3.2, 10, 60) == pytest.approx((0.0697796, 0.4607248), abs=5e-6)
    # R: F_to_eta2(50, 27, 160, alternative = "two.sided"): 0.8940397 [0.8637977, 0.9126363]
    assert effsize.partial_eta2_ci(50, 27, 160) == pytest.approx((0.8637977, 0.9126363), abs=5e-6)
    # R: F_to_omega2(3.2, 10, 60, alternative = "two.sided"): 0.2365591 [0, 0.3351671]
    assert effsize.omega_squared(3.2, 10, 60) == pytest.approx(0.2365591, abs=5e-7)
    assert effsize.omega2_ci(3.2, 10, 60) == pytest.approx((0.0, 0.3351671), abs=5e-6)
    # R: F_to_eta2(3.2, 10, 60) (default "greater"): [0.1003265, 1]
    assert effsize.partial_eta2_ci(3.2, 10, 60, alternative="greater") == pytest.approx((0.1003265, 1.0), abs=5e-6)
    # R: F_to_omega2(0.5, 2, 27, alternative = "two.sided"): 0 [0, 0]; F_to_eta2: 0.04 [0, 0.21]
    assert effsize.omega2_ci(0.5, 2, 27) == (0.0, 0.0)
    assert effsize.partial_eta2_ci(0.5, 2, 27)[1] == pytest.approx(0.2062, abs=5e-4)


@pytest.mark.parametrize("f", [0.0, 0.3, 1.0, 2.5, 8.0, 40.0, 400.0, 1e5])
@pytest.mark.parametrize("df1,df2", [(1, 4), (2, 27), (10, 60), (27, 160), (3, 2000)])
def test_f_intervals_contain_their_estimate(f, df1, df2):
    for est, ci in ((effsize.eta2_from_f(f, df1, df2), effsize.partial_eta2_ci(f, df1, df2)),
                    (max(0.0, effsize.omega_squared(f, df1, df2)), effsize.omega2_ci(f, df1, df2)),
                    (max(0.0, effsize.epsilon2_from_f(f, df1, df2)), effsize.epsilon2_ci(f, df1, df2))):
        assert 0.0 <= ci[0] <= est <= ci[1] <= 1.0


def test_hedges_g_pooled_and_unpooled_match_r():
    ctrl, trt1 = PLANT_GROWTH["ctrl"], PLANT_GROWTH["trt1"]
    # R: hedges_g(ctrl, trt1): 0.5101841 [-0.3521431, 1.35896]
    es = effsize.hedges_g(trt1, ctrl)
    assert es.ok and es.estimate == pytest.approx(0.5101841, abs=5e-6)
    assert es.ci == pytest.approx((-0.3521431, 1.35896), abs=5e-5)
    # R: hedges_g(ctrl, trt1, pooled_sd = FALSE): 0.5081317 [-0.3526992, 1.35432]
    es = effsize.hedges_g(trt1, ctrl, pooled_sd=False)
    assert es.estimate == pytest.approx(0.5081317, abs=5e-6)
    assert es.ci == pytest.approx((-0.3526992, 1.35432), abs=5e-5)
    x, y = [0.3, 1.1, -0.4, 0.8, 0.2, 1.5], [2.9, 5.1, 0.7, 4.2, 6.3, 3.0, 1.8]
    # R: hedges_g(y, x, pooled_sd = FALSE): 1.771413 [0.4542501, 3.02885]
    es = effsize.hedges_g(x, y, pooled_sd=False)
    assert es.estimate == pytest.approx(1.771413, abs=5e-6) and es.ci == pytest.approx((0.4542501, 3.02885), abs=5e-5)
    # R: hedges_g(y, x): 1.771408 [0.4952059, 2.99547]
    es = effsize.hedges_g(x, y)
    assert es.estimate == pytest.approx(1.771408, abs=5e-6) and es.ci == pytest.approx((0.4952059, 2.99547), abs=5e-5)


@pytest.mark.parametrize(
    "x1,x2,reason",
    [
        ([1, 1, 1], [2, 2, 2], "zero_variance"),  # used to loop forever
        ([1.0], [2.0, 3.0], "too_few_values"),
        ([], [], "too_few_values"),
        ([1.0, np.nan, 2.0], [2.0, 3.0], "non_finite_values"),
        ([1.0, np.inf], [2.0, 3.0], "non_finite_values"),
    ],
)
@pytest.mark.parametrize("pooled", [True, False])
def test_hedges_g_degenerate_inputs_return_cannot_compute(x1, x2, reason, pooled):
    es = effsize.hedges_g(x1, x2, pooled_sd=pooled)
    assert not es.ok and es.reason_code == reason and math.isnan(es.estimate) and all(map(math.isnan, es.ci))


def test_hedges_g_huge_effect_terminates():
    es = effsize.hedges_g([0.0, 1e-9, 2e-9], [1e6, 1e6 + 1e-9, 1e6 + 2e-9])
    assert es.ok and es.estimate > 1e10  # the CI may be unavailable (ci_not_found) but the call returns
    assert es.reason_code in (None, "ci_not_found")


def test_f_intervals_of_degenerate_inputs_are_nan():
    for fn in (effsize.partial_eta2_ci, effsize.omega2_ci, effsize.epsilon2_ci):
        assert all(map(math.isnan, fn(math.nan, 2, 27)))
        assert all(map(math.isnan, fn(math.inf, 2, 27)))
        assert all(map(math.isnan, fn(3.0, 0, 27)))
