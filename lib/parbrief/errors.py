"""Typed errors and the problem record that every validation step reports.

A :class:`Problem` names the file, the row as the user sees it (the Excel/CSV line number,
header included), the column, what is wrong and how to fix it, in Vietnamese and English, so
``parbrief validate`` can list *all* problems of a file at once instead of stopping at the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

__all__ = [
    "ParbriefError",
    "SpecError",
    "Problem",
    "DataValidationError",
    "ParamsError",
    "RenderError",
    "NotebookError",
    "KernelError",
]


class ParbriefError(Exception):
    """Base of every error parbrief raises on purpose (bad input, bad params), never a bug."""


class SpecError(ParbriefError):
    """The index specification (YAML) is missing or invalid."""


class ParamsError(ParbriefError):
    """Run parameters (params/*.yaml or command line) are invalid: unknown province, year, key."""


class RenderError(ParbriefError):
    """A brief could not be rendered; carries the notebook and the failing cell when known."""


class NotebookError(RenderError):
    """A cell of a notebook raised: which notebook, which cell (0-based index) and the error.

    Raised by :func:`parbrief.run.execute.execute_notebook` from papermill's execution error, so
    callers see one parbrief error whatever the engine; ``ename``/``evalue`` are the cell's
    exception name and message, ``source`` the cell's code.
    """

    def __init__(self, notebook: str, cell_index: int | None, ename: str = "", evalue: str = "",
                 source: str = "", exec_count: int | None = None) -> None:
        self.notebook = str(notebook)
        self.cell_index = cell_index
        self.ename = ename
        self.evalue = evalue
        self.source = source
        self.exec_count = exec_count
        where = f"{self.notebook}, cell {cell_index}" if cell_index is not None else self.notebook
        super().__init__(f"{where}: {ename}: {evalue}" if ename else f"{where}: {evalue}")


class KernelError(RenderError):
    """A pooled kernel could not start, warm up or reset (message says which and why)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, with its location and a fix hint in both languages.

    ``row`` is the row number the user sees in Excel or a text editor (1 = the header line) or
    ``None`` when the problem concerns the whole file or a whole column.
    """

    file: str
    row: int | None
    column: str | None
    kind: str
    message_vi: str
    message_en: str
    hint_vi: str = ""
    hint_en: str = ""
    severity: Literal["error", "warning"] = "error"

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en

    def hint(self, lang: str = "vi") -> str:
        return self.hint_vi if lang == "vi" else self.hint_en

    def format(self, lang: str = "vi") -> str:
        """One line: ``file:row [column] message — hint``, localized."""
        from parbrief.text.messages import t

        lang = "en" if lang == "en" else "vi"
        where = self.file
        if self.row is not None:
            where += ", " + t("data_problem.row", lang, row=self.row)
        if self.column:
            where += ", " + t("data_problem.column", lang, column=repr(self.column))
        tag = "" if self.severity == "error" else t("data_problem.warning", lang)
        text = f"{where}{tag}: {self.message(lang)}"
        h = self.hint(lang)
        return f"{text} → {h}" if h else text


class DataValidationError(ParbriefError):
    """An input file has errors; ``problems`` lists every one of them (warnings included)."""

    def __init__(self, problems: Iterable[Problem], lang: str = "en") -> None:
        from parbrief.text.messages import t

        self.problems = list(problems)
        lang = "vi" if lang == "vi" else "en"
        errors = [p for p in self.problems if p.severity == "error"]
        head = t("data_problem.summary", lang, n=len(errors))
        lines = [p.format(lang) for p in errors[:50]]
        more = len(errors) - len(lines)
        if more > 0:
            lines.append(t("data_problem.more", lang, n=more))
        super().__init__(head + ":\n  " + "\n  ".join(lines))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
