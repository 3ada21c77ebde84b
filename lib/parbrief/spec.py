"""Index specification: which component criteria make up an index, their maxima, and rating bands.

Every evaluator sets its own criteria and its own rating thresholds (the national PAR INDEX
groups, a police force's scheme, a province's scheme for its departments and districts), so none
of this is code: it is read from a YAML file (``params/index.yaml`` by default) and checked here,
with every problem named by file and key so a user can fix a spec without reading Python.

**Method versions.** The method of an index changes over time (the PAR INDEX changed its fields
and maxima by new decisions in 2020 and 2022), and raw scores under two methods are not
comparable. A spec may therefore list ``versions:``, each with the years it applies to, the
decision that set it, its components with their maxima and its ``total_max``. A spec without
``versions`` has one open version (every year). Every existing accessor (:attr:`IndexSpec.codes`,
:attr:`IndexSpec.components`, :meth:`IndexSpec.component`, :meth:`IndexSpec.max_points`,
:attr:`IndexSpec.total_max`) answers for the **latest** version; :meth:`IndexSpec.for_year`
gives the same spec seen through one year's version, and :meth:`IndexSpec.breaks` gives the
x positions of method changes for charts and for trend tests that must stay inside one method.
"""

from __future__ import annotations

import math
import os
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from parbrief.errors import SpecError
from parbrief.text.messages import Joined, Msg, PerLang
from parbrief.text.voice import DEFAULT_VOICE, Voice, parse_voice

__all__ = [
    "Band",
    "BandScheme",
    "Component",
    "IndexSpec",
    "MethodVersion",
    "ALLOWED_KEYS",
    "SCHEME_KINDS",
    "TOTAL_KINDS",
    "default_spec_path",
    "load_spec",
    "parse_spec",
]

#: Column names a component code may not take (the data model's own columns).
_RESERVED = {"total", "province", "unit", "unit_type", "year"}
#: Id of the single open version of a spec written without ``versions``.
IMPLICIT_VERSION = "default"
#: How a total relates to its components (the spec's ``total:``).
TOTAL_KINDS = ("sum", "weighted", "given")

#: The keys a spec may use, level by level: anything else is refused naming the key and this list,
#: so a misspelt ``weigth:`` never goes silently unused. A new key is added here and parsed below.
ALLOWED_KEYS: dict[str, tuple[str, ...]] = {
    "spec": ("id", "name_vi", "name_en", "total", "total_max", "total_tolerance", "rank_decimals",
             "default_scheme", "national_scheme", "components", "versions", "band_schemes",
             "short_vi", "short_en", "evaluator", "unit_types"),
    "component": ("code", "name_vi", "name_en", "max_points", "weight", "aliases"),
    "version": ("id", "years", "name_vi", "name_en", "decision", "provisional", "total_max", "components",
                "max_points"),
    "scheme": ("name_vi", "name_en", "kind", "bands"),
    "band": ("code", "label_vi", "label_en", "min", "max"),
    "band_quantile": ("code", "label_vi", "label_en", "share"),
}


@dataclass(frozen=True)
class Component:
    """One component criterion (lĩnh vực / tiêu chí) of the index."""

    code: str
    name_vi: str
    name_en: str
    max_points: float
    aliases: tuple[str, ...] = ()
    #: Weight of the component in the total when the spec's ``total`` is ``weighted``
    #: (total = Σ weight × score; PCI: ten sub-indices scored 1–10). 1 otherwise.
    weight: float = 1.0

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en


@dataclass(frozen=True)
class Band:
    """A rating band: scores with ``min <= score < max`` (``None`` = unbounded on that side)."""

    code: str
    label_vi: str
    label_en: str
    min: float | None = None
    max: float | None = None

    def label(self, lang: str = "vi") -> str:
        return self.label_vi if lang == "vi" else self.label_en

    def contains(self, score: float) -> bool:
        lo_ok = self.min is None or score >= self.min
        hi_ok = self.max is None or score < self.max
        return lo_ok and hi_ok


#: Kinds of band scheme: fixed thresholds in points, or groups by quantiles of each year's units.
SCHEME_KINDS = ("fixed", "quantile")


