"""Deterministic, clearly synthetic demo dataset: real provinces and districts, invented scores.

Why: every later piece (statistics, briefs, the batch benchmark) needs data with known answers,
and real district-level PAR scores are not public in one place. The demo uses the real pre-2025
map (13 provinces bundled in ``resources/admin_units.csv`` with their real district-level units,
plus typical departments from ``resources/departments.csv``) and *invents* every number with a
stated model, so a test can check that a trend or a difference the statistics find is one that
was put in (:attr:`DemoData.truth`).

Model (points of a 100-point total; scaled to the spec's ``total_max``):

* total target of unit *u* of province *p* in year *y* =
  type mean (districts 82.5, departments 84) + province effect (N(0, 3)) + unit effect
  (N(0, 3); departments N(0, 2.5)) + unit slope × (y − 2021) + year shock common to all
  (N(0, 0.7)) + province-year shock (N(0, 0.6)) + noise (N(0, 1.2)).
  Slopes: 15 % of units improve (+1.2 … +1.8 a year), 15 % decline (the mirror), the rest are
  flat (N(0, 0.1)). Trending units' levels are kept inside [55, 96] over 2018–2024.
* the total is spread over the components in proportion to their maxima, with a spec-wide
  component profile (N(0, 0.04) of each maximum, weighted to sum 0 over the latest method's
  maxima), a unit profile (N(0, 0.03)) and component noise (N(0, 0.025)); each component is
  clipped to [0, max] and rounded to 0.01 in integer hundredths, and the total is the exact sum
  of those hundredths.
* **method versions**: each year uses the maxima of the spec's method version for that year
  (:meth:`parbrief.spec.IndexSpec.for_year`; with the default spec the method changes in 2020 and
  2022). Component scores jump where a maximum changes, and raw totals shift a little because
  the spec-wide profile no longer cancels under the older maxima: raw scores across a change are
  not comparable, which is what the trend tests and the briefs must respect.
* the national table (province "Việt Nam", the 63 pre-2025 provinces as units) uses each
  province's effect, its own slope (same classes, 0.6 × as steep) and the same shocks around
  a mean of 83.5.
* **2025, the map of 1 July 2025** (years up to :data:`LAST_DEMO_YEAR`): the national table
  has the 34 provinces of Resolution 202/2025/QH15 (an unchanged province continues its own
  effect and slope; a merged one gets the mean of its predecessors' effects + N(0, 1) and a new
  slope). Each new province with a predecessor in the demo gets 2025 scores for departments and
  communes, no districts (the district level ended on 1 July 2025): the departments are the
  successors of its predecessors' departments under the 1 March 2025 reorganization
  (``resources/department_crosswalk_2025.csv``); in an unchanged province a department the
  reorganization left alone *continues* (same draws, same series), every other department is a
  new unit; 60–170 communes and wards per province (:data:`COMMUNES_PER_PROVINCE`, drawn
  triangular with its mode at 80: a province of the new map scores about 100, 3,321 across
  the 34, and the 34 provinces of ``provinces=63`` draw 3,332; the counts are drawn, not the
  real ones; ``communes_per_province`` sets the range, e.g. small for tests), a third of them
  wards, with synthetic names ("Phường 01 – giả lập", "Xã 001 – giả lập": three digits when
  there are 100 or more, so the names sort in their order). New units are centred at 2025
  (type means: communes 82, departments 84; communes' unit SD 3.5). Predecessors have data up to
  2024 only; Hậu Giang, merged into Cần Thơ, is not bundled (its history is in the national table
  only; :attr:`DemoData.reorg` says so).
* survey (districts; communes in 2025): 30–120 respondents per unit and year; satisfaction
  1–5 from a latent normal (ordered probit) with mean 0.55 + unit survey effect (N(0, 0.25), 10 % of units
  +0.7, 10 % −0.7, plus 0.05 SD per point of unit effect) + 0.06 × slope × (y − 2021), cut at
  −1.6, −0.7, 0.3, 1.3; three item columns share 75 % of the latent with their own noise.

Randomness: numpy ``default_rng`` (PCG64) streams keyed by ``[seed, province code, 0]`` (static
draws: effects, slopes, departments) and ``[seed, province code, year]`` (that year's noise and
survey), ``[seed, 0, year]`` for the common year shock, and ``[seed, 100 + new code, 0 | year]``
for the 2025 map (a new province may keep a predecessor's code, so its streams are apart). So
adding provinces or years changes no existing number, and ``mess`` only removes or respells
rows (values of the rows kept are the same with and without it).

Realistic mess (``mess=True``, applied when the named province is in the demo):

* real map change: Huyện Tĩnh Gia (Thanh Hóa) until 2019, Thị xã Nghi Sơn from 2020
  (a unit that appears mid-series); ``mess=False`` gives instead a balanced panel of the units
  on the map of the last requested pre-2025 year (and, with 2025 in the years, the units of
  the new map in 2025);
* Trà Vinh sent no district results for 2019 (a province with a missing year);
* Huyện Cồn Cỏ (Quảng Trị) has no row for 2021 (one unit missing one year);
* names written in other forms: the "new" tone placement ("Hoá", "Thuỷ") in 2020, 2021 and
  2023 (units and provinces), NFD text (as Excel on macOS writes) for Quảng Bình and Cần Thơ in
  2019 and 2022, extra spaces around "Huyện Bắc Quang" in 2018. :attr:`DemoData.truth` and the
  national table use the canonical names (:func:`parbrief.data.names.normalize_name`).

The data are labelled synthetic wherever they are written (README.txt, store metadata).
``make_demo()`` covers 2018–2024 by default; ``parbrief demo`` (:func:`write_demo`) writes
:data:`DEMO_YEARS_2025`, so the store holds both maps.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from parbrief.data.crosswalk import load_department_crosswalk, province_crosswalk_table
from parbrief.data.names import normalize_name
from parbrief.data.validate import NATIONAL
from parbrief.errors import SpecError
from parbrief.files import refuse_system_folder
from parbrief.spec import IndexSpec, load_spec, span_of
from parbrief.text.messages import Joined, Msg, t

__all__ = [
    "DEMO_SEED",
    "DEMO_YEARS_2025",
    "COMMUNES_PER_PROVINCE",
    "FIRST_NEW_MAP_YEAR",
    "LAST_DEMO_YEAR",
    "LAST_PRE2025_YEAR",
    "SURVEY_ITEMS",
    "SCORES_SHEET",
    "NATIONAL_PROVINCE",
    "DemoData",
    "DemoFiles",
    "MessLog",
    "ReorgLog",
    "bundled_units",
    "bundled_departments",
    "pre2025_provinces",
    "make_demo",
    "write_demo",
]

#: The fixed seed of ``parbrief demo``.
DEMO_SEED = 20240101
#: Last year on the 63-province map (Resolution 202/2025/QH15 took effect in June 2025).
LAST_PRE2025_YEAR = 2024
#: First data year on the 34-province map of 1 July 2025 (no districts any more).
FIRST_NEW_MAP_YEAR = 2025
#: Last year the demo can generate.
LAST_DEMO_YEAR = 2025
#: The years of ``parbrief demo``: 2018–2024 on the old map, 2025 on the new one.
DEMO_YEARS_2025 = range(2018, LAST_DEMO_YEAR + 1)
#: Sheet of the demo's Excel scores file.
SCORES_SHEET = "Điểm CCHC"
#: ``province`` value of the national table.
NATIONAL_PROVINCE = NATIONAL
#: Survey item columns (besides ``satisfaction``): procedures, staff attitude, processing time.
SURVEY_ITEMS = ("sat_thu_tuc", "sat_thai_do", "sat_thoi_gian")

_CENTER_YEAR = 2021  # trends are centred here, so adding years changes no level
_MU = {"district": 82.5, "department": 84.0, "province": 83.5, "commune": 82.0}
_SD_UNIT = {"district": 3.0, "department": 2.5, "commune": 3.5}
_SD_PROVINCE = 3.0
_SD_YEAR_COMMON = 0.7
_SD_PROVINCE_YEAR = 0.6
_SD_NOISE = 1.2
_SD_NOISE_NATIONAL = 1.0
_SD_COMPONENT_NOISE = 0.025
_SD_UNIT_PROFILE = 0.03
_SD_SPEC_PROFILE = 0.04
_P_IMPROVING = 0.15
_P_DECLINING = 0.15
_SLOPE_RANGE = (1.2, 1.8)
_SD_FLAT_SLOPE = 0.1
_PROVINCE_SLOPE_FACTOR = 0.6  # provinces' own trends (national table) are milder: ±0.7 … ±1.1 a year
_LEVEL_BOUNDS = (55.0, 96.0)  # trending units' mean path stays inside this over 2018–2024
_SURVEY_N = (30, 120)
_SURVEY_BASE = 0.55
_SURVEY_CUTS = np.array([-1.6, -0.7, 0.3, 1.3])
_SURVEY_ITEM_SHIFT = np.array([-0.1, 0.2, -0.3])
_SURVEY_ITEM_SHARE = 0.75
_SURVEY_TREND = 0.06
_DEPARTMENTS_PER_PROVINCE = (4, 6)
#: How a synthetic unit's name says it is invented: "Xã 01 – giả lập" (a dash, not a second pair of
#: brackets, so "Xã 01 – giả lập (4,55/5 điểm)" reads as one name and one value).
SYNTHETIC_MARK = "– giả lập"
_DEFAULT_UNITS_PER_PROVINCE = (15, 35)
#: Communes and wards of each of the demo's provinces on the map of 1 July 2025 (low, high): a
#: province of the new map has about 100 (3,321 across 34, from about 40 to about 170).
COMMUNES_PER_PROVINCE = (60, 170)
_COMMUNES_MODE = 80  # mode of the triangular draw: mean (60 + 80 + 170) / 3 ≈ 103, 34 provinces ≈ 3,500
_SD_MERGED_PROVINCE = 1.0  # a merged province's effect: mean of its predecessors' + N(0, 1)
_NEW_MAP_STREAM = 100  # streams of the 2025 map: [seed, 100 + new code, 0 | year] (old codes are < 100)

# The mess (see the module docstring); each applies only when its province is in the demo.
_MISSING_PROVINCE_YEAR = ("Trà Vinh", 2019)
_MISSING_UNIT_YEAR = ("Quảng Trị", "Huyện Cồn Cỏ", 2021)
_MODERN_TONE_YEARS = (2020, 2021, 2023)
_NFD = (("Quảng Bình", "Cần Thơ"), (2019, 2022))
_SPACED = ("Hà Giang", "Huyện Bắc Quang", 2018, " Huyện Bắc  Quang ")
#: Kind of name variant → its label in the locales (``demo.mess.variant.<label>``).
_VARIANT_LABELS = {"Hoà/Thuỷ": "tone", "NFD": "nfd", "spaces": "spaces"}
#: Names as the new tone placement writes them (the variant's examples; data, not prose).
_TONE_EXAMPLES = "Hoá, Thuỷ"


# --------------------------------------------------------------------------------------------
# bundled reference data


def _resource(name: str) -> Path:
    return Path(str(resources.files("parbrief").joinpath("resources", name)))


@lru_cache(maxsize=1)
def _units_table() -> pd.DataFrame:
    df = pd.read_csv(_resource("admin_units.csv"), dtype={"province_code": "int64"}, keep_default_na=False)
    for col in ("valid_from", "valid_to"):
        df[col] = pd.to_numeric(df[col].replace("", None)).astype("Int64")
    return df


def bundled_units() -> pd.DataFrame:
    """The real district-level units bundled with parbrief (a copy, one row per unit).

    Columns: ``province_code`` (GSO code), ``province`` (short pre-2025 name), ``region``
    (north/centre/south), ``unit`` (official name with its kind, e.g. "Huyện Lệ Thủy"),
    ``unit_kind`` (huyện / thị xã / thành phố / quận), ``valid_from``/``valid_to`` (first/last
    year the unit existed within 2018–2024, ``<NA>`` = the whole period) and ``note``.
    """
    return _units_table().copy()


@lru_cache(maxsize=1)
def _departments() -> tuple[str, ...]:
    df = pd.read_csv(_resource("departments.csv"), keep_default_na=False)
    return tuple(df["department"])


def bundled_departments() -> list[str]:
    """Typical provincial departments (sở, thanh tra tỉnh) used as ``unit_type=department`` units."""
    return list(_departments())


@lru_cache(maxsize=1)
def _provinces() -> pd.DataFrame:
    cw = province_crosswalk_table()
    return pd.DataFrame({"province_code": cw["old_code"].astype("int64"), "province": cw["old_name"].astype("str")})


def pre2025_provinces() -> pd.DataFrame:
    """The 63 provinces of the pre-2025 map: ``province_code`` (GSO) and short ``province`` name.

    Derived from the bundled 2025 crosswalk (old side), with the prefix ("Tỉnh", "Thành phố")
    dropped and names normalized; Huế is "Thừa Thiên Huế" before 2025.
    """
    return _provinces().copy()


# --------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class MessLog:
    """What :func:`make_demo` did to make the data realistically messy (empty with ``mess=False``)."""

    mid_series: tuple[tuple[str, str, int], ...] = ()  # (province, unit, first year)
    ended: tuple[tuple[str, str, int], ...] = ()  # (province, unit, last year)
    missing_province_years: tuple[tuple[str, int], ...] = ()
    missing_unit_years: tuple[tuple[str, str, int], ...] = ()
    # (province, unit, year, province as written, unit as written, kind)
    name_variants: tuple[tuple[str, str, int, str, str, str], ...] = ()

    def lines(self, lang: str = "vi") -> list[str]:
        """Human-readable description, one line per kind of mess (``demo.mess.*`` of the locales)."""
        out = [t("demo.mess.mid_series", lang, unit=unit, province=prov, year=year)
               for prov, unit, year in self.mid_series]
        out += [t("demo.mess.ended", lang, unit=unit, province=prov, year=year) for prov, unit, year in self.ended]
        out += [t("demo.mess.missing_province_year", lang, province=prov, year=year)
                for prov, year in self.missing_province_years]
        out += [t("demo.mess.missing_unit_year", lang, unit=unit, province=prov, year=year)
                for prov, unit, year in self.missing_unit_years]
        if self.name_variants:
            kinds = [k for k in _VARIANT_LABELS if k in {v[5] for v in self.name_variants}]
            labels = ", ".join(t(f"demo.mess.variant.{_VARIANT_LABELS[k]}", lang, examples=_TONE_EXAMPLES)
                               for k in kinds)
            out.append(t("demo.mess.name_variants", lang, n=len(self.name_variants), labels=labels))
        return out


@dataclass(frozen=True)
class ReorgLog:
    """What the 2025 part of :func:`make_demo` did (empty when no year is on the new map).

    ``new_provinces``: the demo's provinces of the 1 July 2025 map with all their predecessors;
    ``missing_predecessors``: (new province, predecessor) pairs whose predecessor is not in the
    demo (its history is in the national table only); ``method_changes``: (first year, version
    id, name_vi, name_en) of each method version that starts inside the demo's years.
    """

    new_provinces: tuple[tuple[str, tuple[str, ...]], ...] = ()
    missing_predecessors: tuple[tuple[str, str], ...] = ()
    method_changes: tuple[tuple[int, str, str, str], ...] = ()

    def merged(self) -> list[str]:
        """The demo's new provinces formed by merger."""
        return [n for n, preds in self.new_provinces if len(preds) > 1]

    def unchanged(self) -> list[str]:
        """The demo's provinces that the 2025 reorganization left unchanged."""
        return [n for n, preds in self.new_provinces if len(preds) == 1]

    def lines(self, lang: str = "vi", index: Any = None) -> list[str]:
        """Human-readable description (for the README), one line per fact (``demo.reorg.*``);
        ``index``: the index's name (the spec's voice; default the PAR INDEX's)."""
        from parbrief.text.voice import DEFAULT_VOICE

        index = index or DEFAULT_VOICE.index
        out = [t("demo.reorg.method_change", lang, year=year, name=name_vi if lang == "vi" else name_en)
               for year, _, name_vi, name_en in self.method_changes]
        if not self.new_provinces:
            return out
        merged = [f"{n} ({', '.join(p)})" for n, p in self.new_provinces if len(p) > 1]
        same = [n for n, p in self.new_provinces if len(p) == 1]
        if merged:
            out.append(t("demo.reorg.merged", lang, year=FIRST_NEW_MAP_YEAR, merged="; ".join(merged)))
        if same:
            out.append(t("demo.reorg.unchanged", lang, names=", ".join(same)))
        out += [t("demo.reorg.missing_predecessor", lang, new=new, old=old, year=FIRST_NEW_MAP_YEAR, index=index)
                for new, old in self.missing_predecessors]
        out.append(t("demo.reorg.no_districts", lang, year=FIRST_NEW_MAP_YEAR, last_year=LAST_PRE2025_YEAR))
        out.append(t("demo.reorg.departments", lang, year=FIRST_NEW_MAP_YEAR))
        return out


