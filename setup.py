"""Build step: copy the repository's ``notebooks/`` and ``params/`` into the wheel.

They stay the source of truth at the top of the repository (analysts open and edit them there);
the wheel carries copies under ``parbrief/_shipped/`` so an installed package can render from
an empty folder (:func:`parbrief.files.shipped_file` finds them). Everything else is in
pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"notebooks": "*.ipynb", "params": "*.yaml"}


class BuildWithShipped(build_py):
    """``build_py`` plus the copies of the top-level folders the package needs at run time."""

    def run(self) -> None:
        super().run()
        for folder, pattern in SHIPPED.items():
            dest = Path(self.build_lib) / "parbrief" / "_shipped" / folder
            dest.mkdir(parents=True, exist_ok=True)
            for src in sorted((ROOT / folder).glob(pattern)):
                shutil.copy2(src, dest / src.name)


setup(cmdclass={"build_py": BuildWithShipped})
