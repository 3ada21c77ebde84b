"""The store's pooled ρ, computed once per render and handed to every kernel.

A brief's difference test and standing trends use a ρ pooled over every province of the store
(:mod:`parbrief.analysis.pooling`). It depends only on the data and a few choices, and each warm
kernel computed it again for its first brief: ≈ 1.3 s of CPU on a 63-province store, twice with two
kernels, and most of one province's render from cold. When it has the time (a reused snapshot, or
a single kernel: ``run.batch._execute`` decides), the render computes the pools its briefs will ask
for while its kernels start (:func:`share_pools`), writes them beside the snapshot
(``snapshot/pools.json``) and each kernel reads them with the snapshot
(:func:`parbrief.run.kernel_state.load`), or after it when it read the snapshot while they were
computed (:func:`parbrief.run.kernel_state.seed`). After a fresh load with two kernels the kernels would
wait for them, so each computes its own, as before. The values are the same numbers (JSON floats round-trip
exactly), so a warm kernel's brief stays byte-identical to a fresh kernel's, which computes its own.

The file is marked with parbrief's source hash: a later render from the same snapshot reuses the
entries its code would compute, and computes the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

__all__ = ["POOLS_FILE", "read_pools", "share_pools"]

#: Beside the snapshot's Parquet files.
POOLS_FILE = "pools.json"


def share_pools(scores: Any, sha: str, scores_path: Path, spec: Any, briefs: Iterable[Any]) -> str:
    """Compute the pools of ``briefs`` (each with ``province``, ``year``, ``min_years``) and write them.

    ``scores``/``sha``: the snapshot's frame and hash, as the kernels read them; ``scores_path``:
    its Parquet file (the pools go beside it). Returns the file's path, or "" when it could not
    be made (each kernel then computes its own: the same numbers, only slower).
    """
    from parbrief.analysis.brief import store_pools
    from parbrief.analysis.pooling import dumps, entries
    from parbrief.files import atomic_write_text
    from parbrief.run.fingerprint import source_sha256

    library = source_sha256()
    path = Path(scores_path).parent / POOLS_FILE
    read_pools(path, library)  # a previous render's, if this code made them
    try:
        store_pools(scores, sha, spec, [(b.province, b.year, b.min_years) for b in briefs])
        atomic_write_text(path, dumps(entries(sha), library))
    except Exception:  # noqa: BLE001 — an optimization only: the kernels compute them, and report any error
        return ""
    return str(path.resolve())


def read_pools(path: str | Path, library: str | None = None) -> int:
    """Keep the pooled ρ of the file ``path`` (:func:`share_pools`) in this process; how many.

    With ``library``, only entries this source of parbrief computed. An optimization only: a file
    that is missing or cannot be read keeps nothing (0), and each brief computes its own.
    """
    from parbrief.analysis.pooling import seed

    try:
        return seed(Path(path).read_text(encoding="utf-8"), library)
    except (OSError, ValueError, TypeError, KeyError):
        return 0
