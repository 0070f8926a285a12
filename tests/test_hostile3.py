"""Outputs that never destroy and never lose (issue 15, item 1).

An output path that exists and is not a regular file is refused, never replaced; ``-o -``
is standard output; names made from file and sheet names are safe and short; a failure to
write one output never loses another, and a full disk ends in a message naming what was and
was not written. Each test backs a row of the table in docs/security.md.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules.io._output import NAME_BYTES, safe_name, safe_path

from . import builders
from .test_batch_cli import run, write_form


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A folder with a short path (a Unix socket's path is at most 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="pr", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _specials(folder: Path) -> dict[str, Path]:
    """A FIFO, a socket and (as root) a character device like /dev/null, in ``folder``."""
    out = {}
    fifo = folder / "fifo.txt"
    os.mkfifo(fifo)
    out["fifo"] = fifo
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.txt"))
    sock.close()
    out["socket"] = folder / "sock.txt"
    if os.geteuid() == 0:
        null = folder / "null.txt"
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the device /dev/null is
        out["device"] = null
    return out


def _kind(path: Path) -> int:
    return stat.S_IFMT(os.lstat(path).st_mode)


COMMANDS = {
    "score": lambda form, out: ["score", str(form), "-o", str(out)],
    "score-json": lambda form, out: ["score", str(form), "--format", "json", "-o", str(out)],
    "convert": lambda form, out: ["convert", str(form), "-o", str(out)],
    "audit": lambda form, out: ["audit", str(form), "-o", str(out)],
    "audit-html": lambda form, out: ["audit", str(form), "--format", "html", "-o", str(out)],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_output_that_is_not_a_regular_file_is_refused_never_replaced(
        command: str, short_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Writing through a temporary file and a rename turned `-o /dev/null` into a regular
    file: as root, it replaced the system's /dev/null."""
    form = write_form(short_tmp / "in.json")
    for kind, target in _specials(short_tmp).items():
        before = _kind(target)
        args = COMMANDS[command](form, target)
        if command == "convert":  # convert picks the format by the suffix
            args[-1] = str(target)
        code, _, err = run(capsys, "--lang", "en", *args)
        assert code == 2, (kind, err)
        assert "not a regular file" in err and "Traceback" not in err, (kind, err)
        assert _kind(target) == before, kind  # still a FIFO, a socket, a device
        assert not list(short_tmp.glob(".*.tmp"))
        code, _, err = run(capsys, "--lang", "zh", *args)
        assert code == 2 and "不是普通文件" in err


