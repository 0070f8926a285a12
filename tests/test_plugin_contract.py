"""The plugin contract (issue 8): what a province or vendor relies on."""

from __future__ import annotations

import ast
import datetime
import decimal
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, ClassVar

import attrs
import pytest

import perfrules
from perfrules import plugin
from perfrules.exceptions import PerfrulesWarning, PluginError, UnknownRulesetError
from perfrules.plugin import Outcome, PreparedRule, RuleSet, StepTemplates, hookimpl
from perfrules.testing import amounts, check_rule

SRC = Path(perfrules.__file__).parent

# -- a third-party rule written from perfrules.plugin alone -----------------------------


@attrs.frozen
class Ceiling(PreparedRule):
    """A ≤ rule of a province: full marks within the target, else target / actual —
    the built-in formula, written from the public module only."""

    name: str = "province-at-most"
    kind: ClassVar[str] = "at-most"
    natures: frozenset[str] = frozenset()
    templates: ClassVar[StepTemplates] = {
        "within": {"zh": "{0} 不超过 {1}", "en": "{0} within {1}"},
        "over": {"zh": "{0} 超过 {1}：{1} / {0}", "en": "{0} over {1}: {1} / {0}"},
    }

    def prepare(self, ruleset: RuleSet) -> plugin.Prepared:
        def score(ind: plugin.Indicator) -> Outcome:
            a, b = ind.target, ind.actual
            if not isinstance(a, Decimal) or not isinstance(b, Decimal) or a <= 0:
                raise plugin.InputError(plugin.problem(ind, "target", "not-a-number",
                                                       "needs numbers", "a number > 0"))
            if b <= a:
                return Outcome(Decimal(1), Decimal(1), True, False, (("within", (b, a)),))
            return Outcome(a, b, False, False, (("over", (b, a)),))

        return score


class CeilingPlugin:
    @hookimpl
    def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
        register(Ceiling())

    @hookimpl
    def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
        register({"id": "province", "extends": "cn-mof-2020@1", "region": "CN-XX",
                  "valid_from": "2023-01-01",
                  "rules": {"≤": "province-at-most", "<": "province-at-most"}})


def test_builtin_modules_import_no_private_name() -> None:
    for path in sorted((SRC / "builtin").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                module = node.module or ""
                assert not any(part.startswith("_") for part in module.split(".")), \
                    f"{path.name} imports from {module}"
                assert not any(a.name.startswith("_") for a in node.names), \
                    f"{path.name} imports a private name from {module}"
            elif isinstance(node, ast.Import):
                assert not any(part.startswith("_") for a in node.names
                               for part in a.name.split(".")), path.name


def test_a_replaced_at_most_rule_keeps_every_audit_check() -> None:
    reg = perfrules.Registry([CeilingPlugin()], entry_points=False)
    form = perfrules.Form.from_dict({"title": "t", "year": 2024, "indicators": [
        {"name": "培训人次", "path": ["产出指标"], "nature": "≥", "target": "100", "weight": "40",
         "actual": "100", "unit": "人次", "reported_score": "40"},
        {"name": "运行成本", "path": ["效益指标"], "nature": "≥", "target": "50", "weight": "30",
         "actual": "100", "reported_score": "30"},
        {"name": "差旅费用", "path": ["满意度指标"], "nature": "≤", "target": "50", "weight": "30",
         "actual": "60", "reported_score": "20"}]})
    builtin = perfrules.audit(form, "cn-mof-2020", registry=reg)
    replaced = perfrules.audit(form, "province", registry=reg)
    line = replaced.lines[2]
    assert line.rule == "province-at-most" and line.kind == "at-most"
    assert str(line.points) == str(builtin.lines[2].points) == "25.00"
    codes = sorted(f.code for f in builtin.findings)
    assert sorted(f.code for f in replaced.findings) == codes
    assert {"PR002", "PR009", "PR013", "PR015"} <= set(codes)


def test_hostile_decimal_context_moves_no_number() -> None:
    form = perfrules.example()
    expected = perfrules.score(form).to_dict()
    expected_audit = perfrules.audit(form).to_dict()
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        ctx.traps[decimal.Inexact] = True
        assert perfrules.score(form).to_dict() == expected
        assert perfrules.audit(form).to_dict() == expected_audit


def test_a_context_mutating_plugin_moves_no_later_number() -> None:
    @attrs.frozen
    class Vandal(PreparedRule):
        name: str = "vandal"
        natures: frozenset[str] = frozenset({"≈"})

        def prepare(self, ruleset: RuleSet) -> plugin.Prepared:
            def score(ind: plugin.Indicator) -> Outcome:
                decimal.getcontext().prec = 2
                decimal.getcontext().rounding = decimal.ROUND_FLOOR
                return Outcome(Decimal(1), Decimal(1), True)

            return score

    class Plugin:
        @hookimpl
        def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
            register(Vandal())

        @hookimpl
        def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
            register({"id": "vandal", "extends": "cn-mof-2020@1", "rules": {"≈": "vandal"}})

    reg = perfrules.Registry([Plugin()], entry_points=False)
    data = perfrules.example().to_dict()
    data["indicators"][1]["nature"] = "≈"
    form = perfrules.Form.from_dict(data)
    report = perfrules.score(form, "vandal", registry=reg)
    assert str(report.total) == "99.96"
    assert str(report.lines[0].points) == "9.96"


def test_two_runs_give_byte_identical_reports(tmp_path: Path) -> None:
    code = ("import perfrules, json, sys; from tests.test_plugin_contract import CeilingPlugin; "
            "reg = perfrules.Registry([CeilingPlugin()], entry_points=False); "
            "r = perfrules.score(perfrules.example(), registry=reg); "
            "sys.stdout.write(json.dumps(r.to_dict(), ensure_ascii=False, sort_keys=True))")
    root = Path(__file__).parent.parent
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                           cwd=root, env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin",
                                          "PYTHONPATH": f"{root}:{SRC.parent}"}).stdout
            for seed in ("1", "2")]
    assert runs[0] == runs[1]
    plugins = [p["name"] for p in json.loads(runs[0])["provenance"]["plugins"]]
    assert "tests.test_plugin_contract.CeilingPlugin" in plugins


