"""The conformance kit for plugin authors: hypothesis strategies and ``check_rule`` (public).

Needs the ``testing`` extra (``pip install 'perfrules[testing]'``)::

    from perfrules.testing import amounts, check_rule

    def test_my_rule_conforms():
        check_rule(MyRule(), targets=amounts(1, 100), actuals=amounts(0, 200))

``check_rule`` proves, on generated indicators, what every rule must keep:
a Decimal credit in [0, 1], full marks when met, monotone in the declared
direction, deterministic, ``prepare()`` agreeing with ``score()``, every step
rendering in Chinese and English — and it fails when the rule refuses every
example, so that a test can never pass without checking anything.

With perfrules installed, pytest also gets the fixtures ``perfrules_registry``
and ``perfrules_check_rule`` (the ``perfrules`` pytest plugin).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Optional

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    from .exceptions import MissingDependencyError

    raise MissingDependencyError("perfrules.testing", "testing") from exc

from ._explain import check_templates, render_steps
from ._model import Form, Indicator
from ._registry import Registry, get_registry
from ._rule import Outcome, Rule, kind_of
from ._ruleset import RuleSet
from ._weights import normalize_weights
from .exceptions import InputError

__all__ = [
    "amounts",
    "check_rule",
    "forms",
    "not_applicable_indicators",
    "qualitative_indicators",
    "quantitative_indicators",
    "rate_indicators",
    "weights",
]

QUANTITATIVE_NATURES = ("≥", ">", "≤", "<", "=")
_NAMES = "指标名称完成率数量质量时效成本满意度"
#: the direction a rule's credit moves in as the actual grows, by kind
_DIRECTIONS = {"at-least": "up", "equality": "up", "execution-rate": "up", "at-most": "down"}


def amounts(min_value: int = 0, max_value: int = 10**6, places: int = 2) -> st.SearchStrategy[Decimal]:
    """Exact decimals with at most ``places`` decimals in [min_value, max_value]."""
    scale = 10**places
    return st.integers(min_value * scale, max_value * scale).map(
        lambda n: Decimal(n).scaleb(-places))


def weights(
    min_size: int = 1, max_size: int = 30, total: int = 100
) -> st.SearchStrategy[tuple[Decimal, ...]]:
    """Weights that sum exactly to ``total`` (normalised, 2 places, at least one > 0)."""
    raw = st.lists(amounts(0, 100, 1), min_size=min_size, max_size=max_size).filter(
        lambda ws: any(w > 0 for w in ws))
    return raw.map(lambda ws: normalize_weights(ws, total=total))


def _names() -> st.SearchStrategy[str]:
    return st.text(alphabet=_NAMES, min_size=1, max_size=8)


@st.composite
def quantitative_indicators(
    draw: st.DrawFn,
    natures: Sequence[str] = QUANTITATIVE_NATURES,
    weight: Optional[Decimal] = None,
    *,
    targets: Optional[st.SearchStrategy[Any]] = None,
    actuals: Optional[st.SearchStrategy[Any]] = None,
) -> Indicator:
    """A quantitative indicator: by default a target ≥ 0 and any actual (negative too)."""
    nature = draw(st.sampled_from(list(natures)))
    target = draw(targets if targets is not None else amounts(0, 10_000))
    actual = draw(actuals if actuals is not None else st.one_of(amounts(0, 20_000),
                                                                amounts(-100, 0)))
    w = weight if weight is not None else draw(amounts(0, 100, 1))
    return Indicator(name=draw(_names()), nature=nature, target=target, actual=actual, weight=w,
                     unit="%")


@st.composite
def qualitative_indicators(
    draw: st.DrawFn,
    ruleset: Optional[RuleSet] = None,
    weight: Optional[Decimal] = None,
    *,
    judged: bool = True,
) -> Indicator:
    """A 定性 line: a tier word of ``ruleset`` as its actual and, when ``judged``,
    sometimes a judged score inside that tier's band."""
    rs = ruleset if ruleset is not None else get_registry().ruleset()
    tier = draw(st.sampled_from(list(rs.tiers)))
    word = draw(st.sampled_from(list(tier.words)))
    w = weight if weight is not None else draw(amounts(0, 20, 1))
    score: Optional[Decimal] = None
    if judged and w > 0 and draw(st.booleans()):
        low, high = tier.lower * w, tier.upper * w
        steps = 100
        k = draw(st.integers(0, steps if tier.upper_inclusive else steps - 1))
        score = (low + (high - low) * k / steps).quantize(Decimal("0.01"), rounding="ROUND_UP")
        if score < low or score > high or (score == high and not tier.upper_inclusive):
            score = low
    return Indicator(name=draw(_names()), nature="定性", target="达成年度指标", actual=word,
                     weight=w, judged_score=score)


