"""The nation's brief in words and tables: its first screen, the old map, the regions.

The nation's brief runs the province brief's statistics on the provinces of the national table
(:func:`parbrief.analysis.brief.build_brief` with ``province = NATIONAL``); what differs is said
here: the cards (the national average and its change, the best and lowest provinces, how many
provinces; no national rank of the nation itself), the first finding, where the average comes
from, the national average's path, the 63-province table before the 2025 reorganization, and the
six socio-economic regions (:mod:`parbrief.analysis.national`). A province's brief gets its own
region's provinces from :func:`region_parts`. Sentences come from ``text/locales/<lang>/national.yaml``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from parbrief.analysis.brief import Brief
from parbrief.report import figures as F
from parbrief.report.blocks import Heading, Paragraph
from parbrief.report.names import band_phrase, band_short, province_phrase, words
from parbrief.report.tables import change_class, missing, styled
from parbrief.text.admin_case import lower_unit_words
from parbrief.text.codes import join_names
from parbrief.text.formats import fmt_int, fmt_number, fmt_signed
from parbrief.text.messages import t

__all__ = ["cards", "headline_sentences", "headline_source", "history_parts", "path_sentence", "region_finding",
           "region_frame", "region_parts"]


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _say(key: str, lang: str, **values: Any) -> str:
    return lower_unit_words(t(f"national.{key}", lang, **values), lang)


def _names(names: tuple[str, ...], lang: str) -> str:
    """One name, or the first and how many more share its place (a card has room for one)."""
    if len(names) <= 1:
        return names[0] if names else t("misc.missing", lang)
    return t("national.card.tied", lang, name=names[0], n=fmt_int(len(names) - 1, lang))


def cards(brief: Brief) -> tuple[tuple[str, ...], ...]:
    """National average (with its band), change since last year, the best and lowest province,
    and how many provinces were ranked."""
    lang, h, ends = brief.lang, brief.headline, brief.ends
    if h.change is not None:
        change = (t("national.card.change", lang, previous_year=str(h.previous_year)),
                  t("brief.card.change_value", lang, value=fmt_signed(h.change, lang)))
    elif h.no_change_reason == "new_map":
        change = (t("headline.change", lang), t("national.card.new_map", lang))
    elif h.no_change_reason == "method_break":
        change = (t("headline.change", lang), t("headline_extra.kpi_method_break", lang))
    else:
        change = (t("headline.change", lang), t("headline.no_previous", lang))
    out: list[tuple[str, ...]] = [
        (t("national.card.mean", lang), fmt_number(h.score, lang), band_short(h.band_label) if h.band_label else ""),
        change,
    ]
    if ends is not None and ends.n:
        out.append((t("national.card.best", lang), fmt_number(ends.best_score, lang), _names(ends.best, lang)))
        out.append((t("national.card.lowest", lang), fmt_number(ends.lowest_score, lang), _names(ends.lowest, lang)))
    out.append((t("national.card.n", lang), fmt_int(h.n_ranked, lang), t("national.card.n_note", lang, year=brief.year)))
    return tuple(out)


def _change_clause(brief: Brief) -> str:
    lang, h = brief.lang, brief.headline
    previous = str(brief.year - 1)
    if h.change is not None and _finite(h.change):
        key = "up" if round(h.change, 2) > 0 else ("down" if round(h.change, 2) < 0 else "same")
        return t(f"national.headline.{key}", lang, value=fmt_number(abs(h.change), lang), previous_year=previous)
    reason = h.no_change_reason if h.no_change_reason in ("new_map", "method_break") else "no_previous"
    return t(f"national.headline.{reason}", lang, year=str(brief.year), previous_year=previous)


def headline_sentences(brief: Brief) -> list[str]:
    """The first finding: the national average, its band and change; then the best and lowest
    provinces and the gap between them (of the printed scores), and the provinces per band."""
    from parbrief.stats.ratings import score_change

    lang, h, ends = brief.lang, brief.headline, brief.ends
    if h.score is None or not _finite(h.score):
        return []
    out = [_say("headline.first", lang, **words(brief), year=str(brief.year), n=fmt_int(h.n_ranked, lang),
                score=fmt_number(h.score, lang), band=band_phrase(h.band_label, lang), change=_change_clause(brief))]
    if ends is not None and ends.n >= 2:
        gap = score_change(ends.best_score, ends.lowest_score, brief.spec.rank_decimals)
        out.append(_say("headline.ends", lang, best=join_names(list(ends.best), lang),
                        best_score=fmt_number(ends.best_score, lang), lowest=join_names(list(ends.lowest), lang),
                        lowest_score=fmt_number(ends.lowest_score, lang), gap=fmt_number(gap, lang)))
    # the provinces per band are the next finding's (leader.bands_finding), said once
    return out


def headline_source(brief: Brief) -> str:
    """Where the national average comes from (and that the nation is not ranked)."""
    lang, h = brief.lang, brief.headline
    return _say("headline.source", lang, n=fmt_int(h.n_ranked, lang), measure=t("measure.total", lang, **words(brief)),
                year=str(brief.year), scheme=brief.national_scheme.name(lang))


def path_sentence(brief: Brief) -> str | None:
    """The national average's year-by-year path in the current method period (described, not tested)."""
    st = brief.standing
    path = st.province_path if st is not None else None
    if path is None or path.code == "single_year" or len(path.years) < 2:
        return None
    lang = brief.lang
    values = dict(since=str(path.years[0]), year=str(path.years[-1]), first=fmt_number(path.values[0], lang),
                  last=fmt_number(path.values[-1], lang))
    if path.code in ("rising_run", "falling_run"):
        values["n"] = fmt_int(path.run_length, lang)
    return t(f"national.path.{path.code}", lang, **values)


