"""Every budget in every reader (issue 15, item 2), and a zip with two entries of one name
(item 5). Budgets are lowered through their ``PERFRULES_*`` settings, so that each file stays
small; each refusal names the limit and how to raise it. Each test backs a row of the table
in docs/security.md."""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules.exceptions import FormError

from . import builders
from .test_batch_cli import FORM, form, plugged, run, write_form

__all__ = ["plugged"]  # a fixture


def _refusal(path: Path) -> str:
    with pytest.raises(FormError) as info:
        perfrules.load_all(path)
    return "\n".join(f"{p.code} {p.location} {p.message} {p.expected}" for p in info.value.problems)


def _rezip(source: Path, target: Path, extra: dict[str, bytes] | None = None,
           change: Any = None) -> Path:
    """A copy of a zip with parts added (``extra``) or rewritten (``change(name, data)``)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if change is not None:
                data = change(info.filename, data)
            dst.writestr(info.filename, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": meant
            for name, data in (extra or {}).items():
                dst.writestr(name, data)
    return target


@pytest.fixture
def book(tmp_path: Path) -> Path:
    pytest.importorskip("openpyxl")
    return builders.seed_xlsx(tmp_path / "seed.xlsx")


def test_the_part_budget_holds_whatever_the_parts_name(
        book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only .xml and .rels parts were measured: a 100 MB sheet part named .bin was read."""
    monkeypatch.setenv("PERFRULES_MAX_PART_BYTES", "200000")
    for name in ("xl/worksheets/sheet9.bin", "xl/strings.dat", "docProps/thumbnail.jpeg"):
        path = _rezip(book, tmp_path / "big.xlsx", {name: b"\0" * 300_000})
        message = _refusal(path)
        assert "limit-exceeded" in message and name in message, message
        assert "max_part_bytes" in message and "PERFRULES_MAX_PART_BYTES" in message
    assert perfrules.load(book).indicators  # the form itself is within the budget


