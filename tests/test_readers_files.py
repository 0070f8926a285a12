"""Every reader path on files written from code: .xlsx, .docx, .xls, .csv and PDF.

Several forms in one file, the cells each value came from, tables going on
over a page break, and the per-file budgets (each refusal names its limit).
"""

from __future__ import annotations

import copy
import re
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules.io._limits import Limits
from perfrules.io.spreadsheets import CsvReader, DocxReader, PdfReader, XlsReader, XlsxReader

from . import fileformats
from .gridspec import Sheet

pytest.importorskip("openpyxl")

TITLE = "社区服务能力提升项目2023年度项目支出绩效自评表"


def project(name: str = "项目1", title: str = TITLE, extra_rows: int = 0) -> Sheet:
    """A 项目支出 form: fund block, merged 一级/二级 cells, percent cells, a 总分 row."""
    rows: list[list[Any]] = [
        ["项目名称", "社区服务能力提升项目", None, None, "主管部门", "某区民政局"],
        ["实施单位", "某街道办事处", None, None, "自评总分", 99.11],
        ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        [None, "年度资金总额", 800, 800, 794.8, 10, 0.9935, 9.94],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
         "偏差原因分析及改进措施"],
        ["产出指标", "数量指标", "培训人次", "≥500人次", 520, 20, 20, None],
        [None, None, "覆盖社区数", "≥7个", 7, 10, 10, None],
        [None, "质量指标", "验收合格率", "≥95%", 0.98, 10, 10, None],
        [None, "时效指标", "按时完成率", "=100%", 1, 10, 10, None],
        ["效益指标", "社会效益指标", "群众知晓率", "≥90%", 0.85, 15, 14.17,
         "宣传覆盖不足，下年度增加入户宣传"],
        [None, "经济效益指标", "运行成本", "≤50万元", 48, 15, 15, None],
        ["满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", 0.92, 10, 10, None],
        ["总分", None, None, None, None, 100, 99.11, None],
    ]
    return Sheet(name=name, rows=rows,
                 merges=[(3, 1, 4, 1), (6, 1, 9, 1), (6, 2, 7, 2), (10, 1, 11, 1), (13, 1, 13, 5)],
                 percent={(4, 7), (8, 5), (9, 5), (10, 5), (12, 5)}, paragraphs=[title])


def long_table(n: int) -> Sheet:
    """A flat export: the header row first, then ``n`` indicators of equal weight."""
    rows: list[list[Any]] = [["一级指标", "二级指标", "三级指标", "指标值", "分值", "完成值", "得分"]]
    weight = Decimal(100) / n
    for i in range(1, n + 1):
        rows.append(["产出指标", "数量指标", f"指标{i:03d}", f"≥{i}", float(weight), i, float(weight)])
    return Sheet(name="Sheet1", rows=rows, paragraphs=["长表2024年度部门整体绩效自评表"])


def _need(fmt: str) -> None:
    reason = fileformats.available(fmt)
    if reason:
        pytest.skip(reason)


def _read(tmp_path: Path, layout: list[Sheet], fmt: str, name: str = "自评表",
          **options: Any) -> tuple[Path, tuple[perfrules.Form, ...]]:
    _need(fmt)
    path = fileformats.write(layout, tmp_path / f"{name}.{fmt}", fmt, **options)
    return path, perfrules.load_all(path)


FIRST = {"xlsx": "项目1!", "xls": "项目1!", "csv": "自评表.csv!", "docx": "表1", "pdf": "第1页 表1 "}
ACTUAL_CELL = {"xlsx": "{s}G5", "xls": "{s}G5", "csv": "{s}G5", "docx": "{s}第4行第7列",
               "pdf": "{s}第4行第7列"}


