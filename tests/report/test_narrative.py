"""Findings in words (parbrief.report.narrative): exact sentences in vi and en, every branch.

Briefs come from the demo (names normalized as the pipeline does, scores + national table) and
from small hand-made frames that force each branch: significant / not significant / cannot test,
improving / declining / no trend / too few years, no previous year, a province missing from the
national table. Expected numbers that are not read off the result objects are recomputed here
independently (numpy/scipy) before being formatted.
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from parbrief.data.demo import make_demo
from parbrief.data.names import normalize_name
from parbrief.report import leader as L
from parbrief.report import narrative as N
from parbrief.analysis.brief import build_brief
from parbrief.text.admin_case import lower_unit_words
from parbrief.text.formats import fmt_number, fmt_signed
from parbrief.text.messages import locale_strings
from parbrief.spec import load_spec
from parbrief.stats._results import NOTE_CODES, REASON_CODES, Note, StatTest
from parbrief.stats.differences import panel_differences, survey_differences, two_group_comparison
from parbrief.stats.trends import trend_of_series

#: One method period (today's): these tests pin the narrative, not method breaks (see
#: test_method_break_* for those), so no trend is cut at a change of method.
def _one_period_spec():
    import yaml

    from parbrief.spec import default_spec_path, parse_spec

    raw = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    raw.pop("versions", None)
    return parse_spec(raw, source="one-period")


SPEC = _one_period_spec()
M = "\u2212"  # the minus sign the brief prints


# --------------------------------------------------------------------------- data


@lru_cache(maxsize=1)
def _demo():
    d = make_demo(spec=SPEC)

    def norm(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(**{c: f[c].map({v: normalize_name(v) for v in f[c].unique()}) for c in ("province", "unit")})

    scores = pd.concat([norm(d.scores), norm(d.national)], ignore_index=True)
    return d, scores, norm(d.survey)


@lru_cache(maxsize=None)
def demo_brief(province: str, year: int = 2024, lang: str = "vi"):
    _, scores, survey = _demo()
    return build_brief(province=province, year=year, data="demo", lang=lang, spec=SPEC,
                       frames=(scores, survey, "sha", {}))


def _frame(province: str, rows, unit_type: str = "district") -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["unit", "year", "total"])
    df.insert(0, "province", province)
    df.insert(2, "unit_type", unit_type)
    return df.astype({"year": "int64", "total": "float64"})


def _brief(scores: pd.DataFrame, lang: str = "vi", province: str = "Tỉnh Thử", year: int = 2024, survey=None, **kw):
    return build_brief(province=province, year=year, data="x", lang=lang, spec=SPEC,
                       frames=(scores, survey, "sha", {}), **kw)


#: Fixed small deviations (no RNG): unit × year.
DEV = [
    [0.31, -0.22, 0.05, -0.40, 0.26],
    [-0.18, 0.35, -0.29, 0.12, -0.02],
    [0.07, -0.11, 0.38, -0.27, -0.09],
    [-0.25, 0.16, -0.06, 0.33, -0.14],
]
YEARS = range(2020, 2025)
UNITS = ["Huyện A", "Huyện B", "Huyện C", "Huyện D"]


def _series_frame(slope: float, levels=(75.0, 75.0, 75.0, 75.0), dev_scale: float = 1.0) -> pd.DataFrame:
    rows = [(u, y, levels[k] + slope * i + dev_scale * DEV[k][i])
            for k, u in enumerate(UNITS) for i, y in enumerate(YEARS)]
    return _frame("Tỉnh Thử", rows)


def _national(rows) -> pd.DataFrame:
    return _frame("Việt Nam", rows, unit_type="province")


def _ols(years, values, alpha=0.05):
    """Slope and its (1 − alpha) CI, computed directly (not via statsmodels)."""
    x, y = np.asarray(years, float), np.asarray(values, float)
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    se = math.sqrt(resid @ resid / (len(x) - 2) / np.sum((x - x.mean()) ** 2))
    h = stats.t.ppf(1 - alpha / 2, len(x) - 2) * se
    return slope, slope - h, slope + h


def _mid(name: str) -> str:
    """A unit's name as it stands inside a Vietnamese sentence: "Huyện C" → "huyện C" (NĐ 30/2020)."""
    return name[:1].lower() + name[1:] if name.split(" ")[0] in ("Huyện", "Thị", "Thành", "Quận", "Tỉnh") else name


# Wording that claims a difference; a result that is not significant must never use it.
VI_CLAIM = re.compile(r"rõ rệt|(?<!chưa )có ý nghĩa thống kê|khó có thể chỉ do ngẫu nhiên")
EN_CLAIM = re.compile(r"significant|more than chance|clearly (above|below)")


# --------------------------------------------------------------------------- headline (report.leader)


def _headline(b) -> str:
    return " ".join(L.headline_sentences(b))


