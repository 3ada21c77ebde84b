"""Generate the corpus of bad input files in tests/data/bad/ (reproducible, byte for byte).

Each file imitates a way real CCHC / PAR INDEX tables reach parbrief from many hands and Excel
installs: encodings (BOM, UTF-16 "Unicode text", Windows-1258, TCVN3, VNI, double UTF-8),
Vietnamese number formats, title blocks and merged headers, summary rows, formulas without
cached values, dates where numbers belong, duplicate columns, NFD names, hidden sheets, empty
files… Its expected outcome is recorded in ``tests/data/bad/expected.yaml`` and checked by
``tests/data/test_bad_inputs.py``, which also regenerates the corpus and compares it with the
committed files. The 50 MB file is never committed: :func:`write_big_csv` makes it at test time.

Usage: ``python tests/data/make_bad_inputs.py [OUT_DIR]`` (default: tests/data/bad).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any, Callable, Sequence

PROVINCE = "Quảng Trị"
YEAR = 2023
# Component maxima of the default spec: 9, 9, 13, 7.5, 11.5, 8, 9, 33 (total 100).
COMPONENT_HEADERS = ["Chỉ đạo điều hành", "Thể chế", "Thủ tục hành chính", "Tổ chức bộ máy", "Chế độ công vụ",
                     "Tài chính công", "Chính phủ số", "Tác động"]
CODES = ["chi_dao", "the_che", "tthc", "bo_may", "cong_vu", "tai_chinh", "cp_so", "tac_dong"]
UNITS: list[tuple[str, tuple[float, ...]]] = [
    ("Thành phố Đông Hà", (8.5, 8.3, 12.0, 7.0, 10.6, 7.25, 8.0, 28.65)),
    ("Thị xã Quảng Trị", (8.0, 7.75, 11.5, 6.5, 10.0, 7.0, 7.5, 27.25)),
    ("Huyện Vĩnh Linh", (7.5, 8.0, 11.0, 6.75, 9.5, 6.5, 7.25, 26.1)),
    ("Huyện Gio Linh", (7.25, 7.5, 10.5, 6.0, 9.0, 6.25, 6.5, 25.5)),
    ("Huyện Hướng Hóa", (6.5, 7.0, 10.0, 5.5, 8.5, 6.0, 6.0, 24.75)),
]
HEADER = ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", *COMPONENT_HEADERS]
FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def total(comps: Sequence[float]) -> float:
    return round(sum(comps), 2)


def num(x: float, comma: bool = False) -> str:
    """A number as Excel writes it in CSV: "85.3", or "85,3" in a Vietnamese locale."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if comma else text


def rows(comma: bool = False, units: Sequence[tuple[str, tuple[float, ...]]] = UNITS) -> list[list[Any]]:
    return [[PROVINCE, u, str(YEAR), num(total(c), comma), *(num(x, comma) for x in c)] for u, c in units]


