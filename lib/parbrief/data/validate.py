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
   total = sum of components (within ``spec.total_tolerance``) and duplicate
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
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa

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
from parbrief.spec import IndexSpec, load_spec

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
_INFO_LABEL = {
    "rank": ("xếp hạng", "rank"),
    "rating": ("xếp loại", "rating"),
    "note": ("ghi chú", "note"),
    "row_number": ("số thứ tự", "row number"),
    "change": ("mức tăng/giảm", "change"),
    "percent": ("tỷ lệ", "percentage"),
    "code": ("mã", "code"),
}
_COLUMN_LABEL = {
    "province": ("Tỉnh", "Province"),
    "unit": ("Đơn vị", "Unit"),
    "unit_type": ("Loại đơn vị", "Unit type"),
    "year": ("Năm", "Year"),
    "total": ("Tổng điểm", "Total"),
    "respondent": ("Người trả lời", "Respondent"),
    "satisfaction": ("Mức độ hài lòng", "Satisfaction"),
}
_MISSING_HINT = {
    "province": (
        "Thêm cột “Tỉnh” ghi tên tỉnh ở mọi dòng (với bảng toàn quốc, ghi “Việt Nam”).",
        "Add a column 'Province' with the province name on every row ('Việt Nam' for the national table).",
    ),
    "unit": (
        "Thêm cột “Đơn vị” ghi tên huyện hoặc sở/ngành được đánh giá.",
        "Add a column 'Unit' with the name of the district or department evaluated.",
    ),
    "year": (
        "Thêm cột “Năm” ghi năm đánh giá ở mọi dòng (ví dụ 2024).",
        "Add a column 'Year' with the evaluation year on every row (e.g. 2024).",
    ),
    "total": (
        "Thêm cột “Tổng điểm”, hoặc đủ các cột điểm tiêu chí để parbrief tự cộng.",
        "Add a 'Total' column, or all component columns so parbrief can add them up.",
    ),
    "respondent": (
        "Thêm cột “Mã phiếu” (mã người trả lời), khác nhau cho mỗi phiếu của một đơn vị trong năm.",
        "Add a 'Respondent' column (questionnaire id), unique per unit and year.",
    ),
    "satisfaction": (
        "Thêm cột “Mức độ hài lòng” (thang 1–5).",
        "Add a 'Satisfaction' column (scale 1–5).",
    ),
}
_UNIT_TYPES: dict[str, tuple[str, ...]] = {
    "district": (
        "district", "huyện", "quận", "thị xã", "thành phố", "TP", "cấp huyện", "huyện/thị xã/thành phố",
        "UBND huyện", "UBND cấp huyện",
    ),
    "department": (
        "department", "sở", "phòng", "ban", "ngành", "sở, ngành", "sở/ngành", "sở, ban, ngành", "cơ quan",
        "cơ quan chuyên môn", "agency",
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
        name = Path(self.file).name
        e, w = len(self.errors), len(self.warnings)
        if lang == "vi":
            return f"Tệp {name}: {self.rows} dòng, {e} lỗi, {w} cảnh báo."

        def plural(n: int, word: str) -> str:
            return f"{n} {word}" + ("" if n == 1 else "s")

        return f"File {name}: {plural(self.rows, 'row')}, {plural(e, 'error')}, {plural(w, 'warning')}."

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
    c.add(
        None, None, "no_data",
        "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.",
        "The file has a header row but no data rows.",
        "Kiểm tra đã chọn đúng trang tính; dán dữ liệu ngay dưới dòng tiêu đề.",
        "Check that you chose the right sheet; put the data right below the header row.",
    )


@dataclass
class _Collector:
    raw: RawTable
    problems: list[Problem] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)  # frame positions with an error

    def add(
        self,
        pos: int | None,
        label: str | None,
        kind: str,
        vi: str,
        en: str,
        hint_vi: str = "",
        hint_en: str = "",
        severity: str = "error",
        column: str | None = None,
    ) -> None:
        row = self.raw.rows[pos] if pos is not None else None
        col = column if column is not None else (self.raw.header(label) if label is not None else None)
        self.problems.append(Problem(self.raw.name, row, col, kind, vi, en, hint_vi, hint_en, severity))  # type: ignore[arg-type]
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
        name_vi, name_en = _COLUMN_LABEL.get(target, (target, target))
        if spec is not None and target in spec.codes:
            name_vi, name_en = spec.component(target).name_vi, spec.component(target).name_en
        c.add(
            None, label, "duplicate_column",
            f"Cột này và cột “{c.raw.header(first)}” cùng là “{name_vi}”; chỉ dùng cột “{c.raw.header(first)}”.",
            f"This column and '{c.raw.header(first)}' are both '{name_en}'; only '{c.raw.header(first)}' is used.",
            "Xóa cột thừa hoặc đổi tiêu đề cho đúng.",
            "Delete the extra column or correct its header.",
        )
    for label, kind in cols.info:
        what_vi, what_en = _INFO_LABEL[kind]
        hint_vi = hint_en = ""
        if kind in ("rank", "rating"):
            hint_vi = "parbrief tự tính xếp hạng và xếp loại từ điểm, theo thang xếp loại đã chọn."
            hint_en = "parbrief computes ranks and ratings from the scores, with the chosen band scheme."
        c.add(
            None, label, "ignored_column",
            f"Cột thông tin ({what_vi}), được bỏ qua.",
            f"Informational column ({what_en}); ignored.",
            hint_vi, hint_en, severity="warning",
        )
    items: list[str] = []
    for label in cols.other:
        values = frame[label].tolist()
        text = c.raw.header(label)
        if all(is_blank(v) for v in values):
            continue  # an empty column with a header: nothing to say
        unnamed = not (c.raw.headers and c.raw.headers[list(frame.columns).index(label)])
        if unnamed:
            c.add(
                None, label, "unnamed_column",
                "Cột có dữ liệu nhưng không có tiêu đề, được bỏ qua.",
                "Column with data but no header; ignored.",
                "Đặt tiêu đề cho cột nếu cần dùng dữ liệu này, hoặc xóa cột.",
                "Give the column a header if its data is needed, or delete it.",
                severity="warning",
            )
        elif survey:
            if _mostly_numeric(values):
                items.append(label)
            else:
                c.add(
                    None, label, "unknown_column",
                    "Cột không được nhận diện, được bỏ qua.",
                    "Unrecognized column; ignored.",
                    severity="warning",
                )
        elif _mostly_numeric(values):
            codes = ", ".join(spec.codes) if spec is not None else ""
            sid = spec.id if spec is not None else ""
            c.add(
                None, label, "unknown_component",
                f"Cột điểm “{text}” không thuộc các tiêu chí của bộ chỉ số {sid}.",
                f"Score column '{text}' is not a component of the index {sid}.",
                f"Đổi tiêu đề cột thành mã hoặc tên một tiêu chí ({codes}), hoặc khai báo tiêu chí này "
                f"trong một tệp chỉ số riêng và chạy lại với --spec.",
                f"Rename the column to a component code or name ({codes}), or declare this component "
                f"in your own index spec and pass it with --spec.",
            )
        else:
            c.add(
                None, label, "unknown_column",
                "Cột không được nhận diện, được bỏ qua.",
                "Unrecognized column; ignored.",
                severity="warning",
            )
    return items


def _missing_column(c: _Collector, target: str) -> None:
    vi, en = _COLUMN_LABEL[target]
    hvi, hen = _MISSING_HINT[target]
    c.add(
        None, None, "missing_column",
        f"Thiếu cột bắt buộc “{vi}” ({target}).",
        f"Required column '{en}' ({target}) is missing.",
        hvi, hen,
    )


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
    what_vi = {"province": "tên tỉnh", "unit": "tên đơn vị", "respondent": "mã người trả lời"}[target]
    what_en = {"province": "province name", "unit": "unit name", "respondent": "respondent id"}[target]
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
                c.add(
                    pos, label, "legacy_encoding",
                    f"Tên “{_cell(v)}” có vẻ được gõ bằng bảng mã cũ {enc}, không phải Unicode: đọc là “{decoded}”.",
                    f"The name '{_cell(v)}' looks typed in the legacy {enc} encoding, not Unicode: it reads "
                    f"'{decoded}'.",
                    f"Gõ lại tên bằng Unicode, hoặc chuyển mã bằng Unikey (Ctrl+Shift+F6, nguồn {enc}, đích Unicode).",
                    f"Retype the name in Unicode, or convert it with Unikey (Ctrl+Shift+F6, from {enc} to Unicode).",
                )
                out.append(None)
                continue
        if not name:
            if default is not None:
                out.append(default)
                continue
            c.add(
                pos, label, f"missing_{target}",
                f"Thiếu {what_vi}.",
                f"The {what_en} is missing.",
                f"Điền {what_vi} vào cột “{c.raw.header(label)}”, hoặc xóa dòng nếu đó không phải một dòng dữ liệu.",
                f"Fill in the {what_en} in column '{c.raw.header(label)}', or delete the row if it is not a data row.",
            )
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
            c.add(
                pos, label, "missing_year",
                "Thiếu năm đánh giá.",
                "The year is missing.",
                "Điền năm (ví dụ 2024) cho dòng này.",
                "Fill in the year (e.g. 2024) on this row.",
            )
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
            c.add(
                pos, label, "bad_year",
                f"Năm “{_cell(v)}” không phải là một năm (số nguyên có 4 chữ số).",
                f"Year '{_cell(v)}' is not a year (a 4-digit integer).",
                "Ghi năm dạng số, ví dụ 2024 (không ghi ngày tháng).",
                "Write the year as a number, e.g. 2024 (not a date).",
            )
        elif how == "grouped":
            grouped.append(pos)
        elif how == "dated":
            dated.append(pos)
        out.append(y)
    if grouped:
        rows = _rows_list([c.raw.rows[p] for p in grouped])
        c.add(
            None, label, "thousands_separator_fixed",
            f"Năm viết có dấu phân cách hàng nghìn (như “2.023”) ở {len(grouped)} dòng ({rows}); đã đọc là năm "
            f"(2023).",
            f"Year written with a thousands separator (like '2,023') on {len(grouped)} row(s) ({rows}); read as the "
            f"year (2023).",
            "Định dạng cột Năm là Số không có dấu phân cách hàng nghìn (hoặc Văn bản).",
            "Format the Year column as a number without thousands separators (or as text).",
            severity="warning",
        )
    if dated:
        rows = _rows_list([c.raw.rows[p] for p in dated])
        c.add(
            None, label, "date_format_fixed",
            f"Năm bị định dạng kiểu ngày tháng ở {len(dated)} dòng ({rows}; Excel hiện như “15/07/1905”); đã đọc "
            f"số lưu trong ô là năm.",
            f"Year cells formatted as dates on {len(dated)} row(s) ({rows}; Excel shows e.g. '15/07/1905'); the "
            f"number stored in the cell is read as the year.",
            "Định dạng cột Năm là Số (Number) hoặc Chung (General).",
            "Format the Year column as Number or General.",
            severity="warning",
        )
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
                c.add(
                    pos, lab, "summary_row",
                    f"Dòng “{_cell(v)}” là dòng tổng hợp, không phải một đơn vị; được bỏ qua.",
                    f"Row '{_cell(v)}' is a summary line, not a unit; skipped.",
                    severity="warning",
                )
                break
    return skipped


def _pandera_ranges(c: _Collector, typed: pd.DataFrame, ranges: dict[str, tuple[float, float]], labels: dict[str, str],
                    messages: dict[str, Any]) -> None:
    """Run pandera range checks (lazy) on ``typed`` and turn failure cases into problems.

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
            vi, en, hvi, hen, kind = messages[col](float(value))
            c.add(pos, labels[col], kind, vi, en, hvi, hen)


def _duplicates(c: _Collector, columns: Sequence[Sequence[Any]], label: str | None, describe, values=None,
                exclude: set[int] | frozenset[int] = frozenset()) -> None:
    """Every row whose key (one value from each of ``columns``) repeats an earlier row's is an error naming both rows.

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
            same_vi = same_en = ""
            if values is not None:
                same = values(pos) == values(p0)
                same_vi = " (cùng số liệu)" if same else " (số liệu khác nhau)"
                same_en = " (same values)" if same else " (different values)"
            vi, en, hvi, hen = describe(key, c.raw.rows[p0])
            c.add(pos, label, "duplicate", vi + same_vi + ".", en + same_en + ".", hvi, hen)
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
    spans = ", ".join(v.span() for v in spec.versions)
    for y, rows_y in sorted(uncovered.items()):
        for pos in rows_y:
            if pos in skipped:
                continue
            c.add(
                pos, year_label, "year_not_in_spec",
                f"Năm {y} không thuộc phương pháp đánh giá nào của bộ chỉ số “{spec.id}” (các giai đoạn: {spans}), "
                f"nên không biết điểm tối đa của các tiêu chí.",
                f"No method version of the index spec '{spec.id}' covers {y} (periods: {spans}), so the maxima of "
                f"its components are unknown.",
                "Kiểm tra lại năm; nếu đúng, thêm phương pháp áp dụng cho năm này vào mục versions của tệp chỉ số "
                "(--spec).",
                "Check the year; if it is right, add the method applied that year to the spec's versions (--spec).",
            )
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
                       t: Mapping[str, str]) -> None:
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
        rows = _rows_list([c.raw.rows[int(p)] for p in above])
        c.add(
            None, t[col], "above_provisional_max",
            f"{len(above)} điểm vượt điểm tối đa mặc định {_fmt(mx, 'vi')} của tiêu chí “{comp.name_vi}” theo phương "
            f"pháp áp dụng cho các năm {version.span()} (dòng {rows}).".replace("all years", "mọi năm"),
            f"{len(above)} score(s) above the default maximum {_fmt(mx, 'en')} of '{comp.name_en}' under the method "
            f"for the years {version.span()} (rows {rows}).",
            "Điểm tối đa của phương pháp này trong tệp chỉ số là mặc định, chưa đối chiếu quyết định: ghi điểm tối đa "
            "đúng của quyết định vào mục versions (rồi bỏ provisional: true).",
            "This method's maxima in the spec are defaults, not the decision's figures: set the decision's maxima in "
            "its versions entry (and remove provisional: true).",
            severity="warning",
        )


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


