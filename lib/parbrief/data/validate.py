"""Validate a scores or survey table against the data model and the index spec, collecting every problem.

A file is checked in three passes, and *all* problems are collected (nothing stops at the first):

1. **Columns** (hand-written matching): each header is matched to a data-model column by its
   :func:`~parbrief.data.names.header_key` (case, spacing, punctuation and diacritics ignored,
   a trailing "(9 điểm)" too): the codes, the spec's component names and aliases, and Vietnamese /
   English names of the base columns (Tỉnh, Đơn vị, Năm, Tổng điểm…). Missing required columns
   and numeric columns that are not in the spec are errors; informational columns (STT, Xếp hạng,
   Xếp loại, Ghi chú…) are ignored with a warning.
2. **Cells** (plain pandas/Python): text → numbers ("85,5" and "85.5" both read), years, names
   (:func:`~parbrief.data.names.normalize_name` and aliases), unit types; a cell that cannot be
   read is an error naming the user's row and column. Where the meaning is unambiguous the cell
   is read and one warning per column says what was fixed; otherwise it is refused
   (:func:`_score_cell` has the rules): placeholders "-", "x", "N/A", "KĐG" in a component →
   blank; a leading apostrophe → dropped; "%" → percentage of the maximum when the header says
   "%", accepted as points for a 100-point column, refused as ambiguous elsewhere; a number only
   *formatted* as a date in Excel (year 2023 shown as 15/07/1905) → the stored number; a real
   date ("8.5" that Excel turned into 8 May) or an Excel error value ("#DIV/0!") → refused; a
   year written "2.023" → 2023. A name that looks typed in a legacy encoding (TCVN3, VNI) is
   refused on its cell. Summary lines ("Tổng cộng", "Trung bình toàn tỉnh") are skipped wherever
   the label sits in the row.
3. **Rules**: score ranges 0..max and the year range are checked by a pandera schema
   (``lazy=True``) whose failure cases are turned into problems with the user's row numbers; each
   row against the maxima of its year's method version when the spec has versions (a 2019 row
   against the 2019 maxima; a year no version covers is an error);
   total = sum of components (within ``spec.total_tolerance``; Σ weight × score for a spec with
   ``total: weighted``; nothing for ``total: given``, whose published total is kept) and duplicate
   (province, unit, year) are checked with pandas, because their messages must name both numbers
   or both rows, which pandera's failure cases do not carry.

Pandera is used where it fits (declarative range checks, and :func:`scores_schema` /
:func:`survey_schema` describe the clean data model for other modules and tests); parsing text
cells is plain Python because the message must quote the cell as the user typed it.

Large files: cell parsing is memoized per distinct value, range checks and duplicate keys run on
numpy arrays (only failing rows reach pandera, only repeated keys reach Python), so a 50 MB CSV
validates in a few seconds within a few hundred MB.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from parbrief.data.encodings import LEGACY_DECODERS, LEGACY_ENCODINGS, guess_legacy
from parbrief.data.columns import (
    BASE_HEADERS,
    INFO_HEADERS,
    SCORE_BASE_COLUMNS,
    SURVEY_BASE_COLUMNS,
    SURVEY_HEADERS,
)
from parbrief.data.names import apply_aliases, header_key, load_aliases, normalize_name
from parbrief.data.read import RawTable, is_blank, read_table
from parbrief.errors import DataValidationError, Problem
from parbrief.spec import IndexSpec, load_spec, span_of
from parbrief.text.messages import Joined, Localized, Msg, PerLang
from parbrief.text.messages import t as _t

if TYPE_CHECKING:  # imported where a schema is built: a kernel reading a snapshot never validates
    import pandera.pandas as pa

__all__ = [
    "ValidationReport",
    "validate_scores",
    "validate_survey",
    "validate_file",
    "detect_kind",
    "load_scores",
    "load_survey",
    "scores_schema",
    "survey_schema",
    "parse_number",
    "SCORE_BASE_COLUMNS",
    "SURVEY_BASE_COLUMNS",
    "NATIONAL",
]

NATIONAL = "Việt Nam"
DEFAULT_YEARS = (2000, 2100)

_INFO_SYMBOLS = {"#": "row_number", "№": "row_number", "%": "percent"}
_UNIT_TYPES: dict[str, tuple[str, ...]] = {
    "district": (
        "district", "huyện", "quận", "thị xã", "thành phố", "TP", "cấp huyện", "huyện/thị xã/thành phố",
        "UBND huyện", "UBND cấp huyện", "Công an huyện", "Công an cấp huyện",
    ),
    "department": (
        "department", "sở", "phòng", "ban", "ngành", "sở, ngành", "sở/ngành", "sở, ban, ngành", "cơ quan",
        "cơ quan chuyên môn", "agency", "phòng nghiệp vụ",
    ),
    "province": ("province", "tỉnh", "tỉnh/thành phố", "tỉnh, thành phố", "cấp tỉnh"),
    # From 1 July 2025 the level below the province is the commune (xã, phường, đặc khu).
    "commune": ("commune", "xã", "phường", "đặc khu", "cấp xã", "xã/phường", "xã, phường", "UBND xã", "UBND cấp xã"),
}
_UNIT_TYPE_KEYS = {header_key(v): k for k, vals in _UNIT_TYPES.items() for v in vals}
# Summary lines at the bottom of a table ("Tổng cộng", "Trung bình"): not units.
_SUMMARY_KEYS = {header_key(v) for v in ("Tổng cộng", "Cộng", "Tổng", "Trung bình", "Bình quân", "Toàn tỉnh", "Cả tỉnh",
                                           "Toàn quốc", "Cả nước", "Tổng số", "Total", "Grand total", "Average",
                                           "Mean", "Sum")}
# … and lines that start like one: "Trung bình toàn tỉnh", "Tổng cộng:", "Bình quân chung".
_SUMMARY_PREFIXES = tuple(header_key(v) for v in ("Tổng cộng", "Trung bình", "Bình quân", "Điểm trung bình",
                                                  "Giá trị trung bình", "Average", "Total "))
# Cells that stand for "no score" in hand-made tables: read as blank, with a warning.
_PLACEHOLDERS = frozenset(
    ["-", "--", "---", "–", "—", "x", "nan", "na", "n/a", "n.a.", "null", "none", "kđg", "không đánh giá",
     "không áp dụng", "không có", "chưa có", "chưa đánh giá"]
)
# Error values a formula leaves in a cell (kept by Excel as the cell's cached value).
_EXCEL_ERRORS = frozenset(["#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!",
                           "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#BUSY!"])
_DATE_TEXT = re.compile(
    r"^(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}/\d{1,2}|\d{4}-\d{1,2}-\d{1,2}(?:[ T][\d:.]+)?"
    r"|\d{1,2}[- ](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?:[- ]\d{2,4})?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[- ]\d{1,4})$",
    re.IGNORECASE,
)
_YEAR_GROUPED = re.compile(r"^(\d)[.,\s\u00a0\u202f'](\d{3})$")
_BRACKETS = re.compile(r"[\(\[][^\)\]]*[\)\]]")
_YEAR_TEXT = re.compile(r"^(?:năm|year)?\s*(\d{4})(?:\.0+)?$", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Report


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one file.

    ``frame`` is the clean data-model frame (names normalized, data-model dtypes). When there are
    errors it holds only the rows without errors (and is empty when a required column is missing),
    so it must not be stored; ``problems`` lists every error and warning in file order.
    """

    frame: pd.DataFrame
    problems: tuple[Problem, ...]
    kind: str
    file: str
    rows: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, lang: str = "vi") -> str:
        """One line: ``Tệp scores.xlsx: 120 dòng, 3 lỗi, 1 cảnh báo.`` (or English)."""
        return _t("data_report.summary", lang, file=Path(self.file).name, rows=self.rows, errors=len(self.errors),
                  warnings=len(self.warnings))

    def raise_for_errors(self) -> None:
        """Raise :class:`DataValidationError` (with every problem) when the file has any error."""
        if self.errors:
            raise DataValidationError(self.problems)