def csv_bytes(table: Sequence[Sequence[Any]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for r in table:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Legacy encodings (inverse of parbrief.data.encodings' decoders, for the corpus only)

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258: precomposed where the code page has the letter, else base letter + tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        tone = "".join(c for c in parts if c in _TONES)
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def to_tcvn3(text: str) -> str:
    """Text as a TCVN3 (ABC) font stores it, shown as Windows-1252/Latin-1 characters."""
    from parbrief.data.encodings import _TCVN3

    inverse = {v: k for k, v in _TCVN3.items()}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in inverse:
            out.append(inverse[ch])
        elif ch.lower() in inverse and not ch.isascii():
            out.append(inverse[ch.lower()])  # capitals come from the .VnTimeH font, same codes
        else:
            out.append(ch)
    return "".join(out)


_VNI_TONE = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRC = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def to_vni(text: str) -> str:
    """Text as a VNI-Windows font stores it (base letter + mark characters)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        tone = "".join(m for m in marks if m in _TONES)
        up = base.isupper()

        def case(s: str) -> str:
            return s.upper() if up else s

        if ch in "đĐ":
            out.append(case("ñ"))
        elif "\u0302" in marks:
            out.append(base + case(_VNI_CIRC[tone]))
        elif "\u0306" in marks:
            out.append(base + case(_VNI_BREVE[tone]))
        elif "\u031b" in marks:
            out.append(case("ô" if base.lower() == "o" else "ö") + (case(_VNI_TONE[tone]) if tone else ""))
        elif base.lower() == "i" and tone:
            out.append(case(_VNI_I[tone]))
        elif base.lower() == "y" and tone == "\u0323":
            out.append(case("î"))
        elif tone:
            out.append(base + case(_VNI_TONE[tone]))
        else:
            out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Excel writing, made byte-reproducible


def _stable_zip(path: Path, patch: Callable[[str, bytes], bytes] | None = None) -> None:
    """Rewrite an .xlsx with fixed timestamps (zip entries and document properties)."""
    with zipfile.ZipFile(path) as z:
        items = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", data)
            if patch is not None:
                data = patch(name, data)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, data)


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any] | None]], *, hidden: Sequence[str] = (),
               merges: dict[str, Sequence[str]] | None = None, formats: dict[str, dict[str, str]] | None = None,
               patch: Callable[[str, bytes], bytes] | None = None) -> None:
    """Sheets {title: rows from row 1; None = blank row}; merges {title: ["A1:C1"]}; formats {title: {cell: fmt}}."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, table in sheets.items():
        ws = wb.create_sheet(title)
        for i, r in enumerate(table, start=1):
            if r is None:
                continue
            for j, v in enumerate(r, start=1):
                if v is not None:
                    ws.cell(row=i, column=j, value=v)
        for ref in (merges or {}).get(title, ()):
            ws.merge_cells(ref)
        for ref, fmt in (formats or {}).get(title, {}).items():
            ws[ref].number_format = fmt
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.properties.creator = "parbrief corpus"
    wb.properties.created = wb.properties.modified = dt.datetime(2024, 1, 1)
    wb.save(path)
    _stable_zip(path, patch)


def xlsx_rows(comma: bool = False) -> list[list[Any]]:
    """Data rows with Excel numbers (floats), year as an integer."""
    return [[PROVINCE, u, YEAR, total(c), *c] for u, c in UNITS]


# ---------------------------------------------------------------------------------------------
# The corpus


def build(out: Path) -> list[Path]:
    """Write every corpus file into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def text(name: str, content: str, encoding: str = "utf-8") -> None:
        p = out / name
        p.write_bytes(content.encode(encoding))
        written.append(p)

    def raw(name: str, content: bytes) -> None:
        p = out / name
        p.write_bytes(content)
        written.append(p)

    def xlsx(name: str, *args: Any, **kwargs: Any) -> None:
        p = out / name
        write_xlsx(p, *args, **kwargs)
        written.append(p)

    # 1. Excel "CSV UTF-8 (Comma delimited)": BOM, CRLF.
    text("utf8_bom.csv", csv_bytes([HEADER, *rows()]), "utf-8-sig")
    # 2. Excel "Unicode Text": UTF-16 LE with BOM, tab separated, Vietnamese decimal commas.
    text("utf16_unicode_text.txt", csv_bytes([HEADER, *rows(comma=True)], "\t"), "utf-16")
    # 3. UTF-16 LE without a BOM (some export tools).
    text("utf16_no_bom.csv", csv_bytes([HEADER, *rows()]), "utf-16-le")
    # 4–6. Legacy encodings as bytes.
    legacy = csv_bytes([HEADER, *rows()])
    raw("cp1258.csv", to_cp1258(legacy))
    raw("tcvn3.csv", to_tcvn3(legacy).encode("latin-1"))
    raw("vni.csv", to_vni(legacy).encode("cp1252"))
    # 7. An .xlsx typed with .VnTime fonts: TCVN3 characters stored as Unicode text.
    xlsx("tcvn3_font.xlsx", {"Sheet1": [[to_tcvn3(h) for h in HEADER],
                                        *[[to_tcvn3(v) if isinstance(v, str) else v for v in r] for r in xlsx_rows()]]})
    # 8. UTF-8 opened as Windows-1252 and saved again as UTF-8 ("Quáº£ng Trá»‹").
    mojibake = csv_bytes([HEADER, *rows()]).encode("utf-8").decode("cp1252", errors="replace")
    text("utf8_double_encoded.csv", mojibake, "utf-8")
    # 9. One unit name pasted from an old TCVN3 document into an otherwise fine UTF-8 file.
    one = rows()
    one[2][1] = to_tcvn3("Huyện Vĩnh Linh")
    text("one_tcvn3_name.csv", csv_bytes([HEADER, *one]))
    # 10. Vietnamese-locale Excel CSV: ';' separator and decimal commas ("85,3").
    text("decimal_comma_semicolon.csv", csv_bytes([HEADER, *rows(comma=True)], ";"), "utf-8-sig")
    # 11. Totals written "90,3%" (header without %): max 100, so percent = points.
    pct = rows(comma=True)
    for r in pct:
        r[3] = r[3] + "%"
    text("percent_total.csv", csv_bytes([HEADER, *pct], ";"), "utf-8-sig")
    # 12. Components as percentages of their maximum, the header says "(%)".
    hdr = ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", *(f"{h} (%)" for h in COMPONENT_HEADERS)]
    maxima = (9, 9, 13, 7.5, 11.5, 8, 9, 33)
    pct_rows = [[PROVINCE, u, str(YEAR), num(total(c)), *(num(round(x / m * 100, 2)) for x, m in zip(c, maxima))]
                for u, c in UNITS[:2]]
    text("percent_header.csv", csv_bytes([hdr, *pct_rows]))
    # 13. A "%" on a component whose header does not say so: ambiguous.
    amb = rows()
    amb[1][5] = "86%"
    text("percent_component_ambiguous.csv", csv_bytes([HEADER, *amb]))
    # 14. Year column formatted with a thousands separator (vi-VN: "2.023").
    thou = rows(comma=True)
    for r in thou:
        r[2] = "2.023"
    text("thousands_year.csv", csv_bytes([HEADER, *thou], ";"), "utf-8-sig")
    # 15. Title block above the header (agency, national motto, title, blank line).
    title = [["UBND TỈNH QUẢNG TRỊ", None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
             [None, None, None, None, None, "Độc lập - Tự do - Hạnh phúc"],
             ["KẾT QUẢ CHỈ SỐ CCHC NĂM 2023 CỦA CÁC HUYỆN, THỊ XÃ, THÀNH PHỐ"],
             None,
             HEADER, *xlsx_rows()]
    xlsx("title_block.xlsx", {"Chỉ số CCHC 2023": title}, merges={"Chỉ số CCHC 2023": ["A1:C1", "A3:L3"]})
    # 16. Two-row header: merged group title over the component columns, vertical merges for the
    #     other headers, a row of column numbers, the province merged down over the data rows.
    top = ["STT", "Tỉnh", "Đơn vị", "Năm", "Tổng điểm", "Điểm các lĩnh vực", *([None] * 7)]
    sub = [None] * 5 + COMPONENT_HEADERS
    numbers = [f"({i})" for i in range(1, 14)]
    data = []
    for i, r in enumerate(xlsx_rows(), start=1):
        data.append([i, r[0] if i == 1 else None, *r[1:]])
    merged_sheet = [["KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023"], None, top, sub, numbers, *data]
    xlsx("merged_header.xlsx", {"Tổng hợp": merged_sheet},
         merges={"Tổng hợp": ["A1:M1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:M3", "B6:B10"]})
    # 17. The same table saved as CSV: merged cells become blanks.
    csv_data = [[i, PROVINCE, *r[1:]] for i, r in enumerate(rows(), start=1)]
    text("merged_header.csv", csv_bytes([["KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023"], [], top, sub, *csv_data]),
         "utf-8-sig")
    # 18. Blank rows between units, then "Tổng cộng" and "Trung bình" lines (in the STT column).
    hdr_stt = ["STT", *HEADER]
    body = [[i, *r] for i, r in enumerate(rows(), start=1)]
    tot = [round(sum(total(c) for _, c in UNITS), 2), *(round(sum(c[k] for _, c in UNITS), 2) for k in range(8))]
    avg = [round(x / len(UNITS), 2) for x in tot]
    table18 = [hdr_stt, body[0], body[1], [], body[2], [], [], body[3], body[4],
               ["Tổng cộng", "", "", "", *map(num, tot)], ["Trung bình", "", "", "", *map(num, avg)]]
    text("blank_rows_and_summary.csv", csv_bytes(table18))
    # 19. Formulas written by a program (openpyxl) that never calculates them: no cached values.
    f_rows = [[PROVINCE, u, YEAR, f"=SUM(E{i}:L{i})", *c] for i, (u, c) in enumerate(UNITS, start=2)]
    xlsx("formulas_no_cache.xlsx", {"Sheet1": [HEADER, *f_rows]})
    # 20. The same formulas with the values Excel computed and cached.
    cached = {f"D{i}": total(c) for i, (_, c) in enumerate(UNITS, start=2)}

    def add_cache(name: str, data: bytes) -> bytes:
        if not name.startswith("xl/worksheets/"):
            return data

        def fill(m: re.Match[bytes]) -> bytes:
            ref = m.group(2).decode()
            value = cached.get(ref)
            return m.group(0) if value is None else m.group(1) + m.group(3) + f"<v>{value}</v>".encode()

        return re.sub(rb'(<c r="([A-Z]+\d+)"[^>]*>)(<f>[^<]*</f>)(?:<v\s*/>|<v></v>)?', fill, data)

    xlsx("formulas_cached.xlsx", {"Sheet1": [HEADER, *f_rows]}, patch=add_cache)
    # 21. Excel turned "8.5" typed in a vi-VN locale into the date 8 May; another cell was typed "8/5".
    d_rows = xlsx_rows()
    d_rows[1][5] = dt.datetime(2023, 5, 8)
    d_rows[3][9] = dt.datetime(2023, 5, 8)
    xlsx("dates_in_scores.xlsx", {"Sheet1": [HEADER, *d_rows]}, formats={"Sheet1": {"F3": "dd/mm/yyyy", "J5": "d-mmm"}})
    # 22. The CSV version: dates as text.
    dc = rows()
    dc[0][7] = "08/05/2023"
    dc[4][6] = "8-May"
    text("dates_in_scores.csv", csv_bytes([HEADER, *dc]))
    # 23. Numbers merely formatted as dates (year 2023 shown as 15/07/1905, a score as a time).
    n_rows = xlsx_rows()
    xlsx("date_formatted_numbers.xlsx", {"Sheet1": [HEADER, *n_rows]},
         formats={"Sheet1": {**{f"C{i}": "dd/mm/yyyy" for i in range(2, 7)}, "E2": "dd/mm/yyyy hh:mm"}})
    # 24. Duplicate column names: "Tổng điểm" twice, "Thể chế" and its code.
    dup_hdr = [*HEADER, "Tổng điểm", "the_che"]
    text("duplicate_columns.csv", csv_bytes([dup_hdr, *[[*r, r[3], r[5]] for r in rows()]]))
    # 25. NFD names (Excel on macOS), "Hoà"/"Hòa" spellings, no-break and double spaces.
    nfd = rows()
    for r in nfd:
        r[0] = unicodedata.normalize("NFD", r[0])
        r[1] = unicodedata.normalize("NFD", r[1]).replace(" ", "\u00a0", 1)
    nfd[4][1] = " Huyện  Hướng Hoá "
    text("nfd_names.csv", csv_bytes([[unicodedata.normalize("NFD", h) for h in HEADER], *nfd]))
    # 26. A hidden first sheet (last year's draft), then two visible sheets.
    old = [[PROVINCE, u, 2022, total(c), *c] for u, c in UNITS[:2]]
    xlsx("hidden_sheet.xlsx", {"Nháp 2022": [HEADER, *old], "2023": [HEADER, *xlsx_rows()], "Ghi chú": [["Nguồn: Sở Nội vụ"]]},
         hidden=["Nháp 2022"])
    # 27–29. Empty file, header only (CSV and Excel).
    raw("empty.csv", b"")
    text("header_only.csv", csv_bytes([HEADER]), "utf-8-sig")
    xlsx("header_only.xlsx", {"Sheet1": [HEADER]})
    # 30. Placeholders for missing components: "-", "x", "NaN", "KĐG".
    ph = rows()
    ph[0][6] = "-"
    ph[1][6] = "x"
    ph[2][11] = "NaN"
    ph[3][8] = "KĐG"
    text("placeholders.csv", csv_bytes([HEADER, *ph]))
    # 31. Numbers stored as text with Excel's leading apostrophe.
    ap = rows()
    for r in ap:
        r[3] = "'" + r[3]
    text("apostrophe_numbers.csv", csv_bytes([HEADER, *ap]))
    # 32. Trailing and leading spaces, case and colons in headers.
    sp = [" Tỉnh ", "Đơn vị  ", "NĂM", "Tổng điểm: ", *(h + " " for h in COMPONENT_HEADERS)]
    text("spaces_in_headers.csv", csv_bytes([sp, *rows()]))
    # 33. Excel error values cached by formulas.
    e_rows = xlsx_rows()
    e_rows[2][3] = "#DIV/0!"
    e_rows[4][10] = "#REF!"
    xlsx("excel_errors.xlsx", {"Sheet1": [HEADER, *e_rows]})
    # 34. Excel's "sep=;" directive on the first line.
    text("sep_line.csv", "sep=;\r\n" + csv_bytes([HEADER, *rows(comma=True)], ";"))
    # 35. An .xlsx workbook saved under a .csv name.
    xl = out / "excel_named_csv.csv"
    write_xlsx(xl, {"Sheet1": [HEADER, *xlsx_rows()]})
    written.append(xl)
    # 36. A web page exported by some software as "Excel".
    cells = "".join(f"<td>{h}</td>" for h in HEADER)
    text("html_table.xlsx", f"<html><head><meta charset='utf-8'></head><body><table><tr>{cells}</tr></table></body></html>")
    # 37. Totals in an Excel percentage format (0.903 shown as 90.3%).
    p_rows = xlsx_rows()
    for r in p_rows:
        r[3] = round(r[3] / 100, 4)
    xlsx("percent_format.xlsx", {"Sheet1": [HEADER, *p_rows]}, formats={"Sheet1": {f"D{i}": "0.0%" for i in range(2, 7)}})
    # 38. An old binary Excel file (or a password-protected one) with an .xlsx name.
    raw("old_xls_renamed.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return written


def write_big_csv(path: Path, megabytes: float = 50.0, seed: int = 7) -> int:
    """A valid scores CSV of about ``megabytes`` MB (units × years 2022–2028 of many provinces); returns its rows.

    The years lie in one method version of the default spec (2022 onwards), whose maxima are used.
    """
    rng = random.Random(seed)
    maxima = (9, 9, 13, 7.5, 11.5, 8, 9, 33)
    target = int(megabytes * 1024 * 1024)
    size = 0
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        line = ",".join(["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", *CODES]) + "\r\n"
        fh.write(line)
        size += len(line.encode())
        while size < target:
            comps = [round(rng.uniform(0.5, 0.95) * m, 2) for m in maxima]
            line = (f"Tỉnh số {n // 7000},Huyện số {n // 7},{2022 + n % 7},{num(total(comps))},"
                    + ",".join(num(x) for x in comps) + "\r\n")
            fh.write(line)
            size += len(line.encode())
            n += 1
    return n


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("bad")
    for p in build(target):
        print(p)
