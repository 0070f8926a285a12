"""Recognise a self-evaluation form in a grid of cells (Excel, Word, CSV, PDF).

Readers turn their file into a :class:`Grid` — rows of :class:`GridCell`,
each with its value and where it came from — and :func:`recognize` finds
the indicator table by its column headers, the metadata around it and, in a
项目支出 or 部门整体 form, the fund block, and builds a :class:`~perfrules.Form`
whose every value remembers its cell. A reader never scores.

Every non-empty row under the indicator table's header is accounted for
(:func:`read_grid` says what each one is): an indicator, a group heading,
the total row, a template placeholder, a note, a repeat of the header, or
the end of the table. Any other row is kept in :attr:`Form.skipped` with
the reason, so that nothing in a file is lost without a word.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Optional

import attrs

from .._model import Form, Group, Indicator, SkippedRow, _number_field
from .._numbers import MAX_EXPONENT, fold_word, is_placeholder, parse_number, percent_of, plain
from .._ruleset import RATE_KEY, default_ruleset
from ..exceptions import FormError, Problem

__all__ = ["FIELD_HEADERS", "GridCell", "Reading", "RowKind", "read_grid", "recognize"]


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
    "unit": ("计量单位", "单位", "度量单位", "指标单位"),
    "nature": ("指标性质", "性质", "指标方向", "指标类型", "指标属性"),
    "target": ("全年指标值", "年度指标值", "指标值", "年度目标值", "全年目标值", "目标值",
               "预期指标值", "计划指标值", "年初指标值", "年度指标值（A）", "预期目标值"),
    "weight": ("指标权重", "分值", "权重", "指标分值", "权重分", "标准分值", "权重分值", "标准分",
               "指标权重分值"),
    "actual": ("全年完成值", "实际完成值", "完成值", "全年实际完成值", "全年实际值", "实际值",
               "年度完成值", "实际完成情况", "实际完成指标值"),
    "reported_score": ("指标得分", "得分", "自评得分", "评分", "自评分", "实际得分", "评价得分",
                       "自评分数"),
    "note": ("偏差原因分析及改进措施", "说明", "未完成原因分析", "偏差原因分析", "偏差原因",
             "未完成原因分析及改进措施", "原因分析及改进措施", "备注", "情况说明",
             "偏差原因分析及整改措施", "未完成原因和改进措施", "扣分原因", "扣分原因说明",
             "偏差原因及改进措施", "偏差说明"),
}
REQUIRED = ("name", "weight")
_FIELDS = frozenset({"name", "unit", "nature", "target", "weight", "actual", "reported_score",
                     "note"})
#: Columns of the fund block (项目资金 / 部门预算执行情况), normalised: 全年预算数（A）
#: reads as 全年预算数, 执行率（B/A） as 执行率.
FUND_HEADERS: dict[str, tuple[str, ...]] = {
    "initial": ("年初预算数", "年初预算", "年初批复数"),
    "budget": ("全年预算数", "调整后预算数", "全年预算", "全年调整预算数", "调整预算数", "预算数",
               "全年预算数额", "全年批复数"),
    "executed": ("全年执行数", "全年实际执行数", "实际执行数", "执行数", "预算执行数",
                 "全年实际支出数", "实际支出数", "全年支出数"),
    "weight": ("分值", "权重", "执行率权重", "执行率分值", "指标权重"),
    "actual": ("执行率", "预算执行率", "全年执行率", "资金执行率"),
    "reported_score": ("得分", "执行率得分", "指标得分", "自评得分"),
}
#: Labels at the left of a fund block, merged down over its rows.
FUND_LABELS = frozenset({"项目资金", "资金情况", "项目资金情况", "预算执行情况", "部门预算执行情况",
                         "年度部门整体支出预算执行情况", "部门整体支出预算执行情况",
                         "预算资金执行情况", "资金投入情况", "年度预算执行情况"})
METADATA_LABELS: dict[str, tuple[str, ...]] = {
    "organization": ("主管部门", "主管部门及代码", "部门", "部门名称", "单位", "单位名称",
                     "实施单位", "预算单位", "部门单位名称", "预算部门"),
    "project": ("项目名称",),
    "reported_total": ("自评总分", "总分", "综合得分", "自评得分合计", "总得分"),
    "reported_grade": ("自评等级", "评价等级", "等级", "绩效等级", "自评结果等级",
                       "绩效评价等级"),
}
#: Labels of a 部门整体 form's own name (the unit it evaluates), best first; a 项目支出
#: form is named by its 项目名称
UNIT_NAME_LABELS = ("单位名称", "部门名称", "部门单位名称", "预算单位名称", "单位", "部门",
                    "预算单位", "预算部门")
#: Labels merged down the left of an indicator table (or repeated on every row of
#: a flat export): a label, never a group name or data.
BLOCK_LABELS = frozenset({"绩效指标", "年度绩效指标", "年度绩效指标完成情况", "绩效指标完成情况",
                          "绩效目标完成情况", "年度绩效目标完成情况", "指标完成情况",
                          "部门整体绩效指标", "项目绩效指标"})
TOTAL_ROWS = ("合计", "总计", "总分", "自评总分", "得分合计", "总得分", "综合得分", "合计得分")
SUBTOTAL_ROWS = ("小计",)
#: Group names the official templates print (一级 and 二级指标).
GROUP_NAMES = frozenset({
    "产出指标", "效益指标", "满意度指标", "成本指标", "数量指标", "质量指标", "时效指标",
    "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标",
    "经济效益", "社会效益", "生态效益", "可持续影响", "服务对象满意度", "经济成本指标",
    "社会成本指标", "生态环境成本指标", "履职效能", "管理效率", "社会效应",
})
#: Rows that end a table: sign-off rows and the conclusions below the table.
END_WORDS = ("填表人", "填报人", "联系电话", "联系人", "单位负责人", "项目负责人", "财务负责人",
             "审核人", "填报日期", "填表日期", "负责人", "评价结论", "存在问题", "改进措施",
             "存在的问题", "主要问题", "问题及改进措施", "存在问题及改进措施", "自评结论",
             "评价意见", "单位盖章", "盖章", "审核意见", "整改措施", "其他需要说明的问题",
             "其他需说明的情况", "结果应用")
#: A form's head: a row starting with one of these is not part of an indicator table.
HEAD_WORDS = frozenset({"项目名称", "主管部门", "实施单位", "预算单位", "部门名称", "单位名称",
                        "年度总体目标", "总体目标", "当年绩效目标", "年度绩效目标",
                        "绩效目标", "年度主要任务", "项目资金", "部门单位名称"})
_ALL_HEADERS = (frozenset(h for names in FIELD_HEADERS.values() for h in names)
                | frozenset(h for names in FUND_HEADERS.values() for h in names)
                | BLOCK_LABELS | FUND_LABELS)
_BRACKETS = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_SPACE = re.compile(r"\s+")
_END = re.compile(r"^(?:" + "|".join(sorted(END_WORDS, key=len, reverse=True)) + r")(?:[:：]|$)")
_NOTE = re.compile(r"^(?:注|备注|填表说明|填报说明|说明)(?:[0-9一二三四五六七八九十]|[:：.、]|$)")
_TEMPLATE_NAME = re.compile(r"^(?:指标\s*[0-9一二三四五六七八九十]+\s*[:：]?|[.…⋯。]+)$")
_NAME_PREFIX = re.compile(r"^指标\s*[0-9]+\s*[:：]\s*(?=\S)")
_HEADING = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")
#: the number of a section below a table: 四、自评结论, 5. 存在问题, （六）其他
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[0-9]+\s*[、．]|[0-9]+\.(?![0-9])"
                      r"|[（(][一二三四五六七八九十0-9]+[）)])\s*")
_POINTS = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*分")
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                 "#GETTING_DATA"}
_RESULT_LABELS = frozenset(METADATA_LABELS["reported_grade"]) | (
    frozenset(METADATA_LABELS["reported_total"]) - frozenset(TOTAL_ROWS))
_DATA = ("target", "actual", "nature", "weight", "reported_score")


#: The recogniser asks the same questions of the same text many times (is this row a
#: header? a fund header? the end of the table?), and a form repeats its texts (header
#: words, group names merged down, placeholders): each text is folded, and parsed as a
#: number, once. The memos hold pure functions of a cell's text, so what they give never
#: depends on what was read before; :func:`forget` empties them for each file (a
#: benchmark reading one file again does not find its texts folded), and each is bounded:
#: an entry costs its text's characters plus ``_MEMO_ENTRY`` (what a dict entry and two
#: small strings take, in characters), and a memo starts again when it has spent
#: ``_MEMO_BUDGET`` — at most about 16,000 short texts or 1 M characters (a few MB), even
#: for a file of 200,000 distinct cells.
_NORMS: dict[str, str] = {}
_FLATS: dict[str, str] = {}
_NUMERIC: dict[str, bool] = {}
_CELLS: dict[str, Any] = {}  # a text cell's value (cell_value): the text, or None for a placeholder
_MEMO_BUDGET = 1 << 20
_MEMO_ENTRY = 64
_MEMO_CHARS = 2048
_memo_left = {id(memo): _MEMO_BUDGET for memo in (_NORMS, _FLATS, _NUMERIC, _CELLS)}


def forget() -> None:
    """Empty the memos of folded texts (see ``_NORMS``): called once per file."""
    for memo in (_NORMS, _FLATS, _NUMERIC, _CELLS):
        memo.clear()
        _memo_left[id(memo)] = _MEMO_BUDGET


def _remember(memo: dict[str, Any], text: str, value: Any) -> None:
    if len(text) > _MEMO_CHARS:
        return  # a long note: seldom asked twice
    cost = len(text) + _MEMO_ENTRY
    left = _memo_left[id(memo)] - cost
    if left < 0:
        memo.clear()
        left = _MEMO_BUDGET - cost
    _memo_left[id(memo)] = left
    memo[text] = value


def norm(value: Any) -> str:
    """Header text folded for matching: NFKC, no spaces or line breaks, no （单位）."""
    cls = value.__class__
    if cls is str:
        found = _NORMS.get(value)
        if found is None:
            found = _norm(value)
            _remember(_NORMS, value, found)
        return found
    if value is None:
        return ""
    if cls is Decimal or cls is int:
        return str(value)  # ASCII digits, sign, point, exponent: nothing to fold
    return _norm(str(value))


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _BRACKETS.sub("", _SPACE.sub("", text)).rstrip(":：")


def _flat(value: Any) -> str:
    """Text folded for prefix matching: NFKC, no spaces, no bracketed words."""
    if value is None:
        return ""
    if value.__class__ is str:
        found = _FLATS.get(value)
        if found is None:
            found = _BRACKETS.sub("", _SPACE.sub("", unicodedata.normalize("NFKC", value)))
            _remember(_FLATS, value, found)
        return found
    return _BRACKETS.sub("", _SPACE.sub("", unicodedata.normalize("NFKC", str(value))))


def text_of(cell: GridCell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value)


def cell_value(cell: GridCell) -> Any:
    """The cell as the canonical form takes it: text, Decimal, ``"99.35%"``, or ``None``.

    Template placeholders (``—``, ``/``, ``无`` …) are empty cells.
    """
    value = cell.value
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if value.__class__ is Decimal:  # the common cell: a number read from a spreadsheet
        if not value.is_finite():
            return str(value)
        number = value
    elif value.__class__ is str:
        found = _CELLS.get(value, _CELLS)
        if found is _CELLS:
            text = value.strip()
            found = None if not text or is_placeholder(text) else text
            _remember(_CELLS, value, found)
        return found
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)  # refused later, with the cell named
        number = Decimal(repr(value))  # shortest repr: 794.8, not 794.79999…
    elif isinstance(value, (int, Decimal)):
        number = Decimal(value)
        if not number.is_finite():
            return str(value)
    elif isinstance(value, str):
        text = value.strip()
        return None if not text or is_placeholder(text) else text
    else:  # dates and other cell types: keep their text, the rules will refuse it
        return str(value)
    if cell.percent and abs(number.adjusted()) <= MAX_EXPONENT:  # else refused, cell named
        return plain(percent_of(number)) + "%"
    return number


def _is_number(value: Any) -> bool:
    cls = value.__class__
    if cls is str:
        found = _NUMERIC.get(value)
        if found is None:
            found = _numeric_text(value)
            _remember(_NUMERIC, value, found)
        return found
    if cls is Decimal or cls is int or cls is float:
        return True
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return True
    if isinstance(value, str) and value.strip():
        try:
            _, unit = parse_number(value)
        except ValueError:
            return False
        return unit in (None, "%")
    return False


def _numeric_text(value: str) -> bool:
    if not value.strip():
        return False
    try:
        _, unit = parse_number(value)
    except ValueError:
        return False
    return unit in (None, "%")


#: per table of header words: (its items when the lookup was made, header → (field, rank))
_LOOKUPS: dict[int, tuple[tuple[tuple[str, tuple[str, ...]], ...], dict[str, tuple[str, int]]]] = {}


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, int]]:
    """Header → (the first field naming it, its rank there), made again if the table changed."""
    items = tuple(table.items())
    made = _LOOKUPS.get(id(table))
    if made is not None and made[0] == items:
        return made[1]
    lookup: dict[str, tuple[str, int]] = {}
    for field, names in items:
        for rank, name in enumerate(names):
            lookup.setdefault(name, (field, rank))  # the first field, its first place
    _LOOKUPS[id(table)] = (items, lookup)
    return lookup


def _match(text: str, table: dict[str, tuple[str, ...]]) -> Optional[tuple[str, int]]:
    """The field a header names and its rank (lower is better)."""
    if not text:
        return None
    return _lookup(table).get(text)


def _map_header(rows: Sequence[Sequence[GridCell]], table: dict[str, tuple[str, ...]],
                lookup: Optional[dict[str, tuple[str, int]]] = None) -> dict[str, int]:
    """Columns of each field, from one header row or two stacked ones."""
    best: dict[str, tuple[int, int]] = {}
    if lookup is None:
        lookup = _lookup(table)
    if len(rows) == 1:  # one row: each cell's own text
        for col, cell in enumerate(rows[0]):
            found = lookup.get(norm(cell.value))
            if found is not None:
                field, rank = found
                if field not in best or rank < best[field][1]:
                    best[field] = (col, rank)
        return {f: c for f, (c, _) in best.items()}
    width = max((len(r) for r in rows), default=0)
    for col in range(width):
        texts = [norm(r[col].value) if col < len(r) else "" for r in rows]
        candidates = [t for t in reversed(texts) if t]
        if len(texts) > 1 and all(texts) and texts[0] != texts[1]:
            candidates.append("".join(texts))
        for text in candidates:
            found = lookup.get(text)
            if found is None:
                continue
            field, rank = found
            if field not in best or rank < best[field][1]:
                best[field] = (col, rank)
            break
    return {f: c for f, (c, _) in best.items()}


def _has_numbers(row: Sequence[GridCell]) -> bool:
    for cell in row:
        value = cell.value
        if value is None:
            continue
        cls = value.__class__
        if cls is Decimal or cls is int or cls is float:
            return True
        if cls is str:
            found = _NUMERIC.get(value)
            if found is None:
                found = _numeric_text(value)
                _remember(_NUMERIC, value, found)
            if found:
                return True
        elif _is_number(value):
            return True
    return False


def _words(row: Sequence[GridCell], words: dict[str, tuple[str, int]], need: int) -> bool:
    """Whether at least ``need`` cells of a row hold one of ``words`` (a header row names
    several columns): most rows are data and fail this first."""
    for cell in row:
        if cell.value is not None and norm(cell.value) in words:
            need -= 1
            if not need:
                return True
    return False


def _is_fund_header(row: Sequence[GridCell]) -> Optional[dict[str, int]]:
    lookup = _lookup(FUND_HEADERS)
    if not _words(row, lookup, 2) or _has_numbers(row):  # budget, executed/rate
        return None
    cols = _map_header([row], FUND_HEADERS, lookup)
    if "budget" in cols and ("executed" in cols or "actual" in cols):
        return cols
    return None


def _is_header(row: Sequence[GridCell]) -> Optional[dict[str, int]]:
    """The indicator columns a row names, when it is a header row: header words, no data."""
    lookup = _lookup(FIELD_HEADERS)
    if not _words(row, lookup, 3) or _has_numbers(row):  # 3 columns named
        return None
    cols = _map_header([row], FIELD_HEADERS, lookup)
    if len(cols) < 3 or _is_fund_header(row) is not None:
        return None
    return cols


def _is_subheader(row: Sequence[GridCell]) -> bool:
    """A second header row: only header words (指标值 over 年初指标值 / 全年指标值)."""
    texts = [norm(c.value) for c in row if text_of(c)]
    return (bool(texts) and all(t in _ALL_HEADERS for t in texts) and not _has_numbers(row)
            and bool(_map_header([row], FIELD_HEADERS)))


def _find_header(grid: Grid, start: int = 0) -> tuple[int, int, dict[str, int]]:
    """(first row, number of header rows, field -> column) of the indicator table.

    A header row is recognised by its header words and holds no numbers: a row
    with data is data, even when a label such as 绩效指标 repeats in it. A
    second header row counts only when it too holds header words alone.
    """
    for i in range(start, len(grid)):
        cols = _is_header(grid[i])
        if cols is None:
            continue
        if i + 1 < len(grid) and _is_subheader(grid[i + 1]):
            both = _map_header(grid[i:i + 2], FIELD_HEADERS)
            if len(both) >= len(cols):
                # a third row of header words (计量单位 split over three rows)
                if i + 2 < len(grid) and _is_subheader(grid[i + 2]):
                    three = _map_header(grid[i:i + 3], FIELD_HEADERS)
                    if len(three) >= len(both):
                        return i, 3, three
                return i, 2, both
        return i, 1, cols
    raise LookupError


_COLUMN_NUMBER = re.compile(r"^[（(]?([0-9]+)[）)]?$")
_COLUMN_LABELS = frozenset({"栏次", "栏号", "列次", "序号", "栏", "行次", "列号"})
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _column_numbers(row: Sequence[GridCell]) -> bool:
    """A row numbering the columns under a header: 栏次 | 1 | 2 | 3 …, (1) (2) (3) …, ① ② ③ …

    At least three numbers, consecutive left to right, and nothing else but a 栏次 label.
    """
    numbers: list[int] = []
    for _, cell in _visible(row):
        text = unicodedata.normalize("NFKC", text_of(cell)).replace(" ", "")
        if not numbers and norm(text) in _COLUMN_LABELS:
            continue
        found = _COLUMN_NUMBER.match(text)
        if found is not None:
            numbers.append(int(found.group(1)))
        elif len(text) == 1 and text in _CIRCLED:
            numbers.append(_CIRCLED.index(text) + 1)
        elif isinstance(cell.value, float) and cell.value.is_integer():
            numbers.append(int(cell.value))
        else:
            return False
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


# -- the rows under the header ---------------------------------------------------------


@attrs.frozen
class RowKind:
    """What one row of the grid was read as."""

    index: int
    #: indicator, heading, total, placeholder, note, header, end, skipped
    kind: str
    reason: str = ""
    reason_zh: str = ""


@attrs.frozen
class Reading:
    """A recognised form and the account of every row under its header."""

    form: Form
    #: first row of the block (just below the header) and one past its last row
    block: tuple[int, int]
    rows: tuple[RowKind, ...]
    #: the rows of the fund block (header included), if the form has one
    fund_rows: tuple[int, ...] = ()


def _label_cell(cell: GridCell) -> bool:
    text = norm(cell.value)
    return text in BLOCK_LABELS or text in FUND_LABELS


def _visible(row: Sequence[GridCell]) -> list[tuple[int, GridCell]]:
    """The cells that show something, with their columns (``text_of`` not empty)."""
    out = []
    for j, cell in enumerate(row):
        value = cell.value
        if value is None:
            continue
        cls = value.__class__
        if cls is str:
            if value and (not value[0].isspace() or value.strip()):
                out.append((j, cell))
        elif cls is Decimal or cls is int or text_of(cell):  # str(number) is never empty
            out.append((j, cell))
    return out


def _row_text(row: Sequence[GridCell]) -> str:
    texts: list[str] = []
    for _, cell in _visible(row):
        text = _SPACE.sub(" ", text_of(cell))
        if not texts or texts[-1] != text:
            texts.append(text)
    return " | ".join(texts)


def _ends(row: Sequence[GridCell], header: Sequence[str],
          visible: Optional[list[tuple[int, GridCell]]] = None) -> Optional[RowKind]:
    """The row ends the table (or repeats its header), else None (``visible``: the row's
    :func:`_visible` cells, when the caller has them)."""
    cols = _is_header(row)
    if cols is not None:
        if [norm(c.value) for c in row] == list(header):
            return RowKind(-1, "header", "the header row again (a table continued on a new page)",
                           "重复的表头（跨页续表）")
        return RowKind(-1, "end", "the header of the next table", "下一张表的表头")
    if _is_fund_header(row) is not None:
        return RowKind(-1, "end", "the header of a fund block", "资金表的表头")
    for _, cell in _visible(row) if visible is None else visible:
        if _label_cell(cell):
            continue
        flat = _flat(cell.value)
        if _END.match(flat) or _END.match(_SECTION.sub("", flat)):
            return RowKind(-1, "end", "a sign-off or conclusion row", "签章或结论行")
        if norm(cell.value) in HEAD_WORDS and not _has_numbers(row):
            return RowKind(-1, "end", "the head of another form", "另一张表的表头信息")
        if ("自评表" in flat or "评价表" in flat) and not _has_numbers(row):
            return RowKind(-1, "end", "the title of another form", "另一张表的标题")
        break
    return None


def _total_label(row: Sequence[GridCell], cols: dict[str, int],
                 visible: Optional[list[tuple[int, GridCell]]] = None) -> Optional[str]:
    """The total (or subtotal) label of a total row, wherever it sits left of its numbers.

    The label may be merged over several left columns (总分 over A:F); the name
    cell must then be empty or hold the label too.
    """
    first = next(((j, c) for j, c in (_visible(row) if visible is None else visible)
                  if not _label_cell(c)), None)
    if first is None:
        return None
    text = norm(first[1].value)
    if text not in TOTAL_ROWS and text not in SUBTOTAL_ROWS:
        return None
    name_col = cols.get("name")
    if name_col is not None and first[0] < name_col < len(row):
        name = norm(row[name_col].value)
        if name and name != text and not is_placeholder(row[name_col].value):
            return None
    return text


@attrs.define
class _Reader:
    grid: Grid
    source: str
    cols: dict[str, int]
    header: list[str]
    kinds: list[RowKind] = attrs.field(factory=list)
    indicators: list[Indicator] = attrs.field(factory=list)
    skipped: list[SkippedRow] = attrs.field(factory=list)
    problems: list[Problem] = attrs.field(factory=list)
    total: Any = None
    total_where: Optional[str] = None
    total_rows: list[int] = attrs.field(factory=list)
    #: total rows whose 得分 cell is blank: they report no total
    blank_totals: list[int] = attrs.field(factory=list)
    carried: dict[str, str] = attrs.field(factory=dict)
    #: groups whose heading carries their subtotal (产出指标 | 50), in order
    groups: list[Group] = attrs.field(factory=list)
    #: the group of the lines below a heading with its subtotal, in a table with no
    #: 一级/二级 columns (the heading is written in the name column)
    group_path: Optional[tuple[str, ...]] = None

    def kind(self, i: int, kind: str, reason: str = "", reason_zh: str = "") -> None:
        self.kinds.append(RowKind(i, kind, reason, reason_zh))

    def skip(self, i: int, row: Sequence[GridCell], reason: str, reason_zh: str) -> None:
        self.kind(i, "skipped", reason, reason_zh)
        where = row[0].where if row else self.source
        self.skipped.append(SkippedRow(where=where, text=_row_text(row), reason=reason,
                                       reason_zh=reason_zh))

    def values(self, row: Sequence[GridCell]) -> tuple[dict[str, Any], dict[str, str]]:
        values = {f: (cell_value(row[c]) if c < len(row) else None) for f, c in self.cols.items()}
        places = {f: row[c].where for f, c in self.cols.items() if c < len(row)}
        return values, places

    def levels(self, values: dict[str, Any]) -> dict[str, str]:
        """Carry merged 一级/二级 cells down; a repeated 绩效指标 label is no group."""
        own: dict[str, str] = {}
        for level in ("level1", "level2"):
            if level not in self.cols:
                continue
            value = values.get(level)
            text = "" if value is None else str(value).strip()
            if text and norm(text) not in BLOCK_LABELS and norm(text) not in TOTAL_ROWS:
                if level == "level1" and self.carried.get("level1") != text:
                    self.carried.pop("level2", None)
                self.carried[level] = text
                own[level] = text
            values[level] = self.carried.get(level)
        return own

    def read(self, start: int) -> int:
        """Classify every row from ``start``; return one past the last row of the block."""
        grid, cols = self.grid, self.cols
        for i in range(start, len(grid)):
            row = grid[i]
            visible = _visible(row)
            if not visible:
                continue
            end = _ends(row, self.header, visible)
            if end is not None:
                self.kind(i, end.kind, end.reason, end.reason_zh)
                if end.kind == "end":
                    return i + 1
                continue
            if _is_subheader(row):
                self.kind(i, "header", "a header row again", "重复的表头")
                continue
            if _column_numbers(row):
                self.kind(i, "header", "the column numbers under the header (栏次 1 2 3 …)",
                          "表头下的栏次行")
                continue
            first = next((c for _, c in visible if not _label_cell(c)), None)
            if first is None:
                self.kind(i, "placeholder", "only the label merged down the table", "仅合并的标签")
                continue
            if _NOTE.match(_flat(first.value)):
                self.kind(i, "note", "a note under the table", "表下注释")
                continue
            if self.total_rows and _HEADING.match(_flat(first.value)):
                # 四、自评结论, 五、存在问题 …: the numbered sections below the total row
                self.kind(i, "end", "a numbered section below the total row", "合计行之后的编号段落")
                return i + 1
            if norm(first.value) in _RESULT_LABELS:
                self.kind(i, "total", "the reported score or grade", "自评得分或等级")
                self.total_rows.append(i)
                continue
            total = _total_label(row, cols, visible)
            if total is not None:
                self.read_total(i, row, total)
                continue
            self.read_line(i, row)
        return len(grid)

    def read_total(self, i: int, row: Sequence[GridCell], label: str) -> None:
        if label in SUBTOTAL_ROWS:
            self.kind(i, "total", "a subtotal row", "小计行")
            return
        self.kind(i, "total", "the total row", "合计行")
        self.total_rows.append(i)
        col = self.cols.get("reported_score")
        if self.total_where is not None or col is None or col >= len(row):
            return
        if text_of(row[col]):  # '—' too: the form says it reports no total
            self.total, self.total_where = cell_value(row[col]), row[col].where
        else:  # a blank 得分: no total reported (its 分值 100 is no total score)
            self.blank_totals.append(i)

    def read_line(self, i: int, row: Sequence[GridCell]) -> None:
        values, places = self.values(row)
        own_levels = self.levels(values)
        raw_name = values.get("name")
        name = "" if raw_name is None else str(raw_name).strip()
        if name and norm(name) in BLOCK_LABELS:
            name = ""
        has = {f for f in _DATA if values.get(f) is not None}
        template = bool(name) and bool(_TEMPLATE_NAME.match(_SPACE.sub("", name)))
        if template and not has:
            self.kind(i, "placeholder", "a template row (指标1：, ……) left empty", "未填写的模板行")
            return
        if not name and not has:
            others = [c for j, c in _visible(row) if not _label_cell(c) and not is_placeholder(c.value)
                      and j not in self.level_cols()]
            mapped = set(self.cols.values())
            if own_levels and not others:
                self.kind(i, "heading", "a group heading", "分组标题")
            elif not others or all(j not in mapped and _is_number(c.value)
                                   for j, c in _visible(row) if c in others):
                # '/' and '—' only, or only a 序号 left from the template
                self.kind(i, "placeholder", "a template row with placeholders only", "占位符行")
            else:
                self.skip(i, row, "the row has no indicator name, weight, target or actual",
                          "该行没有指标名称、权重、指标值或完成值")
            return
        if not name:
            if has <= {"weight", "reported_score"} and own_levels:
                self.kind(i, "heading", "a group heading with the group's weight",
                          "带分组权重的分组标题")
                level = "level2" if "level2" in own_levels else "level1"
                self.subtotal(values, places, tuple(
                    self.carried[lv] for lv in ("level1", "level2")[:1 + (level == "level2")]
                    if lv in self.carried))
                return
            if own_levels:  # the name written in the merged 二级 cell
                level = "level2" if "level2" in own_levels else "level1"
                name = own_levels[level]
                values[level] = None
                if level == "level1":
                    values["level2"] = None
                places["name"] = places.get(level, places.get("name", ""))
            else:
                self.skip(i, row, "the row has values but no indicator name",
                          "该行有数值，但没有指标名称")
                return
        flat = _SPACE.sub("", name)
        group_like = flat in GROUP_NAMES or bool(_HEADING.match(flat)) or flat.endswith("指标")
        if group_like and has and has <= {"weight", "reported_score"}:
            # 产出指标 | 50 with no target or actual: the group's subtotal, never a line
            self.kind(i, "heading", "a group heading with its subtotal", "带分组小计的分组标题")
            group = _SECTION.sub("", flat) or flat
            if not self.level_cols():
                self.group_path = (group,)
                self.subtotal(values, places, self.group_path)
            else:
                carried = tuple(self.carried.get(lv, "") for lv in ("level1", "level2"))
                if group in carried:
                    self.subtotal(values, places, carried[:carried.index(group) + 1])
            return
        if not has:
            if group_like:
                self.kind(i, "heading", "a group heading", "分组标题")
                if self.group_path is not None and not self.level_cols():
                    self.group_path = (_SECTION.sub("", flat) or flat,)
            else:
                self.skip(i, row, "the row has an indicator name but no weight, target or actual",
                          "该行有指标名称，但没有权重、指标值或完成值")
            return
        name = _NAME_PREFIX.sub("", name).rstrip(":：") or name
        self.kind(i, "indicator")
        data: dict[str, Any] = {"name": name}
        path = [str(values[lv]) for lv in ("level1", "level2") if values.get(lv)]
        if not path and self.group_path is not None:
            path = list(self.group_path)  # under a heading with its subtotal
        if path:
            data["path"] = path
        for field in ("unit", "nature", "target", "weight", "actual", "reported_score", "note"):
            if values.get(field) is not None:
                data[field] = values[field]
        ind = Indicator.from_dict(data, source=row[0].where,
                                  cells={f: w for f, w in places.items() if f in _FIELDS})
        broken = [Problem(code="cell-error", indicator=name, field=f, location=places.get(f),
                          value=str(data[f]), message=f"the cell shows the spreadsheet error "
                          f"{data[f]}", expected="a value; recalculate and save the file")
                  for f in data if _is_excel_error(data[f])]
        if broken:
            ind = attrs.evolve(ind, problems=(*ind.problems, *broken))
        self.indicators.append(ind)

    def subtotal(self, values: dict[str, Any], places: dict[str, str],
                 path: tuple[str, ...]) -> None:
        """Keep a group heading's weight (产出指标 | 50) as the group's: the engine and the
        audit check it against the sum of the group's lines (PR007)."""
        weight = values.get("weight")
        if not path or not all(path) or weight is None or path in {g.path for g in self.groups}:
            return
        try:
            number, unit = parse_number(weight)
            if unit not in (None, "分"):
                raise ValueError(unit)
            self.groups.append(Group(path=path, weight=number))
        except ValueError:
            self.problems.append(Problem(
                code="bad-group", field="weight", location=places.get("weight"),
                value=str(weight), message=f"the subtotal of group {'/'.join(path)} is no number",
                expected="a number such as 50"))

    def level_cols(self) -> set[int]:
        return {c for f, c in self.cols.items() if f in ("level1", "level2")}

    def after_end(self, start: int) -> None:
        """Rows below the end of the table that look like indicators: kept as skipped."""
        name_col, weight_col = self.cols.get("name"), self.cols.get("weight")
        if name_col is None or weight_col is None or start > len(self.grid):
            return
        if start and (_is_header(self.grid[start - 1]) is not None
                      or _is_fund_header(self.grid[start - 1]) is not None):
            return  # the next table starts there: its rows are its own
        for i in range(start, len(self.grid)):
            row = self.grid[i]
            if _is_header(row) is not None or _is_fund_header(row) is not None:
                return
            if max(name_col, weight_col) >= len(row):
                continue
            name, weight = cell_value(row[name_col]), row[weight_col].value
            if (isinstance(name, str) and not _END.match(_flat(name)) and _is_number(weight)
                    and not _NOTE.match(_flat(name))):
                self.skip(i, row, "a row with a name and a weight below the end of the table",
                          "表格结束后仍有带权重的指标行")


