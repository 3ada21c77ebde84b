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


def _antichain(columns: list[int]) -> list[int]:
    """Columns (bit masks) without empty ones, repeats (the first kept) and those contained in
    another column, in their order."""
    unique = list(dict.fromkeys(c for c in columns if c))
    return [c for c in unique if not any(c != o and c & o == c for o in unique)]


def _insert(columns: list[int], a: int, b: int) -> list[int]:
    """One significant pair (bits ``a``, ``b``): every column holding both is split in two, one
    without each group; a part is absorbed when another column holds it.

    Only the parts need the containment check, and only against the columns that hold the one
    group of the pair the part kept and not the other: the columns are an antichain before the
    step and a part is a strict subset of its column, so no column left whole can be contained
    in a part or in another whole column, and a column holding a part and the other group of
    the pair would hold the split column.
    """
    both = a | b
    parts: list[tuple[int, bool]] = []
    for c in columns:
        if c & both == both:
            parts.extend([(c & ~b, True), (c & ~a, True)])
        else:
            parts.append((c, False))
    if len(parts) == len(columns):
        return columns  # nothing splits (most pairs once the columns are small)
    seen: dict[int, bool] = {}
    for c, split in parts:
        if c and c not in seen:
            seen[c] = split
    kept = list(seen)
    with_a = [o for o in kept if o & a and not o & b]
    with_b = [o for o in kept if o & b and not o & a]
    return [c for c in kept
            if not seen[c] or not any(c != o and c & o == c for o in (with_a if c & a else with_b))]


def _sweep(columns: list[int], n: int, differs: list[int]) -> list[int]:
    """Drop a group from a column when every non-significant partner it meets there also shares
    another column with it, and it has another column (Piepho 2004, section 3); columns in
    order, groups in order within a column, each decision on the columns as they stand."""
    cols = list(columns)
    for ci in range(len(cols)):
        for i in range(n):
            g = 1 << i
            if not cols[ci] & g:
                continue
            elsewhere, found = 0, False
            for oj, other in enumerate(cols):
                if oj != ci and other & g:
                    elsewhere |= other
                    found = True
            partners = cols[ci] & ~g & ~differs[i]
            if found and partners & ~elsewhere == 0:
                cols[ci] &= ~g
    return _antichain(cols)


def compact_letters(order: Sequence[str], significant: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Letters per group from the significantly different pairs (insert-absorb + sweep).

    ``order`` lists every group (letters follow this order: the first group gets "a");
    ``significant`` holds the pairs that differ. Pairs naming unknown groups raise ``KeyError``.
    A letter column is a bit mask of the groups (bit *i*: the *i*-th group of ``order``), so a
    province's 170 communes with thousands of significant pairs take well under a second.
    """
    groups = [str(g) for g in order]
    if len(set(groups)) != len(groups):
        raise ValueError("group names in 'order' must be unique")
    position = {g: i for i, g in enumerate(groups)}
    pairs = []
    for a, b in significant:
        a, b = str(a), str(b)
        if a not in position or b not in position:
            raise KeyError(f"pair ({a!r}, {b!r}) names a group not in order")
        if a != b:
            pairs.append((position[a], position[b]))
    n = len(groups)
    columns: list[int] = [(1 << n) - 1] if groups else []
    differs = [0] * n
    for i, j in pairs:  # insert (and absorb)
        columns = _insert(columns, 1 << i, 1 << j)
        differs[i] |= 1 << j
        differs[j] |= 1 << i
    columns = _sweep(columns, n, differs)
    members = [[i for i in range(n) if c >> i & 1] for c in columns]
    out = {g: "" for g in groups}
    for li, idx in enumerate(sorted(members)):
        for i in idx:
            out[groups[i]] += _letter(li)
    return out
