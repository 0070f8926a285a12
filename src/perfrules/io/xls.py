"""Old binary Excel workbooks (.xls, BIFF), as WPS and older Excel save them, through xlrd.

Merged cells hold their value in their first cell, as Excel stores them;
number formats that show ``%`` mark percentages (0.9935 shown as 99.35%), and a
``%`` written as text in the format (``0.00"%"``) follows the number as it is; cells
are named as Excel names them (``Sheet1!F14``). One form per sheet, as .xlsx.
"""

from __future__ import annotations

import importlib
import io
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import attrs

from .._model import Form
from .._numbers import plain
from ..exceptions import FormError, MissingDependencyError
from ._forms import forms_from_sheets
from ._limits import Limits, ManyForms, limit_error, resolve, xls_cell_budget
from .canonical import file_error as _error
from .canonical import read_bytes
from .xlsx import Cell, XlsxReader, dense
from .xlsx import _format_kinds as _kinds_of_code

__all__ = ["XlsReader"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: xlrd cell types
_EMPTY, _TEXT, _NUMBER, _DATE, _BOOLEAN, _ERROR, _BLANK = range(7)


@attrs.frozen
class XlsReader(ManyForms):
    """Binary Excel (.xls) workbooks: every sheet with an indicator table is a form."""

    name: str = "xls"
    extensions: tuple[str, ...] = (".xls",)
    #: budgets for one file; ``None``: the defaults and ``PERFRULES_*`` variables
    limits: Optional[Limits] = None

    def read_all(self, path: Path) -> tuple[Form, ...]:
        limits = resolve(self.limits)
        data = read_bytes(path, limits.max_file_bytes)
        if data.startswith(b"PK\x03\x04"):  # an .xlsx saved under an .xls name
            return XlsxReader(limits=limits).read_all(path)
        try:
            xlrd = importlib.import_module("xlrd")  # untyped; used through Any
        except ImportError:
            raise MissingDependencyError("reading .xls forms", "xls") from None
        if not data.startswith(_OLE_MAGIC):
            raise _error(str(path), "not-xls", _not_xls(data),
                         "open the file in Excel or WPS and save it as .xlsx")
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                      ragged_rows=True, logfile=io.StringIO())
        except Exception as exc:  # xlrd raises XLRDError, struct.error, IndexError … on broken files
            text = str(exc)
            if "encrypted" in text.lower():
                raise _error(str(path), "encrypted-or-old", "the workbook is password-protected",
                             "remove the password and save it again") from None
            raise _error(str(path), "corrupt-file", f"the .xls workbook cannot be read: "
                         f"{type(exc).__name__}: {text}", "a .xls file saved by Excel or WPS") from None
        try:
            left = limits.max_cells
            sheets = []
            for index in range(book.nsheets):
                try:
                    with xls_cell_budget(xlrd, f"{path}#{index + 1}", limits):  # while parsing
                        sheet = book.sheet_by_index(index)
                    cells = _cells(book, sheet, xlrd)
                except FormError:
                    raise
                except Exception as exc:
                    raise _error(f"{path}#{index + 1}", "corrupt-file", f"sheet {index + 1} of the "
                                 f".xls workbook cannot be read: {type(exc).__name__}: {exc}",
                                 "a .xls file saved by Excel or WPS") from None
                left -= len(cells)
                if left < 0:
                    raise limit_error(f"{path}#{sheet.name}", "max_cells", limits.max_cells,
                                      f"the file has more than {limits.max_cells} cells with a value")
                sheets.append((str(sheet.name), dense(cells, str(sheet.name), path, limits), ()))
                book.unload_sheet(index)
        finally:
            book.release_resources()
        return forms_from_sheets(path, sheets)


def _not_xls(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"\xef\xbb\xbf<")) or b"<html" in head:
        return "the file is a web page (HTML) saved under a .xls name, as some systems export"
    if head.startswith(b"<?xml"):
        return "the file is an XML spreadsheet (Excel 2003 XML) saved under a .xls name"
    return "the file is not a binary Excel (.xls) workbook"


def _cells(book: Any, sheet: Any, xlrd: Any) -> list[Cell]:
    percent: dict[int, tuple[str, ...]] = {}
    cells: list[Cell] = []
    for r in range(sheet.nrows):
        for c in range(sheet.row_len(r)):
            kind = sheet.cell_type(r, c)
            if kind in (_EMPTY, _BLANK):
                continue
            raw = sheet.cell_value(r, c)
            shown = False
            value: Any = raw
            if kind == _TEXT:
                if not raw.strip():
                    continue
            elif kind == _NUMBER:
                value = _number(raw)
                xf = sheet.cell_xf_index(r, c)
                if xf not in percent:
                    percent[xf] = _format_kinds(book, xf)
                kinds = percent[xf]
                section = 1 if raw < 0 and len(kinds) > 1 else (
                    2 if raw == 0 and len(kinds) > 2 else 0)
                if kinds[section] == "percent":
                    shown = True
                elif kinds[section] == "literal-percent":  # 0.00"%": the number, then %
                    value = plain(Decimal(repr(raw))) + "%"
            elif kind == _DATE:
                try:
                    value = xlrd.xldate.xldate_as_datetime(raw, book.datemode)
                except Exception:  # a date Excel itself could not show: keep the number
                    value = _number(raw)
            elif kind == _BOOLEAN:
                value = bool(raw)
            elif kind == _ERROR:
                value = xlrd.error_text_from_code.get(raw, "#N/A")
            else:  # pragma: no cover - xlrd knows no other cell types
                value = str(raw)
            cells.append((r + 1, c + 1, value, shown))
    return cells


def _number(raw: float) -> Any:
    """Whole numbers as int (as .xlsx stores them), others as the float Excel holds."""
    if raw == raw and abs(raw) < 1e15 and float(raw).is_integer():
        return int(raw)
    return raw


def _format_kinds(book: Any, xf_index: int) -> tuple[str, ...]:
    """What each section of a cell style's number format shows (see the .xlsx reader)."""
    try:
        key = book.xf_list[xf_index].format_key
        return _kinds_of_code(-1, str(book.format_map[key].format_str))
    except (IndexError, KeyError, AttributeError):
        return ("number",)
