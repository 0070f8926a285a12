"""Excel workbooks (.xlsx): one form per sheet, every sheet read to its real extent.

The workbook's parts are parsed directly, each once, with the standard
library's C XML parser (``xml.etree``; each part is within ``max_part_bytes``)
— no workbook object model, no third-party library:

- ``xl/workbook.xml`` and its relationships: the worksheets in tab order (chart
  sheets, dialog sheets and macro sheets are not tables and are passed over),
  and the date system (``date1904``);
- ``xl/sharedStrings.xml``: the text of each shared string — plain, or its
  rich-text runs joined — without its phonetic runs (``rPh``, the furigana or
  pinyin Excel keeps beside a cell's text, which Excel does not show in it);
- ``xl/styles.xml``: each cell style's number format, to tell a percentage
  (``0.00%``: the value × 100 is shown), a number followed by a literal ``%``
  (``0.00"%"``, ``0.00\\%``: the value is shown as it is) and a date;
- each worksheet's ``<c>`` cells: only the cells that hold a value are kept, and
  the grid is built from the cells actually occupied — so a sheet whose
  ``<dimension>`` leaves out the score column is read whole, and a lone cell at
  XFD1048576 is refused by the area budget at once instead of padding a
  million rows.

Numbers become :class:`~decimal.Decimal` from the text the file holds
(``0.9935``), never through a float; Excel writes some results with 17
significant digits (``14.399999999999999`` for ``=15*0.96``) and shows 15, so
a number with more than 15 significant digits is read as Excel shows it.

A formula is read through the value the office suite saved with it. A formula
with no saved value (a file written by a program that does not calculate) is
never taken as an empty cell: a formula of constants (``=100%``, ``=15*0.96``)
is worked out exactly by a small arithmetic evaluator (numbers, ``%``, ``+ - *
/`` and parentheses, nothing else); any other is a problem named by its cell,
with what to do. Error cells (``#DIV/0!``, ``#REF!``) are read as the error
text, which the recogniser reports by cell.

No XML part may carry a document type declaration (an OOXML part never does):
that refuses entity expansion ("billion laughs") before the parser sees it.
"""

from __future__ import annotations

import datetime
import posixpath
import re
import zipfile
from collections.abc import Iterator
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from pathlib import Path
from typing import Any, Callable, Optional
from xml.etree.ElementTree import XML, Element

import attrs

from .._model import Form
from .._numbers import MAX_EXPONENT, plain
from ..exceptions import FormError, Problem
from ._forms import Rows, forms_from_sheets
from ._limits import Limits, ManyForms, limit_error, open_zip, resolve
from .canonical import file_error as _error
from .table import GridCell

__all__ = ["XlsxReader", "column_letter", "dense", "evaluate_constant", "read_grids"]

_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
         "http://purl.oclc.org/ooxml/spreadsheetml/main")  # transitional, strict
_RELS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
         "http://purl.oclc.org/ooxml/officeDocument/relationships")
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _tags(name: str) -> frozenset[str]:
    return frozenset(f"{{{ns}}}{name}" for ns in _MAIN)


_C, _ROW, _SI, _SHEET = _tags("c"), _tags("row"), _tags("si"), _tags("sheet")
_WORKBOOK_PR, _NUM_FMT, _CELL_XFS, _XF = (_tags("workbookPr"), _tags("numFmt"),
                                           _tags("cellXfs"), _tags("xf"))
_RESAVE = "a .xlsx file saved by Excel or WPS"
#: Excel shows at most 15 significant digits of a number
_SHOWN_DIGITS = 15
_DATE_1900 = datetime.datetime(1899, 12, 30)
_DATE_1904 = datetime.datetime(1904, 1, 1)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
#: in a number format: quoted text, \x, _x (a space as wide as x), *x (x repeated), [Red] …
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
_DATE_CODES = re.compile(r"[dmyhsDMYHS]|[eE]{1,2}(?=[^+-]|$)|g{1,3}|aaa|上午|下午|AM/PM|A/P")
#: Excel's built-in number formats that are not General: percentages and dates (the
#: Chinese, Japanese and Korean built-in date formats included: 27–36, 50–58)
_BUILTIN_PERCENT = frozenset({9, 10})
_BUILTIN_DATES = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_STATE_HIDDEN = frozenset({"hidden", "veryHidden"})


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
        unsaved: dict[str, str] = {}
        forms = forms_from_sheets(path, read_grids(path, resolve(self.limits), unsaved))
        if unsaved:
            forms = tuple(_name_unsaved(form, unsaved) for form in forms)
        return forms


