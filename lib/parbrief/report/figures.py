"""Figures of the brief (seaborn/matplotlib): trends, unit means with CIs, component heatmap, rating bands.

Every figure is drawn under one theme, :func:`brief_theme`, applied with ``matplotlib.rc_context``
so nothing leaks into the caller's rcParams, on a bare ``matplotlib.figure.Figure`` (not pyplot):
no figure registry to close, nothing shown twice by the inline backend, safe to build many in a
loop. Each function returns :class:`Figure` (the matplotlib figure and alt text in the brief's
language); in a notebook ``show(figure)`` (or just leaving the Figure as the cell's last value)
emits an ``image/png`` output whose metadata carry the alt text, which the brief's nbconvert
template writes as ``<img alt="…" src="data:image/png;base64,…">``, so it survives the export.

Two screens: each chart is drawn twice, for a desktop column and paper (:data:`WIDTH_IN`) and for a
phone (:data:`NARROW_IN`, legends below, shorter labels); the page shows the phone variant below
:data:`NARROW_MEDIA` through ``<picture>``, so the text keeps its size (≥ 10 CSS px) on a 390 px
screen instead of shrinking to 42%. Each PNG carries its smallest text size (``data-text-px``),
which the browser test checks. Long lists (a province's 100 communes) are drawn as their best and
worst units with the gap named (``ends``, :mod:`parbrief.report.rows`).

Text: DejaVu Sans, bundled with matplotlib, covers Vietnamese (tested glyph by glyph), so
diacritics render on any machine without a system font. Names come from analysts' files and may
be hostile (300 characters, ``$`` signs, bidi marks, emoji): labels are cleaned (control and
format characters dropped, glyphs missing from the font replaced, mathtext off) and truncated
with an ellipsis; alt text keeps the cleaned name up to a longer limit.
"""

from __future__ import annotations

import base64
import html
import io
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Sequence

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.figure import Figure as MplFigure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import Formatter, MaxNLocator
from PIL import Image

from parbrief.report.axis_labels import row_labels
from parbrief.report.cell_values import CellValues
from parbrief.report.figure_layout import COLUMN_HEAD, fit
from parbrief.report.raster import TextCacheCanvas
from parbrief.report.rows import Ends, keep_ends
from parbrief.text.admin_case import lower_unit_words
from parbrief.text.formats import check_lang, fmt_number, fmt_signed
from parbrief.text.messages import t
from parbrief.text.voice import DEFAULT_VOICE, Voice
from parbrief.spec import IndexSpec

__all__ = [
    "DPI",
    "FONT_FAMILY",
    "NARROW_MIME",
    "Figure",
    "Rendered",
    "figure_html",
    "render",
    "smallest_text_px",
    "band_distribution_figure",
    "brief_theme",
    "clean_label",
    "component_heatmap",
    "font_path",
    "locale_numbers",
    "means_figure",
    "show",
    "to_png_bytes",
    "trend_figure",
]

FONT_FAMILY = "DejaVu Sans"
DPI = 110  # 8 in wide → 880 px: sharp at the page's 55rem figure width, small as PNG
WIDTH_IN = 8.0
#: The phone variant: drawn for a 360 CSS px column (3.75 in at 96 CSS px per inch), at 1.5 device
#: pixels per CSS pixel, so its text keeps its point size on a 390 px phone (never scaled to 42%).
NARROW_IN = 3.75
NARROW_DPI = 144
#: Below this viewport width the page shows the narrow variant (``<picture><source media=…>``).
NARROW_MEDIA = "(max-width: 44rem)"
#: The narrow PNG's own output type in a notebook (the wide one is ``image/png``).
NARROW_MIME = "image/vnd.parbrief.narrow+png"
LABEL_CHARS = 28  # axis / annotation labels
NARROW_LABEL_CHARS = 20  # the same on the phone variant
ALT_CHARS = 80  # names inside alt text

# Line colours: best unit, worst unit, highlighted units, province mean (colour-blind safe pair).
_BEST = "#1f6fb4"
_WORST = "#c8431b"
_HIGHLIGHT = "#6a3d9a"
#: Highlighted units beyond the first each get their own colour (purple, green, brown, teal, magenta):
#: two named lines never share one.
_HIGHLIGHTS = ("#6a3d9a", "#1b7837", "#8c510a", "#01665e", "#c51b7d")
_MEAN = "#222222"
_UNIT = "#9aa3ad"


@dataclass(frozen=True)
class Rendered:
    """One PNG of a figure: its bytes, CSS size (96 px per inch) and smallest text in CSS px.

    ``text_px`` is the smallest font drawn (points × 96/72) at the image's CSS size: scaled by
    (shown width / ``css_width``) it is the text size a reader sees.
    """

    png: bytes
    css_width: int
    css_height: int
    text_px: float

    @property
    def b64(self) -> str:
        return base64.b64encode(self.png).decode("ascii")


