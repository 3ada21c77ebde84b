"""Run parameters: resolve defaults → year file → province overrides → command line, then validate.

papermill only *warns* about a parameter the notebook does not declare, so every key is checked
here, before any notebook starts, and an unknown province or year is refused with the list of
what the data holds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from parbrief.config import (
    FILE_KEYS,
    TUNABLE_KEYS,
    ConfigError,
    check_layer,
    default,
)
from parbrief.files import read_yaml_mapping

__all__ = [
    "BriefParams",
    "FileSettings",
    "RunConfig",
    "TUNABLE_KEYS",
    "file_settings",
    "load_params_file",
    "notes_file",
    "province_key",
    "resolve_run",
    "slugify",
]

#: Keys of a params file that are paths, read relative to the file's folder.
_PATH_KEYS = ("data", "spec")


@dataclass(frozen=True)
class BriefParams:
    """The parameters of one brief, exactly the ``parameters`` cell of the notebook.

    Field names and defaults are those of :class:`parbrief.config.RunParameters` (scope
    ``brief``); a test checks that they agree.
    """

    province: str
    year: int
    data: str
    survey: str
    spec: str
    lang: str = default("lang")
    alpha: float = default("alpha")
    min_years: int = default("min_years")
    adjust: str = default("adjust")
    band_scheme: str = default("band_scheme")
    national_band_scheme: str = default("national_band_scheme")
    prepared_by: str = default("prepared_by")
    notes: str = default("notes")

    def as_notebook_parameters(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RunConfig:
    """A resolved render: the year, the provinces in order, and each province's parameters."""

    year: int
    briefs: tuple[BriefParams, ...]
    sources: tuple[str, ...] = field(default=())


def load_params_file(path: Path | None) -> dict[str, Any]:
    """Read a params YAML (``None`` → ``{}``) and check every key and value against the model.

    Unknown keys are refused with the allowed ones, ``crosswalks`` with the reason, each value
    against its type and bounds (:func:`parbrief.config.check_layer`), each province's
    overrides likewise. ``data`` and ``spec`` (and ``aliases`` when it names a file) are made
    relative to the file's folder.
    """
    if path is None:
        return {}
    p = Path(path)
    raw = dict(read_yaml_mapping(p, expected="parameters"))
    check_layer(raw, str(p), FILE_KEYS)
    for name, over in (raw.get("provinces") or {}).items():
        check_layer(over, str(p), TUNABLE_KEYS, province=str(name))
    base = p.parent
    for key in _PATH_KEYS:
        if raw.get(key):
            raw[key] = str(base / raw[key])
    if isinstance(raw.get("aliases"), str) and raw["aliases"]:
        raw["aliases"] = str(base / raw["aliases"])
    return raw


@dataclass(frozen=True)
class FileSettings:
    """What the params files say about the inputs of a render (before the data are read)."""

    data: Path | None
    spec: Path | None
    aliases: dict[str, dict[str, str]] | None


def file_settings(defaults_file: Path | None, params_file: Path | None) -> FileSettings:
    """``data``, ``spec`` and the aliases of the params files (the year file wins), paths resolved.

    Aliases are read with :func:`parbrief.data.names.load_aliases`: inline (``aliases:`` and
    ``province_aliases:`` in the params file) or from the file ``aliases:`` names; the two
    files' renames are merged, the year file's winning per name.
    """
    from parbrief.data.names import load_aliases

    data = spec = None
    merged: dict[str, dict[str, str]] = {}
    for f in (defaults_file, params_file):
        if not f:
            continue
        raw = load_params_file(f)
        data = Path(raw["data"]) if raw.get("data") else data
        spec = Path(raw["spec"]) if raw.get("spec") else spec
        for key in ("data", "spec"):
            if raw.get(key) and not Path(raw[key]).exists():
                raise ConfigError("config.error.path_missing", where=str(f), key=key, path=raw[key])
        sources = []
        if isinstance(raw.get("aliases"), str) and raw["aliases"]:
            if not Path(raw["aliases"]).is_file():
                raise ConfigError("config.error.path_missing", where=str(f), key="aliases", path=raw["aliases"])
            sources.append(Path(raw["aliases"]))
        if isinstance(raw.get("aliases"), Mapping) and raw["aliases"] or raw.get("province_aliases"):
            sources.append(Path(f))
        for src in sources:
            for prov, renames in load_aliases(src).items():
                merged.setdefault(prov, {}).update(renames)
    return FileSettings(data=data, spec=spec, aliases=merged or None)


