"""Every run parameter, once: its type, default, bounds and documentation (:class:`RunParameters`).

The params YAML files, the command line of ``parbrief render``, the notebooks' parameters cells
and :func:`parbrief.analysis.brief.build_brief` all take their parameters from this model; the
tests check each of them against it, so a new tunable is one field here (plus its two doc
lines in ``text/locales/<lang>/config.yaml``).

Read a default with :func:`default` (``default("alpha") == 0.05``) or ``RunParameters().alpha``;
the value a notebook shows when opened by hand (the demo) with :func:`notebook_default`.

Each field's ``json_schema_extra`` says where the parameter may be set (:data:`SCOPES`):

- ``brief`` / ``overview``: a parameter of the brief / national overview notebook;
- ``tunable``: may be set in a params file, per province under ``provinces:`` and on the
  command line, and changes the brief;
- ``file``: may be set in a params file (``defaults.yaml``, ``<year>.yaml``);
- ``cli``: an option of ``parbrief render`` (``flag`` gives its spelling when not ``--name``).

Messages are in Vietnamese and English (:class:`ConfigError`), from the locale topic file.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from parbrief.errors import ParamsError

__all__ = [
    "ConfigError",
    "FILE_KEYS",
    "REFUSED_KEYS",
    "RunParameters",
    "SCOPES",
    "TUNABLE_KEYS",
    "check_layer",
    "default",
    "describe",
    "doc",
    "expected",
    "fields_in",
    "flag",
    "message",
    "notebook_default",
]

LANGS = ("vi", "en")
#: Where a parameter may be set (see the module docstring).
SCOPES = ("brief", "overview", "tunable", "file", "cli", "render")
#: Keys a params file may not hold, with the message key that says why.
REFUSED_KEYS: dict[str, str] = {"crosswalks": "config.error.crosswalks"}


def _strings(lang: str) -> Mapping[str, str]:
    """All locale strings of ``lang`` (the ``config.*`` ones live in ``text/locales/<lang>/config.yaml``)."""
    from parbrief.text.messages import locale_strings

    return locale_strings(lang if lang in LANGS else "vi")


def message(key: str, lang: str = "en", /, **values: Any) -> str:
    """The message ``key`` (``config.error.…``) in ``lang`` with ``{name}`` placeholders filled."""
    from parbrief.text.messages import t

    return t(key, lang if lang in LANGS else "vi", **values)


def doc(name: str, lang: str = "en") -> str:
    """One-line documentation of the parameter ``name`` in ``lang``."""
    return _strings(lang)[f"config.doc.{name}"]


def flag_doc(name: str, lang: str = "en") -> str:
    """The help of ``name``'s command-line option: what a switch that turns it off (``--no-reuse``)
    does, else the parameter's :func:`doc`."""
    strings = _strings(lang)
    return strings.get(f"config.flag_doc.{name}") or strings[f"config.doc.{name}"]


def expected(name: str, lang: str = "en") -> str:
    """What a value of ``name`` must be, as a message says it ("a year written as a whole number…")."""
    return _strings(lang)[f"config.expect.{name}"]


class ConfigError(ParamsError):
    """A parameter is unknown or out of bounds; the message in both languages.

    ``str()`` is the English text (logs, tests); :meth:`message` gives the language the user
    asked for, which the command line prints.
    """

    def __init__(self, message_key: str, /, **values: Any) -> None:
        from parbrief.text.messages import Msg, texts

        if "where" in values and values["where"] is None:  # the command line, named per language
            values["where"] = Msg("config.error.where_cli")
        self.message_key = message_key
        self.values = values
        self.texts = texts(message_key, **values)
        super().__init__(self.texts["en"])

    @classmethod
    def keyed(cls, key: str, /, **values: Any) -> "ConfigError":
        """Same as ``ConfigError(key, **values)`` (the constructor already takes a message key)."""
        return cls(key, **values)


def _f(default: Any, *scopes: str, examples: list[Any] | None = None, flag: str | None = None,
       **bounds: Any) -> Any:
    """A field with its documentation (English, from the locale file) and where it may be set."""
    extra: dict[str, Any] = {"scopes": list(scopes)}
    if flag:
        extra["flag"] = flag
    return Field(default, examples=examples, json_schema_extra=extra, **bounds)


