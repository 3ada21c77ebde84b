"""Every sentence parbrief shows, read from the locale files (``text/locales``), in ``vi`` or ``en``.

``<lang>.yaml`` holds the brief's strings; ``<lang>/<topic>.yaml`` one topic each (data errors,
spec errors, statistics notes …). Keys are dotted (``heading.trends``); :func:`t` fills ``{name}``
placeholders. Vietnamese is the default language of every message a user reads.

**Plurals.** A template picks a word by a count with ``{name|singular|plural}``: English
``"{n} {n|year|years} of data"`` reads "1 year of data", "3 years of data" (the count is one when
it is the number 1 or the text "1"). Vietnamese does not inflect, so its templates never need it.
Where the whole sentence differs, a key has ``one`` and ``other`` sub-keys and :func:`t_count`
picks one. No English template writes "year(s)"; a test keeps it so.

**Values per language.** A placeholder value may itself differ by language: :class:`Msg` (another
message, e.g. a reason inside an error) and :class:`PerLang` (a name the spec gives in both
languages) are resolved for the language being written; :func:`texts` gives a message in every
language at once (what an error or a data problem carries).
"""

from __future__ import annotations

import numbers
import re
import string
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from parbrief.text.formats import LANGS, check_lang

#: libyaml's safe loader when PyYAML was built with it (the locale files load ≈ 5× faster), else
#: the pure-Python one: the same YAML either way.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["Joined", "Localized", "Msg", "PerLang", "fill", "has_key", "locale_strings", "t", "t_count", "texts"]


def _flatten(prefix: str, node: Any, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = str(node)


@lru_cache(maxsize=len(LANGS))
def locale_strings(lang: str) -> Mapping[str, str]:
    """All fixed strings of a language as a read-only mapping of dotted keys (``heading.trends``).

    Read once per process (cached) from the package's ``text/locales/<lang>.yaml`` and every
    ``text/locales/<lang>/*.yaml`` (one file per topic, in name order). A key defined twice is an
    error naming both files, so no topic file silently overrides another.
    """
    check_lang(lang)
    root = resources.files("parbrief.text").joinpath("locales")
    files = [root.joinpath(f"{lang}.yaml")]
    topic_dir = root.joinpath(lang)
    if topic_dir.is_dir():
        files += sorted((f for f in topic_dir.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    flat: dict[str, str] = {}
    origin: dict[str, str] = {}
    for f in files:
        part: dict[str, str] = {}
        _flatten("", yaml.load(f.read_text(encoding="utf-8"), Loader=_LOADER) or {}, part)
        for key in part:
            if key in flat:
                raise KeyError(f"locale key {key!r} is defined in both {origin[key]} and {f.name}")
            origin[key] = f.name
        flat.update(part)
    return MappingProxyType(flat)


class Localized:
    """A placeholder value that reads differently in each language (see :class:`Msg`, :class:`PerLang`)."""

    def text(self, lang: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class Msg(Localized):
    """A message by key and values, written in whichever language it is asked for.

    Used where a message is decided before its language is known: an error's reason, one line
    of a list of problems, a part of a longer message (``Msg("spec.error.year_required")``).
    """

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: Any) -> None:
        self.key = key
        self.values = values

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.values)

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, **{self.values!r})"


class PerLang(Localized):
    """A value given in each language by the data itself (a component's ``name_vi`` / ``name_en``)."""

    __slots__ = ("vi", "en")

    def __init__(self, vi: Any, en: Any) -> None:
        self.vi = vi
        self.en = en

    def text(self, lang: str) -> str:
        return str(self.vi if lang == "vi" else self.en)

    def __repr__(self) -> str:
        return f"PerLang({self.vi!r}, {self.en!r})"


class Joined(Localized):
    """Several values (messages, names) joined with ``sep``, each written in the language asked for."""

    __slots__ = ("items", "sep")

    def __init__(self, items: Any, sep: str = ", ") -> None:
        self.items = tuple(items)
        self.sep = sep

    def text(self, lang: str) -> str:
        return self.sep.join(i.text(lang) if isinstance(i, Localized) else str(i) for i in self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"Joined({self.items!r}, {self.sep!r})"


_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def _is_one(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Number):
        return value == 1
    return str(value).strip() == "1"


def _plurals(template: str, values: Mapping[str, Any]) -> str:
    """Resolve every ``{name|singular|plural}`` of ``template`` by the count ``values[name]``."""
    if "|" not in template:
        return template
    return _PLURAL.sub(lambda m: m.group(2) if _is_one(values.get(m.group(1))) else m.group(3), template)


def _resolve(values: Mapping[str, Any], lang: str) -> dict[str, Any]:
    return {k: (v.text(lang) if isinstance(v, Localized) else v) for k, v in values.items()}


def _template(key: str, lang: str) -> str:
    try:
        return locale_strings(lang)[key]
    except KeyError:
        raise KeyError(f"no string {key!r} in locales/{lang}.yaml or locales/{lang}/*.yaml") from None


def t(key: str, lang: str, /, **kwargs: Any) -> str:
    """The fixed string ``key`` (dotted, e.g. ``"heading.trends"``) in ``lang``, with ``{name}`` filled.

    Values are inserted with ``str.format``; braces inside the *values* (a hostile unit name) are
    not interpreted. :class:`Localized` values are written in ``lang``; ``{n|singular|plural}``
    picks a word by the count ``n``. A missing key raises ``KeyError`` naming the key.
    """
    template = _template(key, lang)
    if not kwargs:
        return _plurals(template, {})
    values = _resolve(kwargs, lang)
    return _plurals(template, values).format(**values)


def t_count(key: str, lang: str, n: int, /, **kwargs: Any) -> str:
    """The sub-key ``one`` (when ``n`` is 1) or ``other`` of ``key``, with ``{n}`` filled (formatted
    by the caller when given in ``kwargs``), for sentences whose singular and plural differ whole."""
    values = {"n": n, **kwargs}
    return t(f"{key}.{'one' if n == 1 else 'other'}", lang, **values)


class _Dash(dict):
    """Format mapping that prints a missing field as "–" instead of raising."""

    def __missing__(self, key: str) -> str:
        return "\u2013"


def fill(key: str, lang: str, values: Mapping[str, Any], /) -> str:
    """Like :func:`t`, but a placeholder without a value prints "–" instead of raising (texts of
    result codes, whose detail may lack a field in an edge case)."""
    resolved = _resolve(values, lang)
    template = _plurals(_template(key, lang), resolved)
    return string.Formatter().vformat(template, (), _Dash(resolved))


def texts(key: str, /, **values: Any) -> dict[str, str]:
    """The message ``key`` in every language (``{"vi": …, "en": …}``), values filled per language."""
    return {lang: t(key, lang, **values) for lang in LANGS}


def has_key(key: str, lang: str) -> bool:
    """Whether the locale of ``lang`` defines ``key``."""
    return key in locale_strings(lang)