# -- the fund block -------------------------------------------------------------------


def _find_fund(grid: Grid, skip: set[int]) -> Optional[tuple[int, dict[str, int]]]:
    for i, row in enumerate(grid):
        if i in skip:
            continue
        cols = _is_fund_header(row)
        if cols is not None:
            return i, cols
    return None


def _fund_rows(grid: Grid, at: int, cols: dict[str, int], stop: int) -> list[int]:
    """Rows of the fund block: below its header while they have fund values or labels."""
    rows: list[int] = []
    used = set(cols.values())
    for i in range(at + 1, stop):
        row = grid[i]
        if _is_header(row) is not None or _is_fund_header(row) is not None:
            break
        if not _visible(row):
            if rows:
                break
            continue
        in_cols = any(j in used for j, _ in _visible(row))
        label = next((_flat(c.value) for j, c in _visible(row)
                      if j not in used and not _label_cell(c)), "")
        if norm(label) in HEAD_WORDS or _END.match(label):
            break
        if in_cols or any(w in label for w in ("资金", "拨款", "其中", "预算", "支出", "收入")):
            rows.append(i)
        else:
            break
    return rows


def _fund_line(grid: Grid, at: int, cols: dict[str, int], rows: list[int],
               reader: _Reader) -> Optional[Indicator]:
    """The execution-rate line of the fund block; other weighted rows are skipped."""
    line: Optional[Indicator] = None
    used = set(cols.values())
    default_weight: Optional[tuple[str, str]] = None
    for cell in [*grid[at], *(grid[r][0] for r in rows if grid[r])]:
        found = _POINTS.search(unicodedata.normalize("NFKC", text_of(cell)))
        if found and (_label_cell(cell) or "执行" in text_of(cell)):
            default_weight = (found.group(1), cell.where)
            break
    for r in rows:
        row = grid[r]
        label = next((c for j, c in _visible(row) if j not in used and not _label_cell(c)), None)
        label_text = _flat(label.value) if label is not None else ""
        values = {f: cell_value(row[c]) for f, c in cols.items() if c < len(row)}
        has_amounts = any(values.get(f) is not None for f in ("budget", "executed", "actual"))
        if line is None and has_amounts and not label_text.startswith("其中"):
            # no rule named: the engine scores it by its kind (a line with budget and executed
            # amounts, or named as the ruleset names execution-rate lines)
            data: dict[str, Any] = {"name": RATE_KEY}
            places: dict[str, str] = {}
            if label is not None:
                places["name"] = label.where
            for field in ("budget", "executed", "weight", "actual", "reported_score"):
                col = cols.get(field)
                if col is None or col >= len(row):
                    continue
                places[field] = row[col].where
                if values.get(field) is not None:
                    data[field] = values[field]
            if "weight" not in data and default_weight is not None:
                data["weight"], places["weight"] = default_weight
            line = Indicator.from_dict(data, source=row[0].where, cells=places)
        elif line is not None and values.get("weight") is not None and not label_text.startswith(
                "其中"):
            reader.skip(r, row, "a second fund line with its own weight; only the first "
                        "(年度资金总额) is scored", "资金表中另一行也有分值；只计第一行（年度资金总额）")
    return line


