"""The command line's own failures: no command, a writer plugin that fails, outputs that
cannot be written, conversions to an unknown suffix, Ctrl-C, and per-form file names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import attrs
import pytest

import perfrules
from perfrules.cli import main
from perfrules.hookspecs import hookimpl

from .test_batch_cli import FORM, write_form

Register = Callable[[Any], None]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@attrs.frozen
class BrokenWriter:
    name: str = "broken"

    def write(self, report: Any, **options: Any) -> bytes:
        raise RuntimeError("the template is missing")


@attrs.frozen
class InterruptedReader:
    name: str = "interrupted"
    extensions: tuple[str, ...] = (".ctrlc",)

    def read(self, path: Path) -> perfrules.Form:
        raise KeyboardInterrupt


class Formats:
    @hookimpl
    def perfrules_register_formats(self, register: Register) -> None:
        register(BrokenWriter())
        register(InterruptedReader())


@pytest.fixture
def with_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = perfrules.Registry([Formats()], entry_points=False)
    monkeypatch.setattr("perfrules.cli.get_registry", lambda: reg)


def test_no_command_prints_the_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 2 and out == ""
    assert "score" in err and "audit" in err and "convert" in err


def test_a_writer_plugin_that_fails_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             with_plugin: None) -> None:
    form = write_form(tmp_path / "a.json")
    code, out, err = run(capsys, "score", str(form), "--format", "broken")
    assert code == 2 and out == ""
    assert "broken" in err and "RuntimeError" in err and "the template is missing" in err


def test_a_failing_writer_per_form_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  with_plugin: None) -> None:
    a, b = write_form(tmp_path / "a.json"), write_form(tmp_path / "b.json")
    out = tmp_path / "out"
    code, _, err = run(capsys, "score", str(a), str(b), "--format", "broken", "-o", f"{out}/")
    assert code == 2 and "the template is missing" in err
    assert not out.exists() or not any(out.iterdir())


def test_ctrl_c_while_reading_says_interrupted(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               with_plugin: None) -> None:
    path = tmp_path / "form.ctrlc"
    path.write_text("x", "utf-8")
    code, out, err = run(capsys, "score", str(path))
    assert code == 2 and out == ""
    assert "中断" in err and "Traceback" not in err


def test_an_output_that_cannot_be_written_names_it(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    form = write_form(tmp_path / "a.json")
    target = tmp_path / "missing" / "deeper" / "report.txt"
    (tmp_path / "missing").write_text("a file, not a folder", "utf-8")
    code, _, err = run(capsys, "score", str(form), "-o", str(target))
    assert code == 2
    assert f"无法写入 {target.parent}：Not a directory" in err and "Traceback" not in err


def test_forms_of_one_name_from_two_folders_get_two_outputs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_form(tmp_path / "2021" / "自评表.json")
    b = write_form(tmp_path / "2022" / "自评表.json", {**FORM, "title": "第二张"})
    out = tmp_path / "out"
    code, _, _ = run(capsys, "score", str(a), str(b), "--format", "html", "-o", f"{out}/")
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["自评表-2.html", "自评表.html"]
    assert "第二张" in (out / "自评表-2.html").read_text("utf-8")
    assert "第二张" not in (out / "自评表.html").read_text("utf-8")


def test_convert_to_an_unknown_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    form = write_form(tmp_path / "a.json")
    code, _, err = run(capsys, "convert", str(form), "-o", str(tmp_path / "a.txt"))
    assert code == 2 and ".txt" in err
    assert not (tmp_path / "a.txt").exists()


def test_convert_an_unreadable_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", "utf-8")
    code, _, err = run(capsys, "convert", str(bad), "-o", str(tmp_path / "bad.yaml"))
    assert code == 2 and "bad.json" in err and "JSON" in err
    assert not (tmp_path / "bad.yaml").exists()


def test_max_cells_applies_to_one_run_only(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFRULES_MAX_CELLS", "123456")
    form = write_form(tmp_path / "a.json")
    code, _, _ = run(capsys, "score", str(form), "--max-cells", "999")
    assert code == 0
    assert os.environ["PERFRULES_MAX_CELLS"] == "123456"