def test_headline_on_the_demo_matches_the_national_table_vi_and_en():
    d, _, _ = _demo()
    nat = d.national.assign(unit=d.national["unit"].map(normalize_name))
    now = nat[nat["year"] == 2024].set_index("unit")["total"]
    before = nat[nat["year"] == 2023].set_index("unit")["total"]
    score, prev = now["Hà Giang"], before["Hà Giang"]
    rank = int((now.round(2) > round(score, 2)).sum()) + 1  # ties share the best rank
    moved = (int((before.round(2) > round(prev, 2)).sum()) + 1) - rank
    change = round(score, 2) - round(prev, 2)
    # the six socio-economic regions: Hà Giang is in Trung du và miền núi phía Bắc (14 provinces in 2024)
    north = ["Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Yên Bái", "Thái Nguyên", "Lạng Sơn",
             "Bắc Giang", "Phú Thọ", "Điện Biên", "Lai Châu", "Sơn La", "Hòa Bình"]
    peers = now[now.index.isin(north)]
    region_rank = int((peers.round(2) > round(score, 2)).sum()) + 1
    mean = now.mean()
    gap = round(score, 2) - round(mean, 2)  # of the printed values
    vi_change = ("tăng" if change > 0 else "giảm") + f" {fmt_number(abs(change), 'vi')} điểm"
    vi_rank = ("tăng" if moved > 0 else "giảm") + f" {abs(moved)} bậc"
    assert change != 0 and moved != 0 and gap != 0  # the branches this test pins
    band = SPEC.scheme("national").band_for(round(score, 2)).label_vi  # "Nhóm B (từ 80% đến dưới 90%)"
    short, rng = band.split(" (", 1)
    above = "cao hơn" if gap > 0 else "thấp hơn"
    assert _headline(demo_brief("Hà Giang")) == (
        f"Năm 2024, Chỉ số CCHC của tỉnh Hà Giang đạt {fmt_number(score, 'vi')} điểm, thuộc {short[0].lower() + short[1:]} "
        f"(đạt {rng.rstrip(')')}), xếp thứ {rank}/{len(now)} tỉnh, thành phố và thứ {region_rank}/14 trong vùng "
        f"Trung du và miền núi phía Bắc; {vi_change} và {vi_rank} so với năm 2023. Điểm của tỉnh Hà Giang {above} "
        f"bình quân cả nước ({fmt_number(mean, 'vi')} điểm) {fmt_number(abs(gap), 'vi')} điểm."
    )
    en_change = ("up" if change > 0 else "down") + f" {fmt_number(abs(change), 'en')} points"
    en_rank = ("up" if moved > 0 else "down") + f" {abs(moved)} place" + ("s" if abs(moved) > 1 else "")
    en_band = SPEC.scheme("national").band_for(round(score, 2)).label_en
    assert _headline(demo_brief("Hà Giang", lang="en")) == (
        f"In 2024, Hà Giang scored {fmt_number(score, 'en')} points on the PAR INDEX, in {en_band}, ranking "
        f"{rank} of {len(now)} provinces and {region_rank} of 14 in the Northern Midlands and Mountains region; "
        f"{en_change} and {en_rank} compared with 2023. Hà Giang scored {fmt_number(abs(gap), 'en')} points "
        f"{'above' if gap > 0 else 'below'} the national average ({fmt_number(mean, 'en')} points)."
    )


def test_headline_without_national_row_uses_the_unit_mean_and_says_so():
    scores = _frame("Tỉnh Thử", [("Huyện A", 2024, 81.5), ("Huyện B", 2024, 77.25), ("Huyện C", 2024, 90.0)])
    b = _brief(scores)
    assert b.headline.source == "unit_mean" and b.headline.national_mean is None
    assert _headline(b) == (
        "Năm 2024, tỉnh Thử không có trong bảng xếp hạng Chỉ số CCHC toàn quốc; điểm bình quân của 3 đơn vị "
        "trực thuộc đạt 82,92 điểm, thuộc nhóm B (đạt từ 80% đến dưới 90%); chưa có số liệu năm 2023 để so sánh."
    )
    assert N.headline_source(b) == (
        "Tỉnh Thử không có trong bảng Chỉ số CCHC toàn quốc năm 2024: điểm nêu trên là điểm bình quân của "
        "3 đơn vị trực thuộc, xếp loại theo “Nhóm xếp hạng Chỉ số CCHC cấp tỉnh” và không có thứ hạng toàn quốc."
    )
    en = _brief(scores, lang="en")
    assert _headline(en) == (
        "In 2024, Tỉnh Thử is not in the national PAR INDEX table; the mean score of its 3 units is 82.92 points, "
        "in Group B (80% to under 90%); there is no data for 2023 to compare with."
    )


def test_headline_with_a_national_rank_but_no_previous_year():
    scores = pd.concat([
        _frame("Tỉnh Thử", [("Huyện A", 2024, 81.5), ("Huyện B", 2024, 77.25)]),
        _national([("Tỉnh Thử", 2024, 91.004), ("Tỉnh Khác", 2024, 85.0)]),
    ], ignore_index=True)
    # no region for a province of neither map; the mean 88,002 prints 88,00: the gap is 91,00 − 88,00
    assert _headline(_brief(scores)) == (
        "Năm 2024, Chỉ số CCHC của tỉnh Thử đạt 91,00 điểm, thuộc nhóm A (đạt từ 90% trở lên), "
        "xếp thứ 1/2 tỉnh, thành phố; chưa có số liệu năm 2023 để so sánh. "
        "Điểm của tỉnh Thử cao hơn bình quân cả nước (88,00 điểm) 3,00 điểm."
    )
    assert _headline(_brief(scores, lang="en")) == (
        "In 2024, Tỉnh Thử scored 91.00 points on the PAR INDEX, in Group A (90% and above), "
        "ranking 1 of 2 provinces; there is no data for 2023 to compare with. "
        "Tỉnh Thử scored 3.00 points above the national average (88.00 points)."
    )


