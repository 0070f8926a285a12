"""Everything a plugin author imports (public).

A plugin — a module or object with functions marked :data:`hookimpl` whose
names are the hooks of :mod:`perfrules.hookspecs` — adds rules, rulesets,
audit checks, readers and writers. The built-in plugins use nothing but
this module, so a third-party rule can do everything a built-in one does::

    import attrs
    from decimal import Decimal
    from typing import ClassVar
    from perfrules.plugin import Outcome, PreparedRule, hookimpl

    @attrs.frozen
    class Range(PreparedRule):
        name: str = "hubei-range"
        kind: ClassVar[str] = "range"
        natures: frozenset[str] = frozenset({"区间"})
        target_shapes: frozenset[str] = frozenset({"range"})
        templates: ClassVar = {"in_range": {"zh": "{0} 在区间内", "en": "{0} is in range"}}

        def prepare(self, ruleset):
            def score(indicator):
                return Outcome(Decimal(1), Decimal(1), True, False,
                               (("in_range", (indicator.actual,)),))
            return score

    @hookimpl
    def perfrules_register_rules(register):
        register(Range())

A ruleset that admits the rule by name (``"use": ["hubei-range"]``) routes
lines written ``区间`` — and lines without a nature whose target is a range,
``85%-95%`` — to it; other rulesets are unchanged.

See the plugin guide in the documentation for the whole walk from an empty
folder to a published package.
"""

from __future__ import annotations

import decimal
from typing import Any, Optional

from ._audit import SEVERITIES, AuditContext, Check, Finding
from ._compat import tomllib
from ._engine import form_total, line_points
from ._explain import CORE_TEMPLATES, Step
from ._messages import PROBLEM_ZH
from ._messages import problem_message as _problem_message
from ._model import Form, Indicator
from ._numbers import CONTEXT, fold_word, plain
from ._plan import SHAPES
from ._registry import Reader, Writer
from ._rule import KINDS, ONE, ZERO, Outcome, Prepared, PreparedRule, Rule, StepTemplates, kind_of
from ._ruleset import RATE_KEY, Grade, RuleSet, Tier
from .exceptions import FormError, InputError, PluginError, Problem
from .hookspecs import (
    RegisterCheck,
    RegisterFormat,
    RegisterRule,
    RegisterRuleset,
    hookimpl,
)

__all__ = [
    "CORE_TEMPLATES",
    "KINDS",
    "ONE",
    "RATE_KEY",
    "SEVERITIES",
    "SHAPES",
    "ZERO",
    "AuditContext",
    "Check",
    "Finding",
    "Form",
    "FormError",
    "Grade",
    "Indicator",
    "InputError",
    "Outcome",
    "PluginError",
    "Prepared",
    "PreparedRule",
    "Problem",
    "Reader",
    "RegisterCheck",
    "RegisterFormat",
    "RegisterRule",
    "RegisterRuleset",
    "Rule",
    "RuleSet",
    "Step",
    "StepTemplates",
    "Tier",
    "Writer",
    "fixed_context",
    "fold_word",
    "form_total",
    "hookimpl",
    "kind_of",
    "line_points",
    "plain",
    "problem",
    "problem_message",
    "problem_zh",
    "read_toml",
]


def fixed_context() -> decimal.Context:
    """A fresh copy of the decimal context all scoring runs in (28 digits,
    traps on invalid operations, division by zero and overflow).

    The engine already runs every rule inside it; use a copy for arithmetic a
    rule does outside the engine (in ``prepare``, or when called directly).
    """
    return CONTEXT.copy()


def problem(
    indicator: Indicator,
    field: str,
    code: str,
    message: str,
    expected: str,
    *,
    value: Optional[object] = None,
) -> Problem:
    """A :class:`Problem` located at ``indicator``'s cell for ``field``.

    ``value`` defaults to the indicator's value of that field. Raise it as
    ``InputError(problem(...))`` from a rule for input it cannot score.
    """
    shown: Any = getattr(indicator, field, None) if value is None else value
    return Problem(code=code, indicator=indicator.name, field=field,
                   location=indicator.where(field),
                   value=None if shown is None else str(shown), message=message,
                   expected=expected)


def problem_message(problem: Problem, lang: str = "zh") -> str:
    """A problem's message in ``lang`` (``"zh"`` or ``"en"``): in English the
    problem's own ``message``; in Chinese perfrules' catalogue sentence for it,
    or the English as written when the catalogue has none (a plugin's own code).

    .. versionadded:: 0.2
    """
    return _problem_message(problem, lang)


def problem_zh(code: str) -> str:
    """A problem code (:attr:`Problem.code`) as a Chinese sentence head, such as
    ``不是数值`` for ``"not-a-number"``: the words perfrules itself puts before a
    problem's English detail in Chinese output. The code itself when perfrules
    has no Chinese for it (a plugin's own code).

    .. versionadded:: 0.2
    """
    return PROBLEM_ZH.get(code, code)


def read_toml(text: str) -> dict[str, Any]:
    """Parse TOML text (such as a ruleset file a plugin ships) with the TOML
    reader perfrules itself uses (``tomllib``, or ``tomli`` before Python 3.11)."""
    data: dict[str, Any] = tomllib.loads(text)
    return data
