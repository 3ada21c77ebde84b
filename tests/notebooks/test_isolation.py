"""Warm kernels behave as fresh ones: nothing one notebook sets is visible to the next on the same kernel.

The batch runs briefs on a pool of reused kernels (``parbrief.run.engine``). These tests run
small notebooks through the real batch path (``_run_jobs`` → papermill with the ``parbrief``
engine → ``render_brief``) on ONE kernel, so every notebook after the first lands on a kernel
that already ran another one; the process id each notebook reports proves it.
"""

from __future__ import annotations

import re
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from parbrief.run.batch import _run_jobs
from parbrief.run.execute import BriefJob, render_brief

# What a notebook can leave behind: user variables, matplotlib rcParams and a seaborn theme, a
# monkeypatched library attribute (ours and pandas'), an added module attribute, options,
# environment, sys.path, the working directory and display formatters.
POLLUTE = """
leaked_variable = 42
import os, sys
import matplotlib, seaborn as sns, pandas as pd, numpy as np
import parbrief.report.figures as F
sns.set_theme(style="dark", palette="Set2", font_scale=2)
matplotlib.rcParams["lines.linewidth"] = 9.5
F.DPI = 7
F.injected_attribute = "leak"
pd.read_parquet = lambda *a, **k: "patched"
pd.set_option("display.max_rows", 3)
np.set_printoptions(precision=1)
os.environ["PARBRIEF_LEAK"] = "1"
sys.path.insert(0, "/nonexistent-leak")
get_ipython().display_formatter.formatters["text/plain"].for_type(int, lambda n, p, c: p.text("leaked int"))
os.chdir("/")
"""

OBSERVE = """
import json, os, sys
import matplotlib, seaborn as sns, pandas as pd, numpy as np
import parbrief.report.figures as F
print(json.dumps({
    "pid": os.getpid(),
    "cwd_name": os.path.basename(os.getcwd()),
    "user_names": sorted(k for k in globals() if not k.startswith("_") and k not in {
        "In", "Out", "get_ipython", "exit", "quit", "open", "json", "os", "sys", "matplotlib", "sns", "pd",
        "np", "F", "province"}),
    "rc": {k: repr(v) for k, v in matplotlib.rcParams.items()},
    "dpi": F.DPI,
    "injected": hasattr(F, "injected_attribute"),
    "read_parquet": getattr(pd.read_parquet, "__module__", "?"),
    "max_rows": pd.get_option("display.max_rows"),
    "precision": np.get_printoptions()["precision"],
    "env": os.environ.get("PARBRIEF_LEAK"),
    "leak_in_path": "/nonexistent-leak" in sys.path,
    "int_format": get_ipython().display_formatter.format(5)[0]["text/plain"],
}))
"""


