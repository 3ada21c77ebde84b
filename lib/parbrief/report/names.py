"""How the brief names provinces, units and bands in a sentence (vi / en).

"tỉnh Sóc Trăng", "thành phố Cần Thơ", "Thành phố Hồ Chí Minh" (official names, the common noun
lowercase inside a sentence unless part of the name); a unit type as the province's units are
("Quận, huyện" in a centrally-run city, "Huyện, thị xã, thành phố", "Xã, phường"); a band as
"thuộc nhóm B (đạt từ 80% đến dưới 90%)" in a sentence and "Nhóm B" on a card. Used by
:mod:`parbrief.report.leader`, :mod:`parbrief.report.narrative` and the sections.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from parbrief.analysis.brief import Brief
from parbrief.text.admin_case import PROPER_NAMES, lower_first, lower_unit_words
from parbrief.text.codes import join_names
from parbrief.text.messages import has_key, t
from parbrief.text.voice import DEFAULT_VOICE, Voice

__all__ = ["band_phrase", "band_short", "group_label", "nation_key", "predecessor_phrase", "province_phrase", "say",
           "unit_kinds", "unit_label", "voice_of", "words"]

#: Name prefixes of administrative units and their kind codes (``brief.unit_kind.*``), in the
#: order official documents list them ("quận, huyện, thị xã, thành phố"; "xã, phường, đặc khu").
_KINDS = (("Quận", "quan"), ("Huyện", "huyen"), ("Thị xã", "thi_xa"), ("Thành phố", "thanh_pho"),
          ("Thị trấn", "thi_tran"), ("Xã", "xa"), ("Phường", "phuong"), ("Đặc khu", "dac_khu"))


def voice_of(brief: Any) -> Voice:
    """The spec's words of a brief or an overview (their ``spec.voice``; the PAR INDEX's without a spec)."""
    spec = getattr(brief, "spec", None)
    return getattr(spec, "voice", None) or DEFAULT_VOICE


def words(brief: Any) -> dict[str, Any]:
    """The spec's words as placeholder values (``{index}``, ``{ranked}``, ``{ranked_peers}``, …)."""
    return voice_of(brief).words()


def say(key: str, lang: str, /, **values: Any) -> str:
    """A sentence of ``brief.*`` with administrative-unit words lowercased inside it (vi)."""
    return lower_unit_words(t(f"brief.{key}", lang, **values), lang)


def nation_key(brief: Brief, key: str) -> str:
    """``key``, or in the nation's brief its wording for provinces as the units (``national.over.<key>``)."""
    over = f"national.over.{key}"
    return over if getattr(brief, "national", False) and has_key(over, brief.lang) else key


def cap(text: str) -> str:
    """The first letter upper-cased (a heading, a sentence start)."""
    return text[:1].upper() + text[1:] if text else text


def province_phrase(brief: Brief, *, start: bool = False) -> str:
    """The evaluated body as a sentence names it: the province ("tỉnh Sóc Trăng", "thành phố Cần Thơ",
    "Thành phố Hồ Chí Minh": vi, official name, the common noun lowercase unless part of the name;
    the data's name in English), put into the spec's ``evaluator.body`` when it has one ("Công an
    tỉnh Sóc Trăng"); the nation's brief: "the national average". ``start``: at the start of a
    sentence (capitalized)."""
    if getattr(brief, "national", False):
        return t("national.card.mean", brief.lang) if start else lower_first(t("national.card.mean", brief.lang))
    voice = voice_of(brief)
    if voice.body is None:
        return _official_phrase(brief.official_name or brief.province, brief.province, brief.lang, start=start)
    phrase = _official_phrase(brief.official_name or brief.province, brief.province, brief.lang)
    return voice.body_phrase(phrase, brief.province, brief.lang, start=start)


def _official_phrase(official: str, short: str, lang: str, *, start: bool = False) -> str:
    if lang != "vi":
        return short
    if official in PROPER_NAMES or start:
        return official
    return lower_first(official) if official.startswith(("Tỉnh ", "Thành phố ")) else official


