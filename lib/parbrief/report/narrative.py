"""Findings in words: turn result objects into sentences a provincial leader reads (vi / en).

Every sentence is built from a result object (:class:`~parbrief.analysis.brief.Brief`,
:class:`~parbrief.stats.differences.DifferenceResult`, :class:`~parbrief.stats.trends.Trend`,
:class:`~parbrief.stats._results.Note`) and a template in ``text/locales/<lang>.yaml``
(sections ``narrative``, ``note``, ``reason``, ``test``); numbers go through
:mod:`parbrief.text.formats`, so Vietnamese gets decimal commas. Nothing here knows a
province: names and numbers all come from the results.

The rule of the module: a sentence claims a difference or a trend only when its test does
(``DifferenceResult.significant``, ``Trend.classification``); otherwise it says there is no
clear evidence ("chưa có bằng chứng rõ"), or why the question could not be tested.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from parbrief.analysis.brief import Brief
from parbrief.text.admin_case import lower_unit_words
from parbrief.text.formats import check_lang, fmt_cutoff, fmt_int, fmt_number, fmt_p, fmt_signed
from parbrief.text import codes as _codes
from parbrief.text.codes import join_names, method_name
from parbrief.text.messages import locale_strings, t
from parbrief.text.voice import DEFAULT_VOICE
from parbrief.stats._results import Note, StatTest
from parbrief.stats.differences import NORMALITY_MAX_N, DifferenceResult
from parbrief.stats.serial import MIN_POOL_PANELS
from parbrief.stats.trends import Trend
from parbrief.report.rows import FULL_LIST_MAX

__all__ = [
    "EFFECT_THRESHOLDS",
    "trends_assessed",
    "component_name",
    "component_summary",
    "describe_difference",
    "describe_trend",
    "effect_magnitude",
    "headline_source",
    "league_notes",
    "method_name",
    "methods_text",
    "note_text",
    "province_trend_sentence",
    "reason_text",
    "stat_text",
    "trend_label",
    "trend_summary",
    "unit_trends_sentence",
]

#: Conventional benchmarks (small, medium, large) of each effect size, from Cohen, J. (1988),
#: *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.: η² .01/.06/.14 (ch. 8,
#: from f = .10/.25/.40), used also for partial η², ω² and ε², which estimate the same share of
#: variance; d .2/.5/.8 (ch. 2) for Hedges' g; r .1/.3/.5 (ch. 3) for the rank-biserial r and,
#: by the usual extension, Kendall's W. Below "small" the effect is called negligible.
EFFECT_THRESHOLDS: Mapping[str, tuple[float, float, float]] = {
    "eta2": (0.01, 0.06, 0.14),
    "partial_eta2": (0.01, 0.06, 0.14),
    "omega2": (0.01, 0.06, 0.14),
    "partial_omega2": (0.01, 0.06, 0.14),
    "epsilon2": (0.01, 0.06, 0.14),
    "hedges_g": (0.2, 0.5, 0.8),
    "rank_biserial": (0.1, 0.3, 0.5),
    "kendall_w": (0.1, 0.3, 0.5),
}

#: How many units a key-finding sentence names at most in a list.
MAX_NAMED = 3

_STAT_SYMBOL = {"F": "F", "chi2": "χ²", "H": "H", "t": "t", "U": "U"}
#: Trend notes worth a remark after the trend sentence (what the series is made of).
_TREND_REMARKS = frozenset({"unit_set_changes", "gap_years", "method_break_excluded"})
#: Notes a reader of the brief does not need in prose (kept in the result objects and tables).
_NOTES_NOT_IN_PROSE = frozenset({"primary_rule", "tests_agree", "tests_disagree", "library_warning",
                                  # estimation details for analysts (kept on the analysis pages)
                                  "rho_at_bound", "scale_z_within_year"})


# --------------------------------------------------------------------------- small helpers


def _t(key: str, lang: str, **kwargs: Any) -> str:
    """``narrative.<key>`` with administrative-unit words lowercased inside the sentence (vi)."""
    return lower_unit_words(t(f"narrative.{key}", lang, **kwargs), lang)


def _has(key: str, lang: str) -> bool:
    return key in locale_strings(lang)


def _cap(text: str) -> str:
    """Upper-case the first letter (sentence start); the rest is left as written."""
    return text[:1].upper() + text[1:] if text else text


def _finite(x: Any) -> bool:
    try:
        return x is not None and x is not pd.NA and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _join(items: Sequence[str], lang: str) -> str:
    """"A, B và C" / "A, B and C" (:func:`parbrief.text.codes.join_names`)."""
    return join_names(list(items), lang)


def _name_list(items: Sequence[str], lang: str, limit: int | None = None) -> str:
    """A list of names, at most ``limit`` of them then "và N đơn vị khác" / "and N other units"."""
    items = list(items)
    if limit is None or len(items) <= limit:
        return _join(items, lang)
    rest = len(items) - limit
    return _t("list_more", lang, names=", ".join(items[:limit]), others=_n_units(rest, lang, other=True))


def _plural(key: str, n: int, lang: str, **kwargs: Any) -> str:
    """``key`` with the count ``n`` (its template picks singular or plural words: ``{n|place|places}``)."""
    return _t(key, lang, n=fmt_int(n, lang), **kwargs)


def _n_units(n: int, lang: str, *, other: bool = False) -> str:
    return _plural("n_other_units" if other else "n_units", n, lang)


def _year(y: Any) -> str:
    return str(int(y))


def _period(first: int | None, last: int | None, lang: str) -> str:
    """Sentence-start period: "Giai đoạn 2018–2024" / "Over 2018–2024", or one year."""
    if first is None or last is None:
        return ""
    if int(first) == int(last):
        return _t("period_one", lang, year=_year(first))
    return _t("period", lang, first=_year(first), last=_year(last))


def _level(alpha: float, lang: str) -> str:
    """Confidence level of a (1 − alpha) interval in percent: "95", "90", "97,5"."""
    pct = round(100 * (1 - float(alpha)), 6)
    return fmt_number(pct, lang, 0 if float(pct).is_integer() else 1)


def _measure(value: str, lang: str, spec: Any = None) -> str:
    """The measure a series is about: the index (``total``, named as the spec's voice says) or a
    component's short name."""
    if value == "total":
        return t("measure.total", lang, **getattr(spec, "voice", DEFAULT_VOICE).words())
    return _t("measure_component", lang, name=component_name(value, lang, spec))


def component_name(code: str, lang: str, spec: Any = None) -> str:
    """The official name of a component for prose (the spec's: "Cải cách thủ tục hành chính"),
    else the locale's short name (``component_short``), else the code."""
    if spec is not None:
        try:
            return spec.component(code).name(lang)
        except KeyError:
            pass
    key = f"component_short.{code}"
    return t(key, lang) if _has(key, lang) else code


def _effect_name(name: str | None, lang: str) -> str:
    key = f"narrative.effect_name.{name}"
    return t(key, lang) if name and _has(key, lang) else str(name)


def _adjust_name(adjust: str | None, lang: str) -> str:
    code = {"bh": "fdr_bh"}.get(adjust or "none", adjust or "none")
    key = f"narrative.adjust.{code}"
    return t(key, lang) if _has(key, lang) else code


def _adjustment(adjust: str | None, lang: str) -> str:
    """"hiệu chỉnh Holm" / "Holm adjustment", or "no adjustment for multiple comparisons"."""
    if adjust in (None, "none"):
        return _t("unadjusted", lang)
    return _t("adjusted_by", lang, adjust=_adjust_name(adjust, lang))


def _fmt_df(x: float, lang: str) -> str:
    return fmt_int(x, lang) if abs(x - round(x)) < 1e-9 else fmt_number(x, lang, 1)


def _sep(lang: str) -> str:
    """Separator between the parts of a statistic: ";" in Vietnamese (the comma is the decimal mark)."""
    return "; " if lang == "vi" else ", "


def stat_text(test: StatTest, lang: str) -> str:
    """The statistic as reported in text: vi ``F(13; 77) = 15,82; p < 0,001``, en ``F(13, 77) = 15.82, p < 0.001``.

    "–" when the test could not be run.
    """
    check_lang(lang)
    if not test.ok or not _finite(test.statistic):
        return t("misc.missing", lang)
    sym = _STAT_SYMBOL.get(test.statistic_name, test.statistic_name)
    dfs = [_fmt_df(float(d), lang) for d in test.df if _finite(d)]
    head = f"{sym}({_sep(lang).join(dfs)})" if dfs else sym
    s = float(test.statistic)
    value = fmt_number(s, lang, 0 if test.statistic_name == "U" and s.is_integer() else 2)
    return f"{head} = {value}{_sep(lang)}{fmt_p(test.p, lang)}"


def effect_magnitude(name: str | None, value: float) -> str | None:
    """``negligible``/``small``/``medium``/``large`` by Cohen's (1988) benchmarks (see
    :data:`EFFECT_THRESHOLDS`), on the absolute value; None for an unknown effect or a missing value."""
    if name not in EFFECT_THRESHOLDS or not _finite(value):
        return None
    small, medium, large = EFFECT_THRESHOLDS[name]
    v = abs(float(value))
    if v >= large:
        return "large"
    if v >= medium:
        return "medium"
    if v >= small:
        return "small"
    return "negligible"


# --------------------------------------------------------------------------- notes and reasons


def note_text(note: Note, lang: str) -> str:
    """A note (assumption check, data remark) in ``lang``, numbers in the locale's format
    (``note.<code>`` of ``text/locales/<lang>/stats.yaml``, :func:`parbrief.text.codes.note_text`)."""
    return _codes.note_text(note.code, note.detail, lang)


def reason_text(code: str | None, detail: Mapping[str, Any] | None, lang: str) -> str:
    """Why a test could not be run, in ``lang`` (``reason.<code>``, :func:`parbrief.text.codes.reason_text`)."""
    return _codes.reason_text(code, detail, lang)


# --------------------------------------------------------------------------- trends


def trend_label(classification: str, lang: str) -> str:
    """Short label of a trend class for tables: "Cải thiện rõ", "Giảm rõ", "Chưa có xu hướng rõ",
    "Chưa đủ số năm để đánh giá" (locale ``trend.*``)."""
    key = {
        "improving": "trend.improving",
        "declining": "trend.declining",
        "no_trend": "trend.no_clear_trend",
        "insufficient": "trend.too_few_years",
    }.get(classification)
    if key is None:
        raise ValueError(f"unknown trend classification {classification!r}")
    return t(key, lang)


def describe_trend(trend: Trend, lang: str, *, subject: str | None = None, notes: bool = True,
                   spec: Any = None) -> str:
    """One or two sentences on a series' trend, claiming a rise or fall only when the trend's
    classification does (improving / declining after the adjustment, see ``stats.trends``).

    ``subject`` names the series in the sentence (default "<index> của <unit>" / "the <index> of
    <unit>", the index named by ``spec``'s voice). The slope is the OLS slope in points per year with its
    (1 − alpha) CI; for a called trend a remark follows when the robust Theil-Sen/Mann-Kendall
    view does not confirm it, and for a unit whose unadjusted CI excludes 0 but whose adjusted p
    does not pass, a remark says the adjustment is why. ``notes`` adds data remarks (a changing
    set of units, missing years).
    """
    check_lang(lang)
    subj = subject or _t("trend.subject", lang, measure=_measure(trend.value, lang, spec), name=trend.unit)
    level = _level(trend.alpha, lang)
    period = _period(trend.first_year, trend.last_year, lang)
    cls = trend.classification
    if cls in ("improving", "declining") and trend.ok:
        lo, hi = sorted((abs(trend.slope_ci[0]), abs(trend.slope_ci[1])))
        text = _t(f"trend.{cls}", lang, period=period, subject=subj, slope=fmt_number(abs(trend.slope), lang),
                  level=level, low=fmt_number(lo, lang), high=fmt_number(hi, lang))
        if trend.robust_agrees is False:
            text += " " + _t("trend.robust_disagrees", lang)
    elif cls == "no_trend" and trend.ok:
        text = _t("trend.no_trend", lang, period=period, subject=subj, slope=fmt_signed(trend.slope, lang),
                  level=level, low=fmt_signed(trend.slope_ci[0], lang), high=fmt_signed(trend.slope_ci[1], lang))
        adjusted_away = (
            trend.adjust not in ("none", None) and _finite(trend.p) and trend.p < trend.alpha
            and _finite(trend.p_adj) and trend.p_adj >= trend.alpha
        )
        if adjusted_away:
            text += " " + _t("trend.adjusted_away", lang, level=level, adjust=_adjust_name(trend.adjust, lang))
    elif trend.reason_code == "constant_data":
        text = _t("trend.constant", lang, period=period, subject=subj)
    elif trend.reason_code == "too_few_years" or (cls == "insufficient" and trend.reason_code is None):
        min_years = trend.reason_detail.get("min_years", "–")
        if trend.n_years == 0:
            text = _t("trend.no_data", lang, subject=_cap(subj))
        else:
            text = _plural("trend.insufficient", trend.n_years, lang, subject=_cap(subj),
                           min_years=fmt_int(min_years, lang) if _finite(min_years) else "–")
    else:
        text = _t("trend.cannot", lang, subject=subj,
                  reason=reason_text(trend.reason_code, trend.reason_detail, lang))
    if notes:
        remarks = [note_text(n, lang) for n in trend.notes if n.code in _TREND_REMARKS]
        if remarks:
            text += " " + _t("notes", lang, notes="; ".join(remarks))
    return text


def province_trend_sentence(brief: Brief, *, notes: bool = False) -> str:
    """:func:`describe_trend` of the province series (the mean of its units' scores each year)."""
    subject = _t("trend.subject_province", brief.lang, name=brief.province)
    return describe_trend(brief.province_trend, brief.lang, subject=subject, notes=notes)


def _slope_items(trends: Iterable[Trend], lang: str, limit: int | None) -> tuple[int, str]:
    items = sorted(trends, key=lambda tr: -abs(tr.slope))
    texts = [_t("unit_trends.item", lang, name=tr.unit, slope=fmt_signed(tr.slope, lang)) for tr in items]
    return len(items), _name_list(texts, lang, limit)


def unit_trends_sentence(brief: Brief, *, limit: int | None = MAX_NAMED) -> str:
    """Which units improve or decline clearly (at most ``limit`` named each, strongest slope
    first), or that none does, or that no unit has enough years."""
    lang, table = brief.lang, brief.trends
    period = _period(brief.years[0], brief.years[-1], lang) if brief.years else ""
    if table.n_screened == 0:
        return _t("unit_trends.all_insufficient", lang, min_years=fmt_int(table.min_years, lang))
    up = [tr for tr in table.trends if tr.classification == "improving"]
    down = [tr for tr in table.trends if tr.classification == "declining"]
    if not up and not down:
        return _t("unit_trends.none", lang, period=period, screened=_n_units(table.n_screened, lang),
                  min_years=fmt_int(table.min_years, lang))
    n_up, up_list = _slope_items(up, lang, limit)
    n_down, down_list = _slope_items(down, lang, limit)
    if up and down:
        return _t("unit_trends.both", lang, period=period, improving=_n_units(n_up, lang), improving_list=up_list,
                  declining=_n_units(n_down, lang), declining_list=down_list)
    if up:
        return _t("unit_trends.improving_only", lang, period=period, improving=_n_units(n_up, lang),
                  improving_list=up_list)
    return _t("unit_trends.declining_only", lang, period=period, declining=_n_units(n_down, lang),
              declining_list=down_list)


def trend_summary(brief: Brief) -> list[str]:
    """Sentences for the trends section: every unit with a clear trend, the units with too few
    years, and called trends the robust view does not confirm."""
    lang, table = brief.lang, brief.trends
    out = [unit_trends_sentence(brief, limit=None)]
    short = [tr.unit for tr in table.trends
             if tr.classification == "insufficient" and tr.reason_code == "too_few_years"]
    if short and table.n_screened:
        out.append(_t("unit_trends.insufficient_units", lang, units=_n_units(len(short), lang),
                      min_years=fmt_int(table.min_years, lang), names=_join(short, lang)))
    shaky = [tr.unit for tr in table.trends if tr.significant and tr.robust_agrees is False]
    if shaky:
        out.append(_t("unit_trends.robust", lang, names=_join(shaky, lang)))
    return out


# --------------------------------------------------------------------------- differences

_UNIT_CODES = ("district", "department", "commune", "province")


def _units_phrase(unit_label: str, lang: str, kind: str) -> str:
    """The plural noun phrase a sentence uses for the compared units.

    ``unit_label`` may be a unit-type code (``district``, ``department``, ``province``), ``unit``
    or ``group``, or the matching table labels of the locale (``unit_type.*``, ``column.unit``,
    ``column.group``); anything else is used as written.
    """
    strings = locale_strings(lang)
    for code in _UNIT_CODES:
        if unit_label in (code, strings.get(f"unit_type.{code}")):
            return _t(f"units.{code}", lang)
    if unit_label in ("group", strings.get("column.group")) or (kind == "two_group" and not unit_label):
        return _t("units.group", lang)
    if unit_label in ("unit", strings.get("column.unit"), ""):
        return _t("units.unit", lang)
    return unit_label


def _group_label(name: str, kind: str, lang: str) -> str:
    """Name of a compared group; unit-type codes (two-group comparison) are localized."""
    if kind == "two_group" and _has(f"narrative.group_name.{name}", lang):
        return _t(f"group_name.{name}", lang)
    return name


def _estimate_col(result: DifferenceResult) -> str:
    m = result.means
    return "ls_mean" if "ls_mean" in m.columns and m["ls_mean"].notna().any() else "mean"


def _tested_means(result: DifferenceResult) -> pd.DataFrame:
    m = result.means
    if "tested" in m.columns:
        m = m[m["tested"].astype(bool)]
    col = _estimate_col(result)
    return m[m[col].notna()]


def _effect_sentence(test: StatTest, lang: str) -> str | None:
    """The effect size in words; for a result that is not significant, a medium or large
    estimate is said to be uncertain (its interval is wide), so it never reads as a finding."""
    size = effect_magnitude(test.effect_name, test.effect)
    if size is None:
        return None
    name, value = _effect_name(test.effect_name, lang), fmt_number(test.effect, lang)
    ci = test.effect_ci
    has_ci = ci is not None and _finite(ci[0]) and _finite(ci[1])
    if not test.significant and size in ("medium", "large"):
        return _t("diff.effect_uncertain", lang, size=_t(f"effect_size.{size}", lang), name=name, value=value,
                  ci=_t("diff.effect_ci_part", lang, level=_level(test.alpha, lang), low=fmt_number(ci[0], lang),
                        high=fmt_number(ci[1], lang)) if has_ci else "")
    if has_ci:
        return _t("diff.effect_ci", lang, size=_t(f"effect_size.{size}", lang), name=name, value=value,
                  level=_level(test.alpha, lang), low=fmt_number(ci[0], lang), high=fmt_number(ci[1], lang))
    return _t("diff.effect", lang, size=_t(f"effect_size.{size}", lang), name=name, value=value)


def _sensitivity_sentences(result: DifferenceResult, lang: str) -> list[str]:
    primary, checks = result.primary, result.sensitivity
    out: list[str] = []
    ran = [c for c in checks if c.ok]
    if ran and result.agreement is True:
        items = [_t("diff.test_item", lang, test=method_name(c.test, lang), stat=stat_text(c, lang)) for c in ran]
        out.append(_plural("diff.agree", len(items), lang, tests=_join(items, lang)))
    elif ran and result.agreement is False:
        items = []
        for c in (primary, *ran):
            verdict = _t("diff.verdict_yes" if c.significant else "diff.verdict_no", lang)
            items.append(_t("diff.verdict_item", lang, test=method_name(c.test, lang), verdict=verdict,
                            stat=stat_text(c, lang)))
        out.append(_t("diff.disagree", lang, items="; ".join(items)))
    for c in checks:
        if not c.ok:
            out.append(_t("diff.sensitivity_cannot", lang, test=method_name(c.test, lang),
                          reason=reason_text(c.reason_code, c.reason_detail, lang)))
    return out


def _notes_sentence(result: DifferenceResult, lang: str) -> str | None:
    seen: list[Note] = []
    shows_omega = result.primary.effect_name in ("omega2", "partial_omega2")
    for n in (*result.notes, *result.primary.notes):
        if n.code in _NOTES_NOT_IN_PROSE or n in seen:
            continue
        if n.code == "omega_negative_truncated" and not shows_omega:
            continue
        if not _has(f"note.{n.code}", lang):  # never a bare code in a sentence
            continue
        seen.append(n)
    if not seen:
        return None
    return _t("notes", lang, notes="; ".join(note_text(n, lang) for n in seen))


def _rule_sentence(result: DifferenceResult, units: str, lang: str) -> str:
    key = _codes.rule_key(result.rule)
    if key.startswith("forced_to_"):
        return _t("diff.rule.forced", lang, test=method_name(result.primary.test, lang))
    if _has(f"narrative.diff.rule.{key}", lang):
        return _t(f"diff.rule.{key}", lang, units=units, max_n=fmt_int(NORMALITY_MAX_N, lang))
    return _t("diff.rule.forced", lang, test=method_name(result.primary.test, lang))


def _pairwise_sentences(result: DifferenceResult, lang: str, kind: str) -> list[str]:
    pw = result.pairwise
    if pw is None or not result.significant or pw.frame.empty:
        return []
    means = _tested_means(result)
    out: list[str] = []
    if len(means) == 2 or kind == "two_group":
        return out
    method = _t(f"posthoc.{pw.method}", lang) if _has(f"narrative.posthoc.{pw.method}", lang) else pw.name
    if pw.adjust not in ("tukey", "none"):
        method = f"{method}, {_adjustment(pw.adjust, lang)}"
    n_pairs = len(pw.frame)
    k = int(pw.frame["reject"].astype(bool).sum())
    out.append(_t("diff.pairwise", lang, method=method, k=fmt_int(k, lang), m=fmt_int(n_pairs, lang)))
    order = [str(u) for u in means["unit"]]
    top, bottom = order[0], order[-1]
    for who, key in ((top, "top"), (bottom, "bottom")):
        rejected = pw.rejected_with(who)
        same = [other for other in order if other != who and rejected.get(other) is False]
        if same:
            out.append(_t(f"diff.same_as_{key}", lang, unit=who, names=_name_list(same, lang, 6)))
        else:
            out.append(_t(f"diff.differs_from_all_{key}", lang, unit=who))
    if result.letters and len(means) <= FULL_LIST_MAX:
        # a longer list is charted by its ends without letters (report.figures.means_figure)
        out.append(_t("diff.letters", lang))
    return out


def describe_difference(result: DifferenceResult, lang: str, *, unit_label: str = "unit") -> list[str]:
    """The plain-language reading of one comparison (panel, survey or two groups).

    In order: which test is primary and why (the result's ``rule``), the result with its
    statistic (vi ``F(13; 77) = 15,82; p < 0,001``), the effect size in words by Cohen's
    benchmarks, whether the sensitivity tests agree, the assumption and data notes, and — for a
    significant result — the pairwise comparisons: which units do not differ clearly from the
    highest and the lowest, and the compact-letter reading. A result that could not be tested
    gives one sentence with the reason. ``unit_label`` names the units (see
    :func:`_units_phrase`: a unit-type code or a locale table label).
    """
    check_lang(lang)
    kind = result.kind
    units = _units_phrase(unit_label, lang, kind)
    primary = result.primary
    if not result.ok:
        return [_t("diff.cannot", lang, units=units, reason=reason_text(primary.reason_code, primary.reason_detail,
                                                                         lang))]
    out: list[str] = []
    if kind == "survey" and len(result.means):
        respondents = int(result.means["n"].sum())
        out.append(_t("diff.survey_data", lang, respondents=fmt_int(respondents, lang),
                      units=_n_units(len(result.means), lang)))
    out.append(_rule_sentence(result, units, lang))
    key = "diff.result_significant" if result.significant else "diff.result_not_significant"
    out.append(_t(key, lang, units=units, test=method_name(primary.test, lang), stat=stat_text(primary, lang)))
    if kind == "two_group":
        m = _tested_means(result)
        if len(m) == 2:
            col = _estimate_col(result)
            g = [(_group_label(str(r["unit"]), kind, lang), fmt_number(r[col], lang)) for _, r in m.iterrows()]
            out.append(_t("diff.two_means", lang, first=g[0][0], first_value=g[0][1], second=g[1][0],
                          second_value=g[1][1]))
    eff = _effect_sentence(primary, lang)
    if eff:
        out.append(eff)
    out.extend(_sensitivity_sentences(result, lang))
    notes = _notes_sentence(result, lang)
    if notes:
        out.append(notes)
    out.extend(_pairwise_sentences(result, lang, kind))
    return out


# --------------------------------------------------------------------------- headline


def headline_source(brief: Brief) -> str:
    """Where the headline numbers come from: the national table, or the mean of the units."""
    lang, h = brief.lang, brief.headline
    measure = t("measure.total", lang, **brief.spec.voice.words())
    if h.source == "national":
        return _t("headline.source_national", lang, **brief.spec.voice.words(), measure=measure, year=_year(h.year),
                  n=fmt_int(h.n_ranked, lang), scheme=brief.national_scheme.name(lang))
    return _t("headline.source_unit_mean", lang, measure=measure, year=_year(h.year), province=h.province,
              units=_n_units(brief.n_units, lang), scheme=brief.national_scheme.name(lang))


def league_notes(brief: Brief) -> list[str]:
    """Remarks under the league table: no previous year, new and dropped units, ties, trend column."""
    from parbrief.report.names import nation_key

    lang = brief.lang
    out: list[str] = []
    if brief.reorganized and brief.compare_year is None:
        out.append(t(nation_key(brief, "history.no_unit_trend"), lang, reorg_year=_year(brief.year)))
    elif brief.compare_year is None:
        out.append(_t("league.no_previous", lang, previous_year=_year(brief.year - 1)))
    elif not brief.scores_comparable:
        out.append(t("league_extra.method_break", lang, year=_year(brief.year),
                     previous_year=_year(brief.compare_year)))
    if brief.new_units:
        out.append(_t("league.new_units", lang, year=_year(brief.year), names=_join(brief.new_units, lang)))
    if brief.dropped_units and brief.compare_year is not None:
        out.append(_t("league.dropped_units", lang, previous_year=_year(brief.compare_year), year=_year(brief.year),
                      names=_join(brief.dropped_units, lang)))
    out.append(lower_unit_words(t(nation_key(brief, "narrative.league.ranks"), lang), lang))
    if not trends_assessed(brief):  # no "Xu hướng" column to explain (one year, a new map)
        return out
    out.append(lower_unit_words(t(nation_key(brief, "narrative.league.trend_column"), lang, column=t("column.trend", lang),
                  improving=t("standing.label.improving", lang), declining=t("standing.label.declining", lang),
                  adjustment=_adjustment(brief.adjust, lang),
                  min_years=fmt_int(brief.min_years, lang)), lang))
    return out


# --------------------------------------------------------------------------- components


def _components_sentence(brief: Brief) -> str | None:
    comp = brief.components
    if comp is None or len(comp) < 2:
        return None
    lang = brief.lang
    best, worst = comp.iloc[0], comp.iloc[-1]
    return _t("components.best_worst", lang, year=_year(brief.year),
              best=component_name(best["code"], lang, brief.spec), best_pct=fmt_number(best["pct"], lang, 1),
              worst=component_name(worst["code"], lang, brief.spec), worst_pct=fmt_number(worst["pct"], lang, 1),
              worst_unit=str(worst["worst_unit"]), worst_unit_pct=fmt_number(worst["worst_pct"], lang, 1))


def component_summary(brief: Brief) -> list[str]:
    """Strongest and weakest component (% of maximum), the largest changes since last year, and
    the components whose trend over the years is clear (only those their test calls)."""
    lang, comp = brief.lang, brief.components
    out: list[str] = []
    first = _components_sentence(brief)
    if first:
        out.append(first)
    if comp is not None and len(comp) and brief.compare_year is not None and comp["change_pct"].notna().any():
        ch = comp.dropna(subset=["change_pct"])
        parts = []
        up = ch[ch["change_pct"] > 0.05]
        down = ch[ch["change_pct"] < -0.05]
        if len(up):
            r = up.loc[up["change_pct"].idxmax()]
            parts.append(_t("components.most_up", lang, name=component_name(r["code"], lang, brief.spec),
                            change=fmt_signed(r["change_pct"], lang, 1)))
        if len(down):
            r = down.loc[down["change_pct"].idxmin()]
            parts.append(_t("components.most_down", lang, name=component_name(r["code"], lang, brief.spec),
                            change=fmt_signed(r["change_pct"], lang, 1)))
        if parts:
            out.append(_t("components.changes", lang, previous_year=_year(brief.compare_year),
                          parts="; ".join(parts)))
        else:
            out.append(_t("components.no_change", lang, previous_year=_year(brief.compare_year)))
    trends = brief.component_trends
    tested = [tr for tr in trends.values() if tr.ok]
    if tested:
        period = _period(brief.years[0], brief.years[-1], lang)
        # quoted: component names may hold commas ("Chỉ đạo, điều hành"), which would blur the list
        up = [f"“{component_name(c, lang, brief.spec)}”" for c, tr in trends.items()
              if tr.classification == "improving"]
        down = [f"“{component_name(c, lang, brief.spec)}”" for c, tr in trends.items()
                if tr.classification == "declining"]
        if up:
            out.append(_t("components.trend_up", lang, period=period, names=_join(up, lang)))
        if down:
            out.append(_t("components.trend_down", lang, period=period, names=_join(down, lang)))
        if not up and not down:
            out.append(_t("components.trend_none", lang, period=period))
    return out


# --------------------------------------------------------------------------- key findings


# --------------------------------------------------------------------------- methods


def _band_text(band: Any, lang: str, decimals: int = 2) -> str:
    lo, hi = band.min, band.max
    label = band.label(lang)
    if lo is not None and hi is not None:
        return _t("methods.band_range", lang, label=label, min=fmt_cutoff(lo, lang, decimals),
                  max=fmt_cutoff(hi, lang, decimals))
    if lo is not None:
        return _t("methods.band_min", lang, label=label, min=fmt_cutoff(lo, lang, decimals))
    if hi is not None:
        return _t("methods.band_max", lang, label=label, max=fmt_cutoff(hi, lang, decimals))
    return label


def _scheme_text(scheme: Any, lang: str, decimals: int = 2) -> str:
    """A scheme's bands for the methods: thresholds in points, or each quantile group's share."""
    if not scheme.is_quantile:
        return "; ".join(_band_text(b, lang, decimals) for b in scheme.bands)
    parts = [_t("methods.band_share", lang, label=b.label(lang), share=fmt_number(100 * share, lang, 0))
             for b, share in zip(scheme.bands, scheme.cut_shares())]
    return _t("methods.bands_quantile", lang, bands="; ".join(parts))


def trends_assessed(brief: Brief) -> bool:
    """Whether any unit's standing trend was assessed (enough years): else the league table has no
    "Xu hướng" column, which would say "Chưa đủ số năm" on every row."""
    st = getattr(brief, "standing", None)
    return st is not None and any(tab.n_screened for tab in st.by_type.values())


def _serial_sentence(brief: Brief) -> str | None:
    """Where the tests' year-to-year correlation came from: the store's provinces, or the province alone."""
    stored = [r.serial for r in brief.panel.values() if r.serial.get("rho_source") == "store"]
    tested = [r for r in brief.panel.values() if r.serial] + [
        t for t in brief.standing.by_type.values() if t.n_screened]
    if stored:
        biggest = max(stored, key=lambda d: d.get("pool_units", 0))
        return _t("methods.serial_store", brief.lang, n_units=fmt_int(biggest["pool_units"], brief.lang),
                  n_provinces=fmt_int(biggest["pool_panels"], brief.lang))
    if tested and getattr(brief, "national", False):  # the nation's units are the provinces themselves
        n = fmt_int(int(brief.current["unit"].nunique()), brief.lang)
        return _t("methods.serial_national", brief.lang, n=n)
    if tested:
        return _t("methods.serial_own", brief.lang, min_provinces=fmt_int(MIN_POOL_PANELS, brief.lang))
    return None


def _method_changes(spec: Any, lang: str) -> str:
    """The sentence on the spec's method changes ("vì phương pháp đánh giá thay đổi năm 2020 và năm
    2022, …"), empty for an index with one method."""
    years = [v.first_year for v in spec.versions[1:] if v.first_year is not None]
    if not years:
        return ""
    items = [_t("methods.change_year", lang, year=_year(y)) for y in years]
    return _t("methods.changes", lang, years=join_names(items, lang))


def methods_text(brief: Brief) -> list[str]:
    """Short paragraphs for "Phương pháp và nguồn dữ liệu" / "Methods and data sources": trends,
    differences, survey (when present), ratings and ranks, significance level, headline source."""
    lang = brief.lang
    alpha = fmt_number(brief.alpha, lang, 2 if round(brief.alpha, 2) == brief.alpha else 3)
    level = _level(brief.alpha, lang)
    if brief.adjust in ("none", None):
        unit_adjustment = _t("methods.unadjusted_units", lang)
    else:
        unit_adjustment = _t("methods.adjusted_units", lang, adjust=_adjust_name(brief.adjust, lang))
    from parbrief.report.names import province_phrase

    out = [_t("methods.trends", lang, **brief.spec.voice.words(), level=level, adjustment=unit_adjustment,
              alpha=alpha, min_years=fmt_int(brief.min_years, lang), body=province_phrase(brief),
              method_changes=_method_changes(brief.spec, lang))]
    if not getattr(brief, "national", False):  # the nation has no standing among provinces
        out[0] = f"{out[0]} " + _t("methods.trends_body", lang, **brief.spec.voice.words(), body=province_phrase(brief))
    small, medium, large = EFFECT_THRESHOLDS["partial_eta2"]
    out.append(_t("methods.differences", lang, adjustment=_adjustment(brief.adjust, lang),
                  small=fmt_number(small, lang), medium=fmt_number(medium, lang), large=fmt_number(large, lang)))
    serial = _serial_sentence(brief)
    if serial:
        out[-1] = f"{out[-1]} {serial}"
    if brief.groups is not None:
        from parbrief.analysis.brief import unit_types
        from parbrief.report.names import group_label

        first, second = (group_label(brief, u) for u in unit_types(brief.current)[:2])
        out.append(_t("methods.groups", lang, year=_year(brief.year), first=first, second=second))
    if brief.survey is not None:
        min_n = brief.survey_min_n  # what build_brief passed to survey_differences
        for n in brief.survey.notes:
            if n.code == "groups_dropped_small":
                min_n = n.detail.get("min_n", min_n)
        out.append(_t("methods.survey", lang, max_n=fmt_int(NORMALITY_MAX_N, lang), min_n=fmt_int(min_n, lang)))
    bands = _scheme_text(brief.scheme, lang, brief.spec.rank_decimals)
    out.append(_t("methods.ratings", lang, scheme=brief.scheme.name(lang), bands=bands,
                  national_scheme=brief.national_scheme.name(lang)))
    out.append(_t("methods.alpha", lang, alpha=alpha))
    out.append(headline_source(brief))
    return out
