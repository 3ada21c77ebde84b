"""Sentences and labels on movement over the years: standing among peers, raw path, national rank.

Claims come only from the calibrated standing trends (:mod:`parbrief.stats.standing`); the raw
path within the current method is described, never tested; every "not assessed" gives its reason
(too few years, the new map, a new unit).
"""

from __future__ import annotations

from typing import Any

from parbrief.analysis.standing import StandingSummary
from parbrief.text.admin_case import lower_unit_words
from parbrief.text.formats import fmt_int, fmt_number
from parbrief.text import messages as _messages
from parbrief.stats.standing import RawPath, StandingTable
from parbrief.text.voice import DEFAULT_VOICE, Voice

__all__ = ["movement_sentences", "province_movement_sentence", "standing_label", "standing_sentence"]

def t(key: str, lang: str, /, **values: Any) -> str:
    """A locale string with administrative-unit words lowercased inside the sentence (vi)."""
    return lower_unit_words(_messages.t(key, lang, **values), lang)


#: Units named in one sentence at most; the rest are counted.
MAX_NAMED = 3


def _name_list(names: list[str], lang: str, limit: int | None) -> str:
    """"A, B và C" / "A, B and C", or "A, B, C và 2 đơn vị khác" beyond ``limit``."""
    if limit is not None and len(names) > limit:
        others = t("narrative.n_other_units", lang, n=fmt_int(len(names) - limit, lang))
        return t("narrative.list_more", lang, names=", ".join(names[:limit]), others=others)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {t('misc.and', lang)} {names[-1]}"


def _peers(unit_type: str, lang: str) -> str:
    key = f"narrative.units.{unit_type}"
    try:
        return t(key, lang)
    except KeyError:
        return t("narrative.units.unit", lang)


def standing_label(classification: str | None, lang: str, reason: str | None = None) -> str:
    """League-table label of a unit's standing trend ("Cải thiện vị trí", "Tụt vị trí", …)."""
    if classification is None:
        return t("misc.missing", lang)
    if classification == "insufficient" and reason == "new_unit":
        return t("standing.label.new_unit", lang)
    return t(f"standing.label.{classification}", lang)


def _span(years: tuple[int, ...]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")


def standing_sentence(table: StandingTable, unit_type: str, lang: str, *, reorganized: bool = False,
                      limit: int | None = MAX_NAMED, peers: str | None = None) -> str:
    """Which units of a type improved or slipped relative to their peers, or why none was assessed.

    ``peers`` names the units as the province's are ("các quận, huyện"; default: the type's words)."""
    peers = peers or _peers(unit_type, lang)
    if table.n_screened == 0:
        n = len(table.years)
        key = "standing.units_too_few_new_map" if reorganized else "standing.units_too_few"
        return t(key, lang, peers=peers, n=fmt_int(n, lang), min_years=fmt_int(table.min_years, lang))
    up = sorted((tr for tr in table.trends if tr.classification == "improving"), key=lambda tr: -tr.slope)
    down = sorted((tr for tr in table.trends if tr.classification == "declining"), key=lambda tr: tr.slope)
    period = _span(table.years)
    lists = {"improving_list": _name_list([tr.unit for tr in up], lang, limit),
             "declining_list": _name_list([tr.unit for tr in down], lang, limit)}
    bare = peers.removeprefix("the ") if lang == "en" else peers
    if up and down:
        return t("standing.units_both", lang, peers=peers, peers_bare=bare, period=period, **lists)
    if up:
        return t("standing.units_improving", lang, peers=peers, peers_bare=bare, period=period, **lists)
    if down:
        return t("standing.units_declining", lang, peers=peers, peers_bare=bare, period=period, **lists)
    return t("standing.units_none", lang, peers=peers, period=period)


def _path_sentence(path: RawPath | None, name: str, lang: str) -> str | None:
    if path is None or path.code == "single_year" or len(path.years) < 2:
        return None
    common = dict(name=name, since=str(path.years[0]), year=str(path.years[-1]),
                  first=fmt_number(path.values[0], lang), last=fmt_number(path.values[-1], lang))
    if path.code in ("rising_run", "falling_run"):
        key = "standing.path_rising" if path.code == "rising_run" else "standing.path_falling"
        return t(key, lang, n=fmt_int(path.run_length, lang), **common)
    return t(f"standing.path_{path.code}", lang, **common)


def province_movement_sentence(standing: StandingSummary, name: str, lang: str, *, reorganized: bool = False,
                               min_years: int = 5, voice: Voice = DEFAULT_VOICE) -> list[str]:
    """The province's standing among the provinces (tested) and its raw path (described); the
    provinces named as ``voice`` says ("Công an các tỉnh, thành phố")."""
    out: list[str] = []
    peers = voice.words()["ranked_peers"]
    own = standing.province
    if own is not None:
        ranks = ""
        if len(standing.rank_path) >= 2:
            (y0, r0, n0), (y1, r1, n1) = standing.rank_path[0], standing.rank_path[-1]
            ranks = t("standing.rank_path", lang, first_rank=fmt_int(r0, lang), first_n=fmt_int(n0, lang),
                      first_year=str(y0), last_rank=fmt_int(r1, lang), last_n=fmt_int(n1, lang), last_year=str(y1))
        if not own.ok:
            key = "standing.province_new_map" if reorganized else "standing.province_too_few"
            out.append(t(key, lang, name=name, n=fmt_int(own.n_years, lang), min_years=fmt_int(min_years, lang),
                         ranked_peers=peers))
        else:
            key = {"improving": "standing.province_improving", "declining": "standing.province_declining"}.get(
                own.classification, "standing.province_none")
            out.append(t(key, lang, name=name, period=_span(own.years), ranks=ranks, ranked_peers=peers))
    path = _path_sentence(standing.province_path, name, lang)
    if path:
        out.append(path)
    return out


def movement_sentences(standing: StandingSummary, lang: str, *, reorganized: bool = False,
                       limit: int | None = MAX_NAMED, voice: Voice = DEFAULT_VOICE) -> list[str]:
    """One sentence per unit type on standing, plus the new units that could not be assessed
    (the units named as the spec's ``voice`` names them, else the type's words)."""
    def peers(unit_type: str) -> str | None:
        own = voice.unit_type(unit_type)
        if own is None:
            return None
        words = own.units.text(lang)  # English sentences here take "the districts", as the locale's
        return words if lang != "en" or words.startswith("the ") else f"the {words}"

    out = [standing_sentence(tab, unit_type, lang, reorganized=reorganized, limit=limit, peers=peers(unit_type))
           for unit_type, tab in standing.by_type.items()]
    new = [tr.unit for tab in standing.by_type.values() for tr in tab.trends if tr.reason_code == "new_unit"]
    if new and any(tab.n_screened for tab in standing.by_type.values()):
        out.append(t("standing.units_new", lang, names=_name_list(new, lang, limit)))
    return out
