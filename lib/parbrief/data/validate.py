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
   read is an error naming the user's row and column.
3. **Rules**: score ranges 0..max and the year range are checked by a pandera schema
   (``lazy=True``) whose failure cases are turned into problems with the user's row numbers;
   total = sum of components (within ``spec.total_tolerance``) and duplicate
   (province, unit, year) are checked with pandas, because their messages must name both numbers
   or both rows, which pandera's failure cases do not carry.

Pandera is used where it fits (declarative range checks, and :func:`scores_schema` /
:func:`survey_schema` describe the clean data model for other modules and tests); parsing text
cells is plain Python because the message must quote the cell as the user typed it.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa

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
SCORE_BASE_COLUMNS = ("province", "unit", "unit_type", "year")
SURVEY_BASE_COLUMNS = ("province", "unit", "year", "respondent", "satisfaction")
DEFAULT_YEARS = (2000, 2100)

# Header texts of the base columns (matched by header_key, so accents/case/spacing do not matter).
_BASE_HEADERS: dict[str, tuple[str, ...]] = {
    "province": ("province", "Tỉnh", "Tên tỉnh", "Tỉnh, thành phố", "Tỉnh/thành phố", "Tỉnh thành", "Tỉnh/TP"),
    "unit": (
        "unit", "Đơn vị", "Tên đơn vị", "Đơn vị được đánh giá", "Cơ quan, đơn vị", "Cơ quan", "Huyện",
        "Tên huyện", "Quận/huyện", "Huyện/thị xã/thành phố", "Huyện, thị xã, thành phố", "Sở, ngành",
        "Unit", "Unit name", "District", "Department",
    ),
    "unit_type": ("unit_type", "Loại đơn vị", "Loại hình đơn vị", "Cấp đơn vị", "Unit type", "Type"),
    "year": ("year", "Năm", "Năm đánh giá", "Year"),
    "total": (
        "total", "Tổng điểm", "Tổng", "Điểm tổng", "Tổng điểm đạt được", "Chỉ số", "Chỉ số CCHC",
        "PAR INDEX", "Chỉ số PAR INDEX", "Điểm", "Điểm số", "Total", "Total score", "Score",
    ),
}
_SURVEY_HEADERS: dict[str, tuple[str, ...]] = {
    "respondent": (
        "respondent", "Người trả lời", "Mã người trả lời", "Mã phiếu", "Số phiếu", "Phiếu", "Respondent",
        "Respondent ID", "ID",
    ),
    "satisfaction": ("satisfaction", "Mức độ hài lòng", "Mức hài lòng", "Hài lòng", "Điểm hài lòng", "Satisfaction"),
}
# Informational columns: read by people, recomputed or not needed by parbrief; ignored with a warning.
_INFO_HEADERS: dict[str, tuple[str, ...]] = {
    "rank": ("Xếp hạng", "Hạng", "Thứ hạng", "Rank", "Ranking"),
    "rating": ("Xếp loại", "Nhóm", "Nhóm xếp hạng", "Phân loại", "Rating", "Group", "Band", "Grade"),
    "note": ("Ghi chú", "Note", "Notes", "Remarks", "Comment", "Comments"),
    "row_number": ("STT", "TT", "Số TT", "Số thứ tự", "No", "No."),
    "change": ("Tăng/giảm", "Tăng giảm", "Thay đổi", "Change"),
    "percent": ("Tỷ lệ", "Tỉ lệ", "Percent", "Percentage"),
    "code": ("Mã", "Mã đơn vị", "Mã tỉnh", "Code", "Unit code"),
}
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
}
_UNIT_TYPE_KEYS = {header_key(v): k for k, vals in _UNIT_TYPES.items() for v in vals}
# Summary lines at the bottom of a table ("Tổng cộng", "Trung bình"): not units.
_SUMMARY_KEYS = {header_key(v) for v in ("Tổng cộng", "Cộng", "Trung bình", "Bình quân", "Total", "Average", "Mean")}
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


# --------------------------------------------------------------------------------------------
# Problem collection


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
    groups = dict(_BASE_HEADERS)
    groups.update(_SURVEY_HEADERS)
    for target, texts in groups.items():
        for text in texts:
            keys[header_key(text)] = target
    return keys


_INFO_KEYS = {header_key(t): kind for kind, texts in _INFO_HEADERS.items() for t in texts}


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
    filled = [v for v in values if not is_blank(v)]
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


