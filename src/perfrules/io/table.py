"""Recognise a self-evaluation form in a grid of cells (Excel, Word, CSV).

Readers turn their file into a :class:`Grid` — rows of :class:`GridCell`,
each with its value and where it came from — and :func:`recognize` finds
the indicator table by its column headers, the metadata around it and, in a
项目支出 form, the fund lines, and builds a :class:`~perfrules.Form` whose
every value remembers its cell. A reader never scores.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Optional

import attrs

from .._model import Form, Indicator, _number_field
from .._numbers import plain
from ..exceptions import FormError, Problem

__all__ = ["FIELD_HEADERS", "GridCell", "recognize"]


@attrs.frozen
class GridCell:
    """One cell: its value as the file holds it and its place (``自评表!F14``)."""

    value: Any
    where: str
    #: the file shows the number as a percentage (Excel number format with %)
    percent: bool = False


Grid = Sequence[Sequence[GridCell]]

#: Column headers (normalised: no spaces, no bracketed units) per canonical field,
#: best first: when two columns match one field, the earlier header wins.
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("三级指标", "指标名称", "三级指标名称", "绩效指标名称", "指标内容", "指标"),
    "level1": ("一级指标", "绩效指标"),
    "level2": ("二级指标",),
    "unit": ("计量单位", "单位", "度量单位"),
    "nature": ("指标性质", "性质", "指标方向", "指标类型"),
    "target": ("全年指标值", "年度指标值", "指标值", "年度目标值", "全年目标值", "目标值",
               "预期指标值", "计划指标值", "年初指标值"),
    "weight": ("指标权重", "分值", "权重", "指标分值", "权重分", "标准分值", "权重分值"),
    "actual": ("全年完成值", "实际完成值", "完成值", "全年实际完成值", "全年实际值", "实际值",
               "年度完成值", "实际完成情况"),
    "reported_score": ("指标得分", "得分", "自评得分", "评分"),
    "note": ("偏差原因分析及改进措施", "说明", "未完成原因分析", "偏差原因分析", "偏差原因",
             "未完成原因分析及改进措施", "原因分析及改进措施", "备注", "情况说明"),
}
REQUIRED = ("name", "weight")
_FIELDS = frozenset({"name", "unit", "nature", "target", "weight", "actual", "reported_score",
                     "note"})
FUND_HEADERS: dict[str, tuple[str, ...]] = {
    "initial": ("年初预算数",),
    "budget": ("全年预算数", "调整后预算数", "全年预算"),
    "executed": ("全年执行数", "全年实际执行数", "实际执行数", "执行数"),
    "weight": ("分值", "权重"),
    "actual": ("执行率", "预算执行率"),
    "reported_score": ("得分",),
}
METADATA_LABELS: dict[str, tuple[str, ...]] = {
    "organization": ("主管部门", "主管部门及代码", "部门", "部门名称", "单位", "单位名称",
                     "实施单位", "预算单位"),
    "project": ("项目名称",),
    "reported_total": ("自评总分", "总分", "综合得分", "自评得分合计"),
    "reported_grade": ("自评等级", "评价等级", "等级"),
}
TOTAL_ROWS = ("合计", "总计", "总分", "自评总分", "得分合计")
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_SPACE = re.compile(r"\s+")
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                 "#GETTING_DATA"}


def norm(value: Any) -> str:
    """Header text folded for matching: NFKC, no spaces or line breaks, no （单位）."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _BRACKETS.sub("", _SPACE.sub("", text)).rstrip(":：")


def text_of(cell: GridCell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value)


def cell_value(cell: GridCell) -> Any:
    """The cell as the canonical form takes it: text, Decimal, or ``"99.35%"``."""
    value = cell.value
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)  # refused later, with the cell named
        number = Decimal(repr(value))  # shortest repr: 794.8, not 794.79999…
    elif isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        return text or None
    else:  # dates and other cell types: keep their text, the rules will refuse it
        return str(value)
    if cell.percent:
        return plain(number * 100) + "%"
    return number


def _match(text: str, table: dict[str, tuple[str, ...]]) -> Optional[tuple[str, int]]:
    """The field a header names and its rank (lower is better)."""
    if not text:
        return None
    for field, names in table.items():
        if text in names:
            return field, names.index(text)
    return None