def _notebook(path: Path, *cells: str) -> str:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = new_code_cell('province = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(new_code_cell(c) for c in cells)]
    nbformat.write(nb, path)
    return str(path)


def _job(nb: str, out: Path, slug: str, timeout: int = 120) -> BriefJob:
    return BriefJob(notebook=nb, parameters={"province": slug}, out_dir=str(out), slug=slug, title=slug,
                    lang="en", cell_timeout=timeout)


def _observed(outcome) -> dict:
    nb = nbformat.read(outcome.notebook, as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("text", "").startswith("{"):
                return json.loads(o["text"])
    raise AssertionError(f"no observation printed by {outcome.notebook}")


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("isolation-notebooks")
    return {
        "observe": _notebook(folder / "observe.ipynb", OBSERVE),
        "pollute": _notebook(folder / "pollute.ipynb", POLLUTE, OBSERVE),
        "fail": _notebook(folder / "fail.ipynb", "import os\nprint(os.getpid())", "raise ValueError('broken brief')"),
        "hang": _notebook(folder / "hang.ipynb", "import time\ntime.sleep(60)"),
    }


@pytest.fixture(scope="module")
def fresh_reference(notebooks, tmp_path_factory) -> dict:
    """What a notebook sees on a brand-new kernel (no pool: the engine starts one for it)."""
    out = tmp_path_factory.mktemp("fresh")
    outcome = render_brief(_job(notebooks["observe"], out, "fresh"))
    assert outcome.status == "ok", outcome.error
    return _observed(outcome)


def test_state_set_by_one_notebook_is_not_visible_to_the_next(notebooks, fresh_reference, tmp_path):
    jobs = [_job(notebooks["pollute"], tmp_path, "pollute"), _job(notebooks["observe"], tmp_path, "after")]
    outcomes, stats = _run_jobs(jobs, workers=1, progress=False, reuse=True, warm={})
    assert [o.status for o in outcomes] == ["ok", "ok"], [o.error for o in outcomes]
    assert stats["kernels_started"] == 1
    polluted, after = _observed(outcomes[0]), _observed(outcomes[1])
    # Same kernel process: the second notebook really ran where the first one left its mess ...
    assert after["pid"] == polluted["pid"]
    # ... which was real:
    assert polluted["dpi"] == 7 and polluted["injected"] and polluted["max_rows"] == 3
    assert polluted["rc"]["lines.linewidth"] == "9.5" and polluted["rc"]["axes.facecolor"] == "'#EAEAF2'"
    assert polluted["int_format"] == "leaked int" and polluted["cwd_name"] == ""
    # ... and none of it is visible: the second notebook sees what a fresh kernel shows.
    assert after["user_names"] == fresh_reference["user_names"] == []
    assert after["rc"] == fresh_reference["rc"]  # every rcParam, seaborn theme included
    for key in ("dpi", "injected", "read_parquet", "max_rows", "precision", "env", "leak_in_path", "int_format"):
        assert after[key] == fresh_reference[key], key
    assert polluted["read_parquet"] == "__main__" and after["read_parquet"] == "pandas"
    assert after["env"] is None and after["int_format"] == "5" and after["max_rows"] == 60
    assert re.match(r"\.work-\d+-after-", after["cwd_name"])  # its own working directory (render pid, slug)
    # Execution counts restart at 1, as in a fresh kernel.
    counts = [c.get("execution_count") for c in nbformat.read(outcomes[1].notebook, as_version=4).cells]
    assert counts[0] == 1


def _pid_of(outcome) -> int:
    if outcome.status == "ok":
        return _observed(outcome)["pid"]
    nb = nbformat.read(outcome.notebook, as_version=4)
    cell = next(c for c in nb.cells if "getpid" in c.source)
    return int(cell.outputs[0]["text"].strip())


def test_a_failing_notebook_gets_its_kernel_replaced(notebooks, tmp_path):
    jobs = [_job(notebooks["observe"], tmp_path, "first"), _job(notebooks["fail"], tmp_path, "broken"),
            _job(notebooks["observe"], tmp_path, "next")]
    outcomes, stats = _run_jobs(jobs, workers=1, progress=False, reuse=True, warm={})
    assert [o.status for o in outcomes] == ["ok", "failed", "ok"]
    assert outcomes[1].error["ename"] == "ValueError" and outcomes[1].error["evalue"] == "broken brief"
    first, broken, nxt = (_pid_of(o) for o in outcomes)
    assert broken == first  # the failing notebook ran on the reused kernel
    assert nxt != broken  # ... which was not used again
    assert stats == {**stats, "kernels_started": 2, "kernels_retired": 1}


def test_a_notebook_that_times_out_gets_its_kernel_replaced(notebooks, tmp_path):
    jobs = [_job(notebooks["hang"], tmp_path, "hang", timeout=2), _job(notebooks["observe"], tmp_path, "after")]
    outcomes, stats = _run_jobs(jobs, workers=1, progress=False, reuse=True, warm={})
    assert [o.status for o in outcomes] == ["failed", "ok"]
    assert outcomes[0].error["type"] == "CellTimeoutError"
    assert Path(outcomes[0].notebook).name == "hang.ipynb" and Path(outcomes[0].notebook).parent.name == "failed"
    assert stats["kernels_started"] == 2 and stats["kernels_retired"] == 1
    assert not (tmp_path / "hang.html").exists() and (tmp_path / "after.html").is_file()


def test_no_reuse_runs_each_notebook_on_its_own_kernel(notebooks, tmp_path):
    jobs = [_job(notebooks["observe"], tmp_path, f"n{i}") for i in range(2)]
    outcomes, stats = _run_jobs(jobs, workers=1, progress=False, reuse=False, warm={})
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert _pid_of(outcomes[0]) != _pid_of(outcomes[1])
    assert stats["kernels_started"] == 0  # none from the pool: the engine started one per notebook


def test_the_reset_frees_the_previous_notebooks_outputs_at_once(tmp_path):
    # A notebook's last output (a cyclic object, as a matplotlib figure is) stays in ``Out`` and
    # in IPython's hidden ``_``; the reset must free it in its own garbage collection, so the
    # next brief does not walk it again. Its finalizer writes a file when it is freed.
    mark = tmp_path / "freed.txt"
    hold = _notebook(tmp_path / "hold.ipynb", f"""
import pathlib, weakref
class Node:
    pass
node = Node()
node.me = node
weakref.finalize(node, pathlib.Path({str(mark)!r}).write_text, "freed")
node
""")
    check = _notebook(tmp_path / "check.ipynb", f"import pathlib\nprint(pathlib.Path({str(mark)!r}).exists())")
    outcomes, _ = _run_jobs([_job(hold, tmp_path, "hold"), _job(check, tmp_path, "check")], workers=1,
                            progress=False, reuse=True, warm={})
    assert [o.status for o in outcomes] == ["ok", "ok"], [o.error for o in outcomes]
    cell = next(c for c in nbformat.read(outcomes[1].notebook, as_version=4).cells if "exists" in c.source)
    assert cell.outputs[0]["text"].strip() == "True"  # freed before the next notebook's first cell