# -- the registry ----------------------------------------------------------------------


def test_registry_is_read_only(registry: perfrules.Registry) -> None:
    with pytest.raises(AttributeError, match="read-only"):
        registry.rules = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        registry.rules["x"] = Ceiling()  # type: ignore[index]
    assert registry.owner("rule", "at-least") == "perfrules.builtin.rules"
    assert registry.owner("extension", ".xlsx") == "perfrules.builtin.formats"
    assert registry.kind_of("equal") == "equality"


def test_a_reader_taking_over_an_extension_is_named() -> None:
    @attrs.frozen
    class Sneaky:
        name: str = "sneaky"
        extensions: tuple[str, ...] = (".XLSX",)

        def read(self, path: Path) -> Any:  # pragma: no cover - never called
            raise AssertionError

    class Plugin:
        @hookimpl
        def perfrules_register_formats(self, register: plugin.RegisterFormat) -> None:
            register(Sneaky())

    with pytest.raises(PluginError, match=r"duplicate extension '\.xlsx'.*builtin\.formats"):
        perfrules.Registry([Plugin()], entry_points=False)


def test_a_plugin_given_twice_registers_once() -> None:
    p = CeilingPlugin()
    reg = perfrules.Registry([p, p], entry_points=False)
    assert [i.name for i in reg.plugins].count("tests.test_plugin_contract.CeilingPlugin") == 1


def test_an_allow_list_name_matching_nothing_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFRULES_PLUGINS", "no-such-plugin")
    with pytest.warns(PerfrulesWarning, match="no-such-plugin"):
        perfrules.Registry()


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyError("k"), ZeroDivisionError()])
def test_a_rule_raising_anything_is_a_named_plugin_error(error: Exception) -> None:
    @attrs.frozen
    class Broken(PreparedRule):
        name: str = "broken"
        natures: frozenset[str] = frozenset({"≈"})

        def prepare(self, ruleset: RuleSet) -> plugin.Prepared:
            def score(ind: plugin.Indicator) -> Outcome:
                raise error

            return score

    class Plugin:
        @hookimpl
        def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
            register(Broken())

        @hookimpl
        def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
            register({"id": "broken", "extends": "cn-mof-2020@1", "rules": {"≈": "broken"}})

    reg = perfrules.Registry([Plugin()], entry_points=False)
    form = perfrules.Form(indicators=[perfrules.Indicator(name="x", nature="≈", weight=100,
                                                          target=Decimal(1), actual=Decimal(1))])
    with pytest.raises(PluginError, match=r"rule 'broken' \(plugin '.*Plugin'\) failed"):
        perfrules.score(form, "broken", registry=reg)


