"""Issue 14, defect 5: no Python traceback reaches a user. Every failure the probe met is a short
message naming the file or option and the fix; exit code 2 for a usage error, 1 for an error of
the data or the machine; ``--debug`` prints the traceback as well. An error nobody foresaw is one
line naming the command and suggesting ``--debug``."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from parbrief.cli import main
from parbrief.config import ConfigError
from parbrief.errors import DataValidationError, ParamsError, ParbriefError, SpecError
from parbrief.run import batch, lock

LIB = str(Path(__file__).resolve().parents[2] / "lib")


class _ReadOnlyOs:
    """``os`` for the lock module: opening the lock file fails as in a read-only folder (a root
    user can write into a chmod 555 folder, so the folder cannot be made read-only for real)."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def open(path, *args, **kwargs):
        raise PermissionError(errno.EROFS, "Read-only file system", str(path))


def _render(store: Path, out: Path, *extra: str) -> list[str]:
    return ["render", "--data", str(store), "--out", str(out), "--lang", "en", *extra]


def test_out_a_file_is_a_usage_error(small_store, tmp_path, capsys) -> None:
    a_file = tmp_path / "briefs"
    a_file.write_text("x")
    assert main(_render(small_store, a_file)) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"parbrief render: --out {a_file} is a file, not a folder; give a folder (it is created when "
                           "missing)")


def test_a_read_only_output_folder_names_the_folder_and_the_fix(small_store, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(lock, "os", _ReadOnlyOs())
    out = tmp_path / "out"
    assert main(_render(small_store, out)) == 1
    err = capsys.readouterr().err
    assert err.strip() == (f"parbrief render: cannot write into the output folder {out} (Read-only file system); free "
                           "some space or choose, with --out, a folder you can write to")


def test_a_full_disk_while_the_data_are_written_is_a_message(small_store, tmp_path, monkeypatch, capsys) -> None:
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(batch, "write_render_snapshot", full)
    assert main(_render(small_store, tmp_path / "out")) == 1
    err = capsys.readouterr().err
    assert f"cannot write into the output folder {tmp_path / 'out' / '2024'} (No space left on device)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("text, shown", [('year: "Năm 2024"\n', "'Năm 2024'"), ("year: [2024]\n", "[2024]")])
def test_a_params_year_that_is_no_year_is_a_usage_error(small_store, tmp_path, capsys, text, shown) -> None:
    params = tmp_path / "2024.yaml"
    params.write_text(text, encoding="utf-8")
    assert main(_render(small_store, tmp_path / "out", "--params", str(params))) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"parbrief render: {params}: year must be a year written as a whole number, e.g. 2024, got {shown}"


def test_ingest_into_a_folder_or_a_damaged_store_is_a_message(small_store, tmp_path, capsys) -> None:
    scores = small_store.with_name("scores.csv")
    assert main(["ingest", str(scores), "--store", str(tmp_path), "--lang", "en"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"parbrief ingest: --store {tmp_path} is a folder, not a store file; give the store's file name, e.g. "
        f"--store {tmp_path / 'parbrief.duckdb'}")
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(small_store.read_bytes()[:4096])
    before = cut.read_bytes()
    assert main(["ingest", str(scores), "--store", str(cut), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"parbrief ingest: cannot read or write the store {cut} (")
    assert err.rstrip().endswith("ingest the scores files again into a new --store")
    assert cut.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [".cut.duckdb.lock", "cut.duckdb"]


def test_a_damaged_store_names_its_latest_backup(small_store, tmp_path, capsys) -> None:
    store = tmp_path / "s.duckdb"
    store.write_bytes(small_store.read_bytes()[:4096])
    backup = tmp_path / "s.duckdb.bak-20260301-101500"
    backup.write_bytes(small_store.read_bytes())
    assert main(_render(store, tmp_path / "out")) == 1
    err = capsys.readouterr().err
    assert f"its latest backup is {backup}: copy it over the store (cp {backup} {store}) and run again" in err


def test_an_unexpected_error_is_one_line_that_suggests_debug(small_store, tmp_path, monkeypatch, capsys) -> None:
    from parbrief.data import store

    def broken(*args, **kwargs):
        raise KeyError("units")

    monkeypatch.setattr(store, "load_data", broken)
    assert main(_render(small_store, tmp_path / "out")) == 1
    err = capsys.readouterr().err
    assert err.strip() == ("parbrief render: an unexpected error stopped the command (KeyError: 'units'); nothing more "
                           "is known about it. Run the same command again with --debug to see where it happened, and "
                           "report it with that output")
    assert main(_render(small_store, tmp_path / "out", "--debug")) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "KeyError: 'units'" in err
    assert err.rstrip().splitlines()[-1].startswith("parbrief render: an unexpected error stopped the command")


def test_an_os_error_names_its_file(tmp_path, monkeypatch, capsys) -> None:
    from parbrief.data import validate

    def denied(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(validate, "read_table", denied)
    path = tmp_path / "scores.csv"
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"parbrief validate: {path}: Permission denied; hãy kiểm tra đường dẫn, quyền đọc/ghi tại đó và dung lượng "
        "trống của ổ đĩa (--debug cho biết lỗi xảy ra ở đâu)")


def test_debug_shows_the_traceback_of_a_parbrief_error_too(tmp_path, capsys) -> None:
    assert main(["ingest", "x.csv", "--store", str(tmp_path), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err and "check_store_target" in err
    assert err.rstrip().splitlines()[-1].startswith(f"parbrief ingest: --store {tmp_path} là một thư mục")


def test_exit_codes_usage_2_data_1() -> None:
    assert ConfigError("config.error.bad_value", where=None, key="year", expect="x", value="1").exit_code == 2
    assert ConfigError("config.error.year_missing", year=2019, years="2024").exit_code == 1
    assert ParamsError.keyed("config.file.not_found", path="p.yaml", what="x").exit_code == 2
    assert ParamsError.keyed("integrity.usage.store_is_folder", path="d", example="d/x").exit_code == 2
    assert ParbriefError.keyed("integrity.store.not_duckdb", path="p", seen="", fix="").exit_code == 1
    assert SpecError.keyed("spec.error.not_found", path="i.yaml").exit_code == 1
    assert DataValidationError([]).exit_code == 1
    assert lock.OutputFolderError("lock.folder.not_a_folder", Path("o")).exit_code == 2
    assert lock.OutputFolderError("lock.folder.cannot_write", Path("o"), "full").exit_code == 1
    assert lock.OutputBusyError(Path("o"), None).exit_code == 1


def test_the_installed_command_prints_no_traceback(tmp_path) -> None:
    """The real process (``python -m parbrief.cli``): a folder as --store, exit 2 and one line."""
    proc = subprocess.run([sys.executable, "-m", "parbrief.cli", "ingest", "x.csv", "--store", str(tmp_path),
                           "--lang", "en"], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": LIB},
                          timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [f"parbrief ingest: --store {tmp_path} is a folder, not a store file; give the "
                                        f"store's file name, e.g. --store {tmp_path / 'parbrief.duckdb'}"]
