"""Texts of the codes statistics return: notes (``note.<code>``) and "cannot test" reasons
(``reason.<code>``), with their numeric detail written for the language.

Statistics return a stable ``code`` and a ``detail`` mapping of numbers (``stats._results.Note``,
``StatTest.reason_code``); the sentence lives in ``text/locales/<lang>/stats.yaml`` and is filled
here, so the brief (``report.narrative``) and the English convenience properties of the result
objects (``Note.text``, ``StatTest.reason``, ``Trend.reason``) read the same words. Numbers go
through :mod:`parbrief.text.formats`: p-values as ``p = 0,032``, years as written, counts with
thousands separators, other numbers with 3 decimals, rule and test codes by their names.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Mapping, Sequence

from parbrief.text.formats import check_lang, fmt_int, fmt_number, fmt_p
from parbrief.text.messages import fill, has_key, t

__all__ = [
    "YEAR_KEYS",
    "detail_values",
    "join_names",
    "method_name",
    "note_text",
    "reason_text",
    "rule_key",
    "rule_name",
]

#: Detail keys that hold years: printed as is (no thousands separator: 2024, not 2.024).
YEAR_KEYS = frozenset({"year", "first", "last", "first_year", "last_year", "previous_year", "since",
                       "first_excluded", "last_excluded", "first_used", "last_used"})


def join_names(items: Sequence[Any], lang: str) -> str:
    """A list of names as text: "A, B và C" / "A, B and C"."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('misc.and', lang)} {items[-1]}"


def method_name(code: str, lang: str) -> str:
    """Localized name of a test code (``anova_welch`` → "ANOVA Welch" / "Welch's ANOVA")."""
    key = f"test.{code}"
    return t(key, lang) if has_key(key, lang) else code


def rule_key(rule: str) -> str:
    """The locale key part of a test-choice rule (``"forced→welch"`` → ``"forced_to_welch"``)."""
    return rule.replace("→", "_to_")


def rule_name(rule: str, lang: str) -> str:
    """The name of the rule that chose a primary test (``narrative.rule_name.*``)."""
    key = f"narrative.rule_name.{rule_key(rule)}"
    if has_key(key, lang):
        return t(key, lang)
    if rule.startswith("forced→"):
        return t("narrative.rule_name.forced", lang, test=rule.split("→", 1)[1])
    return rule


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def detail_values(detail: Mapping[str, Any], lang: str) -> dict[str, str]:
    """A note's / reason's detail formatted for ``lang`` (see the module docstring)."""
    out: dict[str, str] = {}
    for key, value in detail.items():
        if key in ("p", "mk_p"):
            out[key] = fmt_p(value, lang)
        elif key in YEAR_KEYS and _finite(value):
            out[key] = str(int(value))
        elif key == "rule":
            out[key] = rule_name(str(value), lang)
        elif key in ("significant", "not_significant", "primary"):
            codes = [c.strip() for c in str(value).split(",") if c.strip()]
            out[key] = join_names([method_name(c, lang) for c in codes], lang)
        elif isinstance(value, bool) or value is None:
            out[key] = str(value)
        elif isinstance(value, numbers.Integral):
            out[key] = fmt_int(int(value), lang)
        elif isinstance(value, numbers.Real):
            v = float(value)
            out[key] = fmt_int(v, lang) if v.is_integer() and abs(v) < 1e15 else fmt_number(v, lang, 3)
        else:
            out[key] = str(value)
    return out


def _code_text(section: str, code: str | None, detail: Mapping[str, Any] | None, lang: str) -> str:
    check_lang(lang)
    if code is None:
        return ""
    key = f"{section}.{code}"
    if not has_key(key, lang):  # a code without a text: shown as the code (a test lists every code)
        return code
    return fill(key, lang, detail_values(dict(detail or {}), lang))


def note_text(code: str, detail: Mapping[str, Any] | None, lang: str) -> str:
    """The text of a note (an assumption check, a data remark) in ``lang``."""
    return _code_text("note", code, detail, lang)


def reason_text(code: str | None, detail: Mapping[str, Any] | None, lang: str) -> str:
    """Why a test could not be run, in ``lang`` ("" when ``code`` is ``None``)."""
    return _code_text("reason", code, detail, lang)
