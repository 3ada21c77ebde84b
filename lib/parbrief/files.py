"""Files: atomic writes (a reader sees the old file or the complete new one) and the one locator of
the files parbrief ships (notebooks, the default spec and params, reference tables).

The repository's top-level ``notebooks/`` and ``params/`` are the source of truth. In a checkout
(editable install, ``PYTHONPATH=lib``) they are read there; a built wheel carries copies made at
build time (``setup.py``'s ``build_py`` step) under ``parbrief/_shipped/``, used when no checkout
is around the package. Nothing is committed twice.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Mapping

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "read_yaml_mapping",
    "checkout_root",
    "shipped_dir",
    "shipped_file",
    "SHIPPED_FOLDERS",
    "system_folder",
    "refuse_system_folder",
]

#: Top-level folders of the repository that the wheel ships (copied at build time).
SHIPPED_FOLDERS = ("notebooks", "params")
_PACKAGE_DIR = Path(__file__).resolve().parent


def checkout_root() -> Path | None:
    """The repository around the package (``lib/parbrief`` → its parent's parent), or ``None``.

    A folder counts as the checkout when it holds ``pyproject.toml`` and ``notebooks/``, so an
    installed package (in ``site-packages``) never mistakes an unrelated folder for its source.
    """
    root = _PACKAGE_DIR.parents[1]
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir():
        return root
    return None


def shipped_dir(folder: str) -> Path:
    """Where ``folder`` (``"notebooks"`` or ``"params"``) is read from: the checkout's, else the
    packaged copy; the packaged path is returned even when missing so errors can name it."""
    if folder not in SHIPPED_FOLDERS:
        raise ValueError(f"unknown shipped folder {folder!r}; one of: {', '.join(SHIPPED_FOLDERS)}")
    root = checkout_root()
    if root is not None and (root / folder).is_dir():
        return root / folder
    return _PACKAGE_DIR / "_shipped" / folder


def shipped_file(folder: str, name: str) -> Path | None:
    """``<folder>/<name>`` from the checkout, else from the working directory's ``<folder>/``,
    else from the packaged copy; ``None`` when none of them has it."""
    shipped_dir(folder)  # checks the folder name
    root = checkout_root()
    candidates = [root / folder / name] if root is not None else []
    candidates += [Path.cwd() / folder / name, _PACKAGE_DIR / "_shipped" / folder / name]
    return next((c for c in candidates if c.is_file()), None)


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


def read_yaml_mapping(path: str | os.PathLike[str], *, what: str = "params",
                      expected: str = "mapping") -> Mapping[str, Any]:
    """A YAML file that must hold a mapping (empty file → ``{}``); :class:`ParamsError` naming the file.

    ``what`` names the file and ``expected`` what it must hold in the messages: keys of
    ``config.file.what`` and ``config.file.expected`` in the locale files.
    """
    import yaml

    from parbrief.errors import ParamsError
    from parbrief.text.messages import Msg

    p = Path(path)
    if not p.is_file():
        raise ParamsError.keyed("config.file.not_found", path=p, what=Msg(f"config.file.what.{what}"))
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParamsError.keyed("config.file.bad_yaml", path=p, error=exc) from exc
    if not isinstance(raw, Mapping):
        raise ParamsError.keyed("config.file.not_a_mapping", path=p, expected=Msg(f"config.file.expected.{expected}"))
    return raw


# POSIX folders of the operating system: nothing is written anywhere inside these trees …
_SYSTEM_TREES = frozenset({"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "sys",
                           "usr", "System"})
# … nor into these top-level folders themselves (their subfolders, e.g. /var/www or /home/ana/briefs, are fine).
_SYSTEM_TOPS = frozenset({"home", "media", "mnt", "opt", "root", "run", "srv", "var", "snap", "Users", "Volumes",
                          "Applications", "Library", "private"})
# Windows folders of the system (below the drive's root), compared casefolded.
_WINDOWS_TREES = frozenset({"windows", "program files", "program files (x86)", "programdata"})


def system_folder(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` is a folder no command should fill with its files, or ``None``: ``"root"`` (the
    root of the file system or a drive), ``"home"`` (the home folder itself) or ``"system"`` (a
    folder of the operating system: anything under /etc, /usr, /bin …, or /var, /opt, /home … themselves).

    Symbolic links are followed (``/bin`` is ``/usr/bin`` on most systems), so the folder is judged
    by where the files would land.
    """
    p = Path(path).expanduser()
    try:
        real = p.resolve()
    except (OSError, RuntimeError):
        real = p.absolute()
    if real == Path(real.anchor):
        return "root"
    try:
        if real == Path.home().resolve():
            return "home"
    except (OSError, RuntimeError, KeyError):  # no home folder known
        pass
    below = real.parts[1:]
    if os.name == "nt":
        return "system" if below and below[0].casefold() in _WINDOWS_TREES else None
    if below and below[0] in _SYSTEM_TREES or (len(below) == 1 and below[0] in _SYSTEM_TOPS):
        return "system"
    return None


def refuse_system_folder(path: str | os.PathLike[str], option: str = "--out") -> None:
    """Raise a usage error (:class:`~parbrief.errors.ParamsError`) when ``path`` is a
    :func:`system_folder`, before anything is created there; ``option`` names the flag."""
    why = system_folder(path)
    if why is None:
        return
    from parbrief.errors import ParamsError
    from parbrief.text.messages import Msg

    raise ParamsError.keyed("integrity.usage.system_folder", option=option, out=str(path),
                            why=Msg(f"integrity.usage.why.{why}"), example="outputs")