def test_a_step_without_a_template_is_refused() -> None:
    @attrs.frozen
    class Mute(PreparedRule):
        name: str = "mute"
        natures: frozenset[str] = frozenset({"≈"})

        def prepare(self, ruleset: RuleSet) -> plugin.Prepared:
            return lambda ind: Outcome(Decimal(1), Decimal(1), True, False,
                                       (("range-out", (1, 2)),))

    class Plugin:
        @hookimpl
        def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
            register(Mute())

        @hookimpl
        def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
            register({"id": "mute", "extends": "cn-mof-2020@1", "rules": {"≈": "mute"}})

    reg = perfrules.Registry([Plugin()], entry_points=False)
    form = perfrules.Form(indicators=[perfrules.Indicator(name="x", nature="≈", weight=100,
                                                          target=Decimal(1), actual=Decimal(1))])
    with pytest.raises(PluginError, match="'range-out', which it registered no template"):
        perfrules.score(form, "mute", registry=reg)


@pytest.mark.parametrize(("templates", "message"), [
    ({"x": {"zh": "只有中文"}}, "needs a 'zh' and an 'en'"),
    ({"citation": {"zh": "a", "en": "b"}}, "is the engine's own"),
    ({"x": {"zh": "{0", "en": "b"}}, "not a format string"),
])
def test_bad_templates_fail_at_registration(templates: Any, message: str) -> None:
    @attrs.frozen
    class Odd(PreparedRule):
        name: str = "odd"
        natures: frozenset[str] = frozenset({"≈"})

    rule = Odd()
    object.__setattr__(rule, "templates", templates)  # an instance attribute, as plugins may

    class Plugin:
        @hookimpl
        def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
            register(rule)

    with pytest.raises(PluginError, match=message):
        perfrules.Registry([Plugin()], entry_points=False)


# -- rulesets: identity, dates, validation ---------------------------------------------


def _rulesets(*items: Any) -> perfrules.Registry:
    class Plugin:
        @hookimpl
        def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
            for item in items:
                register(item)

    return perfrules.Registry([Plugin()], entry_points=False)


def test_versions_coexist_and_can_be_pinned() -> None:
    reg = _rulesets({"id": "p", "version": "1", "extends": "cn-mof-2020@1"},
                    {"id": "p", "version": "2", "extends": "cn-mof-2020@1",
                     "params": {"reverse": "linear"}},
                    {"id": "p", "version": "10", "extends": "p@1"})
    assert reg.ruleset("p").version == "10"  # 10 after 2: versions are numbers
    assert reg.ruleset("p@2").param("reverse") == "linear"
    assert reg.ruleset("p@10").extends == "p@1"
    data = perfrules.example().to_dict()
    data["ruleset"] = "cn-mof-2020-linear@1"
    report = perfrules.score(perfrules.Form.from_dict(data))
    assert report.ruleset.ref == "cn-mof-2020-linear@1"
    assert report.to_dict()["ruleset_version"] == "1"
    with pytest.raises(UnknownRulesetError):
        reg.ruleset("p@3")


def test_ruleset_for_year_and_region() -> None:
    reg = perfrules.Registry([CeilingPlugin()], entry_points=False)
    assert reg.ruleset_for(year=2022).ref == "cn-mof-2020@1"
    assert reg.ruleset_for(year=2024, region="CN-XX").ref == "province@1"
    assert reg.ruleset_for(year=2022, region="CN-XX").ref == "cn-mof-2020@1"  # not yet in force
    assert reg.ruleset_for(date=datetime.date(2023, 1, 1), region="cn-xx").id == "province"
    with pytest.raises(UnknownRulesetError):
        reg.ruleset_for(year=2019)


def test_a_form_outside_its_rulesets_dates_is_said(registry: perfrules.Registry) -> None:
    data = perfrules.example().to_dict()
    data["year"] = 2019
    report = perfrules.score(perfrules.Form.from_dict(data), registry=registry)
    assert report.in_force is False and report.to_dict()["in_force"] is False
    assert "2019" in report.explain().splitlines()[-1]
    findings = perfrules.audit(perfrules.Form.from_dict(data), registry=registry).findings
    assert "PR024" in {f.code for f in findings}