def render(fig: MplFigure) -> Rendered:
    """``fig`` as a :class:`Rendered` PNG (see :func:`to_png_bytes`)."""
    png = to_png_bytes(fig)
    w, h = _png_size(png)
    scale = 96 / fig.dpi
    return Rendered(png, round(w * scale), round(h * scale), smallest_text_px(fig))


def smallest_text_px(fig: MplFigure) -> float:
    """The smallest visible, non-empty text of ``fig`` in CSS px (font points × 96/72)."""
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: isinstance(a, (matplotlib.text.Text, CellValues)))
             if t.get_visible() and t.get_text().strip() and t.get_figure() is not None]
    return round(min(sizes) * 96 / 72, 2) if sizes else 0.0


@dataclass(frozen=True)
class Figure:
    """A figure for the brief, its alt text (in the brief's language) and its phone variant.

    ``fig`` is drawn for a desktop column and for paper; ``narrow``, when given, is the same
    chart drawn for a phone (:data:`NARROW_IN` wide, shorter labels, legends below), shown
    below :data:`NARROW_MEDIA` through ``<picture>``. Displaying it in a notebook emits an
    ``<img>`` with the alt text and the PNG as a data URI.
    """

    fig: MplFigure
    alt: str
    narrow: MplFigure | None = None

    def to_png(self) -> bytes:
        return to_png_bytes(self.fig)

    def rendered(self) -> tuple[Rendered, Rendered | None]:
        """The wide and (when drawn) narrow PNGs."""
        return render(self.fig), (render(self.narrow) if self.narrow is not None else None)

    def to_html(self) -> str:
        """``<figure>`` with a ``<picture>`` (narrow source, wide ``<img>``), alt text escaped.

        Width/height are CSS px so the page does not reflow while images decode; CSS
        (max-width:100%; height:auto) scales them to the column. The export template writes
        the same markup from the notebook output (``templates/parbrief/index.html.j2``).
        """
        wide, narrow = self.rendered()
        return figure_html(self.alt, wide, narrow)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, str], dict[str, Any]]:
        """A native image output: ``image/png`` with the alt text, CSS size and smallest text
        as its metadata, plus the phone variant under :data:`NARROW_MIME` (Jupyter shows the
        PNG; the brief's nbconvert template writes both into a ``<picture>``)."""
        wide, narrow = self.rendered()
        data = {"image/png": wide.b64, "text/plain": self.alt}
        meta: dict[str, Any] = {"image/png": {"alt": self.alt, "width": wide.css_width, "height": wide.css_height,
                                              "text_px": wide.text_px}}
        if narrow is not None:
            data[NARROW_MIME] = narrow.b64
            meta[NARROW_MIME] = {"width": narrow.css_width, "height": narrow.css_height, "text_px": narrow.text_px}
        return data, meta


def figure_html(alt: str, wide: Rendered, narrow: Rendered | None) -> str:
    """The brief's figure markup (the same as the export template writes)."""
    img = (f'<img class="pb-img" alt="{html.escape(alt, quote=True)}" width="{wide.css_width}" '
           f'height="{wide.css_height}" data-text-px="{float(wide.text_px)}" src="data:image/png;base64,{wide.b64}">')
    if narrow is None:
        return f'<figure class="pb-figure">{img}</figure>'
    source = (f'<source media="{NARROW_MEDIA}" width="{narrow.css_width}" height="{narrow.css_height}" '
              f'data-text-px="{float(narrow.text_px)}" srcset="data:image/png;base64,{narrow.b64}">')
    return f'<figure class="pb-figure"><picture>{source}{img}</picture></figure>'


def show(figure: Figure) -> None:
    """Display ``figure`` in a notebook as an ``<img>`` with alt text (what survives nbconvert)."""
    from IPython.display import display

    display(figure)


