"""Reports out: JSON (with its schema), Markdown, HTML, Excel; convert round trips."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import perfrules
from perfrules.cli import main, schema_text

from . import builders

jsonschema = pytest.importorskip("jsonschema")
CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


def test_report_json_matches_its_schema(registry: perfrules.Registry,
                                        tmp_path: Path) -> None:
    schema = json.loads(schema_text("report"))
    jsonschema.Draft202012Validator.check_schema(schema)
    forms = [perfrules.example(),
             perfrules.load(builders.project_xlsx(tmp_path / "p.xlsx"), registry=registry)]
    for form in forms:
        data = json.loads(registry.writer("json").write(perfrules.score(form, registry=registry)))
        jsonschema.validate(data, schema)


def test_every_golden_form_matches_the_form_schema() -> None:
    schema = json.loads(schema_text("form"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in CASES:
        jsonschema.validate(json.loads(path.read_text("utf-8"))["form"], schema)
    jsonschema.validate(json.loads(perfrules.example_path().read_text("utf-8")), schema)


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "report"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "perfrules score report"
    assert main(["schema", "form"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "perfrules canonical form"


def test_markdown(registry: perfrules.Registry) -> None:
    report = perfrules.score(perfrules.example(), registry=registry)
    text = registry.writer("markdown").write(report).decode("utf-8")
    assert text.startswith("# 香炉山街道2022年度部门整体绩效自评表")
    assert "**总分 99.96**" in text
    assert "| 全年预算执行率 | = | 100% | 99.64% | 10 | 9.96 | 未达成 |" in text


def test_html_is_self_contained_and_escaped(registry: perfrules.Registry) -> None:
    form = perfrules.example()
    evil = attrs.evolve(form.indicators[1], name="<script>alert(1)</script>")
    form = attrs.evolve(form, indicators=(form.indicators[0], evil, *form.indicators[2:]))
    page = registry.writer("html").write(perfrules.score(form, registry=registry)).decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page  # no external assets
    assert '<div class="total">99.96</div>' in page
    assert "@media print" in page


def test_xlsx_report_reads_back(registry: perfrules.Registry, tmp_path: Path) -> None:
    import openpyxl

    form = perfrules.load(builders.project_xlsx(tmp_path / "p.xlsx"), registry=registry)
    report = perfrules.score(form, registry=registry)
    out = tmp_path / "report.xlsx"
    assert main(["score", str(tmp_path / "p.xlsx"), "--format", "xlsx", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["自评表"]
    assert ws["A1"].value == builders.PROJECT_TITLE
    # the form's name on its own row, then 主管部门 with the total, as the form has them
    meta = next(r for r in ws.iter_rows(values_only=True) if r[0] == "主管部门")
    assert meta[7] == pytest.approx(99.11)
    rows = {r[2]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[2]}
    assert rows["群众知晓率"][8] == pytest.approx(14.17)
    assert rows["群众知晓率"][0:2] == ("效益指标", "社会效益指标")
    assert rows["总分"][8] == pytest.approx(float(report.total))


def test_binary_format_needs_output(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["score", "--example", "--format", "xlsx"])
    assert info.value.code == 2
    assert "-o OUT" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".json", ".toml", ".yaml"])
def test_convert_round_trip(tmp_path: Path, suffix: str, registry: perfrules.Registry) -> None:
    source = builders.project_xlsx(tmp_path / "p.xlsx")
    out = tmp_path / f"form{suffix}"
    assert main(["convert", str(source), "-o", str(out)]) == 0
    original = perfrules.score(perfrules.load(source, registry=registry), registry=registry)
    again = perfrules.score(perfrules.load(out, registry=registry), registry=registry)
    assert again.total == original.total == Decimal("99.11")
    assert [(ln.name, ln.points, ln.rule) for ln in again.lines] == \
        [(ln.name, ln.points, ln.rule) for ln in original.lines]
    assert again.form.content_hash() == original.form.content_hash()


def test_convert_refuses_to_overwrite_input(tmp_path: Path) -> None:
    path = tmp_path / "form.json"
    path.write_text(perfrules.example_path().read_text("utf-8"), "utf-8")
    before = path.read_bytes()
    assert main(["convert", str(path), "-o", str(path)]) == 2
    assert path.read_bytes() == before
