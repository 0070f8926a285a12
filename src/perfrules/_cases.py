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
from ._messages import error_text, problem_text, text
from ._model import Form
from ._registry import Registry
from .exceptions import FormError, PerfrulesError
from .io.canonical import MAX_DEPTH, check_data

__all__ = ["CaseResult", "run_case"]


@attrs.frozen(kw_only=True)
class CaseResult:
    path: str
    description: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run_case(path: Path, registry: Optional[Registry] = None, lang: str = "en") -> CaseResult:
    """Run one case file and say (in ``lang``) what, if anything, differs from what it expects."""
    try:
        return _run_case(path, registry, lang)
    except RecursionError:  # deeper than Python can parse: the case's failure, not the run's
        return CaseResult(path=str(path), description="",
                          failures=(text("case-too-deep", lang, limit=MAX_DEPTH),))
    except Exception as exc:  # a plugin, or a case perfrules did not foresee: this case only
        return CaseResult(path=str(path), description="",
                          failures=(text("case-not-run", lang, kind=type(exc).__name__,
                                         detail=str(exc)[:300]),))


def _run_case(path: Path, registry: Optional[Registry], lang: str) -> CaseResult:
    try:
        case: dict[str, Any] = json.loads(path.read_text("utf-8-sig"), parse_float=Decimal)
        if not isinstance(case, dict):
            raise TypeError("a case file holds an object with form and expect")
        check_data(case, path.name, MAX_DEPTH + 2)  # the form sits two levels down
        form = Form.from_dict(case["form"], source=path.name)
        expect = case["expect"]
        if not isinstance(expect, dict):
            raise TypeError("expect is an object: total, grade, lines or error")
    except (OSError, ValueError, KeyError, TypeError, PerfrulesError) as exc:
        return CaseResult(path=str(path), description="",
                          failures=(text("case-invalid", lang, kind=type(exc).__name__,
                                         detail=error_text(exc, lang)),))
    description = str(case.get("description", ""))
    failures: list[str] = []
    if "error" in expect:
        try:
            score(form, case.get("ruleset"), registry=registry)
        except FormError as exc:
            got = sorted(p.code for p in exc.problems)
            if got != sorted(expect["error"]):
                failures.append(text("case-problems", lang, got=got, expected=sorted(expect["error"])))
            failures.extend(text("case-no-location", lang, problem=problem_text(p, lang))
                            for p in exc.problems
                            if not p.location)
        else:
            failures.append(text("case-scored", lang, expected=sorted(expect["error"])))
        return CaseResult(path=str(path), description=description, failures=tuple(failures))
    try:
        report = score(form, case.get("ruleset"), registry=registry)
    except PerfrulesError as exc:
        return CaseResult(path=str(path), description=description,
                          failures=(text("case-not-scored", lang, message=error_text(exc, lang)),))
    if "total" in expect and str(report.total) != str(expect["total"]):
        failures.append(text("case-total", lang, got=report.total, expected=expect["total"]))
    if "grade" in expect and report.grade != expect["grade"]:
        failures.append(text("case-grade", lang, got=report.grade, expected=expect["grade"]))
    by_name = {line.name: line for line in report.lines}
    for name, expected in expect.get("lines", {}).items():
        line = by_name.get(name)
        if line is None:
            failures.append(text("case-no-indicator", lang, name=repr(name)))
        elif expected is None and line.applicable:
            failures.append(text("case-not-applicable", lang, name=name, got=line.points))
        elif expected is not None and str(line.points) != str(expected):
            failures.append(text("case-points", lang, name=name, got=line.points, expected=expected,
                                 explanation=line.explanation(lang)))
    return CaseResult(path=str(path), description=description, failures=tuple(failures))
