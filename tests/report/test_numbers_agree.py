"""Numbers that agree (issue #10 item 6, #13): the card, the sentences and the tables print one value.

Scores are taken at the precision the index publishes (the spec's ``rank_decimals``): equal printed
scores share a rank, a change between two scores is the difference of the printed scores, a change
of means is the difference of the unrounded means, and band cut-offs print at their own precision.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
import yaml

from parbrief.report import leader as L
from parbrief.report import narrative as N
from parbrief.report import sections as S
from parbrief.analysis.brief import build_brief
from parbrief.analysis.headline import headline_rows
from parbrief.analysis.overview import build_overview
from parbrief.spec import default_spec_path, parse_spec

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _spec(**changes):
    """Today's method only (no method break between the test years), with ``changes`` applied."""
    raw = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    raw.pop("versions", None)
    raw.update(changes)
    return parse_spec(raw, source="numbers-agree")


SPEC = _spec()


def _frame(province: str, rows, unit_type: str = "district") -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["unit", "year", "total"])
    df.insert(0, "province", province)
    df.insert(2, "unit_type", unit_type)
    return df.astype({"year": "int64", "total": "float64"})


def _brief(scores: pd.DataFrame, spec=SPEC, lang: str = "vi", province: str = "Tỉnh Thử", year: int = 2024):
    return build_brief(province=province, year=year, data="x", lang=lang, spec=spec, frames=(scores, None, "sha", {}))


UNITS = ["Huyện A", "Huyện B", "Huyện C", "Huyện D", "Huyện E"]
#: Means 80.004 (printed 80,00) then 80.406 (printed 80,41): the rounded means differ by 0,41,
#: the means by 0.402 (R below), which prints 0,40.
BEFORE = [80.00, 80.00, 80.00, 80.01, 80.01]
NOW = [80.40, 80.40, 80.41, 80.41, 80.41]


def _unit_mean_scores() -> pd.DataFrame:
    return _frame("Tỉnh Thử", [(u, 2023, v) for u, v in zip(UNITS, BEFORE)]
                  + [(u, 2024, v) for u, v in zip(UNITS, NOW)])


def test_card_text_and_table_agree_where_rounded_means_would_not():
    b = _brief(_unit_mean_scores())
    h = b.headline
    assert h.source == "unit_mean"
    # R: mean(c(80.40, 80.40, 80.41, 80.41, 80.41)) - mean(c(80, 80, 80, 80.01, 80.01)) → 0.402
    assert h.change == pytest.approx(0.402, abs=1e-9)
    card = S.header(b).html
    assert '<span class="pb-kpi-value">+0,40 điểm</span>' in card and "+0,41" not in card
    sentence = " ".join(L.headline_sentences(b))
    assert "đạt 80,41 điểm" in sentence and "tăng 0,40 điểm so với năm 2023" in sentence
    assert "tăng 0,41" not in sentence
    assert "up 0.40 points compared with 2023" in " ".join(L.headline_sentences(_brief(_unit_mean_scores(), lang="en")))
    # the league table: each unit's change is the difference of its two printed scores
    league = b.league["district"].set_index("unit")
    assert league["change"].to_dict() == {"Huyện A": 0.4, "Huyện B": 0.4, "Huyện C": 0.41, "Huyện D": 0.4,
                                          "Huyện E": 0.4}
    table = S.league_table(b).html
    assert table.count("+0,40") == 4 and table.count("+0,41") == 1


def _national_ties() -> pd.DataFrame:
    values = [95.0, 93.0, 91.0, 90.0, 88.0, 85.0, 40.0, 38.034, 38.031, 30.0]
    names = [f"Tỉnh {chr(65 + i)}" for i in range(len(values))]
    rows = [(n, 2024, v) for n, v in zip(names, values)] + [(n, 2023, 50.0 + i) for i, n in enumerate(names)]
    nat = _frame("Việt Nam", rows, unit_type="province")
    units = pd.concat([_frame(n, [("Huyện A", 2024, 80.0), ("Huyện B", 2024, 70.0)]) for n in ("Tỉnh H", "Tỉnh I")])
    return pd.concat([nat, units], ignore_index=True)


