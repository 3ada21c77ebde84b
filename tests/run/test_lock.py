"""The output folder's lock (parbrief.run.lock): who holds it, refusing, stale records, bad folders."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from parbrief.run.lock import LOCK_NAME, Holder, OutputBusyError, OutputFolderError, OutputLock

LIB = str(Path(__file__).resolve().parents[2] / "lib")


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)  # that process has exited


def _try_from_another_process(out: Path, wait: bool = False) -> subprocess.CompletedProcess:
    code = textwrap.dedent(f"""
        from parbrief.run.lock import OutputLock, OutputBusyError
        try:
            OutputLock({str(out)!r}, command="second", wait={wait}).acquire()
            print("ACQUIRED")
        except OutputBusyError as exc:
            print(exc.message("en")); print(exc.message("vi"))
    """)
    env = {**os.environ, "PYTHONPATH": LIB}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_the_lock_file_says_who_holds_it_and_a_second_process_is_refused(tmp_path):
    out = tmp_path / "out"
    with OutputLock(out, command="parbrief render --lang vi") as held:
        record = json.loads((out / LOCK_NAME).read_text(encoding="utf-8"))
        assert record["pid"] == os.getpid() and record["host"] == socket.gethostname()
        assert record["command"] == "parbrief render --lang vi"
        assert Holder.parse((out / LOCK_NAME).read_bytes()).started == record["started"]
        assert "T" in record["started"] and record["started"][-6] in "+-"  # ISO 8601 with its offset
        assert held.took_over is None
        other = _try_from_another_process(out)
        en, vi = other.stdout.splitlines()[:2]
        assert f"pid {os.getpid()} on {socket.gethostname()}" in en and "parbrief render --lang vi" in en
        assert "in use by another render" in en and "--out" in en
        assert f"tiến trình {os.getpid()}" in vi and "đang được một lần tạo báo cáo khác sử dụng" in vi
        # Re-entrant within one process (render inside `render --pdf`): no deadlock, one holder.
        with OutputLock(out, command="inner"):
            assert json.loads((out / LOCK_NAME).read_text())["command"] == "parbrief render --lang vi"
        assert json.loads((out / LOCK_NAME).read_text())["pid"] == os.getpid()  # still held
    # released: the folder held nothing else, so the lock file went with the render (and the folder
    # it created): nothing is left to be taken for a stale lock, and nothing is written by a refusal.
    assert not (out / LOCK_NAME).exists() and not out.exists()
    assert _try_from_another_process(out).stdout.strip() == "ACQUIRED"
    (out / "kept.html").parent.mkdir(exist_ok=True)
    (out / "kept.html").write_text("x")
    with OutputLock(out, command="with a page beside it"):
        pass
    assert (out / LOCK_NAME).read_bytes() == b""  # beside other files the emptied lock file stays


def test_a_stale_lock_of_a_dead_render_is_taken_over_with_a_note(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = _dead_pid()
    stale = {"pid": dead, "host": socket.gethostname(), "command": "parbrief render --lang en",
             "started": "2026-03-05T14:03:12+07:00"}
    (out / LOCK_NAME).write_text(json.dumps(stale), encoding="utf-8")
    notes: list[str] = []
    with OutputLock(out, command="new", log=notes.append, lang="vi") as held:
        assert held.took_over == Holder(**stale)
        assert json.loads((out / LOCK_NAME).read_text())["pid"] == os.getpid()
    assert len(notes) == 1
    assert f"tiến trình {dead}" in notes[0] and "14:03:12 ngày 05/03/2026" in notes[0] and "tiếp quản" in notes[0]
    notes.clear()
    with OutputLock(out, command="again", log=notes.append, lang="en") as held:
        assert held.took_over is None and notes == []  # released properly last time: nothing to take over


@contextlib.contextmanager
def _held_elsewhere(out: Path, release: Path, command: str = "parbrief render --lang en"):
    """Another process holding ``out`` until ``release`` exists (then it releases properly)."""
    code = textwrap.dedent(f"""
        import pathlib, time
        from parbrief.run.lock import OutputLock
        lock = OutputLock({str(out)!r}, command={command!r}).acquire()
        print("HELD", flush=True)
        while not pathlib.Path({str(release)!r}).exists():
            time.sleep(0.05)
        lock.release()
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": LIB})
    try:
        assert holder.stdout.readline().strip() == "HELD"
        yield holder
    finally:
        release.touch()
        holder.wait(timeout=60)
        holder.stdout.close()


def test_a_waiting_lock_says_who_holds_the_folder_then_takes_it_when_free(tmp_path):
    out, release = tmp_path / "out", tmp_path / "release"
    lines: list[str] = []

    def log(line: str) -> None:  # told that it waits: now let the holder finish
        lines.append(line)
        release.touch()

    with _held_elsewhere(out, release) as holder:
        with OutputLock(out, command="second", log=log, lang="en", poll_s=0.05) as held:
            assert json.loads((out / LOCK_NAME).read_text())["command"] == "second"
            assert held.took_over is None  # the holder released it properly
    assert len(lines) == 1
    assert f"pid {holder.pid} on {socket.gethostname()}" in lines[0] and "parbrief render --lang en" in lines[0]
    assert lines[0].startswith("parbrief render: the output folder") and "waiting until it finishes" in lines[0]


def test_an_out_that_is_a_file_or_unwritable_is_a_message(tmp_path):
    a_file = tmp_path / "outputs"
    a_file.write_text("x")
    with pytest.raises(OutputFolderError) as err:
        OutputLock(a_file, command="x").acquire()
    assert "is a file, not a folder" in err.value.message("en") and str(a_file) in err.value.message("en")
    assert "không phải thư mục" in err.value.message("vi")
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            with pytest.raises(OutputFolderError) as err:
                OutputLock(ro, command="x").acquire()
            assert "cannot write into the output folder" in err.value.message("en")
        finally:
            ro.chmod(0o700)


def test_render_no_wait_refuses_with_exit_code_1_and_no_traceback(tmp_path, capsys):
    from parbrief.cli import main

    out = tmp_path / "out"
    with _held_elsewhere(out, tmp_path / "release", command="the other render"):
        code = main(["render", "--data", str(tmp_path / "none.csv"), "--out", str(out), "--no-wait", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("parbrief render: the output folder") and "the other render" in err
    assert "Traceback" not in err
    assert not out.exists() or sorted(p.name for p in out.iterdir()) in ([], [LOCK_NAME])  # nothing else written
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert main(["render", "--data", "x.csv", "--out", str(a_file)]) == 2  # a usage error
    assert "không phải thư mục" in capsys.readouterr().err


def test_busy_error_is_a_parbrief_error():
    from parbrief.errors import ParbriefError

    exc = OutputBusyError(Path("/o"), None)
    assert isinstance(exc, ParbriefError) and "not recorded yet" in str(exc)


def test_ctrl_c_while_waiting_is_a_message_not_a_traceback(monkeypatch, capsys):
    from parbrief.cli import main
    from parbrief.run import batch

    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "render", interrupted)
    assert main(["render", "--lang", "en"]) == 130
    assert capsys.readouterr().err.strip() == "parbrief render: stopped (Ctrl+C)"
