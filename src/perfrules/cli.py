"""The ``perfrules`` command line (also ``python -m perfrules``).

Exit codes: 0 ok; 1 findings at or above ``--fail-on`` (audit); 2 bad input
or usage — with every problem printed and no traceback.
"""

from __future__ import annotations

import argparse
import decimal
import json
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import attrs

from . import __version__, example
from ._auditing import _load_all, chosen_ruleset, load_one
from ._engine import Report, score
from ._messages import (
    DEFAULT_LANG,
    LANGS,
    argparse_message,
    choose_lang,
    error_text,
    problem_text,
    rule_description,
    text,
    warning_text,
)
from ._model import Form
from ._numbers import CONTEXT
from ._registry import Registry, get_registry
from ._timed import TimedOut, call_with_timeout
from .exceptions import InputError, MissingDependencyError, PerfrulesError, PerfrulesWarning
from .io._limits import Limits
from .io._output import OutputError, Outputs, check_target, quiet_finalizers, safe_name
from .io._width import clean, terminal, width

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class _Formatter(argparse.HelpFormatter):
    """Help in the parser's language: ``usage:`` becomes ``用法：`` in Chinese."""

    prefix = "usage: "

    def add_usage(self, usage: Optional[str], actions: Iterable[argparse.Action],
                  groups: Iterable[Any], prefix: Optional[str] = None) -> None:
        super().add_usage(usage, actions, groups, self.prefix if prefix is None else prefix)


class _ZhFormatter(_Formatter):
    prefix = text("usage", "zh")
    _titles = frozenset(text(t, "zh") + ":" for t in ("positionals", "options"))

    def format_help(self) -> str:
        """argparse measures ``用法：`` by its length, not by its width on screen: the
        usage's further lines move right by the difference; headings end in ``：``."""
        lines = super().format_help().split("\n")
        shift = " " * (width(self.prefix) - len(self.prefix))
        i = 1 if lines[0].startswith(self.prefix) else len(lines)
        while i < len(lines) and lines[i].startswith(" "):
            lines[i] = shift + lines[i]
            i += 1
        return "\n".join(ln[:-1] + "：" if ln in self._titles else ln for ln in lines)


class _Parser(argparse.ArgumentParser):
    """An argument parser that speaks ``lang``: help, usage and errors."""

    def __init__(self, *args: Any, lang: str = DEFAULT_LANG, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _ZhFormatter if lang == "zh" else _Formatter)
        kwargs["add_help"] = False  # -h in the parser's language, below
        super().__init__(*args, **kwargs)
        self.lang = lang
        self._positionals.title = text("positionals", lang)
        self._optionals.title = text("options", lang)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=text("h-help", lang))

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, text("error", self.lang, prog=self.prog,
                                   message=argparse_message(message, self.lang)) + "\n")


