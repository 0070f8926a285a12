"""Audit: recompute a filled-in form and find what is wrong with it.

Public through :func:`perfrules.audit`, :class:`perfrules.Finding` and friends.

:func:`audit` recomputes every line that can be recomputed — also on forms
that :func:`perfrules.score` refuses — compares the result with what the form
reports, and runs every check registered through the hook
``perfrules_register_checks`` (the built-in checks are a plugin). Each
:class:`Finding` has a stable code (see ``docs/audit.md``; codes are never
reused), a severity, the indicator and the cell, a message in Chinese and
English, the expected and found values, and the policy citation where one
exists.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Optional, Protocol, Union, runtime_checkable

import attrs

from ._engine import LineResult, line_of, recompute
from ._model import Form, Indicator
from ._numbers import CONTEXT
from ._plan import plan_for
from ._registry import Registry, get_registry
from ._ruleset import RuleSet
from .exceptions import PluginError, Problem

__all__ = [
    "SEVERITIES",
    "AuditContext",
    "AuditReport",
    "Check",
    "Finding",
    "audit",
]

#: Severities, most severe first.
SEVERITIES = ("error", "warning", "info")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@attrs.frozen(kw_only=True)
class Finding:
    """One thing an auditor should look at."""

    code: str
    severity: str = attrs.field(validator=attrs.validators.in_(SEVERITIES))
    check: str
    message_zh: str
    message_en: str
    indicator: Optional[str] = None
    field: Optional[str] = None
    location: Optional[str] = None
    expected: Optional[str] = None
    found: Optional[str] = None
    citation: Optional[str] = None

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang``: ``"zh"`` or ``"en"``; any other is a ValueError."""
        if lang == "zh":
            return self.message_zh
        if lang == "en":
            return self.message_en
        raise ValueError(f"unknown language {lang!r} (valid: zh, en)")

    def at_least(self, severity: str) -> bool:
        """Whether this finding is as severe as ``severity`` or more."""
        return _RANK[self.severity] <= _RANK[severity]

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data (every field)."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class AuditContext:
    """What a check sees: the form, the ruleset, and the recomputation."""

    form: Form
    ruleset: RuleSet
    #: recomputed lines by position in ``form.indicators`` (lines that could be scored)
    lines: Mapping[int, LineResult]
    #: why some lines or the total could not be recomputed
    problems: tuple[Problem, ...]
    #: the recomputed total, when every line could be recomputed
    total: Optional[Decimal]
    #: the plugin that registered each rule, by rule name
    owners: Mapping[str, Optional[str]] = attrs.field(factory=dict)

    def line(self, index: int) -> Optional[LineResult]:
        """The recomputed line of ``form.indicators[index]``, when it could be scored."""
        return self.lines.get(index)

    def kind(self, index: int) -> Optional[str]:
        """The kind of the rule that scored ``form.indicators[index]``
        (:data:`perfrules.plugin.KINDS`), or None. Checks ask this, never a rule's
        name, so that a plugin replacing a built-in rule keeps every check."""
        line = self.lines.get(index)
        return None if line is None else line.kind

    def rule(self, index: int) -> Optional[str]:
        """The name of the rule that scored ``form.indicators[index]``, or None."""
        line = self.lines.get(index)
        return None if line is None else line.rule

    def plugin(self, index: int) -> Optional[str]:
        """The plugin that registered the rule that scored ``form.indicators[index]``
        (``perfrules.builtin.rules`` for a built-in rule), or None."""
        rule = self.rule(index)
        return None if rule is None else self.owners.get(rule)

    def finding(self, code: str, severity: str, check: str, zh: str, en: str, *,
                indicator: Optional[Indicator] = None, field: Optional[str] = None,
                location: Optional[str] = None, expected: object = None, found: object = None,
                citation: Optional[str] = None) -> Finding:
        """A finding; the location defaults to the indicator's cell for ``field``."""
        if location is None and indicator is not None:
            location = indicator.where(field)
        if location is None:
            location = self.form.where(field)
        return Finding(code=code, severity=severity, check=check, message_zh=zh, message_en=en,
                       indicator=None if indicator is None else indicator.name, field=field,
                       location=location, expected=None if expected is None else str(expected),
                       found=None if found is None else str(found), citation=citation)


@runtime_checkable
class Check(Protocol):
    """An audit check, registered through ``perfrules_register_checks``."""

    @property
    def name(self) -> str: ...

    def check(self, context: AuditContext) -> Iterable[Finding]: ...


@attrs.frozen(kw_only=True)
class AuditReport:
    """All findings about one form, with the recomputed and reported totals."""

    form: Form
    ruleset: RuleSet
    findings: tuple[Finding, ...]
    total: Optional[Decimal]
    grade: Optional[str]
    lines: tuple[LineResult, ...] = ()

    @property
    def reported_total(self) -> Optional[Decimal]:
        return self.form.reported_total

    def counts(self) -> dict[str, int]:
        """The number of findings per severity (every severity present, 0 included)."""
        out = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            out[finding.severity] += 1
        return out

    def worst(self) -> Optional[str]:
        """The most severe severity found, or None."""
        for severity in SEVERITIES:
            if any(f.severity == severity for f in self.findings):
                return severity
        return None

    def fails(self, fail_on: str) -> bool:
        """Whether a finding is at least as severe as ``fail_on``."""
        return any(f.at_least(fail_on) for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The JSON audit record of this form (``perfrules audit --format json``)."""
        return {
            "source": self.form.source,
            "title": self.form.title,
            **({"name": self.form.name} if self.form.name else {}),
            "ruleset": self.ruleset.id,
            "reported_total": None if self.reported_total is None else str(self.reported_total),
            "total": None if self.total is None else str(self.total),
            "grade": self.grade,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }


def audit(
    form: Form,
    ruleset: Union[str, RuleSet, None] = None,
    *,
    registry: Optional[Registry] = None,
) -> AuditReport:
    """Recompute a form and run every registered check on it.

    Never raises for bad cells, weights or tier words: they become findings,
    and every line that can still be recomputed is.
    """
    reg = registry if registry is not None else get_registry()
    rs = reg.ruleset(ruleset if ruleset is not None else form.ruleset)
    with decimal.localcontext(CONTEXT):  # checks too: the caller's context moves no number
        rows, problems, total = recompute(form, rs, reg)
        facts = plan_for(reg, rs).facts
        lines = tuple(line_of(row, rs, facts) for row in rows)
        by_index = {row[0]: line for row, line in zip(rows, lines)}
        context = AuditContext(form=form, ruleset=rs, lines=by_index, problems=tuple(problems),
                               total=total, owners={n: f.owner for n, f in facts.items()})
        findings: list[Finding] = []
        for name, check in reg.checks.items():
            try:
                found = list(check.check(context))
            except Exception as exc:
                raise PluginError(f"audit check {name!r} (plugin {reg.owner('check', name)!r}) "
                                  f"failed on {form.source or 'a form'}: "
                                  f"{type(exc).__name__}: {exc}") from exc
            for item in found:
                if not isinstance(item, Finding):
                    raise PluginError(f"audit check {name!r} (plugin {reg.owner('check', name)!r})"
                                      f" returned {item!r}, not a Finding")
            findings.extend(found)
    order = {ind.name: i for i, ind in reversed(list(enumerate(form.indicators)))}
    findings.sort(key=lambda f: (order.get(f.indicator or "", -1), _RANK[f.severity], f.code))
    return AuditReport(form=form, ruleset=rs, findings=tuple(findings), total=total,
                       grade=None if total is None else rs.grade_of(total), lines=lines)
