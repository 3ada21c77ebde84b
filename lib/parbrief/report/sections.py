"""The sections of a brief: what each notebook cell displays.

Each function takes a :class:`~parbrief.analysis.brief.Brief` (or an overview) and returns a
:class:`~parbrief.report.blocks.Section`: headings and sentences (Markdown in Jupyter, the
brief's HTML in the export), tables as pandas ``Styler`` objects (:mod:`parbrief.report.tables`:
the values underneath, formatted by :mod:`parbrief.text.formats`) and figures. Words come from
the locales and :mod:`parbrief.report.narrative`; every name from the data is escaped by the
blocks and tables. Tables are short and readable (a leader's memo, not a DataFrame dump); the
``*_frame`` functions give an analyst the same tables as plain DataFrames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
from pandas.io.formats.style import Styler

from parbrief.report import figures as F
from parbrief.report import leader as L
from parbrief.report import names as NM
from parbrief.report import movement as M
from parbrief.report import narrative as N
from parbrief.report import national as NL
from parbrief.analysis.brief import Brief, unit_types as _unit_types
from parbrief.analysis.headline import HEADLINE_MIME, Headline, headline_record
from parbrief.analysis.overview import Overview
from parbrief.report.blocks import Bullets, Cards, Heading, MarkdownText, Paragraph, Section, esc
from parbrief.report.cross_section import cross_section_figure
from parbrief.report.rows import ENDS, Ends, keep_ends
from parbrief.report.tables import change_class, missing, styled
from parbrief.text.admin_case import lower_first, lower_unit_words
from parbrief.text.formats import fmt_date, fmt_int, fmt_number, fmt_signed
from parbrief.text.messages import t
from parbrief.text.voice import DEFAULT_VOICE, Voice

__all__ = [
    "Section",
    "header",
    "key_findings",
    "attention",
    "notes",
    "league_table",
    "trends",
    "differences",
    "components",
    "satisfaction",
    "regions",
    "methods",
    "headline_output",
    "league_frame",
    "component_frame",
    "overview_frame",
    "overview_header",
    "overview_table",
    "overview_figure",
    "overview_methods",
]


def _rank_change(lang: str, compared: bool) -> Callable[[Any], str]:
    """Rank change as words: "tăng 2 bậc", "giữ nguyên", "mới" (no rank last year); "–" without a comparison."""

    def fmt(x: Any) -> str:
        if not compared:
            return "–"
        if missing(x):
            return t("rank_change.new", lang)
        n = int(x)
        if n > 0:
            return t("rank_change.up", lang, n=n)
        if n < 0:
            return t("rank_change.down", lang, n=-n)
        return t("rank_change.same", lang)

    return fmt


def _signed(lang: str, compared: bool = True) -> Callable[[Any], str]:
    return lambda x: fmt_signed(float(x), lang) if compared and not missing(x) else "–"


def _int(lang: str) -> Callable[[Any], str]:
    return lambda x: "–" if missing(x) else fmt_int(x, lang)


def _num(lang: str, decimals: int = 2, suffix: str = "") -> Callable[[Any], str]:
    return lambda x: "–" if missing(x) else fmt_number(x, lang, decimals=decimals) + suffix


def _unit_type_label(unit_type: str, lang: str, voice: Voice = DEFAULT_VOICE, key: str | None = None) -> str:
    """A unit type's heading: the spec's label ("Công an các huyện, thị xã, thành phố"), else the
    locale's (``key``, default ``unit_type.<code>``)."""
    own = voice.unit_type(unit_type)
    if own is not None:
        return own.label.text(lang)
    try:
        return t(key or f"unit_type.{unit_type}", lang)
    except KeyError:
        return unit_type


def header(brief: Brief) -> Section:
    """Title, synthetic-data banner and the first screen's cards: score, band, national rank with
    its change, change since last year, national average with the gap, rank in the region."""
    lang = brief.lang
    title = (t("national.title", lang, **NM.words(brief), year=brief.year) if brief.national
             else t("heading.title", lang, **NM.words(brief), province=NM.province_phrase(brief), year=brief.year))
    return Section(
        Heading(1, title),
        Paragraph(t("banner.synthetic", lang), "pb-banner") if brief.synthetic else None,
        Paragraph(brief.spec.name(lang), "pb-muted"),
        Cards(L.cards(brief)),
        Paragraph(NL.headline_source(brief) if brief.national else N.headline_source(brief), "pb-muted"),
    )


