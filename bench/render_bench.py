"""Benchmark of ``parbrief render`` against a naive papermill + nbconvert loop (prints figures only).

What it does, in one run, in a temporary folder (``make bench``), every render a subprocess run
as a user runs it, timed from outside (wall time; CPU time summed over every process, the render
and its kernels; peak memory summed over the process tree, RSS sampled every 50 ms):

1. builds the 63-province demo dataset (``make_demo(provinces=63, units_per_province=(15, 35),
   years=2018–2024)``: 25 ± 10 units a province, 7 years, survey answers) and ingests it into a
   DuckDB store, as ``parbrief ingest`` would;
2. ``parbrief render`` of every brief of 2024 (63 provinces and the nation) + the national
   overview + the index, workbooks included: wall, CPU, briefs per minute, peak memory, median
   and largest brief HTML, the manifest's kernel start-up and phases;
3. the same command again with nothing changed (every brief skipped by its fingerprint);
4. one province from cold: ``--province`` (the province with the median unit count) into a new
   output folder, so no snapshot to reuse: the whole command's wall time, and when its brief was
   finished (the first time the manifest, rewritten as each brief ends, lists it ``ok``; polled
   every 50 ms) with the brief's own ``duration_s`` from the manifest;
5. step 2's command with ``--analysis`` (the analysts' pages too) into a new folder: wall, CPU and
   their ratio to step 2;
6. one province's 2024 data changed (re-ingested with one unit's score moved), step 2's command
   again: time, and which briefs re-rendered;
7. the naive loop on 5 provinces: for each, the ``papermill`` CLI on the brief notebook
   (parameters ``province``, ``year``, ``data`` = the store, as a user would pass it) and then
   ``jupyter nbconvert --to html --no-input``; one after the other. Then the same loop with
   ``data`` = the render's Parquet snapshot (the naive loop without the store read), to show
   where the gain comes from. The per-brief ratio is (naive wall / 5) / (step 2's wall / notebooks);
8. the cost curve. Against a province's size: for 10, 30, 100 and 170 units a province (the
   range of the 2025 map's communes a province), a store of 8 synthetic provinces with that many
   units each (same years), and ``--province`` for the 8 into a new folder: per brief = (wall −
   kernel start-up) / notebooks, and the median ``duration_s`` of the 8 briefs in the manifest;
   the ratio of the two at 100 and 30 units. Against the number of provinces: ``--province`` for
   the first 8, 16 and 32 provinces of step 1's store, each into a new folder (the 63 point is
   step 2), and a straight line through the points (fixed seconds + seconds a notebook).

The last lines are issue #15's targets, each with the figure measured and whether it is met
(a step skipped says so). Nothing is asserted; the figures go to stdout (``--json FILE`` also
writes them). ``--no-cold``, ``--no-analysis``, ``--no-change``, ``--no-naive``, ``--no-curve``
skip steps; ``--quick`` runs every step small (5 provinces, 1 naive brief, a short curve) to try
the bench itself.
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
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YEAR = 2024
YEARS = range(2018, 2025)
NATION = "Việt Nam"  # the national table's ``province`` (the nation's own brief)
GIB = 2**30


@dataclass(frozen=True)
class Sizes:
    """How big each step is: the full bench, or ``--quick``."""

    provinces: int = 63
    naive: int = 5
    curve_units: tuple[int, ...] = (10, 30, 100, 170)
    curve_unit_provinces: int = 8
    curve_provinces: tuple[int, ...] = (8, 16, 32)  # and step 2's render, every province


FULL = Sizes()
QUICK = Sizes(provinces=5, naive=1, curve_units=(10, 30, 100), curve_unit_provinces=1, curve_provinces=(2,))
#: Steps that can be skipped (``--no-<name>``).
OPTIONAL = {
    "cold": "one province from cold (step 4)",
    "analysis": "the render with --analysis (step 5)",
    "change": "one province's data changed (step 6)",
    "naive": "the naive loops (step 7)",
    "curve": "the cost curves (step 8)",
}


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
    mark_s: float | None = None  # when ``mark()`` first held (see run_measured)


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


def run_measured(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
                 mark: Callable[[], bool] | None = None) -> Measure:
    """Run ``cmd``; wall time, CPU of it and every descendant it waited for, peak summed RSS.

    ``mark`` is polled with the memory (every 50 ms): ``mark_s`` is when it first returned true.
    """
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
            if mark is not None and m.mark_s is None and mark():
                m.mark_s = time.perf_counter() - t0
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
@dataclass
class StoreInfo:
    """A demo store and its shape in :data:`YEAR`."""

    path: Path
    units: dict[str, int]  # province → units in YEAR
    shape: dict[str, int]


def build_store(folder: Path, seed: int | None, provinces: int | list[str] = 63,
                units_per_province: tuple[int, int] = (15, 35)) -> StoreInfo:
    """A demo (7 years, survey) written as CSV and ingested into a store, as ``parbrief ingest`` would."""
    from parbrief.data.demo import DEMO_SEED, make_demo
    from parbrief.data.store import Store, ingest_file

    data = make_demo(seed=DEMO_SEED if seed is None else seed, provinces=provinces,
                     units_per_province=units_per_province, years=YEARS)
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "parbrief.duckdb"
    for name, frame in (("scores.csv", data.scores), ("national.csv", data.national), ("survey.csv", data.survey)):
        frame.to_csv(folder / name, index=False, lineterminator="\n")
        ingest_file(folder / name, store)
    with Store(store) as s:
        s.set_meta("synthetic", "true")
        scores = s.scores()
    provincial = scores[scores["province"] != NATION]
    per_prov = provincial[provincial["year"] == YEAR].groupby("province")["unit"].nunique()
    return StoreInfo(store, {str(k): int(v) for k, v in per_prov.items()}, {
        "provinces": int(per_prov.size),
        "units_min": int(per_prov.min()),
        "units_median": int(per_prov.median()),
        "units_max": int(per_prov.max()),
        "score_rows": int(len(scores)),
        "survey_rows": int(len(data.survey)),
    })


def synthetic_provinces(n: int) -> list[str]:
    """The first ``n`` provinces (code order) that the demo fills with synthetic units.

    The bundled provinces keep their real units whatever ``units_per_province`` says, so a
    store of a given size per province takes these.
    """
    from parbrief.data.demo import bundled_units, pre2025_provinces

    bundled = set(bundled_units()["province"])
    ordered = pre2025_provinces().sort_values("province_code")["province"]
    return [p for p in ordered if p not in bundled][:n]


def median_province(units: dict[str, int]) -> str:
    """The province with the median unit count (the first by name among equals)."""
    target = statistics.median_low(units.values())
    return min(p for p, n in units.items() if n == target)


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
class BenchFailed(Exception):
    """A command of the bench failed: what it was, and the end of its stderr."""


def render_cmd(store: Path, out: Path, workers: int | None, extra: list[str] = ()) -> list[str]:
    cmd = [str(BIN / "parbrief"), "render", "--data", str(store), "--out", str(out), "--year", str(YEAR)]
    if workers:
        cmd += ["--workers", str(workers)]
    return cmd + list(extra)


def province_args(provinces: list[str]) -> list[str]:
    return [a for p in provinces for a in ("--province", p)]


def manifest(out: Path) -> dict:
    return json.loads((out / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))


def brief_done(out: Path, province: str) -> Callable[[], bool]:
    """True once ``out``'s manifest (rewritten as each brief ends) lists ``province``'s brief ``ok``."""
    path = out / str(YEAR) / "manifest.json"

    def done() -> bool:
        try:
            briefs = json.loads(path.read_text(encoding="utf-8"))["briefs"]
        except (OSError, ValueError, KeyError):
            return False
        return any(b["status"] == "ok" and b.get("parameters", {}).get("province") == province for b in briefs)

    return done


@dataclass
class Render:
    """One ``parbrief render`` run: its measure and its manifest."""

    label: str
    m: Measure
    out: Path
    man: dict

    @property
    def year_dir(self) -> Path:
        return self.out / str(YEAR)

    @property
    def notebooks(self) -> int:
        return len(self.man["briefs"])

    @property
    def kernel_start_s(self) -> float:
        """The longest kernel start-up and warm-up (the kernels start in parallel)."""
        return max(self.man["mode"]["kernel_start_s"], default=0.0)

    def brief_sizes(self) -> list[int]:
        """HTML bytes of every brief (the overview excluded), smallest first."""
        paths = (self.year_dir / f"{b['slug']}.html" for b in self.man["briefs"] if b["slug"] != "overview")
        return sorted(p.stat().st_size for p in paths if p.is_file())

    def durations(self) -> list[float]:
        """The manifest's ``duration_s`` of each province brief rendered now (not the nation's, not the overview)."""
        return [b["duration_s"] for b in self.man["briefs"] if b["status"] == "ok" and b["slug"] != "overview"
                and b.get("parameters", {}).get("province") != NATION]

    def figures(self) -> dict:
        """The figures every render step reports."""
        m, mode = self.m, self.man["mode"]
        sizes, durations = self.brief_sizes(), self.durations()
        ov = self.year_dir / "overview.html"
        return {
            "wall_s": round(m.wall_s, 2), "cpu_s": round(m.cpu_s, 1), "notebooks": self.notebooks,
            "rendered": mode["rendered"], "skipped": mode["skipped"],
            "briefs_per_min": round(self.notebooks / m.wall_s * 60, 1),
            "peak_rss_mib": round(m.peak_rss / 2**20), "peak_processes": m.peak_processes,
            "kernel_start_s": round(self.kernel_start_s, 2),
            "per_brief_wall_s": round((m.wall_s - self.kernel_start_s) / self.notebooks, 3),
            "brief_duration_median_s": round(statistics.median(durations), 3) if durations else None,
            "html_median_kb": round(statistics.median(sizes) / 1000) if sizes else None,
            "html_max_kb": round(max(sizes) / 1000) if sizes else None,
            "overview_kb": round(ov.stat().st_size / 1000) if ov.exists() else None,
            "mode": mode,
        }

    def provinces(self) -> list[str]:
        """The provinces of its briefs in the manifest's order (not the nation, not the overview)."""
        return [x["parameters"]["province"] for x in self.man["briefs"]
                if x["slug"] != "overview" and x["parameters"].get("province") != NATION]

    def memory_line(self) -> str:
        return f"peak memory {_mib(self.m.peak_rss)} over {self.m.peak_processes} processes"


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
    m = run_measured(["bash", str(script)], cwd=folder, env=env)
    if m.returncode != 0:
        raise BenchFailed(f"the naive loop ({data.name}) failed:\n{m.stderr[-3000:]}")
    return m