#: labels of a fund block laid on its side: a label, its value beside it
SIDE_FUND: dict[str, tuple[str, ...]] = {
    **FUND_HEADERS,
    "budget": (*FUND_HEADERS["budget"], "年度资金总额", "资金总额", "预算资金总额",
               "项目资金总额", "年度预算总额"),
    "executed": (*FUND_HEADERS["executed"], "资金执行数", "已支出数", "实际支出"),
}
_AMOUNT_UNITS = (None, "%", "万元", "元", "分")


def _amount(cell: GridCell) -> bool:
    value = cell.value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return True
    try:
        _, unit = parse_number(value)
    except (ValueError, TypeError):
        return False
    return unit in _AMOUNT_UNITS


def _side_fund(grid: Grid, skip: set[int]) -> Optional[tuple[list[int], Indicator]]:
    """A fund block on its side — labels down a column (年初预算数, 全年预算数, 全年执行数,
    分值, 执行率, 得分) with the 年度资金总额 values in the column beside them — or written as a
    list of label | value pairs. Its rows must give the budget and the executed amount or
    the rate; the first value right of each label is read."""
    labels = {name: field for field, names in SIDE_FUND.items() for name in names}
    run: list[int] = []
    found: dict[str, tuple[GridCell, GridCell]] = {}
    best: Optional[tuple[list[int], dict[str, tuple[GridCell, GridCell]]]] = None
    for i in [*range(len(grid)), len(grid)]:
        pairs: dict[str, tuple[GridCell, GridCell]] = {}
        if i < len(grid) and i not in skip:
            cells = [c for _, c in _visible(grid[i]) if not _label_cell(c)]
            for k, cell in enumerate(cells[:-1]):
                field = labels.get(norm(cell.value))
                beside = cells[k + 1]
                if field is None or norm(beside.value) in labels:
                    continue
                if _amount(beside) or is_placeholder(beside.value):
                    pairs.setdefault(field, (cell, beside))
        if pairs:
            run.append(i)
            for field, pair in pairs.items():
                found.setdefault(field, pair)
            continue
        if "budget" in found and ("executed" in found or "actual" in found) and best is None:
            best = (run, found)
        run, found = [], {}
    if best is None:
        return None
    rows, fields = best
    data: dict[str, Any] = {"name": RATE_KEY}
    places: dict[str, str] = {"name": fields["budget"][0].where}
    for field in ("budget", "executed", "weight", "actual", "reported_score"):
        if field in fields:
            places[field] = fields[field][1].where
            value = cell_value(fields[field][1])
            if value is not None:
                data[field] = value
    if "weight" not in data:  # 项目资金（10分）: the weight written in the block's label
        for r in rows:
            for cell in grid[r]:
                points = _POINTS.search(unicodedata.normalize("NFKC", text_of(cell)))
                if points and (_label_cell(cell) or "资金" in text_of(cell)):
                    data["weight"], places["weight"] = points.group(1), cell.where
                    break
            if "weight" in data:
                break
    line = Indicator.from_dict(data, source=grid[rows[0]][0].where, cells=places)
    return rows, line


