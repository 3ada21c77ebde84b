"""The analyst's pages (trends, differences) and the results workbooks, end to end on the demo."""

from __future__ import annotations

import json

import re
from pathlib import Path

import openpyxl
import pandas as pd
import papermill as pm
import pytest

from parbrief.run.export import render_html

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def executed(demo_store, tmp_path_factory):
    """Both analysis notebooks executed by papermill from an unrelated working directory."""
    out = tmp_path_factory.mktemp("analysis")
    nbs = {}
    for name in ("trends", "differences"):
        nbs[name] = pm.execute_notebook(
            str(ROOT / "notebooks" / f"{name}.ipynb"), str(out / f"{name}.ipynb"),
            parameters={"data": str(demo_store), "province": "Quảng Trị", "year": 2024},
            kernel_name="python3", progress_bar=False, cwd=str(out),
        )
    return nbs


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", html, re.S)]


def test_trends_page_sections_and_tables(executed):
    html = render_html(executed["trends"], lang="vi", title="Quảng Trị — xu hướng")
    heads = _headings(html)
    assert any("Score trends" in h for h in heads) and any("Relative-standing" in h for h in heads)
    assert any("autocorrelation" in h for h in heads)
    assert html.count("<table") >= 3  # trends, standing trends, autocorrelation
    for col in ("slope_ci_low", "p_adj", "theil_slope", "mk_p", "durbin_watson"):
        assert col in html
    # the demo's 2024 has three years since the 2022 method change, fewer than min_years = 5: no
    # trend was fitted, and the page says so instead of drawing empty axes
    assert "Chưa có phần dư xu hướng để vẽ: chưa đơn vị nào có đủ 5 năm điểm số so sánh được" in html
    assert "data:image/png;base64" not in html
    assert "pages." not in html and "load_brief" not in html


def test_differences_page_sections_and_tables(executed):
    html = render_html(executed["differences"], lang="vi", title="Quảng Trị — khác biệt")
    heads = _headings(html)
    for part in ("Model tables", "Assumption checks", "Pairwise matrix", "Sensitivity"):
        assert any(part in h for h in heads), part
    for col in ("panel_gls_unit", "friedman", "partial_eta2", "ls_mean", "left_out"):
        assert col in html
    assert html.count("data:image/png;base64") >= 4  # residual + QQ per unit type
    assert "pages." not in html and "display(" not in html


def test_render_writes_analysis_pages_and_workbooks(demo_store, tmp_path):
    from parbrief.data.store import load_data
    from parbrief.run.batch import render

    summary = render(data=demo_store, out=tmp_path, year=2024, provinces=["Quảng Trị"], lang="en",
                     workers=1, progress=False, overview=False, analysis=True)
    year_dir = tmp_path / "2024"
    assert summary.exit_code == 0
    for page in ("trends", "differences"):
        html = (year_dir / "analysis" / f"quang-tri-{page}.html").read_text(encoding="utf-8")
        assert "<table" in html and "load_brief" not in html
    book = openpyxl.load_workbook(year_dir / "quang-tri.xlsx")
    assert book.sheetnames == ["League table", "Trends", "Differences", "Pairwise", "Components"]
    league = book["League table"]
    assert [c.value for c in league[1]][:4] == ["Unit type", "Rank", "Unit", "Score"]
    assert league.freeze_panes == "A2"
    rows = [[c.value for c in r] for r in league.iter_rows(min_row=2)]
    scores = load_data(demo_store).scores
    store = scores[(scores["province"] == "Quảng Trị") & (scores["year"] == 2024)].set_index("unit")["total"]
    assert len(rows) == len(store)
    for unit_type, rank, unit, value, *_ in rows:
        assert isinstance(value, float) and value == pytest.approx(float(store[unit]))
    trends = [c.value for c in book["Trends"][1]]
    assert "Adjusted p" in trends and "95% CI low" in trends
    # numbers keep their formats (p to 4 decimals, scores to 2), headers bold
    pairs = book["Pairwise"]
    p_col = [c.value for c in pairs[1]].index("Adjusted p")
    tested = [r[p_col] for r in pairs.iter_rows(min_row=2) if isinstance(r[p_col].value, float)]
    assert tested and all(c.number_format == "0.0000" for c in tested)
    assert league.cell(row=2, column=4).number_format == "0.00" and league.cell(row=1, column=1).font.b
    diff = [[c.value for c in r] for r in book["Differences"].iter_rows(min_row=1, max_row=2)]
    assert diff[0][1] == "Test" and diff[1][1] == "panel_gls_unit" and isinstance(diff[1][8], float)
    results = openpyxl.load_workbook(year_dir / "results.xlsx")
    assert [c.value for c in results["League table"][1]][:2] == ["Province", "Unit type"]
    assert results["League table"].max_row == len(store) + 1
    # The render computed the store's pooled ρ once and gave it to the warm kernel (run.pools);
    # the pages ran right after the brief on that kernel and took its results from the kernel's
    # memory; on fresh kernels, each computing everything itself, they are the same bytes.
    shared = json.loads((year_dir / "snapshot" / "pools.json").read_text(encoding="utf-8"))
    assert {row["key"][4] for row in shared["pools"] if row["pool"]} >= {"district", "department"}
    pages = {p: (year_dir / "analysis" / f"quang-tri-{p}.html").read_bytes() for p in ("trends", "differences")}
    brief = (year_dir / "quang-tri.html").read_bytes()
    again = render(data=demo_store, out=tmp_path, year=2024, provinces=["Quảng Trị"], lang="en", workers=1,
                   progress=False, overview=False, analysis=True, force=True, reuse=False)
    assert again.exit_code == 0 and (year_dir / "quang-tri.html").read_bytes() == brief
    for page, html in pages.items():
        assert (year_dir / "analysis" / f"quang-tri-{page}.html").read_bytes() == html, page
