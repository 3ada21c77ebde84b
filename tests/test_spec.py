"""Tests for parbrief.spec: the default spec, method versions (issue 7) and their validation."""

from __future__ import annotations

import copy
import os

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from parbrief.errors import SpecError
from parbrief.spec import Component, IndexSpec, default_spec_path, load_spec, parse_spec

LATEST_MAXIMA = {"chi_dao": 9, "the_che": 9, "tthc": 13, "bo_may": 7.5, "cong_vu": 11.5, "tai_chinh": 8, "cp_so": 9,
                 "tac_dong": 33}

BASE = {
    "id": "t",
    "total_max": 10,
    "components": [{"code": "a", "name_vi": "Tiêu chí A", "name_en": "A"},
                   {"code": "b", "name_vi": "Tiêu chí B", "name_en": "B"}],
    "band_schemes": {"s": {"bands": [{"code": "x", "label_vi": "X", "label_en": "X"}]}},
}


def spec_with(versions, **extra):
    raw = copy.deepcopy(BASE)
    raw.update(extra)
    raw["versions"] = versions
    return raw


def problems_of(raw) -> list[str]:
    with pytest.raises(SpecError) as exc:
        parse_spec(raw, source="bad.yaml")
    head, *lines = str(exc.value).split("\n")
    assert head == "bad.yaml: invalid index specification:"
    return [line.removeprefix("  - ") for line in lines]


# ---------------------------------------------------------------------------- the default spec


def test_default_spec_keeps_its_latest_components_and_every_accessor():
    spec = load_spec()
    assert spec.codes == list(LATEST_MAXIMA)
    assert {c.code: c.max_points for c in spec.components} == LATEST_MAXIMA
    assert spec.total_max == 100 and spec.max_points("total") == 100
    assert spec.max_points("tthc") == 13 and spec.component("bo_may").max_points == 7.5
    assert spec.scheme().id == "provincial" and spec.version == "qd876"
    assert spec.all_codes == spec.codes


def test_default_spec_has_the_three_par_index_methods():
    spec = load_spec()
    assert [(v.id, v.years, v.provisional) for v in spec.versions] == [
        ("truoc_2020", (None, 2019), True),
        ("qd1149", (2020, 2021), True),
        ("qd876", (2022, None), False),
    ]
    assert "1149/QĐ-BNV" in spec.versions[1].decision and "876/QĐ-BNV" in spec.versions[2].decision
    for v in spec.versions:
        assert sum(c.max_points for c in v.components) == v.total_max == 100
        assert v.codes == spec.codes  # the same 8 fields, other maxima
    assert spec.breaks(range(2018, 2026)) == [2019.5, 2021.5]
    assert spec.version_for(2010).id == "truoc_2020"  # open start
    assert spec.max_points("chi_dao", 2019) == 12 and spec.max_points("chi_dao", 2021) == 10
    assert spec.component("tac_dong", 2018).max_points == 30


def test_for_year_is_a_view_of_that_version():
    spec = load_spec()
    v2019 = spec.for_year(2019)
    assert v2019.version == "truoc_2020" and v2019.current_version.id == "truoc_2020"
    assert v2019.max_points("chi_dao") == 12 and v2019.codes == spec.codes
    assert v2019.band_schemes is spec.band_schemes and v2019.versions == spec.versions
    assert v2019.for_year(2023).max_points("chi_dao") == 9  # a view can look at another year
    assert spec.for_year(2023) == spec
    assert spec.latest_version.id == "qd876" and spec.is_versioned


def test_periods_and_breaks():
    spec = load_spec()
    assert [(v.id, ys) for v, ys in spec.periods([2024, 2018, 2019, 2021, 2019])] == [
        ("truoc_2020", [2018, 2019]), ("qd1149", [2021]), ("qd876", [2024]),
    ]
    # a change between two years both missing from the data is still a break
    assert spec.breaks([2019, 2023]) == [2019.5, 2021.5]
    assert spec.breaks([2022, 2023, 2024, 2025]) == []
    assert spec.breaks([2020, 2021, 2022]) == [2021.5]
    assert spec.breaks([]) == [] and spec.periods([]) == []


