"""Pins that hold (issue 17, item 3): a ruleset extends a pinned parent, so that a new
version of the parent cannot move a child's scores; a bare parent is refused at
registration saying how to pin it; provenance records the resolved parent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules._compat import tomllib
from perfrules.exceptions import PluginError
from perfrules.plugin import RegisterRuleset, hookimpl

ROOT = Path(__file__).parent.parent
SHIPPED = sorted((ROOT / "src" / "perfrules" / "builtin" / "rulesets").glob("*.toml"))
EXAMPLE = sorted((ROOT / "examples" / "perfrules-hubei" / "src").rglob("*.toml"))


def _plugin(*items: dict[str, Any]) -> object:
    class Rulesets:
        @hookimpl
        def perfrules_register_rulesets(self, register: RegisterRuleset) -> None:
            for item in items:
                register(item)

    return Rulesets()


CHILD = {"id": "test-child", "version": "1", "extends": "cn-mof-2020@1",
         "citation": "子规则", "citation_en": "child rules"}
#: a future national version with every score-moving change there is
PARENT_2 = {"id": "cn-mof-2020", "version": "2", "extends": "cn-mof-2020@1",
            "params": {"reverse": "linear"}, "rounding": {"places": 1},
            "tiers": [{"name": "达成", "min": "0.9", "max": "1", "max_inclusive": True,
                       "default": "0.95", "met": True},
                      {"name": "部分达成", "min": "0.3", "max": "0.9", "default": "0.3"},
                      {"name": "未达成", "min": "0", "max": "0.3", "default": "0"}]}

FORM = {"indicators": [
    {"name": "办公经费", "nature": "≤", "unit": "万元", "target": "30", "actual": "37",
     "weight": "40"},
    {"name": "满意度", "nature": "定性", "actual": "部分达成", "weight": "30"},
    {"name": "完成率", "nature": "≥", "unit": "%", "target": "95", "actual": "88.8",
     "weight": "30"}]}


@pytest.mark.parametrize("path", [*SHIPPED, *EXAMPLE], ids=lambda p: p.name)
def test_every_shipped_ruleset_pins_its_parent(path: Path) -> None:
    extends = tomllib.loads(path.read_text("utf-8")).get("extends")
    assert extends is None or "@" in extends, f"{path.name} extends {extends!r}"


def test_a_bare_parent_is_refused_saying_how_to_pin_it() -> None:
    bare = {**CHILD, "extends": "cn-mof-2020"}
    with pytest.raises(PluginError) as caught:
        perfrules.Registry([_plugin(bare)], entry_points=False)
    message = str(caught.value)
    assert "'test-child@1'" in message and "names no version" in message
    assert 'extends = "cn-mof-2020@1"' in message


def test_a_second_version_of_the_parent_leaves_the_child_unchanged() -> None:
    form = perfrules.Form.from_dict(FORM)
    before = perfrules.Registry([_plugin(CHILD)], entry_points=False)
    after = perfrules.Registry([_plugin(CHILD, PARENT_2)], entry_points=False)
    assert after.ruleset("cn-mof-2020").version == "2"  # the bare id moved …
    moved = perfrules.score(form, "cn-mof-2020", registry=after)
    assert moved.total != perfrules.score(form, "cn-mof-2020", registry=before).total
    # … the child did not
    old = perfrules.score(form, "test-child@1", registry=before)
    new = perfrules.score(form, "test-child@1", registry=after)
    assert [ln.points for ln in new.lines] == [ln.points for ln in old.lines]
    assert (new.total, new.grade) == (old.total, old.grade)
    assert new.provenance.ruleset_hash == old.provenance.ruleset_hash
    # and so did the shipped variants and the example's pattern
    for ref in ("cn-mof-2020-linear@1", "cn-mof-2020-bands-80-50@1"):
        assert perfrules.score(form, ref, registry=after).total == \
            perfrules.score(form, ref, registry=before).total


def test_provenance_records_the_resolved_parent() -> None:
    registry = perfrules.Registry([_plugin(CHILD)], entry_points=False)
    report = perfrules.score(perfrules.Form.from_dict(FORM), "test-child", registry=registry)
    assert report.provenance.ruleset_extends == "cn-mof-2020@1"
    assert report.to_dict()["provenance"]["ruleset"]["extends"] == "cn-mof-2020@1"
    national = perfrules.score(perfrules.Form.from_dict(FORM), registry=registry)
    assert national.to_dict()["provenance"]["ruleset"]["extends"] is None
