"""A heatmap's cell values as one artist, drawn where matplotlib would draw them as texts.

A brief's heatmap writes a number in each of its 100–500 cells (units × components, desktop and
phone). As ``ax.text`` each value is a full matplotlib ``Text``: an object built with a dozen
property setters and callbacks, and on every draw a layout of its own (line metrics, rotation
matrix, bounding box). That was half of the heatmap's time (measured: 164 of 345 ms for a
21-unit heatmap in both variants). The values are short one-line strings, centred in their
cells, never rotated, never wrapped, so :class:`CellValues` draws them all in one ``draw``: each
string's extent measured once (and cached: a heatmap has a few dozen distinct values), placed by
the same arithmetic as ``Text`` with ``ha="center", va="center"`` (the line's height and descent
at least those of "lp"), and handed to the renderer's ``draw_text``. Same font, same pixels.

It takes no part in the figure's layout (it is inside the axes) and is not a ``Text``: tests read
its strings from :attr:`CellValues.strings`; it answers ``get_fontsize`` and ``get_text`` like one,
so the figure's smallest text (the PNG's ``text_px``, what the legibility checks read) counts it.
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib
import numpy as np
from matplotlib.artist import Artist, allow_rasterization
from matplotlib.font_manager import FontProperties

__all__ = ["CellValues"]


class CellValues(Artist):
    """Strings centred at data points ``(x, y)`` of an axes, each in its own colour."""

    zorder = 3  # as a Text's

    def __init__(self, xy: Sequence[tuple[float, float]], strings: Sequence[str], colours: Sequence[Any],
                 fontsize: float) -> None:
        super().__init__()
        self.xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        self.strings = list(strings)
        self.colours = list(colours)
        # the font as a Text made now would take it (family and size from the current rcParams)
        self._prop = FontProperties(size=fontsize)
        self._antialiased = bool(matplotlib.rcParams["text.antialiased"])
        self.set_in_layout(False)

    def get_fontsize(self) -> float:
        """The values' size in points (as ``Text.get_fontsize``: the figure's smallest text counts them)."""
        return float(self._prop.get_size_in_points())

    def get_text(self) -> str:
        """Every value, space-separated (empty when no cell has one), as ``Text.get_text`` would say."""
        return " ".join(s for s in self.strings if s)

    @allow_rasterization
    def draw(self, renderer: Any) -> None:
        if not self.get_visible() or not self.strings:
            return
        renderer.open_group("cell_values", gid=self.get_gid())
        metrics: dict[str, tuple[float, float, float]] = {}

        def measure(s: str) -> tuple[float, float, float]:
            if s not in metrics:
                metrics[s] = renderer.get_text_width_height_descent(s, self._prop, ismath=False)
            return metrics[s]

        _, lp_h, lp_d = measure("lp")
        canvas_h = renderer.get_canvas_width_height()[1]
        points = self.axes.transData.transform(self.xy)
        for (px, py), s, colour in zip(points, self.strings, self.colours):
            if not s:  # as Text draws nothing for an empty string
                continue
            w, h, d = measure(s)
            h, d = max(h, lp_h), max(d, lp_d)
            # Text's layout for one centred line: the baseline h/2 - d below the centre
            x, y = px - w / 2, py - (h - d) + h / 2
            if renderer.flipy():
                y = canvas_h - y
            gc = renderer.new_gc()
            gc.set_foreground(colour)
            gc.set_alpha(self.get_alpha())
            gc.set_antialiased(self._antialiased)
            renderer.draw_text(gc, x, y, s, self._prop, 0.0)
            gc.restore()
        renderer.close_group("cell_values")
        self.stale = False