@pytest.mark.parametrize("fmt", fileformats.FORMATS)
def test_project_form_in_every_format(tmp_path: Path, fmt: str) -> None:
    path, (form,) = _read(tmp_path, [project()], fmt)
    assert form.source == str(path)
    assert form.title == TITLE and form.year == 2023 and form.kind == "project"
    assert form.reported_total == Decimal("99.11")
    fund, *rest = form.indicators
    assert (fund.budget, fund.executed, fund.weight) == (Decimal(800), Decimal("794.8"), Decimal(10))
    assert fund.actual == Decimal("99.35")
    assert fund.where("actual") == ACTUAL_CELL[fmt].format(s=FIRST[fmt])
    by_name = {i.name: i for i in rest}
    assert len(rest) == 7
    assert by_name["覆盖社区数"].path == ("产出指标", "数量指标")
    assert by_name["运行成本"].path == ("效益指标", "经济效益指标")
    assert by_name["验收合格率"].actual == Decimal(98)
    assert by_name["群众知晓率"].note == "宣传覆盖不足，下年度增加入户宣传"
    report = perfrules.score(form)
    assert str(report.total) == "99.11"
    assert {line.name: str(line.points) for line in report.lines}["预算执行率"] == "9.94"


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "docx", "pdf"])
def test_several_forms_in_one_file(tmp_path: Path, fmt: str) -> None:
    second = project("项目2", "文化惠民项目2023年度项目支出绩效自评表")
    second.rows[0][1] = "文化惠民项目"
    path, forms = _read(tmp_path, [project(), second], fmt)
    labels = {"xlsx": ("项目1", "项目2"), "xls": ("项目1", "项目2"), "docx": ("表1", "表2"),
              "pdf": ("第1页表1", "第2页表1")}[fmt]
    assert [f.source for f in forms] == [f"{path}#{label}" for label in labels]
    assert [f.title for f in forms] == [TITLE, "文化惠民项目2023年度项目支出绩效自评表"]
    assert [str(perfrules.score(f).total) for f in forms] == ["99.11", "99.11"]
    second_cell = forms[1].indicators[0].where("actual")
    assert second_cell is not None and second_cell.startswith(
        {"xlsx": "项目2!", "xls": "项目2!", "docx": "表2", "pdf": "第2页 表1"}[fmt])
    with pytest.raises(perfrules.FormError, match="load_all") as info:
        perfrules.load(path)
    assert info.value.problems[0].code == "several-forms"
    assert all(label in str(info.value) for label in labels)


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_cover_sheet_is_skipped_but_a_broken_form_sheet_is_an_error(tmp_path: Path, fmt: str) -> None:
    cover = Sheet(name="封面", rows=[["2023年度项目支出绩效自评表"], ["填报单位", "某街道办事处"],
                                    ["填表说明：分值按指标重要程度确定。"]])
    path, (form,) = _read(tmp_path, [cover, project()], fmt)
    assert form.source == str(path) and form.title == TITLE
    broken = Sheet(name="项目2", rows=[["指标名称", "指标值", "完成值"], ["合格率", "≥95%", "96%"]])
    _need(fmt)
    path = fileformats.write([project(), broken, cover], tmp_path / f"坏.{fmt}", fmt)
    with pytest.raises(perfrules.FormError) as info:
        perfrules.load_all(path)
    assert any(p.location and "项目2" in p.location for p in info.value.problems), info.value


def test_docx_forms_as_separate_tables_with_titles(tmp_path: Path) -> None:
    """Each form: a title paragraph, a head table (project, funds), an indicator table."""
    layout = []
    for k, name in enumerate(("社区服务能力提升项目", "文化惠民项目"), start=1):
        full = project(f"P{k}", f"{name}2023年度项目支出绩效自评表")
        full.rows[0][1] = name
        head = Sheet(name=f"H{k}", rows=full.rows[:4], merges=[(3, 1, 4, 1)],
                     percent={(4, 7)}, paragraphs=full.paragraphs)
        body = Sheet(name=f"B{k}", rows=full.rows[4:],
                     merges=[(r1 - 4, c1, r2 - 4, c2) for r1, c1, r2, c2 in full.merges if r1 > 4],
                     percent={(r - 4, c) for r, c in full.percent if r > 4})
        layout += [head, body]
    path, forms = _read(tmp_path, layout, "docx")
    assert [f.source for f in forms] == [f"{path}#表2", f"{path}#表4"]
    assert [f.title for f in forms] == ["社区服务能力提升项目2023年度项目支出绩效自评表",
                                        "文化惠民项目2023年度项目支出绩效自评表"]
    for form in forms:
        assert form.organization == "某区民政局" and form.reported_total == Decimal("99.11")
        assert perfrules.score(form).lines[0].kind == "execution-rate"
        assert str(perfrules.score(form).total) == "99.11"
    assert forms[1].indicators[0].where("actual") == "表3第4行第7列"
    assert forms[1].indicators[-1].where("actual") == "表4第8行第5列"


