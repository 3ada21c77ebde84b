"""The leader's brief (issue #13): first screen, "Cần quan tâm", plain findings, the office's comments,
reorganization wording, Vietnamese editing (each quoted correction, the glossary, lowercase unit words,
dates), provenance without machine details.

Briefs come from the demo (all its provinces, so the serial correlation is pooled as in a render) with
the shipped spec, and from small hand-made frames.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import pandas as pd
import pytest
import yaml

from parbrief.analysis.brief import build_brief
from parbrief.analysis.overview import build_overview
from parbrief.data.demo import DEMO_YEARS_2025, make_demo
from parbrief.data.names import normalize_name
from parbrief.data.regions import REGION_CODES, region_of, regions_table
from parbrief.report import leader as L
from parbrief.report import narrative as N
from parbrief.report import sections as S
from parbrief.report import names as NM
from parbrief.report.names import band_phrase, band_short, unit_kinds
from parbrief.text.admin_case import lower_unit_words
from parbrief.text.formats import fmt_date
from parbrief.spec import load_spec
from parbrief.text.messages import locale_strings, t


@lru_cache(maxsize=1)
def _demo():
    # 2018–2025: the old map and the first year on the new one; few communes (the 100-commune brief
    # is tests/notebooks/test_reorganized.py's), so these text checks stay fast
    d = make_demo(years=DEMO_YEARS_2025, communes_per_province=(8, 14))

    def norm(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(**{c: f[c].map({v: normalize_name(v) for v in f[c].unique()}) for c in ("province", "unit")})

    return d, pd.concat([norm(d.scores), norm(d.national)], ignore_index=True), norm(d.survey)


@lru_cache(maxsize=None)
def brief(province: str, year: int = 2024, lang: str = "vi", **kw):
    _, scores, survey = _demo()
    return build_brief(province=province, year=year, data="parbrief.duckdb", lang=lang,
                       frames=(scores, survey, "ab" * 32, {"source_file": "parbrief.duckdb", "synthetic": "true"}),
                       **dict(kw))


def _text(section) -> str:
    return " ".join(getattr(p, "text", "") for p in section.parts if not hasattr(p, "to_html") or hasattr(p, "text"))


#: Test notation that never reaches a finding.
NOTATION = re.compile(r"F\(|χ²|H\(|\bt\(|U =|\bp [<=]|η²|ω²|ANOVA|Welch|Games-Howell|Tukey|Kruskal|Mann-Whitney|"
                      r"\d+/\d+ cặp|có ý nghĩa thống kê")


# --------------------------------------------------------------------------- the first screen


def test_first_screen_cards_of_soc_trang_2024():
    b = brief("Sóc Trăng")
    cards = {c[0]: c[1:] for c in L.cards(b)}
    h = b.headline
    assert cards["Điểm Chỉ số CCHC"] == ("88,60",)
    assert cards["Xếp loại"] == ("Nhóm B",)  # the card: the group only, its range is in the sentence
    assert cards["Xếp hạng toàn quốc"] == (f"{h.rank}/63", f"tăng {h.rank_change} bậc")
    assert cards["So với năm 2023"] == ("+2,35 điểm",)
    nat = _demo()[0].national
    mean = nat.loc[nat["year"] == 2024, "total"].mean()
    assert h.national_mean == pytest.approx(mean)
    assert cards["Bình quân cả nước"] == ("84,42", "cao hơn 4,18 điểm")  # 88,60 − 84,42
    # rank among the 13 provinces of Đồng bằng sông Cửu Long, ties sharing a rank
    now = nat[nat["year"] == 2024].assign(unit=lambda f: f["unit"].map(normalize_name))
    peers = now[[getattr(region_of(u, 2024), "code", None) == "dbscl" for u in now["unit"]]]
    assert len(peers) == 13
    expected = int((peers["total"].round(2) > 88.60).sum()) + 1
    assert cards["Xếp hạng trong vùng"] == (f"{expected}/13", "Đồng bằng sông Cửu Long")


def test_first_screen_html_has_the_rank_change_under_the_rank():
    html = S.header(brief("Sóc Trăng")).html
    assert '<span class="pb-kpi-value">Nhóm B</span>' in html
    assert '<span class="pb-kpi-label pb-kpi-note">tăng 4 bậc</span>' in html
    assert "<h1>Chỉ số CCHC tỉnh Sóc Trăng năm 2024</h1>" in html


def test_needs_attention_on_soc_trang_names_vinh_chau_lowest_and_falling():
    b = brief("Sóc Trăng")
    items = L.attention_items(b)
    first = items[0]
    assert first.startswith("Thị xã Vĩnh Châu: thấp nhất trong các huyện, thị xã, thành phố năm 2024 (77,21 điểm)")
    assert "tụt vị trí so với các huyện, thị xã, thành phố khác giai đoạn 2018–2024" in first
    assert "điểm giảm liên tiếp 2 năm kể từ năm 2022" in first and "xuống 77,21 điểm" in first
    concern = b.attention.units[0]
    assert concern.unit == "Thị xã Vĩnh Châu" and {"lowest", "declining", "falling"} <= set(concern.signals)
    assert concern.lowest_fields == 4 and concern.n_fields == 8
    # the fields that lose the most points against their maximum, the largest loss first
    fields = b.attention.fields
    assert [f.lost for f in fields] == sorted((f.lost for f in fields), reverse=True)
    comp = b.components.assign(lost=b.components["max_points"] - b.components["mean"])
    assert fields[0].code == comp.sort_values("lost", ascending=False).iloc[0]["code"]
    assert items[-1].startswith("Lĩnh vực còn thiếu nhiều điểm nhất so với điểm tối đa: ")
    section = S.attention(b)
    assert section.parts[0].text == "Cần quan tâm"


def test_a_unit_that_dropped_a_band_is_named():
    rows = [("Huyện A", 2023, 91.0), ("Huyện B", 2023, 85.0), ("Huyện C", 2023, 75.0),
            ("Huyện A", 2024, 88.0), ("Huyện B", 2024, 86.0), ("Huyện C", 2024, 76.0)]
    frame = pd.DataFrame(rows, columns=["unit", "year", "total"]).assign(province="Tỉnh Thử", unit_type="district")
    b = build_brief(province="Tỉnh Thử", year=2024, data="x", frames=(frame, None, "sha", {}))
    items = L.attention_items(b)
    assert any(s.startswith("Huyện A: xếp loại giảm từ Xuất sắc xuống Tốt") for s in items), items
    assert items[0].startswith("Huyện C: thấp nhất trong các huyện năm 2024 (76,00 điểm)")


@pytest.mark.parametrize("province, year", [("Sóc Trăng", 2024), ("Cần Thơ", 2024), ("Quảng Trị", 2025),
                                            ("Hà Tĩnh", 2025), ("Cần Thơ", 2025)])
def test_findings_are_plain_three_to_five_with_at_most_one_not_yet(province, year):
    found = L.findings(brief(province, year))
    assert 3 <= len(found) <= 5
    assert not any(NOTATION.search(s) for s in found), found
    assert sum(("chưa thể" in s.lower() or "chưa đánh giá được" in s) for s in found) <= 1, found


def test_findings_claim_a_unit_moved_only_when_the_calibrated_test_does():
    b = brief("Sóc Trăng")
    called = {tr.unit for tab in b.standing.by_type.values() for tr in tab.trends if tr.significant}
    found = " ".join(L.findings(b))
    assert "huyện Mỹ Xuyên cải thiện rõ vị trí" in found.replace("thành phố Sóc Trăng và huyện Mỹ Xuyên",
                                                                   "huyện Mỹ Xuyên")
    assert "Huyện Mỹ Xuyên" in called
    for tab in b.standing.by_type.values():
        for tr in tab.trends:
            if not tr.significant:
                assert f"{lower_unit_words('x ' + tr.unit)[2:]} cải thiện" not in found


# --------------------------------------------------------------------------- the office's comments


def test_comments_file_is_shown_attributed_and_escaped(tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("## Kiến nghị\n\n- Tập trung chỉ đạo **thị xã Vĩnh Châu**.\n- <script>alert(1)</script>\n",
                     encoding="utf-8")
    b = brief("Sóc Trăng", notes=str(notes), prepared_by="Sở Nội vụ tỉnh Sóc Trăng")
    html = S.notes(b).html
    assert "<h2>Nhận xét và kiến nghị</h2>" in html
    assert "Nhận xét, kiến nghị của Sở Nội vụ tỉnh Sóc Trăng." in html
    assert "<h4>Kiến nghị</h4>" in html and "<strong>thị xã Vĩnh Châu</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    methods = S.methods(b).tables[0].data
    assert "Sở Nội vụ tỉnh Sóc Trăng" in methods.iloc[:, 1].tolist()
    assert S.notes(brief("Sóc Trăng")).parts == ()  # no file, no section


def test_missing_comments_file_is_a_clear_error(tmp_path):
    from parbrief.errors import ParbriefError

    with pytest.raises(ParbriefError) as err:
        brief("Sóc Trăng", notes=str(tmp_path / "none.md"))
    assert "none.md" in err.value.message("vi") and "notes" in err.value.message("vi")


def test_comments_file_is_found_by_province_name_and_enters_the_fingerprint(tmp_path):
    from parbrief.run.fingerprint import params_sha256
    from parbrief.run.params import BriefParams, notes_file

    folder = tmp_path / "notes"
    (folder / "2024").mkdir(parents=True)
    f = folder / "2024" / "Tỉnh Sóc Trăng.md"
    f.write_text("Một nhận xét.", encoding="utf-8")
    assert notes_file(folder, "Sóc Trăng", 2024) == f
    assert notes_file(folder, "Cần Thơ", 2024) is None and notes_file(folder, "Sóc Trăng", 2025) is None
    (folder / "2024" / "can-tho.md").write_text("x", encoding="utf-8")
    assert notes_file(folder, "Cần Thơ", 2024).name == "can-tho.md"
    params = BriefParams(province="Sóc Trăng", year=2024, data="", survey="", spec="", notes=str(f),
                         prepared_by="Sở Nội vụ").as_notebook_parameters()
    before = params_sha256(params)
    f.write_text("Một nhận xét khác.", encoding="utf-8")
    assert params_sha256(params) != before  # an edited comment re-renders the brief
    moved = tmp_path / "elsewhere.md"
    moved.write_text("Một nhận xét khác.", encoding="utf-8")
    assert params_sha256({**params, "notes": str(moved)}) == params_sha256(params)  # content, not path
    assert params_sha256({**params, "prepared_by": "Văn phòng UBND tỉnh"}) != params_sha256(params)


def test_prepared_by_is_a_typed_run_parameter_with_doc():
    from parbrief.config import RunParameters, default, doc, fields_in

    assert default("prepared_by") == "" and default("notes") == ""
    assert "prepared_by" in fields_in("tunable") and "prepared_by" in fields_in("cli")
    assert "notes" in fields_in("brief") and "notes" not in fields_in("tunable")
    assert doc("prepared_by", "vi") and doc("notes", "en")
    with pytest.raises(Exception):
        RunParameters(prepared_by=3)


# --------------------------------------------------------------------------- reorganization wording


def test_2025_briefs_compare_communes_and_departments_not_districts():
    for province in ("Quảng Trị", "Hà Tĩnh", "Cần Thơ"):
        b = brief(province, 2025)
        text = S.differences(b).html + " ".join(N.methods_text(b))
        assert "khối huyện" not in text
        if b.groups is not None:
            assert "So sánh khối xã, phường và khối sở, ban, ngành" in text


def test_an_unmerged_province_gets_no_former_provinces_chart_or_words():
    b = brief("Hà Tĩnh", 2025)
    section = S.trends(b)
    assert not any("tỉnh cũ" in getattr(p, "text", "") or "tỉnh mới" in getattr(p, "text", "") for p in section.parts)
    own = [p.text for p in section.parts if getattr(p, "text", "").startswith("Chỉ số CCHC của tỉnh Hà Tĩnh theo")]
    assert own and "điểm năm 2022" in own[0] and "điểm năm 2025" in own[0] and "năm 2021" not in own[0]
    assert all(getattr(f, "alt", "").find("trước khi sắp xếp") < 0 for f in section.figures)
    assert "giảm 4,54 điểm so với năm 2024" in L.findings(b)[0]


def test_a_centrally_run_city_is_thanh_pho_with_quan_huyen_and_its_inspectorate():
    b = brief("Cần Thơ", 2025)
    first = L.findings(b)[0]
    assert "Chỉ số CCHC của thành phố Cần Thơ" in first and "tỉnh mới" not in first
    assert "trên cơ sở sắp xếp thành phố Cần Thơ, tỉnh Hậu Giang và tỉnh Sóc Trăng" in first
    old = brief("Cần Thơ", 2024)
    from parbrief.report.names import unit_label

    assert unit_label(old, "district") == "Quận, huyện"
    assert "### Quận, huyện" not in S.league_table(old).html and "<h3>Quận, huyện</h3>" in S.league_table(old).html
    depts = set(old.current.loc[old.current["unit_type"] == "department", "unit"])
    assert "Thanh tra tỉnh" not in depts
    assert "Thanh tra thành phố" in set(_demo()[1].query("province == 'Cần Thơ'")["unit"])


def test_2025_overview_shows_hue_predecessor_score_and_not_reorganized():
    _, scores, _ = _demo()
    ov = build_overview(year=2025, data="x", frames=(scores, None, "sha", {}))
    frame = S.overview_frame(ov).set_index(t("index.province", "vi"))
    hue = frame.loc["Huế"]
    assert hue["Điểm năm 2024"] == pytest.approx(82.86) and hue[t("column.change", "vi")] == pytest.approx(0.23)
    assert hue[t("overview_extra.formed_from", "vi")] == "Không sắp xếp (năm 2024: Thừa Thiên Huế)"
    assert frame.loc["Hà Tĩnh", t("overview_extra.formed_from", "vi")] == "Không sắp xếp"
    html = S.overview_table(ov).html
    assert "(giữ nguyên)" not in html and "sáp nhập" not in html and "hợp nhất" not in html
    assert "tỉnh, thành phố không sắp xếp" in html


def test_region_table_maps_63_and_34_provinces_to_the_six_regions():
    table = regions_table()
    old, new = table[table["map"] == 63], table[table["map"] == 34]
    assert len(old) == 63 and len(new) == 34 and set(table["region"]) == set(REGION_CODES)
    assert old["region"].value_counts().to_dict() == {"tdmnpb": 14, "btb_dhmt": 14, "dbscl": 13, "dbsh": 11,
                                                      "dong_nam_bo": 6, "tay_nguyen": 5}
    # every region name is the locale's, and every provisional row says why
    for code, name in zip(table["region"], table["region_name"]):
        assert t(f"brief.region.{code}", "vi") == name
    assert all(n for n in new.loc[new["provisional"], "note"]) and not old["provisional"].any()
    assert region_of("Thừa Thiên Huế", 2024).code == region_of("Huế", 2025).code == "btb_dhmt"
    from parbrief.data.crosswalk import province_crosswalk_table

    assert set(old["province"]) == set(province_crosswalk_table()["old_name"])
    assert set(new["province"]) == set(province_crosswalk_table()["new_name"])


# --------------------------------------------------------------------------- Vietnamese editing


def test_unit_words_are_lowercase_inside_a_sentence():
    assert lower_unit_words("So với các huyện khác, Huyện Mỹ Xuyên cải thiện rõ vị trí.") == \
        "So với các huyện khác, huyện Mỹ Xuyên cải thiện rõ vị trí."
    assert lower_unit_words("Huyện Mỹ Xuyên đứng đầu; Thị xã Vĩnh Châu và Thành phố Sóc Trăng.") == \
        "Huyện Mỹ Xuyên đứng đầu; thị xã Vĩnh Châu và thành phố Sóc Trăng."
    # a name with a number or a person's name keeps its capital (NĐ 30/2020), and so does an agency
    assert lower_unit_words("cao nhất là Xã 01 – giả lập, Quận 1, Thành phố Hồ Chí Minh và Sở Nội vụ.") == \
        "cao nhất là Xã 01 – giả lập, Quận 1, Thành phố Hồ Chí Minh và Sở Nội vụ."
    assert lower_unit_words("Điểm tăng. Tỉnh Quảng Trị (Tỉnh Quảng Bình)") == "Điểm tăng. Tỉnh Quảng Trị (tỉnh Quảng Bình)"
    assert lower_unit_words("Huyện Mỹ Xuyên in Sóc Trăng", "en") == "Huyện Mỹ Xuyên in Sóc Trăng"


def test_no_unit_word_is_capitalized_mid_sentence_in_the_soc_trang_brief():
    b = brief("Sóc Trăng")
    sentences = (L.findings(b) + L.attention_items(b) + [p.text for sec in (S.trends(b), S.differences(b),
                 S.components(b), S.satisfaction(b), S.league_table(b)) for p in sec.parts
                 if type(p).__name__ == "Paragraph"])
    mid = re.compile(r"(?<=[^.!?\n] )(Huyện|Thị xã|Thành phố|Quận|Tỉnh|Phường|Xã) (?=[A-ZĐÀ-Ỹ])")
    bad = [s for s in sentences if mid.search(s)]
    assert not bad, bad
    assert "huyện Mỹ Xuyên" in " ".join(L.findings(b))


def test_each_quoted_correction_of_the_issue():
    b = brief("Sóc Trăng")
    first = L.findings(b)[0]
    assert "thuộc nhóm B (đạt từ 80% đến dưới 90%)" in first and "xếp loại Nhóm B" not in first
    assert band_short("Nhóm B (từ 80% đến dưới 90%)") == "Nhóm B"
    assert band_phrase("Tốt", "vi") == "xếp loại Tốt"
    comp = S.component_frame(b)
    assert "Tăng/giảm so với năm trước (điểm phần trăm)" in comp.columns and not any("(điểm %)" in c for c in comp.columns)
    # official field names in prose
    prose = " ".join(N.component_summary(b) + L.attention_items(b))
    assert "Cải cách thủ tục hành chính" in prose and "Thủ tục hành chính (" not in prose.replace("Cải cách thủ tục", "")
    assert N.component_name("cp_so", "vi", b.spec) == "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số"
    # "Kiểm định kiểm tra lại" → "Kiểm định đối chứng"
    survey = " ".join(N.describe_difference(b.survey, "vi", unit_label="unit"))
    assert "đối chứng cho cùng kết luận" in survey and "kiểm tra lại" not in survey
    # "bằng điểm nhau có cùng thứ hạng" → "đồng điểm được xếp đồng hạng"
    assert "các đơn vị đồng điểm được xếp đồng hạng" in " ".join(N.league_notes(b))
    assert "đồng điểm được xếp đồng hạng" in t("overview.method", "vi", **b.spec.voice.words(), scheme="x")
    # "khối sở, ngành" → "sở, ban, ngành"
    assert "khối sở, ban, ngành" in " ".join(N.methods_text(b))
    # "1/7/2025" → "01/7/2025"
    merged = brief("Quảng Trị", 2025)
    history = " ".join(p.text for p in S.trends(merged).parts if type(p).__name__ == "Paragraph")
    assert "từ ngày 01/7/2025 trên cơ sở sắp xếp tỉnh Quảng Bình và tỉnh Quảng Trị" in history
    assert not re.search(r"(?<![0-9])1/7/2025", history)
    # "Xã 01 (giả lập) (4,55/5 điểm)" → "Xã 01 – giả lập (4,55/5 điểm)"
    survey25 = " ".join(L.findings(merged))
    assert re.search(r"(Xã|Phường) \d\d – giả lập \(\d,\d\d/5 điểm\)", survey25)
    assert "(giả lập) (" not in survey25


def test_unit_kinds_follow_the_official_order():
    assert unit_kinds(["Huyện A", "Quận B", "Thị xã C"]) == ["quan", "huyen", "thi_xa"]
    assert unit_kinds(["Phường 01 – giả lập", "Xã 02 – giả lập"]) == ["xa", "phuong"]
    assert unit_kinds(["Sở Tư pháp"]) == []


def test_dates_are_written_the_vietnamese_way():
    assert fmt_date("2025-07-01", "vi") == "01/7/2025"
    assert fmt_date("2026-12-02", "vi") == "02/12/2026"
    assert fmt_date("2026-01-15", "vi") == "15/01/2026"
    assert fmt_date("2025-07-01", "en") == "1 July 2025"
    assert fmt_date("not a date", "vi") == "–"


def _brief_strings(lang: str) -> dict[str, str]:
    """Every sentence a brief, an overview or an index can show (the brief's locale files)."""
    strings = locale_strings(lang)
    topics = ("brief.", "standing.", "narrative.", "note.", "reason.", "test.", "workbook.", "figure.", "alt.",
              "history", "headline", "overview", "index.", "section.", "column.", "unit_type.", "heading.", "league")
    return {k: v for k, v in strings.items() if k.startswith(topics) or "." not in k}


GLOSSARY = yaml.safe_load(resources.files("parbrief.text").joinpath("locales", "glossary.yaml").read_text("utf-8"))


@pytest.mark.parametrize("term", GLOSSARY["terms"], ids=lambda x: x["id"])
def test_the_sentences_use_the_glossary_terms(term):
    for lang in ("vi", "en"):
        strings = _brief_strings(lang)
        # the index's name is the default spec's (short_vi / short_en), filled into {index}
        text = "\n".join([*strings.values(), load_spec().voice.index.text(lang)])
        for used in term.get(f"used_{lang}", []):
            assert used in text, (lang, term["id"], used)
        for avoid in term.get(f"avoid_{lang}", []):
            hits = [k for k, v in strings.items() if re.search(avoid, v, flags=re.IGNORECASE)]
            assert not hits, (lang, term["id"], avoid, hits)


def test_new_english_strings_are_plural_safe():
    en = locale_strings("en")
    for key, value in en.items():
        if key.startswith("brief.") and re.search(r"\{(n|value|gap|respondents)\} (year|point|place|respondent)\b", value):
            assert re.search(r"\{\w+\|", value), key  # the count picks the word
    assert t("brief.card.change_value", "en", value="1") == "1 point"
    assert t("brief.attention.falling", "en", n="1", since="2022", start="80", score="79") .startswith(
        "score fell 1 year running")


# --------------------------------------------------------------------------- provenance


def test_methods_show_provenance_for_a_leader_without_machine_details():
    b = brief("Sóc Trăng")
    section = S.methods(b)
    table = section.tables[0].data
    values = dict(zip(table.iloc[:, 0], table.iloc[:, 1]))
    assert values["Tệp dữ liệu"] == "parbrief.duckdb"
    assert values["Mã kiểm tra dữ liệu"] == "ab" * 6
    assert values["Phiên bản phần mềm"].startswith("parbrief ")
    assert re.fullmatch(r"\d\d/\d{1,2}/\d{4}", values["Ngày lập báo cáo"])
    html = section.html
    for leak in ("spec =", "/params/", "index.yaml", "alpha =", "min_years", "band_scheme", ">Tham số<", "scores.parquet",
                 "2026-"):
        assert leak not in html, leak
    assert "manifest.json" in html  # where the full parameters are


def test_the_differences_section_shows_no_internal_codes_and_no_statistics():
    for province, year in (("Sóc Trăng", 2024), ("Cần Thơ", 2024), ("Quảng Trị", 2025)):
        b = brief(province, year)
        text = " ".join(p.text for p in S.differences(b).parts if type(p).__name__ == "Paragraph")
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text  # scale_z_within_year, rho_at_bound …
        assert not NOTATION.search(text), text
    # the statistics are in the methods section
    methods = S.methods(brief("Sóc Trăng")).html
    assert "F(" in methods and "Chi tiết kiểm định" in methods


def test_the_first_finding_says_when_the_province_changed_band():
    # Hà Tĩnh 2025 (not merged): its band against 2024's, from the published scores; every province
    # whose band on the national scheme changed says so in its first finding, the others do not.
    changed = 0
    for province, year in (("Hà Tĩnh", 2025), ("Sóc Trăng", 2024), ("Quảng Trị", 2024), ("Thanh Hóa", 2025),
                           ("Cần Thơ", 2024), ("Vĩnh Long", 2024), ("Bến Tre", 2024), ("Trà Vinh", 2024),
                           ("Sơn La", 2025), ("Lạng Sơn", 2024)):
        b = brief(province, year)
        h, scheme = b.headline, b.national_scheme
        text = " ".join(L.headline_sentences(b))
        if h.change is None or h.source != "national":
            assert "xếp loại của" not in text
            continue
        before = scheme.band_for(round(h.score - h.change, 2)).label("vi").split(" (")[0]
        after = scheme.band_for(h.score).label("vi").split(" (")[0]
        if before == after:
            assert "xếp loại của" not in text, province
        else:
            changed += 1
            word = "giảm" if scheme.codes().index(scheme.band_for(h.score).code) > \
                scheme.codes().index(scheme.band_for(round(h.score - h.change, 2)).code) else "tăng"
            low = lambda s: s[0].lower() + s[1:] if s.startswith("Nhóm ") else s  # noqa: E731
            assert (f"So với năm {year - 1}, xếp loại của {NM.province_phrase(b)} {word} từ {low(before)} "
                    f"{'xuống' if word == 'giảm' else 'lên'} {low(after)}.") in text, (province, text)
    assert changed >= 1