def _q(s: str) -> str:
    import shlex

    return shlex.quote(s)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _kb(n: float) -> str:
    return f"{n / 1000:,.0f} kB"


def _phases(man: dict) -> str:
    return " · ".join(f"{k[:-2]} {v:.1f} s" for k, v in man["mode"].get("phases_s", {}).items())


# ------------------------------------------------------------------------------------------ the bench
@dataclass
class Bench:
    """What the steps share: the options, the work folder, the main store, the renders so far."""

    args: argparse.Namespace
    sizes: Sizes
    work: Path
    results: dict = field(default_factory=dict)
    main: StoreInfo | None = None
    full: Render | None = None
    renders: list[Render] = field(default_factory=list)

    def render(self, label: str, store: Path, folder: str, extra: list[str] = (),
               mark: Callable[[Path], Callable[[], bool]] | None = None) -> Render:
        """``parbrief render`` of :data:`YEAR` from ``store`` into ``work/folder``, measured."""
        out = self.work / folder
        m = run_measured(render_cmd(store, out, self.args.workers, extra), mark=mark(out) if mark else None)
        if m.returncode != 0:
            raise BenchFailed(f"{label}: parbrief render failed (exit {m.returncode}):\n{m.stderr[-3000:]}")
        r = Render(label, m, out, manifest(out))
        self.renders.append(r)
        return r

    def skipped(self, step: str) -> bool:
        return getattr(self.args, f"no_{step}")


