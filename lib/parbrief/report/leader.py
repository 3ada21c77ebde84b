"""The leader's first screen in words: cards, key findings, "Cần quan tâm", names of units and provinces.

Everything here reads results the brief already holds (:class:`~parbrief.analysis.brief.Brief`):
the headline, the calibrated standing trends, the difference tests' verdicts, the components,
the survey and :mod:`parbrief.analysis.attention`. A finding claims a difference or a movement
only when its test does, but says it in plain words: no statistic, no test name, no p-value
(those stay in the methods section and the analysis pages). Sentences come from
``text/locales/<lang>/brief.yaml``; administrative-unit words are lowercased inside a sentence
(:func:`parbrief.text.admin_case.lower_unit_words`).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from parbrief.analysis.brief import Brief
from parbrief.analysis.headline import Headline
from parbrief.report import narrative as N
from parbrief.report import national as NL
from parbrief.report.names import (band_phrase, band_short, group_label, nation_key, predecessor_phrase,
                                   province_phrase, say, unit_label, voice_of, words)
from parbrief.text.admin_case import lower_first, lower_unit_words
from parbrief.text.codes import join_names
from parbrief.text.formats import fmt_int, fmt_number, fmt_signed
from parbrief.text.messages import t

__all__ = [
    "FIRST_SCREEN_FINDINGS",
    "MAX_FINDINGS",
    "attention_items",
    "bands_finding",
    "cards",
    "difference_plain",
    "findings",
    "groups_plain",
    "headline_sentences",
    "survey_plain",
]

#: Findings shown at most (and at least three whenever the brief has that many to say).
MAX_FINDINGS = 5
#: Findings shown when the fifth would be neither the headline nor a called movement: four keep the
#: first screen short enough (1280×800) to show the start of "Cần quan tâm" under them.
FIRST_SCREEN_FINDINGS = 4
#: Priority from which a finding is kept up to MAX_FINDINGS (the headline, the bands, the province's
#: and each unit type's clear movement): the sentences of lower priority are told in their sections.
MUST_SAY = 80

def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- cards and headline


def _rank_note(h: Headline, lang: str) -> str:
    if h.rank_change is None:
        return ""
    rc = int(h.rank_change)
    if rc > 0:
        return t("brief.card.rank_note_up", lang, n=fmt_int(rc, lang))
    if rc < 0:
        return t("brief.card.rank_note_down", lang, n=fmt_int(-rc, lang))
    return t("brief.card.rank_note_same", lang)


def _gap_note(h: Headline, lang: str) -> str:
    gap = h.national_gap
    if not _finite(gap):
        return ""
    if round(float(gap), 2) == 0:
        return t("brief.card.gap_same", lang)
    key = "brief.card.gap_above" if gap > 0 else "brief.card.gap_below"
    return t(key, lang, value=fmt_number(abs(gap), lang))


def _region_name(h: Headline, lang: str) -> str:
    name = t(f"brief.region.{h.region}", lang)
    return t("brief.card.region_provisional", lang, region=name) if h.region_provisional else name


def cards(brief: Brief) -> tuple[tuple[str, ...], ...]:
    """The first screen's cards: score, band ("Nhóm B"), national rank (with its change), change
    since last year, national average (with the gap) and rank in the region (with the region)."""
    if brief.national:
        return NL.cards(brief)
    lang, h = brief.lang, brief.headline
    missing = t("misc.missing", lang)
    if h.change is not None:
        change_label = t("brief.card.change", lang, previous_year=str(h.previous_year))
        change = t("brief.card.change_value", lang, value=fmt_signed(h.change, lang))
    else:
        change_label = t("headline.change", lang)
        change = (t(f"headline_extra.kpi_{h.no_change_reason}", lang)
                  if h.no_change_reason in ("new_province", "method_break", "new_map") else t("headline.no_previous", lang))
    out: list[tuple[str, ...]] = [
        (t("headline.score", lang, **words(brief)), fmt_number(h.score, lang)),
        (t("headline.rating", lang), band_short(h.band_label) if h.band_label else missing),
        (t("brief.card.rank", lang),
         t("headline.rank_of", lang, rank=fmt_int(h.rank, lang), n=fmt_int(h.n_ranked, lang)) if h.rank else missing,
         _rank_note(h, lang)),
        (change_label, change),
    ]
    if _finite(h.national_mean):
        out.append((t("brief.card.national", lang), fmt_number(h.national_mean, lang), _gap_note(h, lang)))
    if h.region_rank is not None and h.region:
        out.append((t("brief.card.region", lang),
                    t("brief.card.region_value", lang, rank=fmt_int(h.region_rank, lang), n=fmt_int(h.region_n, lang)),
                    _region_name(h, lang)))
    return tuple(out)


def _change_clause(brief: Brief) -> str:
    """"tăng 2,35 điểm và tăng 4 bậc so với năm 2023", or why there is no comparison."""
    lang, h = brief.lang, brief.headline
    if h.change is not None and _finite(h.change) and h.previous_year is not None:
        direction = "up" if h.change > 0 else ("down" if h.change < 0 else "same")
        score_change = t(f"narrative.change.{direction}", lang, value=fmt_number(abs(h.change), lang))
        if h.rank_change is not None:
            rc = int(h.rank_change)
            rank_change = (N._plural("rank.up", rc, lang) if rc > 0 else
                           N._plural("rank.down", -rc, lang) if rc < 0 else t("narrative.rank.same", lang))
            return t("narrative.headline.change_both", lang, score_change=score_change, rank_change=rank_change,
                     previous_year=str(h.previous_year))
        return t("narrative.headline.change_score", lang, score_change=score_change, previous_year=str(h.previous_year))
    if h.no_change_reason == "new_province":
        return t("brief.headline.new_province", lang, province=province_phrase(brief), year=str(h.year),
                 previous_year=str(h.year - 1), predecessors=predecessor_phrase(h.predecessors, h.year - 1, lang))
    if h.no_change_reason in ("method_break", "new_map"):
        return t(f"headline_extra.{h.no_change_reason}", lang, year=str(h.year), previous_year=str(h.year - 1),
                 predecessors=join_names(list(h.predecessors), lang))
    return t("narrative.headline.no_previous", lang, previous_year=str(h.year - 1))


def _band_move(brief: Brief) -> str | None:
    """"So với năm 2024, xếp loại của tỉnh Hà Tĩnh giảm từ nhóm B xuống nhóm C": the province's own
    band against last year's, on fixed thresholds (last year's score is this year's less the change,
    both as published); None when the band held, or without a comparable score."""
    h, scheme, lang = brief.headline, brief.national_scheme, brief.lang
    if scheme.is_quantile or h.source != "national" or not (_finite(h.score) and _finite(h.change)):
        return None
    before = scheme.band_for(round(float(h.score) - float(h.change), brief.spec.rank_decimals))
    after = scheme.band_for(float(h.score))
    if before is None or after is None or before.code == after.code:
        return None
    codes = scheme.codes()

    def name(band: Any) -> str:
        short = band_short(band.label(lang))
        return lower_first(short) if lang == "vi" and short.startswith("Nhóm ") else short

    key = "headline.band_down" if codes.index(after.code) > codes.index(before.code) else "headline.band_up"
    return say(key, lang, previous_year=str(h.previous_year), province=province_phrase(brief),
               before=name(before), after=name(after))


def headline_sentences(brief: Brief) -> list[str]:
    """The first finding: score, band, national and regional rank, change; then the gap to the
    national average (of the printed values: 83,90 − 78,66 = 5,24)."""
    if brief.national:
        return NL.headline_sentences(brief)
    lang, h = brief.lang, brief.headline
    province = province_phrase(brief)
    if h.score is None or not _finite(h.score):
        return [lower_unit_words(t("narrative.headline.no_score", lang, year=str(h.year),
                                   measure=t("measure.total", lang, **words(brief)), province=province), lang)]
    band = band_phrase(h.band_label, lang, group=brief.national_scheme.is_quantile)
    change = _change_clause(brief)
    if h.source == "national" and h.rank is not None:
        region = ""
        if h.region_rank is not None and h.region:
            region = t("brief.headline.region", lang, rank=fmt_int(h.region_rank, lang), n=fmt_int(h.region_n, lang),
                       region=_region_name(h, lang))
        first = say("headline.national", lang, **words(brief), year=str(h.year), province=province,
                    score=fmt_number(h.score, lang),
                    band=band, rank=fmt_int(h.rank, lang), n=fmt_int(h.n_ranked, lang), region=region, change=change)
    else:
            first = say("headline.unit_mean", lang, **words(brief), year=str(h.year), province=province,
                    units=N._n_units(brief.n_units, lang),
                    score=fmt_number(h.score, lang), band=band, change=change)
    out = [first]
    moved = _band_move(brief)
    if moved:
        out.append(moved)
    if _finite(h.national_gap) and _finite(h.national_mean):
        gap = float(h.national_gap)
        key = "headline.gap_same" if round(gap, 2) == 0 else ("headline.gap_above" if gap > 0 else "headline.gap_below")
        out.append(say(key, lang, province=province, mean=fmt_number(h.national_mean, lang),
                       gap=fmt_number(abs(gap), lang)))
    return out


# --------------------------------------------------------------------------- findings


def _difference_finding(brief: Brief, unit_type: str) -> str | None:
    """A significant difference between units of a type, in plain words (None otherwise)."""
    result = brief.panel.get(unit_type)
    if result is None or not result.ok or not result.significant:
        return None
    means = N._tested_means(result)
    if len(means) < 2:
        return None
    col = N._estimate_col(result)
    years = sorted(int(y) for y in brief.history.loc[brief.history["unit_type"] == unit_type, "year"].unique())
    top, bottom = means.iloc[0], means.iloc[-1]
    common = dict(first=str(years[0]), last=str(years[-1]), units=unit_label(brief, unit_type, plural=True),
                  top=str(top["unit"]), bottom=str(bottom["unit"]))
    if result.scale == "z_within_year":
        return say("finding.differ_standing", brief.lang, **common)
    return say("finding.differ_points", brief.lang, top_value=fmt_number(top[col], brief.lang),
               bottom_value=fmt_number(bottom[col], brief.lang), **common)


def _survey_finding(brief: Brief) -> tuple[str, int] | None:
    result = brief.survey
    if result is None or not result.ok or not len(result.means):
        return None
    lang = brief.lang
    m = N._tested_means(result)
    respondents = fmt_int(int(result.means["n"].sum()), lang)
    if result.significant and len(m) >= 2:
        top, bottom = m.iloc[0], m.iloc[-1]
        return say("finding.survey_differs", lang, year=str(brief.year), respondents=respondents, top=str(top["unit"]),
                   top_value=fmt_number(top["mean"], lang), bottom=str(bottom["unit"]),
                   bottom_value=fmt_number(bottom["mean"], lang)), 60
    mean = float((m["mean"] * m["n"]).sum() / m["n"].sum()) if m["n"].sum() else math.nan
    return say("finding.survey_same", lang, year=str(brief.year), respondents=respondents,
               mean=fmt_number(mean, lang)), 20


def _spread_finding(brief: Brief) -> str | None:
    """This year's range of the main unit type (districts or communes), and how many reach the second band."""
    lang = brief.lang
    types = [u for u in brief.league if u in ("district", "commune")] or list(brief.league)
    if not types:
        return None
    unit_type = types[0]
    table = brief.league[unit_type].dropna(subset=["value"]).sort_values("value", kind="mergesort")
    if len(table) < 3:
        return None
    low, high = table.iloc[0], table.iloc[-1]
    common = dict(year=str(brief.year), n=fmt_int(len(table), lang), units=unit_label(brief, unit_type, plural=True)
                  .removeprefix("các ").removeprefix("the "),
                  low=fmt_number(low["value"], lang), low_unit=str(low["unit"]),
                  high=fmt_number(high["value"], lang), high_unit=str(high["unit"]))
    bands = brief.scheme.bands
    if len(bands) >= 2 and "band_order" in table and not brief.scheme.is_quantile:
        good = int((pd.to_numeric(table["band_order"], errors="coerce") <= 1).sum())
        return say("finding.spread", lang, good=f"{fmt_int(good, lang)}/{fmt_int(len(table), lang)}",
                   band=bands[1].label(lang), **common)
    return say("finding.spread_plain", lang, **common)


