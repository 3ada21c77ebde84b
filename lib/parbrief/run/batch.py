"""``parbrief render``: resolve parameters, snapshot the data once, render every brief in parallel.

The order of work follows the district-digest pattern: validate everything first (params, data,
provinces, year), then execute each brief independently, collect failures across the batch, and
build the index and manifest as a separate last step. One failing province never stops the
others; the command exits non-zero and names the failing cell.

What makes it fast (issue 5; figures in the README's "Performance"):

- the data are loaded once per render into a Parquet snapshot, and not at all when the data
  file is unchanged since the last render (:func:`find_snapshot`);
- notebooks run through papermill on a pool of warm kernels, one per worker, each importing the
  libraries and reading the snapshot once and reset to that state before every brief
  (:mod:`parbrief.run.engine`, :mod:`parbrief.run.kernel_state`); ``reuse=False`` runs each
  brief on a fresh kernel instead;
- a brief whose fingerprint (notebook, library, parameters, its own data slice:
  :mod:`parbrief.run.fingerprint`) matches its last successful render is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from parbrief.data.validate import NATIONAL
from parbrief.errors import ParamsError
from parbrief.run.execute import BriefJob, BriefOutcome, render_brief
from parbrief.run.params import BriefParams, RunConfig, resolve_run, slugify

__all__ = [
    "NATIONAL", "RenderSummary", "SnapshotData", "default_params_dir", "find_snapshot", "notebook_path",
    "render", "render_from_args", "write_render_snapshot",
]


@dataclass(frozen=True)
class RenderSummary:
    """What a render did: the outcomes in province order, where things went, and the exit code."""

    year: int
    out_dir: Path
    outcomes: tuple[BriefOutcome, ...]
    index: Path
    manifest: Path

    @property
    def failed(self) -> list[BriefOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    @property
    def skipped(self) -> list[BriefOutcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    def lines(self) -> list[str]:
        ok = [o for o in self.outcomes if o.status == "ok"]
        first = f"{len(ok)}/{len(self.outcomes)} briefs rendered into {self.out_dir}"
        if self.skipped:
            first += f" ({len(self.skipped)} unchanged since their last render, kept)"
        out = [first, f"index: {self.index}"]
        for o in self.failed:
            err = o.error or {}
            cell = err.get("cell_index")
            where = f"cell {cell}" if cell is not None else "before any cell"
            first = f" ({err['cell_first_line']})" if err.get("cell_first_line") else ""
            out.append(
                f"FAILED {o.title}: {where}{first}: {err.get('ename') or err.get('type')}: "
                f"{err.get('evalue') or err.get('message')} — notebook kept at {o.notebook}"
            )
        return out


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def default_params_dir() -> Path:
    """The repository's ``params/`` folder (the package is installed editable from the repo)."""
    for cand in (_repo_root() / "params", Path.cwd() / "params"):
        if cand.is_dir():
            return cand
    return Path.cwd() / "params"


def notebook_path(name: str) -> Path:
    """A notebook shipped with the repository (``notebooks/<name>.ipynb``)."""
    for cand in (_repo_root() / "notebooks", Path.cwd() / "notebooks"):
        p = cand / f"{name}.ipynb"
        if p.is_file():
            return p
    raise ParamsError(f"notebook {name}.ipynb not found under notebooks/")


@dataclass(frozen=True)
class SnapshotData:
    """The render's snapshot, as the kernels will read it, and where it came from."""

    scores: pd.DataFrame
    meta: dict[str, str]
    scores_path: Path
    survey_path: Path | None
    sha256: str           # of the snapshot's Parquet bytes (= the data's frames_sha256)
    data_sha256: str      # of the data as loaded (same frames, so the same value)
    reused: bool          # True: the source had not changed, the existing snapshot was read back

    def survey_of_year(self, year: int) -> pd.DataFrame | None:
        """The snapshot's survey rows of ``year``, in file order (``None`` without a survey).

        Read from the Parquet file with a filter: the parent needs one year's answers (to hash
        each brief's slice), not the whole survey in memory next to the kernels' copies.
        """
        if self.survey_path is None:
            return None
        return pd.read_parquet(self.survey_path, filters=[("year", "==", int(year))])


