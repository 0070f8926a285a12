"""Audit a batch of files: find the forms, audit each file on its own, in order.

The library side of ``perfrules audit`` and :func:`perfrules.dask.audit_files`:
the walk of the folders given, one file's audit that never raises (whatever
goes wrong is that file's error row), and :func:`audit_stream`, which runs
them on the batch engine (:mod:`perfrules._pool`) and gives back, in input
order, what each output needs of each form (:class:`~perfrules.io.audit_render.FormOut`).
Settings travel as arguments (:class:`Settings`), never through the
environment.
"""

from __future__ import annotations

import contextlib
import decimal
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import attrs

from ._audit import audit
from ._messages import error_text, problem_text, text, without_source
from ._numbers import CONTEXT
from ._pool import Failure, run_tasks
from ._registry import Registry, get_registry
from .exceptions import InputError, PerfrulesError
from .io._limits import Limits
from .io._output import annotate_or_note
from .io.audit_render import BatchItem, FormOut, annotate_xlsx, form_out

if TYPE_CHECKING:
    from ._model import Form

__all__ = ["Found", "Job", "Settings", "audit_file", "audit_one", "audit_stream", "find_forms"]

#: How perfrules' own summaries begin (see :mod:`perfrules.io.audit_render`).
_SUMMARY_HEADS = {"summary.csv": ("\ufefffile,title,reported_total,".encode("utf-8"),
                                  "\ufeff文件,标题,表内总分,".encode("utf-8")),
                  "summary.json": (b'{\n  "summary": {',)}


def _is_our_summary(path: str) -> bool:
    """A summary.csv or summary.json an earlier ``perfrules audit -o`` wrote."""
    heads = _SUMMARY_HEADS.get(os.path.basename(path))
    if heads is None:
        return False
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never open a FIFO: it would block
            return False
        with open(path, "rb") as fh:
            start = fh.read(max(len(h) for h in heads))
        return any(start.startswith(h) for h in heads)
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
    """One file to audit, and where its annotated copy goes (when wanted)."""

    index: int
    path: str
    reader: Optional[str] = None
    ruleset: Optional[str] = None
    annotate: Optional[str] = None
    settings: Optional[Settings] = None
    #: the ruleset of forms that pin none (``--year/--region``); a form's own pin holds
    fallback_ruleset: Optional[str] = None


def chosen_ruleset(form: Form, explicit: Optional[str], fallback: Optional[str]) -> Optional[str]:
    """The ruleset a batch scores ``form`` under: an explicit one, else the form's own pin,
    else the one chosen by year and region (``None``: the default ruleset).

    A pin written in the form is never replaced by a year or region choice, so
    ``--year 2023 --region HB`` cannot move a form that says ``cn-mof-2020@1``.
    """
    if explicit is not None:
        return explicit
    return form.ruleset or fallback


@attrs.frozen(kw_only=True)
class Settings:
    """What a batch's workers need to know, sent with each file.

    ``limits``: the readers' budgets (``None``: the defaults and the
    ``PERFRULES_*`` variables of the worker); ``lang``: the language of the
    outputs; ``parts``: which outputs are made of each form (see
    :data:`perfrules.io.audit_render.PARTS`).
    """

    limits: Optional[Limits] = None
    lang: str = "zh"
    parts: tuple[str, ...] = ()


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
        return without_source(error_text(exc, lang), path)
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
    limits = job.settings.limits if job.settings is not None else None
    try:
        with decimal.localcontext(CONTEXT):
            forms = _load_all(job.path, job.reader, reg, limits,
                              ruleset=job.ruleset or job.fallback_ruleset)
            items = [BatchItem(path=job.path, form=_form_label(job.path, f.source, i, len(forms)),
                               report=audit(f, chosen_ruleset(f, job.ruleset,
                                                              job.fallback_ruleset),
                                            registry=reg))
                     for i, f in enumerate(forms)]
            # a copy that cannot be made is said on stderr: the audits are kept
            return annotate_or_note(items, job.annotate, annotate_xlsx,
                                    job.settings.lang if job.settings is not None else "zh")
    except (Exception, SystemExit) as exc:  # one file's failure is its error row
        return [_failed(exc, job.path)]


