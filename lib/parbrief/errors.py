"""Typed errors and the problem record that every validation step reports.

A :class:`Problem` names the file, the row as the user sees it (the Excel/CSV line number,
header included), the column, what is wrong and how to fix it, in Vietnamese and English, so
``parbrief validate`` can list *all* problems of a file at once instead of stopping at the first.

Every message comes from the locale files (``text/locales``): an error is raised with a message
key and its values, ``raise SpecError.keyed("spec.error.not_found", path=p)``; it then carries
the text in every language. ``str(error)`` is the English text (logs, tests, tracebacks) and
``error.message(lang)`` the language the user asked for, which the command line prints.
A problem is built the same way with :meth:`Problem.keyed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping, TypeVar

_E = TypeVar("_E", bound="ParbriefError")

__all__ = [
    "ParbriefError",
    "SpecError",
    "Problem",
    "DataValidationError",
    "ParamsError",
    "RenderError",
    "NotebookError",
    "KernelError",
    "USAGE_KEYS",
    "USAGE_PREFIXES",
]

#: Message keys of usage errors: the command line or a params file is wrong in itself, whatever the
#: data (an unknown option value, a bad params file, ``--out`` a file or a system folder). The
#: command line exits with 2 for them, as argparse does for a mistyped option; every other error
#: (a bad data file, a year or province the data do not hold, a full disk) exits with 1.
USAGE_KEYS = frozenset({
    "config.error.unknown_key", "config.error.unknown_override", "config.error.bad_value",
    "config.error.crosswalks", "config.error.data_required", "config.error.scheme_unknown",
    "config.error.analysis_unavailable", "config.error.name_map", "config.error.name_entry",
    "config.error.aliases_mapping", "lock.folder.not_a_folder",
})
#: Key prefixes of usage errors (params and aliases files that cannot be read; the integrity checks' own).
USAGE_PREFIXES = ("config.file.", "integrity.usage.")


class ParbriefError(Exception):
    """Base of every error parbrief raises on purpose (bad input, bad params), never a bug.

    Build one with :meth:`keyed` (a locale message key and its values); :meth:`message` gives
    its text in a language, ``str()`` the English text.
    """

    #: The message in each language (``{"vi": …, "en": …}``); empty for an error built from text.
    texts: Mapping[str, str] = {}
    #: The locale key of the message (``None`` for an error built from text).
    message_key: str | None = None

    @classmethod
    def keyed(cls: type[_E], key: str, /, **values: Any) -> _E:
        """The error whose message is the locale string ``key`` filled with ``values`` (values
        may be :class:`~parbrief.text.messages.Localized`, written per language)."""
        from parbrief.text.messages import texts

        localized = texts(key, **values)
        err = cls(localized["en"])
        err.texts = localized
        err.message_key = key
        return err

    def message(self, lang: str = "vi") -> str:
        """The message in ``lang`` (``vi``/``en``); the plain text for an error built from text."""
        return self.texts.get(lang) or self.texts.get("en") or str(self)

    @property
    def exit_code(self) -> int:
        """The command line's exit code: 2 for a usage error (:data:`USAGE_KEYS`), else 1."""
        key = self.message_key or ""
        return 2 if key in USAGE_KEYS or key.startswith(USAGE_PREFIXES) else 1


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
        from parbrief.text.messages import Msg, texts

        where: Msg | str = self.notebook
        if cell_index is not None:
            where = Msg("run.error.in_cell", notebook=self.notebook, cell=cell_index)
        self.texts = texts("run.error.cell_failed", where=where, error=f"{ename}: {evalue}" if ename else evalue)
        super().__init__(self.texts["en"])


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

    @classmethod
    def keyed(cls, file: str, row: int | None, column: str | None, kind: str, key: str, /, *,
              hint: str | None = None, severity: Literal["error", "warning"] = "error",
              **values: Any) -> "Problem":
        """A problem whose message is the locale string ``<key>.message`` and whose hint is
        ``<key>.hint`` (when the locale has one; ``hint`` names another key), filled with
        ``values`` in each language."""
        from parbrief.text.messages import has_key, texts

        msg = texts(f"{key}.message", **values)
        hint_key = hint or f"{key}.hint"
        tip = texts(hint_key, **values) if has_key(hint_key, "en") else {"vi": "", "en": ""}
        return cls(file, row, column, kind, msg["vi"], msg["en"], tip["vi"], tip["en"], severity)

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

        def text(lang: str) -> str:
            lines = [p.format(lang) for p in errors[:50]]
            more = len(errors) - len(lines)
            if more > 0:
                lines.append(t("data_problem.more", lang, n=more))
            return t("data_problem.summary", lang, n=len(errors)) + ":\n  " + "\n  ".join(lines)

        self.texts = {code: text(code) for code in ("vi", "en")}
        super().__init__(self.texts[lang])

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
