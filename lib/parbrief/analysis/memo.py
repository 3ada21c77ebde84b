"""A batch's per-kernel memory of results that depend only on the data and the run's choices.

A render runs many briefs of one snapshot in one warm kernel; what every brief of a year computes
the same way (the store's pooled ρ, the national table's standing) is kept here under a key of the
data hash and those choices. Values must be immutable, so a warm kernel's brief stays byte-identical
to a fresh kernel's. Least recently used entries are dropped beyond ``size``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

__all__ = ["Memo"]

V = TypeVar("V")


class Memo:
    """A bounded least-recently-used map: :meth:`get` returns the kept value or computes and keeps it."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]  # type: ignore[return-value]
        value = compute()
        self._values[key] = value
        self._trim()
        return value

    def put(self, key: Hashable, value: object) -> None:
        """Keep ``value`` under ``key`` (a value computed elsewhere: another process's, read back)."""
        self._values[key] = value
        self._values.move_to_end(key)
        self._trim()

    def items(self) -> list[tuple[Hashable, object]]:
        """The kept entries, least recently used first."""
        return list(self._values.items())

    def _trim(self) -> None:
        while len(self._values) > self._size:
            self._values.popitem(last=False)
