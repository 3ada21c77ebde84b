"""Dated backups of the store, so an ingest can be undone: ``<store>.bak-YYYYMMDD-HHMMSS``.

An ingest writes a new store file and moves it over the old one (:mod:`parbrief.data.store`).
Just before the move, the old file gets a second, hidden name (a hard link: no copy, no time;
a copy where the file system has no hard links); just after, that name becomes the dated
backup. The old file is never written again, so the backup is exactly the store as it was
before the ingest, and it appears whole or not at all: a process killed before the move leaves
only the hidden name, which the next ingest removes with its other leftovers. The newest
:data:`KEEP` backups are kept; older ones are deleted.

Restoring is copying a backup over the store (``cp <store>.bak-… <store>``).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import glob
import os
import re
import shutil
import uuid
from pathlib import Path

__all__ = ["KEEP", "prepare_backup", "commit_backup", "list_backups", "rotate_backups"]

#: Backups kept per store.
KEEP = 3
_STAMP = re.compile(r"\.bak-(\d{8}-\d{6})(?:-(\d+))?$")


def _pending_name(store: Path) -> Path:
    # Matches the store's ".<name>.ingest-*" leftovers, which every ingest removes under its lock.
    return store.with_name(f".{store.name}.ingest-{os.getpid()}-{uuid.uuid4().hex[:8]}.bak")


def prepare_backup(store: Path) -> Path:
    """A hidden second name for the current store file (hard link, else an fsynced copy)."""
    pending = _pending_name(store)
    try:
        os.link(store, pending)
    except OSError:
        shutil.copyfile(store, pending)
        with open(pending, "rb") as fh:
            os.fsync(fh.fileno())
    return pending


def _final_name(store: Path, now: _dt.datetime) -> Path:
    """``<store>.bak-<stamp>``, or ``-2``, ``-3``… after the highest of that second (a name freed
    by rotation is not reused: it would sort before the newer backups of the same second)."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    taken = [n for s, n, _ in _backups(store) if s == stamp]
    if not taken:
        return store.with_name(f"{store.name}.bak-{stamp}")
    return store.with_name(f"{store.name}.bak-{stamp}-{max(taken) + 1}")


def commit_backup(pending: Path, store: Path, keep: int = KEEP, now: _dt.datetime | None = None) -> Path:
    """Give the hidden name its dated name (after the store was replaced), then keep the newest ``keep``."""
    final = _final_name(store, now or _dt.datetime.now())
    os.replace(pending, final)
    rotate_backups(store, keep)
    return final


def _backups(store: Path) -> list[tuple[str, int, Path]]:
    """(stamp, number within the second, path) of each backup of ``store``."""
    found = []
    for p in store.parent.glob(f"{glob.escape(store.name)}.bak-*"):
        m = _STAMP.search(p.name)
        if m and p.name[: m.start()] == store.name:
            found.append((m.group(1), int(m.group(2) or 1), p))
    return found


def list_backups(store: Path) -> list[Path]:
    """The store's backups, newest first (by the time in their names)."""
    return [p for *_, p in sorted(_backups(store), reverse=True)]


def rotate_backups(store: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` backups; the deleted paths."""
    old = list_backups(store)[max(keep, 0):]
    for p in old:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    return old
