"""One-pass layout of a brief figure: margins measured once from the drawn text, then fixed.

Matplotlib's constrained layout measures every text of a figure twice before it draws (two
solver passes, each asking every tick label, title and annotation for its extent), which was
about 60 % of the time spent drawing a brief's charts. A brief's figures are simple: one axes
(with, for the heatmap, a colourbar beside it in the same grid cell), perhaps a legend below the
chart and a note below that. For such a figure one measurement is enough: the space the labels
need outside the axes does not depend on where the axes sit, so :func:`fit` measures it once
(:meth:`~matplotlib.axes.Axes.get_tightbbox`, as ``tight_layout`` does), sets the subplot
margins to it, and stacks the figure-level legends and the figure note (``supxlabel``) at the
bottom, under the axes' own labels.

Artists drawn inside the axes that never reach the margins (a heatmap's cell values,
:class:`~parbrief.report.cell_values.CellValues`) take no part in the measurement
(``set_in_layout(False)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from matplotlib.figure import Figure as MplFigure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["COLUMN_HEAD", "PAD_IN", "GAP_IN", "fit"]

#: The ``gid`` of a column's heading written above an axes' top right (the means chart's "Nhóm"
#: over its letters): a title that would run into it breaks its line before it (:func:`fit`).
COLUMN_HEAD = "pb-column-head"

#: Space kept free at the figure's edges, and between stacked items (inches; constrained layout's
#: default pad is 3/72 in).
PAD_IN = 4 / 72
GAP_IN = 5 / 72


def _bottom_items(fig: MplFigure) -> list[object]:
    """Figure-level items stacked under the axes, lowest first: legends, then the figure note."""
    items: list[object] = [leg for leg in fig.legends if leg.get_visible()]
    note = getattr(fig, "_supxlabel", None)
    if note is not None and note.get_visible() and note.get_text().strip():
        items.append(note)
    return items


def _wrapping_texts(fig: MplFigure) -> list[Text]:
    """Every visible, non-empty text of ``fig`` that wraps, looked up where one can be: the
    figure's texts (its title and note), each axes' titles, axis labels and texts.

    Not a walk of every artist (``findobj``): that visits each tick's lines and labels, and cost as
    much as measuring the texts (4 % of a brief's time). Tick labels and legends never wrap.
    """
    found: list[Text] = list(fig.texts)
    for ax in fig.axes:
        found += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
    return [t for t in found if t.get_wrap() and t.get_visible() and bool(t.get_text())]


def _wrapped(fig: MplFigure, texts: list[Text]) -> list[float]:
    """The heights of the texts of ``texts`` that still wrap: their wrap width depends on where the
    axes sit, so a text that wraps into other lines after a fit needs another one."""
    renderer = fig.canvas.get_renderer()
    return [round(t.get_window_extent(renderer).height, 1) for t in texts if t.get_wrap()]


def fit(fig: MplFigure, passes: int = 3) -> None:
    """Set ``fig``'s subplot margins so every label fits, in one measurement (see the module doc).

    A second measurement is made only when a wrapping title or label breaks into other lines at
    the new margins (at most ``passes`` in all). Idempotent: fitting a fitted figure gives the
    same margins. A figure with a layout engine of its own is left to it.
    """
    if fig.get_layout_engine() is not None or not fig.axes:
        return
    texts = _wrapping_texts(fig)
    short = _unwrap_short(fig, texts)
    for _ in range(passes):
        measured = _wrapped(fig, texts)  # as _fit_once will measure them, at the current margins
        _fit_once(fig)
        # a text taken out of wrapping that no longer fits its line (never seen): wrapped again
        grown = [t for t, width in short if width + 2 > _line_room(t, fig.bbox.width)]
        for t in grown:
            t.set_wrap(True)
        short = [(t, w) for t, w in short if t.get_wrap() is False]
        if not grown and _wrapped(fig, texts) == measured:
            break
    if _break_before_heads(fig):
        _fit_once(fig)  # the title is taller now: the top margin again


def _break_before_heads(fig: MplFigure) -> bool:
    """Break each axes title that runs into a column heading above the axes (:data:`COLUMN_HEAD`)
    into lines that end before it (:func:`_broken`); returns True when a title or heading changed.

    Matplotlib wraps a title at the figure's edge, so a long title over an axes pushed right by
    long unit names ran over the heading (seen: the departments' means chart of Quảng Trị). A
    broken title is drawn with wrapping off (its lines already fit); a title whose first word
    already reaches the heading keeps its line and the heading is hidden (the chart's note says
    what the letters mean).
    """
    renderer = fig.canvas.get_renderer()
    changed = False
    for ax in fig.axes:
        heads = [t for t in ax.texts if t.get_gid() == COLUMN_HEAD and t.get_visible() and t.get_text()]
        # the theme's titles are left-aligned (axes.titlelocation): the left one, as fit reads them
        title = next((t for t in (ax._left_title, ax.title, ax._right_title) if t.get_visible() and t.get_text()),
                     None)
        if not heads or title is None:
            continue
        for head in heads:
            box, head_box = title.get_window_extent(renderer), head.get_window_extent(renderer)
            if not _overlaps(box, head_box):
                continue
            text = _broken(title, head_box.x0 - box.x0 - GAP_IN * fig.dpi, renderer)
            if text is None:
                head.set_visible(False)
            else:
                title.set_text(text)
                title.set_wrap(False)
            changed = True
    return changed


def _overlaps(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _broken(title: Text, room: float, renderer: object) -> str | None:
    """``title``'s text in lines that each fit in ``room`` pixels, broken between words (None:
    not even its first word fits). Two lines are balanced (the break that makes the longer one
    shortest, so no word is left alone on the second); more are filled greedily. The title is
    measured with wrapping off, as it is then drawn, and left as it was."""
    words = title.get_text().replace("\n", " ").split()
    original, wrap = title.get_text(), title.get_wrap()
    title.set_wrap(False)

    def width(text: str) -> float:
        title.set_text(text)
        return title.get_window_extent(renderer).width

    try:
        if not words or width(words[0]) > room:
            return None
        lines, line = [], ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if line and width(candidate) > room:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
        if len(lines) == 2:
            splits = [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]
            fits = [(max(width(a), width(b)), a, b) for a, b in splits]
            fits = [f for f in fits if f[0] <= room]
            if fits:
                _, a, b = min(fits, key=lambda f: f[0])
                lines = [a, b]
        return "\n".join(lines)
    finally:
        title.set_text(original)
        title.set_wrap(wrap)


def _line_room(t: Text, width: float) -> float:
    """The width matplotlib wraps an unrotated text to: from its anchor to the figure's edge (left
    or right aligned), or twice the nearer edge's distance (centred)."""
    x0 = t.get_transform().transform(t.get_position())[0]
    align = t.get_horizontalalignment()
    return width - x0 if align == "left" else x0 if align == "right" else 2 * min(x0, width - x0)


