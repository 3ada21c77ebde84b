"""Run parameters: resolve defaults → year file → province overrides → command line, then validate.

papermill only *warns* about a parameter the notebook does not declare, so every key is checked
here, before any notebook starts, and an unknown province or year is refused with the list of
what the data holds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping


from parbrief.files import read_yaml_mapping
from parbrief.errors import ParamsError

__all__ = [
    "BriefParams",
    "RunConfig",
    "TUNABLE_KEYS",
    "load_params_file",
    "resolve_run",
    "slugify",
]

#: Keys a params file or the command line may set for every brief (and per province).
TUNABLE_KEYS: dict[str, type | tuple[type, ...]] = {
    "lang": str,
    "alpha": (float, int),
    "min_years": int,
    "adjust": str,
    "band_scheme": str,
    "national_band_scheme": str,
}
_FILE_KEYS = set(TUNABLE_KEYS) | {"year", "provinces", "spec", "data", "crosswalks", "aliases", "province_aliases"}
_BUILTIN_DEFAULTS: dict[str, Any] = {
    "lang": "vi",
    "alpha": 0.05,
    "min_years": 4,
    "adjust": "holm",
    "band_scheme": "provincial",
    "national_band_scheme": "national",
}


@dataclass(frozen=True)
class BriefParams:
    """The parameters of one brief, exactly the ``parameters`` cell of the notebook."""

    province: str
    year: int
    data: str
    survey: str
    spec: str
    lang: str = "vi"
    alpha: float = 0.05
    min_years: int = 4
    adjust: str = "holm"
    band_scheme: str = "provincial"
    national_band_scheme: str = "national"

    def as_notebook_parameters(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RunConfig:
    """A resolved render: the year, the provinces in order, and each province's parameters."""

    year: int
    briefs: tuple[BriefParams, ...]
    sources: tuple[str, ...] = field(default=())


def load_params_file(path: Path | None) -> dict[str, Any]:
    """Read a params YAML (``None`` or missing optional file → ``{}``) and refuse unknown keys."""
    if path is None:
        return {}
    p = Path(path)
    raw = dict(read_yaml_mapping(p, expected="expected a mapping of parameter: value"))
    unknown = sorted(set(raw) - _FILE_KEYS)
    if unknown:
        raise ParamsError(
            f"{p}: unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_FILE_KEYS))}"
        )
    provinces = raw.get("provinces") or {}
    if not isinstance(provinces, dict):
        raise ParamsError(f"{p}: 'provinces' must map a province name to its overrides")
    for name, over in provinces.items():
        if not isinstance(over, dict):
            raise ParamsError(f"{p}: provinces.{name}: expected a mapping of overrides")
        bad = sorted(set(over) - set(TUNABLE_KEYS))
        if bad:
            raise ParamsError(
                f"{p}: provinces.{name}: unknown parameter(s) {', '.join(bad)}; "
                f"allowed: {', '.join(sorted(TUNABLE_KEYS))}"
            )
    return raw


def _check_values(values: Mapping[str, Any], where: str, schemes: Iterable[str]) -> None:
    for key, expected in TUNABLE_KEYS.items():
        if key not in values:
            continue
        v = values[key]
        if isinstance(v, bool) or not isinstance(v, expected):
            raise ParamsError(f"{where}: {key} must be {getattr(expected, '__name__', 'a number')}, got {v!r}")
    if values.get("lang") not in (None, "vi", "en"):
        raise ParamsError(f"{where}: lang must be 'vi' or 'en', got {values['lang']!r}")
    alpha = values.get("alpha")
    if alpha is not None and not (0 < float(alpha) < 0.5):
        raise ParamsError(f"{where}: alpha must be between 0 and 0.5, got {alpha!r}")
    my = values.get("min_years")
    if my is not None and my < 3:
        raise ParamsError(f"{where}: min_years must be at least 3 (a trend needs 3 points), got {my!r}")
    if values.get("adjust") not in (None, "holm", "bh"):
        raise ParamsError(f"{where}: adjust must be 'holm' or 'bh', got {values['adjust']!r}")
    schemes = set(schemes)
    for key in ("band_scheme", "national_band_scheme"):
        if key in values and values[key] not in schemes:
            raise ParamsError(f"{where}: {key} {values[key]!r} is not in the spec; choose one of {sorted(schemes)}")


