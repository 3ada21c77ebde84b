"""Compact letter display (insert-absorb + sweep)."""

from __future__ import annotations

import itertools

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
