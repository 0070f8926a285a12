"""The form's own name (项目名称, 单位名称): read, kept, and shown as the form's title."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import perfrules
from perfrules.cli import main

from . import layouts

try:
    from . import fileformats
except ImportError:  # pragma: no cover
    fileformats = None  # type: ignore[assignment]

PROJECT = "社区养老服务站建设项目"


def _workbook(tmp_path: Path) -> Path:
    if fileformats is None or fileformats.available("xlsx") is not None:
        pytest.skip("cannot write xlsx here")
    case = layouts.mof_2020_project(project=PROJECT)
    return fileformats.write(case.layout, tmp_path / "自评表.xlsx", "xlsx")


def test_name_is_read_with_its_cell(tmp_path: Path, registry: perfrules.Registry) -> None:
    form = perfrules.load(_workbook(tmp_path), registry=registry)
    assert form.name == PROJECT
    assert form.where("name") == "项目支出绩效自评表!B3"
    assert form.title == "项目支出绩效自评表"


def test_name_round_trips_through_the_canonical_form() -> None:
    data = {"title": "项目支出绩效自评表", "name": PROJECT, "kind": "project",
            "indicators": [{"name": "培训人次", "weight": "100", "nature": "≥", "target": "1",
                            "actual": "1"}]}
    form = perfrules.Form.from_dict(data)
    assert form.name == PROJECT
    assert form.to_dict()["name"] == PROJECT
    assert "name" not in perfrules.Form.from_dict({**data, "name": ""}).to_dict()
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(perfrules.__file__).parent / "schemas" / "form.schema.json")
                        .read_text("utf-8"))
    jsonschema.validate(form.to_dict(), schema)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_reports_title_the_form_by_its_name(fmt: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = _workbook(tmp_path)
    assert main(["score", "--format", fmt, str(path)]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        data = json.loads(out)
        assert data["name"] == PROJECT and data["title"] == "项目支出绩效自评表"
        jsonschema = pytest.importorskip("jsonschema")
        schema = json.loads((Path(perfrules.__file__).parent / "schemas" / "report.schema.json")
                            .read_text("utf-8"))
        jsonschema.validate(data, schema)
    else:
        assert f"{PROJECT} 项目支出绩效自评表" in out


def test_audit_summary_names_each_form(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = _workbook(tmp_path)
    main(["audit", str(path)])
    assert PROJECT in capsys.readouterr().out
    main(["audit", "--format", "json", str(path)])
    data = json.loads(capsys.readouterr().out)
    assert data["forms"][0]["name"] == PROJECT
