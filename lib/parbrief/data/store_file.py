"""What a store path is, told by the file's content, and the messages of a path that is no store.

A store is a DuckDB file, whatever its name: ``parbrief render --data scores_store`` reads a
store created without the ``.duckdb`` extension, since DuckDB writes ``DUCK`` at byte 8 of every
database file (:func:`is_duckdb_file`). ``ingest --store`` refuses a folder, and a file that is
something else (a scores file given by mistake), before anything is read or written; a store
DuckDB cannot open names its newest dated backup as the way back (:func:`cannot_open_error`).
"""

from __future__ import annotations

import os
from pathlib import Path

from parbrief.data.backup import list_backups
from parbrief.errors import ParamsError, ParbriefError
from parbrief.text.messages import Msg

__all__ = ["STORE_EXTENSIONS", "cannot_open_error", "check_store_target", "data_folder_error", "is_duckdb_file",
           "is_store_path", "not_a_store_error"]

#: Extensions of store files (a DuckDB file under another name is a store too: :func:`is_store_path`).
STORE_EXTENSIONS = (".duckdb", ".db")
# DuckDB's main header: an 8-byte checksum, then the magic bytes.
_MAGIC, _MAGIC_AT = b"DUCK", 8


def _head(path: Path, n: int = 16) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def is_duckdb_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a file whose header is DuckDB's (``DUCK`` at byte 8)."""
    p = Path(path)
    return p.is_file() and _head(p)[_MAGIC_AT:_MAGIC_AT + len(_MAGIC)] == _MAGIC


def is_store_path(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a store: a ``.duckdb``/``.db`` name, or a DuckDB file by its content."""
    return Path(path).suffix.lower() in STORE_EXTENSIONS or is_duckdb_file(path)


def _seen(path: Path) -> Msg:
    """What the first bytes of a file that is not a store look like, for the message."""
    head = _head(path, 4096)
    if not head:
        return Msg("integrity.store.seen_empty")
    if head.startswith(b"PK\x03\x04"):
        return Msg("integrity.store.seen_zip")
    if b"\x00" not in head:
        return Msg("integrity.store.seen_text")
    return Msg("integrity.store.seen_other")


def not_a_store_error(path: str | os.PathLike[str], *, option: str) -> ParbriefError:
    """The error of a file given as a store (``option``: ``"store"`` for ingest, ``"data"`` for a
    render) that is not a DuckDB database, saying what it looks like."""
    p = Path(path)
    return ParbriefError.keyed("integrity.store.not_duckdb", path=str(p), seen=_seen(p),
                               fix=Msg(f"integrity.store.fix_{option}"))


def check_store_target(path: str | os.PathLike[str]) -> None:
    """Refuse, before an ingest reads anything, a ``--store`` that is a folder (usage error) or
    an existing non-empty file that is not a DuckDB database. A missing or empty file is a new store."""
    p = Path(path)
    if p.is_dir():
        raise ParamsError.keyed("integrity.usage.store_is_folder", path=str(p), example=str(p / "parbrief.duckdb"))
    if p.is_file() and p.stat().st_size > 0 and not is_duckdb_file(p):
        raise not_a_store_error(p, option="store")


def cannot_open_error(path: str | os.PathLike[str], error: BaseException) -> ParbriefError:
    """The error of a store DuckDB cannot open (damaged, cut short): its newest backup is the fix."""
    p = Path(path)
    backups = list_backups(p) if p.parent.is_dir() else []
    fix = (Msg("integrity.store.fix_backup", backup=str(backups[0]), path=str(p)) if backups
           else Msg("integrity.store.fix_none"))
    text = " ".join(str(error).split())
    return ParbriefError.keyed("integrity.store.cannot_open", path=str(p), error=text[:300], fix=fix)


def data_folder_error(path: str | os.PathLike[str]) -> ParamsError:
    """The usage error of ``--data`` naming a folder: the store inside it is the example, when there is one."""
    p = Path(path)
    inside = sorted(q for q in p.glob("*") if q.suffix.lower() in STORE_EXTENSIONS and q.is_file())
    example = inside[0] if inside else p / "parbrief.duckdb"
    return ParamsError.keyed("integrity.usage.data_is_folder", path=str(p), example=str(example))