def _unwrap_short(fig: MplFigure, texts: list[Text]) -> list[tuple[Text, float]]:
    """The wrapping ``texts`` far shorter than their line, with wrapping switched off.

    Matplotlib finds a wrapped text's line breaks by measuring every prefix of its words, on
    every measurement and draw (a tenth of a brief's chart time). A text whose whole width is
    short of its line by a tenth of the figure's width is never broken, wherever the margins
    move it, so it is drawn as is, the same pixels; :func:`fit` checks each again at the final
    margins. Rotated texts and mathtext keep matplotlib's wrapping.
    """
    renderer = fig.canvas.get_renderer()
    spare = 0.1 * fig.bbox.width
    out: list[tuple[Text, float]] = []
    for t in texts:
        if t.get_rotation() % 360 != 0 or "$" in t.get_text():
            continue
        t.set_wrap(False)
        width = t.get_window_extent(renderer).width
        if width + spare <= _line_room(t, fig.bbox.width):
            t.set_rotation_mode("anchor")  # as matplotlib's wrapping sets it
            out.append((t, width))
        else:
            t.set_wrap(True)
    return out


def _fit_once(fig: MplFigure) -> None:
    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi
    width, height = (float(v) * dpi for v in fig.get_size_inches())
    pad, gap = PAD_IN * dpi, GAP_IN * dpi

    # the figure-level items at the bottom: placed from the edge up, their heights summed
    stack = pad
    for item in _bottom_items(fig):
        if hasattr(item, "set_loc"):  # a legend: its lower left corner at the stack's top
            item.set_loc("lower left")
            item.set_bbox_to_anchor(Bbox.from_bounds(pad / width, stack / height, 0, 0), transform=fig.transFigure)
        else:  # the note: a left-aligned text whose bottom sits on the stack
            item.set_position((item.get_position()[0], stack / height))
            item.set_verticalalignment("bottom")
        stack += item.get_window_extent(renderer).height + gap
    if stack > pad:
        stack += gap - pad  # the last gap becomes the space above the axes' own labels, at least pad

    # the figure's title (a stacked chart's ``suptitle``): at the top edge, its height kept free
    head = pad
    title = getattr(fig, "_suptitle", None)
    if title is not None and title.get_visible() and title.get_text().strip():
        title.set_position((title.get_position()[0], 1 - pad / height))
        title.set_verticalalignment("top")
        head += title.get_window_extent(renderer).height + gap

    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_in_layout()]
    with _spines_left_out(axes):
        boxes = {ax: ax.get_tightbbox(renderer, for_layout_only=True) for ax in axes}
    boxes = {ax: b for ax, b in boxes.items() if b is not None and b.width > 0 and b.height > 0}
    if not boxes:
        return
    used = Bbox.union(list(boxes.values()))
    sp = fig.subplotpars
    left_extra = max(0.0, sp.left * width - used.x0)
    right_extra = max(0.0, used.x1 - sp.right * width)
    bottom_extra = max(0.0, sp.bottom * height - used.y0)
    top_extra = max(0.0, used.y1 - sp.top * height)
    left = (left_extra + pad) / width
    right = 1 - (right_extra + pad) / width
    bottom = (bottom_extra + stack) / height  # stack ≥ pad: it starts at the edge's pad
    top = 1 - (top_extra + head) / height
    if right - left < 0.2 or top - bottom < 0.2:  # labels larger than the figure: keep what is drawable
        left, right = min(left, 0.4), max(right, 0.6)
        bottom, top = min(bottom, 0.4), max(top, 0.6)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top,
                        hspace=_row_space(boxes, (top - bottom) * height, gap))