def _band_label(brief: Brief, code: str, *, group: bool) -> str:
    """A band's label in a sentence, without its range ("Nhóm A (từ 90% trở lên)" → "Nhóm A"): a
    fixed band as written ("Xuất sắc"), a quantile group lowercased at its start ("nhóm cao nhất")."""
    from parbrief.text.admin_case import lower_first

    label = band_short(next((b.label(brief.lang) for b in brief.scheme.bands if b.code == code), code))
    return lower_first(label) if group else label


def bands_finding(brief: Brief) -> str | None:
    """This year's units per band in words ("3 đơn vị xếp loại Xuất sắc, 17 Tốt, 12 Khá, 6 Hoàn
    thành nhiệm vụ") and how each band's count moved since last year ("Xuất sắc tăng từ 1 lên 3
    đơn vị"); quantile groups are only counted (their sizes are fixed by the year's ranks)."""
    bc, lang = brief.band_counts, brief.lang
    if bc is None:
        return None
    group = bc.quantile
    shown = [(code, n) for code, n in bc.counts if n]
    parts = [t(nation_key(brief, f"brief.finding.{'group' if group else 'band'}_{'first' if i == 0 else 'next'}"), lang,
               n=fmt_int(n, lang), label=_band_label(brief, code, group=group)) for i, (code, n) in enumerate(shown)]
    items = parts[0] if len(parts) == 1 else (
        ", ".join(parts[:-1]) + t("brief.finding.bands_last_sep", lang) + parts[-1])
    movement = ""
    if group:
        movement = t("brief.finding.groups_note", lang)
    elif bc.previous is not None:
        moved = [t(nation_key(brief, f"brief.finding.band_{'up' if now > before else 'down'}"), lang,
                   label=_band_label(brief, code, group=False), before=fmt_int(before, lang), now=fmt_int(now, lang))
                 for code, before, now in bc.changes()]
        prev = str(bc.previous_year)
        movement = (t("brief.finding.bands_moved", lang, previous_year=prev, items=join_names(moved, lang)) if moved
                    else t(nation_key(brief, "brief.finding.bands_same"), lang, previous_year=prev))
    return say("finding.bands", lang, year=str(bc.year), items=items, movement=movement)


