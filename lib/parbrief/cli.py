"""Command line: ``parbrief demo | validate | ingest | render``.

A thin wrapper: each command parses its flags and calls one library function; errors the user
can fix (bad files, bad params) are printed without a traceback and give exit code 1, or 2 for
usage errors (a bad option or params file, as argparse does; :data:`parbrief.errors.USAGE_KEYS`).
Anything else that goes wrong is one short message naming the command (an OS error names its
file); ``--debug`` prints the Python traceback as well.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Any, Sequence

from parbrief.errors import DataValidationError, ParbriefError
from parbrief.text.messages import t

__all__ = ["main", "build_parser"]


def _add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help=t("cli.help.lang", "en"))


def _add_debug(p: argparse.ArgumentParser) -> None:
    """``--debug`` (every command): print the Python traceback of an error too."""
    p.add_argument("--debug", action="store_true", help=t("integrity.help.debug", "en"))


#: How each ``render`` option is read (type, action); name, help and default come from the model.
_RENDER_ARGS: dict[str, dict[str, Any]] = {
    "year": {"type": int},
    "province": {"action": "append"},
    "lang": {"choices": ["vi", "en"]},
    "alpha": {"type": float},
    "min_years": {"type": int},
    "adjust": {"choices": ["holm", "bh"]},
    "band_scheme": {},
    "national_band_scheme": {},
    "prepared_by": {},
    "data": {"type": Path},
    "spec": {"type": Path},
    "params": {"type": Path},
    "workers": {"type": int},
    "out": {"type": Path},
    "force": {"action": "store_true"},
    "reuse": {"action": "store_true", "dest": "no_reuse"},
    "wait": {"action": "store_true", "dest": "no_wait"},
    "pdf": {"action": "store_true"},
    "analysis": {"action": "store_true"},
}


def _add_render_flags(p: argparse.ArgumentParser) -> None:
    """``parbrief render``'s options, one per parameter of scope ``cli`` in :mod:`parbrief.config`.

    The help is the parameter's one-line doc and its default; a value not typed stays ``None``
    (``False`` for switches) so the params files are not overridden by defaults. ``--out`` has
    its default here, since no params file sets it.
    """
    from parbrief import config

    for name in config.fields_in("cli"):
        how = dict(_RENDER_ARGS[name])
        value = config.default(name)
        shown = {None: "", "": ""}.get(value, value) if not isinstance(value, bool) else None
        text = config.flag_doc(name, "en") + (t("cli.help.default", "en", value=shown) if shown not in (None, "") else "")
        if name == "out":
            how["default"] = Path(value)
        elif how.get("action") != "store_true":
            how["default"] = None
        p.add_argument(config.flag(name), help=text.replace("%", "%%"), **how)


def _share(value: str) -> float:
    """``--max-removed``: a share (0.2) or a percentage (20%) from 0 to 1."""
    text = value.strip().replace(",", ".")
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        share = float("nan")
    if not 0 <= share <= 1:  # NaN fails too
        raise argparse.ArgumentTypeError(t("ingest.help.max_removed_bad", "en", value=value))
    return share


def _backups(value: str) -> int:
    """``--keep-backups``: a whole number, 0 or more."""
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(t("ingest.help.keep_backups_bad", "en", value=value))
    return n


def _add_ingest(sub: Any) -> None:
    """``parbrief ingest``: its options, and the aliases file's format in the help's epilog."""
    from parbrief.data.backup import KEEP
    from parbrief.data.replacement import DEFAULT_MAX_REMOVED

    p = sub.add_parser("ingest", help=t("ingest.help.command", "en"), description=t("ingest.help.command", "en"),
                       epilog=t("ingest.help.epilog", "en"), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", type=Path)
    p.add_argument("--store", type=Path, required=True, help=t("cli.help.store", "en"))
    p.add_argument("--spec", type=Path, default=None, help=t("cli.help.spec", "en"))
    p.add_argument("--sheet", default=None, help=t("cli.help.sheet", "en"))
    p.add_argument("--aliases", type=Path, default=None, help=t("ingest.help.aliases", "en"))
    p.add_argument("--replace", action="store_true", help=t("ingest.help.replace", "en"))
    p.add_argument("--max-removed", type=_share, default=DEFAULT_MAX_REMOVED, metavar="SHARE",
                   help=t("ingest.help.max_removed", "en"))
    p.add_argument("--keep-backups", type=_backups, default=KEEP, metavar="N", help=t("ingest.help.keep_backups", "en"))
    _add_lang(p)
    _add_debug(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parbrief",
        description=t("cli.help.parbrief", "en"),
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help=t("cli.help.demo", "en"))
    p.add_argument("--out", type=Path, default=Path("outputs/demo-data"), help=t("cli.help.demo_out", "en"))
    p.add_argument("--seed", type=int, default=None, help=t("cli.help.seed", "en"))
    p.add_argument("--spec", type=Path, default=None, help=t("cli.help.spec", "en"))
    _add_debug(p)

    p = sub.add_parser("validate", help=t("cli.help.validate", "en"))
    p.add_argument("file", type=Path)
    p.add_argument("--spec", type=Path, default=None, help=t("cli.help.spec", "en"))
    p.add_argument("--sheet", default=None, help=t("cli.help.sheet", "en"))
    p.add_argument("--aliases", type=Path, default=None, help=t("cli.help.aliases", "en"))
    _add_lang(p)
    _add_debug(p)

    _add_ingest(sub)

    p = sub.add_parser("render", help=t("cli.help.render", "en"))
    _add_render_flags(p)
    _add_debug(p)
    return parser


def _cmd_demo(args: argparse.Namespace) -> int:
    from parbrief.data.demo import write_demo

    written = write_demo(args.out, seed=args.seed, spec_path=args.spec)
    for line in written.summary_lines():
        print(line)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from parbrief.data.validate import validate_file

    report = validate_file(args.file, spec_path=args.spec, sheet=args.sheet, aliases_path=args.aliases)
    for problem in report.problems:
        print(problem.format(args.lang))
    print(report.summary(args.lang))
    return 1 if report.errors else 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from parbrief.data.store import ingest_file

    result = ingest_file(
        args.file, args.store, spec_path=args.spec, sheet=args.sheet, aliases_path=args.aliases,
        replace=args.replace, max_removed=args.max_removed, keep_backups=args.keep_backups,
    )
    print(result.summary(args.lang))
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    from parbrief.run.batch import render_from_args

    return render_from_args(args)


_COMMANDS = {"demo": _cmd_demo, "validate": _cmd_validate, "ingest": _cmd_ingest, "render": _cmd_render}


def _unexpected(exc: BaseException, lang: str) -> str:
    """The one-line message of an error parbrief did not foresee: an OS error names its file and
    the reason; anything else its type and text. Both say that ``--debug`` shows where it happened."""
    if isinstance(exc, OSError):
        path = exc.filename if exc.filename is not None else "-"
        return t("integrity.unexpected.os_error", lang, path=path, reason=exc.strerror or str(exc))
    if isinstance(exc, MemoryError):
        return t("integrity.unexpected.memory", lang)
    text = " ".join(str(exc).split())
    text = text if len(text) <= 300 else text[:299] + "…"
    return t("integrity.unexpected.other", lang, error=f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code: 0 done, 1 an error of the data or the machine, 2 a usage
    error, 130 stopped with Ctrl+C. No traceback reaches the user unless ``--debug`` is given."""
    args = build_parser().parse_args(argv)
    lang = getattr(args, "lang", None) or "vi"
    debug = getattr(args, "debug", False)
    try:
        return _COMMANDS[args.command](args)
    except DataValidationError as exc:
        if debug:
            traceback.print_exc(file=sys.stderr)
        for problem in exc.problems:
            print(problem.format(lang), file=sys.stderr)
        print(t("data_problem.nothing_written", lang, n=len(exc.errors)), file=sys.stderr)
        return exc.exit_code
    except ParbriefError as exc:
        if debug:
            traceback.print_exc(file=sys.stderr)
        print(f"parbrief {args.command}: {exc.message(lang)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl+C (e.g. while waiting for another render's folder): no traceback
        print(f"parbrief {args.command}: {t('lock.interrupted', lang)}", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug or an unforeseen failure: one line, the traceback with --debug
        if debug:
            traceback.print_exc(file=sys.stderr)
        print(f"parbrief {args.command}: {_unexpected(exc, lang)}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
