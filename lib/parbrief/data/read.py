"""Read a CSV, Excel (.xlsx) or Parquet table as the user sees it, keeping every cell as read.

Reading does not interpret cells (that is :mod:`parbrief.data.validate`'s job); it finds the
header row, keeps each cell's value as read (text for CSV, the cell value for Excel) and
remembers, for every data row, the row number the user sees: the Excel row number, or the line
number in a CSV file (header = 1 when it is the first line), so every problem can name it.

CSV parsing uses the standard library's :mod:`csv` reader rather than ``pandas.read_csv``
because the row numbers must count blank lines and multi-line quoted cells the way Excel shows
them, and every cell must stay text (no type guessing, no "NA" → NaN) until validation.

What reading fixes, or refuses, on its own (each fix leaves a warning in ``RawTable.notes``):

* **Encodings.** UTF-8 with or without BOM, UTF-16/32 with BOM (Excel's "Unicode text", tab
  separated) and UTF-16 without BOM are read. Any other bytes are refused, naming the legacy
  Vietnamese encoding they look like (Windows-1258, TCVN3, VNI; :mod:`parbrief.data.encodings`)
  unless the caller passes ``encoding=`` explicitly. Text that decodes but was typed in a legacy
  font (TCVN3/VNI inside an .xlsx or a UTF-8 file, or UTF-8 saved through Windows-1252) is
  refused too: it is never ingested as mojibake.
* **Layout.** Title rows above the header (the header is the row naming the most known
  columns), a two-row header under merged group titles, a row of column numbers "(1) (2) (3)"
  under the header, blank rows, Excel cells merged down over several data rows (filled), an
  Excel "sep=;" first line, an .xlsx file saved with a .csv name.
* **Excel cells.** Formulas are read through their cached values; a formula without one (a file
  written by a program that does not calculate) is refused with the cell. A number shown as a
  percentage (cell format "0.0%") becomes the text Excel shows ("85.3%") so validation applies
  its percent rule instead of reading 0.853 points.
* **Size.** Files are streamed into compact columns (equal cells share one object), so a 50 MB
  CSV stays within a few hundred MB of memory; files above ``max_bytes`` (default 200 MB,
  environment variable ``PARBRIEF_MAX_INPUT_MB``) are refused before reading. Large .xlsx files
  (over 3 MB) are read in openpyxl's streaming mode, in which merged cells are not filled.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from parbrief.data.columns import known_header_keys
from parbrief.data.encodings import LEGACY_ENCODINGS, guess_legacy, guess_legacy_bytes
from parbrief.errors import DataValidationError, Problem
from parbrief.text.messages import Joined, Msg, PerLang

__all__ = ["RawTable", "read_table", "SUPPORTED_EXTENSIONS", "is_blank", "max_input_bytes", "MAX_INPUT_ENV"]

_CSV_EXT = {".csv", ".tsv", ".txt"}
_EXCEL_EXT = {".xlsx", ".xlsm"}
_PARQUET_EXT = {".parquet", ".pq"}
SUPPORTED_EXTENSIONS = tuple(sorted(_CSV_EXT | _EXCEL_EXT | _PARQUET_EXT))
# How far down a title block above the header may reach.
_HEADER_SEARCH_ROWS = 30
#: Environment variable that sets the largest input file read, in MB (default 200).
MAX_INPUT_ENV = "PARBRIEF_MAX_INPUT_MB"
_DEFAULT_MAX_MB = 200.0
# Above this size an .xlsx file is read in openpyxl's streaming (read-only) mode.
_XLSX_FULL_MODE_MAX = 3 * 1024 * 1024
# Text cells sampled for legacy-encoding detection.
_LEGACY_SAMPLE_ROWS = 300
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RawTable:
    """A table as read: cells untouched, with the user-visible row number of every data row.

    ``frame`` holds the data rows (object dtype; text for CSV, cell values for Excel), with unique
    column labels; ``headers`` holds the header texts as written, one per column (labels differ
    only for blank or repeated headers, which get the column letter, e.g. ``"[F]"``).
    ``rows[i]`` is the row number of ``frame.iloc[i]`` as the user sees it; ``header_row`` that of
    the header. ``notes`` are warnings found while reading (e.g. title rows skipped).
    """

    frame: pd.DataFrame
    rows: tuple[int, ...]
    file: str
    sheet: str | None
    header_row: int
    headers: tuple[str, ...] = ()
    notes: tuple[Problem, ...] = field(default=())

    @property
    def name(self) -> str:
        """The file name shown in messages (without folders)."""
        return Path(self.file).name

    def header(self, column: str) -> str:
        """The header text the user wrote for a frame column label."""
        cols = list(self.frame.columns)
        if self.headers and column in cols:
            text = self.headers[cols.index(column)]
            # A blank or repeated header is named by its label, which carries the column letter.
            return text if text and self.headers.count(text) == 1 else column
        return column


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, NaN, or text made only of whitespace."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if isinstance(value, str):
        return not value.replace("\u200b", "").replace("\ufeff", "").strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def max_input_bytes() -> int:
    """The largest input file read, in bytes: ``$PARBRIEF_MAX_INPUT_MB`` MB, 200 MB by default."""
    raw = os.environ.get(MAX_INPUT_ENV, "").strip()
    try:
        mb = float(raw) if raw else _DEFAULT_MAX_MB
    except ValueError:
        mb = _DEFAULT_MAX_MB
    return int(max(mb, 0.0) * 1024 * 1024)


def _fail(file: str, kind: str, key: str, /, **values: Any) -> DataValidationError:
    """The error of a file that cannot be read: message ``data_read.<key>`` (and its hint)."""
    return DataValidationError([Problem.keyed(Path(file).name, None, None, kind, f"data_read.{key}", **values)])


def _note(file: str, row: int | None, kind: str, key: str, /, **values: Any) -> Problem:
    """A warning about how the file was read: message ``data_read.<key>`` (and its hint)."""
    return Problem.keyed(Path(file).name, row, None, kind, f"data_read.{key}", severity="warning", **values)


def _fail_content(file: str, kind: str, key: str, /, **values: Any) -> DataValidationError:
    """The error of a file whose content is not what its name says: message ``integrity.read.<key>``."""
    return DataValidationError([Problem.keyed(Path(file).name, None, None, kind, f"integrity.read.{key}", **values)])


def _header_text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _column_letter(j: int) -> str:
    """Excel column letter of 0-based column ``j`` (A, B, …, Z, AA, …)."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _row_blank(cells: Sequence[Any]) -> bool:
    for c in cells:
        if c is None or c == "":
            continue
        if not is_blank(c):
            return False
    return True


