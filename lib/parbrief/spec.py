"""Index specification: which component criteria make up an index, their maxima, and rating bands.

Every evaluator sets its own criteria and its own rating thresholds (the national PAR INDEX
groups, a police force's scheme, a province's scheme for its departments and districts), so none
of this is code: it is read from a YAML file (``params/index.yaml`` by default) and checked here,
with every problem named by file and key so a user can fix a spec without reading Python.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from parbrief.errors import SpecError

__all__ = [
    "Band",
    "BandScheme",
    "Component",
    "IndexSpec",
    "default_spec_path",
    "load_spec",
    "parse_spec",
]


@dataclass(frozen=True)
class Component:
    """One component criterion (lĩnh vực / tiêu chí) of the index."""

    code: str
    name_vi: str
    name_en: str
    max_points: float
    aliases: tuple[str, ...] = ()

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


@dataclass(frozen=True)
class BandScheme:
    """An ordered set of bands, best first, that covers the score range without gaps or overlaps."""

    id: str
    name_vi: str
    name_en: str
    bands: tuple[Band, ...]

    def band_for(self, score: float | None) -> Band | None:
        """The band holding ``score``; ``None`` for a missing score."""
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
class IndexSpec:
    """A whole index: components, the total's maximum, band schemes and the default scheme."""

    id: str
    name_vi: str
    name_en: str
    total_max: float
    components: tuple[Component, ...]
    band_schemes: dict[str, BandScheme]
    default_scheme: str
    total_tolerance: float = 0.05
    source: str = "<memory>"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.components]

    def component(self, code: str) -> Component:
        for c in self.components:
            if c.code == code:
                return c
        raise KeyError(f"{code!r} is not a component of {self.id} (components: {', '.join(self.codes)})")

    def scheme(self, scheme_id: str | None = None) -> BandScheme:
        """The band scheme by id (``None``: the spec's default), with a clear error when unknown."""
        key = scheme_id or self.default_scheme
        if key not in self.band_schemes:
            raise SpecError(
                f"{self.source}: band scheme {key!r} does not exist; "
                f"choose one of: {', '.join(sorted(self.band_schemes))}"
            )
        return self.band_schemes[key]

    def max_points(self, column: str) -> float:
        """Maximum of a score column: ``total`` or a component code."""
        return self.total_max if column == "total" else self.component(column).max_points

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en


def default_spec_path() -> Path:
    """Where the default spec lives: ``$PARBRIEF_SPEC``, else the repository's ``params/index.yaml``.

    The package is installed in editable mode from its repository, so ``params/`` is found next
    to ``lib/``; the current directory's ``params/index.yaml`` is the fallback.
    """
    env = os.environ.get("PARBRIEF_SPEC")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    candidates = [here.parents[2] / "params" / "index.yaml", Path.cwd() / "params" / "index.yaml"]
    for cand in candidates:
        if cand.is_file():
            return cand
    raise SpecError(
        "no index specification found: pass --spec PATH/TO/index.yaml "
        "or set PARBRIEF_SPEC (looked in: " + ", ".join(str(c) for c in candidates) + ")"
    )


def load_spec(path: str | os.PathLike[str] | None = None) -> IndexSpec:
    """Read and validate an index spec from YAML (default: :func:`default_spec_path`)."""
    p = Path(path) if path is not None else default_spec_path()
    if not p.is_file():
        raise SpecError(f"{p}: spec file not found; pass an existing YAML file with --spec")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SpecError(f"{p}: not valid YAML ({exc}); check indentation and quoting") from exc
    return parse_spec(raw, source=str(p))


def _num(value: Any, where: str, problems: list[str], *, positive: bool = False) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(float(value)):
        problems.append(f"{where}: expected a number, got {value!r}")
        return None
    if positive and value <= 0:
        problems.append(f"{where}: must be greater than 0, got {value!r}")
        return None
    return float(value)


def _text(d: dict[str, Any], key: str, where: str, problems: list[str]) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v.strip():
        problems.append(f"{where}.{key}: required text is missing")
        return ""
    return v.strip()


def _parse_bands(scheme_id: str, raw: Any, problems: list[str]) -> BandScheme | None:
    where = f"band_schemes.{scheme_id}"
    if not isinstance(raw, dict) or not isinstance(raw.get("bands"), list) or not raw["bands"]:
        problems.append(f"{where}: needs a non-empty list 'bands'")
        return None
    bands: list[Band] = []
    for i, b in enumerate(raw["bands"]):
        bw = f"{where}.bands[{i}]"
        if not isinstance(b, dict):
            problems.append(f"{bw}: expected a mapping with code, label_vi, label_en, min/max")
            continue
        lo = _num(b["min"], f"{bw}.min", problems) if b.get("min") is not None else None
        hi = _num(b["max"], f"{bw}.max", problems) if b.get("max") is not None else None
        if lo is not None and hi is not None and lo >= hi:
            problems.append(f"{bw}: min {lo:g} must be below max {hi:g}")
        bands.append(
            Band(
                code=_text(b, "code", bw, problems),
                label_vi=_text(b, "label_vi", bw, problems),
                label_en=_text(b, "label_en", bw, problems),
                min=lo,
                max=hi,
            )
        )
    _check_band_order(where, bands, problems)
    return BandScheme(
        id=scheme_id,
        name_vi=str(raw.get("name_vi") or scheme_id),
        name_en=str(raw.get("name_en") or scheme_id),
        bands=tuple(bands),
    )


