"""The key finding of issue 12: units per band in words and how each band's count moved since last
year (a police force's "3 đơn vị xếp loại Xuất sắc, 17 Tốt, 12 Khá, 6 Hoàn thành nhiệm vụ")."""

from __future__ import annotations

import pandas as pd

from parbrief.analysis.brief import build_brief
from parbrief.report import leader as L
from parbrief.spec import load_spec, parse_spec

# 2023: 1 Xuất sắc, 3 Tốt, 2 Khá, 1 Hoàn thành nhiệm vụ; 2024: 3 Xuất sắc, 2 Tốt, 1 Khá, 1 HTNV.
SCORES = {
    "Công an huyện A": (96.0, 97.0), "Công an huyện B": (90.0, 96.5), "Công an huyện C": (85.0, 95.2),
    "Công an huyện D": (82.0, 88.0), "Công an huyện E": (78.0, 81.0), "Công an huyện F": (72.0, 74.0),
    "Công an huyện G": (60.0, 65.0),
}


def _brief(lang: str, spec=None, scheme: str = "police_2025", years=(2023, 2024)):
    rows = [(u, y, s[i]) for u, s in SCORES.items() for i, y in enumerate(years)]
    frame = pd.DataFrame(rows, columns=["unit", "year", "total"]).assign(province="Tỉnh Thử", unit_type="district")
    return build_brief(province="Tỉnh Thử", year=years[-1], data="x", frames=(frame, None, "sha", {}), lang=lang,
                       spec=spec or load_spec(), band_scheme=scheme,
                       national_band_scheme=scheme if spec is not None else "national")


def test_band_counts_and_their_movement_in_words():
    vi = L.bands_finding(_brief("vi"))
    assert vi == ("Năm 2024, 3 đơn vị xếp loại Xuất sắc, 2 Tốt, 1 Khá, 1 Hoàn thành nhiệm vụ; so với năm 2023, "
                  "Xuất sắc tăng từ 1 lên 3 đơn vị, Tốt giảm từ 3 xuống 2 đơn vị và Khá giảm từ 2 xuống 1 đơn vị.")
    en = L.bands_finding(_brief("en"))
    assert en == ("In 2024, 3 units were rated Excellent, 2 Good, 1 Fair and 1 Task completed; since 2023, "
                  "Excellent rose from 1 to 3 units, Good fell from 3 to 2 units and Fair fell from 2 to 1 unit.")
    assert vi in L.findings(_brief("vi"))  # among the first things the brief says


def test_one_year_counts_without_movement_and_singular_english():
    b = _brief("en", years=(2023, 2024))
    one = build_brief(province="Tỉnh Thử", year=2024, data="x", lang="en", band_scheme="police_2025",
                      frames=(b.history[b.history["year"] == 2024], None, "sha", {}))
    assert L.bands_finding(one) == "In 2024, 3 units were rated Excellent, 2 Good, 1 Fair and 1 Task completed."


def test_unchanged_counts_are_said_unchanged():
    b = _brief("vi", scheme="provincial")
    # provincial (Xuất sắc from 90): 2023 → 2, 2, 2, 1; 2024 → 3, 2, 1, 1 (Tốt unchanged, not named)
    assert L.bands_finding(b) == ("Năm 2024, 3 đơn vị xếp loại Xuất sắc, 2 Tốt, 1 Khá, 1 Trung bình; so với năm 2023, "
                                  "Xuất sắc tăng từ 2 lên 3 đơn vị và Khá giảm từ 2 xuống 1 đơn vị.")
    same = {u: (s[0], s[0] + 0.5) for u, s in SCORES.items() if u != "Công an huyện B"}
    rows = [(u, y, s[i]) for u, s in same.items() for i, y in enumerate((2023, 2024))]
    frame = pd.DataFrame(rows, columns=["unit", "year", "total"]).assign(province="Tỉnh Thử", unit_type="district")
    b2 = build_brief(province="Tỉnh Thử", year=2024, data="x", frames=(frame, None, "sha", {}), lang="en",
                     band_scheme="police_2025")
    assert L.bands_finding(b2).endswith("; the number of units in each band is unchanged since 2023.")


def test_quantile_groups_are_counted_without_movement():
    raw = {"id": "q", "total_max": 100, "components": [{"code": "a", "name_vi": "A", "name_en": "A", "max_points": 100}],
           "band_schemes": {"halves": {"kind": "quantile", "bands": [
               {"code": "top", "label_vi": "Nhóm trên", "label_en": "Upper half"},
               {"code": "low", "label_vi": "Nhóm dưới", "label_en": "Lower half"}]}}}
    spec = parse_spec(raw)
    b = _brief("vi", spec=spec, scheme="halves")
    assert L.bands_finding(b) == ("Năm 2024, 4 đơn vị thuộc nhóm trên, 3 thuộc nhóm dưới (các nhóm chia số đơn vị "
                                  "của năm theo thứ hạng điểm).")
    league = b.league["district"].set_index("unit")
    assert league.loc["Công an huyện D", "band"] == "top" and league.loc["Công an huyện E", "band"] == "low"
    # last year's group is of last year's units: D (82, 4th of 7 in 2023) was in the upper half then too
    assert league.loc["Công an huyện D", "prev_band"] == "top"
    assert L.bands_finding(_brief("en", spec=spec, scheme="halves")).startswith(
        "In 2024, 4 units were in the upper half and 3 in the lower half")