def _parser(lang: str = DEFAULT_LANG) -> argparse.ArgumentParser:
    """The command line's parser, its help in ``lang``."""
    def h(message_id: str) -> str:
        return text(message_id, lang)

    parser = _Parser(prog="perfrules", description=h("h-description"), lang=lang)
    parser.add_argument("--version", action="version", version=f"perfrules {__version__}",
                        help=h("h-version"))
    parser.add_argument("--lang", choices=LANGS, default=lang, help=h("h-lang"))
    parser.add_argument("--plugins", metavar="NAME,NAME", help=h("h-plugins"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("score", help=h("h-score"), lang=lang)
    p.add_argument("forms", nargs="*", metavar="FORM", help=h("h-forms"))
    p.add_argument("--example", action="store_true", help=h("h-example"))
    p.add_argument("--ruleset", metavar="ID", help=h("h-ruleset"))
    _ruleset_choice(p, lang)
    p.add_argument("--format", default="text", metavar="FORMAT", help=h("h-format"))
    p.add_argument("--from", dest="reader", metavar="FORMAT", help=h("h-from"))
    p.add_argument("--explain", action="store_true", help=h("h-explain"))
    _lang_option(p, lang)
    p.add_argument("-o", "--output", metavar="OUT", help=h("h-output"))
    _timeout_option(p, lang)
    _budget_options(p, lang)

    a = sub.add_parser("audit", help=h("h-audit"), lang=lang)
    a.add_argument("inputs", nargs="+", metavar="FORM|DIR", help=h("h-inputs"))
    a.add_argument("--ruleset", metavar="ID", help=h("h-audit-ruleset"))
    _ruleset_choice(a, lang)
    a.add_argument("--format", default="text",
                   choices=("text", "json", "markdown", "html", "xlsx"), help=h("h-audit-format"))
    a.add_argument("-o", "--output", metavar="OUT", help=h("h-audit-output"))
    a.add_argument("--fail-on", choices=("error", "warning", "info"), default="error",
                   help=h("h-fail-on"))
    a.add_argument("--jobs", type=int, default=None, metavar="N", help=h("h-jobs"))
    a.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                   help=h("h-timeout"))
    a.add_argument("--follow-symlinks", action="store_true", help=h("h-follow"))
    a.add_argument("--from", dest="reader", metavar="FORMAT", help=h("h-reader"))
    _lang_option(a, lang)
    _budget_options(a, lang)

    c = sub.add_parser("convert", help=h("h-convert"), lang=lang)
    c.add_argument("form", metavar="FORM")
    c.add_argument("-o", "--output", required=True, metavar="OUT", help=h("h-convert-output"))
    c.add_argument("--from", dest="reader", metavar="FORMAT", help=h("h-reader"))
    _timeout_option(c, lang)
    _budget_options(c, lang)

    s = sub.add_parser("schema", help=h("h-schema"), lang=lang)
    s.add_argument("which", choices=("report", "form"))

    t = sub.add_parser("test", help=h("h-test"), lang=lang)
    t.add_argument("cases", nargs="+", metavar="CASE|DIR", help=h("h-cases"))

    sub.add_parser("rules", help=h("h-rules"), lang=lang)
    sub.add_parser("rulesets", help=h("h-rulesets"), lang=lang)
    sub.add_parser("plugins", help=h("h-plugins-cmd"), lang=lang)

    from .serve._cli import add_serve_parser  # the web stack only when serving

    _budget_options(add_serve_parser(sub, lang), lang)
    return parser


def _lang_option(p: argparse.ArgumentParser, lang: str) -> None:
    # also after the command, as in 0.1; SUPPRESS keeps a --lang given before it
    p.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=text("h-lang", lang))


def _ruleset_choice(p: argparse.ArgumentParser, lang: str) -> None:
    p.add_argument("--year", type=int, metavar="YYYY", help=text("h-year", lang))
    p.add_argument("--region", metavar="CODE", help=text("h-region", lang))


def _timeout_option(p: argparse.ArgumentParser, lang: str) -> None:
    p.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                   help=text("h-timeout-file", lang))


def _budget_options(p: argparse.ArgumentParser, lang: str) -> None:
    p.add_argument("--max-cells", type=_positive, metavar="N", help=text("h-max-cells", lang))


