"""Failed briefs (issue 14, defect 5): the failed notebook is kept whole or not at all, and the
manifest marks the brief failed with the reason, from the first brief that fails (never "pending")."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from parbrief.run import execute
from parbrief.run.execute import BriefJob, keep_failed_notebook, render_brief
from parbrief.spec import load_spec


_NOTEBOOK = nbformat.writes(new_notebook(cells=[new_code_cell("1 + 1")])).encode("utf-8")


def _notebook_bytes() -> bytes:
    return _NOTEBOOK


def test_a_whole_failed_notebook_is_kept_and_a_cut_one_is_not(tmp_path):
    work, failed = tmp_path / ".work-1-x", tmp_path / "failed"
    work.mkdir()
    whole = work / "a.ipynb"
    whole.write_bytes(_notebook_bytes())
    kept, why = keep_failed_notebook(whole, failed / "a.ipynb")
    assert (kept, why) == (failed / "a.ipynb", None)
    assert (failed / "a.ipynb").read_bytes() == _notebook_bytes()
    assert sorted(p.name for p in failed.iterdir()) == ["a.ipynb"]  # no temporary file left

    for cut in (b"", _notebook_bytes()[: len(_notebook_bytes()) // 2]):  # a full disk: empty, or cut short
        part = work / "a.ipynb"
        part.write_bytes(cut)
        kept, why = keep_failed_notebook(part, failed / "a.ipynb")
        assert kept is None and why.startswith("unreadable")
        assert list(failed.iterdir()) == []  # the older failure's notebook went too: it is not this run's
        (failed / "a.ipynb").write_bytes(_notebook_bytes())
    kept, why = keep_failed_notebook(work / "missing.ipynb", failed / "a.ipynb")
    assert kept is None and why == "not written" and list(failed.iterdir()) == []


def test_a_full_disk_while_keeping_the_notebook_leaves_no_partial_file(tmp_path, monkeypatch):
    from parbrief import files

    def full(path, data):  # the disk is full when the notebook is copied into failed/
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "atomic_write_bytes", full)
    src = tmp_path / "a.ipynb"
    src.write_bytes(_notebook_bytes())
    (tmp_path / "failed").mkdir()
    (tmp_path / "failed" / "a.ipynb").write_bytes(_notebook_bytes())  # an older run's failure
    kept, why = keep_failed_notebook(src, tmp_path / "failed" / "a.ipynb")
    assert kept is None and why == "No space left on device"
    assert list((tmp_path / "failed").iterdir()) == []


def test_render_brief_never_leaves_a_0_byte_failed_notebook(tmp_path, monkeypatch):
    """papermill's save of a failed run hit a full disk: an empty file, then the error."""

    def execute_on_full_disk(job, output_path, kernel=None):
        Path(output_path).write_bytes(b"")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(execute, "execute_notebook", execute_on_full_disk)
    out = tmp_path / "2024"
    (out / "failed").mkdir(parents=True)
    (out / "failed" / "ca-mau.ipynb").write_bytes(_notebook_bytes())  # an older run's failure
    job = BriefJob(notebook="x.ipynb", parameters={}, out_dir=str(out), slug="ca-mau", title="Cà Mau — 2024",
                   lang="vi")
    outcome = render_brief(job)
    assert outcome.status == "failed" and outcome.notebook is None
    assert outcome.error["type"] == "OSError" and outcome.error["notebook_unsaved"].startswith("unreadable")
    assert list((out / "failed").iterdir()) == []
    assert not list(out.glob(".work-*")) and not list(out.rglob("*.tmp"))


