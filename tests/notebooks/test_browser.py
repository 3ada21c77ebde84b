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
DESKTOP = {"width": 1280, "height": 900}
#: Smallest chart text a reader may see (CSS px) on a phone.
MIN_CHART_TEXT_PX = 9.0
#: Pages of a typical province's brief on A4, and the largest brief file.
MAX_PAGES = 6
MAX_BRIEF_BYTES = 600 * 1024

#: What the layout looks like in a browser: every table against its box (scrolls sideways when its
#: scrollWidth is larger), and each chart's smallest text as shown (the text size of the chosen
#: PNG, data-text-px at its CSS width, scaled to the width it is shown at).
LAYOUT_JS = """() => ({
    overflowing: Array.from(document.querySelectorAll('table')).filter(t => {
        const box = t.closest('.pb-html, .pb-table-wrap, .pb-md') || t.parentElement;
        return box.scrollWidth > box.clientWidth || t.scrollWidth > t.clientWidth;
    }).map(t => t.id || t.className),
    charts: Array.from(document.images).map(i => {
        const source = i.parentElement.tagName === 'PICTURE' ? i.parentElement.querySelector('source') : null;
        const chosen = source && i.currentSrc === source.getAttribute('srcset') ? source : i;
        const shown = i.getBoundingClientRect().width;
        return {alt: i.alt.slice(0, 60), narrow: chosen !== i, shown,
                textPx: parseFloat(chosen.getAttribute('data-text-px')) * shown / parseFloat(chosen.getAttribute('width'))};
    }),
    pageWidth: document.scrollingElement.scrollWidth,
})"""


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


def _layout(browser, page_path: Path, viewport: dict) -> dict:
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    page.goto(page_path.resolve().as_uri(), wait_until="load")
    facts = page.evaluate(LAYOUT_JS)
    context.close()
    return facts


def _pdf_pages(pdf: Path) -> int:
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes)  # A4 in points
    return len(boxes)


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