def read_grids(path: Path, limits: Limits, unsaved: Optional[dict[str, str]] = None,
               ) -> list[tuple[str, Rows, tuple[str, ...]]]:
    """Each worksheet's grid, in tab order, as the recogniser takes it.

    ``unsaved`` collects the cells holding a formula with no saved value (cell →
    ``=formula``).
    """
    unsaved = {} if unsaved is None else unsaved
    archive, unpacked = open_zip(path, "Excel (.xls)", ".xlsx", limits)  # its directory read once
    with archive:
        package = _Package(archive)
        try:
            book = _workbook(package)
        except FormError:
            raise
        except Exception as exc:  # malformed XML, a missing part …
            raise _error(str(path), "corrupt-file", f"Excel cannot be read: "
                         f"{type(exc).__name__}: {exc}", _RESAVE) from None
        budget = _Budget(limits.max_cells)
        sheets: list[tuple[str, Rows, tuple[str, ...]]] = []
        for sheet in book.sheets:
            unpacked.use(package.find(sheet.part) or sheet.part)  # a shared part: each use
            cells = _sheet_cells(package, book, sheet, path, limits, budget, unsaved)
            sheets.append((sheet.name, dense(cells, sheet.name, path, limits), ()))
    return sheets


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
    if where is None:  # the cells' names, each column's prefix made once
        prefixes = [f"{title}!{column_letter(c)}" for c in range(1, cols + 1)]
        by_row: dict[int, dict[int, tuple[Any, bool]]] = {}
        for r, c, value, percent in cells:
            by_row.setdefault(r, {})[c - 1] = (value, percent)
        grid: Rows = []
        for r in range(1, rows + 1):
            held = by_row.get(r)
            if held is None:
                grid.append([GridCell(None, f"{prefix}{r}") for prefix in prefixes])
            else:
                grid.append([GridCell(None, f"{prefix}{r}") if c not in held
                             else GridCell(held[c][0], f"{prefix}{r}", held[c][1])
                             for c, prefix in enumerate(prefixes)])
        return grid
    grid = [[GridCell(None, where(r, c)) for c in range(1, cols + 1)] for r in range(1, rows + 1)]
    for r, c, value, percent in cells:
        grid[r - 1][c - 1] = GridCell(value, where(r, c), percent)
    return grid


# -- the package --------------------------------------------------------------------


class _Package:
    """The zip's parts by name, found whatever case or separator the producer wrote."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {n.replace("\\", "/").lstrip("/").lower(): n for n in archive.namelist()}

    def find(self, name: str) -> Optional[str]:
        return self.names.get(name.replace("\\", "/").lstrip("/").lower())

    def read(self, name: str) -> Optional[bytes]:
        real = self.find(name)
        if real is None:
            return None
        data = self.archive.read(real)
        _no_doctype(data, name)
        return data


def _no_doctype(data: bytes, name: str) -> None:
    """Refuse a part that declares a document type (entities): no OOXML part does."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode("utf-8", "replace")
    start = re.search(rb"<[A-Za-z_]", head)
    prolog = head[:start.start()] if start else head
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise ValueError(f"the part {name} declares a document type (XML entities), which no "
                         "Excel or WPS file does")


def _events(data: bytes, tags: frozenset[str]) -> Iterator[Element]:
    """The elements of ``data`` whose tag is in ``tags``, in document order.

    A part is parsed in one pass of the C parser (its size is within
    ``max_part_bytes``), which is several times faster than iterparse.
    """
    for elem in XML(data).iter():
        if elem.tag in tags:
            yield elem


