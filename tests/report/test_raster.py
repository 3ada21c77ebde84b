"""The text-caching Agg canvas (parbrief.report.raster): the same PNG bytes as matplotlib's own Agg.

The cache must change no pixel: each brief figure is drawn twice from the same data, once on
plain ``FigureCanvasAgg`` and once on :class:`TextCacheCanvas` (with an empty cache, then with the
cache full of the first drawing's texts), and the PNGs are compared byte for byte. Rotated text,
mathtext and a text drawn without antialiasing are checked on a figure of their own.
"""

from __future__ import annotations

import io

import matplotlib
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from PIL import Image

from parbrief.analysis.brief import build_brief
from parbrief.data.demo import make_demo
from parbrief.report import figures as F
from parbrief.report import raster, sections
from parbrief.spec import load_spec

SPEC = load_spec()


def _png(fig: MplFigure, canvas_class: type) -> bytes:
    """``to_png_bytes``'s steps, on the canvas class given."""
    with matplotlib.rc_context(F.brief_theme()):
        canvas = canvas_class(fig)
        F.fit(fig)
        canvas.draw()
        w, h = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def frames():
    d = make_demo(provinces=["Quảng Trị", "Hà Tĩnh"])
    return pd.concat([d.scores, d.national], ignore_index=True), d.survey


def _figures(frames, province: str, lang: str) -> list[MplFigure]:
    scores, survey = frames
    brief = build_brief(province=province, year=2024, data="demo", lang=lang, spec=SPEC,
                        frames=(scores, survey, "sha", {}))
    out = []
    for make in (sections.trends, sections.differences, sections.components, sections.satisfaction):
        for f in make(brief).figures:
            out += [f.fig] + ([f.narrow] if f.narrow is not None else [])
    return out


@pytest.mark.parametrize(("province", "lang"), [("Quảng Trị", "vi"), ("Hà Tĩnh", "en")])
def test_brief_figures_same_bytes_as_agg(frames, province, lang):
    raster.clear_text_cache()
    plain = [_png(f, FigureCanvasAgg) for f in _figures(frames, province, lang)]
    cold = [_png(f, raster.TextCacheCanvas) for f in _figures(frames, province, lang)]
    assert len(plain) >= 8  # trends, means, heatmap, satisfaction …, each wide and narrow
    assert cold == plain
    assert len(raster._BITMAPS) > 0 and len(raster._METRICS) > 0  # the cache was used
    # drawn again with every text in the cache
    assert [_png(f, raster.TextCacheCanvas) for f in _figures(frames, province, lang)] == plain


def test_to_png_bytes_uses_the_cache():
    raster.clear_text_cache()
    fig = F._new_figure(2.0)
    assert isinstance(fig.canvas, raster.TextCacheCanvas)
    fig.add_subplot().set_title("Chỉ số CCHC — Thừa Thiên Huế")
    F.to_png_bytes(fig)
    assert any(key[0] == "Chỉ số CCHC — Thừa Thiên Huế" for key in raster._BITMAPS)


def _odd_texts(antialiased: bool) -> MplFigure:
    fig = MplFigure(figsize=(4, 3), dpi=100)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_ylabel("Điểm (rotated 90°)")
    ax.text(0.2, 0.5, "nghiêng 30°", rotation=30)
    ax.text(0.6, 0.3, "Ngưỡng −0,5", rotation=-45, antialiased=antialiased)
    ax.text(0.1, 0.9, r"$\alpha = 0{,}05$")  # mathtext: left to Agg
    return fig


@pytest.mark.parametrize("antialiased", [True, False])
def test_rotated_math_and_aliased_text_same_bytes(antialiased):
    raster.clear_text_cache()
    with matplotlib.rc_context({"text.parse_math": True}):
        plain = _png(_odd_texts(antialiased), FigureCanvasAgg)
        assert _png(_odd_texts(antialiased), raster.TextCacheCanvas) == plain
        assert _png(_odd_texts(antialiased), raster.TextCacheCanvas) == plain  # from the cache
    assert not any("$" in key[0] for key in raster._BITMAPS)


@pytest.mark.parametrize("rc", [{"text.hinting_factor": 1}, {"text.kerning_factor": 6}, {"text.hinting": "none"},
                                {"font.sans-serif": ["DejaVu Serif"]}])
def test_text_drawn_under_other_font_settings_is_not_taken_from_the_cache(rc):
    # a notebook may change how fonts are made or chosen; the cache outlives the kernel's reset
    def figure() -> MplFigure:
        fig = MplFigure(figsize=(3, 1), dpi=100)
        fig.text(0.05, 0.5, "Huyện Hải Lăng · AV To")
        return fig

    def png(canvas_class: type) -> bytes:  # no brief theme: it would set the font family itself
        buf = io.BytesIO()
        canvas_class(figure()).print_png(buf)
        return buf.getvalue()

    raster.clear_text_cache()
    png(raster.TextCacheCanvas)  # the cache filled at the default settings
    with matplotlib.rc_context(rc):
        assert png(raster.TextCacheCanvas) == png(FigureCanvasAgg)


def test_cache_is_bounded(monkeypatch):
    raster.clear_text_cache()
    monkeypatch.setattr(raster._BITMAPS, "size", 5)
    monkeypatch.setattr(raster._METRICS, "size", 5)
    fig = MplFigure(figsize=(3, 2), dpi=100)
    ax = fig.add_subplot()
    for i in range(12):
        ax.text(0.1, i / 12, f"nhãn {i}")
    raster.TextCacheCanvas(fig).draw()
    assert len(raster._BITMAPS) == 5 and len(raster._METRICS) <= 5
    # the most recently drawn texts are the ones kept
    assert {key[0] for key in raster._BITMAPS} >= {"nhãn 11"}
    raster.clear_text_cache()
