"""Golden cases as data: tests/cases/*.json (form in, lines and total out).

A finance user can add a case without writing Python: copy a file, change the
form and the expected scores. ``expect`` holds ``total``, ``grade`` and
``lines`` (indicator name -> score, ``null`` for a line that is not
applicable), or ``error``: the problem codes the form must raise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import perfrules
from perfrules._cases import run_case
from perfrules.cli import main

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, registry: perfrules.Registry) -> None:
    result = run_case(path, registry)
    assert result.passed, result.failures


def test_a_wrong_expectation_fails(tmp_path: Path, registry: perfrules.Registry) -> None:
    case = (Path(__file__).parent / "cases" / "ge-unmet.json").read_text("utf-8")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(case.replace('"94.74"', '"94.73"'), "utf-8")
    result = run_case(wrong, registry)
    assert not result.passed
    assert any("expected 94.73" in f for f in result.failures)


def test_cli_runs_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "test", str(Path(__file__).parent / "cases")]) == 0
    out = capsys.readouterr().out
    assert f"{len(CASES)} passed, 0 failed" in out
    (tmp_path / "bad.json").write_text("{}", "utf-8")
    assert main(["--lang", "en", "test", str(tmp_path / "bad.json")]) == 1
    assert "not a valid case file" in capsys.readouterr().out
    assert main(["--lang", "zh", "test", str(tmp_path / "bad.json")]) == 1
    assert "不是有效的案例文件" in capsys.readouterr().out
