"""Execute one brief notebook with papermill and turn the result into files, atomically.

Each brief runs in a working directory of its own (parallel runs of one notebook into shared
folders race), its executed notebook is exported to HTML next to the others only when the run
succeeded, and a failed run keeps its executed notebook under ``failed/`` with the failing cell
named, so one province's bad data never costs the others their briefs.

Execution is papermill's, through the ``parbrief`` engine (:mod:`parbrief.run.engine`): on a
warm pooled kernel when the batch passes one, else on a fresh kernel of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from parbrief.analysis.headline import HEADLINE_MIME

if TYPE_CHECKING:
    from parbrief.run.engine import PooledKernel

__all__ = [
    "BriefJob", "BriefOutcome", "clean_killed_leftovers", "clean_stale_work_dirs", "execute_notebook",
    "headline_in_notebook", "keep_failed_notebook", "render_brief",
]


@dataclass(frozen=True)
class BriefJob:
    """Everything a worker needs to render one notebook into one HTML file."""

    notebook: str          # the template notebook (.ipynb)
    parameters: dict[str, Any]
    out_dir: str           # outputs/<year>
    slug: str
    title: str
    lang: str
    kernel_name: str = "python3"
    cell_timeout: int = 600


@dataclass(frozen=True)
class BriefOutcome:
    """What happened to one brief: status ``ok``, ``failed`` or ``skipped`` (unchanged since its
    last render: its files are kept), files, time, failing cell, and the brief's fingerprint."""

    slug: str
    title: str
    status: str
    duration_s: float
    html: str | None = None
    notebook: str | None = None
    error: dict[str, Any] | None = None
    fingerprint: str | None = None
    rendered: str | None = None  # when the HTML was made (UTC, ISO); for a skipped brief, earlier


