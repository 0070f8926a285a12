"""Rules chosen by what they declare, inside the ruleset that admits them (issue 17, item 2).

A test plugin ships a range rule (kind ``range``, nature ``区间``, target shape
``range``) and a ruleset that admits it by name (``use``): lines are routed to
it by their nature, folded as built-in words are, and by the shape of their
target when they write no nature. The national ruleset is unchanged by the
plugin being installed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest

import perfrules
from perfrules import plugin
from perfrules.exceptions import FormError, PluginError
from perfrules.plugin import Outcome, PreparedRule, RuleSet, StepTemplates, hookimpl

_RANGE = re.compile(r"^[\[(（]?\s*([0-9.]+)\s*[%％]?\s*[-~～至,，]\s*([0-9.]+)\s*[%％]?\s*[\])）]?$")


@attrs.frozen
class Band(PreparedRule):
    """区间: full marks inside [low, high], else none (a test rule)."""

    name: str = "test-band"
    kind: ClassVar[str] = "range"
    natures: frozenset[str] = frozenset({"区间"})
    target_shapes: frozenset[str] = frozenset({"range"})
    templates: ClassVar[StepTemplates] = {
        "band_in": {"zh": "{0} 在 [{1}, {2}] 内", "en": "{0} is in [{1}, {2}]"},
        "band_out": {"zh": "{0} 不在 [{1}, {2}] 内", "en": "{0} is outside [{1}, {2}]"},
    }

    def prepare(self, ruleset: RuleSet) -> plugin.Prepared:
        def score(ind: plugin.Indicator) -> Outcome:
            found = _RANGE.match(str(ind.target or ""))
            if found is None or not isinstance(ind.actual, Decimal):
                raise plugin.InputError(plugin.problem(
                    ind, "target", "not-a-range", "needs a range and a number",
                    "a range such as 85%-95%"))
            low, high = Decimal(found.group(1)), Decimal(found.group(2))
            inside = low <= ind.actual <= high
            step = ("band_in" if inside else "band_out", (ind.actual, low, high))
            return Outcome(Decimal(1 if inside else 0), Decimal(1), inside, False, (step,))

        return score


@attrs.frozen
class OtherBand(Band):
    name: str = "test-band-2"


class RangePlugin:
    @hookimpl
    def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
        register(Band())

    @hookimpl
    def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
        register({"id": "cn-xx-range", "extends": "cn-mof-2020@1", "use": ["test-band"]})


def _registry(*plugins: object) -> perfrules.Registry:
    return perfrules.Registry(list(plugins), entry_points=False)


def _form(*lines: dict[str, Any]) -> perfrules.Form:
    weight = Decimal(100) / len(lines)
    return perfrules.Form.from_dict({"indicators": [
        {"name": f"指标{i}", "weight": str(weight), **line} for i, line in enumerate(lines)]})


@pytest.mark.parametrize("target", ["85%-95%", "[60,80]", "40～70", "（60，80）", "60至80"])
def test_a_line_without_nature_reaches_the_range_rule_by_its_target(target: str) -> None:
    registry = _registry(RangePlugin())
    report = perfrules.score(_form({"target": target, "actual": "65"}), "cn-xx-range",
                             registry=registry)
    line = report.lines[0]
    assert (line.rule, line.kind) == ("test-band", "range")
    assert "按规则" in line.explanation() and "range" in line.explanation("en")


@pytest.mark.parametrize("nature", ["区间", "区 间", "区　间"])
def test_plugin_natures_are_folded_as_builtin_words(nature: str) -> None:
    registry = _registry(RangePlugin())
    report = perfrules.score(_form({"nature": nature, "target": "85%-95%", "actual": "90"}),
                             "cn-xx-range", registry=registry)
    assert report.lines[0].rule == "test-band" and report.total == Decimal(100)


def test_installing_the_plugin_changes_no_other_ruleset() -> None:
    registry = _registry(RangePlugin())
    with pytest.raises(FormError) as caught:
        perfrules.score(_form({"nature": "区间", "target": "85%-95%", "actual": "90"}),
                        "cn-mof-2020", registry=registry)
    (problem,) = caught.value.problems
    assert problem.code == "unknown-nature" and "区间" not in (problem.expected or "")
    # a range target without a nature is still scored as ≥ there, and refused as no number
    with pytest.raises(FormError) as caught:
        perfrules.score(_form({"target": "40～70", "actual": "65"}), "cn-mof-2020",
                        registry=registry)
    assert caught.value.problems[0].code == "not-a-number"


def test_an_unknown_nature_lists_the_words_the_ruleset_accepts() -> None:
    registry = _registry(RangePlugin())
    with pytest.raises(FormError) as caught:
        perfrules.score(_form({"nature": "奇数", "target": "1", "actual": "1"}), "cn-xx-range",
                        registry=registry)
    expected = caught.value.problems[0].expected or ""
    assert "区间" in expected and "定性" in expected and "≥" in expected


def test_two_admitted_rules_claiming_one_word_name_both() -> None:
    class Both(RangePlugin):
        @hookimpl
        def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
            register(Band())
            register(OtherBand())

        @hookimpl
        def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
            register({"id": "cn-xx-two", "extends": "cn-mof-2020@1",
                      "use": ["test-band", "test-band-2"]})

    with pytest.raises(PluginError, match=r"test-band.*test-band-2.*'区间'"):
        _registry(Both())


def test_the_ruleset_mapping_settles_a_shared_word() -> None:
    class Settled(RangePlugin):
        @hookimpl
        def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
            register(Band())
            register(OtherBand())

        @hookimpl
        def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
            register({"id": "cn-xx-two", "extends": "cn-mof-2020@1",
                      "use": ["test-band", "test-band-2"],
                      "rules": {"区间": "test-band-2", "shape:range": "test-band"}})

    registry = _registry(Settled())
    report = perfrules.score(_form({"nature": "区间", "target": "1-2", "actual": "1"},
                                   {"target": "1-2", "actual": "1"}), "cn-xx-two",
                             registry=registry)
    assert [ln.rule for ln in report.lines] == ["test-band-2", "test-band"]


def test_a_ruleset_using_an_unknown_rule_is_refused() -> None:
    class Unknown(RangePlugin):
        @hookimpl
        def perfrules_register_rulesets(self, register: plugin.RegisterRuleset) -> None:
            register({"id": "cn-xx-bad", "extends": "cn-mof-2020@1", "use": ["nope"]})

    with pytest.raises(PluginError, match="uses rule 'nope'"):
        _registry(Unknown())


def test_an_unknown_target_shape_is_refused() -> None:
    @attrs.frozen
    class Odd(Band):
        target_shapes: frozenset[str] = frozenset({"triangle"})

    class OddPlugin:
        @hookimpl
        def perfrules_register_rules(self, register: plugin.RegisterRule) -> None:
            register(Odd())

    with pytest.raises(PluginError, match="target shape 'triangle'"):
        _registry(OddPlugin())


def test_the_audit_tells_a_check_which_rule_and_plugin_scored_a_line() -> None:
    seen: list[tuple[Any, ...]] = []

    class Spy:
        name = "test-spy"

        def check(self, context: plugin.AuditContext) -> list[plugin.Finding]:
            seen.extend((context.kind(i), context.rule(i), context.plugin(i))
                        for i in range(len(context.form.indicators)))
            return []

    class WithSpy(RangePlugin):
        @hookimpl
        def perfrules_register_checks(self, register: plugin.RegisterCheck) -> None:
            register(Spy())

    registry = _registry(WithSpy())
    perfrules.audit(_form({"target": "1-2", "actual": "1"}, {"nature": "≥", "target": "1",
                                                             "actual": "1"}),
                    "cn-xx-range", registry=registry)
    owner = registry.owner("rule", "test-band")
    assert seen == [("range", "test-band", owner), ("at-least", "at-least",
                                                    "perfrules.builtin.rules")]


def test_score_table_scores_range_lines_as_score_does() -> None:
    pa = pytest.importorskip("pyarrow")
    registry = _registry(RangePlugin())
    table = pa.table({"form_id": ["f", "f"], "name": ["a", "b"], "nature": [None, "≥"],
                      "target": ["85%-95%", "10"], "actual": ["90", "8"],
                      "weight": ["50", "50"]})
    result = perfrules.score_table(table, "cn-xx-range", registry=registry)
    assert result.lines.column("rule").to_pylist() == ["test-band", "at-least"]
    assert result.forms.column("total").to_pylist() == [Decimal("90.00")]
