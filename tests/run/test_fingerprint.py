"""Fingerprints (parbrief.run.fingerprint) and the batch skipping briefs whose inputs did not change."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell

from parbrief.run.fingerprint import (
    FINGERPRINT_VERSION,
    Fingerprints,
    combine,
    overview_slice_sha256,
    params_sha256,
    province_slice_hashes,
    source_sha256,
)
from parbrief.spec import load_spec

NATIONAL = "Việt Nam"
PROVINCES = ("Bắc Ninh", "Cà Mau", "Hòa Bình")


def _scores(seed: int = 7) -> pd.DataFrame:
    """Three provinces × 4 districts × 2020–2024, and their national rows (totals = sums)."""
    spec = load_spec()
    rng = np.random.default_rng(seed)
    rows = []
    for p_i, province in enumerate(PROVINCES):
        for u in range(4):
            for year in range(2020, 2025):
                level = 0.72 + 0.04 * u + 0.02 * p_i + 0.005 * (year - 2020) + rng.normal(0, 0.01)
                comps = {c.code: round(c.max_points * min(level, 0.99), 2) for c in spec.components}
                rows.append({"province": province, "unit": f"Huyện {chr(65 + u)}", "unit_type": "district",
                             "year": year, "total": round(sum(comps.values()), 2), **comps})
    frame = pd.DataFrame(rows)
    national = (frame.groupby(["province", "year"], as_index=False)[[c.code for c in spec.components]].mean()
                .round(2))
    national["total"] = national[[c.code for c in spec.components]].sum(axis=1).round(2)
    national = national.rename(columns={"province": "unit"})
    national["province"], national["unit_type"] = NATIONAL, "province"
    return pd.concat([frame, national[frame.columns]], ignore_index=True)


def _survey() -> pd.DataFrame:
    rows = [{"province": p, "unit": "Huyện A", "year": y, "respondent": f"r{i}", "satisfaction": 1 + i % 5}
            for p in PROVINCES for y in (2023, 2024) for i in range(6)]
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------- unit tests
def test_a_province_slice_changes_only_with_what_its_brief_reads():
    scores, survey = _scores(), _survey()
    base = province_slice_hashes(scores, survey, PROVINCES, 2024, {"synthetic": "true", "last_ingest": "a"})
    assert len(set(base.values())) == 3 and all(len(h) == 64 for h in base.values())

    def hashes(sc=scores, sv=survey, year=2024, meta=None):
        return province_slice_hashes(sc, sv, PROVINCES, year, meta or {"synthetic": "true", "last_ingest": "a"})

    # One district score of Cà Mau in 2022: only Cà Mau's brief changes.
    moved = scores.copy()
    moved.loc[(moved.province == "Cà Mau") & (moved.unit == "Huyện B") & (moved.year == 2022), "cp_so"] += 0.25
    after = hashes(sc=moved)
    assert [p for p in PROVINCES if after[p] != base[p]] == ["Cà Mau"]
    # A year after the brief's year: nothing changes for the 2023 briefs.
    later = scores.copy()
    later.loc[(later.province == "Cà Mau") & (later.year == 2024), "cp_so"] += 0.25
    assert hashes(sc=later, year=2023) == hashes(year=2023)
    # One survey answer of Hòa Bình in 2024: only Hòa Bình; in 2023 (not the brief's year): none.
    sv = survey.copy()
    sv.loc[(sv.province == "Hòa Bình") & (sv.year == 2024) & (sv.respondent == "r0"), "satisfaction"] = 5
    assert [p for p in PROVINCES if hashes(sv=sv)[p] != base[p]] == ["Hòa Bình"]
    sv23 = survey.copy()
    sv23.loc[(sv23.province == "Hòa Bình") & (sv23.year == 2023), "satisfaction"] = 5
    assert hashes(sv=sv23) == base
    # The national table of the year (ranks depend on every province): every brief changes.
    nat = scores.copy()
    nat.loc[(nat.province == NATIONAL) & (nat.unit == "Bắc Ninh") & (nat.year == 2024), "total"] += 1
    assert all(hashes(sc=nat)[p] != base[p] for p in PROVINCES)
    # Store meta: the synthetic banner counts, the time of the last ingest does not.
    assert hashes(meta={"synthetic": "true", "last_ingest": "b"}) == base
    assert all(hashes(meta={"synthetic": "false", "last_ingest": "a"})[p] != base[p] for p in PROVINCES)
    # Same rows in a fresh frame (another process reads the same snapshot): same hashes.
    assert hashes(sc=scores.copy(deep=True).reset_index(drop=True)) == base


def test_with_enough_provinces_for_a_pooled_rho_every_brief_reads_the_others_totals():
    from parbrief.stats.serial import MIN_POOL_PANELS

    base_frame = _scores()
    provincial = base_frame[base_frame.province != NATIONAL]
    copies = [provincial.assign(province=f"Tỉnh {k}") for k in range(MIN_POOL_PANELS - len(PROVINCES))]
    scores = pd.concat([base_frame, *copies], ignore_index=True)
    names = list(PROVINCES) + [f"Tỉnh {k}" for k in range(len(copies))]
    base = province_slice_hashes(scores, None, names, 2024, {})
    # Another province's total: the store-wide ρ of every brief's tests moves, so every brief changes.
    total = scores.copy()
    total.loc[(total.province == "Tỉnh 0") & (total.unit == "Huyện A") & (total.year == 2021), "total"] += 0.5
    after = province_slice_hashes(total, None, names, 2024, {})
    assert all(after[p] != base[p] for p in names)
    # A component score the pooling does not read: only that province's brief changes.
    comp = scores.copy()
    comp.loc[(comp.province == "Tỉnh 0") & (comp.unit == "Huyện A") & (comp.year == 2021), "cp_so"] += 0.5
    after = province_slice_hashes(comp, None, names, 2024, {})
    assert [p for p in names if after[p] != base[p]] == ["Tỉnh 0"]


def test_the_page_language_and_title_are_part_of_the_fingerprint():
    from parbrief.run.batch import _brief_fingerprint

    args = dict(notebook_sha="n", library={"v": 1}, parameters={"province": "Cà Mau", "lang": "vi"}, slice_sha="s")
    vi, parts_vi = _brief_fingerprint(**args, lang="vi", title="Cà Mau — 2024")
    en, parts_en = _brief_fingerprint(**args, lang="en", title="Cà Mau — 2024")
    assert vi != en and parts_vi["page"] != parts_en["page"] and parts_vi["parameters"] == parts_en["parameters"]
    assert _brief_fingerprint(**args, lang="vi", title="Toàn quốc — 2024")[0] != vi
    assert _brief_fingerprint(**args, lang="vi", title="Cà Mau — 2024")[0] == vi
    assert set(parts_vi) == {"notebook", "library", "parameters", "page", "data_slice"}


def test_overview_slice_is_the_national_table_up_to_the_year():
    scores = _scores()
    base = overview_slice_sha256(scores, 2024, {"synthetic": "true"})
    district = scores.copy()
    district.loc[district.province == "Cà Mau", "cp_so"] += 0.1
    assert overview_slice_sha256(district, 2024, {"synthetic": "true"}) == base
    nat = scores.copy()
    nat.loc[(nat.province == NATIONAL) & (nat.year == 2021), "total"] += 1
    assert overview_slice_sha256(nat, 2024, {"synthetic": "true"}) != base
    assert overview_slice_sha256(nat, 2020, {"synthetic": "true"}) == overview_slice_sha256(scores, 2020, {"synthetic": "true"})


def test_parameters_hash_ignores_snapshot_paths_and_reads_the_spec(tmp_path):
    spec = tmp_path / "index.yaml"
    spec.write_text("a: 1\n", encoding="utf-8")
    p = {"province": "Cà Mau", "year": 2024, "data": "/x/scores.parquet", "survey": "/x/survey.parquet",
         "spec": str(spec), "alpha": 0.05}
    h = params_sha256(p)
    assert params_sha256({**p, "data": "/elsewhere/scores.parquet", "survey": ""}) == h
    assert params_sha256({**p, "alpha": 0.01}) != h
    copy = tmp_path / "copy.yaml"
    copy.write_text("a: 1\n", encoding="utf-8")
    assert params_sha256({**p, "spec": str(copy)}) == h  # same content, other path
    spec.write_text("a: 2\n", encoding="utf-8")
    assert params_sha256(p) != h


def test_source_hash_sees_every_source_file_but_not_caches(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub" / "__pycache__").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "sub" / "t.css").write_text("p {}\n")
    h = source_sha256(pkg)
    (pkg / "sub" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert source_sha256(pkg) == h
    (pkg / "sub" / "t.css").write_text("p { color: red }\n")
    assert source_sha256(pkg) != h


def test_fingerprint_records_need_the_html_and_the_current_format(tmp_path):
    fp = combine({"a": 1})
    assert fp == combine({"a": 1}) != combine({"a": 2})
    store = Fingerprints.load(tmp_path / "fingerprints.json")
    assert store.records == {}
    store.record("ca-mau", {"fingerprint": fp})
    store.save()
    again = Fingerprints.load(tmp_path / "fingerprints.json")
    assert not again.matches("ca-mau", fp, tmp_path)  # no HTML: render it again
    (tmp_path / "ca-mau.html").write_text("<html></html>")
    assert again.matches("ca-mau", fp, tmp_path) and not again.matches("ca-mau", combine({"a": 2}), tmp_path)
    raw = json.loads((tmp_path / "fingerprints.json").read_text())
    raw["fingerprint_version"] = FINGERPRINT_VERSION + 1
    (tmp_path / "fingerprints.json").write_text(json.dumps(raw))
    assert Fingerprints.load(tmp_path / "fingerprints.json").records == {}


# ------------------------------------------------------------------------ the batch skips briefs
@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A first render of the three provinces and the overview (from a CSV file)."""
    from parbrief.run.batch import render

    tmp = tmp_path_factory.mktemp("skip")
    data = tmp / "scores.csv"
    _scores().to_csv(data, index=False)
    out = tmp / "out"
    summary = render(data=data, out=out, year=2024, lang="vi", workers=2, progress=False)
    assert summary.exit_code == 0, summary.lines()
    pages = {o.slug: Path(o.html).read_text(encoding="utf-8") for o in summary.outcomes}
    return data, out, summary, pages


