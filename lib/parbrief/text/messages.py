"""Every sentence parbrief shows, read from the locale files (``text/locales``), in ``vi`` or ``en``.

``<lang>.yaml`` holds the brief's strings; ``<lang>/<topic>.yaml`` one topic each (data errors,
spec errors, statistics notes …). Keys are dotted (``heading.trends``); :func:`t` fills ``{name}``
placeholders. Vietnamese is the default language of every message a user reads.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from parbrief.text.formats import LANGS, check_lang

__all__ = ["locale_strings", "t", "has_key"]


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
        _flatten("", yaml.safe_load(f.read_text(encoding="utf-8")) or {}, part)
        for key in part:
            if key in flat:
                raise KeyError(f"locale key {key!r} is defined in both {origin[key]} and {f.name}")
            origin[key] = f.name
        flat.update(part)
    return MappingProxyType(flat)


def t(key: str, lang: str, **kwargs: Any) -> str:
    """The fixed string ``key`` (dotted, e.g. ``"heading.trends"``) in ``lang``, with ``{name}`` filled.

    Values are inserted with ``str.format``; braces inside the *values* (a hostile unit name) are
    not interpreted. A missing key raises ``KeyError`` naming the key and the locale file.
    """
    strings = locale_strings(lang)
    try:
        template = strings[key]
    except KeyError:
        raise KeyError(f"no string {key!r} in locales/{lang}.yaml") from None
    return template.format(**kwargs) if kwargs else template


def has_key(key: str, lang: str) -> bool:
    """Whether the locale of ``lang`` defines ``key``."""
    return key in locale_strings(lang)
