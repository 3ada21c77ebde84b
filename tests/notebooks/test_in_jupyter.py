"""The notebooks as an analyst opens them: in Jupyter, whose working directory is notebooks/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from parbrief.analysis.headline import HEADLINE_MIME
from parbrief.data.snapshot import DEMO_DATA_ENV

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


def _run_from_notebooks_dir(name: str, store: Path, monkeypatch) -> nbformat.NotebookNode:
    """Execute ``name`` top to bottom on its defaults, cwd = notebooks/, the demo store via the env."""
    monkeypatch.setenv(DEMO_DATA_ENV, str(store))  # the kernel inherits it (as `make demo`'s store)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return nb


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_brief_runs_from_the_notebooks_folder_on_its_defaults(demo_store, monkeypatch):
    nb = _run_from_notebooks_dir("province_brief.ipynb", demo_store, monkeypatch)
    outs = _outputs(nb)
    assert not [o for o in outs if o.get("output_type") == "error"]
    images = [o for o in outs if "image/png" in o.get("data", {}) or "<img" in str(o.get("data", {}).get("text/html", ""))]
    assert len(images) >= 4
    # text as Markdown (with the brief's HTML), tables as pandas Stylers (their own outputs)
    assert any(o.get("data", {}).get("text/markdown", "").startswith("## ") for o in outs)
    tables = [o for o in outs if '<table id="T_pb-' in o.get("data", {}).get("text/html", "")]
    assert len(tables) >= 3 and all(o["data"]["text/html"].lstrip().startswith("<style") for o in tables)
    heads = [o["data"][HEADLINE_MIME] for o in outs if HEADLINE_MIME in o.get("data", {})]
    assert heads and heads[0]["province"] == "Quảng Trị" and heads[0]["year"] == 2024
    assert heads[0]["score"] is not None


def test_overview_runs_from_the_notebooks_folder_on_its_defaults(demo_store, monkeypatch):
    nb = _run_from_notebooks_dir("overview.ipynb", demo_store, monkeypatch)
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]


def test_missing_demo_store_is_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv(DEMO_DATA_ENV, str(tmp_path / "absent.duckdb"))
    nb = nbformat.read(NOTEBOOKS / "province_brief.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    with pytest.raises(Exception) as err:
        client.execute()
    text = str(err.value)
    assert "make demo" in text and "ParamsError" in text


def test_layers_hook_finds_nothing_in_the_compose_report_and_run_layers():
    hook = Path("/work/shared/hooks/layers.py")
    if not hook.is_file():
        pytest.skip("the layers hook is not installed here")
    out = subprocess.run([sys.executable, str(hook), str(ROOT / "lib")], capture_output=True, text=True, cwd=ROOT)
    lines = [ln for ln in (out.stdout + out.stderr).splitlines()
             if any(f"parbrief.{layer}" in ln for layer in ("analysis", "report", "run"))]
    assert lines == [], lines