@pytest.mark.parametrize(("change", "message"), [
    ({"tiers": [{"name": "达成", "words": ["达成"], "min": "1.5", "max": "0.2",
                 "default": "1"}]}, r"lower 1\.5 is not a fraction"),
    ({"tiers": [{"name": "达成", "words": ["达成"], "min": "0.5", "max": "0.2",
                 "default": "0.3"}]}, "min 0.5 is above max 0.2"),
    ({"tiers": [{"name": "达成", "words": ["达成"], "min": "0.8", "max": "1",
                 "default": "0.5"}]}, "default 0.5 is outside its band"),
    ({"grades": [{"name": "优", "min": "190"}]}, "above the weight total"),
    ({"rounding": {"places": 40}}, "rounding places 40"),
    ({"weights": {"total": "0"}}, "weight_total 0 is not a number above 0"),
    ({"valid_from": "2020-13-01"}, "is not a date"),
    ({"version": "v2"}, "is not a version"),
    ({"unstated_nature": {"nature": "≈"}}, "unstated_nature"),
    ({"colour": "red"}, "unknown key"),
])
def test_bad_ruleset_data_fails_at_registration(change: dict[str, Any], message: str) -> None:
    with pytest.raises(PluginError, match=rf"plugin '.*Plugin': ruleset 'bad@.*' is invalid: .*{message}"):
        _rulesets({"id": "bad", "extends": "cn-mof-2020@1", **change})


def test_citations_per_rule_tier_and_parameter(registry: perfrules.Registry) -> None:
    reg = _rulesets({"id": "cited", "extends": "cn-mof-2020-linear@1",
                     "tiers": [{"name": "达成", "min": "0.8", "max": "1", "max_inclusive": True,
                                "default": "1", "met": True, "citation": "某省办法第九条"},
                               {"name": "部分达成", "min": "0.6", "max": "0.8", "default": "0.6"},
                               {"name": "未达成", "min": "0", "max": "0.6", "default": "0"}]})
    form = perfrules.Form.from_dict({"indicators": [
        {"name": "q", "nature": "定性", "target": "好", "actual": "达成", "weight": "50"},
        {"name": "c", "nature": "≤", "target": "10", "actual": "15", "weight": "50"}]})
    report = perfrules.score(form, "cited", registry=reg)
    assert report.lines[0].explanation().endswith("（某省办法第九条）")
    assert "线性扣分" in report.lines[1].explanation()
    assert "自评表填报说明" in report.lines[1].explanation()


# -- rule inference and free text (DESIGN "What real forms write") ----------------------


def test_unstated_nature_is_assumed_and_said(registry: perfrules.Registry) -> None:
    form = perfrules.Form.from_dict({"indicators": [
        {"name": "培训人次", "target": "100", "actual": "90", "weight": "50"},
        {"name": "运行成本", "target": "50", "actual": "60", "weight": "30"},
        {"name": "办公用品", "path": ["产出指标", "成本指标"], "target": "10", "actual": "8",
         "weight": "10"},
        {"name": "环境", "target": "有所改善", "actual": "部分达成", "weight": "10"}]})
    report = perfrules.score(form, registry=registry)
    natures = [line.indicator.nature for line in report.lines]
    assert natures == ["≥", "≤", "≤", "定性"]
    assert [str(line.points) for line in report.lines] == ["45.00", "25.00", "10.00", "6.00"]
    assert "未写明指标性质，按“≥”计" in report.lines[0].explanation()
    assert "按定性指标计" in report.lines[3].explanation()
    codes = [f.code for f in perfrules.audit(form, registry=registry).findings]
    assert codes.count("PR021") == 4


def test_free_text_qualitative_actual(registry: perfrules.Registry) -> None:
    def form(**fields: Any) -> perfrules.Form:
        line = {"name": "服务质量", "nature": "定性", "target": "良好", "weight": "10",
                "actual": "效果明显，群众普遍认可", **fields}
        return perfrules.Form.from_dict({"indicators": [
            line, {"name": "x", "nature": "≥", "target": "1", "actual": "1", "weight": "90"}]})

    report = perfrules.score(form(reported_score="7"), registry=registry)
    assert str(report.lines[0].points) == "7.00"
    assert "按评定得分归入“部分达成”档" in report.lines[0].explanation()
    with pytest.raises(perfrules.FormError, match="达成年度指标") as info:
        perfrules.score(form(), registry=registry)
    assert info.value.problems[0].field == "actual"


@pytest.mark.parametrize(("word", "tier"), [
    ("达成预期指标", "达成"), ("基本达成", "部分达成"), ("较好", "达成"), ("基本达到预期", "部分达成"),
    ("未达到预期", "未达成"),
])
def test_tier_words_real_forms_use(word: str, tier: str, registry: perfrules.Registry) -> None:
    found = registry.ruleset().tier_of(word)
    assert found is not None and found.name == tier