def _manifest(out: Path) -> dict:
    return json.loads((out / "2024" / "manifest.json").read_text(encoding="utf-8"))


def test_rerun_with_nothing_changed_skips_every_brief(rendered):
    from parbrief.run.batch import render

    data, out, first, _ = rendered
    # the three provinces, the nation's own brief (the data hold a national table) and the overview
    assert {o.status for o in first.outcomes} == {"ok"} and len(first.outcomes) == 5
    html_before = {o.slug: Path(o.html).stat().st_mtime_ns for o in first.outcomes}
    index_before = (out / "2024" / "index.html").read_text(encoding="utf-8")
    again = render(data=data, out=out, year=2024, lang="vi", workers=2, progress=False)
    assert again.exit_code == 0
    assert {o.slug: o.status for o in again.outcomes} == {
        "viet-nam": "skipped", "bac-ninh": "skipped", "ca-mau": "skipped", "hoa-binh": "skipped",
        "overview": "skipped"}
    assert {o.slug: Path(o.html).stat().st_mtime_ns for o in again.outcomes} == html_before  # files kept
    man = _manifest(out)
    assert man["counts"] == {"skipped": 5}
    assert man["mode"]["skipped"] == 5 and man["mode"]["rendered"] == 0 and man["mode"]["kernels_started"] == 0
    assert man["mode"]["reuse"] is True and man["mode"]["workers"] == 2 and man["mode"]["snapshot_reused"] is True
    by_slug = {b["slug"]: b for b in man["briefs"]}
    assert by_slug["ca-mau"]["fingerprint"] == {o.slug: o.fingerprint for o in first.outcomes}["ca-mau"]
    # The index still links every brief with its headline numbers: the same page as before.
    assert (out / "2024" / "index.html").read_text(encoding="utf-8") == index_before
    assert 'href="ca-mau.html"' in index_before and 'href="overview.html"' in index_before


