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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Union

import pluggy

if TYPE_CHECKING:
    from ._audit import Check
    from ._registry import Reader, Writer
    from ._rule import Rule
    from ._ruleset import RuleSet

__all__ = [
    "RegisterCheck",
    "RegisterFormat",
    "RegisterRule",
    "RegisterRuleset",
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

#: ``register(rule)``: what ``perfrules_register_rules`` receives.
RegisterRule = Callable[["Rule"], None]
#: ``register(ruleset)``: a :class:`~perfrules.RuleSet` or a mapping in the ruleset data layout.
RegisterRuleset = Callable[[Union["RuleSet", Mapping[str, Any]]], None]
#: ``register(check)``: what ``perfrules_register_checks`` receives.
RegisterCheck = Callable[["Check"], None]
#: ``register(reader_or_writer)``: what ``perfrules_register_formats`` receives.
RegisterFormat = Callable[[Union["Reader", "Writer"]], None]


@hookspec
def perfrules_register_rules(register: RegisterRule) -> None:
    """Register scoring rules: call ``register(rule)`` for each.

    A rule has a unique ``name``, a ``kind``, the ``natures`` it serves, the
    zh/en ``templates`` of its explanation steps, ``prepare(ruleset)`` and
    ``score(indicator, ruleset) -> Outcome``; see :class:`perfrules.plugin.Rule`.
    May: register any number of rules. May not: score, read files, or depend
    on the order plugins are loaded in. An exception here is a
    :class:`~perfrules.exceptions.PluginError` naming the plugin.

    .. versionadded:: 0.1
    """


@hookspec
def perfrules_register_rulesets(register: RegisterRuleset) -> None:
    """Register rulesets: call ``register(ruleset)`` for each.

    ``ruleset`` is a complete :class:`perfrules.RuleSet`, or a mapping in the
    ruleset data layout (as in the shipped TOML files) that may name a parent
    with ``extends`` (``cn-mof-2020`` for its latest version, ``cn-mof-2020@1``
    for one); parents are resolved after all plugins registered. Each
    (id, version) is registered once; every field is validated then, and a
    bad one is a :class:`~perfrules.exceptions.PluginError` naming the plugin
    and the field.

    .. versionadded:: 0.1
    """


@hookspec
def perfrules_register_checks(register: RegisterCheck) -> None:
    """Register audit checks: call ``register(check)`` for each.

    A check has a unique ``name`` and ``check(context) -> Iterable[Finding]``;
    :func:`perfrules.audit` calls it once per form. It may read the context;
    it may not change anything, and it asks a line's rule *kind*
    (``context.kind_of(line)``), never a rule's name.

    .. versionadded:: 0.1
    """


@hookspec
def perfrules_register_formats(register: RegisterFormat) -> None:
    """Register readers and writers: call ``register(reader_or_writer)`` for each.

    A reader has ``name``, ``extensions`` (such as ``(".json",)``),
    ``read(path) -> Form`` and optionally ``read_all(path)`` for files that
    hold several forms; a writer has ``name`` and ``write(report) -> bytes``.
    See :class:`perfrules.plugin.Reader` and :class:`perfrules.plugin.Writer`. An extension
    may be claimed by one reader only: a second claim is a
    :class:`~perfrules.exceptions.PluginError` naming both plugins.

    .. versionadded:: 0.1
    """