def test_audit_outputs_into_a_folder_refuse_a_special_file_before_any_work(
        short_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    form = write_form(short_tmp / "in" / "a.json")
    out = short_tmp / "out"
    out.mkdir()
    os.mkfifo(out / "summary.csv")
    code, _, err = run(capsys, "--lang", "en", "audit", str(form.parent), "-o", f"{out}/")
    assert code == 2
    assert stat.S_ISFIFO(os.lstat(out / "summary.csv").st_mode)  # never replaced
    assert "summary.csv exists and is a named pipe (FIFO), not a regular file" in err
    assert not list(out.glob(".*.tmp"))


def test_dash_is_standard_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    form = write_form(tmp_path / "in.json")
    code, out, _ = run(capsys, "convert", str(form), "-o", "-")
    assert code == 0
    assert perfrules.Form.from_dict(json.loads(out)).content_hash() == perfrules.load(
        form).content_hash()
    assert not (tmp_path / "-").exists() and not Path("-").exists()
    code, out, _ = run(capsys, "score", str(form), "--format", "json", "-o", "-")
    assert code == 0 and json.loads(out)["total"] == "100.00"


# -- names -------------------------------------------------------------------------------


def test_safe_names() -> None:
    assert safe_name("项目甲", ".txt") == "项目甲.txt"
    slash = safe_name("自评/表", ".txt")
    assert slash.startswith("自评_表-") and slash.endswith(".txt") and "/" not in slash
    assert safe_name("自评/表", ".txt") != safe_name("自评_表", ".txt")
    assert safe_name("自评:表", ".txt") != safe_name("自评/表", ".txt")
    long = safe_name("表" * 200, ".xlsx")
    assert len(long.encode()) <= NAME_BYTES and long.endswith(".xlsx")
    assert safe_name("表" * 200 + "甲", ".xlsx") != safe_name("表" * 200 + "乙", ".xlsx")
    assert safe_name("con", ".txt") != "con.txt"
    assert safe_name("..", "") not in ("..", ".", "")
    assert all(len(p.encode()) <= NAME_BYTES for p in safe_path("a/" + "b" * 300 + ".x").parts)


def _two_sheets(path: Path, titles: tuple[str, str]) -> Path:
    """A workbook of two forms, saved by openpyxl, its sheet titles set in the XML (Excel
    would refuse `/`; a hostile or hand-made file need not)."""
    openpyxl = pytest.importorskip("openpyxl")
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    first = book.active
    first.title = "SheetA"
    second = book.create_sheet("SheetB")
    for sheet in (first, second):
        sheet.append(builders.SEED_HEADER)
        for row in builders.seed_rows():
            sheet.append(row)
    tmp = path.with_suffix(".tmp.xlsx")
    book.save(tmp)
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                for old, new in zip(("SheetA", "SheetB"), titles):
                    text = text.replace(f'name="{old}"', f'name="{new}"')
                data = text.encode("utf-8")
            dst.writestr(info, data)
    tmp.unlink()
    return path


def test_score_into_a_folder_with_a_long_file_name_writes_every_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A name past 255 bytes stopped the run: the next file's report was never written."""
    book = _two_sheets(tmp_path / ("长" * 80 + ".xlsx"), ("项目甲", "自评/表"))
    other = write_form(tmp_path / "other.json")
    out = tmp_path / "out"
    code, _, err = run(capsys, "score", str(book), str(other), "-o", f"{out}/")
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 3 and "other.txt" in names, names
    assert all(len(n.encode()) <= NAME_BYTES for n in names)
    book = _two_sheets(tmp_path / "book.xlsx", ("项目甲", "自评/表"))
    code, _, err = run(capsys, "score", str(book), "-o", f"{out}/")
    assert code == 0, err
    names = sorted(p.name for p in out.glob("book-*"))
    assert "book-项目甲.txt" in names and any(n.startswith("book-自评_表-") for n in names), names


def test_a_sheet_named_with_a_slash_keeps_its_findings_under_format_xlsx(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    capsys = capfd  # the workers' stderr too
    book = _two_sheets(tmp_path / "in" / "book.xlsx", ("项目甲", "自评/表"))
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "--lang", "en", "audit", str(book.parent), "--format",
                            "xlsx", "-o", f"{out}/")
    # a copy that is not made is said, and the run is not fully written (exit 2)
    assert code in (0, 1) or (code == 2 and "was not written" in err), err
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    forms = summary["forms"]
    assert [f.get("form") for f in forms] == ["项目甲", "自评/表"]
    assert all("error" not in f or "annotated" in f.get("error", "") for f in forms)
    assert all("findings" in f for f in forms), forms  # both forms audited, nothing lost
    assert "unreadable" not in stdout
    if not list(out.glob("*.audit.xlsx")):  # openpyxl refuses the title: said, not lost
        assert "annotated copy" in err and "was not written" in err


def test_a_254_byte_file_name_keeps_its_findings_and_gets_a_short_copy_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The copy's name (…audit.xlsx) was too long: the form was reported unreadable."""
    name = "x" * (254 - len(".xlsx")) + ".xlsx"
    (tmp_path / "in").mkdir()
    book = builders.seed_xlsx(tmp_path / "in" / name)
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "audit", str(book.parent), "--format", "xlsx",
                            "-o", f"{out}/")
    assert code in (0, 1), err
    copies = list(out.rglob("*.xlsx"))
    assert len(copies) == 1 and len(copies[0].name.encode()) <= NAME_BYTES
    assert ".audit" in copies[0].name or copies[0].name.endswith(".xlsx")
    assert "unreadable" not in stdout.lower()


# -- failures while writing --------------------------------------------------------------


def _failing_write(names: set[str]) -> Any:
    from perfrules.io import audit_render

    real = audit_render.write_atomic

    def write(target: Path, data: Any) -> None:
        if Path(target).name in names:
            raise OSError(28, "No space left on device", str(target))
        real(target, data)
    return write


