"""Rating bands, band distributions and official-style ranks."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parbrief.stats.ratings import (
    assign_bands,
    band_distribution,
    band_steps,
    format_band_counts,
    published,
    published_values,
    rank_units,
    score_change,
    score_changes,
    vietnamese_sort_key,
)
from parbrief.stats.trends import rank_table

pytestmark = [pytest.mark.filterwarnings("error"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


def _scores(values: dict[str, float], year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame({"province": "Tỉnh Thử", "unit": list(values), "unit_type": "district", "year": year,
                         "total": list(values.values())})


def test_assign_bands_boundaries(spec):
    scheme = spec.scheme("provincial")
    out = assign_bands(_scores({"A": 90.0, "B": 89.99, "C": 80.0, "D": 69.99, "E": 49.5, "F": np.nan}), scheme)
    assert list(out["band"].iloc[:5]) == ["xuat_sac", "tot", "tot", "trung_binh", "yeu"]
    assert out["band"].isna().iloc[5] and out["band_order"].isna().iloc[5]
    assert list(out["band_label_vi"].iloc[:5]) == ["Xuất sắc", "Tốt", "Tốt", "Trung bình", "Yếu"]
    assert list(out["band_label_en"].iloc[:2]) == ["Excellent", "Good"]
    assert list(out["band_order"].iloc[:5]) == [0, 1, 1, 3, 4]


def test_assign_bands_component_as_percent(spec):
    # tac_dong has max 33: 29.7 points is 90 % → Xuất sắc.
    frame = _scores({"A": 0.0}).assign(tac_dong=[29.7])
    out = assign_bands(frame, spec.scheme("provincial"), value="tac_dong", max_points=33)
    assert out["band"].iloc[0] == "xuat_sac"


def test_band_distribution_counts_and_text(spec):
    scheme = spec.scheme("provincial")
    values = [95, 91, 92] + [85] * 17 + [75] * 12 + [60] * 6
    frame = pd.concat([
        _scores({f"U{i}": v for i, v in enumerate(values)}, 2024),
        _scores({"U0": 82.0, "U1": np.nan}, 2023),
    ])
    dist = band_distribution(frame, scheme)
    t = dist.table()
    assert list(t.columns) == ["xuat_sac", "tot", "kha", "trung_binh", "yeu", "missing", "n"]
    assert t.loc[2024].tolist() == [3, 17, 12, 6, 0, 0, 38]
    assert t.loc[2023].tolist() == [0, 1, 0, 0, 0, 1, 2]
    assert dist.text(2024) == "3 Xuất sắc, 17 Tốt, 12 Khá, 6 Trung bình"
    assert dist.text(2024, lang="en") == "3 Excellent, 17 Good, 12 Fair, 6 Average"
    assert dist.text(2024, include_zero=True) == "3 Xuất sắc, 17 Tốt, 12 Khá, 6 Trung bình, 0 Yếu"
    assert dist.counts(2023) == {"xuat_sac": 0, "tot": 1, "kha": 0, "trung_binh": 0, "yeu": 0}


def test_format_band_counts_thousands_and_empty(spec):
    scheme = spec.scheme("provincial")
    assert format_band_counts({"tot": 1234}, scheme, "vi") == "1.234 Tốt"
    assert format_band_counts({"tot": 1234}, scheme, "en") == "1,234 Good"
    assert format_band_counts({}, scheme, "vi") == ""
    with pytest.raises(ValueError):
        format_band_counts({}, scheme, "fr")


def test_rank_units_ties_min_method_and_order():
    frame = _scores({"Huyện Yên Lạc": 85.5, "Huyện Ân Thi": 90.1, "Thành phố Đà Lạt": 85.5,
                     "Huyện An Lão": 85.5, "Huyện Bá Thước": 70.0, "Huyện Mới": np.nan})
    r = rank_units(frame, 2024)
    assert list(r["unit"]) == ["Huyện Ân Thi", "Huyện An Lão", "Huyện Yên Lạc", "Thành phố Đà Lạt",
                               "Huyện Bá Thước", "Huyện Mới"]
    assert r["rank"].tolist()[:5] == [1, 2, 2, 2, 5]
    assert r["rank"].isna().iloc[5]


def test_rank_ties_ignore_float_noise():
    r = rank_units(_scores({"A": 84.1, "B": 84.10000000000001, "C": 84.0}), 2024)
    assert r["rank"].tolist() == [1, 1, 3]


def test_band_steps(spec):
    scheme = spec.scheme("provincial")
    assert band_steps(scheme, 78.0, 91.0) == 2
    assert band_steps(scheme, 91.0, 85.0) == -1
    assert band_steps(scheme, 85.0, 86.0) == 0
    assert band_steps(scheme, float("nan"), 86.0) is None


def test_vietnamese_sort_order():
    names = ["Yên Bái", "Đà Nẵng", "Ân Thi", "An Lão", "Ba Vì", "Bà Rịa", "Cầu Giấy", "Cao Lãnh", "Dĩ An",
             "Ứng Hòa", "Uông Bí", "Quận 10", "Quận 2"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "An Lão", "Ân Thi", "Bà Rịa", "Ba Vì", "Cao Lãnh", "Cầu Giấy", "Dĩ An", "Đà Nẵng", "Quận 2", "Quận 10",
        "Uông Bí", "Ứng Hòa", "Yên Bái"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặ ", min_size=1, max_size=8), max_size=12))
def test_sort_key_is_unicode_form_independent(names):
    nfd = [unicodedata.normalize("NFD", n) for n in names]
    assert [vietnamese_sort_key(n)[:2] for n in names] == [vietnamese_sort_key(n)[:2] for n in nfd]


# ---------------------------------------------------------------------------- published precision


def test_published_rounds_half_up_on_the_decimal_text():
    assert published(84.125) == 84.13 and published(2.675) == 2.68  # by hand, not binary half-even
    assert published(38.034) == published(38.029) == 38.03
    assert published(35.655, 3) == 35.655 and published(79.5, 0) == 80.0
    assert np.isnan(published(np.nan)) and np.isnan(published(None))
    s = published_values(pd.Series([1.005, np.nan], index=[7, 9]))
    assert s.index.tolist() == [7, 9] and s.iloc[0] == 1.01 and np.isnan(s.iloc[1])


def test_equal_published_scores_share_a_rank():
    frame = _scores({"Tỉnh E": 37.0, "Tỉnh B": 38.034, "Tỉnh A": 39.2, "Tỉnh C": 38.031, "Tỉnh D": 38.029})
    r = rank_units(frame, 2024)  # the index publishes 2 decimals: B, C and D all print 38,03
    # R: rank(-c(39.20, 38.03, 38.03, 38.03, 37.00), ties.method = "min") → 1 2 2 2 5
    assert r["rank"].tolist() == [1, 2, 2, 2, 5]
    assert r["unit"].tolist() == ["Tỉnh A", "Tỉnh B", "Tỉnh C", "Tỉnh D", "Tỉnh E"]  # ties: alphabetical
    assert r["value"].tolist() == [39.2, 38.03, 38.03, 38.03, 37.0]  # the published scores
    r3 = rank_units(frame, 2024, decimals=3).set_index("unit")["rank"]
    # R: rank(-c(37, 38.034, 39.2, 38.031, 38.029), ties.method = "min") → 5 2 1 3 4
    assert [r3[u] for u in ["Tỉnh E", "Tỉnh B", "Tỉnh A", "Tỉnh C", "Tỉnh D"]] == [5, 2, 1, 3, 4]


def test_a_change_of_published_scores_is_the_difference_of_the_printed_scores():
    # 83.904 and 78.655 print 83,90 and 78,66; their raw difference 5.249 would print 5,25.
    assert score_change(83.904, 78.655) == 5.24  # R: 83.90 - 78.66 → 5.24
    assert score_change(83.904, 78.659) == 5.24
    assert score_change(80.0, 86.255) == -6.26
    assert np.isnan(score_change(80.0, np.nan)) and np.isnan(score_change(None, 80.0))
    changes = score_changes(pd.Series([83.904, 70.0]), pd.Series([78.655, np.nan]))
    assert changes.iloc[0] == 5.24 and np.isnan(changes.iloc[1])


def test_a_change_of_means_is_the_difference_of_the_unrounded_means():
    now = [80.40, 80.40, 80.41, 80.41, 80.41]  # mean 80.406, printed 80,41
    before = [80.00, 80.00, 80.00, 80.01, 80.01]  # mean 80.004, printed 80,00
    change = score_change(np.mean(now), np.mean(before), of_published=False)
    # R: mean(c(80.40, 80.40, 80.41, 80.41, 80.41)) - mean(c(80, 80, 80, 80.01, 80.01)) → 0.402
    assert change == pytest.approx(0.402, abs=1e-9)
    assert score_change(np.mean(now), np.mean(before)) == 0.41  # the rounded means' difference, which we avoid


def test_league_table_changes_and_ranks_use_the_published_scores(spec):
    frame = pd.concat([_scores({"A": 83.904, "B": 78.655, "C": 78.6549}, 2024),
                       _scores({"A": 78.655, "B": 83.904, "C": 70.0}, 2023)], ignore_index=True)
    table = rank_table(frame, 2024, compare_year=2023, scheme=spec.scheme("provincial")).set_index("unit")
    assert table["value"].to_dict() == {"A": 83.9, "B": 78.66, "C": 78.65}
    assert table.loc["A", "change"] == 5.24 and table.loc["B", "change"] == -5.24  # 83,90 − 78,66
    assert table["rank"].tolist() == [1, 2, 3] and table.loc["A", "rank_change"] == 1
    tied = rank_table(_scores({"A": 80.004, "B": 80.0, "C": 79.996}), 2024, scheme=spec.scheme("provincial"))
    assert tied["rank"].tolist() == [1, 1, 1]  # all print 80,00
    assert set(tied["band"]) == {"tot"}  # 79,996 prints 80,00: rated from 80, as printed


def test_band_distribution_rates_the_published_score(spec):
    frame = _scores({"A": 79.996, "B": 79.994})
    scheme = spec.scheme("provincial")
    assert band_distribution(frame, scheme).counts(2024)["tot"] == 1  # A prints 80,00
    assert band_distribution(frame, scheme, decimals=None).counts(2024)["tot"] == 0