@dataclass(frozen=True, eq=False)
class DemoData:
    """The demo dataset in the data model, plus the truth it was generated from.

    ``scores``: wide scores of every unit (districts and departments; departments and communes
    in 2025) of the demo's provinces; ``national``: same shape, province "Việt Nam", the 63
    provinces as units each year up to 2024 and the 34 provinces of the new map in 2025;
    ``survey``: one row per respondent (districts; communes in 2025); ``truth``: one row per unit (and per
    province of the national table, with ``province == "Việt Nam"``) with the effects, the
    slope and its class, names normalized, and ``valid_from``/``valid_to``, the first/last data
    year of the unit (``<NA>``: open); a name that belongs to two units (the province "Quảng Trị"
    until 2024 and the merged one from 2025) has one row per unit. ``mess_log``: what was made
    messy; ``reorg``: the 2025 reorganization and method changes inside the years.
    """

    scores: pd.DataFrame
    national: pd.DataFrame
    survey: pd.DataFrame
    truth: pd.DataFrame
    mess_log: MessLog
    seed: int
    years: tuple[int, ...]
    spec_id: str
    reorg: ReorgLog = field(default_factory=ReorgLog)


# --------------------------------------------------------------------------------------------
# generation


@dataclass
class _Static:
    """Static draws of one province (from the stream ``[seed, code, 0]``)."""

    province_effect: float
    province_slope: float
    province_trend: str
    units: tuple[str, ...] = ()
    unit_types: tuple[str, ...] = ()
    valid_from: tuple[int | None, ...] = ()
    valid_to: tuple[int | None, ...] = ()
    unit_effect: np.ndarray = field(default_factory=lambda: np.zeros(0))
    slope: np.ndarray = field(default_factory=lambda: np.zeros(0))
    trend: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    survey_effect: np.ndarray = field(default_factory=lambda: np.zeros(0))
    profile: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))