def test_a_spec_without_versions_is_one_open_version():
    raw = copy.deepcopy(BASE)
    raw["components"][0]["max_points"] = 4
    raw["components"][1]["max_points"] = 6
    spec = parse_spec(raw)
    assert [(v.id, v.years) for v in spec.versions] == [("default", (None, None))]
    assert spec.version_for(1990).components == spec.components
    assert spec.for_year(2030) == spec and spec.breaks(range(2000, 2030)) == []
    assert spec.max_points("b", 2025) == 6 and not spec.is_versioned
    # an IndexSpec built in code gets its open version too
    direct = IndexSpec(id="x", name_vi="X", name_en="X", total_max=5,
                       components=(Component("a", "A", "A", 5),), band_schemes=spec.band_schemes, default_scheme="s")
    assert direct.versions[0].components == direct.components and direct.version == "default"


def test_versions_with_their_own_components_and_totals():
    spec = parse_spec(spec_with([
        {"id": "old", "years": [2015, 2019], "total_max": 20, "decision": "Quyết định cũ",
         "components": [{"code": "a", "name_vi": "A cũ", "name_en": "Old A", "max_points": 12},
                        {"code": "z", "name_vi": "Z", "name_en": "Z", "max_points": 8}]},
        {"id": "new", "years": [2020, None], "name_en": "New method", "max_points": {"b": 6, "a": 4}},
    ]))
    assert spec.codes == ["a", "b"] and spec.total_max == 10
    assert spec.all_codes == ["a", "b", "z"]
    old = spec.for_year(2017)
    assert (old.total_max, old.codes, old.component("a").name_en) == (20, ["a", "z"], "Old A")
    assert spec.versions[0].decision == "Quyết định cũ" and spec.versions[1].name(lang="en") == "New method"
    assert spec.versions[1].name_vi == "new"  # no name given: the id
    assert spec.versions[0].span() == "2015–2019" and spec.versions[1].span() == "2020–"


def test_version_for_an_uncovered_year_says_which_versions_exist():
    spec = parse_spec(spec_with([{"id": "v1", "years": [2015, 2019], "max_points": {"a": 5, "b": 5}}]))
    with pytest.raises(SpecError) as exc:
        spec.version_for(2021)
    assert str(exc.value) == (
        "<memory>: no method version of t applies to 2021 (versions: v1 (2015–2019)); "
        "add a version for that year to the spec's 'versions'"
    )
    assert not spec.covers(2014) and spec.covers(2015)


# ---------------------------------------------------------------------------- validation


def test_every_version_problem_is_reported_at_once():
    assert problems_of(spec_with([
        {"id": "v1", "years": [2015, 2018], "max_points": {"a": 5, "b": 5}},
        {"id": "v2", "years": [2018, 2019], "max_points": {"a": 4, "b": 5}},
        {"id": "v3", "years": [2022, None], "max_points": {"a": 5, "c": 5}},
        {"id": "v3", "years": ["2023", 2024], "provisional": "yes"},
    ])) == [
        "versions[1]: maxima add up to 9, but total_max is 10",
        "versions[2].max_points.c: not a component of the spec (components: a, b)",
        "versions[2]: maxima add up to 5, but total_max is 10",
        "versions[3].years[0]: expected a year such as 2022 (or null for an open end), got '2023'",
        "versions[3].provisional: expected true or false, got 'yes'",
        "versions[3]: needs 'max_points' (the top-level components ['a', 'b'] have no max_points)",
        "versions: duplicate ids ['v3']",
        "versions: 'v1' (2015–2018) and 'v2' (2018–2019) overlap in 2018",
        "versions: no version covers 2020–2021 (between 'v2' and 'v3')",
    ]


