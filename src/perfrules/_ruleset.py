"""Rulesets: the data that turns rules into a policy.

A :class:`RuleSet` says which rule serves which nature, the parameters of
those rules, rounding, grade bands, qualitative tiers, the names of
execution-rate lines, the policy citation and the dates it is in force.
Rulesets are data (TOML shipped in the package, or built in Python); one may
``extends`` another and override what differs, the way a provincial variant
differs from the national one.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from types import MappingProxyType
from typing import Any, Optional, Union

import attrs

from ._compat import tomllib
from ._numbers import fold_word, to_decimal

__all__ = ["AUDIT_WORD_KEYS", "DEFAULT_RULESET_FILE", "Grade", "RuleSet", "Tier",
           "default_ruleset", "merge_ruleset_data", "parse_ruleset_ref", "ruleset_index",
           "version_key"]

_ROUNDINGS = tuple(sorted(name for name in dir(decimal) if name.startswith("ROUND_")))


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), str(v)) for k, v in items))


def _grades(value: Any) -> tuple[Grade, ...]:
    return tuple(value)


def _tiers(value: Any) -> tuple[Tier, ...]:
    return tuple(value)


def _words(value: Any) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"expected a list of words, got {value!r}")
    return tuple(str(v) for v in value)


def _word_table(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), _words(v)) for k, v in items))


def _date(value: Any) -> Optional[datetime.date]:
    """A date from TOML (a date) or text (``2020-02-25``); ``None`` stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date (valid: YYYY-MM-DD)") from None


