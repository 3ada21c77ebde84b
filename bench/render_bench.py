"""Benchmark of ``parbrief render`` against a naive papermill + nbconvert loop (prints figures only).

What it does, in one run, in a temporary folder (``make bench``):

1. builds the 63-province demo dataset (``make_demo(provinces=63, units_per_province=(15, 35),
   years=2018–2024)``: 25 ± 10 units a province, 7 years, survey answers) and ingests it into a
   DuckDB store, as ``parbrief ingest`` would;
2. ``parbrief render`` of every brief of 2024 + the national overview + the index, as a user
   runs it (a subprocess): wall time, CPU time summed over every process (the render and its
   kernels), briefs per minute, peak memory summed over processes (RSS of the whole process
   tree, sampled every 50 ms), median and largest brief HTML;
3. the same command again with nothing changed (every brief skipped by its fingerprint);
4. one province's 2024 data changed (re-ingested with one unit's score moved), the command
   again: time, and which briefs re-rendered;
5. the naive loop on 5 provinces: for each, the ``papermill`` CLI on the brief notebook
   (parameters ``province``, ``year``, ``data`` = the store, as a user would pass it) and then
   ``jupyter nbconvert --to html --no-input``; one after the other. Then the same loop with
   ``data`` = the render's Parquet snapshot (the naive loop without the store read), to show
   where the gain comes from. The per-brief ratio is (naive wall / 5) / (render wall / notebooks).

Nothing here is asserted; the figures go to stdout (``--json FILE`` also writes them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YEAR = 2024
YEARS = range(2018, 2025)


# ------------------------------------------------------------------------------------------ measure
@dataclass
class Measure:
    """A command's wall time, CPU time (its whole process tree) and peak summed RSS."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss: int = 0
    returncode: int = 0
    stderr: str = ""
    peak_processes: int = 0
    samples: list[int] = field(default_factory=list)


def _tree_rss(pid: int) -> tuple[int, int]:
    """Summed RSS of a process and all its descendants (psutil, else /proc)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a dependency of ipykernel
        return _tree_rss_proc(pid)
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    total = 0
    n = 0
    for p in procs:
        try:
            total += p.memory_info().rss
            n += 1
        except psutil.Error:
            continue
    return total, n


def _tree_rss_proc(pid: int) -> tuple[int, int]:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            rss[int(entry)] = int(Path(f"/proc/{entry}/statm").read_text().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, n, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        if p in rss:
            total += rss[p]
            n += 1
        todo.extend(children.get(p, []))
    return total, n


def run_measured(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Measure:
    """Run ``cmd``; wall time, CPU of it and every descendant it waited for, peak summed RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    m = Measure()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            total, n = _tree_rss(proc.pid)
            if total > m.peak_rss:
                m.peak_rss, m.peak_processes = total, n
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    m.wall_s = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    m.cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    m.returncode = proc.returncode
    m.stderr = err.decode("utf-8", "replace")
    return m


def freeze_source(dest: Path) -> None:
    """Run everything from a copy of lib/, notebooks/ and params/ taken now.

    The fingerprints include parbrief's source hash, so an edit to the tree while the bench
    runs (a rerun would then re-render everything, correctly) would spoil the rerun figures.
    This process and every subprocess (the CLI, papermill, the kernels) import the copy:
    ``PYTHONPATH`` comes before the editable install's path entry.
    """
    global ROOT
    for name in ("lib", "notebooks", "params"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")  # marks the copy as the checkout (params/)
    ROOT = dest
    sys.path.insert(0, str(dest / "lib"))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(dest / "lib"), os.environ.get("PYTHONPATH")) if p)


# ------------------------------------------------------------------------------------------ data
def build_store(folder: Path, seed: int | None) -> tuple[Path, dict[str, int]]:
    """The 63-province demo (7 years, survey) written as CSV and ingested into a store."""
    from parbrief.data.demo import DEMO_SEED, make_demo
    from parbrief.data.store import Store, ingest_file

    data = make_demo(seed=DEMO_SEED if seed is None else seed, provinces=63, units_per_province=(15, 35),
                     years=YEARS)
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "parbrief.duckdb"
    for name, frame in (("scores.csv", data.scores), ("national.csv", data.national), ("survey.csv", data.survey)):
        frame.to_csv(folder / name, index=False, lineterminator="\n")
        ingest_file(folder / name, store)
    with Store(store) as s:
        s.set_meta("synthetic", "true")
        scores = s.scores()
    provincial = scores[scores["province"] != "Việt Nam"]
    per_prov = provincial[provincial["year"] == YEAR].groupby("province")["unit"].nunique()
    return store, {
        "provinces": int(per_prov.size),
        "units_min": int(per_prov.min()),
        "units_median": int(per_prov.median()),
        "units_max": int(per_prov.max()),
        "score_rows": int(len(scores)),
        "survey_rows": int(len(data.survey)),
    }


