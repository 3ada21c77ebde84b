"""A papermill engine that runs notebooks on warm, reset kernels, and the pool that owns them.

papermill executes a notebook through an *engine* (``papermill.engines``): the default one,
``nbclient``, starts a kernel for every notebook and shuts it down after. Starting a kernel and
importing pandas, statsmodels, matplotlib and seaborn into it costs ≈ 3 s, several times the
work of a brief. :class:`WarmKernelEngine` is registered with papermill under the name
``parbrief`` (entry point group ``papermill.engine``, as papermill registers engines;
:func:`ensure_registered` registers it directly when the installed metadata predates the entry
point) and runs the notebook with
papermill's own :class:`~papermill.clientwrap.PapermillNotebookClient` on a kernel it is
given, which it keeps alive afterwards.

:class:`PooledKernel` is one such kernel: started over IPC sockets (no TCP port, so no
"running over TCP without encryption" warning on the terminal), warmed once by
:func:`parbrief.run.kernel_state.warm` (imports, the render's snapshot, the font cache), and
returned to that baseline by :func:`parbrief.run.kernel_state.reset` before every notebook,
so each brief runs as in a fresh kernel. A kernel whose notebook failed or timed out is
replaced by a new one (the batch does this, see :class:`KernelPool`).

:class:`KernelPool` runs jobs on N threads, each owning one kernel. Threads, not processes:
the heavy work happens in the kernels (separate processes); the parent only moves messages
and writes files, and one process holding N kernel clients costs far less memory than N
worker processes each importing papermill and nbconvert. Each thread keeps its kernel's
client on its own asyncio loop (jupyter_core's ``run_sync`` gives each thread one).
With ``reuse=False`` every job gets a kernel of its own (started, used once, shut down).
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Generic, Iterable, Sequence, TypeVar

from parbrief.errors import KernelError
from parbrief.text.messages import Msg

__all__ = [
    "ENGINE_NAME",
    "KernelError",
    "KernelPool",
    "PooledKernel",
    "WarmKernelEngine",
    "WarmSpec",
    "ensure_registered",
]

ENGINE_NAME = "parbrief"


@dataclass(frozen=True)
class WarmSpec:
    """What a pooled kernel loads once when it starts: the render's snapshot and spec, and the
    store's pooled ρ the render computed for its briefs (``pools``, a JSON file; empty: none)."""

    scores: str = ""
    survey: str = ""
    spec: str = ""
    pools: str = ""


def _run_sync(coro_fn: Callable[..., Any]) -> Callable[..., Any]:
    from jupyter_core.utils import run_sync

    return run_sync(coro_fn)


#: One BLAS/OpenMP thread per kernel: the pool already runs one kernel per core, and a brief's
#: matrices are small (measured: 2 % faster with two kernels on two cores). A value the user set
#: in the environment wins.
_SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def kernel_environment() -> dict[str, str]:
    """The environment a kernel starts with: this process's, plus one BLAS thread (see above)."""
    env = dict(os.environ)
    for key, value in _SINGLE_THREAD.items():
        env.setdefault(key, value)
    return env