def province_key(name: str, year: int | None = None) -> str:
    """A key that matches a province however it is written: "Tỉnh Quảng Trị", "Quảng Trị",
    "TP. Cần Thơ", "Thành phố Hồ Chí Minh" / "TP. Hồ Chí Minh" (normalized, prefix dropped,
    case folded; :func:`parbrief.data.crosswalk.province_short_name`)."""
    from parbrief.data.crosswalk import province_short_name
    from parbrief.data.names import normalize_name

    try:
        return province_short_name(name, year).casefold()
    except Exception:  # noqa: BLE001 - a name the crosswalk cannot read is matched as written
        return normalize_name(name).casefold()


class _ProvinceIndex:
    """The data's provinces, found by the names users write (see :func:`province_key`)."""

    def __init__(self, names: Iterable[str], year: int) -> None:
        from parbrief.data.names import normalize_name

        self._norm = normalize_name
        self.exact = {normalize_name(p): p for p in names}
        by_key: dict[str, list[str]] = {}
        for p in self.exact.values():
            by_key.setdefault(province_key(p, year), []).append(p)
        # A key two data names share would be ambiguous: only the exact spelling finds those.
        self.by_key = {k: v[0] for k, v in by_key.items() if len(v) == 1}
        self.year = year

    def find(self, name: str) -> str | None:
        from parbrief.data.names import is_national_name
        from parbrief.data.validate import NATIONAL

        if NATIONAL in self.exact and is_national_name(name):  # "Viet Nam", "Vietnam", "Toàn quốc"
            return NATIONAL
        exact = self.exact.get(self._norm(name))
        return exact if exact is not None else self.by_key.get(province_key(name, self.year))


def _check_values(values: Mapping[str, Any], where: str | None, schemes: Iterable[str],
                  spec: str = "", spec_defaults: Mapping[str, str] | None = None) -> None:
    """Checks against the spec in use that the model cannot make: band schemes must be the spec's
    (an empty value means the spec's own, :func:`_spec_defaults`)."""
    schemes = sorted(schemes)
    for key in ("band_scheme", "national_band_scheme"):
        if values.get(key) and values[key] not in schemes:
            raise ConfigError("config.error.scheme_unknown", where=where, key=key, value=repr(values[key]),
                              schemes=", ".join(schemes), spec=spec,
                              default=(spec_defaults or {}).get(key) or "–")


def _spec_defaults(schemes: list[str], default_scheme: str | None, national_scheme: str | None) -> dict[str, str]:
    """The schemes a brief uses when no params file or flag sets one: the spec's ``default_scheme``
    and national scheme (:attr:`parbrief.spec.IndexSpec.national_scheme_id`). Without them (a caller
    that passes only the ids) the model's defaults, then the first scheme."""
    first = schemes[0] if schemes else ""
    band = default_scheme or default("band_scheme") or first
    national = national_scheme or default("national_band_scheme") or ("national" if "national" in schemes else band)
    return {"band_scheme": band, "national_band_scheme": national}


def _check_min_years(layers: Iterable[tuple[str | None, Mapping[str, Any]]], years: list[int]) -> None:
    """``min_years`` set anywhere may not exceed the number of years the data hold."""
    for where, values in layers:
        value = values.get("min_years")
        if value is not None and value > len(years):
            raise ConfigError("config.error.min_years_above", where=where, value=value, n=len(years),
                              years=", ".join(map(str, years)))