def change_one_province(store: Path, folder: Path) -> str:
    """Re-ingest one province's 2024 scores with one unit's score moved (a data correction)."""
    from parbrief.data.store import Store, ingest_file
    from parbrief.spec import load_spec

    spec = load_spec()
    with Store(store, read_only=True) as s:
        scores = s.scores(spec=spec)
    provincial = scores[(scores["province"] != "Việt Nam") & (scores["year"] == YEAR)]
    province = sorted(provincial["province"].unique())[len(provincial["province"].unique()) // 2]
    rows = provincial[provincial["province"] == province].copy()
    comp = next(c for c in spec.components if rows[c.code].notna().all() and (rows[c.code] >= 1).all())
    first = rows.index[0]
    rows.loc[first, comp.code] = round(float(rows.loc[first, comp.code]) - 0.5, 2)
    rows.loc[first, "total"] = round(float(rows.loc[first, "total"]) - 0.5, 2)
    path = folder / "correction.csv"
    rows.to_csv(path, index=False, lineterminator="\n")
    ingest_file(path, store)
    return province


# ------------------------------------------------------------------------------------------ runs
def render_cmd(store: Path, out: Path, workers: int | None, extra: list[str] = ()) -> list[str]:
    cmd = [str(BIN / "parbrief"), "render", "--data", str(store), "--out", str(out), "--year", str(YEAR)]
    if workers:
        cmd += ["--workers", str(workers)]
    return cmd + list(extra)


def manifest(out: Path) -> dict:
    return json.loads((out / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))


def naive_loop(provinces: list[str], data: Path, folder: Path, survey: Path | None = None) -> Measure:
    """papermill CLI then nbconvert CLI, one province after the other (a shell script)."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = ROOT / "notebooks" / "province_brief.ipynb"
    lines = ["set -e"]
    for i, p in enumerate(provinces):
        executed = folder / f"brief-{i}.ipynb"
        params = ["-p", "province", p, "-p", "year", str(YEAR), "-p", "data", str(data)]
        if survey is not None:
            params += ["-p", "survey", str(survey)]
        lines.append(" ".join(_q(a) for a in [str(BIN / "papermill"), str(nb), str(executed), *params,
                                                "--cwd", str(folder), "--no-progress-bar"]))
        lines.append(" ".join(_q(a) for a in [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                                                "--no-prompt", str(executed)]))
    script = folder / "naive.sh"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return run_measured(["bash", str(script)], cwd=folder, env=env)


def _q(s: str) -> str:
    import shlex

    return shlex.quote(s)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _kb(n: int) -> str:
    return f"{n / 1000:,.0f} kB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=None, help="--workers for parbrief render (default: cores)")
    ap.add_argument("--naive", type=int, default=5, help="provinces in the naive loop (default 5)")
    ap.add_argument("--no-naive-snapshot", action="store_true", help="skip the naive loop on the snapshot")
    ap.add_argument("--compare-no-reuse", action="store_true",
                    help="also time `parbrief render --force --no-reuse` (a fresh kernel per brief) on all briefs")
    ap.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args(argv)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="parbrief-bench-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"cores": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        freeze_source(work / "src")
        t0 = time.perf_counter()
        store, shape = build_store(work / "data", args.seed)
        results["dataset"] = {**shape, "build_s": round(time.perf_counter() - t0, 1)}
        print(f"dataset: {shape['provinces']} provinces, {shape['units_min']}–{shape['units_max']} units "
              f"(median {shape['units_median']}) in {YEAR}, years {YEARS.start}–{YEARS.stop - 1}, "
              f"{shape['score_rows']:,} score rows, {shape['survey_rows']:,} survey answers "
              f"(built in {results['dataset']['build_s']} s)", flush=True)
        out = work / "out"

        # 1. full render
        m = run_measured(render_cmd(store, out, args.workers))
        if m.returncode != 0:
            print(m.stderr[-3000:], file=sys.stderr)
            return 1
        man = manifest(out)
        n_nb = len(man["briefs"])
        year_dir = out / str(YEAR)
        sizes = sorted((year_dir / f"{b['slug']}.html").stat().st_size for b in man["briefs"] if b["slug"] != "overview")
        ov = year_dir / "overview.html"
        full = {
            "wall_s": round(m.wall_s, 1), "cpu_s": round(m.cpu_s, 1), "notebooks": n_nb,
            "briefs_per_min": round(n_nb / m.wall_s * 60, 1), "peak_rss_mib": round(m.peak_rss / 2**20),
            "peak_processes": m.peak_processes, "html_median_kb": round(statistics.median(sizes) / 1000),
            "html_max_kb": round(max(sizes) / 1000), "overview_kb": round(ov.stat().st_size / 1000) if ov.exists() else None,
            "mode": man["mode"],
        }
        results["render"] = full
        print(f"\nparbrief render ({n_nb - 1} briefs + overview + index, {man['mode']['workers']} workers, "
              f"{man['mode']['kernel']}):")
        print(f"  wall {m.wall_s:.1f} s · CPU {m.cpu_s:.1f} s (all processes) · "
              f"{full['briefs_per_min']} briefs/min · peak memory {_mib(m.peak_rss)} over {m.peak_processes} processes")
        print(f"  brief HTML: median {_kb(statistics.median(sizes))}, largest {_kb(max(sizes))}"
              + (f"; overview {_kb(ov.stat().st_size)}" if ov.exists() else ""))
        phases = " · ".join(f"{k[:-2]} {v:.1f} s" for k, v in man["mode"].get("phases_s", {}).items())
        print(f"  kernels started {man['mode']['kernels_started']} (start+warm-up "
              f"{', '.join(f'{s:.1f}' for s in man['mode']['kernel_start_s'])} s) · inside the command: {phases}",
              flush=True)

        # 2. rerun, nothing changed
        m2 = run_measured(render_cmd(store, out, args.workers))
        man2 = manifest(out)
        results["rerun"] = {"wall_s": round(m2.wall_s, 2), "cpu_s": round(m2.cpu_s, 1),
                            "skipped": man2["mode"]["skipped"], "rendered": man2["mode"]["rendered"],
                            "peak_rss_mib": round(m2.peak_rss / 2**20)}
        print(f"\nrerun, nothing changed: wall {m2.wall_s:.2f} s · {man2['mode']['skipped']} skipped, "
              f"{man2['mode']['rendered']} rendered · peak memory {_mib(m2.peak_rss)}", flush=True)

        # 3. one province's data corrected
        province = change_one_province(store, work / "data")
        m3 = run_measured(render_cmd(store, out, args.workers))
        man3 = manifest(out)
        again = [b["title"] for b in man3["briefs"] if b["status"] == "ok"]
        results["one_change"] = {"province": province, "wall_s": round(m3.wall_s, 1), "rendered": again,
                                 "skipped": man3["mode"]["skipped"], "peak_rss_mib": round(m3.peak_rss / 2**20)}
        print(f"\none province changed ({province}): wall {m3.wall_s:.1f} s · re-rendered: "
              f"{', '.join(again) or 'none'} · {man3['mode']['skipped']} skipped · peak memory {_mib(m3.peak_rss)}",
              flush=True)

        # 4. the naive loop
        briefs = [b for b in man["briefs"] if b["slug"] != "overview"]
        step = max(1, len(briefs) // args.naive)
        chosen = [b["parameters"]["province"] for b in briefs[::step][: args.naive]]
        per_parbrief = m.wall_s / n_nb
        mn = naive_loop(chosen, store, work / "naive-store")
        if mn.returncode != 0:
            print(mn.stderr[-3000:], file=sys.stderr)
            return 1
        per_naive = mn.wall_s / len(chosen)
        results["naive_store"] = {"provinces": chosen, "wall_s": round(mn.wall_s, 1), "cpu_s": round(mn.cpu_s, 1),
                                  "per_brief_s": round(per_naive, 2), "peak_rss_mib": round(mn.peak_rss / 2**20),
                                  "ratio": round(per_naive / per_parbrief, 1)}
        print(f"\nnaive loop (papermill CLI + nbconvert CLI, sequential, data = the store) on {len(chosen)} provinces:")
        print(f"  wall {mn.wall_s:.1f} s · CPU {mn.cpu_s:.1f} s · {per_naive:.2f} s a brief · peak memory {_mib(mn.peak_rss)}")
        print(f"  per brief: naive {per_naive:.2f} s / parbrief {per_parbrief:.2f} s = {per_naive / per_parbrief:.1f}×",
              flush=True)
        if not args.no_naive_snapshot:
            snap = year_dir / "snapshot"
            survey = snap / "survey.parquet"
            ms = naive_loop(chosen, snap / "scores.parquet", work / "naive-snapshot",
                            survey if survey.is_file() else None)
            per_snap = ms.wall_s / len(chosen)
            results["naive_snapshot"] = {"wall_s": round(ms.wall_s, 1), "cpu_s": round(ms.cpu_s, 1),
                                         "per_brief_s": round(per_snap, 2), "ratio": round(per_snap / per_parbrief, 1)}
            print(f"naive loop, data = the render's Parquet snapshot (no store read per brief): wall {ms.wall_s:.1f} s · "
                  f"{per_snap:.2f} s a brief · {per_snap / per_parbrief:.1f}× parbrief's per-brief time")

        if args.compare_no_reuse:
            mr = run_measured(render_cmd(store, work / "out-no-reuse", args.workers, ["--no-reuse"]))
            per_fresh = mr.wall_s / n_nb
            results["no_reuse"] = {"wall_s": round(mr.wall_s, 1), "cpu_s": round(mr.cpu_s, 1),
                                   "per_brief_s": round(per_fresh, 2), "peak_rss_mib": round(mr.peak_rss / 2**20)}
            print(f"parbrief render --no-reuse (fresh kernel per brief, same workers): wall {mr.wall_s:.1f} s · "
                  f"CPU {mr.cpu_s:.1f} s · {per_fresh:.2f} s a brief · peak memory {_mib(mr.peak_rss)}")

        print("\ntargets: 63 briefs + index + overview ≤ 60 s wall · ≥ 12× per brief vs naive · rerun ≤ 5 s · "
              "one change → one brief · peak ≤ 1.5 GiB · each brief ≤ 1 MB")
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
