"""The render manifest: what ran, on which data, with which versions, and how each brief ended.

It is true of the files beside it (issue 14): each brief's entry says its status (``ok``;
``skipped``, i.e. unchanged since the render that made its files; ``failed`` with the
``reason``; ``pending`` only while a render runs), its language (``lang``) and fingerprint; a
failed brief whose older page is still in the folder names it (``previous``); pages in the
folder that this render did not touch are listed under ``other_pages`` with their language.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
from dataclasses import asdict
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterable

from parbrief.run.execute import BriefOutcome
from parbrief.files import atomic_write_text

__all__ = ["build_manifest", "failure_reason", "git_commit", "html_lang", "other_pages", "package_versions",
           "run_provenance", "write_manifest"]

_PACKAGES = (
    "parbrief", "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib",
    "papermill", "nbconvert", "nbclient", "ipykernel", "duckdb", "pyarrow",
)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a brief's numbers and look depend on."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def run_provenance() -> dict[str, Any]:
    """The manifest's ``versions`` and ``git_commit``: read once per render (≈ 12 ms and two
    ``git`` processes each time; a 63-province render rewrote its manifest 66 times)."""
    return {"versions": package_versions(), "git_commit": git_commit()}


def git_commit(start: Path | None = None) -> str | None:
    """The git commit of the parbrief source tree, when it is a git checkout (else ``None``)."""
    from parbrief.files import checkout_root

    where = Path(start) if start else checkout_root()
    if where is None:
        return None
    try:
        res = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    sha = res.stdout.strip()
    if res.returncode != 0 or not sha:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, timeout=5, check=False,
    ).stdout.strip()
    return sha + ("-dirty" if dirty else "")


def failure_reason(error: dict[str, Any] | None) -> str:
    """One line: where a brief failed and why (``cell 7 (sections.trends(brief)): ValueError: …``)."""
    err = error or {}
    cell = err.get("cell_index")
    where = f"cell {cell}" if cell is not None else "before any cell"
    first = f" ({err['cell_first_line']})" if err.get("cell_first_line") else ""
    what = f"{err.get('ename') or err.get('type') or 'error'}: {err.get('evalue') or err.get('message') or ''}"
    unsaved = f"; notebook not kept: {err['notebook_unsaved']}" if err.get("notebook_unsaved") else ""
    return f"{where}{first}: {what.strip()}{unsaved}"


_LANG = re.compile(rb'<html[^>]*\blang="([A-Za-z-]+)"')


def html_lang(path: Path) -> str | None:
    """The ``lang`` of a page's ``<html>`` element (read from its first kilobytes), or ``None``."""
    try:
        with open(path, "rb") as fh:
            found = _LANG.search(fh.read(4096))
    except OSError:
        return None
    return found.group(1).decode("ascii") if found else None


def other_pages(year_dir: Path, records: dict[str, dict[str, Any]], slugs: Iterable[str]) -> list[dict[str, Any]]:
    """Briefs in ``year_dir`` that this render did not include, as their last render left them."""
    taken = set(slugs)
    out = []
    for slug, rec in sorted(records.items()):
        html = Path(year_dir) / f"{slug}.html"
        if slug in taken or not html.is_file():
            continue
        out.append({"slug": slug, "html": str(html), "lang": html_lang(html), "fingerprint": rec.get("fingerprint"),
                    "rendered": rec.get("rendered")})
    return out


def _previous(html: Path | None, record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The page an earlier render left for a brief that failed now (kept untouched), if any."""
    if html is None or not html.is_file():
        return None
    return {"html": str(html), "lang": html_lang(html), "rendered": (record or {}).get("rendered")}


def build_manifest(
    *,
    year: int,
    parameters: dict[str, dict[str, Any]],
    outcomes: Iterable[BriefOutcome],
    data_source: str,
    data_sha256: str,
    snapshot_sha256: str,
    mode: dict[str, Any],
    started: datetime,
    duration_s: float,
    extra: dict[str, Any] | None = None,
    year_dir: Path | None = None,
    records: dict[str, dict[str, Any]] | None = None,
    provenance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict; ``parameters`` maps slug → the brief's parameters.

    ``provenance``: :func:`run_provenance`, when the caller has it (a render rewrites its manifest
    as each brief ends, and the versions and the commit do not change meanwhile); else read now.

    ``year_dir`` and ``records`` (the fingerprint records) let a failed brief name the older
    page still beside it (``previous``).
    """
    briefs = []
    for o in outcomes:
        entry = asdict(o)
        entry["parameters"] = parameters.get(o.slug, {})
        entry["lang"] = entry["parameters"].get("lang")
        if o.status == "failed":
            entry["reason"] = failure_reason(o.error)
            html = Path(year_dir) / f"{o.slug}.html" if year_dir is not None else None
            entry["previous"] = _previous(html, (records or {}).get(o.slug))
        briefs.append(entry)
    counts: dict[str, int] = {}
    for b in briefs:
        counts[b["status"]] = counts.get(b["status"], 0) + 1
    return {
        "parbrief_manifest": 1,
        "year": year,
        "started": started.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 3),
        "data": {"source": data_source, "sha256": data_sha256, "snapshot_sha256": snapshot_sha256},
        **(provenance or run_provenance()),
        "mode": mode,
        "counts": counts,
        "briefs": briefs,
        **(extra or {}),
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest atomically (pretty JSON, UTF-8, Vietnamese kept readable)."""
    return atomic_write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n")