@st.composite
def rate_indicators(draw: st.DrawFn, weight: Optional[Decimal] = None) -> Indicator:
    """An execution-rate line: the rate in % or the budget and executed amounts."""
    w = weight if weight is not None else draw(amounts(0, 20, 1))
    if draw(st.booleans()):
        return Indicator(name="预算执行率", unit="%", actual=draw(amounts(2, 150)), weight=w,
                         target=Decimal(100))
    budget = draw(amounts(1, 10**6))
    executed = draw(amounts(0, 10**6))
    return Indicator(name="预算执行率", unit="%", budget=budget, executed=executed, weight=w,
                     target=Decimal(100))


@st.composite
def not_applicable_indicators(draw: st.DrawFn, weight: Optional[Decimal] = None) -> Indicator:
    """A line marked not applicable, by its flag or by its actual (不适用)."""
    w = weight if weight is not None else draw(amounts(0, 20, 1))
    if draw(st.booleans()):
        return Indicator(name=draw(_names()), nature="≥", target=Decimal(1), actual=Decimal(1),
                         weight=w, applicable=False)
    return Indicator(name=draw(_names()), nature="≥", target=Decimal(1), actual="不适用", weight=w)


@st.composite
def forms(draw: st.DrawFn, natures: Sequence[str] = QUANTITATIVE_NATURES,
          max_size: int = 20, *, mixed: bool = False) -> Form:
    """A valid form whose weights sum to 100: quantitative lines, and with
    ``mixed`` also 定性, execution-rate and not-applicable lines."""
    ws = draw(weights(max_size=max_size))
    heaviest = ws.index(max(ws))  # always applicable, so that some weight counts
    indicators = []
    for i, w in enumerate(ws):
        kind = draw(st.sampled_from(("q", "q", "t", "r", "n"))) if mixed else "q"
        if kind == "t":
            indicators.append(draw(qualitative_indicators(weight=w)))
        elif kind == "r":
            indicators.append(draw(rate_indicators(weight=w)))
        elif kind == "n" and i != heaviest:
            indicators.append(draw(not_applicable_indicators(weight=w)))
        else:
            indicators.append(draw(quantitative_indicators(natures, weight=w)))
    return Form(indicators=indicators, title="hypothesis")


def _default_strategy(rule: Rule, kind: str, rs: RuleSet, natures: Sequence[str],
                      targets: Optional[st.SearchStrategy[Any]],
                      actuals: Optional[st.SearchStrategy[Any]]) -> st.SearchStrategy[Indicator]:
    if kind == "qualitative":
        return qualitative_indicators(rs)
    if kind == "execution-rate":
        return rate_indicators()
    if not natures:
        raise ValueError(f"check_rule: rule {rule.name!r} serves no nature; pass natures=[…] "
                         "or indicators=<a strategy of Indicators>")
    return quantitative_indicators(natures, targets=targets, actuals=actuals)


