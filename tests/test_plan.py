"""One rule plan (issue 17, item 1): rule choice exists once, the columnar path asks
the plan's entries for their bulk kernels, and scores do not move."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules._plan import plan_for

SRC = Path(perfrules.__file__).parent


def _imports(path: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.extend((node.module or "", a.name) for a in node.names)
    return found


def test_the_columnar_path_imports_no_private_name_and_tests_no_class() -> None:
    text = (SRC / "_columnar.py").read_text("utf-8")
    for module, name in _imports(SRC / "_columnar.py"):
        assert not name.startswith("_"), f"_columnar imports {name} from {module}"
        assert "builtin" not in module, f"_columnar imports from {module}"
    assert "builtin" not in text and "type(rule)" not in text


def test_rule_choice_lives_in_the_plan_only() -> None:
    for name in ("_engine.py", "_columnar.py", "_audit.py"):
        text = (SRC / name).read_text("utf-8")
        assert "def choose" not in text and "rule_for(" not in text, name
        assert "is_execution_rate(" not in text.replace("rs.is_execution_rate(name)", ""), name


def test_an_entry_holds_what_its_rule_declares(registry: perfrules.Registry) -> None:
    plan = plan_for(registry, registry.ruleset("cn-mof-2020"))
    entry = plan.entries["at-least"]
    assert (entry.kind, entry.natures, entry.owner) == (
        "at-least", frozenset({"≥", ">"}), "perfrules.builtin.rules")
    assert entry.trusted and "met" in entry.codes and entry.kernel() is not None
    assert plan.entries["at-most"].params == ("reverse",)
    assert plan_for(registry, registry.ruleset("cn-mof-2020")) is plan  # built once


@pytest.mark.parametrize(("fields", "rule", "step"), [
    ({"nature": "≥", "target": "90", "actual": "95"}, "at-least", None),
    ({"nature": "≥", "target": "90", "actual": "95", "rule": "equal"}, "equal", None),
    ({"name": "预算执行率", "nature": "≥", "target": "100%", "actual": "95%"},
     "execution-rate", None),
    ({"budget": "100", "executed": "90", "actual": "90%"}, "execution-rate", None),
    ({"target": "90", "actual": "95"}, "at-least", "assumed_nature"),
    ({"name": "单位成本", "target": "90", "actual": "95"}, "at-most", "assumed_nature"),
    ({"target": "达成", "actual": "达成"}, "qualitative", "inferred_qualitative"),
])
def test_choose(registry: perfrules.Registry, fields: dict[str, str], rule: str,
                step: str) -> None:
    plan = plan_for(registry, registry.ruleset("cn-mof-2020"))
    indicator = perfrules.Indicator.from_dict({"name": "满意度", "weight": "10", **fields})
    choice = plan.choose(indicator)
    assert choice.problem is None and choice.entry is not None
    assert choice.entry.name == rule
    assert (choice.step.code if choice.step else None) == step


@pytest.mark.parametrize(("fields", "code"), [
    ({"nature": "区间", "target": "1", "actual": "1"}, "unknown-nature"),
    ({"target": None, "actual": None}, "missing-nature"),
    ({"nature": "≥", "rule": "nope"}, "unknown-rule"),
])
def test_choose_refuses(registry: perfrules.Registry, fields: dict[str, str], code: str) -> None:
    plan = plan_for(registry, registry.ruleset("cn-mof-2020"))
    indicator = perfrules.Indicator.from_dict({"name": "x", "weight": "10", **fields})
    choice = plan.choose(indicator)
    assert choice.entry is None and choice.problem is not None
    assert choice.problem.code == code


def test_the_columnar_path_scores_each_builtin_kind_in_bulk(registry: perfrules.Registry) -> None:
    pa = pytest.importorskip("pyarrow")
    rows = [("≥", "90", "95", "20", None, None, None),
            ("≤", "10", "12", "20", None, None, None),
            ("=", "5", "4", "10", None, None, None),
            ("定性", None, "达成", "20", "19", None, None),
            (None, None, "90%", "30", None, "100", "90")]
    table = pa.table({
        "form_id": ["f"] * len(rows),
        "name": ["a", "b", "c", "d", "预算执行率"],
        "nature": [r[0] for r in rows], "target": [r[1] for r in rows],
        "actual": [r[2] for r in rows], "weight": [r[3] for r in rows],
        "judged_score": [r[4] for r in rows], "budget": [r[5] for r in rows],
        "executed": [r[6] for r in rows]})
    result = perfrules.score_table(table, registry=registry)
    assert result.forms.column("bulk").to_pylist() == [True]
    form = perfrules.Form.from_dict({"indicators": [
        {k: v for k, v in zip(("nature", "target", "actual", "weight", "judged_score", "budget",
                               "executed"), r) if v is not None} | {"name": n}
        for r, n in zip(rows, ["a", "b", "c", "d", "预算执行率"])]})
    report = perfrules.score(form, registry=registry)
    assert result.forms.column("total").to_pylist() == [report.total]
    assert result.lines.column("score").to_pylist() == [ln.points for ln in report.lines]
    assert report.total == Decimal("90.67")  # 20 + 16.67 + 8 + 19 + 27
