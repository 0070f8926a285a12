"""How `perfrules audit` walks a folder: a FIFO named like its own summary is never opened,
a link to a folder inside is not audited twice, and a progress bar shows on a terminal."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from perfrules.cli import main

from .test_batch_cli import write_form


def summary_files(out: Path) -> list[str]:
    rows = json.loads((out / "summary.json").read_text("utf-8"))
    return sorted(Path(row["file"]).name for row in rows["forms"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_a_fifo_named_summary_csv_is_reported_never_opened(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forms = tmp_path / "forms"
    write_form(forms / "a.json")
    os.mkfifo(forms / "summary.csv")  # opening it to read would block for ever
    code = main(["audit", str(forms), "--timeout", "0", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 2  # a path that is no file is an input error
    rows = {Path(r["file"]).name: r for r in json.loads(out)["forms"]}
    assert rows["a.json"]["total"] == "100.00"
    assert rows["summary.csv"]["error"] == ("a named pipe (FIFO), not a file; perfrules reads "
                                            "only regular files")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_link_to_a_folder_inside_is_not_audited_twice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forms = tmp_path / "forms"
    write_form(forms / "a.json")
    write_form(forms / "sub" / "b.json")
    os.symlink(forms / "sub", forms / "shortcut")
    os.symlink(forms, forms / "sub" / "back-up")  # a loop, followed or not
    for follow in ([], ["--follow-symlinks"]):
        out = tmp_path / f"out{len(follow)}"
        code = main(["audit", str(forms), "--timeout", "0", "-o", f"{out}/", *follow])
        capsys.readouterr()
        assert code in (0, 1)
        names = summary_files(out)
        assert names.count("a.json") == 1 and names.count("b.json") == (2 if follow else 1)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    for name in ("a", "b", "c"):
        write_form(tmp_path / "forms" / f"{name}.json")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(["audit", str(tmp_path / "forms"), "--timeout", "0", "--format", "json"])
    assert code in (0, 1)
    assert "0/3" in terminal.getvalue() and "表/s" in terminal.getvalue()  # tqdm's bar
    assert len(json.loads(capsys.readouterr().out)["forms"]) == 3
