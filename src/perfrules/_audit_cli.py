"""``perfrules audit``: one form or a thousand, with exit codes for pipelines.

A thin command over the library's batch engine (:mod:`perfrules._auditing`,
:mod:`perfrules._pool`): each file is read and audited in a worker process
with a wall-clock limit, every exception becomes that file's error row, and
the outputs are written as the results arrive, in input order, so that
memory does not grow with the number of forms. The exit code stays 0, 1 or
2 as documented; a run stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) writes
what is done and exits with 128 + the signal's number.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Optional, cast

import attrs

from ._auditing import (
    Found,
    Job,
    Settings,
    _form_label,
    _is_inside,
    _message,
    audit_file,
    audit_one,
    audit_stream,
    find_forms,
)
from ._messages import LANGS, text
from ._pool import Interrupted, available_cores, catch_signals, run_tasks
from ._registry import Registry
from .io._limits import Limits
from .io._output import Outputs, check_target, safe_path
from .io._width import clean
from .io.audit_render import (
    OUTPUT_NAMES,
    PAGES_FOLDER,
    CsvSink,
    FindingsSink,
    FormOut,
    HtmlSink,
    JsonSink,
    MarkdownSink,
    Sink,
    Tally,
    TextSink,
    display_names,
    names_of,
)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

#: Seconds one file may take to be read and audited (``--timeout``).
DEFAULT_TIMEOUT = 60.0


# -- outputs written as results arrive -------------------------------------------------


class _Spool:
    """A file written as results arrive, renamed over its target only at the end."""

    def __init__(self, target: Path) -> None:
        import tempfile

        from .io.audit_render import _umask

        check_target(target)  # a device, FIFO or socket is refused, never replaced
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".tmp")
        if hasattr(os, "fchmod"):  # not on Windows, where files have no mode bits
            os.fchmod(fd, 0o666 & ~_umask())
        self.file: IO[bytes] = os.fdopen(fd, "wb")

    def commit(self) -> None:
        self.file.close()
        os.replace(self.tmp, self.target)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)


class _Outputs:
    """Every output of one run, fed form by form, in order."""

    def __init__(self, args: argparse.Namespace, lang: str, names: dict[str, str],
                 out_dir: Optional[Path], out: Optional[str]) -> None:
        self.tally = Tally()
        self.spools: list[_Spool] = []
        self.sinks: list[Sink] = []
        self.stdout: IO[bytes] = sys.stdout.buffer
        #: what was and was not written: one output that fails never loses another
        self.ledger = Outputs()
        #: the spool of each sink (None: standard output), and the sinks that failed
        self.spool_of: dict[int, Optional[_Spool]] = {}
        self.broken: set[int] = set()
        try:
            self._open(args, lang, names, out_dir, out)
        except BaseException:
            self.discard()
            raise
        self._pair()

    def _spool(self, target: Path) -> IO[bytes]:
        try:
            spool = _Spool(target)
        except OSError as exc:  # a folder that cannot be written: this output, not the run
            if not exc.filename:
                exc.filename = str(target)
            self.ledger.fail(target, exc)
            return cast(IO[bytes], _Failed(target, exc))
        self.spools.append(spool)
        return spool.file

    def _open(self, args: argparse.Namespace, lang: str, names: dict[str, str],
              out_dir: Optional[Path], out: Optional[str]) -> None:
        if out_dir is not None:
            self.sinks = [
                CsvSink(self._spool(out_dir / "summary.csv"), lang),
                JsonSink(self._spool(out_dir / "summary.json")),
                FindingsSink(self._spool(out_dir / "findings.jsonl")),
                HtmlSink(self._spool(out_dir / "audit.html"), lang, names,
                         pages=out_dir / PAGES_FOLDER),
                TextSink(self.stdout, lang, names, flush=True),
            ]
            return
        if out is None:
            dest, pages = self.stdout, None
        else:
            target = Path(out)
            dest, pages = self._spool(target), target.with_name(target.stem + "-pages")
        fmt = args.format
        sink: Sink
        if fmt == "json":
            sink = JsonSink(dest)
        elif fmt == "markdown":
            sink = MarkdownSink(dest, lang)
        elif fmt == "html":
            sink = HtmlSink(dest, lang, names, pages=pages)
        else:
            sink = TextSink(dest, lang, names, flush=out is None)
        self.sinks = [sink]

    def _pair(self) -> None:
        """Which spool each sink writes to (by its file), once the sinks are made."""
        files = {id(spool.file): spool for spool in self.spools}
        for i, sink in enumerate(self.sinks):
            dest = getattr(sink, "dest", None)
            self.spool_of[i] = files.get(id(dest))
            if isinstance(dest, _Failed):
                self.broken.add(i)

    def _each(self, call: Any) -> None:
        """``call(i, sink)`` for each sink still working; one that fails is that output's
        failure, said at the end (its temporary file removed), and the others go on."""
        for i, sink in enumerate(self.sinks):
            if i in self.broken:
                continue
            try:
                call(i, sink)
            except (Exception, SystemExit) as exc:
                spool = self.spool_of.get(i)
                if spool is None:  # standard output: as before (a closed pipe ends the run)
                    raise
                self.broken.add(i)
                if isinstance(exc, OSError) and not exc.filename:
                    exc.filename = str(spool.target)  # a full disk's EFBIG names no file
                self.ledger.fail(spool.target, exc)
                spool.discard()

    def add(self, out: FormOut) -> None:
        self.tally.add(out)
        self._each(lambda i, sink: sink.add(out, self.tally))

    def note(self, target: str, out: FormOut) -> None:
        """An annotated copy a worker could not write (said on stderr there)."""
        self.ledger.note(target, out.error, out.error_zh or out.error)

    def finish(self) -> None:
        self._each(lambda i, sink: sink.finish(self.tally))
        self.stdout.flush()

        def commit(i: int, sink: Sink) -> None:
            sink.close()
            spool = self.spool_of.get(i)
            if spool is not None:
                spool.commit()
                self.ledger.written.append(str(spool.target))
        self._each(commit)
        self.spools = []

    def discard(self) -> None:
        for sink in self.sinks:
            with contextlib.suppress(Exception):  # a full disk fails the close's flush too
                sink.close()
        for spool in self.spools:
            spool.discard()
        self.spools = []


class _Failed:
    """The file of an output that could not be opened (already counted as not written):
    its sink is never called after it is made, and what it writes on making goes nowhere."""

    def __init__(self, target: Path, exc: OSError) -> None:
        self.target, self.exc = target, exc

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def parts_for(args: argparse.Namespace, out_dir: Optional[Path]) -> tuple[str, ...]:
    """Which outputs the workers render of each form."""
    if out_dir is not None:
        return ("json", "findings", "html", "text")
    return {"json": ("json",), "markdown": ("markdown",), "html": ("html",)}.get(
        args.format, ("text",))


# -- the command ----------------------------------------------------------------------


def _usage(parser: argparse.ArgumentParser, lang: str, message_id: str, **values: object) -> int:
    parser.print_usage(sys.stderr)
    print(text("error", lang, prog=parser.prog, message=clean(text(message_id, lang, **values))),
          file=sys.stderr)
    return EXIT_INPUT


def run_audit(args: argparse.Namespace, registry: Registry,
              parser: argparse.ArgumentParser) -> int:
    lang = args.lang if args.lang in LANGS else "zh"
    workers = args.jobs if args.jobs is not None else available_cores()
    if workers < 1:
        return _usage(parser, lang, "jobs")
    if not args.timeout >= 0:  # nan too
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
        # an explicit --ruleset is the one pin that overrides the forms' own pins: said once
        print(text("pin-overridden-audit", lang, ruleset=registry.ruleset(args.ruleset).ref),
              file=sys.stderr)
    if not to_stdout and out_dir is None and Path(out).is_dir():
        from .io._output import OutputError

        raise OutputError("output-is-folder-plain", output=clean(out))
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
    from .io.audit_render import annotated_names

    names = {p: str(safe_path(n)) for p, n in annotated_names([f.path for f in found], out_dir)
             .items()} if (args.format == "xlsx" and out_dir is not None) else {}
    if out_dir is not None and args.format == "xlsx":
        out_dir.mkdir(parents=True, exist_ok=True)
    max_cells = getattr(args, "max_cells", None)
    settings = Settings(limits=None if max_cells is None else attrs.evolve(
        Limits.from_env(), max_cells=max_cells), lang=lang, parts=parts_for(args, out_dir))
    timeout = args.timeout or None
    outputs = _Outputs(args, lang, names_of([f.path for f in found]), out_dir,
                       None if to_stdout else out)
    readable = True
    fails = False
    done = 0
    try:
        with catch_signals(), contextlib.closing(
                _results(found, names, args, settings, workers, timeout, registry)) as results:
            for rows in _progress(results, len(found), lang):
                for row in rows:
                    if row.readable and row.error and names.get(row.path):
                        outputs.note(names[row.path], row)  # its annotated copy failed
                    outputs.add(row)
                    readable = readable and row.readable
                    fails = fails or row.fails(args.fail_on)
                done += 1
    except Interrupted as stop:
        outputs.tally.interrupted = True
        if names and out_dir is not None:  # annotated copies the stopped workers left half-written
            for leftover in out_dir.rglob(".*.audit.xls*.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        try:
            outputs.finish()
        finally:
            name = signal.Signals(stop.signum).name if stop.signum else "SIGINT"
            print(text("audit-interrupted", lang, signal=name, done=outputs.tally.forms,
                       left=len(found) - done), file=sys.stderr)
        return stop.exit_code
    except BaseException:
        outputs.discard()
        raise
    try:
        outputs.finish()
    except BaseException:  # a full disk: no temporary file is left behind
        outputs.discard()
        raise
    # an output that could not be written (an annotated copy too): named with its reason,
    # the others written; exit 2, the run not fully written
    outputs.ledger.check()
    if not readable:
        return EXIT_INPUT
    return EXIT_FINDINGS if fails else EXIT_OK


def _results(found: Sequence[Found], names: dict[str, str], args: argparse.Namespace,
             settings: Settings, workers: int, timeout: Optional[float],
             registry: Registry) -> Generator[list[FormOut], None, None]:
    """Each entry's rows, in the order found: errors of the walk as they are, files audited."""
    jobs = (Job(index=i, path=f.path, reader=args.reader, ruleset=args.ruleset,
                fallback_ruleset=getattr(args, "fallback_ruleset", None),
                annotate=names.get(f.path), settings=settings)
            for i, f in enumerate(found) if f.error is None)
    stream = audit_stream(jobs, workers=workers, timeout=timeout, registry=registry) if (
        timeout is not None or workers > 1) else (
        (job, _rows_here(job, registry)) for job in jobs)
    try:
        pending = next(stream, None)
        for i, entry in enumerate(found):
            if entry.error is not None:
                yield [_walk_error(entry, settings)]
                continue
            assert pending is not None and pending[0].index == i
            yield pending[1]
            pending = next(stream, None)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()


def _rows_here(job: Job, registry: Registry) -> list[FormOut]:
    from ._auditing import audit_rows

    return audit_rows(job, registry)


def _walk_error(entry: Found, settings: Settings) -> FormOut:
    from .io.audit_render import BatchItem, form_out

    return form_out(BatchItem(path=entry.path, error=entry.error, error_zh=entry.error_zh),
                    settings.lang, settings.parts)


def _progress(items: Iterator[Any], total: int, lang: str = "zh") -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal (tqdm, when installed): forms
    per second and the time left."""
    if total < 2 or not sys.stderr.isatty():
        return items
    try:
        from tqdm import tqdm
    except ImportError:
        return items
    return iter(tqdm(items, total=total, unit=text("progress-unit", lang), file=sys.stderr,
                     leave=False, smoothing=0.1,
                     bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} "
                                "[{elapsed}<{remaining}, {rate_fmt}]"))


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


__all__ = ["DEFAULT_TIMEOUT", "Found", "Job", "_form_label", "_message", "audit_file",
           "audit_one", "display_names", "find_forms", "run_audit", "run_tasks"]