def to_png_bytes(fig: MplFigure) -> bytes:
    """Render a matplotlib figure to PNG bytes: 8-bit palette (256 colours), no metadata.

    Figures here are flat colours and antialiased text, so a 256-colour palette (Pillow's fast
    octree quantizer; Pillow ships with matplotlib) looks the same as RGB at a quarter of the size
    (measured: heatmap of 25 units 154 KB → 51 KB) and the bytes are deterministic.
    """
    with matplotlib.rc_context(brief_theme()):
        canvas = TextCacheCanvas(fig)  # each distinct text laid out and rasterized once per process
        fit(fig)  # margins measured once (a figure with its own layout engine keeps it)
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        # the canvas's RGBA buffer as it is, its alpha dropped by Pillow (not a strided numpy copy)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def _png_size(png: bytes) -> tuple[int, int]:
    # PNG IHDR: width and height are big-endian uint32 at bytes 16..24
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def brief_theme() -> dict[str, Any]:
    """The rcParams of every brief figure: seaborn "whitegrid" + "notebook" context, DejaVu Sans.

    Use as ``with matplotlib.rc_context(brief_theme()): ...``; returns a new dict each call.
    ``text.parse_math`` is off so a ``$`` in a unit name is text, not mathtext. ``axes.titley``
    pins each title at the axes' top (plus its pad), where matplotlib's automatic placement puts
    it when no axis has labels on top and no offset text (none here): the automatic placement
    measures the whole y axis again for every title, on every layout pass and draw (a tenth of a
    brief's chart time).
    """
    rc: dict[str, Any] = {}
    rc.update(sns.axes_style("whitegrid"))
    rc.update(sns.plotting_context("notebook", font_scale=0.85))
    rc.update(
        {
            "font.family": ["sans-serif"],
            "font.sans-serif": [FONT_FAMILY],
            "text.parse_math": False,
            "axes.unicode_minus": True,
            "axes.titlelocation": "left",
            "axes.titleweight": "bold",
            "axes.titlesize": 11.5,
            "axes.titley": 1.0,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": ".7",
            "grid.color": ".88",
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "legend.frameon": False,
            "image.cmap": "YlGnBu",
        }
    )
    return rc


@lru_cache(maxsize=1)
def font_path() -> str:
    """Path of the font file the figures use (matplotlib's bundled DejaVu Sans)."""
    return font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False)


@lru_cache(maxsize=1)
def _font_chars() -> frozenset[int]:
    return frozenset(FT2Font(font_path()).get_charmap())


def clean_label(name: Any, limit: int = LABEL_CHARS) -> str:
    """A name made safe to draw: NFC, controls/format characters (bidi marks) removed, whitespace
    collapsed, characters the font lacks replaced by "?" (marks dropped), cut to ``limit``
    characters with "…". Keeps matplotlib from warning about missing glyphs."""
    text = unicodedata.normalize("NFC", "" if name is None else str(name))
    chars = _font_chars()
    out: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") or ch.isspace():
            out.append(" ")
        elif "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
            continue  # variation selectors (emoji presentation): nothing to draw
        elif ord(ch) in chars:
            out.append(ch)
        elif not cat.startswith("M"):  # a missing combining mark / variation selector is dropped
            out.append("?")
    text = " ".join("".join(out).split())
    if len(text) > limit:
        text = text[: max(limit - 1, 1)].rstrip() + "…"
    return text


class _LocaleFormatter(Formatter):
    """Tick labels in the locale's number format with the fewest decimals (0–3) that show them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        vals = [v for v in locs if np.isfinite(v)]
        for d in range(4):
            if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 for v in vals):
                break
        self._decimals = d

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt_number(x, self.lang, self._decimals)


def locale_numbers(*axes: Any, lang: str) -> None:
    """Number the ticks of each matplotlib ``Axis`` in ``axes`` in the locale's format (in
    Vietnamese 0,5 and 1.000), as the brief's charts are: for the analysts' pages."""
    for axis in axes:
        axis.set_major_formatter(_LocaleFormatter(lang))


def _new_figure(height: float, narrow: bool = False) -> MplFigure:
    """A bare figure: :data:`WIDTH_IN` wide at :data:`DPI`, or the phone variant's width and DPI."""
    if narrow:
        fig = MplFigure(figsize=(NARROW_IN, height), dpi=NARROW_DPI)
    else:
        fig = MplFigure(figsize=(WIDTH_IN, height))
    TextCacheCanvas(fig)
    return fig


def _both(draw: Callable[[bool], MplFigure], alt: str, lang: str) -> Figure:
    """A :class:`Figure` from ``draw(narrow)`` called for the desktop and the phone variant; its alt
    text with administrative-unit words lowercase mid-sentence, as the page's sentences."""
    return Figure(draw(False), lower_unit_words(alt, lang), draw(True))


def _empty(lang: str, title: str) -> Figure:
    def draw(narrow: bool) -> MplFigure:
        with matplotlib.rc_context(brief_theme()):
            fig = _new_figure(1.6 if narrow else 2.0, narrow)
            ax = fig.add_subplot()
            ax.set_title(title, wrap=True)
            ax.text(0.5, 0.5, t("figure.no_data", lang), ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
        return fig

    return _both(draw, t("alt.empty", lang), lang)


def _measure_label(value: str, lang: str, measure: str | None, voice: Voice = DEFAULT_VOICE) -> str:
    if measure:
        return measure
    if value == "total":
        return t("measure.total", lang, **voice.words())
    try:
        return t(f"component_short.{value}", lang)
    except KeyError:
        return value


def _legend(ax: Any, narrow: bool, *, ncols_narrow: int = 1, **wide: Any) -> None:
    """The axes' legend: as ``wide`` asks on the desktop variant; below the chart on a phone
    (a figure legend, placed under the axes' labels by :func:`~parbrief.report.figure_layout.fit`),
    so it never covers the data."""
    if not narrow:
        ax.legend(**wide)
        return
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.figure.legend(handles, labels, loc="lower left", fontsize=8, ncols=ncols_narrow,
                         title=wide.get("title"), title_fontsize=8.5, alignment="left")


def _year_axis(ax: Any, years: Sequence[int]) -> None:
    ys = sorted({int(y) for y in years})
    ax.set_xticks(ys if len(ys) <= 12 else ys[:: math.ceil(len(ys) / 12)])
    ax.set_xticklabels([str(y) for y in ax.get_xticks().astype(int)])  # never "2.024"
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())


