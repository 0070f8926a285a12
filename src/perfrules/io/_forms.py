"""Which sheets and tables of a file are forms, and which belong together.

A workbook holds one form per sheet; a cover or instructions sheet (no
indicator table, no indicator headers) is skipped, but a sheet that looks
like a form and cannot be read is an error. A Word document or a PDF holds
a sequence of tables: each indicator table is a form, the tables before it
(a cover table, the fund block) are its head, and a table right after it with
no title in between and no head of its own is its continuation.

A form's ``source`` is the file when the file holds one form, else
``<file>#<part>``: the sheet name (``自评表.xlsx#项目2``), the Word table that
holds the indicators (``自评表.docx#表3``) or the PDF page and table
(``自评表.pdf#第2页表1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Optional, Union

import attrs

from .._model import Form
from ..exceptions import FormError, Problem
from ._limits import check_cells
from .table import FIELD_HEADERS, GridCell, norm, recognize

__all__ = ["Block", "forms_from_sheets", "forms_from_tables"]

Rows = list[list[GridCell]]

#: codes of a grid that holds no indicator table at all
_NOT_A_TABLE = frozenset({"no-table", "empty-file"})
_NAME_HEADERS = frozenset(FIELD_HEADERS["name"]) | frozenset(FIELD_HEADERS["level1"]) | frozenset(
    FIELD_HEADERS["level2"])
_OTHER_HEADERS = frozenset(h for f, names in FIELD_HEADERS.items()
                           if f not in ("name", "level1", "level2") for h in names)
#: words of a form's head: its metadata labels and the fund block's columns
_HEAD_WORDS = frozenset({"项目名称", "主管部门", "实施单位", "预算单位", "部门名称", "单位名称",
                         "年初预算数", "全年预算数", "全年执行数", "调整后预算数", "预算执行数",
                         "实际执行数", "项目资金", "资金情况", "年度资金总额", "自评总分",
                         "部门预算执行情况", "预算执行情况", "年度总体目标", "总体目标"})


@attrs.frozen
class Block:
    """One table of a document: its rows, its label and the text just above it."""

    rows: Rows
    label: str
    #: non-empty paragraphs between the previous table and this one
    before: tuple[str, ...] = ()


def header_like(rows: Sequence[Sequence[GridCell]]) -> bool:
    """Whether a row names an indicator column and another indicator field."""
    for row in rows:
        texts = {norm(c.value) for c in row if c.value is not None}
        if texts & _NAME_HEADERS and texts & _OTHER_HEADERS:
            return True
    return False


def head_like(rows: Sequence[Sequence[GridCell]]) -> bool:
    """Whether a table holds a form's head: metadata labels, a fund block, a title."""
    for row in rows:
        for cell in row:
            text = norm(cell.value)
            if text in _HEAD_WORDS or "自评表" in text or "评价表" in text:
                return True
    return False


def _title_row(row: Sequence[GridCell]) -> bool:
    return any(isinstance(c.value, str) and ("自评表" in c.value or "评价表" in c.value) for c in row)


def _texts(row: Sequence[GridCell]) -> tuple[str, ...]:
    return tuple(t for t in (norm(c.value) for c in row) if t)


def split_stacked(rows: Rows) -> list[Rows]:
    """Forms stacked one under another in one sheet or table, each with its own header row.

    A later indicator header row starts a new form when a title (…自评表) or a
    form's head (项目名称, the fund block …) stands between it and the form above
    — the new form starts there — or when it differs from the header above. The
    same header row again with nothing of a head before it is a header repeated
    on a printed page: the form goes on.
    """
    headers = [i for i, row in enumerate(rows) if header_like([row])]
    starts = [0]
    previous: Optional[int] = None
    for h in headers:
        if previous is None or h == previous + 1:  # the first header, or its second row
            previous = h if previous is None else previous
            continue
        between = range(previous + 1, h)
        titles = [i for i in between if _title_row(rows[i])]
        heads = [i for i in between if head_like([rows[i]]) and not _title_row(rows[i])]
        if titles:
            starts.append(titles[-1])
        elif heads:
            starts.append(heads[0])
        elif _texts(rows[h]) != _texts(rows[previous]):
            starts.append(h)
        else:
            continue
        previous = h
    bounds = [*starts, len(rows)]
    return [rows[a:b] for a, b in zip(bounds, bounds[1:])]


def _attempt(rows: Rows, source: str, paragraphs: Sequence[str]) -> Union[Form, FormError]:
    try:
        return recognize(rows, source, paragraphs=paragraphs)
    except FormError as exc:
        return exc


def _not_a_table(error: FormError) -> bool:
    return all(p.code in _NOT_A_TABLE for p in error.problems)