def resolve_run(
    *,
    available_provinces: Iterable[str],
    available_years: Iterable[int],
    data: str,
    survey: str,
    spec: str,
    band_schemes: Iterable[str],
    default_scheme: str | None = None,
    national_scheme: str | None = None,
    defaults_file: Path | None = None,
    params_file: Path | None = None,
    cli: Mapping[str, Any] | None = None,
    provinces: Iterable[str] | None = None,
    year: int | None = None,
) -> RunConfig:
    """Resolve every brief's parameters: model defaults → defaults.yaml → year file → province
    overrides → CLI.

    ``cli`` holds only the values the user typed (``None`` values are ignored). The year is the
    command line's, else the params file's, else the latest year in the data. Provinces default
    to every province in the data that has scores in that year. ``band_scheme`` and
    ``national_band_scheme`` default to the spec's (``default_scheme``, ``national_scheme``); a
    value set anywhere must be one of ``band_schemes``, the spec's. Provinces (``--province`` and
    the keys of ``provinces:``) are found by the names users write (:func:`province_key`).
    """
    from parbrief.text.collation import vietnamese_sort_key

    def listing(names: Iterable[str]) -> str:
        return ", ".join(sorted(names, key=vietnamese_sort_key))

    schemes = list(band_schemes)
    defaults = load_params_file(defaults_file) if defaults_file else {}
    year_file = load_params_file(params_file) if params_file else {}
    cli_values = check_layer({k: v for k, v in (cli or {}).items() if v is not None}, None,
                             TUNABLE_KEYS + ("year",))
    if year is not None:
        check_layer({"year": year}, None, ("year",))
    layers: list[tuple[str | None, Mapping[str, Any]]] = [
        (str(defaults_file), defaults), (str(params_file), year_file), (None, cli_values)]
    overrides_raw = year_file.get("provinces") or {}
    for name, over in overrides_raw.items():
        layers.insert(-1, (f"{params_file}: provinces.{name}", over))
    spec_defaults = _spec_defaults(schemes, default_scheme, national_scheme)
    for where, values in layers:
        _check_values(values, where, schemes, spec, spec_defaults)

    years = sorted(int(y) for y in available_years)
    if not years:
        raise ConfigError("config.error.no_data")
    chosen_year = year if year is not None else year_file.get("year", defaults.get("year"))
    chosen_year = int(chosen_year) if chosen_year is not None else years[-1]
    if chosen_year not in years:
        raise ConfigError("config.error.year_missing", year=chosen_year, years=", ".join(map(str, years)))
    _check_min_years(layers, years)

    index = _ProvinceIndex(available_provinces, chosen_year)
    if provinces:
        found = [(p, index.find(p)) for p in provinces]
        missing = [p for p, hit in found if hit is None]
        if missing:
            raise ConfigError("config.error.province_missing", year=chosen_year, names=", ".join(missing),
                              n=len(missing), available=listing(index.exact.values()))
        wanted = [hit for _, hit in found]
    else:
        wanted = sorted(index.exact.values(), key=vietnamese_sort_key)
    overrides: dict[str, Mapping[str, Any]] = {}
    unknown_over = []
    for name, over in overrides_raw.items():
        hit = index.find(str(name))
        if hit is None:
            unknown_over.append(str(name))
        else:
            overrides.setdefault(hit, {}).update(over)
    if unknown_over:
        raise ConfigError("config.error.override_missing", where=str(params_file), names=", ".join(unknown_over),
                          available=listing(index.exact.values()))

    base = {k: default(k) for k in TUNABLE_KEYS} | spec_defaults
    for layer in (defaults, year_file):
        base.update({k: v for k, v in layer.items() if k in TUNABLE_KEYS and v != ""})
    briefs = []
    for prov in dict.fromkeys(wanted):
        values = {**base, **overrides.get(prov, {}), **cli_values}
        values.update({k: v for k, v in spec_defaults.items() if not values.get(k)})  # "": the spec's own
        briefs.append(BriefParams(province=prov, year=chosen_year, data=data, survey=survey, spec=spec,
                                  **{k: values[k] for k in TUNABLE_KEYS}))
    sources = tuple(str(p) for p in (defaults_file, params_file) if p)
    return RunConfig(year=chosen_year, briefs=tuple(briefs), sources=sources)


def notes_file(folder: Path | None, province: str, year: int) -> Path | None:
    """The preparing office's comments on ``province``'s brief: ``<folder>/<year>/<province>.md``.

    ``folder`` is the params folder's ``notes/``. The file is found by the names users write (as
    ``--province``: "Quảng Trị.md", "Tỉnh Quảng Trị.md") or by the brief's file name
    ("quang-tri.md"); None when there is none (the brief then has no such section).
    """
    if folder is None:
        return None
    year_dir = Path(folder) / str(int(year))
    if not year_dir.is_dir():
        return None
    want = province_key(province, year)
    slug = slugify(province)
    for f in sorted(year_dir.glob("*.md")):
        if f.is_file() and (province_key(unicodedata.normalize("NFC", f.stem), year) == want or f.stem == slug):
            return f
    return None


_SLUG_MAX = 60


def slugify(name: str, taken: Iterable[str] = ()) -> str:
    """A safe ASCII file name for a province: no separators, no dots first, bounded length, unique.

    "Thành phố Hồ Chí Minh" → "thanh-pho-ho-chi-minh". A name that yields nothing usable
    (only symbols or emoji) becomes "unit-<hash>"; a clash with ``taken`` gets a hash suffix.
    """
    import hashlib

    text = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:_SLUG_MAX].strip("-")
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    if not slug:
        slug = f"unit-{digest}"
    taken_set = set(taken)
    if slug not in taken_set and slug not in {"index", "manifest", "failed", "overview"}:
        return slug
    # a hash suffix; when even that is taken (a reserved name whose hashed form is in use), the hash
    # of the name with a counter: still deterministic, still within the length bound
    suffixed, k = f"{slug}-{digest}", 0
    while suffixed in taken_set:
        k += 1
        suffixed = f"{slug}-{hashlib.sha256(f'{name}#{k}'.encode('utf-8')).hexdigest()[:8]}"
    return suffixed