def trend_figure(
    scores: pd.DataFrame,
    value: str = "total",
    lang: str = "vi",
    *,
    highlight: Sequence[str] = (),
    breaks: Sequence[float] = (),
    measure: str | None = None,
) -> Figure:
    """Trend lines of ``value`` by year: each unit light grey, the mean of the units bold, the best
    and worst unit of the latest year coloured and labelled, ``highlight`` units coloured too.

    ``scores`` is the wide table (``unit, year, <value>``, one province). The mean is the plain
    mean over the units scored that year (labelled "national" when ``unit_type`` is province).
    ``breaks`` draws dashed vertical lines at those x positions (e.g. 2021.5) where the scoring
    method changed, so a jump there is not read as a trend.
    """
    check_lang(lang)
    m = _measure_label(value, lang, measure)
    title = t("figure.trend_title", lang, measure=m)
    df = scores[["unit", "year", value]].dropna(subset=[value])
    if df.empty:
        return _empty(lang, title)
    wide = df.pivot_table(index="year", columns="unit", values=value, aggfunc="mean").sort_index()
    years = [int(y) for y in wide.index]
    mean = wide.mean(axis=1)
    last = wide.iloc[-1].dropna().sort_values(ascending=False)
    best, worst = str(last.index[0]), str(last.index[-1])
    national = "unit_type" in scores.columns and (scores["unit_type"] == "province").all()
    mean_label = t("figure.national_mean" if national else "figure.province_mean", lang)
    one_year = len(years) == 1
    marker = "o" if one_year else None
    units_label = t("layout.legend_provinces" if national else "figure.units", lang)
    special = {best: _BEST, worst: _WORST}
    for u in highlight:
        if u in wide.columns and u not in special:
            special[u] = _HIGHLIGHTS[(len(special) - 2) % len(_HIGHLIGHTS)]

    def draw(narrow: bool) -> MplFigure:
        with matplotlib.rc_context(brief_theme()):
            fig = _new_figure(3.9 if narrow else 3.8, narrow)
            ax = fig.add_subplot()
            x = np.asarray(years, dtype=float)
            # ordinary units first, light and behind; one line each is cheap at 30 units
            for u in wide.columns:
                if u in special:
                    continue
                ax.plot(x, wide[u].to_numpy(), color=_UNIT, lw=0.9, alpha=0.55, marker=marker, ms=3, zorder=1)
            ax.plot([], [], color=_UNIT, lw=0.9, label=units_label)
            ax.plot(x, mean.to_numpy(), color=_MEAN, lw=3.0, marker="o", ms=5, zorder=4, label=mean_label)
            labels = sorted(
                ((float(wide[u].dropna().iloc[-1]), u, c) for u, c in special.items() if wide[u].notna().any()),
                reverse=True,
            )
            for u, colour in special.items():
                # on a phone the named units go into the legend below the chart (no room on the right)
                label = next((f"{clean_label(u, NARROW_LABEL_CHARS)} ({fmt_number(yv, lang, 2)})"
                              for yv, name, _ in labels if name == u), None) if narrow else None
                ax.plot(x, wide[u].to_numpy(), color=colour, lw=1.8, marker="o", ms=3.5, zorder=3,
                        label=label or "_nolegend_")
            for b in breaks:
                ax.axvline(float(b), color=".35", ls="--", lw=1.0, zorder=0)
            if breaks:
                ax.plot([], [], color=".35", ls="--", lw=1.0, label=t("figure.method_break", lang))
            if narrow:
                ax.set_xlim(x[0] - 0.4, x[-1] + 0.4)
            else:
                _end_labels(ax, wide, labels, lang)
                # room on the right for the labels (~35% of the axes width)
                ax.set_xlim(x[0] - 0.3, x[-1] + 0.55 * max(len(years) - 1, 1) + 0.3)
            _year_axis(ax, years)
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5 if narrow else 6))
            ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
            ax.set_xlabel(t("figure.year", lang))
            ax.set_ylabel(t("figure.trend_ylabel", lang, measure=m))
            ax.set_title(title, wrap=True)
            _legend(ax, narrow, loc="upper left", fontsize=8.5, ncols=3)
            ax.margins(y=0.12)
        return fig

    fmt = lambda v: fmt_number(v, lang, 2)  # noqa: E731
    common = dict(
        measure=m,
        mean_label=mean_label[:1].lower() + mean_label[1:],
        n_units=wide.shape[1],
        last_year=years[-1],
        mean_last=fmt(mean.iloc[-1]),
        best=clean_label(best, ALT_CHARS),
        best_value=fmt(last.iloc[0]),
        worst=clean_label(worst, ALT_CHARS),
        worst_value=fmt(last.iloc[-1]),
    )
    if one_year:
        alt = t("alt.trend_one_year", lang, **common)
    else:
        alt = t("alt.trend", lang, first_year=years[0], mean_first=fmt(mean.iloc[0]), **common)
    return _both(draw, alt, lang)


