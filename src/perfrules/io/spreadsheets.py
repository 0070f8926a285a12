"""Readers of real forms as finance staff hold them: Excel, Word, CSV (and .xls, PDF).

The readers live in their own modules (``xlsx``, ``docx``, ``xls``, ``pdf``);
this module keeps the names callers import and reads CSV.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Any, Optional

import attrs

from .._model import Form
from ._forms import forms_from_sheets
from ._limits import Limits, ManyForms, limit_error, resolve
from .canonical import file_error as _error
from .canonical import read_bytes
from .docx import DocxReader
from .pdf import PdfReader
from .table import GridCell
from .xls import XlsReader
from .xlsx import XlsxReader, column_letter

__all__ = ["CsvReader", "DocxReader", "Limits", "PdfReader", "XlsReader", "XlsxReader",
           "decode_csv"]


@attrs.frozen
class CsvReader(ManyForms):
    """CSV as Chinese Excel exports it: UTF-8 (with or without BOM) or GB18030/GBK."""

    name: str = "csv"
    extensions: tuple[str, ...] = (".csv",)
    #: budgets for one file; ``None``: the defaults and ``PERFRULES_*`` variables
    limits: Optional[Limits] = None

    def read_all(self, path: Path) -> tuple[Form, ...]:
        limits = resolve(self.limits)
        text = decode_csv(read_bytes(path, limits.max_file_bytes), path)
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        if csv.field_size_limit() < limits.max_field_chars + 1:
            csv.field_size_limit(limits.max_field_chars + 1)  # our own check below names the limit
        grid: list[list[GridCell]] = []
        cells = width = 0
        # newline='': CRLF, LF and CR-only line ends alike (old Mac exports)
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        r = 0
        try:
            for r, row in enumerate(reader, start=1):
                line = []
                for c, value in enumerate(row, start=1):
                    where = f"{path.name}!{column_letter(c)}{r}"
                    if len(value) > limits.max_field_chars:
                        raise limit_error(where, "max_field_chars", limits.max_field_chars,
                                          f"the field at {where} has {len(value)} characters")
                    if value.strip():
                        cells += 1
                        if cells > limits.max_cells:
                            raise limit_error(where, "max_cells", limits.max_cells,
                                              f"the file has more than {limits.max_cells} cells "
                                              "with a value")
                    line.append(GridCell(value=value, where=where))
                width = max(width, len(line))
                if r * max(width, 1) > limits.max_area:  # blank lines count as rows
                    raise limit_error(str(path), "max_area", limits.max_area,
                                      f"the file spans {r} rows × {width} columns")
                grid.append(line)
        except csv.Error as exc:
            line_no = reader.line_num or r
            if "field larger than field limit" in str(exc):
                raise limit_error(f"{path}:{line_no}", "max_field_chars", limits.max_field_chars,
                                  f"a field on line {line_no} is longer than "
                                  f"{limits.max_field_chars} characters") from None
            raise _error(f"{path}:{line_no}", "bad-csv", f"not valid CSV on line {line_no}: {exc}",
                         "a CSV file saved by Excel or WPS") from None
        return forms_from_sheets(path, [(path.name, grid, ())])


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