def _source_key(data: Path, spec_file: Path) -> dict[str, Any]:
    """What the snapshot is a function of: the data file (and a DuckDB log), the spec, the loader."""
    from parbrief.run.fingerprint import file_sha256, library_fingerprint

    key: dict[str, Any] = {"data": file_sha256(data), "spec": file_sha256(spec_file)}
    wal = data.with_name(data.name + ".wal")
    if wal.is_file():
        key["wal"] = file_sha256(wal)
    key["library"] = library_fingerprint()["source_sha256"]
    return key


def _read_snapshot(folder: Path) -> tuple[pd.DataFrame, bool, dict[str, str]]:
    """Scores (what the kernels read), whether there is a survey file, and the meta."""
    scores = pd.read_parquet(folder / "scores.parquet")
    has_survey = (folder / "survey.parquet").is_file()
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    return scores, has_survey, meta


def find_snapshot(data: Path, spec_file: Path, out: Path) -> SnapshotData | None:
    """An existing snapshot under ``out/<year>/snapshot`` made from exactly this data and spec.

    ``source.json`` beside each snapshot records the SHA-256 of the data file (and of a DuckDB
    write-ahead log), of the spec and of parbrief's source; a snapshot is reused only when all
    match. Loading a store with ≈ 600 000 survey rows takes seconds, hashing its file
    milliseconds. The newest matching snapshot wins; ``None`` when there is none.
    """
    if not Path(out).is_dir() or not Path(data).is_file():
        return None
    key = _source_key(Path(data), Path(spec_file))
    found = []
    for src in Path(out).glob("*/snapshot/source.json"):
        try:
            recorded = json.loads(src.read_text(encoding="utf-8"))
            found.append((src.stat().st_mtime, src.parent, recorded))
        except (OSError, ValueError):
            continue
    for _, folder, recorded in sorted(found, key=lambda x: x[0], reverse=True):
        if not isinstance(recorded, dict) or recorded.get("key") != key:
            continue
        try:
            scores, has_survey, meta = _read_snapshot(folder)
        except (OSError, ValueError):
            continue
        if has_survey != bool(recorded.get("has_survey")):
            continue
        return SnapshotData(scores, meta, folder / "scores.parquet",
                            folder / "survey.parquet" if has_survey else None,
                            recorded["sha256"], recorded["data_sha256"], True)
    return None


def write_render_snapshot(bundle: Any, data: Path, spec_file: Path, folder: Path) -> SnapshotData:
    """Write the render's snapshot (Parquet, ``meta.json``, then ``source.json``) and read it back.

    ``source.json`` is removed first and written last, so a crash half-way never leaves a
    snapshot that :func:`find_snapshot` would take for complete. The frames returned are the
    ones read back from the files, i.e. exactly what the kernels read.
    """
    from parbrief.data.store import write_snapshot
    from parbrief.files import atomic_write_text

    folder = Path(folder)
    source = folder / "source.json"
    if source.exists():
        source.unlink()
    snap = write_snapshot(bundle.scores, bundle.survey, folder)
    if snap.survey_path is None and (folder / "survey.parquet").exists():
        (folder / "survey.parquet").unlink()  # a survey from an older snapshot must not linger
    atomic_write_text(folder / "meta.json", json.dumps(dict(bundle.meta), ensure_ascii=False, sort_keys=True))
    scores, _, meta = _read_snapshot(folder)
    atomic_write_text(
        source,
        json.dumps({"key": _source_key(Path(data), Path(spec_file)), "sha256": snap.sha256,
                    "data_sha256": bundle.sha256, "has_survey": snap.survey_path is not None}, indent=1) + "\n",
    )
    return SnapshotData(scores, meta, snap.scores_path, snap.survey_path, snap.sha256, bundle.sha256, False)


