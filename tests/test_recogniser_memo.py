"""The recogniser's memos of folded texts (issue 18): what they give never depends on what
was read before, they are emptied per file and bounded, and the header-word lookup follows
changes to the word lists."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules.io import table
from perfrules.io.table import GridCell, _has_numbers, _is_number, _map_header, _norm, _visible, norm
from tests import fileformats
from tests.gridspec import Sheet


@pytest.mark.parametrize("value", [
    Decimal("95"), Decimal("-0.5"), Decimal("1E+3"), Decimal("1.50"), 7, -12, 0.25, True,
    datetime.date(2023, 1, 31), datetime.datetime(2023, 1, 31, 8, 30), " 三级指标 ",
    "指标值（A）", "分值：", "全年\n预算数", "ｆｕｌｌ　ｗｉｄｔｈ", "",
])
def test_norm_is_the_fold_of_the_text_whatever_the_type(value: Any) -> None:
    expected = _norm(str(value))
    assert norm(value) == expected
    assert norm(value) == expected  # from the memo


def test_numbers_and_visible_cells_as_before() -> None:
    for value, number in [("95%", True), ("  ", False), ("", False), ("6000万元", False),
                          ("≥95", False), ("1,234.5", True), (Decimal(3), True), (True, False),
                          (None, False), (2.5, True), (datetime.date(2023, 1, 1), False)]:
        assert _is_number(value) is number, value
        assert _is_number(value) is number, value  # from the memo
        assert _has_numbers([GridCell(value, "A1")]) is number, value
    row = [GridCell(v, f"A{k}") for k, v in enumerate([None, "", " \n", "x", Decimal(0), 0, "　a"])]
    assert [j for j, _ in _visible(row)] == [j for j, c in enumerate(row) if table.text_of(c)]


def test_the_memos_are_bounded_and_emptied_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table, "_MEMO_BUDGET", 100)
    monkeypatch.setattr(table, "_MEMO_ENTRY", 0)
    table.forget()
    for k in range(200):
        norm(f"文本{k:03d}")  # 5 characters each
    assert 0 < len(table._NORMS) <= 20
    monkeypatch.setattr(table, "_MEMO_BUDGET", 1000)
    monkeypatch.setattr(table, "_MEMO_ENTRY", 95)
    table.forget()
    for k in range(200):  # short texts: each entry costs what a dict entry takes, not 1 character
        norm(str(k))
    assert 0 < len(table._NORMS) <= 10
    norm("长" * (table._MEMO_CHARS + 1))  # a long text is folded, never kept
    assert all(len(t) <= table._MEMO_CHARS for t in table._NORMS)
    table.forget()
    assert not table._NORMS and not table._FLATS and not table._NUMERIC


def test_header_lookup_follows_the_word_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    row = [GridCell("指标名", "A1"), GridCell("分值", "B1")]
    assert _map_header([row], table.FIELD_HEADERS) == {"weight": 1}
    monkeypatch.setitem(table.FIELD_HEADERS, "name", (*table.FIELD_HEADERS["name"], "指标名"))
    assert _map_header([row], table.FIELD_HEADERS) == {"name": 0, "weight": 1}


def _sheet(k: int, lines: int) -> Sheet:
    rows: list[list[Any]] = [
        ["项目名称", f"项目{k}", None, None, "主管部门", "某区民政局"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ]
    for i in range(lines):
        rows.append(["产出指标", "数量指标", f"指标{k}-{i}", f"≥{i + 1}", i + k, 100 / lines, None])
    rows.append(["总分", None, None, None, None, 100, None])
    return Sheet(name=f"项目{k}", rows=rows, merges=[], percent=set(),
                 paragraphs=[f"项目{k}2023年度项目支出绩效自评表"])


def test_a_file_reads_the_same_whatever_was_read_before(tmp_path: Path) -> None:
    """Reading B after A (memos warm with A's texts) gives what reading B first gives."""
    a = fileformats.write([_sheet(1, 5)], tmp_path / "a.xlsx", "xlsx")
    b = fileformats.write([_sheet(2, 7), _sheet(3, 4)], tmp_path / "b.docx", "docx")
    first = perfrules.load_all(b)
    perfrules.load_all(a)
    again = perfrules.load_all(b)
    assert first == again
    assert [len(f.indicators) for f in again] == [7, 4]
    assert [perfrules.score(f).total for f in again] == [perfrules.score(f).total for f in first]
