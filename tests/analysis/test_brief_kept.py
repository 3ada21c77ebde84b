"""A render's warm kernel keeps the last briefs computed from its snapshot (analysis.brief._KEPT).

The analysis pages that follow a brief on its kernel get that brief's results instead of
computing them again; anything that could change them (another snapshot, a changed file,
another parameter) must give a new computation, and nothing is kept outside a render.
"""

from __future__ import annotations

import os

import pytest

from parbrief.analysis import brief as brief_mod
from parbrief.analysis.brief import build_brief
from parbrief.data import snapshot
from parbrief.data.store import load_data, write_snapshot


@pytest.fixture()
def kept_snapshot(small_store, tmp_path):
    bundle = load_data(small_store)
    snap = write_snapshot(bundle.scores, bundle.survey, tmp_path / "snapshot")
    snapshot.keep_in_memory(True)
    brief_mod._KEPT._values.clear()
    try:
        yield snap.scores_path
    finally:
        snapshot.keep_in_memory(False)
        brief_mod._KEPT._values.clear()


def test_a_kept_snapshot_gives_the_same_brief_for_the_same_parameters(kept_snapshot):
    first = build_brief(province="Quảng Trị", year=2024, data=kept_snapshot)
    assert build_brief(province="Quảng Trị", year=2024, data=str(kept_snapshot)) is first
    # another parameter, another year, another language: computed anew
    assert build_brief(province="Quảng Trị", year=2024, data=kept_snapshot, alpha=0.1) is not first
    assert build_brief(province="Quảng Trị", year=2023, data=kept_snapshot) is not first
    assert build_brief(province="Quảng Trị", year=2024, data=kept_snapshot, lang="en").lang == "en"


def test_a_changed_snapshot_or_notes_file_is_computed_anew(kept_snapshot, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("Ghi chú thứ nhất.", encoding="utf-8")
    first = build_brief(province="Quảng Trị", year=2024, data=kept_snapshot, notes=notes)
    notes.write_text("Ghi chú thứ hai, dài hơn.", encoding="utf-8")
    second = build_brief(province="Quảng Trị", year=2024, data=kept_snapshot, notes=notes)
    assert second is not first and "thứ hai" in second.notes
    st = kept_snapshot.stat()
    os.utime(kept_snapshot, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # the snapshot rewritten
    assert build_brief(province="Quảng Trị", year=2024, data=kept_snapshot, notes=notes) is not second


def test_nothing_is_kept_outside_a_render(small_store, tmp_path):
    bundle = load_data(small_store)
    snap = write_snapshot(bundle.scores, bundle.survey, tmp_path / "snapshot")
    # a store, or a snapshot in a kernel that keeps nothing in memory (an analyst's notebook)
    assert build_brief(province="Quảng Trị", year=2024, data=small_store) is not build_brief(
        province="Quảng Trị", year=2024, data=small_store)
    assert snapshot.kept_key(snap.scores_path, None) is None
    assert build_brief(province="Quảng Trị", year=2024, data=snap.scores_path) is not build_brief(
        province="Quảng Trị", year=2024, data=snap.scores_path)
