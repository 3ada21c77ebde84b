"""The built wheel is self-sufficient: installed outside the repository, from an empty folder,
``python -m parbrief demo`` and a one-province ``render`` write the brief's HTML.

Builds with ``pip wheel --no-deps`` (setup.py's build step copies ``notebooks/`` and ``params/``
into the package), installs with ``pip install --no-deps --target`` (the dependencies come from
the running environment), and runs with ``PYTHONPATH`` set to the install folder only, so no
file of the checkout can be found by accident.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    res = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert res.returncode == 0, f"{' '.join(args)} failed:\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}"
    return res


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # Build from a copy without the checkout's build/ folder: setuptools reuses build/lib and
    # would ship files since deleted from the source (a stale locale file).
    src = base / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "outputs", "*.egg-info",
                                                              "__pycache__", ".pytest_cache"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(src)], base, env)
    wheels = list((base / "dist").glob("parbrief-*.whl"))
    assert len(wheels) == 1
    target = base / "site"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheels[0])],
         base, env)
    return target


def test_wheel_ships_notebooks_params_locales_and_reference_data(installed: Path) -> None:
    pkg = installed / "parbrief"
    for folder, pattern in (("notebooks", "*.ipynb"), ("params", "*.yaml")):
        repo_files = sorted(p.name for p in (REPO / folder).glob(pattern))
        assert repo_files, folder
        for name in repo_files:
            shipped = pkg / "_shipped" / folder / name
            assert shipped.read_bytes() == (REPO / folder / name).read_bytes(), shipped
    assert (pkg / "text" / "locales" / "vi.yaml").is_file()
    shipped_topics = sorted(p.name for p in (pkg / "text" / "locales" / "vi").glob("*.yaml"))
    assert shipped_topics == sorted(p.name for p in (REPO / "lib/parbrief/text/locales/vi").glob("*.yaml"))
    assert (pkg / "resources" / "province_crosswalk_2025.csv").is_file()
    assert (pkg / "report" / "templates").is_dir()
    assert (pkg / "__main__.py").is_file()


def test_installed_wheel_renders_the_demo_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARBRIEF_")}
    env["PYTHONPATH"] = str(installed)
    work = tmp_path / "empty"
    work.mkdir()
    where = _run([sys.executable, "-c", "import parbrief; print(parbrief.__file__)"], work, env).stdout
    assert Path(where.strip()).is_relative_to(installed)
    _run([sys.executable, "-m", "parbrief", "demo", "--out", "X"], work, env)
    assert (work / "X" / "parbrief.duckdb").is_file()
    res = _run([sys.executable, "-m", "parbrief", "render", "--data", "X/parbrief.duckdb", "--out", "Y",
                "--province", "Sơn La", "--workers", "1"], work, env)
    briefs = [p for p in (work / "Y").rglob("*.html") if p.name != "index.html"]
    assert briefs, res.stdout + res.stderr
    assert "FAILED" not in res.stdout + res.stderr
    html = max(briefs, key=lambda p: p.stat().st_size).read_text(encoding="utf-8")
    assert "Sơn La" in html