@dataclass(frozen=True)
class BandScheme:
    """An ordered set of bands, best first, that covers the score range without gaps or overlaps.

    ``kind="fixed"``: each band has thresholds in points (``min <= score < max``).
    ``kind="quantile"`` (PAPI style): the bands are groups of each year's units by their rank,
    ``shares`` (fractions, best band first, summing to 1; equal by default: quartiles for four
    bands). Such a scheme has no thresholds of its own: :meth:`resolve` turns it into a fixed
    scheme whose thresholds are the quantiles of the scores it is given (one year's units), and
    only a resolved scheme answers :meth:`band_for`.
    """

    id: str
    name_vi: str
    name_en: str
    bands: tuple[Band, ...]
    kind: str = "fixed"
    shares: tuple[float, ...] = ()

    @property
    def is_quantile(self) -> bool:
        """True for a scheme of per-year quantile groups (its thresholds depend on the year's scores)."""
        return self.kind == "quantile"

    def cut_shares(self) -> tuple[float, ...]:
        """Fractions of units in each band, best first (a quantile scheme; equal when not given)."""
        if self.shares:
            return self.shares
        return tuple(1.0 / len(self.bands) for _ in self.bands)

    def resolve(self, scores: Iterable[float]) -> "BandScheme":
        """The scheme with thresholds for these scores: a fixed scheme is returned as it is; a
        quantile scheme gets, between consecutive bands, the quantile of ``scores`` that leaves
        the bands' shares above it (linear interpolation, R's ``quantile(type = 7)``; a score
        equal to a threshold goes to the better band). Missing scores are ignored; with no
        score at all every threshold is missing and no score gets a band.
        """
        if not self.is_quantile:
            return self
        import numpy as np

        vals = np.array([float(x) for x in scores if x is not None], dtype="float64")
        vals = vals[np.isfinite(vals)]
        if not len(vals):
            return replace(self, kind="resolved", bands=tuple(replace(b, min=math.inf, max=None) for b in self.bands))
        above = np.cumsum(self.cut_shares())[:-1]  # share of units in the bands above each cut
        cuts = [float(np.quantile(vals, 1.0 - a)) for a in above]
        bands = []
        for i, b in enumerate(self.bands):
            lo = cuts[i] if i < len(cuts) else None
            hi = cuts[i - 1] if i > 0 else None
            bands.append(replace(b, min=lo, max=hi))
        return replace(self, kind="resolved", bands=tuple(bands))

    def band_for(self, score: float | None) -> Band | None:
        """The band holding ``score``; ``None`` for a missing score. A quantile scheme must be
        :meth:`resolve`-d on the year's scores first."""
        if self.is_quantile:
            raise ValueError(f"band scheme {self.id!r} groups units by quantiles: resolve it on the year's scores first")
        if score is None or (isinstance(score, float) and math.isnan(score)):
            return None
        for band in self.bands:
            if band.contains(float(score)):
                return band
        return None

    def codes(self) -> list[str]:
        return [b.code for b in self.bands]

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en


@dataclass(frozen=True)
class MethodVersion:
    """One method period of an index: the years it applies to, its components and maxima.

    ``first_year``/``last_year`` are inclusive; ``None`` means open (a spec without versions has
    one version open on both sides; only the latest version may be open at the end, only the
    earliest at the start). ``decision`` is free text naming the act that set the method.
    ``provisional`` marks maxima that are working defaults, not the decision's own figures
    (validation then warns, rather than refuses, a component above such a maximum).
    """

    id: str
    first_year: int | None
    last_year: int | None
    name_vi: str
    name_en: str
    decision: str
    total_max: float
    components: tuple[Component, ...] = field(repr=False)
    provisional: bool = False

    @property
    def years(self) -> tuple[int | None, int | None]:
        """``(first_year, last_year)``, ``None`` = open."""
        return (self.first_year, self.last_year)

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.components]

    def covers(self, year: int) -> bool:
        """True when ``year`` falls in this version's years."""
        y = int(year)
        return (self.first_year is None or y >= self.first_year) and (self.last_year is None or y <= self.last_year)

    def component(self, code: str) -> Component:
        for c in self.components:
            if c.code == code:
                return c
        raise KeyError(f"{code!r} is not a component of method version {self.id!r} (components: {', '.join(self.codes)})")

    def max_points(self, column: str) -> float:
        """Maximum of ``total`` or a component code under this version."""
        return self.total_max if column == "total" else self.component(column).max_points

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def span(self, lang: str = "en") -> str:
        """The years as text: ``2017–2019``, ``2022–`` (open end), ``–2019`` (open start), ``all years``
        (``mọi năm`` in Vietnamese)."""
        if self.first_year is None and self.last_year is None:
            from parbrief.text.messages import t

            return t("spec.all_years", lang)
        lo = "" if self.first_year is None else str(self.first_year)
        hi = "" if self.last_year is None else str(self.last_year)
        return f"{lo}–{hi}"