def test_order_open_ends_and_bad_years():
    assert problems_of(spec_with([
        {"id": "a1", "years": [2020, None], "max_points": {"a": 5, "b": 5}},
        {"id": "a2", "years": [2022, 2021], "max_points": {"a": 5, "b": 5}},
        {"id": "a3", "years": [None, 2030], "max_points": {"a": 5, "b": 5}},
        {"id": "a4", "years": 2025, "max_points": {"a": 5, "b": 5}},
    ])) == [
        "versions[1].years: the last year 2021 is before the first year 2022",
        "versions[2].years[0]: a year is required here",
        "versions[3].years: expected [first, last] such as [2017, 2019] or [2022, null], got 2025",
    ]  # only a1 has readable years: nothing to compare it with
    assert problems_of(spec_with([
        {"id": "a1", "years": [2020, None], "max_points": {"a": 5, "b": 5}},
        {"id": "a2", "years": [2024, None], "max_points": {"a": 5, "b": 5}},
    ])) == ["versions: 'a1' (2020–) is open-ended but is followed by 'a2'; only the latest version may be open-ended"]
    assert problems_of(spec_with([
        {"id": "b1", "years": [2020, 2021], "max_points": {"a": 5, "b": 5}},
        {"id": "b2", "years": [2010, 2012], "max_points": {"a": 5, "b": 5}},
    ])) == ["versions: list the versions oldest first ('b2' starts before 'b1')"]


def test_empty_versions_and_both_component_forms():
    assert problems_of(spec_with([])) == ["versions: needs a non-empty list of method versions (or leave 'versions' out)"]
    assert problems_of(spec_with([
        {"id": "c1", "years": [2020, None], "max_points": {"a": 5, "b": 5},
         "components": [{"code": "a", "name_vi": "A", "name_en": "A", "max_points": 10}]},
    ])) == ["versions[0]: give either 'components' or 'max_points', not both"]


def test_the_top_level_form_is_still_checked_as_before():
    raw = copy.deepcopy(BASE)
    raw["components"][0]["max_points"] = 4
    raw["components"][1]["max_points"] = 5
    assert problems_of(raw) == ["components: maxima add up to 9, but total_max is 10"]


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(1995, 2015),
    lengths=st.lists(st.integers(1, 6), min_size=1, max_size=5),
    open_end=st.booleans(),
    years=st.lists(st.integers(1995, 2050), min_size=1, max_size=12),
)
def test_contiguous_versions_partition_the_years(start, lengths, open_end, years):
    """Any contiguous run of versions is valid; periods split the covered years exactly once and
    the breaks are the first years of the later versions inside the span, minus one half."""
    versions, first = [], start
    for i, n in enumerate(lengths):
        last = None if (open_end and i == len(lengths) - 1) else first + n - 1
        versions.append({"id": f"v{i}", "years": [first, last], "max_points": {"a": 5, "b": 5}})
        first += n
    spec = parse_spec(spec_with(versions))
    covered = sorted({y for y in years if spec.covers(y)})
    if not covered:
        return
    periods = spec.periods(covered)
    assert [y for _, ys in periods for y in ys] == covered
    assert all(v.covers(y) for v, ys in periods for y in ys)
    starts = [v.first_year for v in spec.versions[1:]]
    assert spec.breaks(covered) == [s - 0.5 for s in starts if covered[0] < s <= covered[-1]]
    assert len(periods) <= len(spec.breaks(covered)) + 1


# ---------------------------------------------------------------------------- published precision


def test_rank_decimals_default_from_the_file_and_kept_by_year_views():
    spec = load_spec()
    assert spec.rank_decimals == 2  # params/index.yaml says so
    assert spec.for_year(2019).rank_decimals == 2
    raw = copy.deepcopy(BASE) | {"components": [{"code": "a", "name_vi": "A", "name_en": "A", "max_points": 10}]}
    assert parse_spec(raw).rank_decimals == 2  # not written: the default
    assert "rank_decimals" not in parse_spec(raw | {"rank_decimals": 1}).extra
    assert parse_spec(raw | {"rank_decimals": 1}).rank_decimals == 1
    assert parse_spec(raw | {"rank_decimals": 0}).rank_decimals == 0


