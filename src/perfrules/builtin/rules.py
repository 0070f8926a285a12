"""The built-in scoring rules (docs: rules), registered as a plugin.

They use nothing a third-party rule cannot: :mod:`perfrules.plugin` only.
Each rule's logic is written once, in the function its ``prepare(ruleset)``
returns; ``score()`` comes from :class:`~perfrules.plugin.PreparedRule`.
Explanation steps are plain ``(code, args)`` pairs — cheap enough for the
scoring loop — rendered from the templates each rule registers.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, Callable, ClassVar, Optional

import attrs

from ..plugin import (
    Indicator,
    InputError,
    Outcome,
    Prepared,
    PreparedRule,
    Problem,
    RuleSet,
    StepTemplates,
    fixed_context,
    fold_word,
    hookimpl,
    problem,
)

__all__ = ["AtLeast", "AtMost", "Equal", "ExecutionRate", "Qualitative"]

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
#: Outcome(n, d, met, judged, steps) without NamedTuple's argument parsing: the
#: scoring loop builds one per line.
_outcome = functools.partial(tuple.__new__, Outcome)
_CONTEXT = fixed_context()  # a private copy: nobody else can change it

#: What ``prepare_credit(ruleset)`` of a built-in quantitative rule returns: for a line,
#: (numerator, denominator, step code) — the credit and the branch of the formula that gave
#: it. It is the rule's one formula: ``prepare`` builds the outcome and its explanation
#: from it (:func:`_quantitative`), and :func:`perfrules.score` scores plain lines with the
#: credit alone, computing the outcome only when the report's lines are read.
Credit = Callable[[Indicator], tuple[Decimal, Decimal, str]]

#: The step codes of a met line, and those that follow an "unmet" step (at-most's reverse).
_MET_CODES = frozenset({"zero_target_met", "met", "exceeds"})
_REVERSE_CODES = frozenset({"reverse_ratio", "reverse_linear", "reverse_linear_zero"})


def _quantitative(credit: Credit, default_nature: str) -> Prepared:
    """``prepare``'s function of a quantitative rule: its credit function, with the outcome's
    met flag and explanation steps read off the branch the credit came from."""
    def outcome(ind: Indicator) -> Outcome:
        numerator, denominator, code = credit(ind)
        a, b, nature = ind.target, ind.actual, ind.nature or default_nature
        if code in _REVERSE_CODES:
            steps: tuple[tuple[str, tuple[Any, ...]], ...] = (
                ("unmet", (b, a, nature)), (code, (b, a)))
        elif code == "met" or code == "unmet":
            steps = ((code, (b, a, nature)),)
        elif code == "exceeds":
            steps = ((code, (b, a)),)
        elif code == "negative_actual":
            steps = ((code, (b,)),)
        else:  # zero_target_met / zero_target_unmet
            steps = ((code, (b, nature)),)
        return _outcome((numerator, denominator, code in _MET_CODES, False, steps))

    return outcome


def _checked(ind: Indicator) -> tuple[Decimal, Decimal]:
    """A quantitative line's target and actual, or every problem with them."""
    a, b = ind.target, ind.actual
    if a.__class__ is not Decimal or b.__class__ is not Decimal or a < ZERO:
        raise _bad_target_or_actual(ind)
    return a, b


_FULL_ZERO = (ONE, ONE, "zero_target_met")
_NONE_ZERO = (ZERO, ONE, "zero_target_unmet")
_FULL_MET = (ONE, ONE, "met")
_NONE_NEGATIVE = (ZERO, ONE, "negative_actual")