@dataclass(frozen=True)
class IndexSpec:
    """A whole index: components, the total's maximum, band schemes and the default scheme.

    ``components`` and ``total_max`` are those of the version this object shows: the latest
    version, or one year's version for a view made by :meth:`for_year` (``version`` names it).
    ``versions`` always holds every method version, oldest first.
    """

    id: str
    name_vi: str
    name_en: str
    total_max: float
    components: tuple[Component, ...]
    band_schemes: dict[str, BandScheme]
    default_scheme: str
    total_tolerance: float = 0.05
    #: How the total relates to the components: ``sum`` (checked against their sum within
    #: ``total_tolerance``), ``weighted`` (against Σ weight × score), ``given`` (the published
    #: total is kept as it is, not computed or checked; components may be missing).
    total: str = "sum"
    source: str = "<memory>"
    #: Decimals the index publishes its scores at: a score is its value rounded half-up to this
    #: precision, ranks are computed on it (equal printed scores share a rank) and band cut-offs
    #: are printed with up to this many decimals.
    rank_decimals: int = 2
    #: Kept for callers of earlier versions: always empty now that unknown keys are refused.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    versions: tuple[MethodVersion, ...] = ()
    version: str | None = None
    #: The scheme of the national table (``national_scheme:``; empty: ``national`` when the spec
    #: has it, else :attr:`default_scheme`), see :meth:`national`.
    national_scheme: str = ""
    #: How the briefs name the index, the evaluated body, its unit types and the national table
    #: (:class:`parbrief.text.voice.Voice`; the provincial PAR INDEX's words by default).
    voice: Voice = field(default=DEFAULT_VOICE, compare=False, repr=False)

    def __post_init__(self) -> None:
        # A spec built directly (not parsed) without versions gets its one open version.
        if not self.versions:
            implicit = MethodVersion(
                id=IMPLICIT_VERSION, first_year=None, last_year=None, name_vi=self.name_vi, name_en=self.name_en,
                decision="", total_max=self.total_max, components=self.components,
            )
            object.__setattr__(self, "versions", (implicit,))
        if self.version is None:
            object.__setattr__(self, "version", self.versions[-1].id)

    # ---------------------------------------------------------------- components (shown version)

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.components]

    def component(self, code: str, year: int | None = None) -> Component:
        """A component of the shown version, or of ``year``'s version when given."""
        if year is not None:
            return self.version_for(year).component(code)
        for c in self.components:
            if c.code == code:
                return c
        raise KeyError(f"{code!r} is not a component of {self.id} (components: {', '.join(self.codes)})")

    def scheme(self, scheme_id: str | None = None) -> BandScheme:
        """The band scheme by id (``None``: the spec's default), with a clear error when unknown."""
        key = scheme_id or self.default_scheme
        if key not in self.band_schemes:
            raise SpecError.keyed("spec.error.scheme_unknown", source=self.source, key=repr(key),
                                  schemes=", ".join(sorted(self.band_schemes)))
        return self.band_schemes[key]

    @property
    def national_scheme_id(self) -> str:
        """Id of the national table's scheme: ``national_scheme``, else ``national`` when the spec
        has such a scheme, else :attr:`default_scheme`."""
        if self.national_scheme:
            return self.national_scheme
        return "national" if "national" in self.band_schemes else self.default_scheme

    def national(self, scheme_id: str | None = None) -> BandScheme:
        """The band scheme of the national table: ``scheme_id``, else :attr:`national_scheme_id`."""
        return self.scheme(scheme_id or self.national_scheme_id)

    def max_points(self, column: str, year: int | None = None) -> float:
        """Maximum of a score column (``total`` or a component code): of the shown version, or of
        ``year``'s method version when given (a 2019 row is checked against the 2019 maxima)."""
        if year is not None:
            return self.version_for(year).max_points(column)
        return self.total_max if column == "total" else self.component(column).max_points

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en

    # ---------------------------------------------------------------- method versions

    @property
    def latest_version(self) -> MethodVersion:
        """The most recent method version (the one :attr:`components` shows by default)."""
        return self.versions[-1]

    @property
    def current_version(self) -> MethodVersion:
        """The version this object shows (:attr:`version`)."""
        for v in self.versions:
            if v.id == self.version:
                return v
        return self.versions[-1]

    @property
    def all_codes(self) -> list[str]:
        """Component codes of every version: the shown version's first, then codes used only by
        other versions (newest version first). Equal to :attr:`codes` when no code changed."""
        out = list(self.codes)
        for v in reversed(self.versions):
            out += [c for c in v.codes if c not in out]
        return out

    @property
    def is_versioned(self) -> bool:
        """True when the spec has more than one method version."""
        return len(self.versions) > 1

    def covers(self, year: int) -> bool:
        """True when some method version applies to ``year``."""
        return any(v.covers(year) for v in self.versions)

    def version_for(self, year: int) -> MethodVersion:
        """The method version that applies to ``year`` (:class:`SpecError` when none does)."""
        for v in self.versions:
            if v.covers(year):
                return v
        spans = Joined(Msg("spec.version_span", id=v.id, span=span_of(v)) for v in self.versions)
        raise SpecError.keyed("spec.error.year_uncovered", source=self.source, id=self.id, year=int(year),
                              spans=spans)

    def for_year(self, year: int) -> "IndexSpec":
        """The same spec seen through ``year``'s method version: its components and ``total_max``
        (the band schemes, tolerance and the full ``versions`` list are kept)."""
        v = self.version_for(year)
        return replace(self, components=v.components, total_max=v.total_max, version=v.id)

    def periods(self, years: Iterable[int]) -> list[tuple[MethodVersion, list[int]]]:
        """The given years grouped by method version, oldest first: ``[(version, [years…]), …]``.

        Only versions with at least one of the years appear; years are sorted and de-duplicated.
        """
        out: list[tuple[MethodVersion, list[int]]] = []
        for y in sorted({int(y) for y in years}):
            v = self.version_for(y)
            if out and out[-1][0].id == v.id:
                out[-1][1].append(y)
            else:
                out.append((v, [y]))
        return out

    def breaks(self, years: Iterable[int]) -> list[float]:
        """x positions of the method changes inside the span of ``years``: half a year before the
        first year of each version that starts after the earliest and no later than the latest of
        the years (versions 2017–2019, 2020–2021, 2022– and years 2018–2024 → ``[2019.5, 2021.5]``).

        Every such change is listed, even one between two years that are both missing from the
        data, so a chart or a trend never joins points across it.
        """
        ys = sorted({int(y) for y in years})
        if not ys:
            return []
        for y in (ys[0], ys[-1]):
            self.version_for(y)  # the span must be covered
        return [
            v.first_year - 0.5
            for v in self.versions[1:]
            if v.first_year is not None and ys[0] < v.first_year <= ys[-1]
        ]

    def method_changes_between(self, earlier: int, later: int) -> bool:
        """Whether the method changes after ``earlier`` and by ``later``: raw scores of the two
        years are then not comparable (compare ranks or within-year standardized scores)."""
        return bool(self.breaks([earlier, later]))