def test_after_one_province_changes_only_its_brief_renders(rendered):
    from parbrief.run.batch import render

    data, out, first, pages = rendered
    frame = pd.read_csv(data)
    row = (frame.province == "Hòa Bình") & (frame.unit == "Huyện C") & (frame.year == 2023)
    frame.loc[row, "cp_so"] = (frame.loc[row, "cp_so"] - 0.5).round(2)
    frame.loc[row, "total"] = (frame.loc[row, "total"] - 0.5).round(2)
    frame.to_csv(data, index=False)
    summary = render(data=data, out=out, year=2024, lang="vi", workers=2, progress=False)
    assert {o.slug: o.status for o in summary.outcomes} == {
        "viet-nam": "skipped", "bac-ninh": "skipped", "ca-mau": "skipped", "hoa-binh": "ok",
        "overview": "skipped"}  # a province's unit changed: the nation's slice (the national table) did not
    man = _manifest(out)
    assert man["mode"]["snapshot_reused"] is False and man["mode"]["kernels_started"] == 1
    # --force --no-reuse renders everything again, each brief on a fresh kernel ...
    forced = render(data=data, out=out, year=2024, lang="vi", workers=2, progress=False, force=True, reuse=False)
    assert {o.status for o in forced.outcomes} == {"ok"}
    mode = _manifest(out)["mode"]
    assert mode["force"] is True and mode["reuse"] is False and mode["kernel"] == "fresh kernel per brief"
    # ... and the briefs the first render made on warm, reused kernels (with 4 notebooks on 2
    # kernels, two of them ran after another notebook) are the same pages, byte for byte, except
    # for the data hash the methods section prints (the data changed in between).
    for o in forced.outcomes:
        if o.slug == "hoa-binh":
            continue
        new = Path(o.html).read_text(encoding="utf-8")
        assert _without_data_hash(new) == _without_data_hash(pages[o.slug]), o.slug