def _copy_snapshot(snap: SnapshotData, folder: Path) -> SnapshotData:
    """The same snapshot copied into ``folder`` (a render for another year of the same data)."""
    src = snap.scores_path.parent
    if src.resolve() == Path(folder).resolve():
        return snap
    if (folder / "source.json").exists():
        (folder / "source.json").unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("scores.parquet", "survey.parquet", "meta.json"):
        if (folder / name).exists():
            (folder / name).unlink()
        if (src / name).exists():
            shutil.copy2(src / name, folder / name)
    shutil.copy2(src / "source.json", folder / "source.json")
    return replace(snap, scores_path=folder / "scores.parquet",
                   survey_path=(folder / "survey.parquet") if snap.survey_path is not None else None)


def _release_memory() -> None:
    """Give the memory of the store load back to the system before the kernels start.

    Loading a store peaks far above what the frames keep (pivoting the survey items); glibc
    and Arrow's allocator keep freed pages otherwise, and the kernels would stack on top.
    """
    import gc

    from parbrief.run.kernel_state import trim_memory

    gc.collect()
    trim_memory()


def _brief_fingerprint(
    *, notebook_sha: str, library: dict[str, Any], parameters: dict[str, Any], slice_sha: str
) -> tuple[str, dict[str, str]]:
    from parbrief.run.fingerprint import combine, params_sha256

    parts = {
        "notebook": notebook_sha,
        "library": combine(library),
        "parameters": params_sha256(parameters),
        "data_slice": slice_sha,
    }
    return combine(parts), parts


def _run_jobs(
    jobs: Sequence[BriefJob],
    workers: int,
    progress: bool,
    *,
    reuse: bool = True,
    warm: dict[str, str] | None = None,
    on_success: Callable[[BriefOutcome], None] | None = None,
) -> tuple[list[BriefOutcome], dict[str, Any]]:
    """Render jobs on a kernel pool (warm kernels reused, or a fresh kernel per brief).

    papermill and the kernel machinery are imported here, only when there is something to
    render: a rerun that skips every brief never pays for them (≈ 1.2 s).
    """
    if not jobs:
        return [], {"kernels_started": 0, "kernels_retired": 0, "kernel_start_s": []}
    import threading

    from tqdm.auto import tqdm

    from parbrief.run.engine import KernelPool, WarmSpec

    bar = tqdm(total=len(jobs), desc="briefs", unit="brief", disable=not progress, file=sys.stderr)
    lock = threading.Lock()

    def done(outcome: BriefOutcome) -> None:
        with lock:
            if on_success is not None and outcome.status == "ok":
                on_success(outcome)
            bar.update()

    def failed(job: BriefJob, exc: BaseException) -> BriefOutcome:
        return BriefOutcome(
            slug=job.slug, title=job.title, status="failed", duration_s=0.0,
            error={"type": type(exc).__name__, "message": (str(exc).strip().splitlines() or [""])[-1][:500]},
        )

    pool: KernelPool[BriefJob, BriefOutcome] = KernelPool(workers, reuse=reuse, warm=WarmSpec(**(warm or {})))
    try:
        outcomes = pool.run(jobs, render_brief, ok=lambda o: o.status == "ok", on_result=done, on_error=failed)
    finally:
        bar.close()
    return outcomes, pool.stats


