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
from ._forms import Block, Rows, forms_from_tables
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
_HIDDEN = frozenset({f"{_W}txbxContent", f"{_W}del", f"{_W}tcPrChange", f"{_W}trPrChange",
                     "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"})
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


class _Walk:
    """One pass over document.xml collecting top-level tables and the text between them."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.blocks: list[Block] = []
        self.text: list[str] = []  # paragraphs since the last table
        self.cells = 0
        self.paragraphs = 0

    def run(self, etree: Any, stream: Any) -> None:
        events = etree.iterparse(stream, events=("start", "end"), resolve_entities=False,
                                 no_network=True, huge_tree=False, load_dtd=False)
        depth = 0  # open w:tbl elements
        hidden = 0  # open text boxes, fallbacks and deletions: not shown as cell text
        rows: Rows = []
        row: list[GridCell] = []
        cell_text: list[str] = []
        para: list[str] = []
        props: tuple[int, Optional[str], Optional[str]] = (1, None, None)
        vmerge: dict[int, Any] = {}  # column -> text of the cell that started the merge
        r = t = width = 0
        for event, elem in events:
            tag = elem.tag
            if tag in _HIDDEN:
                hidden += 1 if event == "start" else -1
                continue
            if hidden:
                continue
            if event == "start":
                if tag == _TBL:
                    depth += 1
                    if depth == 1:
                        t += 1
                        if t > self.limits.max_tables:
                            raise limit_error(str(self.path), "max_tables", self.limits.max_tables,
                                              f"the document has more than {self.limits.max_tables} "
                                              "tables")
                        rows, r, width, vmerge = [], 0, 0, {}
                elif depth == 1 and tag == _TR:
                    r += 1
                    row = []
                elif depth == 1 and tag == _TC:
                    cell_text, props = [], (1, None, None)
                elif tag == _P:
                    para = []
                continue
            if tag == _T:
                para.append(elem.text or "")
            elif tag == _TAB:
                para.append("\t")
            elif tag in (_BR, _CR):
                para.append("\n")
            elif tag == _NB_HYPHEN:
                para.append("-")
            elif tag == _P:
                self.paragraphs += 1
                if self.paragraphs > self.limits.max_paragraphs:
                    raise limit_error(str(self.path), "max_paragraphs", self.limits.max_paragraphs,
                                      f"the document has more than {self.limits.max_paragraphs} "
                                      "paragraphs")
                if depth == 0:
                    text = "".join(para).strip()
                    if text:
                        self.text.append(text)
                elif depth == 1:
                    cell_text.append("".join(para))
                self._drop(elem)
            elif depth != 1:
                if tag == _TBL:
                    depth -= 1
            elif tag == _TRPR:
                before = min(_int(_val(elem, _GRID_BEFORE), 0), _MAX_SPAN)
                row.extend(GridCell(value=None, where=f"表{t}第{r}行第{k}列")
                           for k in range(1, before + 1))
            elif tag == _GRID_SPAN:
                props = (max(1, min(_int(elem.get(_VAL), 1), _MAX_SPAN)), props[1], props[2])
            elif tag == _VMERGE:
                props = (props[0], elem.get(_VAL) or "continue", props[2])
            elif tag == _HMERGE:
                props = (props[0], props[1], elem.get(_VAL) or "continue")
            elif tag == _TC:
                self._cell(t, r, row, "\n".join(cell_text), props, vmerge)
                self._drop(elem)
            elif tag == _TR:
                rows.append(row)
                width = max(width, len(row))
                if r * max(width, 1) > self.limits.max_area:  # empty rows count as rows
                    raise limit_error(str(self.path), "max_area", self.limits.max_area,
                                      f"table {t} spans {r} rows × {width} columns")
                self._drop(elem)
            elif tag == _TBL:
                self.blocks.append(Block(rows=rows, label=f"表{t}", before=tuple(self.text)))
                self.text = []
                self._drop(elem)
                depth -= 1

    def _cell(self, t: int, r: int, row: list[GridCell], text: str,
              props: tuple[int, Optional[str], Optional[str]], vmerge: dict[int, Any]) -> None:
        span, merge, hmerge = props
        col = len(row) + 1
        value: Any = text
        if merge == "restart":
            vmerge[col] = text
        elif merge == "continue":
            value = vmerge.get(col, text)  # Word shows the first cell's text in every row
        else:
            vmerge.pop(col, None)
        if hmerge == "continue":
            value = None  # legacy horizontal merge: the text sits in the first cell
        for k in range(span):
            self.cells += 1
            if self.cells > self.limits.max_cells:
                raise limit_error(str(self.path), "max_cells", self.limits.max_cells,
                                  f"the document's tables have more than {self.limits.max_cells} "
                                  "cells")
            row.append(GridCell(value=value if k == 0 else None,
                                where=f"表{t}第{r}行第{col + k}列"))

    @staticmethod
    def _drop(elem: Any) -> None:
        """Free an element that has been read, and the siblings before it."""
        elem.clear()
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]


def _val(elem: Any, path: str) -> Optional[str]:
    node = elem.find(path)
    return None if node is None else node.get(_VAL)

