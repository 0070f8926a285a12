"""The built-in scoring rules of DESIGN.md §3, registered as a plugin."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

import attrs

from .._explain import Step
from .._model import Indicator
from .._numbers import CONTEXT
from .._rule import ONE, ZERO, Outcome
from .._ruleset import RuleSet
from ..exceptions import InputError, Problem
from ..hookspecs import hookimpl

__all__ = ["AtLeast", "AtMost", "Equal", "ExecutionRate", "Qualitative"]

HUNDRED = Decimal(100)


def _problem(ind: Indicator, field: str, code: str, message: str, expected: str,
             value: object = None) -> Problem:
    shown = getattr(ind, field, None) if value is None else value
    return Problem(code=code, indicator=ind.name, field=field, location=ind.where(field),
                   value=None if shown is None else str(shown), message=message,
                   expected=expected)


def _quantity(ind: Indicator, field: str, problems: list[Problem]) -> Optional[Decimal]:
    value = getattr(ind, field)
    if isinstance(value, Decimal):
        return value
    label = "target (指标值)" if field == "target" else "actual (完成值)"
    if value is None:
        problems.append(_problem(ind, field, "missing-value", f"the {label} is empty",
                                 f"a number in {ind.unit or 'the indicator unit'}"))
    else:
        problems.append(_problem(
            ind, field, "not-a-number",
            f"the {label} {value!r} is not a number on a {ind.nature or 'quantitative'} line",
            "a number such as 95 or 95% (or nature 定性 for a qualitative line)"))
    return None


def _target_and_actual(ind: Indicator) -> tuple[Decimal, Decimal]:
    problems: list[Problem] = []
    target = _quantity(ind, "target", problems)
    actual = _quantity(ind, "actual", problems)
    if target is not None and target < 0:
        problems.append(_problem(
            ind, "target", "negative-target",
            "a negative target cannot be scored proportionally",
            "a target ≥ 0, or a bands rule for indicators that can be negative"))
    if problems:
        raise InputError(problems)
    assert target is not None and actual is not None
    return target, actual


def _full(*steps: Step) -> Outcome:
    return Outcome(numerator=ONE, met=True, steps=steps)


def _nothing(*steps: Step) -> Outcome:
    return Outcome(numerator=ZERO, met=False, steps=steps)


@attrs.frozen
class AtLeast:
    """``≥`` and ``>`` (正向): met when B ≥ A; else credit B / A, never below 0."""

    name: str = "at-least"
    natures: frozenset[str] = frozenset({"≥", ">"})

    def score(self, indicator: Indicator, ruleset: RuleSet) -> Outcome:
        a, b = _target_and_actual(indicator)
        nature = indicator.nature or "≥"
        if a == 0:
            if b >= 0:
                return _full(Step("zero_target_met", (b, nature)))
            return _nothing(Step("zero_target_unmet", (b, nature)))
        if b < 0:
            return _nothing(Step("negative_actual", (b,)))
        if b >= a:
            return _full(Step("met", (b, a, nature)))
        return Outcome(numerator=b, denominator=a, met=False, steps=(Step("unmet", (b, a, nature)),))


@attrs.frozen
class AtMost:
    """``≤`` and ``<`` (反向): met when B ≤ A; else A / B (``reverse = "ratio"``)
    or 1 − (B − A) / A, 0 from B ≥ 2A (``reverse = "linear"``)."""

    name: str = "at-most"
    natures: frozenset[str] = frozenset({"≤", "<"})

    def score(self, indicator: Indicator, ruleset: RuleSet) -> Outcome:
        a, b = _target_and_actual(indicator)
        nature = indicator.nature or "≤"
        if a == 0:
            if b <= 0:
                return _full(Step("zero_target_met", (b, nature)))
            return _nothing(Step("zero_target_unmet", (b, nature)))
        if b <= a:
            return _full(Step("met", (b, a, nature)))
        unmet = Step("unmet", (b, a, nature))
        reverse = ruleset.param("reverse", "ratio")
        if reverse == "ratio":
            return Outcome(numerator=a, denominator=b, met=False,
                           steps=(unmet, Step("reverse_ratio", (b, a))))
        if reverse == "linear":
            if b >= 2 * a:
                return _nothing(unmet, Step("reverse_linear_zero", (b, a)))
            return Outcome(numerator=2 * a - b, denominator=a, met=False,
                           steps=(unmet, Step("reverse_linear", (b, a))))
        raise ValueError(
            f"ruleset {ruleset.id!r}: parameter reverse={reverse!r} is not 'ratio' or 'linear'"
        )


@attrs.frozen
class Equal:
    """``=``: met when B = A (B > A also scores full; audit flags it); else B / A."""

    name: str = "equal"
    natures: frozenset[str] = frozenset({"="})

    def score(self, indicator: Indicator, ruleset: RuleSet) -> Outcome:
        a, b = _target_and_actual(indicator)
        if a == 0:
            if b == 0:
                return _full(Step("zero_target_met", (b, "=")))
            return _nothing(Step("zero_target_unmet", (b, "=")))
        if b < 0:
            return _nothing(Step("negative_actual", (b,)))
        if b == a:
            return _full(Step("met", (b, a, "=")))
        if b > a:
            return _full(Step("exceeds", (b, a)))
        return Outcome(numerator=b, denominator=a, met=False, steps=(Step("unmet", (b, a, "=")),))


@attrs.frozen
class Qualitative:
    """``定性``: the actual names a tier; the judged score (``judged_score``, else
    ``reported_score``) must lie in the tier's band; without one, the tier's
    default applies."""

    name: str = "qualitative"
    natures: frozenset[str] = frozenset({"定性"})

    def score(self, indicator: Indicator, ruleset: RuleSet) -> Outcome:
        actual = indicator.actual
        known = "、".join(w for t in ruleset.tiers for w in t.words)
        if not isinstance(actual, str):
            raise InputError(_problem(
                indicator, "actual", "not-a-tier",
                "a 定性 line needs a tier word as its actual, not "
                + ("an empty cell" if actual is None else f"the number {actual}"),
                known))
        tier = ruleset.tier_of(actual)
        if tier is None:
            raise InputError(_problem(indicator, "actual", "unknown-tier",
                                      f"{actual!r} is not a known tier word", known))
        weight = indicator.weight if indicator.weight is not None else ZERO
        low, high = tier.lower * weight, tier.upper * weight
        tier_step = Step("tier", (actual, tier.name, low, high))
        field = "judged_score" if indicator.judged_score is not None else "reported_score"
        judged = getattr(indicator, field)
        if judged is None:
            return Outcome(numerator=tier.default, met=tier.met,
                           steps=(tier_step, Step("tier_default", (tier.name, tier.default * weight))))
        in_band = judged >= low and (judged <= high if tier.upper_inclusive else judged < high)
        if weight == 0 and judged == 0:
            in_band = True
        if not in_band:
            band = f"[{low.normalize():f}, {high.normalize():f}{']' if tier.upper_inclusive else ')'}"
            raise InputError(_problem(
                indicator, field, "judged-out-of-band",
                f"the judged score {judged} is outside the band of tier {tier.name} {band}",
                f"a score in {band}, or the tier word of the tier it belongs to"))
        if weight == 0:
            return Outcome(numerator=ZERO, met=tier.met, judged=True, steps=(tier_step,))
        code = "judged" if field == "judged_score" else "judged_reported"
        return Outcome(numerator=judged, denominator=weight, met=tier.met, judged=True,
                       steps=(tier_step, Step(code, (judged,))))


@attrs.frozen
class ExecutionRate:
    """预算执行率: credit min(rate, 100%); the rate from 全年执行数 / 全年预算数
    (``executed`` / ``budget``) when both are given, else from the actual in %."""

    name: str = "execution-rate"
    natures: frozenset[str] = frozenset()

    def score(self, indicator: Indicator, ruleset: RuleSet) -> Outcome:
        ind = indicator
        steps: list[Step] = []
        if ind.budget is not None and ind.executed is not None:
            problems = []
            if ind.budget <= 0:
                problems.append(_problem(ind, "budget", "bad-budget",
                                         "the budget (全年预算数) must be above 0", "an amount > 0"))
            if ind.executed < 0:
                problems.append(_problem(ind, "executed", "bad-executed",
                                         "the executed amount (全年执行数) is negative",
                                         "an amount ≥ 0"))
            if problems:
                raise InputError(problems)
            num, den = ind.executed, ind.budget
            rate = CONTEXT.divide(num * HUNDRED, den)
            steps.append(Step("rate_amounts", (ind.executed, ind.budget, rate)))
        else:
            problems = []
            rate_value = _quantity(ind, "actual", problems)
            if problems:
                raise InputError(problems)
            assert rate_value is not None
            if ind.unit not in ("%", "％") and rate_value <= 1:
                raise InputError(_problem(
                    ind, "unit", "ambiguous-rate",
                    f"the execution rate {rate_value} has no % unit: is it {rate_value}% "
                    f"or {rate_value * HUNDRED}%?", "a rate in percent, such as 99.64%",
                    value=ind.unit or "(empty)"))
            if rate_value < 0:
                raise InputError(_problem(ind, "actual", "negative-rate",
                                          "the execution rate is negative", "a rate ≥ 0%"))
            num, den, rate = rate_value, HUNDRED, rate_value
        if rate >= HUNDRED:
            return Outcome(numerator=ONE, met=True, steps=(*steps, Step("rate_met", (rate,))))
        return Outcome(numerator=num, denominator=den, met=False,
                       steps=(*steps, Step("rate_unmet", (rate,))))


BUILTIN_RULES: tuple[Callable[[], object], ...] = (AtLeast, AtMost, Equal, Qualitative, ExecutionRate)


@hookimpl
def perfrules_register_rules(register: Callable[[object], None]) -> None:
    for factory in BUILTIN_RULES:
        register(factory())
