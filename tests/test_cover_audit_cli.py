"""`perfrules audit` in-process (one job, no time limit): annotated Excel copies and the
usage errors a finance officer meets before any form is read."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from perfrules.cli import main

from . import builders
from .test_batch_cli import FORM, write_form


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def wrong_score_xlsx(path: Path) -> Path:
    """The seed form with 开展安全检查次数 reporting 3 points where it earns 4.5."""
    builders.seed_xlsx(path)
    wb = openpyxl.load_workbook(path)
    wb["自评表"]["H7"] = 3
    wb.save(path)
    return path


def test_annotated_copy_marks_each_finding_cell_and_leaves_the_original(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    source = wrong_score_xlsx(tmp_path / "in" / "香炉山.xlsx")
    before = source.read_bytes()
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "audit", str(source), "--format", "xlsx", "-o", f"{out}/",
                          "--timeout", "0")
    assert code == 1  # the wrong score is an error finding
    copy = out / "香炉山.audit.xlsx"
    assert copy.is_file() and source.read_bytes() == before
    assert {p.name for p in out.iterdir()} >= {"summary.csv", "summary.json", "audit.html"}
    assert not list(out.glob(".*.tmp"))  # written atomically, no leftovers
    sheet = openpyxl.load_workbook(copy)["自评表"]
    wrong = sheet["H7"]
    assert wrong.value == 3  # the user's own value is kept
    assert wrong.fill.fgColor.rgb.endswith("FFC7CE")  # an error: red
    assert "错误" in wrong.comment.text and "应为 4.5" in wrong.comment.text
    assert wrong.comment.author == "perfrules"
    assert sheet["I6"].fill.fgColor.rgb.endswith("FFEB9C")  # a warning: missing explanation
    assert sheet["G15"].fill.fgColor.rgb.endswith("DDEBF7")  # info: a synonym was used
    assert sheet["B8"].comment is None  # a clean cell gets nothing
    assert "香炉山" in stdout


def test_xlsx_output_needs_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    form = write_form(tmp_path / "a.json")
    code, _, err = run(capsys, "audit", str(form), "--format", "xlsx", "-o", str(tmp_path / "r.txt"))
    assert code == 2
    assert "--format xlsx" in err and "-o DIR/" in err
    assert not (tmp_path / "r.txt").exists()


def test_output_folder_that_is_a_file_is_refused(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    form = write_form(tmp_path / "a.json")
    taken = tmp_path / "taken"
    taken.write_text("keep", "utf-8")
    code, _, err = run(capsys, "audit", str(form), "-o", f"{taken}/")
    assert code == 2
    assert "不是文件夹" in err and str(taken) in err
    assert taken.read_text("utf-8") == "keep"


def test_unknown_ruleset_is_refused_before_any_form_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    form = write_form(tmp_path / "a.json")
    code, stdout, err = run(capsys, "audit", str(form), "--ruleset", "no-such-rules", "--timeout", "0")
    assert code == 2
    assert "no-such-rules" in err and "cn-mof-2020" in err  # names what is valid
    assert stdout == ""


def test_a_folder_without_forms_is_a_usage_error(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("不是表", "utf-8")
    code, _, err = run(capsys, "audit", str(tmp_path / "empty"))
    assert code == 2
    assert "没有找到表单" in err and "empty" in err


def test_markdown_report_names_an_unreadable_form(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    write_form(tmp_path / "forms" / "good.json")
    (tmp_path / "forms" / "broken.json").write_text("{not json", "utf-8")
    code, stdout, _ = run(capsys, "audit", str(tmp_path / "forms"), "--format", "markdown",
                          "--timeout", "0")
    assert code == 2  # an unreadable form is an input error, whatever the findings
    broken = stdout.index("broken.json")
    assert "**无法读取**" in stdout[broken:]
    assert "good.json" in stdout


def test_output_folder_inside_the_searched_folder_is_not_audited(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forms = tmp_path / "forms"
    write_form(forms / "a.json")
    out = forms / "reports"
    # a form someone left in the output folder is not one of the forms received
    write_form(out / "stray.json", {**FORM, "title": "不应审核"})
    code, _, _ = run(capsys, "audit", str(forms), "-o", f"{out}/", "--timeout", "0")
    assert code in (0, 1)
    rows = json.loads((out / "summary.json").read_text("utf-8"))
    text = json.dumps(rows, ensure_ascii=False)
    assert "a.json" in text and "stray.json" not in text
