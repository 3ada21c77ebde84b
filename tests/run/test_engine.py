"""The ``parbrief`` papermill engine and its kernel pool (parbrief.run.engine)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from parbrief.run.engine import (
    ENGINE_NAME,
    KernelError,
    KernelPool,
    PooledKernel,
    WarmKernelEngine,
    WarmSpec,
    ensure_registered,
)


def _notebook(path: Path, *cells: str) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = new_code_cell("n = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(new_code_cell(c) for c in cells)]
    nbformat.write(nb, path)
    return path


def test_papermill_finds_the_engine_through_its_entry_point():
    # A fresh interpreter: importing papermill loads the "papermill.engine" entry points; the
    # engine module must not import papermill itself at import time (that would be circular).
    code = (
        "import papermill\n"
        "from papermill.engines import papermill_engines\n"
        "e = papermill_engines.get_engine('parbrief')\n"
        "print(e.__module__ + '.' + e.__qualname__)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert res.stdout.strip() == "parbrief.run.engine.WarmKernelEngine"
    # Importing the engine module first must not break papermill either.
    res = subprocess.run([sys.executable, "-c", "import parbrief.run.engine\n" + code], capture_output=True,
                         text=True, timeout=60, check=True)
    assert res.stdout.strip() == "parbrief.run.engine.WarmKernelEngine"


def test_ensure_registered_gives_papermill_our_engine():
    from papermill.engines import papermill_engines

    ensure_registered()
    assert papermill_engines.get_engine(ENGINE_NAME) is WarmKernelEngine
    impl = WarmKernelEngine.implementation()
    assert impl.__mro__[1].__name__ == "NBClientEngine"  # papermill's own nbclient engine underneath


def test_one_notebook_without_a_pool_runs_on_a_fresh_kernel(tmp_path):
    import papermill as pm

    ensure_registered()
    nb = _notebook(tmp_path / "nb.ipynb", "import json, os\nprint(json.dumps({'n': n, 'cwd': os.getcwd()}))")
    out = pm.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), parameters={"n": 3}, engine_name=ENGINE_NAME,
                              progress_bar=False, kernel_cwd=str(tmp_path))
    printed = json.loads(out.cells[-1].outputs[0]["text"])
    assert printed == {"n": 3, "cwd": str(tmp_path)}


def test_pooled_kernel_uses_ipc_and_reports_a_failed_warm_up():
    k = PooledKernel(warm=None).start()
    try:
        info = json.loads(Path(k.km.connection_file).read_text())
        assert info["transport"] == "ipc" and k.is_alive() and k.pid
        # IPC sockets, not TCP: no "Kernel is running over TCP without encryption" warning.
        assert "without encryption" not in k.log_tail()
    finally:
        k.shutdown()
    assert not k.is_alive()
    with pytest.raises(KernelError, match=r"kernel warm-up failed: FileNotFoundError"):
        PooledKernel(warm=WarmSpec(scores="/nonexistent/scores.parquet")).start()


def test_pool_retries_a_job_once_when_its_kernel_cannot_be_reset(tmp_path):
    calls: list[int] = []

    def fn(job: int, kernel: PooledKernel | None) -> int:
        calls.append(kernel.pid)
        if len(calls) == 1:
            raise KernelError("kernel reset failed: simulated")
        return job * 10

    pool: KernelPool[int, int] = KernelPool(1, reuse=True, warm=WarmSpec())
    assert pool.run([4], fn, ok=lambda r: True) == [40]
    assert len(calls) == 2 and calls[0] != calls[1]  # the retry ran on a new kernel
    assert pool.stats["kernels_started"] == 2 and pool.stats["kernels_retired"] == 1


def test_pool_turns_other_errors_into_results_and_keeps_job_order():
    def fn(job: int, kernel: PooledKernel | None) -> str:
        if job == 1:
            raise ValueError("bad job")
        return f"ok {job}"

    pool: KernelPool[int, str] = KernelPool(2, reuse=False)
    out = pool.run([0, 1, 2], fn, ok=lambda r: r.startswith("ok"), on_error=lambda j, e: f"failed {j}: {e}")
    assert out == ["ok 0", "failed 1: bad job", "ok 2"]
    assert pool.stats["kernels_started"] == 0  # reuse off: the pool starts none itself