def _end_labels(ax: Any, wide: pd.DataFrame, labels: list[tuple[float, str, str]], lang: str) -> None:
    """Name and latest value of each coloured unit at its line's end, nudged apart vertically."""
    span = float(np.nanmax(wide.to_numpy()) - np.nanmin(wide.to_numpy())) or 1.0
    placed: list[float] = []
    for yv, u, colour in labels:
        ylab = yv
        while any(abs(ylab - p) < 0.07 * span for p in placed):
            ylab -= 0.07 * span
        placed.append(ylab)
        x_last = float(wide[u].dropna().index[-1])
        ax.annotate(
            f"{clean_label(u, 24)} ({fmt_number(yv, lang, 2)})",
            xy=(x_last, yv),
            xytext=(x_last + 0.15, ylab),
            color=colour,
            fontsize=8.5,
            va="center",
            annotation_clip=False,
        )


def history_figure(
    series: pd.DataFrame,
    lang: str = "vi",
    *,
    new_point: tuple[str, int, float] | None = None,
    breaks: Sequence[float] = (),
    voice: Voice = DEFAULT_VOICE,
) -> Figure:
    """Predecessor provinces' own yearly scores, one coloured line each, never averaged (``voice``:
    the spec's words for the index and the provinces).

    ``series`` has ``unit, year, total`` (the predecessors of a province formed by merger, up to
    the last year of the old map). ``new_point`` = (name, year, score) marks the new province's
    own first score as a separate, differently drawn point, so no line joins the two maps.
    """
    check_lang(lang)
    title = t("figure.history_title", lang, **voice.words())
    df = series.dropna(subset=["total"])
    if df.empty:
        return _empty(lang, title)
    palette = sns.color_palette("colorblind", n_colors=max(3, df["unit"].nunique()))
    last_values = [(clean_label(unit, ALT_CHARS), int(part.sort_values("year")["year"].iloc[-1]),
                    float(part.sort_values("year")["total"].iloc[-1])) for unit, part in df.groupby("unit", sort=True)]

    def draw(narrow: bool) -> MplFigure:
        chars = NARROW_LABEL_CHARS if narrow else 28
        with matplotlib.rc_context(brief_theme()):
            fig = _new_figure(3.6 if narrow else 3.4, narrow)
            ax = fig.add_subplot()
            years = sorted(int(y) for y in df["year"].unique())
            for colour, (unit, part) in zip(palette, df.groupby("unit", sort=True)):
                part = part.sort_values("year")
                label = t("figure.history_series", lang, name=clean_label(unit, chars))
                ax.plot(part["year"].to_numpy(float), part["total"].to_numpy(float), color=colour, lw=2.0,
                        marker="o", ms=4, label=label)
            if new_point is not None:
                name, year, score = new_point
                ax.plot([year], [score], marker="*", ms=14, color=_MEAN, ls="none",
                        label=t("figure.history_new", lang, name=clean_label(name, chars), year=year))
                ax.axvline(year - 0.5, color=".35", ls=":", lw=1.2, zorder=0)
                years.append(int(year))
            for b in breaks:
                ax.axvline(float(b), color=".35", ls="--", lw=1.0, zorder=0)
            if breaks:
                ax.plot([], [], color=".35", ls="--", lw=1.0, label=t("figure.method_break", lang))
            _year_axis(ax, sorted(set(years)))
            if narrow:
                ax.tick_params(axis="x", labelrotation=45)
            ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
            ax.set_xlabel(t("figure.year", lang))
            ax.set_ylabel(t("measure.total", lang, **voice.words()))
            ax.set_title(title, wrap=True)
            # beside the chart, never over the lines (loc="best" still covered a series)
            _legend(ax, narrow, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8.5)
            ax.margins(y=0.15)
        return fig

    parts = "; ".join(f"{n} {y}: {fmt_number(v, lang)}" for n, y, v in last_values)
    alt = t("alt.history", lang, **voice.words(), n=len(last_values), first_year=min(df["year"]), last_year=max(df["year"]), last=parts)
    if new_point is not None:
        alt += " " + t("alt.history_new", lang, name=clean_label(new_point[0], ALT_CHARS), year=new_point[1],
                       value=fmt_number(new_point[2], lang))
    return _both(draw, alt, lang)