def test_headline_change_up_one_place_and_unchanged_rank():
    nat = _national([("Tỉnh Thử", 2023, 80.0), ("Tỉnh Khác", 2023, 85.0),
                     ("Tỉnh Thử", 2024, 86.255), ("Tỉnh Khác", 2024, 84.0)])
    units = _series_frame(0.0)
    b_en = _brief(pd.concat([units, nat], ignore_index=True), lang="en")
    assert b_en.headline.rank_change == 1
    assert L.headline_sentences(b_en)[0].endswith("; up 6.26 points and up 1 place compared with 2023.")
    same = _national([("Tỉnh Thử", 2023, 86.0), ("Tỉnh Khác", 2023, 85.0),
                      ("Tỉnh Thử", 2024, 86.0), ("Tỉnh Khác", 2024, 84.0)])
    b_vi = _brief(pd.concat([units, same], ignore_index=True))
    assert L.headline_sentences(b_vi)[0].endswith("; giữ nguyên số điểm và giữ nguyên thứ hạng so với năm 2023.")


# --------------------------------------------------------------------------- key findings (report.leader)

#: Test notation that must never reach a finding (it stays in the methods and the analysis pages).
NOTATION = re.compile(r"F\(|χ²|H\(|t\(|U =|\bp [<=]|η²|ω²|ANOVA|Welch|Games-Howell|Tukey|Kruskal|Mann-Whitney|"
                      r"\d+/\d+ cặp|\d+ of \d+ pairs|có ý nghĩa thống kê|statistically")


def test_key_findings_on_the_demo_are_three_to_five_plain_sentences():
    _, scores, _ = _demo()
    for province in sorted(p for p in scores["province"].unique() if p != "Việt Nam"):
        for year, lang in ((2024, "vi"), (2018, "en")):
            b = demo_brief(province, year, lang)
            found = L.findings(b)
            assert 3 <= len(found) <= L.MAX_FINDINGS, (province, year, found)
            assert found[0] == _headline(b)
            assert all(s.endswith(".") and "{" not in s and "}" not in s for s in found)
            assert not any(NOTATION.search(s) for s in found), (province, found)
            not_yet = [s for s in found if s.startswith(("Chưa", "Mới có", "Năm 2025 là năm đầu"))]
            assert len(not_yet) <= 1, found


def test_key_findings_name_every_unit_type_whose_standing_changed_clearly():
    from parbrief.report.movement import standing_sentence
    from parbrief.report.names import unit_label

    seen = 0
    _, scores, _ = _demo()
    for province in sorted(p for p in scores["province"].unique() if p != "Việt Nam"):
        b = demo_brief(province)
        found = L.findings(b)
        for unit_type, tab in b.standing.by_type.items():
            if tab.n_called:
                seen += 1
                expected = lower_unit_words(standing_sentence(tab, unit_type, "vi",
                                                              peers=unit_label(b, unit_type, plural=True)))
                assert expected in found, (province, expected, found)
    assert seen >= 3


def test_key_findings_one_year_not_in_the_national_table_say_it_once():
    scores = _frame("Tỉnh Thử", [("Huyện A", 2024, 81.5), ("Huyện B", 2024, 77.25), ("Huyện C", 2024, 90.0)])
    vi = L.findings(_brief(scores))
    assert vi[-1] == "Mới có số liệu 1 năm nên chưa đánh giá được diễn biến qua các năm của từng đơn vị (cần ít nhất 5 năm)."
    assert sum(s.startswith(("Chưa", "Mới có")) for s in vi) == 1
    en = L.findings(_brief(scores, lang="en"))
    assert en[-1] == ("With 1 year of data, the movement of each unit over the years cannot be assessed yet "
                      "(at least 5 are needed).")


def test_key_findings_improving_province_path_is_described_not_claimed():
    # Every unit rises 2 points a year: the province's path is described (no test claim), no unit moves
    # relative to the others, and the units do not differ: no finding claims a difference.
    scores = _series_frame(2.0)
    means = scores.groupby("year")["total"].mean()
    vi = L.findings(_brief(scores))
    assert (f"Từ năm 2020 (phương pháp đánh giá hiện hành), điểm của tỉnh Thử tăng liên tiếp 4 năm, từ "
            f"{fmt_number(means.iloc[0], 'vi')} lên {fmt_number(means.iloc[-1], 'vi')} điểm.") in vi
    assert not any(VI_CLAIM.search(s) for s in vi[1:])
    en = L.findings(_brief(scores, lang="en"))
    assert any(s.startswith("Since 2020 (the current method), the score of Tỉnh Thử has risen 4 years running")
               for s in en)
    down = _series_frame(-1.5)
    dm = down.groupby("year")["total"].mean()
    assert (f"Since 2020 (the current method), the score of Tỉnh Thử has fallen 4 years running, from "
            f"{fmt_number(dm.iloc[0], 'en')} to {fmt_number(dm.iloc[-1], 'en')} points.") in L.findings(_brief(down, lang="en"))


def test_key_findings_significant_differences_name_top_and_bottom_in_plain_words():
    scores = _series_frame(0.0, levels=(70.0, 80.0, 90.0, 85.0))
    b = _brief(scores)
    res = b.panel["district"]
    assert res.significant
    top = res.means.set_index("unit")["ls_mean"]
    assert (f"Giai đoạn 2020–2024, điểm của các huyện chênh lệch rõ rệt, không chỉ do ngẫu nhiên: cao nhất là "
            f"huyện C (bình quân {fmt_number(top['Huyện C'], 'vi')} điểm), thấp nhất là huyện A "
            f"({fmt_number(top['Huyện A'], 'vi')} điểm).") in L.findings(b)
    assert not any(NOTATION.search(s) for s in L.findings(b))


# --------------------------------------------------------------------------- differences


