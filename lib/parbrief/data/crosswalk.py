"""Units with vintage: crosswalks between administrative maps, and names of provinces on each map.

A unit is identified by its name **and** the period it existed: the province called "Quảng Trị"
in 2024 (code 45) is not the province called "Quảng Trị" from 1 July 2025 (Quảng Bình and Quảng
Trị merged, code 44), and a brief that joined their scores would pass a predecessor's history off
as the new province's. A :class:`Crosswalk` holds the links ``old → new`` with their effective
dates and answers, for a name and a data year, which unit (:class:`UnitVintage`) is meant, what
it became (:meth:`Crosswalk.successor`) and what it was formed from
(:meth:`Crosswalk.predecessors`).

Sources of links:

* the shipped 63 → 34 province crosswalk of Resolution 202/2025/QH15
  (``resources/province_crosswalk_2025.csv``, :func:`load_province_crosswalk`);
* the users' own crosswalks in params YAML (old district → new commune(s), merged departments),
  many-to-many allowed, checked by :func:`check_crosswalks` with every problem named by file and
  key path (:func:`load_crosswalks`, :func:`parse_crosswalks`);
* the demo's department crosswalk of the 1 March 2025 reorganization of provincial departments
  (``resources/department_crosswalk_2025.csv``, :func:`load_department_crosswalk`).

**Data years.** Scores are yearly and evaluated after the year ends, on the map then in force, so
a change effective on any day of year *Y* applies to the data of year *Y* onwards: the 1 July
2025 map is the map of the 2025 data, and 2024 is the last year on the 63-province map
(:attr:`Link.first_year`).

**Vintages.** At each effective date a new unit that has exactly one predecessor, which in turn
maps only to it (1 : 1), *continues* that unit (possibly renamed: "Thừa Thiên Huế" → "Huế"); any
other new unit (a merger, or a part of a split) is a new unit from that date, and its
predecessors end the day before. A name therefore may belong to two vintages, told apart by year.

Names: provinces in the data model are SHORT names without "Tỉnh"/"Thành phố" ("Quảng Trị",
"Cần Thơ"), as in :func:`parbrief.data.demo.pre2025_provinces`; "Thừa Thiên Huế" until 2024 and
"Huế" from 2025, "TP. Hồ Chí Minh" throughout (as in the national PAR INDEX tables).
:func:`province_short_name` and :func:`province_official_name` map between the two forms.

Hand-written (the graph walk and the vintage rule are a few dozen lines; no library models
administrative-unit vintages, and the PyPI ``vietnam-provinces`` data is GPL-3.0 and needs
Python 3.12 — see :mod:`parbrief.data.names`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from parbrief.files import read_yaml_mapping
from parbrief.data.names import normalize_name
from parbrief.errors import ParamsError, Problem
from parbrief.text.messages import Joined, Msg, PerLang

__all__ = [
    "KINDS",
    "REORGANIZATION_2025",
    "Crosswalk",
    "Link",
    "UnitVintage",
    "check_crosswalks",
    "load_crosswalks",
    "load_department_crosswalk",
    "label_vintages",
    "load_province_crosswalk",
    "parse_crosswalks",
    "province_crosswalk_table",
    "province_official_name",
    "province_short_name",
]

#: Kinds of unit a crosswalk link may join.
KINDS = ("province", "district", "commune", "department")
#: Effective date of the 63 → 34 province map and of the two-tier local government.
REORGANIZATION_2025 = dt.date(2025, 7, 1)
#: Key of a params YAML file that holds the users' crosswalks.
CROSSWALKS_KEY = "crosswalks"

_KIND_LABEL_VI = {"province": "tỉnh", "district": "huyện", "commune": "xã", "department": "sở, ngành"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PREFIX = re.compile(r"^(?:tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE)
# Short names that differ by map: GSO code → (name until 2024, name from 2025).
_SHORT_BY_ERA = {46: ("Thừa Thiên Huế", "Huế"), 79: ("TP. Hồ Chí Minh", "TP. Hồ Chí Minh")}
# Official names until 2024 that the 2025 table does not carry (Huế became a city on 1 Jan 2025).
_OFFICIAL_PRE2025 = {46: "Tỉnh Thừa Thiên Huế"}
# Spellings of the two names whose short form is not the official name minus its prefix.
_ALIASES = {
    "thừa thiên huế": 46, "thừa thiên - huế": 46, "huế": 46, "tt huế": 46, "tt. huế": 46,
    "hồ chí minh": 79, "tp. hồ chí minh": 79, "tp hồ chí minh": 79, "tp.hcm": 79, "tp. hcm": 79, "tphcm": 79,
    "tp hcm": 79, "hcm": 79,
}


# --------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True)
class Link:
    """One crosswalk entry: unit ``old`` became (part of) ``new`` on ``effective``.

    ``kind``/``new_kind`` are the kinds of the old and new unit (``new_kind`` defaults to
    ``kind``); ``province``/``new_province`` scope sub-provincial units (``None``: provinces
    themselves, or a link that holds in every province). ``weight`` is the share of ``old`` in
    ``new`` used only when a user asks for a weighted synthetic history. Codes and official names
    are filled for the shipped province table.
    """

    old: str
    new: str
    effective: dt.date
    kind: str = "province"
    new_kind: str | None = None
    province: str | None = None
    new_province: str | None = None
    weight: float | None = None
    old_code: int | None = None
    new_code: int | None = None
    old_official: str | None = None
    new_official: str | None = None
    where: str = ""  # key path in the source (e.g. "crosswalks[3]"), for messages

    @property
    def first_year(self) -> int:
        """First data year on the new map (the year of the effective date; see the module doc)."""
        return self.effective.year

    @property
    def old_key(self) -> tuple[str, str | None, str]:
        return (self.kind, _fold(self.province), _fold(self.old))

    @property
    def new_key(self) -> tuple[str, str | None, str]:
        prov = self.new_province if self.new_province is not None else self.province
        return (self.new_kind or self.kind, _fold(prov), _fold(self.new))


@dataclass(frozen=True)
class UnitVintage:
    """A unit with its validity period (dates inclusive; ``None`` = open).

    ``name`` is its latest name, ``former_names`` earlier names of the same unit (a 1 : 1 rename);
    ``predecessors`` the units it was formed from (empty for a unit that existed before every
    link) and ``successors`` the units it became (empty while it exists).
    """

    name: str
    kind: str
    province: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    code: int | None = None
    official: str | None = None
    former_names: tuple[str, ...] = ()
    predecessors: tuple[str, ...] = ()
    successors: tuple[str, ...] = ()
    key: str = ""

    @property
    def first_year(self) -> int | None:
        """First data year of the unit (``None``: before every link)."""
        return None if self.valid_from is None else self.valid_from.year

    @property
    def last_year(self) -> int | None:
        """Last data year of the unit (``None``: it still exists): the year before its successor's first."""
        return None if self.valid_to is None else (self.valid_to + dt.timedelta(days=1)).year - 1

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.former_names)

    @property
    def current(self) -> bool:
        return self.valid_to is None

    def covers(self, year: int) -> bool:
        """True when the unit has data in ``year``."""
        lo, hi = self.first_year, self.last_year
        return (lo is None or year >= lo) and (hi is None or year <= hi)


