"""Docs change with the code: examples run, every hook and rule is documented."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import perfrules
from perfrules import _weights, hookspecs

DOCS = Path(__file__).parent.parent / "docs"


@pytest.mark.parametrize("module", [perfrules, _weights], ids=lambda m: m.__name__)
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0


def test_every_hook_is_documented() -> None:
    text = (DOCS / "plugins.md").read_text("utf-8")
    for name in hookspecs.__all__:
        if name.startswith("perfrules_"):
            assert f"`{name}`" in text, name


def test_every_builtin_rule_has_a_section(registry: perfrules.Registry) -> None:
    text = (DOCS / "rules.md").read_text("utf-8")
    for name in registry.rules:
        assert f"## `{name}`" in text, name


def test_every_builtin_ruleset_is_listed(registry: perfrules.Registry) -> None:
    text = (DOCS / "rules.md").read_text("utf-8")
    for ruleset in registry.rulesets.values():
        assert f"`{ruleset.id}`" in text, ruleset.ref
