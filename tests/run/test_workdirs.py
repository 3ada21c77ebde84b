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