# -- the conformance kit ---------------------------------------------------------------


def test_check_rule_proves_a_third_party_rule() -> None:
    check_rule(Ceiling(), natures=["≤"], targets=amounts(1, 100), actuals=amounts(0, 300),
               max_examples=60)


def test_check_rule_covers_qualitative_and_rate_rules(registry: perfrules.Registry) -> None:
    check_rule(registry.rules["qualitative"], registry=registry, max_examples=60)
    check_rule(registry.rules["execution-rate"], registry=registry, max_examples=60)


def test_check_rule_fails_when_every_example_is_refused() -> None:
    with pytest.raises(AssertionError, match="refused every generated example"):
        check_rule(Ceiling(), natures=["≤"], targets=amounts(-10, 0), may_refuse=True,
                   max_examples=20)


def test_check_rule_catches_a_non_monotone_rule() -> None:
    @attrs.frozen
    class Backwards(PreparedRule):
        name: str = "backwards"
        kind: ClassVar[str] = "at-least"
        natures: frozenset[str] = frozenset({"≥"})

        def prepare(self, ruleset: RuleSet) -> plugin.Prepared:
            def score(ind: plugin.Indicator) -> Outcome:
                a, b = ind.target, ind.actual
                assert isinstance(a, Decimal) and isinstance(b, Decimal)
                if b >= a:
                    return Outcome(Decimal(1), Decimal(1), True)
                return Outcome(Decimal(0) if b > a / 2 else Decimal(1), Decimal(1), False)

            return score

    with pytest.raises(AssertionError, match="credit falls"):
        check_rule(Backwards(), targets=amounts(10, 100), actuals=amounts(0, 200),
                   max_examples=200)


def test_check_rule_catches_float_credit() -> None:
    @attrs.frozen
    class Floaty(PreparedRule):
        name: str = "floaty"
        natures: frozenset[str] = frozenset({"≥"})

        def prepare(self, ruleset: RuleSet) -> plugin.Prepared:
            return lambda ind: Outcome(0.5, Decimal(1), False)  # type: ignore[arg-type]

    with pytest.raises(AssertionError, match="not Decimal"):
        check_rule(Floaty(), max_examples=5)


