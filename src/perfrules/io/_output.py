"""Outputs that never destroy what they point at and never lose another output.

Every command writes its files through :func:`write_all` (or :func:`write_file`):

- an output path that exists and is not a regular file — a device such as
  ``/dev/null``, a FIFO, a socket, a folder — is refused, never replaced (writing
  through a temporary file and a rename would turn ``-o /dev/null`` into a regular
  file: as root, it would replace the system's ``/dev/null``);
- ``-`` is standard output;
- names made from file and sheet names are safe and short (:func:`safe_name`): no
  separator or control character, at most 240 bytes, a hash suffix whenever a name
  had to be changed so that two names never become one;
- a failure to write one output is reported for that output and the others are
  written; at the end, :class:`OutputError` names what was and was not written
  (a full disk ends in that message, never in a traceback).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Callable, Optional, Union

from .._messages import text
from ..exceptions import PerfrulesError
from ._width import clean, terminal

__all__ = [
    "NAME_BYTES",
    "OutputError",
    "Outputs",
    "annotate_or_note",
    "check_target",
    "note_annotations",
    "quiet_finalizers",
    "safe_name",
    "safe_path",
    "write_all",
    "write_file",
]

#: The longest name perfrules gives a file it makes, in bytes: most file systems take 255
#: per path component, and the temporary file it is written through (``.NAME.xxxxxxxx.tmp``)
#: needs 14 more.
NAME_BYTES = 240

Data = Union[bytes, Callable[[str], None]]


class OutputError(PerfrulesError):
    """An output that cannot or must not be written (it would overwrite an input …).

    ``message_id`` and ``values`` name the message of the catalogue, so that
    the command line says it in its language; ``str()`` is English.
    """

    def __init__(self, message_id: str, **values: object) -> None:
        self.message_id = message_id
        self.values = values
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return text(self.message_id, lang, **{k: format(v, lang) if isinstance(v, (_Kind, _Listed))
                                              else v for k, v in self.values.items()})


def _kind(mode: int, lang: str) -> str:
    kind = ("fifo" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
            else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "folder-kind" if stat.S_ISDIR(mode) else "not-regular")
    return text(kind, lang)


def check_target(target: Union[str, Path]) -> None:
    """Refuse an output path that exists and is not a regular file (it is never replaced)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return  # it does not exist (or cannot be looked at: writing it says why)
    if not stat.S_ISREG(mode):
        raise OutputError("output-not-a-file", output=clean(target),
                          kind=_Kind(mode))


class _Kind:
    """What an output path is, said in the language of the message it goes into."""

    def __init__(self, mode: int) -> None:
        self.mode = mode

    def __format__(self, spec: str) -> str:
        return _kind(self.mode, spec or "en")

    def __str__(self) -> str:
        return _kind(self.mode, "en")


def write_file(target: Union[str, Path], data: Data) -> None:
    """Write one file atomically, after :func:`check_target`.

    On failure the temporary file is removed and a half-written zip (openpyxl's
    ``workbook.save`` on a full disk) is closed quietly, with no "Exception ignored"
    traceback from its ``__del__``.
    """
    from .audit_render import write_atomic

    path = Path(target)
    check_target(path)
    if not callable(data):
        write_atomic(path, data)
        return
    with quiet_finalizers():
        write_atomic(path, data)


@contextlib.contextmanager
def quiet_finalizers() -> Iterator[None]:
    """Around a write that may fail half-way: what it left open (a zip, an lxml writer)
    is collected at the end without printing "Exception ignored in …" for the errors
    their finalizers raise on a full disk."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        yield
    finally:
        try:
            gc.collect()
        finally:
            sys.unraisablehook = hook


class _Noted(Exception):
    """A failure reported by a worker process, in both languages."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def _reason(exc: BaseException, lang: str) -> str:
    if isinstance(exc, _Noted):
        return exc.zh if lang == "zh" else exc.en
    if isinstance(exc, OutputError):
        return exc.message(lang)
    if isinstance(exc, OSError):
        return terminal(exc.strerror or exc)
    return terminal(f"{type(exc).__name__}: {exc}")


