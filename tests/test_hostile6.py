"""Hostile input, the cases left of issue 15: PDF budgets (pages × cells, unpacked streams),
two sheets of one title, audit outputs that fail, budgets counted while JSON/TOML/YAML are
parsed and given as arguments. Each test backs a row of the table in docs/security.md."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules.exceptions import FormError
from perfrules.io._limits import Limits

from . import hostile_pdf

pdfplumber = pytest.importorskip("pdfplumber")

_MIB = 1 << 20


def _refusal(path: Path, limits: Limits | None = None) -> str:
    from perfrules.io.pdf import PdfReader

    with pytest.raises(FormError) as info:
        PdfReader(limits=limits).read_all(path)
    return "\n".join(f"{p.code} {p.location} {p.message} {p.expected}" for p in info.value.problems)


@pytest.mark.parametrize(("filters", "content"), [
    ("/FlateDecode", hostile_pdf.bomb(24 * _MIB)),
    ("/RunLengthDecode", hostile_pdf.run_length_bomb(24 * _MIB)),
    ("/LZWDecode", hostile_pdf.lzw_bomb(24 * _MIB)),
    ("[/FlateDecode /FlateDecode]", __import__("zlib").compress(hostile_pdf.bomb(24 * _MIB), 9)),
], ids=["flate", "run-length", "lzw", "flate-twice"])
def test_pdf_streams_are_bounded_while_they_are_unpacked(tmp_path: Path, filters: str,
                                                         content: bytes) -> None:
    """A 1.5 MB flate bomb unpacked to 3 GB: pdfminer unpacks a stream whole. The budget is
    asked while unpacking, so memory never holds much more than it."""
    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile_pdf.pdf(1, content, filters, pack=False))
    assert path.stat().st_size < 500_000
    tracemalloc.start()
    try:
        message = _refusal(path, Limits(max_unpacked_bytes=2 * _MIB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "limit-exceeded" in message and "max_unpacked_bytes is 2097152" in message, message
    assert "PERFRULES_MAX_UNPACKED_BYTES" in message
    assert peak < 12 * _MIB, peak  # 24 MiB and more without the budget


def test_the_stream_budget_is_the_default_and_an_environment_setting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile_pdf.pdf(1, hostile_pdf.bomb(80 * _MIB), pack=False))
    assert "max_unpacked_bytes is 67108864" in _refusal(path)
    monkeypatch.setenv("PERFRULES_MAX_UNPACKED_BYTES", str(100 * _MIB))
    with pytest.raises(FormError) as info:  # within the budget: read, and no table in it
        perfrules.load_all(path)
    assert info.value.problems[0].code == "no-table"


def test_outside_a_read_pdfminer_unpacks_as_before(tmp_path: Path) -> None:
    """The unpacking pdfminer's streams are given asks the budget of the PDF being read;
    with none being read (after a refusal too) it is zlib's own."""
    from pdfminer import pdftypes

    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile_pdf.pdf(1, hostile_pdf.bomb(4 * _MIB), pack=False))
    _refusal(path, Limits(max_unpacked_bytes=_MIB))
    packed = hostile_pdf.bomb(4 * _MIB)
    assert len(pdftypes.zlib.decompress(packed)) > 4 * _MIB
    assert pdftypes.rldecode(b"\x81a\x80") == b"a" * 128


def test_a_pdf_whose_pages_share_one_grid_is_refused_page_by_page(tmp_path: Path) -> None:
    """A 57 KB PDF whose 300 pages draw one ruled grid ran past 60 s: pdfplumber's time to find
    cells grows with the square of the crossings of ruled lines, page after page."""
    dense = tmp_path / "dense.pdf"
    dense.write_bytes(hostile_pdf.pdf(1, hostile_pdf.grid(70, 70)))  # 5,041 crossings
    message = _refusal(dense)
    # pdfplumber's edge merging differs between versions (the declared floor counts 4,970)
    found = re.search(r"page 1 cross at (\d+) points", message)
    assert "max_page_crossings is 3000" in message and found, message
    assert 3000 < int(found.group(1)) <= 5041, message
    assert "PERFRULES_MAX_PAGE_CROSSINGS" in message and "第1页" in message
    pages = tmp_path / "pages.pdf"
    pages.write_bytes(hostile_pdf.pdf(300, hostile_pdf.grid(20, 20)))  # 441 a page
    assert pages.stat().st_size < 60_000
    message = _refusal(pages, Limits(max_pdf_crossings=1_000))
    found = re.search(r"pages 1 to (\d+)", message)
    assert "max_pdf_crossings is 1000" in message and found and 2 <= int(found.group(1)) <= 4, \
        message
    assert "PERFRULES_MAX_PDF_CROSSINGS" in message


