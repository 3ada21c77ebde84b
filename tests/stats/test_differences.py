"""Differences between units: survey (one-way), panel (two-way + Friedman), two groups."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.stats import studentized_range
from statsmodels.stats.multitest import multipletests

from parbrief.stats.differences import panel_differences, survey_differences, two_group_comparison
from stats_datasets import ROUNDING_METHODS, ROUNDING_TIMES, long_frame, make_panel

pytestmark = [pytest.mark.filterwarnings("error"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


# ======================================================================= survey (one-way)


def test_plant_growth_one_way_tests_match_r(plant_growth):
    res = survey_differences(plant_growth, value="weight")
    anova, welch, kw = res.test("anova_classic"), res.test("anova_welch"), res.test("kruskal_wallis")
    # R: summary(aov(weight ~ group, PlantGrowth)): F(2, 27) = 4.846, p = 0.01591
    assert anova.statistic == pytest.approx(4.846, abs=5e-4) and anova.df == (2.0, 27.0)
    assert anova.p == pytest.approx(0.01591, abs=5e-6)
    # R: oneway.test(weight ~ group, PlantGrowth): F = 5.181, num df = 2, denom df = 17.128, p = 0.01739
    assert welch.statistic == pytest.approx(5.181, abs=5e-4)
    assert welch.df == pytest.approx((2.0, 17.128), abs=5e-4)
    assert welch.p == pytest.approx(0.01739, abs=5e-6)
    # R: kruskal.test(weight ~ group, PlantGrowth): chi-squared = 7.9882, df = 2, p = 0.01842
    assert kw.statistic == pytest.approx(7.9882, abs=5e-5) and kw.df == (2.0,)
    assert kw.p == pytest.approx(0.01842, abs=5e-6)
    # R: car::leveneTest(weight ~ group, PlantGrowth) (center = median): F = 1.1192, p = 0.3412
    levene = next(n for n in res.notes if n.code.startswith("levene"))
    assert levene.code == "levene_equal_var"
    assert levene.detail["statistic"] == pytest.approx(1.1192, abs=5e-5)
    assert levene.detail["p"] == pytest.approx(0.3412, abs=5e-5)
    # Rule: groups of 10 (< 30), not ordinal, Shapiro does not reject, Levene p > 0.05 → classic ANOVA.
    assert res.rule == "levene_equal→anova" and res.primary.test == "anova_classic"
    assert [t.role for t in res.tests] == ["primary", "sensitivity", "sensitivity"]
    assert res.agreement is True and res.ok and res.significant
    assert anova.effect_name == "omega2" and anova.effect == pytest.approx(0.2041, abs=5e-5)
    assert kw.effect_name == "epsilon2" and kw.effect == pytest.approx(7.988229 / 29, rel=1e-6)
    assert anova.n == {"ctrl": 10, "trt1": 10, "trt2": 10}
    # Post-hoc Tukey HSD (R TukeyHSD) and letters (agricolae HSD.test: trt2 a, ctrl ab, trt1 b).
    assert res.pairwise.method == "tukey_hsd"
    np.testing.assert_allclose(res.pairwise.table()["p_adj"], [0.3908711, 0.1979960, 0.0120064], atol=5e-7)
    assert res.letters == {"trt2": "a", "ctrl": "ab", "trt1": "b"}
    m = res.means
    assert m["unit"].tolist() == ["trt2", "ctrl", "trt1"] and m["letters"].tolist() == ["a", "ab", "b"]
    assert m["mean"].tolist() == pytest.approx([5.526, 5.032, 4.661])
    assert welch.pairwise.method == "games_howell" and kw.pairwise.method == "dunn"


def test_airquality_kruskal_wallis_matches_r(ozone):
    # R: kruskal.test(Ozone ~ Month, data = airquality): chi-squared = 29.267, df = 4, p = 6.901e-06
    res = survey_differences(ozone, value="ozone")
    kw = res.test("kruskal_wallis")
    assert kw.statistic == pytest.approx(29.267, abs=5e-4) and kw.df == (4.0,)
    assert kw.p == pytest.approx(6.901e-06, abs=5e-10)
    assert kw.n == {"5": 26, "6": 9, "7": 26, "8": 26, "9": 29}
    # Months of < 30 days with skewed ozone: Shapiro rejects in small groups → ranks lead.
    assert res.rule == "small_groups→kruskal" and res.primary is kw
    assert "normality_rejected" in {n.code for n in res.notes}
    assert res.letters is kw.letters and set(res.letters) == {"5", "6", "7", "8", "9"}
    assert res.means["unit"].iloc[0] in {"7", "8"}  # ordered by mean rank for the rank test


def _normal_groups(sds, n=40, shifts=None, seed=1):
    rng = np.random.default_rng(seed)
    shifts = shifts or [0.0] * len(sds)
    return {f"Huyện {chr(65 + i)}": list(3 + s + rng.normal(0, sd, n)) for i, (sd, s) in enumerate(zip(sds, shifts))}


def test_unequal_variances_choose_welch_and_games_howell():
    res = survey_differences(long_frame(_normal_groups([0.3, 1.0, 2.5], shifts=[0, 0.5, 1.5])))
    assert res.rule == "levene_unequal→welch" and res.primary.test == "anova_welch"
    assert res.pairwise.method == "games_howell"
    assert "normality_clt" in {n.code for n in res.notes}  # every group ≥ 30
    assert res.primary.df[1] < 117  # Welch's denominator df below the classic N − k
    # The effect size beside Welch's F is the classic ω² (SS_between, SS_within), not ω² from Welch's F.
    classic = res.test("anova_classic")
    assert res.primary.effect == classic.effect and res.primary.effect_ci == classic.effect_ci
    assert res.primary.effects["eta2"] == classic.effects["eta2"]
    assert "effect_classic_anova" in {n.code for n in res.primary.notes}


def test_welch_effect_size_is_classic_omega2_as_r(plant_growth):
    welch = survey_differences(plant_growth, value="weight").test("anova_welch")
    # R: oneway.test(weight ~ group): F = 5.181 (the test); the effect size is
    # omega_squared(aov(weight ~ group, PlantGrowth), alternative = "two.sided"): 0.2040788 [0, 0.4339997]
    # (omega_squared(oneway.test(...)) from Welch's F would say 0.29 [0, 0.56]).
    assert welch.statistic == pytest.approx(5.181, abs=5e-4)
    assert welch.effect == pytest.approx(0.2040788, abs=5e-6)
    assert welch.effect_ci == pytest.approx((0.0, 0.4339997), abs=5e-5)
    # R: epsilon_squared(aov(...)): 0.2096408; eta_squared(aov(...)): 0.2641483
    assert welch.effects["epsilon2"] == pytest.approx(0.2096408, abs=5e-6)
    assert welch.effects["eta2"] == pytest.approx(0.2641483, abs=5e-6)


def test_small_likert_groups_choose_kruskal_and_dunn():
    rng = np.random.default_rng(5)
    data = {f"Xã {i}": list(rng.integers(1 + (i == 0), 6, 12)) for i in range(4)}
    res = survey_differences(long_frame(data))
    assert res.rule == "small_groups→kruskal" and res.pairwise.method == "dunn"
    assert "ordinal_few_levels" in {n.code for n in res.notes}
    assert "ties_present" in {n.code for n in res.primary.notes}


def test_forced_primary_and_bad_option(plant_growth):
    res = survey_differences(plant_growth, value="weight", primary="kruskal")
    assert res.primary.test == "kruskal_wallis" and res.rule == "forced→kruskal"
    with pytest.raises(ValueError, match="primary"):
        survey_differences(plant_growth, value="weight", primary="best")


def test_latest_year_missing_values_and_small_units():
    frame = pd.concat([
        long_frame(_normal_groups([1, 1, 1], n=20, seed=3)).assign(year=2024),
        long_frame(_normal_groups([1, 1], n=20, seed=4)).assign(year=2023),
        pd.DataFrame({"unit": ["Huyện Z", "Huyện Z"], "satisfaction": [3.0, 4.0], "year": [2024, 2024]}),
        pd.DataFrame({"unit": ["Huyện A"], "satisfaction": [np.nan], "year": [2024]}),
    ])
    res = survey_differences(frame)
    notes = {n.code: n.detail for n in res.notes}
    assert notes["latest_year_used"] == {"year": 2024}
    assert notes["missing_values_dropped"] == {"n": 1}
    assert notes["groups_dropped_small"] == {"n_groups": 1, "min_n": 3, "units": "Huyện Z"}
    assert res.primary.n == {"Huyện A": 20, "Huyện B": 20, "Huyện C": 20}
    z = res.means.set_index("unit").loc["Huyện Z"]
    assert not z["tested"] and pd.isna(z["letters"]) and z["n"] == 2


def test_zero_variance_group_blocks_welch():
    data = _normal_groups([1.0, 1.0], n=35)
    data["Huyện Đều"] = [5.0] * 35
    res = survey_differences(long_frame(data))
    welch = res.test("anova_welch")
    assert not welch.ok and welch.reason_code == "zero_variance_group" and math.isnan(welch.p)
    assert res.primary.test in {"anova_classic", "kruskal_wallis"} and res.primary.ok
    assert "zero_variance_group" in {n.code for n in res.notes}


@pytest.mark.parametrize(
    "frame,reason",
    [
        (long_frame({"Huyện A": [3, 4, 5, 4]}), "too_few_units"),
        (long_frame({"Huyện A": [4, 4, 4], "Huyện B": [4, 4, 4, 4]}), "constant_data"),
        (long_frame({"Huyện A": [1, 2], "Huyện B": [3, 4]}), "too_few_respondents"),
        (long_frame({"Huyện A": [np.nan, np.nan]}), "no_data"),
        (long_frame({}), "no_data"),
    ],
)
def test_survey_cannot_test(frame, reason, capsys):
    res = survey_differences(frame)
    assert not res.ok and res.reason_code == reason and res.agreement is None
    assert all(not t.ok and math.isnan(t.p) and not t.significant for t in res.tests)
    assert res.primary.reason and res.pairwise is None and res.letters is None
    assert capsys.readouterr().out == ""


def test_all_ties_within_groups_gives_reasons():
    res = survey_differences(long_frame({"Huyện A": [2, 2, 2], "Huyện B": [4, 4, 4], "Huyện C": [5, 5, 5]}))
    assert res.test("anova_classic").reason_code == "zero_within_variance"
    assert res.test("anova_welch").reason_code == "zero_within_variance"
    assert res.test("kruskal_wallis").ok  # ranks still separate the units
    assert res.primary.test == "kruskal_wallis"


def test_two_units_work(plant_growth):
    two = plant_growth[plant_growth["unit"] != "trt2"]
    res = survey_differences(two, value="weight")
    assert res.ok and len(res.pairwise.table()) == 1 and res.primary.df == (1.0, 18.0)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_survey_invariant_to_row_order_and_names(seed):
    rng = np.random.default_rng(seed)
    data = {f"Huyện {i}": list(rng.integers(1, 6, 12 + i)) for i in range(4)}
    frame = long_frame(data)
    base = survey_differences(frame)
    names = {u: f"Xã {k}" for u, k in zip(data, rng.permutation(4))}
    other = survey_differences(frame.iloc[rng.permutation(len(frame))].assign(unit=lambda f: f["unit"].map(names)))
    for a, b in zip(base.tests, other.tests):
        assert (a.test, a.role) == (b.test, b.role)
        assert a.statistic == pytest.approx(b.statistic, rel=1e-12, nan_ok=True)
        assert a.p == pytest.approx(b.p, rel=1e-12, nan_ok=True)
    inv = {v: k for k, v in names.items()}
    assert {inv[u]: ls for u, ls in (other.letters or {}).items()} == (base.letters or {})


# ======================================================================= panel (two-way)


def test_friedman_rounding_times_matches_r(rounding_panel):
    # R ?friedman.test, RoundingTimes (Hollander & Wolfe): Friedman chi-squared = 11.143, df = 2,
    # p-value = 0.003805.
    res = panel_differences(rounding_panel)
    fr = res.test("friedman")
    assert fr.ok and fr.statistic == pytest.approx(11.143, abs=5e-4) and fr.df == (2.0,)
    assert fr.p == pytest.approx(0.003805, abs=5e-7)
    assert fr.effect_name == "kendall_w" and fr.effect == pytest.approx(11.142857 / 44, rel=1e-6)
    # A described check, not a confirmation: it treats the blocks (years) as independent too.
    assert fr.role == "check" and fr.n == dict.fromkeys(ROUNDING_METHODS, 22)
    assert res.agreement is None and res.sensitivity == () and res.checks == (fr,)


def _two_way_by_hand(mat: np.ndarray) -> dict:
    """Additive two-way ANOVA without replication by the textbook sums of squares (rows = blocks)."""
    b, k = mat.shape
    grand = mat.mean()
    ss_col = b * np.sum((mat.mean(axis=0) - grand) ** 2)
    ss_row = k * np.sum((mat.mean(axis=1) - grand) ** 2)
    ss_res = np.sum((mat - grand) ** 2) - ss_col - ss_row
    df_res = (b - 1) * (k - 1)
    f_col = (ss_col / (k - 1)) / (ss_res / df_res)
    return {"f": f_col, "p": stats.f.sf(f_col, k - 1, df_res), "df_res": df_res, "mse": ss_res / df_res,
            "peta": ss_col / (ss_col + ss_res), "f_row": (ss_row / (b - 1)) / (ss_res / df_res)}


def test_panel_gls_matches_nlme_at_the_cautious_rho(rounding_panel):
    res = panel_differences(rounding_panel)
    unit = res.primary
    # R: m <- gls(total ~ unit + fy, data = d, correlation = corAR1(form = ~ year | unit), method = "REML")
    #    coef(m$modelStruct$corStruct, unconstrained = FALSE): Phi = -0.06832648755
    assert res.serial["rho"] == pytest.approx(-0.06832648755, abs=2e-6)
    # The test uses the cautious ρ (REML's shortfall + 1 SD from 99 seeded simulations, ≥ 0):
    rho_used = res.serial["rho_used"]
    assert rho_used == pytest.approx(0.07049970467587764, rel=1e-5) and rho_used > res.serial["rho"]
    # R: m2 <- gls(total ~ unit + fy, data = d, method = "REML",
    #              correlation = corAR1(value = 0.07049970467587764, form = ~ year | unit, fixed = TRUE))
    #    anova(m2, type = "marginal"): unit F = 5.26534 on 2 and 42 df, p = 0.0091; fy F = 26.65572
    assert unit.test == "panel_gls_unit" and unit.df == (2.0, 42.0)
    assert unit.statistic == pytest.approx(5.26534, abs=5e-6) and unit.p == pytest.approx(0.0091, abs=5e-5)
    assert res.secondary[0].test == "panel_gls_year"
    assert res.secondary[0].statistic == pytest.approx(26.65572, abs=5e-6)
    assert unit.effect_name == "partial_eta2" and unit.effect == pytest.approx(2 * 5.26534 / (2 * 5.26534 + 42),
                                                                              rel=1e-5)
    assert res.scale == "raw" and res.rule == "gls_ar1"
    # R: emmeans(m2, ~ unit): SE 0.0199 each; pairs(e, adjust = "none"): Narrow Angle − Round Out
    #    −0.00869 (SE 0.0282), Narrow Angle − Wide Angle 0.07449, Round Out − Wide Angle 0.08317
    m = res.means.set_index("unit")
    np.testing.assert_allclose(m["se"], 0.0199, atol=5e-5)
    pw = res.pairwise
    assert pw.pair("Narrow Angle", "Round Out")["diff"] == pytest.approx(0.00869, abs=5e-6)
    assert pw.pair("Narrow Angle", "Wide Angle")["diff"] == pytest.approx(-0.07449, abs=5e-6)
    np.testing.assert_allclose(pw.table()["se"], 0.0282, atol=5e-5)
    # p on nlme's 42 residual df (emmeans' 41 gives 0.0116 and 0.0052 for the last two).
    p_raw = 2 * stats.t.sf(np.abs(pw.table()["diff"] / pw.table()["se"]), 42)
    np.testing.assert_allclose(pw.table()["p"], p_raw, rtol=1e-10)
    np.testing.assert_allclose(pw.table()["p_adj"], multipletests(p_raw, method="holm")[1], rtol=1e-8)
    assert pw.ci_method == "bonferroni" and pw.estimate == "ls_mean"


def test_primary_only_is_the_full_results_unit_test_alone(rounding_panel):
    # What the sensitivity table refits: the same F, df, p and η² as the full result (the R values
    # of the test above), without its interval, pairwise contrasts, letters, Friedman or year test.
    full = panel_differences(rounding_panel)
    lean = panel_differences(rounding_panel, primary_only=True)
    assert [t.test for t in lean.tests] == ["panel_gls_unit"]
    a, b = full.primary, lean.primary
    assert (b.statistic, b.df, b.p, b.effect, b.significant) == (a.statistic, a.df, a.p, a.effect, a.significant)
    assert b.statistic == pytest.approx(5.26534, abs=5e-6)  # nlme, as above
    assert a.effect_ci is not None and b.effect_ci is None and b.pairwise is None and lean.letters is None
    assert lean.serial == full.serial
    pd.testing.assert_frame_equal(lean.means.drop(columns="letters"), full.means.drop(columns="letters"))
    # a refit that cannot be tested says why, as the full one does
    one_year = rounding_panel[rounding_panel["year"] == rounding_panel["year"].min()]
    assert panel_differences(one_year, primary_only=True).primary.reason_code == "too_few_years"


def test_tukey_contrasts_use_the_studentized_range_on_the_model_se(rounding_panel):
    pw = panel_differences(rounding_panel, adjust="tukey").pairwise
    t = pw.table()
    q = np.abs(t["diff"]) / t["se"] * math.sqrt(2)
    np.testing.assert_allclose(t["p_adj"], [studentized_range.sf(x, 3, 42) for x in q], atol=1e-10)
    half = studentized_range.ppf(0.95, 3, 42) / math.sqrt(2) * t["se"]
    np.testing.assert_allclose(t["ci_high"] - t["diff"], half, atol=1e-10)
    assert pw.method == "tukey_contrast" and pw.ci_method == "tukey"


def test_panel_across_a_method_break_compares_standing():
    panel = make_panel(n_units=6, effects={0: 4.0}, seed=3)
    # The method changes in 2022: every unit's score and spread jump.
    late = panel["year"] >= 2022
    panel.loc[late, "total"] = 40 + (panel.loc[late, "total"] - 75) * 3
    res = panel_differences(panel, breaks=[2021.5])
    assert res.scale == "z_within_year" and "scale_z_within_year" in {n.code for n in res.notes}
    assert panel_differences(panel).scale == "raw"
    assert panel_differences(panel, breaks=[2021.5], scale="raw").scale == "raw"
    assert res.ok and res.means["unit"].iloc[0] == "Huyện A"


def test_panel_finds_unit_differences():
    panel = make_panel(n_units=6, effects={0: 8.0, 5: -8.0}, seed=2)
    res = panel_differences(panel)
    assert res.ok and res.significant and res.agreement is None
    letters = res.letters
    assert letters["Huyện A"] not in letters["Huyện C"] and letters["Huyện F"] not in letters["Huyện C"]
    assert res.means["unit"].iloc[0] == "Huyện A" and res.means["unit"].iloc[-1] == "Huyện F"
    ac = res.pairwise.pair("Huyện A", "Huyện C")
    assert ac["reject"] and ac["diff"] < -5
    # rejected_with: one unit against every other, the same answer as pair() row by row
    units = sorted(res.means["unit"])
    for who in ("Huyện A", "Huyện F"):
        got = res.pairwise.rejected_with(who)
        assert set(got) == set(units) - {who}
        assert got == {o: bool(res.pairwise.pair(who, o)["reject"]) for o in units if o != who}


def test_unbalanced_panel_notes_and_friedman_drops():
    panel = make_panel(n_units=6, effects={0: 5.0}, seed=4)
    panel = panel[~((panel["unit"] == "Huyện F") & (panel["year"] <= 2019))]
    res = panel_differences(panel)
    notes = {n.code: n.detail for n in res.notes}
    assert notes["unbalanced_panel"] == {"n_missing": 2}
    fr_notes = {n.code: n.detail for n in res.test("friedman").notes}
    assert fr_notes["incomplete_panel_dropped"] == {"units_dropped": 1, "years_dropped": 0, "n_units": 5,
                                                    "n_years": 7}
    assert res.primary.n["Huyện F"] == 5 and res.primary.df == (5.0, 28.0)  # 40 scores − (6 + 7 − 1) parameters


@pytest.mark.parametrize(
    "mutate,reason",
    [
        (lambda p: p[p["unit"] == "Huyện A"], "too_few_units"),
        (lambda p: p[p["year"] == 2024], "too_few_years"),
        (lambda p: p.assign(total=77.0), "constant_data"),
        (lambda p: p.assign(total=np.nan), "no_data"),
        (lambda p: pd.concat([p, p.iloc[:1]]), "duplicate_unit_year"),
        (lambda p: p.assign(total=70 + p["year"] - 2018 + p["unit"].str[-1].map(ord)), "no_residual_variance"),
    ],
)
def test_panel_cannot_test(mutate, reason, capsys):
    res = panel_differences(mutate(make_panel(n_units=4)))
    assert not res.ok and res.primary.reason_code == reason
    assert math.isnan(res.primary.p) and res.pairwise is None and res.letters is None
    assert capsys.readouterr().out == ""


def test_two_units_panel_friedman_needs_three():
    res = panel_differences(make_panel(n_units=2, effects={0: 3.0}))
    assert res.ok and res.test("friedman").reason_code == "too_few_units"
    assert res.test("friedman").reason == "only 2 units have data; at least 3 are needed"
    assert res.agreement is None


def test_panel_component_and_bad_adjust():
    panel = make_panel(n_units=4, effects={1: 4.0}).assign(cp_so=lambda f: f["total"] / 11)
    res = panel_differences(panel, value="cp_so")
    assert res.value == "cp_so" and res.ok
    with pytest.raises(ValueError, match="adjust"):
        panel_differences(panel, adjust="scheffe")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_panel_invariant_to_row_order_and_names(seed):
    rng = np.random.default_rng(seed)
    panel = make_panel(n_units=5, effects={1: 3.0}, seed=seed)
    panel = panel.drop(index=rng.choice(len(panel), 3, replace=False))  # unbalanced too
    base = panel_differences(panel)
    names = {u: f"Sở {k}" for u, k in zip(sorted(panel["unit"].unique()), rng.permutation(5))}
    other = panel_differences(panel.iloc[rng.permutation(len(panel))].assign(unit=lambda f: f["unit"].map(names)))
    for a, b in zip(base.tests, other.tests):
        assert a.test == b.test
        assert a.statistic == pytest.approx(b.statistic, rel=1e-4, nan_ok=True)
        assert a.p == pytest.approx(b.p, rel=1e-4, abs=1e-12, nan_ok=True)
    inv = {v: k for k, v in names.items()}
    assert {inv[u]: ls for u, ls in other.letters.items()} == base.letters


# ======================================================================= two groups


def test_two_groups_plant_growth_matches_r(plant_growth):
    frame = plant_growth[plant_growth["unit"] != "trt2"]
    res = two_group_comparison(frame, value="weight", group_col="unit")
    welch, mw = res.primary, res.test("mann_whitney")
    # R: t.test(weight ~ group) for ctrl vs trt1: t = 1.1913, df = 16.524, p-value = 0.2504
    # (ours is trt1 − ctrl, so t has the opposite sign).
    assert welch.statistic == pytest.approx(-1.1913, abs=5e-5)
    assert welch.df == pytest.approx((16.524,), abs=5e-4) and welch.p == pytest.approx(0.2504, abs=5e-5)
    row = res.pairwise.table().iloc[0]
    assert (row["group1"], row["group2"]) == ("ctrl", "trt1") and row["diff"] == pytest.approx(-0.371)
    half = stats.t.ppf(0.975, welch.df[0]) * abs(row["diff"] / welch.statistic)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-0.371 - half, -0.371 + half), rel=1e-9)
    # R: wilcox.test(weight ~ group): W = 67.5, p-value = 0.1986 (normal approximation, ties).
    assert mw.statistic == pytest.approx(100 - 67.5) and mw.p == pytest.approx(0.1986, abs=5e-5)
    assert mw.effect == pytest.approx(-0.35)
    # Welch's t decides → unpooled SD. R: hedges_g(trt1, ctrl, pooled_sd = FALSE): -0.5081317 [-1.35432, 0.3526992]
    assert welch.effect_name == "hedges_g" and welch.effect == pytest.approx(-0.5081317, abs=5e-6)
    assert welch.effect_ci == pytest.approx((-1.35432, 0.3526992), abs=5e-5)
    assert res.letters == {"ctrl": "a", "trt1": "a"} and res.agreement is True and not res.significant


def test_two_groups_order_and_significance(plant_growth):
    frame = plant_growth[plant_growth["unit"] != "ctrl"]
    res = two_group_comparison(frame, value="weight", group_col="unit", groups=("trt2", "trt1"))
    # R: t.test(trt1, trt2) Welch: t = -3.0101, df = 14.104, p-value = 0.009298
    assert res.primary.statistic == pytest.approx(-3.0101, abs=5e-5) and res.primary.p == pytest.approx(
        0.009298, abs=5e-7)
    assert res.significant and res.letters == {"trt2": "a", "trt1": "b"}


@pytest.mark.parametrize(
    "frame,reason",
    [
        (pd.DataFrame({"unit_type": ["district"] * 4, "total": [1.0, 2, 3, 4]}), "not_two_groups"),
        (pd.DataFrame({"unit_type": ["district"] * 3 + ["department"], "total": [1.0, 2, 3, 4]}), "too_few_units"),
        (pd.DataFrame({"unit_type": ["district", "department"] * 2, "total": [5.0] * 4}), "constant_data"),
        (pd.DataFrame({"unit_type": ["a", "b", "c"] * 2, "total": [1.0, 2, 3, 4, 5, 6]}), "not_two_groups"),
    ],
)
def test_two_groups_cannot_test(frame, reason):
    res = two_group_comparison(frame)
    assert not res.ok and res.reason_code == reason and all(not t.ok for t in res.tests)


def test_two_groups_zero_within_variance():
    frame = pd.DataFrame({"unit_type": ["district"] * 3 + ["department"] * 3, "total": [80.0] * 3 + [85.0] * 3})
    res = two_group_comparison(frame)
    assert res.primary.reason_code == "zero_within_variance" and res.test("mann_whitney").ok


def test_no_letters_beyond_forty_units_but_every_pair_kept():
    # 45 communes, 30 respondents each, five clearly lower: letters over 45 units are not read (the
    # brief charts such a list by its ends without them), so none is made; the pairs all remain.
    rng = np.random.default_rng(3)
    units = [f"Xã {i:02d}" for i in range(45)]
    frame = pd.DataFrame({
        "unit": np.repeat(units, 30),
        "satisfaction": np.concatenate([rng.normal(2.5 if i < 5 else 4.0, 0.6, 30) for i in range(45)]),
    })
    res = survey_differences(frame)
    assert res.ok and res.significant
    assert res.letters is None and res.means["letters"].isna().all()
    assert len(res.pairwise.frame) == 45 * 44 // 2 and res.pairwise.frame["ci_low"].notna().all()
    few = survey_differences(frame[frame["unit"].isin(units[:40])])
    assert few.letters is not None and set(few.letters) == set(units[:40])


def test_every_list_the_brief_shows_whole_gets_its_letters():
    # the brief draws a list of up to FULL_LIST_MAX units whole, with letters; letters stop at
    # LETTERS_MAX_UNITS: the second must not be the smaller, or whole lists would lose their letters
    from parbrief.report.rows import FULL_LIST_MAX
    from parbrief.stats.differences import LETTERS_MAX_UNITS

    assert LETTERS_MAX_UNITS >= FULL_LIST_MAX
