"""Sheets that are no form — a data dictionary, a code table, instructions; visible,
hidden or very hidden — are skipped and said; a file with no form at all is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

import perfrules
from perfrules.cli import main

from . import layouts

try:
    from . import fileformats
except ImportError:  # pragma: no cover
    fileformats = None  # type: ignore[assignment]


def _xlsx(layout: layouts.Layout, path: Path) -> Path:
    if fileformats is None or fileformats.available("xlsx") is not None:
        pytest.skip("cannot write xlsx here")
    return fileformats.write(layout, path, "xlsx")


@pytest.mark.parametrize("state", ["visible", "hidden", "veryHidden"])
def test_hidden_sheets_that_are_no_form_are_skipped_and_said(
        state: str, tmp_path: Path, registry: perfrules.Registry,
        capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    case = layouts.workbook_with_dictionary()
    path = _xlsx(case.layout, tmp_path / "自评表.xlsx")
    book = openpyxl.load_workbook(path)
    for name in case.expect.not_forms:
        book[name].sheet_state = state
    book.save(path)
    forms = perfrules.load_all(path, registry=registry)
    assert len(forms) == 1
    notes = [s for s in forms[0].skipped if "不是自评表" in s.reason_zh]
    assert [n.where for n in notes] == ["数据字典!A1", "代码表!A1"]
    assert str(perfrules.score(forms[0], registry=registry).total) == "98.89"
    # the CLI says it: the text report counts the rows not read, --explain lists them
    assert main(["score", "--explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "数据字典" in out and "代码表" in out
    assert main(["audit", str(path)]) == 0
    assert "数据字典" in capsys.readouterr().out


def test_a_file_with_no_form_is_still_refused(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    case = layouts.workbook_with_dictionary()
    path = _xlsx(case.layout[1:], tmp_path / "字典.xlsx")
    with pytest.raises(perfrules.FormError) as info:
        perfrules.load_all(path)
    assert any(p.location and p.location.startswith("代码表!") for p in info.value.problems)
    assert main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert "代码表!A1" in err


def test_a_broken_form_beside_a_good_one_is_still_an_error(tmp_path: Path) -> None:
    """Only a part that is no form is skipped: a second form with a bad cell refuses the file."""
    good = layouts.mof_2020_project(sheet="项目1")
    bad = layouts.mof_2020_project(sheet="项目2")
    sheet = bad.layout[0]
    line = bad.expect.lines[1]
    sheet.rows[line.row - 1][line.cols["weight"] - 1] = "十分"
    path = _xlsx([good.layout[0], sheet], tmp_path / "两个.xlsx")
    with pytest.raises(perfrules.FormError):
        perfrules.score(perfrules.load_all(path)[1])