def test_pytest_fixtures_are_offered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_fixture(perfrules_registry, perfrules_check_rule):
            assert "at-least" in perfrules_registry.rules
            perfrules_check_rule(perfrules_registry.rules["at-least"], max_examples=5)
    """)
    from importlib import metadata

    found: Any = metadata.entry_points()
    group = found.select(group="pytest11") if hasattr(found, "select") else found.get(
        "pytest11", ())  # Python 3.9: a dict of groups
    installed = any(ep.value == "perfrules.pytest_plugin" for ep in group)
    result = pytester.runpytest(*([] if installed else ["-p", "perfrules.pytest_plugin"]))
    result.assert_outcomes(passed=1)


def test_audit_of_a_self_consistent_form_has_no_score_findings(
        registry: perfrules.Registry) -> None:
    from hypothesis import given, settings

    from perfrules.testing import forms

    @settings(max_examples=40, deadline=None)
    @given(forms(mixed=True))
    def run(form: perfrules.Form) -> None:
        report = perfrules.score(form, registry=registry)
        filled = attrs.evolve(form, reported_total=report.total, indicators=[
            attrs.evolve(line.indicator, reported_score=line.points)
            if line.points is not None and line.indicator.judged_score is None
            and not line.judged else line.indicator for line in report.lines])
        codes = {f.code for f in perfrules.audit(filled, registry=registry).findings}
        assert not codes & {"PR002", "PR003", "PR004", "PR005"}, codes

    run()


def test_hooks_take_precise_register_types() -> None:
    import inspect

    from perfrules import hookspecs

    for name in ("perfrules_register_rules", "perfrules_register_rulesets",
                 "perfrules_register_checks", "perfrules_register_formats"):
        annotation = inspect.signature(getattr(hookspecs, name)).parameters["register"].annotation
        assert annotation.startswith("Register"), (name, annotation)


_: Callable[..., Any] = check_rule


# -- the command line ------------------------------------------------------------------


def test_cli_picks_the_ruleset_in_force(capsys: pytest.CaptureFixture[str]) -> None:
    from perfrules.cli import main

    assert main(["--plugins", "", "score", "--example", "--year", "2022", "--format",
                 "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["ruleset"], data["ruleset_version"], data["in_force"]) == ("cn-mof-2020", "1",
                                                                            True)
    assert main(["--plugins", "", "score", "--example", "--ruleset", "cn-mof-2020-linear@1",
                 "--explain"]) == 0
    out = capsys.readouterr().out
    assert "规则集 cn-mof-2020-linear@1" in out
    assert "自评表填报说明：预算执行率" in out  # each line ends with its own rule's clause
    assert main(["--plugins", "", "score", "--example", "--year", "2019"]) == 2
    assert "in force in 2019" in capsys.readouterr().err


def test_cli_plugins_option_is_the_allow_list(capsys: pytest.CaptureFixture[str]) -> None:
    from perfrules.cli import main

    assert main(["--plugins", "", "plugins"]) == 0
    assert capsys.readouterr().out.split() == [
        "perfrules.builtin.checks", "0.1.0", "perfrules.builtin.formats", "0.1.0",
        "perfrules.builtin.rules", "0.1.0", "perfrules.builtin.rulesets", "0.1.0"]
    assert main(["--lang", "en", "--plugins", "", "rulesets"]) == 0
    out = capsys.readouterr().out
    assert "cn-mof-2020@1  in force 2020-02-25 – …  region CN" in out
    assert "cn-mof-2020-linear@1  in force 2020-02-25 – …  extends cn-mof-2020@1" in out
    assert main(["--plugins", "", "rules"]) == 0
    out = capsys.readouterr().out
    assert "at-most          at-most         < ≤" in out and "``" not in out


def test_rulesets_mapping_finds_a_bare_id_as_its_latest_version() -> None:
    reg = _rulesets({"id": "p", "version": "1", "extends": "cn-mof-2020@1"},
                    {"id": "p", "version": "2", "extends": "cn-mof-2020@1"})
    assert reg.rulesets["p"].version == "2" and reg.rulesets["p@1"].version == "1"
    assert "p" in reg.rulesets and "p@2" in reg.rulesets and "p@3" not in reg.rulesets
    assert [ref for ref in reg.rulesets if ref.startswith("p@")] == ["p@1", "p@2"]
    with pytest.raises(KeyError):
        reg.rulesets["q"]


def test_a_plugin_reader_raising_is_a_named_plugin_error(tmp_path: Path) -> None:
    @attrs.frozen
    class Flaky:
        name: str = "flaky"
        extensions: tuple[str, ...] = (".flaky",)

        def read(self, path: Path) -> Any:
            raise KeyError("sheet")

    @attrs.frozen
    class Empty:
        name: str = "empty"
        extensions: tuple[str, ...] = (".empty",)

        def read(self, path: Path) -> Any:  # pragma: no cover - read_all is used
            raise AssertionError

        def read_all(self, path: Path) -> Any:
            return ()

    class Plugin:
        @hookimpl
        def perfrules_register_formats(self, register: plugin.RegisterFormat) -> None:
            register(Flaky())
            register(Empty())

    reg = perfrules.Registry([Plugin()], entry_points=False)
    for suffix in (".flaky", ".empty"):
        path = tmp_path / f"x{suffix}"
        path.write_text("x")
        with pytest.raises(PluginError, match=r"reader '(flaky|empty)' \(plugin '.*Plugin'\)"):
            perfrules.load_all(path, registry=reg)
    with pytest.raises(PluginError, match="KeyError"):
        perfrules.load(tmp_path / "x.flaky", registry=reg)


def test_a_minimal_rule_with_a_list_of_natures_registers_and_scores() -> None:
    class Minimal:  # no kind, no templates, no prepare: the registry's defaults apply
        name = "minimal"
        natures: ClassVar[list[str]] = ["≈"]  # a list, as plugin authors write it

        def score(self, indicator: plugin.Indicator, ruleset: RuleSet) -> Outcome:
            return Outcome(numerator=Decimal(1), denominator=Decimal(4), met=False)

    class Plugin:
        @hookimpl
        def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
            register(Minimal())  # type: ignore[arg-type]

        @hookimpl
        def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
            register({"id": "minimal", "extends": "cn-mof-2020@1", "rules": {"≈": "minimal"}})

    reg = perfrules.Registry([Plugin()], entry_points=False)
    assert reg.kind_of("minimal") == "other"
    form = perfrules.Form(indicators=[perfrules.Indicator(name="x", nature="≈", weight=100,
                                                          target=Decimal(1), actual=Decimal(1))])
    report = perfrules.score(form, "minimal", registry=reg)
    assert str(report.total) == "25.00"
    assert report.lines[0].explanation("en").startswith("1 / 4 × 100 = 25 → 25.00")
