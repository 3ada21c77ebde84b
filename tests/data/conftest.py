"""Fixtures for the data-layer tests: the default spec and writers of small CSV / Excel files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest

from parbrief.spec import IndexSpec, load_spec

# Component scores of a valid row under the default spec (maxima 9, 9, 13, 7.5, 11.5, 8, 9, 33):
# they add up to 80.5.
COMPONENTS = (8, 8, 12, 7, 10, 7, 8.5, 20)
HEADER = ["Tỉnh", "Đơn vị", "Năm", "Tổng điểm", "chi_dao", "the_che", "tthc", "bo_may", "cong_vu",
          "tai_chinh", "cp_so", "tac_dong"]


@pytest.fixture(scope="session")
def spec() -> IndexSpec:
    return load_spec()


@pytest.fixture
def row() -> Callable[..., list[Any]]:
    """A valid data row: province, unit, year, total, 8 components (total = sum unless given)."""

    def _row(province: str, unit: str, year: Any, total: Any = None, comps: Sequence[Any] = COMPONENTS) -> list[Any]:
        if total is None:
            total = sum(comps)
        return [province, unit, year, total, *comps]

    return _row


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def _write(name: str, rows: Sequence[Sequence[Any]], header: Sequence[str] | None = HEADER,
               delimiter: str = ",", bom: bool = False) -> Path:
        path = tmp_path / name
        with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter=delimiter)
            if header is not None:
                w.writerow(header)
            for r in rows:
                w.writerow(r)
        return path

    return _write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write sheets {name: rows} (rows written from Excel row 1; ``None`` rows stay blank)."""

    def _write(name: str, sheets: dict[str, Sequence[Sequence[Any] | None]], hidden: Sequence[str] = ()) -> Path:
        import openpyxl

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for i, r in enumerate(rows, start=1):
                if r is None:
                    continue
                for j, v in enumerate(r, start=1):
                    ws.cell(row=i, column=j, value=v)
            if title in hidden:
                ws.sheet_state = "hidden"
        path = tmp_path / name
        wb.save(path)
        return path

    return _write