@contextmanager
def _spines_left_out(axes: list) -> Iterator[None]:
    """The axes' spines out of the measurement while it runs.

    A spine's extent is the axes' edge (inside the frame the measurement counts anyway) padded by
    its tick marks, which sit between the spine and the tick labels the axis measures; but each
    spine finds its ticks again (``Axis._update_ticks``), a sixth of a brief's layout time.
    """
    spines = [sp for ax in axes for sp in ax.spines.values() if sp.get_in_layout()]
    for sp in spines:
        sp.set_in_layout(False)
    try:
        yield
    finally:
        for sp in spines:
            sp.set_in_layout(True)


def _row_space(boxes: dict, tall: float, gap: float) -> float | None:
    """``hspace`` for axes stacked in one column (a panel's title and the labels of the panel above
    it must fit between them), ``None`` for a single row."""
    grids = {ax.get_subplotspec().get_gridspec() for ax in boxes if ax.get_subplotspec() is not None}
    if len(grids) != 1:
        return None
    rows = next(iter(grids)).nrows
    if rows < 2:
        return None
    below = above = 0.0
    for ax, b in boxes.items():
        frame = ax.get_window_extent()
        spec = ax.get_subplotspec()
        if spec.rowspan.stop < rows:  # labels of a panel hanging into the gap below it
            below = max(below, frame.y0 - b.y0)
        if spec.rowspan.start > 0:  # a panel's title, in the gap above it
            above = max(above, b.y1 - frame.y1)
    need = below + above + gap
    # GridSpec: the space between rows is hspace × the mean row height, rows + (rows - 1) × hspace = tall / mean
    return need * rows / max(tall - need * (rows - 1), 1.0)