def test_one_report_that_cannot_be_written_never_stops_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    a, b = write_form(tmp_path / "a.json"), write_form(tmp_path / "b.json")
    monkeypatch.setattr("perfrules.io.audit_render.write_atomic", _failing_write({"a.txt"}))
    out = tmp_path / "out"
    code, _, err = run(capsys, "--lang", "en", "score", str(a), str(b), "-o", f"{out}/")
    assert code == 2
    assert [p.name for p in out.iterdir()] == ["b.txt"]
    assert "not written:" in err and "a.txt (No space left on device)" in err
    assert "written:" in err and "b.txt" in err.split("; written:")[1]
    assert "Traceback" not in err


def _limited(args: list[str], cwd: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """The command line in a process whose files may not grow past ``limit`` bytes: each
    write beyond fails as on a full disk (EFBIG; SIGXFSZ ignored)."""
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "perfrules", "--lang", "en", *args],
                          cwd=cwd, capture_output=True, text=True, preexec_fn=preexec,
                          timeout=300, check=False)


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="POSIX only")
def test_a_real_write_failure_ends_in_a_message_not_a_traceback(tmp_path: Path) -> None:
    """A full disk gave tracebacks from ZipFile.__del__, good forms reported unreadable,
    no summary written and a last message naming no file."""
    pytest.importorskip("openpyxl")
    (tmp_path / "in").mkdir()
    builders.seed_xlsx(tmp_path / "in" / "a.xlsx")
    write_form(tmp_path / "in" / "b.json")
    proc = _limited(["audit", "in", "--format", "xlsx", "-o", "out/"], tmp_path, 3000)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert "the annotated copy out/a.audit.xlsx was not written" in proc.stderr
    assert "(File too large)" in proc.stderr
    assert "unreadable" not in proc.stdout  # both forms audited
    assert not list((tmp_path / "out").rglob(".*.tmp"))
    proc = _limited(["score", "in/a.xlsx", "--format", "xlsx", "-o", "r.xlsx"], tmp_path, 2000)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert "r.xlsx" in proc.stderr and not (tmp_path / "r.xlsx").exists()


# -- safe to open ------------------------------------------------------------------------

LIVE = {
    "dde-pipe": "=cmd|' /C calc'!A0",
    "dde-auto": '=DDEAUTO("cmd","/c calc")',
    "external-path": "='C:\\x\\[evil.xlsx]Sheet1'!A1",
    "external-index": "=[1]Sheet1!A1+1",
}


@pytest.mark.parametrize("name", sorted(LIVE))
def test_no_annotated_copy_carries_a_dde_or_external_link_formula(
        name: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    capsys = capfd  # the workers' stderr too
    """The annotated copy kept a DDE formula of the input while SECURITY.md promised
    outputs safe to open."""
    openpyxl = pytest.importorskip("openpyxl")
    (tmp_path / "in").mkdir()
    book = builders.seed_xlsx(tmp_path / "in" / "a.xlsx")
    workbook = openpyxl.load_workbook(book)
    workbook.active["K7"] = LIVE[name]
    workbook.active["K8"] = '=SUM(1,2)&"a|b"'  # an ordinary formula, a pipe inside text
    workbook.save(book)
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "--lang", "en", "audit", str(tmp_path / "in"),
                            "--format", "xlsx", "-o", f"{out}/")
    assert code == 2, err  # the form is audited as it is; the copy not made ends in exit 2
    assert not list(out.glob("*.xlsx"))
    assert "DDE formula or an external link (K7: =" in err
    assert "unreadable" not in stdout  # the form is audited, its findings kept
    assert json.loads((out / "summary.json").read_text("utf-8"))["forms"][0]["total"]


def test_an_ordinary_formula_does_not_stop_the_annotated_copy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    (tmp_path / "in").mkdir()
    book = builders.seed_xlsx(tmp_path / "in" / "a.xlsx")
    workbook = openpyxl.load_workbook(book)
    workbook.active["K8"] = '=SUM(1,2)&"a|b [1] x.xlsx"'
    workbook.save(book)
    code, _, err = run(capsys, "audit", str(tmp_path / "in"), "--format", "xlsx",
                       "-o", f"{tmp_path / 'out'}/")
    assert code in (0, 1), err
    assert (tmp_path / "out" / "a.audit.xlsx").is_file()