_NUMBER_TEXT = re.compile(r"^[+-]?[\d.,\s%]+$")
_COLUMN_NUMBER = re.compile(r"^\(?\s*(\d{1,2})\s*\)?(?:\s*=.*)?$")


def _is_number_like(v: Any) -> bool:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return True
    if isinstance(v, (dt.date, dt.time)):
        return True
    return isinstance(v, str) and bool(_NUMBER_TEXT.match(v.strip())) and any(ch.isdigit() for ch in v)


def _is_header_continuation(upper: Sequence[Any], lower: Sequence[Any]) -> bool:
    """True when ``lower`` is the second line of a two-row header (sub-titles under merged group titles)."""
    filled = [j for j, c in enumerate(lower) if not is_blank(c)]
    if len(filled) < 2:
        return False
    if any(not isinstance(lower[j], str) or _is_number_like(lower[j]) for j in filled):
        return False
    under_gap = [j for j in filled if j >= len(upper) or is_blank(upper[j])]
    return bool(under_gap)


def _column_numbers(cells: Sequence[Any]) -> bool:
    """True for a row of column numbers under the header: 1 2 3 … or (1) (2) (3) …, in order."""
    nums: list[int] = []
    filled = 0
    bracketed = 0
    for c in cells:
        if is_blank(c):
            continue
        filled += 1
        if isinstance(c, (int, np.integer)) and not isinstance(c, bool):
            nums.append(int(c))
            continue
        if isinstance(c, float) and c.is_integer():
            nums.append(int(c))
            continue
        m = _COLUMN_NUMBER.match(str(c).strip())
        if m:
            nums.append(int(m.group(1)))
            bracketed += str(c).strip().startswith("(")
        elif not (isinstance(c, str) and len(c.strip()) == 1 and c.strip().isalpha()):
            return False  # letters A, B… may head the first columns; anything else is data
    # Four numbers at least ("A, 1, 2, 3" may well be a data row), or all in brackets: "(1) (2) (3)".
    enough = len(nums) >= 4 or (len(nums) >= 3 and bracketed == len(nums))
    return enough and filled - len(nums) <= 2 and all(b == a + 1 for a, b in zip(nums, nums[1:]))


