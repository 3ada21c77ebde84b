"""Two real renders into one --out folder (issue 14, defect 1): the second waits, or refuses with
--no-wait; afterwards every page's language is the one the manifest and the fingerprints say, and a
render in the other language renders the pages again instead of keeping them."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from parbrief.run.lock import LOCK_NAME, OutputLock

LIB = str(Path(__file__).resolve().parents[2] / "lib")
PROVINCE = "Quảng Trị"
PAGES = ("quang-tri", "overview")
WAITING = {"vi": "đang chờ lần đó kết thúc", "en": "waiting until it finishes"}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    from parbrief.data.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo")).store


def _cmd(store: Path, out: Path, lang: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "parbrief", "render", "--data", str(store), "--out", str(out), "--year", "2024",
            "--province", PROVINCE, "--lang", lang, "--workers", "1", *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": LIB, "OPENBLAS_NUM_THREADS": "1"}


def _start(store: Path, out: Path, lang: str, log: Path) -> subprocess.Popen:
    with open(log, "w") as fh:  # stderr to a file: nobody has to drain a pipe while the render waits
        return subprocess.Popen(_cmd(store, out, lang), stdout=subprocess.DEVNULL, stderr=fh, env=_env())


def _until(check, what: str, limit_s: float = 180.0) -> None:
    """Wait for ``check()`` (a guard against hanging, not a timed assertion)."""
    end = time.monotonic() + limit_s
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def _html_lang(path: Path) -> str:
    return re.search(r'<html[^>]*\blang="([a-z]+)"', path.read_text(encoding="utf-8")).group(1)


def _consistent(year_dir: Path) -> str:
    """Every page, the manifest and the fingerprints agree on one language; returns it."""
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    records = json.loads((year_dir / "fingerprints.json").read_text(encoding="utf-8"))["briefs"]
    assert manifest["complete"] is True
    briefs = {b["slug"]: b for b in manifest["briefs"]}
    assert set(briefs) == set(PAGES)
    langs = {b["lang"] for b in briefs.values()}
    assert len(langs) == 1, langs
    lang = langs.pop()
    for slug in PAGES:
        assert briefs[slug]["status"] in ("ok", "skipped")
        assert briefs[slug]["parameters"]["lang"] == lang
        assert _html_lang(year_dir / f"{slug}.html") == lang, slug
        assert records[slug]["lang"] == lang and records[slug]["fingerprint"] == briefs[slug]["fingerprint"]
    assert _html_lang(year_dir / "index.html") == lang
    return lang


def test_two_renders_into_one_folder_wait_for_each_other_and_agree(store, tmp_path):
    out = tmp_path / "out"
    logs = {lang: tmp_path / f"{lang}.log" for lang in ("vi", "en")}
    # The test holds the folder first, so both renders must wait; then it lets go, and the two
    # renders run one after the other.
    holder = OutputLock(out, command="the test holds the folder").acquire()
    try:
        procs = {lang: _start(store, out, lang, logs[lang]) for lang in ("vi", "en")}
        for lang in procs:
            _until(lambda lang=lang: WAITING[lang] in logs[lang].read_text(encoding="utf-8"), f"{lang} waits")
        refused = subprocess.run(_cmd(store, out, "en", "--no-wait"), capture_output=True, text=True,
                                 env=_env(), timeout=120)
        assert refused.returncode == 1  # a busy folder is not a usage error (2)
        assert "in use by another render" in refused.stderr and "nothing was written" in refused.stderr
        assert f"pid {os.getpid()} on {socket.gethostname()}" in refused.stderr
        assert "Traceback" not in refused.stderr
        for lang, log in logs.items():
            text = log.read_text(encoding="utf-8")
            assert "the test holds the folder" in text and str(os.getpid()) in text, lang
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing written while they wait
    finally:
        holder.release()
    for proc in procs.values():
        proc.wait(timeout=600)
    stderr = {lang: logs[lang].read_text(encoding="utf-8") for lang in logs}
    assert {lang: p.returncode for lang, p in procs.items()} == {"vi": 0, "en": 0}, stderr

    year_dir = out / "2024"
    last = _consistent(year_dir)
    first = "en" if last == "vi" else "vi"
    # The one that ran second waited for the one that ran first, and said so.
    waited_for = [ln for ln in stderr[last].splitlines() if WAITING[last] in ln]
    assert any(str(procs[first].pid) in ln for ln in waited_for), stderr[last]
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {b["status"] for b in manifest["briefs"]} == {"ok"}  # other language: rendered, not kept

    # A render killed after taking the folder (a stale record), and empty work folders of dead
    # renders: the next render takes the lock over with a note and removes them.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    (out / LOCK_NAME).write_text(json.dumps({"pid": dead_pid, "host": socket.gethostname(),
                                             "command": "parbrief render (killed)",
                                             "started": "2026-03-05T14:03:12+07:00"}), encoding="utf-8")
    leftovers = [year_dir / f".work-{dead_pid}-quang-tri-abc", out / "2023" / f".work-{dead_pid}-x-def",
                 year_dir / ".work-quang-tri-old"]
    for d in leftovers:
        d.mkdir(parents=True)
    rerun = subprocess.run(_cmd(store, out, first), capture_output=True, text=True, env=_env(), timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert str(dead_pid) in rerun.stderr and ("taking it over" in rerun.stderr or "tiếp quản" in rerun.stderr)
    assert not any(d.exists() for d in leftovers)
    assert _consistent(year_dir) == first
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {b["slug"]: b["status"] for b in manifest["briefs"]} == {"quang-tri": "ok", "overview": "ok"}
    assert manifest["mode"]["lock"]["took_over"]["pid"] == dead_pid
    assert (out / LOCK_NAME).read_bytes() == b""  # released