def _trend_draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Slope classes and values: improving / declining (±U(1.2, 1.8)) or flat (N(0, 0.1))."""
    u = rng.random(n)
    mag = rng.uniform(*_SLOPE_RANGE, size=n)
    flat = rng.normal(0.0, _SD_FLAT_SLOPE, size=n)
    trend = np.where(u < _P_IMPROVING, "improving", np.where(u < _P_IMPROVING + _P_DECLINING, "declining", "flat"))
    slope = np.where(trend == "improving", mag, np.where(trend == "declining", -mag, flat))
    return trend.astype(object), slope


def _static_draws(
    seed: int, code: int, bundled: pd.DataFrame | None, synthetic_units: tuple[int, int] | None, n_comp: int
) -> _Static:
    """Province-level and unit-level draws; ``bundled`` rows or a synthetic unit count."""
    rng = np.random.default_rng([seed, code, 0])
    prov_effect = float(rng.normal(0.0, _SD_PROVINCE))
    ptrend, pslope = _trend_draw(rng, 1)
    pslope = pslope * _PROVINCE_SLOPE_FACTOR
    st = _Static(province_effect=prov_effect, province_slope=float(pslope[0]), province_trend=str(ptrend[0]))
    if bundled is None and synthetic_units is None:
        return st
    n_dept = int(rng.integers(_DEPARTMENTS_PER_PROVINCE[0], _DEPARTMENTS_PER_PROVINCE[1] + 1))
    if bundled is not None:
        districts = list(bundled["unit"])
        vf = [None if pd.isna(v) else int(v) for v in bundled["valid_from"]]
        vt = [None if pd.isna(v) else int(v) for v in bundled["valid_to"]]
    else:
        lo, hi = synthetic_units  # type: ignore[misc]
        n_total = int(rng.integers(lo, hi + 1))
        n_dist = max(1, n_total - n_dept)
        districts = [f"Huyện {i:02d} {SYNTHETIC_MARK}" for i in range(1, n_dist + 1)]
        vf = [None] * n_dist
        vt = [None] * n_dist
    all_depts = _departments()
    picked = np.sort(rng.choice(len(all_depts), size=min(n_dept, len(all_depts)), replace=False))
    depts = [all_depts[i] for i in picked]
    units = tuple(districts + depts)
    types = tuple(["district"] * len(districts) + ["department"] * len(depts))
    n = len(units)
    z = rng.normal(0.0, 1.0, size=n)
    sd = np.array([_SD_UNIT[t] for t in types])
    effect = z * sd
    trend, slope = _trend_draw(rng, n)
    s_u = rng.random(n)
    s_noise = rng.normal(0.0, 0.25, size=n)
    profile = rng.normal(0.0, _SD_UNIT_PROFILE, size=(n, n_comp))
    # keep trending units' mean path inside the bounds over 2018–2024 (no clipping of the trend)
    mu = np.array([_MU[t] for t in types]) + prov_effect
    half = np.abs(slope) * (LAST_PRE2025_YEAR - _CENTER_YEAR)
    level = np.clip(mu + effect, _LEVEL_BOUNDS[0] + half, _LEVEL_BOUNDS[1] - half)
    effect = level - mu
    survey = s_noise + np.where(s_u < 0.1, 0.7, np.where(s_u < 0.2, -0.7, 0.0)) + 0.05 * effect
    survey = np.where(np.array(types) == "district", survey, np.nan)
    st.units, st.unit_types = units, types
    st.valid_from, st.valid_to = tuple(vf + [None] * len(depts)), tuple(vt + [None] * len(depts))
    st.unit_effect, st.slope, st.trend, st.survey_effect, st.profile = effect, slope, trend, survey, profile
    return st


def _spec_profile(seed: int, spec: IndexSpec, columns: Sequence[str]) -> np.ndarray:
    """The spec-wide component profile, one offset per column, weighted to sum 0 over the LATEST
    version's maxima (so the latest method's totals are centred; under an older method's maxima
    the same offsets no longer cancel, and raw totals shift a little, as they do in reality)."""
    latest = {c.code: c.max_points for c in spec.latest_version.components}
    weights = np.array([latest.get(c, 0.0) for c in columns], dtype=float)
    off = np.random.default_rng([seed, 0, 0]).normal(0.0, _SD_SPEC_PROFILE, size=len(columns))
    return off - (off * weights).sum() / weights.sum()


def _version_maxima(spec: IndexSpec, columns: Sequence[str], year: int) -> tuple[np.ndarray, float]:
    """Maxima of ``year``'s method version over ``columns`` (NaN: not a component then) and its scale."""
    version = spec.version_for(year)
    by_code = {c.code: c.max_points for c in version.components}
    return np.array([by_code.get(c, np.nan) for c in columns], dtype=float), version.total_max / 100.0


