"""The audit's outputs rendered in-process: the list functions (JSON, JSON Lines, text,
Markdown), a paged HTML report's edges, atomic writes, names of annotated copies, and
where an annotated Excel copy shows a finding about the whole form."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest

import perfrules
from perfrules import Finding
from perfrules.exceptions import MissingDependencyError
from perfrules.io import audit_render
from perfrules.io.audit_render import (
    BatchItem,
    FormOut,
    HtmlSink,
    Tally,
    annotate_xlsx,
    annotated_names,
    audit_findings,
    audit_html,
    audit_json,
    audit_markdown,
    audit_text,
    display_names,
    write_atomic,
)

from . import builders
from .test_batch_cli import FORM, form


def report(data: dict[str, Any] | None = None, **changes: Any) -> perfrules.AuditReport:
    return perfrules.audit(perfrules.Form.from_dict(data or FORM, source="x.json"), **changes)


def wrong_score() -> perfrules.AuditReport:
    """A form whose first line reports 50 points where it earns 60."""
    data = form()
    data["indicators"][0]["reported_score"] = "50"
    data["reported_total"] = "90"
    return report(data)


def finding(code: str = "PR900", severity: str = "warning", **fields: Any) -> Finding:
    return Finding(code=code, severity=severity, check="test", message_zh="整表问题",
                   message_en="a form-level problem", **fields)


# -- items and names ----------------------------------------------------------------------


def test_an_item_is_readable_only_with_a_report() -> None:
    assert BatchItem(path="a.json", report=report()).readable
    broken = BatchItem(path="b.json", error="corrupt", error_zh="损坏")
    assert not broken.readable
    assert broken.error_text("zh") == "损坏" and broken.error_text("en") == "corrupt"


def test_the_forms_of_one_file_are_named_by_the_path_given(tmp_path: Path) -> None:
    path = str(tmp_path / "sub" / "表\udcff.xlsx")  # a GBK byte that is no UTF-8
    items = [BatchItem(path=path, form="Sheet1"), BatchItem(path=path, form="Sheet2")]
    assert display_names(items) == {path: str(tmp_path / "sub" / "表\ufffd.xlsx")}


def test_paths_without_a_common_folder_are_shown_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    def different_drives(paths: Any) -> str:
        raise ValueError("Paths don't have the same drive")

    monkeypatch.setattr(os.path, "commonpath", different_drives)
    items = [BatchItem(path="C:/a/x.json"), BatchItem(path="D:/b/y.json")]
    assert display_names(items) == {"C:/a/x.json": "C:/a/x.json", "D:/b/y.json": "D:/b/y.json"}


def test_one_workbook_named_twice_gets_two_copies_not_one_overwritten(tmp_path: Path) -> None:
    first = str(tmp_path / "a" / "表.xlsx")
    second = os.path.join(str(tmp_path / "a"), ".", "表.xlsx")  # the same file, spelt otherwise
    out = tmp_path / "out"
    names = annotated_names([first, second, str(tmp_path / "a" / "c.json")], out)
    assert names == {first: str(out / "表.audit.xlsx"), second: str(out / "表-2.audit.xlsx")}


# -- atomic writes --------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "summary.csv"
    target.write_bytes(b"old")

    def half_written(path: str) -> None:
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, half_written)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.csv"]


def test_atomic_write_where_files_have_no_mode_bits(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fchmod", raising=False)  # as on Windows
    target = tmp_path / "new" / "audit.html"
    write_atomic(target, b"<html>")
    assert target.read_bytes() == b"<html>"
    assert [p.name for p in target.parent.iterdir()] == ["audit.html"]


# -- the list functions ---------------------------------------------------------------------


def test_json_names_the_sheet_of_each_form_and_an_empty_batch_has_no_forms() -> None:
    data = json.loads(audit_json([BatchItem(path="a.xlsx", form="Sheet2", report=report()),
                                  BatchItem(path="b.xlsx", error="corrupt")]))
    assert [f.get("form") for f in data["forms"]] == ["Sheet2", None]
    assert data["forms"][1]["error"] == "corrupt"
    assert data["summary"]["forms"] == 2 and data["summary"]["unreadable"] == 1
    empty = json.loads(audit_json([]))
    assert empty["forms"] == [] and empty["summary"]["forms"] == 0


def test_findings_lines_one_per_finding_and_one_per_unreadable_file() -> None:
    rep = wrong_score()
    lines = audit_findings([BatchItem(path="a.json", report=rep),
                            BatchItem(path="b.json", error="corrupt")]).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(rep.findings) + 1
    assert records[-1] == {"file": "b.json", "form": None, "error": "corrupt"}
    assert "PR002" in {r.get("code") for r in records[:-1]}
    assert all(r["file"] == "a.json" for r in records[:-1])


def test_text_names_each_form_once_then_a_table_of_all() -> None:
    rep = attrs.evolve(report(), form=attrs.evolve(report().form, name="社区服务项目"))
    rep = attrs.evolve(rep, findings=(finding(location="d/a.json: 自评表!H3"),))  # no citation
    out = audit_text([BatchItem(path="d/a.json", report=rep),
                      BatchItem(path="d/b.json", error="corrupt", error_zh="文件已损坏")],
                     "zh").decode()
    first = out.splitlines()[0]
    assert first.startswith("d/a.json 社区服务项目: 表内总分 100  重算总分 100.00")
    assert "PR900 警告 表单 [自评表!H3] 整表问题" in out
    assert "依据" not in out.split("PR900")[1].splitlines()[0]  # no citation, none shown
    assert "  ✗ 文件已损坏" in out
    table = out.split("\n\n")[-1].splitlines()
    assert table[1].startswith("a.json") and table[2].startswith("b.json")
    assert "无法读取" in table[2]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_lists_each_forms_findings_and_why_a_file_is_unreadable(lang: str) -> None:
    rep = wrong_score()
    out = audit_markdown([BatchItem(path="a.json", report=rep),
                          BatchItem(path="b.json", report=attrs.evolve(report(), findings=())),
                          BatchItem(path="c|d.json", error="corrupt", error_zh="已损坏")],
                         lang).decode()
    zh = lang == "zh"
    assert out.startswith("# 绩效自评表审核" if zh else "# Self-evaluation audit")
    assert ("| 代码 | 级别 |" if zh else "| Code | Severity |") in out
    assert out.count("|---|---|---|---|---|") == 1  # only the form with findings has a table
    row = next(line for line in out.splitlines() if line.startswith("| PR002"))
    assert ("| 错误 |" if zh else "| error |") in row and "培训人次" in row
    assert (f"表内总分 90 · 重算总分 **{rep.total}**" if zh else
            f"Reported 90 · recomputed **{rep.total}**") in out
    assert "## c\\|d.json" in out  # a pipe in a name does not break the table
    assert ("**无法读取**: 已损坏" if zh else "**Unreadable**: corrupt") in out


# -- the HTML report ------------------------------------------------------------------------


def clean_out(n: int) -> FormOut:
    return FormOut(path=f"forms/{n:03d}.json", title="清洁表", reported_total="100",
                   total="100", grade="优")


def feed(sink: HtmlSink, outs: list[FormOut], tally: Tally) -> None:
    for out in outs:
        tally.add(out)
        sink.add(out, tally)
    sink.finish(tally)
    sink.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_that_end_exactly_on_the_last_form_and_no_findings(tmp_path: Path,
                                                                lang: str) -> None:
    dest = tmp_path / "audit.html"
    with dest.open("wb") as fh:
        feed(HtmlSink(fh, lang, {}, pages=tmp_path / "audit-pages", page_size=64),
             [clean_out(n) for n in range(128)], Tally())
    assert sorted(p.name for p in (tmp_path / "audit-pages").iterdir()) == [
        "0001.html", "0002.html"]  # no empty third page
    summary = dest.read_text("utf-8")
    assert ("没有发现问题。" if lang == "zh" else "No findings.") in summary
    assert 'href="audit-pages/0002.html"' in summary
    second = (tmp_path / "audit-pages" / "0002.html").read_text("utf-8")
    assert 'href="0001.html"' in second  # back to the first page
    assert second.count("<tr id=") == 64 and 'id="f128"' in second


def test_the_last_page_links_to_no_next_page(tmp_path: Path) -> None:
    with (tmp_path / "audit.html").open("wb") as fh:
        feed(HtmlSink(fh, "en", {}, pages=tmp_path / "audit-pages", page_size=2),
             [clean_out(n) for n in range(4)], Tally())
    second = (tmp_path / "audit-pages" / "0002.html").read_text("utf-8")
    assert 'href="0003.html"' not in second


def test_an_interrupted_run_says_so_in_every_summary(tmp_path: Path) -> None:
    tally = Tally()
    tally.interrupted = True
    dest = tmp_path / "audit.html"
    with dest.open("wb") as fh:
        feed(HtmlSink(fh, "en", {}), [clean_out(1)], tally)
    assert "the audit was interrupted" in dest.read_text("utf-8")
    assert tally.summary()["interrupted"] is True
    assert "interrupted" not in Tally().summary()


def test_the_summary_of_a_list_counts_forms_findings_and_grades() -> None:
    items = [BatchItem(path="a.json", report=wrong_score()), BatchItem(path="b.json",
                                                                       report=report()),
             BatchItem(path="c.json", error="corrupt")]
    summary = audit_render._summary(items)
    assert summary["forms"] == 3 and summary["unreadable"] == 1
    assert summary["findings"]["error"] == wrong_score().counts()["error"] >= 1
    assert sum(summary["grades"].values()) == 2
    page = audit_html(items, "en").decode()
    assert page.count("<tr id=") == 3 and 'href="#d1"' in page


# -- annotated Excel copies -----------------------------------------------------------------


def test_annotated_copies_need_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = builders.seed_xlsx(tmp_path / "seed.xlsx")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingDependencyError):
        annotate_xlsx(BatchItem(path=str(source), report=report()), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def comments(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.comment.text for ws in wb for row in ws.iter_rows()
            for c in row if c.comment is not None}


def test_form_level_findings_sit_on_the_cells_they_are_about(tmp_path: Path) -> None:
    source = builders.seed_xlsx(tmp_path / "seed.xlsx")
    wb = openpyxl.load_workbook(source)
    wb["自评表"]["F7"] = 9  # the weights no longer add up to 100: PR006
    wb.save(source)
    real = perfrules.audit(perfrules.load(source))
    assert any(f.code == "PR006" and f.location == str(source) for f in real.findings)
    extra = (finding("PR901", field="reported_total"),  # read from 自评表!H3
             finding("PR902", field="organization", severity="info"))  # read from B3
    rep = attrs.evolve(real, findings=real.findings + extra)
    copy = annotate_xlsx(BatchItem(path=str(source), report=rep), tmp_path / "out")
    assert copy == tmp_path / "out" / "seed.audit.xlsx"
    notes = comments(copy)
    assert "PR006" in notes[("自评表", "H3")] and "PR901" in notes[("自评表", "H3")]
    assert "PR902" in notes[("自评表", "B3")]
    sheet = openpyxl.load_workbook(copy)["自评表"]
    assert sheet["H3"].fill.fgColor.rgb.endswith("FFC7CE")  # PR006 is an error
    assert sheet["H3"].value == 99.96


def test_a_weight_finding_sits_on_the_total_rows_weight_cell(tmp_path: Path) -> None:
    source = builders.project_xlsx(tmp_path / "project.xlsx")
    real = perfrules.audit(perfrules.load(source))
    rep = attrs.evolve(real, findings=(finding("PR007", severity="error"),))
    copy = annotate_xlsx(BatchItem(path=str(source), report=rep), tmp_path / "out")
    assert copy is not None
    total = real.form.where("reported_total")
    assert total is not None
    row = total.rsplit("!", 1)[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    weight_col = next(p for f, p in real.form.indicators[0].cells if f == "weight")
    weight_col = weight_col.rsplit("!", 1)[1].rstrip("0123456789")
    assert list(comments(copy)) == [("项目自评", f"{weight_col}{row}")]


def other_form(tmp_path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook whose form was read from elsewhere (its findings name no cell of it)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_without_any_known_cell_a_finding_goes_on_the_title(tmp_path: Path) -> None:
    source = other_form(tmp_path, {"表": [[None, None], [None, "某单位绩效自评表"]]})
    rep = report()
    rep = attrs.evolve(rep, form=attrs.evolve(rep.form, cells=(("organization", "别的表!B3"),)),
                       findings=(finding(code="PR006", field="weight"),
                                 finding(field="organization")))  # its cell is elsewhere
    copy = annotate_xlsx(BatchItem(path=str(source), report=rep), tmp_path / "out")
    assert copy is not None and list(comments(copy)) == [("表", "B2")]
    assert "PR006" in comments(copy)[("表", "B2")] and "PR900" in comments(copy)[("表", "B2")]


def test_an_empty_sheet_gets_the_note_on_a1(tmp_path: Path) -> None:
    source = other_form(tmp_path, {"空表": []})
    rep = attrs.evolve(report(), findings=(finding(),))
    copy = annotate_xlsx(BatchItem(path=str(source), report=rep), tmp_path / "out")
    assert copy is not None and list(comments(copy)) == [("空表", "A1")]


def test_a_form_level_finding_on_an_unknown_sheet_is_left_out(tmp_path: Path) -> None:
    source = other_form(tmp_path, {"一": [["a"]], "二": [["b"]]})
    rep = attrs.evolve(report(), findings=(finding(),))
    copy = annotate_xlsx(BatchItem(path=str(source), report=rep), tmp_path / "out")
    assert copy is not None and comments(copy) == {}
    assert openpyxl.load_workbook(copy)["一"]["A1"].value == "a"