def _without_data_hash(page: str) -> str:
    import re

    return re.sub(r"<code>[0-9a-f]{12}</code>", "<code>HASH</code>", page)  # the short check code


def test_a_failed_brief_records_no_fingerprint_and_is_tried_again(rendered, tmp_path):
    from parbrief.run.batch import notebook_path, render

    data, _, _, _ = rendered
    nb = nbformat.read(notebook_path("province_brief"), as_version=4)
    nb.cells.insert(2, new_code_cell('if province == "Cà Mau":\n    raise ValueError("corrupt")'))
    failing = tmp_path / "failing.ipynb"
    nbformat.write(nb, failing)
    out = tmp_path / "out"
    kwargs = dict(data=data, out=out, year=2024, provinces=["Cà Mau", "Bắc Ninh"], lang="vi", workers=1,
                  progress=False, overview=False, notebook=failing)
    first = render(**kwargs)
    assert {o.slug: o.status for o in first.outcomes} == {"ca-mau": "failed", "bac-ninh": "ok"}
    records = json.loads((out / "2024" / "fingerprints.json").read_text())["briefs"]
    assert sorted(records) == ["bac-ninh"]
    second = render(**kwargs)
    assert {o.slug: o.status for o in second.outcomes} == {"ca-mau": "failed", "bac-ninh": "skipped"}