def _rels(package: _Package, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of ``part``."""
    folder, base = posixpath.split(part)
    data = package.read(posixpath.join(folder, "_rels", base + ".rels"))
    out: dict[str, tuple[str, str]] = {}
    if data is None:
        return out
    for elem in XML(data).iter(_PKG_RELS):
        if elem.get("TargetMode") != "External":
            target = (elem.get("Target") or "").replace("\\", "/")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            out[elem.get("Id") or ""] = (elem.get("Type") or "", target)
    return out


@attrs.frozen
class _Sheet:
    name: str
    part: str
    state: str


@attrs.frozen
class _Book:
    sheets: tuple[_Sheet, ...]
    strings: list[str]
    #: style index → number format kinds per section (see :func:`_format_kinds`)
    styles: list[tuple[str, ...]]
    epoch: datetime.datetime


def _workbook(package: _Package) -> _Book:
    main = "xl/workbook.xml"
    for kind, target in _rels(package, "").values():
        if kind.endswith("/officeDocument"):
            main = target
    data = package.read(main)
    if data is None:
        raise ValueError(f"the workbook has no {main}")
    rels = _rels(package, main)
    epoch = _DATE_1900
    sheets: list[_Sheet] = []
    for elem in _events(data, _SHEET | _WORKBOOK_PR):
        if elem.tag in _WORKBOOK_PR:
            if (elem.get("date1904") or "").lower() in ("1", "true"):
                epoch = _DATE_1904
            continue
        rid = next((elem.get(f"{{{ns}}}id") for ns in _RELS if elem.get(f"{{{ns}}}id")), None)
        kind, target = rels.get(rid or "", ("", ""))
        if kind.endswith("/worksheet"):  # not chart, dialog or macro sheets
            sheets.append(_Sheet(name=elem.get("name") or target, part=target,
                                 state=elem.get("state") or "visible"))
    strings: list[str] = []
    styles: list[tuple[str, ...]] = []
    for kind, target in rels.values():
        if kind.endswith("/sharedStrings"):
            strings = _shared_strings(package.read(target))
        elif kind.endswith("/styles"):
            styles = _styles(package.read(target))
    return _Book(sheets=tuple(sheets), strings=strings, styles=styles, epoch=epoch)


def _unescape(text: str) -> str:
    """Excel's ``_x000D_`` escapes of characters XML cannot hold (``_x005F_`` is ``_``)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _rich_text(elem: Element, t: str, r: str) -> str:
    """The text of an ``<si>`` or ``<is>``: its ``<t>`` or its runs' ``<t>``, never ``<rPh>``."""
    parts = []
    for child in elem:
        if child.tag == t:
            parts.append(child.text or "")
        elif child.tag == r:
            for run in child:
                if run.tag == t:
                    parts.append(run.text or "")
    return _unescape("".join(parts))


def _shared_strings(data: Optional[bytes]) -> list[str]:
    if data is None:
        return []
    out: list[str] = []
    for elem in _events(data, _SI):
        ns = elem.tag[:-2]
        out.append(_rich_text(elem, ns + "t", ns + "r"))
    return out


def _styles(data: Optional[bytes]) -> list[tuple[str, ...]]:
    if data is None:
        return []
    custom: dict[int, str] = {}
    styles: list[tuple[str, ...]] = []
    for elem in _events(data, _NUM_FMT | _CELL_XFS):
        if elem.tag in _NUM_FMT:
            try:
                custom[int(elem.get("numFmtId") or "")] = elem.get("formatCode") or ""
            except ValueError:
                continue
        else:  # cellXfs: its <xf> children, in order (cellStyleXfs' are not cells' styles)
            for xf in elem:
                if xf.tag not in _XF:
                    continue
                try:
                    num = int(xf.get("numFmtId") or "0")
                except ValueError:
                    num = 0
                styles.append(_format_kinds(num, custom.get(num)))
    return styles


def _format_kinds(num: int, code: Optional[str]) -> tuple[str, ...]:
    """What each section of a number format shows: ``percent``, ``literal-percent``,
    ``date`` or ``number``."""
    if code is None:
        if num in _BUILTIN_PERCENT:
            return ("percent",)
        if num in _BUILTIN_DATES:
            return ("date",)
        return ("number",)
    return tuple(_section_kind(section) for section in _split_sections(code))


def _split_sections(code: str) -> list[str]:
    """A format's sections (positive;negative;zero;text), ``;`` in quotes kept."""
    sections, current, quoted, escaped = [], [], False, False
    for ch in code:
        if escaped:
            current.append(ch)
            escaped = False
            continue
        if ch == "\\" and not quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            sections.append("".join(current))
            current = []
            continue
        current.append(ch)
    sections.append("".join(current))
    return sections[:3] or [""]


def _section_kind(section: str) -> str:
    shown = _FORMAT_LITERALS.sub("", section)
    if "%" in shown:
        return "percent"  # the value × 100 is shown
    if _DATE_CODES.search(shown.replace("General", "").replace("general", "")):
        return "date"
    # "%" in quotes or \% (not _% or *%, which are spacing): the number as it is, then %
    if any("%" in m.group() for m in _FORMAT_LITERALS.finditer(section)
           if m.group()[0] in "\"\\"):
        return "literal-percent"
    return "number"


# -- one worksheet ----------------------------------------------------------------------


def _sheet_cells(package: _Package, book: _Book, sheet: _Sheet, path: Path, limits: Limits,
                 budget: _Budget, unsaved: dict[str, str]) -> list[Cell]:
    title = sheet.name
    try:
        data = package.read(sheet.part)
        if data is None:
            raise ValueError(f"the workbook has no part {sheet.part}")
        return _parse_sheet(data, book, title, limits, budget, unsaved)
    except FormError:
        raise
    except Exception as exc:  # malformed XML, a shared string that does not exist …
        raise _error(f"{path}#{title}", "corrupt-file", f"sheet {title} cannot be read: "
                     f"{type(exc).__name__}: {exc}", _RESAVE) from None


def _parse_sheet(data: bytes, book: _Book, title: str, limits: Limits, budget: _Budget,
                 unsaved: dict[str, str]) -> list[Cell]:
    # one C-level parse of the part (its size is within max_part_bytes), then its cells
    root = XML(data)
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    table = root.find(ns + "sheetData")
    cells: list[Cell] = []
    if table is None:
        return cells
    strings, styles, epoch = book.strings, book.styles, book.epoch
    row_tag, c_tag, v_tag = ns + "row", ns + "c", ns + "v"
    is_tag, t_tag, r_tag = ns + "is", ns + "t", ns + "r"
    columns: dict[str, int] = {}
    kinds_of: dict[str, tuple[str, ...]] = {}  # style index → its number format's kinds
    left, limit = budget.left, limits.max_cells
    last_row = 0
    value: Any
    for row in table.iter(row_tag):
        number = row.get("r")
        try:
            r = int(number) if number else last_row + 1
        except ValueError:
            r = last_row + 1
        last_row, col = r, 0
        for elem in row:
            if elem.tag != c_tag:
                continue
            ref = elem.get("r")
            r = last_row
            if ref:
                letters = ref.rstrip("0123456789")
                col = columns.get(letters) or columns.setdefault(letters, _column(letters))
                if ref[len(letters):] != number and len(letters) < len(ref):
                    r = int(ref[len(letters):])  # a cell naming another row than its <row>
            else:
                col += 1
            kind = elem.get("t")
            percent = False
            if kind == "inlineStr":  # openpyxl's strings: <is><t>…</t></is>, or rich text
                if len(elem) == 1 and elem[0].tag == is_tag:
                    inline = elem[0]
                    if len(inline) == 1 and inline[0].tag == t_tag:
                        value = inline[0].text or ""
                        if "_x" in value:
                            value = _unescape(value)
                    else:
                        value = _rich_text(inline, t_tag, r_tag)
                else:
                    found = elem.find(is_tag)
                    value = None if found is None else _rich_text(found, t_tag, r_tag)
                if value is None or not value.strip():
                    continue
            elif len(elem) == 1 and elem[0].tag == v_tag and (kind is None or kind == "s"
                                                               or kind == "n"):
                # the common cells, a shared string or a number with no formula
                text = elem[0].text
                if not text:
                    continue
                if kind == "s":
                    value = strings[int(text)]
                    if not value.strip():
                        continue
                else:
                    value = Decimal(text) if len(text) <= _SHOWN_DIGITS else _number(text)
                    if not value.is_finite():
                        raise ValueError(f"{text!r} is not a number")
                    style = elem.get("s")
                    if style and style != "0":
                        kinds = kinds_of.get(style)
                        if kinds is None:
                            kinds = kinds_of[style] = _kinds(styles, style)
                        value, percent = _shown(value, kinds, epoch)
            else:
                value, percent = _value(elem, ns, strings, styles, epoch, title, r, col, unsaved)
                if value is None or (value.__class__ is str and not value.strip()):
                    continue
            left -= 1
            if left < 0:
                budget.left = left
                budget.take(f"{title}!{column_letter(col)}{r}", limit)
            cells.append((r, col, value, percent))
    budget.left = left
    return cells


def _column(letters: str) -> int:
    """``AB`` → 28."""
    col = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"cell reference column {letters!r} is not a column")
        col = col * 26 + ord(ch) - 64
    if not col:
        raise ValueError("a cell reference without a column")
    return col


