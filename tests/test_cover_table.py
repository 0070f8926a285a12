"""Rows of an Excel form that are not indicators: 小计, a header printed again, numbered
group headings; and a table with no data rows at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules import FormError

from . import builders

openpyxl = pytest.importorskip("openpyxl")

OUTPUT = ["产出指标", "培训人次", "人次", "≥", 100, 60, 110, 60]
QUALITY = ["效益指标", "服务质量", "", "定性", "良好", 40, "达成", 40]


def book(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws.append([builders.SEED_TITLE])
    ws.append(builders.SEED_HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("rows", [
    pytest.param([OUTPUT, [None, "小计", None, None, None, 60, None, 60], QUALITY,
                  [None, "合计", None, None, None, 100, None, 100]], id="subtotal"),
    pytest.param([OUTPUT, builders.SEED_HEADER, QUALITY], id="header-again"),
    pytest.param([["一、产出指标"], OUTPUT, ["二、效益指标"], QUALITY], id="numbered-headings"),
])
def test_rows_that_are_not_indicators(registry: perfrules.Registry, tmp_path: Path,
                                      rows: list[list[Any]]) -> None:
    form = perfrules.load(book(tmp_path / "表.xlsx", rows), registry=registry)
    assert [i.name for i in form.indicators] == ["培训人次", "服务质量"]
    assert perfrules.score(form, registry=registry).total == 100
    if any(row[1:2] == ["合计"] for row in rows):
        assert form.reported_total == 100  # the total row's, not the 小计's 60


def test_a_table_without_data_rows(registry: perfrules.Registry, tmp_path: Path) -> None:
    path = book(tmp_path / "空表.xlsx", [[None, "合计", None, None, None, None, None, None]])
    with pytest.raises(FormError) as info:
        perfrules.load(path, registry=registry)
    (found,) = info.value.problems
    assert found.code == "no-indicators" and found.location == "自评表!A2"
    assert found.message == "the indicator table has no rows with data"
