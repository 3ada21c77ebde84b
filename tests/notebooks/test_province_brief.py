"""End to end: papermill runs the brief notebook, nbconvert exports it, and a leader reads it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from parbrief.data.store import Store
from parbrief.text.formats import fmt_int, fmt_number, fmt_signed
from parbrief.text.messages import t
from parbrief.spec import load_spec

SECTIONS = ("key_findings", "league_table", "trends", "differences", "components", "satisfaction", "methods")


def _html(summary, slug: str) -> str:
    return (summary.out_dir / f"{slug}.html").read_text(encoding="utf-8")


def _visible_text(html: str) -> str:
    no_img = re.sub(r'src="data:[^"]+"', 'src=""', html)
    return re.sub(r"<[^>]+>", " ", no_img)


def _expected_headline(store: Path, province: str, year: int, lang: str) -> dict[str, str]:
    """Headline numbers computed here from the store, independently of parbrief.report."""
    with Store(store, read_only=True) as s:
        national = s.scores(province="Việt Nam")
    now = national[national["year"] == year].sort_values("total", ascending=False).reset_index(drop=True)
    before = national[national["year"] == year - 1].sort_values("total", ascending=False).reset_index(drop=True)
    score = float(now.loc[now["unit"] == province, "total"].iloc[0])
    rank = int((now["total"] > score).sum()) + 1
    change = score - float(before.loc[before["unit"] == province, "total"].iloc[0])
    spec = load_spec()
    band = spec.scheme("national").band_for(score).label(lang)
    short, rng = band.split(" (", 1)  # "Nhóm B (từ 80% đến dưới 90%)": the card says "Nhóm B"
    return {
        "score": fmt_number(score, lang),
        "rank": t("headline.rank_of", lang, rank=fmt_int(rank, lang), n=fmt_int(len(now), lang)),
        "change": fmt_signed(change, lang),
        "band": short,
        # the sentence: "thuộc nhóm B (đạt từ 80% đến dưới 90%)" / "in Group B (80% to under 90%)"
        "band_sentence": (f"thuộc {short[0].lower()}{short[1:]} (đạt {rng}" if lang == "vi" else f"in {short} ({rng}"),
    }


@pytest.mark.parametrize("province, slug", [("Quảng Trị", "quang-tri"), ("Thanh Hóa", "thanh-hoa")])
def test_vietnamese_brief_reads_as_a_memo(rendered_vi, demo_store, province, slug):
    assert rendered_vi.exit_code == 0, rendered_vi.lines()
    html = _html(rendered_vi, slug)
    text = _visible_text(html)
    # A memo, not a notebook: no code, prompts, tracebacks or DataFrame dumps.
    for code_marker in ("build_brief", "import ", "sections.", "In [", "Traceback", "class=\"dataframe\""):
        assert code_marker not in html, code_marker
    # Self-contained: no network address anywhere.
    assert "http://" not in html and "https://" not in html
    assert '<html lang="vi">' in html
    assert f"<title>{province} — 2024</title>" in html
    # Headline numbers, computed independently from the store.
    expected = _expected_headline(demo_store, province, 2024, "vi")
    for value in expected.values():
        assert value in text, value
    # Every section heading, in Vietnamese.
    for key in SECTIONS:
        assert f"<h2>{t('heading.' + key, 'vi')}</h2>" in html, key
    # Figures are embedded images with alt text.
    images = re.findall(r'<img class="pb-img" alt="([^"]+)"[^>]*src="data:image/png;base64,', html)
    assert len(images) >= 4
    assert all(alt.strip() for alt in images)
    # The demo is labelled synthetic.
    assert t("banner.synthetic", "vi") in text
    # Vietnamese number format: decimal comma in the score.
    assert re.search(r"\d+,\d\d", expected["score"])


def test_english_brief(rendered_en, demo_store):
    assert rendered_en.exit_code == 0, rendered_en.lines()
    html = _html(rendered_en, "can-tho")
    assert '<html lang="en">' in html
    text = _visible_text(html)
    for value in _expected_headline(demo_store, "Cần Thơ", 2024, "en").values():
        assert value in text, value
    for key in SECTIONS:
        assert f"<h2>{t('heading.' + key, 'en')}</h2>" in html, key
    assert "http://" not in html and "https://" not in html


def test_outputs_index_manifest_and_overview(rendered_vi, demo_store):
    out = rendered_vi.out_dir
    assert sorted(p.name for p in out.glob("*.html")) == ["index.html", "overview.html", "quang-tri.html", "thanh-hoa.html"]
    assert (out / "quang-tri.ipynb").is_file() and (out / "thanh-hoa.ipynb").is_file()
    assert not list(out.glob(".work-*")), "working folders are cleaned up"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="quang-tri.html"' in index and 'href="overview.html"' in index
    assert _expected_headline(demo_store, "Thanh Hóa", 2024, "vi")["score"] in index
    assert "http://" not in index and "https://" not in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["year"] == 2024 and manifest["counts"] == {"ok": 3}
    assert len(manifest["data"]["sha256"]) == 64
    assert manifest["versions"]["papermill"] and manifest["versions"]["parbrief"]
    by_slug = {b["slug"]: b for b in manifest["briefs"]}
    assert by_slug["quang-tri"]["parameters"]["province"] == "Quảng Trị"
    assert by_slug["quang-tri"]["status"] == "ok" and by_slug["quang-tri"]["duration_s"] > 0
    overview = (out / "overview.html").read_text(encoding="utf-8")
    assert 'href="quang-tri.html"' in overview
    with Store(demo_store, read_only=True) as s:
        n_provinces = s.scores(province="Việt Nam", years=2024)["unit"].nunique()
    ranking = overview.split("<table", 2)[1]  # the first table is the ranking
    assert ranking.count("<tr>") == n_provinces + 1  # one row per province plus the header
    # The executed notebook carries the injected parameters.
    nb = nbformat.read(out / "quang-tri.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected
    line = next(ln for ln in injected[0].source.splitlines() if ln.startswith("province = "))
    assert ast.literal_eval(line.split(" = ", 1)[1]) == "Quảng Trị"  # a literal, never code
