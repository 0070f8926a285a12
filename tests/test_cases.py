"""Golden cases as data: tests/cases/*.json (form in, lines and total out).

A finance user can add a case without writing Python: copy a file, change the
form and the expected scores. ``expect`` holds ``total``, ``grade`` and
``lines`` (indicator name -> score, ``null`` for a line that is not
applicable), or ``error``: the problem codes the form must raise.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfrules

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"), parse_float=Decimal)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, registry: perfrules.Registry) -> None:
    case = _load(path)
    form = perfrules.Form.from_dict(case["form"], source=path.name)
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(perfrules.FormError) as info:
            perfrules.score(form, case.get("ruleset"), registry=registry)
        assert sorted(p.code for p in info.value.problems) == sorted(expect["error"])
        for problem in info.value.problems:
            assert problem.location, problem  # every problem says where
        return
    report = perfrules.score(form, case.get("ruleset"), registry=registry)
    assert str(report.total) == expect["total"]
    if "grade" in expect:
        assert report.grade == expect["grade"]
    by_name = {line.name: line for line in report.lines}
    for name, score in expect.get("lines", {}).items():
        line = by_name[name]
        if score is None:
            assert not line.applicable
            assert line.points is None
        else:
            assert str(line.points) == score, line.explanation()