def execute_notebook(job: BriefJob, output_path: Path, kernel: "PooledKernel | None" = None) -> Any:
    """Run ``job.notebook`` with its parameters into ``output_path``; return the executed notebook.

    papermill with the ``parbrief`` engine: on ``kernel`` (a warm pooled kernel, reset first)
    or, when ``None``, on a fresh kernel started for this notebook. The run's working directory
    is ``output_path``'s folder. Raises :class:`~parbrief.errors.NotebookError` (notebook, cell
    index, error) when a cell fails, nbclient's ``CellTimeoutError`` when one runs over
    ``job.cell_timeout`` seconds; the executed notebook, with the error, is written to
    ``output_path`` either way.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from parbrief.errors import NotebookError
    from parbrief.run.engine import ENGINE_NAME, ensure_registered

    ensure_registered()
    output_path = Path(output_path).resolve()
    try:
        return pm.execute_notebook(
            str(Path(job.notebook).resolve()),
            str(output_path),
            parameters=job.parameters,
            engine_name=ENGINE_NAME,
            kernel_name=job.kernel_name,
            progress_bar=False,
            log_output=False,
            execution_timeout=job.cell_timeout,
            report_mode=False,
            # Saved once at the end (or on failure), not after every cell: a brief holds ≈ 0.5 MB of
            # images and the partial saves were a tenth of its render time.
            request_save_on_cell_execute=False,
            kernel=kernel,
            kernel_cwd=str(output_path.parent),
            failure_path=str(output_path),
        )
    except PapermillExecutionError as exc:
        raise NotebookError(str(job.notebook), exc.cell_index, exc.ename, exc.evalue, exc.source,
                            exc.exec_count) from exc


def _error_info(exc: BaseException) -> dict[str, Any]:
    info: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc).strip().splitlines()[-1:] or [""]}
    info["message"] = info["message"][0][:500]
    for attr in ("cell_index", "exec_count", "ename", "evalue"):
        if hasattr(exc, attr):
            value = getattr(exc, attr)
            info[attr] = value if isinstance(value, (int, type(None))) else str(value)[:500]
    source = getattr(exc, "source", None)
    if source:
        first = next((ln for ln in str(source).splitlines() if ln.strip() and not ln.startswith("#")), "")
        info["cell_first_line"] = first[:200]
    return info


def headline_in_notebook(nb: Mapping[str, Any]) -> dict[str, Any] | None:
    """The headline record an executed brief displayed (its last ``HEADLINE_MIME`` output), or None."""
    found = None
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            data = out.get("data") or {}
            if HEADLINE_MIME in data:
                found = data[HEADLINE_MIME]
    if isinstance(found, str):  # a JSON mimetype may be stored as text by some writers
        found = json.loads(found)
    return dict(found) if isinstance(found, Mapping) else None


def _write_headline(nb: Any, path: Path) -> None:
    """Save the headline the brief displayed (for the index) next to its HTML; none: remove a stale one."""
    import json

    from parbrief.files import atomic_write_text

    record = headline_in_notebook(nb)
    if record is None:
        path.unlink(missing_ok=True)
        return
    atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")


def keep_failed_notebook(executed: Path, target: Path) -> tuple[Path | None, str | None]:
    """Keep a failed run's executed notebook as ``target`` (``failed/<slug>.ipynb``), whole or not at all.

    The notebook papermill saved is read back first: on a full disk it may be empty or cut
    short, and such a file is not kept. A whole one is written with
    :func:`parbrief.files.atomic_write_bytes` (temporary file in ``failed/``, fsync,
    ``os.replace``), so ``failed/`` never holds a 0-byte or truncated notebook. When it cannot be
    kept, an older ``target`` (another run's failure) is removed too. Returns the kept path, or
    ``None`` and the reason.
    """
    import nbformat

    from parbrief.files import atomic_write_bytes

    try:
        raw = Path(executed).read_bytes()
        nbformat.reads(raw.decode("utf-8"), as_version=4)  # a whole notebook, or an error
        atomic_write_bytes(target, raw)
        return target, None
    except FileNotFoundError:
        reason = "not written"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    except Exception as exc:  # noqa: BLE001 — unreadable JSON/notebook: the file was cut short
        reason = f"unreadable: {type(exc).__name__}"
    try:
        Path(target).unlink(missing_ok=True)
    except OSError:
        pass
    return None, reason


def render_brief(job: BriefJob, kernel: "PooledKernel | None" = None) -> BriefOutcome:
    """Execute and export one brief; never raises for a failing notebook (the outcome says so).

    Success: ``<out>/<slug>.html`` and ``<out>/<slug>.ipynb`` replaced atomically (with
    ``<slug>.headline.json``, the headline numbers the brief displayed, for the index, and
    ``<slug>.xlsx``, its results workbook), and any older ``failed/<slug>.ipynb`` removed.
    Failure: the executed notebook goes to ``<out>/failed/<slug>.ipynb`` when it is whole (:func:`keep_failed_notebook`); an existing
    good brief is left untouched. ``kernel``: a warm
    pooled kernel to run on (see :mod:`parbrief.run.engine`); a :class:`KernelError` (the
    pooled kernel could not be reset, before any cell ran) is raised so the pool can retry
    the brief on a new kernel.
    """
    from datetime import datetime, timezone

    from parbrief.errors import KernelError
    from parbrief.run.export import export_html

    out_dir = Path(job.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix=f".work-{os.getpid()}-{job.slug[:40]}-", dir=out_dir))
    executed = work / f"{job.slug}.ipynb"
    try:
        try:
            nb = execute_notebook(job, executed, kernel)
        except KernelError:
            raise
        except Exception as exc:  # noqa: BLE001 — any failure of the run is reported, not raised
            error = _error_info(exc)
            kept, unsaved = keep_failed_notebook(executed, out_dir / "failed" / f"{job.slug}.ipynb")
            if unsaved:
                error["notebook_unsaved"] = unsaved
            return BriefOutcome(
                slug=job.slug,
                title=job.title,
                status="failed",
                duration_s=round(time.perf_counter() - start, 3),
                notebook=str(kept) if kept else None,
                error=error,
            )
        html = export_html(nb, out_dir / f"{job.slug}.html", lang=job.lang, title=job.title)
        _write_headline(nb, out_dir / f"{job.slug}.headline.json")
        final_nb = out_dir / f"{job.slug}.ipynb"
        os.replace(executed, final_nb)
        _write_workbook(nb, out_dir / f"{job.slug}.xlsx")
        stale = out_dir / "failed" / f"{job.slug}.ipynb"
        if stale.exists():
            stale.unlink()
        return BriefOutcome(
            slug=job.slug,
            title=job.title,
            status="ok",
            duration_s=round(time.perf_counter() - start, 3),
            html=str(html),
            notebook=str(final_nb),
            rendered=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_workbook(nb: Any, path: Path) -> None:
    """The brief's results workbook, now (after its notebook: the end of the render sees it current).

    Not written here (no tables, a full disk): the end of the render writes it and says why not.
    """
    from parbrief.run.workbook import tables_in, write_workbook

    bundle = tables_in(nb)
    if bundle is not None:
        try:
            write_workbook(bundle, path)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _work_dir_stale(d: Path, now: float, older_than_s: float) -> bool:
    token = d.name.split("-", 2)[1] if d.name.count("-") >= 2 else ""
    if token.isdigit():
        return not _alive(int(token))
    # An older parbrief's name (no process id): removed when empty (nothing to lose) or untouched long.
    return not any(d.iterdir()) or now - d.stat().st_mtime > older_than_s


def clean_stale_work_dirs(out_dir: Path, *, older_than_s: float = 600.0) -> list[Path]:
    """Remove ``.work-<pid>-…`` folders left by a render that was killed (its process is gone).

    A folder whose render process still runs is kept (another render may be using it, even with
    nothing in it yet: papermill saves the notebook at the end); one without a process id (an
    older parbrief) is removed when empty or untouched for ``older_than_s`` seconds. Returns the
    folders removed.
    """
    removed: list[Path] = []
    now = time.time()
    for d in Path(out_dir).glob(".work-*"):
        try:
            if d.is_dir() and _work_dir_stale(d, now, older_than_s):
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d)
        except OSError:  # gone meanwhile, or unreadable: not ours to judge
            continue
    return removed


def clean_killed_leftovers(out: Path) -> list[Path]:
    """What killed renders left anywhere under ``out``: work folders (see
    :func:`clean_stale_work_dirs`) in ``out``, each ``out/<year>/`` and its ``analysis/``, and
    the temporary files of atomic writes (``.<name>.<random>.tmp``) in the year folders.

    Called by ``render`` once it holds the folder's lock (:mod:`parbrief.run.lock`), before
    anything else: no other render of this folder is running then, so an unfinished temporary
    file is nobody's. Returns what was removed.
    """
    out = Path(out)
    removed = clean_stale_work_dirs(out)
    for year_dir in sorted(p for p in out.glob("*") if p.is_dir() and p.name.isdigit()):
        removed += clean_stale_work_dirs(year_dir) + clean_stale_work_dirs(year_dir / "analysis")
        for folder in (year_dir, year_dir / "failed", year_dir / "snapshot", year_dir / "analysis"):
            for tmp in folder.glob(".*.tmp"):
                try:
                    tmp.unlink()
                    removed.append(tmp)
                except OSError:
                    continue
    return removed
