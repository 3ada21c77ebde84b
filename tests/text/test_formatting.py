"""Locale number formats and fixed UI strings (parbrief.text.formats, parbrief.text.messages)."""

from __future__ import annotations

import math
import re
import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parbrief.text.formats import LANGS, fmt_int, fmt_number, fmt_p, fmt_percent, fmt_signed
from parbrief.text.messages import PerLang, locale_strings, t

M = "\u2212"  # the minus sign the brief prints


@pytest.mark.parametrize(
    ("x", "decimals", "vi", "en"),
    [
        (1234.56, 2, "1.234,56", "1,234.56"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (85.3, 1, "85,3", "85.3"),
        (0.5, 2, "0,50", "0.50"),
        (-0.5, 2, f"{M}0,50", f"{M}0.50"),
        (-1234.5, 1, f"{M}1.234,5", f"{M}1,234.5"),
        (84.125, 2, "84,13", "84.13"),  # half-up, as officials round by hand
        (2.675, 2, "2,68", "2.68"),  # on the decimal text, not the binary value 2.67499…
        (-0.001, 2, "0,00", "0.00"),  # no "−0,00"
        (999.995, 2, "1.000,00", "1,000.00"),
        (12, 0, "12", "12"),
        (float("nan"), 2, "–", "–"),
        (None, 2, "–", "–"),
        (float("inf"), 2, "–", "–"),
    ],
)
def test_fmt_number_exact(x, decimals, vi, en):
    assert fmt_number(x, "vi", decimals) == vi
    assert fmt_number(x, "en", decimals) == en


@pytest.mark.parametrize(
    ("x", "decimals", "vi", "en"),
    [
        (1.25, 2, "+1,25", "+1.25"),
        (-0.5, 2, f"{M}0,50", f"{M}0.50"),
        (0.0, 2, "0,00", "0.00"),
        (0.004, 2, "0,00", "0.00"),
        (-0.004, 2, "0,00", "0.00"),
        (1234.5, 1, "+1.234,5", "+1,234.5"),
        (3, 0, "+3", "+3"),
        (None, 2, "–", "–"),
    ],
)
def test_fmt_signed_exact(x, decimals, vi, en):
    assert fmt_signed(x, "vi", decimals) == vi
    assert fmt_signed(x, "en", decimals) == en


@pytest.mark.parametrize(
    ("p", "vi", "en"),
    [
        (0.0004, "p < 0,001", "p < 0.001"),
        (1e-12, "p < 0,001", "p < 0.001"),
        (0.0, "p < 0,001", "p < 0.001"),  # a p of exactly 0 never prints "p = 0"
        (0.001, "p = 0,001", "p = 0.001"),
        (0.032, "p = 0,032", "p = 0.032"),
        (0.0315, "p = 0,032", "p = 0.032"),
        (0.5, "p = 0,500", "p = 0.500"),
        (1.0, "p = 1,000", "p = 1.000"),
        (float("nan"), "–", "–"),
    ],
)
def test_fmt_p_exact(p, vi, en):
    assert fmt_p(p, "vi") == vi
    assert fmt_p(p, "en") == en


def test_fmt_int_and_percent_exact():
    assert fmt_int(12345, "vi") == "12.345"
    assert fmt_int(12345, "en") == "12,345"
    assert fmt_int(-7.5, "vi") == f"{M}8"
    assert fmt_percent(0.853, "vi") == "85,3%"
    assert fmt_percent(0.853, "en") == "85.3%"
    assert fmt_percent(1, "vi", 0) == "100%"
    assert fmt_percent(None, "en") == "–"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unsupported language 'fr'; use one of: vi, en"):
        fmt_number(1.0, "fr")
    with pytest.raises(ValueError, match="unsupported language"):
        t("heading.overview", "fr")


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_vi_and_en_differ_only_by_swapped_separators(x, decimals):
    vi = fmt_number(x, "vi", decimals)
    assert vi.translate(str.maketrans(",.", ".,")) == fmt_number(x, "en", decimals)
    # the digits are the half-up rounding of the number (checked against float rounding loosely)
    value = float(fmt_number(x, "en", decimals).replace(",", "").replace(M, "-"))
    assert math.isclose(value, x, abs_tol=0.5 * 10**-decimals + 1e-9 * max(1.0, abs(x)))


def test_matches_babel_for_values_without_ties():
    babel_numbers = pytest.importorskip("babel.numbers")
    for x in [0.37, 12.0, 1234.567, 98765.4321, 1e6 + 0.26, 73.219]:
        ours_vi, ours_en = fmt_number(x, "vi", 2), fmt_number(x, "en", 2)
        assert ours_vi == babel_numbers.format_decimal(x, format="#,##0.00", locale="vi")
        assert ours_en == babel_numbers.format_decimal(x, format="#,##0.00", locale="en")


# ---- locale strings ---------------------------------------------------------------------------


def _placeholders(text: str) -> set[str]:
    """Fields filled with a value; a count used only to pick a plural form (``{n|year|years}``)
    is left out, since the language without plurals need not name it."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name and "|" not in name}


def test_every_key_exists_in_both_locales_with_the_same_placeholders():
    vi, en = locale_strings("vi"), locale_strings("en")
    assert set(vi) == set(en), f"only vi: {set(vi) - set(en)}; only en: {set(en) - set(vi)}"
    for key in vi:
        assert _placeholders(vi[key]) == _placeholders(en[key]), key
        assert vi[key].strip() and en[key].strip(), key


def test_vietnamese_strings_are_nfc_and_accented():
    vi = locale_strings("vi")
    for key, text in vi.items():
        assert unicodedata.is_normalized("NFC", text), key
    # the brief's fixed headings and labels, exactly
    assert t("heading.overview", "vi") == "Tổng quan"
    assert t("heading.key_findings", "vi") == "Những điểm chính"
    assert t("heading.league_table", "vi") == "Bảng xếp hạng các đơn vị"
    assert t("heading.trends", "vi") == "Diễn biến qua các năm"
    assert t("heading.differences", "vi") == "Khác biệt giữa các đơn vị"
    assert t("heading.components", "vi") == "Kết quả theo từng lĩnh vực"
    assert t("heading.satisfaction", "vi") == "Mức độ hài lòng của người dân, tổ chức"
    assert t("heading.methods", "vi") == "Phương pháp và nguồn dữ liệu"
    assert [t(f"column.{k}", "vi") for k in ("rank", "unit", "score", "rating", "change", "rank_change", "trend")] == [
        "Hạng", "Đơn vị", "Điểm", "Xếp loại", "Tăng/giảm so với năm trước", "Thay đổi thứ hạng", "Xu hướng",
    ]
    assert [t(f"trend.{k}", "vi") for k in ("improving", "declining", "no_clear_trend", "too_few_years")] == [
        "Cải thiện rõ", "Giảm rõ", "Chưa có xu hướng rõ", "Chưa đủ số năm để đánh giá",
    ]
    assert t("banner.synthetic", "vi") == "Dữ liệu minh họa (tổng hợp), không phải số liệu chính thức"
    assert t("banner.synthetic", "en") == "Synthetic demonstration data, not official figures"
    # traditional tone-mark placement at the end of a word ("minh họa", not "minh hoạ"; "loại" is fine)
    modern = re.compile(r"(oạ|oà|oá|oả|oã|oẹ|oè|oé|oẻ|oẽ|uỵ|uỳ|uý|uỷ|uỹ)\b")
    assert modern.search("minh hoạ") and not modern.search("xếp loại")
    assert not modern.search(" ".join(vi.values()))


def test_t_fills_placeholders_and_does_not_interpret_braces_in_values():
    index = {"index": PerLang("Chỉ số CCHC", "PAR INDEX")}
    assert t("heading.title", "vi", **index, province="Quảng Bình", year=2024) == "Chỉ số CCHC Quảng Bình năm 2024"
    assert t("heading.title", "en", **index, province="{year}", year=2024) == "PAR INDEX of {year}, 2024"
    assert t("rank_change.up", "vi", n=3) == "tăng 3 bậc"


def test_t_missing_key_names_key_and_file():
    with pytest.raises(KeyError, match=r"no string 'heading\.nope' in locales/en\.yaml"):
        t("heading.nope", "en")


def test_locale_mapping_is_read_only():
    strings = locale_strings("vi")
    with pytest.raises(TypeError):
        strings["heading.overview"] = "x"  # type: ignore[index]
    assert set(LANGS) == {"vi", "en"}