def history_parts(brief: Brief) -> list[Any]:
    """For the nation on the new map: the 63 provinces' table before it, never joined to the new one."""
    lang, old = brief.lang, brief.predecessor_history
    out: list[Any] = [Heading(3, t("national.history.title", lang))]
    if old is None or old.empty:
        return out + [Paragraph(t("history.no_data", lang))]
    means = old.groupby("year")["total"].mean().sort_index()
    years = [int(y) for y in means.index]
    # the old series in its last method period (breaks sit between years: 2021.5)
    start = max([float(b) for b in brief.spec.breaks(years) if b <= years[-1]] or [years[0] - 0.5])
    values = "; ".join(t("national.history.value", lang, value=fmt_number(v, lang), year=int(y))
                       for y, v in means.items() if y > start)
    out.append(Paragraph(_say("history.text", lang, first_year=str(years[0]), last_year=str(years[-1]),
                              measure=t("measure.total", lang, **words(brief)), values=values, year=str(brief.year),
                              n=fmt_int(brief.n_units, lang))))
    out.append(F.trend_figure(old, "total", lang, breaks=brief.spec.breaks(years)))
    return out


# --------------------------------------------------------------------------- regions


def _region_name(code: str, provisional: bool, lang: str) -> str:
    name = t(f"brief.region.{code}", lang)
    return f"{name}*" if provisional else name


def region_frame(brief: Brief) -> pd.DataFrame:
    """The regions table with the brief's headers: region, provinces, average, change, best, lowest."""
    lang, reg = brief.lang, brief.regions
    c = lambda k: t(f"national.column.{k}", lang)  # noqa: E731
    num = lambda v: fmt_number(v, lang)  # noqa: E731
    return pd.DataFrame({
        c("region"): [_region_name(r, p, lang) for r, p in zip(reg["region"], reg["provisional"])],
        c("n"): reg["n"].to_numpy(),
        c("mean"): reg["mean"].to_numpy(),
        t("column.change", lang): reg["change"].to_numpy(),
        c("best"): [f"{u} ({num(v)})" for u, v in zip(reg["best_unit"], reg["best_value"])],
        c("lowest"): [f"{u} ({num(v)})" for u, v in zip(reg["lowest_unit"], reg["lowest_value"])],
    })


def region_finding(brief: Brief) -> str | None:
    """The highest and lowest regional average of the year (None with fewer than two regions)."""
    reg = brief.regions
    if not brief.national or reg is None or len(reg) < 2:
        return None
    lang = brief.lang
    order = reg.sort_values("mean", ascending=False, kind="mergesort")
    top, bottom = order.iloc[0], order.iloc[-1]
    return _say("region.finding", lang, year=str(brief.year),
                top=_region_name(top["region"], False, lang), top_value=fmt_number(top["mean"], lang),
                bottom=_region_name(bottom["region"], False, lang), bottom_value=fmt_number(bottom["mean"], lang))


