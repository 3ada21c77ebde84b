"""Post-hoc tests: Tukey HSD (fast path = statsmodels), Games-Howell, Dunn, Holm; studentized range."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.stats import studentized_range
from statsmodels.stats.multitest import multipletests

from parbrief.stats._srange import ptukey_cdf, ptukey_sf, qtukey
from parbrief.stats.posthoc import dunn, games_howell, p_adjust, tukey_hsd, tukey_hsd_reference
from stats_datasets import PLANT_GROWTH, STATOLOGY_DUNN

pytestmark = [pytest.mark.filterwarnings("error"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


def _flat(groups: dict) -> tuple[np.ndarray, np.ndarray]:
    y = np.concatenate([np.asarray(v, float) for v in groups.values()])
    g = np.repeat(list(groups), [len(v) for v in groups.values()])
    return y, g


# ----------------------------------------------------------------- studentized range (fast path)


@pytest.mark.parametrize("k,df", [(2, 5), (3, 27), (5, 12.5), (10, 60), (25, 125), (25, 3.3), (40, 1000), (8, 2e5)])
def test_ptukey_matches_scipy(k, df):
    q = np.array([0.3, 1.0, 2.5, 3.5, 4.5, 6.0, 9.0])
    expected = np.array([studentized_range.sf(x, k, df) for x in q])
    np.testing.assert_allclose(ptukey_sf(q, k, df), expected, rtol=0, atol=1e-11)


@pytest.mark.parametrize("k,df", [(3, 27), (25, 125), (6, 9.7), (25, 2e5)])
def test_qtukey_matches_scipy(k, df):
    assert qtukey(0.95, k, df) == pytest.approx(studentized_range.ppf(0.95, k, df), abs=1e-10)


def test_qtukey_known_table_value():
    # Tukey's q table (e.g. Harter 1960; R qtukey(0.95, 3, 27) = 3.506426): k = 3, df = 27.
    assert qtukey(0.95, 3, 27) == pytest.approx(3.506426, abs=1e-6)


def test_qtukey_at_many_df_is_the_exact_quantile():
    # Games-Howell over 167 communes: one df per pair. Past 64 distinct df the quantile is solved at
    # 25 df and interpolated in log df; it must equal the quantile solved at every df (which the
    # tests above pin to scipy and to R), and scipy at a few of them.
    rng = np.random.default_rng(7)
    df = np.r_[rng.uniform(2.5, 400, 300), 2e5]  # and one asymptotic df, solved apart
    fast = qtukey(0.95, 60, df)
    exact = qtukey(0.95, 60, df, interpolate=False)
    np.testing.assert_allclose(fast, exact, rtol=1e-10, atol=0)
    for i in (0, 1, 300):
        assert fast[i] == pytest.approx(studentized_range.ppf(0.95, 60, df[i]), abs=1e-8)


def test_ptukey_at_many_q_of_one_df_is_the_exact_cdf():
    # Tukey HSD over 100 communes: 4 950 pairs, one df. Past a few hundred q the cdf goes through
    # piecewise interpolants in q (checked against the exact cdf halfway between their nodes); it
    # must equal the cdf computed at every q (pinned to scipy and R above), and scipy at a few q.
    rng = np.random.default_rng(11)
    q = np.r_[rng.uniform(0.0, 9.0, 3000), 0.004, 25.0]
    for k, df in ((3, 4.5), (30, 60), (96, 6781), (170, 400)):
        fast = ptukey_sf(q, k, df)
        np.testing.assert_allclose(fast, ptukey_sf(q, k, df, interpolate=False), rtol=0, atol=5e-14)
        for i in (0, 1, 3001):
            assert fast[i] == pytest.approx(studentized_range.sf(q[i], k, df), abs=1e-11)


def test_ptukey_edges():
    out = ptukey_cdf([0.0, -1.0, np.inf, np.nan], 4, 10)
    assert out[0] == 0.0 and out[1] == 0.0 and out[2] == 1.0 and np.isnan(out[3])
    with pytest.raises(ValueError, match="k"):
        ptukey_cdf(1.0, 1, 10)


# ----------------------------------------------------------------- Tukey HSD against R


def test_tukey_plant_growth_matches_r():
    # R: TukeyHSD(aov(weight ~ group, data = PlantGrowth))
    #   trt1-ctrl  diff -0.371  lwr -1.0622161  upr 0.3202161  p adj 0.3908711
    #   trt2-ctrl  diff  0.494  lwr -0.1972161  upr 1.1852161  p adj 0.1979960
    #   trt2-trt1  diff  0.865  lwr  0.1737839  upr 1.5562161  p adj 0.0120064
    y, g = _flat(PLANT_GROWTH)
    t = tukey_hsd(y, g).table().set_index(["group1", "group2"])
    expected = {
        ("ctrl", "trt1"): (-0.371, -1.0622161, 0.3202161, 0.3908711),
        ("ctrl", "trt2"): (0.494, -0.1972161, 1.1852161, 0.1979960),
        ("trt1", "trt2"): (0.865, 0.1737839, 1.5562161, 0.0120064),
    }
    for pair, (diff, lo, hi, p) in expected.items():
        row = t.loc[pair]
        assert row["diff"] == pytest.approx(diff, abs=5e-7)
        assert row["ci_low"] == pytest.approx(lo, abs=5e-7)
        assert row["ci_high"] == pytest.approx(hi, abs=5e-7)
        assert row["p_adj"] == pytest.approx(p, abs=5e-7)
    assert list(t["reject"]) == [False, False, True]


# ----------------------------------------------------------------- fast path == statsmodels


def _assert_same(fast, ref):
    a, b = fast.table(), ref.table()
    assert list(a["group1"]) == list(b["group1"]) and list(a["group2"]) == list(b["group2"])
    for col in ("diff", "se", "df", "ci_low", "ci_high", "p_adj"):
        np.testing.assert_allclose(a[col], b[col], rtol=0, atol=1e-10, err_msg=col)
    assert list(a["reject"]) == list(b["reject"])


def test_fast_tukey_equals_statsmodels_on_25_groups():
    rng = np.random.default_rng(42)
    units = [f"Huyện {i:02d}" for i in range(25)]
    g = np.repeat(units, 6)
    y = 75 + np.repeat(rng.normal(0, 3, 25), 6) + rng.normal(0, 2, len(g))
    fast, ref = tukey_hsd(y, g), tukey_hsd_reference(y, g)
    assert len(fast.table()) == 300
    _assert_same(fast, ref)
    assert 0 < fast.table()["reject"].sum() < 300  # a mix of decisions, so the comparison means something


def test_fast_tukey_equals_statsmodels_unbalanced():
    rng = np.random.default_rng(7)
    sizes = rng.integers(3, 30, 12)
    g = np.repeat([f"u{i}" for i in range(12)], sizes)
    y = np.repeat(rng.normal(0, 1, 12), sizes) + rng.normal(0, 1, len(g))
    _assert_same(tukey_hsd(y, g), tukey_hsd_reference(y, g))


def test_fast_games_howell_equals_statsmodels():
    rng = np.random.default_rng(3)
    sizes = np.array([5, 9, 14, 30, 8, 22])
    sds = np.array([0.5, 1.0, 2.0, 0.7, 1.5, 1.0])
    g = np.repeat([f"g{i}" for i in range(6)], sizes)
    y = np.repeat(rng.normal(0, 1, 6), sizes) + rng.normal(0, 1, len(g)) * np.repeat(sds, sizes)
    fast = games_howell(y, g)
    assert fast.method == "games_howell" and fast.ci_method == "games_howell"
    _assert_same(fast, tukey_hsd_reference(y, g, use_var="unequal"))


def test_tukey_rejects_bad_use_var():
    with pytest.raises(ValueError, match="use_var"):
        tukey_hsd([1, 2, 3, 4], ["a", "a", "b", "b"], use_var="welch")


# ----------------------------------------------------------------- Dunn


def test_dunn_matches_published_example():
    # Statology "How to Perform Dunn's Test in Python" (scikit-posthocs posthoc_dunn,
    # p_adjust="bonferroni"): 1-2 0.550846, 1-3 0.718451, 2-3 0.036633.
    y, g = _flat(STATOLOGY_DUNN)
    t = dunn(y, g, adjust="bonferroni").table()
    np.testing.assert_allclose(t["p_adj"], [0.550846, 0.718451, 0.036633], atol=5e-7)
    assert list(t["reject"]) == [False, False, True]
    # Holm from the same unadjusted p (0.183615, 0.239484, 0.012211): 3p₍₁₎, then max(2p₍₂₎, ·), …
    holm = dunn(y, g, adjust="holm").table()["p_adj"].to_numpy()
    np.testing.assert_allclose(holm, [0.367231, 0.367231, 0.036633], atol=2e-6)


def test_dunn_plant_growth_matches_rstatix():
    # rstatix::dunn_test(PlantGrowth, weight ~ group, p.adjust.method = "bonferroni")
    # (datanovia "Kruskal-Wallis test in R"): z = -1.12, 1.69, 2.81; p = 0.264, 0.0912, 0.00500.
    y, g = _flat(PLANT_GROWTH)
    t = dunn(y, g, adjust="bonferroni").table()
    np.testing.assert_allclose(t["statistic"], [-1.12, 1.69, 2.81], atol=5e-3)
    np.testing.assert_allclose(t["p"], [0.264, 0.0912, 0.00500], rtol=5e-3)
    np.testing.assert_allclose(t["p_adj"], [0.791, 0.273, 0.0150], rtol=5e-3)


def test_dunn_two_groups_squares_to_kruskal_wallis():
    # With two groups, Dunn's tie-corrected z² is exactly the tie-corrected Kruskal-Wallis H.
    a = [1, 2, 2, 3, 5, 5, 5, 8]
    b = [2, 4, 5, 6, 6, 7, 9, 9, 9]
    z = dunn(a + b, ["a"] * len(a) + ["b"] * len(b)).table()["statistic"].iloc[0]
    assert z**2 == pytest.approx(stats.kruskal(a, b).statistic, rel=1e-12)


# ----------------------------------------------------------------- p adjustment


def test_holm_equals_statsmodels():
    rng = np.random.default_rng(0)
    for _ in range(12):  # few cases: multipletests runs gc.collect() on every call
        p = rng.uniform(0, 1, rng.integers(1, 40)) ** 3
        p[: len(p) // 3] = p[0]  # ties
        np.testing.assert_allclose(p_adjust(p, "holm"), multipletests(p, method="holm")[1], atol=1e-15)


def test_p_adjust_keeps_nan_out_of_the_family():
    out = p_adjust([0.01, np.nan, 0.04], "holm")
    np.testing.assert_allclose(out, [0.02, np.nan, 0.04])
    np.testing.assert_allclose(p_adjust([0.01, 0.04, 0.03], "bh"), [0.03, 0.04, 0.04])
    with pytest.raises(ValueError, match="unknown adjustment"):
        p_adjust([0.1], "sidak2")