def _components_cents(target_total: np.ndarray, maxima: np.ndarray, offsets: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Spread totals (100-point scale) over components: share of each maximum, clipped, in hundredths."""
    frac = target_total[:, None] / 100.0 + offsets + _SD_COMPONENT_NOISE * z
    comp = np.clip(frac, 0.0, 1.0) * maxima[None, :]
    return np.rint(comp * 100.0).astype(np.int64)


def _year_cents(
    target_total: np.ndarray, maxima: np.ndarray, scale: float, offsets: np.ndarray, z: np.ndarray
) -> np.ndarray:
    """Component hundredths of one year under that year's maxima (float; NaN for a component the
    year's method does not have). Computed on a 100-point scale, then rescaled to the version's
    ``total_max`` and capped at its maxima, so no stored component exceeds its maximum."""
    present = np.isfinite(maxima)
    m = np.where(present, maxima, 0.0)
    cents = _components_cents(target_total, m / scale, offsets, z)
    if scale != 1.0:
        cents = np.minimum(np.rint(cents * scale).astype(np.int64), np.rint(m * 100).astype(np.int64)[None, :])
    out = cents.astype(float)
    out[:, ~present] = np.nan
    return out


_MODERN = re.compile(r"(?<![qQ])([òóỏõọÒÓỎÕỌ])([aeAE])\b|(?<![qQ])([ùúủũụÙÚỦŨỤ])([yY])\b")


def _modern_tone(name: str) -> str:
    """Rewrite traditional tone placement as the "new" one ("Hóa" → "Hoá", "Thủy" → "Thuỷ").

    Hand-written on purpose: it is the inverse of :func:`normalize_name`'s rule and exists only
    to produce realistic mess; tests check that ``normalize_name`` undoes it.
    """

    def repl(m: re.Match[str]) -> str:
        toned, plain = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        parts = unicodedata.normalize("NFD", toned)
        base, tone = parts[0], parts[1:]
        return base + unicodedata.normalize("NFC", plain + tone)

    return _MODERN.sub(repl, name)


def _written(province: str, unit: str, year: int, mess: bool) -> tuple[str, str, str]:
    """How a province and unit name are written in a given year's file, and the kind of variant."""
    if not mess:
        return province, unit, ""
    if year in _MODERN_TONE_YEARS:
        p2, u2 = _modern_tone(province), _modern_tone(unit)
        if (p2, u2) != (province, unit):
            return p2, u2, "Hoà/Thuỷ"
    if province in _NFD[0] and year in _NFD[1]:
        return unicodedata.normalize("NFD", province), unicodedata.normalize("NFD", unit), "NFD"
    if (province, unit, year) == _SPACED[:3]:
        return province, _SPACED[3], "spaces"
    return province, unit, ""


def _resolve_provinces(
    provinces: int | Sequence[str] | None, units_per_province: tuple[int, int] | None
) -> list[tuple[int, str, pd.DataFrame | None]]:
    """(code, name, bundled rows or None for synthetic) for the demo's provinces, in code order."""
    table = _units_table()
    allp = _provinces()
    bundled_codes = sorted(set(table["province_code"]))
    name_of = dict(zip(allp["province_code"], allp["province"]))
    if provinces is None:
        codes = bundled_codes
    elif isinstance(provinces, (int, np.integer)) and not isinstance(provinces, bool):
        n = int(provinces)
        if not 1 <= n <= len(allp):
            raise ValueError(f"provinces must be between 1 and {len(allp)}, got {n}")
        others = [int(c) for c in allp["province_code"] if int(c) not in bundled_codes]
        codes = sorted((bundled_codes + others)[:n])
    else:
        code_of = {normalize_name(v): k for k, v in name_of.items()}
        wanted = [normalize_name(p) for p in provinces]
        unknown = [p for p in wanted if p not in code_of]
        if unknown:
            raise ValueError(f"unknown province(s) {unknown}; use the short pre-2025 names, e.g. 'Quảng Bình'")
        codes = sorted({code_of[p] for p in wanted})
    if units_per_province is not None:
        lo, hi = units_per_province
        if not (isinstance(lo, int) and isinstance(hi, int)) or lo < _DEPARTMENTS_PER_PROVINCE[1] + 1 or hi < lo:
            raise ValueError(
                "units_per_province must be (low, high) integers with "
                f"{_DEPARTMENTS_PER_PROVINCE[1] + 1} <= low <= high, got {units_per_province!r}"
            )
    out = []
    for code in codes:
        rows = table[table["province_code"] == code]
        out.append((int(code), name_of[code], rows if len(rows) else None))
    return out


def _check_years(years: Sequence[int], spec: IndexSpec) -> tuple[int, ...]:
    ys = tuple(int(y) for y in years)
    if not ys:
        raise ValueError("years must not be empty")
    if len(set(ys)) != len(ys):
        raise ValueError(f"years must not repeat, got {list(ys)}")
    bad = [y for y in ys if y > LAST_DEMO_YEAR or y < 2000]
    if bad:
        raise ValueError(
            f"the demo covers 2000–{LAST_DEMO_YEAR} (the 63-province map until {LAST_PRE2025_YEAR}, the 34-province "
            f"map of 1 July 2025 in {FIRST_NEW_MAP_YEAR}); got {bad}"
        )
    uncovered = [y for y in ys if not spec.covers(y)]
    if uncovered:  # the user's spec (parbrief demo --spec) lacks a method for some demo years
        spans = Joined(Msg("spec.version_span", id=v.id, span=span_of(v)) for v in spec.versions)
        raise SpecError.keyed("spec.error.year_uncovered", source=spec.source, id=spec.id,
                              year=", ".join(map(str, uncovered)), spans=spans)
    return tuple(sorted(ys))


def _str_col(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype="str")


@dataclass(frozen=True)
class _NewProvince:
    """A province of the 1 July 2025 map: its code, short name and predecessors (code, name)."""

    code: int
    name: str
    predecessors: tuple[tuple[int, str], ...]

    @property
    def unchanged(self) -> bool:
        return len(self.predecessors) == 1


@lru_cache(maxsize=1)
def _new_provinces() -> tuple[_NewProvince, ...]:
    t = province_crosswalk_table()
    out = []
    for code in sorted(set(t["new_code"])):
        rows = t[t["new_code"] == code]
        preds = tuple((int(c), str(n)) for c, n in zip(rows["old_code"], rows["old_name"]))
        out.append(_NewProvince(code=int(code), name=str(rows["new_name"].iloc[0]), predecessors=preds))
    return tuple(out)


def _new_units(
    seed: int, np_: _NewProvince, old_statics: dict[int, _Static], n_comp: int,
    communes: tuple[int, int] = COMMUNES_PER_PROVINCE,
) -> tuple[float, float, str, list[dict[str, object]]]:
    """Province-level draws of a new province and its 2025 units (stream ``[seed, 100 + code, 0]``).

    Returns (province effect, province slope, trend class, units); each unit is a dict with
    name, type, effect, slope, trend, survey effect, profile and ``continues`` (the old
    department it continues, for an unchanged province's department that the 1 March 2025
    reorganization left alone; its draws are the old ones). Departments formed by merger and
    every department of a merged province are new units; communes are new (names synthetic).
    """
    rng = np.random.default_rng([seed, _NEW_MAP_STREAM + np_.code, 0])
    pred_effects = [
        (old_statics[c] if c in old_statics else _static_draws(seed, c, None, None, n_comp)).province_effect
        for c, _ in np_.predecessors
    ]
    new_effect = float(np.mean(pred_effects) + rng.normal(0.0, _SD_MERGED_PROVINCE))
    ptrend, pslope = _trend_draw(rng, 1)
    if np_.unchanged:
        old = old_statics.get(np_.predecessors[0][0]) or _static_draws(seed, np_.predecessors[0][0], None, None, n_comp)
        p_effect, p_slope, p_trend = old.province_effect, old.province_slope, old.province_trend
    else:
        p_effect, p_slope, p_trend = new_effect, float(pslope[0]) * _PROVINCE_SLOPE_FACTOR, str(ptrend[0])
    dept_cw = load_department_crosswalk()
    units: list[dict[str, object]] = []
    seen: set[str] = set()
    for code, _ in np_.predecessors:
        st = old_statics.get(code)
        if st is None:
            continue  # a predecessor outside the demo (e.g. Hậu Giang): its departments are unknown here
        for i, (u, t) in enumerate(zip(st.units, st.unit_types)):
            if t != "department":
                continue
            succ = dept_cw.successor(u)
            if succ in seen:
                continue
            seen.add(succ)
            cont = np_.unchanged and dept_cw.is_unchanged(succ)
            units.append({"name": succ, "type": "department", "continues": (code, i) if cont else None})
    order = {d: k for k, d in enumerate(dict.fromkeys(dept_cw.successor(d) for d in _departments()))}
    units.sort(key=lambda u: order[str(u["name"])])
    n_comm = _commune_count(rng, communes)
    n_ward = max(1, n_comm // 3)
    n_xa = n_comm - n_ward
    units += [{"name": name, "type": "commune", "continues": None}
              for name in (*_synthetic_names("Phường", n_ward), *_synthetic_names("Xã", n_xa))]
    fresh = [u for u in units if u["continues"] is None]
    n = len(fresh)
    types = [str(u["type"]) for u in fresh]
    z = rng.normal(0.0, 1.0, size=n)
    effect = z * np.array([_SD_UNIT[t] for t in types])
    trend, slope = _trend_draw(rng, n)
    s_u = rng.random(n)
    s_noise = rng.normal(0.0, 0.25, size=n)
    profile = rng.normal(0.0, _SD_UNIT_PROFILE, size=(n, n_comp))
    mu = np.array([_MU[t] for t in types]) + p_effect
    effect = np.clip(mu + effect, *_LEVEL_BOUNDS) - mu
    survey = s_noise + np.where(s_u < 0.1, 0.7, np.where(s_u < 0.2, -0.7, 0.0)) + 0.05 * effect
    for k, u in enumerate(fresh):
        u.update(effect=float(effect[k]), slope=float(slope[k]), trend=str(trend[k]), profile=profile[k],
                 survey=float(survey[k]) if u["type"] == "commune" else math.nan, center=FIRST_NEW_MAP_YEAR)
    for u in units:
        if u["continues"] is not None:
            code, i = u["continues"]  # type: ignore[misc]
            st = old_statics[code]
            u.update(effect=float(st.unit_effect[i]), slope=float(st.slope[i]), trend=str(st.trend[i]),
                     profile=st.profile[i], survey=math.nan, center=_CENTER_YEAR)
    return p_effect, p_slope, p_trend, units


def _commune_count(rng: np.random.Generator, communes: tuple[int, int]) -> int:
    """How many communes and wards a new province has: triangular on ``communes`` with its mode at
    :data:`_COMMUNES_MODE` (most provinces near 100, a few near 60 or 170, as on the real map)."""
    lo, hi = communes
    draw = float(rng.random())  # one draw whatever the range, so the streams after it do not move
    if lo == hi:
        return lo
    mode = min(max(_COMMUNES_MODE, lo), hi)
    c = (mode - lo) / (hi - lo)  # inverse CDF of the triangular distribution
    x = lo + math.sqrt(draw * (hi - lo) * (mode - lo)) if draw < c else hi - math.sqrt((1 - draw) * (hi - lo) * (hi - mode))
    return int(min(hi, max(lo, round(x))))


def _synthetic_names(kind: str, n: int) -> list[str]:
    """"Xã 01 – giả lập" … (two digits; three from 100 on, so the names sort in their order)."""
    width = max(2, len(str(n)))
    return [f"{kind} {k:0{width}d} {SYNTHETIC_MARK}" for k in range(1, n + 1)]


def _check_communes(communes: tuple[int, int] | None) -> tuple[int, int]:
    """The communes-per-province range of :func:`make_demo` (``None``: :data:`COMMUNES_PER_PROVINCE`)."""
    if communes is None:
        return COMMUNES_PER_PROVINCE
    lo, hi = communes
    if not (isinstance(lo, (int, np.integer)) and isinstance(hi, (int, np.integer))) or lo < 1 or hi < lo:
        raise ValueError(f"communes_per_province must be (low, high) integers with 1 <= low <= high, "
                         f"got {communes!r}")
    return int(lo), int(hi)


@dataclass
class _DemoBuild:
    """What :func:`make_demo` knows (arguments, draws shared by all parts) and the rows it collects."""

    seed: int
    spec: IndexSpec
    ys: tuple[int, ...]
    codes: tuple[str, ...]
    n_comp: int
    spec_off: np.ndarray
    by_year: dict[int, tuple[np.ndarray, float]]
    year_shock: dict[int, float]
    old_ys: tuple[int, ...]
    new_ys: tuple[int, ...]
    panel_year: int | None
    plan: list
    mess: bool
    in_demo: set[int]
    ended_2024: set[int]
    renamed: dict[int, str]
    statics: dict[int, _Static]
    communes: tuple[int, int] = COMMUNES_PER_PROVINCE
    n_items: int = len(SURVEY_ITEMS)
    nat_cents: list = field(default_factory=list)
    nat_units: list = field(default_factory=list)
    nat_years: list = field(default_factory=list)
    truth_rows: list = field(default_factory=list)
    pyear_draws: dict = field(default_factory=dict)
    pyear_shock: dict = field(default_factory=dict)
    mid_series: list = field(default_factory=list)
    ended: list = field(default_factory=list)
    missing_py: list = field(default_factory=list)
    missing_uy: list = field(default_factory=list)
    variants: list = field(default_factory=list)
    s_prov: list = field(default_factory=list)
    s_unit: list = field(default_factory=list)
    s_type: list = field(default_factory=list)
    s_year: list = field(default_factory=list)
    s_cents: list = field(default_factory=list)
    v_prov: list = field(default_factory=list)
    v_unit: list = field(default_factory=list)
    v_year: list = field(default_factory=list)
    v_resp: list = field(default_factory=list)
    v_vals: list = field(default_factory=list)
    reorg_new: list = field(default_factory=list)
    reorg_missing: list = field(default_factory=list)


def make_demo(
    seed: int = DEMO_SEED,
    spec: IndexSpec | None = None,
    provinces: int | Sequence[str] | None = None,
    years: Sequence[int] = range(2018, LAST_PRE2025_YEAR + 1),
    units_per_province: tuple[int, int] | None = None,
    mess: bool = True,
    communes_per_province: tuple[int, int] | None = None,
) -> DemoData:
    """Generate the synthetic demo dataset (scores, national table, survey, truth) deterministically.

    ``provinces``: ``None`` = the 13 bundled provinces with their real units; an int *n* = the
    bundled ones (in code order) then the other provinces of the pre-2025 map with synthetic
    districts ("Huyện 01 – giả lập" …) up to *n* (63 = all, for the benchmark); or a list of
    short province names. ``units_per_province`` = (low, high) range of the unit count (districts
    plus 4–6 departments) of each *synthetic* province, default (15, 35); bundled provinces keep
    their real units. ``years`` may run to 2025 (:data:`DEMO_YEARS_2025`): 2025 is on the map of
    1 July 2025 (see the module docstring). Each year's components follow the spec's method
    version for that year. ``mess`` adds the realistic problems described in the module
    docstring. ``communes_per_province`` = (low, high) range of the communes and wards of each
    province on the map of 1 July 2025, default :data:`COMMUNES_PER_PROVINCE` (60, 170; tests
    that check something else than a long list pass a small range). The model and the random
    streams are described there too; same arguments → identical frames.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    spec = spec if spec is not None else load_spec()
    ys = _check_years(years, spec)
    old_ys = tuple(y for y in ys if y <= LAST_PRE2025_YEAR)
    new_ys = tuple(y for y in ys if y >= FIRST_NEW_MAP_YEAR)
    plan = _resolve_provinces(provinces, units_per_province)
    communes = _check_communes(communes_per_province)
    synth_range = units_per_province or _DEFAULT_UNITS_PER_PROVINCE
    codes = spec.all_codes
    n_comp = len(codes)
    spec_off = _spec_profile(seed, spec, codes)
    by_year = {y: _version_maxima(spec, codes, y) for y in ys}
    year_shock = {y: float(np.random.default_rng([seed, 0, y]).normal(0.0, _SD_YEAR_COMMON)) for y in ys}
    panel_year = old_ys[-1] if old_ys else None

    # national table: every province of the pre-2025 map
    allp = _provinces()
    in_demo = {code for code, _, _ in plan}
    ended_2024 = {c for np_ in _new_provinces() if not np_.unchanged for c, _ in np_.predecessors}
    renamed = {np_.predecessors[0][0]: np_.name for np_ in _new_provinces()
               if np_.unchanged and np_.predecessors[0][1] != np_.name}
    statics: dict[int, _Static] = {}
    for code, _, rows in plan:
        statics[code] = _static_draws(seed, code, rows, None if rows is not None else synth_range, n_comp)
    b = _DemoBuild(
        seed=seed, spec=spec, ys=ys, codes=codes, n_comp=n_comp, spec_off=spec_off, by_year=by_year,
        year_shock=year_shock, old_ys=old_ys, new_ys=new_ys, panel_year=panel_year, plan=plan, mess=mess,
        in_demo=in_demo, ended_2024=ended_2024, renamed=renamed, statics=statics, communes=communes,
    )
    _national_pre2025(b, allp)
    _units_pre2025(b)
    _new_map(b)
    return _assemble(b)


def _survey_rows(b: _DemoBuild, rng: np.random.Generator, counts: np.ndarray, mean: np.ndarray, keep: np.ndarray,
                wp: np.ndarray, wu: np.ndarray, year: int) -> None:
    """Append one year's survey answers of ``counts`` respondents per unit (rows in ``keep`` only)."""
    latent = rng.normal(0.0, 1.0, size=(int(counts.sum()), 1 + b.n_items))
    row_unit = np.repeat(np.arange(len(mean)), counts)
    m = mean[row_unit]
    sat = m + latent[:, 0]
    items = (
        m[:, None]
        + _SURVEY_ITEM_SHIFT[None, :b.n_items]
        + _SURVEY_ITEM_SHARE * latent[:, [0]]
        + np.sqrt(1 - _SURVEY_ITEM_SHARE**2) * latent[:, 1:]
    )
    vals = np.searchsorted(_SURVEY_CUTS, np.column_stack([sat, items])).astype(np.int64) + 1
    resp = np.concatenate([np.arange(1, c + 1) for c in counts]) if len(counts) else np.zeros(0, np.int64)
    keep_rows = keep[row_unit]
    b.v_prov.append(wp[row_unit][keep_rows])
    b.v_unit.append(wu[row_unit][keep_rows])
    b.v_year.append(np.full(int(keep_rows.sum()), year, dtype=np.int64))
    b.v_resp.append(resp[keep_rows].astype(np.int64))
    b.v_vals.append(vals[keep_rows])



def _national_pre2025(b: _DemoBuild, allp: pd.DataFrame) -> None:
    """The national table on the pre-2025 map; keeps each demo province-year's draws for its units."""
    for code, pname in zip(allp["province_code"], allp["province"]):
        code = int(code)
        st = b.statics[code] if code in b.in_demo else _static_draws(b.seed, code, None, None, b.n_comp)
        last = LAST_PRE2025_YEAR if (code in b.ended_2024 or (code in b.renamed and b.new_ys)) else None
        b.truth_rows.append(
            {
                "province": NATIONAL_PROVINCE,
                "unit": pname,
                "unit_type": "province",
                "province_effect": st.province_effect,
                "unit_effect": st.province_effect,
                "slope_per_year": st.province_slope,
                "trend": st.province_trend,
                "survey_effect": np.nan,
                "valid_from": None,
                "valid_to": last,
            }
        )
        for y in b.old_ys:
            rng = np.random.default_rng([b.seed, code, y])
            shock = float(rng.normal(0.0, _SD_PROVINCE_YEAR))
            noise = float(rng.normal(0.0, _SD_NOISE_NATIONAL))
            z = rng.normal(0.0, 1.0, size=(1, b.n_comp))
            target = (
                _MU["province"]
                + st.province_effect
                + st.province_slope * (y - _CENTER_YEAR)
                + b.year_shock[y]
                + shock
                + noise
            )
            b.nat_cents.append(_year_cents(np.array([target]), *b.by_year[y], b.spec_off, z))
            b.nat_units.append(pname)
            b.nat_years.append(y)
            if code in b.in_demo:
                b.pyear_draws[(code, y)] = rng
                b.pyear_shock[(code, y)] = shock



def _units_pre2025(b: _DemoBuild) -> None:
    """Units (districts, departments) and survey of the demo's provinces, pre-2025 map."""
    dept_cw = load_department_crosswalk()
    for code, pname, _ in b.plan:
        st = b.statics[code]
        n = len(st.units)
        types = np.array(st.unit_types, dtype=object)
        is_dist = types == "district"
        mu = np.array([_MU[t] for t in st.unit_types])
        for i, unit in enumerate(st.units):
            if st.unit_types[i] == "district":
                last = min(st.valid_to[i] or LAST_PRE2025_YEAR, LAST_PRE2025_YEAR)
            elif code in b.ended_2024 or not dept_cw.is_unchanged(dept_cw.successor(unit)):
                last = LAST_PRE2025_YEAR
            else:
                last = None
            b.truth_rows.append(
                {
                    "province": pname,
                    "unit": unit,
                    "unit_type": st.unit_types[i],
                    "province_effect": st.province_effect,
                    "unit_effect": float(st.unit_effect[i]),
                    "slope_per_year": float(st.slope[i]),
                    "trend": str(st.trend[i]),
                    "survey_effect": float(st.survey_effect[i]),
                    "valid_from": st.valid_from[i],
                    "valid_to": last,
                }
            )
        if not b.old_ys:
            continue
        # which unit-years exist
        vf = np.array([-1 if v is None else v for v in st.valid_from])
        vt = np.array([9999 if v is None else v for v in st.valid_to])
        if b.mess:
            for i, unit in enumerate(st.units):
                if st.valid_from[i] is not None and st.valid_from[i] > b.old_ys[0] and st.valid_from[i] <= b.old_ys[-1]:
                    b.mid_series.append((pname, unit, int(st.valid_from[i])))
                if st.valid_to[i] is not None and b.old_ys[0] <= st.valid_to[i] < b.old_ys[-1]:
                    b.ended.append((pname, unit, int(st.valid_to[i])))
        else:
            on_map = (vf <= b.panel_year) & (b.panel_year <= vt)
        for y in b.old_ys:
            rng = b.pyear_draws[(code, y)]
            noise = rng.normal(0.0, _SD_NOISE, size=n)
            z = rng.normal(0.0, 1.0, size=(n, b.n_comp))
            counts = rng.integers(_SURVEY_N[0], _SURVEY_N[1] + 1, size=int(is_dist.sum()))
            target = (
                mu
                + st.province_effect
                + st.unit_effect
                + st.slope * (y - _CENTER_YEAR)
                + b.year_shock[y]
                + b.pyear_shock[(code, y)]
                + noise
            )
            cents = _year_cents(target, *b.by_year[y], b.spec_off[None, :] + st.profile, z)
            if b.mess:
                keep = (vf <= y) & (y <= vt)
                if (pname, y) == _MISSING_PROVINCE_YEAR:
                    keep[:] = False
                    b.missing_py.append((pname, y))
                for i, unit in enumerate(st.units):
                    if (pname, unit, y) == _MISSING_UNIT_YEAR and keep[i]:
                        keep[i] = False
                        b.missing_uy.append((pname, unit, y))
            else:
                keep = on_map.copy()
            wp = np.empty(n, dtype=object)
            wu = np.empty(n, dtype=object)
            for i, unit in enumerate(st.units):
                p2, u2, kind = _written(pname, unit, y, b.mess)
                wp[i], wu[i] = p2, u2
                if kind and keep[i]:
                    b.variants.append((pname, unit, y, p2, u2, kind))
            b.s_prov.append(wp[keep])
            b.s_unit.append(wu[keep])
            b.s_type.append(types[keep])
            b.s_year.append(np.full(int(keep.sum()), y, dtype=np.int64))
            b.s_cents.append(cents[keep])
            # survey: districts only, same written names as the scores
            dist_idx = np.flatnonzero(is_dist)
            mean = _SURVEY_BASE + st.survey_effect[dist_idx] + _SURVEY_TREND * st.slope[dist_idx] * (y - _CENTER_YEAR)
            _survey_rows(b, rng, counts, mean, keep[dist_idx], wp[dist_idx], wu[dist_idx], y)



def _new_map(b: _DemoBuild) -> None:
    """The map of 1 July 2025: national rows of the 34 provinces, units and survey of the demo's."""
    # the map of 1 July 2025: 34 provinces in the national table; the demo's new provinces get
    # departments and communes (no districts any more)
    b.reorg_new: list[tuple[str, tuple[str, ...]]] = []
    b.reorg_missing: list[tuple[str, str]] = []
    if b.new_ys:
        for np_ in _new_provinces():
            p_effect, p_slope, p_trend, units = _new_units(b.seed, np_, b.statics, b.n_comp, b.communes)
            demo_here = any(c in b.in_demo for c, _ in np_.predecessors)
            if not np_.unchanged or np_.predecessors[0][1] != np_.name:
                b.truth_rows.append(
                    {
                        "province": NATIONAL_PROVINCE, "unit": np_.name, "unit_type": "province",
                        "province_effect": p_effect, "unit_effect": p_effect, "slope_per_year": p_slope,
                        "trend": p_trend, "survey_effect": np.nan, "valid_from": FIRST_NEW_MAP_YEAR,
                        "valid_to": None,
                    }
                )
            if demo_here:
                b.reorg_new.append((np_.name, tuple(n for _, n in np_.predecessors)))
                b.reorg_missing += [(np_.name, n) for c, n in np_.predecessors if c not in b.in_demo]
                for u in units:
                    if u["continues"] is None:
                        b.truth_rows.append(
                            {
                                "province": np_.name, "unit": u["name"], "unit_type": u["type"],
                                "province_effect": p_effect, "unit_effect": u["effect"],
                                "slope_per_year": u["slope"], "trend": u["trend"], "survey_effect": u["survey"],
                                "valid_from": FIRST_NEW_MAP_YEAR, "valid_to": None,
                            }
                        )
            n = len(units)
            utypes = np.array([u["type"] for u in units], dtype=object)
            is_comm = utypes == "commune"
            mu = np.array([_MU[str(t)] for t in utypes])
            effect = np.array([u["effect"] for u in units], dtype=float)
            slope = np.array([u["slope"] for u in units], dtype=float)
            center = np.array([u["center"] for u in units], dtype=float)
            profile = np.array([u["profile"] for u in units], dtype=float).reshape(n, b.n_comp)
            s_eff = np.array([u["survey"] for u in units], dtype=float)
            names = np.array([u["name"] for u in units], dtype=object)
            for y in b.new_ys:
                rng = np.random.default_rng([b.seed, _NEW_MAP_STREAM + np_.code, y])
                shock = float(rng.normal(0.0, _SD_PROVINCE_YEAR))
                noise = float(rng.normal(0.0, _SD_NOISE_NATIONAL))
                z = rng.normal(0.0, 1.0, size=(1, b.n_comp))
                target = _MU["province"] + p_effect + p_slope * (y - _CENTER_YEAR) + b.year_shock[y] + shock + noise
                b.nat_cents.append(_year_cents(np.array([target]), *b.by_year[y], b.spec_off, z))
                b.nat_units.append(np_.name)
                b.nat_years.append(y)
                if not demo_here:
                    continue
                noise_u = rng.normal(0.0, _SD_NOISE, size=n)
                z_u = rng.normal(0.0, 1.0, size=(n, b.n_comp))
                counts = rng.integers(_SURVEY_N[0], _SURVEY_N[1] + 1, size=int(is_comm.sum()))
                target_u = mu + p_effect + effect + slope * (y - center) + b.year_shock[y] + shock + noise_u
                cents = _year_cents(target_u, *b.by_year[y], b.spec_off[None, :] + profile, z_u)
                keep = np.ones(n, dtype=bool)
                wp = np.full(n, np_.name, dtype=object)
                b.s_prov.append(wp)
                b.s_unit.append(names.copy())
                b.s_type.append(utypes.copy())
                b.s_year.append(np.full(n, y, dtype=np.int64))
                b.s_cents.append(cents)
                idx = np.flatnonzero(is_comm)
                mean = _SURVEY_BASE + s_eff[idx] + _SURVEY_TREND * slope[idx] * (y - center[idx])
                _survey_rows(b, rng, counts, mean, keep[idx], wp[idx], names[idx], y)



def _local_department_names(frame: pd.DataFrame, column: str = "unit") -> pd.DataFrame:
    """A centrally-run city's inspectorate is "Thanh tra thành phố", not "Thanh tra tỉnh" (the
    bundled list is written for a province); the city is told by its official name that year."""
    from parbrief.data.crosswalk import province_official_name

    if frame.empty or "province" not in frame.columns:
        return frame

    def is_city(province: str, year: int | None) -> bool:
        try:
            return province_official_name(province, year).startswith("Thành phố ")
        except KeyError:
            return False

    years = frame["year"].astype(int).tolist() if "year" in frame.columns else [None] * len(frame)
    cities = {(p, y) for p, y in set(zip(frame["province"], years)) if is_city(str(p), y)}
    if not cities:
        return frame
    # the name as written that year may be decomposed (NFD) or spaced differently: compare it normalized
    hit = [(p, y) in cities and " ".join(unicodedata.normalize("NFC", str(u)).split()) == "Thanh tra tỉnh"
           for p, y, u in zip(frame["province"], years, frame[column])]
    if any(hit):
        frame = frame.copy()
        frame.loc[hit, column] = "Thanh tra thành phố"
    return frame


def _assemble(b: _DemoBuild) -> DemoData:
    """The collected rows as the demo's frames and logs."""
    nat = np.vstack(b.nat_cents) if b.nat_cents else np.zeros((0, b.n_comp))
    national = _frame(
        np.full(len(b.nat_units), NATIONAL_PROVINCE, dtype=object),
        np.array(b.nat_units, dtype=object),
        np.full(len(b.nat_units), "province", dtype=object),
        np.array(b.nat_years, dtype=np.int64),
        nat,
        b.codes,
    )
    national = national.sort_values(["year"], kind="stable").reset_index(drop=True)
    scores = _frame(
        _cat(b.s_prov, object),
        _cat(b.s_unit, object),
        _cat(b.s_type, object),
        _cat(b.s_year, np.int64),
        np.vstack(b.s_cents) if b.s_cents else np.zeros((0, b.n_comp)),
        b.codes,
    )
    vv = np.vstack(b.v_vals) if b.v_vals else np.zeros((0, 1 + b.n_items), dtype=np.int64)
    survey = pd.DataFrame(
        {
            "province": _str_col(_cat(b.v_prov, object)),
            "unit": _str_col(_cat(b.v_unit, object)),
            "year": _cat(b.v_year, np.int64),
            "respondent": _cat(b.v_resp, np.int64),
            "satisfaction": vv[:, 0],
            **{name: vv[:, j + 1] for j, name in enumerate(SURVEY_ITEMS)},
        }
    )
    scores, survey = _local_department_names(scores), _local_department_names(survey)
    truth = _local_department_names(pd.DataFrame(b.truth_rows))
    for col in ("province", "unit", "unit_type", "trend"):
        truth[col] = truth[col].astype("str")
    for col in ("valid_from", "valid_to"):
        truth[col] = pd.array([None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)
                               for v in truth[col]], dtype="Int64")
    log = MessLog(
        mid_series=tuple(b.mid_series),
        ended=tuple(b.ended),
        missing_province_years=tuple(b.missing_py),
        missing_unit_years=tuple(b.missing_uy),
        name_variants=tuple(b.variants),
    )
    changes = tuple((int(v.first_year), v.id, v.name_vi, v.name_en) for v in b.spec.versions[1:]
                    if v.first_year is not None and b.ys[0] < v.first_year <= b.ys[-1])
    reorg = ReorgLog(new_provinces=tuple(b.reorg_new), missing_predecessors=tuple(b.reorg_missing),
                     method_changes=changes)
    return DemoData(
        scores=scores, national=national, survey=survey, truth=truth, mess_log=log, seed=b.seed, years=b.ys,
        spec_id=b.spec.id, reorg=reorg,
    )




def _cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _frame(
    prov: np.ndarray,
    unit: np.ndarray,
    utype: np.ndarray,
    year: np.ndarray,
    cents: np.ndarray,
    codes: list[str],
) -> pd.DataFrame:
    """Wide frame of the data model from component hundredths (total = their exact sum; a
    component the year's method does not have is NaN and adds nothing)."""
    total = np.nansum(cents, axis=1) if len(cents) else np.zeros(0)
    data: dict[str, object] = {
        "province": _str_col(prov),
        "unit": _str_col(unit),
        "unit_type": _str_col(utype),
        "year": year.astype(np.int64),
        "total": total / 100.0,
    }
    for j, c in enumerate(codes):
        data[c] = cents[:, j] / 100.0
    return pd.DataFrame(data)


# --------------------------------------------------------------------------------------------
# files


@dataclass(frozen=True)
class DemoFiles:
    """What :func:`write_demo` wrote (paths and counts); always synthetic data."""

    out_dir: Path
    scores: Path
    national: Path
    survey: Path
    readme: Path
    store: Path
    seed: int
    years: tuple[int, ...]
    n_provinces: int
    n_units: int
    n_score_rows: int
    n_national_rows: int
    n_survey_rows: int
    synthetic: bool = True
    n_provinces_2025: int = 0

    def summary_lines(self, lang: str = "vi") -> list[str]:
        """Lines for the terminal: the synthetic label first, then each file with its counts (``demo.summary.*``)."""
        new_map = (Msg("demo.summary.span_new_map", n=self.n_provinces_2025) if self.n_provinces_2025 else "")
        span = t("demo.summary.span", lang, n_units=self.n_units, n_provinces=self.n_provinces, new_map=new_map,
                 first=self.years[0], last=self.years[-1])
        return [
            t("demo.synthetic_label", lang),
            t("demo.summary.scores", lang, path=self.scores, rows=self.n_score_rows, span=span),
            t("demo.summary.national", lang, path=self.national, rows=self.n_national_rows),
            t("demo.summary.survey", lang, path=self.survey, rows=self.n_survey_rows),
            t("demo.summary.readme", lang, path=self.readme),
            t("demo.summary.store", lang, path=self.store, seed=self.seed),
        ]


def _readme(data: DemoData, n_prov: int, n_units: int, spec: IndexSpec | None = None) -> str:
    """README.txt of the demo: the synthetic label and what the files hold, in Vietnamese then English."""
    new_map = data.years[-1] >= FIRST_NEW_MAP_YEAR

    def part(name: str) -> Msg:
        extra = Msg(f"demo.readme.{name}_new_map", year=FIRST_NEW_MAP_YEAR, last_year=LAST_PRE2025_YEAR)
        return Msg(f"demo.readme.{name}", new_map=extra if new_map else "")

    def text(lang: str) -> str:
        from parbrief.text.voice import DEFAULT_VOICE

        index = spec.voice.index if spec is not None else DEFAULT_VOICE.index
        reorg = "\n".join(f"  - {line}" for line in data.reorg.lines(lang, index))
        return t("demo.readme.text", lang, seed=data.seed, names=part("names"), n_units=n_units, n_provinces=n_prov,
                 first=data.years[0], last=data.years[-1], sheet=SCORES_SHEET, units=part("units"),
                 national=part("national"), national_province=NATIONAL_PROVINCE, index=index, survey=part("survey"),
                 changes=t("demo.readme.changes", lang, lines=reorg) if reorg else "",
                 mess="\n".join(f"  - {line}" for line in data.mess_log.lines(lang)))

    return text("vi") + "\n" + text("en")


def write_demo(
    out_dir: Path, seed: int | None = None, spec_path: Path | None = None, years: Sequence[int] = DEMO_YEARS_2025,
    communes_per_province: tuple[int, int] | None = None,
) -> DemoFiles:
    """Write the demo files and build their store: ``parbrief demo`` (years 2018–2025 by default:
    the store holds the 63-province map up to 2024 and the map of 1 July 2025).

    Writes ``scores.xlsx`` (sheet "Điểm CCHC", data-model headers), ``national.csv``,
    ``survey.csv`` and ``README.txt`` (synthetic label in Vietnamese and English) into
    ``out_dir``, then ingests the three data files with :func:`parbrief.data.store.ingest_file`
    into a temporary DuckDB file, labels it synthetic in the store's metadata, and moves it to
    ``out_dir/parbrief.duckdb`` with ``os.replace`` (a rerun replaces the old store whole; a
    failure leaves the old one in place).
    """
    from parbrief.data.store import Store, ingest_file

    out_dir = Path(out_dir)
    refuse_system_folder(out_dir)  # demo --out / or the home folder itself: refused before writing
    out_dir.mkdir(parents=True, exist_ok=True)
    spec = load_spec(spec_path)
    data = make_demo(seed=DEMO_SEED if seed is None else seed, spec=spec, years=years,
                     communes_per_province=communes_per_province)
    scores_p = out_dir / "scores.xlsx"
    national_p = out_dir / "national.csv"
    survey_p = out_dir / "survey.csv"
    readme_p = out_dir / "README.txt"
    store_p = out_dir / "parbrief.duckdb"
    data.scores.to_excel(scores_p, sheet_name=SCORES_SHEET, index=False)
    data.national.to_csv(national_p, index=False, lineterminator="\n")
    data.survey.to_csv(survey_p, index=False, lineterminator="\n")
    canonical = data.truth[data.truth["province"] != NATIONAL_PROVINCE]
    n_prov = int(canonical["province"].nunique())
    n_units = len(canonical)
    n_new = len(data.reorg.new_provinces)
    readme_p.write_text(_readme(data, n_prov, n_units, spec), encoding="utf-8")

    # Build the store in a private folder beside the final file (same file system, so the move
    # is atomic), then replace the old store whole; the folder takes any lock or log files along.
    work = Path(tempfile.mkdtemp(prefix=".parbrief-demo-", dir=out_dir))
    try:
        tmp = work / "parbrief.duckdb"
        for path, sheet in ((scores_p, SCORES_SHEET), (national_p, None), (survey_p, None)):
            ingest_file(path, tmp, spec=spec, sheet=sheet)
        with Store(tmp) as store:
            store.set_meta("synthetic", "true")
            store.set_meta("dataset", "parbrief demo (synthetic)")
            store.set_meta("demo_seed", str(data.seed))
            store.connection.execute("CHECKPOINT")
        wal = store_p.with_name(store_p.name + ".wal")
        if wal.exists():
            wal.unlink()  # a stale log of the old store must not be replayed onto the new one
        os.replace(tmp, store_p)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return DemoFiles(
        out_dir=out_dir,
        scores=scores_p,
        national=national_p,
        survey=survey_p,
        readme=readme_p,
        store=store_p,
        seed=data.seed,
        years=data.years,
        n_provinces=n_prov,
        n_units=n_units,
        n_score_rows=len(data.scores),
        n_national_rows=len(data.national),
        n_survey_rows=len(data.survey),
        n_provinces_2025=n_new,
    )
