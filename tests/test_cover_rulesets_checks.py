"""What a ruleset author is told about a ruleset that cannot be used, and what an audit-check
author is told about a check that fails; AuditReport.worst for the reader of a report."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Callable

import attrs
import pytest

import perfrules
from perfrules import Finding, PluginError, RuleSet
from perfrules.hookspecs import hookimpl
from perfrules.plugin import AuditContext

from .test_batch_cli import FORM

Register = Callable[[Any], None]


def data(**changes: Any) -> dict[str, Any]:
    base = perfrules.Registry(entry_points=False).ruleset("cn-mof-2020").to_dict()
    base.update(changes)
    return base


def tiers(**first: Any) -> list[dict[str, Any]]:
    found = data()["tiers"]
    found[0] = {**found[0], **first}
    return found


@pytest.mark.parametrize(("changes", "error", "words"), [
    ({"id": "bad@id"}, ValueError, "id 'bad@id' is not a ruleset id"),
    ({"execution_rate_names": "预算执行率"}, TypeError, "expected a list of words, got '预算执行率'"),
    ({"grades": [{"name": " ", "min": "0"}]}, ValueError, "grade name ' ' is not a name"),
    ({"grades": [{"name": "优", "min": "-1"}]}, ValueError, "grade '优': min -1 is not a total ≥ 0"),
    ({"grades": [{"name": "优", "min": "90"}, {"name": "优", "min": "0"}]}, ValueError,
     "grade names repeat: 优, 优"),
    ({"tiers": tiers(words=[" "])}, ValueError, "words must be a non-empty list of words"),
    ({"tiers": tiers(words=["部分达成"])}, ValueError, "the word '部分达成' is in tier"),
    ({"valid_from": "2021-01-01", "valid_until": "2020-12-31"}, ValueError,
     "valid_from 2021-01-01 is after valid_until 2020-12-31"),
    ({"weights": {**data()["weights"], "tolerance": "-0.1"}}, ValueError, "is not a number ≥ 0"),
])
def test_a_ruleset_that_cannot_be_used_says_why(changes: dict[str, Any], error: type[Exception],
                                                words: str) -> None:
    with pytest.raises(error) as info:
        RuleSet.from_dict(data(**changes))
    assert words in str(info.value)


def test_a_ruleset_built_directly_with_a_citation_key_of_no_kind() -> None:
    ruleset = RuleSet.from_dict(data())
    with pytest.raises(ValueError, match="key 'tier:达成' is not rule:NAME or param:NAME"):
        attrs.evolve(ruleset, citations=(("tier:达成", "10号"),))


def test_a_ruleset_from_toml_with_a_datetime_as_its_start() -> None:
    text = '''id = "toml-rules"
version = "2"
title = "TOML 规则"
valid_from = 2021-03-01T08:00:00
grades = [{name = "合格", min = "60"}]
[rules]
"≥" = "at-least"
'''
    ruleset = RuleSet.from_toml(text)
    assert ruleset.ref == "toml-rules@2"
    assert ruleset.valid_from == datetime.date(2021, 3, 1)
    assert ruleset.grade_of(Decimal("59.99")) == ""  # below every grade: none
    assert ruleset.grade_of(Decimal(60)) == "合格"
    assert "citations" not in ruleset.to_dict() and "unstated_nature" not in ruleset.to_dict()


# -- audit checks ---------------------------------------------------------------------------


@attrs.frozen
class Check:
    fn: Callable[[AuditContext], Any] = attrs.field(repr=False)
    name: str = "odd-check"
    codes: tuple[str, ...] = ("X001",)

    def check(self, context: AuditContext) -> Any:
        return self.fn(context)


class Checks:
    def __init__(self, check: Check) -> None:
        self.found = check

    @hookimpl
    def perfrules_register_checks(self, register: Register) -> None:
        register(self.found)


def audited(fn: Callable[[AuditContext], Any]) -> perfrules.AuditReport:
    reg = perfrules.Registry([Checks(Check(fn))], entry_points=False)
    return perfrules.audit(perfrules.Form.from_dict(FORM, source="表.json"), registry=reg)


def test_a_check_that_raises_is_a_plugin_error_naming_it_and_the_form() -> None:
    def fail(context: AuditContext) -> list[Finding]:
        raise KeyError("目标")

    with pytest.raises(PluginError) as info:
        audited(fail)
    message = str(info.value)
    assert "audit check 'odd-check'" in message and "表.json" in message
    assert "KeyError" in message and "目标" in message


def test_a_check_that_returns_no_findings_is_refused() -> None:
    with pytest.raises(PluginError, match=r"audit check 'odd-check' .* returned 'all good', not a "
                                          r"Finding"):
        audited(lambda context: ["all good"])


def test_worst_is_the_most_severe_finding() -> None:
    def note(context: AuditContext) -> list[Finding]:
        return [context.finding("X001", "info", "odd-check", "提示", "a note")]

    report = audited(note)
    assert [f.code for f in report.findings if f.check == "odd-check"] == ["X001"]
    assert report.worst() == "warning"  # the form's own PR018 warnings outrank the info
    only_info = attrs.evolve(report, findings=tuple(f for f in report.findings
                                                    if f.severity == "info"))
    assert only_info.worst() == "info"
    assert attrs.evolve(report, findings=()).worst() is None
    wrong = perfrules.audit(perfrules.Form.from_dict(
        {**FORM, "indicators": [{**FORM["indicators"][0], "reported_score": "1"},
                                FORM["indicators"][1]]}, source="表.json"))
    assert wrong.worst() == "error"