_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def version_key(version: str) -> tuple[int, ...]:
    """The order of ruleset versions: ``2`` after ``1.10`` after ``1.9`` (a version
    that is not digits and dots sorts first; validation refuses it by name)."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (-1,)


def parse_ruleset_ref(ref: str) -> tuple[str, Optional[str]]:
    """``cn-mof-2020@1`` → (``cn-mof-2020``, ``1``); a bare id → (id, None): the latest."""
    ruleset_id, sep, version = ref.partition("@")
    return ruleset_id.strip(), (version.strip() if sep else None)


def _check_id(instance: Any, attribute: Any, value: str) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f"id {value!r} is not a ruleset id (letters, digits, '.', '_', '-'; "
                         "no '@')")


def _check_version(instance: Any, attribute: Any, value: str) -> None:
    if not isinstance(value, str) or not _VERSION.match(value):
        raise ValueError(f"version {value!r} is not a version (digits and dots, such as 1 or 2.1)")


def _name(instance: Any, attribute: Any, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{type(instance).__name__.lower()} name {value!r} is not a name")


def _unit_interval(instance: Any, attribute: Any, value: Decimal) -> None:
    if not (value.is_finite() and 0 <= value <= 1):
        raise ValueError(f"{attribute.name} {value} is not a fraction of the weight in [0, 1]")


@attrs.frozen(kw_only=True)
class Tier:
    """A qualitative tier: its words and its band as fractions of the weight.

    The band is ``[lower, upper)``, or ``[lower, upper]`` when
    ``upper_inclusive``; ``default`` is the credit when no score was judged.
    """

    name: str = attrs.field(validator=_name)
    words: tuple[str, ...] = attrs.field(converter=_words)
    lower: Decimal = attrs.field(converter=to_decimal, validator=_unit_interval)
    upper: Decimal = attrs.field(converter=to_decimal, validator=_unit_interval)
    upper_inclusive: bool = attrs.field(default=False,
                                        validator=attrs.validators.instance_of(bool))
    default: Decimal = attrs.field(converter=to_decimal, validator=_unit_interval)
    met: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    name_en: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    #: the policy clause behind this tier's band, shown in explanations (zh, en)
    citation: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    citation_en: str = attrs.field(default="", validator=attrs.validators.instance_of(str))

    def __attrs_post_init__(self) -> None:
        if self.lower > self.upper:
            raise ValueError(f"tier {self.name!r}: min {self.lower} is above max {self.upper}")
        if not self.words or not all(w.strip() for w in self.words):
            raise ValueError(f"tier {self.name!r}: words must be a non-empty list of words")
        inside = self.lower <= self.default and (
            self.default <= self.upper if self.upper_inclusive or self.lower == self.upper
            else self.default < self.upper)
        if not inside:
            raise ValueError(f"tier {self.name!r}: default {self.default} is outside its band "
                             f"[{self.lower}, {self.upper}{']' if self.upper_inclusive else ')'}")


@attrs.frozen(kw_only=True)
class Grade:
    """A grade (优, 良 …) given to totals at or above ``minimum``."""

    name: str = attrs.field(validator=_name)
    minimum: Decimal = attrs.field(converter=to_decimal)
    name_en: str = attrs.field(default="", validator=attrs.validators.instance_of(str))

    def __attrs_post_init__(self) -> None:
        if not self.minimum.is_finite() or self.minimum < 0:
            raise ValueError(f"grade {self.name!r}: min {self.minimum} is not a total ≥ 0")


#: The key of a ruleset's ``rules`` table that names the rule for execution-rate
#: lines (lines named in ``execution_rate_names``, or read from a fund block).
RATE_KEY = "预算执行率"
#: The keys of a ruleset's ``[audit_words]`` table: the policy vocabulary the built-in
#: checks read (PR014 rate names, PR015 cost and time words, PR018 the 一级 framework).
AUDIT_WORD_KEYS = ("rate", "cost", "time", "time_groups", "framework", "required_groups",
                   "required_groups_en")
#: A ``[rules]`` key that maps a target shape, not a nature: ``"shape:range" = "my-rule"``.
SHAPE_PREFIX = "shape:"


def _in(values: tuple[str, ...]) -> Any:
    return attrs.validators.in_(values)


def _places(instance: Any, attribute: Any, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        raise ValueError(f"rounding places {value!r} is not a whole number from 0 to 10")


def _positive(instance: Any, attribute: Any, value: Decimal) -> None:
    if not (value.is_finite() and value > 0):
        raise ValueError(f"{attribute.name} {value} is not a number above 0")


def _not_negative(instance: Any, attribute: Any, value: Decimal) -> None:
    if not (value.is_finite() and value >= 0):
        raise ValueError(f"{attribute.name} {value} is not a number ≥ 0")


def _nature_or_none(instance: Any, attribute: Any, value: Optional[str]) -> None:
    if value is not None and value not in ("≥", ">", "≤", "<", "="):
        raise ValueError(f"{attribute.name} {value!r} is not one of ≥ > ≤ < = (or empty)")


_STR = attrs.validators.instance_of(str)


@attrs.frozen(kw_only=True, cache_hash=True)
class RuleSet:
    """A complete, resolved ruleset (see :meth:`from_dict` for the data layout).

    Identified by ``id`` and ``version`` (``cn-mof-2020@1``); every field is
    validated when the ruleset is built, so that a bad ruleset fails when its
    plugin registers it, naming the field — never later, blaming a rule.
    """

    id: str = attrs.field(validator=_check_id)
    version: str = attrs.field(default="1", validator=_check_version)
    title: str = attrs.field(default="", validator=_STR)
    citation: str = attrs.field(default="", validator=_STR)
    citation_en: str = attrs.field(default="", validator=_STR)
    #: where the ruleset applies: ``CN`` (national), ``CN-HB`` (湖北) …; empty for a
    #: variant that is only ever chosen by id
    region: str = attrs.field(default="", validator=_STR)
    #: the dates the ruleset is in force (inclusive); ``None``: open
    valid_from: Optional[datetime.date] = attrs.field(default=None, converter=_date)
    valid_until: Optional[datetime.date] = attrs.field(default=None, converter=_date)
    extends: Optional[str] = None
    description: str = attrs.field(default="", validator=_STR)
    #: nature -> rule name: (("=", "equal"), ("≥", "at-least"), …); the key
    #: ``预算执行率`` names the rule of execution-rate lines
    rules: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    #: rules the ruleset admits by name: their declared natures and target shapes
    #: route lines to them (the ``[rules]`` mapping wins where both speak)
    use: tuple[str, ...] = attrs.field(default=(), converter=_words)
    #: parameters of the rules, as text: (("reverse", "ratio"), …)
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    #: policy clauses per rule and per parameter: (("rule:at-most", "…"), ("param:reverse", "…"))
    citations: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    places: int = attrs.field(default=2, validator=_places)
    rounding: str = attrs.field(default="ROUND_HALF_UP", validator=_in(_ROUNDINGS))
    weight_total: Decimal = attrs.field(default=Decimal(100), converter=to_decimal,
                                        validator=_positive)
    weight_tolerance: Decimal = attrs.field(default=Decimal("0.01"), converter=to_decimal,
                                            validator=_not_negative)
    grades: tuple[Grade, ...] = attrs.field(default=(), converter=_grades)
    tiers: tuple[Tier, ...] = attrs.field(default=(), converter=_tiers)
    execution_rate_names: tuple[str, ...] = attrs.field(default=(), converter=_words)
    not_applicable_words: tuple[str, ...] = attrs.field(default=(), converter=_words)
    #: the nature of a numeric line that states none anywhere (10号 scores
    #: by "完成指标值"); ``None`` refuses such lines
    unstated_nature: Optional[str] = attrs.field(default=None, validator=_nature_or_none)
    #: … and of such a line under these 二级 groups or whose name ends in these words
    unstated_cost_nature: Optional[str] = attrs.field(default=None, validator=_nature_or_none)
    cost_groups: tuple[str, ...] = attrs.field(default=(), converter=_words)
    cost_suffixes: tuple[str, ...] = attrs.field(default=(), converter=_words)
    #: the words the built-in checks read, by key (:data:`AUDIT_WORD_KEYS`):
    #: (("cost", ("成本", "费用", …)), …); a key left out turns off what needs it
    audit_words: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(
        default=(), converter=_word_table)

    def __attrs_post_init__(self) -> None:
        if (self.valid_from is not None and self.valid_until is not None
                and self.valid_from > self.valid_until):
            raise ValueError(f"valid_from {self.valid_from} is after valid_until {self.valid_until}")
        for key, words in self.audit_words:
            if key not in AUDIT_WORD_KEYS:
                raise ValueError(f"audit_words: unknown key {key!r} (valid: "
                                 f"{', '.join(AUDIT_WORD_KEYS)})")
            if not all(w.strip() for w in words):
                raise ValueError(f"audit_words: {key} holds an empty word")
        groups, groups_en = self.words("required_groups"), self.words("required_groups_en")
        if groups_en and len(groups_en) != len(groups):
            raise ValueError(f"audit_words: required_groups_en has {len(groups_en)} names for "
                             f"{len(groups)} required_groups (one English name each)")
        for kind, values in (("grade", [g.name for g in self.grades]),
                             ("tier", [t.name for t in self.tiers])):
            if len(set(values)) != len(values):
                raise ValueError(f"{kind} names repeat: {', '.join(values)}")
        seen: dict[str, str] = {}
        for tier in self.tiers:
            for word in tier.words:
                other = seen.setdefault(fold_word(word), tier.name)
                if other != tier.name:
                    raise ValueError(f"tiers: the word {word!r} is in tier {other!r} and in "
                                     f"tier {tier.name!r}")
        for grade in self.grades:
            if grade.minimum > self.weight_total:
                raise ValueError(f"grade {grade.name!r}: min {grade.minimum} is above the "
                                 f"weight total {self.weight_total}")
        for key, _ in self.citations:
            if not key.startswith(("rule:", "param:")):
                raise ValueError(f"citations: key {key!r} is not rule:NAME or param:NAME "
                                 "(tiers carry their own citation)")

    @property
    def ref(self) -> str:
        """``id@version``: the reference that pins this exact ruleset."""
        return f"{self.id}@{self.version}"

    def rule_for(self, nature: str) -> Optional[str]:
        """The rule name serving ``nature`` in this ruleset, or ``None``."""
        return ruleset_index(self).rules.get(nature)

    def param(self, key: str, default: Optional[str] = None) -> Optional[str]:
        """A rule parameter as text (rules parse it), or ``default``."""
        for name, value in self.params:
            if name == key:
                return value
        return default

    def citation_of(self, key: str, lang: str = "zh") -> str:
        """The clause cited for ``rule:NAME`` or ``param:NAME`` in ``lang``; else the
        ruleset's own citation."""
        cited = dict(self.citations)
        if lang != "zh":
            return cited.get(f"{key}@{lang}") or self.citation_en or self.citation
        return cited.get(key) or self.citation

    def in_force(self, when: Union[int, datetime.date]) -> bool:
        """Whether the ruleset is in force on a date, or at some time in a year."""
        if isinstance(when, int):
            first, last = datetime.date(when, 1, 1), datetime.date(when, 12, 31)
        else:
            first = last = when
        return ((self.valid_from is None or self.valid_from <= last)
                and (self.valid_until is None or self.valid_until >= first))

    def tier_of(self, word: str) -> Optional[Tier]:
        """The tier a word names, matched whole after folding width and spaces."""
        return ruleset_index(self).tiers.get(fold_word(word))

    def tier_table(self) -> Mapping[str, Tier]:
        """Every tier word, folded (:func:`perfrules.plugin.fold_word`), and its tier:
        for rules that look words up per line (built once per ruleset)."""
        return ruleset_index(self).tiers_view

    def tier_by_points(self, points: Decimal, weight: Decimal) -> Optional[Tier]:
        """The tier whose band holds a judged score of ``points`` out of ``weight``."""
        for tier in self.tiers:
            low, high = tier.lower * weight, tier.upper * weight
            if points >= low and (points <= high if tier.upper_inclusive else points < high):
                return tier
        return None

    def grade_of(self, total: Decimal) -> str:
        """The grade of a total (the highest grade whose minimum it reaches)."""
        for grade in sorted(self.grades, key=lambda g: g.minimum, reverse=True):
            if total >= grade.minimum:
                return grade.name
        return ""

    def words(self, key: str) -> tuple[str, ...]:
        """The ``[audit_words]`` list ``key`` (one of :data:`AUDIT_WORD_KEYS`); empty when
        the ruleset gives none."""
        if key not in AUDIT_WORD_KEYS:
            raise KeyError(f"{key!r} is not an audit_words key (valid: {', '.join(AUDIT_WORD_KEYS)})")
        for name, words in self.audit_words:
            if name == key:
                return words
        return ()

    def is_execution_rate(self, name: str) -> bool:
        """Whether the ruleset scores an indicator of this name as an execution rate."""
        return fold_word(name) in ruleset_index(self).execution_rate_names

    def is_not_applicable(self, value: object) -> bool:
        """Whether an actual (such as 不适用) marks a line as not applicable."""
        return isinstance(value, str) and fold_word(value).lower() in ruleset_index(self).not_applicable

    # -- data ----------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """Build a ruleset from its data layout (the TOML files' structure; see the
        ruleset format in the documentation). Unknown keys are an error."""
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(unknown)} (valid: {', '.join(sorted(_KEYS))})")
        rounding = data.get("rounding", {})
        weights = data.get("weights", {})
        unstated = data.get("unstated_nature", {})
        citations = data.get("citations", {})
        pairs = [(f"rule:{k}", v) for k, v in citations.get("rules", {}).items()]
        pairs += [(f"rule:{k}@en", v) for k, v in citations.get("rules_en", {}).items()]
        pairs += [(f"param:{k}", v) for k, v in citations.get("params", {}).items()]
        pairs += [(f"param:{k}@en", v) for k, v in citations.get("params_en", {}).items()]
        return cls(
            id=data["id"],
            version=str(data.get("version", "1")),
            title=data.get("title", ""),
            citation=data.get("citation", ""),
            citation_en=data.get("citation_en", ""),
            region=data.get("region", ""),
            valid_from=data.get("valid_from", data.get("effective_from")),
            valid_until=data.get("valid_until", data.get("effective_to")),
            extends=_opt_str(data.get("extends")),
            description=data.get("description", ""),
            rules=data.get("rules", {}),
            use=data.get("use", ()),
            params=data.get("params", {}),
            citations=pairs,
            places=rounding.get("places", 2),
            rounding=rounding.get("mode", "ROUND_HALF_UP"),
            weight_total=weights.get("total", "100"),
            weight_tolerance=weights.get("tolerance", "0.01"),
            grades=[Grade(name=g["name"], minimum=g["min"], name_en=g.get("name_en", ""))
                    for g in data.get("grades", ())],
            tiers=[Tier(name=t["name"], words=t["words"], lower=t["min"], upper=t["max"],
                        upper_inclusive=t.get("max_inclusive", False),
                        default=t["default"], met=t.get("met", False),
                        name_en=t.get("name_en", ""), citation=t.get("citation", ""),
                        citation_en=t.get("citation_en", ""))
                   for t in data.get("tiers", ())],
            execution_rate_names=data.get("execution_rate_names", ()),
            not_applicable_words=data.get("not_applicable_words", ()),
            unstated_nature=unstated.get("nature"),
            unstated_cost_nature=unstated.get("cost_nature"),
            cost_groups=unstated.get("cost_groups", ()),
            cost_suffixes=unstated.get("cost_suffixes", ()),
            audit_words=data.get("audit_words", {}),
        )

    @classmethod
    def from_toml(cls, text: str) -> RuleSet:
        """Build a complete ruleset from TOML text (no ``extends`` resolution)."""
        return cls.from_dict(tomllib.loads(text))

    def to_dict(self) -> dict[str, Any]:
        """The data layout of this ruleset (inverse of :meth:`from_dict`)."""
        out: dict[str, Any] = {
            "id": self.id, "version": self.version, "title": self.title,
            "citation": self.citation, "citation_en": self.citation_en,
            "description": self.description,
            "rules": dict(self.rules), "params": dict(self.params),
            "rounding": {"places": self.places, "mode": self.rounding},
            "weights": {"total": str(self.weight_total), "tolerance": str(self.weight_tolerance)},
            "grades": [{"name": g.name, "name_en": g.name_en, "min": str(g.minimum)}
                       for g in self.grades],
            "tiers": [{"name": t.name, "name_en": t.name_en, "words": list(t.words),
                       "min": str(t.lower), "max": str(t.upper),
                       "max_inclusive": t.upper_inclusive, "default": str(t.default),
                       "met": t.met, **({"citation": t.citation} if t.citation else {}),
                       **({"citation_en": t.citation_en} if t.citation_en else {})}
                      for t in self.tiers],
            "execution_rate_names": list(self.execution_rate_names),
            "not_applicable_words": list(self.not_applicable_words),
        }
        if self.use:
            out["use"] = list(self.use)
        if self.audit_words:
            out["audit_words"] = {key: list(words) for key, words in self.audit_words}
        if self.region:
            out["region"] = self.region
        for key in ("valid_from", "valid_until"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.isoformat()
        if self.extends is not None:
            out["extends"] = self.extends
        if self.citations:
            cited: dict[str, dict[str, str]] = {}
            for key, value in self.citations:
                kind, _, name = key.partition(":")
                name, at, lang = name.partition("@")
                cited.setdefault(f"{kind}s{'_' + lang if at else ''}", {})[name] = value
            out["citations"] = cited
        unstated = {k: v for k, v in (
            ("nature", self.unstated_nature), ("cost_nature", self.unstated_cost_nature),
            ("cost_groups", list(self.cost_groups)), ("cost_suffixes", list(self.cost_suffixes)))
            if v}
        if unstated:
            out["unstated_nature"] = unstated
        return out

    def content_hash(self) -> str:
        """SHA-256 of everything that can change a score (and the metadata).

        ``audit_words`` count only where they differ from the default ruleset's
        (:func:`default_ruleset`): they change findings, never a score, and a ruleset that
        keeps the built-in words keeps the hash it had before they became data.
        """
        return _content_hash(self)


@functools.lru_cache(maxsize=64)
def _content_hash(ruleset: RuleSet) -> str:
    data = ruleset.to_dict()
    if ruleset.audit_words == default_ruleset().audit_words:
        data.pop("audit_words", None)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_KEYS = frozenset({
    "id", "version", "title", "citation", "citation_en", "region", "valid_from", "valid_until",
    "effective_from", "effective_to", "extends", "description", "rules", "params", "citations",
    "rounding", "weights", "grades", "tiers", "execution_rate_names", "not_applicable_words",
    "unstated_nature", "use", "audit_words",
})


@attrs.frozen
class _Index:
    """Lookups derived from a ruleset, built once per ruleset."""

    rules: dict[str, str]
    tiers: dict[str, Tier]
    tiers_view: Mapping[str, Tier]
    execution_rate_names: frozenset[str]
    not_applicable: frozenset[str]


@functools.lru_cache(maxsize=64)
def ruleset_index(ruleset: RuleSet) -> _Index:
    tiers: dict[str, Tier] = {}
    for tier in ruleset.tiers:
        for word in tier.words:
            tiers.setdefault(fold_word(word), tier)
    return _Index(
        rules=dict(ruleset.rules),
        tiers=tiers,
        tiers_view=MappingProxyType(tiers),
        execution_rate_names=frozenset(fold_word(n) for n in ruleset.execution_rate_names),
        not_applicable=frozenset(fold_word(w).lower() for w in ruleset.not_applicable_words),
    )


#: The shipped file of the default ruleset (``cn-mof-2020@1``): the vocabulary a reader and
#: the checks use when they are given no ruleset.
DEFAULT_RULESET_FILE = "cn-mof-2020.toml"


@functools.lru_cache(maxsize=1)
def default_ruleset() -> RuleSet:
    """The default ruleset ``cn-mof-2020@1``, built from its shipped TOML (it extends
    nothing): the one source of the built-in vocabulary (execution-rate names, audit words)
    for code that reads before any ruleset is chosen."""
    folder = resources.files("perfrules.builtin").joinpath("rulesets")
    return RuleSet.from_toml(folder.joinpath(DEFAULT_RULESET_FILE).read_text("utf-8"))


def _opt_str(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def merge_ruleset_data(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Apply a child ruleset's data over its parent's.

    Tables (``rules``, ``params``, ``rounding``, ``weights``) merge key by key;
    lists (``grades``, ``tiers``, name lists) and plain values replace.
    """
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    # a child's end date and region are its own: a variant is never chosen by region
    # unless it says so
    for key in ("valid_until", "effective_to", "region"):
        if key not in override:
            merged.pop(key, None)
    if "citation" in override and "citation_en" not in override:
        merged.pop("citation_en", None)  # never the parent's English beside the child's Chinese
    if "tiers" in override:
        # A tier that only changes its band may leave out its words: they come
        # from the parent's tier of the same name.
        parent_words = {t["name"]: t.get("words", []) for t in base.get("tiers", ())}
        merged["tiers"] = [
            t if "words" in t else {**t, "words": parent_words.get(t["name"], [])}
            for t in override["tiers"]
        ]
    return merged
