"""Differences between units: panel of yearly scores, respondent survey, two groups of units.

Each function returns a :class:`DifferenceResult`: a primary test, sensitivity checks that ask
the same question another way (agreement is flagged), post-hoc pairwise tables with compact
letter displays, a table of group means and assumption notes. Data that cannot support a test
(too few units, years or respondents, constant values) give ``ok=False`` with a reason code,
never an exception or a misleading number; library warnings are silenced and kept as notes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.oneway import anova_oneway

from parbrief.stats import effsize
from parbrief.stats._frames import numeric, require_columns, require_one_province
from parbrief.stats._results import Note, Pairwise, StatTest, cannot_test, capture_warnings
from parbrief.stats.letters import compact_letters
from parbrief.stats.panel_gls import DIFF_CAUTION, PanelFit, _design, fit_panel, panel_arrays, t_p, within_year_z
from parbrief.stats.serial import MIN_POOL_PANELS, POOL_CAUTION, PooledRho, ar1_structure, pooled_rho
from parbrief.stats._srange import ptukey_sf, qtukey
from parbrief.stats.permutation import SMALL_GROUP_N, kruskal_permutation_p
from parbrief.stats.posthoc import dunn, p_adjust, tukey_hsd
from parbrief.text.collation import vietnamese_sort_key

__all__ = [
    "NORMALITY_MAX_N",
    "DifferenceResult",
    "panel_differences",
    "panel_pool",
    "survey_differences",
    "two_group_comparison",
]

#: Groups at least this large are not checked for normality: their means are close to normal
#: by the central limit theorem, and Shapiro-Wilk rejects trivial departures at large n.
NORMALITY_MAX_N = 30
#: A scale with at most this many distinct values is treated as ordinal (Likert 1–5, 1–7).
ORDINAL_MAX_LEVELS = 7


@dataclass(frozen=True)
class DifferenceResult:
    """Result of a comparison of units (``kind``: ``panel``, ``survey`` or ``two_group``).

    ``tests`` holds every test, the primary first (``StatTest.role``: primary / sensitivity /
    secondary). ``rule`` is the code of the rule that chose the primary test. ``agreement`` is
    True when every test that ran (primary and sensitivity) reaches the same significance
    decision at ``alpha``, None when fewer than two ran. ``means``: one row per unit/group (see
    each function). ``ok`` is the primary test's ``ok``.
    """

    kind: str
    value: str
    alpha: float
    tests: tuple[StatTest, ...]
    means: pd.DataFrame
    rule: str
    agreement: bool | None
    notes: tuple[Note, ...] = ()
    #: The scale the units were compared on (panel: ``raw`` or ``z_within_year``; others ``raw``).
    scale: str = "raw"
    #: Serial-correlation figures of a panel model: ``rho`` (REML), ``rho_used``, ``n_boot``.
    serial: Mapping[str, float] = field(default_factory=dict)

    @property
    def primary(self) -> StatTest:
        """The primary test (always present; it may say it could not be run)."""
        return next(t for t in self.tests if t.role == "primary")

    @property
    def sensitivity(self) -> tuple[StatTest, ...]:
        """Tests of the same question by other methods."""
        return tuple(t for t in self.tests if t.role == "sensitivity")

    @property
    def checks(self) -> tuple[StatTest, ...]:
        """Described checks that do not confirm the primary (the panel's Friedman test)."""
        return tuple(t for t in self.tests if t.role == "check")

    @property
    def secondary(self) -> tuple[StatTest, ...]:
        """Other questions answered by the same model (the panel's year effect)."""
        return tuple(t for t in self.tests if t.role == "secondary")

    @property
    def ok(self) -> bool:
        """Whether the primary test could be run."""
        return self.primary.ok

    @property
    def significant(self) -> bool:
        """The primary test's decision at ``alpha``."""
        return self.primary.significant

    @property
    def reason_code(self) -> str | None:
        """Why the primary test could not be run (None when it ran)."""
        return self.primary.reason_code

    @property
    def reason(self) -> str | None:
        """English text of :attr:`reason_code`."""
        return self.primary.reason

    @property
    def pairwise(self) -> Pairwise | None:
        """The primary test's post-hoc table (None when it could not be run)."""
        return self.primary.pairwise

    @property
    def letters(self) -> Mapping[str, str] | None:
        """The primary post-hoc's compact letter display (unit → letters)."""
        return self.primary.letters

    def test(self, code: str) -> StatTest:
        """The test with this code (``KeyError`` when absent)."""
        for t in self.tests:
            if t.test == code:
                return t
        raise KeyError(f"no test {code!r} (tests: {', '.join(t.test for t in self.tests)})")

    def table(self) -> pd.DataFrame:
        """One row per test (see :meth:`StatTest.summary`)."""
        return pd.DataFrame([t.summary() for t in self.tests])

    to_frame = table


# --------------------------------------------------------------------------- helpers


def _order_by(estimates: Mapping[str, float]) -> list[str]:
    """Groups by descending estimate, ties in Vietnamese alphabetical order."""
    return sorted(estimates, key=lambda g: (-estimates[g] if np.isfinite(estimates[g]) else math.inf,
                                            vietnamese_sort_key(g)))


#: Units beyond which no compact letter display is made: letters over more units are not read
#: (a unit of 170 communes gets "jlmvx"), the brief charts such a list by its ends without them, and
#: the letters' cost grows with the square of the units (2.3 s of a 167-commune brief measured).
#: The pairwise table keeps every comparison.
LETTERS_MAX_UNITS = 40


def _letters(pw: Pairwise | None, estimates: Mapping[str, float]) -> dict[str, str] | None:
    if pw is None or len(estimates) > LETTERS_MAX_UNITS:
        return None
    return compact_letters(_order_by(estimates), pw.significant_pairs())


def _agreement(tests: Sequence[StatTest]) -> tuple[bool | None, list[Note]]:
    ran = [t for t in tests if t.ok and t.role in ("primary", "sensitivity")]
    if len(ran) < 2:
        return None, []
    sig = [t.test for t in ran if t.significant]
    nsig = [t.test for t in ran if not t.significant]
    if sig and nsig:
        return False, [Note("tests_disagree", {"significant": ", ".join(sig), "not_significant": ", ".join(nsig)})]
    return True, [Note("tests_agree")]


def _all_cannot(
    kind: str, value: str, alpha: float, specs: Sequence[tuple[str, str, str, str | None, str]], means: pd.DataFrame,
    reason: str, notes: Sequence[Note], rule: str, n: Mapping[str, int] | None = None, **detail: Any,
) -> DifferenceResult:
    tests = tuple(
        cannot_test(code, name, reason, alpha=alpha, statistic_name=stat, effect_name=eff, n=n, role=role,
                    notes=tuple(notes), **detail)
        for code, name, stat, eff, role in specs
    )
    return DifferenceResult(kind=kind, value=value, alpha=alpha, tests=tests, means=means, rule=rule,
                            agreement=None, notes=tuple(notes))


def _group_means(v: np.ndarray, g: np.ndarray, alpha: float) -> pd.DataFrame:
    frame = pd.DataFrame({"unit": g, "v": v})
    ranks = stats.rankdata(v) if len(v) else np.array([])
    frame["r"] = ranks
    rows = []
    for unit, sub in frame.groupby("unit", sort=False):
        x = sub["v"].to_numpy()
        n = len(x)
        mean = float(x.mean())
        sd = float(x.std(ddof=1)) if n > 1 else math.nan
        se = sd / math.sqrt(n) if n > 1 else math.nan
        h = float(stats.t.ppf(1 - alpha / 2, n - 1)) * se if n > 1 else math.nan
        rows.append({"unit": unit, "n": n, "mean": mean, "sd": sd, "se": se, "ci_low": mean - h,
                     "ci_high": mean + h, "median": float(np.median(x)), "mean_rank": float(sub["r"].mean())})
    cols = ["unit", "n", "mean", "sd", "se", "ci_low", "ci_high", "median", "mean_rank"]
    return pd.DataFrame(rows, columns=cols)


def _sort_means(means: pd.DataFrame, by: str) -> pd.DataFrame:
    if means.empty:
        return means.reset_index(drop=True)
    key = means.apply(lambda r: (-r[by] if np.isfinite(r[by]) else math.inf, vietnamese_sort_key(r["unit"])), axis=1)
    out = means.iloc[sorted(range(len(means)), key=lambda i: key.iloc[i])].reset_index(drop=True)
    out["unit"] = out["unit"].astype("str")
    return out


# --------------------------------------------------------------------------- survey

_SURVEY_SPECS = (
    ("anova_classic", "One-way ANOVA", "F", "omega2", "primary"),
    ("anova_welch", "Welch's ANOVA", "F", "omega2", "sensitivity"),
    ("kruskal_wallis", "Kruskal-Wallis test", "H", "epsilon2", "sensitivity"),
)


def survey_differences(
    survey: pd.DataFrame,
    value: str = "satisfaction",
    alpha: float = 0.05,
    *,
    year: int | None = None,
    min_n: int = 3,
    primary: str = "auto",
    unit_col: str = "unit",
) -> DifferenceResult:
    """Do units differ in respondents' ``value`` (satisfaction 1–5 by default)? One-way designs.

    Data: one row per respondent; ``year=None`` uses the latest year when several are present
    (note ``latest_year_used``). Missing values are dropped; units with fewer than ``min_n``
    respondents are left out (note). Needs ≥ 2 units and non-constant values.

    Tests (all are always reported):

    * classic one-way ANOVA (statsmodels ``anova_oneway(use_var="equal")``; normal errors, equal
      variances) with Tukey HSD post-hoc and ω² (also η², ε² in ``effects``); CI two-sided
      (1 − alpha), R ``effectsize::omega_squared(alternative = "two.sided")``;
    * Welch's ANOVA (``use_var="unequal"``; no equal-variance assumption) with Games-Howell
      post-hoc; not computable when a unit's values are all identical. Its effect size is the
      classic ω² (SS_between, SS_within; note ``effect_classic_anova``), not ω² from Welch's F,
      which overstates the between-unit share of variance 2-3 times;
    * Kruskal-Wallis (scipy; ranks, tie-corrected) with Dunn-Holm post-hoc and ε² = H/(N − 1)
      (R ``effectsize::rank_epsilon_squared``); when a unit has fewer than 5 respondents the p is
      a permutation p (exact, or Monte Carlo with a fixed seed; note ``kw_exact_p`` /
      ``kw_permutation_p``; see :mod:`parbrief.stats.permutation`), else the χ² p.

    Assumption checks: Levene's test with median centring (Brown-Forsythe; robust to
    non-normality); Shapiro-Wilk per unit only for units with fewer than
    :data:`NORMALITY_MAX_N` respondents — larger units are covered by the central limit theorem
    (means are near-normal) and Shapiro-Wilk would flag trivial departures, so a note says so.

    Rule for the primary test (``primary="auto"``; or force ``"anova"``, ``"welch"``,
    ``"kruskal"``), applied in this order:

    1. ``small_groups→kruskal``: some unit has fewer than 30 respondents **and** the
       values are ordinal with few levels (≤ 7 distinct, e.g. Likert 1–5) or Shapiro-Wilk
       rejects normality in a small unit — means of a few discrete ratings are not near-normal,
       so the rank test leads;
    2. ``zero_variance→kruskal``: unequal variances are indicated (Levene p < alpha, or not
       computable) but a unit's values are all identical, so Welch/Games-Howell are undefined;
    3. ``levene_unequal→welch``: Levene p < alpha → Welch's ANOVA + Games-Howell;
    4. ``levene_equal→anova``: otherwise classic ANOVA + Tukey HSD.

    The other two tests are sensitivity checks; ``agreement`` flags whether all three reach the
    same decision. ``means`` columns: ``unit, n, mean, sd, se, ci_low, ci_high`` (t-interval),
    ``median, mean_rank, tested`` (False for units left out), ``letters`` (primary post-hoc).
    """
    if primary not in ("auto", "anova", "welch", "kruskal"):
        raise ValueError(f"primary must be auto, anova, welch or kruskal, got {primary!r}")
    require_columns(survey, [unit_col, value], "survey")
    require_one_province(survey, "survey")
    notes: list[Note] = []
    frame = survey
    if "year" in frame.columns:
        years = sorted(int(y) for y in pd.unique(frame["year"].dropna()))
        if year is None and len(years) > 1:
            year = years[-1]
            notes.append(Note("latest_year_used", {"year": year}))
        if year is not None:
            frame = frame.loc[frame["year"] == year]
    v_all = numeric(frame, value).to_numpy()
    g_all = frame[unit_col].astype(str).to_numpy()
    keep = np.isfinite(v_all)
    if (~keep).sum():
        notes.append(Note("missing_values_dropped", {"n": int((~keep).sum())}))
    v_all, g_all = v_all[keep], g_all[keep]
    counts = pd.Series(g_all).value_counts()
    small = sorted((u for u, c in counts.items() if c < min_n), key=vietnamese_sort_key)
    if small:
        notes.append(Note("groups_dropped_small", {"n_groups": len(small), "min_n": min_n, "units": ", ".join(small)}))
    tested = ~np.isin(g_all, small)
    v, g = v_all[tested], g_all[tested]
    means = _group_means(v_all, g_all, alpha)
    means["tested"] = ~means["unit"].isin(small)
    labels = sorted(pd.unique(g))
    n_by = {u: int((g == u).sum()) for u in labels}

    def cannot(reason: str, **detail: Any) -> DifferenceResult:
        m = _sort_means(means, "mean")
        m["letters"] = pd.array([None] * len(m), dtype="str")
        return _all_cannot("survey", value, alpha, _SURVEY_SPECS, m, reason, notes, "none", n=n_by, **detail)

    if len(v_all) == 0:
        return cannot("no_data")
    if len(labels) < 2:
        if len(counts) >= 2:
            return cannot("too_few_respondents", min_n=min_n, n_units=len(labels))
        return cannot("too_few_units", n_units=len(labels), min_units=2)
    if np.ptp(v) == 0:
        return cannot("constant_data")

    groups = [v[g == u] for u in labels]
    variances = np.array([x.var(ddof=1) if len(x) > 1 else np.nan for x in groups])
    zero_var = [u for u, s2 in zip(labels, variances) if s2 == 0 or not np.isfinite(s2)]
    if zero_var:
        notes.append(Note("zero_variance_group", {"n_groups": len(zero_var), "units": ", ".join(zero_var)}))
    all_zero = len(zero_var) == len(labels)

    # Assumption checks.
    check_notes: list[Note] = []
    with capture_warnings(check_notes):
        lev = stats.levene(*groups, center="median") if not all_zero else None
    levene_p = float(lev.pvalue) if lev is not None and np.isfinite(lev.pvalue) else math.nan
    if np.isfinite(levene_p):
        code = "levene_unequal_var" if levene_p < alpha else "levene_equal_var"
        notes.append(Note(code, {"p": levene_p, "statistic": float(lev.statistic)}))
    else:
        notes.append(Note("levene_not_available"))
    small_groups = [(u, x) for u, x in zip(labels, groups) if len(x) < NORMALITY_MAX_N]
    n_rejected = n_tested = 0
    with capture_warnings(check_notes):
        for u, x in small_groups:
            if len(x) >= 3 and np.ptp(x) > 0:
                n_tested += 1
                n_rejected += int(stats.shapiro(x).pvalue < alpha)
    if n_tested:
        notes.append(Note("normality_rejected" if n_rejected else "normality_ok",
                          {"n_rejected": n_rejected, "n_tested": n_tested}))
    if not small_groups:
        notes.append(Note("normality_clt", {"min_n": int(min(n_by.values()))}))
    n_levels = int(len(np.unique(v)))
    ordinal = n_levels <= ORDINAL_MAX_LEVELS
    if ordinal:
        notes.append(Note("ordinal_few_levels", {"n_levels": n_levels}))
    notes.extend(check_notes)

    if primary == "auto":
        if small_groups and (ordinal or n_rejected):
            rule, chosen = "small_groups→kruskal", "kruskal_wallis"
        elif not (levene_p >= alpha) and zero_var:
            rule, chosen = "zero_variance→kruskal", "kruskal_wallis"
        elif levene_p < alpha:
            rule, chosen = "levene_unequal→welch", "anova_welch"
        else:
            rule, chosen = "levene_equal→anova", "anova_classic"
    else:
        chosen = {"anova": "anova_classic", "welch": "anova_welch", "kruskal": "kruskal_wallis"}[primary]
        rule = f"forced→{primary}"
    notes.append(Note("primary_rule", {"rule": rule, "primary": chosen}))

    mean_of = {u: float(x.mean()) for u, x in zip(labels, groups)}
    tests = [
        _oneway_anova(v, g, labels, n_by, alpha, "equal", all_zero, zero_var, mean_of),
        _oneway_anova(v, g, labels, n_by, alpha, "unequal", all_zero, zero_var, mean_of),
        _kruskal(v, g, labels, groups, n_by, alpha),
    ]
    tests = [t.with_role("primary" if t.test == chosen else "sensitivity") for t in tests]
    tests.sort(key=lambda t: t.role != "primary")
    agreement, agree_notes = _agreement(tests)
    notes.extend(agree_notes)
    prim = next(t for t in tests if t.role == "primary")
    m = _sort_means(means, "mean_rank" if prim.test == "kruskal_wallis" and prim.ok else "mean")
    m["letters"] = pd.array([(prim.letters or {}).get(u) for u in m["unit"]], dtype="str")
    return DifferenceResult(kind="survey", value=value, alpha=alpha, tests=tuple(tests), means=m, rule=rule,
                            agreement=agreement, notes=tuple(notes))


def _oneway_anova(v, g, labels, n_by, alpha, use_var, all_zero, zero_var, mean_of) -> StatTest:
    code, name = ("anova_classic", "One-way ANOVA") if use_var == "equal" else ("anova_welch", "Welch's ANOVA")
    if all_zero:
        return cannot_test(code, name, "zero_within_variance", alpha=alpha, statistic_name="F", effect_name="omega2",
                           n=n_by)
    if use_var == "unequal" and zero_var:
        return cannot_test(code, name, "zero_variance_group", alpha=alpha, statistic_name="F", effect_name="omega2",
                           n=n_by, units=", ".join(zero_var))
    notes: list[Note] = []
    with capture_warnings(notes):
        res = anova_oneway(v, g, use_var=use_var)
        f, p = float(res.statistic), float(res.pvalue)
        df1, df2 = float(res.df[0]), float(res.df[1])
        # The effect size is always the classic decomposition (SS_between, SS_within): ω² from
        # Welch's F overstates the between-unit share of variance 2-3 times. Welch's F/p is the test.
        classic = res if use_var == "equal" else anova_oneway(v, g, use_var="equal")
        fc, dc1, dc2 = float(classic.statistic), float(classic.df[0]), float(classic.df[1])
        raw = effsize.omega_squared(fc, dc1, dc2)
        ci = effsize.omega2_ci(fc, dc1, dc2, alpha)
        pw = tukey_hsd(v, g, alpha=alpha, use_var=use_var)
    if use_var == "unequal":
        notes.append(Note("effect_classic_anova", {"statistic": fc}))
    eta2 = effsize.eta2_from_f(fc, dc1, dc2)
    eps2 = max(0.0, effsize.epsilon2_from_f(fc, dc1, dc2))
    if raw < 0:
        notes.append(Note("omega_negative_truncated", {"raw": raw}))
    return StatTest(
        test=code, name=name, ok=True, statistic_name="F", statistic=f, df=(df1, df2), p=p, alpha=alpha,
        effect_name="omega2", effect=max(0.0, raw), effect_ci=ci,
        effects={"omega2": max(0.0, raw), "eta2": eta2, "epsilon2": eps2},
        n=n_by, notes=tuple(notes), pairwise=pw, letters=_letters(pw, mean_of),
    )


def _kruskal(v, g, labels, groups, n_by, alpha) -> StatTest:
    notes: list[Note] = []
    with capture_warnings(notes):
        res = stats.kruskal(*groups)
        pw = dunn(v, g, alpha=alpha, adjust="holm")
    h, p = float(res.statistic), float(res.pvalue)
    n_tied = int(len(v) - len(np.unique(v)))
    if n_tied:
        notes.append(Note("ties_present", {"n_tied": n_tied}))
    ranks = stats.rankdata(v)
    min_n = int(min(n_by.values()))
    if min_n < SMALL_GROUP_N and np.isfinite(h):
        p, method, n_perm = kruskal_permutation_p(ranks, np.searchsorted(labels, g), len(labels))
        notes.append(Note("kw_exact_p" if method == "exact" else "kw_permutation_p",
                          {"min_n": min_n, "n_permutations": n_perm, "p_chi2": float(res.pvalue)}))
    mean_rank = {u: float(ranks[g == u].mean()) for u in labels}
    eps = effsize.epsilon_squared(h, len(v))
    return StatTest(
        test="kruskal_wallis", name="Kruskal-Wallis test", ok=True, statistic_name="H", statistic=h,
        df=(float(len(labels) - 1),), p=p, alpha=alpha, effect_name="epsilon2", effect=eps, effect_ci=None,
        effects={"epsilon2": eps}, n=n_by, notes=tuple(notes), pairwise=pw, letters=_letters(pw, mean_rank),
    )


# --------------------------------------------------------------------------- panel

_PANEL_SPECS = (
    ("panel_gls_unit", "Unit effect, adjusted for year, AR(1) errors (GLS at a cautious ρ)", "F",
     "partial_eta2", "primary"),
    ("friedman", "Friedman test (complete unit × year blocks; years treated as independent)", "chi2", "kendall_w",
     "check"),
    ("panel_gls_year", "Year effect, adjusted for unit, AR(1) errors (GLS, Wald)", "F", "partial_eta2",
     "secondary"),
)
#: The scales a panel can be compared on (``DifferenceResult.scale``).
PANEL_SCALES = ("raw", "z_within_year")


def _complete_blocks(present: pd.DataFrame) -> tuple[list[str], list[int]]:
    """Greedy: drop the unit or year with the largest share of missing cells until complete.

    Ties drop a year before a unit (earliest year first), then units in Vietnamese order.
    """
    units, years = list(present.columns), list(present.index)
    m = present.copy()
    while len(units) and len(years) and not m.loc[years, units].to_numpy().all():
        sub = m.loc[years, units]
        miss_unit = (~sub).sum(axis=0) / len(years)
        miss_year = (~sub).sum(axis=1) / len(units)
        worst_u, worst_y = miss_unit.max(), miss_year.max()
        if worst_y >= worst_u:
            years.remove(min(y for y in years if miss_year[y] == worst_y))
        else:
            units.remove(min((u for u in units if miss_unit[u] == worst_u), key=vietnamese_sort_key))
    return units, years


def _panel_frame(scores: pd.DataFrame, value: str, breaks: Sequence[float], scale: str,
                 notes: list[Note]) -> tuple[pd.DataFrame, str]:
    """The ``unit, year, y`` rows the panel model sees, on the chosen scale."""
    frame = pd.DataFrame({"unit": scores["unit"].astype(str).to_numpy(),
                          "year": pd.to_numeric(scores["year"], errors="coerce").to_numpy(),
                          "y": numeric(scores, value).to_numpy()})
    n_missing = int(frame["y"].isna().sum() + frame["year"].isna().sum())
    frame = frame.dropna()
    if n_missing:
        notes.append(Note("missing_values_dropped", {"n": n_missing}))
    frame["year"] = frame["year"].astype("int64")
    if scale == "auto":
        lo, hi = (frame["year"].min(), frame["year"].max()) if len(frame) else (0, 0)
        crosses = any(lo < b <= hi for b in breaks)
        scale = "z_within_year" if crosses else "raw"
    if scale == "z_within_year":
        z = within_year_z(frame)
        n_lost = int(z.isna().sum())
        if n_lost:
            notes.append(Note("z_years_dropped", {"n": n_lost, "min_units": 3}))
        frame = frame.assign(y=z).dropna().reset_index(drop=True)
        notes.append(Note("scale_z_within_year", {"n_breaks": sum(1 for b in breaks if frame["year"].min() < b
                                                                  <= frame["year"].max()) if len(frame) else 0}))
    return frame, scale


def panel_differences(
    scores: pd.DataFrame, value: str = "total", alpha: float = 0.05, adjust: str = "holm", *,
    breaks: Sequence[float] = (), scale: str = "auto", caution: float = DIFF_CAUTION, seed: int = 20250701,
    pool: PooledRho | None = None, pool_caution: float = POOL_CAUTION, primary_only: bool = False,
) -> DifferenceResult:
    """Do units differ in their yearly ``value`` (total or a component), taking years into account?

    Model: ``value ~ C(unit) + C(year)`` with AR(1) errors within each unit, fitted by GLS with ρ by
    REML (``nlme::gls(value ~ unit + year, correlation = corAR1(form = ~ year | unit))``; see
    :mod:`parbrief.stats.serial`). One score per unit and year; the year effect absorbs what moved
    every unit; the AR(1) error lets a unit's good and bad years come in runs, which a two-way ANOVA
    would count as independent evidence (it rejects a true "no difference" 29–72% of the time at
    ρ = 0.3). The unit effect (primary) is a Wald F of the GLS at a cautious ρ: REML's ρ̂ plus its
    small-sample shortfall plus ``caution`` sampling SDs (both from 99 seeded simulations, so results
    repeat), never below 0 — plugging in ρ̂ itself rejects a true "no difference" 10–25% of the time
    on 6–11 units × 5–7 years; the cautious ρ keeps the 5% level for ρ ≤ 0.5 (measured by
    ``bench/calibration.py``). The year effect (secondary) is a Wald F at the same ρ.

    ``pool``: a ρ estimated from every province of the store on the same unit type, years and scale
    (:func:`panel_pool`). The test then uses ``pool.for_panel(...)`` (the pooled ρ, shrunk towards this
    province's own ρ̂ as far as provinces differ, plus ``pool_caution`` SDs) instead of this
    province's cautious ρ: ±0.04 instead of ±0.15 from 11 × 7, so the power to find units 2 SDs
    apart at ρ = 0.5 rises from 46% to 95% at the same error rate (``bench/calibration.py``).

    Scale (``scale``): ``"raw"`` scores, ``"z_within_year"`` (each year's scores as z-scores among
    these units: a change of method moves levels and spread, not standing) or ``"auto"`` (default):
    raw when no method break (``breaks``, :meth:`parbrief.spec.IndexSpec.breaks`) falls inside the
    years, z-scores otherwise; ``DifferenceResult.scale`` and a note say which.

    Effect size: partial η² = F·df1/(F·df1 + df2) of the GLS F, with a noncentral-F interval.
    Pairwise contrasts are differences of least-squares (year-adjusted) means from the same model at
    the cautious ρ, adjusted by ``adjust`` (``"holm"`` default, ``"bonferroni"``, ``"bh"``, or
    ``"tukey"``: studentized range on the residual df). ``DifferenceResult.serial`` holds ρ̂ (``rho``),
    the cautious ρ of the tests (``rho_used``) and ``caution``. The Friedman test (complete unit × year
    blocks, Kendall's W) is reported as a described check (role ``check``): it treats years as
    independent too, so its agreement confirms nothing and it does not enter ``agreement``.

    ``means`` columns: ``unit, n_years, mean`` (raw), ``ls_mean, se, ci_low, ci_high`` (on the scale
    tested), ``letters``; sorted by ``ls_mean`` descending.

    ``primary_only``: the unit test alone, without its effect-size interval, pairwise contrasts,
    letters, the Friedman check or the year test — what a refit needs (the leave-one-out table of
    :func:`parbrief.stats.sensitivity.leave_one_out` shows F, df, p and η² only); the numbers it
    does return are those of the full result.
    """
    if adjust not in ("holm", "tukey", "bh", "fdr_bh", "bonferroni"):
        raise ValueError(f"adjust must be holm, tukey, bh or bonferroni, got {adjust!r}")
    if scale not in ("auto",) + PANEL_SCALES:
        raise ValueError(f"scale must be auto, raw or z_within_year, got {scale!r}")
    require_columns(scores, ["unit", "year", value], "scores")
    require_one_province(scores, "scores")
    notes: list[Note] = []
    raw, _ = _panel_frame(scores, value, (), "raw", [])
    frame, used_scale = _panel_frame(scores, value, breaks, scale, notes)
    units = sorted(pd.unique(raw["unit"]))
    n_years_by = raw.groupby("unit")["y"].count()
    n_by = {u: int(n_years_by.get(u, 0)) for u in units}
    raw_means = raw.groupby("unit")["y"].mean()
    base_means = pd.DataFrame({"unit": units, "n_years": [n_by[u] for u in units],
                               "mean": [float(raw_means[u]) for u in units]})
    years = sorted(int(y) for y in pd.unique(frame["year"]))
    tested_units = sorted(pd.unique(frame["unit"]))

    def result(tests, means, agreement=None, serial=None) -> DifferenceResult:
        return DifferenceResult(kind="panel", value=value, alpha=alpha, tests=tuple(tests), means=means,
                                rule="gls_ar1", agreement=agreement, notes=tuple(notes), scale=used_scale,
                                serial=serial or {})

    def cannot(reason: str, **detail: Any) -> DifferenceResult:
        m = _sort_means(base_means.assign(ls_mean=np.nan, se=np.nan, ci_low=np.nan, ci_high=np.nan), "mean")
        m["letters"] = pd.array([None] * len(m), dtype="str")
        out = _all_cannot("panel", value, alpha, _PANEL_SPECS, m, reason, notes, "none", n=n_by, **detail)
        return replace(out, scale=used_scale)

    dup = int(raw.duplicated(["unit", "year"]).sum())
    if dup:
        return cannot("duplicate_unit_year", n_duplicates=dup)
    if len(frame) == 0:
        return cannot("no_data")
    if len(tested_units) < 2:
        return cannot("too_few_units", n_units=len(tested_units), min_units=2)
    if len(years) < 2:
        return cannot("too_few_years", n_years=len(years), min_years=2)
    df_resid = len(frame) - len(tested_units) - len(years) + 1
    if df_resid < 2:
        return cannot("too_few_observations", n_obs=len(frame))
    if np.ptp(frame["y"].to_numpy()) == 0:
        return cannot("constant_data")
    cells = len(tested_units) * len(years)
    if len(frame) < cells:
        notes.append(Note("unbalanced_panel", {"n_missing": cells - len(frame)}))
    specs = _PANEL_SPECS[:1] if primary_only else _PANEL_SPECS
    friedman = None if primary_only else _friedman(frame, tested_units, years, alpha, n_by)
    # Residual variance after both effects: none means the units' order never changes.
    x = pd.get_dummies(frame[["unit"]].astype(str)).to_numpy(float)
    x = np.hstack([x, pd.get_dummies(frame["year"].astype(str)).to_numpy(float)])
    fitted, *_ = np.linalg.lstsq(x, frame["y"].to_numpy(float), rcond=None)
    if np.linalg.matrix_rank(x) < len(tested_units) + len(years) - 1:
        return cannot("too_few_observations", n_obs=len(frame))
    resid = frame["y"].to_numpy(float) - x @ fitted
    if float(resid @ resid) <= 1e-20 * float(np.sum((frame["y"] - frame["y"].mean()) ** 2)):
        m = _sort_means(base_means.assign(ls_mean=np.nan, se=np.nan, ci_low=np.nan, ci_high=np.nan), "mean")
        m["letters"] = pd.array([None] * len(m), dtype="str")
        return result([cannot_test(c, nm, "no_residual_variance", alpha=alpha, statistic_name=st, effect_name=ef,
                                   n=n_by, role=role) if c != "friedman" else friedman
                       for c, nm, st, ef, role in specs], m)

    fit_notes: list[Note] = []
    with capture_warnings(fit_notes):
        pf = fit_panel(frame, caution=caution, seed=seed, pool=pool, pool_caution=pool_caution)
    if pf.rho_at_bound:
        fit_notes.append(Note("rho_at_bound", {"rho": pf.rho}))
    pw = None if primary_only else _panel_pairwise(pf, adjust, alpha, n_by)
    letters = None if pw is None else _letters(pw, {u: float(mv) for u, mv in zip(pf.units, pf.ls_mean)})
    serial = {"rho": pf.rho, "rho_used": pf.rho_used, "caution": float(caution), "rho_source": pf.rho_source}
    if pool is not None:
        serial.update(rho_pool=pool.rho, rho_pool_sd=pool.sd, rho_pool_tau=pool.tau, pool_panels=pool.n_panels,
                      pool_units=pool.n_units, caution=float(pool_caution))

    def effect_test(ft, code, role, pairwise=None, letters=None) -> StatTest:
        f, df1, df2 = ft.statistic, float(ft.df1), float(ft.df2)
        peta = f * df1 / (f * df1 + df2)
        ci = None
        if not primary_only:
            with capture_warnings(fit_notes):
                ci = effsize.eta2_ci(f, df1, df2, alpha)
        name = next(s[1] for s in _PANEL_SPECS if s[0] == code)
        return StatTest(
            test=code, name=name, ok=True, statistic_name="F", statistic=f, df=(df1, df2), p=ft.p, alpha=alpha,
            effect_name="partial_eta2", effect=peta, effect_ci=ci, effects={"partial_eta2": peta}, n=n_by,
            notes=tuple(fit_notes), pairwise=pairwise, letters=letters, role=role,
        )

    tests: tuple[StatTest, ...] = (effect_test(pf.unit_test, "panel_gls_unit", "primary", pw, letters),)
    if not primary_only:
        tests += (friedman, effect_test(pf.year_test, "panel_gls_year", "secondary"))
    tcrit = stats.t.ppf(1 - alpha / 2, pf.df_resid)
    ls = pd.DataFrame({"unit": list(pf.units), "ls_mean": pf.ls_mean, "se": pf.ls_se,
                       "ci_low": pf.ls_mean - tcrit * pf.ls_se, "ci_high": pf.ls_mean + tcrit * pf.ls_se})
    m = _sort_means(base_means.merge(ls, on="unit", how="left"), "ls_mean")
    m["letters"] = pd.array([(letters or {}).get(u) for u in m["unit"]], dtype="str")
    return result(tests, m, None, serial)


def panel_pool(
    scores: pd.DataFrame, value: str = "total", *, breaks: Sequence[float] = (), scale: str = "auto",
    group: str = "province", min_panels: int = MIN_POOL_PANELS,
) -> PooledRho | None:
    """One ρ for :func:`panel_differences`, estimated from every ``group`` (province) in ``scores``.

    ``scores``: rows of one unit type over the years of the panel to be tested, in many provinces.
    Each province's ``value ~ unit + year`` panel on the scale :func:`panel_differences` would use
    (``scale``, ``breaks``) enters :func:`parbrief.stats.serial.pooled_rho` with its own σ² and
    effects; provinces that panel_differences could not fit (duplicates, fewer than 2 units or
    years, no residual df, constant) are left out. None with fewer than ``min_panels`` provinces.
    """
    require_columns(scores, [group, "unit", "year", value], "scores")
    return pooled_rho(_pool_panels(scores, value, breaks, scale, group), min_panels=min_panels)


def _pool_panels(scores: pd.DataFrame, value: str, breaks: Sequence[float], scale: str, group: str) -> list:
    """Each ``group``'s panel as :func:`panel_arrays` lays it out for the model, ``(y, x, structure)``.

    The same frames, row order and arrays as :func:`_panel_frame` then :func:`panel_arrays` on each
    group (a test compares them), prepared for all groups at once: the pandas work (missing values,
    the scale, within-year z-scores, unit means, the row order) is one pass over the store's rows
    instead of one per province (63 provinces: 0.6 → 0.1 s, the first brief of every kernel).
    """
    frame = pd.DataFrame({"g": scores[group].to_numpy(), "unit": scores["unit"].astype(str).to_numpy(),
                          "year": pd.to_numeric(scores["year"], errors="coerce").to_numpy(),
                          "y": numeric(scores, value).to_numpy()}).dropna()
    frame["year"] = frame["year"].astype("int64")
    if frame.empty:
        return []
    if scale == "auto":
        span = frame.groupby("g")["year"].agg(["min", "max"])
        z_groups = {g for g, lo, hi in span.itertuples() if any(lo < b <= hi for b in breaks)}
    else:
        z_groups = set(frame["g"].unique()) if scale == "z_within_year" else set()
    if z_groups:
        zs = frame["g"].isin(z_groups).to_numpy()
        z = within_year_z(frame, by=["g", "year"])
        frame = frame.assign(y=np.where(zs, z.to_numpy(), frame["y"].to_numpy()))
        frame = frame[~(zs & frame["y"].isna().to_numpy())]
    frame = frame.assign(_m=frame.groupby(["g", "unit"])["y"].transform("mean"))
    frame = frame.sort_values(["g", "_m", "unit", "year"], kind="mergesort")
    g, unit, year, y = (frame[c].to_numpy() for c in ("g", "unit", "year", "y"))
    cuts = np.flatnonzero(g[1:] != g[:-1]) + 1
    panels = []
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(g)]):
        units, ui = np.unique(unit[lo:hi], return_inverse=True)
        years, ti = np.unique(year[lo:hi], return_inverse=True)
        n_u, n_t, n = len(units), len(years), hi - lo
        yy = y[lo:hi].astype(float)
        if (len(np.unique(ui * n_t + ti)) < n or n_u < 2 or n_t < 2 or n - n_u - n_t + 1 < 2
                or np.ptp(yy) == 0):
            continue
        x, _ = _design(ui, ti, n_u, n_t)
        if np.linalg.matrix_rank(x) < x.shape[1]:
            continue
        panels.append((yy, x, ar1_structure(ui, year[lo:hi])))
    return panels