# --------------------------------------------------------------------------------------------
# Cell parsing


def parse_number(value: Any) -> float | None:
    """A cell as a finite float, or ``None`` when it is not a number (blank cells: ``None`` too).

    Accepts numbers and text in either decimal convention: "85.5", "85,5" (Vietnamese), "1.234,5"
    and "1,234.5" (the last separator is the decimal one). Booleans, dates, "NaN" and infinities
    are not numbers.
    """
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if not isinstance(value, str):
        return None
    s = "".join(value.split()).replace("\u200b", "").replace("\ufeff", "")
    if not s:
        return None
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    elif s.count(",") > 1:
        s = s.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", s):
        return None
    f = float(s)
    return f if math.isfinite(f) else None


def _parse_year(value: Any) -> int | None:
    if isinstance(value, str):
        m = _YEAR_TEXT.match(value.strip())
        return int(m.group(1)) if m else None
    f = parse_number(value)
    if f is None or not float(f).is_integer():
        return None
    return int(f)


def _text(value: Any) -> str:
    """A name cell as text: numbers written without ".0", everything through normalize_name."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_name(str(value))


def _fmt(x: float, lang: str) -> str:
    """A number for a message: at most 4 decimals, no trailing zeros, decimal comma in Vietnamese."""
    s = f"{round(float(x), 4):g}" if abs(x) < 1e15 else f"{x:g}"
    return s.replace(".", ",") if lang == "vi" else s


class _N(Localized):
    """A number in a message, written by :func:`_fmt` in the message's language."""

    __slots__ = ("x",)

    def __init__(self, x: float) -> None:
        self.x = float(x)

    def text(self, lang: str) -> str:
        return _fmt(self.x, lang)


def _quoted(items: Iterable[Any]) -> Joined:
    """Cells quoted as each language quotes them (“…” / '…'), comma-separated."""
    return Joined(Msg("data_check.quote", text=i) for i in items)


def _column_name(target: str, spec: IndexSpec | None = None) -> Localized | str:
    """The name of a data-model column (or of a spec component) for a message."""
    if spec is not None and target in spec.codes:
        comp = spec.component(target)
        return PerLang(comp.name_vi, comp.name_en)
    if target in ("province", "unit", "unit_type", "year", "total", "respondent", "satisfaction"):
        return Msg(f"data_check.column_label.{target}")
    return target