# -- metadata -------------------------------------------------------------------------


def _metadata(grid: Grid, skip: set[int]) -> tuple[dict[str, Any], dict[str, str]]:
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


def _labelled(grid: Grid, skip: set[int], names: Sequence[str]) -> tuple[str, Optional[str]]:
    """The value written right of the best of ``names`` (a head label), and its cell."""
    labels = {name for names_ in METADATA_LABELS.values() for name in names_}
    best: Optional[tuple[int, str, str]] = None
    for i, row in enumerate(grid):
        if i in skip:
            continue
        for j, cell in enumerate(row):
            label = norm(cell.value)
            if label not in names or (best is not None and names.index(label) >= best[0]):
                continue
            for other in row[j + 1:]:
                if not text_of(other) or other.value is cell.value:
                    continue
                if norm(other.value) in labels or _has_numbers([other]):
                    break
                best = (names.index(label), _SPACE.sub(" ", text_of(other)), other.where)
                break
    return ("", None) if best is None else (best[1], best[2])


def _title(grid: Grid, before: int, extra: Sequence[str]) -> tuple[str, Optional[int]]:
    """The form's title and year, from the rows above the table and the text before it.

    A title names the form (…自评表, …评价表) and is no sentence; rows of the
    grid win over paragraphs before it, which may belong to another table.
    """
    rows = [text_of(c) for row in grid[:before] for c in row if text_of(c)]
    paras = [t.strip() for t in extra if t.strip()]
    title = ""
    for texts in (rows, paras[::-1]):
        names = [t for t in texts if "自评表" in t or "评价表" in t]
        strict = [t for t in names if re.search(r"(?:自评表|评价表)$", norm(t))
                  and not re.search(r"[。；;]", t)]
        if strict or names:
            title = _SPACE.sub("", (strict or names)[0])
            break
    year = None
    for text in [title, *rows, *paras[::-1]]:
        found = re.search(r"(20[0-9][0-9])\s*年", unicodedata.normalize("NFKC", text))
        if found:
            year = int(found.group(1))
            break
    return title, year


