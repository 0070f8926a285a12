"""The built-in scoring rules of DESIGN.md §3, registered as a plugin.

Each rule's logic is written once, in the function its ``prepare(ruleset)``
returns: it maps an indicator to ``(numerator, denominator, met, judged,
recipe)``, where the recipe is the explanation as plain ``(code, args)``
tuples — cheap enough for the scoring loop. ``score()`` wraps the same
function into an :class:`~perfrules.Outcome` for everyone else.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Optional

import attrs

from .._model import Indicator
from .._numbers import CONTEXT
from .._rule import ONE, ZERO, Fast, Outcome, outcome_of
from .._ruleset import RuleSet
from ..exceptions import InputError, Problem
from ..hookspecs import hookimpl

__all__ = ["AtLeast", "AtMost", "Equal", "ExecutionRate", "Qualitative"]

HUNDRED = Decimal(100)
Result = tuple[Decimal, Decimal, bool, bool, tuple[tuple[str, tuple[Any, ...]], ...]]


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


def _bad_target_or_actual(ind: Indicator) -> InputError:
    """Every problem with a line's target and actual (called only when there is one)."""
    problems: list[Problem] = []
    target = _quantity(ind, "target", problems)
    _quantity(ind, "actual", problems)
    if target is not None and target < 0:
        problems.append(_problem(
            ind, "target", "negative-target",
            "a negative target cannot be scored proportionally",
            "a target ≥ 0, or a bands rule for indicators that can be negative"))
    return InputError(problems)


class _Prepared:
    """The ``score`` every built-in rule derives from its ``prepare``."""

    def prepare(self, ruleset: RuleSet) -> Fast:
        raise NotImplementedError

    def score(self, indicator: Indicator, ruleset: RuleSet) -> Outcome:
        return outcome_of(self.prepare(ruleset)(indicator))


@attrs.frozen
class AtLeast(_Prepared):
    """``≥`` and ``>`` (正向): met when B ≥ A; else credit B / A, never below 0."""

    name: str = "at-least"
    natures: frozenset[str] = frozenset({"≥", ">"})

    def prepare(self, ruleset: RuleSet) -> Fast:
        def at_least(ind: Indicator) -> Result:
            a, b = ind.target, ind.actual
            if a.__class__ is not Decimal or b.__class__ is not Decimal or a < 0:
                raise _bad_target_or_actual(ind)
            nature = ind.nature or "≥"
            if a == 0:
                if b >= 0:
                    return ONE, ONE, True, False, (("zero_target_met", (b, nature)),)
                return ZERO, ONE, False, False, (("zero_target_unmet", (b, nature)),)
            if b >= a:
                return ONE, ONE, True, False, (("met", (b, a, nature)),)
            if b < 0:
                return ZERO, ONE, False, False, (("negative_actual", (b,)),)
            return b, a, False, False, (("unmet", (b, a, nature)),)

        return at_least


@attrs.frozen
class AtMost(_Prepared):
    """``≤`` and ``<`` (反向): met when B ≤ A; else A / B (``reverse = "ratio"``)
    or 1 − (B − A) / A, 0 from B ≥ 2A (``reverse = "linear"``)."""

    name: str = "at-most"
    natures: frozenset[str] = frozenset({"≤", "<"})

    def prepare(self, ruleset: RuleSet) -> Fast:
        reverse = ruleset.param("reverse", "ratio")
        if reverse not in ("ratio", "linear"):
            raise ValueError(
                f"ruleset {ruleset.id!r}: parameter reverse={reverse!r} is not 'ratio' or 'linear'"
            )
        linear = reverse == "linear"

        def at_most(ind: Indicator) -> Result:
            a, b = ind.target, ind.actual
            if a.__class__ is not Decimal or b.__class__ is not Decimal or a < 0:
                raise _bad_target_or_actual(ind)
            nature = ind.nature or "≤"
            if a == 0:
                if b <= 0:
                    return ONE, ONE, True, False, (("zero_target_met", (b, nature)),)
                return ZERO, ONE, False, False, (("zero_target_unmet", (b, nature)),)
            if b <= a:
                return ONE, ONE, True, False, (("met", (b, a, nature)),)
            unmet = ("unmet", (b, a, nature))
            if not linear:
                return a, b, False, False, (unmet, ("reverse_ratio", (b, a)))
            if b >= 2 * a:
                return ZERO, ONE, False, False, (unmet, ("reverse_linear_zero", (b, a)))
            return 2 * a - b, a, False, False, (unmet, ("reverse_linear", (b, a)))

        return at_most


