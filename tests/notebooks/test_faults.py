"""A render killed midway loses nothing: finished briefs stay whole, the manifest says what
finished, no partial file is left, and a rerun completes only what is missing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from parbrief.spec import load_spec


def _scores(path: Path, n_provinces: int = 6) -> Path:
    spec = load_spec()
    rows = []
    for p in range(n_provinces):
        for u in range(4):
            for year in range(2022, 2025):
                level = 0.72 + 0.03 * u + 0.01 * p
                comps = {c.code: round(c.max_points * level, 2) for c in spec.for_year(year).components}
                rows.append({"province": f"Tỉnh Thử {p + 1}", "unit": f"Huyện {u + 1}", "unit_type": "district",
                             "year": year, "total": round(sum(comps.values()), 2), **comps})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _render(data: Path, out: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "parbrief.cli", "render", "--data", str(data), "--out", str(out),
           "--year", "2024", "--workers", "1"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def test_render_killed_midway_then_rerun_completes_only_what_is_missing(tmp_path):
    data = _scores(tmp_path / "scores.csv")
    out = tmp_path / "out"
    year_dir = out / "2024"
    proc = _render(data, out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if list(year_dir.glob("tinh-thu-*.html")):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the render ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the command and its kernels, mid-run
    proc.wait(timeout=30)

    briefs = sorted(year_dir.glob("tinh-thu-*.html"))
    assert 1 <= len(briefs) < 6
    for page in briefs:  # every brief on disk is a whole document
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page.name
    visible = [p for p in year_dir.rglob("*") if p.is_file() and not p.name.startswith(".")
               and ".work-" not in str(p) and ".tmp" not in p.name]
    assert all(p.suffix in {".html", ".ipynb", ".json", ".parquet"} for p in visible)
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False
    status = {b["slug"]: b["status"] for b in manifest["briefs"]}
    done = {p.stem for p in briefs}
    assert {s for s, st in status.items() if st == "ok"} <= done
    assert set(status.values()) <= {"ok", "pending"} and "pending" in status.values()

    rerun = _render(data, out)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr.decode()[-2000:]
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True
    final = {b["slug"]: b["status"] for b in manifest["briefs"]}
    assert len(final) == 6
    # Skipped on the rerun: the briefs the killed run had finished and recorded (its manifest may
    # lag its fingerprint file by one brief when the kill falls between the two writes).
    recorded = {s for s, st in status.items() if st == "ok"}
    skipped = {s for s, st in final.items() if st == "skipped"}
    assert recorded <= skipped <= done
    assert {s for s, st in final.items() if st == "ok"} == set(final) - skipped
    assert not list(year_dir.glob(".work-*"))  # the killed run's work folders are cleaned by the rerun


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_full_disk_on_the_output_folder_gives_a_clear_error_and_no_partial_file(tmp_path):
    from parbrief.files import atomic_write_bytes

    mnt = tmp_path / "small"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()[:200]}")
    try:
        (mnt / "brief.html").write_bytes(b"<html>old</html>")
        with pytest.raises(OSError) as err:
            atomic_write_bytes(mnt / "brief.html", b"x" * 200_000)
        assert err.value.errno == 28  # ENOSPC: "No space left on device"
        assert (mnt / "brief.html").read_bytes() == b"<html>old</html>"
        assert sorted(p.name for p in mnt.iterdir()) == ["brief.html"]
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