#: Steps of the quantitative rules (≥ > ≤ < =).
QUANTITATIVE_TEMPLATES: StepTemplates = {
    "met": {"zh": "{0} {2} {1}，达成", "en": "{0} {2} {1}: met"},
    "unmet": {"zh": "{0} 未达到 {2} {1}", "en": "{0} does not reach {2} {1}"},
    "zero_target_met": {"zh": "目标值为 0，{0} {1} 0，达成", "en": "target 0: {0} {1} 0, met"},
    "zero_target_unmet": {"zh": "目标值为 0，{0} 不满足 {1} 0，不得分",
                          "en": "target 0: {0} fails {1} 0, no points"},
    "negative_actual": {"zh": "完成值 {0} 为负，不得分", "en": "negative actual {0}: no points"},
}
AT_MOST_TEMPLATES: StepTemplates = {
    **QUANTITATIVE_TEMPLATES,
    "reverse_ratio": {"zh": "反向指标：{1} / {0}", "en": "reverse indicator: {1} / {0}"},
    "reverse_linear": {"zh": "反向指标（线性）：(2 × {1} − {0}) / {1}",
                       "en": "reverse indicator (linear): (2 × {1} − {0}) / {1}"},
    "reverse_linear_zero": {"zh": "反向指标（线性）：{0} ≥ 2 × {1}，不得分",
                            "en": "reverse indicator (linear): {0} ≥ 2 × {1}, no points"},
}
EQUAL_TEMPLATES: StepTemplates = {
    **QUANTITATIVE_TEMPLATES,
    "exceeds": {"zh": "{0} 超过目标值 {1}（按满分计，审核时提示）",
                "en": "{0} exceeds the target {1} (full marks; audit flags it)"},
}
QUALITATIVE_TEMPLATES: StepTemplates = {
    "tier": {"zh": "“{0}” 属于“{1}”档（{2} 至 {3} 分）",
             "en": "'{0}' is tier '{1}' ({2} to {3} points)"},
    "tier_by_score": {"zh": "“{0}” 不是档次用语，按评定得分归入“{1}”档（{2} 至 {3} 分）",
                      "en": "'{0}' is no tier word: the judged score places it in tier '{1}' "
                            "({2} to {3} points)"},
    "judged": {"zh": "评定得分 {0}", "en": "judged score {0}"},
    "judged_reported": {"zh": "表内评定得分 {0}", "en": "judged score {0} (as the form reports it)"},
    "tier_default": {"zh": "未填评定得分，按“{0}”档默认 {1} 分计（默认值）",
                     "en": "no judged score: tier '{0}' defaults to {1} points (defaulted)"},
}
RATE_TEMPLATES: StepTemplates = {
    "rate_amounts": {"zh": "执行率 = {0} / {1} × 100% = {2}%",
                     "en": "execution rate = {0} / {1} × 100% = {2}%"},
    "rate_met": {"zh": "执行率 {0}% ≥ 100%，达成", "en": "execution rate {0}% ≥ 100%: met"},
    "rate_unmet": {"zh": "执行率 {0}% < 100%", "en": "execution rate {0}% < 100%"},
}


_problem = problem


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


@attrs.frozen
class AtLeast(PreparedRule):
    """``≥`` and ``>`` (正向): met when B ≥ A; else credit B / A, never below 0."""

    name: str = "at-least"
    kind: ClassVar[str] = "at-least"
    natures: frozenset[str] = frozenset({"≥", ">"})
    templates: ClassVar[StepTemplates] = QUANTITATIVE_TEMPLATES
    #: the kernel :func:`perfrules.score_table` scores these lines with in bulk
    bulk: ClassVar[str] = "at-least"

    def prepare(self, ruleset: RuleSet) -> Prepared:
        return _quantitative(self.prepare_credit(ruleset), "≥")

    def prepare_credit(self, ruleset: RuleSet) -> Credit:
        """The rule's formula: credit and step code (see :data:`Credit`)."""
        def at_least(ind: Indicator) -> tuple[Decimal, Decimal, str]:
            a, b = _checked(ind)
            if a == ZERO:
                return _FULL_ZERO if b >= ZERO else _NONE_ZERO
            if b >= a:
                return _FULL_MET
            if b < ZERO:
                return _NONE_NEGATIVE
            return b, a, "unmet"

        return at_least


@attrs.frozen
class AtMost(PreparedRule):
    """``≤`` and ``<`` (反向): met when B ≤ A; else A / B (``reverse = "ratio"``)
    or 1 − (B − A) / A, 0 from B ≥ 2A (``reverse = "linear"``)."""

    name: str = "at-most"
    kind: ClassVar[str] = "at-most"
    natures: frozenset[str] = frozenset({"≤", "<"})
    templates: ClassVar[StepTemplates] = AT_MOST_TEMPLATES
    #: the kernel :func:`perfrules.score_table` scores these lines with in bulk
    bulk: ClassVar[str] = "at-most"
    #: the ruleset parameters this rule reads (their citations show in explanations)
    params: ClassVar[tuple[str, ...]] = ("reverse",)

    def prepare(self, ruleset: RuleSet) -> Prepared:
        return _quantitative(self.prepare_credit(ruleset), "≤")

    def prepare_credit(self, ruleset: RuleSet) -> Credit:
        """The rule's formula: credit and step code (see :data:`Credit`)."""
        reverse = ruleset.param("reverse", "ratio")
        if reverse not in ("ratio", "linear"):
            raise ValueError(
                f"ruleset {ruleset.id!r}: parameter reverse={reverse!r} is not 'ratio' or 'linear'"
            )
        linear = reverse == "linear"

        def at_most(ind: Indicator) -> tuple[Decimal, Decimal, str]:
            a, b = _checked(ind)
            if a == ZERO:
                return _FULL_ZERO if b <= ZERO else _NONE_ZERO
            if b <= a:
                return _FULL_MET
            if not linear:
                return a, b, "reverse_ratio"
            if b >= 2 * a:
                return ZERO, ONE, "reverse_linear_zero"
            return 2 * a - b, a, "reverse_linear"

        return at_most


