"""The ``perfrules`` pytest plugin (entry point ``pytest11``): fixtures for plugin authors.

- ``perfrules_registry``: a fresh :class:`perfrules.Registry` with the built-ins
  and every installed plugin, built for the test (nothing global to undo).
- ``perfrules_check_rule``: :func:`perfrules.testing.check_rule` bound to that
  registry — ``perfrules_check_rule(MyRule(), targets=…)``.

Nothing is imported until a fixture is used, so that the plugin costs nothing
in test runs that do not use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pytest

if TYPE_CHECKING:
    from ._registry import Registry


@pytest.fixture
def perfrules_registry() -> Registry:
    """A fresh registry: the built-ins and every installed perfrules plugin."""
    from ._registry import Registry

    return Registry()


@pytest.fixture
def perfrules_check_rule(perfrules_registry: Registry) -> Callable[..., None]:
    """:func:`perfrules.testing.check_rule` with ``registry=perfrules_registry``."""
    from .testing import check_rule

    def check(rule: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("registry", perfrules_registry)
        check_rule(rule, *args, **kwargs)

    return check