def test_describe_difference_panel_significant_exact():
    scores = _series_frame(0.0, levels=(70.0, 80.0, 90.0, 89.8))
    res = panel_differences(scores)
    m = res.means.set_index("unit")["ls_mean"]
    assert res.significant and res.rule == "gls_ar1" and res.primary.df == (3.0, 12.0)
    assert not bool(res.pairwise.pair("Huyện C", "Huyện D")["reject"])
    eta = res.primary.effect
    lo, hi = res.primary.effect_ci
    f = res.primary.statistic
    # Friedman is a described check now: it treats years as independent, so it confirms nothing.
    assert N.describe_difference(res, "vi", unit_label="Huyện, thị xã, thành phố") == [
        "Điểm của các huyện, thị xã, thành phố qua các năm được so sánh bằng mô hình có yếu tố đơn vị và yếu tố "
        "năm: yếu tố năm tách riêng biến động chung của mọi đơn vị trong từng năm, và mô hình tính đến việc năm tốt, "
        "năm kém của một đơn vị thường nối tiếp nhau, nên các đơn vị được so sánh trên điểm bình quân đã điều "
        "chỉnh theo năm mà không coi các năm là độc lập.",
        "Kết quả: khác biệt giữa các huyện, thị xã, thành phố có ý nghĩa thống kê (mô hình hồi quy đơn vị và năm có "
        f"sai số tự tương quan: F(3; 12) = {fmt_number(f, 'vi')}; p < 0,001).",
        f"Mức độ khác biệt lớn theo ngưỡng quy ước của Cohen (η² riêng phần = {fmt_number(eta, 'vi')}; khoảng tin "
        f"cậy 95%: từ {fmt_number(lo, 'vi')} đến {fmt_number(hi, 'vi')}).",
        "So sánh từng cặp (kiểm định t trên điểm bình quân đã điều chỉnh theo năm, hiệu chỉnh Holm): 5/6 cặp đơn vị "
        "khác nhau rõ.",
        "Huyện C (cao nhất) chưa khác biệt rõ so với huyện D.",  # lowercase inside a sentence (NĐ 30/2020)
        "Huyện A (thấp nhất) thấp hơn rõ so với tất cả các đơn vị còn lại.",
        "Trên biểu đồ, các đơn vị có chung chữ cái chưa khác nhau rõ.",
    ]
    assert m.idxmax() == "Huyện C" and m.idxmin() == "Huyện A"
    # the units said not to differ from the top are exactly those sharing its compact letter
    letters = dict(res.letters)
    assert {u for u, l in letters.items() if u != "Huyện C" and set(l) & set(letters["Huyện C"])} == {"Huyện D"}


def test_describe_difference_two_groups_not_significant_never_claims():
    rows = [("Huyện A", 2024, 78.0, "district"), ("Huyện B", 2024, 84.5, "district"),
            ("Huyện C", 2024, 76.0, "district"), ("Sở A", 2024, 83.0, "department"),
            ("Sở B", 2024, 88.0, "department"), ("Sở C", 2024, 79.5, "department")]
    frame = pd.DataFrame(rows, columns=["unit", "year", "total", "unit_type"])
    res = two_group_comparison(frame)
    dep = frame.loc[frame["unit_type"] == "department", "total"].to_numpy()
    dis = frame.loc[frame["unit_type"] == "district", "total"].to_numpy()
    w = stats.ttest_ind(dis, dep, equal_var=False)
    assert not res.significant and N.effect_magnitude("hedges_g", res.primary.effect) == "medium"
    vi = N.describe_difference(res, "vi", unit_label="Nhóm")
    assert vi[:3] == [
        "Hai khối được so sánh bằng kiểm định t Welch (không đòi hỏi phương sai bằng nhau), mỗi đơn vị là một "
        "quan sát.",
        "Kết quả: chưa có bằng chứng rõ về khác biệt giữa hai khối đơn vị (kiểm định t Welch: "
        f"t({fmt_number(w.df, 'vi', 1)}) = {fmt_number(w.statistic, 'vi')}; p = {fmt_number(w.pvalue, 'vi', 3)}).",
        f"Điểm bình quân: khối sở, ban, ngành đạt {fmt_number(dep.mean(), 'vi')}; khối huyện, thị xã, thành phố "
        f"đạt {fmt_number(dis.mean(), 'vi')}.",
    ]
    assert vi[3].startswith("Ước lượng mức độ khác biệt ở mức ") and vi[3].endswith(
        "nhưng ước lượng này còn chưa chắc chắn vì khác biệt chưa có ý nghĩa thống kê.")
    assert not any(VI_CLAIM.search(s) for s in vi)
    en = N.describe_difference(res, "en", unit_label="Group")
    assert not any(EN_CLAIM.search(s) for s in en)
    assert en[1].startswith("Result: there is no clear evidence of a difference between the two groups of units "
                            "(Welch's t-test: t(")


def test_no_result_that_is_not_significant_uses_claiming_words():
    _, scores, _ = _demo()
    checked = 0
    for province in sorted(p for p in scores["province"].unique() if p != "Việt Nam"):
        for lang, claim in (("vi", VI_CLAIM), ("en", EN_CLAIM)):
            b = demo_brief(province, 2024, lang) if lang == "vi" else demo_brief(province, 2018, lang)
            results = list(b.panel.items()) + [("unit", b.survey), ("group", b.groups)]
            for label, res in results:
                if res is None or res.significant:
                    continue
                checked += 1
                text = " ".join(N.describe_difference(res, lang, unit_label=label))
                if res.agreement is not False:  # a disagreeing cross-check may itself find a difference
                    assert not claim.search(text), (province, label, text)
            for tr in b.trends.trends:
                if not tr.significant:
                    assert not re.search(r"rõ rệt|clearly", N.describe_trend(tr, lang)), tr.unit
    assert checked >= 20


