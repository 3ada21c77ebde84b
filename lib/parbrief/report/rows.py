"""Which rows a brief shows of a long list: all of them, or the best and the worst.

From 2025 a province scores about 100 communes (60–170). A leader's brief cannot print a league
table, a heatmap or a chart of means with 120 rows and stay within its page budget, and the
rows that call for action are at the two ends. So a list longer than :data:`FULL_LIST_MAX`
rows is shown as its :data:`ENDS` best and :data:`ENDS` worst rows with a marked gap between
them; the full list stays in the results workbook and the analysis pages (the brief says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["ENDS", "FULL_LIST_MAX", "Ends", "keep_ends"]

#: Longest list shown whole: a 2024 province has 8–30 districts (Hà Nội 30) and 4–20 departments.
FULL_LIST_MAX = 40
#: Rows kept at each end of a longer list.
ENDS = 10


@dataclass(frozen=True)
class Ends:
    """The rows kept of a list (in its order), how many were left out, and where the gap is.

    ``gap_at`` is the position in ``frame`` of the first row after the gap (``None``: nothing
    was left out). ``total`` is the length of the whole list.
    """

    frame: pd.DataFrame
    omitted: int
    gap_at: int | None

    @property
    def total(self) -> int:
        return len(self.frame) + self.omitted


def keep_ends(frame: pd.DataFrame, ends: int | None = ENDS, full_max: int = FULL_LIST_MAX) -> Ends:
    """``frame`` (already sorted, best first) whole when it has at most ``full_max`` rows (or
    ``ends`` is ``None``), else its first and last ``ends`` rows."""
    n = len(frame)
    if ends is None or n <= max(full_max, 2 * ends):
        return Ends(frame, 0, None)
    kept = pd.concat([frame.iloc[:ends], frame.iloc[n - ends:]])
    return Ends(kept, n - 2 * ends, ends)
