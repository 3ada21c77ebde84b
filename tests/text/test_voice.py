"""The spec speaks for its evaluator: no locale string names the PAR INDEX, the spec's words fill
the placeholders (``{index}``, ``{ranked}``, ``{ranked_peers}``), bad voice keys are refused naming the key."""

from __future__ import annotations

import re

import pytest
import yaml

from parbrief.errors import SpecError
from parbrief.spec import default_spec_path, load_spec, parse_spec
from parbrief.text.messages import locale_strings, t
from parbrief.text.voice import DEFAULT_VOICE, Term, Voice

#: The index's and the provinces' own words, which only a spec may say.
_NAMED = re.compile(r"Chỉ số CCHC|PAR INDEX|PAR index|Chỉ số cải cách hành chính|Public Administration Reform")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_locale_string_names_the_par_index(lang):
    named = {k: v for k, v in locale_strings(lang).items() if _NAMED.search(v)}
    assert named == {}


@pytest.mark.parametrize("key", ["heading.title", "headline.score", "overview.title", "index.title",
                                 "brief.headline.national", "narrative.headline.source_national"])
def test_titles_and_rank_sentences_take_the_index_from_a_placeholder(key):
    for lang in ("vi", "en"):
        assert "{index}" in locale_strings(lang)[key] or "{measure}" in locale_strings(lang)[key], (key, lang)


def _raw() -> dict:
    return yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))


def test_the_default_spec_speaks_as_today():
    voice = load_spec().voice
    assert (voice.index, voice.ranks, voice.peers, voice.body) == (
        Term("Chỉ số CCHC", "PAR INDEX"), Term("tỉnh, thành phố", "provinces"),
        Term("các tỉnh, thành phố", "provinces"), None)
    assert t("heading.title", "vi", **voice.words(), province="tỉnh Sóc Trăng", year=2024) == \
        "Chỉ số CCHC tỉnh Sóc Trăng năm 2024"
    assert t("heading.title", "en", **voice.words(), province="Sóc Trăng", year=2024) == "PAR INDEX of Sóc Trăng, 2024"


def test_a_spec_without_voice_keys_takes_its_name_then_the_defaults():
    raw = _raw()
    for key in ("short_vi", "short_en", "evaluator", "unit_types"):
        raw.pop(key, None)
    named = parse_spec(raw | {"name_vi": "Chỉ số PAPI", "name_en": "PAPI"}).voice
    assert named.index == Term("Chỉ số PAPI", "PAPI")
    raw.pop("name_vi"), raw.pop("name_en")
    assert parse_spec(raw).voice.index == DEFAULT_VOICE.index


def test_police_voice_fills_the_rank_sentence_and_the_body():
    raw = _raw() | {"evaluator": {"body_vi": "Công an {province}", "body_en": "{name} Provincial Police",
                                  "ranks_vi": "Công an các tỉnh, thành phố", "ranks_en": "provincial police forces"},
                    "unit_types": {"department": {"label_vi": "Các phòng nghiệp vụ", "label_en": "Departments"}}}
    voice = parse_spec(raw).voice
    assert voice.peers == Term("Công an các tỉnh, thành phố", "provincial police forces")  # the ranks' by default
    assert voice.body_phrase("tỉnh Sóc Trăng", "Sóc Trăng", "vi") == "Công an tỉnh Sóc Trăng"
    assert voice.body_phrase("Sóc Trăng", "Sóc Trăng", "en") == "Sóc Trăng Provincial Police"
    dept = voice.unit_type("department")
    assert (dept.label.vi, dept.units.vi, dept.group.vi) == ("Các phòng nghiệp vụ", "Các phòng nghiệp vụ",
                                                             "khối các phòng nghiệp vụ")
    assert voice.unit_type("district") is None
    sentence = t("brief.headline.national", "vi", **voice.words(), year=2024, province="Công an tỉnh Sóc Trăng",
                 score="88,00", band="xếp loại Tốt", rank=25, n=63, region="", change="tăng 1 bậc")
    assert "xếp thứ 25/63 Công an các tỉnh, thành phố" in sentence


@pytest.mark.parametrize("extra, where", [
    ({"evaluator": {"body_vi": "Công an tỉnh"}}, "body_vi"),
    ({"evaluator": {"rank_vi": "x"}}, "evaluator: unknown keys rank_vi"),
    ({"evaluator": "Công an"}, "evaluator: expected a mapping"),
    ({"unit_types": {"phong": {"label_vi": "Phòng", "label_en": "Dept"}}}, "unit_types.phong"),
    ({"unit_types": {"district": {"label_en": 3}}}, "unit_types.district.label_en"),
    ({"short_vi": ""}, "short_vi"),
    ({"national_scheme": "nope"}, "national_scheme: 'nope' is not one of"),
])
def test_bad_voice_keys_are_refused_naming_the_key(extra, where):
    with pytest.raises(SpecError) as err:
        parse_spec(_raw() | extra, source="index.yaml")
    assert where in str(err.value)
    assert err.value.message("vi") != str(err.value)  # said in Vietnamese too


def test_national_scheme_defaults_to_national_then_the_default_scheme():
    spec = load_spec()
    assert spec.national_scheme_id == "national" and spec.national().id == "national"
    raw = _raw()
    raw.pop("national_scheme")
    raw["band_schemes"] = {"tinh": raw["band_schemes"]["provincial"]}
    raw["default_scheme"] = "tinh"
    assert parse_spec(raw).national().id == "tinh"
    assert isinstance(parse_spec(raw).voice, Voice)