def _names(c: _Collector, label: str | None, target: str, default: str | None = None) -> list[str | None]:
    """Normalized names of a column; a blank cell is an error (or ``default`` when given)."""
    n = len(c.raw.frame)
    if label is None:
        return [default] * n
    out: list[str | None] = []
    what_vi = {"province": "tên tỉnh", "unit": "tên đơn vị", "respondent": "mã người trả lời"}[target]
    what_en = {"province": "province name", "unit": "unit name", "respondent": "respondent id"}[target]
    for pos, v in enumerate(c.raw.frame[label].tolist()):
        name = None if is_blank(v) else _text(v)
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


def _years(c: _Collector, label: str | None) -> list[int | None]:
    n = len(c.raw.frame)
    if label is None:
        return [None] * n
    out: list[int | None] = []
    for pos, v in enumerate(c.raw.frame[label].tolist()):
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
        y = _parse_year(v)
        if y is None:
            c.add(
                pos, label, "bad_year",
                f"Năm “{_cell(v)}” không phải là một năm (số nguyên có 4 chữ số).",
                f"Year '{_cell(v)}' is not a year (a 4-digit integer).",
                "Ghi năm dạng số, ví dụ 2024 (không ghi ngày tháng).",
                "Write the year as a number, e.g. 2024 (not a date).",
            )
        out.append(y)
    return out


def _skip_summary_rows(c: _Collector, label: str | None) -> set[int]:
    """Positions of summary lines ("Tổng cộng", "Trung bình") in the unit column: skipped with a warning."""
    if label is None:
        return set()
    skipped = set()
    for pos, v in enumerate(c.raw.frame[label].tolist()):
        if not is_blank(v) and header_key(v) in _SUMMARY_KEYS:
            skipped.add(pos)
            c.add(
                pos, label, "summary_row",
                f"Dòng “{_cell(v)}” là dòng tổng hợp, không phải một đơn vị; được bỏ qua.",
                f"Row '{_cell(v)}' is a summary line, not a unit; skipped.",
                severity="warning",
            )
    return skipped


def _pandera_ranges(c: _Collector, typed: pd.DataFrame, ranges: dict[str, tuple[float, float]], labels: dict[str, str],
                    messages: dict[str, Any]) -> None:
    """Run pandera range checks (lazy) on ``typed`` and turn failure cases into problems."""
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


def _duplicates(c: _Collector, keys: list[tuple | None], label: str | None, describe, values: list[tuple] | None = None) -> None:
    """Every row whose key repeats an earlier row's is an error naming both rows."""
    first: dict[tuple, int] = {}
    for pos, key in enumerate(keys):
        if key is None:
            continue
        if key in first:
            p0 = first[key]
            same_vi = same_en = ""
            if values is not None:
                same = values[pos] == values[p0]
                same_vi = " (cùng số liệu)" if same else " (số liệu khác nhau)"
                same_en = " (same values)" if same else " (different values)"
            vi, en, hvi, hen = describe(key, c.raw.rows[p0])
            c.add(pos, label, "duplicate", vi + same_vi + ".", en + same_en + ".", hvi, hen)
        else:
            first[key] = pos