class Outputs:
    """The files of one run: written one by one, each failure kept, none losing another."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.failed: list[tuple[str, BaseException]] = []

    def write(self, target: Union[str, Path], data: Data) -> bool:
        """Write ``target`` (``-``: standard output); False, the failure kept, if it failed."""
        name = os.fspath(target)
        try:
            if name == "-":
                assert isinstance(data, bytes)
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            else:
                write_file(name, data)
        except (Exception, SystemExit) as exc:  # one output's failure is that output's
            if isinstance(exc, BrokenPipeError):
                raise
            self.failed.append((name, exc))
            return False
        self.written.append(name)
        return True

    def fail(self, target: Union[str, Path], exc: BaseException) -> None:
        """Count an output that could not even be made (its writer failed)."""
        self.failed.append((os.fspath(target), exc))

    def note(self, target: str, message_en: str, message_zh: str) -> None:
        """Count an output a worker could not write (an annotated copy), with its reason."""
        self.failed.append((target, _Noted(message_en, message_zh)))

    def check(self) -> None:
        """Raise :class:`OutputError` naming what was and was not written, if anything failed."""
        if not self.failed:
            return
        if len(self.failed) == 1 and not self.written:
            exc = self.failed[0][1]
            if isinstance(exc, (OutputError, OSError)):  # the one output: said as it is
                raise exc
        raise OutputError("outputs-failed", failed=_Listed(self.failed, True),
                          written=_Listed([(n, None) for n in self.written], False))


class _Listed:
    """Outputs with their reasons, in the message's language (``{failed:zh}``)."""

    def __init__(self, items: Sequence[tuple[str, Optional[BaseException]]], reasons: bool) -> None:
        self.items = list(items)
        self.reasons = reasons

    def __format__(self, spec: str) -> str:
        lang = spec or "en"
        if not self.items:
            return text("nothing", lang)
        sep = "；" if lang == "zh" else "; "
        parts = []
        for name, exc in self.items:
            shown = terminal(name)
            if self.reasons and exc is not None:
                shown += ("（" + _reason(exc, lang) + "）") if lang == "zh" else (
                    f" ({_reason(exc, lang)})")
            parts.append(shown)
        return sep.join(parts)

    def __str__(self) -> str:
        return format(self, "en")


def write_all(outputs: Iterable[tuple[Union[str, Path], Data]]) -> Outputs:
    """Write every output it can; the result says what was and was not written."""
    done = Outputs()
    for target, data in outputs:
        done.write(target, data)
    return done


# -- names ------------------------------------------------------------------------------

#: What a file name may not hold on any system perfrules runs on (Windows included),
#: and what a terminal would not show.
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|\u2028\u2029\u202a-\u202e\u2066-\u2069]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]


def safe_name(name: str, suffix: str = "", limit: int = NAME_BYTES) -> str:
    """``name + suffix`` as one safe file name of at most ``limit`` bytes (UTF-8).

    Separators (``/`` in a sheet named ``自评/表``), control characters and what
    Windows forbids become ``_``; a name changed that way, or cut to fit, gets a
    hash of the original (``自评_表-1a2b3c4d5e``), so that two different names never
    become one. A name that needs neither is returned as it is.
    """
    original = name
    cleaned = _UNSAFE_NAME.sub("_", clean(name)).strip(" .")
    if _RESERVED.match(cleaned):
        cleaned = "_" + cleaned
    changed = cleaned != original or not cleaned
    cleaned = cleaned or "_"
    if not changed and len((cleaned + suffix).encode("utf-8")) <= limit:
        return cleaned + suffix
    tag = "-" + _digest(original)
    room = limit - len((tag + suffix).encode("utf-8"))
    cut = cleaned.encode("utf-8")[:max(room, 1)].decode("utf-8", "ignore").rstrip(" .")
    return (cut or "_") + tag + suffix


def safe_path(path: Union[str, Path], limit: int = NAME_BYTES) -> Path:
    """A path whose every component fits in ``limit`` bytes (too long ones get a hash)."""
    parts = Path(path).parts
    out = []
    for part in parts:
        if len(os.fsencode(part)) <= limit or part in (os.sep, "/"):
            out.append(part)
            continue
        stem, dot, ext = part.rpartition(".") if "." in part[1:] else (part, "", "")
        suffix = f".{ext}" if dot and len(ext.encode()) < 32 else ""
        base = stem if suffix else part
        out.append(safe_name(base, suffix, limit))
    return Path(*out) if out else Path(path)


