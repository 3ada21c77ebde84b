"""Unit types read from unit names, for a scores file without a unit-type column.

Without a ``Loại đơn vị`` column every unit used to become a district, so "Sở Tư pháp" was
ranked among the districts. The name's first words say the type in almost every official table:

- *department* (sở, ban, ngành): Sở, Ban, Phòng, Văn phòng, Thanh tra, Công an, Bộ Chỉ huy, Cục,
  Chi cục, Kho bạc, Bảo hiểm xã hội, Đài;
- *commune* (cấp xã): Xã, Phường, Đặc khu, Thị trấn;
- *district* (cấp huyện): Huyện, Quận, Thị xã, Thành phố.

Names are matched on their :func:`~parbrief.data.names.unit_key` (abbreviations written out:
"TP." → "Thành phố", "H." → "Huyện"; case folded), after an "UBND"/"Ủy ban nhân dân" before the
prefix ("UBND huyện Gio Linh" is the district). "P." is refused as ambiguous (*phường* or
*phòng*); a name that starts with none of the words is refused too: the fix is a unit-type
column (:func:`infer_unit_type` returns the reason, the validator words the problem).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parbrief.data.names import normalize_name, unit_key

__all__ = ["PREFIX_TYPES", "InferredType", "infer_unit_type", "prefix_words"]

#: First words of a unit name and the unit type they say, as written in official tables.
PREFIX_TYPES: dict[str, tuple[str, ...]] = {
    "department": ("Sở", "Ban", "Phòng", "Văn phòng", "Thanh tra", "Công an", "Bộ Chỉ huy", "Cục", "Chi cục",
                   "Kho bạc", "Bảo hiểm xã hội", "Đài"),
    "district": ("Huyện", "Quận", "Thị xã", "Thành phố"),
    "commune": ("Xã", "Phường", "Đặc khu", "Thị trấn"),
}
# Casefolded prefix → type, longest first (so "Văn phòng" is tried before a shorter word could match).
_BY_PREFIX = sorted(((p.casefold(), kind) for kind, ps in PREFIX_TYPES.items() for p in ps),
                    key=lambda item: -len(item[0]))
# The people's committee written before the level: "UBND huyện X" is the district X.
_COMMITTEE = ("ubnd ", "ủy ban nhân dân ", "uỷ ban nhân dân ")
# The police of a level: "Công an huyện X" is a district unit, "Công an xã Y" a commune unit of a
# police force's own table; any other "Công an …" (a department, "Công an tỉnh") stays a department.
_POLICE = "công an "
# An abbreviation that stands for two types: "P." is a phường (commune) or a phòng (department).
_AMBIGUOUS = re.compile(r"^(p)\.\s*(?=\w)", re.IGNORECASE)
_MEANINGS = {"p": ("phuong", "phong")}


@dataclass(frozen=True)
class InferredType:
    """The type a name says (``kind``), or why it says none: ``reason`` ``"unknown"`` (no known
    first word) or ``"ambiguous"`` (``prefix`` stands for the ``meanings``, message keys)."""

    kind: str | None
    reason: str = ""
    prefix: str = ""
    meanings: tuple[str, ...] = ()


def prefix_words() -> str:
    """The first words that say a type, for a message: "Sở, Ban, …, Thị trấn"."""
    return ", ".join(p for ps in PREFIX_TYPES.values() for p in ps)


def infer_unit_type(name: str) -> InferredType:
    """The unit type the first words of ``name`` say (see the module docstring)."""
    text = normalize_name(name)
    for committee in _COMMITTEE:
        if text.casefold().startswith(committee):
            text = text[len(committee):]
            break
    m = _AMBIGUOUS.match(text)
    if m:
        return InferredType(None, "ambiguous", text[:m.start(1) + 2], _MEANINGS[m.group(1).lower()])
    key = unit_key(text)
    if key.startswith(_POLICE):
        rest = key[len(_POLICE):]
        for prefix, kind in _BY_PREFIX:
            if kind != "department" and rest.startswith(prefix + " ") and len(rest) > len(prefix) + 1:
                return InferredType(kind)
    for prefix, kind in _BY_PREFIX:
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
            return InferredType(kind)
    return InferredType(None, "unknown")