def default_spec_path() -> Path:
    """Where the default spec lives: ``$PARBRIEF_SPEC``, else ``params/index.yaml`` of the checkout,
    of the working directory, or the copy shipped in the package (:func:`parbrief.files.shipped_file`).
    """
    from parbrief.files import shipped_file

    env = os.environ.get("PARBRIEF_SPEC")
    if env:
        return Path(env)
    found = shipped_file("params", "index.yaml")
    if found is not None:
        return found
    raise SpecError.keyed("spec.error.no_default")


def load_spec(path: str | os.PathLike[str] | None = None) -> IndexSpec:
    """Read and validate an index spec from YAML (default: :func:`default_spec_path`).

    The result is immutable and kept per file (:func:`_parsed_file`), so the same unchanged file
    is parsed once per process."""
    p = Path(path) if path is not None else default_spec_path()
    if not p.is_file():
        raise SpecError.keyed("spec.error.not_found", path=p)
    st = p.stat()
    return _parsed_file(str(p.resolve()), p, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=16)
def _parsed_file(resolved: str, p: Path, mtime_ns: int, size: int) -> IndexSpec:
    """The spec in ``p``, kept by file: its resolved path (a kernel changes its working directory
    between briefs, so one relative name can be two files), the path as given (the source its
    messages name), modification time and size. A batch kernel renders many briefs with one spec;
    parsing and checking it took 40 ms a brief. A changed file is read again."""
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SpecError.keyed("spec.error.bad_yaml", path=p, error=exc) from exc
    return parse_spec(raw, source=str(p))


def span_of(version: MethodVersion) -> PerLang:
    """A version's years for a message, in each language (:meth:`MethodVersion.span`)."""
    return PerLang(version.span("vi"), version.span("en"))


def _p(key: str, **values: Any) -> Msg:
    """One problem of a spec: the message ``spec.problem.<key>`` (each problem names its YAML key)."""
    return Msg(f"spec.problem.{key}", **values)