def test_provinces_printed_with_equal_scores_share_a_national_rank_everywhere():
    scores = _national_ties()
    # R: rank(-c(95, 93, 91, 90, 88, 85, 40, 38.03, 38.03, 30), ties.method = "min")[8:10] → 8 8 10
    heads = {h.province: h for h in headline_rows(scores, ["Tỉnh H", "Tỉnh I", "Tỉnh J"], 2024, SPEC)}
    assert {p: h.rank for p, h in heads.items()} == {"Tỉnh H": 8, "Tỉnh I": 8, "Tỉnh J": 10}
    assert heads["Tỉnh H"].score == heads["Tỉnh I"].score == 38.03
    for p in ("Tỉnh H", "Tỉnh I"):
        b = _brief(scores, province=p)
        sentence = " ".join(L.headline_sentences(b))
        assert "đạt 38,03 điểm" in sentence and "xếp thứ 8/10 tỉnh, thành phố" in sentence
        assert "8/10" in S.header(b).html
    ov = build_overview(year=2024, data="x", spec=SPEC, frames=(scores, None, "sha", {}))
    ranks = ov.table.set_index("unit")["rank"]
    assert (ranks["Tỉnh H"], ranks["Tỉnh I"], ranks["Tỉnh J"]) == (8, 8, 10)
    html = S.overview_table(ov).html
    assert html.count("38,03") == 2
    # a change between published scores: 38,03 − 57,00 and 38,03 − 58,00
    assert ov.table.set_index("unit").loc[["Tỉnh H", "Tỉnh I"], "change"].tolist() == [-18.97, -19.97]


def test_a_gap_between_two_printed_values_is_their_difference():
    # the province prints 83,90 and the national average (83.904 + 73.406) / 2 = 78.655 prints 78,66; their
    # unrounded gap 5.249 would print 5,25 (issue #13): the card and the sentence print 5,24
    nat = _frame("Việt Nam", [("Tỉnh Thử", 2024, 83.904), ("Tỉnh Khác", 2024, 73.406)], unit_type="province")
    b = _brief(pd.concat([_unit_mean_scores(), nat], ignore_index=True))
    h = b.headline
    assert h.national_mean == pytest.approx(78.655) and h.national_gap == pytest.approx(5.24)  # R: 83.90 - 78.66
    sentence = L.headline_sentences(b)[1]
    assert sentence == "Điểm của tỉnh Thử cao hơn bình quân cả nước (78,66 điểm) 5,24 điểm."
    card = S.header(b).html
    assert '<span class="pb-kpi-value">78,66</span><span class="pb-kpi-label pb-kpi-note">cao hơn 5,24 điểm</span>' in card
    assert "5,25" not in card + sentence


def test_band_cut_offs_print_at_the_spec_precision():
    raw = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    schemes = raw["band_schemes"]
    schemes["provincial"]["bands"] = [
        {"code": "tot", "label_vi": "Tốt", "label_en": "Good", "min": 80},
        {"code": "kha", "label_vi": "Khá", "label_en": "Fair", "min": 35.65, "max": 80},
        {"code": "yeu", "label_vi": "Yếu", "label_en": "Weak", "max": 35.65},
    ]
    b = _brief(_unit_mean_scores(), spec=_spec(band_schemes=schemes))
    methods = " ".join(N.methods_text(b))
    assert "Khá: từ 35,65 đến dưới 80 điểm" in methods and "Yếu: dưới 35,65 điểm" in methods
    assert "Tốt: từ 80 điểm trở lên" in methods and "35,7" not in methods
    # at a one-decimal index the same cut-off reads at that precision
    one = _brief(_unit_mean_scores(), spec=_spec(band_schemes=schemes, rank_decimals=1))
    assert "Khá: từ 35,7 đến dưới 80 điểm" in " ".join(N.methods_text(one))
