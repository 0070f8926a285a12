"""超标扣分: a stepped deduction for ≤ lines — "每超过一个百分点扣0.5分，扣完为止".

Written from :mod:`perfrules.plugin` alone, as every perfrules plugin should be.

A line of nature ``超标扣分`` has a ceiling A (its target) and an actual B.
Within the ceiling (B ≤ A) it scores in full. Over it, the overrun is counted
in **whole** percentage points (每超过一个百分点):

- a line in % (unit ``%``): the overrun is B − A percentage points;
- any other unit (万元, 元 …): the overrun is (B − A) / A × 100 percent of the
  ceiling; with a ceiling of 0, any B > 0 loses every point.

Each whole point deducts ``step_points`` points (a ruleset parameter, cited;
0.5 in cn-hb-2023); the line keeps max(w − deduction, 0) (扣完为止). The
credit is that fraction of the weight, exact: ``Outcome(w − deduction, w)``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Optional

import attrs
from perfrules.plugin import (
    Indicator,
    InputError,
    Outcome,
    Prepared,
    PreparedRule,
    Problem,
    RuleSet,
    StepTemplates,
    fixed_context,
    problem,
)

__all__ = ["NATURE", "SteppedDeduction"]

#: The nature word (指标性质) a ruleset maps to this rule.
NATURE = "超标扣分"
ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
_PERCENT = ("%", "％")
_CONTEXT = fixed_context()  # our own copy: nothing a caller does can change it

TEMPLATES: StepTemplates = {
    "hubei_within": {"zh": "{0} ≤ {1}，未超标", "en": "{0} ≤ {1}: within the ceiling"},
    "hubei_over_points": {
        "zh": "{0}% 超过指标值 {1}%，超出 {2} 个百分点，计 {3} 个整百分点",
        "en": "{0}% is over the ceiling {1}% by {2} percentage points: {3} whole points"},
    "hubei_over_percent": {
        "zh": "{0} 超过指标值 {1}，超出部分为指标值的 {2} 个整百分点（(完成值 − 指标值) / 指标值）",
        "en": "{0} is over the ceiling {1} by {2} whole percent of it ((actual − target) / target)"},
    "hubei_over_zero": {"zh": "指标值为 0，{0} 超标，扣完为止",
                        "en": "ceiling 0 and the actual {0} is over it: every point lost"},
    "hubei_deduct": {"zh": "每个百分点扣 {0} 分，共扣 {1} 分，余 {2} 分",
                     "en": "{0} points per percentage point: {1} deducted, {2} left"},
    "hubei_deduct_all": {"zh": "每个百分点扣 {0} 分，应扣 {1} 分，扣完为止",
                         "en": "{0} points per percentage point: {1} due, none left"},
}


def _step_points(ruleset: RuleSet) -> Optional[Decimal]:
    """The ruleset's ``step_points``; ``None`` when it has none (the rule then
    refuses its lines). A value that is no number above 0 fails here, at
    registration, naming the ruleset — never mid-batch."""
    text = ruleset.param("step_points")
    if text is None:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = Decimal("NaN")
    if not (value.is_finite() and value > 0):
        raise ValueError(f"ruleset {ruleset.ref}: parameter step_points={text!r} is not a "
                         "number of points above 0 (such as 0.5)")
    return value


def _numbers(ind: Indicator) -> tuple[Decimal, Decimal, Decimal]:
    """The line's ceiling, actual and weight — or every problem with them at once."""
    a, b, w = ind.target, ind.actual, ind.weight
    if (isinstance(a, Decimal) and isinstance(b, Decimal) and isinstance(w, Decimal)
            and a >= 0 and w >= 0):
        return a, b, w
    problems: list[Problem] = []
    for field, label in (("target", "ceiling (指标值)"), ("actual", "actual (完成值)"),
                         ("weight", "weight (指标权重)")):
        value = getattr(ind, field)
        if value is None:
            problems.append(problem(ind, field, "missing-value", f"the {label} is empty",
                                    "a number, such as 5%"))
        elif not isinstance(value, Decimal):
            problems.append(problem(ind, field, "not-a-number",
                                    f"the {label} {value!r} is not a number on a {NATURE} line",
                                    "a number, such as 5% or 200"))
    if isinstance(a, Decimal) and a < 0:
        problems.append(problem(ind, "target", "negative-target",
                                "a negative ceiling cannot be exceeded by a percentage",
                                "a ceiling ≥ 0"))
    if isinstance(w, Decimal) and w < 0:
        problems.append(problem(ind, "weight", "negative-weight", "the weight is negative",
                                "a weight ≥ 0"))
    raise InputError(problems)


@attrs.frozen
class SteppedDeduction(PreparedRule):
    """超标扣分 (kind ``at-most``): full marks within the ceiling; each whole
    percentage point over it deducts ``step_points`` points, down to 0."""

    name: str = "hubei-stepped-deduction"
    #: a ceiling line: the engine and the audit treat it as a ≤ line (units, explanations)
    kind: ClassVar[str] = "at-most"
    natures: frozenset[str] = frozenset({NATURE})
    templates: ClassVar[StepTemplates] = TEMPLATES
    #: the ruleset parameters it reads: their citations show in its explanations
    params: ClassVar[tuple[str, ...]] = ("step_points",)

    def prepare(self, ruleset: RuleSet) -> Prepared:
        step = _step_points(ruleset)  # once per ruleset, not per line

        def stepped(ind: Indicator) -> Outcome:
            if step is None:
                raise InputError(problem(
                    ind, "nature", "hubei-no-step-points",
                    f"ruleset {ruleset.ref} gives no step_points for {NATURE} lines",
                    "a ruleset with params.step_points, such as cn-hb-2023"))
            a, b, w = _numbers(ind)
            if b <= a:
                return Outcome(ONE, ONE, True, False, (("hubei_within", (b, a)),))
            c = _CONTEXT
            first: tuple[str, tuple[Any, ...]]
            if a == 0 and ind.unit not in _PERCENT:
                return Outcome(ZERO, ONE, False, False, (("hubei_over_zero", (b,)),))
            if ind.unit in _PERCENT:
                over = c.subtract(b, a)
                whole = c.divide_int(over, ONE)  # b > a: truncation is the floor
                first = ("hubei_over_points", (b, a, over, whole))
            else:
                whole = c.divide_int(c.multiply(c.subtract(b, a), HUNDRED), a)  # exact
                first = ("hubei_over_percent", (b, a, whole))
            due = c.multiply(step, whole)
            if due >= w:
                return Outcome(ZERO, ONE, False, False,
                               (first, ("hubei_deduct_all", (step, due))))
            left = c.subtract(w, due)
            return Outcome(left, w, False, False, (first, ("hubei_deduct", (step, due, left))))

        return stepped