def means_figure(
    means: pd.DataFrame,
    lang: str = "vi",
    xlabel: str | None = None,
    *,
    title: str | None = None,
    ends: int | None = None,
    standing: bool = False,
) -> Figure:
    """Unit means as points with 95% CI bars, best at the top, compact letters in a right column.

    ``means`` has columns ``unit, mean, ci_low, ci_high`` and optionally ``letters`` (units that
    share a letter do not differ significantly). Missing CI bounds draw the point alone.
    ``ends``: with more than :data:`~parbrief.report.rows.FULL_LIST_MAX` units, only the
    ``ends`` best and worst are drawn, with a row saying how many are left out between them, and
    no letters (a letter shared with hidden units, "jlmvx", reads as noise; the sentences say
    which units do not differ clearly from the highest and the lowest).
    ``standing``: the means are standardized positions (a panel compared on within-year z-scores
    across a method change: deviations from the year's mean of the units of the same type, in
    SDs), not scores; the title, the axis, the alt text say so, values are signed and a line
    marks 0 (the average).
    """
    check_lang(lang)
    title = title or t("figure.means_standing_title" if standing else "figure.means_title", lang)
    if standing:
        xlabel = xlabel or t("measure.standing", lang)
    df = means.dropna(subset=["mean"]).sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)
    if df.empty:
        return _empty(lang, title)
    n = len(df)
    kept = keep_ends(df, ends)
    rows = _with_gap(kept, lang)
    y = np.arange(len(rows))
    lo = (rows["mean"] - rows["ci_low"]).clip(lower=0).fillna(0).to_numpy()
    hi = (rows["ci_high"] - rows["mean"]).clip(lower=0).fillna(0).to_numpy()
    # letters only over a whole list: on a cut one they would name groups of units not drawn
    has_letters = "letters" in rows.columns and rows["letters"].notna().any() and kept.gap_at is None

    def draw(narrow: bool) -> MplFigure:
        chars = NARROW_LABEL_CHARS if narrow else LABEL_CHARS
        with matplotlib.rc_context(brief_theme()):
            fig = _new_figure((1.9 if narrow else 1.2) + (0.25 if narrow else 0.23) * len(rows), narrow)
            ax = fig.add_subplot()
            ax.errorbar(
                rows["mean"].to_numpy(), y, xerr=np.vstack([lo, hi]), fmt="o", color=_BEST,
                ecolor="#7fa7cf", elinewidth=2.2, capsize=0, ms=5, zorder=3,
            )
            row_labels(ax, y, [clean_label(u, chars) if g is False else u for u, g in zip(rows["unit"], rows["_gap"])],
                       muted=rows["_gap"].tolist())
            ax.set_ylim(len(rows) - 0.5, -0.5)
            ax.grid(axis="y", visible=False)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if narrow else 6))
            ax.xaxis.set_major_formatter(_LocaleFormatter(lang))
            if standing:  # 0: the average of the units of the same type
                ax.axvline(0, color=".55", lw=0.9, ls="--", zorder=1)
            ax.set_xlabel(xlabel or t("column.mean", lang), wrap=True)
            ax.set_title(title, wrap=True)
            if has_letters:
                tr = matplotlib.transforms.blended_transform_factory(ax.transAxes, ax.transData)
                for yi, letters in zip(y, rows["letters"]):
                    ax.text(1.01, yi, clean_label(letters if isinstance(letters, str) else "", 12),
                            transform=tr, va="center", ha="left", fontsize=8.5 if narrow else 9, color=".2")
                if not narrow:  # on a phone the wrapped title reaches there; the note below explains the letters
                    head = ax.text(1.01, -0.9, t("column.group", lang), transform=tr, va="bottom", ha="left",
                                   fontsize=8.5, color=".35")
                    head.set_gid(COLUMN_HEAD)  # a long title breaks its line before it (figure_layout.fit)
                # a figure-level note, placed below the axis label by figure_layout.fit
                fig.supxlabel(t("figure.means_note", lang), x=0.01, ha="left", fontsize=8, color=".35", wrap=True)
        return fig

    best, worst = df.iloc[0], df.iloc[-1]
    value = (lambda v: fmt_signed(v, lang, 2)) if standing else (lambda v: fmt_number(v, lang, 2))
    alt = t(
        "alt.means_standing" if standing else "alt.means",
        lang,
        n_units=n,
        best=clean_label(best["unit"], ALT_CHARS),
        best_value=value(best["mean"]),
        worst=clean_label(worst["unit"], ALT_CHARS),
        worst_value=value(worst["mean"]),
    )
    if has_letters:  # the letters' meaning only where letters are drawn
        alt = f"{alt} {t('figure.means_note', lang)}."
    return _both(draw, alt, lang)


