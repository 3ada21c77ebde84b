"""One render at a time per output folder: a lock file that says who holds it and since when.

Two renders into one ``--out`` folder (``--lang vi`` and ``--lang en`` started together) used to
interleave their pages, their ``fingerprints.json`` and their manifest (issue 14). ``render``
now takes :class:`OutputLock` on ``<out>/.parbrief-render.lock`` before it reads or writes
anything in the folder, and keeps it until its last file is written:

- the lock itself is ``fcntl.flock`` (exclusive, non-blocking, polled): the kernel releases it
  when its holder exits, even on ``kill -9``, so a dead render never blocks the folder;
- the file's content is the holder's record (JSON: ``pid``, ``host``, ``command``,
  ``started`` in ISO 8601), written after the lock is taken and emptied before it is released.
  A second render reads it to say who holds the folder and since when, then waits (polling)
  or, with ``--no-wait``, refuses (:class:`OutputBusyError`, exit code 1: a busy folder is
  not a usage error);
- a record found *when the lock is free* was left by a render that ended without releasing it
  (killed): the lock is stale and is taken over with a note naming the old holder.

Why not the ``filelock`` package: its Unix lock opens the file with ``O_TRUNC`` on every
attempt, so each waiting render would erase the holder's record (the very thing a waiting
user needs to read); the flock calls it would wrap are a dozen lines here. The file is deleted only
when it is all the folder holds (a render refused before writing anything leaves nothing);
deleting a flock file lets a waiter lock the old inode while a newcomer locks a new one, so a
render that gets the lock checks that its file is still the one at the path, and reopens if not. The lock is re-entrant within one process (``parbrief render --pdf`` holds it
across the render and the printing).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from parbrief.errors import RenderError
from parbrief.text.messages import t

__all__ = ["LOCK_NAME", "Holder", "OutputBusyError", "OutputFolderError", "OutputLock", "folder_error"]

#: The lock file, in the ``--out`` folder.
LOCK_NAME = ".parbrief-render.lock"
_MAX_RECORD = 64 * 1024

_held: dict[str, tuple["OutputLock", int]] = {}  # folder → (the lock this process holds, depth)
_held_guard = threading.Lock()


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) an output folder: the record in the lock file."""

    pid: int
    host: str
    command: str
    started: str  # ISO 8601 with the UTC offset

    @classmethod
    def me(cls, command: str) -> "Holder":
        return cls(os.getpid(), socket.gethostname(), command[:500],
                   datetime.now().astimezone().isoformat(timespec="seconds"))

    @classmethod
    def parse(cls, raw: bytes) -> "Holder | None":
        """The record in ``raw``; ``None`` when empty or not (yet) a whole record."""
        try:
            data = json.loads(raw.decode("utf-8"))
            return cls(int(data["pid"]), str(data["host"]), str(data["command"]), str(data["started"]))
        except (ValueError, KeyError, TypeError):
            return None

    def since(self, lang: str) -> str:
        """The start time as a reader writes it (vi: 14:03:12 ngày 05/03/2026)."""
        try:
            when = datetime.fromisoformat(self.started)
        except ValueError:
            return self.started
        if lang == "vi":
            return t("lock.since", lang, time=when.strftime("%H:%M:%S"), date=when.strftime("%d/%m/%Y"))
        return t("lock.since", lang, time=when.strftime("%H:%M:%S"), date=when.strftime("%Y-%m-%d"))

    def describe(self, lang: str) -> str:
        return t("lock.holder", lang, pid=self.pid, host=self.host, since=self.since(lang),
                 command=self.command)


def _who(holder: Holder | None, lang: str) -> str:
    return holder.describe(lang) if holder is not None else t("lock.holder_unknown", lang)


class _Localized(RenderError):
    """A render error whose message exists in both languages (``message(lang)``; ``str()``: English)."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key, self.values = key, values
        self.message_key = key  # what the command line's exit code is decided by (errors.USAGE_KEYS)
        super().__init__(self.message("en"))

    def _texts(self, lang: str) -> dict[str, Any]:
        return dict(self.values)

    def message(self, lang: str = "vi") -> str:
        lang = "en" if lang == "en" else "vi"
        return t(self.key, lang, **self._texts(lang))


class OutputBusyError(_Localized):
    """Another render holds the output folder and the caller asked not to wait (``--no-wait``)."""

    def __init__(self, out: Path, holder: Holder | None) -> None:
        self.out, self.holder = out, holder
        super().__init__("lock.busy", out=str(out))

    def _texts(self, lang: str) -> dict[str, Any]:
        return {"out": str(self.out), "holder": _who(self.holder, lang)}


class OutputFolderError(_Localized):
    """The output folder cannot be used: ``--out`` names a file, or the folder is not writable."""

    def __init__(self, key: str, out: Path, reason: str = "") -> None:
        self.out = out
        super().__init__(key, out=str(out), reason=reason)


def folder_error(out: Path, exc: OSError) -> OutputFolderError:
    """The message for an OS error met while preparing or writing the output folder."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)) or exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return OutputFolderError("lock.folder.not_a_folder", out)
    return OutputFolderError("lock.folder.cannot_write", out, exc.strerror or str(exc))