# ---------------------------------------------------------------- the manifest says "failed"
def _scores(path: Path) -> Path:
    spec = load_spec()
    rng = np.random.default_rng(3)
    rows = []
    for p_i, province in enumerate(("Bắc Ninh", "Cà Mau")):
        for u in range(4):
            for year in range(2020, 2025):
                level = 0.72 + 0.04 * u + 0.02 * p_i + 0.005 * (year - 2020) + rng.normal(0, 0.01)
                comps = {c.code: round(c.max_points * min(level, 0.99), 2) for c in spec.for_year(year).components}
                rows.append({"province": province, "unit": f"Huyện {chr(65 + u)}", "unit_type": "district",
                             "year": year, "total": round(sum(comps.values()), 2), **comps})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    from parbrief.run.batch import notebook_path

    tmp = tmp_path_factory.mktemp("failing")
    nb = nbformat.read(notebook_path("province_brief"), as_version=4)
    nb.cells.insert(2, new_code_cell('if province == "Cà Mau":\n    raise ValueError("corrupt district table")'))
    path = tmp / "failing.ipynb"
    nbformat.write(nb, path)
    return _scores(tmp / "scores.csv"), path


def _briefs(out: Path) -> tuple[dict, dict]:
    manifest = json.loads((out / "2024" / "manifest.json").read_text(encoding="utf-8"))
    return manifest, {b["slug"]: b for b in manifest["briefs"]}


def test_the_manifest_marks_a_failed_brief_failed_with_the_reason(failing, tmp_path, monkeypatch):
    from parbrief.run import batch

    data, notebook = failing
    out = tmp_path / "out"
    kwargs = dict(data=data, out=out, year=2024, lang="en", workers=1, progress=False, overview=False,
                  notebook=notebook)

    # The render dies after the briefs, before its final manifest (a crash, a kill): the manifest
    # written as each brief ended already says which failed and why.
    def crash(*args, **kw):
        raise RuntimeError("killed before the final manifest")

    monkeypatch.setattr(batch, "_write_index_and_manifest", crash)
    with pytest.raises(RuntimeError):
        batch.render(**kwargs)
    manifest, briefs = _briefs(out)
    assert manifest["complete"] is False
    assert briefs["ca-mau"]["status"] == "failed" and briefs["bac-ninh"]["status"] == "ok"
    assert "ValueError: corrupt district table" in briefs["ca-mau"]["reason"]
    assert briefs["ca-mau"]["reason"].startswith("cell ")
    records = json.loads((out / "2024" / "fingerprints.json").read_text(encoding="utf-8"))["briefs"]
    assert briefs["bac-ninh"]["fingerprint"] == records["bac-ninh"]["fingerprint"]
    monkeypatch.undo()

    summary = batch.render(**kwargs)
    assert summary.exit_code == 1
    manifest, briefs = _briefs(out)
    assert manifest["complete"] is True and manifest["counts"] == {"failed": 1, "skipped": 1}
    failed = briefs["ca-mau"]
    assert failed["status"] == "failed" and failed["lang"] == "en" and failed["html"] is None
    assert "ValueError: corrupt district table" in failed["reason"] and failed["previous"] is None
    kept = Path(failed["notebook"])
    assert kept == out / "2024" / "failed" / "ca-mau.ipynb" and kept.stat().st_size > 0
    nbformat.read(kept, as_version=4)  # a whole notebook
    records = json.loads((out / "2024" / "fingerprints.json").read_text(encoding="utf-8"))["briefs"]
    assert sorted(records) == ["bac-ninh"]  # a failure records no fingerprint
    ok = briefs["bac-ninh"]
    assert ok["lang"] == records["bac-ninh"]["lang"] == "en" and ok["fingerprint"] == records["bac-ninh"]["fingerprint"]

    # A brief that fails after an earlier success: the older page beside the manifest is named.
    (out / "2024" / "ca-mau.html").write_text('<!DOCTYPE html>\n<html lang="vi"><body>old</body></html>')
    batch.render(**kwargs)
    _, briefs = _briefs(out)
    assert briefs["ca-mau"]["previous"]["lang"] == "vi"
    assert briefs["ca-mau"]["previous"]["html"] == str(out / "2024" / "ca-mau.html")