def test_docx_table_split_in_two_is_one_form(tmp_path: Path) -> None:
    full = project()
    first = Sheet(name="A", rows=full.rows[:9], merges=[m for m in full.merges if m[2] <= 9],
                  percent={p for p in full.percent if p[0] <= 9}, paragraphs=full.paragraphs)
    rest = Sheet(name="B", rows=full.rows[9:], merges=[(r1 - 9, c1, r2 - 9, c2)
                                                       for r1, c1, r2, c2 in full.merges if r1 > 9],
                 percent={(r - 9, c) for r, c in full.percent if r > 9})
    _need("docx")
    path = fileformats.write([first, rest], tmp_path / "split.docx", "docx")
    _drop_empty_paragraphs(path)  # the two tables follow each other with nothing between
    (form,) = perfrules.load_all(path)
    assert form.source == str(path)
    names = [i.name for i in form.indicators]
    assert names[-1] == "服务对象满意度" and len(names) == 8
    assert form.indicators[-1].where("actual") == "表2第3行第5列"
    assert form.indicators[-1].path == ("满意度指标", "服务对象满意度指标")
    assert str(perfrules.score(form).total) == "99.11"


def _drop_empty_paragraphs(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].decode()
    xml = re.sub(r"</w:tbl><w:p>(?:<w:pPr>.*?</w:pPr>)?</w:p><w:tbl>", "</w:tbl><w:tbl>", xml)
    xml = xml.replace("</w:tbl><w:p/><w:tbl>", "</w:tbl><w:tbl>")
    assert "</w:tbl><w:tbl>" in xml
    parts["word/document.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx_xml(tmp_path: Path, body: str, name: str = "x.docx") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml",
                         f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}'
                         "</w:body></w:document>")
    return path


def _tc(text: str, props: str = "") -> str:
    pr = f"<w:tcPr>{props}</w:tcPr>" if props else ""
    return f"<w:tc>{pr}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_docx_merges_resolved_like_word(tmp_path: Path) -> None:
    header = "".join(_tc(t) for t in ("绩效指标", "指标名称", "指标值", "指标权重", "全年完成值", "指标得分"))
    row1 = (_tc("产出", '<w:vMerge w:val="restart"/>') + _tc("培训人次") + _tc("≥500")
            + _tc("60") + _tc("520") + _tc("60"))
    row2 = (_tc("", "<w:vMerge/>") + _tc("合格率") + _tc("≥95") + _tc("40") + _tc("96") + _tc("40"))
    total = _tc("合计", '<w:gridSpan w:val="5"/>') + _tc("100")
    note = ('<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
            + _tc("注：按时填报", '<w:gridSpan w:val="5"/>') + "</w:tr>")
    hidden = ('<w:p><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/'
              'markup-compatibility/2006"><mc:Fallback><w:t>副本</w:t></mc:Fallback>'
              "</mc:AlternateContent><w:t>某单位2024年度部门整体绩效自评表</w:t></w:r></w:p>")
    body = (hidden + "<w:tbl>" + "".join(f"<w:tr>{r}</w:tr>" for r in (header, row1, row2, total))
            + note + "</w:tbl>")
    (form,) = perfrules.load_all(_docx_xml(tmp_path, body))
    assert form.title == "某单位2024年度部门整体绩效自评表"
    first, second = form.indicators
    assert first.path == second.path == ("产出",)
    assert second.where("weight") == "表1第3行第4列"
    assert form.reported_total == Decimal(100) and form.where("reported_total") == "表1第4行第6列"


