"""How the briefs speak of the index and its evaluator: the spec's own words (:class:`Voice`).

A provincial police force's brief says "Chỉ số CCHC Công an tỉnh Sóc Trăng năm 2024", lists its
units under "Công an các huyện, thị xã, thành phố" and "Các phòng nghiệp vụ" and ranks itself
"25/63 Công an các tỉnh, thành phố"; the provincial PAR INDEX brief says "Chỉ số CCHC tỉnh Sóc
Trăng", "Huyện, thị xã, thành phố" and "25/63 tỉnh, thành phố". None of these words is in the
locale files: each template has a placeholder (``{index}``, ``{ranked}``, ``{ranked_peers}``) and the
words come from the spec (:func:`parse_voice`, called by :func:`parbrief.spec.parse_spec`), with
today's provincial PAR INDEX words as the defaults. The voice travels with the spec
(``IndexSpec.voice``): no global state.

Spec keys (all optional)::

    short_vi / short_en        the index's name in titles and sentences (default: name_vi / name_en,
                               else "Chỉ số CCHC" / "PAR INDEX")
    evaluator:
      body_vi / body_en        who is evaluated, with {province} (the province as a sentence names it:
                               "tỉnh Sóc Trăng", "thành phố Cần Thơ") and {name} (the bare name)
                               ("Công an {province}"; default: the province itself)
      ranks_vi / ranks_en      what the national table ranks, after a rank ("25/63 tỉnh, thành phố")
      peers_vi / peers_en      the same in a sentence ("so với các tỉnh, thành phố khác")
    unit_types:
      <district|department|commune|province>:
        label_vi / label_en    heading of the unit type (required in an entry)
        units_vi / units_en    the units in a sentence (default: the label)
        group_vi / group_en    one of two compared blocks (default: "khối " + the units / the units)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from parbrief.text.messages import Localized, Msg

__all__ = ["DEFAULT_VOICE", "Term", "UNIT_TYPE_CODES", "UnitTypeVoice", "Voice", "parse_voice"]

#: The unit types of the data model (``unit_type`` column); a spec labels them, it adds none.
UNIT_TYPE_CODES = ("district", "department", "commune", "province")


@dataclass(frozen=True)
class Term(Localized):
    """A word or phrase in both languages; a placeholder value that :func:`~parbrief.text.messages.t`
    writes in the language being written."""

    vi: str
    en: str

    def text(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class UnitTypeVoice:
    """The spec's words for one unit type: heading (``label``), in a sentence (``units``), one of
    two compared blocks (``group``)."""

    code: str
    label: Term
    units: Term
    group: Term


@dataclass(frozen=True)
class Voice:
    """The words a brief uses for its index and evaluator (see the module docstring)."""

    index: Term = Term("Chỉ số CCHC", "PAR INDEX")
    index_long: Term = Term("Chỉ số cải cách hành chính", "Public Administration Reform Index")
    #: Who is evaluated, a template with ``{province}`` and ``{name}``; ``None``: the province itself.
    body: Term | None = None
    ranks: Term = Term("tỉnh, thành phố", "provinces")
    peers: Term = Term("các tỉnh, thành phố", "provinces")
    unit_types: tuple[UnitTypeVoice, ...] = field(default=())

    def words(self) -> dict[str, Term]:
        """The placeholders every template may use: ``index``, ``index_long``, ``ranked``, ``ranked_peers``."""
        return {"index": self.index, "index_long": self.index_long, "ranked": self.ranks, "ranked_peers": self.peers}

    def unit_type(self, code: str) -> UnitTypeVoice | None:
        """The spec's words for unit type ``code``; ``None`` when the spec leaves it to the defaults."""
        for u in self.unit_types:
            if u.code == code:
                return u
        return None

    def body_phrase(self, phrase: str, name: str, lang: str, *, start: bool = False) -> str:
        """The evaluated body in a sentence: ``phrase`` (the province as a sentence names it) put
        into the spec's ``body`` ("Công an tỉnh Sóc Trăng"); ``start``: capitalized."""
        if self.body is None:
            return phrase
        text = self.body.text(lang).replace("{province}", phrase).replace("{name}", name)
        return text[:1].upper() + text[1:] if start else text