# ------------------------------------------------------------------------------------------ steps
def step_dataset(b: Bench) -> None:
    """1. The main store."""
    t0 = time.perf_counter()
    b.main = build_store(b.work / "data", b.args.seed, provinces=b.sizes.provinces)
    shape = b.main.shape
    b.results["dataset"] = {**shape, "build_s": round(time.perf_counter() - t0, 1)}
    print(f"1. dataset: {shape['provinces']} provinces, {shape['units_min']}–{shape['units_max']} units "
          f"(median {shape['units_median']}) in {YEAR}, years {YEARS.start}–{YEARS.stop - 1}, "
          f"{shape['score_rows']:,} score rows, {shape['survey_rows']:,} survey answers "
          f"(built in {b.results['dataset']['build_s']} s)", flush=True)


def step_full(b: Bench) -> None:
    """2. Every brief of the year, the overview and the index, into an empty folder."""
    r = b.full = b.render("full render", b.main.path, "out")
    f = b.results["render"] = r.figures()
    mode = r.man["mode"]
    briefs = [x for x in r.man["briefs"] if x["slug"] != "overview"]
    nation = any(x["parameters"].get("province") == NATION for x in briefs)
    who = f" ({len(briefs) - 1} provinces and the nation)" if nation else ""
    print(f"\n2. parbrief render ({len(briefs)} briefs{who} + overview + index, {mode['workers']} workers, "
          f"{mode['kernel']}):")
    print(f"  wall {r.m.wall_s:.1f} s · CPU {r.m.cpu_s:.1f} s (all processes) · {f['briefs_per_min']} briefs/min · "
          f"{r.memory_line()}")
    sizes = r.brief_sizes()
    print(f"  brief HTML: median {_kb(statistics.median(sizes))}, largest {_kb(max(sizes))}"
          + (f"; overview {f['overview_kb']} kB" if f["overview_kb"] is not None else ""))
    print(f"  kernels started {mode['kernels_started']} (start+warm-up "
          f"{', '.join(f'{s:.1f}' for s in mode['kernel_start_s'])} s) · per notebook "
          f"(wall − kernel start) / {r.notebooks} = {f['per_brief_wall_s']:.2f} s · a brief's own time "
          f"(manifest duration_s, median) {f['brief_duration_median_s']:.2f} s")
    print(f"  inside the command: {_phases(r.man)}", flush=True)