def key_findings(brief: Brief) -> Section:
    """The 3–5 findings a leader reads first, in plain words (:func:`parbrief.report.leader.findings`)."""
    return Section(Heading(2, t("heading.key_findings", brief.lang)), Bullets(tuple(L.findings(brief))))


def attention(brief: Brief) -> Section:
    """"Cần quan tâm": the lowest and falling units, those that dropped a band, the fields furthest
    from their maximum (:mod:`parbrief.analysis.attention`); nothing when there is nothing to name."""
    items = L.attention_items(brief)
    if not items:
        return Section()
    lang = brief.lang
    return Section(Heading(2, t("brief.attention.heading", lang)),
                   Paragraph(t(NM.nation_key(brief, "brief.attention.intro"), lang), "pb-intro"), Bullets(tuple(items)))


def notes(brief: Brief) -> Section:
    """"Nhận xét và kiến nghị": the preparing office's own words (``params/notes/<year>/<province>.md``),
    attributed to the office (``prepared_by``); nothing without a comments file."""
    if not brief.notes:
        return Section()
    lang = brief.lang
    by = (t("brief.notes.by", lang, office=brief.prepared_by) if brief.prepared_by
          else t("brief.notes.by_unknown", lang))
    return Section(Heading(2, t("brief.notes.heading", lang)), Paragraph(by, "pb-muted"), MarkdownText(brief.notes))


def league_frame(brief: Brief, unit_type: str) -> pd.DataFrame:
    """One unit type's league table with the brief's headers: rank, unit, score, rating, change,
    rank change, standing trend (values unrounded; the change columns empty without a comparison year)."""
    lang, table = brief.lang, brief.league[unit_type]
    compared, n = bool(brief.compare_year), len(table)
    label_col = f"band_label_{lang}"
    frame = pd.DataFrame({
        t("column.rank", lang): table["rank"].to_numpy(),
        t("national.column.province" if brief.national else "column.unit", lang): table["unit"].to_numpy(),
        t("column.score", lang): table["value"].to_numpy(),
        t("column.rating", lang): table[label_col].to_numpy() if label_col in table else [None] * n,
        t("column.change", lang): table["change"].to_numpy() if compared and "change" in table else [math.nan] * n,
        t("column.rank_change", lang): (table["rank_change"].to_numpy() if compared and "rank_change" in table
                                        else [math.nan] * n),
        t("column.trend", lang): [M.standing_label(x, lang) if isinstance(x, str) else None for x in table["trend"]],
    })
    if brief.national and brief.region_ranks is not None:  # a province's rank among its region's provinces
        ranks = brief.region_ranks.set_index("unit")
        frame[t("national.column.region_rank", lang)] = [
            _region_rank_text(ranks, str(u), lang) for u in table["unit"]]
    return frame


def _region_rank_text(ranks: pd.DataFrame, unit: str, lang: str) -> str | None:
    """"2/11 · Đồng bằng sông Hồng": the rank in the region, of how many, and the region."""
    if unit not in ranks.index or pd.isna(ranks.at[unit, "region_rank"]):
        return None
    row = ranks.loc[unit]
    region = t(f"brief.region.{row['region']}", lang) + ("*" if row["provisional"] else "")
    return f"{fmt_int(int(row['region_rank']), lang)}/{fmt_int(int(row['region_n']), lang)} · {region}"