def render(
    *,
    data: Path,
    out: Path = Path("outputs"),
    year: int | None = None,
    provinces: Sequence[str] | None = None,
    lang: str | None = None,
    spec_path: Path | None = None,
    params_file: Path | None = None,
    defaults_file: Path | None = None,
    workers: int | None = None,
    overview: bool = True,
    progress: bool = True,
    notebook: Path | None = None,
    cli_overrides: dict[str, Any] | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
    force: bool = False,
    reuse: bool = True,
    analysis: bool = False,
) -> RenderSummary:
    """Render one year's province briefs (and the national overview) from a store or file.

    Work done once per render, not per brief: loading the data and writing the snapshot
    (read back from the last snapshot when the data file is unchanged, see :func:`find_snapshot`), each kernel's
    imports and snapshot read (a pool of ``workers`` warm kernels, reset before every brief;
    ``reuse=False`` starts a fresh kernel per brief instead). A brief whose fingerprint
    (notebook, library, parameters, its data slice: :mod:`parbrief.run.fingerprint`) equals
    the one recorded after its last successful render, and whose HTML is still there, is not
    rendered again: it keeps its files and is listed with status ``skipped``; ``force=True``
    renders everything. The manifest's ``mode`` says which engine, reuse, workers and how
    many were skipped.
    """
    from parbrief.report.brief import headline_rows
    from parbrief.run.fingerprint import (
        Fingerprints,
        file_sha256,
        library_fingerprint,
        overview_slice_sha256,
        province_slice_hashes,
    )
    from parbrief.run.index import write_index
    from parbrief.run.manifest import build_manifest, write_manifest
    from parbrief.spec import default_spec_path, load_spec

    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    spec_file = Path(spec_path) if spec_path else default_spec_path()
    spec = load_spec(spec_file)
    if defaults_file is None:
        cand = default_params_dir() / "defaults.yaml"
        defaults_file = cand if cand.is_file() else None

    out = Path(out)
    data = Path(data)
    # Resolve and validate everything against the data before anything is written. The data
    # come from an earlier render's snapshot when their source is unchanged (a hash check),
    # else from the store or file (the slow path: the whole load happens here, once).
    phases: dict[str, float] = {}
    mark = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = round(now - mark, 3)
        mark = now

    snap: SnapshotData | None = None if force else find_snapshot(data, spec_file, out)
    bundle = None
    if snap is not None:
        scores = snap.scores
    else:
        from parbrief.data.store import load_data

        bundle = load_data(data, spec)
        scores = bundle.scores
    provincial = scores[scores["province"] != NATIONAL]
    national = scores[scores["province"] == NATIONAL]
    if provinces is None and year is not None:
        in_year = provincial.loc[provincial["year"] == year, "province"].unique().tolist()
    else:
        in_year = provincial["province"].unique().tolist()

    cli = {"lang": lang, **(cli_overrides or {})}
    config: RunConfig = resolve_run(
        available_provinces=in_year,
        available_years=sorted(provincial["year"].unique().tolist()) or sorted(scores["year"].unique().tolist()),
        data="", survey="", spec=str(spec_file.resolve()),
        band_schemes=spec.band_schemes.keys(),
        defaults_file=defaults_file, params_file=params_file,
        cli=cli, provinces=provinces, year=year,
    )
    if provinces is None:
        with_year = set(provincial.loc[provincial["year"] == config.year, "province"])
        config = RunConfig(
            year=config.year,
            briefs=tuple(b for b in config.briefs if b.province in with_year),
            sources=config.sources,
        )
    year_dir = out / str(config.year)
    if snap is None:
        del scores, provincial, national
        snap = write_render_snapshot(bundle, data, spec_file, year_dir / "snapshot")
        del bundle
        _release_memory()  # the store load peaks far above what the frames keep
    else:
        snap = _copy_snapshot(snap, year_dir / "snapshot")
    scores = snap.scores
    national = scores[scores["province"] == NATIONAL]
    phase("data_s")
    snap_scores, snap_survey = snap.scores_path, snap.survey_path
    notebook = str(notebook or notebook_path("province_brief"))

    jobs: list[BriefJob] = []
    params_by_slug: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    briefs: list[BriefParams] = []
    for b in config.briefs:
        b = BriefParams(**{**b.as_notebook_parameters(), "data": str(snap_scores.resolve()),
                           "survey": str(snap_survey.resolve()) if snap_survey else ""})
        briefs.append(b)
        slug = slugify(b.province, taken)
        taken.add(slug)
        params_by_slug[slug] = b.as_notebook_parameters()
        jobs.append(BriefJob(notebook=notebook, parameters=b.as_notebook_parameters(), out_dir=str(year_dir),
                             slug=slug, title=f"{b.province} — {b.year}", lang=b.lang))
    slug_of = {b.province: j.slug for b, j in zip(briefs, jobs)}
    overview_nb = None
    if overview and not national[national["year"] == config.year].empty:
        ov_lang = briefs[0].lang if briefs else (lang or "vi")
        ov_params = {
            "year": config.year, "data": str(snap_scores.resolve()), "spec": str(spec_file.resolve()),
            "lang": ov_lang, "national_band_scheme": briefs[0].national_band_scheme if briefs else "national",
            "links": {p: f"{s}.html" for p, s in slug_of.items()},
        }
        title = ("Toàn quốc" if ov_lang == "vi" else "National overview") + f" — {config.year}"
        params_by_slug["overview"] = ov_params
        overview_nb = str(notebook_path("overview"))
        jobs.append(BriefJob(notebook=overview_nb, parameters=ov_params,
                             out_dir=str(year_dir), slug="overview", title=title, lang=ov_lang))

    # Fingerprints: which briefs changed since their last successful render?
    library = library_fingerprint()
    nb_sha = {path: file_sha256(path) for path in {j.notebook for j in jobs}}
    slices = province_slice_hashes(scores, snap.survey_of_year(config.year), [b.province for b in briefs],
                                   config.year, snap.meta)
    slice_of = {j.slug: slices[b.province] for b, j in zip(briefs, jobs)}
    if overview_nb is not None:
        slice_of["overview"] = overview_slice_sha256(scores, config.year, snap.meta)
    prints = {
        j.slug: _brief_fingerprint(notebook_sha=nb_sha[j.notebook], library=library,
                                   parameters=j.parameters, slice_sha=slice_of[j.slug])
        for j in jobs
    }
    fp_store = Fingerprints.load(year_dir / "fingerprints.json")
    to_run: list[BriefJob] = []
    skipped: dict[str, BriefOutcome] = {}
    for j in jobs:
        fp = prints[j.slug][0]
        if not force and fp_store.matches(j.slug, fp, year_dir):
            rec = fp_store.records[j.slug]
            nb_file = year_dir / f"{j.slug}.ipynb"
            skipped[j.slug] = BriefOutcome(
                slug=j.slug, title=j.title, status="skipped", duration_s=0.0,
                html=str(year_dir / f"{j.slug}.html"), notebook=str(nb_file) if nb_file.is_file() else None,
                fingerprint=fp, rendered=rec.get("rendered"),
            )
        else:
            to_run.append(j)

    phase("fingerprints_s")
    n_workers = max(1, workers if workers else (os.cpu_count() or 1))
    engine_mode = "warm kernels (reset before each brief)" if reuse else "fresh kernel per brief"
    how = f"; {min(n_workers, len(to_run))} worker(s), {engine_mode}" if to_run else ""
    log(f"parbrief render: {len(jobs)} notebook(s) for {config.year}: {len(to_run)} to render, "
        f"{len(skipped)} unchanged{how}")

    # A manifest that says what has finished, rewritten (atomically) as each brief succeeds, so
    # a render killed midway leaves a true account; the final one says "complete": true.
    progress_state = {j.slug: skipped.get(j.slug) or BriefOutcome(slug=j.slug, title=j.title, status="pending",
                                                                 duration_s=0.0) for j in jobs}

    def write_progress() -> None:
        write_manifest(year_dir / "manifest.json", build_manifest(
            year=config.year, parameters=params_by_slug, outcomes=[progress_state[j.slug] for j in jobs],
            data_source=str(data), data_sha256=snap.data_sha256, snapshot_sha256=snap.sha256,
            mode={"engine": "papermill, engine 'parbrief'", "reuse": reuse, "force": force},
            started=started, duration_s=time.perf_counter() - t0,
            extra={"complete": False, "spec": str(spec_file), "fingerprints": "fingerprints.json"},
        ))

    write_progress()

    def record(o: BriefOutcome) -> None:  # called (under a lock) as each brief succeeds
        fp, parts = prints[o.slug]
        fp_store.record(o.slug, {"fingerprint": fp, "parts": parts, "rendered": o.rendered,
                                 "duration_s": o.duration_s})
        fp_store.save()
        progress_state[o.slug] = o
        write_progress()

    warm = {"scores": str(snap_scores.resolve()), "survey": str(snap_survey.resolve()) if snap_survey else "",
            "spec": str(spec_file.resolve())}
    # Longest first (a brief's time grows with its units), so no long brief is left for the end
    # while the other kernels idle; outcomes are put back in province order below.
    size = scores.loc[scores["year"] == config.year].groupby("province").size()
    units = {j.slug: int(size.get(b.province, 0)) for b, j in zip(briefs, jobs)}
    queue = sorted(to_run, key=lambda j: -units.get(j.slug, 0))
    ran, pool_stats = _run_jobs(queue, n_workers, progress, reuse=reuse, warm=warm, on_success=record)
    phase("notebooks_s")
    by_slug = {o.slug: o for o in ran}
    outcomes = [
        (replace(by_slug[j.slug], fingerprint=prints[j.slug][0]) if by_slug[j.slug].status == "ok"
         else by_slug[j.slug]) if j.slug in by_slug else skipped[j.slug]
        for j in jobs
    ]
    from parbrief.run.analysis import after_briefs  # workbooks always; analysis pages with --analysis

    extras = after_briefs(jobs, outcomes, year_dir, lang=briefs[0].lang if briefs else (lang or "vi"),
                          analysis=analysis, workers=n_workers, reuse=reuse, warm=warm, log=log)
    phase("workbooks_analysis_s")

    heads = headline_rows(scores, [b.province for b in briefs], config.year, spec,
                          national_scheme=briefs[0].national_band_scheme if briefs else "national",
                          lang=briefs[0].lang if briefs else (lang or "vi"))
    # The index links every brief that exists and is current: a skipped one is as good as new.
    listed = [replace(o, status="ok") if o.status == "skipped" else o for o in outcomes]
    index = write_index(year_dir / "index.html", year=config.year, outcomes=listed, headlines=heads,
                        lang=briefs[0].lang if briefs else (lang or "vi"), synthetic=snap.meta.get("synthetic") == "true")
    phase("index_s")
    mode = {
        "engine": "papermill, engine 'parbrief' (parbrief.run.engine.WarmKernelEngine)",
        "reuse": reuse,
        "kernel": engine_mode,
        "workers": n_workers,
        "force": force,
        "rendered": len(ran),
        "skipped": len(skipped),
        "kernels_started": pool_stats["kernels_started"],
        "kernels_retired": pool_stats["kernels_retired"],
        "kernel_start_s": pool_stats["kernel_start_s"],
        "snapshot_reused": snap.reused,
        "phases_s": phases,
    }
    manifest = build_manifest(
        year=config.year, parameters=params_by_slug, outcomes=outcomes,
        data_source=str(data), data_sha256=snap.data_sha256, snapshot_sha256=snap.sha256,
        mode=mode, started=started, duration_s=time.perf_counter() - t0,
        extra={"complete": True, "params_sources": list(config.sources), "spec": str(spec_file),
               "fingerprints": "fingerprints.json"},
    )
    manifest_path = write_manifest(year_dir / "manifest.json", manifest)
    return RenderSummary(year=config.year, out_dir=year_dir, outcomes=tuple(outcomes), index=index,
                         manifest=manifest_path)


def render_from_args(args: argparse.Namespace) -> int:
    """The ``parbrief render`` command: run :func:`render` and print a summary."""
    if args.data is None:
        raise ParamsError(
            "--data is required: a store (.duckdb) written by `parbrief ingest`/`parbrief demo`, "
            "or a CSV/Excel/Parquet scores file"
        )
    summary = render(
        data=args.data, out=args.out, year=args.year, provinces=args.province, lang=args.lang,
        spec_path=args.spec, params_file=args.params, workers=args.workers,
        progress=True, force=getattr(args, "force", False), reuse=not getattr(args, "no_reuse", False),
        analysis=getattr(args, "analysis", False),
    )
    for line in summary.lines():
        print(line)
    code = summary.exit_code
    if getattr(args, "pdf", False):
        from parbrief.run.pdf import print_briefs

        pdfs, errors = print_briefs(summary.out_dir, [o.slug for o in summary.outcomes if o.status != "failed"])
        print(f"{len(pdfs)} PDF(s) in {summary.out_dir}")
        for err in errors:
            print(f"PDF FAILED {err}")
        code = code or (1 if errors else 0)
    return code