def _score_column(c: _Collector, label: str, maxima: np.ndarray, skip: set[int],
                  placeholders: bool = True) -> tuple[list[float], list[int], set[int]]:
    """Numbers of one score column: (values with NaN for no score, blank positions, no-score positions).

    Cell errors are added one per cell; each kind of fix gets one warning for the column, listing rows.
    With ``placeholders=False`` (the total: a headline score written "n/a" is not silently replaced
    by the sum of the components) a placeholder is an error like any other text.
    """
    header = c.raw.header(label)
    mx100 = bool(len(maxima)) and bool(np.all(maxima == 100.0))
    mx = float(maxima[0]) if len(maxima) else 100.0  # for messages: the first row's maximum
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
        cell = _cell(v)
        if how == "excel_error":
            c.add(
                pos, label, "excel_error",
                f"Ô có lỗi công thức Excel “{cell}”, không có điểm.",
                f"The cell holds the Excel formula error '{cell}', not a score.",
                "Sửa công thức trong Excel (tham chiếu sai, chia cho 0…) rồi lưu lại, hoặc nhập điểm trực tiếp.",
                "Fix the formula in Excel (a wrong reference, a division by zero…) and save again, or type the score in.",
            )
        elif how == "date_in_number":
            shown = _date_shown(v)
            c.add(
                pos, label, "date_in_number",
                f"Ô chứa ngày tháng “{shown}” thay vì điểm số: Excel có thể đã tự đổi số gõ vào (như 8.5) thành ngày.",
                f"The cell holds the date '{shown}' instead of a score: Excel may have turned a number typed in "
                f"(like 8.5) into a date.",
                "Định dạng cột là Số (Number) hoặc Văn bản (Text) rồi gõ lại điểm; không thể khôi phục chắc chắn điểm "
                "từ ngày tháng.",
                "Format the column as Number (or Text) and type the score again; the score cannot be recovered "
                "reliably from the date.",
            )
        elif how == "percent_ambiguous":
            mx = float(maxima[pos])
            c.add(
                pos, label, "percent_ambiguous",
                f"“{cell}” có dấu “%” nhưng tiêu đề cột không ghi “%”: không rõ đây là điểm hay phần trăm của điểm "
                f"tối đa {_fmt(mx, 'vi')}.",
                f"'{cell}' has a '%' sign but the column header does not say '%': it is unclear whether this is "
                f"points or a percentage of the maximum {_fmt(mx, 'en')}.",
                "Ghi điểm dạng số, không có dấu “%”; hoặc thêm “(%)” vào tiêu đề cột nếu cả cột là phần trăm của điểm "
                "tối đa.",
                "Write the score as a number without '%', or add '(%)' to the column header if the whole column "
                "holds percentages of the maximum.",
            )
        else:
            c.add(
                pos, label, "not_numeric",
                f"“{cell}” không phải là số.",
                f"'{cell}' is not a number.",
                "Nhập điểm dạng số (dấu thập phân là dấu phẩy hoặc dấu chấm, ví dụ 8,5), hoặc để trống nếu chưa có điểm.",
                "Enter the score as a number (decimal comma or point, e.g. 8.5), or leave it blank if there is none.",
            )
    for how, positions in fixed.items():
        rows = _rows_list([c.raw.rows[p] for p in positions])
        k = len(positions)
        rw = "row" if k == 1 else "rows"
        v0, f0 = example[how]
        if how == "placeholder_as_blank":
            seen = []
            for p in positions:
                text = _cell(c.raw.frame[label].iloc[p])
                if text not in seen:
                    seen.append(text)
                if len(seen) == 3:
                    break
            vi_list = ", ".join(f"“{t}”" for t in seen)
            en_list = ", ".join(f"'{t}'" for t in seen)
            vi = f"{k} ô ghi {vi_list} thay cho điểm (dòng {rows}) được hiểu là ô trống: chưa có điểm."
            en = f"{k} cell(s) holding {en_list} instead of a score ({rw} {rows}) are read as blank: no score."
            hvi = "Để trống các ô chưa có điểm; nếu đơn vị không được đánh giá năm đó, xóa dòng."
            hen = "Leave cells without a score blank; if the unit was not evaluated that year, delete the row."
        elif how == "apostrophe_removed":
            vi = f"Bỏ dấu nháy đơn (') đứng trước số ở {k} ô (dòng {rows}); đã đọc là số."
            en = f"Removed the apostrophe (') before the number in {k} cell(s) ({rw} {rows}); read as numbers."
            hvi = "Định dạng cột là Số (Number) và bỏ dấu nháy đơn."
            hen = "Format the column as Number and drop the apostrophes."
        elif how == "percent_converted":
            mx = float(maxima[positions[0]])
            shown = _cell(v0)
            vi = (f"Tiêu đề cột ghi “%”: {k} giá trị được hiểu là phần trăm của điểm tối đa {_fmt(mx, 'vi')} và đổi ra "
                  f"điểm (ví dụ “{shown}” → {_fmt(f0 or 0.0, 'vi')} điểm; dòng {rows}).")
            en = (f"The column header says '%': {k} value(s) read as a percentage of the maximum {_fmt(mx, 'en')} and "
                  f"converted to points (e.g. '{shown}' → {_fmt(f0 or 0.0, 'en')} points; {rw} {rows}).")
            hvi = "Nếu cột này đã là điểm (không phải phần trăm), bỏ “%” khỏi tiêu đề cột."
            hen = "If the column already holds points (not percentages), remove '%' from its header."
        elif how == "percent_sign_removed":
            vi = (f"Bỏ dấu “%” ở {k} ô (dòng {rows}): với điểm tối đa 100, phần trăm bằng số điểm "
                  f"(ví dụ “{_cell(v0)}” → {_fmt(f0 or 0.0, 'vi')}).")
            en = (f"Removed the '%' sign in {k} cell(s) ({rw} {rows}): with a maximum of 100 the percentage equals "
                  f"the points (e.g. '{_cell(v0)}' → {_fmt(f0 or 0.0, 'en')}).")
            hvi = "Ghi điểm dạng số, không có dấu “%”."
            hen = "Write scores as numbers, without '%'."
        else:  # date_format_fixed
            vi = (f"{k} ô điểm bị định dạng kiểu ngày giờ (dòng {rows}); đã đọc số lưu trong ô "
                  f"(ví dụ “{_date_shown(v0)}” → {_fmt(f0 or 0.0, 'vi')}).")
            en = (f"{k} score cell(s) formatted as a date or time ({rw} {rows}); the number stored in the cell is "
                  f"read (e.g. '{_date_shown(v0)}' → {_fmt(f0 or 0.0, 'en')}).")
            hvi = "Định dạng cột là Số (Number)."
            hen = "Format the column as Number."
        c.add(None, label, how, vi, en, hvi, hen, severity="warning")
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
    district/department/province. Warnings: informational or unrecognized columns (ignored),
    a file with totals only (the national table is often published so), some component columns
    missing, blank component cells, totals computed from components, summary rows skipped, and
    each fix applied to cells (placeholders, apostrophes, percentages, date formats, grouped years).

    A file without a unit column but with a province column is read as the national table:
    the provinces become the units of ``province = "Việt Nam"`` (with a warning).
    """
    c = _Collector(raw)
    c.problems.extend(raw.notes)
    frame = raw.frame
    n = len(frame)
    if n == 0:
        _no_data(c)
    cols = _match_columns(raw, spec, survey=False)
    _column_problems(c, cols, survey=False, spec=spec)
    for target in ("respondent", "satisfaction"):
        if target in cols.target:
            c.add(
                None, cols.target[target], "ignored_column",
                "Cột không dùng cho dữ liệu điểm, được bỏ qua.",
                "A column not used for scores; ignored.",
                "Dữ liệu khảo sát (mã phiếu, mức độ hài lòng) gửi trong một tệp riêng.",
                "Survey data (respondent, satisfaction) goes in a separate file.",
                severity="warning",
            )
    t = cols.target
    national = "unit" not in t and "province" in t
    if national:
        t = dict(t)
        t["unit"] = t.pop("province")
        c.add(
            None, t["unit"], "national_table",
            f"Không có cột đơn vị: tệp được đọc như bảng Chỉ số CCHC toàn quốc, mỗi tỉnh là một đơn vị "
            f"của “{NATIONAL}”.",
            f"No unit column: the file is read as the national PAR INDEX table, each province a unit of "
            f"'{NATIONAL}'.",
            "Nếu đây là bảng của một tỉnh, thêm cột “Đơn vị” ghi tên huyện/sở.",
            "If this is one province's table, add a 'Unit' column with the district/department names.",
            severity="warning",
        )
    present = [code for code in spec.codes if code in t]
    missing_comps = [code for code in spec.codes if code not in t]
    for target in ("province", "unit", "year"):
        if target not in t and not (target == "province" and national):
            _missing_column(c, target)
    if "total" not in t:
        if missing_comps:
            _missing_column(c, "total")
        else:
            c.add(
                None, None, "total_computed",
                "Không có cột tổng điểm: tổng điểm được tính bằng tổng điểm các tiêu chí.",
                "No total column: the total is computed as the sum of the components.",
                severity="warning",
            )
    if not present and "total" in t:
        c.add(
            None, None, "totals_only",
            "Tệp chỉ có tổng điểm, không có điểm các tiêu chí; phần phân tích theo lĩnh vực sẽ để trống.",
            "The file has totals only, no component scores; the analysis by component will be empty.",
            "Nếu có điểm từng lĩnh vực, thêm các cột tiêu chí (tiêu đề là mã hoặc tên tiêu chí).",
            "If component scores exist, add their columns (headed with the component code or name).",
            severity="warning",
        )
    elif present and missing_comps:
        names_vi = ", ".join(f"“{spec.component(m).name_vi}”" for m in missing_comps)
        names_en = ", ".join(f"'{spec.component(m).name_en}'" for m in missing_comps)
        c.add(
            None, None, "components_missing",
            f"Thiếu cột tiêu chí {names_vi}; không kiểm tra được tổng điểm bằng tổng các tiêu chí.",
            f"Component column(s) {names_en} missing; the total cannot be checked against the components.",
            "Thêm các cột còn thiếu, hoặc dùng --spec với bộ tiêu chí mà tệp này áp dụng.",
            "Add the missing columns, or pass --spec with the criteria this file follows.",
            severity="warning",
        )

    text_cols = [lab for lab, _ in cols.info] + list(cols.other)
    if not national and "province" in t:
        text_cols.insert(0, t["province"])
    skipped = _skip_summary_rows(c, t.get("unit"), text_cols)
    province = [NATIONAL] * n if national else _names(c, t.get("province"), "province", skip=skipped)
    unit = _names(c, t.get("unit"), "unit", skip=skipped)
    year = _years(c, t.get("year"), skip=skipped)
    default_type = "province" if national else None
    unit_type: list[str | None] = []
    ut_label = t.get("unit_type")
    ut_values = frame[ut_label].tolist() if ut_label else [None] * n
    for pos in range(n):
        dflt = default_type or ("province" if province[pos] == NATIONAL else "district")
        v = ut_values[pos]
        if is_blank(v) or pos in skipped:
            unit_type.append(dflt)
            continue
        kind = _UNIT_TYPE_KEYS.get(header_key(v))
        if kind is None:
            c.add(
                pos, ut_label, "bad_unit_type",
                f"Loại đơn vị “{_cell(v)}” không hợp lệ.",
                f"Unit type '{_cell(v)}' is not valid.",
                "Ghi một trong: huyện (district), sở/phòng (department), xã/phường (commune), tỉnh (province); "
                "để trống nghĩa là huyện.",
                "Use one of: district (huyện), department (sở/phòng), commune (xã/phường), province (tỉnh); "
                "blank means district.",
            )
        unit_type.append(kind)

    # Method version of each row: its year's maxima apply (a spec may change its maxima over the years).
    year_arr = np.array([math.nan if y is None else float(y) for y in year], dtype="float64")
    versions, version_of = _row_versions(c, spec, year_arr, t.get("year"), skipped)

    # Scores: cells → numbers (see _score_cell for what is read, fixed or refused).
    score_cols = (["total"] if "total" in t else []) + present
    values: dict[str, list[float]] = {}
    blanks: dict[str, list[int]] = {}
    no_score: dict[str, set[int]] = {}  # blank or a placeholder: "no score" (total may be computed)
    for col in score_cols:
        maxima = _row_maxima(spec, col, versions, version_of)
        out, blanks[col], no_score[col] = _score_column(c, t[col], maxima, skipped, placeholders=col != "total")
        values[col] = np.asarray(out, dtype="float64")  # type: ignore[assignment]
        del out

    # Ranges (pandera, lazy: every failing cell), one pass per method version.
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
        messages: dict[str, Any] = {}
        period_vi = period_en = ""
        if getattr(spec, "is_versioned", False) and key is not None:
            period_vi = f", phương pháp áp dụng cho các năm {vspec.current_version.span()}".replace("all years", "mọi năm")
            period_en = f", method for the years {vspec.current_version.span()}"
        for col in score_cols:
            mx = ranges[col][1]
            comp = None if col == "total" else _component_of(vspec, spec, col)
            nvi = "tổng điểm" if comp is None else f"tiêu chí “{comp.name_vi}”"
            nen = "the total" if comp is None else f"'{comp.name_en}'"

            def _msg(v: float, mx: float = mx, nvi: str = nvi, nen: str = nen) -> tuple[str, str, str, str, str]:
                return (
                    f"Điểm {_fmt(v, 'vi')} nằm ngoài khoảng 0–{_fmt(mx, 'vi')} của {nvi}.",
                    f"Score {_fmt(v, 'en')} is outside 0–{_fmt(mx, 'en')} for {nen}.",
                    f"Kiểm tra lại điểm; điểm tối đa là {_fmt(mx, 'vi')} theo bộ chỉ số “{spec.id}”{period_vi} "
                    f"(nếu đơn vị áp dụng bộ tiêu chí khác, chạy lại với --spec).",
                    f"Check the score; the maximum is {_fmt(mx, 'en')} in the index spec '{spec.id}'{period_en} "
                    f"(if this unit follows other criteria, pass --spec).",
                    "out_of_range",
                )

            messages[col] = _msg
        if "year" in t:
            lo, hi = years
            ranges["year"] = (float(lo), float(hi))
            messages["year"] = lambda v, lo=lo, hi=hi: (
                f"Năm {int(v)} nằm ngoài khoảng {lo}–{hi}.",
                f"Year {int(v)} is outside {lo}–{hi}.",
                "Kiểm tra lại năm đánh giá (lỗi gõ phím?).",
                "Check the evaluation year (a typo?).",
                "year_out_of_range",
            )
        _pandera_ranges(c, typed.iloc[rows_v] if len(rows_v) < n else typed, ranges, labels, messages)
    del typed

    # Total: blank → computed from components when they are all there; else compared with their sum.
    tol = spec.total_tolerance
    total_arr = np.array(values.get("total", [math.nan] * n), dtype="float64")
    comp_arr = np.full(n, math.nan)
    if not missing_comps:
        comp_arr = np.zeros(n)
        with np.errstate(over="ignore", invalid="ignore"):  # 1e308 + 1e308: inf, reported as a mismatch
            for code in spec.codes:  # left to right, as Python's sum() would add them
                comp_arr = comp_arr + np.array(values[code], dtype="float64")
    comp_sum = comp_arr
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
            c.add(
                pos, t["total"], "missing_total",
                "Thiếu tổng điểm (và không đủ điểm các tiêu chí để tính).",
                "The total is missing (and the components are incomplete, so it cannot be computed).",
                "Điền tổng điểm, hoặc điền đủ điểm các tiêu chí; xóa dòng nếu đơn vị không được đánh giá.",
                "Fill in the total, or all component scores; delete the row if the unit was not evaluated.",
            )
    with np.errstate(invalid="ignore", over="ignore"):
        off = np.abs(total_arr - comp_arr) > tol + 1e-9
    for pos in np.flatnonzero(off & ~skip_mask).tolist():
        diff = total[pos] - comp_sum[pos]
        c.add(
            pos, t["total"], "total_mismatch",
            f"Tổng điểm {_fmt(total[pos], 'vi')} khác tổng điểm các tiêu chí {_fmt(comp_sum[pos], 'vi')} "
            f"(chênh {_fmt(diff, 'vi')}, cho phép ±{_fmt(tol, 'vi')}).",
            f"Total {_fmt(total[pos], 'en')} differs from the sum of the components {_fmt(comp_sum[pos], 'en')} "
            f"(by {_fmt(diff, 'en')}; tolerance ±{_fmt(tol, 'en')}).",
            "Sửa tổng điểm hoặc điểm tiêu chí cho khớp; nếu bảng làm tròn điểm, tăng total_tolerance trong tệp chỉ số.",
            "Correct the total or the component scores; if the table rounds scores, raise total_tolerance in the spec.",
        )
    if computed_rows:
        rows = ", ".join(str(raw.rows[p]) for p in computed_rows[:20]) + ("…" if len(computed_rows) > 20 else "")
        c.add(
            None, t["total"], "total_computed",
            f"Tổng điểm trống ở {len(computed_rows)} dòng ({rows}); đã tính bằng tổng điểm các tiêu chí.",
            f"Total blank on {len(computed_rows)} row(s) ({rows}); computed as the sum of the components.",
            severity="warning",
        )
    for col in present:
        rows_blank = [p for p in blanks.get(col, []) if p not in skipped]
        if rows_blank:
            rows = ", ".join(str(raw.rows[p]) for p in rows_blank[:20]) + ("…" if len(rows_blank) > 20 else "")
            c.add(
                None, t[col], "blank_score",
                f"{len(rows_blank)} ô điểm trống (dòng {rows}); coi là chưa có điểm, không kiểm tra tổng điểm của các dòng này.",
                f"{len(rows_blank)} blank score(s) (rows {rows}); treated as missing, the totals of these rows are not checked.",
                severity="warning",
            )

    # Aliases, then duplicates on (province, unit, year).
    if aliases:
        names = apply_aliases(pd.DataFrame({"province": province, "unit": unit}, dtype=object), aliases)
        province, unit = names["province"].tolist(), names["unit"].tolist()
        del names

    def row_values(pos: int) -> tuple:
        return tuple(values[col][pos] for col in score_cols)

    def _dup(key: tuple, first_row: int) -> tuple[str, str, str, str]:
        p, u, y = key
        return (
            f"Trùng với dòng {first_row}: đơn vị “{u}” ({p}) năm {y} có hai dòng",
            f"Duplicate of row {first_row}: unit '{u}' ({p}) has two rows for {y}",
            "Mỗi đơn vị chỉ có một dòng mỗi năm: xóa một trong hai dòng, hoặc sửa tên đơn vị/năm.",
            "Each unit has one row per year: delete one of the two rows, or correct the unit name/year.",
        )

    _duplicates(c, [province, unit, year], t.get("unit"), _dup, row_values, exclude=skipped)

    # Clean frame.
    required_missing = any(p.kind == "missing_column" for p in c.problems)
    keep_mask = np.zeros(n, dtype=bool) if required_missing else np.ones(n, dtype=bool)
    for drop in (c.bad, skipped):
        if drop:
            keep_mask[list(drop)] = False
    take = np.flatnonzero(keep_mask)
    if not len(take):
        clean = _empty_scores(spec)
    else:

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
        del total
        for code in spec.codes:
            col_vals = values.pop(code, None)  # freed as it is used: large files stay within memory
            data[code] = pd.Series(
                _floats(col_vals) if col_vals is not None else np.full(len(take), math.nan), dtype="float64"
            )
            del col_vals
        values.clear()
        clean = pd.DataFrame(data)
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
            c.add(
                None, t[target], "ignored_column",
                "Cột không dùng cho dữ liệu khảo sát, được bỏ qua.",
                "A column not used for survey data; ignored.",
                severity="warning",
            )
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
                c.add(
                    pos, label, "bad_satisfaction",
                    f"Mức độ hài lòng “{_cell(v) if not is_blank(v) else ''}” phải là số nguyên từ 1 đến 5.",
                    f"Satisfaction '{_cell(v) if not is_blank(v) else ''}' must be an integer from 1 to 5.",
                    "Ghi 1 (rất không hài lòng) đến 5 (rất hài lòng); xóa phiếu nếu người trả lời bỏ trống câu này.",
                    "Use 1 (very dissatisfied) to 5 (very satisfied); drop the response if it was left blank.",
                )
            else:
                satisfaction[pos] = f
    item_values: dict[str, list[float]] = {}
    for label in items:
        out = []
        for pos, v in enumerate(frame[label].tolist()):
            f = None if is_blank(v) else parse_number(v)
            if f is None and not is_blank(v):
                c.add(
                    pos, label, "not_numeric",
                    f"“{_cell(v)}” không phải là số.",
                    f"'{_cell(v)}' is not a number.",
                    "Nhập câu trả lời dạng số theo thang đo, hoặc để trống.",
                    "Enter the answer as a number on the item's scale, or leave it blank.",
                )
            out.append(math.nan if f is None else f)
        item_values[label] = out
    if "year" in t:
        lo, hi = years
        typed = pd.DataFrame({"year": [float(y) if y is not None else math.nan for y in year]})
        _pandera_ranges(
            c, typed, {"year": (float(lo), float(hi))}, {"year": t["year"]},
            {"year": lambda v: (
                f"Năm {int(v)} nằm ngoài khoảng {lo}–{hi}.",
                f"Year {int(v)} is outside {lo}–{hi}.",
                "Kiểm tra lại năm khảo sát (lỗi gõ phím?).",
                "Check the survey year (a typo?).",
                "year_out_of_range",
            )},
        )
    names = apply_aliases(pd.DataFrame({"province": province, "unit": unit}, dtype=object), aliases)
    province, unit = names["province"].tolist(), names["unit"].tolist()

    def _dup(key: tuple, first_row: int) -> tuple[str, str, str, str]:
        p, u, y, r = key
        return (
            f"Trùng với dòng {first_row}: phiếu “{r}” của “{u}” ({p}) năm {y} có hai dòng",
            f"Duplicate of row {first_row}: respondent '{r}' of '{u}' ({p}) appears twice for {y}",
            "Mỗi phiếu chỉ có một dòng: xóa dòng lặp hoặc sửa mã phiếu.",
            "One row per respondent: delete the repeated row or correct the respondent id.",
        )

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