def league_table(brief: Brief) -> Section:
    """Rank, score, rating, change and trend of every unit, one table per unit type.

    A unit type with more than :data:`~parbrief.report.rows.FULL_LIST_MAX` units (about 100
    communes from 2025) shows its :data:`~parbrief.report.rows.ENDS` best and worst, the gap
    marked, and a line says where the full ranking is. Columns with nothing to show (the changes
    without a comparison year) are left out; on a phone the rating and trend columns hide. Where
    a table has the trend column, a phone marks a unit whose standing clearly changed with an
    arrow after its name (▲ improving, ▼ slipping; :func:`_trend_marks`) and a note under the
    heading, shown only on a narrow screen (``pb-ph-note``), says so and where the column is.
    """
    lang = brief.lang
    compared = bool(brief.compare_year)
    rank, unit, score, change, rank_change, trend = (
        t(f"column.{c}", lang) for c in ("rank", "unit", "score", "change", "rank_change", "trend"))
    parts: list[Any] = [Heading(2, t(NM.nation_key(brief, "heading.league_table"), lang))]
    with_trend = False
    for unit_type in brief.league:
        if len(brief.league) > 1:
            parts.append(Heading(3, NM.unit_label(brief, unit_type)))
        kept = keep_ends(league_frame(brief, unit_type))
        unit = t("national.column.province", lang) if brief.national else t("column.unit", lang)
        frame = kept.frame if N.trends_assessed(brief) else kept.frame.drop(columns=[trend])
        frame = _without_empty_columns(frame, keep=(rank, score))
        html_formats: dict[str, Callable[[Any], str]] = {}
        if trend in frame.columns:
            with_trend = True
            marks = _trend_marks(brief.league[unit_type], lang)
            html_formats[unit] = lambda name, marks=marks: esc(name) + marks.get(str(name), "")
        parts.append(styled(
            frame, name=f"league-{unit_type}",
            formats={rank: _int(lang), score: _num(lang), change: _signed(lang, compared),
                     rank_change: _rank_change(lang, compared)},
            html_formats=html_formats,
            numeric=(rank, score, change),
            cell_classes={change: change_class, rank_change: change_class, unit: _name_class},
            row_classes=_gap_classes(kept),
            # on a phone: rank, unit, score and the changes; the rating follows from the score and
            # the trend is an arrow after the unit's name (and told in the trends section)
            phone_hide=(t("column.rating", lang), trend, t("national.column.region_rank", lang)),
        ))
        if kept.gap_at is not None:
            parts.append(Paragraph(t("layout.ends_note", lang, ends=ENDS, n=fmt_int(kept.total, lang)), "pb-muted"))
    if with_trend:  # under the heading: what a phone shows of the hidden column
        parts.insert(1, Paragraph(t(NM.nation_key(brief, "layout.trend_phone_note"), lang, column=trend, improving=TREND_MARKS["improving"],
                                    declining=TREND_MARKS["declining"]), PHONE_NOTE))
    parts += [Paragraph(s, "pb-muted") for s in N.league_notes(brief)]
    return Section(*parts)


#: The class of a note shown only on a narrow screen (the stylesheet shows it below 40rem).
PHONE_NOTE = "pb-muted pb-ph-note"
#: The arrows a phone shows after a unit's name for its standing trend (the hidden "Xu hướng" column).
TREND_MARKS = {"improving": "▲", "declining": "▼"}


def _trend_marks(table: pd.DataFrame, lang: str) -> dict[str, str]:
    """Unit → the HTML of its trend arrow (``pb-ph-trend``: shown only on a phone), for the units
    whose standing clearly improved or slipped; the arrow's title is the column's label."""
    out = {}
    for name, code in zip(table["unit"], table["trend"]):
        if code in TREND_MARKS:
            cls = "pb-up" if code == "improving" else "pb-down"
            out[str(name)] = (f' <span class="pb-ph-trend {cls}" title="{esc(M.standing_label(code, lang))}">'
                              f"{TREND_MARKS[code]}</span>")
    return out


def _name_class(_: Any) -> str:
    """``pb-name``: a column of names, kept readable beside the numbers on a phone (min-width)."""
    return "pb-name"


