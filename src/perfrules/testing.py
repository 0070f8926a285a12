"""Hypothesis strategies and a conformance check for plugin authors (public).

Needs the ``testing`` extra (``pip install 'perfrules[testing]'``)::

    from hypothesis import given
    from perfrules.testing import forms, check_rule

    def test_my_rule_conforms():
        check_rule(MyRule(), natures=["≥"])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Optional

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    from .exceptions import MissingDependencyError

    raise MissingDependencyError("perfrules.testing", "testing") from exc

from ._model import Form, Indicator
from ._registry import Registry, get_registry
from ._rule import Outcome, Rule, outcome_of
from ._ruleset import RuleSet
from ._weights import normalize_weights
from .exceptions import InputError

__all__ = ["amounts", "check_rule", "forms", "quantitative_indicators", "weights"]

QUANTITATIVE_NATURES = ("≥", ">", "≤", "<", "=")


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


@st.composite
def quantitative_indicators(
    draw: st.DrawFn,
    natures: Sequence[str] = QUANTITATIVE_NATURES,
    weight: Optional[Decimal] = None,
) -> Indicator:
    """A quantitative indicator with a target ≥ 0 and any actual (negative too)."""
    nature = draw(st.sampled_from(list(natures)))
    target = draw(amounts(0, 10_000))
    actual = draw(st.one_of(amounts(0, 20_000), amounts(-100, 0)))
    w = weight if weight is not None else draw(amounts(0, 100, 1))
    name = draw(st.text(alphabet="指标名称完成率数量质量时效成本满意度", min_size=1, max_size=8))
    return Indicator(name=name, nature=nature, target=target, actual=actual, weight=w,
                     unit="%")


@st.composite
def forms(draw: st.DrawFn, natures: Sequence[str] = QUANTITATIVE_NATURES,
          max_size: int = 20) -> Form:
    """A valid form: quantitative indicators whose weights sum to 100."""
    ws = draw(weights(max_size=max_size))
    indicators = [draw(quantitative_indicators(natures, weight=w)) for w in ws]
    return Form(indicators=indicators, title="hypothesis")


def check_rule(
    rule: Rule,
    natures: Optional[Iterable[str]] = None,
    *,
    ruleset: Optional[RuleSet] = None,
    registry: Optional[Registry] = None,
    max_examples: int = 200,
    may_refuse: bool = False,
) -> None:
    """Check the contract every rule must keep, on generated indicators.

    The credit is a valid fraction in [0, 1] (with ``may_refuse``, the rule
    may instead refuse an indicator with an
    :class:`~perfrules.exceptions.InputError` naming it); a met line has full credit;
    scoring is deterministic; a rule's fast path (``prepare``), when it has
    one, agrees with its ``score``. Raises ``AssertionError`` (through
    hypothesis) on the first counterexample.
    """
    rs = ruleset if ruleset is not None else (registry or get_registry()).ruleset()
    chosen = tuple(natures) if natures is not None else tuple(sorted(rule.natures))
    if not chosen:
        raise ValueError("check_rule needs the natures to generate indicators for")

    @settings(max_examples=max_examples, deadline=None)
    @given(quantitative_indicators(chosen))
    def run(indicator: Indicator) -> None:
        try:
            outcome: Any = rule.score(indicator, rs)
        except InputError as exc:
            assert may_refuse, f"{rule.name} refused {indicator!r}: {exc}"
            assert exc.problems and all(p.message and p.indicator for p in exc.problems)
            return
        assert isinstance(outcome, Outcome), f"{rule.name} returned {outcome!r}"
        assert 0 <= outcome.numerator <= outcome.denominator
        if outcome.met:
            assert outcome.credit == 1 or outcome.judged, f"{rule.name}: met but credit {outcome.credit}"
        again = rule.score(indicator, rs)
        assert again == outcome, f"{rule.name} is not deterministic"
        prepare = getattr(rule, "prepare", None)
        if prepare is not None:
            fast = outcome_of(prepare(rs)(indicator))
            assert fast == outcome, f"{rule.name}: prepare() gives {fast}, score() {outcome}"

    run()