class PooledKernel:
    """One ipykernel process with its client, used from a single thread.

    ``warm`` (a :class:`WarmSpec`) runs :func:`parbrief.run.kernel_state.warm` after start;
    ``None`` gives a plain fresh kernel (``--no-reuse``). ``runs`` counts notebooks executed.
    """

    def __init__(
        self,
        kernel_name: str = "python3",
        warm: WarmSpec | None = None,
        cwd: str | None = None,
        startup_timeout: float = 60,
    ) -> None:
        self.kernel_name = kernel_name
        self.warm_spec = warm
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.km: Any = None
        self.kc: Any = None
        self.runs = 0
        self.pid: int | None = None
        self.started_s = 0.0
        self._dir: str | None = None

    # -- life cycle -------------------------------------------------------------------------------
    def start(self) -> "PooledKernel":
        """Start the kernel (IPC transport, history in memory, output to a log file) and warm it."""
        from jupyter_client.manager import AsyncKernelManager

        t0 = time.perf_counter()
        # Unix socket paths must stay short (≈ 100 bytes): a fresh folder under the temp dir.
        self._dir = tempfile.mkdtemp(prefix="pbk-")
        km = AsyncKernelManager(
            kernel_name=self.kernel_name,
            transport="ipc",
            ip=os.path.join(self._dir, "k"),
            connection_file=os.path.join(self._dir, "kernel.json"),
        )
        log = open(os.path.join(self._dir, "kernel.log"), "wb")  # noqa: SIM115 — closed in shutdown
        self._log = log
        try:
            _run_sync(km.start_kernel)(
                extra_arguments=["--HistoryManager.hist_file=:memory:"],
                env=kernel_environment(),
                cwd=self.cwd or os.getcwd(),
                stdout=subprocess.DEVNULL,
                stderr=log,
                stdin=subprocess.DEVNULL,
            )
            self.km = km
            kc = km.client()
            kc.start_channels()
            _run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
            kc.allow_stdin = False
            self.kc = kc
            self.pid = getattr(getattr(km, "provisioner", None), "pid", None)
            if self.warm_spec is not None:
                spec = self.warm_spec
                self.execute_silent(
                    "__import__('parbrief.run.kernel_state', fromlist=['warm']).warm("
                    f"{spec.scores!r}, {spec.survey!r}, {spec.spec!r}, {spec.pools!r})",
                    what="warm-up",
                    timeout=max(self.startup_timeout, 120),
                )
        except KernelError:
            self.shutdown()
            raise
        except Exception as exc:
            tail = self.log_tail(600).strip()
            self.shutdown()
            log = Msg("run.error.kernel_log", tail=tail) if tail else ""
            raise KernelError.keyed("run.error.kernel_start", error=f"{type(exc).__name__}: {exc}", log=log) from exc
        except BaseException:
            self.shutdown()
            raise
        self.started_s = time.perf_counter() - t0
        return self

    def load(self, spec: WarmSpec) -> None:
        """Give a kernel warmed without a snapshot the render's (:func:`parbrief.run.kernel_state.load`)."""
        t0 = time.perf_counter()
        self.execute_silent(
            "__import__('parbrief.run.kernel_state', fromlist=['load']).load("
            f"{spec.scores!r}, {spec.survey!r}, {spec.spec!r}, {spec.pools!r})",
            what="warm-up", timeout=max(self.startup_timeout, 120),
        )
        self.warm_spec = spec
        self.started_s += time.perf_counter() - t0

    def seed(self, pools: str) -> None:
        """Give a kernel that :meth:`load`-ed the snapshot without them the render's pooled ρ
        (:func:`parbrief.run.kernel_state.seed`): the state :meth:`load` with ``pools`` leaves."""
        if self.warm_spec is None:
            raise KernelError.keyed("run.error.kernel_cold")
        t0 = time.perf_counter()
        self.execute_silent(
            f"__import__('parbrief.run.kernel_state', fromlist=['seed']).seed({pools!r})",
            what="warm-up", timeout=max(self.startup_timeout, 120),
        )
        self.warm_spec = replace(self.warm_spec, pools=pools)
        self.started_s += time.perf_counter() - t0

    def execute_silent(self, code: str, *, what: str, timeout: float = 60) -> None:
        """Run ``code`` without history or output; raise :class:`KernelError` if it fails."""
        if self.kc is None:
            raise KernelError.keyed("run.error.kernel_not_started", what=what)
        try:
            reply = _run_sync(self.kc._async_execute_interactive)(
                code, silent=True, store_history=False, timeout=timeout, output_hook=lambda msg: None,
                allow_stdin=False,
            )
        except TimeoutError as exc:
            raise KernelError.keyed("run.error.kernel_timeout", what=what, seconds=f"{timeout:.0f}") from exc
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelError.keyed("run.error.kernel_failed", what=what,
                                    error=f"{content.get('ename', '?')}: {content.get('evalue', '')}".rstrip())

    def reset(self, cwd: str | None) -> None:
        """Return the kernel to its warm baseline and change into ``cwd`` (see kernel_state.reset)."""
        if self.warm_spec is None:
            if self.runs:
                raise KernelError.keyed("run.error.kernel_cold")
            return
        self.execute_silent(
            f"__import__('parbrief.run.kernel_state', fromlist=['reset']).reset({cwd!r})", what="reset"
        )

    def kill(self) -> None:
        """Kill the kernel process now, even while :meth:`start` waits for it in another thread
        (which then fails and cleans up); a kernel not started yet is left alone."""
        import signal

        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def is_alive(self) -> bool:
        return self.km is not None and bool(_run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the client and kill the kernel now (idempotent); remove its socket folder."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None:
                try:
                    _run_sync(self.km.shutdown_kernel)(now=True)
                except Exception:  # noqa: BLE001 — already dead: cleaning up is all that is left
                    pass
                try:
                    _run_sync(self.km.cleanup_resources)()
                except Exception:  # noqa: BLE001
                    pass
        finally:
            self.kc = None
            self.km = None
            log = getattr(self, "_log", None)
            if log is not None:
                log.close()
            if self._dir:
                shutil.rmtree(self._dir, ignore_errors=True)
                self._dir = None

    def log_tail(self, n: int = 2000) -> str:
        """The end of the kernel's own stderr (startup problems, crashes)."""
        if not self._dir:
            return ""
        try:
            return Path(self._dir, "kernel.log").read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""


class WarmKernelEngine:
    """papermill engine ``parbrief``: papermill's nbclient execution on a given :class:`PooledKernel`.

    Extra keyword arguments (passed through ``papermill.execute_notebook(**engine_kwargs)``):
    ``kernel`` — the :class:`PooledKernel` to run on (reset first, kept alive after); without
    it a fresh kernel is started for this notebook and shut down after. ``kernel_cwd`` — the
    working directory of the run (papermill's own ``cwd`` changes the *process* directory,
    which threads share, so the batch passes the directory here instead).
    ``failure_path`` — where to save the partly executed notebook when execution stops with
    an exception that papermill does not save itself (a cell timeout, a dead kernel).

    The class papermill calls is a subclass of papermill's ``NBClientEngine`` built on first
    use (:meth:`implementation`): papermill loads its entry points while ``papermill`` itself
    is being imported, so this module must not import papermill at import time (a circular
    import would break ``import papermill`` everywhere).
    """

    _impl: Any = None

    @classmethod
    def implementation(cls) -> Any:
        """papermill's ``NBClientEngine`` with :func:`_execute_managed_notebook` (built once)."""
        if cls._impl is None:
            from papermill.engines import NBClientEngine

            cls._impl = type(
                "WarmKernelNBClientEngine",
                (NBClientEngine,),
                {"execute_managed_notebook": classmethod(_execute_managed_notebook), "__module__": __name__},
            )
        return cls._impl

    @classmethod
    def execute_notebook(cls, nb: Any, kernel_name: str, **kwargs: Any) -> Any:
        return cls.implementation().execute_notebook(nb, kernel_name, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb: Any, name: str | None = None) -> str:
        return cls.implementation().nb_kernel_name(nb, name)

    @classmethod
    def nb_language(cls, nb: Any, language: str | None = None) -> str:
        return cls.implementation().nb_language(nb, language)


def _execute_managed_notebook(
    cls: Any,
    nb_man: Any,
    kernel_name: str,
    log_output: bool = False,
    stdout_file: Any = None,
    stderr_file: Any = None,
    start_timeout: float = 60,
    execution_timeout: float | None = None,
    kernel: PooledKernel | None = None,
    kernel_cwd: str | None = None,
    failure_path: str | None = None,
    **kwargs: Any,
) -> Any:
    """The engine's execution: papermill's notebook client on a pooled (or one-off) kernel."""
    from papermill.clientwrap import PapermillNotebookClient

    kwargs.pop("input_path", None)
    kwargs.pop("timeout", None)
    kwargs.pop("startup_timeout", None)
    own = kernel is None
    if own:
        kernel = PooledKernel(kernel_name, warm=None, cwd=kernel_cwd, startup_timeout=start_timeout).start()
    try:
        kernel.reset(kernel_cwd)
        client = PapermillNotebookClient(
            nb_man,
            km=kernel.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        client.kc = kernel.kc  # keep the pool's client: no reconnect, nothing closed after
        kernel.runs += 1
        try:
            return client.execute(cleanup_kc=False)
        except BaseException:
            if failure_path:
                import nbformat

                nbformat.write(nb_man.nb, failure_path)
            raise
    finally:
        if own:
            kernel.shutdown()


def ensure_registered() -> None:
    """Make sure papermill knows the ``parbrief`` engine (the entry point, or register it now)."""
    from papermill.engines import papermill_engines

    try:
        engine = papermill_engines.get_engine(ENGINE_NAME)
    except Exception:  # noqa: BLE001 — papermill raises PapermillException for an unknown name
        engine = None
    if engine is not WarmKernelEngine:
        papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


_UNSET = object()
J = TypeVar("J")
R = TypeVar("R")


class KernelPool(Generic[J, R]):
    """Run jobs on ``workers`` threads, each with one kernel (warm and reused, or fresh per job).

    ``run(jobs, fn, ok, on_result)``: ``fn(job, kernel)`` renders one job on ``kernel`` (``None``
    when ``reuse`` is off: the engine then starts a fresh kernel per notebook); ``ok(result)``
    says whether the kernel may be reused after it — a failed or timed-out notebook gets its
    kernel replaced (the old one is shut down, the next job starts a new one), and so does a
    kernel that died; a :class:`KernelError` from ``fn`` (reset or start failed, before any
    cell ran) retries the job once on a new kernel. ``on_error(job, exc)`` turns any other
    exception into a result. Results come back in job order. ``then(job, result)``: jobs to run
    next on the same kernel, before the thread takes another from the queue (a province's analysis
    pages after its brief, so they find what the brief computed in that kernel's memory); their
    results follow the jobs' own in the returned list, in the order they were issued.
    Each thread starts its kernel as soon as the pool runs (while the calling thread imports
    papermill); an empty job list starts none. :meth:`prestart` starts kernels earlier still, before
    the jobs are known (while the render loads its data); :meth:`run` takes those first. ``stats``
    records kernel starts (``kernels_early``: of them, started by :meth:`prestart`), kernels retired
    after a failure, and start-up times.
    """

    def __init__(
        self,
        workers: int,
        *,
        reuse: bool = True,
        warm: WarmSpec | None = None,
        kernel_name: str = "python3",
        startup_timeout: float = 60,
    ) -> None:
        self.workers = max(1, int(workers))
        self.reuse = reuse
        self.warm = warm or WarmSpec()
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.stats: dict[str, Any] = {"kernels_started": 0, "kernels_retired": 0, "kernel_start_s": [],
                                      "kernels_early": 0}
        self._lock = threading.Lock()
        self._early: list[tuple[threading.Thread, dict[str, Any]]] = []

    # -- kernels started before the jobs are known -------------------------------------------------
    def prestart(self, n: int) -> None:
        """Start up to ``n`` kernels now, warmed without a snapshot (while the caller loads the data).

        :meth:`run` takes them first and gives each the snapshot (:meth:`PooledKernel.load`);
        kernels it does not need are shut down when it ends, or by :meth:`close`.
        """
        if not self.reuse:
            return
        for _ in range(max(0, n - len(self._early))):
            # "starting": the kernel being started; "kernel": set once started (unless closed by then)
            holder: dict[str, Any] = {"starting": PooledKernel(self.kernel_name, warm=WarmSpec(),
                                                               startup_timeout=self.startup_timeout)}

            def start(holder: dict[str, Any] = holder) -> None:
                try:
                    kernel = holder["starting"].start()
                except BaseException:  # noqa: BLE001 — the job starts a kernel of its own and reports
                    return
                with self._lock:
                    closed = holder.get("closed", False)
                    if not closed:
                        holder["kernel"] = kernel
                if closed:  # the pool was closed while this kernel started
                    kernel.shutdown()

            thread = threading.Thread(target=start, name="parbrief-kernel-early", daemon=True)
            thread.start()
            self._early.append((thread, holder))

    def preload(self, spec: WarmSpec) -> None:
        """Give the early kernels the snapshot ``spec`` names now, each in a thread of its own, while
        the caller goes on (computing the pooled ρ, :mod:`parbrief.run.pools`).

        A kernel that has started by the time the snapshot is written would otherwise wait idle
        for the pooled ρ before it reads the snapshot (one province from cold: ≈ 0.4 s). Kernels
        that finish starting later read it as soon as they have. :meth:`run` then gives each only
        what ``warm`` adds (its ``pools``, :meth:`PooledKernel.seed`), or everything again when
        ``warm`` names another snapshot.
        """
        if not self.reuse:
            return
        snapshot = replace(spec, pools="")

        def load(started: threading.Thread, holder: dict[str, Any]) -> None:
            started.join()
            kernel = holder.get("kernel")
            if kernel is None or holder.get("closed"):
                return
            try:
                kernel.load(snapshot)
            except Exception:  # noqa: BLE001 — closed meanwhile, or failed: _take_early loads it again
                return
            holder["loaded"] = snapshot

        with self._lock:  # each kernel's thread recorded before _take_early can see the kernel
            for started, holder in self._early:
                if "loading" not in holder:
                    holder["loading"] = threading.Thread(target=load, args=(started, holder),
                                                         name="parbrief-kernel-preload", daemon=True)
                    holder["loading"].start()

    def _take_early(self) -> PooledKernel | None:
        """A started kernel given the snapshot, or None (none left, or it failed: a new one then)."""
        with self._lock:
            if not self._early:
                return None
            thread, holder = self._early.pop(0)
        thread.join()
        if "loading" in holder:
            holder["loading"].join()
        kernel = holder.get("kernel")
        if kernel is None:
            return None
        try:
            if holder.get("loaded") == replace(self.warm, pools=""):
                if self.warm.pools:
                    kernel.seed(self.warm.pools)
            else:
                kernel.load(self.warm)
        except KernelError:
            kernel.shutdown()
            return None
        with self._lock:
            self.stats["kernels_started"] += 1
            self.stats["kernels_early"] += 1
            self.stats["kernel_start_s"].append(round(kernel.started_s, 3))
        return kernel

    def close(self) -> None:
        """Shut down the early kernels no job took (idempotent).

        One still starting is killed first, so a render refused while it loads its data (bad
        input, a province without scores) says so at once instead of after the kernels' start.
        """
        with self._lock:
            left, self._early = self._early, []
            for _, holder in left:
                holder["closed"] = True
        for thread, holder in left:
            if holder.get("kernel") is not None:
                holder["kernel"].shutdown()
            elif thread.is_alive():
                # Still starting: killed now, not waited for (its thread then fails and cleans up,
                # or shuts the kernel down itself if it was still being spawned).
                holder["starting"].kill()

    def _count(self, key: str) -> None:
        with self._lock:
            self.stats[key] += 1

    def _new_kernel(self) -> PooledKernel:
        k = PooledKernel(self.kernel_name, warm=self.warm, startup_timeout=self.startup_timeout).start()
        with self._lock:
            self.stats["kernels_started"] += 1
            self.stats["kernel_start_s"].append(round(k.started_s, 3))
        return k

    def run(
        self,
        jobs: Iterable[J],
        fn: Callable[[J, PooledKernel | None], R],
        ok: Callable[[R], bool],
        on_result: Callable[[R], None] | None = None,
        on_error: Callable[[J, BaseException], R] | None = None,
        then: Callable[[J, R], Sequence[J]] | None = None,
    ) -> list[R]:
        job_list = list(jobs)
        todo: "queue.Queue[tuple[int, J]]" = queue.Queue()
        for item in enumerate(job_list):
            todo.put(item)
        results: dict[int, R] = {}
        issued = [len(job_list)]  # indices given so far (follow-ups get the next ones)

        registered = threading.Event()

        def worker() -> None:
            kernel: PooledKernel | None = None
            try:
                if self.reuse:
                    kernel = self._take_early()
                    if kernel is None:
                        try:
                            kernel = self._new_kernel()
                        except KernelError:
                            kernel = None  # the first job tries again (and reports the error)
                registered.wait()
                follow: list[tuple[int, J]] = []  # this thread's follow-ups, run before the queue
                while True:
                    if follow:
                        i, job = follow.pop(0)
                    else:
                        try:
                            i, job = todo.get_nowait()
                        except queue.Empty:
                            return
                    result: Any = _UNSET
                    for attempt in (1, 2):
                        try:
                            if self.reuse and kernel is None:
                                kernel = self._new_kernel()
                            result = fn(job, kernel)
                            break
                        except KernelError as exc:
                            # The kernel could not be reset or started (no cell of this job ran):
                            # drop it and give the job one more try on a new kernel.
                            if kernel is not None:
                                kernel.shutdown()
                                kernel = None
                                self._count("kernels_retired")
                            if attempt == 2:
                                if on_error is None:
                                    raise
                                result = on_error(job, exc)
                        except BaseException as exc:  # noqa: BLE001 — one job's failure is its result
                            if on_error is None:
                                raise
                            result = on_error(job, exc)
                            break
                    results[i] = result
                    if then is not None:
                        nxt = list(then(job, result))
                        with self._lock:
                            first, issued[0] = issued[0], issued[0] + len(nxt)
                        follow[:0] = list(enumerate(nxt, start=first))
                    if kernel is not None and (not ok(result) or not kernel.is_alive()):
                        kernel.shutdown()  # failed, timed out or dead: never reuse it
                        kernel = None
                        self._count("kernels_retired")
                    if on_result is not None:
                        on_result(result)
            finally:
                if kernel is not None:
                    kernel.shutdown()

        n = min(self.workers, len(job_list))
        threads = [threading.Thread(target=worker, name=f"parbrief-kernel-{k}", daemon=True) for k in range(n)]
        for t in threads:
            t.start()
        # While the kernels start (their processes import pandas, statsmodels, seaborn …), this
        # thread imports papermill (≈ 1.2 s, mostly nbformat's JSON-schema machinery).
        try:
            ensure_registered()
        finally:
            registered.set()
        for t in threads:
            t.join()
        self.close()  # early kernels beyond the jobs
        missing = [i for i in range(issued[0]) if i not in results]
        if missing:
            raise KernelError.keyed("run.error.jobs_not_run", n=len(missing))
        return [results[i] for i in range(issued[0])]