def test_real_pdfs_are_far_under_the_pdf_budgets() -> None:
    """Forms printed to PDF by LibreOffice: under a quarter of each budget."""
    from perfrules.io.pdf import PdfReader

    folder = Path(__file__).parent / "producers" / "libreoffice"
    tight = Limits(max_page_crossings=750, max_pdf_crossings=3_000,
                   max_unpacked_bytes=16 * _MIB)
    files = sorted(folder.glob("*.pdf"))
    assert files
    for path in files:
        assert PdfReader(limits=tight).read_all(path) == PdfReader().read_all(path), path


# JSON, TOML and YAML: budgets counted while parsing, and given as arguments ------------

def _many(count: int) -> dict[str, Any]:
    from .test_batch_cli import FORM

    return dict(FORM, indicators=[dict(FORM["indicators"][0], name=f"指标{i}")
                                  for i in range(count)])


@pytest.fixture
def forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    """One form as JSON, and as TOML and YAML written by ``perfrules convert``."""
    from .test_batch_cli import run, write_form

    pytest.importorskip("yaml")
    pytest.importorskip("tomli_w")
    source = write_form(tmp_path / "form.json", _many(40))
    out = {"json": source}
    for kind in ("toml", "yaml"):
        target = tmp_path / f"form.{kind}"
        code, _, err = run(capsys, "convert", str(source), "-o", str(target), "--timeout", "0")
        assert code == 0, err
        out[kind] = target
    return out


def test_json_values_are_counted_while_it_is_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON had no budget until parsed (300,000 indicators: 1.25 GB): each mapping and its
    members are counted as the parser makes them, and the parse stops at ``max_cells``."""
    from perfrules.io import canonical
    from perfrules.io.canonical import JsonReader

    from .test_batch_cli import write_form

    path = write_form(tmp_path / "many.json", _many(5_000))

    def after_the_parse(*args: Any) -> None:
        raise AssertionError("the whole document was parsed before it was counted")

    monkeypatch.setattr(canonical, "check_data", after_the_parse)
    with pytest.raises(FormError) as info:
        JsonReader(limits=Limits(max_cells=1_000)).read(path)
    problem = info.value.problems[0]
    assert problem.code == "limit-exceeded" and "max_cells is 1000" in problem.message
    assert "more than 1000 values" in problem.message and "--max-cells" in (problem.expected or "")


@pytest.mark.parametrize("kind", ["json", "toml", "yaml"])
def test_a_form_file_over_its_size_budget_is_refused_before_it_is_parsed(
        forms: dict[str, Path], kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What bounds the memory of a parse is the size of the text: checked before reading."""
    import json

    import yaml

    from perfrules._compat import tomllib

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed")

    for module, name in ((json, "loads"), (tomllib, "loads"), (yaml, "load")):
        monkeypatch.setattr(module, name, never)
    monkeypatch.setenv("PERFRULES_MAX_TEXT_BYTES", "1000")
    with pytest.raises(FormError) as info:
        perfrules.load(forms[kind])
    problem = info.value.problems[0]
    assert problem.code == "limit-exceeded" and "max_text_bytes is 1000" in problem.message
    assert "PERFRULES_MAX_TEXT_BYTES" in (problem.expected or "")


@pytest.mark.parametrize("kind", ["json", "toml", "yaml"])
def test_values_beyond_max_cells_are_refused_in_every_canonical_format(
        forms: dict[str, Path], kind: str) -> None:
    with pytest.raises(FormError) as info:
        _reader(kind, Limits(max_cells=100)).read(forms[kind])
    problem = info.value.problems[0]
    assert problem.code == "limit-exceeded" and "max_cells is 100" in problem.message
    assert len(perfrules.load(forms[kind]).indicators) == 40  # within the default budget


