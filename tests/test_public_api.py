"""The public surface is a contract: this snapshot changes only on purpose
(with a CHANGELOG entry, and a deprecation before any removal)."""

from __future__ import annotations

import inspect
from decimal import Decimal

import pytest

import perfrules
from perfrules import exceptions, hookspecs

PUBLIC = [
    "DEFAULT_RULESET", "AuditReport", "BatchResult", "Finding", "Form", "FormError", "Grade",
    "Group", "Indicator", "InputError", "LineResult", "PerfrulesDeprecationWarning",
    "PerfrulesError", "PluginError", "PluginInfo", "Problem", "Provenance", "Registry", "Report",
    "RuleSet", "SkippedRow", "TableScores", "Tier", "__version__", "audit", "example",
    "example_path", "get_registry", "load", "load_all",
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


# -- the kept surface (issue 17, item 4) ------------------------------------------------

MOVED = ["SEVERITIES", "AuditContext", "Check", "Outcome", "Reader", "Rule", "Step", "Writer"]
PLUGIN_DEPRECATED = ["ONE", "ZERO", "plain", "read_toml"]


def test_each_name_is_exported_once() -> None:
    from perfrules import plugin

    assert not set(perfrules.__all__) & set(plugin.__all__)
    assert not set(plugin.__all__) & set(exceptions.__all__)
    for name in ("PluginError", "PerfrulesDeprecationWarning"):
        assert name in perfrules.__all__


@pytest.mark.parametrize("name", MOVED)
def test_a_moved_name_still_imports_with_a_deprecation_warning(name: str) -> None:
    from perfrules import plugin

    with pytest.warns(exceptions.PerfrulesDeprecationWarning,
                      match=rf"perfrules\.{name} is deprecated: import it from perfrules\.plugin"
                            r".*removed in perfrules 0\.2"):
        found = getattr(perfrules, name)
    assert found is getattr(plugin, name)
    assert issubclass(exceptions.PerfrulesDeprecationWarning, DeprecationWarning)


def test_from_import_of_a_moved_name_warns_too() -> None:
    with pytest.warns(exceptions.PerfrulesDeprecationWarning):
        from perfrules import Outcome  # noqa: F401


@pytest.mark.parametrize("name", PLUGIN_DEPRECATED)
def test_plugin_constants_and_helpers_warn(name: str) -> None:
    from perfrules import plugin

    with pytest.warns(exceptions.PerfrulesDeprecationWarning, match=rf"plugin\.{name} is deprecated"):
        found = getattr(plugin, name)
    assert name not in plugin.__all__
    if name == "ONE":
        assert found == Decimal(1)
    if name == "read_toml":
        assert found('a = "b"') == {"a": "b"}


def test_unknown_names_are_still_attribute_errors() -> None:
    from perfrules import plugin

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        perfrules.nope  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        plugin.nope  # noqa: B018


def test_the_shared_types_import_from_the_plugin_module_without_warning() -> None:
    from perfrules.plugin import Indicator, InputError, Problem, RuleSet  # noqa: F401


def test_core_templates_are_read_only() -> None:
    from perfrules.plugin import CORE_TEMPLATES

    with pytest.raises(TypeError):
        CORE_TEMPLATES["x"] = {"zh": "x", "en": "x"}  # type: ignore[index]


def test_report_takes_no_private_types() -> None:
    params = inspect.signature(perfrules.Report).parameters
    assert "rows" not in params and "rule_info" not in params
    report = perfrules.score(perfrules.example())
    assert len(report.lines) == len(report.form.indicators)


def test_every_error_is_a_perfrules_error() -> None:
    from perfrules._numbers import NumberError

    assert issubclass(NumberError, exceptions.PerfrulesError)
    assert issubclass(NumberError, ValueError)


def test_a_finding_refuses_a_language_it_has_no_message_in() -> None:
    finding = perfrules.Finding(code="PR001", severity="info", check="x", message_zh="中",
                                message_en="en")
    assert (finding.message("zh"), finding.message("en")) == ("中", "en")
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        finding.message("fr")


def test_protocols_are_typed() -> None:
    from perfrules import plugin

    hints = {name: getattr(plugin, name) for name in ("Reader", "Writer", "Check")}
    assert "Form" in str(inspect.signature(hints["Reader"].read).return_annotation)
    assert "Report" in str(inspect.signature(hints["Writer"].write).parameters["report"].annotation)
