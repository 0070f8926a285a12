"""``perfrules audit``: one form or a thousand, with exit codes for pipelines.

A batch survives anything one file can do: each file is read and audited in a
worker process with a wall-clock limit, every exception becomes that file's
error row, and the exit code stays 0, 1 or 2 as documented.
"""

from __future__ import annotations

import argparse
import contextlib
import decimal
import multiprocessing
import multiprocessing.connection
import os
import stat
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Optional

import attrs

from . import load_all
from ._audit import audit
from ._messages import LANGS, problem_text, text, without_source
from ._numbers import CONTEXT
from ._registry import Registry, get_registry
from .exceptions import InputError, PerfrulesError
from .io._width import clean
from .io.audit_render import (
    OUTPUT_NAMES,
    BatchItem,
    annotate_xlsx,
    annotated_names,
    audit_html,
    audit_json,
    audit_markdown,
    audit_text,
    display_names,
    summary_csv,
    write_atomic,
)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

#: Seconds one file may take to be read and audited (``--timeout``).
DEFAULT_TIMEOUT = 60.0

#: How perfrules' own summaries begin (see :mod:`perfrules.io.audit_render`).
_SUMMARY_HEADS = {"summary.csv": "\ufefffile,title,reported_total,".encode("utf-8"),
                  "summary.json": b'{\n  "summary": {'}


def _is_our_summary(path: str) -> bool:
    """A summary.csv or summary.json an earlier ``perfrules audit -o`` wrote."""
    head = _SUMMARY_HEADS.get(os.path.basename(path))
    if head is None:
        return False
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never open a FIFO: it would block
            return False
        with open(path, "rb") as fh:
            return fh.read(len(head)) == head
    except OSError:
        return False


@attrs.frozen(kw_only=True)
class Found:
    """A file to audit, or an entry of a folder that cannot be (``error`` says why,
    ``error_zh`` in Chinese)."""

    path: str
    error: Optional[str] = None
    error_zh: Optional[str] = None


#: A message in the language asked for ("zh" or "en").
Say = Callable[[str], str]


def _say(message_id: str, **values: object) -> Say:
    return lambda lang: text(message_id, lang, **values)


def _found(path: str, reason: Optional[Say] = None) -> Found:
    if reason is None:
        return Found(path=path)
    return Found(path=path, error=reason("en"), error_zh=reason("zh"))


def _error_item(path: str, reason: Say) -> BatchItem:
    """A file's error row in both languages, from the catalogue."""
    return BatchItem(path=path, error=reason("en"), error_zh=reason("zh"))


def _failed(exc: BaseException, path: str) -> BatchItem:
    """An exception as a file's error row, in both languages."""
    return BatchItem(path=path, error=_message(exc, path), error_zh=_message(exc, path, "zh"))


def _is_inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def find_forms(inputs: Sequence[str], registry: Registry, *, follow_symlinks: bool = False,
               skip: Iterable[str] = ()) -> list[Found]:
    """Files as given, and the forms found in folders, sorted.

    Lock files (``~$…``), hidden files and perfrules' own outputs (annotated
    ``….audit.xlsx`` copies, summary.csv and summary.json as perfrules writes
    them, and the paths in ``skip``) are passed over. What
    cannot be read is reported, never skipped silently: a folder that cannot
    be listed, a FIFO or device named like a form, a link leading out of the
    folder (followed only with ``follow_symlinks``).
    """
    suffixes = {e for r in registry.readers.values() for e in r.extensions}
    skipped = {os.path.realpath(p) for p in skip}
    found: list[Found] = []
    for item in inputs:
        if os.path.isdir(item):
            _walk(item, os.path.realpath(item), suffixes, skipped, follow_symlinks, found)
        else:
            found.append(_found(item, _not_regular(item)))
    return found


def _not_regular(path: str) -> Optional[Say]:
    """Why a path is no file to read (a FIFO, a device …), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # the reader says what is wrong, with the file's name
    if stat.S_ISREG(mode):
        return None
    kind = ("fifo" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
            else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not-regular")
    return lambda lang: text("not-a-file", lang, kind=text(kind, lang))


def _listing(folder: str, found: list[Found]) -> Optional[list[os.DirEntry[str]]]:
    """A folder's entries by name; or None, after reporting why it cannot be listed."""
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        found.append(_found(folder, _say("cannot-list", reason=exc.strerror or exc)))
        return None