def _panel_pairwise(pf: PanelFit, adjust: str, alpha: float, n_by: Mapping[str, int]) -> Pairwise:
    """Pairwise differences of least-squares means from the panel model, adjusted by ``adjust``."""
    df_r = float(pf.df_resid)
    tval = pf.diff / pf.diff_se
    p_raw = t_p(tval, df_r)
    m_pairs = len(tval)
    if adjust == "tukey":
        k = len(pf.units)
        p_adj = np.atleast_1d(ptukey_sf(np.abs(tval) * np.sqrt(2.0), k, df_r))
        half = float(qtukey(1 - alpha, k, df_r)) / np.sqrt(2.0) * pf.diff_se
        ci_method, method, pname = "tukey", "tukey_contrast", "Tukey (model contrasts)"
    else:
        p_adj = p_adjust(p_raw, adjust)
        level = alpha / (2 * m_pairs) if adjust in ("holm", "bonferroni") else alpha / 2
        half = stats.t.ppf(1 - level, df_r) * pf.diff_se
        ci_method = "bonferroni" if adjust in ("holm", "bonferroni") else "none"
        method, pname = "t_contrast", f"t contrasts ({adjust})"
    ulab = np.array(pf.units, dtype=object)
    i_idx, j_idx = pf.pair_i, pf.pair_j
    frame = pd.DataFrame({
        "group1": pd.array(ulab[i_idx].astype(str), dtype="str"),
        "group2": pd.array(ulab[j_idx].astype(str), dtype="str"),
        "n1": np.array([n_by[u] for u in ulab[i_idx]], "int64"),
        "n2": np.array([n_by[u] for u in ulab[j_idx]], "int64"),
        "estimate1": pf.ls_mean[i_idx], "estimate2": pf.ls_mean[j_idx], "diff": pf.diff, "se": pf.diff_se,
        "statistic": tval, "df": np.full(tval.shape, df_r), "ci_low": pf.diff - half, "ci_high": pf.diff + half,
        "p": p_raw, "p_adj": p_adj, "reject": p_adj < alpha,
    })
    return Pairwise(method=method, name=pname, adjust=adjust, alpha=alpha, ci_method=ci_method, estimate="ls_mean",
                    frame=frame)


