"""The public surface is a contract: this snapshot changes only on purpose
(with a CHANGELOG entry, and a deprecation before any removal)."""

from __future__ import annotations

import inspect

import perfrules
from perfrules import exceptions, hookspecs

PUBLIC = [
    "DEFAULT_RULESET", "SEVERITIES", "AuditContext", "AuditReport", "BatchResult", "Check",
    "Finding", "Form", "FormError", "Grade", "Group", "Indicator", "InputError", "LineResult",
    "Outcome", "PerfrulesError", "PluginInfo", "Problem", "Provenance", "Reader", "Registry",
    "Report", "Rule", "RuleSet", "SkippedRow", "Step", "TableScores", "Tier", "Writer",
    "__version__", "audit", "example", "example_path", "get_registry", "load", "load_all",
    "normalize_weights", "ruleset_for", "score", "score_many", "score_table",
]
HOOKS = {
    "perfrules_register_checks": ["register"],
    "perfrules_register_formats": ["register"],
    "perfrules_register_rules": ["register"],
    "perfrules_register_rulesets": ["register"],
}


def test_all_is_snapshotted() -> None:
    # sorted isort-style (constants, classes, functions), which ruff's RUF022 enforces
    assert perfrules.__all__ == PUBLIC
    for name in perfrules.__all__:
        assert hasattr(perfrules, name)


def test_hooks_are_snapshotted_and_documented() -> None:
    found = {name: list(inspect.signature(getattr(hookspecs, name)).parameters)
             for name in dir(hookspecs) if name.startswith("perfrules_")}
    assert found == HOOKS
    for name in HOOKS:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert "versionadded" in doc


def test_errors_inherit_builtins() -> None:
    assert issubclass(exceptions.InputError, ValueError)
    assert issubclass(exceptions.FormError, exceptions.InputError)
    assert issubclass(exceptions.UnknownRulesetError, LookupError)
    assert issubclass(exceptions.MissingDependencyError, ImportError)
    assert all(issubclass(getattr(exceptions, n), exceptions.PerfrulesError)
               for n in exceptions.__all__ if n.endswith("Error"))


def test_score_and_audit_signatures() -> None:
    for fn in (perfrules.score, perfrules.audit):
        params = inspect.signature(fn).parameters
        assert list(params) == ["form", "ruleset", "registry"]
        assert params["registry"].kind is inspect.Parameter.KEYWORD_ONLY
