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

from .._model import Form, SkippedRow
from ..exceptions import FormError, Problem
from ._limits import check_cells
from .table import FIELD_HEADERS, GridCell, _find_header, forget, norm, recognize, text_of

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
    last = -2  # the last row of the header block above
    for h in headers:
        if previous is None or h == last + 1:  # the first header, or its second or third row
            previous = h if previous is None else previous
            last = h
            continue
        last = h
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


#: columns that tell the projects (or units) of a system export apart, best first
_KEY_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("项目编码", "项目代码", "项目编号"),
    "project": ("项目名称",),
    "unit": ("单位名称", "部门名称", "预算单位名称", "单位编码", "单位代码", "预算单位"),
}


@attrs.frozen
class _Keyed:
    """The rows of one project of a system export, and what names it."""

    label: str
    name: str
    name_where: Optional[str]
    kind: Optional[str]
    rows: Rows
    #: the 单位名称 beside a project's name
    organization: str = ""


def split_by_key(rows: Rows) -> Optional[list[_Keyed]]:
    """A system export of many projects' indicator rows, one table, told apart by a column
    (项目编码, 项目名称, 单位名称): one grid per project — the rows above the header, the
    header, and that project's rows — or None when the table holds one project."""
    try:
        top, span, _ = _find_header(rows)
    except LookupError:
        return None
    header = rows[top:top + span]
    keys: dict[str, int] = {}
    for role, names in _KEY_HEADERS.items():
        for head in header:
            col = next((j for j, c in enumerate(head) if norm(c.value) in names), None)
            if col is not None:
                keys.setdefault(role, col)
    if not keys:
        return None
    role = next(r for r in ("code", "project", "unit") if r in keys)
    col = keys[role]
    groups: dict[str, list[list[GridCell]]] = {}
    firsts: dict[str, list[GridCell]] = {}
    current: Optional[str] = None
    for row in rows[top + span:]:
        key = text_of(row[col]).strip() if col < len(row) else ""
        if key and _HEADERS_OR_TOTALS.isdisjoint({norm(key)}):
            current = key
            firsts.setdefault(key, row)
        if current is None:
            current = ""
        groups.setdefault(current, []).append(row)
    named = [k for k in groups if k]
    if len(named) < 2:
        return None
    out: list[_Keyed] = []
    kind = "department" if role == "unit" else "project"
    name_col = keys.get("project" if role != "unit" else "unit")
    for key in named:
        first = firsts[key]
        name, where = key, first[col].where
        if name_col is not None and name_col < len(first) and text_of(first[name_col]):
            name, where = text_of(first[name_col]).strip(), first[name_col].where
        block = [*groups.get("", []), *groups[key]] if key == named[0] else groups[key]
        unit = keys.get("unit")
        organization = (text_of(first[unit]).strip()
                        if role != "unit" and unit is not None and unit < len(first) else "")
        out.append(_Keyed(label=key, name=name, name_where=where, kind=kind,
                          rows=[*rows[:top + span], *block], organization=organization))
    return out


def _named(project: _Keyed, got: Union[Form, FormError]) -> Union[Form, FormError]:
    """A project's form from a system export, named by its row's 项目名称 (or 单位名称)."""
    if not isinstance(got, Form):
        return got
    cells = [c for c in got.cells if c[0] != "name"]
    if project.name_where:
        cells.append(("name", project.name_where))
    return attrs.evolve(got, name=project.name, kind=project.kind or got.kind,
                        organization=got.organization or project.organization, cells=cells)


_HEADERS_OR_TOTALS = frozenset({"合计", "总计", "小计"}) | frozenset(
    h for names in _KEY_HEADERS.values() for h in names)


def forms_from_sheets(path: Path,
                      sheets: Sequence[tuple[str, Rows, Sequence[str]]]) -> tuple[Form, ...]:
    """One form per sheet that holds an indicator table; cover sheets are skipped, and so
    are sheets that are no form (a data dictionary, a code table), with a word. A sheet
    of many projects' rows told apart by a column gives one form per project."""
    forget()  # the recogniser's memos of folded texts are per file
    for name, rows, paragraphs in sheets:  # no text is folded (NFKC) beyond max_cell_chars
        check_cells(rows, paragraphs, f"{path}#{name}")
    keyed = {name: split_by_key(rows) for name, rows, _ in sheets if rows}
    parts = [(name, [k.rows for k in keyed[name] or ()] or split_stacked(rows), paragraphs)
             for name, rows, paragraphs in sheets if rows]
    several = sum(len(split) for _, split, _ in parts) > 1
    found: list[tuple[str, Rows, Union[Form, FormError]]] = []
    for name, split, paragraphs in parts:
        projects = keyed.get(name)
        if projects:
            for project in projects:
                got = _attempt(project.rows, f"{path}#{project.label}" if several else str(path),
                               paragraphs)
                found.append((name, project.rows, _named(project, got)))
            continue
        for k, rows in enumerate(split):
            # a sheet with several forms: each is named by its first cell (项目1!A16)
            label = name if len(split) == 1 else _first_cell(rows, name)
            found.append((name, rows, _attempt(rows, f"{path}#{label}" if several else str(path),
                                               paragraphs if k == 0 else ())))
    return _settle(path, found)


