"""The render manifest: what ran, on which data, with which versions, and how each brief ended."""

from __future__ import annotations

import json
import platform
import subprocess
from dataclasses import asdict
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterable

from parbrief.run.execute import BriefOutcome
from parbrief.files import atomic_write_text

__all__ = ["package_versions", "git_commit", "build_manifest", "write_manifest"]

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
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict; ``parameters`` maps slug → the brief's parameters."""
    briefs = []
    for o in outcomes:
        entry = asdict(o)
        entry["parameters"] = parameters.get(o.slug, {})
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
        "versions": package_versions(),
        "git_commit": git_commit(),
        "mode": mode,
        "counts": counts,
        "briefs": briefs,
        **(extra or {}),
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest atomically (pretty JSON, UTF-8, Vietnamese kept readable)."""
    return atomic_write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n")