def predecessor_phrase(names: Sequence[str], year: int, lang: str) -> str:
    """Predecessor provinces by their official names of ``year`` ("thành phố Cần Thơ, tỉnh Hậu Giang và …")."""
    from parbrief.data.crosswalk import province_official_name

    out = []
    for n in names:
        try:
            official = province_official_name(n, year)
        except KeyError:
            official = n
        out.append(_official_phrase(official, n, lang))
    return join_names(out, lang)


def unit_kinds(names: Sequence[str]) -> list[str]:
    """Kind codes of the administrative units among ``names`` (by their prefix), in official order;
    empty when none is recognized (departments, test data)."""
    present = set()
    for name in names:
        for prefix, code in _KINDS:
            if str(name).startswith(prefix + " "):
                present.add(code)
                break
    return [code for _, code in _KINDS if code in present]


def _kinds_text(brief: Brief, unit_type: str) -> str | None:
    """"quận, huyện", "huyện, thị xã, thành phố", "xã, phường" from this year's unit names."""
    if unit_type not in ("district", "commune"):
        return None
    names = brief.current.loc[brief.current["unit_type"] == unit_type, "unit"].astype(str).tolist()
    words = [t(f"brief.unit_kind.{k}", brief.lang) for k in unit_kinds(names)]
    if not words:
        return None
    # official lists of unit kinds are written with commas only ("quận, huyện, thị xã")
    return ", ".join(words) if brief.lang == "vi" else join_names(words, brief.lang)


def unit_label(brief: Brief, unit_type: str, *, plural: bool = False) -> str:
    """A unit type as this province's units are: "Quận, huyện" (Cần Thơ, 2024), "Huyện, thị xã,
    thành phố", "Xã, phường"; ``plural``: "các quận, huyện" (for a sentence). Types without
    administrative prefixes (departments) keep the locale's words."""
    lang = brief.lang
    own = voice_of(brief).unit_type(unit_type)
    if own is not None:  # the spec's words ("Công an các huyện, thị xã, thành phố")
        return own.units.text(lang) if plural else own.label.text(lang)
    kinds = _kinds_text(brief, unit_type)
    if kinds is None:
        if plural:  # English sentences put their own "the" before the units
            key = f"narrative.units.{unit_type}"
            words = t(key, lang) if has_key(key, lang) else t("narrative.units.unit", lang)
            return words.removeprefix("the ") if lang == "en" else words
        key = f"unit_type.{unit_type}"
        return t(key, lang) if has_key(key, lang) else unit_type
    if plural:
        return t("brief.unit.kinds_plural", lang, kinds=kinds)
    return cap(t("brief.unit.kinds_label", lang, kinds=kinds))


def group_label(brief: Brief, unit_type: str) -> str:
    """The block of units of a type in a two-block comparison: "khối quận, huyện", "khối sở, ban, ngành"."""
    own = voice_of(brief).unit_type(unit_type)
    if own is not None:
        return own.group.text(brief.lang)
    kinds = _kinds_text(brief, unit_type)
    if kinds is None:
        key = f"narrative.group_name.{unit_type}"
        return t(key, brief.lang) if has_key(key, brief.lang) else unit_type
    return t("brief.unit.group", brief.lang, kinds=kinds)


_PAREN = re.compile(r"^(?P<short>[^()]+?)\s*\((?P<range>[^()]+)\)\s*$")


def band_short(label: str | None) -> str:
    """A band's name without its range: "Nhóm B (từ 80% đến dưới 90%)" → "Nhóm B" (the card)."""
    if not label:
        return t("misc.missing", "vi")
    m = _PAREN.match(label)
    return m.group("short") if m else label


def band_phrase(label: str | None, lang: str, *, group: bool = False) -> str:
    """The band in a sentence: "thuộc nhóm B (đạt từ 80% đến dưới 90%)", "xếp loại Tốt"; a
    quantile group (``group``): "thuộc nhóm cao nhất" / "in the highest group"."""
    if not label:
        return ""
    if group:
        return t("brief.band.group", lang, label=lower_first(label))
    m = _PAREN.match(label)
    if m:
        short = lower_first(m.group("short")) if lang == "vi" else m.group("short")
        return t("brief.band.with_range", lang, short=short, range=m.group("range"))
    return t("brief.band.plain", lang, label=label)