def _value(elem: Element, ns: str, strings: list[str], styles: list[tuple[str, ...]],
           epoch: datetime.datetime, title: str, row: int, col: int,
           unsaved: dict[str, str]) -> tuple[Any, bool]:
    """A cell's value as the file holds it, and whether it is shown as a percentage."""
    kind = elem.get("t") or "n"
    v = elem.find(ns + "v")
    text = None if v is None else v.text
    if kind == "s":
        return (None if not text else strings[int(text)]), False
    if kind == "inlineStr":
        inline = elem.find(ns + "is")
        return (None if inline is None else _rich_text(inline, ns + "t", ns + "r")), False
    formula = elem.find(ns + "f")
    if formula is not None and (v is None or (not text and kind not in ("str", "e"))):
        return _no_saved_value(elem, formula.text or "", styles, title, row, col, unsaved)
    if not text:
        return None, False
    if kind in ("str", "e", "d"):
        return text, False  # a formula's text, an error (#DIV/0!), an ISO 8601 date
    if kind == "b":
        return text.strip() in ("1", "true"), False
    return _number_shown(_number(text), elem, styles, epoch)


def _number(text: str) -> Decimal:
    """The number as Excel shows it: at most 15 significant digits, never through a float."""
    number = Decimal(text.strip())
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number")
    if abs(number.adjusted()) > MAX_EXPONENT:
        return number  # 1E+999999999: refused as out of range, naming the cell, never spelt out
    digits = number.as_tuple().digits
    if len(digits) > _SHOWN_DIGITS:
        exponent = number.adjusted() - _SHOWN_DIGITS + 1
        number = number.quantize(Decimal((0, (1,), exponent)), rounding=ROUND_HALF_UP)
        number = Decimal(plain(number.normalize()))
    return number