def _unknown_keys(raw: dict[Any, Any], level: str, where: str, problems: list[Msg]) -> None:
    """Each key of ``raw`` that :data:`ALLOWED_KEYS` does not list for ``level``: one problem
    naming it (at ``where``) and the keys allowed there."""
    allowed = ALLOWED_KEYS[level]
    for key in raw:
        if key not in allowed:
            at = f"{where}.{key}" if where else str(key)
            problems.append(_p("unknown_key", where=at, name=repr(key), allowed=", ".join(allowed)))


def _num(value: Any, where: str, problems: list[Msg], *, positive: bool = False) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(float(value)):
        problems.append(_p("not_a_number", where=where, value=repr(value)))
        return None
    if positive and value <= 0:
        problems.append(_p("not_positive", where=where, value=repr(value)))
        return None
    return float(value)


#: Largest ``rank_decimals`` accepted (official tables publish 2; 6 is already float noise).
MAX_RANK_DECIMALS = 6


def _rank_decimals(value: Any, problems: list[Msg]) -> int:
    """``rank_decimals``: a whole number of decimals from 0 to :data:`MAX_RANK_DECIMALS`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RANK_DECIMALS:
        problems.append(_p("rank_decimals", max=MAX_RANK_DECIMALS, value=repr(value)))
        return 2
    return int(value)


def _text(d: dict[str, Any], key: str, where: str, problems: list[Msg]) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v.strip():
        problems.append(_p("text_missing", where=f"{where}.{key}"))
        return ""
    return v.strip()


def _parse_bands(scheme_id: str, raw: Any, problems: list[Msg]) -> BandScheme | None:
    where = f"band_schemes.{scheme_id}"
    if not isinstance(raw, dict) or not isinstance(raw.get("bands"), list) or not raw["bands"]:
        problems.append(_p("bands_missing", where=where))
        return None
    _unknown_keys(raw, "scheme", where, problems)
    kind = raw.get("kind", "fixed")
    if kind not in SCHEME_KINDS:
        problems.append(_p("scheme_kind", where=f"{where}.kind", value=repr(kind), kinds=", ".join(SCHEME_KINDS)))
        kind = "fixed"
    bands: list[Band] = []
    shares: list[float | None] = []
    for i, b in enumerate(raw["bands"]):
        bw = f"{where}.bands[{i}]"
        if not isinstance(b, dict):
            problems.append(_p("band_not_mapping", where=bw))
            continue
        _unknown_keys(b, "band_quantile" if kind == "quantile" else "band", bw, problems)
        lo = _num(b["min"], f"{bw}.min", problems) if b.get("min") is not None else None
        hi = _num(b["max"], f"{bw}.max", problems) if b.get("max") is not None else None
        if lo is not None and hi is not None and lo >= hi:
            problems.append(_p("band_min_max", where=bw, min=f"{lo:g}", max=f"{hi:g}"))
        if kind == "quantile":
            shares.append(_num(b["share"], f"{bw}.share", problems, positive=True) if b.get("share") is not None
                          else None)
        bands.append(
            Band(
                code=_text(b, "code", bw, problems),
                label_vi=_text(b, "label_vi", bw, problems),
                label_en=_text(b, "label_en", bw, problems),
                min=lo,
                max=hi,
            )
        )
    if kind == "quantile":
        _check_band_codes(where, bands, problems)
        got = _check_shares(where, shares, problems)
    else:
        _check_band_order(where, bands, problems)
        got = ()
    return BandScheme(
        id=scheme_id,
        name_vi=str(raw.get("name_vi") or scheme_id),
        name_en=str(raw.get("name_en") or scheme_id),
        bands=tuple(bands),
        kind=str(kind),
        shares=got,
    )


def _check_shares(where: str, shares: list[float | None], problems: list[Msg]) -> tuple[float, ...]:
    """Shares of a quantile scheme's bands: none given (equal groups) or all, adding up to 1."""
    given = [x for x in shares if x is not None]
    if not given:
        return ()
    if len(given) != len(shares) or abs(sum(given) - 1.0) > 1e-6:
        problems.append(_p("band_shares", where=where, shares=[x for x in shares], sum=f"{sum(given):g}"))
        return ()
    return tuple(given)


def _check_band_codes(where: str, bands: list[Band], problems: list[Msg]) -> None:
    codes = [b.code for b in bands]
    if len(set(codes)) != len(codes):
        problems.append(_p("band_codes_unique", where=where, codes=codes))


def _check_band_order(where: str, bands: list[Band], problems: list[Msg]) -> None:
    """Bands best first: each band's min is the next band's max (no gap, no overlap)."""
    _check_band_codes(where, bands, problems)
    if bands and bands[0].max is not None:
        problems.append(_p("first_band_max", where=where))
    for upper, lower in zip(bands, bands[1:]):
        if upper.min is None or lower.max is None or upper.min != lower.max:
            problems.append(_p("band_order", where=where, lower=repr(lower.code), upper=repr(upper.code),
                               max=lower.max, min=upper.min))


