"""The audit on forms as the layout corpus lays them out, from every file format.

The findings a reviewer sees must not depend on the file a form came in:
the reported total of a PDF is compared like an Excel one's, a blank 得分 in
the total row is no reported total, a time line is no cost line, the
产出/效益/满意度 framework is checked on the forms that follow it, and CSV
cells are named as a person finds them.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules import Finding, audit

from . import layouts

try:
    from . import fileformats
except ImportError:  # pragma: no cover
    fileformats = None  # type: ignore[assignment]

_FORMATS = ("xlsx", "docx", "xls", "csv", "pdf")


def _codes(form: perfrules.Form, registry: perfrules.Registry) -> list[str]:
    return [f.code for f in audit(form, registry=registry).findings]


def _file(case: layouts.Case, fmt: str, tmp_path: Path) -> Path:
    if fileformats is None or fileformats.available(fmt) is not None:
        pytest.skip(f"cannot write {fmt} here")
    return fileformats.write(case.layout, tmp_path / f"form.{fmt}", fmt)


@pytest.mark.parametrize("fmt", _FORMATS)
def test_reported_total_compared_in_every_format(fmt: str, tmp_path: Path,
                                                 registry: perfrules.Registry) -> None:
    """A wrong 总分 is PR003/PR004 whether the form is a workbook, a Word table or a PDF."""
    case = layouts.mof_2020_project(total_score=97.5)
    form = perfrules.load(_file(case, fmt, tmp_path), registry=registry)
    assert str(form.reported_total) == "97.5"
    assert form.where("reported_total")
    codes = _codes(form, registry)
    assert "PR003" in codes and "PR004" in codes


@pytest.mark.parametrize("fmt", _FORMATS)
def test_blank_total_score_reports_no_total(fmt: str, tmp_path: Path,
                                            registry: perfrules.Registry) -> None:
    """总分 | 100 | (blank): the 分值 total is no reported total; no false PR003/PR004."""
    case = layouts.blank_total_score()
    form = perfrules.load(_file(case, fmt, tmp_path), registry=registry)
    assert form.reported_total is None
    codes = _codes(form, registry)
    assert "PR003" not in codes and "PR004" not in codes
    assert str(perfrules.score(form, registry=registry).total) == "98.89"


def test_csv_cells_are_named_without_brackets(tmp_path: Path, registry: perfrules.Registry,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A finding on a CSV form names its cell as I16, never as [!I16]."""
    case = layouts.mof_2020_project(total_score=97.5)
    path = _file(case, "csv", tmp_path)
    monkeypatch.chdir(tmp_path)
    from perfrules.cli import main
    main(["audit", path.name])
    out = capsys.readouterr().out
    assert "PR004" in out
    assert "[!" not in out and "!H" not in out.replace(f"{path.name}!", "")
    assert "H22" in out


# -- the checks themselves -------------------------------------------------------------

_FORM: dict[str, Any] = {
    "title": "某项目支出绩效自评表", "kind": "project",
    "indicators": [
        {"name": "培训人次", "path": ["产出指标", "数量指标"], "unit": "人次", "nature": "≥",
         "target": "100", "weight": "40", "actual": "110", "reported_score": "40"},
        {"name": "经费拨付及时率", "path": ["产出指标", "时效指标"], "unit": "%", "nature": "≥",
         "target": "95", "weight": "30", "actual": "100", "reported_score": "30"},
        {"name": "运行成本", "path": ["产出指标", "成本指标"], "unit": "万元", "nature": "≥",
         "target": "50", "weight": "30", "actual": "52", "reported_score": "30"},
    ],
}


def _findings(form: dict[str, Any], registry: perfrules.Registry) -> list[Finding]:
    return list(audit(perfrules.Form.from_dict(form, source="form.json"),
                      registry=registry).findings)


def test_pr015_takes_no_time_line_for_a_cost_line(registry: perfrules.Registry) -> None:
    hits = [f for f in _findings(_FORM, registry) if f.code == "PR015"]
    assert [f.indicator for f in hits] == ["运行成本"]
    form = copy.deepcopy(_FORM)
    form["indicators"][1]["path"] = ["产出指标", "数量指标"]  # 及时 in the name is enough
    assert [f.indicator for f in _findings(form, registry) if f.code == "PR015"] == ["运行成本"]


def test_pr018_checks_the_project_framework_on_its_own_family(
        registry: perfrules.Registry) -> None:
    # a 项目支出 form with only 产出指标: 效益 and 满意度 are missing
    assert sum(f.code == "PR018" for f in _findings(_FORM, registry)) == 2
    # a 部门整体 form in its own framework (履职效能, 管理效率 …) is not held to it
    department = copy.deepcopy(_FORM)
    department["kind"] = "department"
    department["title"] = "某局部门整体支出绩效自评表"
    for ind, top in zip(department["indicators"], ("履职效能", "管理效率", "履职效能")):
        ind["path"] = [top, ind["path"][1]]
    assert not [f for f in _findings(department, registry) if f.code == "PR018"]
    # a 部门整体 form laid out in the 产出/效益/满意度 framework still is
    same = copy.deepcopy(_FORM)
    same["kind"] = "department"
    assert sum(f.code == "PR018" for f in _findings(same, registry)) == 2


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_group_subtotal_is_checked_against_its_lines(fmt: str, tmp_path: Path,
                                                     registry: perfrules.Registry) -> None:
    """一、产出指标 | 60 over lines weighing 50: PR007 names the group; never a line."""
    case = layouts.group_subtotals(output_subtotal=60)
    form = perfrules.load(_file(case, fmt, tmp_path), registry=registry)
    assert "产出指标" not in [i.name for i in form.indicators]
    hits = [f for f in audit(form, registry=registry).findings if f.code == "PR007"]
    assert len(hits) == 1 and "产出指标" in hits[0].message_en
    with pytest.raises(perfrules.FormError):
        perfrules.score(form, registry=registry)
    # the subtotals as written: no finding on them, and the form scores
    (tmp_path / "ok").mkdir()
    good = perfrules.load(_file(layouts.group_subtotals(), fmt, tmp_path / "ok"),
                          registry=registry)
    assert "PR007" not in _codes(good, registry)
    assert str(perfrules.score(good, registry=registry).total) == "98.80"


def test_a_subtotal_that_is_no_number_is_refused_naming_its_cell(
        registry: perfrules.Registry) -> None:
    from perfrules.io.table import GridCell, read_grid
    rows = [["指标名称", "指标性质", "指标值", "分值", "完成值", "得分"],
            ["一、产出指标", None, None, "五十分", None, None],
            ["培训人次", "≥", "10", 100, "10", 100]]
    grid = [[GridCell(v, f"S!{chr(65 + j)}{i + 1}") for j, v in enumerate(row)]
            for i, row in enumerate(rows)]
    form = read_grid(grid, "S").form
    (problem,) = form.problems
    assert problem.code == "bad-group" and problem.location == "S!D2"
    assert problem.value == "五十分" and problem.expected
    with pytest.raises(perfrules.FormError):
        perfrules.score(form, registry=registry)
