"""Golden cases as data: a form in, the expected lines and total out.

A case file (JSON) holds ``description``, optional ``ruleset``, ``form`` (the
canonical form) and ``expect``: ``total``, ``grade`` and ``lines`` (indicator
name -> score, null for a line that is not applicable), or ``error``: the
problem codes the form must raise. ``perfrules test CASES…`` runs them, so
that a finance user can pin a scoring decision without writing Python.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import attrs

from ._engine import score
from ._model import Form
from ._registry import Registry
from .exceptions import FormError, PerfrulesError

__all__ = ["CaseResult", "run_case"]


@attrs.frozen(kw_only=True)
class CaseResult:
    path: str
    description: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run_case(path: Path, registry: Optional[Registry] = None) -> CaseResult:
    """Run one case file and say what, if anything, differs from what it expects."""
    try:
        case: dict[str, Any] = json.loads(path.read_text("utf-8-sig"), parse_float=Decimal)
        form = Form.from_dict(case["form"], source=path.name)
        expect = case["expect"]
    except (OSError, ValueError, KeyError, TypeError, PerfrulesError) as exc:
        return CaseResult(path=str(path), description="",
                          failures=(f"not a valid case file: {type(exc).__name__}: {exc}",))
    description = str(case.get("description", ""))
    failures: list[str] = []
    if "error" in expect:
        try:
            score(form, case.get("ruleset"), registry=registry)
        except FormError as exc:
            got = sorted(p.code for p in exc.problems)
            if got != sorted(expect["error"]):
                failures.append(f"problems {got}, expected {sorted(expect['error'])}")
            failures.extend(f"problem without a location: {p}" for p in exc.problems
                            if not p.location)
        else:
            failures.append(f"scored, expected the problems {sorted(expect['error'])}")
        return CaseResult(path=str(path), description=description, failures=tuple(failures))
    try:
        report = score(form, case.get("ruleset"), registry=registry)
    except PerfrulesError as exc:
        return CaseResult(path=str(path), description=description,
                          failures=(f"not scored: {exc}",))
    if "total" in expect and str(report.total) != str(expect["total"]):
        failures.append(f"total {report.total}, expected {expect['total']}")
    if "grade" in expect and report.grade != expect["grade"]:
        failures.append(f"grade {report.grade}, expected {expect['grade']}")
    by_name = {line.name: line for line in report.lines}
    for name, expected in expect.get("lines", {}).items():
        line = by_name.get(name)
        if line is None:
            failures.append(f"no indicator {name!r}")
        elif expected is None and line.applicable:
            failures.append(f"{name}: scored {line.points}, expected not applicable")
        elif expected is not None and str(line.points) != str(expected):
            failures.append(f"{name}: {line.points}, expected {expected} ({line.explanation()})")
    return CaseResult(path=str(path), description=description, failures=tuple(failures))
