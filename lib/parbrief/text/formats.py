"""Numbers in the brief's language (``vi`` or ``en``).

Vietnamese writes numbers with a decimal comma and dot thousands ("1.234,56"), English with a
decimal point and comma thousands ("1,234.56"). Every number a leader reads goes through these
functions so a brief never mixes the two conventions.

Hand-written on purpose (no Babel): Python's format mini-language already does the grouping, and
the only locale-specific step is swapping the two separator characters; Babel is not a declared
dependency and rounds half-to-even, whereas officials round scores half-up by hand (84,125 →
84,13), which is what :func:`fmt_number` does (on the decimal text of the float, so 2.675 → 2.68).

Negative numbers use the typographic minus sign U+2212 ("−0,50"), missing values an en dash
("–"). Fixed strings (headings, column labels, messages) live in ``text/locales/<lang>.yaml`` and
are read with :func:`parbrief.text.messages.t`.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

__all__ = [
    "LANGS",
    "MINUS",
    "MISSING",
    "check_lang",
    "fmt_cutoff",
    "fmt_date",
    "fmt_int",
    "fmt_number",
    "fmt_p",
    "fmt_percent",
    "fmt_signed",
]

LANGS: tuple[str, ...] = ("vi", "en")
MINUS = "\u2212"  # typographic minus sign
MISSING = "\u2013"  # en dash for a missing value

_SEPARATORS = {"vi": (",", "."), "en": (".", ",")}  # (decimal mark, thousands separator)


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is a supported brief language, else raise ``ValueError`` naming them."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of: {', '.join(LANGS)}")
    return lang


def _as_decimal(x: Any) -> Decimal | None:
    """``x`` as a Decimal from its shortest round-trip text, or ``None`` when missing/not finite."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    if math.isnan(f) or math.isinf(f):
        return None
    try:
        return Decimal(repr(f))
    except InvalidOperation:  # pragma: no cover - repr of a finite float is always valid
        return None


def _format_abs(d: Decimal, lang: str, decimals: int) -> tuple[str, bool]:
    """Format ``|d|`` rounded half-up to ``decimals``; also return whether the rounded value is < 0."""
    q = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    r = d.quantize(q, rounding=ROUND_HALF_UP)
    negative = r < 0  # "-0.00" after rounding is zero, not negative
    text = f"{abs(r):,.{max(decimals, 0)}f}"  # "1,234.56": grouping by Python, then swap marks
    dec, thou = _SEPARATORS[lang]
    text = text.replace(",", "\0").replace(".", dec).replace("\0", thou)
    return text, negative


def fmt_number(x: Any, lang: str, decimals: int = 2) -> str:
    """A number in the locale's format: vi ``1.234,56``, en ``1,234.56``; ``–`` when missing.

    Rounds half-up on the number's decimal text; negatives get the minus sign U+2212.
    """
    check_lang(lang)
    d = _as_decimal(x)
    if d is None:
        return MISSING
    text, negative = _format_abs(d, lang, decimals)
    return f"{MINUS}{text}" if negative else text


def fmt_cutoff(x: Any, lang: str, max_decimals: int = 2) -> str:
    """A band cut-off at the precision it is written with, up to the spec's ``rank_decimals``.

    ``80`` → "80", ``35.65`` → "35,65", ``87.5`` → "87,5": as many decimals as the cut-off needs
    (at most ``max_decimals``), so a threshold is never printed rounder than the scores it cuts
    (35.65 as "35,7" would put a printed 35,66 below it).
    """
    check_lang(lang)
    d = _as_decimal(x)
    if d is None:
        return MISSING
    q = Decimal(1).scaleb(-max_decimals) if max_decimals > 0 else Decimal(1)
    needed = max(-d.quantize(q, rounding=ROUND_HALF_UP).normalize().as_tuple().exponent, 0)
    return fmt_number(d, lang, min(needed, max(max_decimals, 0)))


def fmt_signed(x: Any, lang: str, decimals: int = 2) -> str:
    """A change with an explicit sign: ``+1,25`` / ``−0,50`` (U+2212); zero after rounding has no sign."""
    check_lang(lang)
    d = _as_decimal(x)
    if d is None:
        return MISSING
    text, negative = _format_abs(d, lang, decimals)
    if negative:
        return f"{MINUS}{text}"
    return text if d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) == 0 else f"+{text}"


def fmt_int(x: Any, lang: str) -> str:
    """A whole number with thousands separators (vi ``12.345``, en ``12,345``); ``–`` when missing."""
    return fmt_number(x, lang, decimals=0)


def fmt_percent(x: Any, lang: str, decimals: int = 1) -> str:
    """A *fraction* as a percentage: ``0.853`` → vi ``85,3%``, en ``85.3%``; ``–`` when missing."""
    check_lang(lang)
    d = _as_decimal(x)
    if d is None:
        return MISSING
    return fmt_number(d * 100, lang, decimals) + "%"


def fmt_p(p: Any, lang: str) -> str:
    """A p-value as reported in text: ``p < 0,001`` below 0.001, else ``p = 0,032`` (3 decimals)."""
    check_lang(lang)
    d = _as_decimal(p)
    if d is None:
        return MISSING
    if d < Decimal("0.001"):
        return f"p < {fmt_number(0.001, lang, 3)}"
    return f"p = {fmt_number(d, lang, 3)}"


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def fmt_date(d: Any, lang: str) -> str:
    """A calendar date as a leader reads it: vi ``01/7/2025``, ``02/12/2026``, ``15/01/2026``; en ``1 July 2025``.

    Vietnamese follows Nghị định 30/2020/NĐ-CP (Phụ lục I): a day below 10 and the months 1 and 2
    take a leading zero, other months do not. ``d`` is a ``date``/``datetime`` or ISO text
    (``"2026-12-01"``, a timestamp); "–" when missing or unreadable.
    """
    check_lang(lang)
    if isinstance(d, datetime):
        d = d.date()
    elif isinstance(d, str):
        try:
            d = date.fromisoformat(d.strip()[:10])
        except ValueError:
            return MISSING
    if not isinstance(d, date):
        return MISSING
    if lang == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{d.day:02d}/{month}/{d.year}"