def test_describe_difference_survey_rules_vi():
    def survey(groups):
        rows = [("P", u, 2024, f"{u}-{i}", int(v)) for u, vals in groups.items() for i, v in enumerate(vals)]
        return pd.DataFrame(rows, columns=["province", "unit", "year", "respondent", "satisfaction"])

    small = {"A": [5, 5, 4, 5, 4, 5, 5, 4], "B": [2, 1, 2, 3, 2, 1, 2, 2], "C": [3, 3, 4, 3, 2, 3, 4, 3]}
    res = survey_differences(survey(small))
    h = stats.kruskal(*small.values())
    out = N.describe_difference(res, "vi", unit_label="unit")
    assert res.rule == "small_groups→kruskal"
    assert out[:3] == [
        "Khảo sát có 24 người trả lời tại 3 đơn vị.",
        "Có đơn vị dưới 30 người trả lời trong khi điểm đánh giá chỉ có ít mức (hoặc không có phân phối chuẩn), "
        "nên kiểm định chính là Kruskal-Wallis, so sánh theo thứ hạng thay vì điểm trung bình.",
        f"Kết quả: khác biệt giữa các đơn vị có ý nghĩa thống kê (kiểm định Kruskal-Wallis: "
        f"H(2) = {fmt_number(h.statistic, 'vi')}; p < 0,001).",
    ]
    assert out[-3:] == [
        "A (cao nhất) cao hơn rõ so với tất cả các đơn vị còn lại.",
        "B (thấp nhất) thấp hơn rõ so với tất cả các đơn vị còn lại.",
        "Trên biểu đồ, các đơn vị có chung chữ cái chưa khác nhau rõ.",
    ]
    # unequal spread in large units: Welch's ANOVA leads
    wide = {"A": [4] * 20 + [5] * 20, "B": [1, 2, 3, 4, 5] * 8, "C": [3] * 25 + [2] * 15}
    res = survey_differences(survey(wide))
    assert res.rule == "levene_unequal→welch"
    welch = N.describe_difference(res, "vi", unit_label="unit")
    assert welch[1] == ("Phương sai giữa các đơn vị khác nhau (kiểm định Levene), nên kiểm định chính là "
                        "ANOVA Welch, phương pháp không đòi hỏi phương sai bằng nhau.")
    assert welch[2].startswith("Kết quả: khác biệt giữa các đơn vị có ý nghĩa thống kê (ANOVA Welch: F(2; ")
    # same distribution everywhere: no clear difference, and no claiming word anywhere
    same = {"A": [1, 2, 3, 4, 5] * 8, "B": [1, 2, 3, 4, 5] * 8, "C": [2, 3, 4, 5, 1] * 8}
    res = survey_differences(survey(same))
    text = N.describe_difference(res, "vi", unit_label="unit")
    assert res.rule == "levene_equal→anova" and not res.significant
    assert text[2] == ("Kết quả: chưa có bằng chứng rõ về khác biệt giữa các đơn vị (ANOVA một yếu tố: "
                       "F(2; 117) = 0,00; p = 1,000).")
    assert not any(VI_CLAIM.search(s) for s in text)


def test_cannot_test_is_one_sentence_with_the_reason():
    one = pd.DataFrame({"province": "P", "unit": "A", "year": 2024, "respondent": ["1", "2", "3"],
                        "satisfaction": [3, 4, 5]})
    res = survey_differences(one)
    assert N.describe_difference(res, "vi", unit_label="unit") == [
        "Chưa thể kiểm định khác biệt giữa các đơn vị: chỉ có 1 đơn vị có số liệu, cần ít nhất 2 đơn vị."
    ]
    assert N.describe_difference(res, "en", unit_label="unit") == [
        "The difference between the units could not be tested: only 1 unit has data; at least 2 are needed."
    ]
    panel = panel_differences(_frame("P", [("Sở A", 2024, 80.0), ("Sở B", 2024, 85.0)], "department"))
    assert N.describe_difference(panel, "vi", unit_label="department") == [
        "Chưa thể kiểm định khác biệt giữa các sở, ban, ngành: mới có số liệu 1 năm, cần ít nhất 2 năm."
    ]


def test_unit_label_accepts_codes_table_labels_and_free_text():
    res = panel_differences(_frame("P", [("Sở A", 2024, 80.0)], "department"))
    first = lambda label, lang="vi": N.describe_difference(res, lang, unit_label=label)[0]  # noqa: E731
    assert first("department").startswith("Chưa thể kiểm định khác biệt giữa các sở, ban, ngành:")
    assert first("Sở, ban, ngành").startswith("Chưa thể kiểm định khác biệt giữa các sở, ban, ngành:")
    assert first("Đơn vị").startswith("Chưa thể kiểm định khác biệt giữa các đơn vị:")
    assert first("các phường").startswith("Chưa thể kiểm định khác biệt giữa các phường:")
    assert first("Departments and agencies", "en").startswith("The difference between the departments could not")


# --------------------------------------------------------------------------- statistics in text


def test_stat_text_uses_a_semicolon_between_df_in_vietnamese():
    f = StatTest(test="anova_welch", name="Welch", ok=True, statistic_name="F", statistic=15.8234,
                 df=(13.0, 77.0), p=2e-9)
    assert N.stat_text(f, "vi") == "F(13; 77) = 15,82; p < 0,001"
    assert N.stat_text(f, "en") == "F(13, 77) = 15.82, p < 0.001"
    w = StatTest(test="anova_welch", name="Welch", ok=True, statistic_name="F", statistic=4.779, df=(10.0, 250.386),
                 p=0.0321)
    assert N.stat_text(w, "vi") == "F(10; 250,4) = 4,78; p = 0,032"
    chi = StatTest(test="friedman", name="Friedman", ok=True, statistic_name="chi2", statistic=9.9429, df=(4.0,),
                   p=0.0414)
    assert N.stat_text(chi, "vi") == "χ²(4) = 9,94; p = 0,041"
    u = StatTest(test="mann_whitney", name="MW", ok=True, statistic_name="U", statistic=15.0, df=(), p=0.1804)
    assert N.stat_text(u, "en") == "U = 15, p = 0.180"
    t = StatTest(test="welch_t", name="t", ok=True, statistic_name="t", statistic=-1.6274, df=(6.254,), p=0.1528)
    assert N.stat_text(t, "vi") == f"t(6,3) = {M}1,63; p = 0,153"
    assert N.stat_text(StatTest(test="friedman", name="F", ok=False), "vi") == "–"


