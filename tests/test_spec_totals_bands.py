"""Spec keys of issue 12: ``total`` (sum / weighted / given), component ``weight``, quantile band
schemes, and unknown keys refused at every level with the keys allowed there."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from parbrief.errors import SpecError
from parbrief.spec import ALLOWED_KEYS, Band, BandScheme, load_spec, parse_spec

ROOT = Path(__file__).resolve().parents[1]

BASE = {
    "id": "t",
    "total_max": 20,
    "components": [{"code": "a", "name_vi": "Tiêu chí A", "name_en": "A", "max_points": 10},
                   {"code": "b", "name_vi": "Tiêu chí B", "name_en": "B", "max_points": 10}],
    "band_schemes": {"s": {"bands": [{"code": "x", "label_vi": "X", "label_en": "X"}]}},
}
QUARTILES = {"kind": "quantile", "bands": [{"code": c, "label_vi": c.upper(), "label_en": c.upper()} for c in "abcd"]}


def raw_with(**changes):
    raw = copy.deepcopy(BASE)
    raw.update(changes)
    return raw


def problems_of(raw, lang: str = "en") -> list[str]:
    with pytest.raises(SpecError) as exc:
        parse_spec(raw, source="bad.yaml")
    head, *lines = exc.value.message(lang).split("\n")
    assert head.startswith("bad.yaml: ")
    return [line.removeprefix("  - ") for line in lines]


# ---------------------------------------------------------------------------- unknown keys


def test_unknown_keys_are_refused_at_every_level_naming_the_allowed_keys():
    raw = raw_with(weigth=1)
    raw["components"][0]["wieght"] = 2
    raw["band_schemes"]["s"]["kindd"] = "fixed"
    raw["band_schemes"]["s"]["bands"][0]["lo"] = 1
    got = problems_of(raw)
    assert got == [
        "weigth: unknown key 'weigth'; the keys allowed here are: " + ", ".join(ALLOWED_KEYS["spec"]),
        "components[0].wieght: unknown key 'wieght'; the keys allowed here are: code, name_vi, name_en, max_points, "
        "weight, aliases",
        "band_schemes.s.kindd: unknown key 'kindd'; the keys allowed here are: name_vi, name_en, kind, bands",
        "band_schemes.s.bands[0].lo: unknown key 'lo'; the keys allowed here are: code, label_vi, label_en, min, max",
    ]
    vi = problems_of(raw, "vi")
    assert vi[0].startswith("weigth: khóa 'weigth' không có trong tệp bộ chỉ số; các khóa được dùng ở đây là: id, ")


def test_unknown_key_of_a_version_is_refused():
    raw = raw_with(versions=[{"id": "v", "years": [None, None], "max_points": {"a": 10, "b": 10}, "decison": "x"}])
    assert problems_of(raw) == [
        "versions[0].decison: unknown key 'decison'; the keys allowed here are: " + ", ".join(ALLOWED_KEYS["version"])]


def test_every_spec_of_the_repository_parses():
    specs = [ROOT / "params" / "index.yaml", *sorted((ROOT / "params" / "examples").glob("*/spec.yaml"))]
    assert len(specs) >= 4
    for path in specs:
        assert load_spec(path).band_schemes, path


# ---------------------------------------------------------------------------- totals


def test_total_defaults_to_sum_and_kinds_are_checked():
    assert parse_spec(copy.deepcopy(BASE)).total == "sum"
    assert load_spec(ROOT / "params" / "index.yaml").total == "sum"
    assert problems_of(raw_with(total="mean")) == [
        "total: 'mean' is not a way of making the total; choose one of: sum, weighted, given (sum: the sum of the "
        "components; weighted: the sum of weight × score; given: the published total is kept)"]


def test_weighted_total_checks_the_weighted_maxima():
    raw = raw_with(total="weighted", total_max=100)
    raw["components"][0]["weight"] = 4
    raw["components"][1]["weight"] = 6
    spec = parse_spec(raw)
    assert spec.total == "weighted" and [c.weight for c in spec.components] == [4, 6]
    raw["components"][1]["weight"] = 5
    assert problems_of(raw) == ["components: the maxima times their weights add up to 90, but total_max is 100"]
    raw["components"][1]["weight"] = -1
    assert problems_of(raw)[0] == "components[1].weight: must be greater than 0, got -1"


def test_weights_carry_into_versions_that_set_only_maxima():
    raw = raw_with(total="weighted", total_max=None)
    del raw["total_max"]
    raw["components"] = [{"code": "a", "name_vi": "A", "name_en": "A", "weight": 2},
                         {"code": "b", "name_vi": "B", "name_en": "B", "weight": 3}]
    raw["versions"] = [{"id": "v", "years": [2020, None], "total_max": 50, "max_points": {"a": 10, "b": 10}}]
    spec = parse_spec(raw)
    assert [c.weight for c in spec.for_year(2021).components] == [2, 3]


def test_given_total_need_not_be_made_of_its_components():
    spec = parse_spec(raw_with(total="given", total_max=100))  # 10 + 10 ≠ 100: fine for a published index
    assert spec.total == "given"
    assert problems_of(raw_with(total_max=100)) == ["components: maxima add up to 20, but total_max is 100"]


# ---------------------------------------------------------------------------- quantile schemes


def test_quantile_scheme_parses_with_equal_or_given_shares():
    spec = parse_spec(raw_with(band_schemes={"q": QUARTILES}))
    q = spec.scheme("q")
    assert q.is_quantile and q.cut_shares() == (0.25, 0.25, 0.25, 0.25)
    shares = copy.deepcopy(QUARTILES)
    for b, s in zip(shares["bands"], (0.1, 0.2, 0.3, 0.4)):
        b["share"] = s
    assert parse_spec(raw_with(band_schemes={"q": shares})).scheme("q").cut_shares() == (0.1, 0.2, 0.3, 0.4)


def test_quantile_scheme_problems():
    bad = copy.deepcopy(QUARTILES)
    bad["bands"][0]["min"] = 90
    bad["bands"][1]["share"] = 0.5
    got = problems_of(raw_with(band_schemes={"q": bad, "k": {"kind": "ranked", "bands": BASE["band_schemes"]["s"]["bands"]}}))
    assert got == [
        "band_schemes.q.bands[0].min: unknown key 'min'; the keys allowed here are: code, label_vi, label_en, share",
        "band_schemes.q: give every band a share (fractions adding up to 1) or none (equal groups); got "
        "[None, 0.5, None, None], adding up to 0.5",
        "band_schemes.k.kind: 'ranked' is not a kind of band scheme; choose one of: fixed, quantile (fixed: "
        "thresholds in points; quantile: groups of each year's units)",
    ]


def test_resolve_cuts_at_the_quantiles_of_the_scores_like_r_type_7():
    q = parse_spec(raw_with(band_schemes={"q": QUARTILES})).scheme("q")
    with pytest.raises(ValueError):
        q.band_for(5.0)  # a quantile scheme has no thresholds before it sees a year's scores
    scores = [3.1, 7.4, 5.5, 9.0, 1.2, 6.6, 4.8, 8.3, 2.0]
    r = q.resolve(scores)
    q75, q50, q25 = np.quantile(scores, [0.75, 0.5, 0.25])  # R: quantile(x, type = 7)
    assert [b.min for b in r.bands] == [q75, q50, q25, None]
    assert [b.max for b in r.bands] == [None, q75, q50, q25]
    got = [r.band_for(x).code for x in sorted(scores, reverse=True)]
    assert got == ["a", "a", "a", "b", "b", "c", "c", "d", "d"]  # a score equal to a cut goes up (7.4 = q75)
    assert r.resolve([1.0]) is r  # a resolved scheme has fixed thresholds
    empty = q.resolve([float("nan")])
    assert empty.band_for(5.0) is None


def test_fixed_scheme_resolves_to_itself():
    s = BandScheme("f", "F", "F", (Band("a", "A", "A", min=5), Band("b", "B", "B", max=5)))
    assert s.resolve([1, 2, 3]) is s and s.band_for(5).code == "a"