def _walk(top: str, root: str, suffixes: set[str], skipped: set[str], follow: bool,
          found: list[Found]) -> None:
    """Depth first, by name, without recursion (a folder may nest thousands deep)."""
    stack: list[tuple[Iterator[os.DirEntry[str]], str, frozenset[str]]] = [
        (iter(_listing(top, found) or ()), root, frozenset({root}))]
    while stack:
        entries, parent, seen = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith((".", "~$")) or _is_our_summary(entry.path):
            continue
        link = entry.is_symlink()
        real = os.path.realpath(entry.path) if link else os.path.join(parent, entry.name)
        if real in skipped:
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        is_form = Path(entry.name).suffix.lower() in suffixes
        if not is_dir and not is_form:
            continue
        if is_form and ".audit." in entry.name:
            continue  # an annotated copy perfrules wrote
        if link and not follow and not _is_inside(real, root):
            found.append(_found(entry.path, _say("link-outside")))
            continue
        if is_dir:
            if real in seen or (link and not follow):
                continue  # a link back into the folder: its files are found there
            listing = _listing(entry.path, found)
            if listing is not None:
                stack.append((iter(listing), real, seen | {real}))
            continue
        found.append(_found(entry.path, _not_regular(entry.path)))


# -- one file ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Job:
    index: int
    path: str
    reader: Optional[str] = None
    ruleset: Optional[str] = None
    annotate: Optional[str] = None  # where the annotated copy goes, when wanted


def _message(exc: BaseException, path: str, lang: str = "en") -> str:
    """An exception as one error row in ``lang``, without the file's name (the
    row shows it): perfrules' own errors as they are, others named."""
    if isinstance(exc, InputError):
        lines = [problem_text(p, lang, path) for p in exc.problems]
        if len(lines) == 1:
            return lines[0]
        return text("problem-count", lang, count=len(lines)) + "\n" + "\n".join(
            f"  - {line}" for line in lines)
    if isinstance(exc, PerfrulesError):
        return without_source(str(exc), path)
    if isinstance(exc, RecursionError):
        return text("too-deep", lang)
    if isinstance(exc, MemoryError):
        return text("no-memory", lang)
    if isinstance(exc, OSError):
        return text("cannot-read", lang, reason=exc.strerror or exc)
    detail = str(exc)
    return text("bug", lang, kind=type(exc).__name__, detail=f": {detail[:300]}" if detail else "")


def audit_file(job: Job, registry: Optional[Registry] = None) -> list[BatchItem]:
    """Read, audit and annotate one file: one item per form, or one error item.

    Never raises (``KeyboardInterrupt`` aside): whatever goes wrong with this
    file is its error row, so the batch goes on.
    """
    reg = registry if registry is not None else get_registry()
    try:
        with decimal.localcontext(CONTEXT):
            forms = load_all(job.path, format=job.reader, registry=reg)
            items = [BatchItem(path=job.path, form=_form_label(job.path, f.source, i, len(forms)),
                               report=audit(f, job.ruleset, registry=reg))
                     for i, f in enumerate(forms)]
            if job.annotate is not None:
                annotate_xlsx(items, Path(job.annotate).parent, target=Path(job.annotate))
            return items
    except (Exception, SystemExit) as exc:  # one file's failure is its error row
        return [_failed(exc, job.path)]


def audit_one(path: str, reader: Optional[str] = None, ruleset: Optional[str] = None,
              registry: Optional[Registry] = None) -> BatchItem:
    """Read and audit a file of one form (kept for callers of 0.1)."""
    return audit_file(Job(index=0, path=path, reader=reader, ruleset=ruleset), registry)[0]


def _form_label(path: str, source: Optional[str], index: int, count: int) -> Optional[str]:
    """Where a form sits in its file (sheet, table), when the file holds several."""
    if count < 2:
        return None
    label = source or ""
    if label.startswith(path):
        label = label[len(path):]
    label = label.strip(" :!#/|·-")
    return label or f"#{index + 1}"


# -- workers with a wall-clock limit ----------------------------------------------------


