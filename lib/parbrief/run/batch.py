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
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import pandas as pd

from parbrief.config import ConfigError, check_layer, default
from parbrief.data.validate import NATIONAL
from parbrief.errors import ParamsError
from parbrief.files import refuse_system_folder, shipped_file
from parbrief.run.execute import BriefJob, BriefOutcome, render_brief
from parbrief.run.params import BriefParams, RunConfig, file_settings, resolve_run, slugify
from parbrief.text.messages import t

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

    def lines(self, lang: str = "en") -> list[str]:
        """The summary for the console: briefs rendered, the index, then one line per failure
        (``run.console.*``; ``parbrief render`` prints it in the run's language, like its other lines)."""
        ok = [o for o in self.outcomes if o.status == "ok"]
        first = t("run.console.rendered", lang, ok=len(ok), n=len(self.outcomes), out=self.out_dir)
        if self.skipped:
            first += t("run.console.kept", lang, n=len(self.skipped))
        out = [first, t("run.console.index", lang, index=self.index)]
        for o in self.failed:
            err = o.error or {}
            cell = err.get("cell_index")
            where = t("run.console.cell", lang, cell=cell) if cell is not None else t("run.console.no_cell", lang)
            line = f" ({err['cell_first_line']})" if err.get("cell_first_line") else ""
            out.append(t("run.console.failed_brief", lang, title=o.title, where=where + line,
                         error=f"{err.get('ename') or err.get('type')}: {err.get('evalue') or err.get('message')}",
                         notebook=o.notebook))
        return out


def default_params_dir() -> Path:
    """The ``params/`` folder: the checkout's, else the working directory's, else the packaged copy."""
    found = shipped_file("params", "defaults.yaml")
    return found.parent if found is not None else Path.cwd() / "params"


def notebook_path(name: str) -> Path:
    """A notebook parbrief ships (``notebooks/<name>.ipynb``: checkout, working directory or package)."""
    found = shipped_file("notebooks", f"{name}.ipynb")
    if found is None:
        raise ParamsError.keyed("run.error.notebook_missing", name=name)
    return found


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


