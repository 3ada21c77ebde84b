"""The data a page is rendered from: a render's Parquet snapshot, a store or a scores file.

:func:`load_frames` is the one place the compose layer (``parbrief.analysis``) reads its data.
A render writes a snapshot (``scores.parquet``, ``survey.parquet``, ``meta.json``) and passes
its path to every notebook; an analyst running a notebook by hand passes a store or a file, or
nothing at all: :func:`default_data` is the demo store that ``make demo`` writes.

A warm kernel renders many briefs from one snapshot, so it asks this module to keep the
snapshot in memory (:func:`keep_in_memory`, :func:`preload`): the files are then read and hashed
once per kernel and each caller gets shallow copies (pandas copy-on-write: a notebook that
modifies its frames modifies its own copy, never the cache). Nothing outside this module
replaces :func:`load_frames`; the cache is keyed on each file's path, size, mtime and inode, so
a new snapshot is always read.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from parbrief.errors import ParamsError

if TYPE_CHECKING:
    from parbrief.spec import IndexSpec

__all__ = ["DEMO_DATA_ENV", "Frames", "default_data", "is_snapshot", "keep_in_memory", "kept_key", "load_frames", "preload",
           "resolve_data"]

#: Scores, survey (or ``None``), data hash, meta (``synthetic``, source …).
Frames = tuple[pd.DataFrame, "pd.DataFrame | None", str, dict[str, str]]

#: Environment variable naming the store :func:`default_data` returns (tests, other layouts).
DEMO_DATA_ENV = "PARBRIEF_DEMO_DATA"


def _repository_root() -> Path:
    return Path(__file__).resolve().parents[3]


def default_data() -> Path:
    """The demo store a notebook reads when no ``data`` is given (absolute, whatever the cwd).

    ``$PARBRIEF_DEMO_DATA`` when set, else ``outputs/demo-data/parbrief.duckdb`` at the root of
    the repository this package runs from (where ``make demo`` writes it), else the same path
    under the current directory (an installed package, run where ``parbrief demo`` wrote it).
    Raises :class:`~parbrief.errors.ParamsError` saying how to make it when it does not exist.
    """
    env = os.environ.get(DEMO_DATA_ENV, "").strip()
    rel = Path("outputs") / "demo-data" / "parbrief.duckdb"
    candidates = [Path(env)] if env else [_repository_root() / rel, Path.cwd() / rel]
    for cand in candidates:
        if cand.is_file():
            return cand.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise ParamsError.keyed("data_store.demo_missing", tried=tried)


def is_snapshot(path: str | os.PathLike[str]) -> bool:
    """True for a render snapshot's scores file (``scores*.parquet``)."""
    p = Path(path)
    return p.suffix.lower() == ".parquet" and p.name.startswith("scores")


def _read(data: str | os.PathLike[str], survey: str | os.PathLike[str] | None, spec: "IndexSpec") -> Frames:
    from parbrief.data.store import frames_sha256, load_data

    p = Path(data)
    if is_snapshot(p):
        scores = pd.read_parquet(p)
        sv = pd.read_parquet(survey) if survey else None
        meta_path = p.with_name("meta.json")
        meta: dict[str, str] = {}
        if meta_path.is_file():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return scores, sv, frames_sha256(scores, sv), meta
    bundle = load_data(p, spec)
    sv = pd.read_parquet(survey) if survey else bundle.survey
    return bundle.scores, sv, bundle.sha256, dict(bundle.meta)


@dataclass
class _Cache:
    """The kernel's snapshot in memory: off until :func:`keep_in_memory`, one snapshot at a time."""

    enabled: bool = False
    entries: dict[tuple, Frames] = field(default_factory=dict)


_CACHE = _Cache()


def _file_key(path: str | os.PathLike[str] | None) -> tuple | None:
    if not path:
        return None
    p = Path(path).resolve()
    st = p.stat()
    return (str(p), st.st_mtime_ns, st.st_size, st.st_ino)


def keep_in_memory(enabled: bool = True) -> None:
    """Keep the last snapshot read in memory for later :func:`load_frames` calls (warm kernels)."""
    _CACHE.enabled = enabled
    if not enabled:
        _CACHE.entries.clear()


def _key(data: str | os.PathLike[str], survey: str | os.PathLike[str] | None) -> tuple:
    meta = Path(data).with_name("meta.json")
    return (_file_key(data), _file_key(survey), _file_key(meta) if meta.is_file() else None)


def kept_key(data: str | os.PathLike[str], survey: str | os.PathLike[str] | None) -> tuple | None:
    """The key the snapshot ``data`` (+ ``survey``) is kept under in this kernel's memory, or None
    when it is not kept (no :func:`keep_in_memory`, not a snapshot, or not read yet).

    What is computed from a kept snapshot may be kept under this key too: a new snapshot, or any
    change to its files, gives another key.
    """
    if not (_CACHE.enabled and is_snapshot(data)):
        return None
    try:
        key = _key(data, survey)
    except OSError:
        return None
    return key if key in _CACHE.entries else None


def load_frames(
    data: str | os.PathLike[str], survey: str | os.PathLike[str] | None, spec: "IndexSpec"
) -> Frames:
    """Scores, survey, data hash and meta from a snapshot (Parquet) or any store/file.

    The batch passes the snapshot it wrote (``scores.parquet`` plus ``survey.parquet``); a user
    running a notebook by hand may pass a store or a scores file instead. With
    :func:`keep_in_memory` on, a snapshot is read once and returned as shallow copies.
    """
    if not (_CACHE.enabled and is_snapshot(data)):
        return _read(data, survey, spec)  # a store or a file, or no cache: read as usual
    key = _key(data, survey)
    hit = _CACHE.entries.get(key)
    if hit is None:
        _CACHE.entries.clear()  # one snapshot per render: keep only the newest
        hit = _read(data, survey, spec)
        _CACHE.entries[key] = hit
    scores, sv, sha, meta_d = hit
    # Shallow copies under copy-on-write: cheap, and a write by the notebook never reaches the cache.
    return scores.copy(deep=False), (sv.copy(deep=False) if sv is not None else None), sha, dict(meta_d)


def preload(scores: str | os.PathLike[str], survey: str | os.PathLike[str] | None, spec: "IndexSpec") -> None:
    """Turn the cache on and read the snapshot ``scores`` (+ ``survey``) into it now."""
    keep_in_memory(True)
    if scores:
        load_frames(scores, survey or None, spec)


def resolve_data(data: str | os.PathLike[str] | None) -> Path:
    """``data`` as a path, or :func:`default_data` when it is empty; an error when it is missing."""
    if data is None or str(data).strip() == "":
        return default_data()
    p = Path(data).expanduser()
    if not p.exists():
        raise ParamsError.keyed("data_store.data_missing", path=repr(str(p)), cwd=os.getcwd())
    return p