def _settle(path: Path, found: Sequence[tuple[str, Rows, Union[Form, FormError]]],
            no_table: Optional[list[FormError]] = None) -> tuple[Form, ...]:
    """Sort what each part of a file gave; a part that is no form is skipped, and said,
    when another part of the file is one."""
    others = [(name, rows, got) for name, rows, got in found if not _not_a_form(name, rows, got)]
    if len(others) < len(found) and any(isinstance(got, Form) for _, _, got in others):
        notes = [_sheet_note(name, rows, got) for name, rows, got in found
                 if _not_a_form(name, rows, got)]
        found = others
    else:
        notes = []
    forms: list[Form] = []
    failures: list[FormError] = []
    no_table = [] if no_table is None else no_table
    for _, rows, got in found:
        _sort(got, rows, forms, failures, no_table)
    if notes and forms and not failures:
        forms[0] = attrs.evolve(forms[0], skipped=(*forms[0].skipped, *notes))
    return _finish(path, forms, failures, no_table)


#: problems of a grid whose table is no form: no indicator table, no weight column,
#: no rows with data
_NO_FORM = frozenset({"no-table", "empty-file", "missing-column", "no-indicators"})
#: words naming a sheet that is no form (in its name or its first cell)
_NOT_FORM_WORDS = ("字典", "代码", "编码表", "说明", "参数", "枚举", "目录", "指标库", "对照表",
                   "填报要求", "模板说明", "Sheet说明")


def _not_a_form(name: str, rows: Rows, got: Union[Form, FormError]) -> bool:
    """A sheet that was tried as a form and is none: its table has no indicator column, or
    no line of it has a weight one can read, or it is named as a dictionary or a code table
    and cannot be read as a form. A table that names indicators but lacks a weight column
    is a broken form, an error as before; a cover sheet with no table is skipped as before,
    without a word."""
    if isinstance(got, FormError):
        if _not_a_table(got) and not header_like(rows):
            return False  # a cover or instructions sheet: skipped without a word, as before
        if (all(p.code in _NO_FORM for p in got.problems)
                and any(p.code == "missing-column" and p.field == "name" for p in got.problems)):
            return True  # no indicator column: a code table (一级/二级指标, 指标性质 codes)
    elif not any(ind.weight is not None for ind in got.indicators):
        return True
    elif not (got.problems or any(ind.problems for ind in got.indicators)):
        return False
    first = next((str(c.value) for row in rows for c in row if c.value is not None), "")
    return any(word in f"{name} {first[:40]}" for word in _NOT_FORM_WORDS)


def _sheet_note(name: str, rows: Rows, got: Union[Form, FormError]) -> SkippedRow:
    where = _first_cell(rows, name)
    text = " | ".join(str(c.value).strip() for c in (rows[0] if rows else ())
                      if c.value is not None and str(c.value).strip())[:80]
    return SkippedRow(
        where=where, text=f"{name}: {text}" if text else name,
        reason=f"{name} is not a self-evaluation form (a data dictionary, a code table or "
               "instructions): it was not read",
        reason_zh=f"“{name}”不是自评表（数据字典、代码表或填表说明）：未读取")


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
    forget()  # the recogniser's memos of folded texts are per file
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
    no_table: list[FormError] = []
    joined = [[row for block in tables for row in block.rows] for tables, _, _ in groups]
    keyed = [split_by_key(rows) for rows in joined]
    splits = [[k.rows for k in projects] if projects else split_stacked(rows)
              for rows, projects in zip(joined, keyed)]
    several = sum(len(split) for split in splits) > 1
    parts: list[tuple[str, Rows, Union[Form, FormError]]] = []
    for (tables, paragraphs, main), split, projects in zip(groups, splits, keyed):
        label = (main or tables[0]).label
        if projects:  # many projects' rows in one table, told apart by a column
            parts.extend((label, project.rows, _named(project, _attempt(
                project.rows, f"{path}#{project.label}" if several else str(path), paragraphs)))
                for project in projects)
            continue
        if len(split) > 1:  # forms stacked in one table: each is named by its first cell
            for k, rows in enumerate(split):
                found = _attempt(rows, f"{path}#{_first_cell(rows, label)}",
                                 paragraphs if k == 0 else ())
                parts.append((label, rows, found))
            continue
        if main is not None and len(tables) == 1 and list(paragraphs) == list(main.before):
            found = first[next(i for i, b in enumerate(blocks) if b is main)]
        else:
            found = _attempt(split[0], f"{path}#{label}" if several else str(path), paragraphs)
        if main is None and isinstance(found, FormError):
            no_table.append(found)
        else:
            parts.append((label, split[0], found))
    return _settle(path, parts, no_table)

