"""Every sentence a user sees lives in the locale files (``lib/parbrief/text/locales``).

An AST scan of ``lib/parbrief`` (``text/`` excepted) keeps the rule true: errors of the
``ParbriefError`` family are raised from a message key (``SpecError.keyed("spec.error.…")``,
``ConfigError("config.error.…")``) or a variable, never from a literal sentence; ``print`` and
the render's ``log`` print no literal sentence, nor does the command line's help (``help=``,
``description=``, ``epilog=``); a :class:`~parbrief.errors.Problem` is built from a key
(``Problem.keyed``); and every literal message key the code names exists in both languages.
A small whitelist below names each exception and why it is one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from parbrief.text.messages import locale_strings

LIB = Path(__file__).resolve().parents[2] / "lib" / "parbrief"

#: A sentence: two words of letters in a row, "PDF(s) in" too (a key such as "spec.error.not_found" has none).
_PROSE = re.compile(r"[^\W\d_]{2,}\S*[ \t]+[^\W\d_]{2,}")
#: The name of a command ("parbrief render: …" prefixes a console line): a name, not a sentence.
_COMMAND = re.compile(r"\bparbrief (demo|validate|ingest|render)\b")
#: A message key: dotted lower-case identifiers.
_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
#: Functions whose first argument is a message key.
_KEY_FUNCS = {"t", "texts", "Msg", "fill", "message", "has_key"}
#: Printing functions.
_PRINTS = {"print", "log"}

#: (file relative to lib/parbrief, function) → why a literal sentence may stay there.
WHITELIST: dict[tuple[str, str], str] = {
}


def _modules(root: Path) -> list[tuple[str, ast.Module]]:
    out = []
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root).as_posix()
        if rel.startswith("text/"):
            continue
        out.append((rel, ast.parse(f.read_text(encoding="utf-8"), filename=str(f))))
    return out


def _error_family(modules: list[tuple[str, ast.Module]]) -> set[str]:
    """``ParbriefError`` and every class of the package deriving from it (by name, to a fixpoint)."""
    family = {"ParbriefError"}
    classes = [node for _, tree in modules for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases}
            if cls.name not in family and bases & family:
                family.add(cls.name)
                grew = True
    return family


def _literal_text(node: ast.AST) -> str | None:
    """The literal text of a string constant or the constant parts of an f-string, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp):
        parts = [_literal_text(node.left), _literal_text(node.right)]
        return " ".join(p for p in parts if p) or None
    return None


def _is_prose(node: ast.AST) -> bool:
    text = _literal_text(node)
    return bool(text and _PROSE.search(_COMMAND.sub("", text)))


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _owner(func: ast.AST) -> str:
    """``SpecError`` of ``SpecError.keyed``; the called name otherwise."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return _name(func)


def _functions(tree: ast.Module) -> dict[int, str]:
    """Line → name of the innermost function around it."""
    where: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                where[line] = node.name  # inner functions come later in the walk and win
    return where


def _findings(root: Path = LIB) -> tuple[list[str], list[str]]:
    """(literal sentences outside the locales, message keys that do not exist) of the modules under ``root``."""
    modules = _modules(root)
    family = _error_family(_modules(LIB) + modules)
    vi, en = locale_strings("vi"), locale_strings("en")
    prose: list[str] = []
    missing: list[str] = []
    for rel, tree in modules:
        funcs = _functions(tree)

        def flag(node: ast.AST, what: str) -> None:
            if (rel, funcs.get(node.lineno, "")) not in WHITELIST:
                prose.append(f"{rel}:{node.lineno} {what}")

        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
                if _owner(call.func) in family:
                    for arg in [*call.args, *(k.value for k in call.keywords)]:
                        if _is_prose(arg):
                            flag(node, f"raise {_owner(call.func)} with a literal sentence")
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name in _PRINTS and any(_is_prose(a) for a in node.args):
                flag(node, f"{name}() of a literal sentence")
            if any(k.arg in ("help", "description", "epilog") and _is_prose(k.value) for k in node.keywords):
                flag(node, f"{name}() with a literal help text")
            if name == "Problem" and any(_is_prose(a) for a in [*node.args, *(k.value for k in node.keywords)]):
                flag(node, "Problem(...) with a literal message (use Problem.keyed)")
            key_arg = None
            if name in _KEY_FUNCS and node.args:
                key_arg = node.args[0]
            elif name == "keyed" and _owner(node.func) != "Problem" and node.args:
                key_arg = node.args[0]
            elif name == "keyed" and len(node.args) >= 5:  # Problem.keyed(file, row, column, kind, key)
                key_arg = node.args[4]
            elif _owner(node.func) in family and name != "keyed" and node.args:
                key_arg = node.args[0]  # ConfigError("config.error.…")
            if isinstance(key_arg, ast.Constant) and isinstance(key_arg.value, str) and _KEY.match(key_arg.value):
                for lang, strings in (("vi", vi), ("en", en)):
                    k = key_arg.value
                    if k not in strings and not any(s.startswith(k + ".") for s in strings):
                        missing.append(f"{rel}:{node.lineno} {k!r} not in the {lang} locale")
    return prose, missing


def test_no_user_facing_sentence_outside_the_locale_files():
    prose, _ = _findings()
    assert prose == [], "\n".join(prose)


def test_every_message_key_named_in_the_code_exists_in_both_languages():
    _, missing = _findings()
    assert missing == [], "\n".join(missing)


def test_the_scan_sees_a_literal_sentence_and_a_missing_key(tmp_path):
    """The scan is not vacuous: a raise with a sentence, a printed sentence, a literal problem and
    an unknown key are all caught, and a key or a variable is not."""
    (tmp_path / "bad.py").write_text(
        "from parbrief.errors import ConfigError, Problem, SpecError\n"
        "def f(n):\n"
        "    raise SpecError(f'{n}: the spec is broken')\n"
        "def g():\n"
        "    raise SpecError.keyed('spec.error.no_such_key')\n"
        "def h(n, msg):\n"
        "    print(f'wrote {n} files')\n"
        "    p = Problem('f', None, None, 'kind', 'Sai rồi', 'Wrong cell')\n"
        "    print(msg)\n"
        "    raise ConfigError('config.error.no_data')\n"
        "def k(p):\n"
        "    p.add_argument('--out', help='folder for the files')\n",
        encoding="utf-8",
    )
    prose, missing = _findings(tmp_path)
    assert prose == ["bad.py:3 raise SpecError with a literal sentence", "bad.py:7 print() of a literal sentence",
                     "bad.py:8 Problem(...) with a literal message (use Problem.keyed)",
                     "bad.py:12 add_argument() with a literal help text"]
    assert missing == ["bad.py:5 'spec.error.no_such_key' not in the vi locale",
                       "bad.py:5 'spec.error.no_such_key' not in the en locale"]


def test_english_locale_is_plural_safe():
    """No "year(s)" in English: counts pick their words with ``{n|year|years}``."""
    offenders = {k: v for k, v in locale_strings("en").items() if re.search(r"\w\(s\)|\w\(es\)", v)}
    assert offenders == {}


def test_whitelist_entries_still_exist_and_say_why():
    for (rel, func), reason in WHITELIST.items():
        tree = ast.parse((LIB / rel).read_text(encoding="utf-8"))
        assert func in {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        assert len(reason.split()) >= 4, (rel, func)
