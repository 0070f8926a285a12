"""The public surface, snapshotted: a change to it fails here, naming what changed.

What docs/stability.md promises is recorded in ``tests/snapshots/api.json``:
the public names of ``perfrules`` and its public submodules with their
signatures and public members, the hook specifications, the command-line
options, the JSON Schemas, the problem and finding codes and the shipped
ruleset ids and versions. An addition fails too, so that every change to the
surface is seen and written in CHANGELOG.md; a removal or rename needs a
deprecation first (docs/stability.md).

When the change is meant, regenerate and commit the snapshot with it::

    PERFRULES_UPDATE_SNAPSHOT=1 python -m pytest tests/test_api_snapshot.py
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import os
import re
import typing
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import perfrules

HERE = Path(__file__).parent
SNAPSHOT = HERE / "snapshots" / "api.json"
SRC = Path(perfrules.__file__).parent
UPDATE = os.environ.get("PERFRULES_UPDATE_SNAPSHOT") == "1"

#: The public modules; a module that does not exist (yet) is recorded as absent.
MODULES = ["perfrules", "perfrules.dask", "perfrules.exceptions", "perfrules.hookspecs",
           "perfrules.plugin", "perfrules.testing"]


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def _signature(obj: Any) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(?)"


def _init_parameters(cls: type) -> str:
    """Names, kinds and whether required: attrs renders defaults and converter
    annotations differently from one release to the next, names do not."""
    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return "(?)"
    out = []
    for p in params:
        mark = {inspect.Parameter.KEYWORD_ONLY: "kw", inspect.Parameter.VAR_POSITIONAL: "*",
                inspect.Parameter.VAR_KEYWORD: "**"}.get(p.kind, "pos")
        out.append(f"{p.name}:{mark}{'' if p.default is inspect.Parameter.empty else '='}")
    return "(" + ", ".join(out) + ")"


_BUILTIN_BASES = {object, Exception, BaseException, ValueError, LookupError, ImportError,
                  KeyError, TypeError, Warning, DeprecationWarning, UserWarning}


def _members(cls: type) -> dict[str, str]:
    """Public members defined by the class or its non-builtin bases."""
    out: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass in _BUILTIN_BASES or klass.__module__ in ("typing", "builtins", "abc"):
            continue
        for name in getattr(klass, "__annotations__", {}):
            if not name.startswith("_"):
                out[name] = "attribute"
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(value, property):
                out[name] = "property"
            elif isinstance(value, classmethod):
                out[name] = "classmethod" + _signature(value.__func__)
            elif isinstance(value, staticmethod):
                out[name] = "staticmethod" + _signature(value.__func__)
            elif inspect.isfunction(value):
                out[name] = "method" + _signature(value)
            elif type(value).__name__ in ("member_descriptor", "getset_descriptor"):
                out[name] = "attribute"
            elif type(value).__name__ == "cached_property":
                out[name] = "property"
            else:
                out[name] = "attribute"
    return out


def _describe_module(name: str, module: ModuleType, into: dict[str, str]) -> None:
    names = list(getattr(module, "__all__", []))
    into[f"module {name}"] = "__all__ = " + ", ".join(names)
    for attr in names:
        obj = getattr(module, attr)
        key = f"{name}.{attr}"
        if typing.get_origin(obj) is not None:  # a type alias (a class before 3.11)
            into[key] = f"alias {obj!r}"
        elif inspect.isclass(obj):
            bases = ", ".join(b.__name__ for b in obj.__bases__)
            into[key] = f"class({bases}){_init_parameters(obj)}"
            for member, what in _members(obj).items():
                into[f"{key}.{member}"] = what
        elif inspect.isfunction(obj):
            into[key] = "function" + _signature(obj)
        elif attr == "__version__":
            into[key] = "str"
        elif isinstance(obj, (str, int, tuple, frozenset, list)):
            into[key] = f"constant {obj!r}"
        else:
            into[key] = type(obj).__name__


def _hooks(into: dict[str, str]) -> None:
    from perfrules import hookspecs

    for name in dir(hookspecs):
        if name.startswith("perfrules_"):
            fn = getattr(hookspecs, name)
            opts = getattr(fn, "perfrules_spec", {}) or {}
            flags = ",".join(sorted(k for k, v in opts.items() if v is True))
            into[f"hook {name}"] = _signature(fn) + (f" [{flags}]" if flags else "")


def _cli(into: dict[str, str]) -> None:
    from perfrules import cli

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for command, sub in action.choices.items():
                    into[f"cli {prefix} {command}".replace("  ", " ")] = "command"
                    walk(sub, f"{prefix} {command}")
                continue
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                name = "/".join(action.option_strings)
                into[f"cli {prefix} {name}".replace("  ", " ")] = type(action).__name__
                continue
            name = "/".join(action.option_strings) or action.dest
            facts = [f"dest={action.dest}", f"nargs={action.nargs}"]
            if action.choices is not None:
                facts.append("choices=" + ",".join(map(str, action.choices)))
            if action.required:
                facts.append("required")
            if action.dest != "lang":  # the language may default to the locale
                facts.append(f"default={action.default!r}")
            into[f"cli {prefix} {name}".replace("  ", " ")] = " ".join(facts)

    walk(cli._parser(), "perfrules")


def _flatten(prefix: str, value: Any, into: dict[str, str]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(f"{prefix}/{k}", v, into)
    elif isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        for i, v in enumerate(value):
            _flatten(f"{prefix}/{i}", v, into)
    else:
        into[prefix] = json.dumps(value, ensure_ascii=False, sort_keys=True)


def _schemas(into: dict[str, str]) -> None:
    folder = resources.files("perfrules").joinpath("schemas")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            _flatten(f"schema {entry.name} ", json.loads(entry.read_text("utf-8")), into)


_KEBAB = re.compile(r"^[a-z]+(?:-[a-z]+)+$|^input$")
_WORD = re.compile(r"^[a-z]+(?:-[a-z]+)*$")


def problem_codes(src: Path = SRC) -> set[str]:
    """Every problem code written in the source: ``Problem(code="…")``, the
    hyphenated constants given to helpers named ``*problem*``, and the second
    argument of helpers named ``*error`` (``file_error(where, code, message)``)."""
    codes: set[str] = set()
    for path in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            name = (fn.id if isinstance(fn, ast.Name)
                    else fn.attr if isinstance(fn, ast.Attribute) else "")
            for kw in node.keywords:
                if (kw.arg == "code" and isinstance(kw.value, ast.Constant)
                        and isinstance(kw.value.value, str)):
                    codes.add(kw.value.value)
            if "problem" in name.lower():  # _problem(indicator, field, code, …): fields have no hyphen
                codes.update(arg.value for arg in node.args
                             if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                             and _KEBAB.match(arg.value))
            elif name.endswith("_error") and len(node.args) > 1:  # file_error(where, code, …)
                arg = node.args[1]
                if (isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                        and _WORD.match(arg.value)):
                    codes.add(arg.value)
    return codes


def finding_codes(src: Path = SRC) -> set[str]:
    """Every audit finding code (``PR001`` …) written in the built-in checks."""
    return set(re.findall(r"[\"'](PR\d{3})[\"']", (src / "builtin" / "checks.py").read_text("utf-8")))


def surface() -> dict[str, str]:
    into: dict[str, str] = {}
    for name in MODULES:
        module = _module(name)
        if module is None:
            into[f"module {name}"] = "absent"
        else:
            _describe_module(name, module, into)
    _hooks(into)
    _cli(into)
    _schemas(into)
    into["problem codes"] = ", ".join(sorted(problem_codes()))
    into["finding codes"] = ", ".join(sorted(finding_codes()))
    registry = perfrules.Registry(entry_points=False)
    into["rulesets"] = ", ".join(sorted(f"{rs.id}@{rs.version}"
                                        for rs in registry.rulesets.values()))
    into["rules"] = ", ".join(sorted(registry.rules))
    return dict(sorted(into.items()))


def test_public_surface_is_the_snapshot() -> None:
    now = surface()
    if UPDATE:
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(now, ensure_ascii=False, indent=1) + "\n", "utf-8")
        return
    before: dict[str, str] = json.loads(SNAPSHOT.read_text("utf-8"))
    changes = []
    for key in sorted(before.keys() | now.keys()):
        if key not in now:
            changes.append(f"- removed  {key}: {before[key]}")
        elif key not in before:
            changes.append(f"+ added    {key}: {now[key]}")
        elif before[key] != now[key]:
            changes.append(f"~ changed  {key}:\n      was {before[key]}\n      now {now[key]}")
    if changes:
        pytest.fail(
            "the public surface changed (docs/stability.md). A removal or rename needs a "
            "deprecation first; every change needs a CHANGELOG entry. If it is meant, "
            "regenerate with PERFRULES_UPDATE_SNAPSHOT=1 python -m pytest "
            "tests/test_api_snapshot.py\n" + "\n".join(changes), pytrace=False)


def test_every_public_module_has_all() -> None:
    for name in MODULES:
        module = _module(name)
        if module is not None:
            assert isinstance(getattr(module, "__all__", None), list), name
            assert all(hasattr(module, n) for n in module.__all__), name