def _friedman(frame: pd.DataFrame, units: list[str], years: list[int], alpha: float, n_by) -> StatTest:
    code, name = _PANEL_SPECS[1][0], _PANEL_SPECS[1][1]
    wide = frame.pivot(index="year", columns="unit", values="y").reindex(index=years, columns=units)
    keep_u, keep_y = _complete_blocks(wide.notna())
    notes: list[Note] = []
    dropped_u, dropped_y = len(units) - len(keep_u), len(years) - len(keep_y)
    if dropped_u or dropped_y:
        notes.append(Note("incomplete_panel_dropped", {"units_dropped": dropped_u, "years_dropped": dropped_y,
                                                       "n_units": len(keep_u), "n_years": len(keep_y)}))
    n_used = {u: len(keep_y) for u in keep_u}
    common = dict(alpha=alpha, statistic_name="chi2", effect_name="kendall_w", n=n_used, notes=tuple(notes),
                  role="check")
    if len(keep_u) < 3:
        return cannot_test(code, name, "too_few_units", n_units=len(keep_u), min_units=3, **common)
    if len(keep_y) < 2:
        return cannot_test(code, name, "too_few_years", n_years=len(keep_y), min_years=2, **common)
    mat = wide.loc[keep_y, keep_u].to_numpy(float)
    if np.all(np.ptp(mat, axis=1) == 0):
        return cannot_test(code, name, "constant_data", **common)
    with capture_warnings(notes):
        res = stats.friedmanchisquare(*mat.T)
    chi2, p = float(res.statistic), float(res.pvalue)
    if not np.isfinite(chi2):
        return cannot_test(code, name, "test_failed", message="non-finite statistic", **common)
    k = len(keep_u)
    w = effsize.kendall_w(chi2, len(keep_y), k)
    return StatTest(
        test=code, name=name, ok=True, statistic_name="chi2", statistic=chi2, df=(float(k - 1),), p=p, alpha=alpha,
        effect_name="kendall_w", effect=w, effects={"kendall_w": w}, n=n_used, notes=tuple(notes),
        role="check",
    )