def _cell(value: Any) -> str:
    """A cell as the user wrote it, for quoting in a message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:39] + "…"


def _rows_list(rows: list[int]) -> str:
    """Row numbers for a message: the first 20, then "…"."""
    return ", ".join(map(str, rows[:20])) + ("…" if len(rows) > 20 else "")


def _excel_serial(value: Any) -> float | None:
    """The number Excel stores behind a date/time cell (days since 1899-12-30), or ``None``."""
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime(1899, 12, 30)
    elif isinstance(value, dt.date):
        delta = dt.datetime(value.year, value.month, value.day) - dt.datetime(1899, 12, 30)
    elif isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    else:
        return None
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if serial < 61:  # Excel's phantom 29 Feb 1900: serials below 61 are one day off
        serial -= 1 if serial >= 1 else 0
    return round(serial, 9)


def _is_date(value: Any) -> bool:
    if isinstance(value, (dt.date, dt.time, pd.Timestamp, np.datetime64)):
        return True
    return isinstance(value, str) and bool(_DATE_TEXT.match(value.strip()))


def _legacy_name(name: str) -> tuple[str, str] | None:
    """(encoding label, the name decoded) when a name looks typed in a legacy Vietnamese encoding."""
    if name.isascii():
        return None
    guess = guess_legacy([name], limit=50, min_evidence=1)
    if guess.encoding is None:
        return None
    decoded = LEGACY_DECODERS[guess.encoding](name) or name
    return LEGACY_ENCODINGS[guess.encoding][0], normalize_name(decoded)


# --------------------------------------------------------------------------------------------
# Problem collection


def _no_data(c: "_Collector") -> None:
    """The problem of a file with a header row and nothing under it."""
    c.add(None, None, "no_data", "no_data")


@dataclass
class _Collector:
    raw: RawTable
    problems: list[Problem] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)  # frame positions with an error

    def add(self, pos: int | None, label: str | None, kind: str, key: str, /, *, severity: str = "error",
            hint: str | None = None, column: str | None = None, **values: Any) -> None:
        """One problem at frame position ``pos`` (``None``: the whole file or column) of column
        ``label``: the message ``data_check.<key>`` (and its hint, or ``data_check.<hint>``),
        filled with ``values`` in each language."""
        row = self.raw.rows[pos] if pos is not None else None
        col = column if column is not None else (self.raw.header(label) if label is not None else None)
        self.problems.append(Problem.keyed(
            self.raw.name, row, col, kind, f"data_check.{key}", hint=f"data_check.{hint}" if hint else None,
            severity=severity, **values))  # type: ignore[arg-type]
        if severity == "error" and pos is not None:
            self.bad.add(pos)

    def sorted(self) -> tuple[Problem, ...]:
        """File-level problems first, then by row, keeping discovery order within a row."""
        order = {id(p): i for i, p in enumerate(self.problems)}
        return tuple(sorted(self.problems, key=lambda p: (p.row is not None, p.row or 0, order[id(p)])))


# --------------------------------------------------------------------------------------------
# Columns


def _key_variants(text: str) -> list[str]:
    keys = [header_key(text)]
    stripped = header_key(_BRACKETS.sub(" ", text))
    if stripped and stripped != keys[0]:
        keys.append(stripped)
    return keys


def _target_keys(spec: IndexSpec | None, survey: bool) -> dict[str, str]:
    """header key → target column. Base columns win over spec aliases on a clash."""
    keys: dict[str, str] = {}
    if spec is not None and not survey:
        for comp in spec.components:
            for text in (comp.code, comp.name_vi, comp.name_en, *comp.aliases):
                keys.setdefault(header_key(text), comp.code)
    groups = dict(BASE_HEADERS)
    groups.update(SURVEY_HEADERS)
    for target, texts in groups.items():
        for text in texts:
            keys[header_key(text)] = target
    return keys


_INFO_KEYS = {header_key(t): kind for kind, texts in INFO_HEADERS.items() for t in texts}


@dataclass
class _Columns:
    target: dict[str, str] = field(default_factory=dict)  # target → frame label
    info: list[tuple[str, str]] = field(default_factory=list)  # (label, info kind)
    other: list[str] = field(default_factory=list)  # unmatched labels
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (label, first label, target)


def _match_columns(raw: RawTable, spec: IndexSpec | None, survey: bool) -> _Columns:
    keys = _target_keys(spec, survey)
    cols = _Columns()
    for j, label in enumerate(raw.frame.columns):
        text = raw.headers[j] if raw.headers else str(label)
        target = None
        for k in _key_variants(text) if text else []:
            if k in keys:
                target = keys[k]
                break
        if target is None:
            kind = _INFO_SYMBOLS.get(text.strip()) or next(
                (_INFO_KEYS[k] for k in (_key_variants(text) if text else []) if k in _INFO_KEYS), None
            )
            if kind:
                cols.info.append((label, kind))
            else:
                cols.other.append(label)
            continue
        if target in cols.target:
            cols.duplicates.append((label, cols.target[target], target))
        else:
            cols.target[target] = label
    return cols


def _mostly_numeric(values: Iterable[Any]) -> bool:
    filled = [v for v in values if not is_blank(v)][:2000]  # a sample is enough for a large file
    if not filled:
        return False
    return sum(parse_number(v) is not None for v in filled) * 2 >= len(filled)


def _column_problems(c: _Collector, cols: _Columns, *, survey: bool, spec: IndexSpec | None) -> list[str]:
    """Problems about whole columns; returns the labels of survey item columns (survey only)."""
    frame = c.raw.frame
    for label, first, target in cols.duplicates:
        c.add(None, label, "duplicate_column", "duplicate_column", first=c.raw.header(first),
              name=_column_name(target, spec))
    for label, kind in cols.info:
        c.add(None, label, "ignored_column", "info_column", severity="warning",
              hint="computed_ranks" if kind in ("rank", "rating") else None, what=Msg(f"data_check.info_label.{kind}"))
    items: list[str] = []
    for label in cols.other:
        values = frame[label].tolist()
        text = c.raw.header(label)
        if all(is_blank(v) for v in values):
            continue  # an empty column with a header: nothing to say
        unnamed = not (c.raw.headers and c.raw.headers[list(frame.columns).index(label)])
        if unnamed:
            c.add(None, label, "unnamed_column", "unnamed_column", severity="warning")
        elif survey and _mostly_numeric(values):
            items.append(label)
        elif not survey and _mostly_numeric(values):
            c.add(None, label, "unknown_component", "unknown_component", text=text,
                  spec=spec.id if spec is not None else "", codes=", ".join(spec.codes) if spec is not None else "")
        else:
            c.add(None, label, "unknown_column", "unknown_column", severity="warning")
    return items


def _missing_column(c: _Collector, target: str) -> None:
    c.add(None, None, "missing_column", "missing_column", hint=f"missing_column_hint.{target}",
          name=_column_name(target), target=target)


# --------------------------------------------------------------------------------------------
# Shared row checks: names, years, duplicates


def _names(c: _Collector, label: str | None, target: str, default: str | None = None,
           skip: set[int] | frozenset[int] = frozenset()) -> list[str | None]:
    """Normalized names of a column; a blank cell is an error (or ``default`` when given).

    A name that looks typed in a legacy Vietnamese encoding (TCVN3, VNI…) is an error too: it
    would otherwise become a unit of its own. Rows in ``skip`` (summary lines) are not checked.
    """
    n = len(c.raw.frame)
    if label is None:
        return [default] * n
    out: list[str | None] = []
    what = Msg(f"data_check.name_of.{target}")
    memo: dict[Any, str | None] = {}
    legacy: dict[str, tuple[str, str] | None] = {}
    for pos, v in enumerate(c.raw.frame[label].tolist()):
        if pos in skip:
            out.append(None)
            continue
        try:
            name = memo[v]
        except (KeyError, TypeError):
            name = None if is_blank(v) else _text(v)
            try:
                memo[v] = name
            except TypeError:
                pass
        if name and target != "respondent":
            if name not in legacy:
                legacy[name] = _legacy_name(name)
            found = legacy[name]
            if found is not None:
                enc, decoded = found
                c.add(pos, label, "legacy_encoding", "legacy_name", cell=_cell(v), encoding=enc, decoded=decoded)
                out.append(None)
                continue
        if not name:
            if default is not None:
                out.append(default)
                continue
            c.add(pos, label, f"missing_{target}", "missing_name", what=what, header=c.raw.header(label))
            out.append(None)
        else:
            out.append(name)
    return out


def _years(c: _Collector, label: str | None, skip: set[int] | frozenset[int] = frozenset()) -> list[int | None]:
    """Years of a column; a grouped "2.023" and a year shown as a date (serial 2023) are read with a warning."""
    n = len(c.raw.frame)
    if label is None:
        return [None] * n
    out: list[int | None] = []
    grouped: list[int] = []
    dated: list[int] = []
    memo: dict[Any, tuple[int | None, str]] = {}
    for pos, v in enumerate(c.raw.frame[label].tolist()):
        if pos in skip:
            out.append(None)
            continue
        if is_blank(v):
            c.add(pos, label, "missing_year", "missing_year")
            out.append(None)
            continue
        try:
            y, how = memo[v]
        except (KeyError, TypeError):
            y, how = _parse_year(v), ""
            if y is None and isinstance(v, str):
                m = _YEAR_GROUPED.match(v.strip())
                if m:
                    y, how = int(m.group(1) + m.group(2)), "grouped"
            if y is None and isinstance(v, (dt.datetime, dt.date)) and not isinstance(v, dt.time):
                serial = _excel_serial(v)
                if serial is not None and float(serial).is_integer() and 1900 <= serial <= 2200:
                    y, how = int(serial), "dated"
            try:
                memo[v] = (y, how)
            except TypeError:
                pass
        if y is None:
            c.add(pos, label, "bad_year", "bad_year", cell=_cell(v))
        elif how == "grouped":
            grouped.append(pos)
        elif how == "dated":
            dated.append(pos)
        out.append(y)
    if grouped:
        c.add(None, label, "thousands_separator_fixed", "year_grouped", severity="warning", n=len(grouped),
              rows=_rows_list([c.raw.rows[p] for p in grouped]))
    if dated:
        c.add(None, label, "date_format_fixed", "year_dated", severity="warning", n=len(dated),
              rows=_rows_list([c.raw.rows[p] for p in dated]))
    return out


def _is_summary_text(value: Any) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    key = header_key(value)
    return bool(key) and (key in _SUMMARY_KEYS or key.startswith(_SUMMARY_PREFIXES))


def _skip_summary_rows(c: _Collector, label: str | None, others: Iterable[str] = ()) -> set[int]:
    """Positions of summary lines ("Tổng cộng", "Trung bình toàn tỉnh"): skipped with a warning.

    The unit column is looked at first, then the other text columns (``others``: STT, notes,
    unrecognized columns), where a merged "Tổng cộng" cell often sits with the unit cell blank.
    """
    labels = ([label] if label is not None else []) + [o for o in others if o != label]
    if not labels:
        return set()
    frame = c.raw.frame
    memo: dict[Any, bool] = {}
    columns = [(lab, frame[lab].tolist()) for lab in labels]
    skipped = set()
    for pos in range(len(frame)):
        for lab, vals in columns:
            v = vals[pos]
            if not isinstance(v, str):
                continue
            hit = memo.get(v)
            if hit is None:
                hit = memo[v] = _is_summary_text(v)
            if hit:
                unit_v = frame[label].iloc[pos] if label is not None else None
                if lab != label and label is not None and not is_blank(unit_v) and not _is_summary_text(unit_v):
                    continue  # a unit row whose note says "Tổng cộng…": not a summary line
                skipped.add(pos)
                c.add(pos, lab, "summary_row", "summary_row", severity="warning", cell=_cell(v))
                break
    return skipped


def _pandera_ranges(c: _Collector, typed: pd.DataFrame, ranges: dict[str, tuple[float, float]], labels: dict[str, str],
                    messages: dict[str, Any]) -> None:
    """Run pandera range checks (lazy) on ``typed`` and turn failure cases into problems.

    ``messages[col](value)`` gives the problem of a value out of range: (kind, message key, values).

    Only the rows with a value out of range (a cheap numpy pre-filter) go through pandera, so a
    large file costs no more memory than its failing rows; the index keeps the row positions.
    """
    mask = np.zeros(len(typed), dtype=bool)
    for col, (lo, hi) in ranges.items():
        if col in typed.columns:
            v = typed[col].to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                mask |= (v < lo) | (v > hi)
    if not mask.any():
        return
    typed = typed[mask]
    import pandera.pandas as pa  # here, not at the top: a kernel reading a snapshot never validates (0.17 s)

    schema = pa.DataFrameSchema(
        {
            col: pa.Column(None, pa.Check.in_range(lo, hi, name=f"range:{col}"), nullable=True, required=False)
            for col, (lo, hi) in ranges.items()
        }
    )
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna()].sort_values(["index"], kind="stable")
        for col, idx, value in zip(fc["column"], fc["index"], fc["failure_case"]):
            pos = int(idx)
            kind, key, values = messages[col](float(value))
            c.add(pos, labels[col], kind, key, **values)


def _duplicates(c: _Collector, columns: Sequence[Sequence[Any]], label: str | None, describe, values=None,
                exclude: set[int] | frozenset[int] = frozenset()) -> None:
    """Every row whose key (one value from each of ``columns``) repeats an earlier row's is an error naming both rows.

    ``describe(key, first_row)`` gives the message key and its values; ``values(pos)`` (optional)
    the row's numbers, so the message says whether the two rows hold the same figures.

    Rows with a missing key part (``None``) or in ``exclude`` are not compared. Keys are matched
    with pandas (factorized codes, ``duplicated``), so only the rows that do repeat are looked at
    in Python: a large file costs a few integer arrays, not a dict of tuples.
    """
    n = len(columns[0]) if columns else 0
    if n == 0:
        return
    valid = np.ones(n, dtype=bool)
    codes = []
    for col in columns:
        seen: dict[Any, int] = {}
        code = np.fromiter((-1 if v is None else seen.setdefault(v, len(seen)) for v in col), dtype=np.int64, count=n)
        valid &= code >= 0
        codes.append(code)
        del seen
    if exclude:
        valid[[p for p in exclude if p < n]] = False
    idx = np.flatnonzero(valid)
    if len(idx) < 2:
        return
    sizes = [int(code.max()) + 1 for code in codes]
    if math.prod(sizes) < 2**62:  # one int64 key per row
        key = np.zeros(len(idx), dtype=np.int64)
        for code, size in zip(codes, sizes):
            key = key * size + code[idx]
        dup = pd.Series(key).duplicated(keep=False).to_numpy()
    else:
        dup = pd.DataFrame({i: code[idx] for i, code in enumerate(codes)}).duplicated(keep=False).to_numpy()
    del codes
    first: dict[tuple, int] = {}
    for pos in idx[dup].tolist():
        key = tuple(col[pos] for col in columns)
        if key in first:
            p0 = first[key]
            same: Msg | str = ""
            if values is not None:
                same = Msg("data_check.same_values" if values(pos) == values(p0) else "data_check.different_values")
            msg_key, fields = describe(key, c.raw.rows[p0])
            c.add(pos, label, "duplicate", msg_key, same=same, **fields)
        else:
            first[key] = pos


# --------------------------------------------------------------------------------------------
# Scores


def _row_versions(c: _Collector, spec: IndexSpec, year_arr: np.ndarray, year_label: str | None,
                  skipped: set[int]) -> tuple[dict[Any, IndexSpec], np.ndarray]:
    """The spec seen through each row's method version: ({version id: spec.for_year}, version id per row).

    Rows without a valid year, and all rows of an unversioned spec, use the spec as it is (key
    ``None``). A year that no version of a versioned spec covers is an error on the year cell.
    """
    n = len(year_arr)
    version_of = np.full(n, None, dtype=object)
    versions: dict[Any, IndexSpec] = {None: spec}
    if not getattr(spec, "is_versioned", False):
        return versions, version_of
    uncovered: dict[int, list[int]] = {}
    for y in np.unique(year_arr[~np.isnan(year_arr)]).tolist():
        rows_y = np.flatnonzero(year_arr == y)
        if spec.covers(int(y)):
            vspec = spec.for_year(int(y))
            versions.setdefault(vspec.version, vspec)
            version_of[rows_y] = vspec.version
        else:
            uncovered[int(y)] = rows_y.tolist()
    spans = Joined(span_of(v) for v in spec.versions)
    for y, rows_y in sorted(uncovered.items()):
        for pos in rows_y:
            if pos not in skipped:
                c.add(pos, year_label, "year_not_in_spec", "year_not_in_spec", year=y, spec=spec.id, spans=spans)
    return versions, version_of


def _component_of(vspec: IndexSpec, spec: IndexSpec, code: str):
    try:
        return vspec.component(code)
    except KeyError:
        return spec.component(code)


def _max_of(vspec: IndexSpec, spec: IndexSpec, col: str) -> float:
    try:
        return float(vspec.max_points(col))
    except KeyError:  # a component the row's method does not have: the shown version's maximum
        return float(spec.max_points(col))


def _above_provisional(c: _Collector, typed: pd.DataFrame, vspec: IndexSpec, spec: IndexSpec, cols: list[str],
                       labels: Mapping[str, str]) -> None:
    """One warning per component column with scores above a provisional (default) maximum."""
    version = vspec.current_version
    for col in cols:
        mx = _max_of(vspec, spec, col)
        v = typed[col].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            above = typed.index[(v > mx) & (v <= vspec.total_max)]
        if not len(above):
            continue
        comp = _component_of(vspec, spec, col)
        c.add(None, labels[col], "above_provisional_max", "above_provisional_max", severity="warning", n=len(above),
              max=_N(mx), name=PerLang(comp.name_vi, comp.name_en), span=span_of(version),
              rows=_rows_list([c.raw.rows[int(p)] for p in above]))


def _row_maxima(spec: IndexSpec, col: str, versions: dict[Any, IndexSpec], version_of: np.ndarray) -> np.ndarray:
    """The maximum of ``col`` for every row, from the row's method version."""
    out = np.full(len(version_of), _max_of(spec, spec, col))
    for key, vspec in versions.items():
        if key is not None:
            out[version_of == key] = _max_of(vspec, spec, col)
    return out


