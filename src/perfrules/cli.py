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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

from . import __version__, example, load, load_all
from ._engine import Report, score
from ._numbers import CONTEXT
from ._registry import Registry, get_registry
from .exceptions import InputError, MissingDependencyError, PerfrulesError
from .io._width import clean, terminal
from .io.audit_render import write_atomic

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class OutputError(PerfrulesError):
    """An output that cannot or must not be written (it would overwrite an input …)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="perfrules", description=(
        "Score, explain and check Chinese budget performance self-evaluation forms (绩效自评表)."))
    parser.add_argument("--version", action="version", version=f"perfrules {__version__}")
    parser.add_argument("--plugins", metavar="NAME,NAME",
                        help="load only these installed plugins (entry-point or distribution "
                        "names; the same as PERFRULES_PLUGINS); '' loads none but the built-ins")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("score", help="score forms and print the report")
    p.add_argument("forms", nargs="*", metavar="FORM", help="form files (.json, .toml, .yaml …)")
    p.add_argument("--example", action="store_true", help="score the bundled example form")
    p.add_argument("--ruleset", metavar="ID", help="ruleset id, or id@version to pin one "
                   "(default: the form's, else the one in force for --year/--region, else "
                   "cn-mof-2020); see `perfrules rulesets`")
    _ruleset_choice(p)
    p.add_argument("--format", default="text", metavar="FORMAT",
                   help="report format: text (default), json, markdown, html, xlsx, or any "
                   "registered writer")
    p.add_argument("--from", dest="reader", metavar="FORMAT",
                   help="read the forms with this reader instead of choosing by extension")
    p.add_argument("--explain", action="store_true", help="explain every line (text format)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of explanations")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write the report to OUT, not stdout; with several forms, OUT-<form>.ext "
                   "per form for html, xlsx and other one-form formats; a folder ending in / "
                   "gets one file per form")
    _budget_options(p)

    a = sub.add_parser("audit", help="recompute filled-in forms and list what is wrong")
    a.add_argument("inputs", nargs="+", metavar="FORM|DIR",
                   help="forms, or folders to search for forms")
    a.add_argument("--ruleset", metavar="ID", help="ruleset id (default: each form's, else "
                   "cn-mof-2020)")
    _ruleset_choice(a)
    a.add_argument("--format", default="text",
                   choices=("text", "json", "markdown", "html", "xlsx"),
                   help="text (default), json, markdown, html (one page for all forms), or "
                   "xlsx (annotated copies of Excel forms; needs -o DIR)")
    a.add_argument("-o", "--output", metavar="OUT",
                   help="a file for the chosen format; or a folder (existing, or ending in /) "
                   "for summary.csv, summary.json, audit.html and annotated copies")
    a.add_argument("--fail-on", choices=("error", "warning", "info"), default="error",
                   help="exit 1 when a finding is at least this severe (default: error)")
    a.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="audit N files at a time in separate processes")
    a.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="the most time one file may take to be read and audited, in a worker "
                   "process; a file that takes longer is reported as not audited (default: 60; "
                   "0: no limit, and no worker with --jobs 1)")
    a.add_argument("--follow-symlinks", action="store_true",
                   help="follow links that lead out of the folders searched for forms")
    a.add_argument("--from", dest="reader", metavar="FORMAT", help="reader to use")
    a.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of messages")
    _budget_options(a)

    c = sub.add_parser("convert", help="convert a form to the canonical JSON, TOML or YAML")
    c.add_argument("form", metavar="FORM")
    c.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="form.json, form.toml or form.yaml (the extension chooses)")
    c.add_argument("--from", dest="reader", metavar="FORMAT", help="reader to use")
    _budget_options(c)

    s = sub.add_parser("schema", help="print the JSON Schema of the report or the form")
    s.add_argument("which", choices=("report", "form"))

    t = sub.add_parser("test", help="run golden case files (form in, expected scores out)")
    t.add_argument("cases", nargs="+", metavar="CASE|DIR", help="case files, or folders of them")

    sub.add_parser("rules", help="list the scoring rules")
    sub.add_parser("rulesets", help="list the rulesets")
    sub.add_parser("plugins", help="list the loaded plugins")
    return parser


def _ruleset_choice(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, metavar="YYYY",
                   help="use the ruleset in force in this year (with --region)")
    p.add_argument("--region", metavar="CODE",
                   help="use the ruleset of this region, such as CN-HB (湖北); falls back to "
                   "the national one (CN)")


def _budget_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-cells", type=_positive, metavar="N",
                   help="the most cells (values) one file may hold before it is refused; the "
                   "same as the environment variable PERFRULES_MAX_CELLS (default: 200000)")


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


@contextmanager
def _budgets(args: argparse.Namespace) -> Iterator[None]:
    """Budget options as the environment variables the readers read (workers inherit them)."""
    settings = {"PERFRULES_MAX_CELLS": getattr(args, "max_cells", None)}
    saved = {name: os.environ.get(name) for name in settings}
    try:
        for name, value in settings.items():
            if value is not None:
                os.environ[name] = str(value)
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit code (0, 1 or 2), whatever happens."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        with decimal.localcontext(CONTEXT), _budgets(args):
            return _run(args, parser)
    except PerfrulesError as exc:
        print(f"perfrules: error: {terminal(exc)}".replace("\\n", "\n"), file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # pragma: no cover - e.g. `perfrules rules | head`
        return EXIT_OK
    except OSError as exc:
        where = f" {terminal(exc.filename)}" if exc.filename else ""
        print(f"perfrules: error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("perfrules: interrupted", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # a crash must never look like "findings" (exit 1)
        print(f"perfrules: internal error: {type(exc).__name__}: {terminal(exc)}; this is a bug "
              "in perfrules or a plugin: please report it", file=sys.stderr)
        return EXIT_INPUT


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if True:
        registry = get_registry() if args.plugins is None else Registry(
            allow=[n.strip() for n in args.plugins.split(",") if n.strip()])
        if getattr(args, "ruleset", None) is None and (
                getattr(args, "year", None) is not None or getattr(args, "region", None)):
            args.ruleset = registry.ruleset_for(year=args.year, region=args.region).ref
        if args.command == "score":
            return _score(args, registry, parser)
        if args.command == "audit":
            from ._audit_cli import run_audit

            return run_audit(args, registry, parser)
        if args.command == "test":
            return _test(args, registry)
        if args.command == "convert":
            return _convert(args, registry)
        if args.command == "schema":
            emit(schema_text(args.which).encode("utf-8"), None)
            return EXIT_OK
        if args.command == "rules":
            return _rules(registry)
        if args.command == "rulesets":
            return _rulesets(registry)
        return _plugins(registry)


def _score(args: argparse.Namespace, registry: Registry, parser: argparse.ArgumentParser) -> int:
    paths: list[str] = list(args.forms)
    if not paths and not args.example:
        parser.error("score needs at least one FORM, or --example")
    writer = registry.writer(args.format)
    binary = bool(getattr(writer, "binary", False))
    if args.output not in (None, "-"):
        _check_not_input(args.output, paths)
    status = EXIT_OK
    reports: list[tuple[str, Optional[str], Report]] = []  # file, form label, report
    if args.example:
        reports.append(("example", None, score(example(), args.ruleset, registry=registry)))
    for path in paths:
        try:
            forms = load_all(path, format=args.reader, registry=registry)
        except (Exception, SystemExit) as exc:  # one file's failure is its error, not the batch's
            _print_error(exc, path)
            status = EXIT_INPUT
            continue
        for i, form in enumerate(forms):
            label = _form_label(path, form.source, i, len(forms))
            try:
                reports.append((path, label, score(form, args.ruleset, registry=registry)))
            except (Exception, SystemExit) as exc:  # a plugin rule that raises, or exits
                _print_error(exc, f"{path} [{label}]" if label else path)
                status = EXIT_INPUT
    if not reports:
        return status
    to_stdout = args.output is None or args.output == "-"
    folder = not to_stdout and args.output.endswith(("/", os.sep))
    if binary and to_stdout:
        parser.error(f"--format {args.format} writes a binary file: give -o OUT")
    if not to_stdout and not folder and os.path.isdir(args.output):
        raise OutputError(f"-o {clean(args.output)} is a folder; give a file name, or end it with "
                          "/ to write one file per form into it")
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
            return EXIT_INPUT
        emit(data, args.output)
        return status
    targets = _per_form_targets(args.output, [(f, label) for f, label, _ in reports],
                                _extension(args.format, args.output))
    _check_not_input_all(targets, paths)
    for (_, _, report), target in zip(reports, targets):
        data = _render(writer, [report], args)
        if data is None:
            status = EXIT_INPUT
            continue
        emit(data, str(target))
    return status


def _render(writer: object, reports: list[Report], args: argparse.Namespace) -> Optional[bytes]:
    """The bytes of the reports, or None after saying why the writer failed."""
    write = writer.write  # type: ignore[attr-defined]
    try:
        if args.format == "json" and len(reports) > 1:
            docs = [json.loads(write(r, lang=args.lang)) for r in reports]
            return clean(json.dumps(docs, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        return b"\n".join(write(r, explain=args.explain, lang=args.lang) for r in reports)
    except PerfrulesError:
        raise
    except (Exception, SystemExit) as exc:  # a writer plugin that fails
        name = getattr(writer, "name", args.format)
        print(f"perfrules: error: the writer {terminal(name)!r} failed: {type(exc).__name__}: "
              f"{terminal(exc)}", file=sys.stderr)
        return None


_EXTENSIONS = {"text": ".txt", "json": ".json", "markdown": ".md", "html": ".html",
               "xlsx": ".xlsx"}
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _extension(fmt: str, output: str) -> str:
    suffix = Path(output).suffix if not output.endswith(("/", os.sep)) else ""
    return suffix or _EXTENSIONS.get(fmt, f".{_UNSAFE_NAME.sub('_', fmt)}")


def _safe_name(text: str) -> str:
    return _UNSAFE_NAME.sub("_", text).strip(" .") or "_"


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
        stem = _safe_name("-".join(parts))
        name, n = stem + suffix, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}{suffix}"
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
            raise OutputError(f"-o {clean(target)} would overwrite the input {clean(hit)}; input "
                              "files are never overwritten: choose another output")


def schema_text(which: str) -> str:
    """The JSON Schema shipped in the package: ``report`` or ``form``."""
    from importlib import resources

    folder = resources.files("perfrules").joinpath("schemas")
    return folder.joinpath(f"{which}.schema.json").read_text("utf-8")


def _convert(args: argparse.Namespace, registry: Registry) -> int:
    path = Path(args.form)
    _check_not_input(args.output, [args.form])
    try:
        form = load(path, format=args.reader, registry=registry)
    except Exception as exc:  # reading a file never ends in a traceback
        _print_error(exc, args.form)
        return EXIT_INPUT
    data = form.to_dict()
    suffix = Path(args.output).suffix.lower()
    if suffix == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif suffix == ".toml":
        try:
            import tomli_w
        except ImportError:
            raise MissingDependencyError("writing TOML forms", "toml") from None
        text = tomli_w.dumps(data)
    elif suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise MissingDependencyError("writing YAML forms", "yaml") from None
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    else:
        print(f"perfrules: error: cannot convert to {suffix or 'a file without extension'} "
              "(valid: .json, .toml, .yaml)", file=sys.stderr)
        return EXIT_INPUT
    emit(clean(text).encode("utf-8"), args.output)
    return EXIT_OK


def _print_error(exc: BaseException, where: str) -> None:
    """One file's (or form's) failure on stderr, every problem listed, no traceback."""
    name = terminal(where)
    if isinstance(exc, InputError):
        count = len(exc.problems)
        print(f"perfrules: {name}: {count} problem{'s' if count != 1 else ''}; not scored:",
              file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {terminal(problem)}", file=sys.stderr)
        return
    from ._audit_cli import _message

    print(f"perfrules: {name}: not scored: {terminal(_message(exc, where))}", file=sys.stderr)



def emit(data: bytes, output: Optional[str]) -> None:
    """Write to stdout, or atomically to the file ``output`` (never onto a folder)."""
    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output)
    if target.is_dir():
        raise OutputError(f"-o {clean(output)} is a folder; give a file name")
    write_atomic(target, data)



def _test(args: argparse.Namespace, registry: Registry) -> int:
    from ._cases import run_case

    paths: list[Path] = []
    for item in args.cases:
        path = Path(item)
        paths.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    results = [run_case(path, registry) for path in paths]
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'} {result.path}"
              + (f"  {result.description}" if result.description and result.passed else ""))
        for failure in result.failures:
            print(f"    {failure}")
    failed = sum(1 for r in results if not r.passed)
    print(f"{len(results) - failed} passed, {failed} failed")
    return EXIT_FINDINGS if failed else EXIT_OK


def _first_paragraph(doc: Optional[str]) -> str:
    """A docstring's first paragraph as plain text (no reStructuredText markup)."""
    import re

    text = (doc or "").strip().split("\n\n")[0]
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text).replace("``", "")
    return " ".join(text.split())


def _rules(registry: Registry) -> int:
    for name, rule in registry.rules.items():
        natures = " ".join(sorted(rule.natures)) or "-"
        print(f"{name:16} {registry.kind_of(name) or '':15} {natures:8} "
              f"{registry.owner('rule', name) or ''}")
        doc = _first_paragraph(type(rule).__doc__)
        if doc:
            print(f"    {doc}")
    return EXIT_OK


def _rulesets(registry: Registry) -> int:
    for ruleset in registry.rulesets.values():
        dates = f"{ruleset.valid_from or '…'} – {ruleset.valid_until or '…'}"
        extends = f"  extends {ruleset.extends}" if ruleset.extends else ""
        region = f"  region {ruleset.region}" if ruleset.region else ""
        print(f"{ruleset.ref}  in force {dates}{region}{extends}")
        print(f"    {ruleset.title}")
        print(f"    {ruleset.citation}  sha256 {ruleset.content_hash()[:16]}")
    return EXIT_OK


def _plugins(registry: Registry) -> int:
    for plugin in registry.plugins:
        print(f"{plugin.name} {plugin.version}")
    return EXIT_OK
