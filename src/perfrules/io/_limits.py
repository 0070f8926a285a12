"""Per-file budgets: what one real form needs, and a clear refusal beyond it.

Every limit is a field of :class:`Limits`. The defaults are sized to real
forms with a wide margin; each can be raised for one process with an
environment variable ``PERFRULES_<FIELD>`` (``PERFRULES_MAX_CELLS=500000``) or
for one reader with ``XlsxReader(limits=Limits(max_cells=...))``. A refusal
names the limit, the value found and how to raise it.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Optional

import attrs

from .._model import Form
from ..exceptions import FormError, InputError, Problem
from .canonical import check_file
from .canonical import file_error as _error

__all__ = ["ENV_PREFIX", "Limits", "ManyForms", "check_zip", "head", "limit_error", "resolve"]

ENV_PREFIX = "PERFRULES_"
_MIB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@attrs.frozen(kw_only=True)
class Limits:
    """Budgets for reading one file (see docs/file-formats.md)."""

    #: size of the file on disk
    max_file_bytes: int = 50 * _MIB
    #: unpacked size of any one XML part of an .xlsx/.docx (a form's sheet is well under 1 MB)
    max_part_bytes: int = 8 * _MIB
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


def check_zip(path: Path, kind: str, resave: str, limits: Limits) -> None:
    """Refuse what is not an OOXML zip, or one whose XML parts exceed the budget."""
    if head(path, limits) == _OLE_MAGIC:
        raise _error(str(path), "encrypted-or-old",
                     f"the file is password-protected, or an old binary {kind} file saved "
                     f"under a new name", f"remove the password, or save it as {resave}")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _error(str(path), "corrupt-file", f"the file is not a valid {resave} file (corrupt "
                     "or not a zip archive)", f"a {resave} file saved by Excel, WPS or Word") from None
    if len(infos) > limits.max_parts:
        raise limit_error(str(path), "max_parts", limits.max_parts,
                          f"the file holds {len(infos)} parts")
    for info in infos:
        name = info.filename.lower()
        if name.endswith((".xml", ".rels")) and info.file_size > limits.max_part_bytes:
            raise limit_error(f"{path}:{info.filename}", "max_part_bytes", limits.max_part_bytes,
                              f"the part {info.filename} unpacks to {info.file_size} bytes")