class OutputLock:
    """The lock of one output folder (a context manager; see the module docstring).

    ``wait``: poll every ``poll_s`` seconds until the folder is free, saying once per holder
    who holds it (``log``, in ``lang``); ``False``: raise :class:`OutputBusyError` at once.
    After :meth:`acquire`, ``took_over`` is the stale record that was replaced (or ``None``)
    and ``waited_s`` the seconds spent waiting.
    """

    def __init__(self, out: Path, *, command: str, wait: bool = True, poll_s: float = 0.5,
                 log: Callable[[str], None] = print, lang: str = "vi") -> None:
        self.out = Path(out)
        self.path = self.out / LOCK_NAME
        self.command, self.wait, self.poll_s, self.log = command, wait, poll_s, log
        self.lang = "en" if lang == "en" else "vi"
        self.took_over: Holder | None = None
        self.waited_s = 0.0
        self._fd: int | None = None
        self._key = ""
        self._created_folder = False

    # ------------------------------------------------------------------ the lock file
    def _open(self) -> int:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            if not self.out.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(self.out))
            return os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise folder_error(self.out, exc) from None

    @staticmethod
    def _read(fd: int) -> Holder | None:
        return Holder.parse(os.pread(fd, _MAX_RECORD, 0))

    def acquire(self) -> "OutputLock":
        """Take the lock (waiting or refusing as configured) and write this render's record."""
        self._key = str(self.out.resolve()) if self.out.exists() else str(self.out.absolute())
        with _held_guard:
            if self._key in _held:  # this process holds it already (render inside render --pdf)
                owner, depth = _held[self._key]
                _held[self._key] = (owner, depth + 1)
                self.took_over, self.waited_s = owner.took_over, owner.waited_s
                return self
        created = not self.out.exists()
        fd = self._open()
        t0 = time.monotonic()
        announced: Holder | None = None
        polls = 0
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    if self._same_file(fd):
                        break
                    # The holder removed the file as it left an otherwise empty folder: lock the new one.
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                    fd = self._open()
                    continue
                except BlockingIOError:
                    holder = self._read(fd)
                    if not self.wait:
                        raise OutputBusyError(self.out, holder) from None
                    # A holder between taking the lock and writing its record reads as None:
                    # say "another render" only when that lasts more than a poll.
                    if (holder is not None and holder != announced) or (announced is None and polls == 2):
                        self.log("parbrief render: " + t("lock.waiting", self.lang, out=str(self.out),
                                                         holder=_who(holder, self.lang)))
                        announced = holder if holder is not None else Holder(0, "", "", "")
                    polls += 1
                    time.sleep(self.poll_s)
            self.waited_s = round(time.monotonic() - t0, 3)
            self.took_over = self._read(fd)
            if self.took_over is not None:
                self.log("parbrief render: " + t("lock.stale", self.lang, out=str(self.out), pid=self.took_over.pid,
                                                 host=self.took_over.host, since=self.took_over.since(self.lang)))
            record = (json.dumps(asdict(Holder.me(self.command)), ensure_ascii=False) + "\n").encode("utf-8")
            os.ftruncate(fd, 0)
            os.pwrite(fd, record, 0)
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            raise folder_error(self.out, exc) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._created_folder = created
        with _held_guard:
            _held[self._key] = (self, 1)
        return self

    def _same_file(self, fd: int) -> bool:
        """Whether ``fd`` is still the file at :attr:`path` (not one a leaving holder removed)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        return os.fstat(fd).st_ino == st.st_ino and os.fstat(fd).st_dev == st.st_dev

    def release(self) -> None:
        """Empty the record and let the folder go (the outermost holder in this process only)."""
        with _held_guard:
            owner, depth = _held.get(self._key, (None, 0))
            if owner is None:
                return
            if depth > 1:
                _held[self._key] = (owner, depth - 1)
                return
            del _held[self._key]
        fd, owner._fd = owner._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # no record: nobody will take this for a stale lock
            # A render that wrote nothing leaves nothing: the lock file goes with an otherwise empty
            # folder (a waiter that locks the removed file sees it is gone and opens the new one).
            if [p.name for p in owner.out.iterdir()] == [LOCK_NAME]:
                os.unlink(owner.path)
                if getattr(owner, "_created_folder", False):
                    owner.out.rmdir()
        except OSError:
            pass
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> "OutputLock":
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()