@attrs.frozen
class Equal(_Prepared):
    """``=``: met when B = A (B > A also scores full; audit flags it); else B / A."""

    name: str = "equal"
    natures: frozenset[str] = frozenset({"="})

    def prepare(self, ruleset: RuleSet) -> Fast:
        def equal(ind: Indicator) -> Result:
            a, b = ind.target, ind.actual
            if a.__class__ is not Decimal or b.__class__ is not Decimal or a < 0:
                raise _bad_target_or_actual(ind)
            if a == 0:
                if b == 0:
                    return ONE, ONE, True, False, (("zero_target_met", (b, "=")),)
                return ZERO, ONE, False, False, (("zero_target_unmet", (b, "=")),)
            if b == a:
                return ONE, ONE, True, False, (("met", (b, a, "=")),)
            if b > a:
                return ONE, ONE, True, False, (("exceeds", (b, a)),)
            if b < 0:
                return ZERO, ONE, False, False, (("negative_actual", (b,)),)
            return b, a, False, False, (("unmet", (b, a, "=")),)

        return equal


@attrs.frozen
class Qualitative(_Prepared):
    """``定性``: the actual names a tier; the judged score (``judged_score``, else
    ``reported_score``) must lie in the tier's band; without one, the tier's
    default applies."""

    name: str = "qualitative"
    natures: frozenset[str] = frozenset({"定性"})

    def prepare(self, ruleset: RuleSet) -> Fast:
        known = "、".join(w for t in ruleset.tiers for w in t.words)

        def qualitative(indicator: Indicator) -> Result:
            actual = indicator.actual
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
            tier_step = ("tier", (actual, tier.name, low, high))
            field = "judged_score" if indicator.judged_score is not None else "reported_score"
            judged = getattr(indicator, field)
            if judged is None:
                return (tier.default, ONE, tier.met, False,
                        (tier_step, ("tier_default", (tier.name, tier.default * weight))))
            in_band = judged >= low and (judged <= high if tier.upper_inclusive else judged < high)
            if weight == 0 and judged == 0:
                return ZERO, ONE, tier.met, True, (tier_step,)
            if not in_band:
                band = (f"[{low.normalize():f}, {high.normalize():f}"
                        f"{']' if tier.upper_inclusive else ')'}")
                raise InputError(_problem(
                    indicator, field, "judged-out-of-band",
                    f"the judged score {judged} is outside the band of tier {tier.name} {band}",
                    f"a score in {band}, or the tier word of the tier it belongs to"))
            code = "judged" if field == "judged_score" else "judged_reported"
            return judged, weight, tier.met, True, (tier_step, (code, (judged,)))

        return qualitative


@attrs.frozen
class ExecutionRate(_Prepared):
    """预算执行率: credit min(rate, 100%); the rate from 全年执行数 / 全年预算数
    (``executed`` / ``budget``) when both are given, else from the actual in %."""

    name: str = "execution-rate"
    natures: frozenset[str] = frozenset()

    def prepare(self, ruleset: RuleSet) -> Fast:
        return _execution_rate


def _execution_rate(ind: Indicator) -> Result:
    steps: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    if ind.budget is not None and ind.executed is not None:
        problems = []
        if ind.budget <= 0:
            problems.append(_problem(ind, "budget", "bad-budget",
                                     "the budget (全年预算数) must be above 0", "an amount > 0"))
        if ind.executed < 0:
            problems.append(_problem(ind, "executed", "bad-executed",
                                     "the executed amount (全年执行数) is negative", "an amount ≥ 0"))
        if problems:
            raise InputError(problems)
        num, den = ind.executed, ind.budget
        rate = CONTEXT.divide(num * HUNDRED, den)
        steps = (("rate_amounts", (ind.executed, ind.budget, rate)),)
    else:
        found: list[Problem] = []
        rate_value = _quantity(ind, "actual", found)
        if found:
            raise InputError(found)
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
        return ONE, ONE, True, False, (*steps, ("rate_met", (rate,)))
    return num, den, False, False, (*steps, ("rate_unmet", (rate,)))


BUILTIN_RULES: tuple[Callable[[], object], ...] = (AtLeast, AtMost, Equal, Qualitative, ExecutionRate)


@hookimpl
def perfrules_register_rules(register: Callable[[object], None]) -> None:
    for factory in BUILTIN_RULES:
        register(factory())
