"""Result records shared by the statistics modules: notes, tests, pairwise tables.

Every record is a frozen dataclass with explicit fields so the narrative layer can turn it into
sentences without parsing text: stable ``code`` strings (English snake case) and numeric
``detail`` mappings for notes and "cannot test" reasons; English text is a convenience
(``Note.text``, ``StatTest.reason``) and the narrative localizes from the codes.
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "NOTE_TEXT_EN",
    "REASON_TEXT_EN",
    "Note",
    "Pairwise",
    "StatTest",
    "cannot_test",
    "capture_warnings",
]

#: English text of every note code; ``{name}`` fields come from ``Note.detail``.
NOTE_TEXT_EN: Mapping[str, str] = MappingProxyType(
    {
        "missing_values_dropped": "{n} row(s) without a value were left out",
        "groups_dropped_small": "{n_groups} unit(s) with fewer than {min_n} values were left out: {units}",
        "latest_year_used": "several years in the data; the latest ({year}) was used",
        "levene_unequal_var": "variances differ between units (Levene/Brown-Forsythe p = {p:.3g})",
        "levene_equal_var": "no evidence that variances differ (Levene/Brown-Forsythe p = {p:.3g})",
        "levene_not_available": "the equal-variance check could not be computed",
        "normality_rejected": "values are not normal in {n_rejected} of {n_tested} small unit(s) (Shapiro-Wilk)",
        "normality_ok": "no evidence against normality in the {n_tested} small unit(s) tested (Shapiro-Wilk)",
        "normality_clt": "every unit has at least {min_n} values: means are close to normal (central limit theorem)",
        "ordinal_few_levels": "the values take only {n_levels} distinct levels (an ordinal scale)",
        "zero_variance_group": "{n_groups} unit(s) have identical values throughout ({units})",
        "primary_rule": "primary test chosen by rule {rule}",
        "tests_disagree": "the tests disagree: {significant} significant, {not_significant} not significant",
        "tests_agree": "all tests agree",
        "incomplete_panel_dropped": "for the rank check {units_dropped} unit(s) and {years_dropped} year(s) "
        "with gaps were left out ({n_units} units × {n_years} years used)",
        "unbalanced_panel": "{n_missing} unit-year score(s) are missing; the model adjusts unit means for year",
        "omega_negative_truncated": "omega squared estimate was negative ({raw:.3g}) and is reported as 0",
        "ties_present": "{n_tied} value(s) are tied; the tie correction was applied",
        "effect_classic_anova": "the effect size is from the classic one-way ANOVA decomposition (F = {statistic:.3g}); "
        "Welch's F gives only the p-value",
        "kw_exact_p": "a unit has only {min_n} values: the Kruskal-Wallis p is exact (all {n_permutations} splits)",
        "kw_permutation_p": "a unit has only {min_n} values: the Kruskal-Wallis p is a permutation p "
        "({n_permutations} random splits, fixed seed)",
        "mk_normal_approx": "tied values: the Mann-Kendall p-value uses the normal approximation",
        "constant_series": "the value did not change over the years",
        "perfect_fit": "the values lie exactly on a straight line",
        "robust_disagrees": "the robust (Mann-Kendall/Theil-Sen) view does not confirm this trend",
        "unit_set_changes": "the set of units differs between years ({n_always} of {n_units} units every year, "
        "{n_min}–{n_max} per year)",
        "gap_years": "{n_gaps} year(s) are missing between {first} and {last}",
        "duplicate_units": "{n} unit(s) appear more than once; every row is one observation",
        "library_warning": "{category}: {message}",
        "method_break_excluded": "{n_excluded} year(s) scored under another method ({first_excluded}–"
        "{last_excluded}) were left out and only {first_used}–{last_used} was tested: raw scores under "
        "different methods are not comparable",
    }
)

#: English text of every "cannot test" reason code.
REASON_TEXT_EN: Mapping[str, str] = MappingProxyType(
    {
        "no_data": "no values to test",
        "too_few_units": "{n_units} unit(s) with data; at least {min_units} are needed",
        "too_few_years": "{n_years} year(s) with data; at least {min_years} are needed",
        "too_few_respondents": "fewer than {min_n} respondents in all but {n_units} unit(s)",
        "too_few_observations": "not enough observations to estimate the error ({n_obs} values)",
        "not_two_groups": "{n_groups} group(s) found; exactly two are needed",
        "constant_data": "all values are identical",
        "no_residual_variance": "the model fits the data exactly; there is no error variance to test against",
        "zero_within_variance": "values are identical within every group",
        "zero_variance_group": "a group has identical values, so its variance is zero",
        "duplicate_unit_year": "{n_duplicates} unit-year pair(s) occur more than once",
        "test_failed": "the computation failed: {message}",
        "method_break": "{n_years} year(s) since the method change of {since}; at least {min_years} are needed "
        "for a trend within one method period",
    }
)


def _format(template: str, detail: Mapping[str, Any]) -> str:
    try:
        return template.format(**detail)
    except (KeyError, ValueError, IndexError):
        return template


@dataclass(frozen=True)
class Note:
    """An assumption check or a data remark: a stable ``code`` plus numeric/text ``detail``."""

    code: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """English sentence fragment (the narrative layer localizes from ``code``/``detail``)."""
        return _format(NOTE_TEXT_EN.get(self.code, self.code), self.detail)


@dataclass(frozen=True)
class Pairwise:
    """A table of all pairwise comparisons between groups.

    ``frame`` columns: ``group1, group2, n1, n2, estimate1, estimate2, diff`` (= estimate2 −
    estimate1), ``se, statistic, df, ci_low, ci_high`` (CI of ``diff``, simultaneous where
    ``ci_method`` says so, NaN when the method gives none), ``p`` (unadjusted), ``p_adj``,
    ``reject`` (``p_adj < alpha``). Groups are in sorted order within a pair, as in statsmodels.
    """

    method: str  # tukey_hsd | games_howell | dunn | t_contrast | tukey_contrast | welch_t
    name: str
    adjust: str  # tukey | holm | fdr_bh | bonferroni | none
    alpha: float
    ci_method: str  # tukey | games_howell | bonferroni | welch | none
    estimate: str  # mean | mean_rank | ls_mean
    frame: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """The comparison table (a copy)."""
        return self.frame.copy()

    def significant_pairs(self) -> list[tuple[str, str]]:
        """The (group1, group2) pairs whose adjusted p is below ``alpha`` (``reject``)."""
        f = self.frame
        return [(a, b) for a, b, r in zip(f["group1"], f["group2"], f["reject"]) if bool(r)]

    def pair(self, a: str, b: str) -> pd.Series:
        """The row comparing ``a`` and ``b`` (either order)."""
        f = self.frame
        m = ((f["group1"] == a) & (f["group2"] == b)) | ((f["group1"] == b) & (f["group2"] == a))
        if not m.any():
            raise KeyError(f"no comparison between {a!r} and {b!r}")
        return f.loc[m].iloc[0]


@dataclass(frozen=True)
class StatTest:
    """One hypothesis test, or a record that it could not be run (``ok=False`` with a reason).

    ``test`` is a stable code (``anova_classic``, ``anova_welch``, ``kruskal_wallis``,
    ``panel_gls_unit``, ``panel_gls_year``, ``friedman``, ``welch_t``, ``mann_whitney``),
    ``role`` is ``primary``, ``sensitivity`` (same question, other method), ``check`` (a described
    check that cannot confirm the primary) or ``secondary``
    (another question answered by the same model). ``effect_name``/``effect``/``effect_ci`` is
    the headline effect size; ``effects`` holds every effect size computed (name → value), e.g.
    ``{"partial_eta2": …, "partial_omega2": …}``. ``n`` is the number of observations per group.
    ``pairwise`` is the post-hoc table belonging to this test and ``letters`` its compact letter
    display (group → letters; groups sharing a letter do not differ). When ``ok`` is False every
    number is NaN, ``significant`` is False and ``reason_code``/``reason_detail`` say why.
    """

    test: str
    name: str
    ok: bool
    statistic_name: str = ""
    statistic: float = math.nan
    df: tuple[float, ...] = ()
    p: float = math.nan
    alpha: float = 0.05
    effect_name: str | None = None
    effect: float = math.nan
    effect_ci: tuple[float, float] | None = None
    effects: Mapping[str, float] = field(default_factory=dict)
    n: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    pairwise: Pairwise | None = None
    letters: Mapping[str, str] | None = None
    role: str = "primary"
    reason_code: str | None = None
    reason_detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def primary(self) -> bool:
        """True for the test a result leads with."""
        return self.role == "primary"

    @property
    def significant(self) -> bool:
        """``p < alpha`` for a test that ran (False when it could not be run)."""
        return bool(self.ok and np.isfinite(self.p) and self.p < self.alpha)

    @property
    def reason(self) -> str | None:
        """English text of the "cannot test" reason (None when the test ran)."""
        if self.reason_code is None:
            return None
        return _format(REASON_TEXT_EN.get(self.reason_code, self.reason_code), self.reason_detail)

    @property
    def n_total(self) -> int:
        """Observations over all groups."""
        return int(sum(self.n.values()))

    def with_role(self, role: str) -> "StatTest":
        """A copy with another ``role`` (primary / sensitivity / secondary)."""
        return replace(self, role=role)

    def summary(self) -> dict[str, Any]:
        """One flat row (for a table of tests)."""
        return {
            "test": self.test,
            "name": self.name,
            "role": self.role,
            "ok": self.ok,
            "statistic_name": self.statistic_name,
            "statistic": self.statistic,
            "df1": self.df[0] if len(self.df) > 0 else math.nan,
            "df2": self.df[1] if len(self.df) > 1 else math.nan,
            "p": self.p,
            "significant": self.significant,
            "effect_name": self.effect_name,
            "effect": self.effect,
            "effect_ci_low": self.effect_ci[0] if self.effect_ci else math.nan,
            "effect_ci_high": self.effect_ci[1] if self.effect_ci else math.nan,
            "n_groups": len(self.n),
            "n_total": self.n_total,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "notes": "; ".join(n.code for n in self.notes),
        }


def cannot_test(
    test: str,
    name: str,
    reason_code: str,
    *,
    alpha: float = 0.05,
    statistic_name: str = "",
    effect_name: str | None = None,
    n: Mapping[str, int] | None = None,
    notes: tuple[Note, ...] = (),
    role: str = "primary",
    **detail: Any,
) -> StatTest:
    """A :class:`StatTest` that says why it was not run (no numbers, ``ok=False``)."""
    return StatTest(
        test=test,
        name=name,
        ok=False,
        statistic_name=statistic_name,
        alpha=alpha,
        effect_name=effect_name,
        n=dict(n or {}),
        notes=tuple(notes),
        role=role,
        reason_code=reason_code,
        reason_detail=dict(detail),
    )


@contextmanager
def capture_warnings(into: list[Note]) -> Iterator[None]:
    """Silence library warnings (and numpy floating-point warnings) and keep them as notes."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: set[tuple[str, str]] = set()
            for w in caught:
                key = (w.category.__name__, str(w.message)[:200])
                if key not in seen:
                    seen.add(key)
                    into.append(Note("library_warning", {"category": key[0], "message": key[1]}))
