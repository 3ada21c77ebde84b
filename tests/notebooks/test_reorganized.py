"""2025 briefs on the new map: no invented trend, no predecessor's score passed off as the new one's."""

from __future__ import annotations

import re

from parbrief.data.store import Store
from parbrief.text.formats import fmt_number
from parbrief.text.messages import t


def _text(path) -> str:
    html = path.read_text(encoding="utf-8")
    assert "Traceback" not in html and "http://" not in html and "https://" not in html
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", html)).split())


def _alts(path) -> list[str]:
    return re.findall(r'<img class="pb-img" alt="([^"]+)"', path.read_text(encoding="utf-8"))


def test_merged_province_brief_vi(rendered_2025, demo_store):
    assert rendered_2025.exit_code == 0, rendered_2025.lines()
    page = rendered_2025.out_dir / "quang-tri.html"
    text = _text(page)
    # Its own 2025 score and rank among 34, and no change against the former Quảng Trị's 2024 score.
    with Store(demo_store, read_only=True) as s:
        national = s.scores(province="Việt Nam")
    own = national[(national["year"] == 2025) & (national["unit"] == "Quảng Trị")]["total"].iloc[0]
    assert fmt_number(own, "vi") in text and re.search(r"\b\d+/34\b", text)
    assert t("headline_extra.kpi_new_province", "vi") in text
    assert "tỉnh Quảng Trị được hình thành năm 2025 trên cơ sở sắp xếp tỉnh Quảng Bình và tỉnh Quảng Trị" in text
    assert "tỉnh mới" not in text and "hợp nhất" not in text and "sáp nhập" not in text
    # Each predecessor's history is its own line, labelled as the former provinces'.
    assert t("history.title", "vi") in text
    assert "không phải của tỉnh Quảng Trị, và không được cộng gộp hay lấy bình quân" in text
    history_alt = next(a for a in _alts(page) if "trước khi sắp xếp" in a)
    assert "Quảng Bình 2024" in history_alt and "Quảng Trị 2024" in history_alt
    # Current units have one year: no trend is claimed for any of them.
    html = page.read_text(encoding="utf-8")
    assert f">{t('trend.improving', 'vi')}<" not in html and f">{t('trend.declining', 'vi')}<" not in html
    # and the league table has no "Xu hướng" column that would say "Chưa đủ số năm" on every row
    assert f">{t('standing.label.insufficient', 'vi')}<" not in html
    assert f">{t('column.trend', 'vi')}<" not in html
    assert "Huyện" not in text.split(t("heading.league_table", "vi"))[1].split(
        t("heading.trends", "vi"))[0], "no district in the 2025 league table"


def test_unchanged_province_keeps_its_comparison(rendered_2025):
    text = _text(rendered_2025.out_dir / "thanh-hoa.html")
    assert "không thay đổi địa giới khi sắp xếp đơn vị hành chính năm 2025" in text
    assert "so với năm 2024" in text  # same territory: the score change is given
    # not reorganized: no chart or words of former provinces
    assert "tỉnh cũ" not in text and t("history.title", "vi") not in text
    assert not any("trước khi sắp xếp" in a for a in _alts(rendered_2025.out_dir / "thanh-hoa.html"))
    assert t("headline_extra.kpi_new_province", "vi") not in text


def test_merged_province_brief_en(rendered_2025_en):
    assert rendered_2025_en.exit_code == 0, rendered_2025_en.lines()
    text = _text(rendered_2025_en.out_dir / "quang-tri.html")
    assert "Quảng Trị was formed in 2025 by the reorganization of Quảng Bình and Quảng Trị" in text
    assert "they are neither summed nor averaged" in text


def test_overview_2025_has_34_provinces_linked_to_predecessors(rendered_2025):
    html = (rendered_2025.out_dir / "overview.html").read_text(encoding="utf-8")
    ranking = html.split("<table", 2)[1]
    assert ranking.count("<tr>") == 34 + 1
    assert t("overview_extra.formed_from", "vi") in ranking
    assert "Quảng Bình và Quảng Trị" in ranking
    assert 'href="quang-tri.html"' in ranking
    assert "63" in _text(rendered_2025.out_dir / "overview.html")  # the note on 63 → 34


def test_a_2025_brief_at_100_communes_lists_the_ends_and_says_where_the_rest_is(rendered_2025, demo_store):
    """The demo's Thanh Hóa scores as many communes as a province of the new map (≥ 100): its
    league table shows the 10 highest and the 10 lowest, the rest is named in the workbook and
    the analysis pages, and no chart or sentence lists every commune."""
    import pandas as pd

    from parbrief.report.rows import ENDS

    with Store(demo_store, read_only=True) as s:
        scores = s.scores(province="Thanh Hóa")
    communes = scores[(scores["year"] == 2025) & (scores["unit_type"] == "commune")]
    n = len(communes)
    assert n >= 100, "the demo's Thanh Hóa should score about 100 communes in 2025"
    page = rendered_2025.out_dir / "thanh-hoa.html"
    html = page.read_text(encoding="utf-8")
    table = re.search(r'<table[^>]*id="T_pb-league-commune.*?</table>', html, re.S)
    assert table, "the communes' league table"
    ranks = [int(r) for r in re.findall(r'<td class="data row\d+ col0[^"]*" >(\d+)<', table.group(0))]
    best = communes.sort_values("total", ascending=False)
    assert len(ranks) == 2 * ENDS and ranks[:ENDS] == list(range(1, ENDS + 1)) and ranks[-1] == n
    assert "pb-gap" in table.group(0)  # the gap is marked
    text = _text(page)
    assert t("layout.ends_note", "vi", ends=ENDS, n=str(n)) in text
    assert str(best["unit"].iloc[0]) in text and str(best["unit"].iloc[-1]) in text
    # the survey's chart of a cut list carries no letters, so no sentence reads them
    assert t("narrative.diff.letters", "vi") not in text
    mentioned = {u for u in communes["unit"] if u in text}
    assert len(mentioned) < 0.5 * n, "the text summarizes, it does not list the communes"
    # the full ranking: every unit in the workbook's first sheet (the league table)
    league = next(iter(pd.read_excel(rendered_2025.out_dir / "thanh-hoa.xlsx", sheet_name=None).values()))
    assert len(league) == len(scores[scores["year"] == 2025]) and set(communes["unit"]) <= set(league.iloc[:, 2])