def _map_header(rows: Sequence[Sequence[GridCell]],
                table: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Columns of each field, from one header row or two stacked ones."""
    best: dict[str, tuple[int, int]] = {}
    width = max(len(r) for r in rows)
    for col in range(width):
        texts = [norm(r[col].value) if col < len(r) else "" for r in rows]
        candidates = [t for t in reversed(texts) if t]
        if len(texts) > 1 and all(texts):
            candidates.append("".join(texts))
        for text in candidates:
            found = _match(text, table)
            if found is None:
                continue
            field, rank = found
            if field not in best or rank < best[field][1]:
                best[field] = (col, rank)
            break
    return {f: c for f, (c, _) in best.items()}


def _find_header(grid: Grid) -> tuple[int, int, dict[str, int]]:
    """(first row, number of header rows, field -> column) of the indicator table.

    A two-row header counts only when both rows name columns on their own
    (指标值 over 年初指标值 / 全年指标值); it then wins over its first row alone.
    """
    best: Optional[tuple[int, int, dict[str, int]]] = None
    for i in range(len(grid)):
        if best is not None and best[0] < i - 1:
            break  # the first table found wins; later rows are its data
        cols = _map_header(grid[i:i + 1], FIELD_HEADERS)
        if len(cols) >= 3 and (best is None or len(cols) > len(best[2])):
            best = (i, 1, cols)
        if i + 1 < len(grid) and cols and _map_header(grid[i + 1:i + 2], FIELD_HEADERS):
            both = _map_header(grid[i:i + 2], FIELD_HEADERS)
            if len(both) >= 3 and (best is None or len(both) >= len(best[2])):
                best = (i, 2, both)
    if best is None:
        raise LookupError
    return best


def _find_fund_header(grid: Grid) -> Optional[tuple[int, dict[str, int]]]:
    for i, row in enumerate(grid):
        cols = _map_header([row], FUND_HEADERS)
        if "budget" in cols and "executed" in cols:
            return i, cols
    return None


def _metadata(grid: Grid, skip: range) -> tuple[dict[str, Any], dict[str, str]]:
    found: dict[str, Any] = {}
    where: dict[str, str] = {}
    labels = {name: key for key, names in METADATA_LABELS.items() for name in names}
    for i, row in enumerate(grid):
        if i in skip:
            continue
        for j, cell in enumerate(row):
            key = labels.get(norm(cell.value))
            if key is None or key in found:
                continue
            for other in row[j + 1:]:
                if not text_of(other) or other.value is cell.value:
                    continue
                if norm(other.value) in labels:
                    break
                found[key] = cell_value(other)
                where[key] = other.where
                break
    return found, where


def _title(grid: Grid, before: int, extra: Sequence[str]) -> str:
    texts = [t for t in extra if t.strip()]
    for row in grid[:before]:
        texts.extend(text_of(c) for c in row if text_of(c))
    for text in texts:
        if "自评表" in text or "评价表" in text:
            return _SPACE.sub("", text)
    return ""


def recognize(grid: Grid, source: str, *, paragraphs: Sequence[str] = ()) -> Form:
    """Build a form from a grid; raise FormError naming what is missing."""
    if not any(text_of(c) for row in grid for c in row):
        raise FormError(Problem(code="empty-file", message="the file has no content",
                                location=source), source)
    try:
        top, span, cols = _find_header(grid)
    except LookupError:
        raise FormError(Problem(
            code="no-table", location=source,
            message="no indicator table found: no row has the column headers of one",
            expected="a header row with 三级指标/指标名称, 指标权重/分值 and 指标值/全年完成值"),
            source) from None
    header_where = grid[top][0].where if grid[top] else source
    missing = [f for f in REQUIRED if f not in cols]
    if "target" not in cols and "actual" not in cols:
        missing.append("target")
    if missing:
        names = {f: "/".join(FIELD_HEADERS[f][:3]) for f in missing}
        raise FormError([Problem(code="missing-column", field=f, location=header_where,
                                 message=f"the header row has no {f} column",
                                 expected=f"a column headed {names[f]}") for f in missing],
                        source)
    problems: list[Problem] = []
    indicators: list[Indicator] = []
    fund = _find_fund_header(grid)
    if fund is not None:
        ind = _fund_line(grid, fund[0], fund[1], top)
        if ind is not None:
            indicators.append(ind)
    reported_total: Any = None
    total_where: Optional[str] = None
    carried: dict[str, str] = {}
    for row in grid[top + span:]:
        if _repeats_header(row):
            continue
        values = {f: (cell_value(row[c]) if c < len(row) else None) for f, c in cols.items()}
        places = {f: row[c].where for f, c in cols.items() if c < len(row)}
        # merged 一级/二级 cells hold their text in the first row only: carry it down
        for level in ("level1", "level2"):
            if level not in cols:
                continue
            if values.get(level):
                if level == "level1" and carried.get("level1") != str(values[level]):
                    carried.pop("level2", None)
                carried[level] = str(values[level])
            elif level in carried:
                values[level] = carried[level]
        name = values.get("name")
        data_fields = ("weight", "target", "actual", "nature", "reported_score")
        if name is None or not str(name).strip():
            continue
        name = str(name).strip()
        if norm(name) in TOTAL_ROWS:
            if values.get("reported_score") is not None:
                reported_total, total_where = values["reported_score"], places.get("reported_score")
            continue
        if not any(values.get(f) is not None for f in data_fields):
            continue  # a heading or a note: no data, nothing lost
        data: dict[str, Any] = {"name": name}
        path = [str(values[lv]) for lv in ("level1", "level2") if values.get(lv)]
        if path:
            data["path"] = path
        for field in ("unit", "nature", "target", "weight", "actual", "reported_score", "note"):
            if values.get(field) is not None:
                data[field] = values[field]
        row_where = f"{row[0].where}" if row else source
        # every mapped column keeps its cell, empty ones too: a finding about an
        # empty 说明 points at the cell to fill in
        ind = Indicator.from_dict(data, source=row_where,
                                  cells={f: w for f, w in places.items() if f in _FIELDS})
        broken = [Problem(code="cell-error", indicator=name, field=f, location=places.get(f),
                          value=str(data[f]), message=f"the cell shows the spreadsheet error "
                          f"{data[f]}", expected="a value; recalculate and save the file")
                  for f in data if _is_excel_error(data[f])]
        if broken:
            ind = attrs.evolve(ind, problems=(*ind.problems, *broken))
        indicators.append(ind)
    if not indicators:
        raise FormError(Problem(code="no-indicators", location=header_where,
                                message="the indicator table has no rows with data",
                                expected="rows below the header with a name and a weight"),
                        source)
    skip = range(top, len(grid))
    meta, meta_where = _metadata(grid, skip)
    title = _title(grid, top, paragraphs)
    if reported_total is None and "reported_total" in meta:
        reported_total, total_where = meta["reported_total"], meta_where["reported_total"]
    total = _number_field({"reported_total": reported_total}, "reported_total", None, None,
                          problems, total_where)
    form_cells = {k: v for k, v in (("reported_total", total_where),
                                    ("reported_grade", meta_where.get("reported_grade")),
                                    ("organization", meta_where.get("organization"))) if v}
    year_match = re.search(r"(20\d\d)\s*年", title)
    return Form(
        indicators=indicators,
        title=title,
        organization=str(meta.get("organization") or ""),
        year=int(year_match.group(1)) if year_match else None,
        kind="project" if (fund is not None or "项目" in title) else "department",
        reported_total=total,
        reported_grade=str(meta["reported_grade"]) if meta.get("reported_grade") else None,
        source=source,
        cells=form_cells,
        problems=problems,
    )


def _repeats_header(row: Sequence[GridCell]) -> bool:
    texts = {norm(c.value) for c in row}
    return bool(texts & set(FIELD_HEADERS["weight"])) and bool(texts & set(FIELD_HEADERS["name"]))


def _fund_line(grid: Grid, at: int, cols: dict[str, int], stop: int) -> Optional[Indicator]:
    """The execution-rate line from the fund table of a 项目支出 form."""
    for row in grid[at + 1:stop]:
        budget_col = cols["budget"]
        if budget_col >= len(row) or cell_value(row[budget_col]) is None:
            continue
        data: dict[str, Any] = {"name": "预算执行率", "rule": "execution-rate"}
        places: dict[str, str] = {}
        for field in ("budget", "executed", "weight", "actual", "reported_score"):
            col = cols.get(field)
            if col is None or col >= len(row):
                continue
            value = cell_value(row[col])
            if value is not None:
                data[field] = value
                places[field] = row[col].where
        return Indicator.from_dict(data, source=row[0].where, cells=places)
    return None


def _is_excel_error(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in _EXCEL_ERRORS