def _reader(kind: str, limits: Limits) -> Any:
    from perfrules.io.canonical import JsonReader, TomlReader, YamlReader

    return {"json": JsonReader, "toml": TomlReader, "yaml": YamlReader}[kind](limits=limits)


@pytest.mark.parametrize("kind", ["json", "toml", "yaml"])
@pytest.mark.parametrize("command", ["score", "convert", "audit"])
@pytest.mark.parametrize("timeout", ["0", "30"])
def test_max_cells_reaches_the_canonical_readers_as_an_argument(
        forms: dict[str, Path], kind: str, command: str, timeout: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``--max-cells`` travels to the JSON, TOML and YAML readers (in this process with
    ``--timeout 0``, in a worker process otherwise) as an argument, never through the
    environment variable ``PERFRULES_MAX_CELLS``, which stays a user's way to set the
    default."""
    import os

    from perfrules.io import canonical

    from .test_batch_cli import run

    monkeypatch.delenv("PERFRULES_MAX_CELLS", raising=False)
    seen: list[str | None] = []
    real = canonical._resolve

    def spy(limits: Any) -> Any:
        seen.append(os.environ.get("PERFRULES_MAX_CELLS"))
        return real(limits)

    monkeypatch.setattr(canonical, "_resolve", spy)
    args = [command, str(forms[kind]), "--max-cells", "100", "--timeout", timeout]
    if command == "convert":
        args += ["-o", str(tmp_path / "out.json")]
    code, out, err = run(capsys, *args)
    assert code == 2, (out, err)
    assert "max_cells" in out + err and "100" in out + err and "--max-cells" in out + err
    assert set(seen) <= {None}, seen  # empty: read in a worker process, where the spy is too
    monkeypatch.setenv("PERFRULES_MAX_CELLS", "100")  # the variable still sets the default
    code, out, err = run(capsys, *args[:2], "--timeout", timeout, *args[6:])
    assert code == 2 and "max_cells" in out + err, (out, err)


# audit outputs that fail: each named with its reason, the others written, exit 2 ----------

def _audit_limited(tmp_path: Path, limit: int, *args: str) -> Any:
    from .test_hostile3 import _limited

    pytest.importorskip("openpyxl")
    from . import builders
    from .test_batch_cli import write_form

    (tmp_path / "in").mkdir(exist_ok=True)
    builders.seed_xlsx(tmp_path / "in" / "a.xlsx")
    write_form(tmp_path / "in" / "b.json")
    return _limited(["audit", "in", *args], tmp_path, limit)


def test_an_audit_output_that_cannot_be_written_is_named_and_the_others_are_written(
        tmp_path: Path) -> None:
    """A full disk (files limited to 3,000 bytes in a real process): each output that fails
    is named with its reason, the others are written, and the exit code says so (2). One
    output that failed made the run discard them all."""
    proc = _audit_limited(tmp_path, 3000, "-o", "out/")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    for name in ("audit.html", "findings.jsonl", "summary.json"):
        assert f"out/{name} (File too large)" in proc.stderr, proc.stderr
        assert not (tmp_path / "out" / name).exists()
    assert "written: out/summary.csv" in proc.stderr
    rows = (tmp_path / "out" / "summary.csv").read_text("utf-8-sig").splitlines()
    assert len(rows) == 3 and "a.xlsx" in rows[1] and "b.json" in rows[2]
    assert not list((tmp_path / "out").rglob(".*.tmp"))
    proc = _audit_limited(tmp_path, 1000, "--format", "json", "-o", "r.json")
    assert proc.returncode == 2 and "r.json" in proc.stderr, proc.stderr  # it named no file
    assert "File too large" in proc.stderr and not (tmp_path / "r.json").exists()


def test_an_annotated_copy_that_cannot_be_written_changes_the_exit_code(tmp_path: Path) -> None:
    proc = _audit_limited(tmp_path, 3000, "--format", "xlsx", "-o", "out/")
    assert proc.returncode == 2, proc.stderr
    assert "not written: out/a.audit.xlsx (the annotated copy" in proc.stderr, proc.stderr
    assert "written: out/summary.csv" in proc.stderr


@pytest.mark.parametrize("jobs", [("--jobs", "1", "--timeout", "0"), ("--jobs", "2")])
def test_a_failed_annotated_copy_keeps_the_findings_and_says_the_run_was_not_fully_written(
        tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        jobs: tuple[str, ...]) -> None:
    import json

    from perfrules import _auditing

    from . import builders
    from .test_batch_cli import run

    pytest.importorskip("openpyxl")

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_auditing, "annotate_xlsx", full)  # in the workers too (forked)
    (tmp_path / "in").mkdir()
    builders.seed_xlsx(tmp_path / "in" / "a.xlsx")
    out = tmp_path / "out"
    code, _, err = run(capfd, "--lang", "en", "audit", str(tmp_path / "in"), "--format",
                            "xlsx", "-o", f"{out}/", *jobs)
    assert code == 2, err
    assert "a.audit.xlsx" in err and "No space left on device" in err
    assert "written: " in err and "summary.json" in err
    forms = json.loads((out / "summary.json").read_text("utf-8"))["forms"]
    assert len(forms) == 1 and "findings" in forms[0]  # audited, its findings kept


def test_an_output_that_cannot_be_opened_is_that_outputs_failure(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder the file system refuses a file in (read-only, no space for the temporary
    file): that output is not written, named; the others are."""
    from perfrules import _audit_cli

    from .test_batch_cli import run, write_form

    real = _audit_cli._Spool

    def spool(target: Path) -> Any:
        if target.name == "findings.jsonl":
            raise OSError(30, "Read-only file system")
        return real(target)

    monkeypatch.setattr(_audit_cli, "_Spool", spool)
    write_form(tmp_path / "in" / "b.json")
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "--lang", "en", "audit", str(tmp_path / "in"), "-o",
                            f"{out}/", "--jobs", "1", "--timeout", "0")
    assert code == 2, err
    assert "not written: " in err and "findings.jsonl (Read-only file system)" in err, err
    assert sorted(p.name for p in out.iterdir()) == ["audit.html", "summary.csv",
                                                     "summary.json"]
    assert "b.json" in stdout  # the terminal's report too


