"""The registry: plugins, duplicates, extends, autoload control, laziness."""

from __future__ import annotations

import datetime
import itertools
import subprocess
import sys
from decimal import Decimal
from typing import Any, Callable

import attrs
import pytest

import perfrules
from perfrules import hookspecs
from perfrules.exceptions import PluginError
from perfrules.hookspecs import hookimpl
from perfrules.plugin import Outcome


@attrs.frozen
class HalfRule:
    """Half credit, always (a test rule)."""

    name: str = "half"
    natures: frozenset[str] = frozenset({"≈"})

    def score(self, indicator: perfrules.Indicator, ruleset: perfrules.RuleSet) -> Outcome:
        return Outcome(numerator=Decimal(1), denominator=Decimal(2), met=False)


class RulePlugin:
    __version__ = "9.9"

    @hookimpl
    def perfrules_register_rules(self, register: Callable[[Any], None]) -> None:
        register(HalfRule())

    @hookimpl
    def perfrules_register_rulesets(self, register: Callable[[Any], None]) -> None:
        register({"id": "test-half", "extends": "cn-mof-2020@1", "rules": {"≈": "half"},
                  "citation": "测试"})


def test_third_party_rule_and_ruleset_extending_builtin() -> None:
    reg = perfrules.Registry([RulePlugin()], entry_points=False)
    assert "half" in reg.rules
    rs = reg.ruleset("test-half")
    assert rs.rule_for("≈") == "half"
    assert rs.rule_for("≥") == "at-least"  # inherited
    assert rs.grades == reg.ruleset("cn-mof-2020").grades
    form = perfrules.Form(indicators=[perfrules.Indicator(
        name="x", nature="≈", target=Decimal(1), actual=Decimal(1), weight=Decimal(100))])
    report = perfrules.score(form, "test-half", registry=reg)
    assert report.total == Decimal("50.00")
    assert ("test_registry.RulePlugin" not in dict(report.provenance.plugins))
    assert "9.9" in dict(report.provenance.plugins).values()


def test_duplicate_rule_names_both_plugins() -> None:
    class Dup:
        @hookimpl
        def perfrules_register_rules(self, register: Callable[[Any], None]) -> None:
            register(attrs.evolve(HalfRule(), name="at-least"))

    with pytest.raises(PluginError, match=r"duplicate rule 'at-least'.*perfrules\.builtin\.rules"):
        perfrules.Registry([Dup()], entry_points=False)


def test_duplicate_ruleset() -> None:
    class Dup:
        @hookimpl
        def perfrules_register_rulesets(self, register: Callable[[Any], None]) -> None:
            register({"id": "cn-mof-2020"})

    with pytest.raises(PluginError, match=r"duplicate ruleset 'cn-mof-2020@1'.*perfrules.builtin.rulesets"):
        perfrules.Registry([Dup()], entry_points=False)


def test_misspelled_hook_fails_loudly() -> None:
    class Typo:
        @hookimpl
        def perfrules_register_rule(self, register: Callable[[Any], None]) -> None:
            pass  # pragma: no cover

    with pytest.raises(PluginError, match="perfrules_register_rule"):
        perfrules.Registry([Typo()], entry_points=False)


def test_plugin_that_raises_is_named() -> None:
    class Boom:
        @hookimpl
        def perfrules_register_rules(self, register: Callable[[Any], None]) -> None:
            raise RuntimeError("kaput")

    with pytest.raises(PluginError, match=r"plugin '.*' raised in perfrules_register_rules.*kaput"):
        perfrules.Registry([Boom()], entry_points=False)


def test_not_a_rule_is_refused() -> None:
    class Bad:
        @hookimpl
        def perfrules_register_rules(self, register: Callable[[Any], None]) -> None:
            register(object())

    with pytest.raises(PluginError, match="not a rule"):
        perfrules.Registry([Bad()], entry_points=False)


def test_ruleset_naming_unknown_rule_or_parent() -> None:
    class Bad:
        @hookimpl
        def perfrules_register_rulesets(self, register: Callable[[Any], None]) -> None:
            register({"id": "x", "extends": "cn-mof-2020@1", "rules": {"≥": "no-such-rule"}})

    with pytest.raises(PluginError, match="no-such-rule"):
        perfrules.Registry([Bad()], entry_points=False)

    class Orphan:
        @hookimpl
        def perfrules_register_rulesets(self, register: Callable[[Any], None]) -> None:
            register({"id": "y", "extends": "nowhere@1"})

    with pytest.raises(PluginError, match="extends 'nowhere@1'"):
        perfrules.Registry([Orphan()], entry_points=False)


class ChildRulesetPlugin:
    """A ruleset extending one that another plugin registers."""

    @hookimpl
    def perfrules_register_rulesets(self, register: Callable[[Any], None]) -> None:
        register({"id": "test-half-linear", "extends": "test-half@1", "citation": "测试",
                  "params": {"reverse": "linear"}})