def step_rerun(b: Bench) -> None:
    """3. Step 2's command again, nothing changed."""
    r = b.render("rerun", b.main.path, "out")
    mode = r.man["mode"]
    b.results["rerun"] = {"wall_s": round(r.m.wall_s, 2), "cpu_s": round(r.m.cpu_s, 1), "skipped": mode["skipped"],
                          "rendered": mode["rendered"], "peak_rss_mib": round(r.m.peak_rss / 2**20)}
    print(f"\n3. rerun, nothing changed: wall {r.m.wall_s:.2f} s · {mode['skipped']} skipped, {mode['rendered']} "
          f"rendered · peak memory {_mib(r.m.peak_rss)}", flush=True)


def step_cold(b: Bench) -> None:
    """4. One province into a new folder (no snapshot): the command, and when its brief was done."""
    province = median_province(b.main.units)
    r = b.render("one province from cold", b.main.path, "out-cold", province_args([province]),
                 mark=lambda out: brief_done(out, province))
    brief = next(x for x in r.man["briefs"] if x["parameters"].get("province") == province)
    b.results["cold_one"] = {
        "province": province, "units": b.main.units[province], "notebooks": r.notebooks,
        "wall_s": round(r.m.wall_s, 2), "cpu_s": round(r.m.cpu_s, 1),
        "brief_done_s": round(r.m.mark_s, 2) if r.m.mark_s is not None else None,
        "brief_duration_s": brief["duration_s"], "kernel_start_s": round(r.kernel_start_s, 2),
        "phases_s": r.man["mode"].get("phases_s", {}), "peak_rss_mib": round(r.m.peak_rss / 2**20),
    }
    done = f"{r.m.mark_s:.1f} s" if r.m.mark_s is not None else "not seen"
    print(f"\n4. one province from cold: --province {province!r} ({b.main.units[province]} units), a new folder "
          f"(no snapshot), {r.notebooks} notebooks (its brief and the overview):")
    print(f"  its brief finished {done} after the command started (manifest polled) · the whole command "
          f"{r.m.wall_s:.1f} s wall, CPU {r.m.cpu_s:.1f} s · {r.memory_line()}")
    print(f"  the brief's own duration_s {brief['duration_s']:.1f} s · kernel start+warm-up "
          f"{r.kernel_start_s:.1f} s · inside the command: {_phases(r.man)}", flush=True)