# two sheets of one title: the annotated copy never marks the wrong one --------------------

@pytest.mark.parametrize("titles", [("自评表", "自评表"), ("Sheet1", "SHEET1")])
def test_two_sheets_of_one_title_get_no_annotated_copy(
        tmp_path: Path, capfd: pytest.CaptureFixture[str], titles: tuple[str, str]) -> None:
    """Excel forbids it, a hostile .xlsx can have it: findings name their cell by title
    (``自评表!G16``) and openpyxl renames the second sheet, so the copy marked the first
    sheet for both forms. No copy is made, said; both forms are audited."""
    import json

    from .test_batch_cli import run
    from .test_hostile3 import _two_sheets

    book = _two_sheets(tmp_path / "in" / "dup.xlsx", titles)
    out = tmp_path / "out"
    code, _, err = run(capfd, "--lang", "en", "audit", str(book.parent), "--format",
                            "xlsx", "-o", f"{out}/", "--jobs", "1", "--timeout", "0")
    assert code == 2, err
    assert f"the workbook has two sheets titled {titles[1]}" in err
    assert "not written: " in err and "dup.audit.xlsx" in err
    assert not list(out.glob("*.xlsx"))
    forms = json.loads((out / "summary.json").read_text("utf-8"))["forms"]
    assert len(forms) == 2 and all("findings" in f for f in forms)
    code, _, err = run(capfd, "audit", str(book.parent), "--format", "xlsx", "-o", f"{out}/")
    assert code == 2 and "工作簿中有两张名为" in err, err


def test_the_annotated_copy_writer_refuses_two_sheets_of_one_title(tmp_path: Path) -> None:
    from perfrules import audit
    from perfrules.io._output import OutputError, duplicate_sheet
    from perfrules.io.audit_render import BatchItem, annotate_xlsx

    from .test_hostile3 import _two_sheets

    book = _two_sheets(tmp_path / "dup.xlsx", ("自评表", "自评表"))
    items = [BatchItem(path=str(book), report=audit(form)) for form in perfrules.load_all(book)]
    with pytest.raises(OutputError) as info:
        annotate_xlsx(items, tmp_path / "out")
    assert info.value.message_id == "duplicate-sheets"
    distinct = _two_sheets(tmp_path / "ok.xlsx", ("甲", "乙"))
    assert duplicate_sheet(str(distinct)) is None
    assert duplicate_sheet(str(tmp_path / "missing.xlsx")) is None