def _with_gap(kept: Ends, lang: str) -> pd.DataFrame:
    """The kept rows with a ``_gap`` column; where rows were left out, one row between the two
    ends whose ``unit`` says how many (its numbers are missing, so nothing is drawn there)."""
    frame = kept.frame.reset_index(drop=True).assign(_gap=False)
    if kept.gap_at is None:
        return frame
    gap = pd.DataFrame({"unit": [t("layout.rows_omitted", lang, n=kept.omitted)], "_gap": [True]})
    return pd.concat([frame.iloc[: kept.gap_at], gap, frame.iloc[kept.gap_at:]], ignore_index=True)


def _component_label(spec: IndexSpec, code: str, lang: str) -> str:
    try:
        return t(f"component_short.{code}", lang)
    except KeyError:
        return clean_label(spec.component(code).name(lang), 22)


def _annotate(ax: Any, values: np.ndarray, fontsize: float) -> None:
    """Each cell's value (rounded) at its centre, dark on light cells and white on dark ones.

    As seaborn's ``heatmap(annot=True, fmt=".0f")`` writes them (its colour rule: relative
    luminance above 0.408 → ".15", else white); empty cells (NaN) stay empty. One
    :class:`~parbrief.report.cell_values.CellValues` draws them all.
    """
    mesh = ax.collections[0]
    mesh.update_scalarmappable()
    colours = mesh.get_facecolors()
    xy, strings, inks = [], [], []
    for k, (i, j) in enumerate(np.ndindex(values.shape)):
        v = values[i, j]
        if np.isfinite(v):
            xy.append((j + 0.5, i + 0.5))
            strings.append(f"{v:.0f}")
            inks.append(".15" if sns.utils.relative_luminance(colours[k]) > 0.408 else "w")
    ax.add_artist(CellValues(xy, strings, inks, fontsize))


def component_heatmap(
    scores_year: pd.DataFrame, spec: IndexSpec, lang: str = "vi", *, ends: int | None = None
) -> Figure:
    """Units × components of one year as % of each component's maximum, annotated, best unit first.

    % of maximum puts components with different maxima (7.5 to 33 points) on one scale, so a
    leader sees where each unit loses points. Units are sorted by ``total`` (descending).
    ``ends``: with more than :data:`~parbrief.report.rows.FULL_LIST_MAX` units, only the
    ``ends`` best and worst rows, an empty row saying how many are left out between them.
    """
    check_lang(lang)
    years = sorted(int(y) for y in scores_year["year"].dropna().unique()) if "year" in scores_year else []
    if len(years) > 1:
        raise ValueError(f"component_heatmap expects one year of scores, got years {years}")
    year = years[0] if years else ""
    title = t("figure.heatmap_title", lang, year=year)
    codes = [c for c in spec.codes if c in scores_year.columns]
    df = scores_year.dropna(subset=codes, how="all")
    if df.empty or not codes:
        return _empty(lang, title)
    if "total" in df.columns:
        df = df.sort_values("total", ascending=False, kind="stable")
    pct = pd.DataFrame(
        {c: 100.0 * df[c].to_numpy(dtype=float) / spec.component(c).max_points for c in codes}
    )
    n = len(df)
    col_labels = [_component_label(spec, c, lang) for c in codes]
    rows = _with_gap(keep_ends(pct.assign(unit=df["unit"].to_numpy()), ends), lang)
    # colour scale from 50% (or lower when a cell is lower) to 100%: scores cluster in the
    # upper half, and a 0–100 scale would paint every cell the same dark blue
    lowest = float(np.nanmin(pct.to_numpy())) if pct.notna().any().any() else 50.0
    vmin = min(50.0, 10.0 * math.floor(lowest / 10.0))

    def draw(narrow: bool) -> MplFigure:
        chars = NARROW_LABEL_CHARS if narrow else LABEL_CHARS
        size = 8 if narrow else 8.5
        with matplotlib.rc_context(brief_theme()):
            fig = _new_figure((1.8 if narrow else 1.8) + (0.22 if narrow else 0.21) * len(rows), narrow)
            ax = fig.add_subplot()
            values = rows[codes].to_numpy(dtype=float)
            # seaborn draws the whole figure once inside heatmap() to see whether tick labels
            # overlap (ours never rotate by that test): drawn without labels and values it costs a
            # fifth (measured 110 → 25 ms), and the labels and values are added after (_annotate)
            sns.heatmap(
                values, ax=ax, vmin=vmin, vmax=100, cmap="YlGnBu", annot=False, linewidths=0.5,
                linecolor="white", cbar=not narrow,  # on a phone the numbers in the cells carry the scale
                cbar_kws={"label": t("figure.heatmap_cbar", lang), "shrink": 0.6, "pad": 0.02},
                xticklabels=False, yticklabels=False,
            )
            ax.set_xticks(np.arange(len(codes)) + 0.5, col_labels)
            _annotate(ax, values, fontsize=7.5 if narrow else 8)  # inside the axes: not in the layout
            row_labels(ax, np.arange(len(rows)) + 0.5,
                       [u if g else clean_label(u, chars) for u, g in zip(rows["unit"], rows["_gap"])],
                       fontsize=size, muted=rows["_gap"].tolist())
            ax.tick_params(axis="x", labelrotation=50 if narrow else 35, labelsize=size)
            for lab in ax.get_xticklabels():
                lab.set_horizontalalignment("right")
                lab.set_rotation_mode("anchor")
            ax.set_title(title, wrap=True)
        return fig

    comp_mean = pct.mean(axis=0)
    alt = t(
        "alt.heatmap",
        lang,
        n_components=len(codes),
        n_units=n,
        year=year,
        best_component=_component_label(spec, str(comp_mean.idxmax()), lang),
        best_value=fmt_number(comp_mean.max(), lang, 1) + "%",
        worst_component=_component_label(spec, str(comp_mean.idxmin()), lang),
        worst_value=fmt_number(comp_mean.min(), lang, 1) + "%",
    )
    return _both(draw, alt, lang)