def step_analysis(b: Bench) -> None:
    """5. Step 2 with ``--analysis`` into a new folder."""
    r = b.render("--analysis", b.main.path, "out-analysis", ["--analysis"])
    full = b.full.m
    pages = len(list((r.year_dir / "analysis").glob("*.html")))
    b.results["analysis"] = {
        "wall_s": round(r.m.wall_s, 1), "cpu_s": round(r.m.cpu_s, 1), "analysis_pages": pages,
        "peak_rss_mib": round(r.m.peak_rss / 2**20), "phases_s": r.man["mode"].get("phases_s", {}),
        "ratio_wall": round(r.m.wall_s / full.wall_s, 2), "ratio_cpu": round(r.m.cpu_s / full.cpu_s, 2),
    }
    print(f"\n5. parbrief render --analysis (step 2's briefs + {pages} analysts' pages, a new folder): "
          f"wall {r.m.wall_s:.1f} s · CPU {r.m.cpu_s:.1f} s · {r.memory_line()}")
    print(f"  {r.m.wall_s / full.wall_s:.2f}× step 2's wall, {r.m.cpu_s / full.cpu_s:.2f}× its CPU · "
          f"inside the command: {_phases(r.man)}", flush=True)


def step_change(b: Bench) -> None:
    """6. One province's data corrected, step 2's command again."""
    province = change_one_province(b.main.path, b.work / "data")
    r = b.render("one province changed", b.main.path, "out")
    again = [x["title"] for x in r.man["briefs"] if x["status"] == "ok"]
    b.results["one_change"] = {"province": province, "wall_s": round(r.m.wall_s, 1), "rendered": again,
                               "skipped": r.man["mode"]["skipped"], "peak_rss_mib": round(r.m.peak_rss / 2**20)}
    shown = ", ".join(again) if len(again) <= 5 else f"{len(again)} briefs"
    print(f"\n6. one province changed ({province}): wall {r.m.wall_s:.1f} s · re-rendered: {shown or 'none'} · "
          f"{r.man['mode']['skipped']} skipped · peak memory {_mib(r.m.peak_rss)}", flush=True)


