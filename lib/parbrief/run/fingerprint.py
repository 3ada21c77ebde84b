"""Fingerprints: has anything that a brief's HTML depends on changed since it was last rendered?

A brief depends on five things (issues 5 and 14): the notebook, the library (parbrief's version
and source, and the versions of the packages that draw and compute it), its resolved parameters
(``lang`` and the preparing office ``prepared_by`` among them, the comments file ``notes`` by its
content), the page's language and title, and its slice of the data. Each is hashed
(SHA-256) and the five hashes are hashed together;
a brief whose fingerprint equals the one recorded after its last *successful* render, and
whose HTML is still there, is skipped.

The data slice of a province's brief is what :func:`parbrief.analysis.brief.build_brief` reads:
the province's score rows up to the brief's year, its survey rows of that year, the
national table of that year and the year before (the headline rank and change depend on the
other provinces too), and, when the store holds enough provinces for the serial correlation
to be pooled over them (:mod:`parbrief.analysis.pooling`, ``MIN_POOL_PANELS``), the columns
that pooling reads of every province's rows up to the year (``POOL_COLUMNS``: a changed total
elsewhere changes this brief's tests), plus the meta keys a brief shows (``synthetic``: the
banner; ``source_file``: the data file's name in the sources; not ``last_ingest``, which changes
with every ingest). The overview's
slice is the national table up to its year plus the same meta keys. Rows are hashed with
``pandas.util.hash_pandas_object`` (SipHash with pandas' fixed key: the same rows give the
same hash in any process), in the snapshot's canonical order, together with the column names
and dtypes. Parameters are hashed without the snapshot's paths (the data enter through the
slice; a render into another folder is no reason to re-render) and with the spec file's
*content* instead of its path. The page's language and title (what the HTML export itself
is given) are a part of their own (``page`` in ``fingerprints.json``).

Two things the HTML shows are left out on purpose: the date it was generated, and the hash of
the whole store the methods section prints (either would re-render every brief on every run,
or on any change of any other province's answers); a kept brief shows the values of the render
that made it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from parbrief.files import atomic_write_text

__all__ = [
    "FINGERPRINT_VERSION",
    "Fingerprints",
    "combine",
    "file_sha256",
    "frame_sha256",
    "library_fingerprint",
    "overview_slice_sha256",
    "params_sha256",
    "province_slice_hashes",
    "source_sha256",
]

#: Bump when the way fingerprints are computed changes (old records then never match).
FINGERPRINT_VERSION = 2
NATIONAL = "Việt Nam"
#: Store meta keys that reach a brief (``build_brief``/``build_overview`` read only these).
BRIEF_META_KEYS = ("synthetic", "source_file")
#: Columns of every province's rows that the pooled serial correlation reads.
POOL_COLUMNS = ("province", "unit", "unit_type", "year", "total")
#: Parameters that point at the snapshot: replaced by the slice hash.
PATH_PARAMETERS = ("data", "survey")
#: Parameters that name a file whose *content* the brief shows: hashed by content, not by path.
CONTENT_PARAMETERS = ("spec", "notes")
_DEPENDENCIES = (
    "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "pillow",
    "papermill", "nbconvert", "nbclient", "ipykernel", "pyarrow", "jinja2",
)


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def source_sha256(root: Path | None = None) -> str:
    """SHA-256 over parbrief's source: every ``.py``, template, locale and resource file.

    Relative paths and contents, in sorted order; caches and compiled files are left out.
    ``root`` defaults to the installed package folder.
    """
    base = Path(root) if root is not None else Path(str(resources.files("parbrief")))
    h = hashlib.sha256()
    files = sorted(
        p for p in base.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
        and not p.name.startswith(".")
    )
    for p in files:
        h.update(p.relative_to(base).as_posix().encode("utf-8") + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str], ...]:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("parbrief", *_DEPENDENCIES):
        try:
            out.append((name, version(name)))
        except PackageNotFoundError:
            out.append((name, "-"))
    return tuple(out)


def library_fingerprint() -> dict[str, Any]:
    """parbrief's version and source hash, and the versions of the packages a brief depends on."""
    import sys

    return {
        "python": "%d.%d.%d" % sys.version_info[:3],
        "versions": dict(_versions()),
        "source_sha256": source_sha256(),
    }


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def combine(parts: Mapping[str, Any]) -> str:
    """SHA-256 of a mapping, canonically serialized (sorted keys, compact JSON)."""
    return hashlib.sha256(_canonical({"fingerprint_version": FINGERPRINT_VERSION, **parts})).hexdigest()


def params_sha256(parameters: Mapping[str, Any]) -> str:
    """Hash of a notebook's resolved parameters, without snapshot paths; the spec's and the
    comments file's (``notes``) paths → their content (an edited comment re-renders the brief)."""
    values = {k: v for k, v in parameters.items() if k not in PATH_PARAMETERS}
    for key in CONTENT_PARAMETERS:
        path = values.get(key)
        if path and Path(str(path)).is_file():
            values[key] = "sha256:" + file_sha256(str(path))
    return hashlib.sha256(_canonical(values)).hexdigest()


