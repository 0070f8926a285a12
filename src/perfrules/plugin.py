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
import warnings
from decimal import Decimal
from typing import Any, Callable, Optional

from ._audit import SEVERITIES, AuditContext, Check
from ._audit import Finding as Finding
from ._compat import tomllib
from ._engine import form_total, line_points
from ._explain import CORE_TEMPLATES, Step
from ._messages import PROBLEM_ZH
from ._messages import problem_message as _problem_message
from ._model import Form as Form
from ._model import Indicator as Indicator
from ._numbers import CONTEXT, fold_word
from ._plan import SHAPES
from ._registry import Reader, Writer
from ._rule import KINDS, Outcome, Prepared, PreparedRule, Rule, StepTemplates, kind_of
from ._ruleset import RATE_KEY
from ._ruleset import Grade as Grade
from ._ruleset import RuleSet as RuleSet
from ._ruleset import Tier as Tier
from .exceptions import FormError as FormError
from .exceptions import InputError as InputError
from .exceptions import PerfrulesDeprecationWarning
from .exceptions import PluginError as PluginError
from .exceptions import Problem as Problem
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
    "RATE_KEY",
    "SEVERITIES",
    "SHAPES",
    "AuditContext",
    "Check",
    "Outcome",
    "Prepared",
    "PreparedRule",
    "Reader",
    "RegisterCheck",
    "RegisterFormat",
    "RegisterRule",
    "RegisterRuleset",
    "Rule",
    "Step",
    "StepTemplates",
    "Writer",
    "fixed_context",
    "fold_word",
    "form_total",
    "hookimpl",
    "kind_of",
    "line_points",
    "problem",
    "problem_message",
    "problem_zh",
]

#: The types a plugin shares with users are importable here too (``from
#: perfrules.plugin import Indicator, RuleSet, InputError``); each is exported
#: once, where it belongs: :mod:`perfrules` or :mod:`perfrules.exceptions`.
_SHARED = (Finding, Form, FormError, Grade, Indicator, InputError, PluginError, Problem, RuleSet,
           Tier)


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


#: Names that leave this module: importable for one more release, with a
#: :class:`~perfrules.exceptions.PerfrulesDeprecationWarning` naming the replacement.
_DEPRECATED = {
    "ONE": "Decimal(1)",
    "ZERO": "Decimal(0)",
    "plain": "format(value.normalize(), 'f') (or str(value))",
    "read_toml": "tomllib.loads(text) (tomli before Python 3.11), or register a RuleSet",
}


def __getattr__(name: str) -> Any:
    replacement = _DEPRECATED.get(name)
    if replacement is None:
        raise AttributeError(f"module 'perfrules.plugin' has no attribute {name!r}")
    from . import REMOVED_IN

    warnings.warn(f"perfrules.plugin.{name} is deprecated: use {replacement}. It will be "
                  f"removed in perfrules {REMOVED_IN}.", PerfrulesDeprecationWarning,
                  stacklevel=2)
    return _OLD[name]()


def _read_toml(text: str) -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(text)
    return data


def _old_plain() -> Any:
    from ._numbers import plain

    return plain


_OLD: dict[str, Callable[[], Any]] = {
    "ONE": lambda: Decimal(1), "ZERO": lambda: Decimal(0), "plain": _old_plain,
    "read_toml": lambda: _read_toml}