class _Columns:
    """Columns of cells built row by row; equal text cells share one object (bounded memory)."""

    _CACHE_PROBE = 5000

    def __init__(self) -> None:
        self.cols: list[list[Any]] = []
        self.caches: list[dict | None] = []
        self.n = 0

    def _widen(self, width: int) -> None:
        while len(self.cols) < width:
            self.cols.append([None] * self.n)
            self.caches.append({})

    def add(self, cells: Sequence[Any]) -> None:
        if len(cells) > len(self.cols):
            self._widen(len(cells))
        for j, col in enumerate(self.cols):
            v = cells[j] if j < len(cells) else None
            cache = self.caches[j]
            if cache is not None and isinstance(v, str):
                v = cache.setdefault(v, v)
                if self.n == self._CACHE_PROBE and len(cache) > self._CACHE_PROBE // 2:
                    self.caches[j] = None  # mostly distinct values (ids): caching only costs memory
            col.append(v)
        self.n += 1


class _Builder:
    """Find the header among the first rows, then collect data rows into columns as they stream in."""

    def __init__(self, file: str, sheet: str | None, merged: Sequence[tuple[int, int, int, int]] = (),
                 header_first: bool = False) -> None:
        self.file = file
        self.header_first = header_first  # the first row is the header (Parquet): no search
        self.sheet = sheet
        self.merged = merged  # (min_row, min_col, max_row, max_col), 1-based, Excel only
        self.pending: list[tuple[int, list[Any]]] = []
        self.decided = False
        self.header_row = 0
        self.header_cells: list[Any] = []
        self.header_rows: tuple[int, ...] = ()
        self.skipped_title: list[int] = []
        self.numbers_row: int | None = None
        self.columns = _Columns()
        self.rows: list[int] = []
        self.fills: dict[int, list[tuple[int, int]]] = {}
        self.fill_sources: dict[tuple[int, int], Any] = {}
        self.filled_ranges: list[tuple[int, int, int, int]] = []
        self.sample: list[str] = []

    # -- header -------------------------------------------------------------------------------
    def _decide(self) -> None:
        self.decided = True
        nonblank = self.pending
        self.pending = []
        if not nonblank:
            return
        known = known_header_keys()
        from parbrief.data.names import header_key

        def score(cells: Sequence[Any]) -> int:
            return len({k for k in (header_key(c) for c in cells if isinstance(c, str)) if k in known})

        window = nonblank[:_HEADER_SEARCH_ROWS]
        filled = [sum(not is_blank(c) for c in cells) for _, cells in window]
        scores = [score(cells) if f >= 2 else 0 for (_, cells), f in zip(window, filled)]
        best = max(scores) if scores else 0
        if self.header_first:
            idx = 0
        elif best >= 2:
            idx = scores.index(best)
        else:
            # No known column names: the first row with at least two filled cells (a title block
            # above it is usually one merged cell per row); a one-column table: its first row.
            idx = next((i for i, f in enumerate(filled) if f >= 2), 0)
        self.header_row, cells = nonblank[idx]
        header = list(cells)
        rows_used = [self.header_row]
        rest = nonblank[idx + 1:]
        if (not self.header_first and rest and rest[0][0] == self.header_row + 1
                and _is_header_continuation(header, rest[0][1])):
            lower = rest[0][1]
            width = max(len(header), len(lower))
            header = [
                (lower[j] if j < len(lower) and not is_blank(lower[j]) else (header[j] if j < len(header) else None))
                for j in range(width)
            ]
            rows_used.append(rest[0][0])
            rest = rest[1:]
        if not self.header_first and rest and rest[0][0] == rows_used[-1] + 1 and _column_numbers(rest[0][1]):
            self.numbers_row = rest[0][0]
            rest = rest[1:]
        self.header_cells = header
        self.header_rows = tuple(rows_used)
        self.skipped_title = [n for n, _ in nonblank[:idx]]
        last_header = self.numbers_row or rows_used[-1]
        for r0, c0, r1, c1 in self.merged:
            if r1 > r0 and r0 > last_header:
                self.filled_ranges.append((r0, c0, r1, c1))
                for r in range(r0 + 1, r1 + 1):
                    self.fills.setdefault(r, []).append((c0 - 1, r0))
        for n, cells in rest:
            self._data(n, cells)

    def add(self, n: int, cells: Sequence[Any]) -> None:
        if not self.decided:
            if not _row_blank(cells):
                self.pending.append((n, list(cells)))
                if len(self.pending) > _HEADER_SEARCH_ROWS + 2:
                    self._decide()
            return
        self._data(n, cells)

    def _data(self, n: int, cells: Sequence[Any]) -> None:
        if self.fills and n in self.fills:
            cells = list(cells)
            for j, r0 in self.fills[n]:
                if j < len(cells) and not is_blank(cells[j]):
                    continue
                src = self.fill_sources.get((r0, j))
                if src is not None:
                    cells.extend([None] * (j + 1 - len(cells)))
                    cells[j] = src
        if _row_blank(cells):
            return
        if self.filled_ranges:
            for r0, c0, _, _ in self.filled_ranges:
                if r0 == n and c0 - 1 < len(cells):
                    self.fill_sources[(r0, c0 - 1)] = cells[c0 - 1]
        self.columns.add(cells)
        self.rows.append(n)
        if len(self.rows) <= _LEGACY_SAMPLE_ROWS:
            self.sample.extend(c for c in cells if isinstance(c, str) and not c.isascii())

    # -- result -------------------------------------------------------------------------------
    def finish(self) -> RawTable:
        if not self.decided:
            self._decide()
        name = Path(self.file).name
        if not self.header_rows:
            where = Msg("data_read.in_sheet", sheet=self.sheet) if self.sheet else ""
            raise _fail(self.file, "empty_file", "no_table", where=where)
        cols = self.columns.cols
        n = self.columns.n
        width = max(len(self.header_cells), len(cols))
        texts = [_header_text(self.header_cells[j]) if j < len(self.header_cells) else "" for j in range(width)]
        # Drop trailing columns with neither a header nor any value (Excel's "used range" tail).
        while width and not texts[width - 1] and (width > len(cols) or all(is_blank(v) for v in cols[width - 1])):
            width -= 1
        texts = texts[:width]
        counts = Counter(t for t in texts if t)
        labels = []
        for j, t in enumerate(texts):
            letter = _column_letter(j)
            labels.append(f"[{letter}]" if not t else (f"{t} [{letter}]" if counts[t] > 1 else t))
        # One 2-D object block filled column by column, each list freed once copied: the frame
        # then wraps the block without another copy (bounded memory for large files).
        block = np.empty((len(labels), n), dtype=object)
        for j in range(len(labels)):
            if j < len(cols):
                block[j, :] = cols[j]
                cols[j] = []
        frame = pd.DataFrame(block.T, columns=labels, dtype=object, copy=False) if labels else pd.DataFrame(
            index=range(n))
        notes: list[Problem] = []
        skipped = self.skipped_title
        if skipped:
            span = str(skipped[0]) if len(skipped) == 1 else f"{skipped[0]}–{skipped[-1]}"
            notes.append(_note(name, self.header_row, "title_rows_skipped", "title_rows_skipped", n=len(skipped),
                               span=span, header_row=self.header_row))
        if len(self.header_rows) == 2:
            r0, r1 = self.header_rows
            notes.append(_note(name, r1, "two_row_header", "two_row_header", first=r0, second=r1))
        if self.numbers_row is not None:
            notes.append(_note(name, self.numbers_row, "column_numbers_skipped", "column_numbers_skipped",
                               row=self.numbers_row))
        if self.filled_ranges:
            refs = ", ".join(f"{_column_letter(c0 - 1)}{r0}:{_column_letter(c1 - 1)}{r1}" for r0, c0, r1, c1 in self.filled_ranges[:10])
            more = "…" if len(self.filled_ranges) > 10 else ""
            notes.append(_note(name, None, "merged_cells_filled", "merged_cells_filled", n=len(self.filled_ranges),
                               refs=refs + more))
        return RawTable(
            frame=frame,
            rows=tuple(self.rows),
            file=self.file,
            sheet=self.sheet,
            header_row=self.header_row,
            headers=tuple(texts),
            notes=tuple(notes),
        )