def _national_regions(brief: Brief) -> list[Any]:
    lang, reg = brief.lang, brief.regions
    frame = region_frame(brief)
    if frame[t("column.change", lang)].map(missing).all():
        frame = frame.drop(columns=[t("column.change", lang)])
    mean, n, change = (t("national.column.mean", lang), t("national.column.n", lang), t("column.change", lang))
    table = styled(frame, name="regions",
                   formats={mean: lambda v: "–" if missing(v) else fmt_number(v, lang),
                            n: lambda v: "–" if missing(v) else fmt_int(v, lang),
                            change: lambda v: "–" if missing(v) else fmt_signed(float(v), lang)},
                   numeric=(n, mean, change), cell_classes={change: change_class},
                   phone_hide=(n, t("national.column.best", lang)))
    chart = F.means_figure(pd.DataFrame({"unit": [_region_name(r, p, lang) for r, p in zip(reg["region"],
                                                                                         reg["provisional"])],
                                         "mean": reg["mean"].to_numpy(), "ci_low": reg["mean"].to_numpy(),
                                         "ci_high": reg["mean"].to_numpy(), "n": reg["n"].to_numpy()}),
                           lang, xlabel=t("measure.total", lang, **words(brief)),
                           title=t("national.region.figure_title", lang, year=brief.year))
    parts: list[Any] = [Heading(2, t("national.region.heading", lang))]
    finding = region_finding(brief)
    parts += [Paragraph(finding)] if finding else []
    parts += [table, chart, Paragraph(t("national.region.note", lang), "pb-muted")]
    if brief.reorganized:
        parts.append(Paragraph(t("national.region.new_map", lang, year=brief.year, previous_year=brief.year - 1),
                               "pb-muted"))
    if bool(reg["provisional"].any()):
        parts.append(Paragraph(t("national.region.provisional", lang), "pb-muted"))
    return parts


def _own_region(brief: Brief) -> list[Any]:
    """A province's region: its rank there and the region's provinces (rank in region, score, national rank)."""
    lang, h, peers = brief.lang, brief.headline, brief.regions
    region = _region_name(h.region, h.region_provisional, lang)
    c = lambda k: t(f"national.column.{k}", lang)  # noqa: E731
    frame = pd.DataFrame({
        c("region_rank"): peers["region_rank"].to_numpy(),
        c("province"): peers["unit"].to_numpy(),
        t("column.score", lang): peers["value"].to_numpy(),
        c("national_rank"): [f"{fmt_int(r, lang)}/{fmt_int(len(brief.region_ranks), lang)}" for r in peers["rank"]],
    })
    own = [i for i, u in enumerate(peers["unit"]) if u == brief.province]
    table = styled(frame, name="region-peers",
                   formats={c("region_rank"): lambda v: fmt_int(v, lang), t("column.score", lang):
                            lambda v: "–" if missing(v) else fmt_number(v, lang)},
                   numeric=(c("region_rank"), t("column.score", lang)),
                   row_classes=["pb-own" if i in own else "" for i in range(len(frame))])
    intro = lower_unit_words(t("national.region.own_intro", lang, year=brief.year, province=province_phrase(brief),
                                rank=fmt_int(h.region_rank, lang), n=fmt_int(h.region_n, lang), region=region), lang)
    out: list[Any] = [Heading(3, t("national.region.own_heading", lang, region=region)), Paragraph(intro), table]
    if h.region_provisional:
        out.append(Paragraph(t("national.region.provisional", lang), "pb-muted"))
    return out


def region_parts(brief: Brief) -> list[Any]:
    """The regions: the six regions' averages (nation), or the province's own region's provinces."""
    if brief.national:
        return _national_regions(brief) if brief.regions is not None and len(brief.regions) else []
    if brief.regions is None or brief.regions.empty or brief.headline.region_rank is None:
        return []
    return _own_region(brief)