class RunParameters(BaseModel):
    """Every run parameter of parbrief, with its default (see the module docstring for scopes).

    Strict: a year is an ``int`` (not ``true``, ``2024.7``, ``"2024"``), ``alpha`` a float, text
    is text. Unknown names are refused (``extra="forbid"``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    province: str | None = _f(None, "brief", "cli", examples=["Quảng Trị"])
    year: int | None = _f(None, "brief", "overview", "file", "cli", examples=[2024], ge=1900, le=2200)
    data: str = _f("", "brief", "overview", "file", "cli")
    survey: str = _f("", "brief")
    spec: str = _f("", "brief", "overview", "file", "cli")
    lang: Literal["vi", "en"] = _f("vi", "brief", "overview", "tunable", "file", "cli")
    alpha: float = _f(0.05, "brief", "tunable", "file", "cli", gt=0.0, lt=0.5)
    min_years: int = _f(5, "brief", "tunable", "file", "cli", ge=3)
    adjust: Literal["holm", "bh"] = _f("holm", "brief", "tunable", "file", "cli")
    #: Empty: the spec's own (``default_scheme``, ``national_scheme``), resolved against the spec in use.
    band_scheme: str = _f("", "brief", "tunable", "file", "cli")
    national_band_scheme: str = _f("", "brief", "overview", "tunable", "file", "cli")
    prepared_by: str = _f("", "brief", "tunable", "file", "cli")
    notes: str = _f("", "brief")
    aliases: str | dict[str, dict[str, str]] = _f({}, "file")
    province_aliases: dict[str, str] = _f({}, "file")
    provinces: dict[str, dict[str, Any]] = _f({}, "file")
    links: dict[str, str] = _f({}, "overview")
    params: str = _f("", "cli")
    out: str = _f("outputs", "cli", "render")
    workers: int | None = _f(None, "cli", "render", ge=1)
    force: bool = _f(False, "cli", "render")
    reuse: bool = _f(True, "cli", "render", flag="--no-reuse")
    wait: bool = _f(True, "cli", "render", flag="--no-wait")
    pdf: bool = _f(False, "cli", "render")
    analysis: bool = _f(False, "cli", "render")
    overview: bool = _f(True, "render")


def _describe() -> None:
    """Put each field's English one-line doc into the model's JSON schema (``description``)."""
    for name, info in RunParameters.model_fields.items():
        info.description = doc(name, "en")
    RunParameters.model_rebuild(force=True)


_describe()


def fields_in(scope: str) -> tuple[str, ...]:
    """Names of the parameters of ``scope`` (one of :data:`SCOPES`), in model order."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; one of {SCOPES}")
    return tuple(n for n, f in RunParameters.model_fields.items()
                 if scope in (f.json_schema_extra or {}).get("scopes", ()))


def default(name: str) -> Any:
    """The default of parameter ``name`` (what a render uses when nobody sets it)."""
    info = RunParameters.model_fields[name]
    return info.get_default(call_default_factory=True)


def notebook_default(name: str) -> Any:
    """The value a notebook's parameters cell holds for ``name``: the default, or, for a
    parameter a render always sets (province, year), the demo example. ``data = ""`` in a notebook
    means the demo store (``parbrief.data.snapshot.resolve_data``), whatever the working folder."""
    info = RunParameters.model_fields[name]
    value = default(name)
    if value is None or (value == "" and info.examples):
        return info.examples[0] if info.examples else value
    return value


def flag(name: str) -> str:
    """The ``parbrief render`` option of parameter ``name`` (``--min-years``, ``--no-reuse``)."""
    extra = RunParameters.model_fields[name].json_schema_extra or {}
    return str(extra.get("flag") or "--" + name.replace("_", "-"))


#: Keys a params file may set for every brief, per province and on the command line.
TUNABLE_KEYS: tuple[str, ...] = fields_in("tunable")
#: Keys a params file may hold (plus :data:`REFUSED_KEYS`, which are named and refused).
FILE_KEYS: tuple[str, ...] = fields_in("file")


def check_layer(values: Mapping[str, Any], where: str | None, allowed: tuple[str, ...],
                province: str | None = None) -> dict[str, Any]:
    """Check one layer of parameters (a params file, one province's overrides, the command line).

    Unknown keys are refused with the list of ``allowed`` keys; refused keys (``crosswalks``)
    with the reason; then every value against the model (type and bounds), the first problem
    raised as :class:`ConfigError` naming ``where`` (a file; ``None``: the command line) and
    the key. Returns the values as given (all valid).
    """
    refused = [k for k in values if k in REFUSED_KEYS]
    if refused:
        raise ConfigError(REFUSED_KEYS[refused[0]], where=where)
    unknown = sorted(str(k) for k in values if k not in allowed)
    if unknown:
        key = "config.error.unknown_override" if province is not None else "config.error.unknown_key"
        raise ConfigError(key, where=where, province=province, keys=", ".join(unknown), n=len(unknown),
                          allowed=", ".join(sorted(allowed)))
    try:
        RunParameters.model_validate(dict(values))
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0])
        where_key = f"provinces.{province}: {key}" if province is not None else key
        raise ConfigError("config.error.bad_value", where=where, key=where_key,
                          expect=_expect(key), value=repr(values[key])) from None
    return dict(values)


def _expect(name: str) -> Any:
    """What a value of ``name`` must be, written per language (``{expect}`` → :func:`expected`)."""
    from parbrief.text.messages import Msg

    return Msg(f"config.expect.{name}")



def describe(lang: str = "en") -> list[str]:
    """One line per parameter: name, default, where it may be set, doc (``python -m parbrief.config``)."""
    lines = []
    for name, info in RunParameters.model_fields.items():
        scopes = ", ".join((info.json_schema_extra or {}).get("scopes", ()))
        lines.append(f"{name} = {default(name)!r}  [{scopes}]  {doc(name, lang)}")
    return lines


if __name__ == "__main__":  # pragma: no cover - a listing for people
    import sys

    print("\n".join(describe(sys.argv[1] if len(sys.argv) > 1 else "en")))
