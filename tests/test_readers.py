"""Real forms in: Excel, Word and CSV built from code in published layouts."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules.cli import main

from . import builders

pytest.importorskip("openpyxl")
pytest.importorskip("docx")  # the test files are written with python-docx


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("forms")
    return {
        "seed.xlsx": builders.seed_xlsx(root / "香炉山自评表.xlsx"),
        "seed.docx": builders.seed_docx(root / "香炉山自评表.docx"),
        "project.xlsx": builders.project_xlsx(root / "项目自评表.xlsx"),
        "two.xlsx": builders.two_row_header_xlsx(root / "两行表头.xlsx"),
        "seed.csv": builders.seed_csv(root / "香炉山自评表.csv"),
        "seed-utf8.csv": builders.seed_csv(root / "utf8.csv", encoding="utf-8-sig"),
    }


def _same_as_example(form: perfrules.Form) -> None:
    example = perfrules.example()
    assert form.title == "香炉山街道2022年度部门整体绩效自评表"
    assert form.year == 2022
    assert form.kind == "department"
    assert form.reported_total == Decimal("99.96")
    assert len(form.indicators) == len(example.indicators)
    fields = ("name", "unit", "nature", "target", "weight", "actual", "reported_score", "path")
    for got, want in zip(form.indicators, example.indicators):
        for field in fields:
            assert getattr(got, field) == getattr(want, field), (got.name, field)


@pytest.mark.parametrize("key", ["seed.xlsx", "seed.docx", "seed.csv", "seed-utf8.csv"])
def test_seed_in_every_format_scores_99_96(files: dict[str, Path], key: str,
                                           registry: perfrules.Registry) -> None:
    form = perfrules.load(files[key], registry=registry)
    _same_as_example(form)
    if key != "seed.csv" and key != "seed-utf8.csv":
        assert form.organization == "重庆高新区香炉山街道办事处"
    report = perfrules.score(form, registry=registry)
    assert str(report.total) == "99.96"
    assert report.grade == "优"


def test_xlsx_cell_provenance(files: dict[str, Path], registry: perfrules.Registry) -> None:
    form = perfrules.load(files["seed.xlsx"], registry=registry)
    first = form.indicators[0]
    assert first.where("actual") == "自评表!G6"
    assert first.where("weight") == "自评表!F6"
    assert first.where("name") == "自评表!B6"
    assert form.indicators[-1].where("actual") == "自评表!G26"


def test_docx_cell_provenance(files: dict[str, Path], registry: perfrules.Registry) -> None:
    form = perfrules.load(files["seed.docx"], registry=registry)
    assert form.indicators[0].where("actual") == "表1第4行第7列"
    assert form.indicators[0].where("reported_score") == "表1第4行第8列"


def test_csv_provenance_and_gbk(files: dict[str, Path], registry: perfrules.Registry) -> None:
    raw = files["seed.csv"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GBK
    form = perfrules.load(files["seed.csv"], registry=registry)
    assert form.indicators[0].where("actual") == "香炉山自评表.csv!G4"


def test_project_form(files: dict[str, Path], registry: perfrules.Registry) -> None:
    form = perfrules.load(files["project.xlsx"], registry=registry)
    assert form.kind == "project"
    assert form.title == builders.PROJECT_TITLE
    assert form.year == 2023
    assert form.reported_total == Decimal("99.11")
    fund, *rest = form.indicators
    assert fund.rule is None  # scored by its kind, never named by the reader
    assert perfrules.score(form).lines[0].kind == "execution-rate"
    assert (fund.budget, fund.executed, fund.weight) == (Decimal(800), Decimal("794.8"), Decimal(10))
    assert fund.actual == Decimal("99.35") and fund.unit == "%"  # 0.9935 shown as 99.35%
    assert fund.where("executed") == "项目自评!E5"
    by_name = {i.name: i for i in rest}
    assert by_name["培训人次"].path == ("产出指标", "数量指标")
    assert by_name["覆盖社区数"].path == ("产出指标", "数量指标")  # merged cells carried down
    assert by_name["验收合格率"].path == ("产出指标", "质量指标")
    assert by_name["运行成本"].path == ("效益指标", "经济效益指标")
    assert (by_name["培训人次"].nature, by_name["培训人次"].target, by_name["培训人次"].unit) == (
        "≥", Decimal(500), "人次")
    assert by_name["验收合格率"].actual == Decimal(98)  # percentage format read
    assert by_name["按时完成率"].nature == "=" and by_name["按时完成率"].target == Decimal(100)
    assert by_name["群众知晓率"].note.startswith("宣传覆盖不足")
    assert by_name["群众知晓率"].where("reported_score") == "项目自评!G13"
    assert "总分" not in by_name
    report = perfrules.score(form, registry=registry)
    lines = {line.name: str(line.points) for line in report.lines}
    assert lines["预算执行率"] == "9.94"  # 10 × 794.8 / 800 = 9.935; float arithmetic gives 9.93
    assert lines["群众知晓率"] == "14.17"
    assert str(report.total) == "99.11"


def test_two_row_header_prefers_adjusted_target(files: dict[str, Path],
                                                registry: perfrules.Registry) -> None:
    form = perfrules.load(files["two.xlsx"], registry=registry)
    first, second = form.indicators
    assert first.target == Decimal(10) and first.where("target") == "Sheet1!F4"  # 全年指标值
    assert second.nature == "≥" and second.target == Decimal(1200)
    assert first.path == ("产出指标", "数量指标")
    report = perfrules.score(form, registry=registry)
    assert [str(line.points) for line in report.lines] == ["60.00", "36.67"]


def test_cli_scores_xlsx_and_docx(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(files["seed.xlsx"]), str(files["seed.docx"])]) == 0
    out = capsys.readouterr().out
    assert out.count("总分 99.96  等级 优") == 2


# -- bad input -------------------------------------------------------------------


def _expect(path: Path, *fragments: str, registry: perfrules.Registry) -> perfrules.FormError:
    with pytest.raises(perfrules.FormError) as info:
        perfrules.load(path, registry=registry)
    text = str(info.value)
    for fragment in fragments:
        assert fragment in text, text
    return info.value


def test_no_recognisable_table(tmp_path: Path, registry: perfrules.Registry) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["会议纪要", "无表格"])
    wb.save(tmp_path / "x.xlsx")
    _expect(tmp_path / "x.xlsx", "no indicator table", "三级指标/指标名称", registry=registry)


def test_header_missing_weight_column(tmp_path: Path, registry: perfrules.Registry) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    ws.append(["指标名称", "指标性质", "指标值", "全年完成值"])
    ws.append(["合格率", "≥", 95, 96])
    wb.save(tmp_path / "x.xlsx")
    err = _expect(tmp_path / "x.xlsx", "no weight column", "指标权重", registry=registry)
    assert err.problems[0].location == "表!A1"


def test_unreadable_cell_is_named(tmp_path: Path, registry: perfrules.Registry) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    ws.append(["指标名称", "指标性质", "指标值", "指标权重", "全年完成值"])
    ws.append(["合格率", "≥", 95, 100, "#DIV/0!"])
    wb.save(tmp_path / "x.xlsx")
    form = perfrules.load(tmp_path / "x.xlsx", registry=registry)
    with pytest.raises(perfrules.FormError) as info:
        perfrules.score(form, registry=registry)
    assert any(p.code == "cell-error" and p.location == "表!E2" for p in info.value.problems)


def test_corrupt_and_encrypted_and_old(tmp_path: Path, registry: perfrules.Registry) -> None:
    (tmp_path / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip")
    _expect(tmp_path / "corrupt.xlsx", "not a valid .xlsx", registry=registry)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    (tmp_path / "locked.xlsx").write_bytes(ole)
    _expect(tmp_path / "locked.xlsx", "password-protected", registry=registry)
    (tmp_path / "old.doc").write_bytes(ole)
    _expect(tmp_path / "old.doc", "save the file as .docx", registry=registry)
    (tmp_path / "empty.xlsx").write_bytes(b"")
    _expect(tmp_path / "empty.xlsx", "empty", registry=registry)
    (tmp_path / "empty.csv").write_bytes(b"")
    _expect(tmp_path / "empty.csv", "empty", registry=registry)


def test_zip_that_is_not_a_workbook(tmp_path: Path, registry: perfrules.Registry) -> None:
    with zipfile.ZipFile(tmp_path / "x.xlsx", "w") as archive:
        archive.writestr("hello.txt", "hi")
    _expect(tmp_path / "x.xlsx", "cannot be read", registry=registry)


def test_csv_in_neither_encoding(tmp_path: Path, registry: perfrules.Registry) -> None:
    (tmp_path / "x.csv").write_bytes(b"\x81\x30\xff\xff\xfe")
    _expect(tmp_path / "x.csv", "neither UTF-8 nor GBK", registry=registry)


def test_cli_bad_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.xlsx").write_bytes(b"junk")
    assert main(["score", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "x.xlsx" in err and "Traceback" not in err


@pytest.mark.parametrize(("module", "suffix", "extra"),
                         [("lxml.etree", ".docx", "word"),  # .xlsx needs no library to read
                          ("xlrd", ".xls", "xls"), ("pdfplumber", ".pdf", "pdf")])
def test_missing_extra_names_the_pip_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             registry: perfrules.Registry, module: str,
                                             suffix: str, extra: str) -> None:
    monkeypatch.setitem(__import__("sys").modules, module, None)  # import fails
    path = tmp_path / f"form{suffix}"
    path.write_bytes(b"PK")
    with pytest.raises(perfrules.PerfrulesError, match=rf'pip install "perfrules\[{extra}\]"'):
        perfrules.load(path, registry=registry)
