"""Files the readers refuse, and the cell types of old .xls workbooks, as a user meets them:
the problem's code, the file or cell it names, and what would be valid."""

from __future__ import annotations

import datetime
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules import FormError

from . import builders


def problem(exc: pytest.ExceptionInfo[FormError]) -> perfrules.Problem:
    assert len(exc.value.problems) == 1
    return exc.value.problems[0]


# -- .xls ------------------------------------------------------------------------------------


def xls_form(path: Path) -> Path:
    """A .xls form whose actuals are a date, a boolean and a #DIV/0! error cell."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("自评表")
    ws.write(0, 0, builders.SEED_TITLE)
    for c, head in enumerate(builders.SEED_HEADER):
        ws.write(1, c, head)
    plain, date = xlwt.easyxf(""), xlwt.easyxf(num_format_str="YYYY-MM-DD")
    rows = [["产出指标", "培训人次", "人次", "≥", 100, 50, datetime.datetime(2022, 3, 1), 50, "   "],
            ["产出指标", "是否完成", "项", "=", 1, 30, True, 30],
            ["效益指标", "满意度", "%", "≥", None, 20, None, 20]]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value, date if isinstance(value, datetime.datetime) else plain)
    ws.row(4).set_cell_error(6, "#DIV/0!")
    ws.write(4, 4, 9e6, date)  # a "date" after 9999 that Excel cannot show: the number is kept
    book.save(str(path))
    return path


def test_xls_dates_booleans_and_error_cells_are_refused_naming_the_cell(
        registry: perfrules.Registry, tmp_path: Path) -> None:
    form = perfrules.load(xls_form(tmp_path / "自评.xls"), registry=registry)
    by_name = {i.name: i for i in form.indicators}
    assert by_name["满意度"].target == Decimal(9000000)
    with pytest.raises(FormError) as info:
        perfrules.score(form, registry=registry)
    text = {(p.location, p.message) for p in info.value.problems}
    assert ("自评表!G3", "the actual (完成值) '2022-03-01 00:00:00' is not a number on a ≥ line") in text
    assert ("自评表!G4", "the actual (完成值) 'True' is not a number on a = line") in text
    assert any(loc == "自评表!G5" and "spreadsheet error #DIV/0!" in msg for loc, msg in text)
    assert all("number such as 95" in (p.expected or "") for p in info.value.problems
               if p.message.startswith("the actual"))


def test_an_excel_2003_xml_file_named_xls_is_told_apart(registry: perfrules.Registry,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "导出.xls"
    path.write_text('<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:'
                    'spreadsheet"></Workbook>', "utf-8")
    with pytest.raises(FormError) as info:
        perfrules.load(path, registry=registry)
    found = problem(info)
    assert found.code == "not-xls" and "XML spreadsheet (Excel 2003 XML)" in found.message
    assert "save it as .xlsx" in (found.expected or "")


# -- JSON, TOML, YAML -----------------------------------------------------------------------


def test_an_oversized_file_is_refused_before_it_is_read(registry: perfrules.Registry,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024 + 1)  # sparse: nothing is written, nothing is read
    with pytest.raises(FormError) as info:
        perfrules.load(path, registry=registry)
    found = problem(info)
    assert found.code == "file-too-large" and found.location == str(path)
    assert "52428801 bytes; the limit is 52428800" in found.message


def test_a_blank_file_is_empty(registry: perfrules.Registry, tmp_path: Path) -> None:
    path = tmp_path / "blank.toml"
    path.write_text(" \n\t\n", "utf-8")
    with pytest.raises(FormError) as info:
        perfrules.load(path, registry=registry)
    assert problem(info).code == "empty-file"


def test_json_integers_beyond_40_digits_are_refused(registry: perfrules.Registry,
                                                    tmp_path: Path) -> None:
    data = json.loads(perfrules.example_path().read_text("utf-8"))
    text = json.dumps(data, ensure_ascii=False).replace('"indicators"', '"big": ' + "9" * 41
                                                         + ', "indicators"', 1)
    path = tmp_path / "big.json"
    path.write_text(text, "utf-8")
    with pytest.raises(FormError) as info:
        perfrules.load(path, registry=registry)
    found = problem(info)
    assert found.code == "bad-json" and "41 digits; at most 40 are valid" in found.message


@pytest.mark.parametrize(("suffix", "text", "code", "words"), [
    (".toml", 'title = "表"\nindicators = [\n', "bad-toml", "not valid TOML"),
    (".toml", "a = " + "[" * 3000 + "]" * 3000 + "\n", "limit-exceeded", "deeper than 32"),
    (".yaml", "title: 表\nindicators: [\n", "bad-yaml", "not valid YAML"),
    (".yaml", "a: " + "[" * 40 + "]" * 40 + "\n", "limit-exceeded", "deeper than 32"),
])
def test_broken_or_deep_toml_and_yaml(registry: perfrules.Registry, tmp_path: Path, suffix: str,
                                      text: str, code: str, words: str) -> None:
    path = tmp_path / f"form{suffix}"
    path.write_text(text, "utf-8")
    with pytest.raises(FormError) as info:
        perfrules.load(path, registry=registry)
    found = problem(info)
    assert found.code == code and words in found.message
    assert str(path) in (found.location or "")


# -- Word -----------------------------------------------------------------------------------


def rezip(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of a .docx with parts replaced (bytes) or left out (None)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            if item.filename in change:
                if change[item.filename] is not None:
                    new.writestr(item, change[item.filename])
            else:
                new.writestr(item, old.read(item))
    return target


def test_a_docx_without_its_document_part(registry: perfrules.Registry, tmp_path: Path) -> None:
    good = builders.seed_docx(tmp_path / "good.docx")
    bad = rezip(good, tmp_path / "no-body.docx", {"word/document.xml": None})
    with pytest.raises(FormError) as info:
        perfrules.load(bad, registry=registry)
    found = problem(info)
    assert found.code == "corrupt-file" and "no word/document.xml" in found.message
    assert found.expected == "a .docx file saved by Word or WPS"


def test_a_docx_with_broken_xml(registry: perfrules.Registry, tmp_path: Path) -> None:
    good = builders.seed_docx(tmp_path / "good.docx")
    with zipfile.ZipFile(good) as z:
        body = z.read("word/document.xml")
    bad = rezip(good, tmp_path / "cut.docx", {"word/document.xml": body[: len(body) // 2]})
    with pytest.raises(FormError) as info:
        perfrules.load(bad, registry=registry)
    found = problem(info)
    assert found.code == "corrupt-file" and found.message.startswith("Word cannot be read: ")


def test_a_docx_without_a_table(registry: perfrules.Registry, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("香炉山街道2022年度部门整体绩效自评表")
    document.add_paragraph("（表格见附件）")
    path = tmp_path / "text-only.docx"
    document.save(str(path))
    with pytest.raises(FormError) as info:
        perfrules.load(path, registry=registry)
    found = problem(info)
    assert found.code == "no-table" and found.expected == "a 绩效自评表 as a Word table"


def test_word_tabs_and_non_breaking_hyphens_are_read_as_text(registry: perfrules.Registry,
                                                            tmp_path: Path) -> None:
    good = builders.seed_docx(tmp_path / "good.docx")
    with zipfile.ZipFile(good) as z:
        body = z.read("word/document.xml").decode("utf-8")
    name = "开展安全检查次数"
    assert body.count(f"<w:t>{name}</w:t>") == 1
    body = body.replace(f"<w:t>{name}</w:t>",
                        "<w:t>开展安全</w:t><w:noBreakHyphen/><w:t>检查</w:t><w:tab/><w:t>次数</w:t>")
    path = rezip(good, tmp_path / "marks.docx", {"word/document.xml": body.encode("utf-8")})
    names = [i.name for i in perfrules.load(path, registry=registry).indicators]
    assert names[1] == "开展安全-检查\t次数"  # as Word shows it, not 开展安全检查次数