@pytest.mark.parametrize("bad", [-1, 7, 1.5, "2", True, None])
def test_rank_decimals_must_be_a_small_whole_number(bad):
    raw = copy.deepcopy(BASE) | {"components": [{"code": "a", "name_vi": "A", "name_en": "A", "max_points": 10}]}
    assert problems_of(raw | {"rank_decimals": bad}) == [
        "rank_decimals: expected a whole number of decimals from 0 to 6 (the precision the index publishes its "
        f"scores at, usually 2), got {bad!r}"
    ]


# ------------------------------------------------------------------------------------------------
# issue 14, defect 6: the same header on two components (the first used to win, silently)


def test_an_alias_on_two_components_is_refused_naming_both():
    raw = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    shared = copy.deepcopy(raw)
    shared["components"][4]["aliases"].append("BỘ MÁY")  # cong_vu takes bo_may's "Bộ máy" (case, no matter)
    with pytest.raises(SpecError) as err:
        parse_spec(shared, "index.yaml")
    assert ("components[4].aliases: the header 'BỘ MÁY' names both bo_may and cong_vu; a column can be only one "
            "component: keep it on one of them") in str(err.value)
    assert "tiêu đề cột 'BỘ MÁY' đang chỉ cả bo_may lẫn cong_vu" in err.value.message("vi")
    named = copy.deepcopy(raw)
    named["components"][1]["aliases"].append(named["components"][0]["name_vi"])  # another component's name
    with pytest.raises(SpecError, match=r"components\[1\]\.aliases: the header .* names both chi_dao and the_che"):
        parse_spec(named, "index.yaml")


def test_the_specs_header_key_is_the_validators():
    """spec.py (ground) keys headers as data.names.header_key does, which it cannot import."""
    from parbrief.data.names import header_key
    from parbrief.spec import _header_key

    spec = load_spec()
    texts = [t for c in spec.components for t in (c.code, c.name_vi, c.name_en, *c.aliases)]
    texts += ["Chỉ đạo, điều hành (9 điểm)", "Hoà Bình", "ĐẶC KHU", "Thuỷ lợi\u00a0 – 2"]
    assert [_header_key(t) for t in texts] == [header_key(t) for t in texts]


def test_a_spec_file_is_parsed_once_and_read_again_when_it_changes(tmp_path):
    # A batch kernel loads the same spec for every brief: the parsed spec is kept per file (path,
    # modification time, size); an edited file is read again, and a broken one is still refused.
    path = tmp_path / "index.yaml"
    text = default_spec_path().read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_spec(path)
    assert load_spec(path) is first
    assert first.components == load_spec(default_spec_path()).components and first.source == str(path)
    path.write_text(text.replace("rank_decimals: 2", "rank_decimals: 1"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    again = load_spec(path)
    assert again is not first and again.rank_decimals == 1
    path.write_text("components: [", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 2 * 10**9))
    with pytest.raises(SpecError):
        load_spec(path)


def test_the_same_relative_path_in_two_folders_is_two_files(tmp_path, monkeypatch):
    # a kernel changes its working directory before each brief: "index.yaml" in two folders, same
    # size and modification time, must not share a cached spec
    text = default_spec_path().read_text(encoding="utf-8")
    for name, decimals in (("a", "2"), ("b", "1")):
        (tmp_path / name).mkdir()
        f = tmp_path / name / "index.yaml"
        f.write_text(text.replace("rank_decimals: 2", f"rank_decimals: {decimals}"), encoding="utf-8")
        os.utime(f, ns=(10**18, 10**18))
    got = {}
    for name in ("a", "b"):
        monkeypatch.chdir(tmp_path / name)
        got[name] = load_spec("index.yaml").rank_decimals
    assert got == {"a": 2, "b": 1}
