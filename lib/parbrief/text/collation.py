"""Vietnamese alphabetical order for unit names (tỉnh, thành phố, sở, ngành)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["vietnamese_sort_key"]

# Vietnamese alphabet order (foreign letters f, j, w, z placed where Latin puts them).
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
# Tone order of Vietnamese dictionaries: level, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng).
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_sort_key(name: str) -> tuple:
    """Sort key for Vietnamese names: letters in Vietnamese order (a ă â … đ … ư), then tones.

    Hand-written (no collation library is a dependency; Python's default sorts by code point,
    which puts "Đ" after "Z" and "Ân" after "Yên"). Case-insensitive; tones only break ties
    between otherwise equal names; the text itself is the final tie-breaker, so the order is
    total and deterministic. Cached: a batch sorts the same few thousand names again and again.
    """
    return _key(str(name))


@lru_cache(maxsize=1 << 16)
def _key(name: str) -> tuple:
    letters: list[tuple[int, int | str]] = []
    tones: list[int] = []
    prev_digit = False
    for ch in unicodedata.normalize("NFC", name.casefold()):
        parts = unicodedata.normalize("NFD", ch)
        tone = next((_TONE_RANK[c] for c in parts if c in _TONE_RANK), 0)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_RANK))
        if base in _LETTER_RANK:
            letters.append((1, _LETTER_RANK[base]))
        elif base.isdigit() and base.isascii():
            if letters and letters[-1][0] == 0 and prev_digit:  # "Quận 10" after "Quận 2"
                letters[-1] = (0, int(letters[-1][1]) * 10 + int(base))
                prev_digit = True
                continue
            letters.append((0, int(base)))
        elif base.isspace():
            letters.append((-1, 0))
        else:
            letters.append((2, base))
        tones.append(tone)
        prev_digit = base.isdigit() and base.isascii()
    return (tuple(letters), tuple(tones), name)
