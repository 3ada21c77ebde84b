"""The sections of a brief as HTML blocks: what each notebook cell displays.

Each function takes a :class:`~parbrief.analysis.brief.Brief` (or an overview) and returns a
:class:`Section`, which a notebook shows as HTML. Every name from the data is HTML-escaped
here; numbers go through :mod:`parbrief.text.formats`, words through the locales and
:mod:`parbrief.report.narrative`. Tables are short and readable (a leader's memo, not a
DataFrame dump).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import pandas as pd

from parbrief.report import figures as F
from parbrief.report import movement as M
from parbrief.report import narrative as N
from parbrief.analysis.brief import Brief
from parbrief.analysis.headline import HEADLINE_MIME, Headline, headline_record
from parbrief.analysis.overview import Overview
from parbrief.text.formats import fmt_int, fmt_number, fmt_signed
from parbrief.text.messages import t

__all__ = [
    "Section",
    "header",
    "key_findings",
    "league_table",
    "trends",
    "differences",
    "components",
    "satisfaction",
    "methods",
    "headline_output",
]


class Section:
    """One section of a page: HTML blocks (headings, sentences, tables) and figures, in order.

    In a notebook each figure is its own output (``image/png`` with its alt text, see
    :class:`parbrief.report.figures.Figure`: an analyst can take ``section.figures[0].fig`` and
    change it) and the HTML between figures one output each; ``.html`` is the whole section as
    one HTML string (tests, other pages).
    """

    def __init__(self, *parts: "str | F.Figure") -> None:
        self.parts: tuple[str | F.Figure, ...] = tuple(p for p in parts if p is not None and p != "")

    @property
    def figures(self) -> list[F.Figure]:
        return [p for p in self.parts if isinstance(p, F.Figure)]

    @property
    def html(self) -> str:
        return "\n".join(p.to_html() if isinstance(p, F.Figure) else p for p in self.parts)

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        pending: list[str] = []
        for part in self.parts:
            if isinstance(part, F.Figure):
                if pending:
                    display(HTML("\n".join(pending)))
                    pending = []
                display(part)
            else:
                pending.append(part)
        if pending:
            display(HTML("\n".join(pending)))

    def __str__(self) -> str:
        return self.html


def esc(value: Any) -> str:
    """HTML-escape any value (names come from users' files and may contain markup)."""
    return html.escape("" if value is None else str(value), quote=True)


def _p(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def _h(level: int, text: str) -> str:
    return f"<h{level}>{esc(text)}</h{level}>"


def _table(headers: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]], caption: str = "") -> str:
    """A small HTML table; ``headers`` are (label, numeric) and cells are already-formatted text."""
    num_attr = ' class="pb-num"'
    head = "".join(f"<th{num_attr if num else ''}>{esc(h)}</th>" for h, num in headers)
    body = []
    for row in rows:
        cells = "".join(
            f"<td{num_attr if num else ''}>{cell}</td>" for cell, (_, num) in zip(row, headers)
        )
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="pb-table-wrap"><table class="pb-table">{cap}<thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table></div>'
    )


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _rank_change(x: Any, lang: str) -> str:
    if _missing(x):
        return esc(t("rank_change.new", lang))
    n = int(x)
    if n > 0:
        return f'<span class="pb-up">{esc(t("rank_change.up", lang, n=n))}</span>'
    if n < 0:
        return f'<span class="pb-down">{esc(t("rank_change.down", lang, n=-n))}</span>'
    return esc(t("rank_change.same", lang))


def _signed_html(x: Any, lang: str) -> str:
    if _missing(x):
        return "–"
    cls = "pb-up" if x > 0 else ("pb-down" if x < 0 else "")
    text = esc(fmt_signed(float(x), lang))
    return f'<span class="{cls}">{text}</span>' if cls else text


def _unit_type_label(unit_type: str, lang: str) -> str:
    try:
        return t(f"unit_type.{unit_type}", lang)
    except KeyError:
        return unit_type