# --------------------------------------------------------------------------------------------
# Scores


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
    years that are not integers or lie outside ``years``; scores that are not numbers or lie
    outside 0..max (per component; ``spec.total_max`` for the total); total ≠ sum of components
    beyond ``spec.total_tolerance``; duplicate (province, unit, year); unit types other than
    district/department/province. Warnings: informational or unrecognized columns (ignored),
    a file with totals only (the national table is often published so), some component columns
    missing, blank component cells, totals computed from components, summary rows skipped.

    A file without a unit column but with a province column is read as the national table:
    the provinces become the units of ``province = "Việt Nam"`` (with a warning).
    """
    c = _Collector(raw)
    c.problems.extend(raw.notes)
    frame = raw.frame
    n = len(frame)
    if n == 0:
        c.add(
            None, None, "no_data",
            "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.",
            "The file has a header row but no data rows.",
            "Kiểm tra đã chọn đúng trang tính; dán dữ liệu ngay dưới dòng tiêu đề.",
            "Check that you chose the right sheet; put the data right below the header row.",
        )
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

    skipped = _skip_summary_rows(c, t.get("unit"))
    province = [NATIONAL] * n if national else _names(c, t.get("province"), "province")
    unit = _names(c, t.get("unit"), "unit")
    year = _years(c, t.get("year"))
    default_type = "province" if national else None
    unit_type: list[str | None] = []
    ut_label = t.get("unit_type")
    for pos in range(n):
        dflt = default_type or ("province" if province[pos] == NATIONAL else "district")
        v = frame[ut_label].iloc[pos] if ut_label else None
        if is_blank(v):
            unit_type.append(dflt)
            continue
        kind = _UNIT_TYPE_KEYS.get(header_key(v))
        if kind is None:
            c.add(
                pos, ut_label, "bad_unit_type",
                f"Loại đơn vị “{_cell(v)}” không hợp lệ.",
                f"Unit type '{_cell(v)}' is not valid.",
                "Ghi một trong: huyện (district), sở/phòng (department), tỉnh (province); để trống nghĩa là huyện.",
                "Use one of: district (huyện), department (sở/phòng), province (tỉnh); blank means district.",
            )
        unit_type.append(kind)

    # Scores: text → numbers.
    score_cols = (["total"] if "total" in t else []) + present
    values: dict[str, list[float]] = {}
    blanks: dict[str, list[int]] = {}
    for col in score_cols:
        label = t[col]
        out: list[float] = []
        for pos, v in enumerate(frame[label].tolist()):
            if is_blank(v):
                blanks.setdefault(col, []).append(pos)
                out.append(math.nan)
                continue
            f = parse_number(v)
            if f is None:
                c.add(
                    pos, label, "not_numeric",
                    f"“{_cell(v)}” không phải là số.",
                    f"'{_cell(v)}' is not a number.",
                    "Nhập điểm dạng số (dấu thập phân là dấu phẩy hoặc dấu chấm, ví dụ 8,5), hoặc để trống nếu chưa có điểm.",
                    "Enter the score as a number (decimal comma or point, e.g. 8.5), or leave it blank if there is none.",
                )
                out.append(math.nan)
            else:
                out.append(f)
        values[col] = out

    # Ranges (pandera, lazy: every failing cell).
    typed = pd.DataFrame({col: pd.Series(values[col], dtype="float64") for col in score_cols})
    typed["year"] = pd.Series([float(y) if y is not None else math.nan for y in year], dtype="float64")
    labels = {col: t[col] for col in score_cols}
    ranges: dict[str, tuple[float, float]] = {col: (0.0, spec.max_points(col)) for col in score_cols}
    messages: dict[str, Any] = {}
    for col in score_cols:
        mx = spec.max_points(col)
        nvi = "tổng điểm" if col == "total" else f"tiêu chí “{spec.component(col).name_vi}”"
        nen = "the total" if col == "total" else f"'{spec.component(col).name_en}'"

        def _msg(v: float, mx: float = mx, nvi: str = nvi, nen: str = nen) -> tuple[str, str, str, str, str]:
            return (
                f"Điểm {_fmt(v, 'vi')} nằm ngoài khoảng 0–{_fmt(mx, 'vi')} của {nvi}.",
                f"Score {_fmt(v, 'en')} is outside 0–{_fmt(mx, 'en')} for {nen}.",
                f"Kiểm tra lại điểm; điểm tối đa là {_fmt(mx, 'vi')} theo bộ chỉ số “{spec.id}” "
                f"(nếu đơn vị áp dụng bộ tiêu chí khác, chạy lại với --spec).",
                f"Check the score; the maximum is {_fmt(mx, 'en')} in the index spec '{spec.id}' "
                f"(if this unit follows other criteria, pass --spec).",
                "out_of_range",
            )

        messages[col] = _msg
    if "year" in t:
        lo, hi = years
        ranges["year"] = (float(lo), float(hi))
        labels["year"] = t["year"]
        messages["year"] = lambda v: (
            f"Năm {int(v)} nằm ngoài khoảng {lo}–{hi}.",
            f"Year {int(v)} is outside {lo}–{hi}.",
            "Kiểm tra lại năm đánh giá (lỗi gõ phím?).",
            "Check the evaluation year (a typo?).",
            "year_out_of_range",
        )
    _pandera_ranges(c, typed, ranges, labels, messages)

    # Total: blank → computed from components when they are all there; else compared with their sum.
    tol = spec.total_tolerance
    total = values.get("total", [math.nan] * n)
    comp_sum: list[float] = [math.nan] * n
    if not missing_comps:
        for pos in range(n):
            parts = [values[code][pos] for code in spec.codes]
            if not any(math.isnan(p) for p in parts):
                comp_sum[pos] = float(sum(parts))
    total = list(total)
    computed_rows: list[int] = []
    for pos in range(n):
        if pos in skipped:
            continue
        if math.isnan(total[pos]):
            frame_val = frame[t["total"]].iloc[pos] if "total" in t else None
            if not is_blank(frame_val):
                continue  # not numeric: already reported
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
        elif not math.isnan(comp_sum[pos]) and abs(total[pos] - comp_sum[pos]) > tol + 1e-9:
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
    names = pd.DataFrame({"province": province, "unit": unit}, dtype=object)
    names = apply_aliases(names, aliases)
    province, unit = names["province"].tolist(), names["unit"].tolist()
    keys: list[tuple | None] = [
        None if pos in skipped or province[pos] is None or unit[pos] is None or year[pos] is None
        else (province[pos], unit[pos], year[pos])
        for pos in range(n)
    ]
    row_values = [tuple(values[col][pos] for col in score_cols) for pos in range(n)]

    def _dup(key: tuple, first_row: int) -> tuple[str, str, str, str]:
        p, u, y = key
        return (
            f"Trùng với dòng {first_row}: đơn vị “{u}” ({p}) năm {y} có hai dòng",
            f"Duplicate of row {first_row}: unit '{u}' ({p}) has two rows for {y}",
            "Mỗi đơn vị chỉ có một dòng mỗi năm: xóa một trong hai dòng, hoặc sửa tên đơn vị/năm.",
            "Each unit has one row per year: delete one of the two rows, or correct the unit name/year.",
        )

    _duplicates(c, keys, t.get("unit"), _dup, row_values)

    # Clean frame.
    required_missing = any(p.kind == "missing_column" for p in c.problems)
    keep = [] if required_missing else [p for p in range(n) if p not in c.bad and p not in skipped]
    if not keep:
        clean = _empty_scores(spec)
    else:
        data: dict[str, Any] = {
            "province": pd.Series([province[p] for p in keep], dtype="str"),
            "unit": pd.Series([unit[p] for p in keep], dtype="str"),
            "unit_type": pd.Series([unit_type[p] for p in keep], dtype="str"),
            "year": pd.Series([year[p] for p in keep], dtype="int64"),
            "total": pd.Series([total[p] for p in keep], dtype="float64"),
        }
        for code in spec.codes:
            col_vals = values.get(code)
            data[code] = pd.Series([col_vals[p] if col_vals else math.nan for p in keep], dtype="float64")
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
        c.add(
            None, None, "no_data",
            "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.",
            "The file has a header row but no data rows.",
            "Kiểm tra đã chọn đúng trang tính; dán dữ liệu ngay dưới dòng tiêu đề.",
            "Check that you chose the right sheet; put the data right below the header row.",
        )
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
    keys = [
        None if None in (province[p], unit[p], year[p], respondent[p]) else (province[p], unit[p], year[p], respondent[p])
        for p in range(n)
    ]

    def _dup(key: tuple, first_row: int) -> tuple[str, str, str, str]:
        p, u, y, r = key
        return (
            f"Trùng với dòng {first_row}: phiếu “{r}” của “{u}” ({p}) năm {y} có hai dòng",
            f"Duplicate of row {first_row}: respondent '{r}' of '{u}' ({p}) appears twice for {y}",
            "Mỗi phiếu chỉ có một dòng: xóa dòng lặp hoặc sửa mã phiếu.",
            "One row per respondent: delete the repeated row or correct the respondent id.",
        )

    _duplicates(c, keys, t.get("respondent"), _dup)
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
        "unit_type": pa.Column("str", pa.Check.isin(["district", "department", "province"])),
        "year": pa.Column("int64", pa.Check.in_range(*years)),
        "total": pa.Column("float64", pa.Check.in_range(0, spec.total_max)),
    }
    for comp in spec.components:
        cols[comp.code] = pa.Column("float64", pa.Check.in_range(0, comp.max_points), nullable=True)
    return pa.DataFrameSchema(cols, unique=["province", "unit", "year"], strict=True, ordered=True)


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