#: The provincial PAR INDEX's words (a spec that says nothing of its voice).
DEFAULT_VOICE = Voice()


def _p(key: str, **values: Any) -> Msg:
    return Msg(f"spec.problem.{key}", **values)


def _opt_text(raw: Mapping[str, Any], key: str, where: str, problems: list[Msg]) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(_p("voice_text", where=f"{where}{key}", value=repr(value)))
        return None
    return " ".join(value.split())


def _pair(raw: Mapping[str, Any], stem: str, where: str, problems: list[Msg], default: Term | None) -> Term | None:
    """``<stem>_vi`` / ``<stem>_en`` of ``raw``; one language missing takes the default's (or the other)."""
    vi, en = (_opt_text(raw, f"{stem}_{lang}", where, problems) for lang in ("vi", "en"))
    if vi is None and en is None:
        return default
    fallback = default or Term(vi or en or "", en or vi or "")
    return Term(vi or fallback.vi, en or fallback.en)


def _body(raw: Mapping[str, Any], where: str, problems: list[Msg]) -> Term | None:
    body = _pair(raw, "body", where, problems, None)
    if body is not None:
        for text in (body.vi, body.en):
            if "{province}" not in text and "{name}" not in text:
                problems.append(_p("voice_body", where=f"{where}body_vi / body_en", value=repr(text)))
    return body


def _unit_types(raw: Any, problems: list[Msg]) -> tuple[UnitTypeVoice, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problems.append(_p("voice_unit_types", where="unit_types", codes=", ".join(UNIT_TYPE_CODES)))
        return ()
    out = []
    for code, entry in raw.items():
        where = f"unit_types.{code}."
        if str(code) not in UNIT_TYPE_CODES or not isinstance(entry, dict):
            problems.append(_p("voice_unit_types", where=f"unit_types.{code}", codes=", ".join(UNIT_TYPE_CODES)))
            continue
        label = _pair(entry, "label", where, problems, None)
        if label is None:
            problems.append(_p("text_missing", where=f"{where}label_vi"))
            continue
        units = _pair(entry, "units", where, problems, label)
        group = _pair(entry, "group", where, problems, Term(f"khối {units.vi[:1].lower()}{units.vi[1:]}"
                                                           if units.vi.startswith("Các ") else f"khối {units.vi}",
                                                           units.en))
        out.append(UnitTypeVoice(str(code), label, units, group))  # type: ignore[arg-type]
    return tuple(out)


def parse_voice(raw: Mapping[str, Any], problems: list[Msg]) -> Voice:
    """The :class:`Voice` of a spec mapping; each problem (a key that is not text, a body without
    ``{province}``, an unknown unit type) is added to ``problems`` naming its key."""
    names = _pair(raw, "name", "", [], None)  # the spec's own names: checked by parse_spec
    index = _pair(raw, "short", "", problems, names or DEFAULT_VOICE.index)
    evaluator = raw.get("evaluator")
    if evaluator is None:
        evaluator = {}
    if not isinstance(evaluator, dict):
        problems.append(_p("voice_evaluator", where="evaluator"))
        evaluator = {}
    unknown = sorted(str(k) for k in evaluator if k not in {f"{s}_{lang}" for s in ("body", "ranks", "peers")
                                                             for lang in ("vi", "en")})
    if unknown:
        problems.append(_p("voice_unknown", where="evaluator", keys=", ".join(unknown),
                           allowed="body_vi, body_en, ranks_vi, ranks_en, peers_vi, peers_en"))
    ranks = _pair(evaluator, "ranks", "evaluator.", problems, None)
    peers = _pair(evaluator, "peers", "evaluator.", problems, ranks or DEFAULT_VOICE.peers)
    return Voice(
        index=index or DEFAULT_VOICE.index,
        index_long=names or DEFAULT_VOICE.index_long,
        body=_body(evaluator, "evaluator.", problems),
        ranks=ranks or DEFAULT_VOICE.ranks,
        peers=peers or DEFAULT_VOICE.peers,
        unit_types=_unit_types(raw.get("unit_types"), problems),
    )