def annotate_or_note(items: Sequence[Any], target: Optional[str],
                     annotate: Callable[..., Any], lang: Optional[str] = None) -> list[Any]:
    """Make a file's annotated copy; if that fails, the file's audits are kept.

    The failure is noted on the first item (``error``, ``error_zh``: "annotated copy
    not written: …"), which stays readable, and, with ``lang``, said on stderr at once.
    """
    import attrs

    out = list(items)
    if target is None or not out:
        return out
    try:
        with quiet_finalizers():
            check_target(target)
            live = live_links(out[0].path)
            if live is not None:  # never copied on: the copy would run or fetch it when opened
                raise OutputError("live-links", where=live)
            annotate(out, Path(target).parent, target=Path(target))
    except (Exception, SystemExit) as exc:
        first = out[0]
        out[0] = attrs.evolve(
            first, error=text("annotated-not-written", "en", target=terminal(target),
                              reason=_reason(exc, "en")),
            error_zh=text("annotated-not-written", "zh", target=terminal(target),
                          reason=_reason(exc, "zh")))
        if lang is not None:
            message = out[0].error_zh if lang == "zh" else out[0].error
            print(text("error", lang, prog="perfrules", message=message), file=sys.stderr,
                  flush=True)
    return out


_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\s[^>]*?\bname=(?:\"([^\"]*)\"|'([^']*)')")


def duplicate_sheet(path: str) -> Optional[str]:
    """A sheet title a workbook gives to two sheets (compared without case, as Excel
    does, which forbids it), or None.

    Findings name their cell by sheet title (``自评表!F7``): in such a workbook they
    cannot say which of the two sheets they are on, and openpyxl renames the second
    (``自评表1``), so an annotated copy would mark the first sheet for both forms.
    """
    import html
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = [i.filename for i in archive.infolist()
                     if i.filename.replace("\\", "/").lower().lstrip("/") == "xl/workbook.xml"]
            data = archive.read(parts[0]) if parts else b""
    except (OSError, zipfile.BadZipFile, ValueError, KeyError):
        return None  # the reader said what is wrong with the file
    seen: set[str] = set()
    for match in _SHEET_NAME.finditer(data):
        raw = match.group(1) if match.group(1) is not None else match.group(2)
        name = html.unescape(raw.decode("utf-8", "replace"))
        if name.casefold() in seen:
            return name
        seen.add(name.casefold())
    return None


_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</(?:\w+:)?f>")
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*\br="([A-Z]+[0-9]+)"[^>]*>(?:(?!</(?:\w+:)?c>).)*$',
                       re.DOTALL)
_STRING = re.compile(r'"[^"]*"')
_DDE = re.compile(r"\|| DDE(?:AUTO)?\s*\(|^DDE(?:AUTO)?\s*\(|\[\d+\]|\[[^\]]*\.xl[a-z]*\]",
                  re.IGNORECASE)


def live_links(path: str) -> Optional[str]:
    """Where a workbook holds a DDE formula (``=cmd|' /C calc'!A0``, ``DDEAUTO``) or an
    external link (``[1]Sheet1!A1``, ``'C:\\[book.xlsx]S'!A1``, an external-link part), or
    None. An annotated copy is never made of such a workbook: opening the copy would
    offer to run the program or fetch the other file, as the input itself does."""
    import html
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename.replace("\\", "/").lower()
                if name.startswith("xl/externallinks/"):
                    return f"{info.filename} (an external link)"
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                data = archive.read(info.filename)
                for match in _FORMULA.finditer(data):
                    formula = html.unescape(match.group(1).decode("utf-8", "replace"))
                    if _DDE.search(_STRING.sub('""', formula)):
                        cell = _CELL_REF.search(data[:match.start()])
                        where = cell.group(1).decode() if cell else info.filename
                        return f"{where}: ={terminal(formula)[:80]}"
    except (OSError, zipfile.BadZipFile, ValueError):
        return None  # the reader said what is wrong with the file
    return None


def note_annotations(outputs: Outputs, items: Iterable[Any]) -> None:
    """Count the annotated copies workers could not write (noted by :func:`annotate_or_note`
    on the first audit of their file, which stays readable)."""
    for item in items:
        if getattr(item, "report", None) is not None and getattr(item, "error", None):
            outputs.note(item.path, item.error, item.error_zh or item.error)