@pytest.mark.parametrize(
    ("name", "value", "size"),
    [
        ("partial_eta2", 0.009, "negligible"),
        ("partial_eta2", 0.01, "small"),
        ("omega2", 0.0599, "small"),
        ("epsilon2", 0.06, "medium"),
        ("partial_eta2", 0.14, "large"),
        ("hedges_g", -0.92, "large"),
        ("hedges_g", 0.45, "small"),
        ("rank_biserial", -0.3, "medium"),
        ("kendall_w", 0.504, "large"),
        ("unknown", 0.5, None),
        ("omega2", float("nan"), None),
    ],
)
def test_effect_magnitude_uses_cohens_benchmarks(name, value, size):
    assert N.effect_magnitude(name, value) == size


# --------------------------------------------------------------------------- notes and reasons


def _sample_detail(*templates: str) -> dict:
    """Sample values for every field any of the templates uses (years as years, p as a p-value)."""
    sample = {"p": 0.0123, "mk_p": 0.2, "units": "Huyện A, Huyện B", "rule": "levene_unequal→welch",
              "primary": "anova_welch", "significant": "kruskal_wallis",
              "not_significant": "anova_classic, anova_welch",
              "category": "RuntimeWarning", "message": "divide by zero", "year": 2024, "first": 2019, "last": 2022,
              "raw": -0.0123, "theil_slope": 0.5, "since": 2021, "first_excluded": 2018,
              "last_excluded": 2020, "first_used": 2021, "last_used": 2024}
    fields = {name.split("|")[0] for text in templates for _, name, _, _ in string.Formatter().parse(text) if name}
    return {f: sample.get(f, 3) for f in fields}


def test_every_note_and_reason_code_has_vi_and_en_text():
    for lang in ("vi", "en"):
        strings = locale_strings(lang)
        assert {c for c in NOTE_CODES if f"note.{c}" not in strings} == set(), lang
        assert {c for c in REASON_CODES if f"reason.{c}" not in strings} == set(), lang
    for code in sorted(NOTE_CODES):
        key = f"note.{code}"
        note = Note(code, _sample_detail(locale_strings("vi")[key], locale_strings("en")[key]))
        vi, en = N.note_text(note, "vi"), N.note_text(note, "en")
        unfilled = re.sub(r"\d–\d", "", vi).replace("đơn vị – năm", "")  # "–" = a missing field
        assert vi != en and "{" not in vi + en and "–" not in unfilled, code
        assert "0.0" not in vi and "2.0" not in vi.replace("2.02", ""), (code, vi)  # decimal comma in vi
    for code in sorted(REASON_CODES):
        key = f"reason.{code}"
        detail = _sample_detail(locale_strings("vi")[key], locale_strings("en")[key])
        vi, en = N.reason_text(code, detail, "vi"), N.reason_text(code, detail, "en")
        assert vi and en and vi != en and "{" not in vi + en, code


def test_note_and_reason_text_exact():
    assert N.note_text(Note("levene_unequal_var", {"p": 0.0123, "statistic": 4.2}), "vi") == (
        "phương sai giữa các đơn vị khác nhau (kiểm định Levene/Brown-Forsythe, p = 0,012)"
    )
    assert N.note_text(Note("levene_unequal_var", {"p": 0.00001}), "en") == (
        "variances differ between units (Levene/Brown-Forsythe, p < 0.001)"
    )
    assert N.note_text(Note("gap_years", {"n_gaps": 2, "first": 2019, "last": 2022}), "vi") == (
        "thiếu số liệu 2 năm trong khoảng 2019–2022"
    )
    assert N.note_text(Note("omega_negative_truncated", {"raw": -0.0123}), "vi") == (
        f"ước lượng ω² âm ({M}0,012) nên được ghi là 0"
    )
    assert N.note_text(Note("primary_rule", {"rule": "levene_unequal→welch", "primary": "anova_welch"}), "vi") == (
        "kiểm định chính được chọn theo quy tắc: phương sai khác nhau → ANOVA Welch"
    )
    assert N.note_text(Note("tests_disagree", {"significant": "kruskal_wallis",
                                               "not_significant": "anova_classic, anova_welch"}), "vi") == (
        "các kiểm định chưa thống nhất: kiểm định Kruskal-Wallis có ý nghĩa thống kê, ANOVA một yếu tố và "
        "ANOVA Welch thì không"
    )
    assert N.note_text(Note("missing_values_dropped", {"n": 1234}), "vi") == (
        "1.234 dòng không có giá trị đã được loại ra"
    )
    assert N.note_text(Note("not_a_code", {}), "vi") == "not_a_code"  # unknown code: the English fallback
    assert N.reason_text("too_few_units", {"n_units": 1, "min_units": 2}, "vi") == (
        "chỉ có 1 đơn vị có số liệu, cần ít nhất 2 đơn vị"
    )
    assert N.reason_text("test_failed", {"message": "singular matrix"}, "vi") == "lỗi khi tính toán: singular matrix"
    assert N.reason_text("too_few_years", {}, "vi") == "mới có số liệu – năm, cần ít nhất – năm"
    assert N.reason_text(None, None, "vi") == ""


