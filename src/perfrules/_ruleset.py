"""Rulesets: the data that turns rules into a policy.

A :class:`RuleSet` says which rule serves which nature, the parameters of
those rules, rounding, grade bands, qualitative tiers, the names of
execution-rate lines, the policy citation and the dates it is in force.
Rulesets are data (TOML shipped in the package, or built in Python); one may
``extends`` another and override what differs, the way a provincial variant
differs from the national one.
"""

from __future__ import annotations

import decimal
import functools
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Optional

import attrs

from ._compat import tomllib
from ._numbers import fold_word, to_decimal

__all__ = ["Grade", "RuleSet", "Tier", "merge_ruleset_data", "ruleset_index"]

_ROUNDINGS = tuple(sorted(name for name in dir(decimal) if name.startswith("ROUND_")))


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), str(v)) for k, v in items))


def _grades(value: Any) -> tuple[Grade, ...]:
    return tuple(value)


def _tiers(value: Any) -> tuple[Tier, ...]:
    return tuple(value)


def _words(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@attrs.frozen(kw_only=True)
class Tier:
    """A qualitative tier: its words and its band as fractions of the weight.

    The band is ``[lower, upper)``, or ``[lower, upper]`` when
    ``upper_inclusive``; ``default`` is the credit when no score was judged.
    """

    name: str
    words: tuple[str, ...] = attrs.field(converter=_words)
    lower: Decimal = attrs.field(converter=to_decimal)
    upper: Decimal = attrs.field(converter=to_decimal)
    upper_inclusive: bool = False
    default: Decimal = attrs.field(converter=to_decimal)
    met: bool = False
    name_en: str = ""


@attrs.frozen(kw_only=True)
class Grade:
    """A grade (优, 良 …) given to totals at or above ``minimum``."""

    name: str
    minimum: Decimal = attrs.field(converter=to_decimal)
    name_en: str = ""


@attrs.frozen(kw_only=True, cache_hash=True)
class RuleSet:
    """A complete, resolved ruleset (see :meth:`from_dict` for the data layout)."""

    id: str
    version: str = "1"
    title: str = ""
    citation: str = ""
    citation_en: str = ""
    effective_from: Optional[str] = None
    effective_to: Optional[str] = None
    extends: Optional[str] = None
    description: str = ""
    #: nature -> rule name: (("=", "equal"), ("≥", "at-least"), …)
    rules: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    #: parameters of the rules, as text: (("reverse", "ratio"), …)
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    places: int = 2
    rounding: str = attrs.field(default="ROUND_HALF_UP", validator=attrs.validators.in_(_ROUNDINGS))
    weight_total: Decimal = attrs.field(default=Decimal(100), converter=to_decimal)
    weight_tolerance: Decimal = attrs.field(default=Decimal("0.01"), converter=to_decimal)
    grades: tuple[Grade, ...] = attrs.field(default=(), converter=_grades)
    tiers: tuple[Tier, ...] = attrs.field(default=(), converter=_tiers)
    execution_rate_names: tuple[str, ...] = attrs.field(default=(), converter=_words)
    not_applicable_words: tuple[str, ...] = attrs.field(default=(), converter=_words)

    def rule_for(self, nature: str) -> Optional[str]:
        """The rule name serving ``nature`` in this ruleset, or ``None``."""
        return ruleset_index(self).rules.get(nature)

    def param(self, key: str, default: Optional[str] = None) -> Optional[str]:
        """A rule parameter as text (rules parse it), or ``default``."""
        for name, value in self.params:
            if name == key:
                return value
        return default

    def tier_of(self, word: str) -> Optional[Tier]:
        """The tier a word names, matched whole after folding width and spaces."""
        return ruleset_index(self).tiers.get(fold_word(word))

    def grade_of(self, total: Decimal) -> str:
        """The grade of a total (the highest grade whose minimum it reaches)."""
        for grade in sorted(self.grades, key=lambda g: g.minimum, reverse=True):
            if total >= grade.minimum:
                return grade.name
        return ""

    def is_execution_rate(self, name: str) -> bool:
        """Whether the ruleset scores an indicator of this name as an execution rate."""
        return fold_word(name) in ruleset_index(self).execution_rate_names

    def is_not_applicable(self, value: object) -> bool:
        """Whether an actual (such as 不适用) marks a line as not applicable."""
        return isinstance(value, str) and fold_word(value).lower() in ruleset_index(self).not_applicable

    # -- data ----------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """Build a ruleset from its data layout (the TOML files' structure)."""
        rounding = data.get("rounding", {})
        weights = data.get("weights", {})
        return cls(
            id=str(data["id"]),
            version=str(data.get("version", "1")),
            title=str(data.get("title", "")),
            citation=str(data.get("citation", "")),
            citation_en=str(data.get("citation_en", "")),
            effective_from=_opt_str(data.get("effective_from")),
            effective_to=_opt_str(data.get("effective_to")),
            extends=_opt_str(data.get("extends")),
            description=str(data.get("description", "")),
            rules=data.get("rules", {}),
            params=data.get("params", {}),
            places=int(rounding.get("places", 2)),
            rounding=str(rounding.get("mode", "ROUND_HALF_UP")),
            weight_total=weights.get("total", "100"),
            weight_tolerance=weights.get("tolerance", "0.01"),
            grades=[Grade(name=g["name"], minimum=g["min"], name_en=g.get("name_en", ""))
                    for g in data.get("grades", ())],
            tiers=[Tier(name=t["name"], words=t["words"], lower=t["min"], upper=t["max"],
                        upper_inclusive=bool(t.get("max_inclusive", False)),
                        default=t["default"], met=bool(t.get("met", False)),
                        name_en=t.get("name_en", ""))
                   for t in data.get("tiers", ())],
            execution_rate_names=data.get("execution_rate_names", ()),
            not_applicable_words=data.get("not_applicable_words", ()),
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
                       "met": t.met} for t in self.tiers],
            "execution_rate_names": list(self.execution_rate_names),
            "not_applicable_words": list(self.not_applicable_words),
        }
        for key in ("effective_from", "effective_to", "extends"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def content_hash(self) -> str:
        """SHA-256 of everything that can change a score (and the metadata)."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@attrs.frozen
class _Index:
    """Lookups derived from a ruleset, built once per ruleset."""

    rules: dict[str, str]
    tiers: dict[str, Tier]
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
        execution_rate_names=frozenset(fold_word(n) for n in ruleset.execution_rate_names),
        not_applicable=frozenset(fold_word(w).lower() for w in ruleset.not_applicable_words),
    )


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
    if "effective_to" not in override:
        merged.pop("effective_to", None)
    if "tiers" in override:
        # A tier that only changes its band may leave out its words: they come
        # from the parent's tier of the same name.
        parent_words = {t["name"]: t.get("words", []) for t in base.get("tiers", ())}
        merged["tiers"] = [
            t if "words" in t else {**t, "words": parent_words.get(t["name"], [])}
            for t in override["tiers"]
        ]
    return merged