def _without_empty_columns(frame: pd.DataFrame, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """``frame`` without the columns where every value is missing (a table of dashes says nothing)."""
    empty = [c for c in frame.columns if c not in keep and frame[c].map(missing).all()]
    return frame.drop(columns=empty)


def _gap_classes(kept: Ends) -> list[str] | None:
    """``pb-gap`` on the first row after the left-out middle of a long list (a marked rule)."""
    if kept.gap_at is None:
        return None
    return ["pb-gap" if i == kept.gap_at else "" for i in range(len(kept.frame))]


def trends(brief: Brief) -> Section:
    """Province and unit lines over the years, who improves or declines, bands by year."""
    lang = brief.lang
    parts: list[Any] = [Heading(2, t("heading.trends", lang))]
    tables = brief.standing.by_type.values() if brief.standing is not None else ()
    highlight = [u for tab in tables for u in tab.improving() + tab.declining()]
    if brief.reorganized:
        parts.extend(NL.history_parts(brief) if brief.national else _history_block(brief))
    if len(brief.years) > 1:
        parts.append(F.trend_figure(brief.history, "total", lang, highlight=highlight[:6], breaks=brief.breaks,
                                    measure=t("measure.total", lang, **NM.words(brief))))
    else:  # one year (the first on a new map): this year's units side by side, not a column of dots
        parts.append(_cross_section(brief))
    if brief.national:
        path = NL.path_sentence(brief)
        parts += [Paragraph(path)] if path else []
    elif brief.standing is not None:
        name = NM.province_phrase(brief) if NM.voice_of(brief).body is not None else brief.province
        parts += [Paragraph(s) for s in M.province_movement_sentence(
            brief.standing, name, lang, reorganized=brief.reorganized, min_years=brief.min_years,
            voice=NM.voice_of(brief))]
    called = sorted((tr for tab in tables for tr in tab.trends if tr.significant), key=lambda x: -x.slope)
    if called:
        first, last = t("column.first_standing", lang), t("column.last_standing", lang)
        frame = pd.DataFrame({
            t("column.unit", lang): [tr.unit for tr in called],
            t("column.trend", lang): [M.standing_label(tr.classification, lang) for tr in called],
            first: [float(tr.z[0]) for tr in called],
            last: [float(tr.z[-1]) for tr in called],
        })
        parts.append(styled(frame, name="standing", formats={first: _signed(lang), last: _signed(lang)},
                            numeric=(first, last), cell_classes={t("column.unit", lang): _name_class},
                            phone_hide=(first,)))  # on a phone: the unit, its trend and where it stands now
    if brief.standing is not None:
        parts += [Paragraph(s) for s in M.movement_sentences(brief.standing, lang, reorganized=brief.reorganized,
                                                             limit=None, voice=NM.voice_of(brief))]
    counts = _band_counts(brief)
    if counts["year"].nunique() > 1:
        parts.append(F.band_distribution_figure(counts, lang, order=[b.label(lang) for b in brief.scheme.bands]))
    elif len(counts):  # one year: a sentence says what a one-bar chart would
        parts.append(Paragraph(_bands_sentence(brief, counts)))
    return Section(*parts)


def _cross_section(brief: Brief) -> F.Figure:
    """This year's score of each unit, one panel per unit type (the best and worst of a long list)."""
    lang = brief.lang
    label_col = f"band_label_{lang}"
    panels = [(NM.unit_label(brief, ut), table.assign(band_label=table[label_col] if label_col in table else None))
              for ut, table in brief.league.items()]
    return cross_section_figure(panels, lang, year=brief.year, band_order=[b.label(lang) for b in brief.scheme.bands],
                                ends=ENDS, measure=t("measure.total", lang, **NM.words(brief)))


def _bands_sentence(brief: Brief, counts: pd.DataFrame) -> str:
    """One year's units per rating band as a sentence (best band first, empty bands left out)."""
    lang = brief.lang
    year = int(counts["year"].iloc[0])
    items = [t(NM.nation_key(brief, "layout.band_count"), lang, n=fmt_int(r.n, lang), label=r.band_label)
             for r in counts.itertuples() if r.n > 0]
    return t(NM.nation_key(brief, "layout.bands_one_year"), lang, year=year, n=fmt_int(int(counts["n"].sum()), lang),
             counts=N.join_names(tuple(items), lang))


def _history_block(brief: Brief) -> list[Any]:
    """For a brief on the new map: each predecessor's own series, never joined to the new one.

    A province formed from several gets the chart of the former provinces; one that was not
    reorganized gets no such chart (it has no former provinces), only its own scores under the
    current method in a sentence."""
    lang, h = brief.lang, brief.headline
    hist = brief.predecessor_history
    province = NM.province_phrase(brief, start=True)
    if len(brief.predecessors) <= 1:
        out: list[Any] = [Heading(3, t("brief.history.title_unchanged", lang))]
        out.append(Paragraph(NM.say("history.unchanged", lang, province=province, year=brief.year,
                                   reorg_year=brief.year)))
        own = _own_series(brief)
        return out + ([Paragraph(own)] if own else [])
    out = [Heading(3, t("history.title", lang))]
    if hist is None or hist.empty:
        return out + [Paragraph(t("history.no_data", lang))]
    last_year = int(hist["year"].max())
    preds = NM.predecessor_phrase(brief.predecessors, last_year, lang)
    out.append(Paragraph(lower_unit_words(t("history.merged", lang, **NM.words(brief), province=province, predecessors=preds,
                                                last_year=last_year, year=brief.year), lang)))
    new_point = (brief.province, brief.year, h.score) if h.score is not None and h.source == "national" else None
    breaks = brief.spec.breaks(sorted(int(y) for y in hist["year"].unique()))
    out.append(F.history_figure(hist, lang, new_point=new_point, breaks=breaks, voice=NM.voice_of(brief)))
    return out


def _own_series(brief: Brief) -> str | None:
    """An unreorganized province's own national scores from the start of the current method to this year."""
    lang, hist = brief.lang, brief.predecessor_history
    if hist is None or hist.empty or brief.headline.score is None or brief.headline.source != "national":
        return None
    years = sorted(int(y) for y in hist["year"].unique())
    # the current method period starts after the last method change (breaks sit between years: 2021.5)
    start = max([float(b) for b in brief.spec.breaks(years + [brief.year]) if b <= brief.year] or [years[0] - 0.5])
    rows = hist[hist["year"] > start].sort_values("year")
    values = [t("brief.history.own_value", lang, value=fmt_number(v, lang), year=int(y))
              for y, v in zip(rows["year"], rows["total"])]
    values.append(t("brief.history.own_value", lang, value=fmt_number(brief.headline.score, lang), year=brief.year))
    return NM.say("history.own_series", lang, **NM.words(brief), province=NM.province_phrase(brief),
                  values="; ".join(values))


def _band_counts(brief: Brief) -> pd.DataFrame:
    table = brief.bands.table()
    rows = []
    for year, row in table.iterrows():
        for band in brief.scheme.bands:
            rows.append({"year": int(year), "band_label": band.label(brief.lang), "n": int(row[band.code])})
    return pd.DataFrame(rows, columns=["year", "band_label", "n"])


def differences(brief: Brief) -> Section:
    """Do units differ beyond chance? In plain words, with adjusted means, CIs and letters; the
    tests and their statistics are in the methods section (:func:`test_details`)."""
    lang = brief.lang
    parts: list[Any] = [Heading(2, t(NM.nation_key(brief, "heading.differences"), lang))]
    for unit_type, result in brief.panel.items():
        label = NM.unit_label(brief, unit_type)
        if len(brief.panel) > 1:
            parts.append(Heading(3, label))
        parts += [Paragraph(s) for s in L.difference_plain(brief, unit_type)]
        if result.ok and len(result.means):
            means = result.means.rename(columns={"mean": "raw_mean"}).rename(columns={"ls_mean": "mean"})
            # across a method change the units are compared on within-year z-scores: positions, not scores
            standing = result.scale == "z_within_year"
            xlabel = None if standing else t("measure.total", lang, **NM.words(brief))
            parts.append(F.means_figure(means, lang, xlabel=xlabel, ends=ENDS, standing=standing))
    if brief.groups is not None:
        first, second = (NM.group_label(brief, u) for u in _unit_types(brief.current)[:2])
        parts.append(Heading(3, NM.cap(t("brief.unit.groups_heading", lang, first=first, second=second))))
        parts += [Paragraph(s) for s in L.groups_plain(brief)]
    parts.append(Paragraph(t("brief.plain.details", lang, section=t("heading.methods", lang)), "pb-muted"))
    return Section(*parts)


def component_frame(brief: Brief) -> pd.DataFrame:
    """The components table with the brief's headers: name, maximum, % of maximum, change in
    percentage points, best and worst unit (each with its %)."""
    lang, comps = brief.lang, brief.components
    pct = lambda x: f"{fmt_number(x, lang, decimals=1)}%"  # noqa: E731
    return pd.DataFrame({
        t("column.component", lang): [brief.spec.component(c).name(lang) for c in comps["code"]],
        t("column.max_points", lang): comps["max_points"].to_numpy(),
        t("column.percent_of_max", lang): comps["pct"].to_numpy(),
        t("section.change_pct", lang): comps["change_pct"].to_numpy(),
        t("section.best_unit", lang): [f"{u} ({pct(p)})" for u, p in zip(comps["best_unit"], comps["best_pct"])],
        t("section.worst_unit", lang): [f"{u} ({pct(p)})" for u, p in zip(comps["worst_unit"], comps["worst_pct"])],
    })


def components(brief: Brief) -> Section:
    """Unit × component heatmap (% of maximum) and the province's strengths and weaknesses."""
    lang = brief.lang
    heading = Heading(2, t("heading.components", lang))
    if brief.components.empty:
        return Section(heading, Paragraph(t("section.no_components", lang)))
    max_points, pct, change = (t("column.max_points", lang), t("column.percent_of_max", lang),
                               t("section.change_pct", lang))
    table = styled(_without_empty_columns(component_frame(brief)), name="components",
                   formats={max_points: _num(lang, 1), pct: _num(lang, 1, "%"), change: _signed(lang)},
                   numeric=(max_points, pct, change),
                   cell_classes={change: change_class, t("column.component", lang): _name_class},
                   # on a phone: the field, its %, change and the unit that lost most
                   phone_hide=(max_points, t("section.best_unit", lang)))
    return Section(heading, F.component_heatmap(brief.current, brief.spec, lang, ends=ENDS), table,
                   *(Paragraph(s) for s in N.component_summary(brief)))


def satisfaction(brief: Brief) -> Section:
    """Survey satisfaction by unit, when the data has a survey for this year."""
    lang = brief.lang
    parts: list[Any] = [Heading(2, t("heading.satisfaction", lang))]
    if brief.survey is None and brief.national:  # the survey asks about a province's own units
        return Section()
    if brief.survey is None:
        return Section(*parts, Paragraph(t("section.no_survey", lang, year=brief.year)))
    result = brief.survey
    parts += [Paragraph(s) for s in L.survey_plain(brief)]
    if len(result.means):
        tested = result.means[result.means["tested"]] if "tested" in result.means.columns else result.means
        parts.append(F.means_figure(tested, lang, xlabel=t("column.satisfaction", lang),
                                    title=t("section.satisfaction_title", lang), ends=ENDS))
    return Section(*parts)


def regions(brief: Brief) -> Section:
    """The socio-economic regions: in the nation's brief each region's average, best and lowest
    province (table and chart); in a province's brief its region's provinces and its rank there."""
    return Section(*NL.region_parts(brief))


def methods(brief: Brief) -> Section:
    """How the numbers were made (tests, alpha, corrections) and, for a leader, where they come from:
    the data file's name, a short check code, the software version and the date (dd/mm/yyyy).

    The full parameters and paths are in the manifest and the analysis pages, not here."""
    lang = brief.lang
    extra = [(t("brief.provenance.version", lang),
              t("brief.provenance.version_value", lang, version=str(brief.parameters.get("parbrief", ""))))]
    if brief.prepared_by:
        extra.append((t("brief.provenance.prepared_by", lang), brief.prepared_by))
    extra.append((t("brief.provenance.generated", lang), fmt_date(brief.generated, lang)))
    return Section(
        Heading(2, t("heading.methods", lang)),
        *(Paragraph(p) for p in N.methods_text(brief)),
        *test_details(brief),
        _provenance_table(lang, brief.source_name or brief.data_source, brief.data_sha256, extra, name="methods"),
        Paragraph(t("brief.provenance.note", lang), "pb-muted"),
        Paragraph(t("banner.synthetic", lang), "pb-banner") if brief.synthetic else None,
    )


def test_details(brief: Brief) -> list[Any]:
    """Each test of the brief as reported to an analyst: rule, statistic, effect size, checks, notes,
    pairs (:func:`parbrief.report.narrative.describe_difference`), under the methods heading."""
    lang = brief.lang
    out: list[Any] = []
    items = [(NM.unit_label(brief, u), r, NM.unit_label(brief, u, plural=True)) for u, r in brief.panel.items()]
    if brief.groups is not None:
        first, second = (NM.group_label(brief, u) for u in _unit_types(brief.current)[:2])
        items.append((t("brief.unit.groups_heading", lang, first=first, second=second), brief.groups, "group"))
    if brief.survey is not None:
        items.append((t("heading.satisfaction", lang), brief.survey, "unit"))
    for label, result, units in items:
        out.append(Heading(3, t("brief.methods.tests_heading", lang, label=lower_first(label) if lang == "vi"
                                else label), "pb-tech"))
        out += [Paragraph(s, "pb-tech") for s in N.describe_difference(result, lang, unit_label=units)]
    return out


#: Characters of the data's SHA-256 a leader sees (enough to tell two data files apart).
SHORT_HASH = 12


def _provenance_table(lang: str, source: str, sha256: str, extra: list[tuple[str, str]], *, name: str) -> Styler:
    """Data file name, short check code (in ``<code>``) and ``extra`` rows as a key–value table without header."""
    frame = pd.DataFrame(
        [(t("brief.provenance.source", lang), str(source).replace("\\", "/").rsplit("/", 1)[-1]),
         (t("brief.provenance.data_hash", lang), sha256[:SHORT_HASH])]
        + extra,
        columns=[t("methods.item", lang), t("methods.value", lang)],
    )
    value = frame.columns[1]
    styler = styled(frame, name=name, header=False)
    return styler.format(lambda v: f"<code>{esc(v)}</code>", subset=([1], [value]), escape=None)


# ------------------------------------------------------------------------------------------------
# National overview


def overview_header(ov: Overview) -> Section:
    """Title, banner and a one-line summary of the national table."""
    lang = ov.lang
    return Section(
        Heading(1, t("overview.title", lang, **NM.words(ov), year=ov.year)),
        Paragraph(t("banner.synthetic", lang), "pb-banner") if ov.synthetic else None,
        Paragraph(ov.spec.name(lang), "pb-muted"),
        Paragraph(t("overview.summary", lang, **NM.words(ov), n=fmt_int(len(ov.table), lang),
                    bands=ov.bands.text(ov.year, lang=lang))),
    )


def overview_frame(ov: Overview) -> pd.DataFrame:
    """Every province of the national table with the page's headers (values unrounded)."""
    lang, table = ov.lang, ov.table
    compared, n = bool(ov.compare_year), len(table)
    label_col = f"band_label_{lang}"
    frame = pd.DataFrame({
        t("column.rank", lang): table["rank"].to_numpy(),
        _unit_type_label("province", lang, NM.voice_of(ov), "index.province"): table["unit"].to_numpy(),
        t("column.score", lang): table["value"].to_numpy(),
        t("column.rating", lang): table[label_col].to_numpy() if label_col in table else [None] * n,
        t("column.change", lang): table["change"].to_numpy() if compared and "change" in table else [math.nan] * n,
    })
    if ov.reorganized:
        frame.insert(4, t("brief.overview.previous", lang, year=ov.year - 1),
                     table["previous"].to_numpy() if "previous" in table else [math.nan] * n)
        frame[t("overview_extra.formed_from", lang)] = [_formed_from(u, tuple(p), ov) for u, p in
                                                       zip(table["unit"], table["predecessors"])]
    else:
        frame[t("column.rank_change", lang)] = (table["rank_change"].to_numpy() if compared and "rank_change" in table
                                                else [math.nan] * n)
    return frame


def _formed_from(unit: str, predecessors: tuple[str, ...], ov: Overview) -> str:
    """"Hình thành từ": the provinces a new one was formed from, or "Không sắp xếp" (with the name
    of the year before when it differs: Huế was "Thừa Thiên Huế")."""
    lang = ov.lang
    if len(predecessors) > 1:
        return N.join_names(predecessors, lang)
    if predecessors and predecessors[0] != unit:
        return t("brief.overview.renamed", lang, year=ov.year - 1, name=predecessors[0])
    return t("brief.overview.not_reorganized", lang)


def overview_table(ov: Overview) -> Section:
    """Every province: rank, score, group, change and rank change, linked to its brief."""
    lang = ov.lang
    compared = bool(ov.compare_year)
    rank, province, score, change, rank_change = (
        t("column.rank", lang), _unit_type_label("province", lang, NM.voice_of(ov), "index.province"),
        t("column.score", lang), t("column.change", lang),
        t("column.rank_change", lang))

    def link(name: Any) -> str:
        href = ov.links.get(name)
        return f'<a href="{esc(href)}">{esc(name)}</a>' if href else esc(name)

    previous = t("brief.overview.previous", lang, year=ov.year - 1)
    formats = {rank: _int(lang), score: _num(lang), change: _signed(lang, compared)}
    if ov.reorganized:  # the score of the year before, of a province that was not reorganized
        formats[previous] = _num(lang)
    if not ov.reorganized:
        formats[rank_change] = _rank_change(lang, compared)
    # on a phone: rank, province, score, change (and what it was formed from); the rating follows
    # from the score, last year's score from the change
    table = styled(overview_frame(ov), name="overview", formats=formats, html_formats={province: link},
                   numeric=(rank, score, previous, change),
                   cell_classes={change: change_class, rank_change: change_class, province: _name_class}
                   if not ov.reorganized else {change: change_class, province: _name_class},
                   phone_hide=(t("column.rating", lang), previous))
    note = (Paragraph(t("overview_extra.reorg_note", lang, year=ov.year, n=fmt_int(len(ov.table), lang)), "pb-muted")
            if ov.reorganized else None)
    return Section(Heading(2, t("overview.table", lang, **NM.words(ov))), table, note)


def overview_figure(ov: Overview) -> Section:
    """All provinces over the years, the national mean bold."""
    lang = ov.lang
    years = sorted(int(y) for y in ov.history["year"].unique())
    if len(years) <= 1:  # the first year on a new map: every province side by side
        label_col = f"band_label_{lang}"
        table = ov.table.assign(band_label=ov.table[label_col] if label_col in ov.table else None)
        figure = cross_section_figure([(_unit_type_label("province", lang, NM.voice_of(ov)), table)], lang,
                                      year=ov.year, band_order=[b.label(lang) for b in ov.scheme.bands],
                                      measure=t("measure.total", lang, **NM.words(ov)))
        return Section(Heading(2, t("heading.trends", lang)), figure)
    breaks = ov.spec.breaks(years)
    return Section(Heading(2, t("heading.trends", lang)), F.trend_figure(ov.history, "total", lang, breaks=breaks,
                                                                     measure=t("measure.total", lang, **NM.words(ov))))


def overview_methods(ov: Overview) -> Section:
    """Source, ranking rule and provenance of the overview."""
    lang = ov.lang
    return Section(
        Heading(2, t("heading.methods", lang)),
        Paragraph(t("overview.method", lang, **NM.words(ov), scheme=ov.scheme.name(lang))),
        _provenance_table(lang, ov.source_name or ov.data_source, ov.data_sha256,
                          [(t("brief.provenance.generated", lang), fmt_date(ov.generated, lang))], name="overview-methods"),
    )


# ------------------------------------------------------------------------------------------------
# What an executed brief hands to the run (not shown in the HTML)


@dataclass(frozen=True)
class HeadlineOutput:
    """The brief's headline numbers as a notebook output (``HEADLINE_MIME``, JSON).

    The year's index reads them from the executed notebook (``parbrief.run.index``), so it
    shows the numbers the brief printed without recomputing them. The notebook cell that shows
    it is tagged ``remove_cell``: the leader's HTML does not contain it.
    """

    headline: Headline

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        record = headline_record(self.headline)
        return {HEADLINE_MIME: record, "text/plain": f"headline: {record}"}


def headline_output(brief: Brief) -> HeadlineOutput:
    """The output the index reads: see :class:`HeadlineOutput`."""
    return HeadlineOutput(brief.headline)
