"""The registry: one pluggy PluginManager, its registrations, their provenance.

A registry is built once — hooks are called at build time only — and is then
immutable. The default registry is built on first use (never at import) and
cached for the process; build your own with :class:`Registry` for explicit
control over which plugins load.
"""

from __future__ import annotations

import datetime
import os
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, Optional, Protocol, Union, runtime_checkable

import attrs
import pluggy

from . import hookspecs
from ._explain import check_templates
from ._plan import SHAPES, admitted_routes
from ._rule import KINDS, Outcome, Prepared, Rule, StepTemplates, kind_of
from ._ruleset import RATE_KEY, RuleSet, merge_ruleset_data, parse_ruleset_ref, version_key
from ._version import __version__
from .exceptions import MissingDependencyError, PerfrulesWarning, PluginError, UnknownRulesetError

if TYPE_CHECKING:
    from ._audit import Check
    from ._engine import Report
    from ._model import Form

__all__ = [
    "DEFAULT_RULESET",
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "Reader",
    "Registry",
    "Writer",
    "get_registry",
    "plugin_name_of",
]

ENTRY_POINT_GROUP = "perfrules"
DEFAULT_RULESET = "cn-mof-2020"
AUTOLOAD_ENV = "PERFRULES_DISABLE_PLUGIN_AUTOLOAD"
ALLOW_ENV = "PERFRULES_PLUGINS"


