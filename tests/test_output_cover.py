"""Outputs (``perfrules.io._output``): what is refused, what is reported, what is kept.

In-process, so that the coverage of the module is measured.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from perfrules.io import _output
from perfrules.io._output import (
    OutputError,
    Outputs,
    annotate_or_note,
    check_target,
    live_links,
    note_annotations,
    write_all,
    write_file,
)
from perfrules.io._width import number, width

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def _full_disk(path: str) -> None:
    with open(path, "wb") as fh:
        fh.write(b"PK half")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# -- refusing what is not a regular file ---------------------------------------------


def test_a_folder_is_refused_and_left_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(OutputError) as info:
        write_file(folder, b"data")
    assert info.value.message_id == "output-not-a-file"
    assert "a folder" in str(info.value)
    assert str(info.value.values["kind"]) == "a folder"
    assert format(info.value.values["kind"], "zh") == "文件夹"
    assert folder.is_dir() and list(folder.iterdir()) == []


@needs_fifo
def test_a_fifo_is_refused_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError) as info:
        write_file(fifo, lambda p: Path(p).write_bytes(b"x"))
    assert "FIFO" in str(info.value)
    assert "命名管道" in info.value.message("zh")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_dev_null_is_refused_as_a_device() -> None:
    with pytest.raises(OutputError) as info:
        check_target("/dev/null")
    assert str(info.value.values["kind"]) == "a device"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_missing_or_regular_target_is_allowed(tmp_path: Path) -> None:
    check_target(tmp_path / "new.xlsx")
    existing = tmp_path / "old.xlsx"
    existing.write_bytes(b"old")
    check_target(existing)


# -- writing ---------------------------------------------------------------------------


def test_write_file_with_a_writer_function_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "book.xlsx"
    seen = []

    def writer(path: str) -> None:
        seen.append(path)
        Path(path).write_bytes(b"new")

    write_file(target, writer)
    assert target.read_bytes() == b"new"
    assert seen and seen[0] != str(target)  # written through a temporary file
    assert sorted(p.name for p in target.parent.iterdir()) == ["book.xlsx"]


def test_a_full_disk_leaves_no_temporary_file_and_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    hook = sys.unraisablehook
    with pytest.raises(OSError, match=os.strerror(errno.ENOSPC)) as info:
        write_file(target, _full_disk)
    assert info.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
    assert sys.unraisablehook is hook  # restored after the quiet collection


def test_write_all_keeps_writing_after_one_output_fails(tmp_path: Path) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    good = tmp_path / "good.csv"
    later = tmp_path / "later.csv"
    done = write_all([(folder, b"a"), (tmp_path / "full.xlsx", _full_disk),
                      (good, b"b"), (later, b"c")])
    assert done.written == [str(good), str(later)]
    assert [name for name, _ in done.failed] == [str(folder), str(tmp_path / "full.xlsx")]
    assert good.read_bytes() == b"b" and later.read_bytes() == b"c"
    with pytest.raises(OutputError) as info:
        done.check()
    err = info.value
    assert err.message_id == "outputs-failed"
    en = str(err)
    assert en.startswith("not written: ")
    assert "a folder" in en and os.strerror(errno.ENOSPC) in en
    assert f"written: {good}; {later}" in en
    assert str(err.values["written"]) == f"{good}; {later}"
    zh = err.message("zh")
    assert zh.startswith("未写出：") and "文件夹" in zh and "；" in zh


def test_the_one_failed_output_is_said_as_it_is(tmp_path: Path) -> None:
    done = write_all([(tmp_path / "full.xlsx", _full_disk)])
    with pytest.raises(OSError, match=os.strerror(errno.ENOSPC)) as info:
        done.check()
    assert info.value.errno == errno.ENOSPC


def test_a_writer_bug_on_the_only_output_is_listed_with_nothing_written(
        tmp_path: Path) -> None:
    def broken(path: str) -> None:
        raise ValueError("bad cell")

    done = Outputs()
    assert done.write(tmp_path / "x.xlsx", broken) is False
    with pytest.raises(OutputError) as info:
        done.check()
    assert str(info.value) == f"not written: {tmp_path / 'x.xlsx'} (ValueError: bad cell); written: nothing"
    assert info.value.message("zh").endswith("已写出：无")


def test_nothing_failed_check_passes(tmp_path: Path) -> None:
    done = write_all([(tmp_path / "a.csv", b"1")])
    done.check()
    assert done.written == [str(tmp_path / "a.csv")] and done.failed == []


def test_fail_counts_an_output_whose_writer_gave_nothing(tmp_path: Path) -> None:
    done = Outputs()
    done.write(tmp_path / "ok.csv", b"1")
    done.fail(tmp_path / "bad.pdf", OutputError("output-not-a-file", output="bad.pdf",
                                                kind=_output._Kind(stat.S_IFDIR)))
    with pytest.raises(OutputError) as info:
        done.check()
    assert "bad.pdf (bad.pdf exists and is a folder" in str(info.value)
    assert "bad.pdf 已存在，是文件夹" in info.value.message("zh")


def test_dash_is_standard_output(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    done = Outputs()
    assert done.write("-", b"report\n") is True
    assert done.written == ["-"]
    assert capsysbinary.readouterr().out == b"report\n"


class _ClosedPipe:
    class buffer:
        @staticmethod
        def write(data: bytes) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    @staticmethod
    def flush() -> None:
        pass


def test_a_closed_pipe_on_standard_output_is_not_swallowed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    done = Outputs()
    with pytest.raises(BrokenPipeError):
        done.write("-", b"x")
    assert done.failed == [] and done.written == []


# -- annotated copies ------------------------------------------------------------------


@attrs.frozen
class _Item:
    path: str
    report: object = None
    error: str | None = None
    error_zh: str | None = None


def _xlsx(path: Path, sheet: bytes, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


_PLAIN = (b'<worksheet><sheetData><row r="1"><c r="A1"><f>SUM(B1:B3)</f><v>6</v></c>'
          b'<c r="A2" t="str"><f>"a|b"&amp;"[1]"</f></c></row></sheetData></worksheet>')
_DDE = (b'<worksheet><sheetData><row r="1"><c r="B7"><f>cmd|\' /C calc\'!A0</f></c>'
        b'</row></sheetData></worksheet>')


def test_live_links_finds_a_dde_formula_and_its_cell(tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "dde.xlsx", _DDE)
    where = live_links(str(book))
    assert where is not None and where.startswith("B7: =cmd|")


def test_live_links_finds_an_external_link_part(tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "ext.xlsx", _PLAIN,
                 {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    assert live_links(str(book)) == "xl/externalLinks/externalLink1.xml (an external link)"


def test_live_links_ignores_ordinary_formulas_and_strings(tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "plain.xlsx", _PLAIN)
    assert live_links(str(book)) is None


def test_live_links_leaves_a_broken_file_to_the_reader(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    assert live_links(str(bad)) is None
    assert live_links(str(tmp_path / "missing.xlsx")) is None


def test_annotate_or_note_writes_the_copy(tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "in.xlsx", _PLAIN)
    target = tmp_path / "out" / "in.annotated.xlsx"
    calls = []

    def annotate(items, folder, target):
        calls.append((list(items), folder, target))

    items = [_Item(str(book)), _Item(str(book))]
    out = annotate_or_note(items, str(target), annotate, lang="en")
    assert out == items
    assert calls == [(items, target.parent, target)]


def test_annotate_or_note_without_a_target_does_nothing() -> None:
    def annotate(*_a, **_k):
        raise AssertionError("not called")

    assert annotate_or_note([_Item("x")], None, annotate) == [_Item("x")]
    assert annotate_or_note([], "t.xlsx", annotate) == []


def test_a_dde_workbook_gets_no_annotated_copy_and_keeps_its_audits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _xlsx(tmp_path / "dde.xlsx", _DDE)
    target = tmp_path / "dde.annotated.xlsx"

    def annotate(*_a, **_k):
        raise AssertionError("a copy of a DDE workbook must not be made")

    items = [_Item(str(book), report="r1"), _Item(str(book), report="r2")]
    out = annotate_or_note(items, str(target), annotate, lang="zh")
    assert not target.exists()
    assert out[1] == items[1] and out[0].report == "r1"
    assert out[0].error.startswith(f"the annotated copy {target} was not written: ")
    assert "DDE" in out[0].error and "B7" in out[0].error
    assert out[0].error_zh.startswith(f"批注副本 {target} 未写出：")
    err = capsys.readouterr().err
    assert out[0].error_zh in err and "perfrules" in err


def test_a_full_disk_while_annotating_is_noted_in_english(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _xlsx(tmp_path / "in.xlsx", _PLAIN)
    target = tmp_path / "in.annotated.xlsx"

    def annotate(items, folder, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    out = annotate_or_note([_Item(str(book), report="r")], str(target), annotate, lang="en")
    assert out[0].error.endswith(os.strerror(errno.ENOSPC))
    assert out[0].error in capsys.readouterr().err


def test_annotating_over_a_folder_is_refused_quietly_without_lang(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _xlsx(tmp_path / "in.xlsx", _PLAIN)
    folder = tmp_path / "copy.xlsx"
    folder.mkdir()

    def annotate(*_a, **_k):
        raise AssertionError("not called")

    out = annotate_or_note([_Item(str(book), report="r")], str(folder), annotate)
    assert "exists and is a folder" in out[0].error
    assert "文件夹" in out[0].error_zh
    assert folder.is_dir()
    assert capsys.readouterr().err == ""


def test_note_annotations_counts_the_copies_workers_could_not_write() -> None:
    done = Outputs()
    items = [
        _Item("a.xlsx", report="r", error="copy a not written", error_zh="副本 a 未写出"),
        _Item("b.xlsx", report="r"),  # its copy was written
        _Item("c.xlsx", report=None, error="c could not be read"),  # no report: not a copy
        _Item("d.xlsx", report="r", error="copy d not written"),  # no Chinese: English
    ]
    note_annotations(done, items)
    assert [name for name, _ in done.failed] == ["a.xlsx", "d.xlsx"]
    with pytest.raises(OutputError) as info:
        done.check()
    assert str(info.value) == ("not written: a.xlsx (copy a not written); "
                               "d.xlsx (copy d not written); written: nothing")
    assert info.value.message("zh") == (
        "未写出：a.xlsx（副本 a 未写出）；d.xlsx（copy d not written）；已写出：无")


# -- _width ----------------------------------------------------------------------------


def test_width_skips_combining_marks_and_counts_wide_characters() -> None:
    assert width("e\u0301") == 1
    assert width("自评") == 4
    assert width("a自") == 3


@pytest.mark.parametrize(("value", "shown"), [
    (None, ""),
    (Decimal("NaN"), "NaN"),
    (Decimal("-Infinity"), "-Infinity"),
    (Decimal("0E-7"), "0"),
    (Decimal("-0.000"), "0"),
    (Decimal("1E+50"), "1E+50"),
    (Decimal("1E-50"), "1E-50"),
    (Decimal("4.50"), "4.5"),
    (Decimal("1E+2"), "100"),
])
def test_number_is_written_as_people_write_it(value: Decimal | None, shown: str) -> None:
    assert number(value) == shown