def _source_key(data: Path, spec_file: Path, aliases: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What the snapshot is a function of: the data file (and a DuckDB log), the spec, the
    params' aliases (when any), the loader."""
    from parbrief.run.fingerprint import file_sha256, library_fingerprint, params_sha256

    key: dict[str, Any] = {"data": file_sha256(data), "spec": file_sha256(spec_file)}
    if aliases:
        key["aliases"] = params_sha256(aliases)
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


def find_snapshot(data: Path, spec_file: Path, out: Path,
                  aliases: Mapping[str, Any] | None = None) -> SnapshotData | None:
    """An existing snapshot under ``out/<year>/snapshot`` made from exactly this data and spec.

    ``source.json`` beside each snapshot records the SHA-256 of the data file (and of a DuckDB
    write-ahead log), of the spec and of parbrief's source; a snapshot is reused only when all
    match. Loading a store with ≈ 600 000 survey rows takes seconds, hashing its file
    milliseconds. The newest matching snapshot wins; ``None`` when there is none.
    """
    if not Path(out).is_dir() or not Path(data).is_file():
        return None
    key = _source_key(Path(data), Path(spec_file), aliases)
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


def write_render_snapshot(bundle: Any, data: Path, spec_file: Path, folder: Path,
                          aliases: Mapping[str, Any] | None = None) -> SnapshotData:
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
    # the data file's name (not its path): what a brief's sources name
    meta = {**dict(bundle.meta), "source_file": Path(data).name}
    atomic_write_text(folder / "meta.json", json.dumps(meta, ensure_ascii=False, sort_keys=True))
    scores, _, meta = _read_snapshot(folder)
    atomic_write_text(
        source,
        json.dumps({"key": _source_key(Path(data), Path(spec_file), aliases), "sha256": snap.sha256,
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
    *, notebook_sha: str, library: dict[str, Any], parameters: dict[str, Any], slice_sha: str, lang: str, title: str
) -> tuple[str, dict[str, str]]:
    """A job's fingerprint and its parts: everything its HTML is made from (see :mod:`parbrief.run.fingerprint`)."""
    from parbrief.run.fingerprint import combine, params_sha256

    parts = {
        "notebook": notebook_sha,
        "library": combine(library),
        "parameters": params_sha256(parameters),
        "page": combine({"lang": lang, "title": title}),  # what the HTML export is given besides the notebook
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
    on_outcome: Callable[[BriefOutcome], None] | None = None,
    pool: Any = None,
    extra: Sequence[BriefJob] = (),
    then: Callable[[BriefJob, BriefOutcome], Sequence[BriefJob]] | None = None,
    total: int | None = None,
) -> tuple[list[BriefOutcome], dict[str, Any]]:
    """Render jobs on a kernel pool (warm kernels reused, or a fresh kernel per brief).

    ``on_outcome`` is called (under a lock) as each job ends, whether it succeeded or failed.
    ``pool``: a :class:`~parbrief.run.engine.KernelPool` whose kernels were started early
    (:class:`_EarlyKernels`); it is given the snapshot (``warm``) here. ``extra`` jobs are queued
    after ``jobs``, and ``then(job, outcome)`` gives the jobs to run next on the same kernel
    (:meth:`~parbrief.run.engine.KernelPool.run`): the analysis pages. Outcomes: ``jobs`` in
    order, then ``extra``, then the follow-ups; ``total`` is the progress bar's count of them all.

    papermill and the kernel machinery are imported here, only when there is something to
    render: a rerun that skips every brief never pays for them (≈ 1.2 s).
    """
    if not jobs and not extra:
        if pool is not None:
            pool.close()
        return [], {"kernels_started": 0, "kernels_retired": 0, "kernel_start_s": []}
    import threading

    from tqdm.auto import tqdm

    from parbrief.run.engine import KernelPool, WarmSpec

    bar = tqdm(total=total or len(jobs) + len(extra), desc="briefs", unit="notebook", disable=not progress,
               file=sys.stderr)
    lock = threading.Lock()

    def done(outcome: BriefOutcome) -> None:
        with lock:
            if on_outcome is not None:
                on_outcome(outcome)
            bar.update()

    def failed(job: BriefJob, exc: BaseException) -> BriefOutcome:
        return BriefOutcome(
            slug=job.slug, title=job.title, status="failed", duration_s=0.0,
            error={"type": type(exc).__name__, "message": (str(exc).strip().splitlines() or [""])[-1][:500]},
        )

    if pool is None:
        pool = KernelPool(workers, reuse=reuse, warm=WarmSpec(**(warm or {})))
    else:  # started early: no more kernels than these jobs need (the others are shut down)
        pool.warm = WarmSpec(**(warm or {}))
        pool.workers = min(pool.workers, workers)
    try:
        outcomes = pool.run([*jobs, *extra], render_brief, ok=lambda o: o.status == "ok", on_result=done,
                            on_error=failed, then=then)
    finally:
        bar.close()
    return outcomes, pool.stats


def _kernels_for(workers: int, briefs: int) -> int:
    """How many kernels a render starts for ``briefs`` briefs (analysis pages of unchanged briefs
    counted): at most one a brief and never more than ``workers``.

    The overview does not count: it takes ≈ 0.5 s, and a kernel of its own costs ≈ 3–4 s of CPU to
    start, which on two cores slows the brief beside it (one province from cold: its brief 7.7 →
    6.6 s); it runs after the briefs on their kernel.
    """
    return max(1, min(workers, briefs))


class _EarlyKernels:
    """Kernels started while a render loads its data from a store or file (the slow path).

    A kernel takes ≈ 3 s to start and import the brief's libraries; loading a store takes
    1–2 s more before the first brief could start. When no earlier snapshot of the data can be
    reused (a rerun with nothing changed never starts a kernel), :meth:`start` starts as many
    kernels as the render will use; the pool gives them the snapshot once it is written.
    :meth:`close` shuts down any that no job took (a refused parameter, nothing to render).
    """

    def __init__(self, workers: int, reuse: bool, provinces: Sequence[str] | None, overview: bool) -> None:
        self.workers = workers
        self.n = workers if provinces is None else _kernels_for(workers, len(provinces))
        self.reuse = reuse
        self.pool: Any = None

    def start(self, briefs: int | None = None) -> None:
        """Start the kernels (no more than ``briefs`` briefs need, when given); once only."""
        if briefs is not None:
            self.n = min(self.n, _kernels_for(self.workers, briefs))
        if not self.reuse or self.n < 1 or self.pool is not None:
            return
        from parbrief.run.engine import KernelPool

        self.pool = KernelPool(self.n, reuse=True)
        self.pool.prestart(self.n)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


class _Phases:
    """Wall-clock seconds of each phase of a render, for the manifest's ``mode.phases_s``."""

    def __init__(self) -> None:
        self.started = datetime.now(timezone.utc)
        self.t0 = self._mark = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._mark, 3)
        self._mark = now

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0


@dataclass
class _Plan:
    """A render planned and validated: the data snapshot, the jobs, and which of them to run."""

    data: Path
    spec_file: Path
    spec: Any
    config: RunConfig
    year_dir: Path
    snap: SnapshotData
    briefs: list[BriefParams]
    jobs: list[BriefJob]
    params_by_slug: dict[str, dict[str, Any]]
    lang: str
    prints: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    to_run: list[BriefJob] = field(default_factory=list)
    skipped: dict[str, BriefOutcome] = field(default_factory=dict)
    fp_store: Any = None

    @cached_property
    def provenance(self) -> dict[str, Any]:
        """The manifest's package versions and git commit, read once per render."""
        from parbrief.run.manifest import run_provenance

        return run_provenance()

    @property
    def national_scheme(self) -> str:
        return self.briefs[0].national_band_scheme if self.briefs else default("national_band_scheme")


def _with_aliases(bundle: Any, aliases: Mapping[str, Mapping[str, str]] | None) -> Any:
    """A store's data with the params' aliases applied; refused when two units of one
    province-year end up with one name."""
    from parbrief.data.names import apply_aliases
    from parbrief.data.store import frames_sha256

    if not aliases:
        return bundle
    scores = apply_aliases(bundle.scores, aliases)
    dup = scores[scores.duplicated(["province", "unit", "year"], keep=False)]
    if not dup.empty:
        row = dup.iloc[0]
        raise ConfigError("config.error.aliases_duplicate", province=row["province"], unit=row["unit"],
                          year=int(row["year"]))
    survey = apply_aliases(bundle.survey, aliases) if bundle.survey is not None else None
    return replace(bundle, scores=scores, survey=survey, sha256=frames_sha256(scores, survey))


def _refuse_without_scores(config: RunConfig, provincial: pd.DataFrame, with_year: set[str]) -> None:
    """A ``--province`` the data hold, but not in the year rendered: refused naming its years."""
    from parbrief.data.unit_names import years_text

    for b in config.briefs:
        if b.province not in with_year:
            years = sorted(int(y) for y in provincial.loc[provincial["province"] == b.province, "year"].unique())
            raise ConfigError("integrity.params.province_no_scores", province=b.province, year=config.year,
                              years=years_text(years))


def _resolve(
    *, data: Path, out: Path, spec_file: Path, spec: Any, aliases: Mapping[str, Any] | None, year: int | None,
    provinces: Sequence[str] | None, cli: dict[str, Any], defaults_file: Path | None, params_file: Path | None,
    force: bool, phase: _Phases, before_load: Callable[[], None] | None = None,
) -> tuple[RunConfig, SnapshotData]:
    """Resolve and validate every parameter against the data before anything is written.

    The data come from an earlier render's snapshot when their source is unchanged (a hash
    check), else from the store or file (the slow path: the whole load happens here, once);
    the snapshot of this render is written under ``out/<year>/snapshot``.
    """
    snap: SnapshotData | None = None if force else find_snapshot(data, spec_file, out, aliases)
    bundle = None
    if snap is not None:
        scores = snap.scores
    else:
        from parbrief.data.store import is_store_path, load_data

        if before_load is not None:
            before_load()  # the kernels start now, while the data load
        bundle = load_data(data, spec, aliases=aliases)
        if is_store_path(data):  # a scores file had them applied while validated
            bundle = _with_aliases(bundle, aliases)
        scores = bundle.scores
    provincial = scores[scores["province"] != NATIONAL]
    # The national table is a brief of its own ("Việt Nam": its units are the provinces).
    national_years = set(int(y) for y in scores.loc[scores["province"] == NATIONAL, "year"].unique())
    if provinces is None and year is not None:
        in_year = provincial.loc[provincial["year"] == year, "province"].unique().tolist()
        in_year += [NATIONAL] if year in national_years else []
    else:
        in_year = provincial["province"].unique().tolist() + ([NATIONAL] if national_years else [])
    config = resolve_run(
        available_provinces=in_year,
        available_years=sorted(provincial["year"].unique().tolist()) or sorted(scores["year"].unique().tolist()),
        data="", survey="", spec=str(spec_file.resolve()),
        band_schemes=spec.band_schemes.keys(), default_scheme=spec.default_scheme,
        national_scheme=spec.national_scheme_id,
        defaults_file=defaults_file, params_file=params_file,
        cli=cli, provinces=provinces, year=year,
    )
    with_year = set(provincial.loc[provincial["year"] == config.year, "province"])
    with_year |= {NATIONAL} if config.year in national_years else set()
    if provinces is None:  # the nation's brief first, then the provinces in Vietnamese order
        config = replace(config, briefs=tuple(sorted((b for b in config.briefs if b.province in with_year),
                                                     key=lambda b: b.province != NATIONAL)))
    else:  # asked for by name: one without scores in the year is refused before any notebook starts
        _refuse_without_scores(config, scores, with_year)
    year_dir = out / str(config.year)
    try:
        if snap is None:
            del scores, provincial
            snap = write_render_snapshot(bundle, data, spec_file, year_dir / "snapshot", aliases)
            del bundle
            _release_memory()  # the store load peaks far above what the frames keep
        else:
            snap = _copy_snapshot(snap, year_dir / "snapshot")
    except OSError as exc:  # a full disk or a read-only folder: a message naming it, not a traceback
        from parbrief.run.lock import folder_error

        raise folder_error(year_dir, exc) from None
    phase("data_s")
    return config, snap


def _make_jobs(
    *, config: RunConfig, snap: SnapshotData, spec_file: Path, year_dir: Path, notebook: Path | None,
    overview: bool, lang: str | None, notes_dir: Path | None = None,
) -> tuple[list[BriefParams], list[BriefJob], dict[str, dict[str, Any]], str]:
    """One job per brief (parameters pointing at the snapshot), then the national overview.

    Returns the briefs, the jobs, each job's parameters by slug (for the manifest) and the
    language of the index and overview. A brief whose province has a comments file under
    ``notes_dir`` (:func:`parbrief.run.params.notes_file`) gets its path as ``notes``.
    """
    from parbrief.run.params import notes_file

    snap_scores, snap_survey = snap.scores_path, snap.survey_path
    nb = str(notebook or notebook_path("province_brief"))
    jobs: list[BriefJob] = []
    params_by_slug: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    briefs: list[BriefParams] = []
    for b in config.briefs:
        found = notes_file(notes_dir, b.province, b.year)
        b = replace(b, data=str(snap_scores.resolve()), survey=str(snap_survey.resolve()) if snap_survey else "",
                    notes=str(found.resolve()) if found is not None else "")
        briefs.append(b)
        slug = slugify(b.province, taken)
        taken.add(slug)
        params_by_slug[slug] = b.as_notebook_parameters()
        jobs.append(BriefJob(notebook=nb, parameters=b.as_notebook_parameters(), out_dir=str(year_dir),
                             slug=slug, title=f"{b.province} — {b.year}", lang=b.lang))
    index_lang = briefs[0].lang if briefs else (lang or default("lang"))
    national = snap.scores[snap.scores["province"] == NATIONAL]
    if overview and not national[national["year"] == config.year].empty:
        slug_of = {b.province: j.slug for b, j in zip(briefs, jobs)}
        ov_params = {
            "year": config.year, "data": str(snap_scores.resolve()), "spec": str(spec_file.resolve()),
            "lang": index_lang,
            "national_band_scheme": briefs[0].national_band_scheme if briefs else default("national_band_scheme"),
            "links": {p: f"{s}.html" for p, s in slug_of.items()},
        }
        title = ("Toàn quốc" if index_lang == "vi" else "National overview") + f" — {config.year}"
        params_by_slug["overview"] = ov_params
        jobs.append(BriefJob(notebook=str(notebook_path("overview")), parameters=ov_params,
                             out_dir=str(year_dir), slug="overview", title=title, lang=index_lang))
    return briefs, jobs, params_by_slug, index_lang


def _select_changed(plan: _Plan, force: bool) -> None:
    """Fingerprint every job and keep for rendering only those changed since their last render."""
    from parbrief.run.fingerprint import (
        Fingerprints,
        file_sha256,
        library_fingerprint,
        overview_slice_sha256,
        province_slice_hashes,
    )

    year, snap, year_dir = plan.config.year, plan.snap, plan.year_dir
    library = library_fingerprint()
    nb_sha = {path: file_sha256(path) for path in {j.notebook for j in plan.jobs}}
    slices = province_slice_hashes(snap.scores, snap.survey_of_year(year), [b.province for b in plan.briefs],
                                   year, snap.meta)
    slice_of = {j.slug: slices[b.province] for b, j in zip(plan.briefs, plan.jobs)}
    if "overview" in plan.params_by_slug:
        slice_of["overview"] = overview_slice_sha256(snap.scores, year, snap.meta)
    plan.prints = {
        j.slug: _brief_fingerprint(notebook_sha=nb_sha[j.notebook], library=library,
                                   parameters=j.parameters, slice_sha=slice_of[j.slug], lang=j.lang, title=j.title)
        for j in plan.jobs
    }
    plan.fp_store = Fingerprints.load(year_dir / "fingerprints.json")
    for j in plan.jobs:
        fp = plan.prints[j.slug][0]
        if not force and plan.fp_store.matches(j.slug, fp, year_dir):
            nb_file = year_dir / f"{j.slug}.ipynb"
            plan.skipped[j.slug] = BriefOutcome(
                slug=j.slug, title=j.title, status="skipped", duration_s=0.0,
                html=str(year_dir / f"{j.slug}.html"), notebook=str(nb_file) if nb_file.is_file() else None,
                fingerprint=fp, rendered=plan.fp_store.records[j.slug].get("rendered"),
            )
        else:
            plan.to_run.append(j)


def _plan(
    *, data: Path | None, out: Path, year: int | None, provinces: Sequence[str] | None, lang: str | None,
    spec_path: Path | None, params_file: Path | None, defaults_file: Path | None, overview: bool,
    notebook: Path | None, cli_overrides: dict[str, Any] | None, force: bool, phase: _Phases,
    before_load: Callable[[], None] | None = None,
) -> _Plan:
    """Validate everything, snapshot the data, build and fingerprint the jobs (nothing rendered)."""
    from parbrief.config import TUNABLE_KEYS
    from parbrief.spec import default_spec_path, load_spec

    cli = {"lang": lang, **(cli_overrides or {}), "year": year}
    check_layer({k: v for k, v in cli.items() if v is not None}, None, TUNABLE_KEYS + ("year",))  # before any load
    del cli["year"]
    if defaults_file is None:
        cand = default_params_dir() / "defaults.yaml"
        defaults_file = cand if cand.is_file() else None
    settings = file_settings(defaults_file, params_file)
    data = Path(data) if data is not None else settings.data
    if data is None:
        raise ConfigError("config.error.data_required")
    spec_file = Path(spec_path) if spec_path else (settings.spec or default_spec_path())
    spec = load_spec(spec_file)
    config, snap = _resolve(
        data=data, out=out, spec_file=spec_file, spec=spec, aliases=settings.aliases, year=year,
        provinces=provinces, cli=cli, defaults_file=defaults_file,
        params_file=params_file, force=force, phase=phase, before_load=before_load,
    )
    year_dir = out / str(config.year)
    params_dir = (params_file or defaults_file).parent if (params_file or defaults_file) else default_params_dir()
    briefs, jobs, params_by_slug, index_lang = _make_jobs(
        config=config, snap=snap, spec_file=spec_file, year_dir=year_dir, notebook=notebook,
        overview=overview, lang=lang, notes_dir=Path(params_dir) / "notes")
    plan = _Plan(data=data, spec_file=spec_file, spec=spec, config=config, year_dir=year_dir, snap=snap,
                 briefs=briefs, jobs=jobs, params_by_slug=params_by_slug, lang=index_lang)
    _select_changed(plan, force)
    phase("fingerprints_s")
    return plan


def _workers(workers: int | None, log: Callable[[str], None], lang: str = "en") -> int:
    """``--workers`` checked (at least 1) and capped at the cores (more only slows a render down)."""
    cores = os.cpu_count() or 1
    if workers is None:
        return cores
    check_layer({"workers": workers}, None, ("workers",))
    if workers > cores:
        log(ConfigError("config.error.workers_capped", asked=workers, cores=cores).message(lang))
        return cores
    return workers


def _execute(
    plan: _Plan, *, n_workers: int, reuse: bool, force: bool, progress: bool, phase: _Phases,
    log: Callable[[str], None], analysis: bool = False, pool: Any = None,
) -> tuple[list[BriefOutcome], list[BriefOutcome], dict[str, Any]]:
    """Render the changed jobs on the kernel pool, keeping a true manifest as each brief lands.

    Returns the outcomes in job order (skipped ones included), the ones rendered now, and the
    pool's statistics.
    """
    from parbrief.run.analysis import EarlyWorkbooks, after_briefs, page_chains
    from parbrief.run.manifest import build_manifest, write_manifest

    console = plan.lang  # the render's console lines are in the run's language
    starts, then, n_pages = page_chains(plan.to_run, [j for j in plan.jobs if j.slug in plan.skipped], plan.year_dir,
                                        analysis=analysis)
    # warm kernels: the overview runs after the briefs on theirs (fresh ones: each notebook starts its own)
    todo = [*plan.to_run, *starts]
    kernels = (_kernels_for(n_workers, sum(1 for j in todo if j.slug != "overview")) if reuse
               else max(1, min(n_workers, len(todo))))
    how = t("run.console.workers", console, n=kernels,
            mode=t("run.console.warm" if reuse else "run.console.fresh", console)) if plan.to_run else ""
    log(t("run.console.start", console, n=len(plan.jobs), year=plan.config.year, to_run=len(plan.to_run),
          unchanged=len(plan.skipped), how=how))

    # A manifest that says what has ended, rewritten (atomically) as each brief succeeds or
    # fails, so a render killed midway leaves a true account; the final one says "complete": true.
    progress_state = {j.slug: plan.skipped.get(j.slug) or BriefOutcome(slug=j.slug, title=j.title,
                                                                      status="pending", duration_s=0.0)
                      for j in plan.jobs}
    lang_of = {j.slug: j.lang for j in plan.jobs}
    unsaved: list[str] = []

    def write_progress() -> None:
        write_manifest(plan.year_dir / "manifest.json", build_manifest(
            year=plan.config.year, parameters=plan.params_by_slug,
            outcomes=[progress_state[j.slug] for j in plan.jobs],
            data_source=str(plan.data), data_sha256=plan.snap.data_sha256, snapshot_sha256=plan.snap.sha256,
            mode={"engine": "papermill, engine 'parbrief'", "reuse": reuse, "force": force},
            started=phase.started, duration_s=phase.elapsed(),
            extra={"complete": False, "spec": str(plan.spec_file), "fingerprints": "fingerprints.json"},
            year_dir=plan.year_dir, records=plan.fp_store.records, provenance=plan.provenance,
        ))

    try:
        write_progress()
    except OSError as exc:
        from parbrief.run.lock import folder_error

        raise folder_error(plan.year_dir, exc) from None

    def record(o: BriefOutcome) -> None:  # called (under a lock) as each brief ends; must not raise
        try:
            if o.status == "ok":
                fp, parts = plan.prints[o.slug]
                plan.fp_store.record(o.slug, {"fingerprint": fp, "parts": parts, "lang": lang_of[o.slug],
                                              "rendered": o.rendered, "duration_s": o.duration_s})
                plan.fp_store.save()
                o = replace(o, fingerprint=fp)
            progress_state[o.slug] = o
            write_progress()
        except OSError as exc:  # a full disk: the files on disk stay as they were (atomic writes)
            if not unsaved:
                log(f"parbrief render: {plan.year_dir}: {exc.strerror or exc}")
            unsaved.append(o.slug)

    snap = plan.snap
    snapshot = {"scores": str(snap.scores_path.resolve()),
                "survey": str(snap.survey_path.resolve()) if snap.survey_path else "",
                "spec": str(plan.spec_file.resolve())}
    if pool is not None and todo:  # kernels started early read the snapshot now, while the pools are computed
        from parbrief.run.engine import WarmSpec

        pool.preload(WarmSpec(**snapshot))
    warm = {**snapshot,
            # The pools are computed here only when this process has the time, while the kernels
            # start: a reused snapshot (no data to load) or one kernel (a core to spare). After a
            # fresh load with two kernels the kernels would wait for them (measured: 8 provinces of
            # 100 units 21.1–21.5 → 22.1–22.3 s), so each computes its own, as before.
            "pools": _pools_for(plan, todo) if reuse and (snap.reused or kernels == 1) else ""}
    phase("pools_s")
    # Longest first (a brief's time grows with its units), so no long brief is left for the end
    # while the other kernels idle; outcomes are put back in province order below.
    size = snap.scores.loc[snap.scores["year"] == plan.config.year].groupby("province").size()
    units = {j.slug: int(size.get(b.province, 0)) for b, j in zip(plan.briefs, plan.jobs)}
    queue = sorted(plan.to_run, key=lambda j: -units.get(j.slug, 0))
    # With --analysis, each brief's pages follow it on its kernel (what it computed is still in
    # that kernel's memory); an unchanged brief's pages are queued after the briefs.
    briefs = {j.slug for j in queue}
    books = EarlyWorkbooks([j.slug for j in plan.jobs], [j.slug for j in queue], plan.year_dir, plan.lang)

    def landed(o: BriefOutcome) -> None:
        if o.slug in briefs:
            record(o)
            books.landed(o)  # the last brief: the workbooks are written while the overview runs

    done = _run_jobs(queue, kernels, progress, reuse=reuse, warm=warm, pool=pool, extra=starts, then=then,
                     on_outcome=landed, total=len(queue) + n_pages)
    ran = [o for o in done[0] if o.slug in briefs]
    pool_stats = done[1]
    phase("notebooks_s")
    by_slug = {o.slug: o for o in ran}
    outcomes = [
        (replace(by_slug[j.slug], fingerprint=plan.prints[j.slug][0]) if by_slug[j.slug].status == "ok"
         else by_slug[j.slug]) if j.slug in by_slug else plan.skipped[j.slug]
        for j in plan.jobs
    ]
    pages = [o for o in done[0] if o.slug not in briefs]
    pool_stats = dict(pool_stats, extras=after_briefs(outcomes, plan.year_dir, lang=plan.lang, pages=pages, log=log,
                                                             books=books))
    phase("workbooks_analysis_s")
    return outcomes, ran, pool_stats


class _BriefKey(NamedTuple):
    province: str
    year: int
    min_years: int


def _pools_for(plan: _Plan, jobs: Sequence[BriefJob]) -> str:
    """The store's pooled ρ of the briefs and pages in ``jobs``, computed here once for every kernel
    (:mod:`parbrief.run.pools`); the file's path, or "" when nothing needs them."""
    from parbrief.run.pools import share_pools

    keys = {_BriefKey(str(p["province"]), int(p.get("year", plan.config.year)),
                      int(p.get("min_years", default("min_years"))))
            for p in (j.parameters for j in jobs) if p.get("province")}
    if not keys:
        return ""
    return share_pools(plan.snap.scores, plan.snap.sha256, plan.snap.scores_path, plan.spec, sorted(keys))


def _write_index_and_manifest(
    plan: _Plan, outcomes: list[BriefOutcome], ran: list[BriefOutcome], pool_stats: dict[str, Any], *,
    n_workers: int, reuse: bool, force: bool, phase: _Phases, lock_info: dict[str, Any] | None = None,
) -> RenderSummary:
    """The year's ``index.html`` (headline numbers of every current brief) and final manifest."""
    from parbrief.run.index import read_headlines, write_index
    from parbrief.run.manifest import build_manifest, other_pages, write_manifest

    year = plan.config.year
    # The headline numbers each brief produced (never recomputed here: the index and the briefs agree).
    heads = read_headlines(plan.year_dir, [j.slug for j in plan.jobs if j.slug != "overview"])
    # The index links every brief that exists and is current: a skipped one is as good as new.
    listed = [replace(o, status="ok") if o.status == "skipped" else o for o in outcomes]
    index = write_index(plan.year_dir / "index.html", year=year, outcomes=listed, headlines=heads,
                        lang=plan.lang, synthetic=plan.snap.meta.get("synthetic") == "true", voice=plan.spec.voice)
    phase("index_s")
    mode = {
        "engine": "papermill, engine 'parbrief' (parbrief.run.engine.WarmKernelEngine)",
        "reuse": reuse,
        "kernel": "warm kernels (reset before each brief)" if reuse else "fresh kernel per brief",
        "workers": n_workers,
        "force": force,
        "rendered": len(ran),
        "skipped": len(plan.skipped),
        "kernels_started": pool_stats["kernels_started"],
        "kernels_retired": pool_stats["kernels_retired"],
        "kernel_start_s": pool_stats["kernel_start_s"],
        "snapshot_reused": plan.snap.reused,
        "phases_s": phase.seconds,
        "lock": lock_info or {},
    }
    manifest = build_manifest(
        year=year, parameters=plan.params_by_slug, outcomes=outcomes,
        data_source=str(plan.data), data_sha256=plan.snap.data_sha256, snapshot_sha256=plan.snap.sha256,
        mode=mode, started=phase.started, duration_s=phase.elapsed(),
        extra={"complete": True, "params_sources": list(plan.config.sources), "spec": str(plan.spec_file),
               "fingerprints": "fingerprints.json",
               "other_pages": other_pages(plan.year_dir, plan.fp_store.records, [j.slug for j in plan.jobs])},
        year_dir=plan.year_dir, records=plan.fp_store.records, provenance=plan.provenance,
    )
    manifest_path = write_manifest(plan.year_dir / "manifest.json", manifest)
    return RenderSummary(year=year, out_dir=plan.year_dir, outcomes=tuple(outcomes), index=index,
                         manifest=manifest_path)


def render(
    *,
    data: Path | None = None,
    out: Path = Path(default("out")),
    year: int | None = None,
    provinces: Sequence[str] | None = None,
    lang: str | None = None,
    spec_path: Path | None = None,
    params_file: Path | None = None,
    defaults_file: Path | None = None,
    workers: int | None = None,
    overview: bool = default("overview"),
    progress: bool = True,
    notebook: Path | None = None,
    cli_overrides: dict[str, Any] | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
    force: bool = default("force"),
    reuse: bool = default("reuse"),
    analysis: bool = default("analysis"),
    wait: bool = default("wait"),
    command: str | None = None,
    lock_poll_s: float = 0.5,
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
    many were skipped. ``data`` and the spec default to the params files' ``data:`` and
    ``spec:``; ``cli_overrides`` holds tunables typed on the command line (``alpha``, …).

    One render at a time per ``out`` folder (:class:`parbrief.run.lock.OutputLock`, taken
    before anything in the folder is read or written): ``wait=True`` waits for another render
    of the folder to finish (saying who holds it, polling every ``lock_poll_s`` s), ``False``
    raises :class:`~parbrief.run.lock.OutputBusyError`. ``command`` is what the lock file
    records of this render (default: a summary of the arguments).
    """
    from parbrief.config import TUNABLE_KEYS
    from parbrief.run.execute import clean_killed_leftovers
    from parbrief.run.lock import OutputLock, folder_error

    phase = _Phases()
    n_workers = _workers(workers, log, lang or default("lang"))
    # Usage errors before waiting for the folder (the full check is repeated in _plan).
    check_layer({k: v for k, v in {"lang": lang, **(cli_overrides or {}), "year": year}.items() if v is not None},
                None, TUNABLE_KEYS + ("year",))
    out = Path(out)
    refuse_system_folder(out)  # "/", /etc, the home folder itself…: refused before the lock file is made
    command = command or (f"render(year={year}, lang={lang}, provinces={list(provinces) if provinces else 'all'})")
    with OutputLock(out, command=command, wait=wait, poll_s=lock_poll_s, log=log, lang=lang or default("lang")) as held:
        phase("lock_wait_s")
        lock_info = {"waited_s": held.waited_s,
                     "took_over": asdict(held.took_over) if held.took_over is not None else None}
        clean_killed_leftovers(out)
        early = _EarlyKernels(n_workers, reuse, provinces, overview)
        try:
            plan = _plan(data=data, out=out, year=year, provinces=provinces, lang=lang, spec_path=spec_path,
                         params_file=params_file, defaults_file=defaults_file, overview=overview,
                         notebook=notebook, cli_overrides=cli_overrides, force=force, phase=phase,
                         before_load=early.start)
            if plan.to_run:
                # A reused snapshot: the kernels start now, while the store's pooled ρ is computed.
                early.start(sum(1 for j in plan.to_run if j.slug != "overview"))
            outcomes, ran, pool_stats = _execute(plan, n_workers=n_workers, reuse=reuse, force=force,
                                                 progress=progress, phase=phase, log=log, analysis=analysis,
                                                 pool=early.pool)
        finally:
            early.close()
        try:
            return _write_index_and_manifest(plan, outcomes, ran, pool_stats, n_workers=n_workers, reuse=reuse,
                                             force=force, phase=phase, lock_info=lock_info)
        except OSError as exc:  # a full disk: a message naming the folder, not a traceback
            raise folder_error(plan.year_dir, exc) from None


def render_from_args(args: argparse.Namespace) -> int:
    """The ``parbrief render`` command: run :func:`render` and print a summary."""
    from parbrief.config import TUNABLE_KEYS

    import shlex

    from parbrief.run.lock import OutputLock

    tunables = {k: getattr(args, k, None) for k in TUNABLE_KEYS if k != "lang"}
    wait = not getattr(args, "no_wait", False)
    command = "parbrief " + shlex.join(sys.argv[1:])
    kwargs = dict(
        data=args.data, out=args.out, year=args.year, provinces=args.province, lang=args.lang,
        spec_path=args.spec, params_file=args.params, workers=args.workers,
        progress=True, force=getattr(args, "force", False), reuse=not getattr(args, "no_reuse", False),
        cli_overrides={k: v for k, v in tunables.items() if v is not None},
        analysis=getattr(args, "analysis", False), wait=wait, command=command,
    )
    lang = args.lang or default("lang")
    if not getattr(args, "pdf", False):
        summary = render(**kwargs)
        for line in summary.lines(lang):
            print(line)
        return summary.exit_code
    from parbrief.run.pdf import print_briefs

    # The folder stays locked while its briefs are printed (render takes the same lock again).
    refuse_system_folder(Path(args.out))
    with OutputLock(Path(args.out), command=command, wait=wait, lang=lang, log=lambda s: print(s, file=sys.stderr)):
        summary = render(**kwargs)
        for line in summary.lines(lang):
            print(line)
        pdfs, errors = print_briefs(summary.out_dir, [o.slug for o in summary.outcomes if o.status != "failed"])
    print(t("run.console.pdfs", lang, n=len(pdfs), out=summary.out_dir))
    for err in errors:
        print(t("run.console.pdf_failed", lang, error=err))
    return summary.exit_code or (1 if errors else 0)