def _movement_findings(brief: Brief) -> list[tuple[str, int]]:
    """The province's standing (tested) or its raw path, and each type's called standing trends."""
    from parbrief.report.movement import _path_sentence, standing_sentence

    st = brief.standing
    if st is None:
        return []
    lang = brief.lang
    out: list[tuple[str, int]] = []
    province = province_phrase(brief)
    own = st.province
    if brief.national:
        path_text = NL.path_sentence(brief)
        if path_text:
            out.append((path_text, 45))
    elif own is not None and own.ok and own.significant:
        from parbrief.report.movement import province_movement_sentence

        out.append((lower_unit_words(province_movement_sentence(st, province, lang, voice=voice_of(brief))[0], lang), 90))
    else:
        path = _path_sentence(st.province_path, province, lang)
        if path:
            out.append((lower_unit_words(path, lang), 45))
    for unit_type, table in st.by_type.items():
        if table.n_called:
            peers = unit_label(brief, unit_type, plural=True)
            out.append((lower_unit_words(standing_sentence(table, unit_type, lang, peers=peers), lang), 80))
    return out


def _not_yet_finding(brief: Brief) -> str | None:
    """The one "not yet" finding: the first year on the new map, or too few years for any unit."""
    st = brief.standing
    if st is None or any(tab.n_screened for tab in st.by_type.values()):
        return None
    if brief.reorganized:
        return lower_unit_words(t(nation_key(brief, "brief.finding.first_year"), brief.lang, year=str(brief.year),
                                  province=province_phrase(brief)), brief.lang)
    return say("finding.too_few_years", brief.lang, n=fmt_int(len(brief.years), brief.lang),
               min_years=fmt_int(brief.min_years, brief.lang))


