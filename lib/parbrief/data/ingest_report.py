"""What an ingest did, as the command line reports it (:class:`IngestResult`).

The report says what was written, then what it did to what was stored: a table of the
province-years it replaced (units and rows replaced, added, removed), the province-years it
added, the unit names it wrote out or unified, the near-duplicate warnings with the alias lines
that would merge them, and where the previous store is kept and how to restore it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from parbrief.data.near_duplicates import NearDuplicate, aliases_block
from parbrief.data.replacement import SliceChange, changes_table
from parbrief.data.unit_names import Rename, SpellingConflict, years_text
from parbrief.errors import Problem
from parbrief.text.formats import fmt_int
from parbrief.text.messages import t, t_count

__all__ = ["IngestResult"]

#: Renamed spellings listed one per line; the rest are counted.
_SHOWN_RENAMES = 20


def _n(key: str, lang: str, n: int, **kw: object) -> str:
    """``key.one`` or ``key.other`` by ``n`` (:func:`~parbrief.text.messages.t_count`), ``n`` formatted."""
    return t_count(key, lang, n, n=fmt_int(n, lang), **kw)


def _slices(changes: Iterable[SliceChange]) -> str:
    by: dict[str, list[int]] = {}
    for c in changes:
        by.setdefault(c.province, []).append(c.year)
    return "; ".join(f"{p} {years_text(ys)}" for p, ys in by.items())


@dataclass(frozen=True)
class IngestResult:
    """What an ingest wrote, and what it replaced, added, removed, renamed and backed up."""

    store: str
    file: str
    kind: str
    rows: int
    provinces: tuple[str, ...]
    years: tuple[int, ...]
    replaced: tuple[tuple[str, int], ...]
    sha256: str
    spec_id: str | None = None
    warnings: tuple[Problem, ...] = field(default=())
    changes: tuple[SliceChange, ...] = field(default=())
    renames: tuple[Rename, ...] = field(default=())
    conflicts: tuple[SpellingConflict, ...] = field(default=())
    near_duplicates: tuple[NearDuplicate, ...] = field(default=())
    backup: str | None = None
    had_data: bool = False
    keep_backups: int = 3

    def summary(self, lang: str = "vi") -> str:
        """The command line's report, in Vietnamese or English (one line when nothing was stored before)."""
        lang = "en" if lang == "en" else "vi"
        first = _n(f"ingest.wrote.{self.kind}", lang, self.rows, file=Path(self.file).name,
                   store=Path(self.store).name, provinces=", ".join(self.provinces), years=years_text(self.years))
        if self.warnings:
            first += " " + _n("ingest.validation_warnings", lang, len(self.warnings))
        lines = [first]
        table = changes_table(self.changes, lang)
        if table:
            lines += [_n("ingest.table.head", lang, len(table) - 1), *table]
        new = [c for c in self.changes if c.new]
        if new and self.had_data:
            lines.append(t("ingest.added_slices", lang, slices=_slices(new)))
        lines += self._rename_lines(lang)
        for c in self.conflicts:
            lines.append(t("ingest.conflict", lang, province=c.province, year=c.year,
                           names=", ".join(f"“{s}”" for s in c.spellings)))
        if self.near_duplicates:
            lines += [d.message(lang) for d in self.near_duplicates]
            lines += [t("ingest.near_duplicate.block", lang), aliases_block(self.near_duplicates)]
        if self.backup:
            lines.append(t("ingest.backup", lang, backup=self.backup,
                           kept=_n("ingest.backups_kept", lang, self.keep_backups),
                           command=f"cp {shlex.quote(self.backup)} {shlex.quote(self.store)}"))
        return "\n".join(lines)

    def _rename_lines(self, lang: str) -> list[str]:
        if not self.renames:
            return []
        lines = [_n("ingest.renamed.head", lang, len(self.renames))]
        for r in self.renames[:_SHOWN_RENAMES]:
            where = "file" if r.table == "file" else "stored"
            lines.append(t(f"ingest.renamed.{where}_{r.reason}", lang, province=r.province, old=r.old,
                           new=r.new, years=years_text(r.years)))
        more = len(self.renames) - _SHOWN_RENAMES
        if more > 0:
            lines.append(_n("ingest.renamed.more", lang, more))
        return lines
