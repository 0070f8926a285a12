"""Audit: each check fires on its planted error and stays silent on a clean form."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest

import perfrules
from perfrules import Finding, audit
from perfrules._audit import SEVERITIES
from perfrules.builtin.checks import BUILTIN_CHECKS
from perfrules.cli import main

from . import builders

CLEAN: dict[str, Any] = {
    "title": "清洁表", "reported_total": "100", "reported_grade": "优",
    "indicators": [
        {"name": "培训人次", "path": ["产出指标", "数量指标"], "unit": "人次", "nature": "≥",
         "target": "100", "weight": "40", "actual": "110", "reported_score": "40"},
        {"name": "运行成本", "path": ["效益指标", "经济效益指标"], "unit": "万元", "nature": "≤",
         "target": "50", "weight": "30", "actual": "48", "reported_score": "30"},
        {"name": "服务对象满意度", "path": ["满意度指标", "服务对象满意度指标"], "unit": "%",
         "nature": "≥", "target": "90", "weight": "20", "actual": "92", "reported_score": "20"},
        {"name": "服务质量", "path": ["产出指标", "质量指标"], "nature": "定性", "target": "良好",
         "weight": "10", "actual": "达成", "reported_score": "10"},
    ],
}


def _audit(form: dict[str, Any], registry: perfrules.Registry) -> list[Finding]:
    return list(audit(perfrules.Form.from_dict(form, source="form.json"), registry=registry).findings)


def _edit(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    form = copy.deepcopy(CLEAN)
    change(form)
    return form


def _set(i: int, **fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(form: dict[str, Any]) -> None:
        form["indicators"][i].update(fields)
        for key, value in list(form["indicators"][i].items()):
            if value is None:
                del form["indicators"][i][key]
    return change


def _many(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(form: dict[str, Any]) -> None:
        for c in changes:
            c(form)
    return change


def _top(**fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda form: form.update(fields)


PLANTED: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "PR001": ("error", _set(0, actual="一百一十")),
    "PR002": ("error", _set(0, reported_score="39")),
    "PR003": ("error", _top(reported_total="99")),
    "PR004": ("error", _top(reported_total="99")),
    "PR005": ("error", _set(0, reported_score="45")),
    "PR006": ("error", _set(0, weight="30", reported_score="30")),
    "PR007": ("error", _top(groups=[{"path": ["产出指标"], "weight": "60"},
                                    {"path": ["效益指标"], "weight": "30"},
                                    {"path": ["满意度指标"], "weight": "10"}])),
    "PR008": ("warning", _set(0, actual="90", reported_score="36")),
    "PR009": ("warning", _set(0, actual="150")),
    "PR010": ("warning", _set(2, nature="=", actual="95")),
    "PR011": ("error", _set(3, actual="部分达成", reported_score="9")),
    "PR012": ("info", _set(3, actual="全部完成")),
    "PR013": ("warning", _set(0, unit=None)),
    "PR014": ("warning", _set(2, name="服务覆盖率", actual="105")),
    "PR015": ("warning", _set(1, nature="≥", actual="52")),
    "PR016": ("info", _many(_set(0, actual="100"), _set(1, actual="50"), _set(2, actual="90"))),
    "PR017": ("warning", _set(1, name="培训人次")),
    "PR018": ("warning", _set(2, path=["产出指标", "数量指标"])),
    "PR019": ("error", _top(reported_grade="良")),
    "PR020": ("error", _set(3, actual="还行", reported_score=None)),
    "PR021": ("info", _set(0, nature=None)),
    "PR022": ("info", _set(3, actual="还行")),
    "PR023": ("info", _top(skipped=[{"where": "自评表!A30", "text": "其他需要说明的事项",
                                     "reason": "not an indicator row", "reason_zh": "不是指标行"}])),
    "PR024": ("warning", _top(year=2019)),
}


def test_clean_form_has_no_findings(registry: perfrules.Registry) -> None:
    assert _audit(CLEAN, registry) == []


@pytest.mark.parametrize("code", sorted(PLANTED))
def test_each_check_fires_on_its_planted_error(code: str, registry: perfrules.Registry) -> None:
    severity, change = PLANTED[code]
    findings = _audit(_edit(change), registry)
    hits = [f for f in findings if f.code == code]
    assert hits, [f.code for f in findings]
    for finding in hits:
        assert finding.severity == severity
        assert finding.message_zh and finding.message_en
        assert finding.location  # every finding points somewhere


def test_every_code_is_planted_and_documented() -> None:
    codes = {c for check in BUILTIN_CHECKS for c in check.codes}
    assert codes == set(PLANTED)
    doc = (Path(__file__).parent.parent / "docs" / "audit.md").read_text("utf-8")
    for code in codes:
        assert f"`{code}`" in doc, code


def test_line_mismatch_details(registry: perfrules.Registry) -> None:
    [finding] = [f for f in _audit(_edit(_set(0, reported_score="39")), registry)
                 if f.code == "PR002"]
    assert finding.indicator == "培训人次"
    assert finding.field == "reported_score"
    assert finding.expected == "40.00" and finding.found == "39"
    assert finding.citation == "财预〔2020〕10号"
    assert finding.location == "form.json: indicators[0].reported_score"


def test_audit_works_where_score_refuses(registry: perfrules.Registry) -> None:
    form = perfrules.Form.from_dict(_edit(_many(_set(0, weight="30"),
                                                _set(3, actual="还行", reported_score=None))))
    with pytest.raises(perfrules.FormError):
        perfrules.score(form, registry=registry)
    result = audit(form, registry=registry)
    assert {"PR006", "PR020"} <= {f.code for f in result.findings}
    assert result.total is None
    assert {line.name for line in result.lines} == {"培训人次", "运行成本", "服务对象满意度"}


def test_seed_audits_without_errors(registry: perfrules.Registry) -> None:
    result = audit(perfrules.example(), registry=registry)
    counts = result.counts()
    assert counts["error"] == 0
    assert str(result.total) == "99.96"
    codes = [f.code for f in result.findings]
    assert codes.count("PR012") == 9  # 全部完成 read as 达成 through a synonym
    assert codes.count("PR008") == 1  # 全年预算执行率 loses 0.04 with an empty 说明
    assert set(codes) == {"PR008", "PR012"}


# -- the command line -------------------------------------------------------------------


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    builders.seed_xlsx(folder / "good.xlsx")
    bad = builders.seed_xlsx(folder / "bad.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(bad)
    wb["自评表"]["H7"] = 4.0  # 开展安全检查次数: 4.50 recomputed
    wb["自评表"]["H3"] = 99.5
    wb.save(bad)
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    (folder / "form.json").write_text(json.dumps(CLEAN, ensure_ascii=False), "utf-8")
    (folder / "~$good.xlsx").write_bytes(b"lock file")
    return folder


def test_audit_batch_exit_codes_and_outputs(batch: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = {p.name: p.read_bytes() for p in batch.iterdir()}
    out = tmp_path / "out"
    code = main(["audit", str(batch), "-o", f"{out}/", "--format", "xlsx"])
    text = capsys.readouterr().out
    assert code == 2  # an unreadable file in the batch, which went on
    assert "broken.xlsx" in text and "bad.xlsx" in text and "~$good" not in text
    assert "PR002" in text and "自评表!H7" in text
    assert sorted(p.name for p in out.iterdir()) == [
        "audit.html", "bad.audit.xlsx", "findings.jsonl", "good.audit.xlsx", "summary.csv",
        "summary.json"]
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["summary"]["forms"] == 4 and summary["summary"]["unreadable"] == 1
    rows = (out / "summary.csv").read_text("utf-8-sig").splitlines()
    assert rows[0].startswith("文件,标题,表内总分,重算总分,等级")  # the run's language
    assert rows[1].split(",")[8] in ("无问题", "有提示", "有警告", "有错误", "无法读取")
    assert len(rows) == 5
    page = (out / "audit.html").read_text("utf-8")
    assert "<svg" in page and "重算总分分布" in page and "等级分布" in page
    # originals untouched
    assert {p.name: p.read_bytes() for p in batch.iterdir()} == before


def test_annotated_copy_marks_the_cells(batch: Path, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "out"
    main(["audit", str(batch / "bad.xlsx"), "-o", f"{out}/", "--format", "xlsx"])
    wb = openpyxl.load_workbook(out / "bad.audit.xlsx")
    cell = wb["自评表"]["H7"]
    assert cell.comment is not None and "PR002" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "PR004" in wb["自评表"]["H3"].comment.text


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on(tmp_path: Path, fail_on: str, expected: int,
                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "form.json"
    path.write_text(json.dumps(_edit(_set(0, unit=None)), ensure_ascii=False), "utf-8")
    assert main(["audit", str(path), "--fail-on", fail_on]) == expected
    capsys.readouterr()


def test_fail_on_error_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "form.json"
    path.write_text(json.dumps(_edit(_top(reported_total="99")), ensure_ascii=False), "utf-8")
    assert main(["audit", str(path)]) == 1
    assert "PR004" in capsys.readouterr().out


def test_jobs_give_the_same_result(batch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["audit", str(batch), "--format", "json"])
    one = json.loads(capsys.readouterr().out)
    main(["audit", str(batch), "--format", "json", "--jobs", "2"])
    two = json.loads(capsys.readouterr().out)
    assert one == two


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_formats(batch: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["audit", str(batch / "bad.xlsx"), "--format", fmt])
    out = capsys.readouterr().out
    assert "PR002" in out


def test_severities_order() -> None:
    assert SEVERITIES == ("error", "warning", "info")