def header(brief: Brief) -> Section:
    """Title, synthetic-data banner, and the headline: score, rating, national rank, change."""
    lang, h = brief.lang, brief.headline
    parts = [_h(1, t("heading.title", lang, province=brief.province, year=brief.year))]
    if brief.synthetic:
        parts.append(_p(t("banner.synthetic", lang), "pb-banner"))
    parts.append(_p(brief.spec.name(lang), "pb-muted"))
    kpis = [
        (t("headline.score", lang), fmt_number(h.score, lang)),
        (t("headline.rating", lang), h.band_label or "–"),
        (
            t("headline.rank", lang),
            t("headline.rank_of", lang, rank=fmt_int(h.rank, lang), n=fmt_int(h.n_ranked, lang)) if h.rank else "–",
        ),
        (
            t("headline.change", lang),
            fmt_signed(h.change, lang) if h.change is not None
            else t(f"headline_extra.kpi_{h.no_change_reason}", lang)
            if h.no_change_reason in ("new_province", "method_break", "new_map")
            else t("headline.no_previous", lang),
        ),
    ]
    cells = "".join(
        f'<div class="pb-kpi"><span class="pb-kpi-label">{esc(label)}</span>'
        f'<span class="pb-kpi-value">{esc(value)}</span></div>'
        for label, value in kpis
    )
    parts.append(f'<div class="pb-headline">{cells}</div>')
    parts.append(_p(N.headline_source(brief), "pb-muted"))
    return Section(*parts)


def key_findings(brief: Brief) -> Section:
    """The 3–6 sentences a leader reads first (see :func:`parbrief.report.narrative.key_findings`)."""
    items = "".join(f"<li>{esc(s)}</li>" for s in N.key_findings(brief))
    return Section(_h(2, t("heading.key_findings", brief.lang)) + f"<ul>{items}</ul>")


def league_table(brief: Brief) -> Section:
    """Rank, score, rating, change and trend of every unit, one table per unit type."""
    lang = brief.lang
    parts = [_h(2, t("heading.league_table", lang))]
    headers = [
        (t("column.rank", lang), True),
        (t("column.unit", lang), False),
        (t("column.score", lang), True),
        (t("column.rating", lang), False),
        (t("column.change", lang), True),
        (t("column.rank_change", lang), False),
        (t("column.trend", lang), False),
    ]
    label_col = f"band_label_{lang}"
    for unit_type, table in brief.league.items():
        if len(brief.league) > 1:
            parts.append(_h(3, _unit_type_label(unit_type, lang)))
        rows = []
        for r in table.itertuples(index=False):
            rows.append(
                [
                    esc(fmt_int(r.rank, lang)) if not _missing(r.rank) else "–",
                    esc(r.unit),
                    esc(fmt_number(r.value, lang)),
                    esc(getattr(r, label_col) if not _missing(getattr(r, label_col)) else "–"),
                    _signed_html(getattr(r, "change", None), lang) if brief.compare_year else "–",
                    _rank_change(getattr(r, "rank_change", None), lang) if brief.compare_year else "–",
                    esc(M.standing_label(r.trend, lang)) if isinstance(r.trend, str) else "–",
                ]
            )
        parts.append(_table(headers, rows))
    for sentence in N.league_notes(brief):
        parts.append(_p(sentence, "pb-muted"))
    return Section(*parts)


def trends(brief: Brief) -> Section:
    """Province and unit lines over the years, who improves or declines, bands by year."""
    lang = brief.lang
    parts = [_h(2, t("heading.trends", lang))]
    tables = brief.standing.by_type.values() if brief.standing is not None else ()
    highlight = [u for tab in tables for u in tab.improving() + tab.declining()]
    if brief.reorganized:
        parts.extend(_history_block(brief))
    parts.append(F.trend_figure(brief.history, "total", lang, highlight=highlight[:6], breaks=brief.breaks))
    if brief.standing is not None:
        for sentence in M.province_movement_sentence(brief.standing, brief.province, lang,
                                                     reorganized=brief.reorganized, min_years=brief.min_years):
            parts.append(_p(sentence))
    called = [tr for tab in tables for tr in tab.trends if tr.significant]
    if called:
        headers = [
            (t("column.unit", lang), False),
            (t("column.trend", lang), False),
            (t("column.first_standing", lang), True),
            (t("column.last_standing", lang), True),
        ]
        rows = [
            [esc(tr.unit), esc(M.standing_label(tr.classification, lang)), esc(fmt_signed(tr.z[0], lang)),
             esc(fmt_signed(tr.z[-1], lang))]
            for tr in sorted(called, key=lambda x: -x.slope)
        ]
        parts.append(_table(headers, rows))
    if brief.standing is not None:
        for sentence in M.movement_sentences(brief.standing, lang, reorganized=brief.reorganized, limit=None):
            parts.append(_p(sentence))
    counts = _band_counts(brief)
    if len(counts):
        parts.append(
            F.band_distribution_figure(counts, lang, order=[b.label(lang) for b in brief.scheme.bands])
        )
    return Section(*parts)