def check_rule(
    rule: Rule,
    natures: Optional[Iterable[str]] = None,
    *,
    targets: Optional[st.SearchStrategy[Any]] = None,
    actuals: Optional[st.SearchStrategy[Any]] = None,
    indicators: Optional[st.SearchStrategy[Indicator]] = None,
    direction: Optional[str] = "auto",
    ruleset: Optional[RuleSet] = None,
    registry: Optional[Registry] = None,
    max_examples: int = 200,
    may_refuse: bool = False,
) -> None:
    """Check the contract every rule must keep, on generated indicators.

    ``targets`` and ``actuals`` are hypothesis strategies for the values of
    quantitative lines (defaults: targets in [0, 10000], actuals in
    [-100, 20000]); ``indicators`` replaces the generator altogether. By the
    rule's ``kind``, 定性 rules get tier words with judged scores and
    execution-rate rules get rates and amounts. ``direction`` is how the
    credit moves as the actual grows: ``"up"``, ``"down"``, ``None`` (not
    monotone), or ``"auto"`` — from the kind (at-least, equality,
    execution-rate: up; at-most: down; others: not checked).

    Checked for every example: the outcome is an :class:`~perfrules.Outcome`
    with Decimal numerator and denominator and 0 ≤ credit ≤ 1; a met line has
    full credit (unless judged); scoring is deterministic; ``prepare()``
    agrees with ``score()``; every step renders in zh and en from the rule's
    templates; the credit is monotone in ``direction`` (compared with the same
    line at a second actual drawn from ``actuals``). With ``may_refuse``
    the rule may refuse an example with an :class:`InputError` whose problems
    name the indicator; the check still fails when it refuses *every* example.
    Raises ``AssertionError`` (through hypothesis) on the first counterexample.
    """
    rs = ruleset if ruleset is not None else (registry or get_registry()).ruleset()
    kind = kind_of(rule)
    chosen = tuple(natures) if natures is not None else tuple(sorted(rule.natures))
    strategy = indicators if indicators is not None else _default_strategy(
        rule, kind, rs, chosen, targets, actuals)
    if direction == "auto":
        direction = _DIRECTIONS.get(kind) if kind != "equality" else "up"
    if direction not in ("up", "down", None):
        raise ValueError(f"direction {direction!r} is not 'up', 'down', None or 'auto'")
    templates = check_templates(f"rule {rule.name!r}", getattr(rule, "templates", {}))
    prepare = getattr(rule, "prepare", None)
    fast = prepare(rs) if prepare is not None else None
    accepted = [0]

    def outcome_of(indicator: Indicator) -> Optional[Outcome]:
        try:
            outcome: Any = rule.score(indicator, rs)
        except InputError as exc:
            assert may_refuse, f"{rule.name} refused {indicator!r}: {exc}"
            assert exc.problems and all(p.message and p.indicator for p in exc.problems), \
                f"{rule.name} refused {indicator!r} without naming the indicator: {exc}"
            return None
        assert isinstance(outcome, Outcome), f"{rule.name} returned {outcome!r}, not an Outcome"
        n, d = outcome.numerator, outcome.denominator
        assert type(n) is Decimal and type(d) is Decimal, \
            f"{rule.name}: the credit {n!r}/{d!r} is not Decimal"
        assert n.is_finite() and d.is_finite() and d > 0 and 0 <= n <= d, \
            f"{rule.name}: the credit {n}/{d} is outside [0, 1]"
        assert isinstance(outcome.met, bool) and isinstance(outcome.judged, bool)
        return outcome

    @settings(max_examples=max_examples, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(strategy, actuals if actuals is not None else amounts(0, 20_000))
    def run(indicator: Indicator, other: Any) -> None:
        outcome = outcome_of(indicator)
        if outcome is None:
            return
        accepted[0] += 1
        if outcome.met:
            assert outcome.credit == 1 or outcome.judged, \
                f"{rule.name}: met but credit {outcome.credit} for {indicator!r}"
        assert rule.score(indicator, rs) == outcome, f"{rule.name} is not deterministic"
        if fast is not None:
            again = fast(indicator)
            assert again == outcome, f"{rule.name}: prepare() gives {again}, score() {outcome}"
        for code, _ in outcome.steps:
            assert code in templates, f"{rule.name} recorded step {code!r} without a template"
        for lang in ("zh", "en"):
            text = render_steps(outcome.steps, lang, templates)
            assert outcome.steps == () or text.strip(), f"{rule.name}: empty {lang} explanation"
        actual = indicator.actual
        if direction is None or not isinstance(actual, Decimal) or not isinstance(other, Decimal):
            return
        if kind == "equality" and indicator.target == 0:
            return  # "= 0" is all or nothing by design
        low, high = sorted([actual, other])
        import attrs

        pair = [outcome_of(attrs.evolve(indicator, actual=v)) for v in (low, high)]
        if pair[0] is None or pair[1] is None:
            return
        c_low, c_high = pair[0].credit, pair[1].credit
        if direction == "up":
            assert c_low <= c_high, f"{rule.name}: credit falls from {c_low} to {c_high} as " \
                                    f"the actual grows from {low} to {high}"
        else:
            assert c_low >= c_high, f"{rule.name}: credit grows from {c_low} to {c_high} as " \
                                    f"the actual grows from {low} to {high}"

    run()
    assert accepted[0] > 0, (f"{rule.name} refused every generated example: the check proved "
                             "nothing (pass targets=/actuals=/indicators= the rule accepts)")
