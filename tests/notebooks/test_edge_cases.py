"""Provinces the data cannot say much about still render, and one failing brief spares the others."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from parbrief.cli import main
from parbrief.text.formats import fmt_number
from parbrief.text.messages import t
from parbrief.run.batch import render
from parbrief.spec import load_spec


def _rows(province: str, units: dict[str, tuple[str, range]], seed: int) -> list[dict]:
    spec = load_spec()
    rng = np.random.default_rng(seed)
    rows = []
    for unit, (unit_type, years) in units.items():
        level = rng.uniform(0.72, 0.9)
        for year in years:
            comps = {c.code: round(c.max_points * min(1.0, level + rng.normal(0, 0.02)), 2) for c in spec.components}
            rows.append({"province": province, "unit": unit, "unit_type": unit_type, "year": year,
                         "total": round(sum(comps.values()), 2), **comps})
    return rows


@pytest.fixture(scope="module")
def edge_file(tmp_path_factory) -> Path:
    rows = []
    rows += _rows("Một Năm", {f"Huyện A{i}": ("district", range(2024, 2025)) for i in range(1, 4)}, 1)
    rows += _rows("Ít Huyện", {"Huyện Duy Nhất": ("district", range(2020, 2025)),
                               "Sở Nội vụ": ("department", range(2020, 2025))}, 2)
    units = {f"Huyện B{i}": ("district", range(2019, 2025)) for i in range(1, 5)}
    units["Thị xã Mới"] = ("district", range(2023, 2025))  # appeared last year
    rows += _rows("Mới Có", units, 3)
    path = tmp_path_factory.mktemp("edge") / "scores.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def edge_render(edge_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("edge-out")
    return render(data=edge_file, out=out, year=2024, lang="vi", workers=2, progress=False)


def _text(summary, slug: str) -> str:
    html = (summary.out_dir / f"{slug}.html").read_text(encoding="utf-8")
    assert "Traceback" not in html and "http" not in html
    return re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", html))


def test_every_edge_province_renders(edge_render):
    assert edge_render.exit_code == 0, edge_render.lines()
    assert sorted(o.slug for o in edge_render.outcomes) == ["it-huyen", "moi-co", "mot-nam"]
    # No national table in the file: no overview, and the index explains the unit mean.
    assert not (edge_render.out_dir / "overview.html").exists()


def test_one_year_of_data_says_no_trend_and_no_previous_year(edge_render, edge_file):
    text = _text(edge_render, "mot-nam")
    assert t("headline.no_previous", "vi") in text
    # one year: no unit's standing can be assessed, so the league table has no "Xu hướng" column
    # (it would say "Chưa đủ số năm" on every row) and the trends section says why
    assert t("column.trend", "vi") not in text.split(t("heading.league_table", "vi"))[1].split(t("heading.trends", "vi"))[0]
    scores = pd.read_csv(edge_file)
    mean = scores[(scores.province == "Một Năm") & (scores.year == 2024)]["total"].mean()
    assert fmt_number(mean, "vi") in text  # headline = mean of the units when no national table


def test_too_few_units_for_a_test_says_why(edge_render):
    text = _text(edge_render, "it-huyen")
    assert "cần ít nhất" in text  # "cannot test" reason, in Vietnamese


def test_unit_that_appeared_last_year(edge_render):
    text = _text(edge_render, "moi-co")
    assert "Thị xã Mới" in text
    assert t("standing.label.insufficient", "vi") in text


def _failing_notebook(path: Path, bad: str) -> Path:
    """The real brief notebook with one extra cell that fails for one province (corrupt data)."""
    real = Path(__file__).resolve().parents[2] / "notebooks" / "province_brief.ipynb"
    nb = nbformat.read(real, as_version=4)
    nb.cells.insert(2, new_code_cell(f'if province == "{bad}":\n    raise ValueError("corrupt data for " + province)'))
    nbformat.write(nb, path)
    return path


def test_a_failing_province_leaves_the_others_rendered(edge_file, tmp_path):
    nb = _failing_notebook(tmp_path / "failing.ipynb", "Ít Huyện")
    summary = render(data=edge_file, out=tmp_path / "out", year=2024, lang="vi", workers=2,
                     progress=False, notebook=nb)
    assert summary.exit_code == 1
    status = {o.slug: o.status for o in summary.outcomes}
    assert status == {"it-huyen": "failed", "moi-co": "ok", "mot-nam": "ok"}
    year_dir = summary.out_dir
    assert (year_dir / "moi-co.html").is_file() and (year_dir / "mot-nam.html").is_file()
    assert not (year_dir / "it-huyen.html").exists()
    assert (year_dir / "failed" / "it-huyen.ipynb").is_file()
    failed = next(o for o in summary.outcomes if o.status == "failed")
    assert failed.error["cell_index"] is not None and failed.error["ename"] == "ValueError"
    line = next(s for s in summary.lines() if s.startswith("FAILED"))
    assert "Ít Huyện" in line and "corrupt data for Ít Huyện" in line and "cell" in line


def test_cli_render_unknown_province_fails_before_any_run(edge_file, tmp_path, capsys):
    code = main(["render", "--data", str(edge_file), "--province", "Không Có", "--out", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err  # in Vietnamese unless --lang en
    assert "không có dữ liệu năm 2024 của: Không Có; các tỉnh có dữ liệu: Ít Huyện, Một Năm, Mới Có" in err
    assert not any(tmp_path.iterdir())  # nothing written
    code = main(["render", "--data", str(edge_file), "--province", "Không Có", "--out", str(tmp_path),
                 "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1 and "Không Có" in err and "provinces available: Ít Huyện, Một Năm, Mới Có" in err
