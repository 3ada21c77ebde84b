"""The brief's tables as pandas ``Styler`` objects: the numbers underneath, the brief's look on top.

A table is a DataFrame whose columns carry the headers the leader reads and whose cells keep
their values (ranks, scores, changes unrounded, ``NaN`` when missing); the ``Styler`` formats
them in the brief's language (:mod:`parbrief.text.formats`), escapes every cell and header,
right-aligns numeric columns (``pb-num``), colours rises and falls (``pb-up``/``pb-down``) and
uses the stylesheet's ``pb-table`` class. An analyst gets the frame back as ``styler.data``.

The HTML is deterministic (a fixed ``uuid`` per table, no cell ids), so a brief is the same page
byte for byte whichever kernel rendered it.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from parbrief.report.blocks import esc

__all__ = ["NUMERIC_HEADER_CSS", "change_class", "missing", "styled"]

#: How a numeric column's header is aligned (as ``th.pb-num`` in the stylesheet).
NUMERIC_HEADER_CSS = "text-align: right;"

Formatter = Callable[[Any], str]


def missing(x: Any) -> bool:
    """``None``, ``NaN`` or ``pd.NA``."""
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def change_class(x: Any) -> str:
    """``pb-up`` for a rise, ``pb-down`` for a fall, nothing for no change or a missing value."""
    if missing(x) or x == 0:
        return ""
    return "pb-up" if x > 0 else "pb-down"


def _text(x: Any) -> str:
    return "–" if missing(x) else str(x)


def _escaped(fn: Formatter) -> Formatter:
    return lambda x: esc(fn(x))


def _uuid(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table"


def styled(
    frame: pd.DataFrame,
    *,
    name: str,
    formats: Mapping[str, Formatter] | None = None,
    html_formats: Mapping[str, Formatter] | None = None,
    numeric: Iterable[str] = (),
    cell_classes: Mapping[str, Callable[[Any], str]] | None = None,
    row_classes: Sequence[str] | None = None,
    phone_hide: Iterable[str] = (),
    header: bool = True,
) -> Styler:
    """``frame`` as a brief table (``<table id="T_pb-{name}" class="pb-table">``, no index).

    ``formats``: column → value-to-text function (its text is HTML-escaped); other columns show
    their text, ``–`` when missing. ``html_formats``: column → value-to-HTML function that
    escapes what it writes (a link). ``numeric`` columns are right-aligned; ``cell_classes``:
    column → value-to-CSS-class function (``change_class``); ``row_classes``: one class per row
    (``""`` for none) added to each of its cells (``pb-gap``: the rule where a long list's
    middle is left out). ``phone_hide``: columns a phone does not show (the table class
    ``pb-ph-<i>`` hides the cells of class ``col<i>``, header included, below 40rem), so the
    rest fits a 390 px screen. ``header=False`` hides the header row (a key–value table).
    """
    numeric = [c for c in numeric if c in frame.columns]
    cell_formats: dict[Any, Formatter] = {c: _escaped(_text) for c in frame.columns}
    # formats and classes of columns the table does not have (left out as empty) are ignored
    cell_formats.update({c: _escaped(fn) for c, fn in (formats or {}).items() if c in frame.columns})
    cell_formats.update({c: fn for c, fn in (html_formats or {}).items() if c in frame.columns})
    styler = Styler(frame, uuid=f"pb-{_uuid(name)}", cell_ids=False)
    styler = styler.format(cell_formats, escape=None).format_index(esc, axis="columns", escape=None)
    columns = list(frame.columns)
    classes = {c: [""] * len(frame) for c in columns}
    for col in numeric:
        classes[col] = ["pb-num"] * len(frame)
    for col, fn in ((c, f) for c, f in (cell_classes or {}).items() if c in frame.columns):
        classes[col] = [" ".join(c for c in (base, fn(v)) if c) for base, v in zip(classes[col], frame[col])]
    if row_classes is not None:
        for col in columns:
            classes[col] = [" ".join(c for c in (base, extra) if c) for base, extra in zip(classes[col], row_classes)]
    styler = styler.set_td_classes(pd.DataFrame(classes, index=frame.index, columns=frame.columns))
    hidden = "".join(f" pb-ph-{columns.index(c)}" for c in phone_hide if c in frame.columns)
    styler = styler.hide(axis="index").set_table_attributes(f'class="pb-table{hidden}"')
    if numeric:
        # as `th.pb-num` in the stylesheet (a Styler cannot put a class on a header cell)
        styler = styler.set_table_styles(
            [{"selector": f"th.col{columns.index(c)}", "props": NUMERIC_HEADER_CSS} for c in numeric], overwrite=False)
    if not header:
        styler = styler.hide(axis="columns")
    return styler
