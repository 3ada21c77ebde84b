"""Compact letter display (insert-absorb + sweep)."""

from __future__ import annotations

import itertools
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parbrief.stats.letters import compact_letters


def test_plant_growth_tukey_letters():
    # agricolae::HSD.test(aov(weight ~ group, PlantGrowth), "group"): trt2 a, ctrl ab, trt1 b
    # (only trt2-trt1 differs at 0.05).
    assert compact_letters(["trt2", "ctrl", "trt1"], [("trt1", "trt2")]) == {"trt2": "a", "ctrl": "ab", "trt1": "b"}


def test_multcompview_example():
    # R multcompView::multcompLetters example: dif3 = c("A-B" = FALSE, "A-C" = FALSE, "B-C" = TRUE)
    # gives A "ab", B "a", C "b".
    assert compact_letters(["A", "B", "C"], [("B", "C")]) == {"A": "ab", "B": "a", "C": "b"}


def test_no_and_all_differences():
    assert compact_letters(list("pqrs"), []) == dict.fromkeys("pqrs", "a")
    every = list(itertools.combinations("pqrs", 2))
    assert compact_letters(list("pqrs"), every) == {"p": "a", "q": "b", "r": "c", "s": "d"}


def test_sweep_removes_redundant_letters():
    # a~b, a≠c, b≠c, b≠d, a~d, c~d: the minimal display needs three letters.
    out = compact_letters(list("abcd"), [("a", "c"), ("b", "c"), ("b", "d")])
    assert out == {"a": "ab", "b": "a", "c": "c", "d": "bc"}


def test_unknown_group_raises():
    with pytest.raises(KeyError):
        compact_letters(["a", "b"], [("a", "z")])


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1, max_value=9).flatmap(
    lambda n: st.tuples(st.just(n), st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))))
))
def test_letters_share_iff_not_different(case):
    n, raw = case
    groups = [f"g{i}" for i in range(n)]
    sig = {frozenset((groups[a], groups[b])) for a, b in raw if a != b}
    letters = compact_letters(groups, [tuple(p) for p in sig])
    assert all(letters[g] for g in groups)  # every group has at least one letter
    for a, b in itertools.combinations(groups, 2):
        share = bool(set(letters[a]) & set(letters[b]))
        assert share == (frozenset((a, b)) not in sig)


def _reference_letters(order, significant):
    """The set-based insert-absorb + sweep this module used before bit masks (Piepho 2004, as
    written the first time): the bit-mask version must give the same letters, only faster."""
    groups = [str(g) for g in order]
    pairs = [(str(a), str(b)) for a, b in significant if str(a) != str(b)]

    def absorb(columns):
        unique = []
        for c in columns:
            if c and c not in unique:
                unique.append(c)
        return [c for c in unique if not any(c < other for other in unique)]

    columns = [frozenset(groups)] if groups else []
    for a, b in pairs:
        split = []
        for c in columns:
            split.extend([c - {b}, c - {a}] if a in c and b in c else [c])
        columns = absorb(split)
    sig = {frozenset(p) for p in pairs}
    cols = [set(c) for c in columns]
    for ci, col in enumerate(cols):
        for g in sorted(col, key=groups.index):
            partners = [h for h in col if h != g and frozenset((g, h)) not in sig]
            if all(any(g in o and h in o for oj, o in enumerate(cols) if oj != ci) for h in partners):
                if any(g in o for oj, o in enumerate(cols) if oj != ci):
                    col.discard(g)
    columns = absorb([frozenset(c) for c in cols])
    position = {g: i for i, g in enumerate(groups)}
    columns.sort(key=lambda c: sorted(position[g] for g in c))
    out = {g: "" for g in groups}
    for li, c in enumerate(columns):
        for g in sorted(c, key=position.__getitem__):
            out[g] += string.ascii_letters[li] if li < 52 else string.ascii_letters[li % 52] + str(li // 52)
    return out


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=16).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80))
))
def test_bit_masks_give_the_letters_of_the_set_based_algorithm(case):
    n, raw = case  # pairs in any order, repeated, reversed or of a group with itself
    groups = [f"u{(7 * i) % 17:02d}" for i in range(n)]
    pairs = [(groups[a], groups[b]) for a, b in raw]
    assert compact_letters(groups, pairs) == _reference_letters(groups, pairs)


def test_letters_of_a_long_list_on_a_line_match_the_reference():
    # 80 communes: a unit differs from those more than 12 places away (a long list's usual pattern)
    groups = [f"Xã {i:03d}" for i in range(80)]
    pairs = [(groups[i], groups[j]) for i, j in itertools.combinations(range(80), 2) if j - i > 12]
    letters = compact_letters(groups, pairs)
    assert letters == _reference_letters(groups, pairs)
    assert letters[groups[0]] == "a" and all(letters[g] for g in groups)