@attrs.frozen
class NamedCheck:
    name: str

    def check(self, context: perfrules.plugin.AuditContext) -> list[perfrules.Finding]:
        return [context.finding(f"T-{self.name}", "info", self.name, "测试", "test")]


class LastCheckPlugin:
    @hookimpl
    def perfrules_register_checks(self, register: Callable[[Any], None]) -> None:
        register(NamedCheck("zz-last"))


class FirstCheckPlugin:
    @hookimpl
    def perfrules_register_checks(self, register: Callable[[Any], None]) -> None:
        register(NamedCheck("aa-first"))


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))), ids=str)
def test_registration_order_does_not_matter(order: tuple[int, ...]) -> None:
    """Every order of the same plugins gives the same registry and the same scores
    (pluggy calls hooks in reverse order of registration, so the orders differ)."""
    plugins = [RulePlugin(), ChildRulesetPlugin(), LastCheckPlugin(), FirstCheckPlugin()]
    a = perfrules.Registry(plugins, entry_points=False)
    b = perfrules.Registry([plugins[i] for i in order], entry_points=False)
    assert list(a.rules) == list(b.rules)
    assert list(a.checks) == list(b.checks)
    assert list(a.readers) == list(b.readers) and list(a.writers) == list(b.writers)
    assert {k: v.content_hash() for k, v in a.rulesets.items()} == {
        k: v.content_hash() for k, v in b.rulesets.items()}
    form = perfrules.Form.from_dict({"indicators": [
        {"name": "近似", "nature": "≈", "target": "1", "weight": "50", "actual": "1"},
        {"name": "成本", "nature": "≤", "target": "30", "weight": "50", "actual": "32"}]})
    for reg in (a, b):
        assert reg.ruleset("test-half-linear").param("reverse") == "linear"
    score_a = perfrules.score(form, "test-half-linear", registry=a).to_dict()
    score_b = perfrules.score(form, "test-half-linear", registry=b).to_dict()
    assert score_a == score_b and score_a["total"] == "71.67"
    audit_a = perfrules.audit(form, "test-half-linear", registry=a).to_dict()
    audit_b = perfrules.audit(form, "test-half-linear", registry=b).to_dict()
    assert audit_a == audit_b


def test_builtin_rulesets() -> None:
    reg = perfrules.Registry(entry_points=False)
    assert set(reg.rulesets) >= {"cn-mof-2020@1", "cn-mof-2020-linear@1",
                                 "cn-mof-2020-bands-80-50@1"}
    base = reg.ruleset("cn-mof-2020")
    assert base.citation == "财预〔2020〕10号"
    assert base.valid_from == datetime.date(2020, 2, 25) and base.region == "CN"
    linear = reg.ruleset("cn-mof-2020-linear")
    assert linear.extends == "cn-mof-2020@1"
    assert linear.param("reverse") == "linear"
    assert linear.tiers == base.tiers
    bands = reg.ruleset("cn-mof-2020-bands-80-50")
    assert [t.lower for t in bands.tiers] == [Decimal("0.8"), Decimal("0.5"), Decimal(0)]
    assert [t.words for t in bands.tiers] == [t.words for t in base.tiers]
    assert base.content_hash() != linear.content_hash()


def test_unknown_ruleset(registry: perfrules.Registry) -> None:
    with pytest.raises(perfrules.PerfrulesError, match=r"unknown ruleset 'nope'.*cn-mof-2020"):
        perfrules.score(perfrules.example(), "nope", registry=registry)


def test_plugin_manager_hookspecs() -> None:
    reg = perfrules.Registry(entry_points=False)
    names = {n for n in dir(reg.plugin_manager.hook) if n.startswith("perfrules_")}
    assert names == {n for n in hookspecs.__all__ if n.startswith("perfrules_")}


