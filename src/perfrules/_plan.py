"""The rule plan: what one ruleset scores with, and the one rule choice.

A :class:`Plan` is built once per (registry, ruleset) — never per form — and
read by everything that needs to know which rule scores a line or what a rule
is: the scoring loop, the columnar path, explanations and the audit. It holds
one :class:`RuleEntry` per registered rule (its declared facts, its owner, the
function ``prepare`` returned, and on demand its bulk kernel) and the routing
tables of the ruleset, and :meth:`Plan.choose` is the only place a rule is
chosen for a line, in this order:

1. the line's explicit ``rule``;
2. the ruleset's execution-rate rule, for a line named as an execution rate
   (or one with amounts and no nature);
3. the line's nature: the ruleset's ``[rules]`` mapping, else the declared
   natures of the rules the ruleset admits by name (``use``), both folded as
   built-in words are (``区 间`` is ``区间``);
4. for a line without a nature, the shape of its target (a range such as
   ``85%-95%``, ``[60,80]``, ``40～70``) when an admitted rule declares it;
5. for a line without a nature, the ruleset's unstated nature.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Optional

import attrs

from ._explain import Step
from ._model import Indicator
from ._numbers import NATURES, fold_word
from ._rule import Prepared, StepTemplates, kind_of
from ._ruleset import RATE_KEY, SHAPE_PREFIX, RuleSet, ruleset_index
from .exceptions import PluginError, Problem

if TYPE_CHECKING:
    from ._bulk import Kernel
    from ._registry import Registry

__all__ = [
    "SHAPES",
    "Choice",
    "Plan",
    "RuleEntry",
    "RuleFacts",
    "admitted_routes",
    "plan_for",
    "target_shape",
]

#: Target shapes a rule may declare (``target_shapes``): how a line's target is written.
#: ``range``: two numbers, such as ``85%-95%``, ``[60,80]``, ``40～70``, ``60至80``.
SHAPES = ("range",)

_NUMBER = r"[-+]?[0-9]+(?:\.[0-9]+)?%?"
_RANGE = re.compile(rf"^[\[(]?({_NUMBER})(?:-|~|–|—|至|到|,)({_NUMBER})[\])]?$")
_CACHE_LIMIT = 65536
_BUILTIN = "perfrules.builtin."


def target_shape(target: object) -> Optional[str]:
    """The shape of a target written as text (``"range"`` for ``85%-95%``), or None."""
    if not isinstance(target, str):
        return None
    return "range" if _RANGE.match(fold_word(target).replace("－", "-")) else None


@attrs.frozen
class RuleFacts:
    """What explanations and reports need of a rule (picklable: reports carry it)."""

    kind: str
    templates: StepTemplates
    params: tuple[str, ...]
    owner: Optional[str]


_NO_FACTS = RuleFacts("other", {}, (), None)


@attrs.frozen(kw_only=True)
class RuleEntry:
    """One rule of a plan: what it declares and the function that scores with it."""

    name: str
    kind: str
    #: the natures it declares, folded
    natures: frozenset[str]
    #: the target shapes it declares (:data:`SHAPES`)
    shapes: frozenset[str]
    templates: StepTemplates = attrs.field(eq=False)
    params: tuple[str, ...]
    #: the plugin that registered it
    owner: Optional[str]
    #: the function ``prepare(ruleset)`` returned
    score: Prepared = attrs.field(eq=False, repr=False)
    #: a built-in rule: its outcomes are trusted (their conformance is tested)
    trusted: bool
    #: the step codes it registered templates for
    codes: frozenset[str] = attrs.field(eq=False, repr=False)
    _rule: object = attrs.field(eq=False, repr=False)
    _ruleset: RuleSet = attrs.field(eq=False, repr=False)

    @property
    def facts(self) -> RuleFacts:
        return RuleFacts(self.kind, self.templates, self.params, self.owner)

    def kernel(self) -> Optional[Kernel]:
        """The rule's bulk kernel for this ruleset (:mod:`perfrules._bulk`), or None.
        Only a built-in rule names one (its ``bulk``); other rules' lines take the
        object path."""
        name = getattr(self._rule, "bulk", None)
        if not self.trusted or not isinstance(name, str):
            return None
        from ._bulk import KERNELS

        make = KERNELS.get(name)
        return None if make is None else make(self._ruleset)


def declared_natures(rule: object) -> frozenset[str]:
    natures = getattr(rule, "natures", ())
    return frozenset(fold_word(str(n)) for n in natures if str(n).strip())


def declared_shapes(rule: object) -> frozenset[str]:
    shapes = getattr(rule, "target_shapes", ())
    if isinstance(shapes, str) or not isinstance(shapes, (frozenset, set, tuple, list)):
        return frozenset()
    return frozenset(str(s) for s in shapes)


def admitted_routes(rs: RuleSet, rules: Mapping[str, object],
                    owner: Any = None) -> tuple[dict[str, str], dict[str, str]]:
    """The ruleset's routes: folded nature -> rule and target shape -> rule.

    The ``[rules]`` mapping first; then the declared natures and target shapes
    of the rules the ruleset admits by name (``use``). Raises
    :class:`PluginError` for an admitted rule that is not registered, and for
    two admitted rules claiming one word or shape the mapping does not settle.
    """
    who = f"plugin {owner!r}: " if owner else ""
    by_nature: dict[str, str] = {}
    by_shape: dict[str, str] = {}
    for key, rule_name in rs.rules:
        if key.startswith(SHAPE_PREFIX):
            shape = key[len(SHAPE_PREFIX):]
            if shape not in SHAPES:
                raise PluginError(f"{who}ruleset {rs.ref!r} maps {key!r}, which is no target "
                                  f"shape (valid: {', '.join(SHAPE_PREFIX + s for s in SHAPES)})")
            by_shape[shape] = rule_name
        else:
            by_nature[key] = rule_name
            by_nature.setdefault(fold_word(key), rule_name)
    mapped_natures, mapped_shapes = set(by_nature), set(by_shape)
    claimed: dict[tuple[str, str], str] = {}
    for rule_name in rs.use:
        rule = rules.get(rule_name)
        if rule is None:
            raise PluginError(f"{who}ruleset {rs.ref!r} uses rule {rule_name!r}, which no plugin "
                              f"registered (known: {', '.join(rules)})")
        for what, words, table, mapped in (
                ("nature", declared_natures(rule), by_nature, mapped_natures),
                ("target shape", declared_shapes(rule), by_shape, mapped_shapes)):
            for word in sorted(words):
                if word in mapped:
                    continue
                other = claimed.get((what, word))
                if other is not None and other != rule_name:
                    raise PluginError(
                        f"{who}ruleset {rs.ref!r} uses rules {other!r} and {rule_name!r}, which "
                        f"both declare the {what} {word!r}: map it to one of them in the "
                        "ruleset's [rules] table")
                claimed[(what, word)] = rule_name
                table[word] = rule_name
    return by_nature, by_shape


class Choice(NamedTuple):
    """The rule chosen for a line: its entry (None with a problem), the indicator as
    it is scored (with an assumed nature), and the step that says why."""

    entry: Optional[RuleEntry]
    indicator: Indicator
    step: Optional[Step]
    problem: Optional[Problem]


#: (function, rule name, rule, credit-only function or None) of a built-in rule
_Fast = tuple[Prepared, str, object, Optional[Callable[..., Any]]]


class Plan:
    """Everything about rules that depends only on the registry and the ruleset."""

    def __init__(self, reg: Registry, rs: RuleSet) -> None:
        self.registry, self.ruleset = reg, rs
        prepared = reg.prepared(rs)
        entries: dict[str, RuleEntry] = {}
        for name, rule in reg.rules.items():
            templates = reg.templates(name)
            owner = reg.owner("rule", name)
            entries[name] = RuleEntry(
                name=name, kind=kind_of(rule), natures=declared_natures(rule),
                shapes=declared_shapes(rule), templates=templates, params=_params_of(rule),
                owner=owner, score=prepared[name],
                trusted=type(rule).__module__.startswith(_BUILTIN),
                codes=frozenset(templates), rule=rule, ruleset=rs)
        #: every registered rule by name
        self.entries: Mapping[str, RuleEntry] = MappingProxyType(entries)
        #: what reports and explanations need of each rule
        self.facts: dict[str, RuleFacts] = {n: e.facts for n, e in entries.items()}
        by_nature, by_shape = admitted_routes(rs, reg.rules)
        self._nature_rule = by_nature
        self._shape_rule = by_shape
        rate = rs.rule_for(RATE_KEY) or _rate_rule(entries)
        self.rate_rule: Optional[str] = rate
        index = ruleset_index(rs)
        self._rate_names = index.execution_rate_names
        self._not_applicable = index.not_applicable
        #: the caches of :meth:`is_rate` and :meth:`is_not_applicable`, read directly
        #: by the scoring loop
        self.rate_seen: dict[str, bool] = {}
        self.na_seen: dict[str, bool] = {}
        self._kernels: dict[str, Optional[Kernel]] = {}
        #: the scoring loop's fast path: nature -> (function, rule name, rule, credit-only
        #: function) for the natures routed to a built-in rule, the same for execution-rate lines
        #: (None when a plugin's rule or no rule scores them); :meth:`choose` decides
        #: every other line
        self.fast: dict[Optional[str], _Fast] = {
            nature: _fast(entry) for nature, entry in (
                (nature, entries.get(name)) for nature, name in by_nature.items())
            if entry is not None and entry.trusted}
        rate_entry = entries.get(rate) if rate is not None else None
        self.rate_fast: Optional[_Fast] = (
            _fast(rate_entry) if rate_entry is not None and rate_entry.trusted else None)
        self._grades = sorted(rs.grades, key=lambda g: g.minimum, reverse=True)
        #: (name, version) of the registry's plugins, made once (a registry never changes)
        self.plugins: tuple[tuple[str, str], ...] = reg.plugin_versions

    def grade_of(self, total: Any) -> str:
        """The grade of a total, as :meth:`RuleSet.grade_of` gives it (sorted once)."""
        for grade in self._grades:
            if total >= grade.minimum:
                return grade.name
        return ""

    # -- words -------------------------------------------------------------------

    def is_rate(self, name: str) -> bool:
        """Whether a line of this name is an execution-rate line (cached by name)."""
        found = self.rate_seen.get(name)
        if found is None:
            if len(self.rate_seen) > _CACHE_LIMIT:
                self.rate_seen.clear()
            found = self.rate_seen[name] = fold_word(name) in self._rate_names
        return found

    def is_not_applicable(self, actual: str) -> bool:
        """Whether an actual such as 不适用 marks the line not applicable (cached)."""
        found = self.na_seen.get(actual)
        if found is None:
            if len(self.na_seen) > _CACHE_LIMIT:
                self.na_seen.clear()
            found = self.na_seen[actual] = fold_word(actual).lower() in self._not_applicable
        return found

    def accepted_natures(self) -> str:
        """The nature words this ruleset accepts, for error messages."""
        out = []
        for nature, words in NATURES.items():
            if nature in self._nature_rule:
                out.append(f"{nature}（{'/'.join(words[1:4])}…）" if len(words) > 1 else nature)
        builtin = {*NATURES, RATE_KEY}
        out.extend(w for w in dict.fromkeys(self._nature_rule)
                   if w not in builtin and fold_word(w) == w)
        return "、".join(out) or "none: the ruleset maps no nature to a rule"

    def nature_rule(self, nature: str) -> Optional[str]:
        """The rule a nature routes to in this ruleset, or None."""
        found = self._nature_rule.get(nature)
        return found if found is not None else self._nature_rule.get(fold_word(nature))

    def kernel(self, name: str) -> Optional[Kernel]:
        """The bulk kernel of a rule for this ruleset, or None (cached)."""
        if name not in self._kernels:
            entry = self.entries.get(name)
            self._kernels[name] = None if entry is None else entry.kernel()
        return self._kernels[name]

    # -- the choice ------------------------------------------------------------------

    def choose(self, ind: Indicator) -> Choice:
        """The rule that scores a line, or the problem that prevents choosing one."""
        rule = ind.rule
        if rule is not None:
            entry = self.entries.get(rule)
            if entry is None:
                return Choice(None, ind, None, _problem(
                    ind, "rule", "unknown-rule", f"unknown rule {rule!r}",
                    ", ".join(self.entries)))
            return Choice(entry, ind, None, None)
        name = ind.name
        rate = self.rate_seen.get(name)
        if rate is None:
            rate = self.is_rate(name)
        nature = ind.nature
        if rate or (nature is None and ind.budget is not None and ind.executed is not None):
            if self.rate_rule is None:
                return Choice(None, ind, None, _problem(
                    ind, "name", "no-rate-rule",
                    f"ruleset {self.ruleset.ref} has no rule for execution-rate lines",
                    f"a ruleset that maps {RATE_KEY} to a rule"))
            return self._entry(self.rate_rule, ind, None)
        if nature is not None:
            rule = self._nature_rule.get(nature)
            if rule is None:
                rule = self._nature_rule.get(fold_word(nature))
                if rule is None:
                    return Choice(None, ind, None, _problem(
                        ind, "nature", "unknown-nature",
                        f"{nature!r} is not a nature ruleset {self.ruleset.ref} knows",
                        self.accepted_natures()))
            return self._entry(rule, ind, None)
        if self._shape_rule and ind.target.__class__ is str:
            shape = target_shape(ind.target)
            rule = self._shape_rule.get(shape) if shape is not None else None
            if rule is not None:
                return self._entry(rule, ind, Step("routed_by_shape", (ind.target, rule)))
        nature, step = _unstated(ind, self.ruleset)
        if nature is None:
            return Choice(None, ind, None, _problem(
                ind, "nature", "missing-nature", "the nature (指标性质) is empty",
                self.accepted_natures()))
        rule = self.nature_rule(nature)
        if rule is None:
            return Choice(None, ind, None, _problem(
                ind, "nature", "unknown-nature",
                f"{nature!r} is not a nature ruleset {self.ruleset.ref} knows",
                self.accepted_natures()))
        return self._entry(rule, attrs.evolve(ind, nature=nature), step)

    def _entry(self, rule: str, ind: Indicator, step: Optional[Step]) -> Choice:
        entry = self.entries.get(rule)
        if entry is None:
            return Choice(None, ind, None, _problem(
                ind, "rule", "unknown-rule", f"no rule {rule!r} is registered",
                ", ".join(self.entries)))
        return Choice(entry, ind, step, None)


@functools.lru_cache(maxsize=64)
def plan_for(reg: Registry, rs: RuleSet) -> Plan:
    """The plan of a ruleset in a registry (built once, then cached)."""
    return Plan(reg, rs)


def _fast(entry: RuleEntry) -> tuple[Prepared, str, object, Optional[Callable[..., Any]]]:
    """A built-in rule's fast-path entry: its function, name, the rule itself, and its
    credit-only function (``prepare_credit``, see :mod:`perfrules.builtin.rules`) or None."""
    prepare_credit = getattr(entry._rule, "prepare_credit", None)
    credit = prepare_credit(entry._ruleset) if prepare_credit is not None else None
    return entry.score, entry.name, entry._rule, credit


def _rate_rule(entries: Mapping[str, RuleEntry]) -> Optional[str]:
    """The registered execution-rate rule, when a ruleset names none and there is one."""
    found = [name for name, entry in entries.items() if entry.kind == "execution-rate"]
    return found[0] if len(found) == 1 else None


def _params_of(rule: object) -> tuple[str, ...]:
    params = getattr(rule, "params", ())
    return tuple(str(p) for p in params) if isinstance(params, (tuple, list)) else ()


def _problem(ind: Indicator, field: str, code: str, message: str, expected: str) -> Problem:
    value = getattr(ind, field, None)
    return Problem(code=code, indicator=ind.name, field=field, location=ind.where(field),
                   value=None if value is None else str(value), message=message,
                   expected=expected)


def _unstated(ind: Indicator, rs: RuleSet) -> tuple[Optional[str], Optional[Step]]:
    """The nature of a line that states none, and the step that says so.

    Words without a number in the target or actual: 定性. A number: the
    ruleset's ``unstated_nature`` (its cost nature for a line under a cost
    group or named like a cost), said in the explanation.
    """
    from decimal import Decimal

    target, actual = ind.target, ind.actual
    numeric = isinstance(target, Decimal) or isinstance(actual, Decimal)
    if not numeric and (isinstance(target, str) or isinstance(actual, str)):
        return "定性", Step("inferred_qualitative", ())
    if not numeric or rs.unstated_nature is None:
        return None, None
    nature = rs.unstated_nature
    if rs.unstated_cost_nature is not None and (
            any(g in rs.cost_groups for g in ind.path)
            or ind.name.endswith(tuple(rs.cost_suffixes))):
        nature = rs.unstated_cost_nature
    return nature, Step("assumed_nature", (nature, "10号：按完成指标值计分"))