@runtime_checkable
class Reader(Protocol):
    """Reads a file into a :class:`perfrules.Form` (``perfrules_register_formats``)."""

    @property
    def name(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...

    def read(self, path: Path) -> Form: ...


@runtime_checkable
class Writer(Protocol):
    """Renders a :class:`perfrules.Report` to bytes (``perfrules_register_formats``)."""

    @property
    def name(self) -> str: ...

    def write(self, report: Report, **options: Any) -> bytes: ...


@attrs.frozen(kw_only=True)
class PluginInfo:
    """A loaded plugin: its name and the version of the distribution behind it."""

    name: str
    version: str


def _autoload_disabled() -> bool:
    return os.environ.get(AUTOLOAD_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _allow_from_env() -> Optional[frozenset[str]]:
    value = os.environ.get(ALLOW_ENV)
    if value is None:
        return None
    return frozenset(n.strip() for n in value.split(",") if n.strip())


def _entry_points() -> list[Any]:
    from importlib import metadata

    found: Any = metadata.entry_points()
    if hasattr(found, "select"):
        return list(found.select(group=ENTRY_POINT_GROUP))
    return list(found.get(ENTRY_POINT_GROUP, ()))  # pragma: no cover - Python 3.9


def plugin_name_of(plugin: object) -> str:
    """A plugin's name, the same in every run: a module's name, else the
    qualified name of the plugin's class (never an ``id()``)."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    cls = plugin if isinstance(plugin, type) else type(plugin)
    return f"{cls.__module__}.{cls.__qualname__}"


def _dist_name(ep: Any) -> Optional[str]:
    dist = getattr(ep, "dist", None)
    name = getattr(dist, "name", None) if dist is not None else None
    return str(name) if name else None


class _Rulesets(Mapping[str, RuleSet]):
    """The registered rulesets, keyed ``id@version``; a bare id finds the latest."""

    __slots__ = ("_by_ref", "_latest")

    def __init__(self, by_ref: Mapping[str, RuleSet]) -> None:
        self._by_ref = dict(by_ref)
        latest: dict[str, RuleSet] = {}
        for ruleset in self._by_ref.values():
            known = latest.get(ruleset.id)
            if known is None or version_key(ruleset.version) > version_key(known.version):
                latest[ruleset.id] = ruleset
        self._latest = latest

    def __getitem__(self, key: str) -> RuleSet:
        found = self._by_ref.get(key)
        if found is None and isinstance(key, str) and "@" not in key:
            found = self._latest.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self._by_ref or key in self._latest)

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_ref)

    def __len__(self) -> int:
        return len(self._by_ref)

    def __repr__(self) -> str:
        return f"<rulesets {', '.join(self._by_ref)}>"


#: What the registry knows of a rule: (kind, step templates, parameters it reads).
RuleInfo = tuple[str, "StepTemplates", tuple[str, ...]]

_FROZEN_MESSAGE = "a Registry is read-only once built; build a new one to change what it holds"


def _check_complete(owner: str, ref: str, given: RuleSet, resolved: RuleSet) -> None:
    """A RuleSet *object* is used as it is; one that names a parent must already hold what it
    inherits (as a registry's own resolved rulesets do), or it would silently lack the parent's
    rules, tiers and grades: its data is what inherits."""
    mine, full = given.to_dict(), resolved.to_dict()
    if mine == full:
        return
    missing = sorted(key for key in full if mine.get(key) != full[key])
    raise PluginError(
        f"plugin {owner!r}: ruleset {ref!r} is a RuleSet object that extends "
        f"{given.extends!r} but lacks what it would inherit ({', '.join(missing)}); a RuleSet "
        "object is used as it is: register its data instead (the mapping, or the dict read "
        "from its TOML file), and the registry merges it over its parent")


class Registry:
    """Rules, rulesets, audit checks and formats registered by plugins.

    Built once — every hook is called here, never while scoring — and then
    read-only. ``plugins`` are extra plugin objects (modules or instances
    with ``@hookimpl`` functions), named by module or class (see
    :func:`plugin_name_of`). ``builtins=False`` leaves the built-in plugins
    out. ``entry_points`` loads the ``perfrules`` entry-point group (default:
    yes, unless ``PERFRULES_DISABLE_PLUGIN_AUTOLOAD=1``); ``allow`` (default:
    ``PERFRULES_PLUGINS=name,name``) limits it to the named entry points or
    distributions, warning about a name that matches none. Any exception a
    plugin raises while registering becomes a :class:`PluginError` naming it.
    """

    __slots__ = ("__dict__", "_frozen")

    def __init__(
        self,
        plugins: Iterable[object] = (),
        *,
        builtins: bool = True,
        entry_points: Optional[bool] = None,
        allow: Optional[Iterable[str]] = None,
    ) -> None:
        object.__setattr__(self, "_frozen", False)
        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        versions: dict[str, str] = {}

        def add(plugin: object, name: str, version: str) -> None:
            if pm.is_registered(plugin):
                return  # the same plugin given twice (explicitly and installed): once
            if pm.get_plugin(name) is not None:
                raise PluginError(f"two different plugins are named {name!r}; plugin names "
                                  "must be unique")
            try:
                pm.register(plugin, name=name)
            except (ValueError, pluggy.PluginValidationError) as exc:
                raise PluginError(f"plugin {name!r} cannot be registered: {exc}") from exc
            versions[name] = version

        if builtins:
            from .builtin import plugins as builtin_plugins

            for name, module in builtin_plugins():
                add(module, name, __version__)
        for plugin in plugins:
            add(plugin, plugin_name_of(plugin),
                str(getattr(plugin, "__version__", "unversioned")))
        if entry_points is None:
            entry_points = not _autoload_disabled()
        allowed = frozenset(allow) if allow is not None else _allow_from_env()
        if entry_points:
            matched: set[str] = set()
            for ep in sorted(_entry_points(), key=lambda e: (e.name, e.value)):
                dist = _dist_name(ep)
                names = {ep.name} | ({dist} if dist else set())
                if allowed is not None:
                    if not names & allowed:
                        continue
                    matched |= names & allowed
                try:
                    plugin = ep.load()
                except Exception as exc:
                    raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: "
                                      f"{type(exc).__name__}: {exc}") from exc
                dist_obj = getattr(ep, "dist", None)
                add(plugin, dist or ep.name,
                    str(dist_obj.version) if dist_obj is not None else "unknown")
            if allowed is not None:
                for name in sorted(allowed - matched):
                    warnings.warn(f"the plugin allow-list names {name!r}, which matches no "
                                  "installed perfrules plugin", PerfrulesWarning, stacklevel=2)
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {getattr(exc, 'plugin_name', None) or exc.plugin!r}: "
                              f"{exc}") from exc
        self._pm = pm
        self._plugins: tuple[PluginInfo, ...] = tuple(
            PluginInfo(name=n, version=v) for n, v in sorted(versions.items()))
        self._owners: dict[tuple[str, str], str] = {}
        self._rules = self._build_rules()
        self._rulesets = self._build_rulesets()
        self._checks = self._build_checks()
        self._readers, self._writers = self._build_formats()
        self._prepared: dict[RuleSet, Mapping[str, Prepared]] = {}
        self._by_ref: dict[str, RuleSet] = {}  # "cn-mof-2020" -> its latest, looked up once
        self._prepared_lock = threading.Lock()
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(_FROZEN_MESSAGE)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(_FROZEN_MESSAGE)

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

    def _build_rules(self) -> Mapping[str, Rule]:
        rules: dict[str, Rule] = {}
        templates: dict[str, Mapping[str, Mapping[str, str]]] = {}
        for plugin_name, rule in self._collect("perfrules_register_rules"):
            name = getattr(rule, "name", None)
            if not isinstance(name, str) or not name or not callable(getattr(rule, "score", None)) \
                    or not isinstance(getattr(rule, "natures", None), (frozenset, set, tuple, list)):
                raise PluginError(f"plugin {plugin_name!r} registered {rule!r}, which is not a "
                                  "rule (needs name, natures and score(indicator, ruleset))")
            kind = getattr(rule, "kind", "other")
            if kind not in KINDS:
                raise PluginError(f"plugin {plugin_name!r}: rule {name!r} declares kind "
                                  f"{kind!r} (valid: {', '.join(KINDS)})")
            shapes = getattr(rule, "target_shapes", ())
            if isinstance(shapes, str) or not isinstance(shapes, (frozenset, set, tuple, list)):
                shapes = (shapes,)
            for shape in shapes:
                if shape not in SHAPES:
                    raise PluginError(f"plugin {plugin_name!r}: rule {name!r} declares target "
                                      f"shape {shape!r} (valid: {', '.join(SHAPES)})")
            prepare = getattr(rule, "prepare", None)
            if prepare is not None and not callable(prepare):
                raise PluginError(f"plugin {plugin_name!r}: rule {name!r} has a prepare that "
                                  "is not callable")
            try:
                templates[name] = check_templates(f"rule {name!r}", getattr(rule, "templates", {}))
            except ValueError as exc:
                raise PluginError(f"plugin {plugin_name!r}: {exc}") from None
            self._claim("rule", name, plugin_name)
            rules[name] = rule
        self._templates = MappingProxyType(templates)
        # plain dicts (reports carry them and must pickle); exposed read-only
        self._rule_info_data: dict[str, RuleInfo] = {
            name: (kind_of(rule), templates[name], _params_of(rule))
            for name, rule in rules.items()}
        self._rule_info: Mapping[str, RuleInfo] = MappingProxyType(self._rule_info_data)
        return MappingProxyType(dict(sorted(rules.items())))

    def _build_rulesets(self) -> Mapping[str, RuleSet]:
        raw: dict[str, Union[RuleSet, Mapping[str, Any]]] = {}
        for plugin_name, item in self._collect("perfrules_register_rulesets"):
            if isinstance(item, RuleSet):
                ref = item.ref
            elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
                ref = f"{item['id']}@{item.get('version', '1')}"
            else:
                raise PluginError(f"plugin {plugin_name!r} registered {item!r}, which is not a "
                                  "RuleSet or a ruleset mapping with an 'id'")
            self._claim("ruleset", ref, plugin_name)
            raw[ref] = item

        def latest(ruleset_id: str) -> Optional[str]:
            found = [ref for ref in raw if parse_ruleset_ref(ref)[0] == ruleset_id]
            return max(found, key=_ref_order) if found else None

        def data_of(ref: str, chain: tuple[str, ...]) -> dict[str, Any]:
            if ref in chain:
                raise PluginError(f"ruleset {ref!r} extends itself: {' -> '.join((*chain, ref))}")
            item = raw[ref]
            if isinstance(item, RuleSet):
                return item.to_dict()
            return resolve(ref, item, chain)

        def resolve(ref: str, item: Mapping[str, Any], chain: tuple[str, ...]) -> dict[str, Any]:
            parent = item.get("extends")
            if parent is None:
                return dict(item)
            parent_id, parent_version = parse_ruleset_ref(str(parent))
            if not parent_version:
                known = latest(parent_id)
                pin = known if known is not None else f"{parent_id}@1"
                raise PluginError(
                    f"plugin {self._owners[('ruleset', ref)]!r}: ruleset {ref!r} extends "
                    f"{parent!r}, which names no version: pin the parent, extends = "
                    f"\"{pin}\", so that a new version of it cannot change this ruleset's "
                    "scores")
            parent_ref = f"{parent_id}@{parent_version}"
            if parent_ref not in raw:
                raise PluginError(f"plugin {self._owners[('ruleset', ref)]!r}: ruleset {ref!r} "
                                  f"extends {parent!r}, which no plugin registered "
                                  f"(known: {', '.join(sorted(raw))})")
            merged = merge_ruleset_data(data_of(parent_ref, (*chain, ref)), item)
            merged["extends"] = parent_ref
            return merged

        built: dict[str, RuleSet] = {}
        for ref in sorted(raw, key=_ref_order):
            item = raw[ref]
            owner = self._owners[("ruleset", ref)]
            try:
                if isinstance(item, RuleSet):
                    ruleset = item
                    if item.extends is not None:
                        _check_complete(owner, ref, item,
                                        RuleSet.from_dict(resolve(ref, item.to_dict(), ())))
                else:
                    ruleset = RuleSet.from_dict(data_of(ref, ()))
            except PluginError:
                raise
            except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                detail = exc.args[0] if exc.args else exc  # attrs validators add context args
                field = f"missing key {detail!r}" if isinstance(exc, KeyError) else detail
                raise PluginError(f"plugin {owner!r}: ruleset {ref!r} is invalid: {field}") from exc
            for nature, rule_name in ruleset.rules:
                if rule_name not in self._rules:
                    raise PluginError(
                        f"plugin {owner!r}: ruleset {ref!r} maps {nature!r} to rule "
                        f"{rule_name!r}, which no plugin registered "
                        f"(known: {', '.join(self._rules)})")
            admitted_routes(ruleset, self._rules, owner)  # refuses unknown or clashing rules
            rate = ruleset.rule_for(RATE_KEY)
            if rate is not None and kind_of(self._rules[rate]) != "execution-rate":
                raise PluginError(f"plugin {owner!r}: ruleset {ref!r} maps {RATE_KEY} to rule "
                                  f"{rate!r}, whose kind is {kind_of(self._rules[rate])!r}, not "
                                  "'execution-rate'")
            for rule in self._rules.values():  # parameters are checked now, not mid-batch
                prepare = getattr(rule, "prepare", None)
                try:
                    if prepare is not None:
                        prepare(ruleset)
                except Exception as exc:
                    raise PluginError(f"plugin {owner!r}: ruleset {ref!r} does not suit rule "
                                      f"{rule.name!r} (plugin {self.owner('rule', rule.name)!r})"
                                      f": {type(exc).__name__}: {exc}") from exc
            built[ref] = ruleset
        return _Rulesets(built)

    def _build_checks(self) -> Mapping[str, Check]:
        checks: dict[str, Check] = {}
        for plugin_name, check in self._collect("perfrules_register_checks"):
            check_name = getattr(check, "name", None)
            if not isinstance(check_name, str) or not callable(getattr(check, "check", None)):
                raise PluginError(f"plugin {plugin_name!r} registered {check!r}, which is not a "
                                  "check (needs name and check(context))")
            self._claim("check", check_name, plugin_name)
            checks[check_name] = check
        return MappingProxyType(dict(sorted(checks.items())))

    def _build_formats(self) -> tuple[Mapping[str, Reader], Mapping[str, Writer]]:
        readers: dict[str, Reader] = {}
        writers: dict[str, Writer] = {}
        for plugin_name, fmt in self._collect("perfrules_register_formats"):
            if isinstance(fmt, Reader):
                self._claim("reader", fmt.name, plugin_name)
                for extension in fmt.extensions:
                    self._claim("extension", str(extension).lower(), plugin_name)
                readers[fmt.name] = fmt
            elif isinstance(fmt, Writer):
                self._claim("writer", fmt.name, plugin_name)
                writers[fmt.name] = fmt
            else:
                raise PluginError(f"plugin {plugin_name!r} registered {fmt!r}, which is neither a "
                                  "reader (name, extensions, read) nor a writer (name, write)")
        return (MappingProxyType(dict(sorted(readers.items()))),
                MappingProxyType(dict(sorted(writers.items()))))

    # -- read-only accessors -------------------------------------------------

    @property
    def rules(self) -> Mapping[str, Rule]:
        """Every rule by name (read-only)."""
        return self._rules

    @property
    def rulesets(self) -> Mapping[str, RuleSet]:
        """Every ruleset, read-only: iterated by ``id@version``; looked up by
        ``id@version`` or by a bare id, which means its latest version."""
        return self._rulesets

    @property
    def checks(self) -> Mapping[str, Check]:
        """Every audit check by name (read-only)."""
        return self._checks

    @property
    def readers(self) -> Mapping[str, Reader]:
        """Every reader by name (read-only)."""
        return self._readers

    @property
    def writers(self) -> Mapping[str, Writer]:
        """Every writer by name (read-only)."""
        return self._writers

    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        """The loaded plugins, sorted by name."""
        return self._plugins

    @property
    def plugin_versions(self) -> tuple[tuple[str, str], ...]:
        """(name, version) of every loaded plugin, as reports record them."""
        return tuple((p.name, p.version) for p in self._plugins)

    def owner(self, kind: str, name: str) -> Optional[str]:
        """The plugin that registered a ``rule``, ``ruleset`` (``id@version``),
        ``check``, ``reader``, ``writer`` or ``extension`` of that name."""
        return self._owners.get((kind, name))

    def kind_of(self, rule_name: Optional[str]) -> Optional[str]:
        """The kind of a registered rule (:data:`perfrules.plugin.KINDS`), or None."""
        rule = self._rules.get(rule_name) if rule_name is not None else None
        return None if rule is None else kind_of(rule)

    @property
    def rule_info(self) -> Mapping[str, RuleInfo]:
        """Per rule name: its kind, its explanation templates and the ruleset
        parameters it reads (their citations show in explanations)."""
        return self._rule_info

    def templates(self, rule_name: str) -> Mapping[str, Mapping[str, str]]:
        """The explanation templates a rule registered (code -> language -> template)."""
        return self._templates.get(rule_name, MappingProxyType({}))

    def prepared(self, ruleset: RuleSet) -> Mapping[str, Prepared]:
        """Every rule prepared for ``ruleset``, once per ruleset: rule name ->
        the function that scores one indicator."""
        found = self._prepared.get(ruleset)
        if found is not None:
            return found
        with self._prepared_lock:
            found = self._prepared.get(ruleset)
            if found is None:
                found = MappingProxyType({name: self._prepare(rule, ruleset)
                                          for name, rule in self._rules.items()})
                if len(self._prepared) > 64:  # rulesets built on the fly: keep it bounded
                    self._prepared.clear()
                self._prepared[ruleset] = found
        return found

    def _prepare(self, rule: Rule, ruleset: RuleSet) -> Prepared:
        prepare = getattr(rule, "prepare", None)
        try:
            if prepare is not None:
                fn: Prepared = prepare(ruleset)
                if not callable(fn):
                    raise TypeError(f"prepare() returned {fn!r}, not a function")
                return fn
        except Exception as exc:
            raise PluginError(f"rule {rule.name!r} (plugin {self.owner('rule', rule.name)!r}) "
                              f"cannot score with ruleset {ruleset.ref!r}: "
                              f"{type(exc).__name__}: {exc}") from exc

        def via_score(indicator: Any) -> Outcome:
            return rule.score(indicator, ruleset)

        return via_score

    # -- lookup --------------------------------------------------------------

    def ruleset(self, ruleset: Union[str, RuleSet, None] = None) -> RuleSet:
        """A ruleset by ``id`` (its latest version) or ``id@version`` (default
        ``cn-mof-2020``); a RuleSet passes through."""
        if isinstance(ruleset, RuleSet):
            return ruleset
        ref = ruleset or DEFAULT_RULESET
        known = self._by_ref.get(ref)
        if known is not None:
            return known
        ruleset_id, version = parse_ruleset_ref(ref)
        found = self._rulesets.get(f"{ruleset_id}@{version}" if version else ruleset_id)
        if found is None:
            raise UnknownRulesetError(ref, tuple(self._rulesets))
        if len(self._by_ref) < 1024:
            self._by_ref[ref] = found
        return found

    def ruleset_for(self, *, year: Optional[int] = None,
                    date: Optional[datetime.date] = None,
                    region: Optional[str] = None) -> RuleSet:
        """The ruleset in force in ``year`` (or on ``date``) for ``region``.

        A region's own ruleset wins over the national one (``CN``); among
        several in force, the one in force from the latest date, then the
        latest version. Rulesets without a region (variants) are only ever
        chosen by id. Raises :class:`UnknownRulesetError` when none is in
        force, and :class:`PluginError` when two different rulesets tie.
        """
        when: Union[int, datetime.date, None] = date if date is not None else year
        wanted = [r.strip().upper() for r in (region or "").split(",") if r.strip()]
        scopes = [*wanted, *[w.split("-")[0] for w in wanted if "-" in w], "CN"]
        for scope in dict.fromkeys(scopes):
            found = [rs for rs in self._rulesets.values() if rs.region.upper() == scope
                     and (when is None or rs.in_force(when))]
            if not found:
                continue
            best = max(found, key=_in_force_order)
            ties = [rs for rs in found if _in_force_order(rs)[:1] == _in_force_order(best)[:1]
                    and rs.id != best.id]
            if ties:
                raise PluginError(f"rulesets {best.ref!r} and {ties[0].ref!r} are both in force "
                                  f"for {scope} from {best.valid_from}: pass one by id")
            return best
        raise UnknownRulesetError(
            f"in force in {when if when is not None else 'any year'} for "
            f"{region or 'CN'}", tuple(self._rulesets))

    def reader_for(self, path: Union[str, Path], format: Optional[str] = None) -> Reader:
        """The reader for ``format`` (a reader name) or else the file's extension."""
        if format is not None:
            try:
                return self._readers[format]
            except KeyError:
                raise _unknown_format(format, self._readers) from None
        suffix = Path(path).suffix.lower()
        for reader in self._readers.values():
            if suffix in (e.lower() for e in reader.extensions):
                return reader
        hint = _OLD_FORMATS.get(suffix)
        if hint:
            raise _format_error(path, hint)
        for extra, suffixes in _EXTRA_FORMATS.items():
            if suffix in suffixes:
                raise MissingDependencyError(f"reading {suffix} files", extra)
        known = sorted(e for r in self._readers.values() for e in r.extensions)
        raise _format_error(path, f"no reader for {suffix or 'files without an extension'} "
                                  f"(known: {', '.join(known)}); use --from NAME to choose one")

    def writer(self, name: str) -> Writer:
        """The writer registered as ``name``."""
        try:
            return self._writers[name]
        except KeyError:
            raise _unknown_format(name, self._writers) from None

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The underlying pluggy PluginManager (read it; do not register into it)."""
        return self._pm


def _params_of(rule: object) -> tuple[str, ...]:
    params = getattr(rule, "params", ())
    return tuple(str(p) for p in params) if isinstance(params, (tuple, list)) else ()


def _ref_order(ref: str) -> tuple[str, tuple[int, ...]]:
    ruleset_id, version = parse_ruleset_ref(ref)
    return ruleset_id, version_key(version or "0")


def _in_force_order(rs: RuleSet) -> tuple[datetime.date, tuple[int, ...]]:
    return rs.valid_from or datetime.date.min, version_key(rs.version)


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
    from .exceptions import InputError, Problem

    return InputError(Problem(code="unknown-format",
                              message=f"unknown format {name!r} (valid: {', '.join(known)})"))


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