def test_docx_xml_entities_are_not_expanded(tmp_path: Path) -> None:
    bomb = ('<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", f'<?xml version="1.0"?>{bomb}<w:document {W}><w:body>'
                         f"<w:tbl><w:tr>{_tc('&d;')}</w:tr></w:tbl></w:body></w:document>")
    with pytest.raises(perfrules.FormError) as info:
        perfrules.load_all(path)
    assert "aaaaaaaaaa" not in str(info.value)


def test_pdf_table_going_on_over_pages_is_joined(tmp_path: Path) -> None:
    _, (form,) = _read(tmp_path, [long_table(100)], "pdf")
    assert len(form.indicators) == 100
    assert [i.name for i in form.indicators] == [f"指标{i:03d}" for i in range(1, 101)]
    last = form.indicators[-1].where("actual")
    assert last is not None and not last.startswith("第1页")
    assert str(perfrules.score(form).total) == "100.00"


def test_pdf_repeated_header_row_is_dropped(tmp_path: Path) -> None:
    path, (form,) = _read(tmp_path, [long_table(100)], "pdf", repeat_header=True)
    import pdfplumber

    with pdfplumber.open(path) as pdf:  # the header row really is printed again on page 2
        first = pdf.pages[1].extract_tables()[0][0][:3]
        assert [unicodedata.normalize("NFKC", t) for t in first] == ["一级指标", "二级指标", "三级指标"]
    assert [i.name for i in form.indicators] == [f"指标{i:03d}" for i in range(1, 101)]
    pages = {str(i.where("name")).split(" ")[0] for i in form.indicators}
    assert len(pages) > 1


def test_scanned_pdf_is_refused_as_such(tmp_path: Path) -> None:
    pytest.importorskip("pdfplumber")
    path = fileformats.scanned_pdf(tmp_path / "扫描件.pdf")
    with pytest.raises(perfrules.FormError, match="no text layer") as info:
        perfrules.load_all(path)
    assert info.value.problems[0].code == "no-text-layer"


def test_pdf_without_tables_and_not_a_pdf(tmp_path: Path) -> None:
    pytest.importorskip("pdfplumber")
    (tmp_path / "x.pdf").write_bytes(b"hello, not a pdf")
    with pytest.raises(perfrules.FormError, match="not a PDF"):
        perfrules.load_all(tmp_path / "x.pdf")
    (tmp_path / "y.pdf").write_bytes(b"%PDF-1.4\n garbage")
    with pytest.raises(perfrules.FormError, match="cannot be read"):
        perfrules.load_all(tmp_path / "y.pdf")


# -- .xls -----------------------------------------------------------------------