def _positive(given: str) -> int:
    try:
        value = int(given.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(text("positive", "en", value=repr(given)))
    return value


def _seconds(given: str) -> float:
    """A time limit: a finite number (never nan or inf); a negative one is refused by the
    command, as it always was (``--timeout must be 0 (no limit) or more seconds``)."""
    try:
        value = float(given.replace("_", ""))
    except ValueError:
        value = float("nan")
    if not (-float("inf") < value < float("inf")):  # nan fails every comparison
        raise argparse.ArgumentTypeError(text("seconds", "en", value=repr(given)))
    return value


def _limits(args: argparse.Namespace) -> Optional[Limits]:
    """The run's budgets, given to the readers (and workers) as an argument: ``--max-cells``
    over the defaults and ``PERFRULES_*`` settings; None without the option (each reader
    then takes the defaults and ``PERFRULES_*`` settings itself)."""
    max_cells = getattr(args, "max_cells", None)
    return None if max_cells is None else attrs.evolve(Limits.from_env(), max_cells=max_cells)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit code (0, 1 or 2), whatever happens.

    The language (``--lang``, else ``PERFRULES_LANG``, else the locale, else
    zh) is chosen before the parser is built, so that the help speaks it too.
    """
    given = sys.argv[1:] if argv is None else list(argv)
    lang = choose_lang(given, os.environ)
    parser = _parser(lang)
    args = parser.parse_args(given)
    lang = args.lang
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        with decimal.localcontext(CONTEXT), _warnings_as_lines(lang):
            return _run(args, parser)
    except OutputError as exc:
        _error(exc.message(lang), lang)
        return EXIT_INPUT
    except PerfrulesError as exc:
        _error(terminal(error_text(exc, lang)).replace("\\n", "\n"), lang)
        return EXIT_INPUT
    except BrokenPipeError:  # pragma: no cover - e.g. `perfrules rules | head`
        return EXIT_OK
    except OSError as exc:
        reason = exc.strerror or str(exc)
        _error(text("cannot-write", lang, where=terminal(exc.filename), reason=reason)
               if exc.filename else text("cannot-write-stream", lang, reason=reason), lang)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(text("interrupted", lang), file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # a crash must never look like "findings" (exit 1)
        print(text("internal-error", lang, kind=type(exc).__name__, detail=terminal(exc)),
              file=sys.stderr)
        return EXIT_INPUT


@contextmanager
def _warnings_as_lines(lang: str) -> Iterator[None]:
    """perfrules' own warnings as ``perfrules: warning: …`` lines in ``lang`` on
    stderr, not Python's ``file:line: PerfrulesWarning: …``; other warnings as Python
    shows them."""
    shown = warnings.showwarning

    def show(message: Any, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: Optional[str] = None) -> None:
        if issubclass(category, PerfrulesWarning):
            print(terminal(warning_text(str(message), lang)), file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def _error(message: str, lang: str) -> None:
    """``perfrules: error: …`` (``perfrules：错误：…``) on stderr."""
    print(text("error", lang, prog="perfrules", message=message), file=sys.stderr)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.plugins is None:
        return _dispatch(args, parser, get_registry())
    # the allow-list; audit's workers get this registry (or its recipe) as an argument
    registry = Registry(allow=[n.strip() for n in args.plugins.split(",") if n.strip()])
    return _dispatch(args, parser, registry)


def _dispatch(args: argparse.Namespace, parser: argparse.ArgumentParser,
              registry: Registry) -> int:
    # --year/--region choose the ruleset of the forms that pin none; a form's own pin
    # holds. Only an explicit --ruleset overrides a pin (with a notice).
    args.fallback_ruleset = None
    if getattr(args, "ruleset", None) is None and (
            getattr(args, "year", None) is not None or getattr(args, "region", None)):
        args.fallback_ruleset = registry.ruleset_for(year=args.year, region=args.region).ref
    if args.command == "score":
        return _score(args, registry, parser)
    if args.command == "audit":
        from ._audit_cli import run_audit

        return run_audit(args, registry, parser)
    if args.command == "test":
        return _test(args, registry)
    if args.command == "convert":
        return _convert(args, registry, parser)
    if args.command == "schema":
        emit(schema_text(args.which).encode("utf-8"), None)
        return EXIT_OK
    if args.command == "rules":
        return _rules(registry, args.lang)
    if args.command == "rulesets":
        return _rulesets(registry, args.lang)
    if args.command == "serve":
        from .serve._cli import run_serve

        return run_serve(args, registry)
    return _plugins(registry)


def _score(args: argparse.Namespace, registry: Registry, parser: argparse.ArgumentParser) -> int:
    paths: list[str] = list(args.forms)
    if not paths and not args.example:
        parser.error(text("score-needs-form", args.lang))
    writer = registry.writer(args.format)
    binary = bool(getattr(writer, "binary", False))
    if args.output not in (None, "-"):
        _check_not_input(args.output, paths)
        if not args.output.endswith(("/", os.sep)) and not os.path.isdir(args.output):
            check_target(args.output)  # a device, FIFO or socket: refused before any work
    status = EXIT_OK
    reports: list[tuple[str, Optional[str], Report]] = []  # file, form label, report
    if args.example:
        form = example()
        reports.append(("example", None, score(form, chosen_ruleset(form, args.ruleset,
                                                                   args.fallback_ruleset),
                                               registry=registry)))
    timeout = _timeout(args, parser)
    if timeout is not None and timeout < 0:
        return EXIT_INPUT
    limits = _limits(args)
    for path in paths:
        try:  # read and scored in a worker process within --timeout, as audit does
            scored = call_with_timeout(_read_and_score, (path, args.reader, args.ruleset,
                                                          _inherited(registry),
                                                          args.fallback_ruleset, limits),
                                       timeout)
        except TimedOut:
            _error(text("took-too-long-score", args.lang, where=terminal(path),
                        timeout=f"{timeout:g}"), args.lang)
            status = EXIT_INPUT
            continue
        except (Exception, SystemExit) as exc:  # one file's failure is its error, not the batch's
            _print_error(exc, path, args.lang)
            status = EXIT_INPUT
            continue
        for label, result in scored:
            if isinstance(result, Report):
                _say_overridden_pin(result, args, registry, path, label)
                reports.append((path, label, result))
            else:  # a plugin rule that raises, or exits
                _print_error(result, path, args.lang, label)
                status = EXIT_INPUT
    if not reports:
        return status
    to_stdout = args.output is None or args.output == "-"
    folder = not to_stdout and args.output.endswith(("/", os.sep))
    if binary and to_stdout:
        parser.error(text("binary-format", args.lang, format=args.format))
    if not to_stdout and not folder and os.path.isdir(args.output):
        raise OutputError("output-is-folder", output=clean(args.output))
    one_file = len(reports) == 1 or (not folder and (
        to_stdout or args.format in ("text", "json", "markdown")))
    if one_file:
        if args.format == "text" and len(reports) > 1:
            # several reports one after another, each headed by its file and sheet
            parts = [_render(writer, [r], args) for _, _, r in reports]
            data: Optional[bytes] = None if None in parts else b"\n".join(
                terminal(f"== {path}" + (f" [{label}]" if label else "") + " ==").encode("utf-8")
                + b"\n" + (part or b"") for (path, label, _), part in zip(reports, parts))
        else:
            data = _render(writer, [r for _, _, r in reports], args)
        if data is None:
            if not to_stdout:  # said above why; here, that nothing was written
                _not_written(args.output)
            return EXIT_INPUT
        emit(data, args.output)
        return status
    targets = _per_form_targets(args.output, [(f, label) for f, label, _ in reports],
                                _extension(args.format, args.output))
    _check_not_input_all(targets, paths)
    outputs = Outputs()  # one report that cannot be written never stops the next
    for (_, _, report), target in zip(reports, targets):
        data = _render(writer, [report], args)
        if data is None:
            outputs.note(str(target), text("writer-gave-nothing", "en"),
                         text("writer-gave-nothing", "zh"))
            continue
        outputs.write(target, data)
    outputs.check()  # names what was and was not written (exit 2)
    return status


def _timeout(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Optional[float]:
    """``--timeout`` as a limit (None: none); -1 after saying a negative one is refused."""
    given = float(getattr(args, "timeout", 0.0) or 0.0)
    if given < 0:
        parser.print_usage(sys.stderr)
        _error(text("timeout", args.lang), args.lang)
        return -1.0
    return given or None


def _inherited(registry: Registry) -> Optional[Registry]:
    """The registry for a worker that inherits it (fork); a spawned one builds its own."""
    return registry if sys.platform.startswith("linux") else None


def _say_overridden_pin(report: Report, args: argparse.Namespace, registry: Registry,
                        path: str, label: Optional[str]) -> None:
    """A notice on stderr when an explicit ``--ruleset`` replaced the form's own pin."""
    pin = report.form.ruleset
    if args.ruleset is None or not pin:
        return
    try:
        pinned = registry.ruleset(pin).ref
    except Exception:  # an unknown pin: --ruleset is what made the form scorable
        pinned = pin
    if pinned != report.ruleset.ref:
        where = terminal(path + (f" [{label}]" if label else ""))
        print(text("pin-overridden", args.lang, where=where, pin=terminal(pin),
                   ruleset=report.ruleset.ref), file=sys.stderr)


def _read_and_score(path: str, reader: Optional[str], ruleset: Optional[str],
                    registry: Optional[Registry], fallback: Optional[str] = None,
                    limits: Optional[Limits] = None) -> list[tuple[Optional[str], object]]:
    """Each form of a file with its report, or the exception that stopped it (in a worker)."""
    reg = registry if registry is not None else get_registry()
    forms = _load_all(path, reader, reg, limits, ruleset=ruleset or fallback)
    out: list[tuple[Optional[str], object]] = []
    for i, form in enumerate(forms):
        label = _form_label(path, form.source, i, len(forms))
        try:
            out.append((label, score(form, chosen_ruleset(form, ruleset, fallback), registry=reg)))
        except (Exception, SystemExit) as exc:  # a plugin rule that raises, or exits
            out.append((label, exc))
    return out


def _read_one(path: Path, reader: Optional[str], registry: Optional[Registry],
              limits: Optional[Limits] = None) -> object:
    return load_one(path, reader, registry if registry is not None else get_registry(), limits)


def _render(writer: object, reports: list[Report], args: argparse.Namespace) -> Optional[bytes]:
    """The bytes of the reports, or None after saying why the writer failed."""
    write = writer.write  # type: ignore[attr-defined]
    failed: Optional[tuple[str, str]] = None
    with quiet_finalizers():  # a half-written zip closes without "Exception ignored" noise
        try:
            if args.format == "json" and len(reports) > 1:
                docs = [json.loads(write(r, lang=args.lang)) for r in reports]
                return clean(json.dumps(docs, ensure_ascii=False, indent=2) + "\n").encode(
                    "utf-8")
            return b"\n".join(write(r, explain=args.explain, lang=args.lang) for r in reports)
        except PerfrulesError:
            raise
        except (Exception, SystemExit) as exc:  # a writer plugin that fails, a full disk
            failed = (type(exc).__name__, terminal(exc))
    name = terminal(getattr(writer, "name", args.format))
    _error(text("writer-failed", args.lang, name=name, kind=failed[0], detail=failed[1]),
           args.lang)
    return None


_EXTENSIONS = {"text": ".txt", "json": ".json", "markdown": ".md", "html": ".html",
               "xlsx": ".xlsx"}
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _not_written(output: str) -> None:
    outputs = Outputs()
    outputs.note(output, text("writer-gave-nothing", "en"), text("writer-gave-nothing", "zh"))
    outputs.check()


def _extension(fmt: str, output: str) -> str:
    suffix = Path(output).suffix if not output.endswith(("/", os.sep)) else ""
    return suffix or _EXTENSIONS.get(fmt, f".{_UNSAFE_NAME.sub('_', fmt)[:16]}")


def _per_form_targets(output: str, forms: list[tuple[str, Optional[str]]],
                      suffix: str) -> list[Path]:
    """One output per form, named by file and sheet, never two alike.

    ``OUT/`` gets ``<file>-<sheet>.<ext>`` inside; ``OUT.ext`` gets
    ``OUT-<file>-<sheet>.ext`` beside it (``OUT-<sheet>.ext`` when every form
    comes from one file).
    """
    files = {f for f, _ in forms}
    if output.endswith(("/", os.sep)):
        folder, prefix = Path(output), ""
    else:
        base = Path(output)
        folder, prefix = base.parent, base.stem
    targets: list[Path] = []
    taken: set[str] = set()
    for path, label in forms:
        parts = [prefix] if prefix else []
        if len(files) > 1 or not prefix:
            parts.append(Path(path).stem)
        if label:
            parts.append(label)
        stem = "-".join(parts)
        name, n = safe_name(stem, suffix), 1  # a hash suffix when cut or changed
        while name.lower() in taken:
            n += 1
            name = safe_name(f"{stem}-{n}", suffix)
        taken.add(name.lower())
        targets.append(folder / name)
    return targets


def _form_label(path: str, source: Optional[str], index: int, count: int) -> Optional[str]:
    from ._audit_cli import _form_label as label

    return label(path, source, index, count)


def _check_not_input(output: str, inputs: Sequence[str]) -> None:
    if output.endswith(("/", os.sep)):
        return
    _check_not_input_all([Path(output)], inputs)


def _check_not_input_all(targets: Sequence[Path], inputs: Sequence[str]) -> None:
    real = {os.path.realpath(p): p for p in inputs}
    for target in targets:
        hit = real.get(os.path.realpath(target))
        if hit is not None:
            raise OutputError("overwrites-input", output=clean(target), input=clean(hit))


def schema_text(which: str) -> str:
    """The JSON Schema shipped in the package: ``report`` or ``form``."""
    from importlib import resources

    folder = resources.files("perfrules").joinpath("schemas")
    return folder.joinpath(f"{which}.schema.json").read_text("utf-8")


def _convert(args: argparse.Namespace, registry: Registry,
             parser: argparse.ArgumentParser) -> int:
    path = Path(args.form)
    if args.output != "-":
        _check_not_input(args.output, [args.form])
        check_target(args.output)  # before reading: a device or FIFO is never written
    timeout = _timeout(args, parser)
    if timeout is not None and timeout < 0:
        return EXIT_INPUT
    try:  # read in a worker process within --timeout, as audit does
        form = call_with_timeout(_read_one, (path, args.reader, _inherited(registry),
                                             _limits(args)), timeout)
    except TimedOut:
        _error(text("took-too-long-read", args.lang, where=terminal(args.form),
                    timeout=f"{timeout:g}"), args.lang)
        return EXIT_INPUT
    except (Exception, SystemExit) as exc:  # reading a file never ends in a traceback
        _print_error(exc, args.form, args.lang)
        return EXIT_INPUT
    assert isinstance(form, Form)
    data = form.to_dict()
    suffix = ".json" if args.output == "-" else Path(args.output).suffix.lower()
    if suffix == ".json":
        body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif suffix == ".toml":
        try:
            import tomli_w
        except ImportError:
            raise MissingDependencyError("writing TOML forms", "toml") from None
        body = tomli_w.dumps(data)
    elif suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise MissingDependencyError("writing YAML forms", "yaml") from None
        body = yaml.dump(data, Dumper=_yaml_dumper(yaml), allow_unicode=True, sort_keys=False)
    else:
        _error(text("convert-suffix", args.lang, suffix=suffix or text("no-suffix", args.lang)),
               args.lang)
        return EXIT_INPUT
    emit(clean(body).encode("utf-8"), args.output)
    return EXIT_OK


#: What YAML reads as a line break or folds away outside double quotes (NEL, the line
#: and paragraph separators, CR, tabs and spaces at either end …).
_YAML_FRAGILE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]|^\\s|\\s$")