def band_distribution_figure(
    counts: pd.DataFrame,
    lang: str = "vi",
    *,
    order: Sequence[str] | None = None,
) -> Figure:
    """Stacked bars: number of units in each rating band per year, best band at the bottom.

    ``counts`` has ``year, band_label, n``. Band order (best first) is ``order``, else the
    categories of a categorical ``band_label``, else first appearance; the palette runs from blue
    (best) to red (worst) in that order, so colours mean the same in every brief.
    """
    check_lang(lang)
    title = t("figure.bands_title", lang)
    df = counts.dropna(subset=["n"])
    df = df[df["n"] > 0]
    if df.empty:
        return _empty(lang, title)
    if order is None:
        col = counts["band_label"]
        order = list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) else list(dict.fromkeys(col))
    order = [str(b) for b in order]
    wide = (
        df.assign(band_label=df["band_label"].astype(str))
        .pivot_table(index="year", columns="band_label", values="n", aggfunc="sum", fill_value=0)
        .reindex(columns=order, fill_value=0)
        .sort_index()
    )
    years = [int(y) for y in wide.index]
    palette = _band_palette(len(order))

    def draw(narrow: bool) -> MplFigure:
        with matplotlib.rc_context(brief_theme()):
            fig = _new_figure(3.9 if narrow else 3.3, narrow)
            ax = fig.add_subplot()
            bottom = np.zeros(len(years))
            x = np.asarray(years, dtype=float)
            xy, strings, inks = [], [], []  # each segment's count, centred in it (one artist draws them all)
            for band, colour in zip(order, palette):
                h = wide[band].to_numpy(dtype=float)
                ax.bar(x, h, bottom=bottom, width=0.7, color=colour, label=clean_label(band, 32), edgecolor="white")
                lum = 0.2126 * colour[0] + 0.7152 * colour[1] + 0.0722 * colour[2]
                for xi, b0, hi in zip(x, bottom, h):
                    if hi >= 1:
                        xy.append((xi, b0 + hi / 2))
                        strings.append(str(int(hi)))
                        inks.append("white" if lum < 0.5 else ".15")
                bottom = bottom + h
            ax.add_artist(CellValues(xy, strings, inks, 8))
            _year_axis(ax, years)
            if narrow:
                ax.tick_params(axis="x", labelrotation=45)
            ax.set_ylim(0, float(bottom.max()) * 1.06)
            ax.grid(axis="x", visible=False)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
            ax.set_xlabel(t("figure.year", lang))
            ax.set_ylabel(t("figure.bands_ylabel", lang))
            ax.set_title(title, wrap=True)
            _legend(ax, narrow, ncols_narrow=3, title=t("figure.bands_legend", lang), loc="upper left",
                    bbox_to_anchor=(1.01, 1.0), fontsize=8.5, title_fontsize=9, reverse=True)
        return fig

    last = wide.iloc[-1]
    parts = [f"{clean_label(b, ALT_CHARS)}: {int(last[b])}" for b in order if last[b] > 0]
    key = "alt.bands" if len(years) > 1 else "alt.bands_one_year"
    alt = t(key, lang, first_year=years[0], last_year=years[-1], last_counts="; ".join(parts))
    return _both(draw, alt, lang)


def _band_palette(n: int) -> list[tuple[float, float, float]]:
    """n colours from blue (best) through amber to red (worst): ordered, saturated enough to read on
    paper, and distinguishable with red-green colour blindness (blue/amber/red, not green/red)."""
    anchors = ["#2166ac", "#67a9cf", "#e8b53a", "#ef8a62", "#b2182b"]
    if n <= 1:
        return [matplotlib.colors.to_rgb(anchors[0])]
    return [tuple(c) for c in sns.blend_palette(anchors, n)]