# --------------------------------------------------------------------------- trends


def test_trend_label_uses_the_trend_locale_keys():
    assert [N.trend_label(c, "vi") for c in ("improving", "declining", "no_trend", "insufficient")] == [
        "Cải thiện rõ", "Giảm rõ", "Chưa có xu hướng rõ", "Chưa đủ số năm để đánh giá",
    ]
    assert N.trend_label("no_trend", "en") == "No clear trend"
    with pytest.raises(ValueError, match="unknown trend classification 'up'"):
        N.trend_label("up", "vi")


def test_describe_trend_branches():
    years = [2018, 2019, 2020, 2021, 2022, 2023]
    up = [80.1, 81.4, 82.2, 83.9, 84.5, 86.0]
    tr = trend_of_series(years, up, unit="Huyện A")
    slope, lo, hi = _ols(years, up)
    assert tr.classification == "improving"
    assert N.describe_trend(tr, "vi") == (
        f"Giai đoạn 2018–2023, Chỉ số CCHC của huyện A có xu hướng tăng rõ rệt, bình quân {fmt_number(slope, 'vi')} "
        f"điểm/năm (khoảng tin cậy 95%: từ {fmt_number(lo, 'vi')} đến {fmt_number(hi, 'vi')} điểm/năm)."
    )
    assert N.describe_trend(tr, "vi").startswith(
        "Giai đoạn 2018–2023, Chỉ số CCHC của huyện A có xu hướng tăng rõ rệt, bình quân 1,16 điểm/năm")
    short = trend_of_series([2023, 2024], [80, 81], unit="Huyện B")
    assert N.describe_trend(short, "vi") == (
        "Chỉ số CCHC của huyện B mới có số liệu 2 năm, chưa đủ 4 năm để đánh giá xu hướng."
    )
    assert N.describe_trend(short, "en") == (
        "The PAR INDEX of Huyện B has data for 2 years only; 4 are needed to judge a trend."
    )
    flat = trend_of_series(years, [80.0] * 6, unit="Huyện C")
    assert N.describe_trend(flat, "vi") == "Giai đoạn 2018–2023, Chỉ số CCHC của huyện C không thay đổi qua các năm."
    gap = trend_of_series([2018, 2019, 2021, 2022, 2023], [80.0, 80.5, 79.0, 81.0, 79.5], unit="Huyện D",
                          value="tthc")
    text = N.describe_trend(gap, "vi")
    assert text.startswith("Giai đoạn 2018–2023, chưa có bằng chứng rõ về xu hướng tăng hay giảm của điểm lĩnh vực "
                           "Thủ tục hành chính của huyện D (")
    assert text.endswith(" Ghi chú: thiếu số liệu 1 năm trong khoảng 2018–2023.")


def test_a_unit_trend_lost_to_the_adjustment_says_why():
    years = [2018, 2019, 2020, 2021, 2022, 2023, 2024]
    values = [80.0, 81.2, 80.6, 82.3, 81.9, 83.4, 82.8]
    raw = trend_of_series(years, values, unit="Huyện E")
    slope, lo, hi = _ols(years, values)
    assert raw.p < 0.05 and raw.classification == "improving"
    # as unit_trends leaves it when the Holm-adjusted p across many units is no longer below alpha
    tr = replace(raw, adjust="holm", p_adj=0.09, classification="no_trend")
    assert N.describe_trend(tr, "vi") == (
        "Giai đoạn 2018–2024, chưa có bằng chứng rõ về xu hướng tăng hay giảm của Chỉ số CCHC của huyện E "
        f"(thay đổi bình quân {fmt_signed(slope, 'vi')} điểm/năm, khoảng tin cậy 95%: từ {fmt_signed(lo, 'vi')} "
        f"đến {fmt_signed(hi, 'vi')}). Khoảng tin cậy 95% chưa hiệu chỉnh không chứa 0, nhưng sau hiệu chỉnh Holm "
        "(do xét nhiều đơn vị cùng lúc) xu hướng này chưa đủ rõ."
    )
    assert "rõ rệt" not in N.describe_trend(tr, "vi") and "clearly" not in N.describe_trend(tr, "en")


def test_trend_summary_lists_every_unit_and_robust_disagreement():
    _, scores, _ = _demo()
    found = 0
    for province in sorted(p for p in scores["province"].unique() if p != "Việt Nam"):
        b = demo_brief(province)
        summary = N.trend_summary(b)
        assert summary[0] == N.unit_trends_sentence(b, limit=None)
        assert all(_mid(u) in summary[0] or u in summary[0]
                   for u in b.trends.improving() + b.trends.declining())
        shaky = [t.unit for t in b.trends.trends if t.significant and t.robust_agrees is False]
        if shaky:
            found += 1
            assert summary[-1] == lower_unit_words(f"Với {N._join(shaky, 'vi')}, phương pháp đối chứng (Theil-Sen, Mann-Kendall) "
                                   "chưa khẳng định xu hướng, cần tiếp tục theo dõi.")
    assert found >= 1


