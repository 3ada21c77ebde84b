"""parbrief.data.snapshot: where a page's data come from, and the warm kernel's in-memory snapshot."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from parbrief.data import snapshot
from parbrief.errors import ParamsError
from parbrief.spec import load_spec


@pytest.fixture
def snap(tmp_path):
    scores = pd.DataFrame({"province": ["A", "A"], "unit": ["x", "y"], "unit_type": "district",
                           "year": [2024, 2024], "total": [70.0, 80.0]})
    path = tmp_path / "scores.parquet"
    scores.to_parquet(path)
    (tmp_path / "meta.json").write_text(json.dumps({"synthetic": "true"}), encoding="utf-8")
    yield path
    snapshot.keep_in_memory(False)


def test_snapshot_is_read_with_its_meta_and_hash(snap):
    scores, survey, sha, meta = snapshot.load_frames(snap, None, load_spec())
    assert list(scores["total"]) == [70.0, 80.0] and survey is None
    assert len(sha) == 64 and meta == {"synthetic": "true"}


def test_kept_snapshot_is_read_once_and_handed_out_as_copies(snap, monkeypatch):
    snapshot.preload(snap, None, load_spec())
    reads = []
    monkeypatch.setattr(pd, "read_parquet", lambda *a, **k: reads.append(a) or pd.DataFrame())
    first, _, sha1, _ = snapshot.load_frames(snap, None, load_spec())
    first.loc[0, "total"] = -1.0  # a notebook writing to its frame ...
    second, _, sha2, _ = snapshot.load_frames(snap, None, load_spec())
    assert reads == [] and sha1 == sha2
    assert second.loc[0, "total"] == 70.0  # ... never reaches the cache


def test_a_changed_snapshot_is_read_again(snap):
    snapshot.preload(snap, None, load_spec())
    pd.DataFrame({"province": ["B"], "unit": ["z"], "unit_type": "district", "year": [2024],
                  "total": [50.0]}).to_parquet(snap)
    scores, *_ = snapshot.load_frames(snap, None, load_spec())
    assert list(scores["province"]) == ["B"]


def test_default_data_is_the_demo_store_or_a_clear_message(tmp_path, monkeypatch):
    store = tmp_path / "parbrief.duckdb"
    store.write_bytes(b"")
    monkeypatch.setenv(snapshot.DEMO_DATA_ENV, str(store))
    assert snapshot.resolve_data("") == store.resolve()
    monkeypatch.setenv(snapshot.DEMO_DATA_ENV, str(tmp_path / "missing.duckdb"))
    with pytest.raises(ParamsError, match="make demo"):
        snapshot.resolve_data("")
    with pytest.raises(ParamsError, match="not found"):
        snapshot.resolve_data(tmp_path / "nope.duckdb")
