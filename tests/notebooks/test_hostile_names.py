"""Names from users' files are data, never markup, paths or code — in every output."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from parbrief.run.batch import render
from parbrief.spec import load_spec

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PWNED_MARK = "parbrief-pwned"


def _code_province(tmp: Path) -> str:
    # Looks like Python: closes the string literal and runs code, if papermill ever pasted it raw.
    return f'Tỉnh"; open(r"{tmp / PWNED_MARK}", "w").write("x"); x="'


def _frame(provinces: dict[str, list[str]]) -> pd.DataFrame:
    spec = load_spec()
    rows = []
    for p_i, (province, units) in enumerate(provinces.items()):
        for u_i, unit in enumerate(units):
            for year in range(2020, 2025):
                level = 0.7 + 0.03 * u_i + 0.01 * ((year + p_i) % 3)
                comps = {c.code: round(c.max_points * level, 2) for c in spec.components}
                rows.append({"province": province, "unit": unit, "unit_type": "district", "year": year,
                             "total": round(sum(comps.values()), 2), **comps})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    long_name = "Huyện " + "Rất Dài " * 37  # ≈ 300 characters
    provinces = {
        SCRIPT: [IMG, "Huyện ../../etc/passwd", long_name.strip(), "Huyện 🏛️ Cờ\u200f"],
        "../../outside": ["Huyện A", "Huyện B", "Huyện C"],
        _code_province(tmp): ["Huyện X", "Huyện Y", "Huyện Z"],
    }
    data = tmp / "scores.csv"
    _frame(provinces).to_csv(data, index=False)
    out = tmp / "out"
    summary = render(data=data, out=out, year=2024, lang="vi", workers=2, progress=False)
    return tmp, out, summary


def test_all_hostile_provinces_render(hostile):
    _, _, summary = hostile
    assert summary.exit_code == 0, summary.lines()
    assert len(summary.outcomes) == 3


def test_no_file_is_written_outside_the_output_folder(hostile):
    tmp, out, summary = hostile
    outside = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if not p.is_relative_to(out))
    assert outside == [Path("scores.csv")]
    for o in summary.outcomes:
        html_path = Path(o.html)
        assert html_path.parent == out / "2024"
        assert re.fullmatch(r"[a-z0-9-]+\.html", html_path.name)


def test_parameter_that_looks_like_code_is_a_literal(hostile):
    tmp, out, summary = hostile
    assert not (tmp / PWNED_MARK).exists(), "a parameter value was executed as code"
    code_outcome = next(o for o in summary.outcomes if "open(r" in o.title)
    page = Path(code_outcome.html).read_text(encoding="utf-8")
    assert html.escape(_code_province(tmp), quote=True) in page or html.escape(_code_province(tmp)) in page


def test_names_are_escaped_in_every_html_output(hostile):
    _, out, _ = hostile
    pages = list((out / "2024").glob("*.html"))
    assert len(pages) == 4  # three briefs and the index
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert SCRIPT not in text, page.name
        assert "<img src=x" not in text, page.name
        assert "onerror=alert(1)>" not in text.replace("onerror=alert(1)&gt;", ""), page.name
        # Every <script> or <img> tag in the page is one of ours: no scripts, only data-URI images.
        assert "<script" not in text.lower(), page.name
        for tag in re.findall(r"<img\b[^>]*>", text):
            assert 'src="data:image/png;base64,' in tag, tag[:80]
    brief = next(p for p in pages if p.name.startswith("script"))
    assert html.escape(SCRIPT) in brief.read_text(encoding="utf-8")
