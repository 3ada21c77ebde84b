"""``parbrief render``: resolve parameters, snapshot the data once, render every brief in parallel.

The order of work follows the district-digest pattern: validate everything first (params, data,
provinces, year), then execute each brief independently, collect failures across the batch, and
build the index and manifest as a separate last step. One failing province never stops the
others; the command exits non-zero and names the failing cell.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from parbrief.data.validate import NATIONAL
from parbrief.errors import ParamsError
from parbrief.run.execute import BriefJob, BriefOutcome, render_brief
from parbrief.run.params import BriefParams, RunConfig, resolve_run, slugify

__all__ = ["NATIONAL", "RenderSummary", "render", "render_from_args", "default_params_dir", "notebook_path"]



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

    def lines(self) -> list[str]:
        ok = [o for o in self.outcomes if o.status == "ok"]
        out = [f"{len(ok)}/{len(self.outcomes)} briefs rendered into {self.out_dir}", f"index: {self.index}"]
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


def _run_jobs(
    jobs: Sequence[BriefJob], workers: int, progress: bool
) -> list[BriefOutcome]:
    """Render jobs in a pool of processes; each job launches its own fresh kernel."""
    from tqdm.auto import tqdm

    results: dict[str, BriefOutcome] = {}
    bar = tqdm(total=len(jobs), desc="briefs", unit="brief", disable=not progress, file=sys.stderr)
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            results[job.slug] = render_brief(job)
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(render_brief, job): job for job in jobs}
            for fut in as_completed(futures):
                job = futures[fut]
                try:
                    results[job.slug] = fut.result()
                except Exception as exc:  # noqa: BLE001 — a dead worker is one failed brief
                    results[job.slug] = BriefOutcome(
                        slug=job.slug, title=job.title, status="failed", duration_s=0.0,
                        error={"type": type(exc).__name__, "message": str(exc)[:500]},
                    )
                bar.update()
    bar.close()
    return [results[j.slug] for j in jobs]


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
) -> RenderSummary:
    """Render one year's province briefs (and the national overview) from a store or file."""
    from parbrief.data.store import load_data, write_snapshot
    from parbrief.report.brief import headline_rows
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
    bundle = load_data(Path(data), spec)
    scores = bundle.scores
    provincial = scores[scores["province"] != NATIONAL]
    national = scores[scores["province"] == NATIONAL]
    if provinces is None and year is not None:
        in_year = provincial.loc[provincial["year"] == year, "province"].unique().tolist()
    else:
        in_year = provincial["province"].unique().tolist()

    out = Path(out)
    cli = {"lang": lang, **(cli_overrides or {})}
    # Resolve with placeholder paths first (validates everything before any file is written).
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
    snap = write_snapshot(scores, bundle.survey, year_dir / "snapshot")
    snap_scores, snap_survey, snap_sha = snap.scores_path, snap.survey_path, snap.sha256
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
    if overview and not national[national["year"] == config.year].empty:
        ov_lang = briefs[0].lang if briefs else (lang or "vi")
        ov_params = {
            "year": config.year, "data": str(snap_scores.resolve()), "spec": str(spec_file.resolve()),
            "lang": ov_lang, "national_band_scheme": briefs[0].national_band_scheme if briefs else "national",
            "links": {p: f"{s}.html" for p, s in slug_of.items()},
        }
        title = ("Toàn quốc" if ov_lang == "vi" else "National overview") + f" — {config.year}"
        params_by_slug["overview"] = ov_params
        jobs.append(BriefJob(notebook=str(notebook_path("overview")), parameters=ov_params,
                             out_dir=str(year_dir), slug="overview", title=title, lang=ov_lang))

    n_workers = max(1, workers if workers else (os.cpu_count() or 1))
    log(f"parbrief render: {len(jobs)} notebook(s) for {config.year} with {n_workers} worker(s)")
    outcomes = _run_jobs(jobs, n_workers, progress)

    heads = headline_rows(scores, [b.province for b in briefs], config.year, spec,
                          national_scheme=briefs[0].national_band_scheme if briefs else "national",
                          lang=briefs[0].lang if briefs else (lang or "vi"))
    index = write_index(year_dir / "index.html", year=config.year, outcomes=outcomes, headlines=heads,
                        lang=briefs[0].lang if briefs else (lang or "vi"), synthetic=bundle.meta.get("synthetic") == "true")
    manifest = build_manifest(
        year=config.year, parameters=params_by_slug, outcomes=outcomes,
        data_source=str(data), data_sha256=bundle.sha256, snapshot_sha256=snap_sha,
        mode={"engine": "papermill", "workers": n_workers, "kernel": "fresh per brief"},
        started=started, duration_s=time.perf_counter() - t0,
        extra={"params_sources": list(config.sources), "spec": str(spec_file)},
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
        progress=True,
    )
    for line in summary.lines():
        print(line)
    return summary.exit_code