def resolve_run(
    *,
    available_provinces: Iterable[str],
    available_years: Iterable[int],
    data: str,
    survey: str,
    spec: str,
    band_schemes: Iterable[str],
    defaults_file: Path | None = None,
    params_file: Path | None = None,
    cli: Mapping[str, Any] | None = None,
    provinces: Iterable[str] | None = None,
    year: int | None = None,
) -> RunConfig:
    """Resolve every brief's parameters: defaults.yaml → year file → province overrides → CLI.

    ``cli`` holds only the values the user typed (``None`` values are ignored). The year is the
    command line's, else the params file's, else the latest year in the data. Provinces default
    to every province in the data that has scores in that year.
    """
    from parbrief.data.names import normalize_name
    from parbrief.text.collation import vietnamese_sort_key

    def listing(names: Iterable[str]) -> list[str]:
        return sorted(names, key=vietnamese_sort_key)

    schemes = list(band_schemes)
    defaults = load_params_file(defaults_file) if defaults_file else {}
    year_file = load_params_file(params_file) if params_file else {}
    cli_values = {k: v for k, v in (cli or {}).items() if v is not None}
    for where, values in (
        (str(defaults_file), defaults),
        (str(params_file), year_file),
        ("command line", cli_values),
    ):
        _check_values(values, where, schemes)
    for name, over in (year_file.get("provinces") or {}).items():
        _check_values(over, f"{params_file}: provinces.{name}", schemes)

    years = sorted(int(y) for y in available_years)
    if not years:
        raise ParamsError("the data holds no scores: nothing to render")
    chosen_year = year if year is not None else year_file.get("year", defaults.get("year"))
    chosen_year = int(chosen_year) if chosen_year is not None else years[-1]
    if chosen_year not in years:
        raise ParamsError(
            f"year {chosen_year} is not in the data; years available: {', '.join(map(str, years))}"
        )

    known = {normalize_name(p): p for p in available_provinces}
    if provinces:
        wanted = []
        missing = []
        for p in provinces:
            key = normalize_name(p)
            (wanted.append(known[key]) if key in known else missing.append(p))
        if missing:
            raise ParamsError(
                f"province(s) not in the data for {chosen_year}: {', '.join(missing)}; "
                f"provinces available: {', '.join(listing(known.values()))}"
            )
    else:
        wanted = listing(known.values())
    overrides = {normalize_name(k): v for k, v in (year_file.get("provinces") or {}).items()}
    unknown_over = sorted(set(overrides) - set(known))
    if unknown_over:
        raise ParamsError(
            f"{params_file}: provinces {', '.join(unknown_over)} are not in the data; "
            f"provinces available: {', '.join(listing(known.values()))}"
        )

    base = {**_BUILTIN_DEFAULTS}
    for layer in (defaults, year_file):
        base.update({k: v for k, v in layer.items() if k in TUNABLE_KEYS})
    briefs = []
    for prov in dict.fromkeys(wanted):
        values = {**base, **overrides.get(normalize_name(prov), {}), **cli_values}
        values = {k: v for k, v in values.items() if k in TUNABLE_KEYS}
        briefs.append(
            BriefParams(
                province=prov,
                year=chosen_year,
                data=data,
                survey=survey,
                spec=spec,
                lang=str(values["lang"]),
                alpha=float(values["alpha"]),
                min_years=int(values["min_years"]),
                adjust=str(values["adjust"]),
                band_scheme=str(values["band_scheme"]),
                national_band_scheme=str(values["national_band_scheme"]),
            )
        )
    sources = tuple(str(p) for p in (defaults_file, params_file) if p)
    return RunConfig(year=chosen_year, briefs=tuple(briefs), sources=sources)


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
    if slug in taken_set or slug in {"index", "manifest", "failed", "overview"}:
        slug = f"{slug}-{digest}"
    return slug


def with_overrides(params: BriefParams, **changes: Any) -> BriefParams:
    """A copy of ``params`` with some fields changed (used by tests and the batch)."""
    return replace(params, **changes)
