"""What a render does after the briefs: the results workbooks (always) and, with
``--analysis``, the analyst's pages ``analysis/<slug>-trends.html`` and ``<slug>-differences.html``.

The analysis notebooks take the brief's own parameters and run on a pool of warm kernels as
the briefs do and on the same kernels, each right after its brief (:func:`page_chains`), exported
by the same code (code hidden, :func:`parbrief.run.execute.render_brief`). The batch calls
:func:`after_briefs` once, after every notebook.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

from parbrief.run.execute import BriefJob, BriefOutcome
from parbrief.text.messages import t

__all__ = ["ANALYSIS_PAGES", "after_briefs", "analysis_jobs", "page_chains"]

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


def page_chains(
    briefs: Sequence[BriefJob], unchanged: Sequence[BriefJob], year_dir: Path, *, analysis: bool,
) -> tuple[list[BriefJob], Callable[[BriefJob, BriefOutcome], list[BriefJob]], int]:
    """How the analysis pages join the briefs' kernel pool (``analysis`` off: no pages).

    Each brief rendered now is followed on its kernel by its pages, when it succeeded: they find
    the brief's results, the store's pooled ρ and the national standing in that kernel's memory
    (:mod:`parbrief.analysis.memo`) instead of computing them again on new kernels. An unchanged
    brief's first page is queued after the briefs and followed by the others. Returns the pages
    to queue, the pool's ``then`` and the number of pages.
    """
    if not analysis:
        return [], lambda job, outcome: [], 0
    follow: dict[str, list[BriefJob]] = {}
    starts: list[BriefJob] = []
    for j in briefs:
        follow[j.slug] = analysis_jobs([j], year_dir)
    for j in unchanged:
        pages = analysis_jobs([j], year_dir)
        if pages:
            starts.append(pages[0])
            follow[pages[0].slug] = pages[1:]
    brief_slugs = {j.slug for j in briefs}

    def then(job: BriefJob, outcome: BriefOutcome) -> list[BriefJob]:
        # A failed brief has no pages (they would show what it could not compute).
        if job.slug in brief_slugs and outcome.status != "ok":
            return []
        return follow.get(job.slug, [])

    n = sum(len(v) for v in follow.values()) + len(starts)
    return starts, then, n


def after_briefs(
    outcomes: Sequence[BriefOutcome], year_dir: Path, *, lang: str, pages: Sequence[BriefOutcome] = (),
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> dict[str, Any]:
    """Workbooks of every current brief; the analysis pages' failures said on the console.

    Returns ``workbook`` (what :func:`parbrief.run.workbook.write_workbooks` wrote, with its
    time ``seconds``) and ``analysis`` (the pages' outcomes, rendered on the briefs' kernels:
    :func:`page_chains`).
    """
    from parbrief.run.workbook import write_workbooks

    current = [o.slug for o in outcomes if o.status in ("ok", "skipped") and o.slug != "overview"]
    t0 = time.perf_counter()
    books = write_workbooks(Path(year_dir), current, lang)
    books["seconds"] = round(time.perf_counter() - t0, 3)
    if pages:
        log(t("run.console.analysis", lang, n=len(pages)))
    for o in pages:
        if o.status == "failed":
            err = o.error or {}
            log(t("run.console.failed_page", lang, title=o.title,
                  error=f"{err.get('ename') or err.get('type')}: {err.get('evalue') or err.get('message')}"))
    return {"workbook": books, "analysis": list(pages)}
