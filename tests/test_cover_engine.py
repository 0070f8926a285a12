"""Scoring as a plugin author and an English reader see it: the stale-ruleset notice, grades
without an English name, rules that return no Outcome, group weights, and rate lines that
no rule can score."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any, Callable

import attrs
import pytest

import perfrules
from perfrules import FormError, PluginError
from perfrules.hookspecs import hookimpl
from perfrules.plugin import Outcome

from .test_batch_cli import FORM

Register = Callable[[Any], None]


def form(**changes: Any) -> perfrules.Form:
    data = copy.deepcopy(FORM)
    data.update(changes)
    return perfrules.Form.from_dict(data, source="表.json")


def base_ruleset(**changes: Any) -> dict[str, Any]:
    data = perfrules.Registry(entry_points=False).ruleset("cn-mof-2020").to_dict()
    data.update(changes)
    return data


@attrs.frozen
class OddRule:
    """A plugin rule whose score() does what ``result`` says."""

    result: Callable[[], Any]
    name: str = "odd"
    natures: frozenset[str] = frozenset({"≈"})

    def score(self, indicator: perfrules.Indicator, ruleset: perfrules.RuleSet) -> Any:
        return self.result()


class Plugin:
    def __init__(self, *rules: Any, rulesets: tuple[Any, ...] = ()) -> None:
        self.rules, self.rulesets = rules, rulesets

    @hookimpl
    def perfrules_register_rules(self, register: Register) -> None:
        for rule in self.rules:
            register(rule)

    @hookimpl
    def perfrules_register_rulesets(self, register: Register) -> None:
        for ruleset in self.rulesets:
            register(ruleset)


ODD = {"id": "odd-rules", "extends": "cn-mof-2020@1", "rules": {"≈": "odd"}}


def odd_form() -> perfrules.Form:
    return perfrules.Form.from_dict({"indicators": [
        {"name": "近似指标", "nature": "≈", "target": "1", "actual": "1", "weight": "100"}]},
        source="近似.json")


def test_the_stale_ruleset_notice_in_english(registry: perfrules.Registry) -> None:
    report = perfrules.score(form(year=2019), registry=registry)
    assert report.notice("en") == ("note: ruleset cn-mof-2020@1 is in force 2020-02-25 – …, which "
                                   "excludes the form's year 2019")
    assert "不含本表年度 2019" in report.notice("zh")
    assert perfrules.score(form(year=2022), registry=registry).notice("en") == ""


def test_a_grade_without_an_english_name_is_shown_as_it_is() -> None:
    plain = base_ruleset(id="plain-grades", region="", valid_from=None,
                         grades=[{"name": "合格", "min": "60"}, {"name": "不合格", "min": "0"}])
    reg = perfrules.Registry([Plugin(rulesets=(plain,))], entry_points=False)
    report = perfrules.score(form(), "plain-grades", registry=reg)
    assert report.grade == "合格"
    assert report.total_explanation("en") == "total = 60.00 + 40.00 = 100.00, grade 合格"
    assert perfrules.score(form()).total_explanation("en").endswith("grade 优 (excellent)")


def test_a_rule_that_returns_no_outcome_is_a_plugin_error_naming_it() -> None:
    reg = perfrules.Registry([Plugin(OddRule(lambda: {"credit": 1}), rulesets=(ODD,))],
                             entry_points=False)
    with pytest.raises(PluginError) as info:
        perfrules.score(odd_form(), "odd-rules", registry=reg)
    message = str(info.value)
    assert "rule 'odd'" in message and "{'credit': 1}" in message
    assert "'近似指标'" in message and "not an Outcome" in message


def test_a_five_tuple_is_accepted_as_an_outcome() -> None:
    five = (Decimal(1), Decimal(2), False, False, ())
    reg = perfrules.Registry([Plugin(OddRule(lambda: five), rulesets=(ODD,))], entry_points=False)
    assert perfrules.score(odd_form(), "odd-rules", registry=reg).total == Decimal("50.00")


def test_a_plugin_error_raised_by_a_rule_reaches_the_caller_unchanged() -> None:
    def refuse() -> Outcome:
        raise PluginError("odd: the licence of this rule has expired")

    reg = perfrules.Registry([Plugin(OddRule(refuse), rulesets=(ODD,))], entry_points=False)
    with pytest.raises(PluginError, match=r"^odd: the licence of this rule has expired$"):
        perfrules.score(odd_form(), "odd-rules", registry=reg)


def test_a_group_without_indicators(registry: perfrules.Registry) -> None:
    with pytest.raises(FormError) as info:
        perfrules.score(form(groups=[{"path": ["满意度指标"], "weight": "10"}]), registry=registry)
    found = [p for p in info.value.problems if p.code == "empty-group"]
    assert len(found) == 1
    assert found[0].location == "表.json: group 满意度指标"
    assert found[0].message == "group 满意度指标 has no indicators"
    assert found[0].expected == "indicators whose path starts with the group's"


def test_a_group_sum_is_not_checked_while_a_child_has_no_weight(registry: perfrules.Registry) -> None:
    data = copy.deepcopy(FORM)
    del data["indicators"][0]["weight"]
    data["groups"] = [{"path": ["产出指标"], "weight": "100"}]
    with pytest.raises(FormError) as info:
        perfrules.score(perfrules.Form.from_dict(data, source="表.json"), registry=registry)
    codes = [p.code for p in info.value.problems]
    assert "group-weights-sum" not in codes  # the missing weight is the problem, said once
    assert any(p.field == "weight" and p.indicator == "培训人次" for p in info.value.problems)


@attrs.frozen
class SecondRate:
    name: str = "rate-too"
    natures: frozenset[str] = frozenset()
    kind: str = "execution-rate"

    def score(self, indicator: perfrules.Indicator, ruleset: perfrules.RuleSet) -> Outcome:
        return Outcome(numerator=Decimal(1), denominator=Decimal(1), met=True)


def test_a_rate_line_when_the_ruleset_names_no_rate_rule_and_two_are_registered() -> None:
    rules = {k: v for k, v in base_ruleset()["rules"].items() if k != "预算执行率"}
    bare = base_ruleset(id="no-rate", region="", valid_from=None, rules=rules)
    reg = perfrules.Registry([Plugin(SecondRate(), rulesets=(bare,))], entry_points=False)
    data = copy.deepcopy(FORM)
    data["indicators"][0] = {"name": "预算执行率", "budget": "100", "executed": "90", "weight": "60"}
    with pytest.raises(FormError) as info:
        perfrules.score(perfrules.Form.from_dict(data, source="表.json"), "no-rate", registry=reg)
    (found,) = info.value.problems
    assert found.code == "no-rate-rule" and found.indicator == "预算执行率"
    assert found.message == "ruleset no-rate@1 has no rule for execution-rate lines"
    assert found.expected == "a ruleset that maps 预算执行率 to a rule"
