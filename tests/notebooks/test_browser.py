"""A real browser opens the briefs as a leader would: on a phone, offline, and printed to PDF."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is installed by `make test`")
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (`make test` installs it as root)")

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    from parbrief.run.pdf import CHROMIUM_FLAGS

    with playwright.sync_playwright() as p:
        args = [f for f in CHROMIUM_FLAGS if f not in ("--headless", "--no-pdf-header-footer")]
        b = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield b
        b.close()


def _open(browser, page_path: Path, shot: Path) -> dict:
    """Load a page at phone width with the network blocked; report what a leader's browser saw."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    console_errors, page_errors, requests = [], [], []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))

    def guard(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            requests.append(url)
            route.abort()

    page.route("**/*", guard)
    page.goto(page_path.resolve().as_uri(), wait_until="load")
    facts = page.evaluate(
        """() => ({
            scrollWidth: document.scrollingElement.scrollWidth,
            clientWidth: document.scrollingElement.clientWidth,
            images: Array.from(document.images).map(i => ({complete: i.complete, w: i.naturalWidth, alt: i.alt})),
            codeCells: document.querySelectorAll('.jp-InputArea, .input_area, .jp-CodeCell .jp-Editor, div.input').length,
            lang: document.documentElement.lang,
            h2: Array.from(document.querySelectorAll('h2')).map(h => h.textContent),
        })"""
    )
    page.screenshot(path=str(shot), full_page=True)
    context.close()
    return {**facts, "console_errors": console_errors, "page_errors": page_errors, "requests": requests}


def _pages(rendered_vi, rendered_en) -> list[Path]:
    return [
        rendered_vi.out_dir / "quang-tri.html",
        rendered_vi.out_dir / "thanh-hoa.html",
        rendered_vi.out_dir / "overview.html",
        rendered_vi.out_dir / "index.html",
        rendered_en.out_dir / "can-tho.html",
    ]


def test_briefs_and_index_in_a_phone_browser(browser, rendered_vi, rendered_en, tmp_path):
    for page_path in _pages(rendered_vi, rendered_en):
        shot = tmp_path / f"{page_path.parent.parent.name}-{page_path.stem}.png"
        facts = _open(browser, page_path, shot)
        name = page_path.name
        assert facts["console_errors"] == [] and facts["page_errors"] == [], name
        assert facts["requests"] == [], f"{name} asked the network for {facts['requests']}"
        assert facts["scrollWidth"] <= PHONE["width"], f"{name} scrolls sideways at 390 px"
        assert facts["codeCells"] == 0, name
        assert all(i["complete"] and i["w"] > 0 for i in facts["images"]), f"{name}: an image did not decode"
        assert all(i["alt"].strip() for i in facts["images"]), f"{name}: an image has no alt text"
        assert facts["lang"] in ("vi", "en")
        if name not in ("index.html", "overview.html"):
            assert len(facts["images"]) >= 4 and len(facts["h2"]) >= 7, name
        assert shot.is_file() and shot.stat().st_size > 10_000


def test_print_to_pdf_a4_with_section_breaks(rendered_vi, tmp_path):
    from parbrief.run.pdf import print_pdf

    html = tmp_path / "brief.html"
    shutil.copy(rendered_vi.out_dir / "quang-tri.html", html)
    pdf = print_pdf(html)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes)  # A4 in points
    # Seven sections after the header, each starting a page.
    assert len(boxes) >= 8
    assert not list(tmp_path.glob(".pdf-*")), "the temporary print folder is removed"


def test_render_pdf_flag_prints_every_brief(edge_csv_for_pdf, tmp_path, capsys):
    from parbrief.cli import main

    code = main(["render", "--data", str(edge_csv_for_pdf), "--out", str(tmp_path), "--year", "2024",
                 "--workers", "1", "--pdf"])
    assert code == 0
    pdf = tmp_path / "2024" / "tinh-mot.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "1 tệp PDF trong" in capsys.readouterr().out  # the run's language (vi by default)


@pytest.fixture
def edge_csv_for_pdf(tmp_path):
    import pandas as pd

    from parbrief.spec import load_spec

    spec = load_spec()
    rows = []
    for i, unit in enumerate(["Huyện A", "Huyện B", "Huyện C"]):
        for year in range(2022, 2025):
            comps = {c.code: round(c.max_points * (0.75 + 0.04 * i), 2) for c in spec.for_year(year).components}
            rows.append({"province": "Tỉnh Một", "unit": unit, "unit_type": "district", "year": year,
                         "total": round(sum(comps.values()), 2), **comps})
    path = tmp_path / "one.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path