_FIXES = ("placeholder_as_blank", "apostrophe_removed", "percent_converted", "percent_sign_removed", "date_format_fixed")


def _score_cell(value: Any, mx100: bool, header_pct: bool) -> tuple[float | None, str]:
    """Read one score cell: (points or None, how); for "percent_converted" the value is the percentage.

    ``how`` is "ok", "blank", a fix (:data:`_FIXES`: the value is read and a warning says how) or an
    error kind. The rules, in order: blank → no score; an Excel error value ("#DIV/0!") → error;
    a placeholder ("-", "x", "N/A", "KĐG"…) → no score; a date → error, unless it is a number
    merely *formatted* as a date or time (its date lies in 1900: the stored number is the score);
    a leading apostrophe (text marker) is dropped; a "%" sign: with "%" in the column header every
    value is a percentage of the maximum and is converted to points; without it, a "%" is accepted
    only where the maximum is 100 (percent = points), and refused elsewhere as ambiguous (points,
    or percent of the maximum?). Decimal commas and points are both read (:func:`parse_number`).
    """
    if is_blank(value):
        return None, "blank"
    if isinstance(value, (bool, np.bool_)):
        return None, "not_numeric"
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            return None, "not_numeric"
        if header_pct and not mx100:
            return f, "percent_converted"
        return f, "ok"
    if isinstance(value, (dt.date, dt.time)):
        serial = _excel_serial(value)
        if serial is not None and (isinstance(value, dt.time) or value.year <= 1900):
            return serial, "date_format_fixed"
        return None, "date_in_number"
    if not isinstance(value, str):
        return None, "date_in_number" if _is_date(value) else "not_numeric"
    text = value.strip().replace("\u200b", "").replace("\ufeff", "")
    if text.upper() in _EXCEL_ERRORS:
        return None, "excel_error"
    if text.casefold() in _PLACEHOLDERS:
        return None, "placeholder_as_blank"
    apostrophe = text.startswith("'")
    if apostrophe:
        text = text[1:].strip()
    pct = text.endswith("%")
    if pct:
        text = text[:-1].strip()
    f = parse_number(text)
    if f is None:
        return None, "date_in_number" if _DATE_TEXT.match(text) else "not_numeric"
    if header_pct:
        if not mx100:
            return f, "percent_converted"
        return f, "apostrophe_removed" if apostrophe else "ok"
    if pct:
        return (f, "percent_sign_removed") if mx100 else (None, "percent_ambiguous")
    return f, "apostrophe_removed" if apostrophe else "ok"


