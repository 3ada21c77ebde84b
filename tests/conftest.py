"""Suite-wide: a small store for command-line tests that stop before any notebook runs, and the
count of the bad-input corpus (``tests/test_bad_input_corpus.py``) printed at the end of the run.

Every case of the corpus carries the ``bad_input_corpus`` mark; a case is *handled* when its test
passed (the command ended with the expected exit code and message, and no traceback). The line
``bad-input corpus: N cases, M handled`` closes the terminal summary whenever corpus cases ran.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

# Component scores valid under the default spec from 2022 (maxima 9, 9, 13, 7.5, 11.5, 8, 9, 33): sum 80.5.
_COMPONENTS = (8, 8, 12, 7, 10, 7, 8.5, 20)
_HEADER = ["Tỉnh", "Đơn vị", "Loại đơn vị", "Năm", "Tổng điểm", "chi_dao", "the_che", "tthc", "bo_may", "cong_vu",
           "tai_chinh", "cp_so", "tac_dong"]
_CORPUS = {"cases": 0, "handled": 0}


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of two provinces: Quảng Trị 2022–2024 (three districts, a department) and Quảng Bình
    2022–2023 only (no scores in 2024). Read-only for the tests (copy it to change it)."""
    from parbrief.data.store import ingest_file

    folder = tmp_path_factory.mktemp("small_store")
    scores = folder / "scores.csv"
    units = {"Quảng Trị": [("Huyện Gio Linh", "huyện"), ("Huyện Vĩnh Linh", "huyện"), ("Thành phố Đông Hà", "huyện"),
                           ("Sở Tư pháp", "sở")],
             "Quảng Bình": [("Huyện Lệ Thủy", "huyện"), ("Thị xã Ba Đồn", "huyện"), ("Huyện Bố Trạch", "huyện")]}
    with open(scores, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(_HEADER)
        for province, rows in units.items():
            for year in ((2022, 2023, 2024) if province == "Quảng Trị" else (2022, 2023)):
                for i, (unit, kind) in enumerate(rows):
                    comps = (*_COMPONENTS[:7], _COMPONENTS[7] - i)
                    w.writerow([province, unit, kind, year, sum(comps), *comps])
    store = folder / "parbrief.duckdb"
    ingest_file(scores, store, keep_backups=0)
    return store


def pytest_collection_finish(session: pytest.Session) -> None:
    _CORPUS["cases"] = sum(1 for item in session.items if item.get_closest_marker("bad_input_corpus"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed and "bad_input_corpus" in report.keywords:
        _CORPUS["handled"] += 1


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "bad_input_corpus: one case of the bad-input corpus (counted at the end)")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _CORPUS["cases"]:
        terminalreporter.write_line(f"bad-input corpus: {_CORPUS['cases']} cases, {_CORPUS['handled']} handled")