def _rows_hash(frame: pd.DataFrame) -> np.ndarray:
    """One uint64 per row (pandas' SipHash of each value, combined across columns)."""
    if frame.empty:
        return np.zeros(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)


def _meta_bytes(meta: Mapping[str, Any] | None) -> bytes:
    meta = dict(meta or {})
    return _canonical({k: meta.get(k) for k in BRIEF_META_KEYS})


def _header(frame: pd.DataFrame) -> bytes:
    return _canonical([[str(c), str(t)] for c, t in frame.dtypes.items()])


def frame_sha256(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's columns, dtypes and row hashes, in row order."""
    h = hashlib.sha256(_header(frame))
    h.update(_rows_hash(frame).tobytes())
    return h.hexdigest()


def _group_hashes(frame: pd.DataFrame | None, keys: np.ndarray, names: Iterable[str]) -> dict[str, bytes]:
    """Per value of ``keys``: SHA-256 of the row hashes of that group (rows in frame order)."""
    names = list(names)
    if frame is None or frame.empty:
        empty = hashlib.sha256(b"empty").digest()
        return {n: empty for n in names}
    rows = _rows_hash(frame)
    header = _header(frame)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    out = {}
    for n in names:
        lo, hi = np.searchsorted(sorted_keys, n, side="left"), np.searchsorted(sorted_keys, n, side="right")
        h = hashlib.sha256(header)
        h.update(rows[order[lo:hi]].tobytes())
        out[n] = h.digest()
    return out


def _pool_bytes(rows: pd.DataFrame) -> bytes:
    """What the store-wide pooled ρ reads of ``rows`` (every province, up to the year); empty when
    the store holds too few provinces for any pool (each brief then keeps its own ρ)."""
    from parbrief.stats.pool_rules import MIN_POOL_PANELS

    if rows["province"].nunique() < MIN_POOL_PANELS:
        return b""
    return frame_sha256(rows[[c for c in POOL_COLUMNS if c in rows.columns]]).encode()


def province_slice_hashes(
    scores: pd.DataFrame,
    survey: pd.DataFrame | None,
    provinces: Iterable[str],
    year: int,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """SHA-256 of the data slice each province's brief for ``year`` reads (see module docstring)."""
    provinces = list(provinces)
    up_to = scores[(scores["province"] != NATIONAL) & (scores["year"] <= year)]
    # each brief's own rows; the nation's brief's are the national table's (province == NATIONAL)
    rows = scores[scores["year"] <= year]
    own = _group_hashes(rows, rows["province"].to_numpy(dtype=object), provinces)
    if survey is not None and len(survey):
        sv = survey[survey["year"] == year]
        sv_hash = _group_hashes(sv, sv["province"].to_numpy(dtype=object), provinces)
    else:
        sv_hash = _group_hashes(None, np.array([], dtype=object), provinces)
    national = scores[(scores["province"] == NATIONAL) & scores["year"].isin([year, year - 1])]
    shared = hashlib.sha256(frame_sha256(national).encode() + _meta_bytes(meta) + _pool_bytes(up_to)).digest()
    out = {}
    for p in provinces:
        h = hashlib.sha256(own[p])
        h.update(sv_hash[p])
        h.update(shared)
        out[p] = h.hexdigest()
    return out


def overview_slice_sha256(scores: pd.DataFrame, year: int, meta: Mapping[str, Any] | None = None) -> str:
    """SHA-256 of the overview's slice: the national table up to ``year`` and the meta."""
    national = scores[(scores["province"] == NATIONAL) & (scores["year"] <= year)]
    return hashlib.sha256(frame_sha256(national).encode() + _meta_bytes(meta)).hexdigest()


@dataclass
class Fingerprints:
    """The fingerprint of each brief's last successful render, kept in ``fingerprints.json``.

    ``records`` maps slug → {"fingerprint", "parts", "lang", "rendered", "duration_s"}: ``lang`` is
    the language of the page on disk, so a reader (and the manifest) can check the two agree.
    """

    path: Path
    records: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> "Fingerprints":
        """Read the file; a missing, unreadable or older-format file gives no records."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}
        if not isinstance(raw, dict) or raw.get("fingerprint_version") != FINGERPRINT_VERSION:
            raw = {}
        records = raw.get("briefs") if isinstance(raw.get("briefs"), dict) else {}
        return cls(Path(path), dict(records))

    def matches(self, slug: str, fingerprint: str, out_dir: Path) -> bool:
        """True when ``slug`` was rendered with ``fingerprint`` and its HTML is still there."""
        rec = self.records.get(slug)
        return bool(rec) and rec.get("fingerprint") == fingerprint and (Path(out_dir) / f"{slug}.html").is_file()

    def record(self, slug: str, entry: dict[str, Any]) -> None:
        self.records[slug] = entry

    def save(self) -> Path:
        """Write atomically (a crash leaves the previous file)."""
        body = {"fingerprint_version": FINGERPRINT_VERSION, "briefs": dict(sorted(self.records.items()))}
        return atomic_write_text(self.path, json.dumps(body, ensure_ascii=False, indent=1) + "\n")
