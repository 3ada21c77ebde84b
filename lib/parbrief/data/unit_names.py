"""One spelling per unit: the names an ingest writes, and the stored names it unifies.

The same unit reaches the store written several ways: "TP. Đồng Hới" in one year's file,
"Thành phố Đồng Hới" in the next; "HUYỆN VĨNH LINH" beside "Huyện Vĩnh Linh". Left alone, each
spelling becomes a unit of its own and the brief lists the unit as new. Here every name is keyed
with :func:`~parbrief.data.names.unit_key` (abbreviated prefix written out, case ignored) after
the aliases, and every spelling of a key within a province, in the file and in the store, is
replaced by one display name: the properly cased spelling (not all capitals, not all lower case)
written for the most unit-years, then the most recent. Stored rows of the file's provinces are
renamed to it in the same transaction as the ingest, so the store keeps one spelling per unit.

Pure functions on frames; the store's SQL is in :mod:`parbrief.data.store`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from parbrief.data.names import (
    ALL_PROVINCES,
    PROVINCE_ALIASES_KEY,
    expand_unit_prefix,
    is_properly_cased,
    normalize_name,
    unit_key,
)
from parbrief.errors import Problem
from parbrief.text.messages import t

__all__ = ["Rename", "SpellingConflict", "Unified", "UnitResolver", "unify_units", "duplicate_problems", "years_text"]


@dataclass(frozen=True)
class Rename:
    """One spelling replaced by the unit's display name: in the file (``table="file"``) or stored.

    ``reason``: ``"spelling"`` (prefix written out, case) or ``"alias"`` (the aliases file).
    ``unit_type`` is the stored row's type (scores) or ``None`` (survey, file).
    """

    table: str
    province: str
    old: str
    new: str
    years: tuple[int, ...]
    reason: str
    unit_type: str | None = None


@dataclass(frozen=True)
class SpellingConflict:
    """Stored rows of one unit under two spellings in the same year: left as they are."""

    province: str
    spellings: tuple[str, ...]
    year: int


@dataclass(frozen=True)
class Unified:
    """The file's frame with display names, each row's unit key, and what changed to get there."""

    frame: pd.DataFrame
    keys: tuple[str, ...]
    renames: tuple[Rename, ...]
    conflicts: tuple[SpellingConflict, ...]

    @property
    def stored_renames(self) -> tuple[Rename, ...]:
        return tuple(r for r in self.renames if r.table != "file")


def years_text(years: tuple[int, ...] | list[int]) -> str:
    """"2018–2023" for a run of three or more years, else "2019, 2021"."""
    ys = sorted(set(int(y) for y in years))
    if not ys:
        return "—"
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(str(y) for y in ys)


class _Aliases:
    """Unit aliases keyed like the names they rename (prefix written out, case ignored)."""

    def __init__(self, aliases: Mapping[str, Mapping[str, str]] | None) -> None:
        self._by: dict[str, dict[str, str]] = {}
        for prov, renames in (aliases or {}).items():
            if prov == PROVINCE_ALIASES_KEY:
                continue
            pkey = prov if prov == ALL_PROVINCES else normalize_name(prov).casefold()
            self._by[pkey] = {unit_key(old): expand_unit_prefix(new) for old, new in renames.items()}

    def __call__(self, province: str, name: str) -> str | None:
        key = unit_key(name)
        local = self._by.get(normalize_name(province).casefold(), {})
        return local.get(key, self._by.get(ALL_PROVINCES, {}).get(key))


class UnitResolver:
    """Name → (written-out name, key, reason) for the units of a province, aliases applied.

    ``reason`` is ``"alias"`` when the aliases renamed the unit, else ``"spelling"``. Memoized:
    a file repeats each unit once a year.
    """

    def __init__(self, aliases: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._alias = _Aliases(aliases)
        self._memo: dict[tuple[str, str, str | None], tuple[str, str, str]] = {}

    def __call__(self, province: str, name: str, unit_type: str | None = None) -> tuple[str, str, str]:
        utype = unit_type if isinstance(unit_type, str) else None
        k = (province, name, utype)
        if k not in self._memo:
            full = expand_unit_prefix(name, utype)
            target = self._alias(province, full)
            reason = "spelling"
            if target is not None and unit_key(target, utype) != unit_key(full, utype):
                full, reason = target, "alias"
            self._memo[k] = (full, unit_key(full, utype), reason)
        return self._memo[k]


def _choose(spellings: Mapping[str, tuple[int, int]]) -> str:
    """The display name among spellings → (unit-years, latest year): proper case, most, latest."""
    return max(spellings, key=lambda s: (is_properly_cased(s), spellings[s][0], spellings[s][1], s))


def unify_units(
    incoming: pd.DataFrame,
    stored: pd.DataFrame | None = None,
    resolver: UnitResolver | None = None,
) -> Unified:
    """Give every unit of ``incoming`` and of ``stored`` (the rows an ingest keeps) one display name.

    ``incoming``: the validated file (``province``, ``unit``, ``year``, ``unit_type`` when scores).
    ``stored``: one row per stored (table, spec_id, province, unit, unit_type, year) that the
    ingest does not replace, in the file's provinces. The resolver's aliases apply to both
    (incoming names were aliased by validation already; applying them again to the written-out
    names catches an alias written with the full prefix). Stored renames that would put two rows
    of one unit in one year of a table are not made (a :class:`SpellingConflict` instead).
    """
    resolve = resolver or UnitResolver()
    if stored is None:
        stored = pd.DataFrame(columns=["table", "spec_id", "province", "unit", "unit_type", "year"])
    # A survey file repeats each unit-year once per respondent: work on the distinct unit-years.
    cols = ["province", "unit", "year"] + (["unit_type"] if "unit_type" in incoming.columns else [])
    distinct = incoming[cols].drop_duplicates().reset_index(drop=True)
    if "unit_type" not in distinct.columns:
        distinct["unit_type"] = None
    in_types = [ty if isinstance(ty, str) else None for ty in distinct["unit_type"]]
    in_res = [resolve(p, u, ty) for p, u, ty in zip(distinct["province"], distinct["unit"], in_types)]
    st_types = [ty if isinstance(ty, str) else None for ty in stored["unit_type"]]
    st_res = [resolve(p, u, ty) for p, u, ty in zip(stored["province"], stored["unit"], st_types)]

    # Spellings of each (province, key): unit-years written that way, latest year.
    counts: dict[tuple[str, str], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for res, provinces, years in ((in_res, distinct["province"], distinct["year"]),
                                  (st_res, stored["province"], stored["year"])):
        for (full, key, _), p, y in zip(res, provinces, years):
            counts[(p, key)][full].add(int(y))
    display = {pk: _choose({s: (len(ys), max(ys)) for s, ys in sp.items()}) for pk, sp in counts.items()}

    by_name = {(p, u, ty): (display[(p, key)], key)
               for p, u, ty, (_, key, _) in zip(distinct["province"], distinct["unit"], in_types, in_res)}
    row_types = incoming["unit_type"].tolist() if "unit_type" in incoming.columns else [None] * len(incoming)
    looked = [by_name[(p, u, ty if isinstance(ty, str) else None)]  # lists: arrow strings iterate slowly
              for p, u, ty in zip(incoming["province"].tolist(), incoming["unit"].tolist(), row_types)]
    frame = incoming.copy()
    frame["unit"] = pd.Series([d for d, _ in looked], index=incoming.index, dtype="str")
    renames = _renames("file", distinct, in_res, display, [None] * len(distinct))
    stored_new = [display[(p, key)] for (_, key, _), p in zip(st_res, stored["province"])]
    conflicts, blocked = _conflicts(stored, stored_new, st_res)
    for table in sorted(set(stored["table"])):
        mask = [tb == table and (p, key) not in blocked
                for tb, p, (_, key, _) in zip(stored["table"], stored["province"], st_res)]
        renames += _renames(table, stored[mask], [r for r, m in zip(st_res, mask) if m], display,
                            [ty for ty, m in zip(st_types, mask) if m])
    return Unified(frame=frame, keys=tuple(k for _, k in looked), renames=tuple(renames),
                   conflicts=tuple(conflicts))


def _renames(table: str, rows: pd.DataFrame, res: list[tuple[str, str, str]],
             display: Mapping[tuple[str, str], str], types: list[str | None]) -> list[Rename]:
    """One :class:`Rename` per (province, old spelling, type) whose display name differs."""
    years: dict[tuple[str, str, str, str | None, str], set[int]] = defaultdict(set)
    for (_, key, reason), p, u, y, ty in zip(res, rows["province"], rows["unit"], rows["year"], types):
        new = display[(p, key)]
        if new != u:
            years[(p, u, new, ty if table != "file" else None, reason)].add(int(y))
    return [
        Rename(table, p, old, new, tuple(sorted(ys)), reason, ty)
        for (p, old, new, ty, reason), ys in sorted(years.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][3])))
    ]


def _conflicts(stored: pd.DataFrame, new_names: list[str], res: list[tuple[str, str, str]]
               ) -> tuple[list[SpellingConflict], set[tuple[str, str]]]:
    """Stored score rows that renaming would make two rows of one unit-year (per table and spec)."""
    seen: dict[tuple, set[str]] = defaultdict(set)
    keys: dict[tuple, tuple[str, str]] = {}
    for tb, spec, p, u, y, new, (_, key, _) in zip(stored["table"], stored["spec_id"], stored["province"],
                                                   stored["unit"], stored["year"], new_names, res):
        if tb != "scores":
            continue  # survey rows are respondents: two spellings of a unit merge their answers
        k = (spec, p, new, int(y))
        seen[k].add(u)
        keys[k] = (p, key)
    conflicts = [SpellingConflict(k[1], tuple(sorted(us)), k[3]) for k, us in sorted(seen.items()) if len(us) > 1]
    return conflicts, {keys[k] for k, us in seen.items() if len(us) > 1}


def duplicate_problems(unified: Unified, original: pd.DataFrame, kind: str, file: str) -> list[Problem]:
    """Errors for rows of the file that became one unit-year (scores) or one respondent (survey).

    "TP. Đồng Hới" and "Thành phố Đồng Hới" in one year of one file are two rows of one unit:
    validation saw two names; after unification the file must not be written.
    """
    frame = unified.frame
    cols = ["province", "unit", "year"] + (["respondent"] if kind == "survey" else [])
    dup = frame.duplicated(cols, keep=False)
    if not dup.any():
        return []
    problems = []
    both = pd.DataFrame({**{c: frame[c] for c in cols}, "written": original["unit"]})[dup]
    for key, group in both.groupby(cols, sort=True):
        spellings = sorted(set(group["written"]))
        names = ", ".join(f"“{s}”" for s in spellings)
        what = "respondent" if kind == "survey" else "unit"
        kw = dict(province=key[0], unit=key[1], year=key[2], names=names, n=len(group),
                  respondent=key[3] if kind == "survey" else "")
        problems.append(Problem(
            file=file, row=None, column=None, kind="same_unit_twice",
            message_vi=t(f"ingest.duplicate.{what}", "vi", **kw), message_en=t(f"ingest.duplicate.{what}", "en", **kw),
            hint_vi=t("ingest.duplicate.hint", "vi", **kw), hint_en=t("ingest.duplicate.hint", "en", **kw),
        ))
    return problems
