"""Row labels and cell values drawn without matplotlib's per-label objects give the same pixels."""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from parbrief.report.axis_labels import row_label_texts, row_labels
from parbrief.report.cell_values import CellValues
from parbrief.report.figures import brief_theme

NAMES = ["Huyện Vĩnh Linh", "Thị xã Quảng Trị", "Sở Tư pháp", "Huyện đảo Cồn Cỏ", "… 12 đơn vị khác"]


def _pixels(draw) -> np.ndarray:
    with matplotlib.rc_context(brief_theme()):
        fig = MplFigure(figsize=(5, 2.5), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.35)
        ax.plot([70, 90], [0, len(NAMES) - 1])
        ax.set_ylim(len(NAMES) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)  # as on the brief's row charts (no ticks: no y grid lines)
        draw(ax)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_row_labels_are_drawn_where_tick_labels_are():
    muted = [False, False, False, False, True]

    def ticks(ax):
        ax.set_yticks(range(len(NAMES)), NAMES)
        for label, grey in zip(ax.get_yticklabels(), muted):
            if grey:
                label.set_color(".4")
                label.set_fontstyle("italic")

    def texts(ax):
        written = row_labels(ax, range(len(NAMES)), NAMES, muted=muted)
        assert [t.get_text() for t in row_label_texts(ax)] == NAMES == [t.get_text() for t in written]
        assert ax.get_yticks().size == 0

    assert np.array_equal(_pixels(ticks), _pixels(texts))


def test_row_labels_in_a_given_size():
    def ticks(ax):
        ax.set_yticks(range(len(NAMES)), NAMES)
        ax.tick_params(axis="y", labelsize=8)

    assert np.array_equal(_pixels(ticks), _pixels(lambda ax: row_labels(ax, range(len(NAMES)), NAMES, fontsize=8)))


def test_cell_values_are_drawn_as_centred_texts():
    xy = [(75.0, i) for i in range(len(NAMES))] + [(85.5, 1.0), (71.0, 3.0)]
    strings = ["100", "87", "9", "66", "", "79", "105"]
    colours = [".15", "w", ".15", "#c8431b", ".15", "w", ".15"]

    def texts(ax):
        for (x, y), s, c in zip(xy, strings, colours):
            ax.text(x, y, s, color=c, ha="center", va="center", fontsize=8)

    def artist(ax):
        values = CellValues(xy, strings, colours, 8)
        ax.add_artist(values)
        assert not values.get_in_layout() and values.strings == strings

    assert np.array_equal(_pixels(texts), _pixels(artist))