def step_naive(b: Bench) -> None:
    """7. The naive loop on the store, then on the render's snapshot."""
    n = b.args.naive or b.sizes.naive
    provinces = b.full.provinces()
    chosen = provinces[:: max(1, len(provinces) // n)][:n]
    per_parbrief = b.full.m.wall_s / b.full.notebooks
    mn = naive_loop(chosen, b.main.path, b.work / "naive-store")
    per_naive = mn.wall_s / len(chosen)
    b.results["naive_store"] = {"provinces": chosen, "wall_s": round(mn.wall_s, 1), "cpu_s": round(mn.cpu_s, 1),
                                "per_brief_s": round(per_naive, 2), "peak_rss_mib": round(mn.peak_rss / 2**20),
                                "parbrief_per_brief_s": round(per_parbrief, 3),
                                "ratio": round(per_naive / per_parbrief, 1)}
    print(f"\n7. naive loop (papermill CLI + nbconvert CLI, sequential, data = the store) on {len(chosen)} "
          f"province{'s' if len(chosen) > 1 else ''} ({', '.join(chosen)}):")
    print(f"  wall {mn.wall_s:.1f} s · CPU {mn.cpu_s:.1f} s · {per_naive:.2f} s a brief · "
          f"peak memory {_mib(mn.peak_rss)}")
    print(f"  per brief: naive {per_naive:.2f} s / parbrief {per_parbrief:.2f} s (step 2's wall / {b.full.notebooks} "
          f"notebooks) = {per_naive / per_parbrief:.1f}×", flush=True)
    if b.args.no_naive_snapshot:
        return
    snap = b.full.year_dir / "snapshot"
    survey = snap / "survey.parquet"
    ms = naive_loop(chosen, snap / "scores.parquet", b.work / "naive-snapshot", survey if survey.is_file() else None)
    per_snap = ms.wall_s / len(chosen)
    b.results["naive_snapshot"] = {"wall_s": round(ms.wall_s, 1), "cpu_s": round(ms.cpu_s, 1),
                                   "per_brief_s": round(per_snap, 2), "ratio": round(per_snap / per_parbrief, 1)}
    print(f"  naive loop, data = the render's Parquet snapshot (no store read per brief): wall {ms.wall_s:.1f} s · "
          f"{per_snap:.2f} s a brief · {per_snap / per_parbrief:.1f}× parbrief's per-brief time", flush=True)


def step_no_reuse(b: Bench) -> None:
    """``--compare-no-reuse``: step 2 on a fresh kernel per brief."""
    r = b.render("--no-reuse", b.main.path, "out-no-reuse", ["--no-reuse"])
    per_fresh = r.m.wall_s / r.notebooks
    b.results["no_reuse"] = {"wall_s": round(r.m.wall_s, 1), "cpu_s": round(r.m.cpu_s, 1),
                             "per_brief_s": round(per_fresh, 2), "peak_rss_mib": round(r.m.peak_rss / 2**20)}
    print(f"\nparbrief render --no-reuse (fresh kernel per brief, same workers): wall {r.m.wall_s:.1f} s · "
          f"CPU {r.m.cpu_s:.1f} s · {per_fresh:.2f} s a brief · peak memory {_mib(r.m.peak_rss)}", flush=True)


def _curve_point(r: Render) -> dict:
    f = r.figures()
    keep = ("wall_s", "cpu_s", "notebooks", "kernel_start_s", "per_brief_wall_s", "brief_duration_median_s",
            "html_max_kb", "peak_rss_mib")
    return {k: f[k] for k in keep}


def step_curve(b: Bench) -> None:
    """8. The cost curves: against a province's units, against the number of provinces."""
    curve_units(b)
    curve_provinces(b)


def curve_units(b: Bench) -> None:
    provinces = synthetic_provinces(b.sizes.curve_unit_provinces)
    many = f"{len(provinces)} synthetic province{'s' if len(provinces) > 1 else ''}"
    print(f"\n8a. cost against a province's units: {many} with n units each (a store "
          f"each, years {YEARS.start}–{YEARS.stop - 1}), --province for them into a new folder:", flush=True)
    points = []
    for n in b.sizes.curve_units:
        info = build_store(b.work / f"curve-data-{n}", b.args.seed, provinces=provinces, units_per_province=(n, n))
        r = b.render(f"{n} units a province", info.path, f"curve-units-{n}", province_args(provinces))
        p = {"units": n, **_curve_point(r)}
        points.append(p)
        print(f"  {n:>4} units: wall {p['wall_s']:.1f} s · {p['notebooks']} notebooks · kernel start "
              f"{p['kernel_start_s']:.1f} s · per notebook {p['per_brief_wall_s']:.2f} s (wall) · a brief "
              f"{p['brief_duration_median_s']:.2f} s (manifest median) · largest brief {p['html_max_kb']} kB · "
              f"peak {p['peak_rss_mib']:,} MiB", flush=True)
    b.results["curve_units"] = {"provinces": provinces, "points": points}
    at = {p["units"]: p for p in points}
    if 100 in at and 30 in at:
        ratio = {"manifest_median": round(at[100]["brief_duration_median_s"] / at[30]["brief_duration_median_s"], 2),
                 "wall": round(at[100]["per_brief_wall_s"] / at[30]["per_brief_wall_s"], 2)}
        b.results["curve_units"]["ratio_100_30"] = ratio
        print(f"  per brief at 100 units / at 30 units: {ratio['manifest_median']:.2f}× (manifest medians) · "
              f"{ratio['wall']:.2f}× (wall per notebook)")


def curve_provinces(b: Bench) -> None:
    order = b.full.provinces()
    print(f"\n8b. total time against the provinces: --province for the first K of step 1's store, each into a new "
          f"folder (the last point is step 2: every province and the nation):", flush=True)
    points = []
    for k in (k for k in b.sizes.curve_provinces if k < len(order)):
        points.append({"provinces": k, **_curve_point(b.render(f"{k} provinces", b.main.path, f"curve-provinces-{k}",
                                                               province_args(order[:k])))})
    points.append({"provinces": len(order), **_curve_point(b.full), "step_2": True})
    for p in points:
        print(f"  {p['provinces']:>4} provinces: wall {p['wall_s']:.1f} s · CPU {p['cpu_s']:.1f} s · "
              f"{p['notebooks']} notebooks · per notebook {p['per_brief_wall_s']:.2f} s (wall) · a brief "
              f"{p['brief_duration_median_s']:.2f} s (manifest median) · peak {p['peak_rss_mib']:,} MiB", flush=True)
    b.results["curve_provinces"] = {"points": points}
    if len(points) >= 2:
        fit = statistics.linear_regression([p["notebooks"] for p in points], [p["wall_s"] for p in points])
        b.results["curve_provinces"]["fit"] = {"fixed_s": round(fit.intercept, 2),
                                               "per_notebook_s": round(fit.slope, 3)}
        print(f"  a straight line through them: wall ≈ {fit.intercept:.1f} s + {fit.slope:.2f} s a notebook")


# ------------------------------------------------------------------------------------------ targets
def _row(b: Bench, target: str, key: str, step: str | None, figure: Callable[[], tuple[str, bool | None]]) -> dict:
    """A target's row: the figure measured and whether it is met, or why it was not measured."""
    if key not in b.results:
        why = f"not measured (--no-{step})" if step and b.skipped(step) else "not measured"
        return {"target": target, "measured": why, "met": None}
    text, met = figure()
    return {"target": target, "measured": text, "met": met}


def target_rows(b: Bench) -> list[dict]:
    """Issue #15's targets against this run's figures."""
    r, full = b.results, b.results["render"]
    cores = f"{b.results['cores']} cores" + ("" if b.results["cores"] == 2 else ", not 2")
    peak_all = max(b.renders, key=lambda x: x.m.peak_rss)
    curve_max = max((p for p in r.get("curve_units", {}).get("points", [])), key=lambda p: p["units"], default=None)
    ratio = r.get("curve_units", {}).get("ratio_100_30")

    def naive() -> tuple[str, bool]:
        x = r["naive_store"]
        return f"{x['ratio']:.1f}× ({x['per_brief_s']:.2f} s / {x['parbrief_per_brief_s']:.2f} s)", x["ratio"] >= 20

    def cold() -> tuple[str, bool]:
        x = r["cold_one"]
        if x["brief_done_s"] is None:
            return f"brief finish not seen; the command {x['wall_s']:.1f} s", x["wall_s"] <= 4
        return f"{x['brief_done_s']:.1f} s to the brief (the command {x['wall_s']:.1f} s)", x["brief_done_s"] <= 4

    def memory() -> tuple[str, bool]:
        most = "" if peak_all is b.full else f" (most in the run: {_mib(peak_all.m.peak_rss)}, {peak_all.label})"
        return f"{full['peak_rss_mib']:,} MiB{most}", full["peak_rss_mib"] * 2**20 <= GIB

    def size() -> tuple[str, bool]:
        extra = f" ({curve_max['units']} units a province: {curve_max['html_max_kb']} kB)" if curve_max else ""
        return f"largest {full['html_max_kb']} kB{extra}", full["html_max_kb"] <= 600

    def analysis() -> tuple[str, bool]:
        x = r["analysis"]
        return f"{x['ratio_wall']:.2f}× wall ({x['wall_s']:.1f} s), {x['ratio_cpu']:.2f}× CPU", x["ratio_wall"] <= 2

    def curve() -> tuple[str, bool]:
        if ratio is None:
            return "not measured (no 30 and 100 units points)", None
        return (f"{ratio['manifest_median']:.2f}× (a brief's duration_s; {ratio['wall']:.2f}× by wall)",
                ratio["manifest_median"] <= 1.5)

    rr = r["rerun"]
    return [
        _row(b, f"{full['notebooks'] - 1} briefs + overview + index ≤ 25 s wall on 2 cores", "render", None,
             lambda: (f"{full['wall_s']:.1f} s ({full['mode']['workers']} workers, {cores})", full["wall_s"] <= 25)),
        _row(b, "≥ 20× per brief against the naive loop", "naive_store", "naive", naive),
        _row(b, "unchanged rerun ≤ 2 s", "rerun", None, lambda: (f"{rr['wall_s']:.2f} s", rr["wall_s"] <= 2)),
        _row(b, "one province from cold ≤ 4 s to its finished brief", "cold_one", "cold", cold),
        _row(b, "peak memory (sum over processes) ≤ 1 GiB", "render", None, memory),
        _row(b, "each brief ≤ 600 kB", "render", None, size),
        _row(b, "--analysis ≤ 2× the default render", "analysis", "analysis", analysis),
        _row(b, "per brief at 100 units / at 30 units ≤ 1.5", "curve_units", "curve", curve),
    ]


def print_targets(rows: list[dict], quick: bool) -> None:
    tw = max(len(x["target"]) for x in rows)
    mw = max(len(x["measured"]) for x in rows)
    label = {True: "met", False: "NOT MET", None: "–"}
    print("\ntargets (issue #15), measured in this run"
          + (" (--quick: smaller runs than the targets speak of)" if quick else "") + ":")
    for x in rows:
        print(f"  {x['target']:<{tw}}  {x['measured']:<{mw}}  {label[x['met']]}")


# ------------------------------------------------------------------------------------------ main
#: The steps in order (name, function); the names in :data:`OPTIONAL` can be skipped.
STEPS: tuple[tuple[str, Callable[[Bench], None]], ...] = (
    ("dataset", step_dataset), ("full", step_full), ("rerun", step_rerun), ("cold", step_cold),
    ("analysis", step_analysis), ("change", step_change), ("naive", step_naive), ("no_reuse", step_no_reuse),
    ("curve", step_curve),
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=None, help="--workers for parbrief render (default: cores)")
    ap.add_argument("--naive", type=int, default=None, help="provinces in the naive loop (default 5; --quick 1)")
    ap.add_argument("--no-naive-snapshot", action="store_true", help="skip the naive loop on the snapshot")
    for name, what in OPTIONAL.items():
        ap.add_argument(f"--no-{name}", action="store_true", help=f"skip {what}")
    ap.add_argument("--compare-no-reuse", action="store_true",
                    help="also time `parbrief render --no-reuse` (a fresh kernel per brief) on all briefs")
    ap.add_argument("--quick", action="store_true",
                    help="every step small, to try the bench: 5 provinces, 1 naive brief, a short curve")
    ap.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    ap.add_argument("--seed", type=int, default=None)
    return ap.parse_args(argv)


def work_folder(keep: Path | None) -> Path:
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="parbrief-bench-"))
    if keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    return work


