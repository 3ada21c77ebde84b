"""Units of one province that may be one unit written two ways in different years.

After :mod:`parbrief.data.unit_names` the keys differ, so nothing is merged here; the check only
warns, with the alias line that would merge them. Two units of a province are reported when
they never share a year (one takes over where the other stops), at least one of them is in the
file being ingested, their types agree (a district "Huyện Vĩnh Linh" and the 2025 commune "Xã
Vĩnh Linh" are different units) and their names are close:

- ``"prefix"``: the same name after the administrative prefix — "Thị xã Đồng Hới" then "Thành phố
  Đồng Hới" (often a legitimate upgrade, hence a warning, not a merge);
- ``"spelling"``: the same letters without diacritics and spaces ("Đakrông" / "Đa Krông"), or a
  :class:`difflib.SequenceMatcher` ratio of at least :data:`RATIO` on them ("Gio Linh" / "Gio
  Lin"), with the same numbers ("Phường 1" and "Phường 2" are never close).
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

import pandas as pd

from parbrief.data.names import split_unit_prefix, strip_diacritics, unit_key
from parbrief.data.unit_names import years_text
from parbrief.text.messages import t

__all__ = ["RATIO", "NearDuplicate", "find_near_duplicates", "close_names", "aliases_block"]

#: Smallest similarity ratio (difflib, on the folded names without prefix) reported as close.
RATIO = 0.88
_DIGITS = re.compile(r"\d+")


def _q(s: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


@dataclass(frozen=True)
class NearDuplicate:
    """Two spellings in one province, the earlier (``old``) and the later (``new``), with their years."""

    province: str
    old: str
    old_years: tuple[int, ...]
    new: str
    new_years: tuple[int, ...]
    reason: str

    @property
    def alias_line(self) -> str:
        """The line to add under ``aliases:`` → ``"<province>":`` to merge ``old`` into ``new``."""
        return f"{_q(self.old)}: {_q(self.new)}"

    def message(self, lang: str = "vi") -> str:
        """The warning: province, both spellings and years, and the exact alias line to add."""
        return t(
            "ingest.near_duplicate.warning", lang, province=self.province, old=self.old, new=self.new,
            old_years=years_text(self.old_years), new_years=years_text(self.new_years),
            why=t(f"ingest.near_duplicate.reason.{self.reason}", lang), province_q=_q(self.province),
            line=self.alias_line,
        )


def aliases_block(pairs: tuple[NearDuplicate, ...] | list[NearDuplicate]) -> str:
    """The aliases file that would merge every pair (YAML, ready to paste)."""
    by: dict[str, list[str]] = defaultdict(list)
    for d in pairs:
        if d.alias_line not in by[d.province]:
            by[d.province].append(d.alias_line)
    lines = ["aliases:"]
    for prov in sorted(by):
        lines.append(f"  {_q(prov)}:")
        lines += [f"    {line}" for line in by[prov]]
    return "\n".join(lines)


@lru_cache(maxsize=65536)
def _profile(name: str) -> tuple[str, str, tuple[str, ...], str]:
    """(key, prefix, numbers, folded rest) of a unit name."""
    prefix, rest = split_unit_prefix(name)
    folded = "".join(c for c in strip_diacritics(rest).casefold() if c.isalnum())
    return unit_key(name), prefix, tuple(_DIGITS.findall(rest)), folded


def close_names(a: str, b: str) -> str | None:
    """``"prefix"``, ``"spelling"`` or ``None``: whether two unit names (different keys) look like one unit."""
    ka, pa, da, fa = _profile(a)
    kb, pb, db, fb = _profile(b)
    if ka == kb or da != db or not fa or not fb:
        return None
    if fa == fb:
        return "prefix" if pa != pb else "spelling"
    if pa != pb or min(len(fa), len(fb)) < 4:
        return None
    m = difflib.SequenceMatcher(None, fa, fb, autojunk=False)
    if m.real_quick_ratio() < RATIO or m.quick_ratio() < RATIO:
        return None
    return "spelling" if m.ratio() >= RATIO else None


def find_near_duplicates(units: pd.DataFrame, focus: Mapping[str, set[int]]) -> tuple[NearDuplicate, ...]:
    """Close pairs of units within each province (see the module), in province and name order.

    ``units``: one row per (province, unit, year), with ``unit_type`` (``None`` when unknown), as
    the store will hold them after the ingest. ``focus``: province → the years of the file; a
    pair is reported only when one of the two units has such a year.
    """
    out: list[NearDuplicate] = []
    for province, part in units.groupby("province", sort=True):
        years: dict[str, set[int]] = defaultdict(set)
        types: dict[str, set[str]] = defaultdict(set)
        for u, ty, y in zip(part["unit"], part["unit_type"], part["year"]):
            years[u].add(int(y))
            if isinstance(ty, str):
                types[u].add(ty)
        wanted = focus.get(province, set())
        names = sorted(years)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if years[a] & years[b] or not (years[a] | years[b]) & wanted:
                    continue
                if types[a] and types[b] and not types[a] & types[b]:
                    continue
                reason = close_names(a, b)
                if reason is None:
                    continue
                old, new = sorted((a, b), key=lambda u: (max(years[u]), u))
                out.append(NearDuplicate(str(province), old, tuple(sorted(years[old])), new,
                                         tuple(sorted(years[new])), reason))
    return tuple(out)