def _parse_components(
    raw_comps: Any, where: str, problems: list[Msg], *, need_max: bool = True
) -> list[Component]:
    """A list of components; ``need_max=False`` lets ``max_points`` be absent (a catalogue whose
    maxima come from the versions): it is then 0."""
    comps: list[Component] = []
    if not isinstance(raw_comps, list) or not raw_comps:
        problems.append(_p("components_missing", where=where))
        return comps
    for i, c in enumerate(raw_comps):
        cw = f"{where}[{i}]"
        if not isinstance(c, dict):
            problems.append(_p("component_not_mapping", where=cw))
            continue
        _unknown_keys(c, "component", cw, problems)
        code = _text(c, "code", cw, problems)
        if code and (not code.isidentifier() or code in _RESERVED):
            problems.append(_p("code_invalid", where=f"{cw}.code", code=repr(code)))
        aliases = c.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(_p("aliases_not_list", where=f"{cw}.aliases"))
            aliases = []
        if need_max or c.get("max_points") is not None:
            mx = _num(c.get("max_points"), f"{cw}.max_points", problems, positive=True) or 0.0
        else:
            mx = 0.0
        weight = 1.0
        if c.get("weight") is not None:
            weight = _num(c.get("weight"), f"{cw}.weight", problems, positive=True) or 1.0
        comps.append(
            Component(
                code=code,
                name_vi=_text(c, "name_vi", cw, problems),
                name_en=_text(c, "name_en", cw, problems),
                max_points=mx,
                aliases=tuple(a.strip() for a in aliases),
                weight=weight,
            )
        )
    codes = [c.code for c in comps]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        problems.append(_p("duplicate_codes", where=where, codes=dupes))
    _check_shared_headers(comps, where, problems)
    return comps


def _header_key(text: str) -> str:
    """How a column header is matched (as ``parbrief.data.names.header_key``, which a layer
    below cannot import): letters and digits only, casefolded, without diacritics."""
    plain = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFC", "".join(ch for ch in plain if not unicodedata.combining(ch)))
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


def _check_shared_headers(comps: Sequence[Component], where: str, problems: list[Msg]) -> None:
    """A header (code, name or alias) that names two components: a file's column would go to
    whichever comes first, silently. Each is refused naming the alias and both components."""
    owner: dict[str, tuple[str, str]] = {}
    for i, comp in enumerate(comps):
        seen_here: set[str] = set()
        for field_name, texts in (("code", [comp.code]), ("name_vi", [comp.name_vi]), ("name_en", [comp.name_en]),
                                  ("aliases", list(comp.aliases))):
            for text in texts:
                key = _header_key(text) if text else ""
                if not key or key in seen_here:
                    continue
                seen_here.add(key)
                first = owner.get(key)
                if first is None:
                    owner[key] = (comp.code, text)
                elif first[0] != comp.code:
                    problems.append(Msg("integrity.spec.alias_shared", where=f"{where}[{i}].{field_name}",
                                        alias=repr(text), first=first[0], second=comp.code))


def _check_sum(where: str, comps: Sequence[Component], total_max: float | None, problems: list[Msg],
               total: str = "sum") -> None:
    """The components' maxima add up to ``total_max`` (``weighted``: Σ weight × maximum; ``given``:
    a published total need not be made of its components, nothing to check)."""
    if total == "given":
        return
    if total_max is not None and comps and all(c.max_points for c in comps):
        weighted = total == "weighted"
        s = sum(c.max_points * (c.weight if weighted else 1.0) for c in comps)
        if abs(s - total_max) > 1e-6:
            problems.append(_p("maxima_weighted_sum" if weighted else "maxima_sum", where=where, sum=f"{s:g}",
                               total_max=f"{total_max:g}"))


def _year(value: Any, where: str, problems: list[Msg], *, open_ok: bool) -> tuple[bool, int | None]:
    """(ok, year) of a version bound; ``None``/"open" is an open bound when ``open_ok``."""
    if value is None or (isinstance(value, str) and value.strip().lower() in {"open", ""}):
        if open_ok:
            return True, None
        problems.append(_p("year_required", where=where))
        return False, None
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2200:
        problems.append(_p("year_invalid", where=where, value=repr(value)))
        return False, None
    return True, int(value)