def _history_block(brief: Brief) -> list[str]:
    """For a brief on the new map: each predecessor's own series, never joined to the new one."""
    lang, h = brief.lang, brief.headline
    out = [_h(3, t("history.title", lang))]
    hist = brief.predecessor_history
    if hist is None or hist.empty:
        return out + [_p(t("history.no_data", lang))]
    last_year = int(hist["year"].max())
    key = "history.merged" if len(brief.predecessors) > 1 else "history.unchanged"
    out.append(_p(t(key, lang, province=brief.province, predecessors=N.join_names(brief.predecessors, lang),
                    last_year=last_year, year=brief.year, reorg_year=last_year + 1)))
    new_point = (brief.province, brief.year, h.score) if h.score is not None and h.source == "national" else None
    breaks = brief.spec.breaks(sorted(int(y) for y in hist["year"].unique()))
    out.append(F.history_figure(hist, lang, new_point=new_point, breaks=breaks))
    return out


def _band_counts(brief: Brief) -> pd.DataFrame:
    table = brief.bands.table()
    rows = []
    for year, row in table.iterrows():
        for band in brief.scheme.bands:
            rows.append({"year": int(year), "band_label": band.label(brief.lang), "n": int(row[band.code])})
    return pd.DataFrame(rows)


def differences(brief: Brief) -> Section:
    """Do units differ beyond chance? The test in words, adjusted means with CIs and letters."""
    lang = brief.lang
    parts = [_h(2, t("heading.differences", lang))]
    for unit_type, result in brief.panel.items():
        label = _unit_type_label(unit_type, lang)
        if len(brief.panel) > 1:
            parts.append(_h(3, label))
        for sentence in N.describe_difference(result, lang, unit_label=label):
            parts.append(_p(sentence))
        if result.ok and len(result.means):
            means = result.means.rename(columns={"mean": "raw_mean"}).rename(columns={"ls_mean": "mean"})
            xlabel = t("measure.standing" if result.scale == "z_within_year" else "measure.total", lang)
            parts.append(F.means_figure(means, lang, xlabel=xlabel))
    if brief.groups is not None:
        parts.append(_h(3, t("section.groups", lang)))
        for sentence in N.describe_difference(brief.groups, lang, unit_label=t("column.group", lang)):
            parts.append(_p(sentence))
    return Section(*parts)


def components(brief: Brief) -> Section:
    """Unit × component heatmap (% of maximum) and the province's strengths and weaknesses."""
    lang = brief.lang
    parts = [_h(2, t("heading.components", lang))]
    if brief.components.empty:
        parts.append(_p(t("section.no_components", lang)))
        return Section(*parts)
    parts.append(F.component_heatmap(brief.current, brief.spec, lang))
    headers = [
        (t("column.component", lang), False),
        (t("column.max_points", lang), True),
        (t("column.percent_of_max", lang), True),
        (t("section.change_pct", lang), True),
        (t("section.best_unit", lang), False),
        (t("section.worst_unit", lang), False),
    ]
    rows = []
    for r in brief.components.itertuples(index=False):
        comp = brief.spec.component(r.code)
        rows.append(
            [
                esc(comp.name(lang)),
                esc(fmt_number(r.max_points, lang, decimals=1)),
                esc(fmt_number(r.pct, lang, decimals=1) + "%"),
                _signed_html(r.change_pct, lang) if not _missing(r.change_pct) else "–",
                esc(f"{r.best_unit} ({fmt_number(r.best_pct, lang, decimals=1)}%)"),
                esc(f"{r.worst_unit} ({fmt_number(r.worst_pct, lang, decimals=1)}%)"),
            ]
        )
    parts.append(_table(headers, rows))
    for sentence in N.component_summary(brief):
        parts.append(_p(sentence))
    return Section(*parts)


def satisfaction(brief: Brief) -> Section:
    """Survey satisfaction by unit, when the data has a survey for this year."""
    lang = brief.lang
    parts = [_h(2, t("heading.satisfaction", lang))]
    if brief.survey is None:
        parts.append(_p(t("section.no_survey", lang, year=brief.year)))
        return Section(*parts)
    result = brief.survey
    for sentence in N.describe_difference(result, lang, unit_label=t("column.unit", lang)):
        parts.append(_p(sentence))
    if len(result.means):
        tested = result.means[result.means["tested"]] if "tested" in result.means.columns else result.means
        parts.append(
            F.means_figure(tested, lang, xlabel=t("column.satisfaction", lang),
                           title=t("section.satisfaction_title", lang))
        )
    return Section(*parts)


