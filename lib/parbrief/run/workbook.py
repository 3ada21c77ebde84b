"""Results workbooks: ``outputs/<year>/<slug>.xlsx`` per province and ``results.xlsx`` for all.

The tables are the ones each executed brief displayed (:mod:`parbrief.report.workbook_tables`,
a hidden JSON output), read back from ``<slug>.ipynb``: the workbook shows the brief's numbers
and costs no statistics. Numbers stay numbers (with number formats), the header row is frozen,
columns are sized to their content, headers are in the brief's language. Each file is written
to a temporary file and moved into place (``os.replace``), so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from parbrief.text.messages import t
from parbrief.report.workbook_tables import SHEETS, TABLES_MIME

__all__ = ["read_tables", "write_results", "write_workbook", "write_workbooks"]

_FORMATS = {"p": "0.0000", "p_adj": "0.0000", "mk_p": "0.0000", "rank": "0", "rank_change": "+0;-0;0",
            "n_years": "0", "first_year": "0", "last_year": "0", "n_groups": "0", "n_total": "0", "df1": "0.##",
            "df2": "0.##", "change": "+0.00;-0.00;0.00", "change_pct": "+0.0;-0.0;0.0", "pct": "0.0",
            "best_pct": "0.0", "worst_pct": "0.0"}


def read_tables(notebook: Path) -> dict[str, Any] | None:
    """The tables bundle an executed brief displayed (None when it has none)."""
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for cell in reversed(nb.get("cells", [])):
        for out in cell.get("outputs", []) or []:
            data = (out.get("data") or {}).get(TABLES_MIME)
            if data is not None:
                return json.loads(data) if isinstance(data, str) else data
    return None


def _fmt(col: str) -> str:
    return _FORMATS.get(col, "0.00")


def _sheet(wb: Any, code: str, lang: str, rows: Iterable[Sequence[Any]], cols: Sequence[str]) -> None:
    """One sheet in openpyxl's write-only mode (streamed: ≈ 5× faster than the normal mode)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(t(f"workbook.sheet.{code}", lang)[:31])
    headers = [t(f"workbook.col.{c}", lang) for c in cols]
    rows = [list(r) for r in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, v in enumerate(row):
            if v is not None:
                widths[i] = max(widths[i], 9 if isinstance(v, float) else len(str(v)))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(60, w + 2)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    fmts = [_fmt(c) for c in cols]
    for row in rows:
        out: list[Any] = []
        for v, f in zip(row, fmts):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = f
                out.append(cell)
            else:
                out.append(v)
        ws.append(out)


def _save(wb: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_workbook(bundle: dict[str, Any], path: Path, lang: str | None = None) -> Path:
    """One province's workbook (sheets of :data:`SHEETS`), headers in ``lang`` (default the brief's)."""
    from openpyxl import Workbook

    lang = lang or bundle.get("lang", "vi")
    wb = Workbook(write_only=True)
    for code, cols in SHEETS.items():
        _sheet(wb, code, lang, bundle["sheets"].get(code, []), cols)
    return _save(wb, Path(path))


def write_results(bundles: Sequence[dict[str, Any]], path: Path, lang: str) -> Path:
    """Every province in one workbook: the same sheets with a province column first."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for code, cols in SHEETS.items():
        rows = ([b["province"], *r] for b in bundles for r in b["sheets"].get(code, []))
        _sheet(wb, code, lang, rows, ("province", *cols))
    return _save(wb, Path(path))


def write_workbooks(year_dir: Path, slugs: Sequence[str], lang: str) -> dict[str, Any]:
    """``<slug>.xlsx`` for each brief whose workbook is missing or older than its notebook, and
    ``results.xlsx`` with every brief that has tables. Returns paths written and the count."""
    year_dir = Path(year_dir)
    bundles, written = [], []
    for slug in slugs:
        nb = year_dir / f"{slug}.ipynb"
        bundle = read_tables(nb) if nb.is_file() else None
        if bundle is None:
            continue
        bundles.append(bundle)
        xlsx = year_dir / f"{slug}.xlsx"
        if not xlsx.is_file() or xlsx.stat().st_mtime < nb.stat().st_mtime:
            written.append(str(write_workbook(bundle, xlsx)))
    results = year_dir / "results.xlsx"
    if bundles and (written or not results.is_file()):
        write_results(bundles, results, lang)  # unchanged briefs, unchanged workbook: kept
    return {"workbooks": written, "results": str(results) if results.is_file() else None,
            "provinces": len(bundles)}