def _check_band_order(where: str, bands: list[Band], problems: list[str]) -> None:
    """Bands best first: each band's min is the next band's max (no gap, no overlap)."""
    codes = [b.code for b in bands]
    if len(set(codes)) != len(codes):
        problems.append(f"{where}: band codes must be unique, got {codes}")
    if bands and bands[0].max is not None:
        problems.append(f"{where}: the first (best) band must have no max")
    for upper, lower in zip(bands, bands[1:]):
        if upper.min is None or lower.max is None or upper.min != lower.max:
            problems.append(
                f"{where}: band {lower.code!r} must end (max) where {upper.code!r} begins (min); "
                f"got max={lower.max} and min={upper.min}"
            )


def parse_spec(raw: Any, source: str = "<memory>") -> IndexSpec:
    """Validate a spec given as a mapping (the parsed YAML); all problems are reported at once."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise SpecError(f"{source}: the spec must be a YAML mapping with components and band_schemes")
    total_max = _num(raw.get("total_max"), "total_max", problems, positive=True)
    tol = raw.get("total_tolerance", 0.05)
    tol_v = _num(tol, "total_tolerance", problems)
    comps: list[Component] = []
    raw_comps = raw.get("components")
    if not isinstance(raw_comps, list) or not raw_comps:
        problems.append("components: needs a non-empty list of components")
        raw_comps = []
    for i, c in enumerate(raw_comps):
        cw = f"components[{i}]"
        if not isinstance(c, dict):
            problems.append(f"{cw}: expected a mapping with code, name_vi, name_en, max_points")
            continue
        code = _text(c, "code", cw, problems)
        if code and (not code.isidentifier() or code in {"total", "province", "unit", "unit_type", "year"}):
            problems.append(f"{cw}.code: {code!r} must be a simple name (letters, digits, _) and not a reserved column")
        aliases = c.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(f"{cw}.aliases: expected a list of column headers")
            aliases = []
        comps.append(
            Component(
                code=code,
                name_vi=_text(c, "name_vi", cw, problems),
                name_en=_text(c, "name_en", cw, problems),
                max_points=_num(c.get("max_points"), f"{cw}.max_points", problems, positive=True) or 0.0,
                aliases=tuple(a.strip() for a in aliases),
            )
        )
    codes = [c.code for c in comps]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        problems.append(f"components: duplicate codes {dupes}")
    if total_max is not None and comps and all(c.max_points for c in comps):
        s = sum(c.max_points for c in comps)
        if abs(s - total_max) > 1e-9:
            problems.append(f"components: maxima add up to {s:g}, but total_max is {total_max:g}")
    schemes: dict[str, BandScheme] = {}
    raw_schemes = raw.get("band_schemes")
    if not isinstance(raw_schemes, dict) or not raw_schemes:
        problems.append("band_schemes: needs at least one scheme")
        raw_schemes = {}
    for sid, sraw in raw_schemes.items():
        scheme = _parse_bands(str(sid), sraw, problems)
        if scheme is not None:
            schemes[str(sid)] = scheme
    default = raw.get("default_scheme") or (next(iter(schemes)) if schemes else "")
    if schemes and default not in schemes:
        problems.append(f"default_scheme: {default!r} is not one of {sorted(schemes)}")
    if problems:
        raise SpecError(f"{source}: invalid index specification:\n  - " + "\n  - ".join(problems))
    known = {"id", "name_vi", "name_en", "total_max", "total_tolerance", "default_scheme", "components", "band_schemes"}
    return IndexSpec(
        id=str(raw.get("id") or Path(source).stem),
        name_vi=str(raw.get("name_vi") or raw.get("id") or "Chỉ số"),
        name_en=str(raw.get("name_en") or raw.get("id") or "Index"),
        total_max=float(total_max),  # type: ignore[arg-type]
        components=tuple(comps),
        band_schemes=schemes,
        default_scheme=str(default),
        total_tolerance=float(tol_v if tol_v is not None else 0.05),
        source=source,
        extra={k: v for k, v in raw.items() if k not in known},
    )


def spec_columns(spec: IndexSpec) -> Iterable[str]:
    """Score columns of the data model for this spec: ``total`` then the component codes."""
    return ["total", *spec.codes]