def _parse_versions(
    raw_versions: Any,
    catalogue: list[Component],
    top_total: float | None,
    spec_names: tuple[str, str],
    problems: list[Msg],
    total_kind: str = "sum",
) -> list[MethodVersion]:
    """Versions of a spec, checked one by one and then together (order, overlaps, gaps)."""
    if not isinstance(raw_versions, list) or not raw_versions:
        problems.append(_p("versions_missing"))
        return []
    by_code = {c.code: c for c in catalogue}
    out: list[MethodVersion] = []
    bounds_ok: list[bool] = []
    for i, rv in enumerate(raw_versions):
        vw = f"versions[{i}]"
        if not isinstance(rv, dict):
            problems.append(_p("version_not_mapping", where=vw))
            continue
        _unknown_keys(rv, "version", vw, problems)
        vid = _text(rv, "id", vw, problems)
        years = rv.get("years")
        ok = True
        first = last = None
        if not isinstance(years, list) or len(years) != 2:
            problems.append(_p("version_years", where=f"{vw}.years", value=repr(years)))
            ok = False
        else:
            ok1, first = _year(years[0], f"{vw}.years[0]", problems, open_ok=(i == 0))
            ok2, last = _year(years[1], f"{vw}.years[1]", problems, open_ok=True)
            ok = ok1 and ok2
            if ok and first is not None and last is not None and last < first:
                problems.append(_p("version_years_order", where=f"{vw}.years", first=first, last=last))
                ok = False
        total = rv.get("total_max", top_total)
        total_v = _num(total, f"{vw}.total_max", problems, positive=True) if total is not None else None
        if total is None:
            problems.append(_p("total_max_required", where=f"{vw}.total_max"))
        provisional = rv.get("provisional", False)
        if not isinstance(provisional, bool):
            problems.append(_p("provisional_bool", where=f"{vw}.provisional", value=repr(provisional)))
            provisional = False
        decision = rv.get("decision", "")
        if decision is None:
            decision = ""
        if not isinstance(decision, str):
            problems.append(_p("decision_text", where=f"{vw}.decision", value=repr(decision)))
            decision = str(decision)
        if "components" in rv and "max_points" in rv:
            problems.append(_p("components_or_max_points", where=vw))
        if "components" in rv:
            comps = _parse_components(rv.get("components"), f"{vw}.components", problems)
        elif "max_points" in rv:
            mp = rv.get("max_points")
            comps = []
            if not isinstance(mp, dict) or not mp:
                problems.append(_p("max_points_mapping", where=f"{vw}.max_points"))
            else:
                for code, mx in mp.items():
                    base = by_code.get(str(code))
                    if base is None:
                        known = ", ".join(by_code) or Msg("spec.none")
                        problems.append(_p("max_points_unknown", where=f"{vw}.max_points.{code}", known=known))
                        continue
                    v = _num(mx, f"{vw}.max_points.{code}", problems, positive=True)
                    comps.append(replace(base, max_points=v or 0.0))
                order = list(by_code)
                comps.sort(key=lambda c: order.index(c.code))
        else:
            missing = [c.code for c in catalogue if not c.max_points]
            if not catalogue:
                problems.append(_p("needs_components", where=vw))
            elif missing:
                problems.append(_p("needs_max_points", where=vw, missing=missing))
            comps = list(catalogue)
        _check_sum(vw, comps, total_v, problems, total_kind)
        out.append(
            MethodVersion(
                id=vid,
                first_year=first,
                last_year=last,
                name_vi=str(rv.get("name_vi") or vid or spec_names[0]),
                name_en=str(rv.get("name_en") or vid or spec_names[1]),
                decision=decision.strip(),
                total_max=float(total_v or 0.0),
                components=tuple(comps),
                provisional=provisional,
            )
        )
        bounds_ok.append(ok)
    ids = [v.id for v in out]
    dupes = sorted({i for i in ids if i and ids.count(i) > 1})
    if dupes:
        problems.append(_p("duplicate_version_ids", ids=dupes))
    # order, overlaps and gaps among the versions whose years could be read
    _check_version_years([v for v, ok in zip(out, bounds_ok) if ok], problems)
    return out


