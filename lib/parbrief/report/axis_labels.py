"""Unit names beside a chart's rows, drawn as plain texts instead of tick labels.

A chart with one row per unit (the means chart, the heatmap, the cross-section) names its rows on
the y axis. As tick labels each name costs a matplotlib ``Tick``: two ``Text`` and three
``Line2D`` objects, built when the ticks are set, and matplotlib measures every tick label three
times per layout (the axis's extent, then again to place the axis label and the title). At 25 to
60 rows and two variants (desktop and phone) that was a third of the time spent on those charts
(measured: a 25-row means chart 66 → 42 ms). The rows' names never move, so :func:`row_labels`
writes them as ordinary texts at the very place matplotlib puts its tick labels (the y axis's
``text1`` transform with the theme's tick pad and size, right-aligned, vertically centred on the
row's baseline centre), in the tick labels' size and colour; the axis has no ticks.

:func:`row_label_texts` gives them back (tests, a caller restyling one).
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib

__all__ = ["row_labels", "row_label_texts"]

#: The ``gid`` that marks a row label among an axes' texts.
GID = "pb-row-label"

#: How much of the tick's length counts in the label's distance from the axis, by tick direction
#: (matplotlib's ``Tick.get_tick_padding``).
_DIRECTION = {"out": 1.0, "inout": 0.5, "in": 0.0}


def row_labels(ax: Any, positions: Sequence[float], labels: Sequence[str], *,
               fontsize: float | str | None = None, muted: Sequence[bool] | None = None) -> list[Any]:
    """Write ``labels`` left of ``ax`` at the data y ``positions``, where its tick labels would be.

    The y axis keeps no ticks, so no y grid lines either (the row charts draw none).
    ``fontsize`` defaults to the theme's ``ytick.labelsize``; ``muted`` rows (a "… units not
    shown" row) are grey italics, so they do not read as units.
    Call it inside the figure's ``rc_context`` (the sizes and colours come from rcParams).
    """
    rc = matplotlib.rcParams
    pad = rc["ytick.major.pad"] + rc["ytick.major.size"] * _DIRECTION.get(rc["ytick.direction"], 1.0)
    transform, va, ha = ax.get_yaxis_text1_transform(pad)
    colour = rc["ytick.labelcolor"] if rc["ytick.labelcolor"] != "inherit" else rc["ytick.color"]
    size = rc["ytick.labelsize"] if fontsize is None else fontsize
    ax.set_yticks([])
    flags = list(muted) if muted is not None else [False] * len(labels)
    texts = []
    for y, label, grey in zip(positions, labels, flags):
        text = ax.text(0, y, label, transform=transform, va=va, ha=ha, fontsize=size,
                       color=".4" if grey else colour, fontstyle="italic" if grey else "normal")
        text.set_gid(GID)
        texts.append(text)
    return texts


def row_label_texts(ax: Any) -> list[Any]:
    """The row labels :func:`row_labels` wrote on ``ax``, top to bottom as given."""
    return [t for t in ax.texts if t.get_gid() == GID]