def _check_legacy_text(builder: _Builder, raw: RawTable) -> None:
    """Refuse a table whose Vietnamese text is in a legacy font encoding (or UTF-8 read as Windows-1252)."""
    texts = [t for t in raw.headers if t and not t.isascii()] + builder.sample
    guess = guess_legacy(texts, min_evidence=2)
    if guess.encoding is None:
        return
    label, fonts_vi, fonts_en = LEGACY_ENCODINGS[guess.encoding]
    shown, decoded = guess.example or ("", "")
    example = Msg("data_read.legacy_example", shown=shown, decoded=decoded) if shown else ""
    if guess.encoding == "double_utf8":
        raise _fail(raw.file, "legacy_encoding", "double_utf8", example=example)
    raise _fail(raw.file, "legacy_encoding", "legacy_text", encoding=label, fonts=PerLang(fonts_vi, fonts_en),
                example=example)


# ---------------------------------------------------------------------------------------------
# CSV


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter (, ; tab |) that splits the first lines into the most consistent columns.

    Hand-written because :class:`csv.Sniffer` guesses wrongly on Vietnamese files saved with ';'
    and decimal commas ("85,5"): there ',' splits data lines unevenly, ';' evenly.
    """
    head = [ln for ln in text.splitlines()[:60] if ln.strip()][:40]
    best, best_score = ",", (0.0, 0)
    for delim in (",", ";", "\t", "|"):
        try:
            counts = [len(r) for r in csv.reader(head, delimiter=delim)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode, hits = Counter(counts).most_common(1)[0]
        if mode <= 1:
            continue
        score = (hits / len(counts), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _first_bad_utf8(p: Path, skip: int) -> int | None:
    """Offset of the first byte that is not valid UTF-8, or ``None``; streams the file in 1 MB chunks."""
    dec = codecs.getincrementaldecoder("utf-8")("strict")
    offset = skip
    with open(p, "rb") as fh:
        fh.seek(skip)
        while True:
            chunk = fh.read(1 << 20)
            try:
                dec.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            if not chunk:
                return None
            offset += len(chunk)


def _line_of(p: Path, offset: int) -> int:
    with open(p, "rb") as fh:
        return fh.read(offset).count(b"\n") + 1


def _csv_encoding(p: Path, file: str, head: bytes, encoding: str | None) -> tuple[str, list[Problem]]:
    """The codec to read a CSV with (BOMs, UTF-16 without BOM, UTF-8); refuses legacy encodings."""
    name = p.name
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise _fail(file, "encoding", "unknown_encoding", encoding=encoding) from None
        return encoding, [_note(name, None, "encoding_given", "encoding_given", encoding=encoding)]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32", []
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", []
    if head.startswith(b"\xef\xbb\xbf"):
        enc, skip = "utf-8-sig", 3
    else:
        sample = head[:4096]
        even, odd = sample[0::2], sample[1::2]
        if len(sample) >= 4 and odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.1:
            return "utf-16-le", [_note(name, None, "encoding_detected", "utf16_detected")]
        if len(sample) >= 4 and even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.1:
            return "utf-16-be", [_note(name, None, "encoding_detected", "utf16_detected")]
        enc, skip = "utf-8", 0
    bad = _first_bad_utf8(p, skip)
    if bad is None:
        return enc, []
    with open(p, "rb") as fh:
        start = max(0, bad - (1 << 17))
        fh.seek(start)
        window = fh.read(1 << 18)
    guess = guess_legacy_bytes(window)
    line = _line_of(p, bad)
    if guess.encoding is None:
        raise _fail(file, "encoding", "not_utf8", offset=bad, line=line)
    label = LEGACY_ENCODINGS[guess.encoding][0]
    shown, decoded = guess.example or ("", "")
    example = Msg("data_read.legacy_example_short", shown=shown, decoded=decoded) if shown else ""
    key = "legacy_csv_cp1258" if guess.encoding == "cp1258" else "legacy_csv"
    raise _fail(file, "encoding", key, encoding=label, example=example, line=line)


def _read_csv(p: Path, file: str, encoding: str | None, sheet: str | None = None) -> RawTable:
    with open(p, "rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith(_ZIP_MAGIC) and _is_xlsx_zip(p):
        raw = _read_excel(p, file, sheet)
        note = _note(p.name, None, "file_type_fixed", "xlsx_named_csv", suffix=p.suffix)
        return replace(raw, notes=(note, *raw.notes))
    _refuse_foreign(p, file, head)
    enc, notes = _csv_encoding(p, file, head, encoding)
    text_head = head.decode(enc, errors="ignore").lstrip("\ufeff")
    first_line = text_head.split("\n", 1)[0].strip("\r")
    sep = re.fullmatch(r"sep=(.)", first_line)
    delim = sep.group(1) if sep else _sniff_delimiter(text_head)
    builder = _Builder(file, None)
    nfc = codecs.lookup(enc).name == "cp1258"  # Windows-1258 writes tone marks as separate characters
    with open(p, "rb") as fh:
        stream = io.TextIOWrapper(fh, encoding=enc, errors="strict", newline="")
        reader = csv.reader(stream, delimiter=delim)
        try:
            n = 0
            for row in reader:
                if sep is not None and n == 0 and reader.line_num == 1:
                    sep = None  # Excel's "sep=;" line: not a row Excel shows
                    continue
                n += 1
                if n == 1 and row and isinstance(row[0], str):
                    row[0] = row[0].lstrip("\ufeff")
                if nfc:
                    row = [unicodedata.normalize("NFC", c) for c in row]
                builder.add(n, row)
        except csv.Error as exc:
            raise _fail(file, "unreadable", "csv_unreadable", line=reader.line_num, error=exc) from None
        except UnicodeDecodeError:
            raise _fail(file, "encoding", "undecodable", encoding=enc) from None
    raw = builder.finish()
    _check_legacy_text(builder, raw)
    if notes:
        raw = replace(raw, notes=(*notes, *raw.notes))
    return raw


def _is_xlsx_zip(p: Path) -> bool:
    try:
        with zipfile.ZipFile(p) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _refuse_foreign(p: Path, file: str, head: bytes) -> None:
    """Refuse a file whose content is of another kind than its name says (old .xls, HTML, encrypted)."""
    ext = p.suffix.lower()
    if head.startswith(_OLE_MAGIC):
        raise _fail(file, "wrong_format", "old_excel", ext=ext)
    probe = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")) and b"<t" in head[:8192].lower():
        raise _fail(file, "wrong_format", "html_file", ext=ext)


# ---------------------------------------------------------------------------------------------
# Excel


def _percent_text(value: float) -> str:
    """An Excel percentage cell as the text Excel shows: 0.853 → "85.3%"."""
    return f"{round(value * 100, 9):.10g}%"


def _cell_value(cell: Any) -> Any:
    v = cell.value
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        fmt = getattr(cell, "number_format", None) or ""
        if "%" in fmt.replace('"%"', "").replace("\\%", ""):
            return _percent_text(float(v))
    return v


def _is_formula(v: Any) -> bool:
    if isinstance(v, str):
        return v.startswith("=") and len(v) > 1
    return type(v).__name__ in ("ArrayFormula", "DataTableFormula")


def _formula_text(v: Any) -> str:
    text = v if isinstance(v, str) else getattr(v, "text", None) or str(v)
    text = " ".join(str(text).split())
    return text if len(text) <= 40 else text[:39] + "…"


def _open_workbook(p: Path, file: str, *, data_only: bool, read_only: bool):
    """Open with openpyxl from a file object (so an .xlsx saved under another name opens too)."""
    import openpyxl

    fh = open(p, "rb")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions / styles
            wb = openpyxl.load_workbook(fh, read_only=read_only, data_only=data_only)
        if not read_only:
            fh.close()  # everything is loaded; read-only workbooks read the file until closed
        return wb
    except Exception as exc:  # XML errors, missing parts: a damaged workbook (an encrypted one is refused before)
        fh.close()
        raise _fail_content(file, "unreadable", "damaged_xlsx", ext=p.suffix.lower(),
                            error=f"{type(exc).__name__}: {exc}") from None


def _pick_sheet(wb: Any, file: str, sheet: str | None) -> tuple[Any, list[Problem]]:
    from parbrief.data.names import header_key

    name = Path(file).name
    sheets = [ws for ws in wb.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        raise _fail(file, "empty_file", "no_worksheet")
    notes: list[Problem] = []
    if sheet is None:
        visible = [ws for ws in sheets if ws.sheet_state == "visible"]
        ws = (visible or sheets)[0]
        if len(visible) > 1:
            others = Joined(Msg("data_check.quote", text=w.title) for w in visible[1:])
            notes.append(_note(name, None, "sheet_chosen", "sheet_chosen", n=len(visible), sheet=ws.title,
                               others=others))
        return ws, notes
    by_name = {ws.title: ws for ws in sheets}
    ws = by_name.get(sheet)
    if ws is None:
        loose = [w for w in sheets if header_key(w.title) == header_key(sheet)]
        ws = loose[0] if len(loose) == 1 else None
    if ws is None:
        listed = Joined(Msg("data_read.sheet_listed" if w.sheet_state == "visible" else "data_read.sheet_hidden",
                            sheet=w.title) for w in sheets)
        raise _fail(file, "wrong_sheet", "no_such_sheet", sheet=sheet, sheets=listed, first=sheets[0].title)
    if ws.sheet_state != "visible":
        notes.append(_note(name, None, "hidden_sheet", "hidden_sheet", sheet=ws.title))
    return ws, notes


def _looks_like_a_text_table(head: bytes) -> bool:
    """Whether the first bytes of a file are a text table (a CSV saved under an Excel name): a
    UTF-16/32 byte-order mark, or no NUL byte, (nearly) no control characters other than tab and
    line ends, and a delimiter (, ; tab |) in the first line."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return True
    if not head or b"\x00" in head:
        return False
    control = sum(1 for b in head if b < 0x20 and b not in (0x09, 0x0A, 0x0D))
    first = head.lstrip(b"\xef\xbb\xbf\r\n").split(b"\n", 1)[0]
    return control <= len(head) // 1000 and any(d in first for d in (b",", b";", b"\t", b"|"))


