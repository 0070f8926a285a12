"""The built-in rulesets (TOML data shipped in this package), as a plugin."""

from __future__ import annotations

import sys
from importlib import resources
from typing import Any, Callable

from ..plugin import hookimpl

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11
    import tomli as tomllib

RULESET_FILES = ("cn-mof-2020.toml", "cn-mof-2020-linear.toml", "cn-mof-2020-bands-80-50.toml")


def load_data(filename: str) -> dict[str, Any]:
    """The data of one shipped ruleset file (``extends`` unresolved)."""
    folder = resources.files("perfrules.builtin").joinpath("rulesets")
    text = folder.joinpath(filename).read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    return data


@hookimpl
def perfrules_register_rulesets(register: Callable[[object], None]) -> None:
    for filename in RULESET_FILES:
        register(load_data(filename))