def findings(brief: Brief) -> list[str]:
    """Three to five findings a leader reads first, most important kept, in reading order.

    Candidates (priority): the headline and the gap to the national average (always); the units
    per band and how the bands moved since last year; the province's standing among the provinces when its test calls a change (else its raw path in the
    current method); units that clearly improved or slipped relative to their peers; clear
    differences between units; the survey; the strongest and weakest field; this year's range of
    units; one "not yet" sentence when the brief can say nothing of movement. No test notation.

    At most :data:`FIRST_SCREEN_FINDINGS`, unless more of priority :data:`MUST_SAY` (every unit
    type whose standing changed clearly is named), up to :data:`MAX_FINDINGS`.
    """
    lang = brief.lang
    cands: list[tuple[str, int]] = [(" ".join(headline_sentences(brief)), 100)]
    band_counts = bands_finding(brief)
    if band_counts:
        cands.append((band_counts, 95))  # what an evaluator announces first
    cands += _movement_findings(brief)
    for unit_type in brief.panel:
        sentence = _difference_finding(brief, unit_type)
        if sentence:
            cands.append((sentence, 70))
    survey = _survey_finding(brief)
    if survey:
        cands.append(survey)
    regions = NL.region_finding(brief)
    if regions:
        cands.append((regions, 55))
    comp = N._components_sentence(brief)
    if comp:
        cands.append((lower_unit_words(comp, lang), 50))
    spread = _spread_finding(brief)
    if spread and not any(brief.panel[u].significant for u in brief.panel if brief.panel[u].ok):
        cands.append((spread, 40))
    not_yet = _not_yet_finding(brief)
    if not_yet:
        cands.append((not_yet, 30))
    order = sorted(range(len(cands)), key=lambda i: (-cands[i][1], i))
    must = sum(1 for i in order if cands[i][1] >= MUST_SAY)
    keep = order[:min(MAX_FINDINGS, max(FIRST_SCREEN_FINDINGS, must))]
    return [cands[i][0] for i in sorted(keep)]


