"""What a rule is and what it hands back."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Protocol, runtime_checkable

import attrs

from ._explain import Step
from ._numbers import CONTEXT

if TYPE_CHECKING:
    from ._model import Indicator
    from ._ruleset import RuleSet

__all__ = ["ONE", "ZERO", "Fast", "Outcome", "Rule", "outcome_of"]

ZERO = Decimal(0)
ONE = Decimal(1)


@attrs.frozen(kw_only=True)
class Outcome:
    """What a rule concludes about one indicator.

    The credit is the fraction ``numerator / denominator`` of the weight the
    line earns, in [0, 1]. It is kept as a fraction so that the engine can
    compute the points as ``weight × numerator / denominator`` — multiplying
    before dividing, which is exact whenever the points are a finite decimal
    (so that 4.5 × 59 / 60 = 4.425 rounds to 4.43, not 4.42). Rules never
    round.
    """

    numerator: Decimal
    denominator: Decimal = ONE
    met: bool
    steps: tuple[Step, ...] = ()
    #: True when the points are a judged score (定性), not a formula.
    judged: bool = False

    def __attrs_post_init__(self) -> None:
        # Plugins hand these back: check the contract once, here.
        if not (isinstance(self.numerator, Decimal) and isinstance(self.denominator, Decimal)):
            raise TypeError(f"credit must be Decimals, got {self.numerator!r}/{self.denominator!r}")
        if not (self.numerator.is_finite() and self.denominator.is_finite()) or \
                self.denominator <= 0 or self.numerator < 0 or self.numerator > self.denominator:
            raise ValueError(
                f"credit {self.numerator}/{self.denominator} is outside [0, 1]"
            )

    @property
    def credit(self) -> Decimal:
        """The credit as one Decimal (28 significant digits)."""
        if self.denominator == ONE:
            return self.numerator
        return CONTEXT.divide(self.numerator, self.denominator)


#: What a rule's optional fast path returns for one indicator:
#: ``(numerator, denominator, met, judged, recipe)``, the recipe being the
#: explanation steps as plain ``(code, args)`` tuples.
FastResult = tuple[Decimal, Decimal, bool, bool, tuple[tuple[str, tuple[Any, ...]], ...]]
Fast = Callable[["Indicator"], FastResult]


def outcome_of(result: FastResult) -> Outcome:
    """The :class:`Outcome` of a fast-path result."""
    numerator, denominator, met, judged, recipe = result
    return Outcome(numerator=numerator, denominator=denominator, met=met, judged=judged,
                   steps=tuple(Step(code, args) for code, args in recipe))


@runtime_checkable
class Rule(Protocol):
    """A scoring rule, registered through ``perfrules_register_rules``.

    ``score`` raises :class:`perfrules.exceptions.InputError` (with one or
    more :class:`~perfrules.exceptions.Problem`) for input it cannot score.

    A rule may also offer a fast path for the scoring loop:
    ``prepare(ruleset)`` returning a function of one indicator that gives
    ``(numerator, denominator, met, judged, recipe)`` without building
    objects (see :data:`FastResult`). The engine calls ``prepare`` once per
    score and checks what the function returns; it must agree with ``score``
    (``perfrules.testing.check_rule`` checks that).
    """

    @property
    def name(self) -> str: ...

    @property
    def natures(self) -> frozenset[str]: ...

    def score(self, indicator: Indicator, ruleset: RuleSet) -> Outcome: ...