def _finish(path: Path, forms: list[Form], failures: list[FormError],
            skipped_no_table: list[FormError]) -> tuple[Form, ...]:
    if failures:
        problems = [p for e in failures for p in e.problems]
        raise FormError(problems, str(path))
    if not forms:
        if skipped_no_table:
            raise FormError(skipped_no_table[0].problems, str(path))
        raise FormError(Problem(code="empty-file", message="the file has no content",
                                location=str(path)), str(path))
    if len(forms) == 1:
        return (attrs.evolve(forms[0], source=str(path)),)
    return tuple(forms)


def forms_from_sheets(path: Path,
                      sheets: Sequence[tuple[str, Rows, Sequence[str]]]) -> tuple[Form, ...]:
    """One form per sheet that holds an indicator table; cover sheets are skipped."""
    forms: list[Form] = []
    failures: list[FormError] = []
    no_table: list[FormError] = []
    for name, rows, paragraphs in sheets:  # no text is folded (NFKC) beyond max_cell_chars
        check_cells(rows, paragraphs, f"{path}#{name}")
    parts = [(name, split_stacked(rows), paragraphs) for name, rows, paragraphs in sheets if rows]
    several = sum(len(split) for _, split, _ in parts) > 1
    for name, split, paragraphs in parts:
        for k, rows in enumerate(split):
            # a sheet with several forms: each is named by its first cell (项目1!A16)
            label = name if len(split) == 1 else _first_cell(rows, name)
            found = _attempt(rows, f"{path}#{label}" if several else str(path),
                             paragraphs if k == 0 else ())
            _sort(found, rows, forms, failures, no_table)
    return _finish(path, forms, failures, no_table)


def _first_cell(rows: Rows, default: str) -> str:
    return rows[0][0].where if rows and rows[0] else default


def _sort(found: Union[Form, FormError], rows: Rows, forms: list[Form], failures: list[FormError],
          no_table: list[FormError]) -> None:
    if isinstance(found, Form):
        forms.append(found)
    elif _not_a_table(found) and not header_like(rows):
        no_table.append(found)  # a cover or instructions sheet
    else:
        failures.append(found)


def forms_from_tables(path: Path, blocks: Sequence[Block],
                      preamble: Sequence[str] = ()) -> tuple[Form, ...]:
    """Forms from the tables of a document, in order (Word, PDF).

    ``preamble`` is the text before the first table (title, 附件1 …).
    """
    kinds: list[str] = []
    first: list[Union[Form, FormError]] = []  # each table on its own, reused when it is a whole form
    check_cells((), preamble, str(path))  # no text is folded (NFKC) beyond max_cell_chars
    for block in blocks:
        check_cells(block.rows, block.before, f"{path}#{block.label}")
    for block in blocks:
        found = _attempt(block.rows, f"{path}#{block.label}", block.before)
        first.append(found)
        if isinstance(found, Form) or not _not_a_table(found) or header_like(block.rows):
            kinds.append("form")
        else:
            kinds.append("other")
    groups: list[tuple[list[Block], list[str], Optional[Block]]] = []  # (tables, text, indicator table)
    pending: list[Block] = []
    text: list[str] = list(preamble)
    for block, kind in zip(blocks, kinds):
        if kind == "form":
            groups.append(([*pending, block], [*text, *block.before], block))
            pending, text = [], []
            continue
        last = groups[-1] if groups else None
        if last is not None and not pending and not block.before and not head_like(block.rows):
            last[0].append(block)
        else:
            pending.append(block)
            text.extend(block.before)
    if pending:
        if groups:  # trailing tables (sign-off, notes) belong to the last form
            groups[-1][0].extend(pending)
        else:
            groups.append((pending, text, None))
    forms: list[Form] = []
    failures: list[FormError] = []
    no_table: list[FormError] = []
    splits = [split_stacked([row for block in tables for row in block.rows])
              for tables, _, _ in groups]
    several = sum(len(split) for split in splits) > 1
    for (tables, paragraphs, main), split in zip(groups, splits):
        label = (main or tables[0]).label
        if len(split) > 1:  # forms stacked in one table: each is named by its first cell
            for k, rows in enumerate(split):
                found = _attempt(rows, f"{path}#{_first_cell(rows, label)}",
                                 paragraphs if k == 0 else ())
                _sort(found, rows, forms, failures, no_table)
            continue
        if main is not None and len(tables) == 1 and list(paragraphs) == list(main.before):
            found = first[next(i for i, b in enumerate(blocks) if b is main)]
        else:
            found = _attempt(split[0], f"{path}#{label}" if several else str(path), paragraphs)
        if isinstance(found, Form):
            forms.append(found)
        elif main is None:
            no_table.append(found)
        else:
            failures.append(found)
    return _finish(path, forms, failures, no_table)

