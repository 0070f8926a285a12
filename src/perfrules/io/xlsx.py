"""Excel workbooks (.xlsx): one form per sheet, every sheet read to its real extent.

openpyxl's read-only mode trusts a sheet's declared ``<dimension>`` and pads
every row to its last column. This reader streams each sheet's cells with
openpyxl's own sheet parser instead, keeps only the cells that hold a value,
and builds the grid from the cells actually occupied — so a sheet whose
``<dimension>`` leaves out the score column is read whole, and a lone cell
at XFD1048576 is refused by the area budget at once instead of padding a
million rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

import attrs

from .._model import Form
from ..exceptions import FormError, MissingDependencyError
from ._forms import Rows, forms_from_sheets
from ._limits import Limits, ManyForms, check_zip, limit_error, resolve
from .canonical import file_error as _error
from .table import GridCell

__all__ = ["XlsxReader", "column_letter", "dense"]


def column_letter(col: int) -> str:
    """1 → A, 28 → AB (Excel's column names)."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@attrs.frozen
class XlsxReader(ManyForms):
    """Excel workbooks: every sheet with an indicator table is a form."""

    name: str = "xlsx"
    extensions: tuple[str, ...] = (".xlsx", ".xlsm")
    #: budgets for one file; ``None``: the defaults and ``PERFRULES_*`` variables
    limits: Optional[Limits] = None

    def read_all(self, path: Path) -> tuple[Form, ...]:
        try:
            import openpyxl
            from openpyxl.worksheet._reader import WorkSheetParser
        except ImportError:
            raise MissingDependencyError("reading .xlsx forms", "excel") from None
        limits = resolve(self.limits)
        check_zip(path, "Excel (.xls)", ".xlsx", limits)
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise _error(str(path), "unreadable", f"cannot read the file: {exc.strerror or exc}") from None
        try:
            # a file object: openpyxl would refuse a workbook by its name (实为xlsx.xls)
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for broken files
            stream.close()
            raise _error(str(path), "corrupt-file", f"Excel cannot be read: {type(exc).__name__}: "
                         f"{exc}", "a .xlsx file saved by Excel or WPS") from None
        try:
            budget = _Budget(limits.max_cells)
            sheets = []
            for sheet in workbook.worksheets:
                cells = _sheet_cells(workbook, sheet, WorkSheetParser, path, limits, budget)
                sheets.append((str(sheet.title), dense(cells, sheet.title, path, limits), ()))
        finally:
            workbook.close()
            stream.close()
        return forms_from_sheets(path, sheets)


@attrs.define
class _Budget:
    """Cells with a value left for the rest of the file."""

    left: int

    def take(self, where: str, limit: int) -> None:
        self.left -= 1
        if self.left < 0:
            raise limit_error(where, "max_cells", limit,
                              f"the file has more than {limit} cells with a value")


#: (row, column, value, shown as a percentage)
Cell = tuple[int, int, Any, bool]


def dense(cells: list[Cell], title: str, path: Path, limits: Limits,
          where: Optional[Callable[[int, int], str]] = None) -> Rows:
    """The grid from A1 to the last occupied row and column; refused beyond ``max_area``."""
    if not cells:
        return []
    rows = max(c[0] for c in cells)
    cols = max(c[1] for c in cells)
    if rows * cols > limits.max_area:
        far = max(cells, key=lambda c: c[0] * c[1])
        raise limit_error(f"{path}#{title}", "max_area", limits.max_area,
                          f"sheet {title} spans {rows} rows × {cols} columns (its cells reach "
                          f"{column_letter(far[1])}{far[0]})")
    name = where or (lambda r, c: f"{title}!{column_letter(c)}{r}")
    values: dict[tuple[int, int], tuple[Any, bool]] = {(r, c): (v, p) for r, c, v, p in cells}
    grid: Rows = []
    for r in range(1, rows + 1):
        line = []
        for c in range(1, cols + 1):
            value, percent = values.get((r, c), (None, False))
            line.append(GridCell(value=value, where=name(r, c), percent=percent))
        grid.append(line)
    return grid


def _percent_styles(workbook: Any) -> Callable[[int], bool]:
    """style id → whether its number format shows a percentage."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    styles = getattr(workbook, "_cell_styles", [])
    custom = getattr(workbook, "_number_formats", [])
    known: dict[int, bool] = {}

    def percent(style_id: int) -> bool:
        if style_id not in known:
            fmt = ""
            try:
                num_id = styles[style_id].numFmtId
                fmt = (BUILTIN_FORMATS.get(num_id, "") if num_id < BUILTIN_FORMATS_MAX_SIZE
                       else custom[num_id - BUILTIN_FORMATS_MAX_SIZE])
            except (IndexError, AttributeError, TypeError):
                fmt = ""
            known[style_id] = "%" in str(fmt)
        return known[style_id]

    return percent


def _sheet_cells(workbook: Any, sheet: Any, parser_type: Any, path: Path, limits: Limits,
                 budget: _Budget) -> list[Cell]:
    title = str(sheet.title)
    percent = _percent_styles(workbook)
    cells: list[Cell] = []
    try:
        source = sheet._get_source()
    except Exception as exc:
        raise _error(f"{path}#{title}", "corrupt-file", f"sheet {title} cannot be read: "
                     f"{type(exc).__name__}: {exc}", "a .xlsx file saved by Excel or WPS") from None
    try:
        # the sheet's own table: a read-only workbook keeps its shared strings on each
        # sheet (workbook.shared_strings stays empty), and Excel, WPS, LibreOffice and
        # xlsxwriter keep every text cell there
        parser = parser_type(source, getattr(sheet, "_shared_strings", None) or workbook.shared_strings,
                             data_only=True,
                             epoch=workbook.epoch, date_formats=workbook._date_formats,
                             timedelta_formats=workbook._timedelta_formats)
        for _, row in parser.parse():
            for cell in row:
                value = cell["value"]
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                r, c = cell["row"], cell["column"]
                budget.take(f"{title}!{column_letter(c)}{r}", limits.max_cells)
                shown = isinstance(value, (int, float)) and not isinstance(value, bool) and \
                    percent(cell["style_id"] or 0)
                cells.append((r, c, value, shown))
    except FormError:
        raise
    except Exception as exc:  # malformed XML, a shared string that does not exist …
        raise _error(f"{path}#{title}", "corrupt-file", f"sheet {title} cannot be read: "
                     f"{type(exc).__name__}: {exc}", "a .xlsx file saved by Excel or WPS") from None
    finally:
        source.close()
    return cells