def methods(brief: Brief) -> Section:
    """How the numbers were made: tests, alpha, corrections, data hash, version, parameters, date."""
    lang = brief.lang
    parts = [_h(2, t("heading.methods", lang))]
    for paragraph in N.methods_text(brief):
        parts.append(_p(paragraph))
    params = ", ".join(f"{k} = {v}" for k, v in brief.parameters.items())
    rows = [
        [esc(t("methods.source", lang)), esc(brief.data_source.rsplit("/", 1)[-1])],
        [esc(t("methods.data_hash", lang)), f"<code>{esc(brief.data_sha256[:16])}…</code>"],
        [esc(t("methods.version", lang)), esc(brief.parameters.get("parbrief", ""))],
        [esc(t("methods.parameters", lang)), esc(params)],
        [esc(t("methods.generated", lang)), esc(brief.generated)],
    ]
    parts.append(_table([("", False), ("", False)], rows))
    if brief.synthetic:
        parts.append(_p(t("banner.synthetic", lang), "pb-banner"))
    return Section(*parts)


# ------------------------------------------------------------------------------------------------
# National overview


def overview_header(ov: Overview) -> Section:
    """Title, banner and a one-line summary of the national table."""
    lang = ov.lang
    parts = [_h(1, t("overview.title", lang, year=ov.year))]
    if ov.synthetic:
        parts.append(_p(t("banner.synthetic", lang), "pb-banner"))
    parts.append(_p(ov.spec.name(lang), "pb-muted"))
    parts.append(_p(t("overview.summary", lang, n=fmt_int(len(ov.table), lang),
                      bands=ov.bands.text(ov.year, lang=lang))))
    return Section(*parts)


def overview_table(ov: Overview) -> Section:
    """Every province: rank, score, group, change and rank change, linked to its brief."""
    lang = ov.lang
    headers = [
        (t("column.rank", lang), True),
        (t("index.province", lang), False),
        (t("column.score", lang), True),
        (t("column.rating", lang), False),
        (t("column.change", lang), True),
        (t("column.rank_change", lang), False),
    ]
    if ov.reorganized:
        headers = headers[:-1] + [(t("overview_extra.formed_from", lang), False)]
    label_col = f"band_label_{lang}"
    rows = []
    for r in ov.table.itertuples(index=False):
        name = esc(r.unit)
        href = ov.links.get(r.unit)
        row = [
            esc(fmt_int(r.rank, lang)) if not _missing(r.rank) else "–",
            f'<a href="{esc(href)}">{name}</a>' if href else name,
            esc(fmt_number(r.value, lang)),
            esc(getattr(r, label_col) if not _missing(getattr(r, label_col)) else "–"),
            _signed_html(getattr(r, "change", None), lang) if ov.compare_year else "–",
        ]
        if ov.reorganized:
            preds = tuple(r.predecessors)
            row.append(esc(N.join_names(preds, lang)) if len(preds) > 1 else esc(t("overview_extra.unchanged", lang)))
        else:
            row.append(_rank_change(getattr(r, "rank_change", None), lang) if ov.compare_year else "–")
        rows.append(row)
    note = ""
    if ov.reorganized:
        note = _p(t("overview_extra.reorg_note", lang, year=ov.year, n=fmt_int(len(ov.table), lang)), "pb-muted")
    return Section(_h(2, t("overview.table", lang)) + _table(headers, rows) + note)


def overview_figure(ov: Overview) -> Section:
    """All provinces over the years, the national mean bold."""
    lang = ov.lang
    years = sorted(int(y) for y in ov.history["year"].unique())
    breaks = ov.spec.breaks(years)
    return Section(_h(2, t("heading.trends", lang)), F.trend_figure(ov.history, "total", lang, breaks=breaks))


def overview_methods(ov: Overview) -> Section:
    """Source, ranking rule and provenance of the overview."""
    lang = ov.lang
    rows = [
        [esc(t("methods.source", lang)), esc(ov.data_source.rsplit("/", 1)[-1])],
        [esc(t("methods.data_hash", lang)), f"<code>{esc(ov.data_sha256[:16])}…</code>"],
        [esc(t("methods.generated", lang)), esc(ov.generated)],
    ]
    return Section(
        _h(2, t("heading.methods", lang)) + _p(t("overview.method", lang, scheme=ov.scheme.name(lang)))
        + _table([("", False), ("", False)], rows)
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
