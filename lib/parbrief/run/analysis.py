"""What a render does after the briefs: the results workbooks (always) and, with
``--analysis``, the analyst's pages ``analysis/<slug>-trends.html`` and ``<slug>-differences.html``.

The analysis notebooks take the brief's own parameters and run on a pool of warm kernels as
the briefs do and on the same kernels, each right after its brief (:func:`page_chains`), exported
by the same code (code hidden, :func:`parbrief.run.execute.render_brief`). The batch calls
:func:`after_briefs` once, after every notebook; the workbooks are written by
:class:`EarlyWorkbooks` as soon as the last brief has ended, while the overview and the pages
still run on the kernels.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

from parbrief.run.execute import BriefJob, BriefOutcome
from parbrief.text.messages import t

__all__ = ["ANALYSIS_PAGES", "EarlyWorkbooks", "after_briefs", "analysis_jobs", "page_chains"]

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


def _write_books(statuses: dict[str, str], year_dir: Path, lang: str) -> dict[str, Any]:
    from parbrief.run.workbook import write_workbooks

    current = [slug for slug, status in statuses.items() if status in ("ok", "skipped") and slug != "overview"]
    t0 = time.perf_counter()
    books = write_workbooks(Path(year_dir), current, lang)
    books["seconds"] = round(time.perf_counter() - t0, 3)
    return books


class EarlyWorkbooks:
    """The workbooks (``results.xlsx`` and any missing ``<slug>.xlsx``), written in a thread as soon
    as the last brief has ended, while the kernels still run the overview and the analysis pages.

    Written at the end instead, they kept both kernels idle (≈ 1.2 s for 63 provinces: every
    brief's notebook read back and ``results.xlsx`` written). ``order``: every brief's slug in the
    render's (province) order, ``rendered``: those rendered now (the others were skipped, unchanged);
    :meth:`landed` is called as each job ends, :meth:`result` at the end (it writes them then if
    they have not been, and raises what the thread raised).
    """

    def __init__(self, order: Sequence[str], rendered: Sequence[str], year_dir: Path, lang: str) -> None:
        self._order = [s for s in order if s != "overview"]  # the overview has no workbook
        self._waiting = set(rendered) & set(self._order)
        self._statuses: dict[str, str] = {s: "skipped" for s in self._order if s not in self._waiting}
        self._year_dir, self._lang = Path(year_dir), lang
        self._thread: threading.Thread | None = None
        self._out: dict[str, Any] = {}

    def landed(self, o: BriefOutcome) -> None:
        """One job ended (any job: the briefs' ones count)."""
        if o.slug not in self._waiting:
            return
        self._waiting.discard(o.slug)
        self._statuses[o.slug] = o.status
        if not self._waiting and self._thread is None:  # the overview (last in the queue) may still run
            self._thread = threading.Thread(target=self._run, name="parbrief-workbooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._out["books"] = _write_books({s: self._statuses.get(s, "failed") for s in self._order},
                                              self._year_dir, self._lang)
        except BaseException as exc:  # noqa: BLE001 — raised again by result(), in the render's thread
            self._out["error"] = exc

    def result(self, outcomes: Sequence[BriefOutcome]) -> dict[str, Any]:
        """What :func:`parbrief.run.workbook.write_workbooks` wrote (with its time ``seconds``)."""
        if self._thread is not None:
            self._thread.join()
            if "error" in self._out:
                raise self._out["error"]
            return self._out["books"]
        return _write_books({o.slug: o.status for o in outcomes}, self._year_dir, self._lang)


def after_briefs(
    outcomes: Sequence[BriefOutcome], year_dir: Path, *, lang: str, pages: Sequence[BriefOutcome] = (),
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr), books: EarlyWorkbooks | None = None,
) -> dict[str, Any]:
    """Workbooks of every current brief; the analysis pages' failures said on the console.

    Returns ``workbook`` (what :func:`parbrief.run.workbook.write_workbooks` wrote, with its
    time ``seconds``; by ``books`` when given, else now) and ``analysis`` (the pages' outcomes,
    rendered on the briefs' kernels: :func:`page_chains`).
    """
    written = books.result(outcomes) if books is not None else _write_books(
        {o.slug: o.status for o in outcomes}, Path(year_dir), lang)
    if pages:
        log(t("run.console.analysis", lang, n=len(pages)))
    for o in pages:
        if o.status == "failed":
            err = o.error or {}
            log(t("run.console.failed_page", lang, title=o.title,
                  error=f"{err.get('ename') or err.get('type')}: {err.get('evalue') or err.get('message')}"))
    return {"workbook": written, "analysis": list(pages)}
