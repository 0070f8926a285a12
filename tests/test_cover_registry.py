"""What a plugin author is told when a plugin registers something perfrules cannot use,
and the registry's lookups of readers, writers and rulesets by name."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import attrs
import pytest

import perfrules
from perfrules.exceptions import InputError, PluginError
from perfrules.hookspecs import hookimpl
from perfrules.plugin import Outcome

Register = Callable[[Any], None]


@attrs.frozen
class Rule:
    name: str = "flat"
    natures: frozenset[str] = frozenset({"≈"})
    kind: str = "other"
    prepare: Any = None

    def score(self, indicator: perfrules.Indicator, ruleset: perfrules.RuleSet) -> Outcome:
        return Outcome(numerator=Decimal(1), denominator=Decimal(1), met=True)


def plugin(hook: str, *items: Any, name: str = "Plug") -> object:
    """A plugin class named ``name`` whose ``hook`` registers ``items``."""

    def register(self: object, register: Register) -> None:
        for item in items:
            register(item)

    register.__name__ = hook
    return type(name, (), {hook: hookimpl(register)})()


def registry(*plugins: object) -> perfrules.Registry:
    return perfrules.Registry(list(plugins), entry_points=False)


def ruleset_data(**changes: Any) -> dict[str, Any]:
    data = perfrules.Registry(entry_points=False).ruleset("cn-mof-2020").to_dict()
    data.update(changes)
    return data


def test_two_different_plugins_with_one_name_are_refused() -> None:
    a = plugin("perfrules_register_rules", Rule(name="a"), name="Same")
    b = plugin("perfrules_register_rules", Rule(name="b"), name="Same")
    with pytest.raises(PluginError, match=r"two different plugins are named .*Same.*must be unique"):
        registry(a, b)


def test_a_hook_with_a_misspelt_argument_cannot_be_registered() -> None:
    class Wrong:
        @hookimpl
        def perfrules_register_rules(self, regster: Register) -> None: ...

    with pytest.raises(PluginError, match="cannot be registered"):
        registry(Wrong())


def test_a_rule_of_an_unknown_kind_names_the_valid_kinds() -> None:
    with pytest.raises(PluginError) as info:
        registry(plugin("perfrules_register_rules", Rule(kind="bonus")))
    message = str(info.value)
    assert "'flat'" in message and "'bonus'" in message and "execution-rate" in message


def test_a_rule_whose_prepare_is_not_callable_is_refused() -> None:
    with pytest.raises(PluginError, match="rule 'flat' has a prepare that is not callable"):
        registry(plugin("perfrules_register_rules", Rule(prepare="yes")))


def test_a_prepare_that_returns_no_function_fails_when_scoring_naming_rule_and_ruleset() -> None:
    reg = registry(plugin("perfrules_register_rules", Rule(prepare=lambda rs: 42)),
                   plugin("perfrules_register_rulesets",
                          {"id": "flat-rules", "extends": "cn-mof-2020@1", "rules": {"≈": "flat"}},
                          name="Sets"))
    form = perfrules.Form(indicators=[perfrules.Indicator(
        name="x", nature="≈", target=Decimal(1), actual=Decimal(1), weight=Decimal(100))])
    with pytest.raises(PluginError) as info:
        perfrules.score(form, "flat-rules", registry=reg)
    assert "'flat'" in str(info.value) and "flat-rules@1" in str(info.value)
    assert "not a function" in str(info.value)


def test_a_ruleset_that_is_neither_a_ruleset_nor_a_mapping_with_an_id() -> None:
    with pytest.raises(PluginError, match="not a RuleSet or a ruleset mapping with an 'id'"):
        registry(plugin("perfrules_register_rulesets", {"version": "2"}))


def test_a_ruleset_object_can_be_registered_and_extended() -> None:
    own = perfrules.RuleSet.from_dict(ruleset_data(id="own-rules", region="", valid_from=None))
    child = {"id": "child-rules", "extends": "own-rules@1", "title": "子规则"}
    reg = registry(plugin("perfrules_register_rulesets", own, child))
    assert reg.ruleset("own-rules").ref == "own-rules@1"
    assert reg.ruleset("child-rules").rule_for("≥") == "at-least"  # from the RuleSet parent
    assert reg.ruleset("child-rules").title == "子规则"
    assert "child-rules@1" in repr(reg.rulesets) and "own-rules@1" in repr(reg.rulesets)


def test_rulesets_that_extend_each_other_name_the_cycle() -> None:
    with pytest.raises(PluginError, match=r"extends itself: loop-\w@1 -> loop-\w@1 -> loop-\w@1"):
        registry(plugin("perfrules_register_rulesets",
                        {"id": "loop-a", "extends": "loop-b@1"},
                        {"id": "loop-b", "extends": "loop-a@1"}))


def test_the_execution_rate_mapped_to_a_rule_of_another_kind_is_refused() -> None:
    with pytest.raises(PluginError) as info:
        registry(plugin("perfrules_register_rules", Rule()),
                 plugin("perfrules_register_rulesets",
                        {"id": "bad-rate", "extends": "cn-mof-2020@1",
                         "rules": {"预算执行率": "flat"}}, name="Sets"))
    assert "'flat'" in str(info.value) and "'other'" in str(info.value)
    assert "execution-rate" in str(info.value)


def test_a_check_without_a_check_method_is_refused() -> None:
    @attrs.frozen
    class NotACheck:
        name: str = "nothing"

    with pytest.raises(PluginError, match="needs name and check"):
        registry(plugin("perfrules_register_checks", NotACheck()))


def test_a_format_that_is_neither_reader_nor_writer_is_refused() -> None:
    @attrs.frozen
    class Half:
        name: str = "half"

    with pytest.raises(PluginError, match=r"neither a reader .* nor a writer"):
        registry(plugin("perfrules_register_formats", Half()))


def test_rulesets_in_force_from_the_same_day_for_one_region_are_a_tie() -> None:
    reg = registry(plugin("perfrules_register_rulesets",
                          ruleset_data(id="hb-a", region="CN-HB", valid_from="2021-01-01"),
                          ruleset_data(id="hb-b", region="CN-HB", valid_from="2021-01-01")))
    with pytest.raises(PluginError, match="both in force for CN-HB from 2021-01-01: pass one by id"):
        perfrules.ruleset_for(year=2022, region="CN-HB", registry=reg)
    assert perfrules.ruleset_for(year=2022, region="CN-SC", registry=reg).ref == "cn-mof-2020@1"


def test_reader_and_writer_by_name(registry: perfrules.Registry, tmp_path: Path) -> None:
    path = tmp_path / "form.txt"
    path.write_text(perfrules.example_path().read_text("utf-8"), "utf-8")
    assert registry.reader_for(path, "json").name == "json"
    assert perfrules.load(path, format="json", registry=registry).title
    with pytest.raises(InputError) as info:
        registry.reader_for(path, "jsonx")
    assert "'jsonx'" in str(info.value) and "json" in str(info.value) and "xlsx" in str(info.value)
    with pytest.raises(InputError, match=r"unknown format 'pdf' \(valid: .*json"):
        registry.writer("pdf")


def test_the_registry_is_read_only(registry: perfrules.Registry) -> None:
    with pytest.raises(AttributeError):
        del registry.rules
