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


def test_follow_up_jobs_run_next_on_the_same_thread_and_come_after_the_jobs():
    # then(job, result): a brief's analysis pages run right after it on the same kernel (here the
    # same worker thread, reuse off), before that thread takes another job from the queue.
    import threading

    ran: list[tuple[str, str]] = []

    def fn(job: str, kernel: PooledKernel | None) -> str:
        ran.append((job, threading.current_thread().name))
        return f"ok {job}"

    def then(job: str, result: str) -> list[str]:
        if job.endswith(":trends"):
            return [job.replace(":trends", ":differences")]
        return [] if ":" in job else [f"{job}:trends"]

    pool: KernelPool[str, str] = KernelPool(2, reuse=False)
    out = pool.run(["brief-a", "brief-b", "brief-c"], fn, ok=lambda r: True, then=then)
    assert out[:3] == ["ok brief-a", "ok brief-b", "ok brief-c"]  # the jobs' own results, in job order
    assert sorted(out[3:]) == sorted(f"ok brief-{x}:{p}" for x in "abc" for p in ("trends", "differences"))
    thread = dict(ran)
    for x in "abc":
        chain = [j for j, _ in ran if j.startswith(f"brief-{x}")]
        assert chain == [f"brief-{x}", f"brief-{x}:trends", f"brief-{x}:differences"]
        assert thread[f"brief-{x}"] == thread[f"brief-{x}:trends"] == thread[f"brief-{x}:differences"]
        same = [j for j, t in ran if t == thread[f"brief-{x}"]]
        start = same.index(f"brief-{x}")
        assert same[start:start + 3] == chain  # nothing else ran on that thread in between


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


def test_prestarted_kernels_are_used_first_and_the_rest_shut_down(tmp_path):
    # A render starts its kernels while it loads the data (KernelPool.prestart), before the
    # snapshot exists; run() takes them first, gives them the snapshot (PooledKernel.load) and
    # shuts down those no job needs.
    import pandas as pd

    scores = tmp_path / "scores.parquet"
    pd.DataFrame({"province": ["A"], "year": [2024]}).to_parquet(scores)
    pool: KernelPool[int, tuple[int, bool]] = KernelPool(2, reuse=True)
    before = set(_kernel_children())
    pool.prestart(2)
    early = [(t, h["starting"]) for t, h in pool._early]
    pids: list[int] = []

    def fn(job: int, kernel: PooledKernel | None) -> tuple[int, bool]:
        pids.append(kernel.pid)
        return job, kernel.warm_spec.scores == str(scores)

    pool.warm = WarmSpec(scores=str(scores))
    assert pool.run([7], fn, ok=lambda r: True) == [(7, True)]  # ran on a kernel given the snapshot
    # the other kernel may still have been starting when the run ended: then it is killed, or shut
    # down by its thread once started; either way none is left
    for t, _ in early:
        t.join(timeout=150)
    early_pids = [k.pid for _, k in early]
    assert pids[0] in early_pids  # an early kernel, not a new one
    assert pool.stats["kernels_started"] == 1 and pool.stats["kernels_early"] == 1
    assert not pool._early and not any(_alive(p) for p in early_pids if p)  # the unused one shut down too
    _no_kernel_left(before=before)