@attrs.frozen
class Equal(PreparedRule):
    """``=``: met when B = A (B > A also scores full; audit flags it); else B / A."""

    name: str = "equal"
    kind: ClassVar[str] = "equality"
    natures: frozenset[str] = frozenset({"="})
    templates: ClassVar[StepTemplates] = EQUAL_TEMPLATES
    #: the kernel :func:`perfrules.score_table` scores these lines with in bulk
    bulk: ClassVar[str] = "equal"

    def prepare(self, ruleset: RuleSet) -> Prepared:
        return _quantitative(self.prepare_credit(ruleset), "=")

    def prepare_credit(self, ruleset: RuleSet) -> Credit:
        """The rule's formula: credit and step code (see :data:`Credit`)."""
        def equal(ind: Indicator) -> tuple[Decimal, Decimal, str]:
            a, b = _checked(ind)
            if a == ZERO:
                return _FULL_ZERO if b == ZERO else _NONE_ZERO
            if b == a:
                return _FULL_MET
            if b > a:  # above the target: full marks all the same; the audit flags it
                return ONE, ONE, "exceeds"
            if b < ZERO:
                return _NONE_NEGATIVE
            return b, a, "unmet"

        return equal


@attrs.frozen
class Qualitative(PreparedRule):
    """``定性``: the actual names a tier; the judged score (``judged_score``, else
    ``reported_score``) must lie in the tier's band; without one, the tier's
    default applies. An actual that is no tier word (有效, a sentence) is placed
    in the tier whose band holds its judged score; without a judged score it
    is refused, listing the tier words."""

    name: str = "qualitative"
    kind: ClassVar[str] = "qualitative"
    natures: frozenset[str] = frozenset({"定性"})
    templates: ClassVar[StepTemplates] = QUALITATIVE_TEMPLATES
    #: the kernel :func:`perfrules.score_table` scores these lines with in bulk
    bulk: ClassVar[str] = "qualitative"

    def prepare(self, ruleset: RuleSet) -> Prepared:
        known = "、".join(w for t in ruleset.tiers for w in t.words)
        tiers = ruleset.tier_table()

        def qualitative(indicator: Indicator) -> Outcome:
            actual = indicator.actual
            if not isinstance(actual, str):
                raise InputError(_problem(
                    indicator, "actual", "not-a-tier",
                    "a 定性 line needs a tier word as its actual, not "
                    + ("an empty cell" if actual is None else f"the number {actual}"),
                    known))
            weight = indicator.weight if indicator.weight is not None else ZERO
            field = "judged_score" if indicator.judged_score is not None else "reported_score"
            judged = getattr(indicator, field)
            tier = tiers.get(actual) or tiers.get(fold_word(actual))
            code = "tier"
            if tier is None:
                placed = None if judged is None else ruleset.tier_by_points(judged, weight)
                if placed is None:
                    raise InputError(_problem(
                        indicator, "actual", "unknown-tier",
                        f"{actual!r} is not a known tier word" + (
                            "" if judged is None else
                            f", and the judged score {judged} lies in no tier's band"),
                        f"a tier word ({known}), or a judged score (指标得分) in a tier's band"))
                tier, code = placed, "tier_by_score"
            low, high = tier.lower * weight, tier.upper * weight
            tier_step = (code, (actual, tier.name, low, high))
            if judged is None:
                return _outcome((tier.default, ONE, tier.met, False,
                                 (tier_step, ("tier_default", (tier.name, tier.default * weight)))))
            in_band = judged >= low and (judged <= high if tier.upper_inclusive else judged < high)
            if weight == ZERO and judged == ZERO:
                return _outcome((ZERO, ONE, tier.met, True, (tier_step,)))
            if not in_band:
                band = (f"[{low.normalize():f}, {high.normalize():f}"
                        f"{']' if tier.upper_inclusive else ')'}")
                raise InputError(_problem(
                    indicator, field, "judged-out-of-band",
                    f"the judged score {judged} is outside the band of tier {tier.name} {band}",
                    f"a score in {band}, or the tier word of the tier it belongs to"))
            step = "judged" if field == "judged_score" else "judged_reported"
            return _outcome((judged, weight, tier.met, True, (tier_step, (step, (judged,)))))

        return qualitative



@attrs.frozen
class ExecutionRate(PreparedRule):
    """预算执行率: credit min(rate, 100%); the rate from 全年执行数 / 全年预算数
    (``executed`` / ``budget``) when both are given, else from the actual in %."""

    name: str = "execution-rate"
    kind: ClassVar[str] = "execution-rate"
    natures: frozenset[str] = frozenset()
    templates: ClassVar[StepTemplates] = RATE_TEMPLATES
    #: the kernel :func:`perfrules.score_table` scores these lines with in bulk
    bulk: ClassVar[str] = "execution-rate"

    def prepare(self, ruleset: RuleSet) -> Prepared:
        return _execution_rate



def _execution_rate(ind: Indicator) -> Outcome:
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
        rate = _CONTEXT.divide(_CONTEXT.multiply(num, HUNDRED), den)
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
        return _outcome((ONE, ONE, True, False, (*steps, ("rate_met", (rate,)))))
    return _outcome((num, den, False, False, (*steps, ("rate_unmet", (rate,)))))


BUILTIN_RULES: tuple[Callable[[], object], ...] = (AtLeast, AtMost, Equal, Qualitative, ExecutionRate)


@hookimpl
def perfrules_register_rules(register: Callable[[object], None]) -> None:
    for factory in BUILTIN_RULES:
        register(factory())
