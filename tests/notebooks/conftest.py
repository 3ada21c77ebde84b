"""Shared fixtures for the end-to-end notebook tests: one demo store, rendered once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from parbrief.data.demo import write_demo


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """The demo dataset written with its store (the same as `parbrief demo`)."""
    out = tmp_path_factory.mktemp("demo-data")
    files = write_demo(out)
    return files.store


@pytest.fixture(scope="session")
def rendered_vi(demo_store, tmp_path_factory):
    """Two demo provinces rendered in Vietnamese (plus the national overview and index)."""
    from parbrief.run.batch import render

    out = tmp_path_factory.mktemp("out-vi")
    summary = render(data=demo_store, out=out, year=2024, provinces=["Quảng Trị", "Thanh Hóa"],
                     lang="vi", workers=2, progress=False)
    return summary


@pytest.fixture(scope="session")
def rendered_en(demo_store, tmp_path_factory):
    """One demo province rendered in English, without the overview."""
    from parbrief.run.batch import render

    out = tmp_path_factory.mktemp("out-en")
    return render(data=demo_store, out=out, year=2024, provinces=["Cần Thơ"], lang="en", workers=1,
                  progress=False, overview=False)


@pytest.fixture(scope="session")
def rendered_2025(demo_store, tmp_path_factory):
    """2025, the first year on the new map: a merged and an unchanged province, with the overview."""
    from parbrief.run.batch import render

    out = tmp_path_factory.mktemp("out-2025")
    return render(data=demo_store, out=out, year=2025, provinces=["Quảng Trị", "Thanh Hóa"], lang="vi",
                  workers=2, progress=False)


@pytest.fixture(scope="session")
def rendered_2025_en(demo_store, tmp_path_factory):
    """The merged province's 2025 brief in English."""
    from parbrief.run.batch import render

    out = tmp_path_factory.mktemp("out-2025-en")
    return render(data=demo_store, out=out, year=2025, provinces=["Quảng Trị"], lang="en", workers=1,
                  progress=False, overview=False)