def test_prestarted_kernel_reads_the_snapshot_before_the_pools_then_is_seeded(tmp_path):
    # One province from cold: the render computes the store's pooled ρ while its kernel starts.
    # KernelPool.preload gives the kernel the snapshot as soon as it is written, and run() then
    # only seeds the pools (PooledKernel.seed), leaving the state load() with both would.
    import pandas as pd

    from parbrief.analysis.pooling import dumps
    from parbrief.stats.serial import PooledRho

    scores = tmp_path / "scores.parquet"
    pd.DataFrame({"province": ["A"], "year": [2024]}).to_parquet(scores)
    pools = tmp_path / "pools.json"
    pools.write_text(dumps([(("diff", "sha-x", 2024), PooledRho(0.31, 0.05, 9, 90, 630, 0.02))], "any"),
                     encoding="utf-8")
    pool: KernelPool[int, tuple] = KernelPool(1, reuse=True)
    before = set(_kernel_children())
    pool.prestart(1)
    pool.preload(WarmSpec(scores=str(scores)))
    _, holder = pool._early[0]
    holder["loading"].join(timeout=150)
    assert holder["loaded"] == WarmSpec(scores=str(scores))  # read while the caller went on
    pool.warm = WarmSpec(scores=str(scores), pools=str(pools))
    check = ("from parbrief.analysis import pooling\n"
             "assert [v.rho for _, v in pooling.entries('sha-x')] == [0.31]\n"
             "from parbrief.data import snapshot\n"
             f"assert snapshot.kept_key({str(scores)!r}, None) is not None")

    def fn(job: int, kernel: PooledKernel | None) -> tuple:
        kernel.execute_silent(check, what="check")  # the pools seeded, the snapshot kept
        return job, kernel.warm_spec

    assert pool.run([1], fn, ok=lambda r: True) == [(1, WarmSpec(scores=str(scores), pools=str(pools)))]
    assert pool.stats["kernels_early"] == 1 and pool.stats["kernels_started"] == 1
    _no_kernel_left(before=before)


def test_a_preloaded_kernel_is_loaded_again_for_another_snapshot(tmp_path):
    import pandas as pd

    first, second = tmp_path / "a" / "scores.parquet", tmp_path / "b" / "scores.parquet"
    for path in (first, second):
        path.parent.mkdir()
        pd.DataFrame({"province": ["A"], "year": [2024]}).to_parquet(path)
    pool: KernelPool[int, str] = KernelPool(1, reuse=True)
    before = set(_kernel_children())
    pool.prestart(1)
    pool.preload(WarmSpec(scores=str(first)))
    pool.warm = WarmSpec(scores=str(second))
    assert pool.run([1], lambda job, kernel: kernel.warm_spec.scores, ok=lambda r: True) == [str(second)]
    _no_kernel_left(before=before)


def test_prestarted_kernels_are_shut_down_when_nothing_runs():
    before = set(_kernel_children())  # kernels of earlier tests still shutting down are not ours
    pool: KernelPool[int, int] = KernelPool(2, reuse=True)
    pool.prestart(2)
    threads = [t for t, _ in pool._early]
    pool.close()  # at once: a kernel still starting is killed, or shut down by its thread once started
    assert not pool._early and len(threads) == 2
    for t in threads:
        t.join(timeout=150)
    _no_kernel_left(before=before)


def _kernel_children() -> list[int]:
    """This process's child ipykernel processes (started by a pool)."""
    import os

    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                status = (d / "status").read_text()
                cmd = (d / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "")
            if ppid == str(os.getpid()) and b"ipykernel" in cmd and "zombie" not in status.lower():
                out.append(int(d.name))
    return out


def test_a_render_refused_after_the_load_leaves_no_kernel_running(small_store, tmp_path):
    # The kernels start while the store loads; Quảng Bình has no scores in 2024, which is only
    # known after the load: the render is refused and the early kernels are shut down.
    from parbrief.config import ConfigError
    from parbrief.run.batch import render

    import time

    before = set(_kernel_children())
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match="Quảng Bình"):
        render(data=small_store, out=tmp_path / "out", year=2024, provinces=["Quảng Bình"], progress=False,
               log=lambda s: None)
    # the refusal does not wait for the kernels to finish starting (≈ 3 s)
    assert time.perf_counter() - t0 < 15
    _no_kernel_left(before=before)


def _no_kernel_left(within_s: float = 15.0, before: set[int] = frozenset()) -> None:
    import time

    deadline = time.monotonic() + within_s  # a kernel caught while spawning is shut down by its thread
    while set(_kernel_children()) - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert set(_kernel_children()) - before == set()
