"""Word documents (.docx), read by streaming ``word/document.xml`` with a hardened parser.

python-docx builds an object for every element of the document; on a real
form that is 40× slower than this walk, and on a hostile one it takes minutes
and gigabytes. Here ``word/document.xml`` is parsed once with lxml's
``iterparse`` (no entities, no network, no huge trees) and each element is
dropped as soon as it is read. Merged cells are resolved as Word shows them:
a horizontal merge (``gridSpan``, ``hMerge``) holds its text in its first
column, a vertical merge (``vMerge``) shows the text of its first cell in every
row it covers. Cells keep python-docx's places: ``表{t}第{r}行第{c}列``, ``t``
counting top-level tables, ``c`` counting grid columns.
"""

from __future__ import annotations

import importlib
import zipfile
from pathlib import Path
from typing import Any, Optional

import attrs

from .._model import Form
from ..exceptions import FormError, MissingDependencyError
from ._forms import Block, Rows, forms_from_tables, head_like, header_like
from ._limits import Limits, ManyForms, check_zip, limit_error, resolve
from .canonical import file_error as _error
from .table import GridCell

__all__ = ["DocxReader"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TBL, _TR, _TC, _P, _T = f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}p", f"{_W}t"
_TAB, _BR, _CR = f"{_W}tab", f"{_W}br", f"{_W}cr"
_GRID_SPAN, _VMERGE, _HMERGE = f"{_W}gridSpan", f"{_W}vMerge", f"{_W}hMerge"
_GRID_BEFORE, _VAL = f"{_W}gridBefore", f"{_W}val"
_TRPR, _NB_HYPHEN = f"{_W}trPr", f"{_W}noBreakHyphen"
#: not shown as the cell's text or properties: text boxes, their VML copy, tracked deletions
#: and the properties a tracked change replaced
_HIDDEN = frozenset({f"{_W}txbxContent", f"{_W}del", f"{_W}moveFrom", f"{_W}tcPrChange",
                     f"{_W}trPrChange", f"{_W}pPrChange", f"{_W}rPrChange",
                     "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"})
#: content controls: one showing its placeholder (单击或点击此处输入文字) holds no value
_SDT, _SDT_CONTENT, _SHOWING_PLACEHOLDER = f"{_W}sdt", f"{_W}sdtContent", f"{_W}showingPlcHdr"
#: what each text element shows (w:t: its text)
_TEXT = {_T: "", _TAB: "\t", _BR: "\n", _CR: "\n", _NB_HYPHEN: "-"}
#: the only elements the walk looks at (lxml skips the events of all others: run and
#: paragraph properties, drawings … are most of a document's elements)
_EVENT_TAGS = (_TBL, _TR, _TC, _P, _TRPR, _GRID_SPAN, _VMERGE, _HMERGE, _SDT, _SDT_CONTENT,
               _SHOWING_PLACEHOLDER, *_TEXT, *_HIDDEN)
#: content controls and what is not shown as text
_CONTROL = frozenset({_SDT, _SDT_CONTENT, *_HIDDEN})
_MAX_SPAN = 1_000  # Word allows 63 columns; a larger span is a hostile file


@attrs.frozen
class DocxReader(ManyForms):
    """Word documents: each indicator table is a form, with the tables of its head."""

    name: str = "docx"
    extensions: tuple[str, ...] = (".docx", ".docm")
    #: budgets for one file; ``None``: the defaults and ``PERFRULES_*`` variables
    limits: Optional[Limits] = None

    def read_all(self, path: Path) -> tuple[Form, ...]:
        try:
            etree = importlib.import_module("lxml.etree")  # untyped; used through Any
        except ImportError:
            raise MissingDependencyError("reading .docx forms", "word") from None
        limits = resolve(self.limits)
        check_zip(path, "Word (.doc)", ".docx", limits)
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "word/document.xml" not in names:
                    raise _error(str(path), "corrupt-file", "Word cannot be read: the file has no "
                                 "word/document.xml", "a .docx file saved by Word or WPS")
                with archive.open("word/document.xml") as stream:
                    walk = _Walk(path, limits)
                    walk.run(etree, stream)
        except FormError:
            raise
        except Exception as exc:  # broken zip members, malformed XML …
            raise _error(str(path), "corrupt-file", f"Word cannot be read: {type(exc).__name__}: "
                         f"{exc}", "a .docx file saved by Word or WPS") from None
        if not walk.blocks:
            raise _error(str(path), "no-table", "the document has no table",
                         "a 绩效自评表 as a Word table")
        return forms_from_tables(path, walk.blocks)


