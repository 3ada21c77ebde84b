"""Atomic file writes: a reader sees the old file or the complete new one, never a partial one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Mapping

__all__ = ["atomic_write_bytes", "atomic_write_text", "read_yaml_mapping"]


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the complete new one, never a part.

    Temporary file in the same directory (same file system, so ``os.replace`` is atomic), fsync
    of the file, ``os.replace``, fsync of the directory. On any error the temporary file is
    removed and the error re-raised; an existing ``path`` is untouched. The new file keeps the
    old file's permissions, else gets 0644.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable; not possible on every file system
        dfd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return path
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """UTF-8 text version of :func:`atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def read_yaml_mapping(path: str | os.PathLike[str], *, what: str = "params file",
                      expected: str = "expected a YAML mapping") -> Mapping[str, Any]:
    """A YAML file that must hold a mapping (empty file → ``{}``); :class:`ParamsError` naming the file."""
    import yaml

    from parbrief.errors import ParamsError

    p = Path(path)
    if not p.is_file():
        raise ParamsError(f"{p}: {what} not found")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParamsError(f"{p}: not valid YAML ({exc})") from exc
    if not isinstance(raw, Mapping):
        raise ParamsError(f"{p}: {expected}")
    return raw
