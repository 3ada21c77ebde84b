"""Work folders left by a killed render are removed by the next one; live ones are kept."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from parbrief.run.execute import clean_stale_work_dirs


def test_stale_work_dirs_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)  # that process has exited
    gone = tmp_path / f".work-{dead_pid}-tinh-thu-x1"
    live = tmp_path / f".work-{os.getpid()}-tinh-thu-x2"
    old = tmp_path / ".work-tinh-thu-abc"  # an older parbrief's name, no process id
    fresh = tmp_path / ".work-quang-tri-def"
    for d in (gone, live, old, fresh):
        d.mkdir()
        (d / "part.ipynb").write_text("{}")
    past = time.time() - 3600
    os.utime(old, (past, past))
    removed = clean_stale_work_dirs(tmp_path)
    assert set(removed) == {gone, old}
    assert live.is_dir() and fresh.is_dir() and not gone.exists() and not old.exists()


def test_leftovers_of_killed_renders_anywhere_under_out_are_removed(tmp_path):
    from parbrief.run.execute import clean_killed_leftovers

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    out = tmp_path / "out"
    gone = [out / "2023" / f".work-{dead_pid}-a-1", out / "2024" / f".work-{dead_pid}-b-2",
            out / "2024" / "analysis" / f".work-{dead_pid}-c-trends-3",
            out / "2024" / ".work-d-4"]  # an older parbrief's name, empty: nothing to lose
    kept = [out / "2024" / f".work-{os.getpid()}-e-5"]  # a live render's (still empty: saved at the end)
    for d in gone + kept:
        d.mkdir(parents=True)
    tmp_files = [out / "2024" / ".manifest.json.k3j2.tmp", out / "2024" / "failed" / ".x.ipynb.a1.tmp"]
    for f in tmp_files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("{")
    (out / "2024" / "quang-tri.html").write_text("<html></html>")
    removed = clean_killed_leftovers(out)
    assert set(removed) == set(gone) | set(tmp_files)
    assert all(d.is_dir() for d in kept) and (out / "2024" / "quang-tri.html").is_file()