def _int(value: Optional[str], default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _Table:
    """A table being read: its rows so far, the current row and cell."""

    __slots__ = ("cell", "flow", "label", "mixed", "nested", "props", "r", "row", "rows", "vmerge",
                 "width")

    def __init__(self, label: str) -> None:
        self.label = label
        self.rows: Rows = []
        self.row: list[GridCell] = []
        #: the current cell's paragraphs (text), and the items of the tables inside it
        self.cell: list[Any] = []
        #: the current cell holds a table
        self.mixed = False
        #: (row, column) → the paragraphs and tables of a cell that holds a table
        self.flow: dict[tuple[int, int], list[_Item]] = {}
        self.props: tuple[int, Optional[str], Optional[str]] = (1, None, None)
        self.vmerge: dict[int, Any] = {}  # column -> text of the cell that started the merge
        self.r = self.width = self.nested = 0


#: ("text", paragraph) or ("table", rows, label)
_Item = tuple[Any, ...]


class _Walk:
    """One pass over document.xml collecting the tables and the text between them.

    A table inside another is read as Word shows it: when the outer table only
    frames a form (a 1×1 layout table, a title cell above the form's table), the
    inner tables are the document's tables and the frame's text is text between
    them; otherwise the inner table's text is part of the cell that holds it.
    Tables inside tables are named after the top-level table: 表1.1, 表1.2.
    """

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.blocks: list[Block] = []
        self.text: list[str] = []  # paragraphs since the last table
        self.cells = 0
        self.paragraphs = 0
        self.tables = 0

    def run(self, etree: Any, stream: Any) -> None:
        events = etree.iterparse(stream, events=("start", "end"), tag=_EVENT_TAGS,
                                 resolve_entities=False, no_network=True, huge_tree=False,
                                 load_dtd=False)
        stack: list[_Table] = []
        hidden = 0  # open text boxes, fallbacks, deletions: not shown as text
        placeholder: list[bool] = []  # per open content control: it shows its placeholder text
        blank = 0  # open placeholders: their text is not a value (their cells stay cells)
        para: list[str] = []
        table: Optional[_Table] = None  # the innermost open table
        t = 0  # top-level tables
        drop = self._drop
        for event, elem in events:
            tag = elem.tag
            if tag in _CONTROL:
                if tag == _SDT:
                    if event == "start":
                        placeholder.append(False)
                    else:
                        placeholder.pop()
                elif tag == _SDT_CONTENT:
                    if placeholder and placeholder[-1]:
                        blank += 1 if event == "start" else -1
                else:
                    hidden += 1 if event == "start" else -1
                continue
            if hidden:
                continue
            if event == "start":
                if tag == _P:
                    para = []
                elif tag == _TC and table is not None:
                    table.cell, table.props, table.mixed = [], (1, None, None), False
                elif tag == _TR and table is not None:
                    table.r += 1
                    table.row = []
                elif tag == _TBL:
                    self.tables += 1
                    if self.tables > self.limits.max_tables:
                        raise limit_error(str(self.path), "max_tables", self.limits.max_tables,
                                          f"the document has more than {self.limits.max_tables} "
                                          "tables")
                    if stack:
                        top = stack[0]
                        top.nested += 1
                        table = _Table(f"{top.label}.{top.nested}")
                    else:
                        t += 1
                        table = _Table(f"表{t}")
                    stack.append(table)
                continue
            if tag == _T:
                if not blank:
                    para.append(elem.text or "")
            elif tag == _P:
                self.paragraphs += 1
                if self.paragraphs > self.limits.max_paragraphs:
                    raise limit_error(str(self.path), "max_paragraphs", self.limits.max_paragraphs,
                                      f"the document has more than {self.limits.max_paragraphs} "
                                      "paragraphs")
                if table is not None:
                    table.cell.append("".join(para))
                    elem.clear()  # its cell frees it
                else:
                    self._deliver([("text", "".join(para))])
                    drop(elem)
            elif tag in _TEXT:
                if not blank:
                    para.append(_TEXT[tag])
            elif tag == _SHOWING_PLACEHOLDER:
                if placeholder:
                    placeholder[-1] = True
            elif table is None:
                continue
            elif tag == _TC:
                self._cell(table)
                elem.clear()  # its row frees it
            elif tag == _TR:
                table.rows.append(table.row)
                if len(table.row) > table.width:
                    table.width = len(table.row)
                if table.r * max(table.width, 1) > self.limits.max_area:  # empty rows count
                    raise limit_error(str(self.path), "max_area", self.limits.max_area,
                                      f"table {table.label[1:]} spans {table.r} rows × "
                                      f"{table.width} columns")
                drop(elem)
            elif tag == _GRID_SPAN:
                props = table.props
                table.props = (max(1, min(_int(elem.get(_VAL), 1), _MAX_SPAN)), props[1], props[2])
            elif tag == _VMERGE:
                props = table.props
                table.props = (props[0], elem.get(_VAL) or "continue", props[2])
            elif tag == _HMERGE:
                props = table.props
                table.props = (props[0], props[1], elem.get(_VAL) or "continue")
            elif tag == _TRPR:
                before = min(_int(_val(elem, _GRID_BEFORE), 0), _MAX_SPAN)
                table.row.extend(GridCell(value=None, where=f"{table.label}第{table.r}行第{k}列")
                                 for k in range(1, before + 1))
            elif tag == _TBL:
                stack.pop()
                items = self._finish(table)
                table = stack[-1] if stack else None
                if table is not None:
                    table.cell.extend(items)
                    table.mixed = True
                else:
                    self._deliver(items)
                drop(elem)

    def _deliver(self, items: list[_Item]) -> None:
        """Paragraphs and tables of the document body, in order."""
        for item in items:
            if item[0] == "text":
                text = item[1].strip()
                if text:
                    self.text.append(text)
            else:
                self.blocks.append(Block(rows=item[1], label=item[2], before=tuple(self.text)))
                self.text = []

    @staticmethod
    def _finish(table: _Table) -> list[_Item]:
        """The table as one table, or — when it only frames tables of a form — its content."""
        inner = [item[1] for items in table.flow.values() for item in items
                 if item[0] == "table"]
        if inner and not header_like(table.rows) and any(
                header_like(rows) or head_like(rows) for rows in inner):
            out: list[_Item] = []
            for r, row in enumerate(table.rows, start=1):
                for c, cell in enumerate(row, start=1):
                    held = table.flow.get((r, c))
                    if held is not None:
                        out.extend(held)
                    elif cell.value:
                        out.extend(("text", line) for line in str(cell.value).split("\n"))
            return out
        return [("table", table.rows, table.label)]

    def _cell(self, table: _Table) -> None:
        span, merge, hmerge = table.props
        row = table.row
        col = len(row) + 1
        if table.mixed:  # tables inside the cell: kept for a frame, else the cell's text
            items: list[_Item] = [("text", i) if isinstance(i, str) else i for i in table.cell]
            table.flow[(table.r, col)] = items
            text = "\n".join(i[1] if i[0] == "text" else _flatten(i[1]) for i in items)
        else:
            text = "\n".join(table.cell)
        value: Any = text
        if merge == "restart":
            table.vmerge[col] = text
        elif merge == "continue":
            value = table.vmerge.get(col, text)  # Word shows the first cell's text in every row
        elif table.vmerge:
            table.vmerge.pop(col, None)
        if hmerge == "continue":
            value = None  # legacy horizontal merge: the text sits in the first cell
        self.cells += span
        if self.cells > self.limits.max_cells:
            raise limit_error(str(self.path), "max_cells", self.limits.max_cells,
                              f"the document's tables have more than {self.limits.max_cells} "
                              "cells")
        where = f"{table.label}第{table.r}行第"
        row.append(GridCell(value, f"{where}{col}列"))
        if span > 1:
            row.extend(GridCell(None, f"{where}{col + k}列") for k in range(1, span))

    @staticmethod
    def _drop(elem: Any) -> None:
        """Free an element that has been read, and the siblings before it."""
        elem.clear()
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]


def _flatten(rows: Rows) -> str:
    """A table's text as one cell shows it: its rows as lines, the cells of a row apart."""
    lines = []
    for row in rows:
        texts = [str(c.value).strip() for c in row if c.value is not None and str(c.value).strip()]
        if texts:
            lines.append(" ".join(texts))
    return "\n".join(lines)


def _val(elem: Any, path: str) -> Optional[str]:
    node = elem.find(path)
    return None if node is None else node.get(_VAL)