def test_xls_file_that_is_really_xlsx_or_html(tmp_path: Path) -> None:
    _need("xlsx")
    path = fileformats.write([project()], tmp_path / "实为xlsx.xls", "xlsx")
    assert perfrules.load(path).indicators[0].where("actual") == "项目1!G5"
    pytest.importorskip("xlrd")
    (tmp_path / "web.xls").write_text("<html><body><table><tr><td>指标名称</td></tr></table>", "utf-8")
    with pytest.raises(perfrules.FormError, match="web page"):
        perfrules.load(tmp_path / "web.xls")
    (tmp_path / "bad.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(perfrules.FormError, match="cannot be read"):
        perfrules.load(tmp_path / "bad.xls")


# -- .xlsx: the real extent of a sheet ----------------------------------------------


def _rewrite(path: Path, part: str, change: Any) -> Path:
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_xlsx_read_past_a_short_dimension(tmp_path: Path) -> None:
    """A <dimension> that leaves out the score column and the 总分 row hides nothing."""
    _need("xlsx")
    path = fileformats.write([project()], tmp_path / "dim.xlsx", "xlsx")
    _rewrite(path, "xl/worksheets/sheet1.xml",
             lambda d: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:E10"/>', d))
    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1:E10"/>' in archive.read("xl/worksheets/sheet1.xml")
    form = perfrules.load(path)
    assert len(form.indicators) == 8
    assert form.indicators[-1].reported_score == Decimal(10)
    assert form.indicators[-1].where("reported_score") == "项目1!G13"
    assert form.reported_total == Decimal("99.11")


def test_xlsx_malformed_sheet_xml_names_the_sheet(tmp_path: Path) -> None:
    _need("xlsx")
    path = fileformats.write([project()], tmp_path / "bad.xlsx", "xlsx")
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda d: d.replace(b"</sheetData>", b"<row>"))
    with pytest.raises(perfrules.FormError, match="sheet 项目1 cannot be read"):
        perfrules.load(path)


# -- budgets ------------------------------------------------------------------------


def _refused(path: Path, reader: Any, limit: str) -> perfrules.FormError:
    with pytest.raises(perfrules.FormError) as info:
        reader.read_all(path)
    text = str(info.value)
    assert f"the limit {limit} is" in text, text
    assert f"PERFRULES_{limit.upper()}" in text, text
    assert info.value.problems[0].code == "limit-exceeded"
    return info.value


def test_sparse_sheet_reaching_xfd1048576_is_refused(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "指标名称"
    wb.active["XFD1048576"] = "x"
    wb.save(tmp_path / "sparse.xlsx")
    err = _refused(tmp_path / "sparse.xlsx", XlsxReader(), "max_area")
    assert "1048576 rows × 16384 columns" in str(err) and "XFD1048576" in str(err)


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "docx", "csv", "pdf"])
def test_cell_budget_in_every_format(tmp_path: Path, fmt: str) -> None:
    _need(fmt)
    path = fileformats.write([project()], tmp_path / f"form.{fmt}", fmt)
    reader = {"xlsx": XlsxReader, "xls": XlsReader, "docx": DocxReader, "csv": CsvReader,
              "pdf": PdfReader}[fmt](limits=Limits(max_cells=20))
    err = _refused(path, reader, "max_cells")
    assert "--max-cells" in str(err)
    assert len(type(reader)(limits=Limits(max_cells=200)).read_all(path)) == 1


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "docx", "csv", "pdf"])
def test_area_budget_in_every_format(tmp_path: Path, fmt: str) -> None:
    _need(fmt)
    path = fileformats.write([project()], tmp_path / f"form.{fmt}", fmt)
    reader = {"xlsx": XlsxReader, "xls": XlsReader, "docx": DocxReader, "csv": CsvReader,
              "pdf": PdfReader}[fmt](limits=Limits(max_area=40))
    _refused(path, reader, "max_area")


def test_docx_budgets(tmp_path: Path) -> None:
    _need("docx")
    path = fileformats.write([project(), project("项目2")], tmp_path / "form.docx", "docx")
    _refused(path, DocxReader(limits=Limits(max_tables=1)), "max_tables")
    _refused(path, DocxReader(limits=Limits(max_paragraphs=50)), "max_paragraphs")
    _refused(path, DocxReader(limits=Limits(max_part_bytes=1000)), "max_part_bytes")
    assert len(DocxReader().read_all(path)) == 2


def test_docx_of_19000_by_68_empty_cells_is_refused_by_the_cell_budget(tmp_path: Path) -> None:
    row = "<w:tr>" + "<w:tc><w:p/></w:tc>" * 68 + "</w:tr>"
    path = _docx_xml(tmp_path, "<w:tbl>" + row * 19_000 + "</w:tbl>")
    reader = DocxReader(limits=Limits(max_part_bytes=64 * 1024 * 1024))
    err = _refused(path, reader, "max_paragraphs" if Limits().max_paragraphs <= Limits().max_cells
                   else "max_cells")
    assert "more than" in str(err)


