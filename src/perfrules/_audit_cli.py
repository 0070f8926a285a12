"""``perfrules audit``: one form or a thousand, with exit codes for pipelines."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Optional

from . import load
from ._audit import audit
from ._registry import Registry, get_registry
from .exceptions import PerfrulesError
from .io.audit_render import (
    BatchItem,
    annotate_xlsx,
    audit_html,
    audit_json,
    audit_markdown,
    audit_text,
    summary_csv,
)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def find_forms(inputs: Sequence[str], registry: Registry) -> list[str]:
    """Files as given, and the forms found in folders (sorted, lock files skipped)."""
    suffixes = {e for r in registry.readers.values() for e in r.extensions}
    found: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (child.is_file() and child.suffix.lower() in suffixes
                        and not child.name.startswith(("~$", ".")) and ".audit." not in child.name):
                    found.append(str(child))
        else:
            found.append(item)
    return found


def audit_one(path: str, reader: Optional[str] = None, ruleset: Optional[str] = None,
              registry: Optional[Registry] = None) -> BatchItem:
    """Read and audit one file; an unreadable file becomes an item with its error.

    A top-level function so that worker processes can run it: each builds its
    own registry on first use.
    """
    reg = registry if registry is not None else get_registry()
    try:
        form = load(path, format=reader, registry=reg)
        return BatchItem(path=path, report=audit(form, ruleset, registry=reg))
    except PerfrulesError as exc:
        message = str(exc)
        prefix = f"{path}: "
        while message.startswith(prefix):
            message = message[len(prefix):]
        return BatchItem(path=path, error=message)


def _star(args: tuple[str, Optional[str], Optional[str]]) -> BatchItem:
    return audit_one(*args)


def _progress(items: Iterator[BatchItem], total: int) -> Iterator[BatchItem]:
    """A progress bar on stderr when it is a terminal (tqdm, when installed)."""
    if total < 2 or not sys.stderr.isatty():
        return items
    try:
        from tqdm import tqdm
    except ImportError:
        return items
    return iter(tqdm(items, total=total, unit="表", file=sys.stderr, leave=False))


def run_audit(args: argparse.Namespace, registry: Registry,
              parser: argparse.ArgumentParser) -> int:
    paths = find_forms(args.inputs, registry)
    if not paths:
        parser.error("no forms found in " + ", ".join(args.inputs))
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    out = args.output
    out_dir = Path(out) if out and (Path(out).is_dir() or out.endswith(("/", os.sep))) else None
    if args.format == "xlsx" and out_dir is None:
        parser.error("--format xlsx writes annotated copies into a folder: give -o DIR/")
    if args.ruleset is not None:
        registry.ruleset(args.ruleset)  # an unknown id is a usage error before any work
    jobs = [(p, args.reader, args.ruleset) for p in paths]
    if args.jobs > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            stream: Iterator[BatchItem] = pool.map(_star, jobs, chunksize=4)
            items = list(_progress(stream, len(jobs)))
    else:
        stream = (audit_one(p, r, s, registry) for p, r, s in jobs)
        items = list(_progress(stream, len(jobs)))

    from .cli import _emit

    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        _emit(summary_csv(items), str(out_dir / "summary.csv"))
        _emit(audit_json(items), str(out_dir / "summary.json"))
        _emit(audit_html(items, args.lang), str(out_dir / "audit.html"))
        if args.format == "xlsx":
            for item in items:
                annotate_xlsx(item, out_dir)
        _emit(audit_text(items, args.lang), None)
    else:
        render = {"text": audit_text, "markdown": audit_markdown, "html": audit_html}
        data = audit_json(items) if args.format == "json" else render[args.format](items, args.lang)
        _emit(data, out)
    if any(not item.readable for item in items):
        return EXIT_INPUT
    if any(item.report is not None and item.report.fails(args.fail_on) for item in items):
        return EXIT_FINDINGS
    return EXIT_OK
