"""This year's scores of every unit as a sorted dot chart: the chart of a brief with one year of data.

A brief on the map of 1 July 2025 has one year of scores. A trend chart would draw one column of
dots, so such a brief shows this chart instead: one panel per unit type (departments, communes),
units sorted best first, each dot coloured by its rating band and labelled with its score, a
line at the mean of the panel's units. Long lists (100 communes) keep their best and worst units
(:mod:`parbrief.report.rows`), so the chart's height stays bounded.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from parbrief.report.figures import (
    ALT_CHARS, LABEL_CHARS, NARROW_LABEL_CHARS, Figure, _band_palette, _both, _empty, _LocaleFormatter,
    _MEAN, _new_figure, _with_gap, brief_theme, clean_label,
)
from parbrief.report.axis_labels import row_labels
from parbrief.report.rows import keep_ends
from parbrief.text.formats import check_lang, fmt_number
from parbrief.text.messages import t
from parbrief.text.voice import DEFAULT_VOICE

__all__ = ["cross_section_figure"]

_MAX_HEIGHT_IN = 10.0


def cross_section_figure(
    panels: Sequence[tuple[str, pd.DataFrame]],
    lang: str = "vi",
    *,
    year: int,
    band_order: Sequence[str] = (),
    ends: int | None = None,
    measure: str | None = None,
) -> Figure:
    """Sorted dot chart of one year's scores, one panel per ``(label, frame)`` of ``panels``.

    Each frame has ``unit``, ``value`` and optionally ``band_label``; ``band_order`` lists the
    band labels best first (the colours of :func:`~parbrief.report.figures.band_distribution_figure`).
    A single panel has no panel title. ``ends`` keeps the best and worst units of a long panel;
    ``measure`` names the score (default: the PAR INDEX's name; briefs pass their spec's).
    """
    check_lang(lang)
    measure = measure or t("measure.total", lang, index=DEFAULT_VOICE.index)
    title = t("layout.cross_title", lang, measure=measure, year=year)
    frames = [(label, f.dropna(subset=["value"]).sort_values("value", ascending=False, kind="stable")
               .reset_index(drop=True)) for label, f in panels]
    frames = [(label, f) for label, f in frames if len(f)]
    if not frames:
        return _empty(lang, title)
    kept = [(label, _with_gap(keep_ends(f, ends), lang), float(f["value"].mean())) for label, f in frames]
    order = [str(b) for b in band_order]
    colours = dict(zip(order, _band_palette(len(order)))) if order else {}
    lo = min(float(f["value"].min()) for _, f in frames)
    hi = max(float(f["value"].max()) for _, f in frames)
    pad = max(hi - lo, 1.0) * 0.08

    def draw(narrow: bool) -> MplFigure:
        chars = NARROW_LABEL_CHARS if narrow else LABEL_CHARS
        row_in = 0.22 if narrow else 0.24
        heights = [len(rows) + 1.2 for _, rows, _ in kept]
        height = min(_MAX_HEIGHT_IN, 1.6 + row_in * sum(heights))
        with matplotlib.rc_context(brief_theme()):
            fig = _new_figure(height, narrow)
            axes = fig.subplots(len(kept), 1, sharex=True, squeeze=False, height_ratios=heights)[:, 0]
            for ax, (label, rows, mean) in zip(axes, kept):
                _panel(ax, rows, mean, colours, lang, chars, narrow)
                if len(kept) > 1:
                    ax.set_title(label, fontsize=9.5, fontweight="bold")
            axes[0].set_xlim(lo - pad, hi + pad * (2.5 if narrow else 1.5))
            axes[-1].xaxis.set_major_locator(MaxNLocator(nbins=4 if narrow else 6))
            axes[-1].xaxis.set_major_formatter(_LocaleFormatter(lang))
            axes[-1].set_xlabel(t("figure.trend_ylabel", lang, measure=measure))
            fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=11.5 if not narrow else 10.5,
                         wrap=True)
            handles = [Line2D([], [], ls="none", marker="o", ms=6, color=colours[b], label=clean_label(b, 32))
                       for b in order if any((rows.get("band_label") == b).any() for _, rows, _ in kept)]
            handles.append(Line2D([], [], color=_MEAN, ls="--", lw=1.2, label=t("layout.type_mean", lang)))
            fig.legend(handles=handles, loc="lower left", fontsize=8 if narrow else 8.5,
                       ncols=2 if narrow else min(len(handles), 6), alignment="left",
                       title=t("figure.bands_legend", lang) if order else None, title_fontsize=8.5)
        return fig

    best = max(((f.iloc[0]["value"], f.iloc[0]["unit"]) for _, f in frames), key=lambda x: x[0])
    worst = min(((f.iloc[-1]["value"], f.iloc[-1]["unit"]) for _, f in frames), key=lambda x: x[0])
    alt = t("layout.alt_cross", lang, measure=measure, year=year, n_units=sum(len(f) for _, f in frames),
            best=clean_label(best[1], ALT_CHARS), best_value=fmt_number(best[0], lang, 2),
            worst=clean_label(worst[1], ALT_CHARS), worst_value=fmt_number(worst[0], lang, 2))
    return _both(draw, alt, lang)


def _panel(ax, rows: pd.DataFrame, mean: float, colours: dict, lang: str, chars: int, narrow: bool) -> None:
    """One unit type's dots, score labels, mean line and unit names (gap row in grey italics)."""
    y = np.arange(len(rows))
    values = rows["value"].to_numpy(dtype=float)
    bands = rows["band_label"] if "band_label" in rows.columns else pd.Series([None] * len(rows))
    for yi, v, b, gap in zip(y, values, bands, rows["_gap"]):
        if gap or not np.isfinite(v):
            continue
        ax.plot([v], [yi], ls="none", marker="o", ms=6, color=colours.get(b, "#1f6fb4"), zorder=3)
        ax.annotate(fmt_number(v, lang, 2), xy=(v, yi), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=8 if narrow else 8.5, color=".2")
    ax.axvline(mean, color=_MEAN, ls="--", lw=1.2, zorder=1)
    row_labels(ax, y, [u if g else clean_label(u, chars) for u, g in zip(rows["unit"], rows["_gap"])],
               fontsize=8 if narrow else 8.5, muted=rows["_gap"].tolist())
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.grid(axis="y", visible=False)
