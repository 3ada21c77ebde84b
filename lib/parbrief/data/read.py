"""Read a CSV, Excel (.xlsx) or Parquet table as the user sees it, keeping every cell as read.

Reading does not interpret cells (that is :mod:`parbrief.data.validate`'s job); it finds the
header row, keeps each cell's value as read (text for CSV, the cell value for Excel) and
remembers, for every data row, the row number the user sees: the Excel row number, or the line
number in a CSV file (header = 1 when it is the first line), so every problem can name it.

CSV parsing uses the standard library's :mod:`csv` reader rather than ``pandas.read_csv``
because the row numbers must count blank lines and multi-line quoted cells the way Excel shows
them, and every cell must stay text (no type guessing, no "NA" → NaN) until validation.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from parbrief.errors import DataValidationError, Problem

__all__ = ["RawTable", "read_table", "SUPPORTED_EXTENSIONS", "is_blank"]

_CSV_EXT = {".csv", ".tsv", ".txt"}
_EXCEL_EXT = {".xlsx", ".xlsm"}
_PARQUET_EXT = {".parquet", ".pq"}
SUPPORTED_EXTENSIONS = tuple(sorted(_CSV_EXT | _EXCEL_EXT | _PARQUET_EXT))
# How far down a title block above the header may reach.
_HEADER_SEARCH_ROWS = 30


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


def _fail(file: str, kind: str, vi: str, en: str, hint_vi: str = "", hint_en: str = "") -> DataValidationError:
    name = Path(file).name
    return DataValidationError([Problem(name, None, None, kind, vi, en, hint_vi, hint_en)])


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


def _build(file: str, sheet: str | None, records: Sequence[tuple[int, Sequence[Any]]]) -> RawTable:
    """Find the header among (row number, cells) records and build the RawTable."""
    nonblank = [(n, cells) for n, cells in records if any(not is_blank(c) for c in cells)]
    if not nonblank:
        where_vi = f" (trang tính “{sheet}”)" if sheet else ""
        where_en = f" (sheet '{sheet}')" if sheet else ""
        raise _fail(
            file,
            "empty_file",
            f"Tệp trống{where_vi}: không có dòng tiêu đề và không có dữ liệu.",
            f"The file is empty{where_en}: no header row and no data.",
            "Kiểm tra đã chọn đúng tệp và đúng trang tính; dòng tiêu đề cột phải nằm ở đầu bảng.",
            "Check that you chose the right file and sheet; the column headers must start the table.",
        )
    # Header: the first row with at least two filled cells (a title block above it, usually one
    # merged cell per row, is skipped); a one-column table falls back to its first filled row.
    header_idx = 0
    for i, (_, cells) in enumerate(nonblank[:_HEADER_SEARCH_ROWS]):
        if sum(not is_blank(c) for c in cells) >= 2:
            header_idx = i
            break
    header_row, header_cells = nonblank[header_idx]
    data = [(n, list(cells)) for n, cells in nonblank if n > header_row]
    width = max([len(header_cells), *(len(c) for _, c in data)])
    texts = [_header_text(header_cells[j]) if j < len(header_cells) else "" for j in range(width)]
    # Drop trailing columns with neither a header nor any value (Excel's "used range" tail).
    while width and not texts[width - 1] and all(is_blank(c[width - 1]) for _, c in data if len(c) >= width):
        width -= 1
    texts = texts[:width]
    counts = Counter(t for t in texts if t)
    labels = []
    for j, t in enumerate(texts):
        letter = _column_letter(j)
        labels.append(f"[{letter}]" if not t else (f"{t} [{letter}]" if counts[t] > 1 else t))
    rows = [[(c[j] if j < len(c) else None) for j in range(width)] for _, c in data]
    frame = pd.DataFrame(rows, columns=labels, dtype=object) if rows else pd.DataFrame(
        {lab: pd.Series([], dtype=object) for lab in labels}
    )
    notes: list[Problem] = []
    skipped = [n for n, _ in nonblank if n < header_row]
    if skipped:
        name = Path(file).name
        span = str(skipped[0]) if len(skipped) == 1 else f"{skipped[0]}–{skipped[-1]}"
        notes.append(
            Problem(
                name,
                header_row,
                None,
                "title_rows_skipped",
                f"Bỏ qua {len(skipped)} dòng tiêu đề bảng phía trên (dòng {span}); "
                f"dòng {header_row} được dùng làm tiêu đề cột.",
                f"Skipped {len(skipped)} title row(s) above the table ({'row' if len(skipped) == 1 else 'rows'} "
                f"{span}); row {header_row} is used as the column headers.",
                severity="warning",
            )
        )
    return RawTable(
        frame=frame,
        rows=tuple(n for n, _ in data),
        file=file,
        sheet=sheet,
        header_row=header_row,
        headers=tuple(texts),
        notes=tuple(notes),
    )


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter (, ; tab |) that splits the first lines into the most consistent columns.

    Hand-written because :class:`csv.Sniffer` guesses wrongly on Vietnamese files saved with ';'
    and decimal commas ("85,5"): there ',' splits data lines unevenly, ';' evenly.
    """
    head = [ln for ln in text.splitlines()[:60] if ln.strip()][:40]
    best, best_score = ",", (0.0, 0)
    for delim in (",", ";", "\t", "|"):
        counts = [len(r) for r in csv.reader(head, delimiter=delim)]
        if not counts:
            continue
        mode, hits = Counter(counts).most_common(1)[0]
        if mode <= 1:
            continue
        score = (hits / len(counts), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(p: Path, file: str) -> RawTable:
    data = p.read_bytes()
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(
            file,
            "encoding",
            f"Tệp CSV không ở mã UTF-8 (byte lỗi ở vị trí {exc.start}), nên không đọc đúng được chữ tiếng Việt.",
            f"The CSV file is not UTF-8 encoded (bad byte at offset {exc.start}), so Vietnamese text cannot be read.",
            "Trong Excel chọn Lưu thành (Save As) → “CSV UTF-8 (Comma delimited)”, hoặc gửi tệp .xlsx.",
            "In Excel use Save As → 'CSV UTF-8 (Comma delimited)', or send the .xlsx file.",
        ) from None
    delim = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        records = [(i, row) for i, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise _fail(
            file,
            "unreadable",
            f"Không đọc được tệp CSV: {exc}.",
            f"Cannot parse the CSV file: {exc}.",
            "Kiểm tra dấu ngoặc kép trong các ô; mở tệp bằng Excel rồi lưu lại dạng CSV UTF-8.",
            "Check the quotes in cells; open the file in Excel and save it again as CSV UTF-8.",
        ) from None
    return _build(file, None, records)


def _read_excel(p: Path, file: str, sheet: str | None) -> RawTable:
    import openpyxl

    from parbrief.data.names import header_key

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions / styles
            wb = openpyxl.load_workbook(p, read_only=False, data_only=True)
    except Exception as exc:  # zip errors, XML errors, encrypted files: all "cannot read"
        raise _fail(
            file,
            "unreadable",
            f"Không mở được tệp Excel ({type(exc).__name__}: {exc}).",
            f"Cannot open the Excel file ({type(exc).__name__}: {exc}).",
            "Mở tệp bằng Excel, bỏ mật khẩu nếu có, rồi lưu lại dạng .xlsx.",
            "Open it in Excel, remove any password, and save it again as .xlsx.",
        ) from None
    try:
        sheets = list(wb.worksheets)
        if not sheets:
            raise _fail(
                file,
                "empty_file",
                "Tệp Excel không có trang tính dữ liệu nào.",
                "The Excel file has no worksheet.",
                "Kiểm tra đã chọn đúng tệp.",
                "Check that you chose the right file.",
            )
        if sheet is None:
            visible = [ws for ws in sheets if ws.sheet_state == "visible"]
            ws = (visible or sheets)[0]
        else:
            by_name = {ws.title: ws for ws in sheets}
            ws = by_name.get(sheet)
            if ws is None:
                loose = [w for w in sheets if header_key(w.title) == header_key(sheet)]
                ws = loose[0] if len(loose) == 1 else None
            if ws is None:
                listed = ", ".join(
                    f"“{w.title}”" + ("" if w.sheet_state == "visible" else " (ẩn)") for w in sheets
                )
                listed_en = ", ".join(
                    f"'{w.title}'" + ("" if w.sheet_state == "visible" else " (hidden)") for w in sheets
                )
                first = sheets[0].title
                raise _fail(
                    file,
                    "wrong_sheet",
                    f"Không có trang tính “{sheet}”. Các trang tính trong tệp: {listed}.",
                    f"There is no sheet '{sheet}'. Sheets in the file: {listed_en}.",
                    f"Chọn một trang tính có trong tệp, ví dụ --sheet \"{first}\".",
                    f"Choose a sheet that exists, e.g. --sheet \"{first}\".",
                )
        records = [(i, list(row)) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
        return _build(file, ws.title, records)
    finally:
        wb.close()


def _read_parquet(p: Path, file: str) -> RawTable:
    try:
        df = pd.read_parquet(p)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise _fail(
            file,
            "unreadable",
            f"Không đọc được tệp Parquet ({type(exc).__name__}: {exc}).",
            f"Cannot read the Parquet file ({type(exc).__name__}: {exc}).",
            "Xuất lại tệp, hoặc gửi bản .xlsx/.csv.",
            "Export the file again, or send it as .xlsx/.csv.",
        ) from None
    df = df.reset_index(drop=True)
    headers = [_header_text(c) for c in df.columns]
    # Parquet has no visible rows: number them as a spreadsheet would show them (header = 1).
    records = [(1, headers)] + [(i + 2, list(r)) for i, r in enumerate(df.astype(object).itertuples(index=False))]
    if df.empty and not headers:
        records = []
    return _build(file, None, records)


def read_table(path: str | os.PathLike[str], sheet: str | None = None) -> RawTable:
    """Read a scores or survey table from .csv (UTF-8, with or without BOM; ',' or ';'), .xlsx or .parquet.

    For Excel, ``sheet`` picks the worksheet (default: the first visible one); a name that does
    not exist raises :class:`DataValidationError` listing the sheets. An empty file, a file with
    no header row, an unreadable or unsupported file raise :class:`DataValidationError` with one
    :class:`Problem`. Fully blank rows are skipped; title rows above the header are skipped with a
    note. ``sheet`` is ignored for CSV and Parquet (with a note).
    """
    p = Path(path)
    file = str(path)
    ext = p.suffix.lower()
    if ext not in _CSV_EXT | _EXCEL_EXT | _PARQUET_EXT:
        hint_vi = "Lưu tệp dạng .xlsx hoặc CSV UTF-8." if ext in {".xls", ".ods", ".xlsb"} else "Dùng tệp .xlsx, .csv hoặc .parquet."
        hint_en = "Save it as .xlsx or CSV UTF-8." if ext in {".xls", ".ods", ".xlsb"} else "Use an .xlsx, .csv or .parquet file."
        raise _fail(
            file,
            "unsupported_file",
            f"Không hỗ trợ loại tệp “{ext or p.name}”; parbrief đọc .xlsx, .csv và .parquet.",
            f"Unsupported file type '{ext or p.name}'; parbrief reads .xlsx, .csv and .parquet.",
            hint_vi,
            hint_en,
        )
    if not p.is_file():
        raise _fail(
            file,
            "file_not_found",
            f"Không tìm thấy tệp “{file}”.",
            f"File not found: '{file}'.",
            "Kiểm tra đường dẫn và tên tệp.",
            "Check the path and the file name.",
        )
    if p.stat().st_size == 0:
        raise _fail(
            file,
            "empty_file",
            "Tệp trống (0 byte).",
            "The file is empty (0 bytes).",
            "Kiểm tra đã chọn đúng tệp; tệp có thể chưa được lưu hoặc tải về chưa xong.",
            "Check that you chose the right file; it may not have been saved or fully downloaded.",
        )
    if ext in _EXCEL_EXT:
        return _read_excel(p, file, sheet)
    raw = _read_csv(p, file) if ext in _CSV_EXT else _read_parquet(p, file)
    if sheet is not None:
        note = Problem(
            p.name, None, None, "sheet_ignored",
            f"Tệp {ext} không có trang tính; bỏ qua --sheet “{sheet}”.",
            f"A {ext} file has no sheets; --sheet '{sheet}' is ignored.",
            severity="warning",
        )
        raw = replace(raw, notes=(note, *raw.notes))
    return raw