def wanted(b: Bench, step: str) -> bool:
    if step == "no_reuse":
        return b.args.compare_no_reuse
    return not (step in OPTIONAL and b.skipped(step))


def run_steps(b: Bench) -> None:
    t0 = time.perf_counter()
    seconds = b.results["steps_s"] = {}
    for name, step in STEPS:
        if not wanted(b, name):
            continue
        t = time.perf_counter()
        step(b)
        seconds[name] = round(time.perf_counter() - t, 1)
    b.results["bench_s"] = round(time.perf_counter() - t0, 1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = work_folder(args.keep)
    b = Bench(args, QUICK if args.quick else FULL, work,
              {"cores": os.cpu_count(), "python": sys.version.split()[0], "quick": args.quick,
               "skipped": [s for s in OPTIONAL if getattr(args, f"no_{s}")]})
    try:
        freeze_source(work / "src")
        print(f"source: {ROOT} (a copy of {Path(__file__).resolve().parents[1]}) · {os.cpu_count()} cores"
              + (" · --quick" if args.quick else ""), flush=True)
        try:
            run_steps(b)
        except BenchFailed as exc:
            print(exc, file=sys.stderr)
            return 1
        rows = b.results["targets"] = target_rows(b)
        print_targets(rows, args.quick)
        print(f"\nthe bench took {b.results['bench_s'] / 60:.1f} min ("
              + ", ".join(f"{k} {v:.0f} s" for k, v in b.results["steps_s"].items()) + ")")
        return 0
    finally:
        if args.json:
            args.json.write_text(json.dumps(b.results, ensure_ascii=False, indent=1, default=str) + "\n",
                                 encoding="utf-8")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