# --------------------------------------------------------------------------- needs attention


def _signal_text(brief: Brief, c: Any) -> list[str]:
    lang = brief.lang
    peers = unit_label(brief, c.unit_type, plural=True)
    bare = peers.removeprefix("các ") if lang == "vi" else peers
    out = []
    for code in c.signals:
        if code == "lowest":
            from parbrief.analysis.attention import lowest_count

            k = lowest_count(c.n)
            if k == 1:
                out.append(t(nation_key(brief, "brief.attention.lowest"), lang, peers=peers, year=str(brief.year),
                             score=fmt_number(c.score, lang)))
            else:
                out.append(t(nation_key(brief, "brief.attention.lowest_of"), lang, k=fmt_int(k, lang), peers=peers, year=str(brief.year),
                             score=fmt_number(c.score, lang), rank=fmt_int(c.rank, lang), n=fmt_int(c.n, lang)))
        elif code == "declining" and c.period:
            out.append(t("brief.attention.declining", lang, peers=peers if lang == "vi" else bare,
                         first=str(c.period[0]), last=str(c.period[1])))
        elif code == "falling":
            out.append(t("brief.attention.falling", lang, n=fmt_int(c.fall_years, lang), since=str(c.fall_since),
                         start=fmt_number(c.fall_from, lang), score=fmt_number(c.score, lang)))
        elif code == "band_drop":
            labels = {b.code: b.label(lang) for b in brief.scheme.bands}
            out.append(t("brief.attention.band_drop", lang, before=labels.get(c.band_from, c.band_from),
                         after=labels.get(c.band_to, c.band_to)))
        elif code == "survey_lowest" and c.survey_mean is not None:
            out.append(t("brief.attention.survey_lowest", lang, n=fmt_int(c.survey_units, lang), year=str(brief.year),
                         mean=fmt_number(c.survey_mean, lang)))
    if c.lowest_fields >= 2:
        out.append(t(nation_key(brief, "brief.attention.lowest_fields"), lang, k=fmt_int(c.lowest_fields, lang),
                     n=fmt_int(c.n_fields, lang)))
    return out