def test_import_builds_no_registry() -> None:
    code = ("import perfrules, perfrules._registry as r, sys; "
            "assert r._default is None; "
            "assert 'perfrules.builtin.rules' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_autoload_can_be_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr("perfrules._registry._entry_points", lambda: calls.append("x") or [])
    monkeypatch.setenv("PERFRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    perfrules.Registry()
    assert calls == []
    monkeypatch.delenv("PERFRULES_DISABLE_PLUGIN_AUTOLOAD")
    perfrules.Registry()
    assert calls == ["x"]


class _EP:
    def __init__(self, name: str, obj: Any = None, fail: bool = False) -> None:
        self.name, self.value, self._obj, self._fail = name, f"{name}:plugin", obj, fail
        self.dist = type("D", (), {"version": "1.2.3"})()

    def load(self) -> Any:
        if self._fail:
            raise ImportError("missing module")
        return self._obj


def test_entry_points_allow_list_and_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("perfrules._registry._entry_points",
                        lambda: [_EP("good", RulePlugin()), _EP("broken", fail=True)])
    reg = perfrules.Registry(allow=["good"])
    assert ("good", "1.2.3") in [(p.name, p.version) for p in reg.plugins]
    with pytest.raises(PluginError, match=r"'broken'.*failed to load"):
        perfrules.Registry()


def test_default_registry_is_cached() -> None:
    assert perfrules.get_registry() is perfrules.get_registry()


def test_reports_and_forms_pickle(registry: perfrules.Registry) -> None:
    import pickle

    report = perfrules.score(perfrules.example(), registry=registry)
    assert pickle.loads(pickle.dumps(report)) == report
    with pytest.raises(perfrules.FormError) as info:
        perfrules.Form.from_dict({"indicators": []}, source="x.json")
    again = pickle.loads(pickle.dumps(info.value))
    assert again.problems == info.value.problems and again.source == "x.json"


def test_invalid_ruleset_data_is_named() -> None:
    class Bad:
        @hookimpl
        def perfrules_register_rulesets(self, register: Callable[[Any], None]) -> None:
            register({"id": "odd", "extends": "cn-mof-2020@1", "rounding": {"mode": "ROUND_NOPE"}})

    with pytest.raises(PluginError, match=r"ruleset 'odd@1' is invalid: 'rounding' must "
                                          r"be in \('ROUND_05UP'"):
        perfrules.Registry([Bad()], entry_points=False)


@pytest.mark.parametrize("result", [
    (0.5, 1.0, False, False, ()),                    # floats
    (Decimal(3), Decimal(2), False, False, ()),      # credit above 1
    (Decimal(-1), Decimal(2), False, False, ()),     # credit below 0
])
def test_a_fast_path_handing_back_nonsense_is_named(result: tuple[Any, ...]) -> None:
    @attrs.frozen
    class Sloppy:
        name: str = "sloppy"
        natures: frozenset[str] = frozenset({"≈"})

        def prepare(self, ruleset: perfrules.RuleSet) -> Callable[[Any], Any]:
            return lambda indicator: result

        def score(self, indicator: Any, ruleset: Any) -> Outcome:  # pragma: no cover
            raise AssertionError

    class Plugin:
        @hookimpl
        def perfrules_register_rules(self, register: Callable[[Any], None]) -> None:
            register(Sloppy())

        @hookimpl
        def perfrules_register_rulesets(self, register: Callable[[Any], None]) -> None:
            register({"id": "sloppy", "extends": "cn-mof-2020@1", "rules": {"≈": "sloppy"}})

    reg = perfrules.Registry([Plugin()], entry_points=False)
    form = perfrules.Form(indicators=[perfrules.Indicator(
        name="x", nature="≈", target=Decimal(1), actual=Decimal(1), weight=Decimal(100))])
    with pytest.raises(PluginError, match=r"rule 'sloppy'.*indicator 'x'"):
        perfrules.score(form, "sloppy", registry=reg)


def test_ruleset_parameters_are_checked_when_registered() -> None:
    class Bad:
        @hookimpl
        def perfrules_register_rulesets(self, register: Callable[[Any], None]) -> None:
            register({"id": "quad", "extends": "cn-mof-2020@1", "params": {"reverse": "quadratic"}})

    with pytest.raises(PluginError, match=r"ruleset 'quad@1' does not suit rule 'at-most'.*quadratic"):
        perfrules.Registry([Bad()], entry_points=False)


def test_a_ruleset_object_naming_a_parent_must_hold_what_it_inherits() -> None:
    """``RuleSet.from_dict`` does not resolve ``extends``: such an object registered as it is
    would score with none of its parent's natures, tiers or grades. It is refused at
    registration, saying to register the data; a resolved ruleset re-registered is accepted."""
    base = perfrules.Registry(entry_points=False)

    class Partial:
        @hookimpl
        def perfrules_register_rulesets(self, register: Any) -> None:
            register(perfrules.RuleSet.from_dict({
                "id": "gz-2024", "extends": "cn-mof-2020@1", "version": "1", "title": "t",
                "rules": {"超标扣分": "at-least"}}))

    with pytest.raises(PluginError, match=r"gz-2024@1.*extends 'cn-mof-2020@1'.*rules.*"
                                          r"register its data"):
        perfrules.Registry([Partial()], entry_points=False)

    class Copy:
        @hookimpl
        def perfrules_register_rulesets(self, register: Any) -> None:
            data = base.ruleset("cn-mof-2020-linear").to_dict()
            register(perfrules.RuleSet.from_dict({**data, "id": "linear-copy"}))

    copy = perfrules.Registry([Copy()], entry_points=False).ruleset("linear-copy")
    assert copy.param("reverse") == "linear"
    assert [g.name for g in copy.grades] == [g.name for g in base.ruleset("cn-mof-2020").grades]