@lru_cache(maxsize=4096)
def _fold_text(name: str) -> str:
    return normalize_name(name).casefold()


def _fold(name: str | None) -> str | None:
    return None if name is None else _fold_text(name)


def _as_year_or_date(on: dt.date | int | None) -> tuple[str, Any]:
    if on is None:
        return ("all", None)
    if isinstance(on, (dt.datetime, pd.Timestamp)):
        return ("date", on.date() if hasattr(on, "date") else on)
    if isinstance(on, dt.date):
        return ("date", on)
    return ("year", int(on))


# --------------------------------------------------------------------------------------------
# the crosswalk


@dataclass(frozen=True, eq=False)
class Crosswalk:
    """Links between units of successive maps, and the unit vintages they imply.

    ``complete`` is True when every unit of the old map is listed (the shipped province table):
    a name it does not know is then an error, where a user crosswalk treats it as a unit that did
    not change. Names are matched after :func:`normalize_name`, case-insensitively; ``province``
    and ``kind`` narrow a query when the same name occurs in several provinces or kinds.
    """

    links: tuple[Link, ...] = ()
    complete: bool = False
    source: str = "<memory>"
    _vintages: tuple[UnitVintage, ...] = field(default=(), init=False, repr=False)
    _by_old: dict[str, tuple[Link, ...]] = field(default_factory=dict, init=False, repr=False)
    _by_new: dict[str, tuple[Link, ...]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_vintages", tuple(_build_vintages(self.links)))
        by_old: dict[str, list[Link]] = defaultdict(list)
        by_new: dict[str, list[Link]] = defaultdict(list)
        for lk in self.links:
            by_old[_fold_text(lk.old)].append(lk)
            by_new[_fold_text(lk.new)].append(lk)
        object.__setattr__(self, "_by_old", {k: tuple(v) for k, v in by_old.items()})
        object.__setattr__(self, "_by_new", {k: tuple(v) for k, v in by_new.items()})

    # -------------------------------------------------------------- lookups

    def _match(self, link_name: str, link_prov: str | None, link_kind: str, name: str, province: str | None,
               kind: str | None) -> bool:
        if _fold(link_name) != _fold(name):
            return False
        if kind is not None and link_kind != kind:
            return False
        if province is not None and link_prov is not None and _fold(link_prov) != _fold(province):
            return False
        return True

    def _out_links(self, old: str, province: str | None = None, kind: str | None = None) -> list[Link]:
        cands = self._by_old.get(_fold_text(old), ())
        return [lk for lk in cands if self._match(lk.old, lk.province, lk.kind, old, province, kind)]

    def _in_links(self, new: str, province: str | None = None, kind: str | None = None) -> list[Link]:
        return [
            lk for lk in self._by_new.get(_fold_text(new), ())
            if self._match(lk.new, lk.new_province if lk.new_province is not None else lk.province,
                           lk.new_kind or lk.kind, new, province, kind)
        ]

    def _known(self, name: str, province: str | None, kind: str | None) -> bool:
        return bool(self._out_links(name, province, kind) or self._in_links(name, province, kind))

    def _require(self, name: str, province: str | None, kind: str | None) -> None:
        if self.complete and not self._known(name, province, kind):
            raise KeyError(f"{name!r} is not a unit of the crosswalk {self.source}")

    # -------------------------------------------------------------- successors / predecessors

    def successors(
        self, old: str, on: dt.date | int | None = None, *, province: str | None = None, kind: str | None = None
    ) -> list[str]:
        """The unit(s) ``old`` belongs to on date/data year ``on`` (``None``: after every link).

        Follows chains (A → B in 2020, B → C in 2025); a unit with no link in force by ``on`` is
        its own successor. Several names mean ``old`` was split.
        """
        self._require(old, province, kind)
        mode, when = _as_year_or_date(on)

        def in_force(lk: Link, after: dt.date | None) -> bool:
            if after is not None and lk.effective <= after:
                return False
            if mode == "date":
                return lk.effective <= when
            if mode == "year":
                return lk.first_year <= when
            return True

        out: list[str] = []
        seen: set[tuple[str, str | None, str]] = set()

        def walk(name: str, prov: str | None, knd: str | None, after: dt.date | None) -> None:
            links = [lk for lk in self._out_links(name, prov, knd) if in_force(lk, after)]
            if not links:
                if name not in out:
                    out.append(name)
                return
            eff = min(lk.effective for lk in links)  # the first change; later ones follow from there
            for lk in links:
                if lk.effective != eff or lk.new_key in seen:
                    continue
                seen.add(lk.new_key)
                prov2 = lk.new_province if lk.new_province is not None else lk.province
                walk(lk.new, prov2 if prov2 is not None else prov, lk.new_kind or lk.kind, lk.effective)

        walk(normalize_name(old), province, kind, None)
        return out

    def successor(
        self, old: str, on: dt.date | int | None = None, *, province: str | None = None, kind: str | None = None
    ) -> str:
        """The one unit ``old`` belongs to on ``on`` (see :meth:`successors`); ``ValueError`` when
        it was split into several."""
        names = self.successors(old, on, province=province, kind=kind)
        if len(names) != 1:
            raise ValueError(f"{old!r} was split into {len(names)} units ({', '.join(names)}); use successors()")
        return names[0]

    def predecessors(self, new: str, *, province: str | None = None, kind: str | None = None) -> list[str]:
        """The units ``new`` was directly formed from, in the order of the crosswalk (GSO code order
        for provinces); empty when no link leads to ``new``."""
        self._require(new, province, kind)
        out: list[str] = []
        for lk in self._in_links(new, province, kind):
            if lk.old not in out:
                out.append(lk.old)
        return out

    def is_merged(self, new: str, *, province: str | None = None, kind: str | None = None) -> bool:
        """True when ``new`` was formed from more than one unit (a merger)."""
        return len(self.predecessors(new, province=province, kind=kind)) > 1

    def is_unchanged(self, name: str, *, province: str | None = None, kind: str | None = None) -> bool:
        """True when ``name`` continues one unit 1 : 1 (same unit, possibly renamed), or has no link."""
        self._require(name, province, kind)
        ins = self._in_links(name, province, kind)
        if not ins:
            return True
        if len({lk.old_key for lk in ins}) != 1:
            return False
        first = ins[0]
        outs = [lk for lk in self.links if lk.old_key == first.old_key and lk.effective == first.effective]
        return len(outs) == 1

    # -------------------------------------------------------------- vintages

    def vintages(self) -> list[UnitVintage]:
        """Every unit vintage implied by the links (see the module docstring), oldest first."""
        return list(self._vintages)

    def vintage(
        self, name: str, year: int | None = None, *, province: str | None = None, kind: str | None = None
    ) -> UnitVintage:
        """The vintage of the unit called ``name`` in data year ``year`` (``None``: the latest one).

        A name that no link mentions is a unit that did not change (valid throughout), unless
        the crosswalk is ``complete`` (then ``KeyError``).
        """
        self._require(name, province, kind)
        key = _fold(name)
        cands = [
            v for v in self._vintages
            if key in {_fold(n) for n in v.names}
            and (kind is None or v.kind == kind)
            and (province is None or v.province is None or _fold(v.province) == _fold(province))
        ]
        if not cands:
            return UnitVintage(name=normalize_name(name), kind=kind or "", province=province, valid_from=None,
                               valid_to=None, key=normalize_name(name))
        if year is None:
            return max(cands, key=lambda v: (v.valid_to is None, v.valid_from or dt.date.min))
        for v in cands:
            if v.covers(int(year)):
                return v
        spans = ", ".join(f"{v.first_year or '…'}–{v.last_year or '…'}" for v in cands)
        raise KeyError(f"{name!r} has no unit in {int(year)} (years of the units so named: {spans})")

    def validity(
        self, unit: str, year: int | None = None, *, province: str | None = None, kind: str | None = None
    ) -> tuple[dt.date | None, dt.date | None]:
        """``(valid_from, valid_to)`` of :meth:`vintage` (dates inclusive, ``None`` = open)."""
        v = self.vintage(unit, year, province=province, kind=kind)
        return (v.valid_from, v.valid_to)

    def key_of(self, name: str, year: int, *, province: str | None = None, kind: str | None = None) -> str:
        """A label unique to the unit vintage of ``name`` in ``year``: the latest name for a unit
        that still exists (a renamed unit gets its new name), ``"<name> (–<last year>)"`` for one
        that ended. Group by it so no series runs across a merger."""
        try:
            return self.vintage(name, year, province=province, kind=kind).key
        except KeyError:
            return normalize_name(name)

    def label(
        self, frame: pd.DataFrame, column: str = "unit", *, year_column: str = "year", kind: str | None = None,
        province_column: str | None = None,
    ) -> pd.DataFrame:
        """A copy of ``frame`` with ``<column>_vintage`` (:meth:`key_of` of each row), and
        ``<column>_from``/``<column>_to`` (first/last data year of the vintage; ``<NA>`` = open)."""
        out = frame.copy()
        keys, lo, hi = [], [], []
        provs = out[province_column].tolist() if province_column else [None] * len(out)
        memo: dict[tuple, tuple[str, int | None, int | None]] = {}
        for name, year, prov in zip(out[column].tolist(), out[year_column].tolist(), provs):
            mk = (name, int(year), prov)
            if mk not in memo:
                try:
                    v = self.vintage(name, int(year), province=prov, kind=kind)
                    memo[mk] = (v.key, v.first_year, v.last_year)
                except KeyError:
                    memo[mk] = (normalize_name(name), None, None)
            k, a, b = memo[mk]
            keys.append(k)
            lo.append(a)
            hi.append(b)
        out[f"{column}_vintage"] = pd.Series(keys, index=out.index, dtype="str")
        out[f"{column}_from"] = pd.array(lo, dtype="Int64")
        out[f"{column}_to"] = pd.array(hi, dtype="Int64")
        return out

    # -------------------------------------------------------------- views

    def new_units(self, kind: str | None = None) -> list[str]:
        """Names on the new side, each once, in crosswalk order."""
        out: list[str] = []
        for lk in self.links:
            if (kind is None or (lk.new_kind or lk.kind) == kind) and lk.new not in out:
                out.append(lk.new)
        return out

    def old_units(self, kind: str | None = None) -> list[str]:
        """Names on the old side, each once, in crosswalk order."""
        out: list[str] = []
        for lk in self.links:
            if (kind is None or lk.kind == kind) and lk.old not in out:
                out.append(lk.old)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per link: old, new, effective (date), kind, new_kind, province, new_province,
        weight, old_code, new_code, old_official, new_official."""
        rows = [
            {
                "old": lk.old, "new": lk.new, "effective": lk.effective, "kind": lk.kind,
                "new_kind": lk.new_kind or lk.kind, "province": lk.province, "new_province": lk.new_province,
                "weight": lk.weight, "old_code": lk.old_code, "new_code": lk.new_code,
                "old_official": lk.old_official, "new_official": lk.new_official,
            }
            for lk in self.links
        ]
        df = pd.DataFrame(rows, columns=[
            "old", "new", "effective", "kind", "new_kind", "province", "new_province", "weight", "old_code",
            "new_code", "old_official", "new_official",
        ])
        for col in ("old_code", "new_code"):
            df[col] = df[col].astype("Int64")
        df["weight"] = df["weight"].astype("float64")
        return df

    def combine(self, *others: "Crosswalk") -> "Crosswalk":
        """One crosswalk with the links of this one and ``others`` (e.g. the shipped province
        table plus the users' own); ``complete`` only if every part is."""
        links = list(self.links)
        for o in others:
            links += list(o.links)
        return Crosswalk(links=tuple(links), complete=self.complete and all(o.complete for o in others),
                         source=" + ".join([self.source, *(o.source for o in others)]))


def _build_vintages(links: Sequence[Link]) -> list[UnitVintage]:
    """Apply the vintage rule (module docstring) date by date; hand-written, see the module doc."""
    recs: list[dict[str, Any]] = []
    open_: dict[tuple[str, str | None, str], int] = {}

    def new_rec(name: str, kind: str, prov: str | None, start: dt.date | None, code: int | None,
                official: str | None, preds: tuple[str, ...] = ()) -> int:
        recs.append(dict(name=name, kind=kind, province=prov, valid_from=start, valid_to=None, code=code,
                         official=official, former_names=[], predecessors=preds, successors=()))
        return len(recs) - 1

    for eff in sorted({lk.effective for lk in links}):
        group = [lk for lk in links if lk.effective == eff]
        outs: dict[tuple, list[Link]] = defaultdict(list)
        ins: dict[tuple, list[Link]] = defaultdict(list)
        for lk in group:
            outs[lk.old_key].append(lk)
            ins[lk.new_key].append(lk)
            if lk.old_key not in open_:
                open_[lk.old_key] = new_rec(lk.old, lk.kind, lk.province, None, lk.old_code, lk.old_official)
        continuing = {nk: ls[0].old_key for nk, ls in ins.items() if len(ls) == 1 and len(outs[ls[0].old_key]) == 1}
        cont_old = set(continuing.values())
        new_open: dict[tuple, int] = {}
        for ok, ls in outs.items():
            if ok in cont_old:
                continue
            r = recs[open_[ok]]
            r["valid_to"] = eff - dt.timedelta(days=1)
            r["successors"] = tuple(dict.fromkeys(lk.new for lk in ls))
        for nk, ls in ins.items():
            first = ls[0]
            prov = first.new_province if first.new_province is not None else first.province
            if nk in continuing:
                idx = open_[continuing[nk]]
                r = recs[idx]
                if _fold(r["name"]) != _fold(first.new):
                    r["former_names"].append(r["name"])
                    r["name"] = first.new
                r["code"] = first.new_code if first.new_code is not None else r["code"]
                r["official"] = first.new_official or r["official"]
                new_open[nk] = idx
            else:
                new_open[nk] = new_rec(first.new, first.new_kind or first.kind, prov, eff, first.new_code,
                                       first.new_official, tuple(dict.fromkeys(lk.old for lk in ls)))
        for ok in outs:
            open_.pop(ok, None)
        open_.update(new_open)
    # keys: the latest unit carrying a name keeps the bare name; earlier ones get their last year
    latest_by_name: dict[tuple, int] = {}
    for i, r in enumerate(recs):
        k = (r["kind"], _fold(r["province"]), _fold(r["name"]))
        j = latest_by_name.get(k)
        if j is None or (recs[j]["valid_to"] is not None and (r["valid_to"] is None or r["valid_to"] > recs[j]["valid_to"])):
            latest_by_name[k] = i
    out = []
    for i, r in enumerate(recs):
        k = (r["kind"], _fold(r["province"]), _fold(r["name"]))
        vt = r["valid_to"]
        key = r["name"]
        if latest_by_name[k] != i and vt is not None:
            key = f"{r['name']} (–{(vt + dt.timedelta(days=1)).year - 1})"
        out.append(UnitVintage(
            name=r["name"], kind=r["kind"], province=r["province"], valid_from=r["valid_from"], valid_to=vt,
            code=r["code"], official=r["official"], former_names=tuple(r["former_names"]),
            predecessors=r["predecessors"], successors=r["successors"], key=key,
        ))
    return out


def label_vintages(
    scores: pd.DataFrame,
    provinces: Crosswalk | None = None,
    units: Crosswalk | None = None,
    *,
    national: str = "Việt Nam",
) -> pd.DataFrame:
    """A copy of a scores frame with ``province_vintage`` and ``unit_vintage``: group by both and
    no series runs across a merger.

    ``province_vintage`` is :meth:`Crosswalk.key_of` of the province in the row's year under
    ``provinces`` (default: the shipped 63 → 34 crosswalk), so the rows of "Quảng Trị" up to
    2024 (the old province) and from 2025 (the merged one) get different keys, and every unit
    of the old province is apart from the new province's units of the same name. For the
    national table (``province == national``) the provinces are the units: ``unit_vintage`` is
    their key and ``province_vintage`` stays ``national``. Elsewhere ``unit_vintage`` is the key
    under ``units`` (e.g. :func:`load_department_crosswalk` combined with the users' crosswalks),
    or the name when ``units`` does not know it. A renamed unit that continues 1 : 1
    ("Thừa Thiên Huế" → "Huế") gets its latest name, so its series stays one.
    """
    prov_cw = provinces if provinces is not None else load_province_crosswalk()
    out = scores.copy()
    memo: dict[tuple[str, str, int], str] = {}

    def key(cw: Crosswalk | None, name: Any, year: int, kind: str | None) -> str:
        if not isinstance(name, str):
            return name
        if cw is None:
            return name
        mk = (id(cw), name, year, kind)
        if mk not in memo:
            try:
                memo[mk] = cw.key_of(name, year, kind=kind)  # type: ignore[index]
            except KeyError:
                memo[mk] = name  # type: ignore[index]
        return memo[mk]  # type: ignore[index]

    years = out["year"].astype("int64").tolist()
    pv, uv = [], []
    for prov, unit, y in zip(out["province"].tolist(), out["unit"].tolist(), years):
        if prov == national:
            pv.append(prov)
            uv.append(key(prov_cw, unit, y, "province"))
        else:
            pv.append(key(prov_cw, prov, y, "province"))
            uv.append(key(units, unit, y, None))
    out["province_vintage"] = pd.Series(pv, index=out.index, dtype="str")
    out["unit_vintage"] = pd.Series(uv, index=out.index, dtype="str")
    return out


# --------------------------------------------------------------------------------------------
# the shipped province crosswalk and province names


def _resource(name: str) -> Path:
    return Path(str(resources.files("parbrief").joinpath("resources", name)))


def _strip_prefix(name: str) -> str:
    return _PREFIX.sub("", normalize_name(name)).strip()


@lru_cache(maxsize=1)
def _province_table() -> pd.DataFrame:
    raw = pd.read_csv(_resource("province_crosswalk_2025.csv"), dtype={"old_code": "int64", "new_code": "int64"},
                      keep_default_na=False)
    df = pd.DataFrame({
        "old_code": raw["old_code"].astype("int64"),
        "old_province": raw["old_province"].map(normalize_name).astype("str"),
        "new_code": raw["new_code"].astype("int64"),
        "new_province": raw["new_province"].map(normalize_name).astype("str"),
        "effective": pd.to_datetime(raw["effective"], format="%Y-%m-%d"),
    })
    df["old_name"] = pd.Series(
        [_SHORT_BY_ERA.get(int(c), (None, None))[0] or _strip_prefix(n) for c, n in zip(df["old_code"], df["old_province"])],
        dtype="str",
    )
    df["new_name"] = pd.Series(
        [_SHORT_BY_ERA.get(int(c), (None, None))[1] or _strip_prefix(n) for c, n in zip(df["new_code"], df["new_province"])],
        dtype="str",
    )
    return df


def province_crosswalk_table() -> pd.DataFrame:
    """The shipped 63 → 34 province crosswalk as a typed table (a copy, one row per old province).

    Columns: ``old_code``/``new_code`` (GSO codes, int64), ``old_province``/``new_province``
    (official names, normalized), ``effective`` (datetime64), ``old_name``/``new_name`` (the
    short names used in data: until 2024 and from 2025). A new province keeps the code of one of
    its predecessors, so a code alone does not identify a unit across the reorganization.
    """
    return _province_table().copy()


@lru_cache(maxsize=1)
def _province_crosswalk() -> Crosswalk:
    t = _province_table()
    links = tuple(
        Link(
            old=o, new=n, effective=e.date(), kind="province", old_code=int(oc), new_code=int(nc),
            old_official=_OFFICIAL_PRE2025.get(int(oc), of), new_official=nf, where=f"row {i + 2}",
        )
        for i, (o, n, e, oc, nc, of, nf) in enumerate(zip(
            t["old_name"], t["new_name"], t["effective"], t["old_code"], t["new_code"], t["old_province"],
            t["new_province"],
        ))
    )
    return Crosswalk(links=links, complete=True, source="province_crosswalk_2025.csv (Resolution 202/2025/QH15)")


def load_province_crosswalk() -> Crosswalk:
    """The 63 → 34 province crosswalk of Resolution 202/2025/QH15 (effective 1 July 2025), shipped
    with parbrief, with short names as used in data (a ``complete`` crosswalk: an unknown province
    name is a ``KeyError``)."""
    return _province_crosswalk()


def province_short_name(name: str, year: int | None = None) -> str:
    """The short name used in data for a province written in any form.

    Normalizes (:func:`normalize_name`), drops "Tỉnh"/"Thành phố"/"TP." and applies the small alias
    table: Huế is "Thừa Thiên Huế" for data years up to 2024 and "Huế" from 2025 (``year=None``
    keeps the form written: "Thành phố Huế" → "Huế"); Hồ Chí Minh City is "TP. Hồ Chí Minh".
    A known province gets the crosswalk's spelling; an unknown name is returned stripped.
    """
    text = normalize_name(name)
    folded = text.casefold()
    code = _ALIASES.get(folded)
    stripped = _strip_prefix(text)
    if code is None:
        code = _ALIASES.get(stripped.casefold())
    if code is not None:
        pre, post = _SHORT_BY_ERA[code]
        if year is None:
            return pre if _fold(stripped) == _fold(pre) else post
        return pre if int(year) <= REORGANIZATION_2025.year - 1 else post
    t = _province_table()
    key = stripped.casefold()
    for col in ("new_name", "old_name"):
        hit = t.loc[t[col].str.casefold() == key, col]
        if len(hit):
            return str(hit.iloc[0])
    return stripped


def province_official_name(name: str, year: int | None = None) -> str:
    """The official name ("Tỉnh Quảng Trị", "Thành phố Cần Thơ") of a province in data ``year``
    (``None``: on the current map when the name is a province there, else its last name).
    ``KeyError`` for a name that is not a province of either map."""
    short = province_short_name(name, year)
    t = _province_table()
    key = short.casefold()
    old = t[t["old_name"].str.casefold() == key]
    new = t[t["new_name"].str.casefold() == key]
    pre = year is not None and int(year) < REORGANIZATION_2025.year
    if (pre or new.empty) and not old.empty:
        code = int(old["old_code"].iloc[0])
        return _OFFICIAL_PRE2025.get(code, str(old["old_province"].iloc[0]))
    if not new.empty:
        return str(new["new_province"].iloc[0])
    raise KeyError(f"{name!r} is not a province of the 63- or 34-province map")


def load_department_crosswalk() -> Crosswalk:
    """The reorganization of provincial departments effective 1 March 2025 (mergers of sở that
    followed the mergers of ministries), for the departments bundled with the demo: a generic
    crosswalk (no province), e.g. Sở Kế hoạch và Đầu tư + Sở Tài chính → Sở Tài chính."""
    return _department_crosswalk()


@lru_cache(maxsize=1)
def _department_crosswalk() -> Crosswalk:
    raw = pd.read_csv(_resource("department_crosswalk_2025.csv"), keep_default_na=False)
    links = tuple(
        Link(old=normalize_name(o), new=normalize_name(n), effective=dt.date.fromisoformat(e), kind="department",
             where=f"row {i + 2}")
        for i, (o, n, e) in enumerate(zip(raw["old"], raw["new"], raw["effective"]))
    )
    return Crosswalk(links=links, complete=True, source="department_crosswalk_2025.csv")


# --------------------------------------------------------------------------------------------
# users' crosswalks (params YAML)


def _problem(source: str, where: str, kind: str, /, **values: Any) -> Problem:
    """A problem of the crosswalk entry at key path ``where``: message ``crosswalk_check.<kind>``."""
    return Problem.keyed(source, None, where, kind, f"crosswalk_check.{kind}", **values)


def _shown(value: Any) -> PerLang:
    """A value as written in the YAML: Vietnamese quotes text in “…”, English writes it as Python does."""
    return PerLang(f"“{value}”" if isinstance(value, str) else repr(value), repr(value))


def _known_sets(known_units: Iterable[Any] | None) -> tuple[set[str], set[tuple[str, str]]] | None:
    if known_units is None:
        return None
    names: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for u in known_units:
        if isinstance(u, tuple) and len(u) == 2:
            pairs.add((_fold(str(u[0])), _fold(str(u[1]))))  # type: ignore[arg-type]
            names.add(_fold(str(u[1])))  # type: ignore[arg-type]
        else:
            names.add(_fold(str(u)))  # type: ignore[arg-type]
    return names, pairs


def _parse_links(raw: Any, source: str) -> tuple[list[Link], list[Problem]]:
    """Entries → links, with the problems of single entries (text, kind, date, weight)."""
    problems: list[Problem] = []
    links: list[Link] = []
    if raw is None:
        return links, problems
    if not isinstance(raw, list):
        problems.append(_problem(source, CROSSWALKS_KEY, "crosswalk_not_list"))
        return links, problems
    for i, e in enumerate(raw):
        w = f"{CROSSWALKS_KEY}[{i}]"
        if not isinstance(e, Mapping):
            problems.append(_problem(source, w, "crosswalk_entry"))
            continue
        ok = True
        texts: dict[str, str | None] = {}
        for key in ("old", "new", "province", "new_province"):
            v = e.get(key)
            if v is None and key in ("province", "new_province"):
                texts[key] = None
                continue
            if not isinstance(v, str) or not normalize_name(v):
                if key in ("old", "new"):
                    problems.append(Problem.keyed(source, None, f"{w}.{key}", "crosswalk_missing",
                                                  f"crosswalk_check.missing_{key}"))
                else:
                    problems.append(Problem.keyed(source, None, f"{w}.{key}", "crosswalk_missing",
                                                  "crosswalk_check.province_not_text", value=repr(v)))
                ok = False
                texts[key] = None
            else:
                texts[key] = normalize_name(v)
        kinds: dict[str, str | None] = {}
        for key in ("kind", "new_kind"):
            v = e.get(key)
            if v is None and key == "new_kind":
                kinds[key] = None
                continue
            if not isinstance(v, str) or v.strip().lower() not in KINDS:
                problems.append(_problem(source, f"{w}.{key}", "crosswalk_kind", value=_shown(v),
                                         kinds=", ".join(KINDS)))
                ok = False
                kinds[key] = None
            else:
                kinds[key] = v.strip().lower()
        eff = e.get("effective")
        date: dt.date | None = None
        if isinstance(eff, dt.datetime):
            date = eff.date()
        elif isinstance(eff, dt.date):
            date = eff
        elif isinstance(eff, str) and _ISO_DATE.match(eff.strip()):
            try:
                date = dt.date.fromisoformat(eff.strip())
            except ValueError:
                date = None
        if date is None:
            problems.append(_problem(source, f"{w}.effective", "crosswalk_date", value=_shown(eff)))
            ok = False
        weight = e.get("weight")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0):
            problems.append(_problem(source, f"{w}.weight", "crosswalk_weight", value=_shown(weight)))
            ok = False
        if ok:
            links.append(Link(
                old=texts["old"], new=texts["new"], effective=date, kind=kinds["kind"],  # type: ignore[arg-type]
                new_kind=kinds["new_kind"], province=texts["province"], new_province=texts["new_province"],
                weight=float(weight) if weight is not None else None, where=w,
            ))
    return links, problems


def _cross_problems(links: list[Link], source: str, known: tuple[set[str], set[tuple[str, str]]] | None,
                    allow_identity: bool) -> list[Problem]:
    """Problems between entries: unknown old units, conflicting dates, duplicates, self-maps, cycles, weights."""
    problems: list[Problem] = []
    if known is not None:
        names, pairs = known
        for lk in links:
            if lk.province is not None and pairs:
                hit = (_fold(lk.province), _fold(lk.old)) in pairs
            else:
                hit = _fold(lk.old) in names
            if not hit:
                province = Msg("crosswalk_check.in_province", province=lk.province) if lk.province else ""
                problems.append(_problem(source, f"{lk.where}.old", "crosswalk_unknown_unit", unit=lk.old,
                                         province=province))
    first_of: dict[tuple, Link] = {}
    pair_of: dict[tuple, Link] = {}
    for lk in links:
        prev = first_of.get(lk.old_key)
        if prev is None:
            first_of[lk.old_key] = lk
        elif prev.effective != lk.effective:
            problems.append(_problem(source, lk.where, "crosswalk_conflicting_dates", unit=lk.old,
                                     first=prev.effective.isoformat(), first_where=prev.where,
                                     second=lk.effective.isoformat(), second_where=lk.where))
        pk = (lk.old_key, lk.new_key)
        if pk in pair_of:
            problems.append(_problem(source, lk.where, "crosswalk_duplicate", old=lk.old, new=lk.new,
                                     first_where=pair_of[pk].where))
        else:
            pair_of[pk] = lk
    ins: dict[tuple, list[Link]] = defaultdict(list)
    for lk in links:
        ins[(lk.new_key, lk.effective)].append(lk)
    for lk in links:
        if lk.old_key == lk.new_key and not allow_identity and len(ins[(lk.new_key, lk.effective)]) == 1:
            problems.append(_problem(source, lk.where, "crosswalk_self", unit=lk.old))
    for (nk, _), ls in ins.items():
        weighted = [lk for lk in ls if lk.weight is not None]
        if weighted and len(weighted) != len(ls):
            missing = ", ".join(lk.where for lk in ls if lk.weight is None)
            problems.append(_problem(source, ls[0].where, "crosswalk_partial_weights", unit=ls[0].new,
                                     missing=missing))
    problems += _cycles(links, source)
    return problems


def _cycles(links: list[Link], source: str) -> list[Problem]:
    """Cycles in the old → new graph (self-maps excluded), each reported once."""
    graph: dict[tuple, list[Link]] = defaultdict(list)
    for lk in links:
        if lk.old_key != lk.new_key:
            graph[lk.old_key].append(lk)
    problems: list[Problem] = []
    seen_cycles: set[frozenset] = set()
    state: dict[tuple, int] = {}
    stack: list[Link] = []

    def visit(node: tuple) -> None:
        state[node] = 1
        for lk in graph.get(node, []):
            nxt = lk.new_key
            if state.get(nxt) == 1:
                start = next(i for i, s in enumerate(stack + [lk]) if s.old_key == nxt)
                cyc = (stack + [lk])[start:]
                key = frozenset(c.where for c in cyc)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    chain = " → ".join([c.old for c in cyc] + [cyc[0].old])
                    problems.append(_problem(source, cyc[0].where, "crosswalk_cycle", chain=chain,
                                             entries=", ".join(c.where for c in cyc)))
            elif state.get(nxt) is None:
                stack.append(lk)
                visit(nxt)
                stack.pop()
        state[node] = 2

    for node in list(graph):
        if state.get(node) is None:
            visit(node)
    return problems


def check_crosswalks(
    raw: Any, source: str = "<params>", known_units: Iterable[Any] | None = None, *, allow_identity: bool = False
) -> list[Problem]:
    """Every problem of a ``crosswalks:`` list (the parsed YAML), in entry order, each named by
    ``source`` (the params file) and its key path (``crosswalks[2].effective``).

    Checked: each entry's ``old``/``new`` text, ``kind``/``new_kind`` (one of :data:`KINDS`),
    ``effective`` (an ISO date ``YYYY-MM-DD``), ``weight`` (> 0); then across entries: an ``old``
    unit not in ``known_units`` (names, or ``(province, unit)`` pairs; only when given), a unit
    mapped twice with different dates, the same mapping listed twice, a unit mapped to itself
    with nothing else merging into it (unless ``allow_identity``), predecessors of one new unit
    with weights on some only, and cycles (A → B → A).
    """
    links, problems = _parse_links(raw, source)
    problems += _cross_problems(links, source, _known_sets(known_units), allow_identity)
    order = {f"{CROSSWALKS_KEY}[{i}]": i for i in range(len(raw) if isinstance(raw, list) else 0)}

    def pos(p: Problem) -> tuple[int, str]:
        base = (p.column or "").split(".")[0]
        return (order.get(base, -1), p.column or "")

    return sorted(problems, key=pos)


def parse_crosswalks(
    raw: Any, source: str = "<params>", known_units: Iterable[Any] | None = None, *, allow_identity: bool = False
) -> Crosswalk:
    """A :class:`Crosswalk` from a ``crosswalks:`` list; :class:`ParamsError` listing every
    problem of :func:`check_crosswalks` (file, key path, message) when there is any."""
    problems = check_crosswalks(raw, source, known_units, allow_identity=allow_identity)
    if problems:
        lines = Joined((PerLang(f"{p.column}: {p.message_vi}", f"{p.column}: {p.message_en}") for p in problems),
                       "\n  - ")
        raise ParamsError.keyed("crosswalk_check.invalid", source=source, n=len(problems), lines=lines)
    links, _ = _parse_links(raw, source)
    return Crosswalk(links=tuple(links), complete=False, source=source)


def load_crosswalks(path: str | os.PathLike[str], known_units: Iterable[Any] | None = None) -> Crosswalk:
    """The ``crosswalks:`` list of a params YAML file (an empty crosswalk when the key is absent);
    :class:`ParamsError` for an unreadable file or any problem (see :func:`parse_crosswalks`)."""
    p = Path(path)
    raw = read_yaml_mapping(p)
    return parse_crosswalks(raw.get(CROSSWALKS_KEY), source=str(p), known_units=known_units)
