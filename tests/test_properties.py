"""Properties of the scoring and weight-normalisation formulas (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfrules
from perfrules.builtin.rules import AtLeast, AtMost, Equal, ExecutionRate
from perfrules.testing import amounts, check_rule, forms, quantitative_indicators, weights

REG = perfrules.Registry(entry_points=False)
RULESETS = [REG.ruleset("cn-mof-2020"), REG.ruleset("cn-mof-2020-linear")]


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.id)
@given(form=forms())
def test_score_within_zero_and_weight(ruleset: perfrules.RuleSet, form: perfrules.Form) -> None:
    report = perfrules.score(form, ruleset, registry=REG)
    for line in report.lines:
        assert line.points is not None and line.indicator.weight is not None
        assert 0 <= line.points <= line.indicator.weight
        assert line.credit is not None and 0 <= line.credit <= 1
    assert 0 <= report.total <= 100


def _met(ind: perfrules.Indicator) -> bool:
    """Whether a line meets its target, by DESIGN's table: > as ≥, < as ≤; = is met
    by B = A and, for A ≠ 0, by B > A (full marks, flagged by audit)."""
    a, b = ind.target, ind.actual
    assert isinstance(a, Decimal) and isinstance(b, Decimal)
    if ind.nature in ("≥", ">"):
        return b >= a
    if ind.nature in ("≤", "<"):
        return b <= a
    return b == a or (a != 0 and b > a)


@given(form=forms())
def test_full_marks_exactly_when_met(form: perfrules.Form) -> None:
    report = perfrules.score(form, registry=REG)
    for line in report.lines:
        ind = line.indicator
        assert ind.weight is not None
        if _met(ind):
            assert line.points == ind.weight.quantize(Decimal("0.01"))
            assert line.met and line.credit == 1
        else:
            assert line.met is False
            assert line.credit is not None and line.credit < 1


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.id)
@given(ind=quantitative_indicators(), other=amounts(-100, 20_000))
def test_monotone_in_the_actual(ruleset: perfrules.RuleSet, ind: perfrules.Indicator,
                                other: Decimal) -> None:
    rule = {"≥": AtLeast(), ">": AtLeast(), "=": Equal(), "≤": AtMost(), "<": AtMost()}[ind.nature or ""]
    assert isinstance(ind.actual, Decimal)
    low, high = sorted([ind.actual, other])
    c_low = rule.score(attrs.evolve(ind, actual=low), ruleset).credit
    c_high = rule.score(attrs.evolve(ind, actual=high), ruleset).credit
    if ind.nature in ("≥", ">"):
        assert c_low <= c_high
    elif ind.nature in ("≤", "<"):
        assert c_low >= c_high
    elif low >= 0 and ind.target != 0:
        # "=": non-decreasing for non-negative actuals; "= 0" is all or nothing by design
        assert c_low <= c_high


@given(form=forms(), data=st.data())
def test_total_independent_of_order(form: perfrules.Form, data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(form.indicators))
    a = perfrules.score(form, registry=REG)
    b = perfrules.score(attrs.evolve(form, indicators=shuffled), registry=REG)
    assert a.total == b.total


@given(ws=st.lists(amounts(0, 1000, 3), min_size=1, max_size=40).filter(any),
       places=st.integers(0, 3))
def test_normalized_weights(ws: list[Decimal], places: int) -> None:
    out = perfrules.normalize_weights(ws, total=100, places=places)
    assert len(out) == len(ws)
    assert sum(out) == 100  # exactly
    for w, n in zip(ws, out):
        assert (w == 0) <= (n == 0)  # zeros stay zero
        assert n >= 0
        assert n == n.quantize(Decimal(1).scaleb(-places))
    for i, j in [(i, j) for i in range(len(ws)) for j in range(len(ws)) if ws[i] < ws[j]]:
        assert out[i] <= out[j]  # order kept
    assert perfrules.normalize_weights(out, total=100, places=places) == out  # idempotent


@given(ws=weights())
def test_weights_strategy_sums_to_100(ws: tuple[Decimal, ...]) -> None:
    assert sum(ws) == 100


def test_normalize_weights_errors() -> None:
    with pytest.raises(perfrules.InputError):
        perfrules.normalize_weights([0, 0])
    with pytest.raises(perfrules.InputError):
        perfrules.normalize_weights([-1, 2])
    with pytest.raises(perfrules.InputError):
        perfrules.normalize_weights([1, 2], total="100.001", places=2)


@pytest.mark.parametrize("rule", [AtLeast(), AtMost(), Equal()], ids=lambda r: r.name)
@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.id)
def test_builtin_rules_conform(rule: perfrules.plugin.Rule, ruleset: perfrules.RuleSet) -> None:
    check_rule(rule, ruleset=ruleset, max_examples=100)


def test_execution_rate_conforms() -> None:
    # the rule is chosen by name, not nature; any nature serves to generate indicators
    # negative rates are refused, with reasons
    check_rule(ExecutionRate(), natures=["="], registry=REG, max_examples=100, may_refuse=True)
