"""Result records shared by the statistics modules: notes, tests, pairwise tables.

Every record is a frozen dataclass with explicit fields so the narrative layer can turn it into
sentences without parsing text: stable ``code`` strings (English snake case) and numeric
``detail`` mappings for notes and "cannot test" reasons. No prose lives here: the texts of the
codes are in ``text/locales/<lang>/stats.yaml``; ``Note.text`` and ``StatTest.reason`` are
English conveniences read from there (:mod:`parbrief.text.codes`), as the brief reads them.
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd

from parbrief.text.codes import note_text, reason_text

__all__ = [
    "NOTE_CODES",
    "REASON_CODES",
    "Note",
    "Pairwise",
    "StatTest",
    "cannot_test",
    "capture_warnings",
]

#: Every note code the statistics emit; its text is ``note.<code>`` in ``text/locales/<lang>/stats.yaml``.
NOTE_CODES: frozenset[str] = frozenset({
    "missing_values_dropped", "groups_dropped_small", "latest_year_used", "levene_unequal_var",
    "levene_equal_var", "levene_not_available", "normality_rejected", "normality_ok", "normality_clt",
    "ordinal_few_levels", "zero_variance_group", "primary_rule", "tests_disagree", "tests_agree",
    "incomplete_panel_dropped", "unbalanced_panel", "omega_negative_truncated", "ties_present",
    "effect_classic_anova", "kw_exact_p", "kw_permutation_p", "mk_normal_approx", "constant_series",
    "perfect_fit", "robust_disagrees", "unit_set_changes", "gap_years", "duplicate_units", "library_warning",
    "method_break_excluded", "scale_z_within_year", "z_years_dropped", "rho_at_bound",
})

#: Every "cannot test" reason code; its text is ``reason.<code>`` in the same locale files.
REASON_CODES: frozenset[str] = frozenset({
    "no_data", "too_few_units", "too_few_years", "too_few_respondents", "too_few_observations",
    "not_two_groups", "constant_data", "no_residual_variance", "zero_within_variance", "zero_variance_group",
    "duplicate_unit_year", "test_failed", "method_break", "perfect_fit",
})


@dataclass(frozen=True)
class Note:
    """An assumption check or a data remark: a stable ``code`` plus numeric/text ``detail``."""

    code: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The note in English, from the locale files (:meth:`text_in` for another language)."""
        return note_text(self.code, self.detail, "en")

    def text_in(self, lang: str) -> str:
        """The note in ``lang`` (``note.<code>`` of the locale files, numbers formatted for it)."""
        return note_text(self.code, self.detail, lang)


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

    def rejected_with(self, a: str) -> dict[str, bool]:
        """Every group compared with ``a`` → whether that pair's adjusted p is below ``alpha``.

        One pass over the table (a brief asks this of its highest and lowest unit: with 170
        units, 169 calls of :meth:`pair` scan the 14 365 rows each time).
        """
        f = self.frame
        g1, g2 = f["group1"].astype(str).to_numpy(), f["group2"].astype(str).to_numpy()
        reject = f["reject"].astype(bool).to_numpy()
        out: dict[str, bool] = {}
        for mask, other in ((g1 == a, g2), (g2 == a, g1)):
            for o, r in zip(other[mask], reject[mask]):
                out.setdefault(str(o), bool(r))
        return out

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
        """The "cannot test" reason in English, from the locale files (None when the test ran)."""
        if self.reason_code is None:
            return None
        return reason_text(self.reason_code, self.reason_detail, "en")

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
