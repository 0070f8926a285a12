"""Forms inside a layout table: each layout of the corpus framed by a 1×1 Word table
(a title paragraph and the form's table in its one cell), as many units lay a document
out, read back field by field and cell by cell, and scored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import perfrules

from . import layouts
from .fileformats import shown
from .gridspec import Sheet
from .test_layouts import check_form, check_score, form_index

CASES = [c for c in layouts.all_cases() if len(c.layout) == 1]


def framed(sheet: Sheet, path: Path, *, title: str = "") -> Path:
    docx = pytest.importorskip("docx")
    pytest.importorskip("lxml")
    document = docx.Document()
    frame = document.add_table(rows=1, cols=1)
    frame.style = "Table Grid"
    cell = frame.cell(0, 0)
    cell.paragraphs[0].text = title or "附件2"
    for text in sheet.paragraphs:
        cell.add_paragraph(text)
    width = max([len(r) for r in sheet.rows] + [m[3] for m in sheet.merges])
    table: Any = cell.add_table(rows=len(sheet.rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(r, c).text = shown(value, (r + 1, c + 1) in sheet.percent)
    for r1, c1, r2, c2 in sheet.merges:
        table.cell(r1 - 1, c1 - 1).merge(table.cell(r2 - 1, c2 - 1))
    cell.add_paragraph("")
    document.save(str(path))
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_form_inside_a_layout_table(case: layouts.Case, tmp_path: Path,
                                    registry: perfrules.Registry) -> None:
    path = framed(case.layout[0], tmp_path / "framed.docx")
    forms = list(perfrules.load_all(path, registry=registry))
    at = form_index(case, forms)
    for form, expect in zip(forms[at:], [case.expect, *case.others]):
        check_form(form, expect, lambda r, c: f"表1.1第{r}行第{c}列")
        check_score(form, expect, registry)
