"""What a render does after the briefs: the results workbooks (always) and, with
``--analysis``, the analyst's pages ``analysis/<slug>-trends.html`` and ``<slug>-differences.html``.

The analysis notebooks take the brief's own parameters and run on a pool of warm kernels as
the briefs do (:mod:`parbrief.run.engine`), exported by the same code (code hidden,
:func:`parbrief.run.execute.render_brief`). The batch calls :func:`after_briefs` once.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

from parbrief.run.execute import BriefJob, BriefOutcome, render_brief
from parbrief.text.messages import t

__all__ = ["ANALYSIS_PAGES", "after_briefs", "analysis_jobs", "render_analysis"]

#: Analysis notebooks (``notebooks/<name>.ipynb``), in the order they are rendered.
ANALYSIS_PAGES = ("trends", "differences")


def _notebook(name: str) -> Path:
    root = Path(__file__).resolve().parents[3] / "notebooks"
    for cand in (root / f"{name}.ipynb", Path.cwd() / "notebooks" / f"{name}.ipynb"):
        if cand.is_file():
            return cand
    from parbrief.errors import ParamsError

    raise ParamsError.keyed("run.error.notebook_missing", name=name)


def analysis_jobs(jobs: Sequence[BriefJob], year_dir: Path) -> list[BriefJob]:
    """One job per analysis page of each brief job (the overview excluded)."""
    out = []
    for j in jobs:
        if j.slug == "overview":
            continue
        for page in ANALYSIS_PAGES:
            out.append(replace(j, notebook=str(_notebook(page)), out_dir=str(Path(year_dir) / "analysis"),
                               slug=f"{j.slug}-{page}", title=f"{j.title} · {page}"))
    return out


def render_analysis(jobs: Sequence[BriefJob], workers: int, reuse: bool = True,
                    warm: dict[str, str] | None = None) -> list[BriefOutcome]:
    """Render the analysis jobs on a kernel pool; failures come back as outcomes."""
    from parbrief.run.engine import KernelPool, WarmSpec

    if not jobs:
        return []

    def failed(job: BriefJob, exc: BaseException) -> BriefOutcome:
        return BriefOutcome(slug=job.slug, title=job.title, status="failed", duration_s=0.0,
                            error={"type": type(exc).__name__, "message": str(exc)[:500]})

    pool: KernelPool[BriefJob, BriefOutcome] = KernelPool(workers, reuse=reuse, warm=WarmSpec(**(warm or {})))
    return pool.run(list(jobs), render_brief, ok=lambda o: o.status == "ok", on_error=failed)


def after_briefs(
    jobs: Sequence[BriefJob], outcomes: Sequence[BriefOutcome], year_dir: Path, *, lang: str,
    analysis: bool = False, workers: int = 1, reuse: bool = True, warm: dict[str, str] | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> dict[str, Any]:
    """Workbooks of every current brief, then (``analysis``) the analysis pages of each.

    Returns ``workbook`` (what :func:`parbrief.run.workbook.write_workbooks` wrote, with its
    time ``seconds``) and ``analysis`` (the pages' outcomes).
    """
    from parbrief.run.workbook import write_workbooks

    current = [o.slug for o in outcomes if o.status in ("ok", "skipped") and o.slug != "overview"]
    t0 = time.perf_counter()
    books = write_workbooks(Path(year_dir), current, lang)
    books["seconds"] = round(time.perf_counter() - t0, 3)
    pages: list[BriefOutcome] = []
    if analysis:
        todo = analysis_jobs([j for j in jobs if j.slug in set(current)], Path(year_dir))
        log(t("run.console.analysis", lang, n=len(todo)))
        pages = render_analysis(todo, workers, reuse=reuse, warm=warm)
        for o in pages:
            if o.status == "failed":
                err = o.error or {}
                log(t("run.console.failed_page", lang, title=o.title,
                      error=f"{err.get('ename') or err.get('type')}: {err.get('evalue') or err.get('message')}"))
    return {"workbook": books, "analysis": pages}