# -- the whole form -------------------------------------------------------------------


def recognize(grid: Grid, source: str, *, paragraphs: Sequence[str] = (),
              rate_names: Optional[Sequence[str]] = None) -> Form:
    """Build a form from a grid; raise FormError naming what is missing."""
    return read_grid(grid, source, paragraphs=paragraphs, rate_names=rate_names).form


#: The execution-rate names of the ruleset a read is for (``load_all(ruleset=…)``), for
#: the recogniser under a reader that only passes a path; ``None``: the default ruleset's.
_READ_FOR: ContextVar[Optional[tuple[str, ...]]] = ContextVar("perfrules_rate_names",
                                                               default=None)


@contextlib.contextmanager
def reading_for(rate_names: Optional[Sequence[str]]) -> Iterator[None]:
    """Within the block, the recogniser reads with these execution-rate names (a ruleset's
    ``execution_rate_names``) unless it is given its own; ``None``: the default ruleset's."""
    token = _READ_FOR.set(None if rate_names is None else tuple(rate_names))
    try:
        yield
    finally:
        _READ_FOR.reset(token)


#: A table line named like a fund block's rate column (项目预算执行率, 预算资金执行率) restates
#: the block: layout, whatever the ruleset scores such a line as.
_RATE_COLUMNS = tuple(h for h in FUND_HEADERS["actual"] if h != "执行率")


