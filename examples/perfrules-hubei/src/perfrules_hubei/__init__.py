"""perfrules-hubei: an *example* perfrules plugin for a province.

It registers, through the entry point ``[project.entry-points.perfrules]
hubei = "perfrules_hubei"``:

- the rule ``hubei-stepped-deduction`` (指标性质 ``超标扣分``: 每超过一个百分点扣
  0.5分，扣完为止), see :mod:`perfrules_hubei.rules`;
- the ruleset ``cn-hb-2023`` (region ``CN-HB``, in force from 2023-01-01),
  shipped as ``cn-hb-2023.toml`` in this package.

The ruleset's citation is illustrative: it names no real policy document.
"""

from __future__ import annotations

import sys
from importlib import resources
from typing import Any

from perfrules.plugin import RegisterRule, RegisterRuleset, hookimpl

if sys.version_info >= (3, 11):
    import tomllib
else:  # perfrules depends on tomli there
    import tomli as tomllib

from .rules import SteppedDeduction

__all__ = ["RULESET_FILES", "SteppedDeduction", "load_ruleset"]
__version__ = "0.1.0"

RULESET_FILES = ("cn-hb-2023.toml",)


def load_ruleset(filename: str) -> dict[str, Any]:
    """The data of one shipped ruleset file (its ``extends`` is resolved by the registry)."""
    data: dict[str, Any] = tomllib.loads(
        resources.files(__name__).joinpath(filename).read_text("utf-8"))
    return data


@hookimpl
def perfrules_register_rules(register: RegisterRule) -> None:
    register(SteppedDeduction())


@hookimpl
def perfrules_register_rulesets(register: RegisterRuleset) -> None:
    for filename in RULESET_FILES:
        register(load_ruleset(filename))