def _number_shown(number: Decimal, elem: Element, styles: list[tuple[str, ...]],
                  epoch: datetime.datetime) -> tuple[Any, bool]:
    style = elem.get("s")
    return _shown(number, _kinds(styles, style), epoch) if style else (number, False)


def _kinds(styles: list[tuple[str, ...]], style: str) -> tuple[str, ...]:
    """The kinds of the number format of a cell style (``number`` when it has none)."""
    try:
        return styles[int(style)]
    except (IndexError, ValueError):
        return ("number",)


def _shown(number: Decimal, kinds: tuple[str, ...], epoch: datetime.datetime) -> tuple[Any, bool]:
    """The number as its format shows it: a percentage, a number and a %, a date."""
    section = 0
    if len(kinds) > 1:
        if number < 0:
            section = 1
        elif number == 0 and len(kinds) > 2:
            section = 2
    kind = kinds[section]
    if kind == "number":
        return number, False
    if kind == "percent":
        return number, True
    if kind == "literal-percent":
        return plain(number) + "%", False
    return _date(number, epoch), False


def _date(serial: Decimal, epoch: datetime.datetime) -> Any:
    """A date serial as the date (and time, if any) Excel shows; the number if none."""
    try:
        days = serial
        if epoch == _DATE_1900 and days < 61:
            days += 1  # Excel's 29 February 1900, which never was
        moment = epoch + datetime.timedelta(seconds=round(days * 86400))
    except (OverflowError, ValueError, InvalidOperation):
        return serial
    if serial < 1 and epoch == _DATE_1900:
        return moment.time()
    return moment.date() if moment.time() == datetime.time() else moment


# -- formulas without a saved value ------------------------------------------------------


