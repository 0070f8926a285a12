"""What a rule is and what it hands back.

A rule has one result type, :class:`Outcome`, for its plain ``score()`` and
for the function its ``prepare(ruleset)`` returns. It declares its
:data:`kind <KINDS>` — what it is, so that the engine, the readers and the
audit never ask for a built-in name — and the zh/en templates of the
explanation steps it records.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, ClassVar, NamedTuple, Protocol, runtime_checkable

from ._numbers import CONTEXT

if TYPE_CHECKING:
    from ._model import Indicator
    from ._ruleset import RuleSet

__all__ = [
    "KINDS",
    "ONE",
    "ZERO",
    "Outcome",
    "Prepared",
    "PreparedRule",
    "Rule",
    "StepTemplates",
    "kind_of",
]

ZERO = Decimal(0)
ONE = Decimal(1)

#: What a rule is. The engine, the readers and the audit checks ask for these,
#: never for a rule's name, so that a plugin can replace any built-in rule:
#:
#: ``at-least``
#:     proportional lower bound (≥, >): credit B / A when not met
#: ``at-most``
#:     proportional upper bound (≤, <)
#: ``equality``
#:     target to be met exactly (=)
#: ``qualitative``
#:     tiers of words with judged scores (定性)
#: ``execution-rate``
#:     the budget execution rate (预算执行率), from a rate or from amounts
#: ``range``
#:     a target range (区间: ``85%-95%``, ``[60,80]``): full inside, less outside
#: ``deduction``
#:     points deducted from the weight (扣分: per step over a ceiling …)
#: ``other``
#:     anything else; the default
KINDS = ("at-least", "at-most", "equality", "qualitative", "execution-rate", "range",
         "deduction", "other")

#: A rule's explanation templates: step code -> language ("zh", "en") -> a
#: :meth:`str.format` template over the step's arguments (``{0}``, ``{1}`` …).
StepTemplates = Mapping[str, Mapping[str, str]]


class Outcome(NamedTuple):
    """What a rule concludes about one indicator — from ``score()`` and from the
    function ``prepare()`` returns alike.

    The credit is the fraction ``numerator / denominator`` of the weight the
    line earns, in [0, 1]. It is kept as a fraction so that the engine can
    compute the points as ``weight × numerator / denominator`` — multiplying
    before dividing, which is exact whenever the points are a finite decimal
    (so that 4.5 × 59 / 60 = 4.425 rounds to 4.43, not 4.42). Rules never
    round. ``steps`` are :class:`~perfrules.plugin.Step` records (or plain
    ``(code, args)`` pairs), each code one the rule registered a template for.

    A tuple, so that the scoring loop builds it cheaply; the engine checks
    every outcome a rule hands back (Decimal credit in [0, 1], a bool ``met``,
    registered step codes) and names the rule when one is wrong.
    """

    numerator: Decimal
    denominator: Decimal = ONE
    met: bool = False
    #: True when the points are a judged score (定性), not a formula
    judged: bool = False
    steps: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    @property
    def credit(self) -> Decimal:
        """The credit as one Decimal (28 significant digits, the fixed context)."""
        if self.denominator == ONE:
            return self.numerator
        return CONTEXT.divide(self.numerator, self.denominator)


#: The function ``prepare(ruleset)`` returns: one indicator in, its Outcome out.
Prepared = Callable[["Indicator"], Outcome]


@runtime_checkable
class Rule(Protocol):
    """A scoring rule, registered through ``perfrules_register_rules``.

    - ``name``: unique among all registered rules; rulesets map natures to it.
    - ``kind``: one of :data:`KINDS` (``"other"`` when not declared).
    - ``natures``: the natures it serves (may be empty for a rule a ruleset
      chooses otherwise, such as the execution rate). A ruleset that admits
      the rule by name (``use``) routes lines of these natures to it, folded as
      built-in words are (``区 间`` is ``区间``).
    - ``target_shapes`` (optional): the target shapes it serves
      (``{"range"}``): a ruleset that admits the rule routes a line that
      writes no nature to it by the shape of its target (``85%-95%``).
    - ``templates``: the zh and en template of every step code it records
      (see :data:`StepTemplates`); a step whose code has no template is a
      :class:`~perfrules.exceptions.PluginError`, never raw output.
    - ``prepare(ruleset)``: called once per ruleset (cached by the registry);
      returns the function that scores one indicator. Raise here, not per
      line, when the ruleset's parameters do not suit the rule.
    - ``score(indicator, ruleset)``: the same result for one indicator;
      :class:`PreparedRule` derives it from ``prepare``.

    The registry requires ``name``, ``natures`` and ``score`` at run time and
    gives the others their defaults (kind ``other``, no templates, ``prepare``
    wrapping ``score``), so a minimal rule still works; type checkers hold a
    rule to the whole protocol.

    Both raise :class:`perfrules.exceptions.InputError` (with one or more
    :class:`~perfrules.exceptions.Problem`) for input they cannot score. Any
    other exception becomes a :class:`~perfrules.exceptions.PluginError`
    naming the rule and its plugin.
    """

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def natures(self) -> frozenset[str]: ...

    @property
    def templates(self) -> StepTemplates: ...

    def prepare(self, ruleset: RuleSet) -> Prepared: ...

    def score(self, indicator: Indicator, ruleset: RuleSet) -> Outcome: ...


class PreparedRule:
    """A base for rules written once, in ``prepare``: ``score`` is derived.

    Subclasses set ``name``, ``kind``, ``natures`` and ``templates`` and
    implement ``prepare(ruleset)``.
    """

    name: str
    kind: ClassVar[str] = "other"
    natures: frozenset[str] = frozenset()
    #: the target shapes it serves (``{"range"}``); see :data:`perfrules.plugin.SHAPES`
    target_shapes: frozenset[str] = frozenset()
    templates: ClassVar[StepTemplates] = {}

    def prepare(self, ruleset: RuleSet) -> Prepared:
        raise NotImplementedError(f"{type(self).__name__}.prepare")

    def score(self, indicator: Indicator, ruleset: RuleSet) -> Outcome:
        return self.prepare(ruleset)(indicator)


def kind_of(rule: object) -> str:
    """A rule's declared kind, ``"other"`` when it declares none."""
    kind = getattr(rule, "kind", "other")
    return kind if isinstance(kind, str) else "other"