def _reader(path: str, reader_name: Optional[str], reg: Registry,
            limits: Optional[Limits]) -> Any:
    """The reader of ``path``, given ``limits`` when it takes them (as the built-in ones do)."""
    reader: Any = reg.reader_for(path, reader_name)
    if limits is not None and attrs.has(type(reader)) and "limits" in attrs.fields_dict(
            type(reader)):
        reader = attrs.evolve(reader, limits=limits)
    return reader


def _load_all(path: str, reader_name: Optional[str], reg: Registry,
              limits: Optional[Limits], ruleset: Optional[str] = None) -> tuple[Any, ...]:
    """:func:`perfrules.load_all`, with the reader's budgets given rather than from the
    environment (readers that take ``limits``, as the built-in ones do), reading with the
    vocabulary of ``ruleset`` (the run's ``--ruleset``, else its ``--year/--region`` choice)
    when it names a known ruleset — an unknown one is said when the forms are scored."""
    from . import _read_with, _reading_for

    try:
        known = ruleset if ruleset is not None and reg.ruleset(ruleset) is not None else None
    except PerfrulesError:
        known = None
    with _reading_for(reg, known):
        return _read_with(reg, _reader(path, reader_name, reg, limits), path)


def load_one(path: Union[str, Path], reader_name: Optional[str], reg: Registry,
             limits: Optional[Limits]) -> Any:
    """:func:`perfrules.load`, with the reader's budgets given (``convert``)."""
    from . import _from_reader, _reader_failed

    reader = _reader(str(path), reader_name, reg, limits)
    form = _from_reader(reg, reader, lambda: reader.read(Path(path)), path)
    from ._model import Form

    if not isinstance(form, Form):
        raise _reader_failed(reg, reader, path, TypeError(f"read() returned {form!r}, not a Form"))
    return form


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


def audit_rows(job: Job, registry: Registry) -> list[FormOut]:
    """One file's forms as the outputs need them (what a worker sends back)."""
    settings = job.settings or Settings()
    return [_noted(form_out(item, settings.lang, settings.parts), item)
            for item in audit_file(job, registry)]


def _noted(out: FormOut, item: BatchItem) -> FormOut:
    """A readable form's row keeps the note of its file's annotated copy that could not be
    written, so that the command counts that output as not written (its exit code)."""
    if out.readable and item.error:
        return attrs.evolve(out, error=item.error, error_zh=item.error_zh or "")
    return out


def _failed_rows(job: Job, failure: Failure) -> list[FormOut]:
    if failure.timed_out:
        _remove_partial(job)
    settings = job.settings or Settings()
    return [form_out(_error_item(job.path, failure.reason), settings.lang, settings.parts)]


def audit_stream(jobs: Iterable[Job], *, workers: int = 1, timeout: Optional[float] = None,
                 registry: Optional[Registry] = None) -> Iterator[tuple[Job, list[FormOut]]]:
    """Each job with its forms' rows, in input order, from ``workers`` processes.

    See :func:`perfrules._pool.run_tasks` for the time limit and isolation.
    """
    pairs: Callable[[Job, Registry], tuple[Job, list[FormOut]]] = _pair
    failed: Callable[[Job, Failure], tuple[Job, list[FormOut]]] = _failed_pair
    return run_tasks(pairs, jobs, failed=failed, workers=workers, timeout=timeout,
                     registry=registry)


def _pair(job: Job, registry: Registry) -> tuple[Job, list[FormOut]]:
    return job, audit_rows(job, registry)


def _failed_pair(job: Job, failure: Failure) -> tuple[Job, list[FormOut]]:
    return job, _failed_rows(job, failure)