def _yaml_dumper(yaml: Any) -> Any:
    """A SafeDumper that writes text holding a fragile character double-quoted, where
    YAML escapes it (``\\N``, ``\\L`` …): every character comes back as written."""
    class Dumper(yaml.SafeDumper):  # type: ignore[misc]
        pass

    def represent(dumper: Any, value: str) -> Any:
        style = '"' if _YAML_FRAGILE.search(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent)
    return Dumper


def _print_error(exc: BaseException, path: str, lang: str, label: Optional[str] = None) -> None:
    """One file's (or form's) failure on stderr, every problem listed, no traceback.

    The file (and sheet) is named once, at the start; each problem after it
    by its cell.
    """
    name = terminal(f"{path} [{label}]" if label else path)
    if isinstance(exc, InputError):
        count = len(exc.problems)
        _error(text("problems", lang, where=name, count=count, s="s" if count != 1 else ""), lang)
        for problem in exc.problems:
            print(f"  - {terminal(problem_text(problem, lang, path))}", file=sys.stderr)
        return
    from ._audit_cli import _message

    _error(text("not-scored", lang, where=name, message=terminal(_message(exc, path, lang))),
           lang)


def emit(data: bytes, output: Optional[str]) -> None:
    """Write to stdout, or atomically to the file ``output`` (never onto a folder, a
    device, a FIFO or a socket: an output that exists is replaced only if it is a
    regular file)."""
    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output)
    if target.is_dir():
        raise OutputError("output-is-folder-plain", output=clean(output))
    outputs = Outputs()
    outputs.write(target, data)
    outputs.check()