def _date_shown(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}" + (f" {value:%H:%M}" if (value.hour, value.minute) != (0, 0) else "")
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return _cell(value)


def _fix_warning(c: _Collector, label: str, how: str, positions: list[int], example: tuple[Any, float | None],
                 maxima: np.ndarray) -> None:
    """The one warning of a score column for a kind of fix (:data:`_FIXES`), listing its rows."""
    v0, f0 = example
    values: dict[str, Any] = {"n": len(positions), "rows": _rows_list([c.raw.rows[p] for p in positions])}
    if how == "placeholder_as_blank":
        seen: list[str] = []
        for p in positions:
            text = _cell(c.raw.frame[label].iloc[p])
            if text not in seen:
                seen.append(text)
            if len(seen) == 3:
                break
        values["cells"] = _quoted(seen)
    elif how == "percent_converted":
        values.update(max=_N(float(maxima[positions[0]])), shown=_cell(v0), value=_N(f0 or 0.0))
    elif how == "percent_sign_removed":
        values.update(shown=_cell(v0), value=_N(f0 or 0.0))
    elif how == "date_format_fixed":
        values.update(shown=_date_shown(v0), value=_N(f0 or 0.0))
    c.add(None, label, how, "score_" + how, severity="warning", **values)


def _score_column(c: _Collector, label: str, maxima: np.ndarray, skip: set[int],
                  placeholders: bool = True) -> tuple[list[float], list[int], set[int]]:
    """Numbers of one score column: (values with NaN for no score, blank positions, no-score positions).

    Cell errors are added one per cell; each kind of fix gets one warning for the column, listing rows.
    With ``placeholders=False`` (the total: a headline score written "n/a" is not silently replaced
    by the sum of the components) a placeholder is an error like any other text.
    """
    header = c.raw.header(label)
    mx100 = bool(len(maxima)) and bool(np.all(maxima == 100.0))
    header_pct = "%" in header or "phần trăm" in header.casefold() or "percent" in header.casefold()
    memo: dict[Any, tuple[float | None, str]] = {}
    out: list[float] = []
    blanks: list[int] = []
    no_score: set[int] = set()
    fixed: dict[str, list[int]] = {}
    example: dict[str, tuple[Any, float | None]] = {}
    for pos, v in enumerate(c.raw.frame[label].tolist()):
        try:
            f, how = memo[v]
        except (KeyError, TypeError):
            f, how = _score_cell(v, mx100, header_pct)
            if how == "placeholder_as_blank" and not placeholders:
                how = "not_numeric"
            try:
                memo[v] = (f, how)
            except TypeError:
                pass
        if how == "ok":
            out.append(f)  # type: ignore[arg-type]
            continue
        if pos in skip:
            out.append(math.nan if f is None else f)
            continue
        if how == "blank":
            blanks.append(pos)
            no_score.add(pos)
            out.append(math.nan)
            continue
        if how == "percent_converted" and f is not None:
            f = f * float(maxima[pos]) / 100.0  # a percentage of this row's maximum
        if how in _FIXES:
            fixed.setdefault(how, []).append(pos)
            example.setdefault(how, (v, f))
            if how == "placeholder_as_blank":
                no_score.add(pos)
            out.append(math.nan if f is None else f)
            continue
        out.append(math.nan)
        if how == "percent_ambiguous":
            c.add(pos, label, how, how, cell=_cell(v), max=_N(float(maxima[pos])))
        elif how == "date_in_number":
            c.add(pos, label, how, how, shown=_date_shown(v))
        else:  # excel_error, not_numeric
            c.add(pos, label, how, how, cell=_cell(v))
    for how, positions in fixed.items():
        _fix_warning(c, label, how, positions, example[how], maxima)
    return out, blanks, no_score


def _empty_scores(spec: IndexSpec) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {
        "province": pd.Series([], dtype="str"),
        "unit": pd.Series([], dtype="str"),
        "unit_type": pd.Series([], dtype="str"),
        "year": pd.Series([], dtype="int64"),
        "total": pd.Series([], dtype="float64"),
    }
    for code in spec.codes:
        cols[code] = pd.Series([], dtype="float64")
    return pd.DataFrame(cols)


def _aliases(aliases: Mapping[str, Mapping[str, str]] | str | os.PathLike[str] | None) -> Mapping | None:
    if aliases is None or isinstance(aliases, Mapping):
        return aliases
    return load_aliases(aliases)


@dataclass
class _ScoreLayout:
    """Which frame column holds each data-model column of a scores table, and what is missing."""

    cols: _Columns
    target: dict[str, str]  # data-model column → frame label
    national: bool  # no unit column: the national table, provinces as units
    present: list[str]  # component codes with a column
    missing_comps: list[str]  # component codes without one

    @property
    def score_cols(self) -> list[str]:
        """The score columns read from the file: the total (when there) and the components present."""
        return (["total"] if "total" in self.target else []) + self.present


def _score_layout(c: _Collector, spec: IndexSpec) -> _ScoreLayout:
    """Match the headers and report the problems of whole columns (missing, duplicate, ignored)."""
    cols = _match_columns(c.raw, spec, survey=False)
    _column_problems(c, cols, survey=False, spec=spec)
    for target in ("respondent", "satisfaction"):
        if target in cols.target:
            c.add(None, cols.target[target], "ignored_column", "survey_column_in_scores", severity="warning")
    t = cols.target
    national = "unit" not in t and "province" in t
    if national:
        t = dict(t)
        t["unit"] = t.pop("province")
        c.add(None, t["unit"], "national_table", "national_table", severity="warning", national=NATIONAL,
              index=spec.voice.index)
    layout = _ScoreLayout(cols, t, national, [code for code in spec.codes if code in t],
                          [code for code in spec.codes if code not in t])
    for target in ("province", "unit", "year"):
        if target not in t and not (target == "province" and national):
            _missing_column(c, target)
    if "total" not in t:
        if layout.missing_comps or spec.total == "given":
            _missing_column(c, "total")
        else:
            c.add(None, None, "total_computed", _total_key("total_computed_all", spec), severity="warning")
    if not layout.present and "total" in t:
        c.add(None, None, "totals_only", "totals_only", severity="warning")
    elif layout.present and layout.missing_comps and spec.total != "given":
        names = [spec.component(m) for m in layout.missing_comps]
        c.add(None, None, "components_missing", "components_missing", severity="warning", n=len(names),
              names=Joined(Msg("data_check.quote", text=PerLang(m.name_vi, m.name_en)) for m in names))
    return layout


def _unit_types(c: _Collector, label: str | None, province: list[str | None], skipped: set[int],
                national: bool, unit: list[str | None], unit_label: str | None) -> list[str | None]:
    """The unit type of every row: the column's value (blank: district), province for the national
    table; without a unit-type column, what the unit's name says (:func:`_types_from_names`)."""
    n = len(c.raw.frame)
    if label is None and not national:
        return _types_from_names(c, province, skipped, unit, unit_label)
    values = c.raw.frame[label].tolist() if label else [None] * n
    out: list[str | None] = []
    for pos in range(n):
        v = values[pos]
        if is_blank(v) or pos in skipped:
            out.append("province" if national or province[pos] == NATIONAL else "district")
            continue
        kind = _UNIT_TYPE_KEYS.get(header_key(v))
        if kind is None:
            c.add(pos, label, "bad_unit_type", "bad_unit_type", cell=_cell(v))
        out.append(kind)
    return out


