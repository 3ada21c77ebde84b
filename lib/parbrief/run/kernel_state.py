"""Kernel side of the warm-kernel pool: warm a kernel once, then return it to that state before each brief.

This module runs *inside* a pooled Jupyter kernel (``parbrief.run.engine`` executes
``warm(...)`` once after the kernel starts and ``reset(cwd)`` silently before every notebook);
nothing in the parent process imports it. A brief must read as if its kernel were fresh, so
``reset`` undoes, cheaply (≈ 10 ms), everything a notebook can leave behind that a later
notebook could see:

- the user namespace, ``Out``/``_`` caches and the execution counter (IPython's own
  ``InteractiveShell.reset(new_session=True)``, i.e. ``%reset -f``);
- matplotlib ``rcParams`` (so a seaborn ``set_theme``/``set_palette`` or an rc change) and open
  pyplot figures;
- attributes of the modules a notebook is likely to monkeypatch (every ``parbrief`` module and
  the top-level namespaces of pandas, numpy, scipy.stats, matplotlib, pyplot, seaborn): values
  replaced since the baseline are put back and attributes added are removed (a submodule bound
  by a later import is kept, so ``import pkg.sub`` keeps working); replaced ``sys.modules``
  entries of those modules are restored;
- pandas options, numpy print options and floating-point error handling, ``warnings`` filters,
  ``sys.path``, ``os.environ``, IPython display formatters and event callbacks, the root
  logger's level and handlers, the working directory; the global random generators are
  re-seeded from the OS, as in a new process.

What it cannot undo (documented limits): state hidden in objects that the baseline already
held (a C extension's globals, a class attribute changed on a library class), threads a
notebook started, and modules first imported by a notebook (they stay imported, like any
import cache; their own state is not reset).

``warm`` also asks :mod:`parbrief.data.snapshot` to keep the render's Parquet snapshot in
memory (:func:`parbrief.data.snapshot.preload`), so the snapshot (and its hash) is read once per
kernel and each notebook gets shallow copies (pandas copy-on-write: a notebook that modifies
its frames modifies its own copy, never the cache). Nothing here replaces another module's
function: the cache is the snapshot module's own.
"""

from __future__ import annotations

import gc
import logging
import os
import random
import sys
import types
import warnings
from typing import Any

__all__ = ["warm", "load", "reset", "WATCHED_MODULES"]

#: Public namespaces whose attributes are restored before every brief (plus all of ``parbrief``).
WATCHED_MODULES = (
    "pandas",
    "numpy",
    "scipy.stats",
    "statsmodels.api",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
)
_SELF = __name__

# The baseline, taken at the end of ``warm`` (module globals: this kernel only, never shared).
_baseline: dict[str, Any] | None = None


def _watched() -> dict[str, types.ModuleType]:
    out = {}
    for name, mod in list(sys.modules.items()):
        if not isinstance(mod, types.ModuleType) or name == _SELF:
            continue
        if name == "parbrief" or name.startswith("parbrief.") or name in WATCHED_MODULES:
            out[name] = mod
    return out


def _warm_figures() -> None:
    """Draw one small figure with Vietnamese text: loads the font and fills matplotlib's caches."""
    from matplotlib.figure import Figure as MplFigure

    from parbrief.report import figures as F

    fig = MplFigure(figsize=(2, 1))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_title("Chỉ số CCHC — Thừa Thiên Huế")
    F.to_png_bytes(fig)


def warm(scores: str = "", survey: str = "", spec: str = "", pools: str = "") -> None:
    """Import the brief's libraries, preload the render's snapshot, then record the baseline state.

    ``scores``/``survey``: the snapshot's Parquet files (empty: nothing to preload); ``pools``:
    the store's pooled ρ the render computed for its briefs (:func:`_seed_pools`).
    """
    import matplotlib  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import seaborn  # noqa: F401  (imports pyplot: the inline backend is configured now, once)

    import parbrief.analysis.brief  # noqa: F401
    import parbrief.analysis.overview  # noqa: F401
    import parbrief.report.figures  # noqa: F401
    import parbrief.report.narrative  # noqa: F401
    import parbrief.report.sections  # noqa: F401
    import parbrief.stats.differences  # noqa: F401
    import parbrief.stats.trends  # noqa: F401
    import parbrief.stats.ratings  # noqa: F401

    from parbrief.data.snapshot import keep_in_memory, preload

    if scores:
        from parbrief.spec import load_spec

        preload(scores, survey or None, load_spec(spec or None))
        _seed_pools(pools)
    else:
        keep_in_memory(True)
    _warm_figures()
    _settle()


def _seed_pools(path: str) -> None:
    """Keep the pooled ρ the render computed once for every kernel (``snapshot/pools.json``).

    An optimization only: a file that cannot be read leaves each brief to compute them (the same
    values, :mod:`parbrief.analysis.pooling`).
    """
    if path:
        from parbrief.run.pools import read_pools

        read_pools(path)


def _settle() -> None:
    """Record the baseline every brief is reset to, then set the kernel's long-lived state aside.

    Everything alive now (modules, the snapshot) lives as long as the kernel: moved out of the
    collector's sight, so the full collections a brief triggers walk only the brief's own
    objects (≈ 6 % of a brief's CPU time measured; the output is unaffected).
    """
    global _baseline
    _baseline = _take_baseline()
    gc.collect()
    gc.freeze()
    trim_memory()


