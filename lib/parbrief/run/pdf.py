"""Print rendered briefs to PDF (A4) with a headless Chromium, written atomically.

The HTML's print stylesheet already sets A4 pages and starts each section on a new page; this
module only drives the browser. Chromium is found on PATH (Debian's ``chromium`` package) or in
``$PARBRIEF_CHROMIUM``; without it the error says how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from parbrief.errors import RenderError

__all__ = ["find_chromium", "print_briefs", "print_pdf", "CHROMIUM_FLAGS"]

#: Flags for a quiet, offline, sandbox-free headless run (root in CI has no user namespace).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
)


def find_chromium() -> str:
    """Path of a Chromium/Chrome executable, or a :class:`RenderError` saying how to get one."""
    env = os.environ.get("PARBRIEF_CHROMIUM")
    if env and Path(env).is_file():
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise RenderError.keyed("run.error.no_chromium")


def print_pdf(html_path: Path, pdf_path: Path | None = None, *, timeout: float = 120.0) -> Path:
    """Print ``html_path`` to ``pdf_path`` (default: same name, ``.pdf``); old PDF kept on failure."""
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path) if pdf_path else html_path.with_suffix(".pdf")
    browser = find_chromium()
    with tempfile.TemporaryDirectory(prefix=".pdf-", dir=pdf_path.parent) as work:
        tmp_pdf = Path(work) / "out.pdf"
        cmd = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--print-to-pdf={tmp_pdf}",
            html_path.as_uri(),
        ]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RenderError.keyed("run.error.pdf_timeout", name=html_path.name, seconds=f"{timeout:.0f}") from exc
        if res.returncode != 0 or not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
            tail = (res.stderr or "").strip().splitlines()[-1:] or [""]
            raise RenderError.keyed("run.error.pdf_failed", name=html_path.name, error=tail[0][:200])
        with open(tmp_pdf, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_pdf, pdf_path)
    return pdf_path


def print_briefs(folder: Path, slugs: list[str]) -> tuple[list[Path], list[str]]:
    """Print ``<slug>.html`` of each brief in ``folder`` to PDF; a PDF newer than its HTML is kept.

    Returns the PDFs and one message per brief that could not be printed (the others still are).
    """
    done: list[Path] = []
    errors: list[str] = []
    for slug in slugs:
        html = Path(folder) / f"{slug}.html"
        pdf = html.with_suffix(".pdf")
        if not html.is_file():
            continue
        if pdf.is_file() and pdf.stat().st_mtime >= html.stat().st_mtime:
            done.append(pdf)
            continue
        try:
            done.append(print_pdf(html, pdf))
        except RenderError as exc:
            errors.append(str(exc))
    return done, errors