def _worker(conn: Any, registry: Optional[Registry]) -> None:  # pragma: no cover - in a child
    """A worker process: audit files sent by the parent until told to stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        items = audit_file(job, registry)
        try:
            conn.send(items)
        except Exception as exc:  # e.g. a plugin's object that does not pickle
            conn.send([_failed(exc, job.path)])


def _context() -> Any:
    """fork where it is safe and cheap (Linux): workers inherit the registry."""
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


class _Worker:
    def __init__(self, ctx: Any, registry: Optional[Registry]) -> None:
        self.conn, child = ctx.Pipe()
        inherit = registry if ctx.get_start_method() == "fork" else None
        self.process = ctx.Process(target=_worker, args=(child, inherit), daemon=True)
        with warnings.catch_warnings():  # fork() in a process with threads (pytest, tqdm)
            warnings.simplefilter("ignore", DeprecationWarning)
            self.process.start()
        child.close()
        self.job: Optional[Job] = None
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():  # pragma: no cover - a worker that ignores its stop
            self.process.kill()
            self.process.join()
        self.conn.close()


def run_jobs(jobs: Sequence[Job], workers: int, timeout: Optional[float],
             registry: Registry) -> Iterator[tuple[Job, list[BatchItem]]]:
    """Each job's items, as workers finish them (not in order).

    A file that takes more than ``timeout`` seconds becomes its error row and
    its worker is replaced; so does one whose worker dies.
    """
    ctx = _context()
    pending = list(reversed(jobs))
    pool: list[_Worker] = []
    try:
        pool = [_Worker(ctx, registry) for _ in range(min(workers, len(jobs)))]
        busy: dict[Any, _Worker] = {}
        while pending or busy:
            for slot, worker in enumerate(pool):
                if worker.job is None and pending:
                    if not worker.process.is_alive():
                        worker.stop(kill=True)
                        worker = pool[slot] = _Worker(ctx, registry)
                    job = pending.pop()
                    worker.job = job
                    worker.deadline = time.monotonic() + timeout if timeout else float("inf")
                    worker.conn.send(job)
                    busy[worker.conn] = worker
            wait = min(w.deadline for w in busy.values()) - time.monotonic()
            ready = multiprocessing.connection.wait(
                list(busy), timeout=None if wait == float("inf") else max(wait, 0))
            for conn in ready:
                worker = busy.pop(conn)
                done, worker.job = worker.job, None
                assert done is not None
                try:
                    items: list[BatchItem] = worker.conn.recv()
                except (EOFError, OSError):
                    worker.process.join(2)
                    code = worker.process.exitcode
                    yield done, [_error_item(done.path, _stopped(code))]
                    slot = pool.index(worker)
                    worker.stop(kill=True)
                    pool[slot] = _Worker(ctx, registry)
                    continue
                yield done, items
            now = time.monotonic()
            for conn, worker in list(busy.items()):
                if worker.deadline <= now:
                    del busy[conn]
                    done, worker.job = worker.job, None
                    assert done is not None
                    slot = pool.index(worker)
                    worker.stop(kill=True)
                    _remove_partial(done)
                    yield done, [_error_item(done.path, _say("took-too-long",
                                                             timeout=f"{timeout:g}"))]
                    pool[slot] = _Worker(ctx, registry)
    finally:
        for worker in pool:
            worker.stop(kill=worker.job is not None)


def _stopped(code: Optional[int]) -> Say:
    """Why a worker gave no answer: it stopped, with its exit code when known."""
    return lambda lang: text("worker-stopped", lang, code="" if code is None else text(
        "exit-code", lang, code=code))


def _remove_partial(job: Job) -> None:
    """Remove the temporary file of an annotated copy a killed worker left behind."""
    if job.annotate is None:
        return
    target = Path(job.annotate)
    try:
        leftovers = list(target.parent.glob(f".{target.name}.*.tmp"))
    except OSError:  # pragma: no cover
        return
    for leftover in leftovers:
        with contextlib.suppress(OSError):
            leftover.unlink()


def _progress(items: Iterator[Any], total: int) -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal (tqdm, when installed)."""
    if total < 2 or not sys.stderr.isatty():
        return items
    try:
        from tqdm import tqdm
    except ImportError:
        return items
    return iter(tqdm(items, total=total, unit="表", file=sys.stderr, leave=False))


# -- the command ----------------------------------------------------------------------


def _usage(parser: argparse.ArgumentParser, lang: str, message_id: str, **values: object) -> int:
    parser.print_usage(sys.stderr)
    print(text("error", lang, prog=parser.prog, message=clean(text(message_id, lang, **values))),
          file=sys.stderr)
    return EXIT_INPUT