def _no_saved_value(elem: Element, formula: str, styles: list[tuple[str, ...]], title: str,
                    row: int, col: int, unsaved: dict[str, str]) -> tuple[Any, bool]:
    """A constant formula's exact value; any other is kept as its text and named later."""
    value = evaluate_constant(formula) if formula else None
    if value is not None:
        return _number_shown(value, elem, styles, _DATE_1900)
    where = f"{title}!{column_letter(col)}{row}"
    shown = "=" + formula if formula else "=…"  # a cell sharing the formula of another
    unsaved[where] = shown
    return shown, False


_TOKEN = re.compile(r"\s*(?:([0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)"
                    r"|([-+*/()%]))")


def evaluate_constant(formula: str) -> Optional[Decimal]:
    """The exact value of a formula of constants (``100%``, ``15*0.96``, ``(1+2)/4``).

    Numbers, ``%``, ``+ - * /`` and parentheses only; anything else (a cell, a
    function, a name), a division by zero or a result that is not exact
    (``1/3``) gives ``None``.
    """
    text = formula.strip().lstrip("=")
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None:
            if text[pos:].strip():
                return None
            break
        tokens.append(found.group(1) or found.group(2))
        pos = found.end()
    if not tokens or len(tokens) > 200:
        return None
    context = Context(prec=60, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])
    try:
        with localcontext(context):
            value, rest = _sum(tokens, 0)
    except (ArithmeticError, IndexError, ValueError, RecursionError):
        return None
    if rest != len(tokens):
        return None
    return Decimal(plain(value.normalize())) if value else Decimal(0)


def _sum(tokens: list[str], i: int) -> tuple[Decimal, int]:
    value, i = _product(tokens, i)
    while i < len(tokens) and tokens[i] in "+-":
        op = tokens[i]
        right, i = _product(tokens, i + 1)
        value = value + right if op == "+" else value - right
    return value, i


def _product(tokens: list[str], i: int) -> tuple[Decimal, int]:
    value, i = _unary(tokens, i)
    while i < len(tokens) and tokens[i] in "*/":
        op = tokens[i]
        right, i = _unary(tokens, i + 1)
        value = value * right if op == "*" else value / right
    return value, i


def _unary(tokens: list[str], i: int) -> tuple[Decimal, int]:
    if tokens[i] in ("-", "+"):
        negative = tokens[i] == "-"
        value, i = _unary(tokens, i + 1)
        return (-value if negative else value), i
    return _postfix(tokens, i)


def _postfix(tokens: list[str], i: int) -> tuple[Decimal, int]:
    token = tokens[i]
    if token == "(":
        value, i = _sum(tokens, i + 1)
        if i >= len(tokens) or tokens[i] != ")":
            raise ValueError("unbalanced parenthesis")
        i += 1
    elif token[0].isdigit() or token[0] == ".":
        value, i = Decimal(token), i + 1
    else:
        raise ValueError(f"unexpected {token!r}")
    while i < len(tokens) and tokens[i] == "%":
        value, i = value / 100, i + 1
    return value, i


def _name_unsaved(form: Form, unsaved: dict[str, str]) -> Form:
    """Each value of the form read from a formula with no saved value, as a problem."""

    def problem(indicator: Optional[str], field: str, where: str) -> Problem:
        return Problem(
            code="formula-without-value", indicator=indicator, field=field, location=where,
            value=unsaved[where],
            message=f"the cell holds the formula {unsaved[where]} but no value calculated from it "
                    "(the program that wrote the file did not calculate it)",
            expected="open the file in Excel or WPS and save it, so that every formula's value "
                     "is saved with it; or type the value")

    indicators = []
    changed = False
    for ind in form.indicators:
        found = {f: w for f, w in ind.cells if w in unsaved}
        if found:
            changed = True
            kept = tuple(p for p in ind.problems if p.location not in unsaved)
            ind = attrs.evolve(ind, problems=(*kept, *(problem(ind.name, f, w)
                                                       for f, w in found.items())))
        indicators.append(ind)
    form_found = {f: w for f, w in form.cells if w in unsaved}
    if not changed and not form_found:
        return form
    kept = tuple(p for p in form.problems if p.location not in unsaved)
    return attrs.evolve(form, indicators=indicators,
                        problems=(*kept, *(problem(None, f, w) for f, w in form_found.items())))