def load(scores: str, survey: str = "", spec: str = "", pools: str = "") -> None:
    """Read the render's snapshot into a kernel :func:`warm` started without one, then re-baseline.

    A render starts its kernels while it loads the data (the imports take longer than the load):
    they are warmed without a snapshot and given it here once it is written, so each brief
    finds the kernel exactly as :func:`warm` with the snapshot would have left it.
    """
    from parbrief.data.snapshot import preload
    from parbrief.spec import load_spec

    preload(scores, survey or None, load_spec(spec or None))
    _seed_pools(pools)
    _settle()


def seed(pools: str) -> None:
    """Give a kernel :func:`load` left without them the render's pooled ρ, then re-baseline: the
    same state as :func:`load` with ``pools`` (the render computed them while this kernel read
    the snapshot)."""
    _seed_pools(pools)
    _settle()


def trim_memory() -> None:
    """Return freed heap pages to the system (reading and hashing the snapshot leaves ≈ 40 MB)."""
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 — an optimisation only
        pass
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _take_baseline() -> dict[str, Any]:
    import matplotlib
    import numpy as np

    ip = _ipython()
    modules = _watched()
    base: dict[str, Any] = {
        "modules": {name: (mod, dict(vars(mod))) for name, mod in modules.items()},
        "rc": dict(dict.items(matplotlib.rcParams)),
        "np_print": np.get_printoptions(),
        "np_err": np.geterr(),
        "warnings": list(warnings.filters),
        "sys_path": list(sys.path),
        "environ": dict(os.environ),
        "root_logger": (logging.getLogger().level, list(logging.getLogger().handlers)),
        "cwd": os.getcwd(),
    }
    if ip is not None:
        base["formatters"] = {
            key: (dict(f.type_printers), dict(f.deferred_printers), dict(getattr(f, "singleton_printers", {})))
            for key, f in ip.display_formatter.formatters.items()
        }
        base["events"] = {name: list(cbs) for name, cbs in ip.events.callbacks.items()}
    return base


def _ipython() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - always there in a kernel
        return None
    return get_ipython()


def _restore_modules(saved: dict[str, tuple[types.ModuleType, dict[str, Any]]]) -> int:
    changed = 0
    for name, (mod, before) in saved.items():
        if sys.modules.get(name) is not mod:
            sys.modules[name] = mod
            changed += 1
        now = mod.__dict__
        for key in [k for k in now if k not in before]:
            if isinstance(now[key], types.ModuleType) and now[key].__name__ == f"{name}.{key}":
                continue  # a submodule bound by a later import: keep, or `import pkg.sub` breaks
            del now[key]
            changed += 1
        for key, value in before.items():
            if now.get(key, _MISSING) is not value:
                now[key] = value
                changed += 1
    return changed


_MISSING = object()


def _drop_user_names(ip: Any) -> None:
    """Delete the previous brief's names, as ``ip.reset`` will, but before it collects garbage.

    IPython's reset runs its full garbage collection (``DisplayHook.flush``) *before* it clears the
    namespaces, and the hidden namespace still holds the last three outputs (``_``, ``__``,
    ``___``: sections with their figures). That collection walked the brief while it was still
    alive and freed none of it; the next brief's own collections did, a second walk (measured in
    a kernel: 12 figures and ≈ 70 000 objects left after the reset, 15–50 ms to collect). With
    the names gone first, the reset's one collection frees them.
    """
    ns = ip.user_ns
    for key in [k for k in ns if k not in ("__builtin__", "__builtins__", "__name__")]:
        del ns[key]
    ip.user_ns_hidden.clear()  # ip.reset clears it too, then puts IPython's own names back


def reset(cwd: str | None = None) -> None:
    """Return this kernel to the baseline ``warm`` recorded (see the module docstring)."""
    import matplotlib
    import numpy as np
    import pandas as pd

    if _baseline is None:
        raise RuntimeError("parbrief kernel: warm() must run before reset()")
    base = _baseline
    # First: the previous brief's working directory is usually gone by now, and much of what
    # follows (IPython's reset among it) calls os.getcwd().
    os.chdir(cwd or base["cwd"])
    ip = _ipython()
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if ip is not None:
        _drop_user_names(ip)
        ip.reset(new_session=True)  # %reset -f: user namespace, Out, _, execution count → 1
        for key, f in ip.display_formatter.formatters.items():
            saved = base["formatters"].get(key)
            if saved is None:
                continue
            f.type_printers.clear()
            f.type_printers.update(saved[0])
            f.deferred_printers.clear()
            f.deferred_printers.update(saved[1])
            if hasattr(f, "singleton_printers"):
                f.singleton_printers.clear()
                f.singleton_printers.update(saved[2])
        for name, cbs in base["events"].items():
            ip.events.callbacks[name][:] = cbs
    rc = matplotlib.rcParams
    diff = {k: v for k, v in base["rc"].items() if dict.get(rc, k, _MISSING) is not v}
    if diff and hasattr(rc, "_update_raw"):
        rc._update_raw(diff)  # raw: the values were validated when they were first set
    elif diff:
        dict.update(rc, diff)
    _restore_modules(base["modules"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.reset_option("all")
    np.set_printoptions(**base["np_print"])
    np.seterr(**base["np_err"])
    warnings.filters[:] = base["warnings"]
    if hasattr(warnings, "_filters_mutated"):
        warnings._filters_mutated()  # type: ignore[attr-defined]
    sys.path[:] = base["sys_path"]
    env = base["environ"]
    for key in [k for k in os.environ if k not in env]:
        del os.environ[key]
    for key, value in env.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
    root = logging.getLogger()
    root.setLevel(base["root_logger"][0])
    root.handlers[:] = base["root_logger"][1]
    random.seed()
    np.random.seed()
    # Hand the pages the previous brief freed back to the system (≈ 30 MB a kernel, 4 ms).
    trim_memory()