def _test(args: argparse.Namespace, registry: Registry) -> int:
    from ._cases import run_case

    paths: list[Path] = []
    for item in args.cases:
        path = Path(item)
        paths.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    lang = args.lang
    results = []
    for path in paths:  # each case on its own: one that fails to run is that case's FAIL
        result = run_case(path, registry, lang)
        results.append(result)
        # a case's text is shown inert: an ESC sequence in a description cannot fake a PASS
        if result.passed:
            print(text("case-pass", lang, path=terminal(result.path),
                       description=f"  {terminal(result.description)}"
                       if result.description else ""), flush=True)
        else:
            print(text("case-fail", lang, path=terminal(result.path)), flush=True)
        for failure in result.failures:
            print(f"    {terminal(failure)}")
    failed = sum(1 for r in results if not r.passed)
    print(text("case-summary", lang, passed=len(results) - failed, failed=failed))
    return EXIT_FINDINGS if failed else EXIT_OK


def _rules(registry: Registry, lang: str) -> int:
    for name, rule in registry.rules.items():
        natures = " ".join(sorted(rule.natures)) or "-"
        print(f"{name:16} {registry.kind_of(name) or '':15} {natures:8} "
              f"{registry.owner('rule', name) or ''}")
        doc = rule_description(name, rule, lang)
        if doc:
            print(f"    {doc}")
    return EXIT_OK


def _rulesets(registry: Registry, lang: str) -> int:
    for ruleset in registry.rulesets.values():
        dates = text("ruleset-dates", lang, start=ruleset.valid_from or "…",
                     end=ruleset.valid_until or "…")
        extends = text("ruleset-extends", lang, extends=ruleset.extends) if ruleset.extends else ""
        region = text("ruleset-region", lang, region=ruleset.region) if ruleset.region else ""
        print(text("ruleset-line", lang, ref=ruleset.ref, dates=dates, region=region,
                   extends=extends))
        # the title in Chinese, the description in English (each the other's fallback)
        title = (ruleset.title or ruleset.description) if lang == "zh" else (
            ruleset.description.split("\n")[0].strip() or ruleset.title)
        citation = ruleset.citation if lang == "zh" else (ruleset.citation_en or ruleset.citation)
        print(f"    {title}")
        print(f"    {citation}  sha256 {ruleset.content_hash()[:16]}")
    return EXIT_OK


def _plugins(registry: Registry) -> int:
    for plugin in registry.plugins:
        print(f"{plugin.name} {plugin.version}")
    return EXIT_OK
