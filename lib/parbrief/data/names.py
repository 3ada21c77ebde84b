"""Vietnamese name normalization, header keys and unit-name aliases.

The same district is written many ways in the files analysts send: NFC or NFD Unicode (Excel on
macOS writes NFD), a no-break space copied from a web page, a zero-width space from a PDF, and two
tone-mark conventions: the traditional placement used in official names ("Hòa", "Thanh Hóa",
"Thủy", "Khỏe": the mark on the first vowel of *oa*, *oe*, *uy* when the syllable has no final
consonant) and the "new" placement ("Hoà", "Thuỷ", "Khoẻ"). :func:`normalize_name` maps all of
them to one form, so "Hoà Bình" and "Hòa Bình" are one unit. It changes nothing else (case and
other letters are kept), so a name a user typed is shown as they typed it.

Unit names get two more steps (:func:`expand_unit_prefix`, :func:`unit_key`): the abbreviated
administrative prefix is written out ("TP. Đồng Hới" → "Thành phố Đồng Hới", "TX." → "Thị xã",
"Q." → "Quận", "H." → "Huyện", "P." → "Phường", "X." → "Xã"), and the key a unit is matched on
ignores case, so "HUYỆN VĨNH LINH" and "Huyện Vĩnh Linh" are one unit. Province names are not
expanded: "TP. Hồ Chí Minh" is the province's name in the national tables.

Hand-written on purpose: no well-kept library places Vietnamese tone marks this way for names
(``unicodedata`` only gives NFC/NFD; the PyPI ``vietnam-provinces`` data is GPL-3.0 and needs
Python 3.12), and the rule is small and fully tested with hypothesis.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from parbrief.files import read_yaml_mapping
from parbrief.errors import ParamsError

__all__ = [
    "PROVINCE_ALIASES_KEY",
    "ALL_PROVINCES",
    "normalize_name",
    "header_key",
    "strip_diacritics",
    "load_aliases",
    "apply_aliases",
    "UNIT_PREFIXES",
    "NO_PREFIX_TYPES",
    "expand_unit_prefix",
    "split_unit_prefix",
    "unit_key",
    "is_properly_cased",
    "is_national_name",
]

#: Key of :func:`load_aliases`' result that holds the province renames (old → new).
PROVINCE_ALIASES_KEY = "province_aliases"
#: Key of unit aliases that apply in every province.
ALL_PROVINCES = "*"

# The five Vietnamese tone marks as combining characters (grave, acute, tilde, hook above, dot
# below). Circumflex, breve and horn are part of the letter (â, ă, ơ, ư) and never move.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Invisible characters removed outright: zero-width space/non-joiner/joiner, word joiner, BOM,
# soft hyphen. (Visible whitespace of any kind, NBSP included, becomes one plain space.)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_VOWELS = frozenset("aăâeêioôơuưy")
# Two-vowel nuclei whose tone mark the two conventions place differently (open syllables only).
_OPEN_PAIRS = frozenset({("o", "a"), ("o", "e"), ("u", "y")})
_WORD = re.compile(r"[^\W\d_]+")


def _split_letter(ch: str) -> tuple[str, str | None]:
    """A precomposed letter → (letter without tone mark, NFC; tone mark or None)."""
    parts = unicodedata.normalize("NFD", ch)
    tones = [c for c in parts if c in _TONES]
    if not tones:
        return ch, None
    rest = "".join(c for c in parts if c not in _TONES)
    return unicodedata.normalize("NFC", rest), tones[0] if len(tones) == 1 else "\0"


def _retone_word(word: str) -> str:
    """Move the tone mark of an open oa/oe/uy syllable to its first vowel (traditional placement).

    Only a word that ends with exactly the vowel pair o+a, o+e or u+y (no final consonant, no
    third vowel before it, and for u+y not after "q", where "qu" is the initial consonant as in
    "Quý") and that carries exactly one tone mark is changed; every other word is returned as is.
    """
    if len(word) < 2:
        return word
    letters = [_split_letter(ch) for ch in word]
    tones = [(i, t) for i, (_, t) in enumerate(letters) if t is not None]
    if len(tones) != 1 or tones[0][1] == "\0":
        return word
    first, second = letters[-2][0], letters[-1][0]
    if (first.lower(), second.lower()) not in _OPEN_PAIRS:
        return word
    if len(word) >= 3:
        before = letters[-3][0].lower()
        if before in _VOWELS or unicodedata.normalize("NFD", before)[0] in _VOWELS:
            return word
        if first.lower() == "u" and before == "q":
            return word
    pos, tone = tones[0]
    if pos not in (len(word) - 2, len(word) - 1):
        return word
    base = [b for b, _ in letters]
    base[-2] = base[-2] + tone
    return unicodedata.normalize("NFC", "".join(base))


def normalize_name(s: str) -> str:
    """One canonical spelling for a Vietnamese name: NFC, trimmed, single spaces, one tone convention.

    Steps: invisible characters (zero-width space, BOM, soft hyphen…) are removed and every kind of
    whitespace (no-break space, tabs, line breaks) becomes a single space; the text is put in NFC;
    then in each open syllable ending in oa/oe/uy the tone mark moves to the first vowel, the
    traditional placement of official names ("Hoà" → "Hòa", "Thuỷ" → "Thủy", "Khoẻ" → "Khỏe").
    Case and all other characters are kept. Idempotent; never raises (non-text gives ``str(s)``
    normalized, ``None`` gives ``""``).
    """
    if s is None:
        return ""
    if not isinstance(s, str):
        s = str(s)
    s = s.translate(_INVISIBLE)
    s = unicodedata.normalize("NFC", s)
    s = " ".join(s.split())
    s = _WORD.sub(lambda m: _retone_word(m.group(0)), s)
    return unicodedata.normalize("NFC", s)


#: Abbreviated administrative prefixes of unit names and what they stand for.
UNIT_PREFIXES: dict[str, str] = {
    "tp": "Thành phố", "tx": "Thị xã", "q": "Quận", "h": "Huyện", "p": "Phường", "x": "Xã",
}
# Full prefixes a unit name may start with (longest first, so "Thị xã" wins over "Thị trấn"'s "Thị").
_FULL_PREFIXES = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Xã")
# "TP." / "tp." / "TP.Đồng Hới" at the very start, then a letter or digit that is not itself an
# initial ("H. T. Nguyên" is a person's initials, not a district).
_ABBREV = re.compile(r"^(TP|TX|Q|H|P|X)\.\s*(?=[^\W_])(?![^\W\d_]\.)", re.IGNORECASE)
#: Unit types whose names never carry an administrative prefix ("TP. Hồ Chí Minh" is a province;
#: "P. Tư pháp" in a list of departments is a *phòng*, not a *phường*).
NO_PREFIX_TYPES = frozenset({"province", "department"})


def expand_unit_prefix(name: str, unit_type: str | None = None) -> str:
    """A unit name normalized (:func:`normalize_name`) with its abbreviated prefix written out.

    "TP. Đồng Hới" and "TP.Đồng Hới" → "Thành phố Đồng Hới"; "TX. Ba Đồn" → "Thị xã Ba Đồn"; also
    "Q.", "H.", "P.", "X." (any case). Only the first word is expanded, and only when a name
    follows; the prefix takes the case of the rest ("TP. ĐỒNG HỚI" → "THÀNH PHỐ ĐỒNG HỚI"). A
    province or a department (``unit_type``) is left as written.
    """
    text = normalize_name(name)
    if unit_type in NO_PREFIX_TYPES:
        return text
    m = _ABBREV.match(text)
    if m is None:
        return text
    rest = text[m.end():]
    full = UNIT_PREFIXES[m.group(1).lower()]
    letters = [c for c in rest if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        full = full.upper()
    elif letters and all(c.islower() for c in letters):
        full = full.lower()
    return unicodedata.normalize("NFC", f"{full} {rest}")


def split_unit_prefix(name: str) -> tuple[str, str]:
    """(prefix, rest) of an expanded unit name, prefix casefolded: "Thị xã Đồng Hới" → ("thị xã", "Đồng Hới").

    The prefix is "" when the name does not start with an administrative word.
    """
    folded = name.casefold()
    for full in _FULL_PREFIXES:
        f = full.casefold()
        if folded.startswith(f + " ") and len(name) > len(f) + 1:
            return f, name[len(f) + 1:]
    return "", name


def unit_key(name: str, unit_type: str | None = None) -> str:
    """The key units are matched on: the expanded name (:func:`expand_unit_prefix`), casefolded, NFC.

    Diacritics are kept (they tell units apart); case is not: "HUYỆN VĨNH LINH", "Huyện Vĩnh
    Linh" and "H. Vĩnh Linh" have one key.
    """
    return unicodedata.normalize("NFC", expand_unit_prefix(name, unit_type).casefold())


def is_properly_cased(name: str) -> bool:
    """Whether a name mixes upper and lower case letters (not "HUYỆN VĨNH LINH" nor "huyện vĩnh linh")."""
    letters = [c for c in name if c.isalpha()]
    return any(c.isupper() for c in letters) and any(c.islower() for c in letters)


def strip_diacritics(s: str) -> str:
    """Remove every combining mark (and map đ/Đ to d/D): "Tổng điểm" → "Tong diem"."""
    s = unicodedata.normalize("NFD", s).replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


#: How users write the nation as a "province" (``--province``): the national table's name
#: "Việt Nam" (:data:`parbrief.data.validate.NATIONAL`), without accents, in one word, or
#: "toàn quốc" / "cả nước"; compared without case, accents or spaces.
_NATIONAL_KEYS = frozenset({"vietnam", "toanquoc", "canuoc"})


def is_national_name(name: Any) -> bool:
    """True when ``name`` means the nation: "Việt Nam", "Viet Nam", "Vietnam", "VIỆT NAM",
    "Toàn quốc", "Cả nước" (the national table's rows, whose units are the provinces)."""
    key = re.sub(r"[^a-z]", "", strip_diacritics(normalize_name(name)).casefold())
    return key in _NATIONAL_KEYS


def header_key(s: Any) -> str:
    """Key for matching a column header: case, spacing, punctuation and diacritics do not matter.

    Headers are typed by hand in many ways ("Tổng điểm", "TONG DIEM", "tong_diem", "Tổng  điểm:"),
    so they match on letters and digits only, casefolded and without diacritics. Unit *names* are
    not matched this way (diacritics tell units apart there); they go through
    :func:`normalize_name` only.
    """
    text = strip_diacritics(normalize_name(s)).casefold()
    return "".join(c for c in text if c.isalnum())


def _name_map(raw: Any, where: str, source: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ParamsError.keyed("config.error.name_map", source=source, where=where)
    out: dict[str, str] = {}
    for old, new in raw.items():
        if not isinstance(old, str) or not isinstance(new, str) or not new.strip():
            raise ParamsError.keyed("config.error.name_entry", source=source, where=where, old=repr(old),
                                    new=repr(new))
        out[normalize_name(old)] = normalize_name(new)
    return out


def load_aliases(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """Read unit and province renames from a params YAML file.

    Keys used: ``aliases: {<province or "*">: {<old unit name>: <new unit name>}}`` (``"*"``:
    in every province) and ``province_aliases: {<old>: <new>}``. The result maps each province
    (or ``"*"``) to its unit renames, plus :data:`PROVINCE_ALIASES_KEY` to the province renames;
    every name is normalized with :func:`normalize_name`. Other keys of the file are ignored, so
    the aliases can live in ``params/defaults.yaml``.
    """
    p = Path(path)
    raw = read_yaml_mapping(p, what="aliases", expected="aliases")
    result: dict[str, dict[str, str]] = {}
    units = raw.get("aliases") or {}
    if not isinstance(units, Mapping):
        raise ParamsError.keyed("config.error.aliases_mapping", path=p)
    for prov, mapping in units.items():
        key = ALL_PROVINCES if str(prov).strip() == ALL_PROVINCES else normalize_name(str(prov))
        result.setdefault(key, {}).update(_name_map(mapping, f"aliases.{prov}", str(p)))
    provinces = _name_map(raw.get("province_aliases"), "province_aliases", str(p))
    if provinces:
        result[PROVINCE_ALIASES_KEY] = provinces
    return result


def apply_aliases(frame: pd.DataFrame, aliases: Mapping[str, Mapping[str, str]] | None) -> pd.DataFrame:
    """Rename provinces, then units, in a frame with ``province`` and ``unit`` columns.

    Matching is on :func:`normalize_name` and ignores case. Province renames apply first; unit
    renames are looked up under the (renamed) province, then under ``"*"``. Returns a new frame;
    names are not chained (an alias target is not renamed again).
    """
    if not aliases:
        return frame
    out = frame.copy()

    def _fold(m: Mapping[str, str]) -> dict[str, str]:
        return {normalize_name(k).casefold(): normalize_name(v) for k, v in m.items()}

    provs = _fold(aliases.get(PROVINCE_ALIASES_KEY, {}))
    if provs and "province" in out.columns:
        out["province"] = [
            provs.get(normalize_name(v).casefold(), v) if isinstance(v, str) else v for v in out["province"]
        ]
    if "unit" in out.columns:
        star = _fold(aliases.get(ALL_PROVINCES, {}))
        per = {
            normalize_name(k).casefold(): _fold(v)
            for k, v in aliases.items()
            if k not in (ALL_PROVINCES, PROVINCE_ALIASES_KEY)
        }
        provinces = out["province"] if "province" in out.columns else [None] * len(out)
        new_units = []
        for prov, unit in zip(provinces, out["unit"]):
            if not isinstance(unit, str):
                new_units.append(unit)
                continue
            key = normalize_name(unit).casefold()
            local = per.get(normalize_name(prov).casefold(), {}) if isinstance(prov, str) else {}
            new_units.append(local.get(key, star.get(key, unit)))
        out["unit"] = new_units
    return out
