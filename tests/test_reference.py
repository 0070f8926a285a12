"""The API reference is complete: every public name and member is in the built docs.

The reference (docs/api.md) is built with Sphinx and its inventory
(``objects.inv``) is compared with the public surface: every name in the
``__all__`` of each public module and every public member of each public
class (the same listing the API snapshot records) must be there. A member
that autodoc would leave out silently — no docstring and no ``:undoc-members:``,
an instance attribute set in ``__init__`` — fails here, by name.
"""

from __future__ import annotations

import inspect
import posixpath
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import perfrules
from tests.test_api_snapshot import MODULES, _members, _module

DOCS = Path(__file__).parent.parent / "docs"


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every Python object name in the built reference."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    from sphinx.util.inventory import InventoryFile

    out = tmp_path_factory.mktemp("html")
    # In a process of its own: autodoc changes the classes it documents (their
    # __annotations__), which the API snapshot in this process would then see.
    done = subprocess.run([sys.executable, "-W", "ignore", "-m", "sphinx", "-q", "-b", "html",
                           "-d", str(out / ".doctrees"), str(DOCS), str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with (out / "objects.inv").open("rb") as f:
        inv = InventoryFile.load(f, "", posixpath.join)
    return {name for kind, entries in inv.items() if kind.startswith("py:") for name in entries}


def public_names() -> dict[str, Any]:
    """``module.name`` → object for every name in a public module's ``__all__``."""
    out = {}
    for module_name in MODULES:
        module = _module(module_name)
        for name in getattr(module, "__all__", []):
            out[f"{module_name}.{name}"] = getattr(module, name)
    return out


def documented_as(qualified: str, obj: Any, inventory: set[str]) -> str | None:
    """The name under which the reference documents ``obj``: where it is
    re-exported, or where it is defined (``perfrules.exceptions.Problem``
    documents ``perfrules.Problem``)."""
    return next((c for c in _candidates(qualified, obj) if c in inventory), None)


def _candidates(qualified: str, obj: Any) -> list[str]:
    candidates = [qualified]
    module = getattr(obj, "__module__", None)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        candidates.append(f"{module}.{obj.__qualname__}")
        # a re-export (perfrules.plugin.Rule) is documented where the object is
        # documented first (perfrules.Rule)
        candidates += [q for q, other in public_names().items() if other is obj]
    return candidates


def test_every_public_name_is_in_the_reference(inventory: set[str]) -> None:
    missing = [q for q, obj in public_names().items() if documented_as(q, obj, inventory) is None]
    assert not missing, f"public names missing from docs/api.md: {missing}"


def test_every_public_member_is_in_the_reference(inventory: set[str]) -> None:
    missing = []
    for qualified, obj in public_names().items():
        if not inspect.isclass(obj):
            continue
        where = documented_as(qualified, obj, inventory)
        members = set(_members(obj))
        if obj is perfrules.Registry:  # set in __init__: invisible on the class
            members |= {n for n in vars(perfrules.Registry(entry_points=False))
                        if not n.startswith("_")}
        missing += [f"{qualified}.{m}" for m in sorted(members)
                    if where is None or not any(f"{c}.{m}" in inventory
                                                for c in _candidates(qualified, obj))]
    assert not missing, f"public members missing from docs/api.md: {missing}"


def test_the_plugin_module_is_in_the_reference_once_it_exists(inventory: set[str]) -> None:
    if _module("perfrules.plugin") is None:
        pytest.skip("perfrules.plugin does not exist yet")
    assert "perfrules.plugin" in inventory, (
        "add `.. automodule:: perfrules.plugin` with :members: and :undoc-members: to docs/api.md")
