"""Figures of the brief (seaborn/matplotlib): trends, unit means with CIs, component heatmap, rating bands.

Every figure is drawn under one theme, :func:`brief_theme`, applied with ``matplotlib.rc_context``
so nothing leaks into the caller's rcParams, on a bare ``matplotlib.figure.Figure`` (not pyplot):
no figure registry to close, nothing shown twice by the inline backend, safe to build many in a
loop. Each function returns :class:`Figure` (the matplotlib figure and alt text in the brief's
language); in a notebook ``show(figure)`` (or just leaving the Figure as the cell's last value)
emits an ``image/png`` output whose metadata carry the alt text, which the brief's nbconvert
template writes as ``<img alt="…" src="data:image/png;base64,…">``, so it survives the export.

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
from typing import Any, Sequence

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import Formatter, MaxNLocator
from PIL import Image

from parbrief.text.formats import check_lang, fmt_number
from parbrief.text.messages import t
from parbrief.spec import IndexSpec

__all__ = [
    "DPI",
    "FONT_FAMILY",
    "Figure",
    "band_distribution_figure",
    "brief_theme",
    "clean_label",
    "component_heatmap",
    "font_path",
    "means_figure",
    "show",
    "to_png_bytes",
    "trend_figure",
]

FONT_FAMILY = "DejaVu Sans"
DPI = 110  # 8 in wide → 880 px: sharp at the page's 60rem column, small as PNG
WIDTH_IN = 8.0
LABEL_CHARS = 28  # axis / annotation labels
ALT_CHARS = 80  # names inside alt text

# Line colours: best unit, worst unit, highlighted units, province mean (colour-blind safe pair).
_BEST = "#1f6fb4"
_WORST = "#c8431b"
_HIGHLIGHT = "#6a3d9a"
_MEAN = "#222222"
_UNIT = "#9aa3ad"


@dataclass(frozen=True)
class Figure:
    """A figure for the brief and its alt text (in the brief's language).

    Displaying it in a notebook emits an ``<img>`` with the alt text and the PNG as a data URI.
    """

    fig: MplFigure
    alt: str

    def to_png(self) -> bytes:
        return to_png_bytes(self.fig)

    def to_html(self) -> str:
        """``<figure><img alt=… src="data:image/png;base64,…"></figure>``, alt text HTML-escaped."""
        png = self.to_png()
        w, h = _png_size(png)
        data = base64.b64encode(png).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        # width/height in CSS px (96 per inch) so the page does not reflow while images decode;
        # CSS (max-width:100%; height:auto) scales them down on phones.
        css_w, css_h = round(w * 96 / DPI), round(h * 96 / DPI)
        return (
            f'<figure class="pb-figure"><img class="pb-img" alt="{alt}" width="{css_w}" height="{css_h}" '
            f'src="data:image/png;base64,{data}"></figure>'
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, str], dict[str, Any]]:
        """A native image output: ``image/png`` with the alt text and CSS size as its metadata.

        Jupyter shows it as any figure; the brief's nbconvert template writes
        ``<img alt=… width=… height=…>`` from that metadata, so the alt text survives the export.
        """
        png = self.to_png()
        w, h = _png_size(png)
        data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": self.alt}
        meta = {"image/png": {"alt": self.alt, "width": round(w * 96 / DPI), "height": round(h * 96 / DPI)}}
        return data, meta


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
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
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
    ``text.parse_math`` is off so a ``$`` in a unit name is text, not mathtext.
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


def _new_figure(height: float) -> MplFigure:
    fig = MplFigure(figsize=(WIDTH_IN, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _empty(lang: str, title: str) -> Figure:
    with matplotlib.rc_context(brief_theme()):
        fig = _new_figure(2.0)
        ax = fig.add_subplot()
        ax.set_title(title)
        ax.text(0.5, 0.5, t("figure.no_data", lang), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    return Figure(fig, t("alt.empty", lang))


def _measure_label(value: str, lang: str, measure: str | None) -> str:
    if measure:
        return measure
    if value == "total":
        return t("measure.total", lang)
    try:
        return t(f"component_short.{value}", lang)
    except KeyError:
        return value


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

    with matplotlib.rc_context(brief_theme()):
        fig = _new_figure(4.4)
        ax = fig.add_subplot()
        x = np.asarray(years, dtype=float)
        special = {best: _BEST, worst: _WORST}
        for u in highlight:
            if u in wide.columns and u not in special:
                special[u] = _HIGHLIGHT
        # ordinary units first, light and behind; one line each is cheap at 30 units
        for u in wide.columns:
            if u in special:
                continue
            ax.plot(x, wide[u].to_numpy(), color=_UNIT, lw=0.9, alpha=0.55, marker=marker, ms=3, zorder=1)
        ax.plot([], [], color=_UNIT, lw=0.9, label=t("figure.units", lang))
        for u, colour in special.items():
            ax.plot(x, wide[u].to_numpy(), color=colour, lw=1.8, marker="o", ms=3.5, zorder=3)
        ax.plot(x, mean.to_numpy(), color=_MEAN, lw=3.0, marker="o", ms=5, zorder=4, label=mean_label)
        for b in breaks:
            ax.axvline(float(b), color=".35", ls="--", lw=1.0, zorder=0)
        if breaks:
            ax.plot([], [], color=".35", ls="--", lw=1.0, label=t("figure.method_break", lang))
        # end labels: best, worst, highlights at the latest year's value, nudged apart vertically
        span = float(np.nanmax(wide.to_numpy()) - np.nanmin(wide.to_numpy())) or 1.0
        placed: list[float] = []
        labels = sorted(
            ((float(wide[u].dropna().iloc[-1]), u, c) for u, c in special.items() if wide[u].notna().any()),
            reverse=True,
        )
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
        # room on the right for the labels (~35% of the axes width)
        right = x[-1] + 0.55 * max(len(years) - 1, 1) + 0.3
        ax.set_xlim(x[0] - 0.3, right)
        _year_axis(ax, years)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
        ax.set_xlabel(t("figure.year", lang))
        ax.set_ylabel(t("figure.trend_ylabel", lang, measure=m))
        ax.set_title(title)
        ax.legend(loc="upper left", fontsize=8.5, ncols=3)
        ax.margins(y=0.12)

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
    return Figure(fig, alt)


def history_figure(
    series: pd.DataFrame,
    lang: str = "vi",
    *,
    new_point: tuple[str, int, float] | None = None,
    breaks: Sequence[float] = (),
) -> Figure:
    """Predecessor provinces' own yearly scores, one coloured line each, never averaged.

    ``series`` has ``unit, year, total`` (the predecessors of a province formed by merger, up to
    the last year of the old map). ``new_point`` = (name, year, score) marks the new province's
    own first score as a separate, differently drawn point, so no line joins the two maps.
    """
    check_lang(lang)
    title = t("figure.history_title", lang)
    df = series.dropna(subset=["total"])
    if df.empty:
        return _empty(lang, title)
    palette = sns.color_palette("colorblind", n_colors=max(3, df["unit"].nunique()))
    with matplotlib.rc_context(brief_theme()):
        fig = _new_figure(3.8)
        ax = fig.add_subplot()
        years = sorted(int(y) for y in df["year"].unique())
        last_values = []
        for colour, (unit, part) in zip(palette, df.groupby("unit", sort=True)):
            part = part.sort_values("year")
            label = t("figure.history_series", lang, name=clean_label(unit, 28))
            ax.plot(part["year"].to_numpy(float), part["total"].to_numpy(float), color=colour, lw=2.0,
                    marker="o", ms=4, label=label)
            last_values.append((clean_label(unit, ALT_CHARS), int(part["year"].iloc[-1]),
                                float(part["total"].iloc[-1])))
        if new_point is not None:
            name, year, score = new_point
            ax.plot([year], [score], marker="*", ms=14, color=_MEAN, ls="none",
                    label=t("figure.history_new", lang, name=clean_label(name, 28), year=year))
            ax.axvline(year - 0.5, color=".35", ls=":", lw=1.2, zorder=0)
            years.append(int(year))
        for b in breaks:
            ax.axvline(float(b), color=".35", ls="--", lw=1.0, zorder=0)
        if breaks:
            ax.plot([], [], color=".35", ls="--", lw=1.0, label=t("figure.method_break", lang))
        _year_axis(ax, sorted(set(years)))
        ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
        ax.set_xlabel(t("figure.year", lang))
        ax.set_ylabel(t("measure.total", lang))
        ax.set_title(title)
        ax.legend(loc="best", fontsize=8.5)
        ax.margins(y=0.15)
    parts = "; ".join(f"{n} {y}: {fmt_number(v, lang)}" for n, y, v in last_values)
    alt = t("alt.history", lang, n=len(last_values), first_year=min(df["year"]), last_year=max(df["year"]), last=parts)
    if new_point is not None:
        alt += " " + t("alt.history_new", lang, name=clean_label(new_point[0], ALT_CHARS), year=new_point[1],
                       value=fmt_number(new_point[2], lang))
    return Figure(fig, alt)


def means_figure(
    means: pd.DataFrame,
    lang: str = "vi",
    xlabel: str | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """Unit means as points with 95% CI bars, best at the top, compact letters in a right column.

    ``means`` has columns ``unit, mean, ci_low, ci_high`` and optionally ``letters`` (units that
    share a letter do not differ significantly). Missing CI bounds draw the point alone.
    """
    check_lang(lang)
    title = title or t("figure.means_title", lang)
    df = means.dropna(subset=["mean"]).sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)
    if df.empty:
        return _empty(lang, title)
    n = len(df)
    y = np.arange(n)
    lo = (df["mean"] - df["ci_low"]).clip(lower=0).fillna(0).to_numpy()
    hi = (df["ci_high"] - df["mean"]).clip(lower=0).fillna(0).to_numpy()
    has_letters = "letters" in df.columns and df["letters"].notna().any()

    with matplotlib.rc_context(brief_theme()):
        fig = _new_figure(1.3 + 0.27 * n)
        ax = fig.add_subplot()
        ax.errorbar(
            df["mean"].to_numpy(), y, xerr=np.vstack([lo, hi]), fmt="o", color=_BEST,
            ecolor="#7fa7cf", elinewidth=2.2, capsize=0, ms=5, zorder=3,
        )
        ax.set_yticks(y)
        ax.set_yticklabels([clean_label(u) for u in df["unit"]])
        ax.set_ylim(n - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.xaxis.set_major_formatter(_LocaleFormatter(lang))
        ax.set_xlabel(xlabel or t("column.mean", lang))
        ax.set_title(title)
        if has_letters:
            tr = matplotlib.transforms.blended_transform_factory(ax.transAxes, ax.transData)
            for yi, letters in zip(y, df["letters"]):
                ax.text(1.01, yi, clean_label(letters if isinstance(letters, str) else "", 12),
                        transform=tr, va="center", ha="left", fontsize=9, color=".2")
            ax.text(1.01, -0.9, t("column.group", lang), transform=tr, va="bottom", ha="left",
                    fontsize=8.5, color=".35")
            # a figure-level x label is laid out by the constrained layout, below the axis label
            fig.supxlabel(t("figure.means_note", lang), x=0.01, ha="left", fontsize=8, color=".35")

    best, worst = df.iloc[0], df.iloc[-1]
    alt = t(
        "alt.means",
        lang,
        n_units=n,
        best=clean_label(best["unit"], ALT_CHARS),
        best_value=fmt_number(best["mean"], lang, 2),
        worst=clean_label(worst["unit"], ALT_CHARS),
        worst_value=fmt_number(worst["mean"], lang, 2),
    )
    return Figure(fig, alt)


def _component_label(spec: IndexSpec, code: str, lang: str) -> str:
    try:
        return t(f"component_short.{code}", lang)
    except KeyError:
        return clean_label(spec.component(code).name(lang), 22)


def component_heatmap(scores_year: pd.DataFrame, spec: IndexSpec, lang: str = "vi") -> Figure:
    """Units × components of one year as % of each component's maximum, annotated, best unit first.

    % of maximum puts components with different maxima (7.5 to 33 points) on one scale, so a
    leader sees where each unit loses points. Units are sorted by ``total`` (descending).
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

    with matplotlib.rc_context(brief_theme()):
        fig = _new_figure(1.9 + 0.27 * n)
        ax = fig.add_subplot()
        # colour scale from 50% (or lower when a cell is lower) to 100%: scores cluster in the
        # upper half, and a 0–100 scale would paint every cell the same dark blue
        lowest = float(np.nanmin(pct.to_numpy())) if pct.notna().any().any() else 50.0
        vmin = min(50.0, 10.0 * math.floor(lowest / 10.0))
        sns.heatmap(
            pct.to_numpy(), ax=ax, vmin=vmin, vmax=100, cmap="YlGnBu", annot=True, fmt=".0f",
            annot_kws={"fontsize": 8}, linewidths=0.5, linecolor="white",
            cbar_kws={"label": t("figure.heatmap_cbar", lang), "shrink": 0.6, "pad": 0.02},
            xticklabels=col_labels, yticklabels=[clean_label(u) for u in df["unit"]],
        )
        ax.tick_params(axis="x", labelrotation=35, labelsize=8.5)
        for lab in ax.get_xticklabels():
            lab.set_horizontalalignment("right")
            lab.set_rotation_mode("anchor")
        ax.tick_params(axis="y", labelrotation=0, labelsize=8.5)
        ax.set_title(title)

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
    return Figure(fig, alt)


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

    with matplotlib.rc_context(brief_theme()):
        fig = _new_figure(3.8)
        ax = fig.add_subplot()
        bottom = np.zeros(len(years))
        x = np.asarray(years, dtype=float)
        for band, colour in zip(order, palette):
            h = wide[band].to_numpy(dtype=float)
            ax.bar(x, h, bottom=bottom, width=0.7, color=colour, label=clean_label(band, 32), edgecolor="white")
            for xi, b0, hi in zip(x, bottom, h):
                if hi >= 1:
                    lum = 0.2126 * colour[0] + 0.7152 * colour[1] + 0.0722 * colour[2]
                    ax.text(xi, b0 + hi / 2, str(int(hi)), ha="center", va="center", fontsize=8,
                            color="white" if lum < 0.5 else ".15")
            bottom = bottom + h
        _year_axis(ax, years)
        ax.set_ylim(0, float(bottom.max()) * 1.06)
        ax.grid(axis="x", visible=False)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
        ax.set_xlabel(t("figure.year", lang))
        ax.set_ylabel(t("figure.bands_ylabel", lang))
        ax.set_title(title)
        ax.legend(title=t("figure.bands_legend", lang), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize=8.5, title_fontsize=9, reverse=True)

    last = wide.iloc[-1]
    parts = [f"{clean_label(b, ALT_CHARS)}: {int(last[b])}" for b in order if last[b] > 0]
    key = "alt.bands" if len(years) > 1 else "alt.bands_one_year"
    alt = t(key, lang, first_year=years[0], last_year=years[-1], last_counts="; ".join(parts))
    return Figure(fig, alt)


def _band_palette(n: int) -> list[tuple[float, float, float]]:
    """n colours from blue (best) through amber to red (worst): ordered, saturated enough to read on
    paper, and distinguishable with red-green colour blindness (blue/amber/red, not green/red)."""
    anchors = ["#2166ac", "#67a9cf", "#e8b53a", "#ef8a62", "#b2182b"]
    if n <= 1:
        return [matplotlib.colors.to_rgb(anchors[0])]
    return [tuple(c) for c in sns.blend_palette(anchors, n)]