def _excel_content(p: Path, file: str, head: bytes, sheet: str | None) -> RawTable | None:
    """Check a workbook's content before openpyxl reads it (its name says nothing of it): a text
    table is read as CSV with a note; bytes that are no workbook are refused, without the
    password hint (only an old or encrypted workbook, :func:`_refuse_foreign`, gets that)."""
    if head.startswith(_ZIP_MAGIC) or zipfile.is_zipfile(p):  # a zip's first bytes, or its directory at the end
        try:
            with zipfile.ZipFile(p) as z:
                if "xl/workbook.xml" in z.namelist():
                    return None
                error = Msg("integrity.read.no_workbook_part")
        except (zipfile.BadZipFile, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        raise _fail_content(file, "unreadable", "damaged_xlsx", ext=p.suffix.lower(), error=error)
    if _looks_like_a_text_table(head):
        raw = _read_csv(p, file, None)
        notes = [Problem.keyed(p.name, None, None, "file_type_fixed", "integrity.read.csv_named_xlsx",
                               severity="warning", suffix=p.suffix)]
        if sheet is not None:
            notes.append(_note(p.name, None, "sheet_ignored", "sheet_ignored", ext=".csv", sheet=sheet))
        return replace(raw, notes=(*notes, *raw.notes))
    raise _fail_content(file, "unreadable", "not_excel", ext=p.suffix.lower())


def _read_excel(p: Path, file: str, sheet: str | None) -> RawTable:
    with open(p, "rb") as fh:
        head = fh.read(8192)
    _refuse_foreign(p, file, head)
    as_text = _excel_content(p, file, head, sheet)
    if as_text is not None:
        return as_text
    streaming = p.stat().st_size > _XLSX_FULL_MODE_MAX
    wb = _open_workbook(p, file, data_only=False, read_only=streaming)
    wb_values = None
    try:
        ws, notes = _pick_sheet(wb, file, sheet)
        formulas: dict[tuple[int, int], str] = {}
        if streaming:
            # Two streams side by side: formulas (to find cells without a cached value) and values.
            wb_values = _open_workbook(p, file, data_only=True, read_only=True)
            ws_values = wb_values[ws.title]
            builder = _Builder(file, ws.title)
            for i, (frow, vrow) in enumerate(zip(ws.iter_rows(), ws_values.iter_rows()), start=1):
                cells = []
                for j, (fc, vc) in enumerate(zip(frow, vrow)):
                    fv = getattr(fc, "value", None)
                    v = _cell_value(vc) if getattr(vc, "value", None) is not None else None
                    if v is None and _is_formula(fv):
                        formulas[(i, j)] = _formula_text(fv)
                    cells.append(v)
                builder.add(i, cells)
        else:
            merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
            rows = list(ws.iter_rows())
            has_formula = any(_is_formula(c.value) for row in rows for c in row)
            if has_formula:
                wb_values = _open_workbook(p, file, data_only=True, read_only=False)
                ws_v = wb_values[ws.title]
                for row in rows:
                    for c in row:
                        if _is_formula(c.value) and ws_v.cell(row=c.row, column=c.column).value is None:
                            formulas[(c.row, c.column - 1)] = _formula_text(c.value)
                rows = list(ws_v.iter_rows())
            builder = _Builder(file, ws.title, merged)
            for i, row in enumerate(rows, start=1):
                builder.add(i, [_cell_value(c) for c in row])
        raw = builder.finish()
    finally:
        wb.close()
        if wb_values is not None:
            wb_values.close()
    if formulas:
        _refuse_formulas(raw, formulas)
    _check_legacy_text(builder, raw)
    if notes:
        raw = replace(raw, notes=(*notes, *raw.notes))
    return raw


def _refuse_formulas(raw: RawTable, formulas: dict[tuple[int, int], str]) -> None:
    """Formula cells of the table (header or data rows) that have no cached value: one problem each."""
    first = raw.header_row
    width = len(raw.frame.columns)
    problems = []
    for (r, j), text in sorted(formulas.items()):
        if r < first or j >= width:
            continue  # a formula in a title row or beyond the table is not read anyway
        label = raw.frame.columns[j]
        addr = f"{_column_letter(j)}{r}"
        problems.append(Problem.keyed(raw.name, r, raw.header(label), "formula_without_value",
                                      "data_read.formula_without_value", cell=addr, formula=text))
    if problems:
        raise DataValidationError(problems)


# ---------------------------------------------------------------------------------------------
# Parquet


def _read_parquet(p: Path, file: str) -> RawTable:
    try:
        df = pd.read_parquet(p)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise _fail(file, "unreadable", "parquet_unreadable", error=f"{type(exc).__name__}: {exc}") from None
    df = df.reset_index(drop=True)
    headers = [_header_text(c) for c in df.columns]
    builder = _Builder(file, None, header_first=True)
    # Parquet has no visible rows: number them as a spreadsheet would show them (header = 1).
    if headers:
        builder.add(1, headers)
        for i, r in enumerate(df.astype(object).itertuples(index=False)):
            builder.add(i + 2, list(r))
    return builder.finish()


# ---------------------------------------------------------------------------------------------
# Entry point


def read_table(
    path: str | os.PathLike[str],
    sheet: str | None = None,
    *,
    encoding: str | None = None,
    max_bytes: int | None = None,
) -> RawTable:
    """Read a scores or survey table from .csv/.tsv/.txt, .xlsx or .parquet, cells as written.

    CSV: UTF-8 (with or without BOM) or UTF-16/32 with BOM, delimiter ',', ';', tab or '|'
    (detected). A non-UTF-8 file is refused naming the legacy encoding it looks like, unless
    ``encoding`` names the codec to use (e.g. ``"cp1258"``). For Excel, ``sheet`` picks the
    worksheet (default: the first visible one); a name that does not exist raises
    :class:`DataValidationError` listing the sheets. Title rows above the header, blank rows,
    two-row headers and column-number rows are skipped with notes (see the module docstring).
    Files above ``max_bytes`` (default :func:`max_input_bytes`) are refused before reading.
    Every refusal is a :class:`DataValidationError` whose problems name file, row, column and fix.
    """
    p = Path(path)
    file = str(path)
    ext = p.suffix.lower()
    if ext not in _CSV_EXT | _EXCEL_EXT | _PARQUET_EXT:
        key = "unsupported_office" if ext in {".xls", ".ods", ".xlsb"} else "unsupported_file"
        raise _fail(file, "unsupported_file", key, ext=ext or p.name)
    if not p.is_file():
        raise _fail(file, "file_not_found", "file_not_found", file=file)
    size = p.stat().st_size
    if size == 0:
        raise _fail(file, "empty_file", "zero_bytes")
    limit = max_input_bytes() if max_bytes is None else max_bytes
    if size > limit:
        mb = f"{size / 1048576:.1f}"
        raise _fail(file, "too_large", "too_large", size=PerLang(mb.replace(".", ","), mb),
                    limit=f"{limit / 1048576:.0f}", env=MAX_INPUT_ENV)
    if ext in _EXCEL_EXT:
        return _read_excel(p, file, sheet)
    raw = _read_csv(p, file, encoding, sheet) if ext in _CSV_EXT else _read_parquet(p, file)
    if sheet is not None and ext in _CSV_EXT | _PARQUET_EXT and raw.sheet is None:
        note = _note(p.name, None, "sheet_ignored", "sheet_ignored", ext=ext, sheet=sheet)
        raw = replace(raw, notes=(note, *raw.notes))
    return raw
