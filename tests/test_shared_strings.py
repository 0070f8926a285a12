"""Workbooks with a shared-string table, as Excel, WPS, LibreOffice and xlsxwriter save them.

openpyxl writes inline strings only; a reader tested on openpyxl files alone
could not open one workbook saved by an office suite (issue 14).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import perfrules

xlsxwriter = pytest.importorskip("xlsxwriter")
pytest.importorskip("openpyxl")


def test_text_cells_from_the_shared_string_table_are_read(tmp_path: Path) -> None:
    path = tmp_path / "共享字符串.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("自评表")
    rows = [
        ["一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "培训人数", "≥", "100人", "80人", 50, 40],
        ["效益指标", "社会效益指标", "满意度", "≥", "90%", "95%", 50, 50],
        ["合计", "", "", "", "", "", 100, 90],
    ]
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    workbook.close()

    form = perfrules.load(path)
    assert [i.name for i in form.indicators] == ["培训人数", "满意度"]
    assert (form.indicators[0].where("name") or "").endswith("自评表!C2")
    report = perfrules.score(form)
    assert report.total == Decimal("90.00")