def _layout_pages(rendered_vi, rendered_en, rendered_2025, rendered_2025_en) -> list[Path]:
    return [
        rendered_vi.out_dir / "quang-tri.html",  # 2024, vi
        rendered_vi.out_dir / "thanh-hoa.html",  # 2024, 33 units
        rendered_en.out_dir / "can-tho.html",  # 2024, en
        rendered_2025.out_dir / "quang-tri.html",  # 2025, one year, vi
        rendered_2025_en.out_dir / "quang-tri.html",  # 2025, en
        _at_100_communes(rendered_2025),  # 2025, the demo's Thanh Hóa: ≥ 100 communes
        rendered_vi.out_dir / "overview.html",
        rendered_2025.out_dir / "overview.html",  # 34 provinces, what each was formed from
        rendered_vi.out_dir / "index.html",
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_tables_fit_and_chart_text_is_readable(browser, viewport, rendered_vi, rendered_en, rendered_2025,
                                               rendered_2025_en):
    for page_path in _layout_pages(rendered_vi, rendered_en, rendered_2025, rendered_2025_en):
        name = f"{page_path.parent.parent.name}/{page_path.parent.name}/{page_path.name}"
        facts = _layout(browser, page_path, viewport)
        assert facts["overflowing"] == [], f"{name} at {viewport['width']} px: tables scroll sideways"
        assert facts["pageWidth"] <= viewport["width"], name
        for chart in facts["charts"]:
            assert chart["shown"] > 0 and chart["narrow"] == (viewport is PHONE), (name, chart)
            if viewport is PHONE:
                assert chart["textPx"] >= MIN_CHART_TEXT_PX, (name, chart)
        assert page_path.stat().st_size <= MAX_BRIEF_BYTES, name


def test_index_shows_rank_and_change_on_a_phone(browser, rendered_vi):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    page.goto((rendered_vi.out_dir / "index.html").resolve().as_uri(), wait_until="load")
    shown = page.evaluate("""() => Array.from(document.querySelectorAll('thead th'))
        .filter(th => th.getBoundingClientRect().width > 0).map(th => th.textContent.trim())""")
    context.close()
    from parbrief.spec import load_spec
    from parbrief.text.messages import t

    words = load_spec().voice.words()  # "Điểm {index}" takes the spec's name
    assert shown == [t(k, "vi", **words) for k in ("index.province", "headline.score", "index.national_rank",
                                                    "headline.change")]


#: The first screen a leader sees on a laptop (issue #13): the cards, the key findings and the start
#: of "Cần quan tâm" (its heading and first item) above the fold.
FIRST_SCREEN = {"width": 1280, "height": 800}

FIRST_SCREEN_JS = """() => {
    const h = Array.from(document.querySelectorAll('h2')).find(x => /Cần quan tâm|Needs attention/.test(x.textContent));
    const li = h.closest('.pb-html').querySelector('ul > li');
    const cards = document.querySelector('.pb-headline').getBoundingClientRect();
    return {heading: h.getBoundingClientRect().bottom, item: li.getBoundingClientRect().bottom, cards: cards.bottom};
}"""


def test_needs_attention_starts_on_the_first_screen(browser, rendered_vi, rendered_2025, rendered_en):
    for page_path in (rendered_vi.out_dir / "quang-tri.html", rendered_vi.out_dir / "thanh-hoa.html",
                      rendered_2025.out_dir / "quang-tri.html", rendered_2025.out_dir / "thanh-hoa.html",
                      rendered_en.out_dir / "can-tho.html"):
        context = browser.new_context(viewport=FIRST_SCREEN, device_scale_factor=1)
        page = context.new_page()
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        where = page.evaluate(FIRST_SCREEN_JS)
        context.close()
        assert where["cards"] < where["heading"] <= where["item"] <= FIRST_SCREEN["height"], (page_path, where)


def test_the_phone_says_where_the_trend_column_is(browser, rendered_vi, rendered_2025):
    shown_js = """() => Array.from(document.querySelectorAll('p.pb-ph-note, .pb-ph-trend'))
        .map(e => [e.tagName, e.getBoundingClientRect().height > 0])"""
    seen = {}
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        page.goto((rendered_vi.out_dir / "quang-tri.html").resolve().as_uri(), wait_until="load")
        seen[viewport["width"]] = page.evaluate(shown_js)
        page.emulate_media(media="print")
        seen["print", viewport["width"]] = page.evaluate(shown_js)
        context.close()
    # 2024: a "Xu hướng" column, so one note and an arrow per unit whose standing clearly changed
    assert seen[390][0] == ["P", True] and len(seen[390]) >= 2 and all(v for _, v in seen[390])
    assert not any(v for _, v in seen[1280]) and not any(v for _, v in seen["print", 1280])
    # 2025 (one year on the new map): no column, no note
    html = (rendered_2025.out_dir / "quang-tri.html").read_text(encoding="utf-8")
    assert "pb-ph-note" not in html.split("<style", 1)[0] + html.split("</style>", 1)[1]


def test_print_keeps_a_short_table_on_one_page_and_splits_a_long_one_with_rows_on_both_sides(browser, rendered_2025):
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
    page = context.new_page()
    page.goto(_at_100_communes(rendered_2025).resolve().as_uri(), wait_until="load")
    page.emulate_media(media="print")
    facts = page.evaluate("""() => Array.from(document.querySelectorAll('table.pb-table')).map(t => {
        const rows = Array.from(t.tBodies[0].rows), st = r => getComputedStyle(r);
        return {rows: rows.length, inside: getComputedStyle(t).breakInside,
                after: rows.slice(0, 3).map(r => st(r).breakAfter), before: rows.slice(-3).map(r => st(r).breakBefore)};
    })""")
    context.close()
    short = [f for f in facts if f["rows"] <= 6]
    long = [f for f in facts if f["rows"] > 6]
    assert short and long  # the departments; the fields, the region, the communes' ends (20 rows)
    assert all(f["inside"] == "avoid" for f in short)
    for f in long:  # at least three rows on either side of a break
        assert f["inside"] == "auto" and f["after"][:2] == ["avoid"] * 2 and f["before"][-2:] == ["avoid"] * 2, f


def test_print_to_pdf_a4_within_the_page_budget(rendered_vi, rendered_2025, tmp_path):
    from parbrief.run.pdf import print_pdf

    for k, source in enumerate([rendered_vi.out_dir / "quang-tri.html", rendered_2025.out_dir / "quang-tri.html",
                                _at_100_communes(rendered_2025)]):
        html = tmp_path / f"brief-{k}.html"
        shutil.copy(source, html)
        pdf = print_pdf(html)
        assert pdf.read_bytes().startswith(b"%PDF")
        # sections follow each other on A4 (no forced breaks); a typical province fits six pages, the
        # demo's Quảng Trị five in 2024 (measured 79% of its last page filled) and four in 2025 (90%)
        assert 2 <= _pdf_pages(pdf) <= (5 if k == 0 else 4 if k == 1 else MAX_PAGES), source
    assert not list(tmp_path.glob(".pdf-*")), "the temporary print folder is removed"


def _at_100_communes(rendered_2025) -> Path:
    """The demo's 2025 brief of Thanh Hóa, a province with as many communes as the new map's (≥ 100:
    its league table, charts and heatmap show the best and worst 10)."""
    page = rendered_2025.out_dir / "thanh-hoa.html"
    rows = re.search(r'<table id="T_pb-league-commune".*?</table>', page.read_text(encoding="utf-8"), re.S).group(0)
    last = int(re.findall(r'<td class="data row\d+ col0[^"]*" >(\d+)<', rows)[-1])
    assert last >= 100, f"the demo's Thanh Hóa has {last} communes in 2025"
    return page


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