def test_league_notes_new_and_dropped_units_and_no_previous_year():
    rows = [("Huyện A", 2023, 80.0), ("Huyện B", 2023, 82.0), ("Huyện C", 2023, 79.0),
            ("Huyện A", 2024, 81.0), ("Huyện B", 2024, 83.0), ("Huyện D", 2024, 78.0)]
    b = _brief(_frame("Tỉnh Thử", rows))
    assert N.league_notes(b)[:2] == [
        "Đơn vị mới có trong năm 2024 (chưa có số liệu năm trước): huyện D.",
        "Đơn vị có trong năm 2023 nhưng không có trong năm 2024: huyện C.",
    ]
    # two years: no unit's standing trend is assessed, so the table has no "Xu hướng" column and
    # no note explains it; the ranks note closes the list
    assert not N.trends_assessed(b)
    assert N.league_notes(b)[-1] == "Thứ hạng được xếp riêng trong từng loại đơn vị; các đơn vị đồng điểm được xếp đồng hạng."
    assert not any("Xu hướng" in s for s in N.league_notes(b))
    one = _brief(_frame("Tỉnh Thử", rows[3:]), lang="en")
    assert N.league_notes(one)[0] == "There is no data for 2023, so changes in score and rank are not shown."


def test_component_summary_exact():
    rows = []
    for k, u in enumerate(["Huyện A", "Huyện B", "Huyện C"]):
        for i, y in enumerate(YEARS):
            chi_dao = 6.0 + 0.4 * i + DEV[k][i] / 4  # rises clearly
            tthc = 9.0 - 1.5 * k - DEV[k][i]  # flat, Huyện C lowest
            rows.append(("Tỉnh Thử", u, "district", y, chi_dao + tthc, chi_dao, tthc))
    scores = pd.DataFrame(rows, columns=["province", "unit", "unit_type", "year", "total", "chi_dao", "tthc"])
    b = _brief(scores)
    now, before = scores[scores["year"] == 2024], scores[scores["year"] == 2023]
    pct = {"chi_dao": now["chi_dao"].mean() / 9 * 100, "tthc": now["tthc"].mean() / 13 * 100}
    change = {"chi_dao": pct["chi_dao"] - before["chi_dao"].mean() / 9 * 100,
              "tthc": pct["tthc"] - before["tthc"].mean() / 13 * 100}
    assert pct["chi_dao"] > pct["tthc"] and change["chi_dao"] > 0.05 and change["tthc"] < -0.05
    low = now.loc[now["tthc"].idxmin()]
    assert N.component_summary(b) == [
        f"Năm 2024, lĩnh vực đạt tỷ lệ điểm cao nhất là Công tác chỉ đạo, điều hành cải cách hành chính ({fmt_number(pct['chi_dao'], 'vi', 1)}% "
        f"điểm tối đa), thấp nhất là Cải cách thủ tục hành chính ({fmt_number(pct['tthc'], 'vi', 1)}%); ở lĩnh vực này, "
        f"{_mid(low['unit'])} đạt thấp nhất ({fmt_number(low['tthc'] / 13 * 100, 'vi', 1)}%).",
        f"So với năm 2023, lĩnh vực tăng nhiều nhất là Công tác chỉ đạo, điều hành cải cách hành chính ({fmt_signed(change['chi_dao'], 'vi', 1)} "
        f"điểm phần trăm); lĩnh vực giảm nhiều nhất là Cải cách thủ tục hành chính ({fmt_signed(change['tthc'], 'vi', 1)} "
        "điểm phần trăm).",
        "Giai đoạn 2020–2024, lĩnh vực “Công tác chỉ đạo, điều hành cải cách hành chính” có xu hướng tăng rõ rệt.",
    ]
    assert low["unit"] == "Huyện C"
    assert b.component_trends["tthc"].classification == "no_trend"


def test_methods_text_names_the_methods_and_parameters():
    b = demo_brief("Hà Giang")
    paras = N.methods_text(b)
    assert len(paras) == 7  # trends, differences, two groups, survey, ratings, alpha, headline source
    # one Holm family per unit type; no "Holm for 0 units"
    assert "sau hiệu chỉnh Holm trong từng loại đơn vị, nhỏ hơn α = 0,05" in paras[0]
    assert "tự tương quan bậc 1" in paras[0] and "cần ít nhất 5 năm số liệu" in paras[0]
    assert "chỉ mô tả điểm tăng, giảm qua từng năm" in paras[0]
    assert "bình phương nhỏ nhất tổng quát" in paras[1] and "Friedman" in paras[1] and "tham khảo" in paras[1]
    assert "Cohen (1988): 0,01 là nhỏ, 0,06 là trung bình, 0,14 là lớn" in paras[1]
    # ρ from the 13 demo provinces' units of the same type, not the province alone
    assert "ước lượng chung từ 146 đơn vị cùng loại của 13 tỉnh, thành phố" in paras[1]
    assert "dưới 30 người trả lời" in paras[3] and "dưới 3 người trả lời" in paras[3]
    assert paras[4].startswith(
        "Xếp loại các đơn vị theo “Xếp loại Chỉ số CCHC các cơ quan, đơn vị trong tỉnh”: Xuất sắc: từ 90 điểm "
        "trở lên; Tốt: từ 80 đến dưới 90 điểm; Khá: từ 70 đến dưới 80 điểm; Trung bình: từ 50 đến dưới 70 điểm; "
        "Yếu: dưới 50 điểm. Xếp loại của tỉnh theo “Nhóm xếp hạng Chỉ số CCHC cấp tỉnh”."
    )
    assert "(ví dụ: 1, 2, 2, 4)" in paras[4]
    assert paras[5].startswith("Mức ý nghĩa α = 0,05:")
    assert paras[6] == N.headline_source(b)
    _, scores, survey = _demo()
    bh = build_brief(province="Hà Giang", year=2024, data="x", lang="en", spec=SPEC, adjust="bh", alpha=0.1,
                     frames=(scores, None, "sha", {}))
    en = N.methods_text(bh)
    assert len(en) == 6  # no survey paragraph without survey data
    assert "after Benjamini-Hochberg adjustment within each type of unit, is below α = 0.10" in en[0]
