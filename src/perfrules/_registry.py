"""The registry: one pluggy PluginManager, its registrations, their provenance.

A registry is built once — hooks are called at build time only — and is then
immutable. The default registry is built on first use (never at import) and
cached for the process; build your own with :class:`Registry` for explicit
control over which plugins load.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Optional, Protocol, Union, runtime_checkable

import attrs
import pluggy

from . import hookspecs
from ._rule import Rule
from ._ruleset import RuleSet, merge_ruleset_data
from ._version import __version__
from .exceptions import MissingDependencyError, PluginError, UnknownRulesetError

__all__ = [
    "DEFAULT_RULESET",
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "Reader",
    "Registry",
    "Writer",
    "get_registry",
]

ENTRY_POINT_GROUP = "perfrules"
DEFAULT_RULESET = "cn-mof-2020"
AUTOLOAD_ENV = "PERFRULES_DISABLE_PLUGIN_AUTOLOAD"


@runtime_checkable
class Reader(Protocol):
    """Reads a file into a :class:`perfrules.Form` (``perfrules_register_formats``)."""

    @property
    def name(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...

    def read(self, path: Path) -> Any: ...


@runtime_checkable
class Writer(Protocol):
    """Renders a :class:`perfrules.Report` to bytes (``perfrules_register_formats``)."""

    @property
    def name(self) -> str: ...

    def write(self, report: Any, **options: Any) -> bytes: ...


@attrs.frozen(kw_only=True)
class PluginInfo:
    """A loaded plugin: its name and the version of the distribution behind it."""

    name: str
    version: str


def _autoload_disabled() -> bool:
    return os.environ.get(AUTOLOAD_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _entry_points() -> list[Any]:
    from importlib import metadata

    found: Any = metadata.entry_points()
    if hasattr(found, "select"):
        return list(found.select(group=ENTRY_POINT_GROUP))
    return list(found.get(ENTRY_POINT_GROUP, ()))  # pragma: no cover - Python 3.9


class Registry:
    """Rules, rulesets, audit checks and formats registered by plugins.

    ``plugins`` are extra plugin objects (modules or instances with
    ``@hookimpl`` functions). ``builtins=False`` leaves the built-in plugins
    out. ``entry_points`` loads the ``perfrules`` entry-point group (default:
    yes, unless ``PERFRULES_DISABLE_PLUGIN_AUTOLOAD=1``); ``allow`` limits
    it to the named entry points.
    """

    def __init__(
        self,
        plugins: Iterable[object] = (),
        *,
        builtins: bool = True,
        entry_points: Optional[bool] = None,
        allow: Optional[Iterable[str]] = None,
    ) -> None:
        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        versions: dict[str, str] = {}
        if builtins:
            from .builtin import plugins as builtin_plugins

            for name, module in builtin_plugins():
                pm.register(module, name=name)
                versions[name] = __version__
        for plugin in plugins:
            registered = pm.register(plugin)
            if registered is None:  # pragma: no cover - pluggy refuses blocked plugins
                continue
            versions[registered] = str(getattr(plugin, "__version__", "unversioned"))
        if entry_points is None:
            entry_points = not _autoload_disabled()
        if entry_points:
            allowed = None if allow is None else frozenset(allow)
            for ep in _entry_points():
                if allowed is not None and ep.name not in allowed:
                    continue
                if pm.get_plugin(ep.name) is not None:
                    continue
                try:
                    plugin = ep.load()
                except Exception as exc:
                    raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
                pm.register(plugin, name=ep.name)
                dist = getattr(ep, "dist", None)
                versions[ep.name] = str(dist.version) if dist is not None else "unknown"
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {exc.plugin!r}: {exc}") from exc
        self._pm = pm
        self.plugins: tuple[PluginInfo, ...] = tuple(
            PluginInfo(name=n, version=v) for n, v in sorted(versions.items())
        )
        #: (name, version) pairs, as reports record them
        self.plugin_versions: tuple[tuple[str, str], ...] = tuple(sorted(versions.items()))
        self._owners: dict[tuple[str, str], str] = {}
        rules: dict[str, Rule] = {}
        for plugin_name, rule in self._collect("perfrules_register_rules"):
            if not isinstance(rule, Rule) or not isinstance(rule.name, str):
                raise PluginError(f"plugin {plugin_name!r} registered {rule!r}, which is not a "
                                  "rule (needs name, natures and score(indicator, ruleset))")
            self._claim("rule", rule.name, plugin_name)
            rules[rule.name] = rule
        self.rules: Mapping[str, Rule] = MappingProxyType(dict(sorted(rules.items())))
        self.rulesets: Mapping[str, RuleSet] = MappingProxyType(self._build_rulesets())
        checks: dict[str, Any] = {}
        for plugin_name, check in self._collect("perfrules_register_checks"):
            check_name = getattr(check, "name", None)
            if not isinstance(check_name, str):
                raise PluginError(f"plugin {plugin_name!r} registered a check without a name")
            self._claim("check", check_name, plugin_name)
            checks[check_name] = check
        self.checks: Mapping[str, Any] = MappingProxyType(dict(sorted(checks.items())))
        readers: dict[str, Reader] = {}
        writers: dict[str, Writer] = {}
        for plugin_name, fmt in self._collect("perfrules_register_formats"):
            if isinstance(fmt, Reader):
                self._claim("reader", fmt.name, plugin_name)
                readers[fmt.name] = fmt
            elif isinstance(fmt, Writer):
                self._claim("writer", fmt.name, plugin_name)
                writers[fmt.name] = fmt
            else:
                raise PluginError(f"plugin {plugin_name!r} registered {fmt!r}, which is neither a "
                                  "reader (name, extensions, read) nor a writer (name, write)")
        self.readers: Mapping[str, Reader] = MappingProxyType(dict(sorted(readers.items())))
        self.writers: Mapping[str, Writer] = MappingProxyType(dict(sorted(writers.items())))

    # -- building ------------------------------------------------------------

    def _collect(self, hook_name: str) -> list[tuple[str, Any]]:
        """Call one hook plugin by plugin, so that every registration knows its owner."""
        caller = getattr(self._pm.hook, hook_name)
        found: list[tuple[str, Any]] = []
        for impl in sorted(caller.get_hookimpls(), key=lambda i: i.plugin_name):
            name = impl.plugin_name
            try:
                impl.function(register=lambda obj, _n=name: found.append((_n, obj)))
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(f"plugin {name!r} raised in {hook_name}: "
                                  f"{type(exc).__name__}: {exc}") from exc
        return found

    def _claim(self, kind: str, name: str, plugin_name: str) -> None:
        owner = self._owners.get((kind, name))
        if owner is not None:
            raise PluginError(f"duplicate {kind} {name!r}: registered by plugin {owner!r} "
                              f"and by plugin {plugin_name!r}")
        self._owners[(kind, name)] = plugin_name

    def _build_rulesets(self) -> dict[str, RuleSet]:
        raw: dict[str, Union[RuleSet, Mapping[str, Any]]] = {}
        for plugin_name, item in self._collect("perfrules_register_rulesets"):
            if isinstance(item, RuleSet):
                ruleset_id = item.id
            elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
                ruleset_id = item["id"]
            else:
                raise PluginError(f"plugin {plugin_name!r} registered {item!r}, which is not a "
                                  "RuleSet or a ruleset mapping with an 'id'")
            self._claim("ruleset", ruleset_id, plugin_name)
            raw[ruleset_id] = item

        def data_of(ruleset_id: str, chain: tuple[str, ...]) -> dict[str, Any]:
            if ruleset_id in chain:
                raise PluginError(f"ruleset {ruleset_id!r} extends itself: {' -> '.join(chain)}")
            item = raw.get(ruleset_id)
            if item is None:
                raise PluginError(f"ruleset {chain[-1]!r} extends {ruleset_id!r}, which no "
                                  f"plugin registered (known: {', '.join(sorted(raw))})")
            if isinstance(item, RuleSet):
                return item.to_dict()
            parent = item.get("extends")
            if parent is None:
                return dict(item)
            return merge_ruleset_data(data_of(str(parent), (*chain, ruleset_id)), item)

        built: dict[str, RuleSet] = {}
        for ruleset_id in sorted(raw):
            item = raw[ruleset_id]
            owner = self._owners[("ruleset", ruleset_id)]
            try:
                ruleset = item if isinstance(item, RuleSet) else RuleSet.from_dict(
                    data_of(ruleset_id, ()))
            except PluginError:
                raise
            except (KeyError, TypeError, ValueError) as exc:
                detail = exc.args[0] if exc.args else exc  # attrs validators add context args
                raise PluginError(f"plugin {owner!r}: ruleset {ruleset_id!r} is invalid: "
                                  f"{type(exc).__name__}: {detail}") from exc
            for nature, rule_name in ruleset.rules:
                if rule_name not in self.rules:
                    raise PluginError(
                        f"plugin {owner!r}: ruleset {ruleset_id!r} maps {nature!r} to rule "
                        f"{rule_name!r}, which no plugin registered "
                        f"(known: {', '.join(self.rules)})")
            for rule in self.rules.values():  # parameters are checked now, not mid-batch
                prepare = getattr(rule, "prepare", None)
                try:
                    if prepare is not None:
                        prepare(ruleset)
                except Exception as exc:
                    raise PluginError(f"plugin {owner!r}: ruleset {ruleset_id!r} does not suit "
                                      f"rule {rule.name!r}: {type(exc).__name__}: {exc}") from exc
            built[ruleset_id] = ruleset
        return built

    # -- lookup --------------------------------------------------------------

    def ruleset(self, ruleset: Union[str, RuleSet, None] = None) -> RuleSet:
        """A ruleset by id (default ``cn-mof-2020``); a RuleSet passes through."""
        if isinstance(ruleset, RuleSet):
            return ruleset
        ruleset_id = ruleset or DEFAULT_RULESET
        try:
            return self.rulesets[ruleset_id]
        except KeyError:
            raise UnknownRulesetError(ruleset_id, tuple(self.rulesets)) from None

    def reader_for(self, path: Union[str, Path], format: Optional[str] = None) -> Reader:
        """The reader for ``format`` (a reader name) or else the file's extension."""
        if format is not None:
            try:
                return self.readers[format]
            except KeyError:
                raise _unknown_format(format, self.readers) from None
        suffix = Path(path).suffix.lower()
        for reader in self.readers.values():
            if suffix in reader.extensions:
                return reader
        hint = _OLD_FORMATS.get(suffix)
        if hint:
            raise _format_error(path, hint)
        for extra, suffixes in _EXTRA_FORMATS.items():
            if suffix in suffixes:
                raise MissingDependencyError(f"reading {suffix} files", extra)
        known = sorted(e for r in self.readers.values() for e in r.extensions)
        raise _format_error(path, f"no reader for {suffix or 'files without an extension'} "
                                  f"(known: {', '.join(known)}); use --from NAME to choose one")

    def writer(self, name: str) -> Writer:
        try:
            return self.writers[name]
        except KeyError:
            raise _unknown_format(name, self.writers) from None

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The underlying pluggy PluginManager (read it; do not register into it)."""
        return self._pm


_OLD_FORMATS = {
    ".doc": "old binary Word (.doc) files cannot be read: save the file as .docx",
    ".et": "WPS spreadsheets (.et) cannot be read: save the file as .xlsx",
    ".wps": "WPS documents (.wps) cannot be read: save the file as .docx",
}
_EXTRA_FORMATS = {"yaml": (".yaml", ".yml"), "excel": (".xlsx", ".xlsm"), "word": (".docx", ".docm"),
                  "xls": (".xls",), "pdf": (".pdf",)}


def _format_error(path: Union[str, Path], message: str) -> Exception:
    from .exceptions import FormError, Problem

    return FormError(Problem(code="unknown-format", message=message, location=str(path)),
                     str(path))


def _unknown_format(name: str, known: Mapping[str, Any]) -> Exception:
    from .exceptions import InputError

    return InputError(f"unknown format {name!r} (valid: {', '.join(known)})")


_default: Optional[Registry] = None
_default_lock = threading.Lock()


def get_registry() -> Registry:
    """The process-wide default registry, built on first use and then cached."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Registry()
    return _default
