"""Compact letter display: groups that share a letter do not differ significantly.

Hand-written (no Python library is a dependency for it; R has ``multcompView``): the
insert-absorb algorithm of Piepho (2004), "An algorithm for a letter-based representation of
all-pairwise comparisons", J. Comput. Graph. Stat. 13(2):456–466, followed by its sweep step that
removes redundant letters. Each significant pair splits every letter column holding both groups
into two (one without each group); columns contained in another column are absorbed. The result
has the defining property: two groups share a letter if and only if they do not differ.

Letters are assigned in the order of ``order`` (normally groups by descending mean), so the
best group gets "a", as in agricolae / multcomp displays.
"""

from __future__ import annotations

import string
from typing import Iterable, Sequence

__all__ = ["compact_letters"]

_ALPHABET = string.ascii_lowercase + string.ascii_uppercase


def _letter(i: int) -> str:
    if i < len(_ALPHABET):
        return _ALPHABET[i]
    return _ALPHABET[i % len(_ALPHABET)] + str(i // len(_ALPHABET))


def _absorb(columns: list[frozenset[str]]) -> list[frozenset[str]]:
    unique: list[frozenset[str]] = []
    for c in columns:
        if c and c not in unique:
            unique.append(c)
    return [c for c in unique if not any(c < other for other in unique)]


def compact_letters(order: Sequence[str], significant: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Letters per group from the significantly different pairs (insert-absorb + sweep).

    ``order`` lists every group (letters follow this order: the first group gets "a");
    ``significant`` holds the pairs that differ. Pairs naming unknown groups raise ``KeyError``.
    """
    groups = [str(g) for g in order]
    if len(set(groups)) != len(groups):
        raise ValueError("group names in 'order' must be unique")
    known = set(groups)
    pairs = []
    for a, b in significant:
        a, b = str(a), str(b)
        if a not in known or b not in known:
            raise KeyError(f"pair ({a!r}, {b!r}) names a group not in order")
        if a != b:
            pairs.append((a, b))
    columns: list[frozenset[str]] = [frozenset(groups)] if groups else []
    for a, b in pairs:  # insert
        split: list[frozenset[str]] = []
        for c in columns:
            if a in c and b in c:
                split.extend([c - {b}, c - {a}])
            else:
                split.append(c)
        columns = _absorb(split)  # absorb
    sig = {frozenset(p) for p in pairs}
    # Sweep: drop a group from a column when every non-significant partner it meets there
    # also shares another column with it (Piepho 2004, section 3).
    cols = [set(c) for c in columns]
    for ci, col in enumerate(cols):
        for g in sorted(col, key=groups.index):
            partners = [h for h in col if h != g and frozenset((g, h)) not in sig]
            if all(any(g in other and h in other for oj, other in enumerate(cols) if oj != ci) for h in partners):
                if any(g in other for oj, other in enumerate(cols) if oj != ci):
                    col.discard(g)
    columns = _absorb([frozenset(c) for c in cols])
    position = {g: i for i, g in enumerate(groups)}
    columns.sort(key=lambda c: sorted(position[g] for g in c))
    out = {g: "" for g in groups}
    for li, c in enumerate(columns):
        for g in sorted(c, key=position.__getitem__):
            out[g] += _letter(li)
    return out
