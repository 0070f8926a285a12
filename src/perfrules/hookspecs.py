"""Plugin hooks of perfrules (public; hook names are permanent API).

A plugin is any object or module with functions marked ``@hookimpl`` whose
names are the hooks below. Third-party packages declare it in their
``pyproject.toml``::

    [project.entry-points.perfrules]
    myprovince = "perfrules_myprovince"

Every hook receives a ``register`` callback and is called once, when a
:class:`perfrules.Registry` is built — never while scoring. The registry
checks each registration as it happens; a duplicate name is an error that
names both plugins. pluggy passes arguments by name: hooks may gain
arguments in later versions, never lose or rename one.
"""

from __future__ import annotations

from typing import Any, Callable

import pluggy

__all__ = [
    "hookimpl",
    "hookspec",
    "perfrules_register_checks",
    "perfrules_register_formats",
    "perfrules_register_rules",
    "perfrules_register_rulesets",
]

PROJECT = "perfrules"

hookspec = pluggy.HookspecMarker(PROJECT)
#: Mark a plugin function as the implementation of a perfrules hook.
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def perfrules_register_rules(register: Callable[[Any], None]) -> None:
    """Register scoring rules: call ``register(rule)`` for each.

    A rule has a unique ``name``, the ``natures`` it serves (may be empty for
    rules chosen only by name, such as ``execution-rate``) and
    ``score(indicator, ruleset) -> Outcome``; see :class:`perfrules.Rule`.

    .. versionadded:: 0.1
    """


@hookspec
def perfrules_register_rulesets(register: Callable[[Any], None]) -> None:
    """Register rulesets: call ``register(ruleset)`` for each.

    ``ruleset`` is a complete :class:`perfrules.RuleSet`, or a mapping in the
    ruleset data layout (as in the shipped TOML files) that may name a parent
    with ``extends``; parents are resolved after all plugins registered.

    .. versionadded:: 0.1
    """


@hookspec
def perfrules_register_checks(register: Callable[[Any], None]) -> None:
    """Register audit checks: call ``register(check)`` for each.

    Used by :func:`perfrules.audit` (see the audit documentation).

    .. versionadded:: 0.1
    """


@hookspec
def perfrules_register_formats(register: Callable[[Any], None]) -> None:
    """Register readers and writers: call ``register(reader_or_writer)`` for each.

    A reader has ``name``, ``extensions`` (such as ``(".json",)``) and
    ``read(path) -> Form``; a writer has ``name`` and
    ``write(report) -> bytes``. See :class:`perfrules.Reader` and
    :class:`perfrules.Writer`.

    .. versionadded:: 0.1
    """
