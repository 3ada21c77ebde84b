"""An Agg canvas that lays out and rasterizes each distinct text once per process, not once per figure.

A brief draws about 800 texts in its twelve PNGs and measures about 700 for the layout, but only
about half of each are distinct: a unit's name is in the trend chart, the means chart and the
heatmap, the tick labels and legends of one chart type repeat from province to province. Agg
asks FreeType for the glyphs of every text on every measurement and every draw (``set_text``,
≈ 14 µs a character, about a third of a brief's CPU time), and matplotlib's own metric cache is
kept per renderer, so it starts empty with each figure.

:class:`TextCacheRenderer` keeps, for the whole process, each text's metrics and its rendered
bitmap under everything they depend on: the string, the font files and size, the dpi, the
hinting (flag and the rcParams' hinting and kerning factors) and antialiasing. A text drawn from the cache is the same pixels at the same place:
``draw_text`` then only composites the kept bitmap (what Agg does after rasterizing it). Mathtext
and TeX go to Agg as before. Both caches are bounded (least recently used texts go first).

It relies on Agg's text path of matplotlib 3.8–3.10 (``_prepare_font``, the font manager's
``_find_fonts_by_props`` it calls, ``draw_text_image``), the versions ``pyproject.toml`` allows;
``tests/report/test_raster.py`` checks that the PNGs are byte-identical to plain Agg's, so a
matplotlib that changes that path fails there, not in a brief.
"""

from __future__ import annotations

from collections import OrderedDict
from math import cos, radians, sin
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager

__all__ = ["TextCacheCanvas", "TextCacheRenderer", "clear_text_cache"]

#: Distinct texts kept (a brief's ≈ 350–550 distinct texts, several briefs of a kernel's run).
MAX_TEXTS = 4096


class _LRU(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_fresh(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)


_METRICS = _LRU(MAX_TEXTS)
_BITMAPS = _LRU(MAX_TEXTS)


def clear_text_cache() -> None:
    """Forget every kept text (tests; a process that changed its fonts)."""
    _METRICS.clear()
    _BITMAPS.clear()


class TextCacheRenderer(RendererAgg):
    """Agg's renderer with a process-wide cache of text metrics and text bitmaps (module doc)."""

    def _key(self, s: str, prop: Any) -> tuple[Any, ...]:
        """Everything a text's glyphs depend on: the string, the font files (fallbacks among them)
        that Agg's ``_prepare_font`` resolves ``prop`` to, the size and dpi, the hinting and the
        rcParams ``get_font`` makes a font with (hinting and kerning factors). No font is prepared:
        a text found in the cache needs none."""
        rc = matplotlib.rcParams
        return (s, tuple(fontManager._find_fonts_by_props(prop)), prop.get_size_in_points(), self.dpi,
                get_hinting_flag(), rc["text.hinting_factor"], rc["text.kerning_factor"])

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = self._key(s, prop)
        hit = _METRICS.get_fresh(key)
        if hit is None:
            font = self._prepare_font(prop)
            font.set_text(s, 0.0, flags=get_hinting_flag())
            w, h = font.get_width_height()
            hit = (w / 64.0, h / 64.0, font.get_descent() / 64.0)
            _METRICS.put(key, hit)
        return hit

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                  ismath: Any = False, mtext: Any = None) -> None:
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        key = (*self._key(s, prop), bool(gc.get_antialiased()))
        hit = _BITMAPS.get_fresh(key)
        if hit is None:
            # as RendererAgg.draw_text: rasterized unrotated (the angle is applied in raster space)
            font = self._prepare_font(prop)
            font.set_text(s, 0, flags=get_hinting_flag())
            font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
            xo, yo = font.get_bitmap_offset()
            hit = (np.ascontiguousarray(font.get_image(), dtype=np.uint8), font.get_descent() / 64.0,
                   xo / 64.0, yo / 64.0)
            _BITMAPS.put(key, hit)
        image, d, xo, yo = hit
        xd = d * sin(radians(angle))
        yd = d * cos(radians(angle))
        self._renderer.draw_text_image(image, round(x + xo + xd), round(y + yo + yd) + 1, angle, gc)


class TextCacheCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with a :class:`TextCacheRenderer`."""

    def get_renderer(self) -> TextCacheRenderer:
        w, h = self.figure.bbox.size
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = TextCacheRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