def _check_version_years(versions: list[MethodVersion], problems: list[Msg]) -> None:
    """Versions must be listed oldest first, without overlapping or leaving a year uncovered."""
    for a, b in zip(versions, versions[1:]):
        if a.last_year is None:
            problems.append(_p("open_ended", a=repr(a.id), a_span=span_of(a), b=repr(b.id)))
            continue
        if b.first_year is None:  # refused per version already: only the first may open at the start
            continue
        if a.first_year is not None and b.first_year < a.first_year:
            problems.append(_p("version_order", a=repr(a.id), b=repr(b.id)))
        elif b.first_year <= a.last_year:
            lo, hi = b.first_year, min(a.last_year, b.last_year if b.last_year is not None else a.last_year)
            yrs = f"{lo}" if lo == hi else f"{lo}–{hi}"
            problems.append(_p("overlap", a=repr(a.id), a_span=span_of(a), b=repr(b.id), b_span=span_of(b),
                               years=yrs))
        elif b.first_year > a.last_year + 1:
            lo, hi = a.last_year + 1, b.first_year - 1
            yrs = f"{lo}" if lo == hi else f"{lo}–{hi}"
            problems.append(_p("gap", years=yrs, a=repr(a.id), b=repr(b.id)))


def parse_spec(raw: Any, source: str = "<memory>") -> IndexSpec:
    """Validate a spec given as a mapping (the parsed YAML); all problems are reported at once.

    Two forms: top-level ``components`` and ``total_max`` (one method for every year), or
    ``versions`` (method periods). With ``versions``, top-level ``components`` (optional) is a
    catalogue of names and aliases that versions refer to with ``max_points: {code: maximum}``;
    a version may instead give its own full ``components`` list, or neither (it then takes the
    top-level components with their ``max_points``). A top-level ``total_max`` is the default of
    versions that do not set one. The spec's ``components``/``total_max`` are the latest version's.
    """
    problems: list[Msg] = []
    if not isinstance(raw, dict):
        raise SpecError.keyed("spec.error.not_a_mapping", source=source)
    _unknown_keys(raw, "spec", "", problems)
    total_kind = raw.get("total", "sum")
    if total_kind not in TOTAL_KINDS:
        problems.append(_p("total_kind", value=repr(total_kind), kinds=", ".join(TOTAL_KINDS)))
        total_kind = "sum"
    has_versions = "versions" in raw
    top_total_raw = raw.get("total_max")
    if has_versions and top_total_raw is None:
        total_max = None
    else:
        total_max = _num(top_total_raw, "total_max", problems, positive=True)
    tol = raw.get("total_tolerance", 0.05)
    tol_v = _num(tol, "total_tolerance", problems)
    rank_decimals = _rank_decimals(raw.get("rank_decimals", 2), problems)
    raw_comps = raw.get("components")
    if has_versions and raw_comps is None:
        comps: list[Component] = []
    else:
        comps = _parse_components(raw_comps, "components", problems, need_max=not has_versions)
    spec_names = (str(raw.get("name_vi") or raw.get("id") or "Chỉ số"), str(raw.get("name_en") or raw.get("id") or "Index"))
    versions: list[MethodVersion] = []
    if has_versions:
        versions = _parse_versions(raw.get("versions"), comps, total_max, spec_names, problems, total_kind)
    else:
        _check_sum("components", comps, total_max, problems, total_kind)
    schemes: dict[str, BandScheme] = {}
    raw_schemes = raw.get("band_schemes")
    if not isinstance(raw_schemes, dict) or not raw_schemes:
        problems.append(_p("band_schemes_missing"))
        raw_schemes = {}
    for sid, sraw in raw_schemes.items():
        scheme = _parse_bands(str(sid), sraw, problems)
        if scheme is not None:
            schemes[str(sid)] = scheme
    default = raw.get("default_scheme") or (next(iter(schemes)) if schemes else "")
    if schemes and default not in schemes:
        problems.append(_p("default_scheme", default=repr(default), schemes=sorted(schemes)))
    national = raw.get("national_scheme") or ""
    if schemes and national and national not in schemes:
        problems.append(_p("national_scheme", default=repr(national), schemes=sorted(schemes)))
    voice = parse_voice(raw, problems)
    if problems:
        raise SpecError.keyed("spec.error.invalid", source=source, problems=Joined(problems, "\n  - "))
    if versions:
        shown_total, shown_comps = versions[-1].total_max, versions[-1].components
    else:
        shown_total, shown_comps = float(total_max), tuple(comps)  # type: ignore[arg-type]
    return IndexSpec(
        id=str(raw.get("id") or Path(source).stem),
        name_vi=spec_names[0],
        name_en=spec_names[1],
        total_max=float(shown_total),
        components=tuple(shown_comps),
        band_schemes=schemes,
        default_scheme=str(default),
        total_tolerance=float(tol_v if tol_v is not None else 0.05),
        total=str(total_kind),
        rank_decimals=rank_decimals,
        source=source,
        versions=tuple(versions),
        national_scheme=str(national),
        voice=voice,
    )
