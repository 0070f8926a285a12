"""perfrules-hubei, tested as users get it: installed, loaded through its entry point.

Nothing here registers the plugin by hand: every registry is perfrules' own
(``perfrules.Registry()`` with autoload, the default registry, the CLI), so
these tests fail when the entry point or the shipped TOML is broken.
Golden numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import ast
import decimal
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import perfrules
import pytest
from hypothesis import strategies as st
from perfrules.exceptions import FormError, PluginError
from perfrules.plugin import Indicator, hookimpl
from perfrules.testing import amounts, check_rule

import perfrules_hubei
from perfrules_hubei import SteppedDeduction

FORMS = Path(__file__).parent / "forms"
FORM = FORMS / "hubei-2024.json"
ERRORS = FORMS / "hubei-2024-errors.json"
PACKAGE = Path(perfrules_hubei.__file__).parent


@pytest.fixture(autouse=True)
def _autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entry points load whatever the environment says elsewhere; here they must."""
    monkeypatch.delenv("PERFRULES_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("PERFRULES_PLUGINS", raising=False)


@pytest.fixture(scope="module")
def registry() -> perfrules.Registry:
    """perfrules' registry with every installed plugin, this one through its entry point."""
    return perfrules.Registry()


@pytest.fixture(scope="module")
def hubei(registry: perfrules.Registry) -> perfrules.RuleSet:
    return registry.ruleset("cn-hb-2023")


def _form(**line: Any) -> perfrules.Form:
    """A one-line form (weight 100) of nature 超标扣分 unless told otherwise."""
    fields = {"name": "培训成本超支率", "nature": "超标扣分", "unit": "%", "weight": "100", **line}
    return perfrules.Form.from_dict({"title": "t", "year": 2024, "indicators": [fields]})


# -- the package -------------------------------------------------------------------------


def test_imports_nothing_private_from_perfrules() -> None:
    """A plugin uses perfrules.plugin (and the public perfrules modules), never perfrules._x."""
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            modules = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                       else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for module in modules:
                parts = module.split(".")
                if parts[0] == "perfrules":
                    assert not any(p.startswith("_") for p in parts), f"{path.name}: {module}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("perfrules"):
                assert not any(a.name.startswith("_") for a in node.names), path.name


def test_loaded_through_its_entry_point(registry: perfrules.Registry) -> None:
    names = {p.name: p.version for p in registry.plugins}
    assert names["perfrules-hubei"] == "0.1.0"  # the distribution's name and version
    assert registry.owner("rule", "hubei-stepped-deduction") == "perfrules-hubei"
    assert registry.owner("ruleset", "cn-hb-2023@1") == "perfrules-hubei"
    assert registry.kind_of("hubei-stepped-deduction") == "at-most"


def test_the_allow_list_and_the_switch_leave_it_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFRULES_PLUGINS", "perfrules-hubei")
    assert "cn-hb-2023@1" in perfrules.Registry().rulesets
    monkeypatch.setenv("PERFRULES_PLUGINS", "hubei")  # the entry point's name works too
    assert "cn-hb-2023@1" in perfrules.Registry().rulesets
    monkeypatch.setenv("PERFRULES_PLUGINS", "")  # an empty allow-list: no installed plugin
    assert "cn-hb-2023@1" not in perfrules.Registry().rulesets
    monkeypatch.delenv("PERFRULES_PLUGINS")
    monkeypatch.setenv("PERFRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert "cn-hb-2023@1" not in perfrules.Registry().rulesets


# -- the ruleset ---------------------------------------------------------------------------


def test_ruleset_for_picks_it_in_force_in_hubei() -> None:
    assert perfrules.ruleset_for(year=2024, region="CN-HB").ref == "cn-hb-2023@1"
    assert perfrules.ruleset_for(year=2023, region="cn-hb").ref == "cn-hb-2023@1"
    # before valid_from the national ruleset applies; other provinces get it too
    assert perfrules.ruleset_for(year=2022, region="CN-HB").ref == "cn-mof-2020@1"
    assert perfrules.ruleset_for(year=2024, region="CN-HN").ref == "cn-mof-2020@1"


def test_ruleset_data(hubei: perfrules.RuleSet) -> None:
    assert (hubei.id, hubei.version, hubei.region) == ("cn-hb-2023", "1", "CN-HB")
    assert hubei.extends == "cn-mof-2020@1"  # pinned in the file: a later national version cannot move it
    assert str(hubei.valid_from) == "2023-01-01" and hubei.valid_until is None
    assert "示例" in hubei.citation and "example" in hubei.citation_en
    assert [(t.name, str(t.lower), str(t.upper)) for t in hubei.tiers] == [
        ("达成", "0.8", "1"), ("部分达成", "0.5", "0.8"), ("未达成", "0", "0.5")]
    assert all(t.words and t.citation for t in hubei.tiers)  # words kept from the parent
    assert hubei.param("reverse") == "linear" and hubei.param("step_points") == "0.5"
    assert hubei.rule_for("超标扣分") == "hubei-stepped-deduction"
    assert hubei.rule_for("≥") == "at-least"  # the parent's rules table, merged
    assert "第十条" in hubei.citation_of("rule:hubei-stepped-deduction")
    assert "art. 10" in hubei.citation_of("param:step_points", "en")
    assert [g.name for g in hubei.grades] == ["优", "良", "中", "差"]


# -- the whole example form, through the entry point only ---------------------------------
#
# hubei-2024.json under cn-hb-2023 (A target, B actual, w weight):
#   全年预算执行率   96.5% of 10                                  →  9.65
#   培训人次  ≥      450 / 500 × 20 = 18                          → 18.00
#   办公经费支出 ≤   linear: (2 × 30 − 36) / 30 × 15 = 24/30 × 15 → 12.00
#                    (the national ratio A/B would give 30/36 × 15 = 12.50)
#   培训成本超支率 超标扣分, %: 7.8 − 5 = 2.8 points → 2 whole points
#                    × 0.5 = 1 deducted: 10 − 1                   →  9.00
#   会务费用 超标扣分, 万元: (230 − 200) / 200 = 15% → 15 points
#                    × 0.5 = 7.5 ≥ 5: 扣完为止                     →  0.00
#   群众获得感 定性  部分达成, judged 11 in the Hubei band
#                    [0.5 × 20, 0.8 × 20) = [10, 16)              → 11.00
#                    (in the national band [12, 16) 11 is an error)
#   服务对象满意度 ≥ 95 ≥ 90                                      → 20.00
#   total 9.65 + 18 + 12 + 9 + 0 + 11 + 20 = 79.65, grade 中 [60, 80)
GOLDEN = ["9.65", "18.00", "12.00", "9.00", "0.00", "11.00", "20.00"]


def test_scores_the_example_form(registry: perfrules.Registry) -> None:
    form = perfrules.load(FORM)
    report = perfrules.score(form, perfrules.ruleset_for(year=form.year, region="CN-HB"),
                             registry=registry)
    assert [str(line.points) for line in report.lines] == GOLDEN
    assert (str(report.total), report.grade) == ("79.65", "中")
    assert [line.rule for line in report.lines][3:5] == ["hubei-stepped-deduction"] * 2
    assert report.lines[3].explanation() == (
        "7.8% 超过指标值 5%，超出 2.8 个百分点，计 2 个整百分点；每个百分点扣 0.5 分，共扣 1 分，"
        "余 9 分；9 / 10 × 10 = 9 → 9.00（《省级预算绩效自评工作规程》（示例）第十条：超标扣分指标"
        "每超过一个百分点扣相应分值，扣完为止；《省级预算绩效自评工作规程》（示例）第十条：每超过一个"
        "百分点扣0.5分）")
    assert report.lines[4].explanation("en").startswith(
        "230 is over the ceiling 200 by 15 whole percent of it")
    assert "none left" in report.lines[4].explanation("en")
    assert "第九条" in report.lines[5].explanation()  # the tier's own citation
    assert "线性扣分" in report.lines[2].explanation()  # the parameter's citation
    assert ("perfrules-hubei", "0.1.0") in {(p["name"], p["version"])
                                           for p in report.to_dict()["provenance"]["plugins"]}


def test_the_default_registry_and_the_form_pin() -> None:
    """perfrules.score() with no registry: the cached default one, autoloaded."""
    data = json.loads(FORM.read_text("utf-8"))
    data["ruleset"] = "cn-hb-2023@1"
    report = perfrules.score(perfrules.Form.from_dict(data))
    assert str(report.total) == "79.65" and report.ruleset.ref == "cn-hb-2023@1"


def test_national_bands_refuse_the_hubei_judged_score(registry: perfrules.Registry) -> None:
    form = perfrules.Form.from_dict({"indicators": [
        {"name": "群众获得感", "nature": "定性", "target": "良好", "weight": "20",
         "actual": "部分达成", "reported_score": "11"},
        {"name": "x", "nature": "≥", "target": "1", "actual": "1", "weight": "80"}]})
    assert str(perfrules.score(form, "cn-hb-2023", registry=registry).total) == "91.00"
    with pytest.raises(FormError) as info:
        perfrules.score(form, "cn-mof-2020", registry=registry)
    assert [p.code for p in info.value.problems] == ["judged-out-of-band"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PERFRULES_DISABLE_PLUGIN_AUTOLOAD", "PERFRULES_PLUGINS")}
    return subprocess.run([sys.executable, "-m", "perfrules", *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, check=False)


def test_cli_scores_the_form_with_the_ruleset() -> None:
    run = _cli("score", str(FORM), "--ruleset", "cn-hb-2023", "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert [line["score"] for line in report["indicators"]] == GOLDEN
    assert (report["total"], report["grade"], report["ruleset"]) == ("79.65", "中", "cn-hb-2023")
    text = _cli("score", str(FORM), "--ruleset", "cn-hb-2023@1", "--explain")
    assert text.returncode == 0, text.stderr
    assert "总分 79.65" in text.stdout and "扣完为止" in text.stdout
    listed = _cli("rulesets")
    assert listed.returncode == 0 and "cn-hb-2023" in listed.stdout


# -- the audit keeps every check on the plugin's lines ---------------------------------------


def test_audit_fires_its_checks_on_stepped_lines(registry: perfrules.Registry) -> None:
    # hubei-2024-errors.json: 培训成本超支率 reports 8.6 (recomputed 9.00, above); 会务费用 has
    # no unit and no explanation while it scores 0 of 5; the total reported, 79.25, is the sum
    # of the reported lines but not the recomputed 79.65.
    report = perfrules.audit(perfrules.load(ERRORS), "cn-hb-2023", registry=registry)
    found = sorted((f.code, f.indicator or "") for f in report.findings)
    assert found == [("PR002", "培训成本超支率"), ("PR004", ""), ("PR008", "会务费用"),
                     ("PR013", "会务费用")]
    pr002 = next(f for f in report.findings if f.code == "PR002")
    assert (pr002.expected, pr002.found) == ("9.00", "8.6")
    assert "扣0.5分" in (pr002.message_zh or "")
    # the correct form audits clean
    assert perfrules.audit(perfrules.load(FORM), "cn-hb-2023", registry=registry).findings == ()


def test_cli_audit_exit_code() -> None:
    assert _cli("audit", str(FORM), "--ruleset", "cn-hb-2023").returncode == 0
    run = _cli("audit", str(ERRORS), "--ruleset", "cn-hb-2023")
    assert run.returncode == 1 and "PR002" in run.stdout


# -- the rule, line by line --------------------------------------------------------------


@pytest.mark.parametrize(("unit", "target", "actual", "points"), [
    ("%", "5", "5", "100.00"),       # at the ceiling: met
    ("%", "5", "5.99", "100.00"),    # 0.99 points over: no whole point yet (not met, no loss)
    ("%", "5", "6", "99.50"),        # 1 point: 100 − 0.5
    ("%", "5", "25.5", "90.00"),     # 20.5 points → 20 × 0.5 = 10
    ("%", "0", "3", "98.50"),        # ceiling 0% : 3 points → 1.5
    ("%", "5", "300", "0.00"),       # 295 × 0.5 = 147.5 ≥ 100: 扣完为止
    ("万元", "200", "202", "99.50"),   # 2 / 200 = 1% → 0.5
    ("万元", "200", "201.99", "100.00"),  # 0.995% → no whole point
    ("万元", "0", "0.01", "0.00"),     # ceiling 0 in 万元: any overrun loses all
    ("万元", "0", "0", "100.00"),
    ("", "3", "3.09", "98.50"),      # no unit: 0.09 / 3 = 3% → 1.5 (the audit flags the unit)
])
def test_golden_lines(registry: perfrules.Registry, unit: str, target: str, actual: str,
                      points: str) -> None:
    report = perfrules.score(_form(unit=unit, target=target, actual=actual), "cn-hb-2023",
                             registry=registry)
    assert str(report.lines[0].points) == points


def test_a_weight_that_is_not_a_whole_number_of_steps(registry: perfrules.Registry) -> None:
    # w = 4.3 (the rest of the form elsewhere), 3 points over: 4.3 − 1.5 = 2.8, exactly
    form = perfrules.Form.from_dict({"indicators": [
        {"name": "c", "nature": "超标扣分", "unit": "%", "target": "2", "actual": "5",
         "weight": "4.3"},
        {"name": "x", "nature": "≥", "target": "1", "actual": "1", "weight": "95.7"}]})
    report = perfrules.score(form, "cn-hb-2023", registry=registry)
    assert str(report.lines[0].points) == "2.80" and str(report.total) == "98.50"


def test_bad_cells_are_problems_naming_the_cell(registry: perfrules.Registry) -> None:
    with pytest.raises(FormError) as info:
        perfrules.score(_form(target="约5%", actual=None), "cn-hb-2023", registry=registry)
    problems = sorted((p.code, p.field) for p in info.value.problems)
    assert problems == [("missing-value", "actual"), ("not-a-number", "target")]
    assert all(p.indicator == "培训成本超支率" and p.location for p in info.value.problems)
    with pytest.raises(FormError) as info:
        perfrules.score(_form(target="-5", actual="1"), "cn-hb-2023", registry=registry)
    assert [p.code for p in info.value.problems] == ["negative-target"]


def test_a_ruleset_without_step_points_refuses_the_line(registry: perfrules.Registry) -> None:
    form = _form(target="5", actual="6", rule="hubei-stepped-deduction")
    with pytest.raises(FormError) as info:
        perfrules.score(form, "cn-mof-2020", registry=registry)
    assert [p.code for p in info.value.problems] == ["hubei-no-step-points"]


def test_a_bad_step_points_fails_at_registration() -> None:
    class Variant:
        @hookimpl
        def perfrules_register_rulesets(self, register: Callable[[object], None]) -> None:
            register({"id": "cn-hb-bad", "extends": "cn-hb-2023@1", "params": {"step_points": "-1"}})

    with pytest.raises(PluginError, match=r"cn-hb-bad@1.*hubei-stepped-deduction.*step_points"):
        perfrules.Registry([Variant()])


def test_a_variant_version_with_other_steps() -> None:
    """A score change is a new version: cn-hb-2023@2 extends @1 with 1 point per step."""
    class Version2:
        @hookimpl
        def perfrules_register_rulesets(self, register: Callable[[object], None]) -> None:
            register({"id": "cn-hb-2023", "version": "2", "extends": "cn-hb-2023@1",
                      "params": {"step_points": "1"}})

    reg = perfrules.Registry([Version2()])
    form = _form(target="5", actual="7.8")  # 2 whole points
    assert str(perfrules.score(form, "cn-hb-2023@1", registry=reg).total) == "99.00"
    assert str(perfrules.score(form, "cn-hb-2023", registry=reg).total) == "98.00"


def test_no_number_moves_under_a_hostile_decimal_context(registry: perfrules.Registry) -> None:
    form = perfrules.load(FORM)
    expected = perfrules.score(form, "cn-hb-2023", registry=registry).to_dict()
    with decimal.localcontext() as ctx:
        ctx.prec = 2
        ctx.rounding = decimal.ROUND_FLOOR
        assert perfrules.score(form, "cn-hb-2023", registry=registry).to_dict() == expected


# -- the conformance kit -------------------------------------------------------------------


def test_conforms_on_percent_lines(hubei: perfrules.RuleSet) -> None:
    """Credit in [0, 1], full when met, falling as the actual grows, Decimal only,
    deterministic, zh and en explanations — on the author's own targets and actuals."""
    check_rule(SteppedDeduction(), targets=amounts(0, 100), actuals=amounts(0, 300),
               ruleset=hubei)


@st.composite
def amount_lines(draw: st.DrawFn) -> Indicator:
    """Lines in 万元: ceilings from 0 (all or nothing) up, weights from 0."""
    return Indicator(name="会务费用", nature="超标扣分", unit=draw(st.sampled_from(["万元", "元"])),
                     target=draw(amounts(0, 10_000)), actual=draw(amounts(0, 20_000)),
                     weight=draw(amounts(0, 100, 1)))


def test_conforms_on_amount_lines_through_the_pytest_fixture(
        perfrules_check_rule: Callable[..., None], perfrules_registry: perfrules.Registry) -> None:
    """The fixture of perfrules' pytest11 plugin, bound to a registry with this plugin."""
    rule = perfrules_registry.rules["hubei-stepped-deduction"]  # as installed, not imported
    perfrules_check_rule(rule, indicators=amount_lines(),
                         ruleset=perfrules_registry.ruleset("cn-hb-2023"), direction="down")


def test_credit_is_an_exact_fraction(hubei: perfrules.RuleSet) -> None:
    outcome = SteppedDeduction().score(
        Indicator(name="c", nature="超标扣分", unit="%", target=Decimal(5), actual=Decimal("7.8"),
                  weight=Decimal("4.3")), hubei)
    assert (outcome.numerator, outcome.denominator, outcome.met) == (Decimal("3.3"),
                                                                     Decimal("4.3"), False)
