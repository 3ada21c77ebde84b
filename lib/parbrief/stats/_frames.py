"""Small input checks shared by the statistics modules (columns present, one province, numbers)."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

__all__ = ["numeric", "require_columns", "require_one_province"]


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str = "data") -> None:
    """Raise ``ValueError`` naming the missing columns (a programming error, not a data gap)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what}: column(s) {', '.join(map(repr, missing))} missing "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )


def require_one_province(frame: pd.DataFrame, what: str = "data") -> None:
    """Units are compared within one province (or the national table): refuse a mix."""
    if "province" in frame.columns:
        provinces = pd.unique(frame["province"].dropna())
        if len(provinces) > 1:
            shown = ", ".join(map(str, provinces[:5]))
            raise ValueError(f"{what}: {len(provinces)} provinces found ({shown}…); pass one province's rows")


def numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as float64 (non-numbers become NaN)."""
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")