def test_zip_budgets(tmp_path: Path) -> None:
    _need("xlsx")
    path = fileformats.write([project()], tmp_path / "form.xlsx", "xlsx")
    err = _refused(path, XlsxReader(limits=Limits(max_part_bytes=2000)), "max_part_bytes")
    assert "unpacks to" in str(err)
    _refused(path, XlsxReader(limits=Limits(max_parts=3)), "max_parts")


def test_pdf_page_budget(tmp_path: Path) -> None:
    _need("pdf")
    path = fileformats.write([long_table(100)], tmp_path / "long.pdf", "pdf")
    _refused(path, PdfReader(limits=Limits(max_pages=1)), "max_pages")


def test_csv_field_over_128_kb_is_a_clear_refusal(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("指标名称,指标权重,全年完成值\n" + "合格率," + "9" * 200_000 + ",1\n", "utf-8")
    err = _refused(path, CsvReader(), "max_field_chars")
    assert "line 2" in str(err)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('指标名称,指标权重\n"' + "x" * 200_000 + '",1\n', "utf-8")
    _refused(quoted, CsvReader(), "max_field_chars")


def test_limits_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _need("xlsx")
    path = fileformats.write([project()], tmp_path / "form.xlsx", "xlsx")
    monkeypatch.setenv("PERFRULES_MAX_CELLS", "20")
    with pytest.raises(perfrules.FormError, match="the limit max_cells is 20"):
        perfrules.load(path)
    monkeypatch.setenv("PERFRULES_MAX_CELLS", "lots")
    with pytest.raises(perfrules.InputError, match="PERFRULES_MAX_CELLS is not a positive"):
        perfrules.load(path)
    monkeypatch.setenv("PERFRULES_MAX_CELLS", "1_000")
    assert perfrules.load(path).reported_total == Decimal("99.11")
    assert Limits.from_env({"PERFRULES_MAX_AREA": "7"}).max_area == 7


def test_every_layout_row_is_read_once_across_formats(tmp_path: Path) -> None:
    """The same form gives the same values from every format that can hold it."""
    seen: dict[str, list[tuple[Any, ...]]] = {}
    for fmt in fileformats.FORMATS:
        if fileformats.available(fmt):
            continue
        path = fileformats.write([copy.deepcopy(project())], tmp_path / f"f.{fmt}", fmt)
        form = perfrules.load(path)
        seen[fmt] = [(i.name, i.path, i.nature, i.target, i.weight, i.actual, i.reported_score, i.unit,
                      i.note) for i in form.indicators]
    assert len(seen) >= 2
    first = next(iter(seen.values()))
    for fmt, values in seen.items():
        for got, want in zip(values, first):
            assert got == want, (fmt, got, want)
        assert len(values) == len(first), fmt


def test_pdf_forms_with_the_same_title_on_each_page_stay_apart(tmp_path: Path) -> None:
    """A second form that starts with the same header row is not the first one going on."""
    first, second = long_table(10), long_table(10)
    second.name = "Sheet2"
    path, forms = _read(tmp_path, [first, second], "pdf")
    assert [f.source for f in forms] == [f"{path}#第1页表1", f"{path}#第2页表1"]
    assert [len(f.indicators) for f in forms] == [10, 10]


def test_blank_lines_count_against_the_area_budget(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("指标名称,指标权重,全年完成值\n" + "\n" * 2_000, "utf-8")
    _refused(path, CsvReader(limits=Limits(max_area=1_000)), "max_area")
    body = "<w:tbl>" + "<w:tr/>" * 2_000 + "</w:tbl>"
    _refused(_docx_xml(tmp_path, body), DocxReader(limits=Limits(max_area=1_000)), "max_area")


def test_styles_heavy_workbook_is_refused_before_openpyxl_reads_it(tmp_path: Path) -> None:
    _need("xlsx")
    path = fileformats.write([project()], tmp_path / "styles.xlsx", "xlsx")
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    _rewrite(path, "xl/styles.xml", lambda d: re.sub(rb"<cellXfs count=\"\d+\">",
                                                     b'<cellXfs count="120001">' + xf * 120_000, d))
    assert path.stat().st_size < 1_000_000  # a small file that unpacks to megabytes
    err = _refused(path, XlsxReader(), "max_part_bytes")
    assert "xl/styles.xml" in str(err)


def test_xml_entities_in_a_sheet_are_refused(tmp_path: Path) -> None:
    _need("xlsx")
    path = fileformats.write([project()], tmp_path / "lol.xlsx", "xlsx")
    dtd = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    _rewrite(path, "xl/worksheets/sheet1.xml",
             lambda d: d.replace(b"?>", b"?>" + dtd, 1).replace(b"<v>800</v>", b"<v>&b;</v>", 1))
    with pytest.raises(perfrules.FormError, match="cannot be read"):
        perfrules.load(path)


@pytest.mark.parametrize("line", ["第 2 页", "第2页，共5页", "- 3 -", "3 / 12", "Page 2 of 9", "12"])
def test_page_numbers_are_not_text_between_tables(line: str) -> None:
    from perfrules.io.pdf import _PAGE_NUMBER

    assert _PAGE_NUMBER.match(line)


@pytest.mark.parametrize("line", ["附件2", "第二部分 项目支出", "2023年度项目支出绩效自评表"])
def test_titles_are_text_between_tables(line: str) -> None:
    from perfrules.io.pdf import _PAGE_NUMBER

    assert not _PAGE_NUMBER.match(line)


def test_pdf_cell_text_is_joined_and_radicals_folded() -> None:
    from perfrules.io.pdf import _join_lines

    assert _join_lines("宣传覆盖不足，下年度增加入⼾\n宣传") == "宣传覆盖不足，下年度增加入户宣传"
    assert _join_lines("服务对象满意\n度") == "服务对象满意度"
    assert _join_lines("on time\ndelivery") == "on time delivery"
    assert _join_lines("⼀级指标 ⻔诊") == "一级指标 门诊"
    # chromium's PDFs write the C-simplified radical ⻚ for 页 (档案数字化页数)
    assert _join_lines("档案数字化⻚数 ⻥⻦⻬⻰") == "档案数字化页数 鱼鸟齐龙"
    assert _join_lines(None) is None


def stacked() -> Sheet:
    """Two project forms one under the other in one sheet, each with its title row."""
    first, second = project("两个"), project("x", "文化惠民项目2023年度项目支出绩效自评表")
    n = len(first.rows) + 2
    return Sheet(name="两个", rows=[*first.rows, [None], [second.paragraphs[0]], *second.rows],
                 merges=[*first.merges, *((r1 + n, c1, r2 + n, c2) for r1, c1, r2, c2 in second.merges)],
                 percent=first.percent | {(r + n, c) for r, c in second.percent},
                 paragraphs=first.paragraphs)


@pytest.mark.parametrize("fmt", fileformats.FORMATS)
def test_forms_stacked_in_one_sheet_are_two_forms(tmp_path: Path, fmt: str) -> None:
    path, forms = _read(tmp_path, [stacked()], fmt)
    first = {"xlsx": "两个!A1", "xls": "两个!A1", "csv": "自评表.csv!A1", "docx": "表1第1行第1列",
             "pdf": "第1页 表1 第1行第1列"}[fmt]
    assert forms[0].source == f"{path}#{first}"
    assert [f.title for f in forms] == [TITLE, "文化惠民项目2023年度项目支出绩效自评表"]
    assert [len(f.indicators) for f in forms] == [8, 8]
    assert [f.reported_total for f in forms] == [Decimal("99.11")] * 2
    assert [str(perfrules.score(f).total) for f in forms] == ["99.11", "99.11"]


def test_a_header_row_repeated_in_a_sheet_is_not_a_new_form(tmp_path: Path) -> None:
    sheet = long_table(6)
    sheet.rows.insert(4, list(sheet.rows[0]))  # the header printed again at a page break
    _, (form,) = _read(tmp_path, [sheet], "xlsx")
    assert [i.name for i in form.indicators] == [f"指标{i:03d}" for i in range(1, 7)]