@functools.lru_cache(maxsize=16)
def _rate_words(names: Optional[tuple[str, ...]]) -> tuple[str, frozenset[str]]:
    """The name a fund block's line gets and the folded execution-rate names: policy words,
    so a ruleset's ``execution_rate_names`` (the default ruleset's when ``None``)."""
    if names is None:
        names = default_ruleset().execution_rate_names
    return (names[0] if names else RATE_KEY), frozenset(fold_word(n) for n in names)


def read_grid(grid: Grid, source: str, *, paragraphs: Sequence[str] = (),
              rate_names: Optional[Sequence[str]] = None) -> Reading:
    """Recognise a form and account for every row under its header (see :class:`Reading`).

    ``rate_names`` are the names of execution-rate lines (a ruleset's
    ``execution_rate_names``; by default those of the ruleset the read is for
    (:func:`reading_for`), else of ``cn-mof-2020@1``): a fund block's line
    takes the first, and is left out when the block gives no weight of its own and the
    table has a line of one of these names, or named like the block's rate column
    (项目预算执行率).
    """
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
    reader = _Reader(grid=grid, source=source, cols=cols,
                     header=[norm(c.value) for c in grid[top + span - 1]])
    if span >= 2:
        reader.header = [norm(c.value) for c in grid[top]]
    first = top + span
    stop = reader.read(first)
    reader.after_end(stop)
    block = range(top, stop)
    # a fund block below the table ends it: its header is the block's last row
    fund = _find_fund(grid, set(block) - {k.index for k in reader.kinds if k.kind == "end"})
    fund_rows: list[int] = []
    indicators = list(reader.indicators)
    side: Optional[tuple[list[int], Indicator]] = None
    if fund is None:  # labels down a column, values beside them (年度资金总额 | 400万元)
        side = _side_fund(grid, set(block))
    if fund is not None or side is not None:
        if fund is not None:
            limit = top if fund[0] < top else len(grid)
            fund_rows = _fund_rows(grid, fund[0], fund[1], limit)
            line = _fund_line(grid, fund[0], fund[1], fund_rows, reader)
        elif side is not None:
            fund_rows, line = side
        rate_list = _READ_FOR.get() if rate_names is None else tuple(rate_names)
        fund_name, rate_set = _rate_words(rate_list)
        lines = {fold_word(i.name) for i in indicators}
        restated = bool(lines & rate_set) or any(n.endswith(_RATE_COLUMNS) for n in lines)
        if line is not None and (line.weight is not None or not restated):
            if line.name != fund_name:
                line = attrs.evolve(line, name=fund_name)
            indicators.insert(0, line)
    if not indicators:
        raise FormError(Problem(code="no-indicators", location=header_where,
                                message="the indicator table has no rows with data",
                                expected="rows below the header with a name and a weight"),
                        source)
    outside = set(block) | set(fund_rows) | ({fund[0]} if fund else set())
    outside -= set(reader.total_rows) - set(reader.blank_totals)
    meta, meta_where = _metadata(grid, outside)
    title, year = _title(grid, top, paragraphs)
    total, total_where = reader.total, reader.total_where
    if total_where is None and "reported_total" in meta:
        total, total_where = meta["reported_total"], meta_where["reported_total"]
    problems = list(reader.problems)
    reported = _number_field({"reported_total": total}, "reported_total", None, None,
                             problems, total_where)
    form_cells = {k: v for k, v in (("reported_total", total_where),
                                    ("reported_grade", meta_where.get("reported_grade")),
                                    ("organization", meta_where.get("organization"))) if v}
    fund_label = "".join(norm(c.value) for r in ((fund[0],) if fund else ()) + tuple(fund_rows)
                         for c in grid[r] if _label_cell(c))
    kind = "department"
    if "部门整体" not in title and ((bool(fund_rows) and "部门" not in fund_label)
                                    or "项目" in title or "project" in meta):
        kind = "project"
    # the form's own name: 项目名称 of a 项目支出 form, 单位名称 of a 部门整体 one
    if kind == "project":
        name, name_where = _labelled(grid, outside, ("项目名称",))
    else:
        name, name_where = _labelled(grid, outside, UNIT_NAME_LABELS)
    if name_where is not None:
        form_cells["name"] = name_where
    form = Form(
        indicators=indicators,
        title=title,
        name=name,
        organization=str(meta.get("organization") or ""),
        year=year,
        kind=kind,
        reported_total=reported,
        reported_grade=str(meta["reported_grade"]) if meta.get("reported_grade") else None,
        source=source,
        cells=form_cells,
        problems=problems,
        skipped=reader.skipped,
        groups=reader.groups,
    )
    return Reading(form=form, block=(first, stop), rows=tuple(reader.kinds),
                   fund_rows=tuple(fund_rows))


def _is_excel_error(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in _EXCEL_ERRORS