def test_the_total_unpacked_size_is_bounded(book: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    extra = {f"xl/media/image{i}.png": b"\0" * 40_000 for i in range(10)}
    path = _rezip(book, tmp_path / "many.xlsx", extra)
    assert perfrules.load(path).indicators  # within the default budget
    monkeypatch.setenv("PERFRULES_MAX_UNPACKED_BYTES", "300000")
    message = _refusal(path)
    assert "max_unpacked_bytes" in message and "PERFRULES_MAX_UNPACKED_BYTES" in message


def _sheets_sharing_one_part(tmp_path: Path, count: int) -> Path:
    """A workbook of ``count`` sheets whose relationships all point at sheet1's part."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "S1"
    first.append(builders.SEED_HEADER)
    for row in builders.seed_rows():
        first.append(row)
    for i in range(2, count + 1):
        workbook.create_sheet(f"S{i}")
    plain = tmp_path / "plain.xlsx"
    workbook.save(plain)

    def point_at_sheet1(name: str, data: bytes) -> bytes:
        if name == "xl/_rels/workbook.xml.rels":
            text = data.decode("utf-8")
            for i in range(2, count + 1):
                text = text.replace(f"worksheets/sheet{i}.xml", "worksheets/sheet1.xml")
            return text.encode("utf-8")
        return data

    return _rezip(plain, tmp_path / "shared.xlsx", change=point_at_sheet1)


def test_a_part_shared_by_many_sheets_counts_each_time(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """50 sheets pointing at one 8 MB part: 400 MB to parse, under a budget of 8."""
    path = _sheets_sharing_one_part(tmp_path, 30)
    with zipfile.ZipFile(path) as archive:
        total = sum(i.file_size for i in archive.infolist())
        sheet = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    assert total + 5 * sheet < 30 * sheet  # the parts fit the budget; their uses do not
    monkeypatch.setenv("PERFRULES_MAX_UNPACKED_BYTES", str(total + 5 * sheet))
    message = _refusal(path)
    assert "max_unpacked_bytes" in message and "each time it is used" in message, message


def test_a_zip_with_two_entries_of_one_name_is_refused_as_ambiguous(
        book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Which of the two a program reads is a matter of chance: it was read silently."""
    with zipfile.ZipFile(book) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    for name in ("xl/worksheets/sheet1.xml", "XL/Worksheets/Sheet1.xml"):
        forged = sheet.replace(b"<v>99.96</v>", b"<v>60</v>")
        path = _rezip(book, tmp_path / "twice.xlsx", {name: forged})
        message = _refusal(path)
        assert "duplicate-part" in message and name in message, message
        code, out, _ = run(capsys, "--lang", "en", "audit", str(path))
        assert code == 2 and "two parts named" in out
    pytest.importorskip("docx")
    document = builders.seed_docx(tmp_path / "seed.docx")
    path = _rezip(document, tmp_path / "twice.docx", {"word/document.xml": b"<x/>"})
    assert "duplicate-part" in _refusal(path)


def test_xls_cells_are_counted_while_xlrd_reads_them(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An 8 M-cell sheet took 1.5 GB before the count after reading refused it."""
    xlwt = pytest.importorskip("xlwt")
    pytest.importorskip("xlrd")
    book = xlwt.Workbook()
    sheet = book.add_sheet("S")
    for r in range(100):
        for c in range(30):
            sheet.write(r, c, r * c + 1)
    path = tmp_path / "many.xls"
    book.save(str(path))
    monkeypatch.setenv("PERFRULES_MAX_CELLS", "500")

    def never(*args: Any) -> Any:
        raise AssertionError("the sheet was read in full before the budget was checked")

    monkeypatch.setattr("perfrules.io.xls._cells", never)
    message = _refusal(path)
    assert "max_cells" in message and "500" in message and "--max-cells" in message, message


def test_canonical_forms_have_an_indicator_budget(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON had none: 300,000 indicators took 1.25 GB."""
    data = form()
    data["indicators"] = [dict(data["indicators"][0], name=f"指标{i}") for i in range(30)]
    path = write_form(tmp_path / "many.json", data)
    assert len(perfrules.load(path).indicators) == 30
    monkeypatch.setenv("PERFRULES_MAX_INDICATORS", "20")
    message = _refusal(path)
    assert "max_indicators" in message and "PERFRULES_MAX_INDICATORS" in message
    yaml = pytest.importorskip("yaml")
    (tmp_path / "many.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    assert "max_indicators" in _refusal(tmp_path / "many.yaml")
    tomli_w = pytest.importorskip("tomli_w")
    (tmp_path / "many.toml").write_text(tomli_w.dumps(data), "utf-8")
    assert "max_indicators" in _refusal(tmp_path / "many.toml")


def test_text_is_folded_only_under_a_length_budget(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """NFKC normalisation is quadratic on combining marks and ran on every cell, unbounded."""
    marks = "\u0301\u0316" * 3000
    rows = ["指标名称,指标性质,指标值,分值,实际完成值,得分", f"培训{marks},≥,100,60,110,60",
            "服务质量,定性,良好,40,达成,40"]
    path = tmp_path / "marks.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    assert perfrules.load(path).indicators  # 6,000 characters: within the budget
    monkeypatch.setenv("PERFRULES_MAX_CELL_CHARS", "5000")
    message = _refusal(path)
    assert "max_cell_chars" in message and "marks.csv!A2" in message, message
    assert "PERFRULES_MAX_CELL_CHARS" in message


def test_long_words_are_never_folded() -> None:
    from perfrules._numbers import MAX_FOLD_CHARS, fold_word

    long = "—" + "\u0301\u0316" * MAX_FOLD_CHARS
    assert fold_word(long) == long  # no NFKC (its canonical reordering would move the marks)
    assert fold_word("\uff1e\uff1d 9") == ">=9"


def test_a_nature_of_combining_marks_in_json_is_a_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = form()
    data["indicators"][0]["nature"] = "—" + "\u0301\u0316" * 20_000
    path = write_form(tmp_path / "nature.json", data)
    code, _, err = run(capsys, "--lang", "en", "score", str(path))
    assert code == 2 and "nature" in err


def test_budget_refusals_in_the_batch_are_rows(book: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _rezip(book, folder / "bin.xlsx", {"xl/x.bin": b"\0" * 300_000})
    (folder / "ok.json").write_text(json.dumps(FORM, ensure_ascii=False), "utf-8")
    monkeypatch.setenv("PERFRULES_MAX_PART_BYTES", "200000")
    code, out, _ = run(capsys, "--lang", "en", "audit", str(folder), "--format", "json")
    assert code == 2
    forms = {Path(f["file"]).name: f for f in json.loads(out)["forms"]}
    assert "max_part_bytes" in forms["bin.xlsx"]["error"]
    assert "error" not in forms["ok.json"]


# -- a time limit per file in score and convert ---------------------------------------------


def test_score_and_convert_have_a_time_limit_per_file(
        plugged: perfrules.Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """score had no time limit: a file a reader hangs on hung the command."""
    import multiprocessing

    slow = tmp_path / "hang.slow"
    slow.write_text("x", "utf-8")
    ok = write_form(tmp_path / "ok.json")
    code, out, err = run(capsys, "--lang", "en", "score", str(slow), str(ok), "--timeout", "1",
                         "--format", "json")
    assert code == 2
    assert "hang.slow: reading and scoring took longer than the time limit of 1 s" in err
    assert "--timeout SECONDS" in err
    assert json.loads(out)["total"] == "100.00"  # the next file is scored
    code, _, err = run(capsys, "--lang", "zh", "convert", str(slow), "-o",
                       str(tmp_path / "out.json"), "--timeout", "0.5")
    assert code == 2 and "超过 0.5 秒的时限" in err
    assert not (tmp_path / "out.json").exists()
    assert not multiprocessing.active_children()  # no worker outlives its file
    code, _, _ = run(capsys, "convert", str(ok), "-o", str(tmp_path / "ok.yaml"))
    assert code == 0 and perfrules.load(tmp_path / "ok.yaml").title == FORM["title"]


def test_score_and_convert_refuse_bad_time_limits(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    ok = write_form(tmp_path / "ok.json")
    for command in (["score", str(ok)], ["convert", str(ok), "-o", str(tmp_path / "o.json")]):
        with pytest.raises(SystemExit):
            run(capsys, *command, "--timeout", "nan")
        code, _, err = run(capsys, "--lang", "en", *command, "--timeout", "-2")
        assert code == 2 and "--timeout must be 0 (no limit) or more seconds" in err
        code, _, err = run(capsys, *command, "--timeout", "0")  # in this process, no limit
        assert code == 0, err


def test_plugins_and_errors_come_back_from_the_worker(
        plugged: perfrules.Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.two"
    book.write_text("x", "utf-8")
    code, out, err = run(capsys, "--lang", "en", "score", str(book), "--format", "json")
    assert code == 0 and len(json.loads(out)) == 2, err
    bad = write_form(tmp_path / "bad.json", form(indicators="x"))
    code, _, err = run(capsys, "--lang", "en", "score", str(bad))
    assert code == 2 and "field 'indicators'" in err
    code, _, err = run(capsys, "--lang", "en", "score", str(write_form(tmp_path / "ok.json")),
                       "--ruleset", "test-boom")
    assert code == 2 and "boom" in err and "Traceback" not in err