def run_audit(args: argparse.Namespace, registry: Registry,
              parser: argparse.ArgumentParser) -> int:
    lang = args.lang if args.lang in LANGS else "zh"
    if args.jobs < 1:
        return _usage(parser, lang, "jobs")
    if args.timeout < 0:
        return _usage(parser, lang, "timeout")
    out = args.output
    to_stdout = out is None or out == "-"
    out_dir: Optional[Path] = None
    if not to_stdout and (os.path.isdir(out) or out.endswith(("/", os.sep))):
        out_dir = Path(out)
    if args.format == "xlsx" and out_dir is None:
        return _usage(parser, lang, "xlsx-needs-folder")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        return _usage(parser, lang, "not-a-folder", output=out)
    if args.ruleset is not None:
        registry.ruleset(args.ruleset)  # an unknown id is a usage error before any work
    skip = [str(out_dir / name) for name in OUTPUT_NAMES] if out_dir is not None else []
    if out_dir is not None and out_dir.is_dir():
        # perfrules' own earlier outputs in a folder that is also searched for forms
        skip.extend(str(p) for p in _subfolders_to_skip(out_dir, args.inputs))
    found = find_forms(args.inputs, registry, follow_symlinks=args.follow_symlinks, skip=skip)
    if not found:
        return _usage(parser, lang, "no-forms", inputs=", ".join(args.inputs))
    if not to_stdout:
        targets = [str(out_dir / n) for n in OUTPUT_NAMES] if out_dir is not None else [out]
        clash = _overwrites_input(targets, [f.path for f in found] + list(args.inputs))
        if clash is not None:
            return _usage(parser, lang, "overwrites-input", output=out, input=clash)
    names = annotated_names([f.path for f in found], out_dir) if (
        args.format == "xlsx" and out_dir is not None) else {}
    jobs = [Job(index=i, path=f.path, reader=args.reader, ruleset=args.ruleset,
                annotate=names.get(f.path)) for i, f in enumerate(found) if f.error is None]
    results: dict[int, list[BatchItem]] = {
        i: [BatchItem(path=f.path, error=f.error, error_zh=f.error_zh)]
        for i, f in enumerate(found) if f.error}
    if out_dir is not None and args.format == "xlsx":
        out_dir.mkdir(parents=True, exist_ok=True)
    timeout = args.timeout or None
    if timeout is None and args.jobs == 1:
        stream: Iterator[tuple[Job, list[BatchItem]]] = (
            (job, audit_file(job, registry)) for job in jobs)
    else:
        stream = run_jobs(jobs, args.jobs, timeout, registry)
    for job, job_items in _progress(stream, len(jobs)):
        results[job.index] = job_items
    items = [item for i in sorted(results) for item in results[i]]
    _write_outputs(items, args, out_dir, None if to_stdout else out)
    if any(not item.readable for item in items):
        return EXIT_INPUT
    if any(item.report is not None and item.report.fails(args.fail_on) for item in items):
        return EXIT_FINDINGS
    return EXIT_OK


def _subfolders_to_skip(out_dir: Path, inputs: Sequence[str]) -> list[Path]:
    """The output folder, when it lies strictly inside a folder searched for forms."""
    real = os.path.realpath(out_dir)
    for item in inputs:
        root = os.path.realpath(item)
        if os.path.isdir(item) and real != root and _is_inside(real, root):
            return [out_dir]
    return []


def _overwrites_input(targets: Sequence[str], inputs: Sequence[str]) -> Optional[str]:
    real = {os.path.realpath(p): p for p in inputs}
    for target in targets:
        hit = real.get(os.path.realpath(target))
        if hit is not None:
            return hit
    return None


def _write_outputs(items: Sequence[BatchItem], args: argparse.Namespace,
                   out_dir: Optional[Path], out: Optional[str]) -> None:
    from .cli import emit

    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(out_dir / "summary.csv", summary_csv(items))
        write_atomic(out_dir / "summary.json", audit_json(items))
        write_atomic(out_dir / "audit.html", audit_html(items, args.lang))
        emit(audit_text(items, args.lang), None)
        return
    render = {"text": audit_text, "markdown": audit_markdown, "html": audit_html}
    data = audit_json(items) if args.format == "json" else render[args.format](items, args.lang)
    emit(data, out)


__all__ = ["DEFAULT_TIMEOUT", "Found", "Job", "audit_file", "audit_one", "display_names",
           "find_forms", "run_audit", "run_jobs"]