def _types_from_names(c: _Collector, province: list[str | None], skipped: set[int], unit: list[str | None],
                      unit_label: str | None) -> list[str | None]:
    """Unit types read from the names (:mod:`parbrief.data.unit_types`), with one warning that says
    so and how many units of each type; a name that says no type, or two, is an error on its rows."""
    from parbrief.data.unit_types import infer_unit_type, prefix_words

    seen: dict[str, Any] = {}
    refused: dict[str, list[int]] = {}
    units: dict[str, set[tuple[Any, str]]] = {}
    out: list[str | None] = []
    for pos, name in enumerate(unit):
        if pos in skipped or name is None or province[pos] == NATIONAL:
            out.append("province" if province[pos] == NATIONAL else "district")  # a blank name is an error already
            continue
        got = seen.get(name)
        if got is None:
            got = seen[name] = infer_unit_type(name)
        if got.kind is None:
            refused.setdefault(name, []).append(pos)
        else:
            units.setdefault(got.kind, set()).add((province[pos], name))
        out.append(got.kind)
    column = c.raw.header(unit_label) if unit_label is not None else None
    for name, positions in refused.items():
        got = seen[name]
        rows = [c.raw.rows[p] for p in positions]
        meanings = PerLang(*(_t("integrity.unit_type.or", lang).join(
            _t(f"integrity.unit_type.meaning.{m}", lang) for m in got.meanings) for lang in ("vi", "en")))
        c.problems.append(Problem.keyed(
            c.raw.name, rows[0], column, f"unit_type_{got.reason}", f"integrity.unit_type.{got.reason}",
            name=_cell(name), rows=_rows_list(rows), rows_label=Msg("integrity.unit_type.rows_label", n=len(rows)),
            words=prefix_words(), prefix=got.prefix, meanings=meanings))
        c.bad.update(positions)
    if units:
        counts = Joined(Msg(f"integrity.unit_type.count.{kind}", n=len(units[kind]))
                        for kind in ("district", "department", "commune") if kind in units)
        c.problems.append(Problem.keyed(c.raw.name, None, None, "unit_types_inferred", "integrity.unit_type.inferred",
                                        severity="warning", counts=counts))
    return out


def _range_messages(spec: IndexSpec, vspec: IndexSpec, versioned: bool, ranges: dict[str, tuple[float, float]],
                    years: tuple[int, int] | None) -> dict[str, Any]:
    """The problem of a value out of range, per column, for :func:`_pandera_ranges`."""
    period = Msg("data_check.method_period", span=span_of(vspec.current_version)) if versioned else ""
    messages: dict[str, Any] = {}
    for col, (_, mx) in ranges.items():
        comp = None if col == "total" else _component_of(vspec, spec, col)
        subject = (Msg("data_check.subject_total") if comp is None
                   else Msg("data_check.subject_component", name=PerLang(comp.name_vi, comp.name_en)))
        fields = {"max": _N(mx), "subject": subject, "spec": spec.id, "period": period}
        messages[col] = lambda v, fields=fields: ("out_of_range", "out_of_range", {"value": _N(v), **fields})
    if years is not None:
        lo, hi = years
        ranges["year"] = (float(lo), float(hi))
        messages["year"] = lambda v: ("year_out_of_range", "year_out_of_range", {"year": int(v), "lo": lo, "hi": hi})
    return messages


def _check_ranges(c: _Collector, spec: IndexSpec, layout: _ScoreLayout, values: dict[str, np.ndarray],
                  year_arr: np.ndarray, skipped: set[int], versions: dict[Any, IndexSpec], version_of: np.ndarray,
                  years: tuple[int, int]) -> None:
    """Scores within 0..max of the row's method version, years within ``years`` (pandera, lazy)."""
    t, score_cols, n = layout.target, layout.score_cols, len(year_arr)
    typed = pd.DataFrame({col: values[col] for col in score_cols}, copy=True)
    typed["year"] = year_arr
    if skipped:
        typed.iloc[sorted(skipped), :] = math.nan  # summary lines are not units: no range checks
    labels = {col: t[col] for col in score_cols}
    if "year" in t:
        labels["year"] = t["year"]
    for key, vspec in versions.items():
        rows_v = np.flatnonzero(version_of == key)
        if not len(rows_v):
            continue
        ranges: dict[str, tuple[float, float]] = {col: (0.0, _max_of(vspec, spec, col)) for col in score_cols}
        if key is not None and getattr(vspec.current_version, "provisional", False):
            # The version's maxima are working defaults, not its decision's figures: a component
            # above one is a warning (one per column); only 0..total_max is an error.
            _above_provisional(c, typed.iloc[rows_v], vspec, spec, [col for col in score_cols if col != "total"], t)
            ranges = {col: (0.0, vspec.total_max if col != "total" else mx) for col, (_, mx) in ranges.items()}
        versioned = bool(getattr(spec, "is_versioned", False) and key is not None)
        messages = _range_messages(spec, vspec, versioned, ranges, years if "year" in t else None)
        _pandera_ranges(c, typed.iloc[rows_v] if len(rows_v) < n else typed, ranges, labels, messages)


def _rows_text(c: _Collector, positions: list[int]) -> str:
    return ", ".join(str(c.raw.rows[p]) for p in positions[:20]) + ("…" if len(positions) > 20 else "")


def _total_key(key: str, spec: IndexSpec) -> str:
    """The message of a total's check: ``key`` for a sum, ``key_weighted`` for a weighted total."""
    return f"{key}_weighted" if spec.total == "weighted" else key


