"""What an ingest replaces, adds and removes in each province-year, and when it must ask first.

An ingest replaces whole (province, year) slices: every stored unit of a province-year in the
file that the file does not hold again is removed. A file that lists only some units (the
departments left out, one sheet of several) would silently shrink the year, so
:func:`check_removals` refuses a file that removes more than a share of a slice's stored units
(default :data:`DEFAULT_MAX_REMOVED`) unless ``--replace`` is given. Units are compared on their
keys (:func:`~parbrief.data.names.unit_key`), so a spelling change is not a removal plus an addition.

Rows: a score row is one unit in one year; a survey row is one respondent of a unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from parbrief.errors import ParbriefError
from parbrief.text.collation import vietnamese_sort_key
from parbrief.text.formats import fmt_int, fmt_percent
from parbrief.text.messages import t

__all__ = [
    "DEFAULT_MAX_REMOVED",
    "SliceChange",
    "ReplacementRefused",
    "plan_changes",
    "check_removals",
    "changes_table",
]

#: Share of a province-year's stored units a file may remove without ``--replace``.
DEFAULT_MAX_REMOVED = 0.2
_SHOWN_NAMES = 5


@dataclass(frozen=True)
class SliceChange:
    """One province-year of the file: units and rows stored before, and what the file does to them."""

    province: str
    year: int
    units_stored: int
    units_in_file: int
    units_replaced: int
    units_added: int
    units_removed: int
    rows_replaced: int
    rows_added: int
    rows_removed: int
    removed_names: tuple[str, ...] = ()

    @property
    def new(self) -> bool:
        """Nothing was stored for this province-year."""
        return self.units_stored == 0

    @property
    def removed_share(self) -> float:
        return self.units_removed / self.units_stored if self.units_stored else 0.0


def plan_changes(stored: pd.DataFrame, incoming: pd.DataFrame) -> tuple[SliceChange, ...]:
    """Per (province, year) of ``incoming``: units and rows replaced, added and removed.

    Both frames have ``province``, ``year``, ``key`` (the unit key), ``unit`` (display name) and
    ``row`` (the row's identity: the unit key for scores, key and respondent for survey);
    ``stored`` holds the rows of the same kind (and spec) already in the store.
    """
    out = []
    groups = dict(iter(stored.groupby(["province", "year"], sort=False))) if len(stored) else {}
    for (province, year), new in incoming.groupby(["province", "year"], sort=True):
        old = groups.get((province, year), stored.iloc[0:0])
        old_units = dict(zip(old["key"].tolist(), old["unit"].tolist()))
        new_units = set(new["key"].tolist())
        old_rows, new_rows = set(old["row"].tolist()), set(new["row"].tolist())
        removed = sorted((old_units[k] for k in set(old_units) - new_units), key=vietnamese_sort_key)
        out.append(SliceChange(
            province=str(province), year=int(year),
            units_stored=len(old_units), units_in_file=len(new_units),
            units_replaced=len(new_units & set(old_units)), units_added=len(new_units - set(old_units)),
            units_removed=len(removed),
            rows_replaced=len(new_rows & old_rows), rows_added=len(new_rows - old_rows),
            rows_removed=len(old_rows - new_rows), removed_names=tuple(removed),
        ))
    return tuple(out)


class ReplacementRefused(ParbriefError):
    """A file would remove more than the allowed share of stored units; nothing was written."""

    def __init__(self, file: str, slices: Iterable[SliceChange], max_removed: float) -> None:
        self.file = file
        self.slices = tuple(slices)
        self.max_removed = max_removed
        super().__init__(self.message("en"))

    def message(self, lang: str = "vi") -> str:
        details = "; ".join(self._slice_text(s, lang) for s in self.slices)
        return t("ingest.refused", lang, file=self.file, limit=fmt_percent(self.max_removed, lang, 0),
                 details=details, n=len(self.slices))

    @staticmethod
    def _slice_text(s: SliceChange, lang: str) -> str:
        names = ", ".join(s.removed_names[:_SHOWN_NAMES])
        if len(s.removed_names) > _SHOWN_NAMES:
            names += ", …"
        return t("ingest.refused_slice", lang, province=s.province, year=s.year, removed=s.units_removed,
                 stored=s.units_stored, kept=s.units_replaced, added=s.units_added, names=names)


def check_removals(file: str, changes: Iterable[SliceChange], max_removed: float = DEFAULT_MAX_REMOVED,
                   replace: bool = False) -> None:
    """Raise :class:`ReplacementRefused` when a province-year would lose more than ``max_removed``
    of its stored units (a share from 0 to 1) and ``replace`` is not set."""
    if replace:
        return
    over = [c for c in changes if c.units_removed and c.removed_share > max_removed + 1e-12]
    if over:
        raise ReplacementRefused(file, over, max_removed)


def changes_table(changes: Iterable[SliceChange], lang: str = "vi") -> list[str]:
    """The province-years that had stored data, as an aligned text table (header first).

    Empty when nothing stored is touched. Columns: province, year, units stored, units in the
    file, units replaced / added / removed, rows replaced / added / removed.
    """
    touched = [c for c in changes if not c.new]
    if not touched:
        return []
    head = [t(f"ingest.table.{k}", lang) for k in (
        "province", "year", "units_stored", "units_in_file", "units_replaced", "units_added", "units_removed",
        "rows_replaced", "rows_added", "rows_removed")]
    body = [[c.province, str(c.year)] + [fmt_int(v, lang) for v in (
        c.units_stored, c.units_in_file, c.units_replaced, c.units_added, c.units_removed,
        c.rows_replaced, c.rows_added, c.rows_removed)] for c in touched]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return [line(head), *(line(r) for r in body)]
