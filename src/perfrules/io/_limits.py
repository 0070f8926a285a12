"""Per-file budgets: what one real form needs, and a clear refusal beyond it.

Every limit is a field of :class:`Limits`. The defaults are sized to real
forms with a wide margin; each can be raised for one process with an
environment variable ``PERFRULES_<FIELD>`` (``PERFRULES_MAX_CELLS=500000``) or
for one reader with ``XlsxReader(limits=Limits(max_cells=...))``. A refusal
names the limit, the value found and how to raise it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Optional

import attrs

from .._model import Form
from ..exceptions import FormError, InputError, Problem
from .canonical import check_file
from .canonical import file_error as _error

__all__ = ["ENV_PREFIX", "Limits", "ManyForms", "Unpacked", "check_cells", "check_indicators",
           "check_text", "check_zip", "head", "limit_error", "open_zip", "resolve",
           "xls_cell_budget"]

ENV_PREFIX = "PERFRULES_"
_MIB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@attrs.frozen(kw_only=True)
class Limits:
    """Budgets for reading one file (see docs/file-formats.md)."""

    #: size of the file on disk
    max_file_bytes: int = 50 * _MIB
    #: unpacked size of any one part of an .xlsx/.docx, whatever its name (a form's sheet is
    #: well under 1 MB)
    max_part_bytes: int = 8 * _MIB
    #: unpacked size of all the parts of an .xlsx/.docx together, a part counted each time a
    #: sheet uses it; of all the streams of a PDF together, counted while they are unpacked
    max_unpacked_bytes: int = 64 * _MIB
    #: entries in an .xlsx/.docx zip
    max_parts: int = 5_000
    #: cells holding a value in the whole file (Word: table cells); ``--max-cells``
    max_cells: int = 200_000
    #: rows × columns spanned by the occupied cells of one sheet or table
    max_area: int = 500_000
    #: tables in a Word document
    max_tables: int = 1_000
    #: paragraphs in a Word document, table cells' paragraphs included
    max_paragraphs: int = 200_000
    #: characters in one CSV field
    max_field_chars: int = 128 * 1024
    #: pages of a PDF
    max_pages: int = 300
    #: crossings of ruled lines on one PDF page (horizontal × vertical rules; a form's page
    #: has under 700): finding the cells of a grid takes time that grows with its square
    max_page_crossings: int = 3_000
    #: crossings of ruled lines on all the pages of a PDF together (pages × cells)
    max_pdf_crossings: int = 30_000
    #: indicators of a form in JSON, TOML or YAML (a real form has fewer than 200)
    max_indicators: int = 10_000
    #: size of a form file in JSON, TOML or YAML, checked before it is parsed (a real form
    #: is well under 1 MB): what bounds the memory of the parse
    max_text_bytes: int = 8 * _MIB
    #: characters in one cell or paragraph of text (longer text is not folded for matching:
    #: NFKC normalisation is quadratic on runs of combining marks)
    max_cell_chars: int = 10_000

    @classmethod
    def from_env(cls, environ: Optional[dict[str, str]] = None) -> Limits:
        """The defaults, each overridden by ``PERFRULES_<FIELD>`` when set."""
        env = os.environ if environ is None else environ
        changes: dict[str, int] = {}
        problems = []
        for field in attrs.fields(cls):
            name = ENV_PREFIX + field.name.upper()
            raw = env.get(name, "").strip()
            if not raw:
                continue
            try:
                value = int(raw.replace("_", ""))
            except ValueError:
                value = 0
            if value <= 0:
                problems.append(Problem(code="bad-setting", field=name, value=raw,
                                        message=f"{name} is not a positive whole number",
                                        expected=f"e.g. {name}={getattr(cls(), field.name) * 2}"))
            else:
                changes[field.name] = value
        if problems:
            raise InputError(problems)
        return cls(**changes)


class ManyForms:
    """A reader of files that can hold several forms: ``read`` returns the only one."""

    __slots__ = ()

    def read_all(self, path: Path) -> tuple[Form, ...]:
        raise NotImplementedError

    def read(self, path: Path) -> Form:
        forms = self.read_all(path)
        if len(forms) > 1:
            names = "、".join(f.source or "?" for f in forms)
            raise FormError(Problem(
                code="several-forms", location=str(path),
                message=f"the file holds {len(forms)} forms ({names})",
                expected="perfrules.load_all(path), which returns every form of the file"),
                str(path))
        return forms[0]


def resolve(limits: Optional[Limits]) -> Limits:
    """A reader's own limits, or else those of the environment."""
    return limits if limits is not None else Limits.from_env()


def limit_error(where: str, field: str, limit: int, found: str) -> FormError:
    """A refusal naming the limit, what was found and how to raise it."""
    env = ENV_PREFIX + field.upper()
    how = f"set the environment variable {env} to a larger number"
    if field == "max_cells":
        how = f"use --max-cells N or set the environment variable {env}"
    return _error(where, "limit-exceeded",
                  f"{found}; the limit {field} is {limit}",
                  f"at most {limit}; if the file is a real form, {how}")


def head(path: Path, limits: Limits, size: int = 8) -> bytes:
    """The first bytes of a file that exists, is not empty and not too large."""
    check_file(path, limits.max_file_bytes)
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError as exc:
        raise _error(str(path), "unreadable", f"cannot read the file: {exc.strerror or exc}") from None


def check_zip(path: Path, kind: str, resave: str, limits: Limits) -> Unpacked:
    """Refuse what is not an OOXML zip, one with two entries of one name, or one whose
    parts (every part, whatever its name) or their total exceed the budgets.

    Returns the budget of what is read from it, for readers that read a part once per
    use (sheets that share one part: each use counts).
    """
    archive, unpacked = open_zip(path, kind, resave, limits)
    archive.close()
    return unpacked