def attention_items(brief: Brief) -> list[str]:
    """The "Cần quan tâm" list: one line per unit (every reason it needs attention), then the fields
    with the most points lost against their maximum."""
    lang, att = brief.lang, brief.attention
    if att is None:
        return []
    out = []
    for c in att.units:
        parts = _signal_text(brief, c)
        if parts:
            out.append(lower_unit_words(t("brief.attention.item", lang, unit=c.unit, signals="; ".join(parts)), lang))
    assessed = brief.standing is not None and any(tab.n_screened for tab in brief.standing.by_type.values())
    if assessed and not any("declining" in c.signals or "band_drop" in c.signals for c in att.units):
        out.append(lower_unit_words(t(nation_key(brief, "brief.attention.none"), lang, year=str(brief.year)), lang))
    if att.fields:
        items = [t("brief.attention.field", lang, name=N.component_name(f.code, lang, brief.spec),
                   mean=fmt_number(f.mean, lang), max=fmt_number(f.max_points, lang, 1 if f.max_points % 1 else 0),
                   lost=fmt_number(f.lost, lang), worst_unit=str(f.worst_unit), worst_pct=fmt_number(f.worst_pct, lang, 1))
                 for f in att.fields]
        out.append(say("attention.fields", lang, items="; ".join(items)))
    return out


# --------------------------------------------------------------------------- the brief's sections, plain


def _pairwise_plain(result: Any, lang: str, kind: str) -> list[str]:
    """Which units do not differ clearly from the highest and the lowest, without the pair count."""
    return [lower_unit_words(s, lang) for s in N._pairwise_sentences(result, lang, kind)[1:]]


def difference_plain(brief: Brief, unit_type: str) -> list[str]:
    """The differences between units of a type in plain words (the statistics are in the methods)."""
    lang, result = brief.lang, brief.panel[unit_type]
    units = unit_label(brief, unit_type, plural=True)
    if not result.ok:
        return [say("plain.cannot", lang, units=units,
                    reason=N.reason_text(result.reason_code, result.primary.reason_detail, lang))]
    found = _difference_finding(brief, unit_type)
    if found:
        return [found, *_pairwise_plain(result, lang, result.kind)]
    means = N._tested_means(result)
    years = sorted(int(y) for y in brief.history.loc[brief.history["unit_type"] == unit_type, "year"].unique())
    if len(means) < 2 or not years:
        return []
    return [say("plain.no_difference", lang, first=str(years[0]), last=str(years[-1]), units=units,
                top=str(means.iloc[0]["unit"]), bottom=str(means.iloc[-1]["unit"]))]


def groups_plain(brief: Brief) -> list[str]:
    """The two blocks of units (communes or districts, departments) compared this year, in plain words."""
    from parbrief.analysis.brief import unit_types
    result, lang = brief.groups, brief.lang
    if result is None or not result.ok:
        return []
    m = N._tested_means(result).set_index("unit")
    order = [u for u in unit_types(brief.current) if u in m.index][:2]
    if len(order) < 2:
        return []
    col = N._estimate_col(result)
    key = "plain.groups_differ" if result.significant else "plain.groups_same"
    return [say(key, lang, year=str(brief.year), first=group_label(brief, order[0]), second=group_label(brief, order[1]),
                first_value=fmt_number(m.loc[order[0], col], lang), second_value=fmt_number(m.loc[order[1], col], lang))]


def survey_plain(brief: Brief) -> list[str]:
    """The survey in plain words: the finding, then which units do not differ clearly from the extremes."""
    found = _survey_finding(brief)
    if found is None:
        return []
    return [found[0], *(_pairwise_plain(brief.survey, brief.lang, brief.survey.kind) if brief.survey.significant else [])]
