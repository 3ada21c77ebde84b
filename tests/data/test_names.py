"""Tests for parbrief.data.names: normalization, tone placement, header keys, aliases."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parbrief.data.names import (
    PROVINCE_ALIASES_KEY,
    apply_aliases,
    header_key,
    load_aliases,
    normalize_name,
)
from parbrief.errors import ParamsError


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hoà Bình", "Hòa Bình"),
        ("Hòa Bình", "Hòa Bình"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("Thuỷ Nguyên", "Thủy Nguyên"),
        ("Khoẻ", "Khỏe"),
        ("HOÀ VANG", "HÒA VANG"),  # case is kept
        ("tuý", "túy"),
        # Closed syllables and triphthongs: both conventions agree, nothing moves.
        ("Hoàng Su Phì", "Hoàng Su Phì"),
        ("Thuyền", "Thuyền"),
        ("khuỷu", "khuỷu"),
        ("Thoại Sơn", "Thoại Sơn"),
        # "qu" is the initial consonant: the mark stays on y.
        ("Quý Châu", "Quý Châu"),
        ("Quỳ Hợp", "Quỳ Hợp"),
        # Whitespace: trimmed, collapsed, NBSP / tab / newline → space, zero-width removed.
        ("  Lục\u00a0\u00a0Yên\t", "Lục Yên"),
        ("Mù\nCang  Chải", "Mù Cang Chải"),
        ("Trạm\u200b Tấu\ufeff", "Trạm Tấu"),
        ("Ho\u200bà", "Hòa"),
        # NFD input (Excel on macOS) comes out NFC with the traditional placement.
        (nfd("Hoà Vang"), "Hòa Vang"),
        ("", ""),
        ("Sở Nội vụ (Hà Nội) – 2024", "Sở Nội vụ (Hà Nội) – 2024"),
    ],
)
def test_normalize_name_examples(raw: str, expected: str) -> None:
    out = normalize_name(raw)
    assert out == expected
    assert unicodedata.is_normalized("NFC", out)


def test_normalize_name_non_text() -> None:
    assert normalize_name(None) == ""  # type: ignore[arg-type]
    assert normalize_name(2024) == "2024"  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_is_idempotent_nfc_and_total(s: str) -> None:
    out = normalize_name(s)
    assert normalize_name(out) == out
    assert unicodedata.is_normalized("NFC", out)
    assert out == out.strip()
    assert "  " not in out


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_nfc_and_nfd_forms_normalize_alike(s: str) -> None:
    assert normalize_name(unicodedata.normalize("NFD", s)) == normalize_name(unicodedata.normalize("NFC", s))


# Syllables whose tone mark the two conventions place differently: (initial, first vowel, second vowel).
INITIALS = ["", "h", "th", "kh", "ng", "x", "t", "l", "đ", "nh", "s", "ch"]
PAIRS = [("o", "a"), ("o", "e"), ("u", "y")]
TONES = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]


@st.composite
def tone_variants(draw: st.DrawFn) -> tuple[str, str]:
    """(traditional spelling, new spelling) of a syllable, in random case."""
    initial = draw(st.sampled_from(INITIALS))
    v1, v2 = draw(st.sampled_from(PAIRS))
    tone = draw(st.sampled_from(TONES))
    upper = draw(st.sampled_from(["lower", "title", "upper"]))
    trad = unicodedata.normalize("NFC", initial + v1 + tone + v2)
    new = unicodedata.normalize("NFC", initial + v1 + v2 + tone)
    fix = {"lower": str.lower, "title": str.title, "upper": str.upper}[upper]
    return fix(trad), fix(new)


@settings(max_examples=200, deadline=None)
@given(tone_variants(), st.lists(st.sampled_from(["Bình", "Vang", "Nguyên", "Sơn", "huyện", "Thị xã"]), max_size=3))
def test_tone_placements_merge(variant: tuple[str, str], others: list[str]) -> None:
    trad, new = variant
    name_trad = " ".join([*others, trad])
    name_new = " ".join([*others, new])
    assert normalize_name(name_new) == normalize_name(name_trad) == unicodedata.normalize("NFC", name_trad)
    # ... and their NFD forms, and with stray spaces.
    assert normalize_name(" " + nfd(name_new) + "\u00a0") == normalize_name(name_trad)


def test_header_key_ignores_case_spacing_punctuation_and_diacritics() -> None:
    assert header_key("Tổng điểm") == "tongdiem"
    assert header_key("  TONG   DIEM: ") == "tongdiem"
    assert header_key("the_che") == header_key("Thể chế") == "theche"
    assert header_key("Đơn vị") == "donvi"
    assert header_key(nfd("Năm")) == "nam"
    assert header_key(2024) == "2024"


def test_load_and_apply_aliases(tmp_path) -> None:
    path = tmp_path / "defaults.yaml"
    path.write_text(
        "lang: vi\n"
        "aliases:\n"
        "  Yên Bái:\n"
        "    Thị xã Nghĩa Lộ cũ: Thị xã Nghĩa Lộ\n"
        "  '*':\n"
        "    Huyện Lục Yen: Huyện Lục Yên\n"
        "province_aliases:\n"
        "  Tỉnh Yên Bái: Yên Bái\n",
        encoding="utf-8",
    )
    aliases = load_aliases(path)
    assert aliases == {
        "Yên Bái": {"Thị xã Nghĩa Lộ cũ": "Thị xã Nghĩa Lộ"},
        "*": {"Huyện Lục Yen": "Huyện Lục Yên"},
        PROVINCE_ALIASES_KEY: {"Tỉnh Yên Bái": "Yên Bái"},
    }
    frame = pd.DataFrame(
        {
            "province": ["Tỉnh Yên Bái", "Lào Cai", "Yên Bái", "Lào Cai"],
            "unit": ["thị xã nghĩa lộ cũ", "Thị xã Nghĩa Lộ cũ", "Huyện Lục Yen", "Huyện Bát Xát"],
        }
    )
    out = apply_aliases(frame, aliases)
    # Province renamed first, then the province-specific unit alias (case-insensitive);
    # the Yên Bái alias does not apply in Lào Cai; "*" applies everywhere.
    assert out["province"].tolist() == ["Yên Bái", "Lào Cai", "Yên Bái", "Lào Cai"]
    assert out["unit"].tolist() == ["Thị xã Nghĩa Lộ", "Thị xã Nghĩa Lộ cũ", "Huyện Lục Yên", "Huyện Bát Xát"]
    assert frame["province"].iloc[0] == "Tỉnh Yên Bái"  # input untouched
    assert apply_aliases(frame, None) is frame


def test_load_aliases_errors(tmp_path) -> None:
    with pytest.raises(ParamsError, match="aliases file not found"):
        load_aliases(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("aliases:\n  Yên Bái: [a, b]\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="aliases.Yên Bái must be a mapping"):
        load_aliases(bad)