def open_zip(path: Path, kind: str, resave: str, limits: Limits) -> tuple[zipfile.ZipFile, Unpacked]:
    """:func:`check_zip`, and the archive it checked, open (the caller closes it): its
    directory is read once, not once to check and again to read (on a small form that
    is a tenth of the reading)."""
    if head(path, limits) == _OLE_MAGIC:
        raise _error(str(path), "encrypted-or-old",
                     f"the file is password-protected, or an old binary {kind} file saved "
                     f"under a new name", f"remove the password, or save it as {resave}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _error(str(path), "corrupt-file", f"the file is not a valid {resave} file (corrupt "
                     "or not a zip archive)", f"a {resave} file saved by Excel, WPS or Word") from None
    try:
        return archive, _check_parts(path, archive.infolist(), resave, limits)
    except BaseException:
        archive.close()
        raise


def _check_parts(path: Path, infos: list[zipfile.ZipInfo], resave: str, limits: Limits) -> Unpacked:
    if len(infos) > limits.max_parts:
        raise limit_error(str(path), "max_parts", limits.max_parts,
                          f"the file holds {len(infos)} parts")
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        key = info.filename.replace("\\", "/").lstrip("/").lower()  # OOXML names ignore case
        if key in seen:
            raise _error(f"{path}:{info.filename}", "duplicate-part",
                         f"the file holds two parts named {seen[key]!r} and {info.filename!r}; "
                         "which one a program reads is a matter of chance",
                         f"a {resave} file saved by Excel, WPS or Word (one part of each name)")
        seen[key] = info.filename
        if info.file_size > limits.max_part_bytes:
            raise limit_error(f"{path}:{info.filename}", "max_part_bytes", limits.max_part_bytes,
                              f"the part {info.filename} unpacks to {info.file_size} bytes")
        total += info.file_size
        if total > limits.max_unpacked_bytes:
            raise limit_error(str(path), "max_unpacked_bytes", limits.max_unpacked_bytes,
                              f"the parts of the file unpack to more than "
                              f"{limits.max_unpacked_bytes} bytes")
    return Unpacked(path=path, sizes={i.filename: i.file_size for i in infos},
                    left=limits.max_unpacked_bytes, limit=limits.max_unpacked_bytes)


@attrs.define
class Unpacked:
    """What is left to read of a zip: a part is counted each time it is used (fifty sheets
    pointing at one 8 MB part are 400 MB to parse, not 8)."""

    path: Path
    sizes: dict[str, int]
    left: int
    limit: int

    def use(self, part: str) -> None:
        size = self.sizes.get(part.lstrip("/"), 0)
        self.left -= size
        if self.left < 0:
            raise limit_error(str(self.path), "max_unpacked_bytes", self.limit,
                              f"the sheets read {part} and others, unpacking to more than "
                              f"{self.limit} bytes in all (a part counts each time it is used)")


def check_text(text: str, where: str, limits: Limits) -> None:
    """Refuse a cell or paragraph longer than ``max_cell_chars`` (before it is normalised)."""
    if len(text) > limits.max_cell_chars:
        raise limit_error(where, "max_cell_chars", limits.max_cell_chars,
                          f"the text at {where} has {len(text)} characters")


def check_cells(rows: Iterable[Iterable[Any]], paragraphs: Iterable[str], where: str,
                limits: Optional[Limits] = None) -> None:
    """Every text cell (``GridCell``) and paragraph of a grid within ``max_cell_chars``."""
    lim = resolve(limits)
    bound = lim.max_cell_chars
    for row in rows:
        for cell in row:
            value = cell.value
            if value.__class__ is str and len(value) > bound:
                check_text(value, cell.where, lim)
    for text in paragraphs:
        if len(text) > bound:
            check_text(text, where, lim)


def check_indicators(data: Any, where: str, limits: Optional[Limits] = None) -> None:
    """Refuse a canonical form with more than ``max_indicators`` indicators."""
    lim = resolve(limits)
    found = data.get("indicators") if isinstance(data, dict) else None
    if isinstance(found, list) and len(found) > lim.max_indicators:
        raise limit_error(where, "max_indicators", lim.max_indicators,
                          f"the form has {len(found)} indicators")


@contextlib.contextmanager
def xls_cell_budget(xlrd: Any, where: str, limits: Limits) -> Iterator[None]:
    """Count the cells of an .xls while xlrd reads them, and stop at ``max_cells``.

    xlrd parses a whole sheet before handing it over; counting afterwards let an
    8 M-cell sheet take 1.5 GB before it was refused. The count is per thread.
    """
    sheet_type = xlrd.sheet.Sheet
    empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
    state = _XLS_STATE
    state.left = limits.max_cells
    originals = {name: getattr(sheet_type, name) for name in ("put_cell_ragged",
                                                               "put_cell_unragged")}

    def counting(original: Any) -> Any:
        def put(self: Any, rowx: int, colx: int, ctype: int, value: Any, xf_index: int) -> Any:
            if ctype not in empty and getattr(state, "left", None) is not None:
                state.left -= 1
                if state.left < 0:
                    raise limit_error(where, "max_cells", limits.max_cells,
                                      f"the file has more than {limits.max_cells} cells with "
                                      "a value")
            return original(self, rowx, colx, ctype, value, xf_index)
        return put

    with _XLS_LOCK:
        for name, original in originals.items():
            setattr(sheet_type, name, counting(original))
        try:
            yield
        finally:
            for name, original in originals.items():
                setattr(sheet_type, name, original)
            state.left = None


#: per-thread count of :func:`xls_cell_budget`; the lock keeps one patch at a time
_XLS_STATE = threading.local()
_XLS_LOCK = threading.RLock()
