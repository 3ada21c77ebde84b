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
    rank_units,
    vietnamese_sort_key,
)

pytestmark = pytest.mark.filterwarnings("error")


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