# --------------------------------------------------------------------------- two groups

_TWO_SPECS = (
    ("welch_t", "Welch's t-test", "t", "hedges_g", "primary"),
    ("mann_whitney", "Mann-Whitney U test", "U", "rank_biserial", "sensitivity"),
)


def two_group_comparison(
    frame: pd.DataFrame,
    value: str = "total",
    group_col: str = "unit_type",
    alpha: float = 0.05,
    *,
    groups: tuple[str, str] | None = None,
) -> DifferenceResult:
    """Compare two groups of rows (e.g. districts vs departments in one year) on ``value``.

    Each row is one observation (pass one year's rows: a unit measured in several years would
    count several times, and a note says so). ``groups`` fixes the order (group1, group2);
    default: the two values of ``group_col`` in sorted order. Differences are group2 − group1.

    Primary: Welch's t-test (scipy ``ttest_ind(equal_var=False)``; normal-ish means, variances
    may differ), CI of the mean difference, Hedges' g with the SD assumption of Welch's test
    (average-variance SD, R ``effectsize::hedges_g(pooled_sd = FALSE)``) and its two-sided CI
    (noncentral t at Welch's t and df). Sensitivity:
    Mann-Whitney U (scipy, two-sided; exact for small samples without ties), rank-biserial r.
    Needs ≥ 2 rows per group and non-constant values. ``means``: ``unit`` (the group), ``n,
    mean, sd, se, ci_low, ci_high, median, mean_rank, letters``.
    """
    require_columns(frame, [group_col, value], "data")
    notes: list[Note] = []
    v_all = numeric(frame, value).to_numpy()
    g_all = frame[group_col].astype(str).to_numpy()
    keep = np.isfinite(v_all)
    if (~keep).sum():
        notes.append(Note("missing_values_dropped", {"n": int((~keep).sum())}))
    v_all, g_all = v_all[keep], g_all[keep]
    if "unit" in frame.columns:
        units = frame["unit"].astype(str).to_numpy()[keep]
        n_dup = int(pd.Series(units).duplicated().sum())
        if n_dup:
            notes.append(Note("duplicate_units", {"n": n_dup}))
    found = sorted(pd.unique(g_all))
    order = list(groups) if groups is not None else found
    means = _group_means(v_all, g_all, alpha)
    n_by = {grp: int((g_all == grp).sum()) for grp in order}

    def cannot(reason: str, **detail: Any) -> DifferenceResult:
        m = _sort_means(means, "mean")
        m["letters"] = pd.array([None] * len(m), dtype="str")
        return _all_cannot("two_group", value, alpha, _TWO_SPECS, m, reason, notes, "none", n=n_by, **detail)

    if len(v_all) == 0:
        return cannot("no_data")
    if len(order) != 2 or (groups is None and len(found) != 2):
        return cannot("not_two_groups", n_groups=len(found))
    x1, x2 = v_all[g_all == order[0]], v_all[g_all == order[1]]
    if min(len(x1), len(x2)) < 2:
        return cannot("too_few_units", n_units=min(len(x1), len(x2)), min_units=2)
    both = np.concatenate([x1, x2])
    if np.ptp(both) == 0:
        return cannot("constant_data")

    tnotes: list[Note] = []
    if x1.var(ddof=1) == 0 and x2.var(ddof=1) == 0:
        welch = cannot_test("welch_t", "Welch's t-test", "zero_within_variance", alpha=alpha, statistic_name="t",
                            effect_name="hedges_g", n=n_by)
    else:
        with capture_warnings(tnotes):
            res = stats.ttest_ind(x2, x1, equal_var=False)
            ci = res.confidence_interval(confidence_level=1 - alpha)
            ges = effsize.hedges_g(x1, x2, alpha=alpha, pooled_sd=False)  # the SD assumption of Welch's t
            g, g_ci = ges.estimate, (ges.ci if ges.ok and ges.reason_code is None else None)
        t, p, df = float(res.statistic), float(res.pvalue), float(res.df)
        se = float((x2.mean() - x1.mean()) / t) if t != 0 else float(
            math.sqrt(x1.var(ddof=1) / len(x1) + x2.var(ddof=1) / len(x2)))
        pw = _two_pairwise("welch_t", "Welch's t-test", order, x1, x2, float(x1.mean()), float(x2.mean()), se, t, df,
                           float(ci.low), float(ci.high), p, alpha, "welch", "mean")
        welch = StatTest(
            test="welch_t", name="Welch's t-test", ok=True, statistic_name="t", statistic=t, df=(df,), p=p,
            alpha=alpha, effect_name="hedges_g", effect=g, effect_ci=g_ci, effects={"hedges_g": g}, n=n_by,
            notes=tuple(tnotes), pairwise=pw,
            letters=_letters(pw, {order[0]: float(x1.mean()), order[1]: float(x2.mean())}),
        )
    mnotes: list[Note] = []
    with capture_warnings(mnotes):
        mw = stats.mannwhitneyu(x2, x1, alternative="two-sided")
    u2, p_mw = float(mw.statistic), float(mw.pvalue)
    r = effsize.rank_biserial(u2, len(x1), len(x2))
    ranks = stats.rankdata(both)
    r1, r2 = float(ranks[: len(x1)].mean()), float(ranks[len(x1):].mean())
    if len(both) != len(np.unique(both)):
        mnotes.append(Note("ties_present", {"n_tied": int(len(both) - len(np.unique(both)))}))
    pw_mw = _two_pairwise("mann_whitney", "Mann-Whitney U test", order, x1, x2, r1, r2, math.nan, u2, math.nan,
                          math.nan, math.nan, p_mw, alpha, "none", "mean_rank")
    mwt = StatTest(
        test="mann_whitney", name="Mann-Whitney U test", ok=True, statistic_name="U", statistic=u2, df=(), p=p_mw,
        alpha=alpha, effect_name="rank_biserial", effect=r, effect_ci=None, effects={"rank_biserial": r}, n=n_by,
        notes=tuple(mnotes), pairwise=pw_mw, letters=_letters(pw_mw, {order[0]: r1, order[1]: r2}),
        role="sensitivity",
    )
    tests = (welch, mwt)
    agreement, agree_notes = _agreement(tests)
    notes.extend(agree_notes)
    m = _sort_means(means, "mean")
    m["letters"] = pd.array([(welch.letters or {}).get(u) for u in m["unit"]], dtype="str")
    return DifferenceResult(kind="two_group", value=value, alpha=alpha, tests=tests, means=m, rule="welch_t",
                            agreement=agreement, notes=tuple(notes))


def _two_pairwise(method, name, order, x1, x2, e1, e2, se, stat, df, lo, hi, p, alpha, ci_method, estimate):
    frame = pd.DataFrame({
        "group1": pd.array([order[0]], dtype="str"), "group2": pd.array([order[1]], dtype="str"),
        "n1": np.array([len(x1)], "int64"), "n2": np.array([len(x2)], "int64"),
        "estimate1": [e1], "estimate2": [e2], "diff": [e2 - e1], "se": [se], "statistic": [stat], "df": [df],
        "ci_low": [lo], "ci_high": [hi], "p": [p], "p_adj": [p], "reject": [bool(p < alpha)],
    })
    return Pairwise(method=method, name=name, adjust="none", alpha=alpha, ci_method=ci_method, estimate=estimate,
                    frame=frame)
