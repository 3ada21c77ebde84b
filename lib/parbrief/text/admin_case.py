"""Administrative-unit words written lowercase inside a Vietnamese sentence ("huyện Mỹ Xuyên").

Nghị định 30/2020/NĐ-CP (Phụ lục II) writes the common noun of an administrative unit in
lowercase and capitalizes only the proper name: "tỉnh Sóc Trăng", "huyện Mỹ Xuyên", "thị xã Vĩnh
Châu", "thành phố Cần Thơ". Data and tables write a unit's name as it starts a cell ("Huyện Mỹ
Xuyên"); :func:`lower_unit_words` lowercases the word when the name stands inside a sentence.

Kept capitalized, as the decree does:

- at the start of a sentence (the text's start, after ". ", "! ", "? ", a line break or a bullet);
- before a number: "Quận 1", "Xã 01", "Phường 03" (the common noun is part of such a name);
- in names formed with a person's name, listed in :data:`PROPER_NAMES` ("Thành phố Hồ Chí Minh");
- names of agencies and organizations ("Sở Nội vụ", "Thanh tra tỉnh", "Ủy ban nhân dân"): the
  decree capitalizes the first letter of an agency's name, so "Sở" is never lowercased here.

English text is returned unchanged.
"""

from __future__ import annotations

import re

__all__ = ["PROPER_NAMES", "UNIT_WORDS", "lower_first", "lower_unit_words"]

#: The common nouns of administrative units, longest first (so "Thành phố" wins over a shorter word).
UNIT_WORDS: tuple[str, ...] = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Huyện", "Phường", "Quận", "Tỉnh", "Xã")
#: Names whose common noun stays capitalized wherever they stand (formed with a person's name).
PROPER_NAMES: tuple[str, ...] = ("Thành phố Hồ Chí Minh",)

_WORD = re.compile(r"(?<![\w\-–])(" + "|".join(re.escape(w) for w in UNIT_WORDS) + r")(?= +(\S))")
#: What may stand between a sentence break and the first word: spaces, quotes, brackets, dashes.
_OPENERS = " \t\"'“‘«(["
_BREAKS = ".!?\n•"


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    if i < 0:
        return True
    if text[i] in _BREAKS:
        return True
    # a bullet: "- " at the start of a line
    return text[i] in "-–" and (i == 0 or text[i - 1] == "\n")


def lower_first(text: str) -> str:
    """``text`` with its first letter lowercased ("Nhóm B" → "nhóm B")."""
    return text[:1].lower() + text[1:] if text else text


def lower_unit_words(text: str, lang: str = "vi") -> str:
    """``text`` with every administrative-unit word lowercased where it stands inside a sentence.

    "So với các huyện khác, Huyện Mỹ Xuyên cải thiện" → "…, huyện Mỹ Xuyên cải thiện"; see the
    module docstring for what stays capitalized. Only a word followed by a capitalized name is
    touched (a generic "Huyện" in a heading is left alone).
    """
    if lang != "vi" or not text:
        return text

    def repl(m: re.Match[str]) -> str:
        word, following = m.group(1), m.group(2)
        if not following[:1].isupper() or following[:1].isdigit():
            return word
        if _sentence_initial(text, m.start()):
            return word
        if any(text.startswith(name, m.start()) for name in PROPER_NAMES):
            return word
        return lower_first(word)

    return _WORD.sub(repl, text)
