"""The ``perfrules`` command line (also ``python -m perfrules``).

Exit codes: 0 ok; 1 findings at or above ``--fail-on`` (audit); 2 bad input
or usage — with every problem printed and no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from . import __version__, example, load
from ._engine import Report, score
from ._registry import Registry, get_registry
from .exceptions import FormError, MissingDependencyError, PerfrulesError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="perfrules", description=(
        "Score, explain and check Chinese budget performance self-evaluation forms (绩效自评表)."))
    parser.add_argument("--version", action="version", version=f"perfrules {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("score", help="score forms and print the report")
    p.add_argument("forms", nargs="*", metavar="FORM", help="form files (.json, .toml, .yaml …)")
    p.add_argument("--example", action="store_true", help="score the bundled example form")
    p.add_argument("--ruleset", metavar="ID", help="ruleset id (default: the form's, else "
                   "cn-mof-2020); see `perfrules rulesets`")
    p.add_argument("--format", default="text", metavar="FORMAT",
                   help="report format: text (default), json, markdown, html, xlsx, or any "
                   "registered writer")
    p.add_argument("--from", dest="reader", metavar="FORMAT",
                   help="read the forms with this reader instead of choosing by extension")
    p.add_argument("--explain", action="store_true", help="explain every line (text format)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of explanations")
    p.add_argument("-o", "--output", metavar="OUT", help="write the report to OUT, not stdout")

    a = sub.add_parser("audit", help="recompute filled-in forms and list what is wrong")
    a.add_argument("inputs", nargs="+", metavar="FORM|DIR",
                   help="forms, or folders to search for forms")
    a.add_argument("--ruleset", metavar="ID", help="ruleset id (default: each form's, else "
                   "cn-mof-2020)")
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
                   help="audit N forms at a time in separate processes")
    a.add_argument("--from", dest="reader", metavar="FORMAT", help="reader to use")
    a.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of messages")

    c = sub.add_parser("convert", help="convert a form to the canonical JSON, TOML or YAML")
    c.add_argument("form", metavar="FORM")
    c.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="form.json, form.toml or form.yaml (the extension chooses)")
    c.add_argument("--from", dest="reader", metavar="FORMAT", help="reader to use")

    s = sub.add_parser("schema", help="print the JSON Schema of the report or the form")
    s.add_argument("which", choices=("report", "form"))

    t = sub.add_parser("test", help="run golden case files (form in, expected scores out)")
    t.add_argument("cases", nargs="+", metavar="CASE|DIR", help="case files, or folders of them")

    sub.add_parser("rules", help="list the scoring rules")
    sub.add_parser("rulesets", help="list the rulesets")
    sub.add_parser("plugins", help="list the loaded plugins")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        registry = get_registry()
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
            _emit(schema_text(args.which).encode("utf-8"), None)
            return EXIT_OK
        if args.command == "rules":
            return _rules(registry)
        if args.command == "rulesets":
            return _rulesets(registry)
        return _plugins(registry)
    except PerfrulesError as exc:
        print(f"perfrules: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # pragma: no cover - e.g. `perfrules rules | head`
        return EXIT_OK


def _score(args: argparse.Namespace, registry: Registry, parser: argparse.ArgumentParser) -> int:
    paths = [Path(f) for f in args.forms]
    if not paths and not args.example:
        parser.error("score needs at least one FORM, or --example")
    writer = registry.writer(args.format)
    status = EXIT_OK
    reports: list[Report] = []
    if args.example:
        reports.append(score(example(), args.ruleset, registry=registry))
    for path in paths:
        try:
            form = load(path, format=args.reader, registry=registry)
            reports.append(score(form, args.ruleset, registry=registry))
        except FormError as exc:
            _print_form_error(exc, path)
            status = EXIT_INPUT
    if not reports:
        return status
    if getattr(writer, "binary", False):
        if args.output is None or args.output == "-":
            parser.error(f"--format {args.format} writes a binary file: give -o OUT")
        if len(reports) > 1:
            parser.error(f"--format {args.format} writes one file per form: score one form")
    if args.format == "json" and len(reports) > 1:
        docs = [json.loads(writer.write(r, lang=args.lang)) for r in reports]
        data = (json.dumps(docs, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    else:
        data = b"\n".join(writer.write(r, explain=args.explain, lang=args.lang) for r in reports)
    _emit(data, args.output)
    return status


def schema_text(which: str) -> str:
    """The JSON Schema shipped in the package: ``report`` or ``form``."""
    from importlib import resources

    folder = resources.files("perfrules").joinpath("schemas")
    return folder.joinpath(f"{which}.schema.json").read_text("utf-8")


def _convert(args: argparse.Namespace, registry: Registry) -> int:
    path = Path(args.form)
    try:
        form = load(path, format=args.reader, registry=registry)
    except FormError as exc:
        _print_form_error(exc, path)
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
    if Path(args.output).resolve() == path.resolve():
        print("perfrules: error: -o names the input file; input files are never overwritten",
              file=sys.stderr)
        return EXIT_INPUT
    _emit(text.encode("utf-8"), args.output)
    return EXIT_OK


def _print_form_error(exc: FormError, path: Path) -> None:
    count = len(exc.problems)
    print(f"perfrules: {path}: {count} problem{'s' if count != 1 else ''}; not scored:",
          file=sys.stderr)
    for problem in exc.problems:
        print(f"  - {problem}", file=sys.stderr)


def _emit(data: bytes, output: Optional[str]) -> None:
    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output)
    fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


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
