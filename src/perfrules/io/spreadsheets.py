"""Readers of real forms as finance staff hold them: Excel (.xlsx), Word (.docx), CSV."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import attrs

from .._model import Form
from ..exceptions import FormError, MissingDependencyError
from .canonical import check_file, read_bytes
from .canonical import file_error as _error
from .table import GridCell, recognize

__all__ = ["CsvReader", "DocxReader", "XlsxReader"]

#: Limits against decompression bombs and runaway files.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 200
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _head(path: Path) -> bytes:
    """The first bytes of a file that exists, is not empty and not too large."""
    check_file(path, MAX_FILE_BYTES)
    with path.open("rb") as fh:
        return fh.read(8)


def _check_zip(path: Path, kind: str, resave: str) -> None:
    """Refuse what is not an OOXML zip, with the reason a person can act on."""
    head = _head(path)
    if head == _OLE_MAGIC:
        raise _error(str(path), "encrypted-or-old",
                     f"the file is password-protected, or an old binary {kind} file saved "
                     f"under a new name", f"remove the password, or save it as {resave}")
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _error(str(path), "corrupt-file", f"the file is not a valid {resave} file (corrupt "
                     "or not a zip archive)", f"a {resave} file saved by Excel, WPS or Word") from None
    if total > MAX_UNZIPPED_BYTES:
        raise _error(str(path), "file-too-large", f"the file unpacks to {total} bytes; the limit is "
                     f"{MAX_UNZIPPED_BYTES}")


@attrs.frozen
class XlsxReader:
    """Excel workbooks, in openpyxl's read-only mode; the first sheet with a table."""

    name: str = "xlsx"
    extensions: tuple[str, ...] = (".xlsx", ".xlsm")

    def read(self, path: Path) -> Form:
        try:
            import openpyxl
            from openpyxl.utils import get_column_letter
        except ImportError:
            raise MissingDependencyError("reading .xlsx forms", "excel") from None
        _check_zip(path, "Excel (.xls)", ".xlsx")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for broken files
            raise _error(str(path), "corrupt-file", f"Excel cannot be read: {type(exc).__name__}: "
                         f"{exc}", "a .xlsx file saved by Excel or WPS") from None
        try:
            failures: list[FormError] = []
            for sheet in workbook.worksheets:
                grid = _sheet_grid(sheet, get_column_letter, path)
                if not grid:
                    continue
                try:
                    return recognize(grid, str(path))
                except FormError as exc:
                    failures.append(exc)
            if failures:
                raise _best(failures)
            raise _error(str(path), "empty-file", "the workbook has no content")
        finally:
            workbook.close()


def _best(failures: list[FormError]) -> FormError:
    """The most informative failure of several sheets or tables."""
    order = {"missing-column": 0, "no-indicators": 1, "no-table": 2, "empty-file": 3}
    return min(failures, key=lambda e: min(order.get(p.code, 9) for p in e.problems))


def _sheet_grid(sheet: Any, letter: Any, path: Path) -> list[list[GridCell]]:
    grid: list[list[GridCell]] = []
    title = sheet.title
    for r, row in enumerate(sheet.iter_rows(min_row=1, min_col=1), start=1):
        if r > MAX_ROWS:
            raise _error(str(path), "too-many-rows", f"sheet {title} has more than {MAX_ROWS} rows")
        cells = []
        for c, cell in enumerate(row[:MAX_COLUMNS], start=1):
            fmt = getattr(cell, "number_format", None) or ""
            value = cell.value
            cells.append(GridCell(value=value, where=f"{title}!{letter(c)}{r}",
                                  percent=isinstance(value, (int, float)) and "%" in fmt))
        grid.append(cells)
    while grid and all(c.value is None for c in grid[-1]):
        grid.pop()
    return grid


@attrs.frozen
class DocxReader:
    """Word documents: every table, in order, merged cells resolved."""

    name: str = "docx"
    extensions: tuple[str, ...] = (".docx",)

    def read(self, path: Path) -> Form:
        try:
            import docx
        except ImportError:
            raise MissingDependencyError("reading .docx forms", "word") from None
        _check_zip(path, "Word (.doc)", ".docx")
        try:
            document = docx.Document(str(path))
        except Exception as exc:  # python-docx raises many types for broken files
            raise _error(str(path), "corrupt-file", f"Word cannot be read: {type(exc).__name__}: "
                         f"{exc}", "a .docx file saved by Word or WPS") from None
        grid: list[list[GridCell]] = []
        for t, table in enumerate(document.tables, start=1):
            for r, row in enumerate(table.rows, start=1):
                if len(grid) > MAX_ROWS:
                    raise _error(str(path), "too-many-rows", f"more than {MAX_ROWS} table rows")
                cells: list[GridCell] = []
                previous = None
                for c, cell in enumerate(row.cells, start=1):
                    # a horizontally merged cell repeats: keep its text in the first column only
                    same = previous is not None and cell._tc is previous
                    previous = cell._tc
                    cells.append(GridCell(value=None if same else cell.text,
                                          where=f"表{t}第{r}行第{c}列"))
                grid.append(cells)
        paragraphs = [p.text for p in document.paragraphs[:20]]
        if not grid:
            raise _error(str(path), "no-table", "the document has no table",
                         "a 绩效自评表 as a Word table")
        return recognize(grid, str(path), paragraphs=paragraphs)


@attrs.frozen
class CsvReader:
    """CSV as Chinese Excel exports it: UTF-8 (with or without BOM) or GB18030/GBK."""

    name: str = "csv"
    extensions: tuple[str, ...] = (".csv",)

    def read(self, path: Path) -> Form:
        text = decode_csv(read_bytes(path, MAX_FILE_BYTES), path)
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        grid: list[list[GridCell]] = []
        for r, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if r > MAX_ROWS:
                raise _error(str(path), "too-many-rows", f"more than {MAX_ROWS} rows")
            grid.append([GridCell(value=v, where=f"{path.name}!{_letter(c)}{r}")
                         for c, v in enumerate(row[:MAX_COLUMNS], start=1)])
        return recognize(grid, str(path))


def _letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def decode_csv(data: bytes, path: Path) -> str:
    """UTF-8 (BOM or not) when the bytes are UTF-8, else GB18030 (a superset of GBK).

    Never guesses silently: bytes that are neither are an error.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _error(str(path), "bad-encoding", f"the file is neither UTF-8 nor GBK/GB18030 "
                     f"(byte {exc.start})", "save the CSV as UTF-8") from None
