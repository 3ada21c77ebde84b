"""Recognize Vietnamese text written in a legacy encoding, so it is refused instead of ingested garbled.

Before Unicode (and in many offices long after), Vietnamese was typed with 8-bit font encodings:
**TCVN3 (ABC)** (fonts ``.VnTime``, ``.VnArial``…), **VNI-Windows** (fonts ``VNI-Times``…) and
Microsoft's **Windows-1258**. A file saved from such a worksheet reads, as Unicode, like
``Qu¶ng TrÞ`` (TCVN3), ``Quaûng Trò`` (VNI) or, after a UTF-8 file was opened as Windows-1252 and
saved again, ``Quáº£ng Trá»‹``. parbrief never guesses its way through that text: it detects
which encoding the text looks like and refuses the file with a message that names it (see
:mod:`parbrief.data.read`).

Hand-written on purpose: Python ships a ``cp1258`` codec but none for TCVN3 or VNI, and the
general charset detectors (``charset-normalizer``, ``chardet``) know neither and cannot tell a
Vietnamese legacy font from Latin-1 text. Detection works on *syllables*: a token counts as
legacy evidence only when it is not a well-formed Vietnamese syllable as written but becomes one
once decoded from the candidate encoding, so real Unicode text (even "Đắk Lắk", "M'Drắk") never
counts against itself. The TCVN3 table below is TCVN 5712:1993 VN3 (the lowercase ABC fonts;
checked against glibc's ``TCVN5712-1`` converter); VNI-Windows is decoded as base letter + mark
byte(s), per the VNI-Windows code table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

__all__ = [
    "LEGACY_ENCODINGS",
    "LegacyGuess",
    "LEGACY_DECODERS",
    "decode_tcvn3",
    "decode_vni",
    "decode_double_utf8",
    "is_vietnamese_syllable",
    "guess_legacy",
    "guess_legacy_bytes",
]

#: Encoding code → (name shown to users, fonts/where it comes from, vi; en).
LEGACY_ENCODINGS: dict[str, tuple[str, str, str]] = {
    "tcvn3": ("TCVN3 (ABC)", "phông .VnTime, .VnArial…", ".VnTime, .VnArial… fonts"),
    "vni": ("VNI-Windows", "phông VNI-Times, VNI-Helve…", "VNI-Times, VNI-Helve… fonts"),
    "cp1258": ("Windows-1258 (cp1258)", "bảng mã tiếng Việt cũ của Windows", "Windows' legacy Vietnamese code page"),
    "double_utf8": (
        "UTF-8 bị đọc nhầm thành Windows-1252",
        "tệp UTF-8 đã được mở bằng bảng mã Windows-1252 rồi lưu lại",
        "a UTF-8 file opened as Windows-1252 and saved again",
    ),
}

# TCVN3 (VN3) bytes 0xA1–0xFF → Unicode; "\0" marks a byte the ABC fonts leave unused (VN1's
# uppercase slots, the combining marks), which is left as it is.
_TCVN3_HIGH = (
    "ĂÂÊÔƠƯĐăâêôơưđ\0"  # A1–AF
    "\0\0\0\0\0àảãáạ\0ằẳẵắ\0"  # B0–BF
    "\0\0\0\0\0\0ặầẩẫấậè\0ẻẽ"  # C0–CF
    "éẹềểễếệìỉ\0\0\0ĩíịò"  # D0–DF
    "\0ỏõóọồổỗốộờởỡớợù"  # E0–EF
    "\0ủũúụừửữứựỳỷỹýỵ\0"  # F0–FF
)
_TCVN3 = {chr(0xA1 + i): ch for i, ch in enumerate(_TCVN3_HIGH) if ch != "\0"}
_TCVN3_TABLE = str.maketrans(_TCVN3)

# VNI-Windows: a vowel followed by a mark byte (shown as a Windows-1252 character).
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_VNI_CIRC = {"â": _CIRC, "á": _CIRC + _ACUTE, "à": _CIRC + _GRAVE, "å": _CIRC + _HOOK, "ã": _CIRC + _TILDE,
             "ä": _CIRC + _DOT}  # after a, e, o
_VNI_BREVE = {"ê": _BREVE, "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE, "ú": _BREVE + _HOOK, "ü": _BREVE + _TILDE,
              "ë": _BREVE + _DOT}  # after a
_VNI_TONE = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}  # after any vowel
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
_TONE_MARKS = frozenset((_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT))

# Vietnamese syllable: onset, vowel nucleus (tone marks removed), coda. A nucleus ending in a
# semivowel (ai, ao, iêu…) takes no coda; ă, â, iê, uô, ươ… need one. Lenient elsewhere (it accepts
# a few syllables no one writes) but it rejects what legacy bytes turn into: "hueá", "quaûng", "beỏn".
_ONSETS = "ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnprstvx]"
_OPEN_ONLY = "ai ao au ay âu ây eo êu ia iu oi ôi ơi ui ưi ưu ưa ua iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyu"
_CODA_NEEDED = "ă â iê yê uô ươ uyê oă uâ"
_CODA_FREE = "a e ê i o ô ơ u ư y oa oe uê uy oo uơ"


def _alternation(words: str) -> str:
    return "|".join(sorted(words.split(), key=len, reverse=True))


_CODAS = "ng|[cmnpt]"
_PALATAL = "a ê i y oa uy uê"  # the only nuclei before -ch and -nh ("ách", "ếch", "ính", "oanh", "huých")
_SYLLABLE = re.compile(
    f"(?:{_ONSETS})?(?:(?:{_alternation(_OPEN_ONLY)})|(?:{_alternation(_CODA_NEEDED)})(?:{_CODAS})"
    f"|(?:{_alternation(_PALATAL)})(?:ch|nh)|(?:{_alternation(_CODA_FREE)})(?:{_CODAS})?)"
)
# Tokens: runs of letters and non-ASCII characters (TCVN3 letters include "¸", "·", "¶", which
# Unicode calls punctuation or symbols, so only ASCII punctuation, digits and spaces split).
_TOKEN = re.compile(r"[^\s\x00-\x40\x5b-\x60\x7b-\x7f]+")


def decode_tcvn3(text: str) -> str:
    """Read text typed in a TCVN3 (ABC) font as the Vietnamese it shows: ``"Qu¶ng TrÞ"`` → ``"Quảng Trị"``."""
    return text.translate(_TCVN3_TABLE)


def _is_vowel(ch: str) -> bool:
    return bool(ch) and unicodedata.normalize("NFD", ch)[0].lower() in "aeiouy"


def decode_vni(text: str) -> str:
    """Read text typed in a VNI-Windows font as the Vietnamese it shows: ``"Quaûng Trò"`` → ``"Quảng Trị"``."""
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        prev = out[-1] if out else ""
        prev_parts = unicodedata.normalize("NFD", prev)
        bare = len(prev_parts) == 1  # a letter without any mark yet
        toned = any(c in _TONE_MARKS for c in prev_parts)
        if low in _VNI_CIRC and bare and prev.lower() in "aeo":
            out[-1] = prev + _VNI_CIRC[low]
        elif low in _VNI_BREVE and bare and prev.lower() == "a":
            out[-1] = prev + _VNI_BREVE[low]
        elif low in _VNI_TONE and _is_vowel(prev) and not toned:
            out[-1] = prev + _VNI_TONE[low]
        elif low in _VNI_SINGLE:
            rep = _VNI_SINGLE[low]
            out.append(rep.upper() if ch.isupper() else rep)
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def decode_double_utf8(text: str) -> str | None:
    """Undo "UTF-8 read as Windows-1252": ``"Tá»•ng"`` → ``"Tổng"``; ``None`` when it does not apply."""
    raw = bytearray()
    for ch in text:
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) < 256:  # an undefined Windows-1252 byte kept as a C1 control character
                raw.append(ord(ch))
            else:
                return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def is_vietnamese_syllable(token: str) -> bool:
    """True when ``token`` is one well-formed Vietnamese syllable (any case, NFC or NFD, at most one tone)."""
    parts = unicodedata.normalize("NFD", token.lower())
    tones = [c for c in parts if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
    return bool(_SYLLABLE.fullmatch(base))


@dataclass(frozen=True)
class LegacyGuess:
    """What a sample of text looks like: ``encoding`` is a key of :data:`LEGACY_ENCODINGS` or ``None``.

    ``evidence`` counts the tokens that decode to Vietnamese syllables from ``encoding`` (and are not
    syllables as written), ``unicode_ok`` the non-ASCII tokens that already are; ``example`` is
    one (as written, decoded) pair of words for the message.
    """

    encoding: str | None
    evidence: int = 0
    unicode_ok: int = 0
    example: tuple[str, str] | None = None


#: Encoding code → function reading text typed in it (cp1258 is a byte codec: see guess_legacy_bytes).
LEGACY_DECODERS = {
    "tcvn3": decode_tcvn3,
    "vni": decode_vni,
    "double_utf8": lambda text: decode_double_utf8(text) or text,
}


def _example(text: str, token: str, dec) -> tuple[str, str]:
    """The cell (or field of a line) holding ``token``, as written and decoded, for a message."""
    field = next((f for f in re.split(r"[,;\t|\r\n]", text) if token in f), token).strip()
    if len(field) > 40:
        field = token
    return field, dec(field) or token


def _normal_case(token: str) -> bool:
    """Vietnamese words are written lower, Capitalized or ALL CAPS; legacy bytes read as Latin-1 often are not
    ("HuyÖn", "BÕn": a capital in the middle of a word)."""
    return token.islower() or token.isupper() or (token[:1].isupper() and (len(token) == 1 or token[1:].islower()))


def _plausible(token: str) -> bool:
    return _normal_case(token) and is_vietnamese_syllable(token)


def _score(texts: Iterable[str], limit: int) -> tuple[int, dict[str, int], dict[str, tuple[str, str]]]:
    """Count tokens that are Vietnamese as written, and per encoding those that only become Vietnamese once decoded.

    A token that reads as Vietnamese both ways ("Lé", TCVN3 for "Lộ") counts for neither side.
    """
    decoders = LEGACY_DECODERS
    ok = 0
    evidence = dict.fromkeys(decoders, 0)
    examples: dict[str, tuple[str, str]] = {}
    seen = 0
    for text in texts:
        if not isinstance(text, str) or text.isascii():
            continue
        for token in _TOKEN.findall(text):
            if token.isascii():
                continue
            seen += 1
            raw_ok = _plausible(token)
            decodes = {}
            for enc, dec in decoders.items():
                decoded = dec(token)  # type: ignore[operator]
                if decoded and decoded != token and all(_plausible(w) for w in decoded.split()):
                    decodes[enc] = dec
            if raw_ok and not decodes:
                ok += 1
            elif not raw_ok:
                for enc, dec in decodes.items():
                    evidence[enc] += 1
                    if enc not in examples:
                        examples[enc] = _example(text, token, dec)
            if seen >= limit:
                return ok, evidence, examples
    return ok, evidence, examples


def guess_legacy(texts: Iterable[str], limit: int = 4000, min_evidence: int = 1) -> LegacyGuess:
    """Does this Unicode text look like Vietnamese typed in a legacy font encoding?

    Looks at up to ``limit`` non-ASCII tokens. The answer names an encoding when at least
    ``min_evidence`` tokens decode from it into Vietnamese syllables and they are at least as many
    as the tokens already well-formed Vietnamese (a name like "Quaûng Bình" has one of each: legacy
    text leaves some words intact); otherwise ``encoding`` is ``None``.
    """
    ok, evidence, examples = _score(texts, limit)
    enc = max(evidence, key=lambda k: evidence[k])
    n = evidence[enc]
    if n >= min_evidence and n >= ok:
        return LegacyGuess(enc, n, ok, examples.get(enc))
    return LegacyGuess(None, n, ok)


def guess_legacy_bytes(data: bytes, limit: int = 4000) -> LegacyGuess:
    """Which legacy encoding do these (non-UTF-8) bytes look like: Windows-1258, TCVN3 or VNI?

    Windows-1258 is tried with Python's ``cp1258`` codec (its separate tone marks put in NFC);
    TCVN3 and VNI through :func:`guess_legacy` on the bytes read as Windows-1252. The encoding
    whose decoding yields the most Vietnamese syllables wins; ``None`` when none yields any.
    """
    as_1252 = data.decode("cp1252", errors="replace")
    legacy = guess_legacy([as_1252], limit=limit)
    text_1258 = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    ok_1258 = sum(
        1 for t in _TOKEN.findall(text_1258)[: limit * 4] if not t.isascii() and is_vietnamese_syllable(t)
    )
    if ok_1258 > legacy.evidence and ok_1258 > 0:
        example = None
        for word in re.split(rb"[\s,;|\"]+", data[: 1 << 16]):
            if not word.isascii():
                example = (word.decode("cp1252", errors="replace"),
                           unicodedata.normalize("NFC", word.decode("cp1258", errors="replace")))
                break
        return LegacyGuess("cp1258", ok_1258, 0, example)
    if legacy.encoding in ("tcvn3", "vni"):
        return legacy
    return LegacyGuess(None, 0, 0)