def _components_total(spec: IndexSpec, values: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Each row's total as the spec makes it from the components: their sum, or Σ weight × score
    for ``total: weighted`` (NaN where a component is blank)."""
    out = np.zeros(n)
    weighted = spec.total == "weighted"
    with np.errstate(over="ignore", invalid="ignore"):  # 1e308 + 1e308: inf, reported as a mismatch
        for comp in spec.components:  # left to right, as Python's sum() would add them
            x = np.array(values[comp.code], dtype="float64")
            out = out + (x * comp.weight if weighted else x)
    return out


def _check_totals(c: _Collector, spec: IndexSpec, layout: _ScoreLayout, values: dict[str, np.ndarray],
                  blanks: dict[str, list[int]], no_score: dict[str, set[int]], skipped: set[int]) -> np.ndarray:
    """The total of every row, as the spec's ``total`` says: ``sum`` and ``weighted`` — a blank
    total is computed from the components when they are all there, a total is compared with
    their (weighted) sum within ``spec.total_tolerance``; ``given`` — the published total is kept,
    neither computed nor checked. Returns the totals."""
    t, n = layout.target, len(c.raw.frame)
    tol = spec.total_tolerance
    total_arr = np.array(values.get("total", [math.nan] * n), dtype="float64")
    comp_sum = np.full(n, math.nan)
    if not layout.missing_comps and spec.total != "given":
        comp_sum = _components_total(spec, values, n)
    total = total_arr.copy()
    skip_mask = np.zeros(n, dtype=bool)
    if skipped:
        skip_mask[list(skipped)] = True
    computed_rows: list[int] = []
    no_total = no_score.get("total", set())
    for pos in np.flatnonzero(np.isnan(total_arr) & ~skip_mask).tolist():
        if "total" in t and pos not in no_total:
            continue  # not a number: already reported
        if not math.isnan(comp_sum[pos]):
            total[pos] = comp_sum[pos]
            if "total" in t:
                computed_rows.append(pos)
        elif "total" in t:
            c.add(pos, t["total"], "missing_total", "missing_total_given" if spec.total == "given" else "missing_total")
    with np.errstate(invalid="ignore", over="ignore"):
        off = np.abs(total_arr - comp_sum) > tol + 1e-9
    for pos in np.flatnonzero(off & ~skip_mask).tolist():
        c.add(pos, t["total"], "total_mismatch", _total_key("total_mismatch", spec), total=_N(total[pos]),
              sum=_N(comp_sum[pos]), diff=_N(total[pos] - comp_sum[pos]), tolerance=_N(tol))
    if computed_rows:
        c.add(None, t["total"], "total_computed", _total_key("total_computed_rows", spec), severity="warning",
              n=len(computed_rows),
              rows=_rows_text(c, computed_rows))
    for col in layout.present:
        rows_blank = [p for p in blanks.get(col, []) if p not in skipped]
        if rows_blank:
            c.add(None, t[col], "blank_score", "blank_score", severity="warning", n=len(rows_blank),
                  rows=_rows_text(c, rows_blank))
    return total


def _score_duplicate(key: tuple, first_row: int) -> tuple[str, dict[str, Any]]:
    p, u, y = key
    return "duplicate_score_row", {"first_row": first_row, "unit": u, "province": p, "year": y}


def _clean_scores(spec: IndexSpec, c: _Collector, skipped: set[int], province: list, unit: list, unit_type: list,
                  year: list, total: np.ndarray, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """The data-model frame of the rows without errors (empty when a required column is missing).

    Component columns are freed from ``values`` as they are copied, so a large file stays within memory.
    """
    n = len(c.raw.frame)
    required_missing = any(p.kind == "missing_column" for p in c.problems)
    keep_mask = np.zeros(n, dtype=bool) if required_missing else np.ones(n, dtype=bool)
    for drop in (c.bad, skipped):
        if drop:
            keep_mask[list(drop)] = False
    take = np.flatnonzero(keep_mask)
    if not len(take):
        return _empty_scores(spec)
    whole = len(take) == n  # no row dropped: no fancy-index copy

    def _objects(seq: list) -> np.ndarray:
        arr = np.empty(len(seq), dtype=object)
        arr[:] = seq
        return arr if whole else arr[take]

    def _floats(arr: Any) -> np.ndarray:
        arr = np.asarray(arr, dtype="float64")
        return arr if whole else arr[take]

    data: dict[str, Any] = {
        "province": pd.Series(_objects(province), dtype="str"),
        "unit": pd.Series(_objects(unit), dtype="str"),
        "unit_type": pd.Series(_objects(unit_type), dtype="str"),
        "year": pd.Series(_objects(year).astype("int64"), dtype="int64"),
        "total": pd.Series(_floats(total), dtype="float64"),
    }
    for code in spec.codes:
        col_vals = values.pop(code, None)
        data[code] = pd.Series(
            _floats(col_vals) if col_vals is not None else np.full(len(take), math.nan), dtype="float64"
        )
        del col_vals
    values.clear()
    return pd.DataFrame(data)


def validate_scores(
    raw: RawTable,
    spec: IndexSpec,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
    years: tuple[int, int] = DEFAULT_YEARS,
) -> ValidationReport:
    """Check a scores table (one row per unit and year) and build the data-model frame.

    Errors: missing required columns (province, unit, year, and total unless every component is
    there to add up); two columns for one field; numeric columns not in the spec; blank names;
    years that are not integers, lie outside ``years`` or (versioned spec) outside every method
    version; scores that are not numbers (Excel error values, dates, an ambiguous "%", legacy-
    encoded names are errors of their own kinds) or lie outside 0..max (per component, from the
    row's method version; ``total_max`` for the total); total ≠ sum of components beyond
    ``spec.total_tolerance``; duplicate (province, unit, year); unit types other than
    district/department/commune/province; without a unit-type column, a unit name that does not
    say its type (:mod:`parbrief.data.unit_types`; the types it says are warned about once).
    Warnings: informational or unrecognized columns (ignored),
    a file with totals only (the national table is often published so), some component columns
    missing, blank component cells, totals computed from components, summary rows skipped, and
    each fix applied to cells (placeholders, apostrophes, percentages, date formats, grouped years).

    A file without a unit column but with a province column is read as the national table:
    the provinces become the units of ``province = "Việt Nam"`` (with a warning).

    The checks run in order, each collecting its problems: columns (:func:`_score_layout`), the
    names, years and unit types of the rows, the score cells (:func:`_score_column`), ranges
    (:func:`_check_ranges`), totals (:func:`_check_totals`), duplicates, then the clean frame.
    """
    c = _Collector(raw)
    c.problems.extend(raw.notes)
    n = len(raw.frame)
    if n == 0:
        _no_data(c)
    layout = _score_layout(c, spec)
    t = layout.target
    text_cols = [lab for lab, _ in layout.cols.info] + list(layout.cols.other)
    if not layout.national and "province" in t:
        text_cols.insert(0, t["province"])
    skipped = _skip_summary_rows(c, t.get("unit"), text_cols)
    province = [NATIONAL] * n if layout.national else _names(c, t.get("province"), "province", skip=skipped)
    unit = _names(c, t.get("unit"), "unit", skip=skipped)
    year = _years(c, t.get("year"), skip=skipped)
    unit_type = _unit_types(c, t.get("unit_type"), province, skipped, layout.national, unit, t.get("unit"))

    # Method version of each row: its year's maxima apply (a spec may change its maxima over the years).
    year_arr = np.array([math.nan if y is None else float(y) for y in year], dtype="float64")
    versions, version_of = _row_versions(c, spec, year_arr, t.get("year"), skipped)

    # Scores: cells → numbers (see _score_cell for what is read, fixed or refused).
    values: dict[str, np.ndarray] = {}
    blanks: dict[str, list[int]] = {}
    no_score: dict[str, set[int]] = {}  # blank or a placeholder: "no score" (total may be computed)
    for col in layout.score_cols:
        maxima = _row_maxima(spec, col, versions, version_of)
        out, blanks[col], no_score[col] = _score_column(c, t[col], maxima, skipped, placeholders=col != "total")
        values[col] = np.asarray(out, dtype="float64")
        del out
    _check_ranges(c, spec, layout, values, year_arr, skipped, versions, version_of, years)
    total = _check_totals(c, spec, layout, values, blanks, no_score, skipped)

    # Aliases, then duplicates on (province, unit, year).
    if aliases:
        names = apply_aliases(pd.DataFrame({"province": province, "unit": unit}, dtype=object), aliases)
        province, unit = names["province"].tolist(), names["unit"].tolist()
        del names
    score_cols = layout.score_cols
    _duplicates(c, [province, unit, year], t.get("unit"), _score_duplicate,
                lambda pos: tuple(values[col][pos] for col in score_cols), exclude=skipped)
    clean = _clean_scores(spec, c, skipped, province, unit, unit_type, year, total, values)
    return ValidationReport(frame=clean, problems=c.sorted(), kind="scores", file=raw.file, rows=n)


# --------------------------------------------------------------------------------------------
# Survey


def validate_survey(
    raw: RawTable,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
    years: tuple[int, int] = DEFAULT_YEARS,
) -> ValidationReport:
    """Check a survey table (one row per respondent) and build the data-model frame.

    Required: province, unit, year, respondent, satisfaction (an integer 1–5). Other numeric
    columns are kept as item columns (numbers; non-numeric cells are errors). Duplicate
    (province, unit, year, respondent) is an error naming both rows.
    """
    c = _Collector(raw)
    c.problems.extend(raw.notes)
    frame = raw.frame
    n = len(frame)
    if n == 0:
        _no_data(c)
    cols = _match_columns(raw, None, survey=True)
    items = _column_problems(c, cols, survey=True, spec=None)
    t = cols.target
    for target in ("total", "unit_type"):
        if target in t:
            c.add(None, t[target], "ignored_column", "scores_column_in_survey", severity="warning")
    for target in SURVEY_BASE_COLUMNS:
        if target not in t:
            _missing_column(c, target)
    province = _names(c, t.get("province"), "province")
    unit = _names(c, t.get("unit"), "unit")
    year = _years(c, t.get("year"))
    respondent = _names(c, t.get("respondent"), "respondent")
    satisfaction: list[float] = [math.nan] * n
    if "satisfaction" in t:
        label = t["satisfaction"]
        for pos, v in enumerate(frame[label].tolist()):
            f = None if is_blank(v) else parse_number(v)
            if f is None or not f.is_integer() or not 1 <= f <= 5:
                c.add(pos, label, "bad_satisfaction", "bad_satisfaction", cell=_cell(v) if not is_blank(v) else "")
            else:
                satisfaction[pos] = f
    item_values: dict[str, list[float]] = {}
    for label in items:
        out = []
        for pos, v in enumerate(frame[label].tolist()):
            f = None if is_blank(v) else parse_number(v)
            if f is None and not is_blank(v):
                c.add(pos, label, "not_numeric", "not_numeric", hint="item_not_numeric", cell=_cell(v))
            out.append(math.nan if f is None else f)
        item_values[label] = out
    if "year" in t:
        lo, hi = years
        typed = pd.DataFrame({"year": [float(y) if y is not None else math.nan for y in year]})
        _pandera_ranges(
            c, typed, {"year": (float(lo), float(hi))}, {"year": t["year"]},
            {"year": lambda v: ("year_out_of_range", "survey_year_out_of_range", {"year": int(v), "lo": lo, "hi": hi})},
        )
    names = apply_aliases(pd.DataFrame({"province": province, "unit": unit}, dtype=object), aliases)
    province, unit = names["province"].tolist(), names["unit"].tolist()

    def _dup(key: tuple, first_row: int) -> tuple[str, dict[str, Any]]:
        p, u, y, r = key
        return "duplicate_response", {"first_row": first_row, "respondent": r, "unit": u, "province": p, "year": y}

    _duplicates(c, [province, unit, year, respondent], t.get("respondent"), _dup)
    required_missing = any(p.kind == "missing_column" for p in c.problems)
    keep = [] if required_missing else [p for p in range(n) if p not in c.bad]
    data: dict[str, Any] = {
        "province": pd.Series([province[p] for p in keep], dtype="str"),
        "unit": pd.Series([unit[p] for p in keep], dtype="str"),
        "year": pd.Series([year[p] for p in keep], dtype="int64"),
        "respondent": pd.Series([respondent[p] for p in keep], dtype="str"),
        "satisfaction": pd.Series([satisfaction[p] for p in keep], dtype="float64").astype("int64"),
    }
    for label in items:
        data[_item_name(raw.header(label))] = pd.Series([item_values[label][p] for p in keep], dtype="float64")
    clean = pd.DataFrame(data)
    return ValidationReport(frame=clean, problems=c.sorted(), kind="survey", file=raw.file, rows=n)


def _item_name(header: str) -> str:
    """Name of a survey item column: the header, normalized (identifiers kept as they are)."""
    return header if header.isidentifier() else normalize_name(header)


# --------------------------------------------------------------------------------------------
# Entry points


def detect_kind(raw: RawTable) -> str:
    """``"survey"`` for a table with a satisfaction column and a respondent column (or no total);
    otherwise ``"scores"``."""
    cols = _match_columns(raw, None, survey=True)
    has = cols.target
    if "satisfaction" in has and ("respondent" in has or "total" not in has):
        return "survey"
    return "scores"


def _read_or_report(path: str | os.PathLike[str], sheet: str | None, kind: str, spec: IndexSpec | None):
    try:
        return read_table(path, sheet=sheet), None
    except DataValidationError as exc:
        empty = _empty_scores(spec) if (kind == "scores" and spec is not None) else pd.DataFrame()
        return None, ValidationReport(frame=empty, problems=tuple(exc.problems), kind=kind, file=str(path), rows=0)


def validate_file(
    path: str | os.PathLike[str],
    spec_path: str | os.PathLike[str] | None = None,
    sheet: str | None = None,
    aliases_path: str | os.PathLike[str] | None = None,
    spec: IndexSpec | None = None,
) -> ValidationReport:
    """Read, detect (scores or survey) and validate one file; never raises for a bad data file.

    Reading problems (missing/empty/unreadable file, wrong sheet, unsupported type) become
    problems of the report. A bad spec or aliases file still raises (SpecError/ParamsError),
    since that is not the data file's fault.
    """
    spec = spec if spec is not None else load_spec(spec_path)
    aliases = load_aliases(aliases_path) if aliases_path is not None else None
    raw, failed = _read_or_report(path, sheet, "scores", spec)
    if failed is not None:
        return failed
    assert raw is not None
    if detect_kind(raw) == "survey":
        return validate_survey(raw, aliases=aliases)
    return validate_scores(raw, spec, aliases=aliases)


def load_scores(
    path: str | os.PathLike[str],
    spec: IndexSpec | None = None,
    sheet: str | None = None,
    aliases: Mapping[str, Mapping[str, str]] | str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """The clean scores frame of a file; raises :class:`DataValidationError` listing every problem."""
    spec = spec if spec is not None else load_spec()
    report = validate_scores(read_table(path, sheet=sheet), spec, aliases=_aliases(aliases))
    report.raise_for_errors()
    return report.frame


def load_survey(
    path: str | os.PathLike[str],
    sheet: str | None = None,
    aliases: Mapping[str, Mapping[str, str]] | str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """The clean survey frame of a file; raises :class:`DataValidationError` listing every problem."""
    report = validate_survey(read_table(path, sheet=sheet), aliases=_aliases(aliases))
    report.raise_for_errors()
    return report.frame


# --------------------------------------------------------------------------------------------
# Data-model schemas (pandera), for clean frames from any source (store, demo, tests)


def scores_schema(spec: IndexSpec, years: tuple[int, int] = DEFAULT_YEARS) -> pa.DataFrameSchema:
    """Pandera schema of a clean scores frame: dtypes, ranges, unit types, unique (province, unit, year)."""
    import pandera.pandas as pa

    cols: dict[str, pa.Column] = {
        "province": pa.Column("str", pa.Check.str_length(min_value=1)),
        "unit": pa.Column("str", pa.Check.str_length(min_value=1)),
        "unit_type": pa.Column("str", pa.Check.isin(["district", "department", "commune", "province"])),
        "year": pa.Column("int64", pa.Check.in_range(*years)),
        "total": pa.Column("float64", pa.Check.in_range(0, spec.total_max)),
    }
    versions = getattr(spec, "versions", ())
    for comp in spec.components:
        top = max([comp.max_points] + [v.max_points(comp.code) for v in versions if comp.code in v.codes])
        cols[comp.code] = pa.Column("float64", pa.Check.in_range(0, top), nullable=True)
    checks = []
    if getattr(spec, "is_versioned", False):
        def _within_the_year_maxima(df: pd.DataFrame) -> pd.Series:
            ok = pd.Series(True, index=df.index)
            for y in pd.unique(df["year"]):
                rows = df["year"] == y
                if not spec.covers(int(y)):
                    ok[rows] = False
                    continue
                version = spec.version_for(int(y))
                if version.provisional:
                    continue  # default maxima: warnings at validation, not a broken data model
                for col in ["total", *version.codes]:
                    if col in df.columns:
                        ok[rows] &= ~(df.loc[rows, col] > version.max_points(col))
            return ok

        checks.append(pa.Check(_within_the_year_maxima, name="within_the_maxima_of_the_year_method"))
    return pa.DataFrameSchema(cols, checks=checks, unique=["province", "unit", "year"], strict=True, ordered=True)


def survey_schema(years: tuple[int, int] = DEFAULT_YEARS) -> pa.DataFrameSchema:
    """Pandera schema of a clean survey frame (item columns allowed after the base columns)."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "province": pa.Column("str", pa.Check.str_length(min_value=1)),
            "unit": pa.Column("str", pa.Check.str_length(min_value=1)),
            "year": pa.Column("int64", pa.Check.in_range(*years)),
            "respondent": pa.Column("str", pa.Check.str_length(min_value=1)),
            "satisfaction": pa.Column("int64", pa.Check.in_range(1, 5)),
        },
        unique=["province", "unit", "year", "respondent"],
    )
