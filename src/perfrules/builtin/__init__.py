"""The built-in plugins: rules, rulesets, audit checks and formats, registered as any
third-party plugin would be (by hook implementations only)."""

from __future__ import annotations

from types import ModuleType


def plugins() -> list[tuple[str, ModuleType]]:
    """The built-in plugin modules with their registered names."""
    from . import checks, formats, rules, rulesets

    return [
        ("perfrules.builtin.checks", checks),
        ("perfrules.builtin.rules", rules),
        ("perfrules.builtin.rulesets", rulesets),
        ("perfrules.builtin.formats", formats),
    ]
